/* Names that the writer (gen btf, gen min, archive) and the reader (the
 * runtime) must spell the same way.  Each rule is written here once. */
#ifndef UCOREBTF_LIB_NAMES_H
#define UCOREBTF_LIB_NAMES_H

#include <stddef.h>

/* The running kernel's BTF, when no other kernel BTF is given. */
#define UCB_KERNEL_BTF_DEFAULT "/sys/kernel/btf/vmlinux"

/* Arch name of an ELF e_machine, uname -m style ("x86_64", "i686", ...);
 * "unknown" for a machine not in the table.  Selection by version compares
 * this string between gen btf's metadata and the target binary. */
const char *ucb_arch_name(int e_machine);

/* Arch of this host, the same table applied to what uname -m reports
 * ("i386".."i686" all give "i686"); "unknown" if uname fails. */
const char *ucb_host_arch(void);

/* Object name as libbpf names objects: the file name up to the first '.'
 * ("dir/probe.bpf.o" -> "probe").  Writes at most out_sz - 1 bytes;
 * returns out, or NULL with errno ENAMETOOLONG (and the message set) when
 * it does not fit. */
char *ucb_object_name(const char *path, char *out, size_t out_sz);

#endif
