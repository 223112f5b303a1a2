/* What the archive's files share: the layout's names and path helpers.
 * Only src/tool/archive*.c include it: nothing else knows the layout. */
#ifndef UCOREBTF_TOOL_ARCHIVE_INTERNAL_H
#define UCOREBTF_TOOL_ARCHIVE_INTERNAL_H

#include <stddef.h>

#define INDEX_FILE	"index.tsv"
#define ENTRY_FILE	"entry.tsv"
#define BLOBS_DIR	"blobs"
#define NEEDS_DIR	"needs"
#define BLOB_SUFFIX	".btf"
#define NEEDS_SUFFIX	".txt"
#define RULES_FILE	"rules.tsv"
/* How far above an entry's directory its archive root may be: <lib>/<version>/<arch>. */
#define ROOT_MAX_UP	8

/* snprintf into a path buffer; a path that does not fit is an error
 * (-ENAMETOOLONG with the message set), not a shortened name. */
int arc_mkpath(char *buf, size_t sz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int arc_mkdir_p(const char *path);
/* Names of the visible entries of a directory, sorted; NULL-terminated.
 * NULL with *err set (no message: the callers say what they listed). */
char **arc_list_dir(const char *path, int *err);
void arc_free_list(char **v);
int arc_cmp_str(const void *a, const void *b);

/* archive_needs.c: archive__merge()'s needs files. */
int arc_merge_needs(const char *dst, const char *src);
/* archive_rules.c: archive__merge()'s version rules (src's libraries'
 * rules replace dst's). */
int arc_merge_rules(const char *dst, const char *src);

#endif
