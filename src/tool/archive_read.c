/* Archive readers: the index, blobs, an entry directory, and the checked
 * snapshot a bundle is made of (archive.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/errmsg.h"
#include "lib/sha256.h"
#include "tool/archive.h"
#include "tool/archive_internal.h"

/* A reader's archive: a missing directory is a missing index. */
static int open_reader(struct arc *a, const char *dir)
{
	int err = arc_open(a, dir, ARC_READ);

	if (err == -ENOENT || err == -ENOTDIR)
		err = ucb_errf(err, "%s/" INDEX_FILE ": %s", dir, strerror(-err));
	return err;
}

int arc_load_index(const struct arc *a, struct ucb_index *idx)
{
	char path[PATH_MAX];
	void *data;
	size_t sz;
	int err;

	err = arc_read(a, &a->root, INDEX_FILE, &data, &sz);
	if (err)
		return err;
	err = ucb_index_parse(data, sz, idx);
	free(data);
	if (err)
		return ucb_errf(err, "%s: %s", arc_path(a, &a->root, INDEX_FILE, path, sizeof(path)),
				ucb_errmsg());
	ucb_index_sort(idx);
	return 0;
}

int archive__load_index(const char *dir, struct ucb_index *idx)
{
	struct arc a;
	int err;

	err = open_reader(&a, dir);
	if (err)
		return err;
	err = arc_load_index(&a, idx);
	arc_close(&a);
	return err;
}

static int blob_read(struct arc *a, const char *digest, void **data, size_t *sz)
{
	char name[SHA256_HEX_LEN + sizeof(BLOB_SUFFIX)];
	struct arc_dir b;
	int err;

	if (!ucb_valid_hex(digest, SHA256_HEX_LEN, SHA256_HEX_LEN))
		return ucb_errf(-EINVAL, "bad blob digest '%.80s'", digest);
	snprintf(name, sizeof(name), "%s" BLOB_SUFFIX, digest);
	err = arc_subdir(a, &a->root, BLOBS_DIR, false, &b);
	err = err ?: arc_read(a, &b, name, data, sz);
	arc_dir_close(&b);
	return err;
}

int archive__read_blob(const char *dir, const char *digest, void **data, size_t *sz)
{
	struct arc a;
	int err;

	err = arc_open(&a, dir, ARC_READ);
	err = err ?: blob_read(&a, digest, data, sz);
	arc_close(&a);
	return err;
}

/* The path, after checking that neither blobs/ nor the blob is a symlink
 * or special file (a missing blob is for the caller to report). */
int archive__blob_path(const char *dir, const char *digest, char *path, size_t sz)
{
	char name[SHA256_HEX_LEN + sizeof(BLOB_SUFFIX)];
	struct arc_dir b = { .fd = -1 };
	struct arc a;
	int err;

	if (!ucb_valid_hex(digest, SHA256_HEX_LEN, SHA256_HEX_LEN))
		return ucb_errf(-EINVAL, "bad blob digest '%.80s'", digest);
	snprintf(name, sizeof(name), "%s" BLOB_SUFFIX, digest);
	err = arc_mkpath(path, sz, "%s/" BLOBS_DIR "/%s", dir, name);
	if (err)
		return err;
	err = arc_open(&a, dir, ARC_READ);
	err = err ?: arc_subdir(&a, &a.root, BLOBS_DIR, false, &b);
	err = err ?: arc_regular(&a, &b, name);
	arc_dir_close(&b);
	arc_close(&a);
	return err == -ENOENT ? 0 : err;
}

char *archive__entry_dir(const char *dir, const char *lib, const char *version, const char *arch)
{
	char *s;

	if (asprintf(&s, "%s/%s/%s/%s", dir, lib, version, arch) < 0)
		return ucb_errp(-ENOMEM, "out of memory");
	return s;
}

/* Whether name is in dir, whatever it is: a symlink is found here and
 * refused by the reader that opens it, with a message saying so. */
static bool has_file(const char *dir, const char *name)
{
	struct stat st;
	bool ok;
	int fd;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ok = !fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW);
	close(fd);
	return ok;
}

enum archive_dir archive__dir_kind(const char *dir)
{
	if (has_file(dir, INDEX_FILE))
		return ARCHIVE_ROOT;
	if (has_file(dir, ENTRY_FILE))
		return ARCHIVE_ENTRY;
	return ARCHIVE_NONE;
}

/* The archive an entry's directory belongs to: the nearest ancestor
 * (dir/.., dir/../.., ...) holding blobs/. */
static int find_root(const char *dir, char *root, size_t root_sz)
{
	int up, err;

	err = arc_mkpath(root, root_sz, "%s", dir);
	for (up = 0; !err && up < ROOT_MAX_UP; up++) {
		if (has_file(root, BLOBS_DIR))
			return 0;
		if (strlen(root) + 4 >= root_sz)
			break;
		strcat(root, "/..");
	}
	return ucb_errf(-ENOENT, "%s/" ENTRY_FILE ": no " BLOBS_DIR "/ directory above it", dir);
}

