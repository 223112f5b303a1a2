/* Shared by bpf/kcollide*.bpf.c, bpf/pytm.bpf.c and
 * tests/tools/kcollide_loader.c: what the uprobes read from libraries whose
 * types are named like the kernel's (tests/e2e/t_genmin_kcollide.sh). */
#ifndef UCOREBTF_KCOLLIDE_H
#define UCOREBTF_KCOLLIDE_H

#define KCOLLIDE_FIELDS(X)						\
	X(hits) X(f_pos) X(f_flags) X(pid) X(tgid) X(comm)		\
	X(sndbuf) X(rcvbuf) X(next) X(prev)				\
	X(regs_si) X(regs_size) X(kernel_tgid)				\
	X(tm_year) X(tm_mon) X(tm_mday) X(tm_hour) X(tm_min) X(tm_sec) X(tm_wday)

#define KCOLLIDE_DECL(name) long long name;
struct kcollide_result {
	KCOLLIDE_FIELDS(KCOLLIDE_DECL)
};
#undef KCOLLIDE_DECL

#endif
