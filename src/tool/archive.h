/* The versioned library archive: a directory kept in git.
 *
 *   ARCHIVE/index.tsv                          sorted index of every entry
 *   ARCHIVE/<lib>/<version>/<arch>/entry.tsv   that entry's index line
 *   ARCHIVE/blobs/<sha256>.btf                 raw BTF, stored once by digest
 *   ARCHIVE/needs/<object>.txt                 kernel types an object needs
 *   ARCHIVE/rules.tsv                          version rules per library
 *   ARCHIVE/dist.tsv                           distribution entries' origin
 *
 * Every file is a pure function of the entries, so regenerating an archive
 * from the same inputs gives no diff.  See docs/archive.md. */
#ifndef UCOREBTF_ARCHIVE_H
#define UCOREBTF_ARCHIVE_H

#include <stddef.h>
#include "lib/index.h"
#include "lib/sha256.h"

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

/* Errors follow docs/conventions.md: -errno (or NULL) and one message for
 * ucb_errmsg(), naming the file when there is one.  Nothing is printed.
 *
 * Trust (docs/archive.md): the archive directory is opened as named;
 * nothing inside it is reached through a symbolic link (a symlink there
 * is an error, -ELOOP).  Writers take ARCHIVE/.lock exclusively, readers
 * shared; a failed or killed writer leaves the archive as it was, or with
 * whole entries added. */

/* Add or replace the entry (lib, version, arch) with blob (raw BTF or an
 * ELF with .BTF; stored as raw BTF).  Other entries are left alone; blobs
 * no entry refers to any more are removed.  Returns 0 or -errno: -EINVAL
 * for a bad name or blob ("bad soname", "blob is not valid BTF"), else an
 * I/O error ("cannot write PATH"). */
int archive__add(const char *dir, const struct archive_entry *e, const void *blob, size_t sz);

/* archive__add() of n entries (entry i with blob[i] of sz[i] bytes, in that
 * order: a later one replaces an earlier of the same key) under one lock,
 * with one index and one garbage collection at the end: adding 1,000
 * versions one archive__add() at a time walks the archive 1,000 times.
 * *added: how many were added; when entry *added fails, those before it
 * stay added, as with archive__add() one by one (if the index cannot be
 * written, none is).  Returns as archive__add(). */
int archive__add_many(const char *dir, const struct archive_entry *e, const void *const *blob,
		      const size_t *sz, size_t n, size_t *added);

/* Rewrite index.tsv from the entry files and drop unreferenced blobs. */
int archive__reindex(const char *dir);

/* Parse index.tsv (entries sorted).  Returns 0 or -errno. */
int archive__load_index(const char *dir, struct ucb_index *idx);

/* Read the blob of digest.  Returns 0 or -errno. */
int archive__read_blob(const char *dir, const char *digest, void **data, size_t *sz);

/* The path of the blob of digest under the archive root dir, for readers
 * that open BTF by path.  Returns 0, or -EINVAL for a digest that is not
 * 64 hex digits, -ENAMETOOLONG. */
int archive__blob_path(const char *dir, const char *digest, char *path, size_t sz);

/* The directory of entry (lib, version, arch), malloc'ed, for messages. */
char *archive__entry_dir(const char *dir, const char *lib, const char *version, const char *arch);

/* What a directory is to the archive: an archive's root (it has an
 * index), one entry's directory, or neither. */
enum archive_dir {
	ARCHIVE_NONE,
	ARCHIVE_ROOT,
	ARCHIVE_ENTRY,
};
enum archive_dir archive__dir_kind(const char *dir);

/* The entries a directory holds, for readers given any directory (report):
 * an archive root's whole index, or an entry directory's one entry.  root
 * gets the archive's root (an entry's nearest ancestor with blobs), for
 * archive__blob_path().  Returns 0 or -errno (-ENOENT for ARCHIVE_NONE or
 * an entry outside any archive). */
int archive__load_dir(const char *dir, struct ucb_index *idx, char *root, size_t root_sz);

/* What a bundle is made of, read under one lock and checked: every
 * blob's sha256 and size against the index, no entry listed twice. */
struct archive_blob {
	char digest[SHA256_HEX_LEN + 1];
	void *data;
	size_t size;
};

struct archive_snapshot {
	struct ucb_index idx;		/* sorted */
	char *needs;			/* archive__needs_text() */
	size_t needs_len;
	struct archive_blob *blobs;	/* one per digest, sorted by digest */
	size_t blob_cnt;
	char *rules;			/* archive__rules_text(); rules_len 0: none */
	size_t rules_len;
};

int archive__snapshot(const char *dir, struct archive_snapshot *s);
void archive__snapshot_free(struct archive_snapshot *s);

/* Make a new archive at dir as fill(path, ctx) writes it (through the
 * functions here) into a hidden directory beside dir, renamed to dir once
 * fill succeeds: dir appears complete or not at all, and a failure
 * removes what was written.  An existing non-empty dir is filled in
 * place (each archive__add() is a transaction of its own). */
int archive__build(const char *dir, int (*fill)(const char *path, void *ctx), void *ctx);

/* Add every entry of the archive src (its blob and fields as src has
 * them), every needs file and the version rules of src to dst, as
 * archive__add(), archive__set_needs() and archive__set_rules() would: how
 * the parts CI builds are merged. */
int archive__merge(const char *dst, const char *src);

/* Record the kernel needs of object from "kind name [path]" text lines.
 * A bad line gives -EINVAL and "line N: expected ...". */
int archive__set_needs(const char *dir, const char *object, const char *text, size_t len);

/* All needs files as NEED-section text ("object\tkind\tname\tpath\n", sorted);
 * *text is malloc'ed, "" when there are none. */
int archive__needs_text(const char *dir, char **text, size_t *len);

/* ---- version rules: ARCHIVE/rules.tsv (src/tool/archive_rules.c) ---- */

/* Library lib's version rules become exactly specs, each in the
 * command-line form SOURCE:PREFIX (lib/vrule.h); cnt 0 removes them. */
int archive__set_rules(const char *dir, const char *lib, const char *const *specs, size_t cnt);

/* Rules text (a bundle's RULE record): each library it names gets those
 * rules, replacing its own. */
int archive__add_rules_text(const char *dir, const char *text, size_t len);

/* The archive's rules as RULE-record text (sorted, header first); *text is
 * malloc'ed, *len 0 when there are none. */
int archive__rules_text(const char *dir, char **text, size_t *len);

/* ---- distribution metadata: ARCHIVE/dist.tsv (src/tool/archive_dist.c) ---- */

/* Lines "library version arch build_id release package upstream
 * deb_sha256" (tab-separated), each naming an entry of the index and one
 * of its build-ids: they replace the lines of the same library, version,
 * arch, build-id and release; with lib, every line of lib goes first (text "": lib
 * has none) and a line for another library is -EINVAL. */
int archive__set_dist(const char *dir, const char *lib, const char *text, size_t len);

/* dist.tsv's text (header first, sorted); *text malloc'ed, *len 0: none. */
int archive__dist_text(const char *dir, char **text, size_t *len);

#endif
