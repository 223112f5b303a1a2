/* What the archive's files share: the layout's names and the file access
 * every reader and writer goes through.  Only src/tool/archive*.c include
 * it: nothing else knows the layout.
 *
 * Trust (docs/archive.md): the archive root is opened once, as the caller
 * names it (a symlink there is followed); everything inside is reached
 * relative to that directory fd and never through a symbolic link
 * (O_NOFOLLOW, AT_SYMLINK_NOFOLLOW): a symlink inside the archive is an
 * error, not a way out of it.  Writers hold ARCHIVE/.lock exclusively
 * around every read-modify-write and write each file under a temporary
 * name in its own directory, renamed into place in an order that keeps
 * the archive whole at every step. */
#ifndef UCOREBTF_TOOL_ARCHIVE_INTERNAL_H
#define UCOREBTF_TOOL_ARCHIVE_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#define INDEX_FILE	"index.tsv"
#define ENTRY_FILE	"entry.tsv"
#define BLOBS_DIR	"blobs"
#define NEEDS_DIR	"needs"
#define BLOB_SUFFIX	".btf"
#define NEEDS_SUFFIX	".txt"
#define LOCK_FILE	".lock"
/* Files being written, and a bundle extract's directory until it is
 * complete: hidden names no reader looks at.  Under the write lock any
 * such file inside the archive is a leftover of a killed writer. */
#define TMP_PREFIX	".ucorebtf-tmp-"
#define TMP_RAND_LEN	8
#define RULES_FILE	"rules.tsv"
#define DIST_FILE	"dist.tsv"
/* How far above an entry's directory its archive root may be: <lib>/<version>/<arch>. */
#define ROOT_MAX_UP	8

/* Names at the archive's top level that are not libraries: a library may
 * not be called so, and the entry walk skips them.  A new kind of file
 * adds its name here. */
#define ARC_RESERVED_NAMES	{ BLOBS_DIR, NEEDS_DIR, INDEX_FILE, RULES_FILE, DIST_FILE, NULL }
bool arc_reserved(const char *name);

/* A directory inside the archive: its fd and its path below the root
 * ("" for the root itself), for messages. */
struct arc_dir {
	int fd;
	bool created;		/* made by this writer: removed again on failure */
	char rel[PATH_MAX];
};

enum arc_mode {
	ARC_READ,		/* shared lock (when the archive has a lock file) */
	ARC_WRITE,		/* exclusive lock; the root is created when missing */
};

/* An open archive: the root as the caller named it, its fd, the lock. */
struct arc {
	const char *dir;
	struct arc_dir root;
	int lock_fd;
	enum arc_mode mode;
};

int arc_open(struct arc *a, const char *dir, enum arc_mode mode);
void arc_close(struct arc *a);

/* "DIR/rel/name" of a file under d, for messages (buf is returned). */
const char *arc_path(const struct arc *a, const struct arc_dir *d, const char *name, char *buf,
		     size_t sz);
/* Record "DIR/rel/name: strerror(-err)" and return err. */
int arc_fail(const struct arc *a, const struct arc_dir *d, const char *name, int err);

/* Open (create: make first) the directory name under at, never through a
 * symlink.  -ELOOP for a symlink, -ENOTDIR for another file, -ENOENT
 * when missing and !create; the message names it. */
int arc_subdir(struct arc *a, const struct arc_dir *at, const char *name, bool create,
	       struct arc_dir *d);
void arc_dir_close(struct arc_dir *d);
/* Remove d again if this writer made it and it is empty (failure paths). */
void arc_dir_undo(const struct arc_dir *at, const char *name, struct arc_dir *d);

/* What name under at is: 0 for a regular file, -ENOENT when there is
 * none, -ELOOP (symlink) or -EINVAL (anything else) with the message. */
int arc_regular(const struct arc *a, const struct arc_dir *at, const char *name);

/* Read the regular file name under at (NUL-terminated copy).  A symlink,
 * FIFO or device is refused before anything is read. */
int arc_read(const struct arc *a, const struct arc_dir *at, const char *name, void **data,
	     size_t *sz);
/* As arc_read(), but a file that is not there is no error: 0 with *data
 * NULL (the archive's optional files: rules.tsv, dist.tsv). */
int arc_read_opt(const struct arc *a, const struct arc_dir *at, const char *name, void **data,
		 size_t *sz);
/* The optional root file name parsed into out (left as the caller zeroed it
 * when there is none); a parse error is prefixed with the file's path. */
int arc_parse_opt(const struct arc *a, const char *name,
		  int (*parse)(const char *text, size_t len, void *out), void *out);

/* A file written under a temporary name in its directory; arc_commit()
 * renames it into place, arc_unstage() removes it. */
struct arc_file {
	const struct arc_dir *at;
	const char *name;
	char tmp[sizeof(TMP_PREFIX) + TMP_RAND_LEN];
	bool staged;
};

int arc_stage(struct arc *a, const struct arc_dir *at, const char *name, const void *data,
	      size_t sz, struct arc_file *f);
int arc_commit(struct arc *a, struct arc_file *f);
void arc_unstage(struct arc_file *f);

/* Names of the visible entries of d, sorted; NULL-terminated.  NULL with
 * *err set and the message naming d. */
char **arc_list(const struct arc *a, const struct arc_dir *d, int *err);
void arc_free_list(char **v);
int arc_cmp_str(const void *a, const void *b);

/* Under the write lock: remove leftover temporary files in d. */
void arc_clean_temps(const struct arc_dir *d);
bool arc_is_temp(const char *name);
/* A fresh TMP_PREFIX name (buf holds sizeof(TMP_PREFIX) + TMP_RAND_LEN). */
void arc_temp_name(char *buf, size_t sz);

/* Remove the directory tree name under at without following any symlink,
 * at most depth levels deep.  Returns 0 or -errno (no message). */
int arc_rmtree(int at, const char *name, int depth);

/* snprintf into a path buffer; a path that does not fit is an error
 * (-ENAMETOOLONG with the message set), not a shortened name. */
int arc_mkpath(char *buf, size_t sz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

struct ucb_index;
/* index.tsv of the open archive, parsed (an entry listed twice is an
 * error there) and sorted. */
int arc_load_index(const struct arc *a, struct ucb_index *idx);

/* archive_needs.c: the needs files as NEED-section text (archive__needs_text
 * on an open archive), and archive__merge()'s needs files. */
int arc_needs_text(struct arc *a, char **text, size_t *len);
int arc_merge_needs(const char *dst, const char *src);
/* archive_rules.c: the rules as RULE-record text (archive__rules_text on
 * an open archive), and archive__merge()'s version rules (src's
 * libraries' rules replace dst's). */
int arc_rules_text(const struct arc *a, char **text, size_t *len);
int arc_merge_rules(const char *dst, const char *src);
/* archive_dist.c: archive__merge()'s distribution lines. */
int arc_merge_dist(const char *dst, const char *src);

#endif
