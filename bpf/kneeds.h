/* Shared by bpf/kneeds.bpf.c and tests/tools/kneeds_loader.c: what a uprobe
 * read from the *kernel* through CO-RE (the kernel-needs path of the
 * runtime: pruned running-kernel types in the prepared BTF). */
#ifndef UCOREBTF_KNEEDS_H
#define UCOREBTF_KNEEDS_H

#define KNEEDS_FIELDS(X)						\
	X(hits) X(tgid) X(pid) X(arg_start) X(comm0)			\
	X(has_vruntime) X(off_vruntime) X(sz_task) X(off_mm)		\
	X(loop) X(has_loop) X(off_tstamp) X(sz_tstamp) X(has_nosuch)

#define KNEEDS_DECL(name) long long name;
struct kneeds_result {
	KNEEDS_FIELDS(KNEEDS_DECL)
};
#undef KNEEDS_DECL

#endif
