/* The versioned library archive: a directory kept in git.
 *
 *   ARCHIVE/index.tsv                          sorted index of every entry
 *   ARCHIVE/<lib>/<version>/<arch>/entry.tsv   that entry's index line
 *   ARCHIVE/blobs/<sha256>.btf                 raw BTF, stored once by digest
 *   ARCHIVE/needs/<object>.txt                 kernel types an object needs
 *
 * Every file is a pure function of the entries, so regenerating an archive
 * from the same inputs gives no diff.  See docs/archive.md. */
#ifndef UCOREBTF_ARCHIVE_H
#define UCOREBTF_ARCHIVE_H

#include <stddef.h>
#include "lib/index.h"

struct archive_entry {
	const char *lib;		/* "libssl", "lua5.4" */
	const char *version;		/* "3.0.17" */
	const char *arch;		/* uname -m style */
	const char *soname;		/* NULL or "" if none */
	const char *const *build_ids;	/* lowercase hex GNU build-ids */
	size_t build_id_cnt;
	const char *const *objects;	/* BPF object names the blob was made for */
	size_t object_cnt;
};

/* Add or replace the entry (lib, version, arch) with blob (raw BTF or an
 * ELF with .BTF; stored as raw BTF).  Other entries are left alone; blobs
 * no entry refers to any more are removed.  Returns 0 or -errno; on error
 * *why (if non-NULL) says what is wrong. */
int archive__add(const char *dir, const struct archive_entry *e, const void *blob, size_t sz,
		 const char **why);

/* Rewrite index.tsv from the entry files and drop unreferenced blobs. */
int archive__reindex(const char *dir);

/* Parse index.tsv (entries sorted).  Returns 0 or -errno. */
int archive__load_index(const char *dir, struct ucb_index *idx, char *err, size_t err_sz);

/* Read blobs/<digest>.btf.  Returns 0 or -errno. */
int archive__read_blob(const char *dir, const char *digest, void **data, size_t *sz);

/* Record the kernel needs of object from "kind name [path]" text lines. */
int archive__set_needs(const char *dir, const char *object, const char *text, size_t len,
		       char *err, size_t err_sz);

/* All needs files as NEED-section text ("object\tkind\tname\tpath\n", sorted);
 * *text is malloc'ed, "" when there are none. */
int archive__needs_text(const char *dir, char **text, size_t *len, char *err, size_t err_sz);

/* ---- version rules: ARCHIVE/rules.tsv (src/tool/archive_rules.c) ----
 * Functions fail with ucb_errf() (lib/errmsg.h). */

/* Library lib's version rules become exactly specs, each in the
 * command-line form SOURCE:PREFIX (lib/vrule.h); cnt 0 removes them. */
int archive__set_rules(const char *dir, const char *lib, const char *const *specs, size_t cnt);

/* Rules text (a bundle's RULE record): each library it names gets those
 * rules, replacing its own. */
int archive__add_rules_text(const char *dir, const char *text, size_t len);

/* The archive's rules as RULE-record text (sorted, header first); *text is
 * malloc'ed, *len 0 when there are none. */
int archive__rules_text(const char *dir, char **text, size_t *len);

#endif