int archive__load_dir(const char *dir, struct ucb_index *idx, char *root, size_t root_sz)
{
	struct arc a;
	void *data;
	size_t sz;
	int err;

	switch (archive__dir_kind(dir)) {
	case ARCHIVE_ROOT:
		err = arc_mkpath(root, root_sz, "%s", dir);
		return err ?: archive__load_index(dir, idx);
	case ARCHIVE_ENTRY:
		break;
	default:
		return ucb_errf(-ENOENT, "%s: not an archive (no " INDEX_FILE " or " ENTRY_FILE ")", dir);
	}
	err = find_root(dir, root, root_sz);
	err = err ?: arc_open(&a, dir, ARC_READ);
	if (err)
		return err;
	err = arc_read(&a, &a.root, ENTRY_FILE, &data, &sz);
	arc_close(&a);
	if (err)
		return err;
	err = ucb_index_parse(data, sz, idx);
	free(data);
	return err ? ucb_errf(err, "%s/" ENTRY_FILE ": %s", dir, ucb_errmsg()) : 0;
}

/* ---- the snapshot a bundle is made of ---- */

static int cmp_entry_digest(const void *a, const void *b)
{
	return strcmp((*(const struct ucb_entry *const *)a)->digest,
		      (*(const struct ucb_entry *const *)b)->digest);
}

/* One blob: read without following anything, its content the digest its
 * name says, its size what every entry naming it says. */
static int snap_blob(struct arc *a, const struct arc_dir *b, const struct ucb_entry *const *e,
		     size_t n, struct archive_blob *out)
{
	char name[SHA256_HEX_LEN + sizeof(BLOB_SUFFIX)], digest[SHA256_HEX_LEN + 1];
	char path[PATH_MAX];
	size_t i;
	int err;

	snprintf(name, sizeof(name), "%s" BLOB_SUFFIX, e[0]->digest);
	arc_path(a, b, name, path, sizeof(path));
	err = arc_read(a, b, name, &out->data, &out->size);
	if (err)
		return ucb_errf(err, "%s %s %s: %s", e[0]->lib, e[0]->version, e[0]->arch, ucb_errmsg());
	snprintf(out->digest, sizeof(out->digest), "%s", e[0]->digest);
	ucb_sha256_hex(out->data, out->size, digest);
	if (strcmp(digest, e[0]->digest))
		return ucb_errf(-EINVAL, "%s: content does not match its sha256 (it hashes to %s)", path,
				digest);
	for (i = 0; i < n; i++)
		if (e[i]->size != out->size)
			return ucb_errf(-EINVAL, "%s: %zu bytes, the index says %llu for %s %s %s", path,
					out->size, (unsigned long long)e[i]->size, e[i]->lib,
					e[i]->version, e[i]->arch);
	return 0;
}

static int snap_blobs(struct arc *a, struct archive_snapshot *s)
{
	const struct ucb_entry **by = NULL;
	struct arc_dir b = { .fd = -1 };
	size_t i, j, n = s->idx.cnt;
	int err;

	if (!n)
		return 0;
	by = calloc(n, sizeof(*by));
	s->blobs = calloc(n, sizeof(*s->blobs));
	if (!by || !s->blobs) {
		free(by);
		return ucb_errf(-ENOMEM, "out of memory");
	}
	for (i = 0; i < n; i++)
		by[i] = &s->idx.e[i];
	qsort(by, n, sizeof(*by), cmp_entry_digest);
	err = arc_subdir(a, &a->root, BLOBS_DIR, false, &b);
	for (i = 0; !err && i < n; i = j) {
		for (j = i + 1; j < n && !strcmp(by[j]->digest, by[i]->digest); j++)
			;
		err = snap_blob(a, &b, by + i, j - i, &s->blobs[s->blob_cnt++]);
	}
	arc_dir_close(&b);
	free(by);
	return err;
}

int archive__snapshot(const char *dir, struct archive_snapshot *s)
{
	struct arc a;
	int err;

	memset(s, 0, sizeof(*s));
	err = open_reader(&a, dir);
	if (err)
		return err;
	err = arc_load_index(&a, &s->idx);
	err = err ?: arc_needs_text(&a, &s->needs, &s->needs_len);
	err = err ?: arc_rules_text(&a, &s->rules, &s->rules_len);
	err = err ?: snap_blobs(&a, s);
	arc_close(&a);
	if (err)
		archive__snapshot_free(s);
	return err;
}

void archive__snapshot_free(struct archive_snapshot *s)
{
	size_t i;

	for (i = 0; i < s->blob_cnt; i++)
		free(s->blobs[i].data);
	free(s->blobs);
	free(s->needs);
	free(s->rules);
	ucb_index_free(&s->idx);
	memset(s, 0, sizeof(*s));
}
