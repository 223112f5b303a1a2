/* The identity of an ELF binary: GNU build-id, soname and arch.  gen btf
 * records it in .ucorebtf.meta and the runtime reads it from the target, so
 * both must read it with this one code: a build-id or arch spelled two ways
 * is an entry that never matches. */
#ifndef UCOREBTF_LIB_ELF_ID_H
#define UCOREBTF_LIB_ELF_ID_H

#include <libelf.h>

#define UCB_BUILD_ID_MAX 40	/* bytes; longer notes are not build-ids we trust */

struct ucb_elf_id {
	char build_id[2 * UCB_BUILD_ID_MAX + 1];	/* lowercase hex, "" if none */
	char soname[128];				/* DT_SONAME, "" if none */
	char arch[16];					/* ucb_arch_name(e_machine) */
	int machine;					/* e_machine */
};

/* Fill id from an ELF opened with elf_begin().  The first GNU build-id note
 * counts (as the kernel and elfutils take it); a soname that does not fit is
 * an error, not a silently shortened name.  Returns 0 or -errno with the
 * message set (ucb_errmsg()). */
int ucb_elf_id_read(Elf *elf, struct ucb_elf_id *id);

#endif
