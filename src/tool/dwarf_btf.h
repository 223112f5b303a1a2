/* ucorebtf's own DWARF -> BTF encoder, on elfutils' libdw and libbpf's
 * public btf__add_*() API.  See docs/encoder.md. */
#ifndef UCOREBTF_DWARF_BTF_H
#define UCOREBTF_DWARF_BTF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct btf;

struct dwarf_btf_opts {
	size_t sz;		/* sizeof(struct dwarf_btf_opts) */
	FILE *detail;		/* one line per skipped DIE/member, or NULL */
	bool no_dedup;		/* keep the raw per-DIE types (debugging) */
};
#define DWARF_BTF_OPTS(NAME, ...) \
	struct dwarf_btf_opts NAME = { .sz = sizeof(struct dwarf_btf_opts), __VA_ARGS__ }

/* What the encoder did; filled by dwarf_btf__encode() even on failure. */
struct dwarf_btf_stats {
	unsigned int dies;		/* type and function DIEs seen */
	unsigned int types;		/* BTF types before dedup */
	unsigned int funcs;		/* FUNC entries (external definitions) */
	unsigned int skipped;		/* DIEs that BTF cannot express */
	unsigned int dropped_members;	/* members whose type was skipped */
	unsigned int void_refs;		/* other references to skipped types */
	unsigned int skipped_funcs;	/* functions with a skipped param type */
	char skipped_tags[160];		/* "DW_TAG_x 3, ..." for the summary */
};

/* Encode the DWARF in the ELF file at path (an executable, shared library
 * or .debug file; dwz alt files are followed).  Returns a deduplicated BTF,
 * or NULL with errno set after printing one "Error: PATH: why" line. */
struct btf *dwarf_btf__encode(const char *path, const struct dwarf_btf_opts *opts,
			      struct dwarf_btf_stats *stats);

#endif
