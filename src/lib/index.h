/* The archive index: one line per (library, version, arch) entry, as in
 * archive/index.tsv and a bundle's INDX section.  Shared by the CLI and the
 * runtime library, so it parses untrusted input strictly.
 *
 *   library \t version \t arch \t sha256 \t size \t soname \t build_ids \t objects
 *
 * Empty fields are "-"; build_ids and objects are comma-separated lists.
 * Lines starting with '#' are comments.  See docs/archive.md. */
#ifndef UCOREBTF_INDEX_H
#define UCOREBTF_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UCB_INDEX_HEADER "# ucorebtf index v1: library\tversion\tarch\tsha256\tsize\tsoname\tbuild_ids\tobjects\n"
#define UCB_MAX_ENTRIES 65536

struct ucb_entry {
	char *lib, *version, *arch, *digest, *soname, *build_ids, *objects;
	uint64_t size;
};

struct ucb_index {
	struct ucb_entry *e;
	size_t cnt;
	char *text;		/* owns the strings the entries point into */
};

/* Parse index text (need not be NUL-terminated).  Returns 0 or -errno
 * (-EINVAL, -E2BIG, -ENOMEM) with the message set: line number and what is
 * wrong. */
int ucb_index_parse(const char *text, size_t len, struct ucb_index *idx);
void ucb_index_free(struct ucb_index *idx);

/* Order entries deterministically: library, version (natural order), arch. */
void ucb_index_sort(struct ucb_index *idx);
int ucb_entry_cmp(const struct ucb_entry *a, const struct ucb_entry *b);

/* One index line for e, with '\n'.  Returns a malloc'ed string, or NULL
 * (ENOMEM, message set). */
char *ucb_entry_line(const struct ucb_entry *e);

/* The index text of idx: the header, then one line per entry in idx's
 * order (index.tsv, a bundle's INDX record).  *text is malloc'ed.
 * Returns 0 or -ENOMEM with the message set. */
int ucb_index_text(const struct ucb_index *idx, char **text, size_t *len);

/* Is item one of the comma-separated list ("-" is the empty list)? */
bool ucb_list_has(const char *list, const char *item);

/* Field validators: what may appear in a name (library, version, arch,
 * object: [A-Za-z0-9._+~-], not starting with '.'), a build-id (hex) and a
 * soname (printable, no tab, comma or '/'). */
bool ucb_valid_name(const char *s);
bool ucb_valid_hex(const char *s, size_t min_len, size_t max_len);
bool ucb_valid_soname(const char *s);


/* Kernel type needs of BPF objects: one need per line,
 *   object \t kind \t name \t path
 * kind is struct, union, enum or typedef; path is "-" (the whole type) or
 * member names joined by '.' (enumerator name for an enum).  Archive files
 * archive/needs/<object>.txt hold "kind name [path]" lines. */
struct ucb_need {
	char *object, *kind, *name, *path;
};

struct ucb_needs {
	struct ucb_need *n;
	size_t cnt;
	char *text;
};

#define UCB_MAX_NEEDS 65536

/* As ucb_index_parse, for needs text. */
int ucb_needs_parse(const char *text, size_t len, struct ucb_needs *needs);
void ucb_needs_free(struct ucb_needs *needs);
bool ucb_valid_ident(const char *s);
bool ucb_valid_kind(const char *s);
bool ucb_valid_path(const char *s);

#endif
