/* ucorebtf's own DWARF -> BTF encoder, on elfutils' libdw and libbpf's
 * public btf__add_*() API.  See docs/encoder.md. */
#ifndef UCOREBTF_DWARF_BTF_H
#define UCOREBTF_DWARF_BTF_H

#include <stdbool.h>
#include <stddef.h>

struct btf;

/* One line, without '\n', about a DWARF entry the encoder left out:
 * "skipped: DIE 0x2a DW_TAG_base_type complex double: ...", "dropped:
 * member ...", "void: pointer ...".  gen btf -d prints them. */
typedef void (*dwarf_btf_detail_fn)(void *ctx, const char *line);

struct dwarf_btf_opts {
	size_t sz;			/* sizeof(struct dwarf_btf_opts) */
	dwarf_btf_detail_fn detail;	/* called per skipped DIE/member, or NULL */
	void *detail_ctx;		/* detail's first argument */
	bool no_dedup;			/* keep the raw per-DIE types (debugging) */
	const char *alt_path;		/* the dwz supplementary file (.gnu_debugaltlink), when
					 * libdw would not find it: debuginfo__find_alt() */
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
 * or NULL with errno and the message ("PATH: why", ucb_errmsg()) set.
 * Nothing is printed: details go to opts->detail. */
struct btf *dwarf_btf__encode(const char *path, const struct dwarf_btf_opts *opts,
			      struct dwarf_btf_stats *stats);

#endif
