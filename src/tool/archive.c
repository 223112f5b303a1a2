/* Archive directory: content-addressed blobs, one entry file per
 * (library, version, arch), a deterministic index.  The only code that
 * knows the layout (archive.h); every other reader and writer asks here. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "lib/errmsg.h"
#include "lib/fileio.h"
#include "lib/sha256.h"
#include "tool/archive.h"
#include "tool/archive_internal.h"

/* snprintf into a path buffer; a path that does not fit is an error, not
 * a shortened name. */
int arc_mkpath(char *buf, size_t sz, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sz, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sz)
		return ucb_errf(-ENAMETOOLONG, "%.64s...: path too long", buf);
	return 0;
}

int arc_mkdir_p(const char *path)
{
	char buf[PATH_MAX], *p;
	int err;

	err = arc_mkpath(buf, sizeof(buf), "%s", path);
	if (err)
		return err;
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0755) && errno != EEXIST)
			return ucb_errf(-errno, "cannot write %s", buf);
		*p = '/';
	}
	if (mkdir(buf, 0755) && errno != EEXIST)
		return ucb_errf(-errno, "cannot write %s", buf);
	return 0;
}

static int write_file(const char *path, const void *data, size_t sz)
{
	int err = ucb_write_file_atomic(path, data, sz);

	return err ? ucb_errf(err, "cannot write %s", path) : 0;
}

int arc_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted, de-duplicated comma list of items, or "-". */
static char *join_sorted(const char *const *items, size_t cnt)
{
	const char **v;
	size_t i, len = 2;
	char *s;

	v = calloc(cnt + 1, sizeof(*v));
	if (!v)
		return NULL;
	for (i = 0; i < cnt; i++) {
		v[i] = items[i];
		len += strlen(items[i]) + 1;
	}
	qsort(v, cnt, sizeof(*v), arc_cmp_str);
	s = calloc(1, len);
	if (s) {
		for (i = 0; i < cnt; i++) {
			if (i && !strcmp(v[i], v[i - 1]))
				continue;
			if (*s)
				strcat(s, ",");
			strcat(s, v[i]);
		}
		if (!*s)
			strcpy(s, "-");
	}
	free(v);
	return s;
}

/* Raw BTF of a blob given as raw BTF or as an ELF with .BTF. */
static struct btf *blob_btf(const void *blob, size_t sz)
{
	char tmpl[] = "/tmp/ucorebtf-blob.XXXXXX";
	struct btf *btf;
	int fd;

	if (sz >= 4 && !memcmp(blob, "\177ELF", 4)) {
		/* libbpf parses ELF from a path only. */
		fd = mkstemp(tmpl);
		if (fd < 0)
			return NULL;
		if (ucb_write_all(fd, blob, sz)) {
			close(fd);
			unlink(tmpl);
			errno = EIO;
			return NULL;
		}
		close(fd);
		btf = btf__parse_elf(tmpl, NULL);
		unlink(tmpl);
		return btf;
	}
	return btf__new(blob, sz);
}

/* Names become directories and index fields: only what the index allows. */
static int entry_check(const struct archive_entry *e)
{
	size_t i;

	if (!ucb_valid_name(e->lib) || !ucb_valid_name(e->version) || !ucb_valid_name(e->arch) ||
	    !strcmp(e->lib, BLOBS_DIR) || !strcmp(e->lib, NEEDS_DIR))
		return ucb_errf(-EINVAL, "bad library, version or arch name");
	if (e->soname && e->soname[0] && !ucb_valid_soname(e->soname))
		return ucb_errf(-EINVAL, "bad soname");
	for (i = 0; i < e->build_id_cnt; i++)
		if (!ucb_valid_hex(e->build_ids[i], 2, 80))
			return ucb_errf(-EINVAL, "bad build-id (lowercase hex expected)");
	for (i = 0; i < e->object_cnt; i++)
		if (!ucb_valid_name(e->objects[i]))
			return ucb_errf(-EINVAL, "bad object name");
	return 0;
}

/* Store the blob as raw BTF under its digest (once: same bytes, same file). */
static int blob_store(const char *dir, const void *blob, size_t sz,
		      char digest[SHA256_HEX_LEN + 1], __u32 *raw_sz)
{
	char path[PATH_MAX];
	const void *raw;
	struct btf *btf;
	int err;

	btf = blob_btf(blob, sz);
	if (!btf)
		return ucb_errf(-EINVAL, "blob is not valid BTF");
	raw = btf__raw_data(btf, raw_sz);
	if (!raw) {
		btf__free(btf);
		return ucb_errf(-ENOMEM, "out of memory");
	}
	ucb_sha256_hex(raw, *raw_sz, digest);
	err = arc_mkpath(path, sizeof(path), "%s/" BLOBS_DIR, dir);
	err = err ?: arc_mkdir_p(path);
	err = err ?: archive__blob_path(dir, digest, path, sizeof(path));
	if (!err && access(path, F_OK))
		err = write_file(path, raw, *raw_sz);
	btf__free(btf);
	return err;
}

/* <lib>/<version>/<arch>/entry.tsv: the entry's own index line. */
static int entry_write(const char *dir, const struct archive_entry *e, char *digest, __u32 raw_sz)
{
	char path[PATH_MAX], *bids, *objs, *line = NULL;
	struct ucb_entry ue;
	int err;

	bids = join_sorted(e->build_ids, e->build_id_cnt);
	objs = join_sorted(e->objects, e->object_cnt);
	ue = (struct ucb_entry){ (char *)e->lib, (char *)e->version, (char *)e->arch, digest,
				 (char *)(e->soname ? e->soname : ""), bids, objs, raw_sz };
	line = bids && objs ? ucb_entry_line(&ue) : NULL;
	err = line ? 0 : ucb_errf(-ENOMEM, "out of memory");
	err = err ?: arc_mkpath(path, sizeof(path), "%s/%s/%s/%s", dir, e->lib, e->version, e->arch);
	err = err ?: arc_mkdir_p(path);
	err = err ?: arc_mkpath(path, sizeof(path), "%s/%s/%s/%s/" ENTRY_FILE, dir, e->lib,
			    e->version, e->arch);
	err = err ?: write_file(path, line, strlen(line));
	free(line);
	free(bids);
	free(objs);
	return err;
}

int archive__add(const char *dir, const struct archive_entry *e, const void *blob, size_t sz)
{
	char digest[SHA256_HEX_LEN + 1];
	__u32 raw_sz;
	int err;

	err = entry_check(e);
	err = err ?: blob_store(dir, blob, sz, digest, &raw_sz);
	err = err ?: entry_write(dir, e, digest, raw_sz);
	return err ?: archive__reindex(dir);
}

/* Names of the visible entries of a directory, sorted; NULL-terminated.
 * NULL with *err set (no message: the callers say what they listed). */
char **arc_list_dir(const char *path, int *err)
{
	struct dirent *de;
	char **v = NULL, **tmp;
	size_t n = 0;
	DIR *d;

	*err = 0;
	d = opendir(path);
	if (!d) {
		*err = -errno;
		return NULL;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		tmp = realloc(v, (n + 2) * sizeof(*v));
		if (!tmp || !(tmp[n] = strdup(de->d_name))) {
			v = tmp ?: v;
			*err = -ENOMEM;
			break;
		}
		v = tmp;
		v[++n] = NULL;
	}
	closedir(d);
	if (!*err && !v)
		v = calloc(1, sizeof(*v));
	if (!*err && !v)
		*err = -ENOMEM;
	if (*err) {
		while (v && n)
			free(v[--n]);
		free(v);
		return NULL;
	}
	qsort(v, n, sizeof(*v), arc_cmp_str);
	return v;
}

void arc_free_list(char **v)
{
	char **p;

	for (p = v; p && *p; p++)
		free(*p);
	free(v);
}

/* Append the entry.tsv files depth levels below path to f, in sorted
 * order: depth 2 is a <lib> directory, 0 an <arch> directory. */
static int collect_level(const char *path, int depth, FILE *f)
{
	char sub[PATH_MAX], **names;
	size_t i, sz;
	void *data;
	int err;

	if (!depth) {
		err = arc_mkpath(sub, sizeof(sub), "%s/" ENTRY_FILE, path);
		if (!err && !ucb_read_file(sub, &data, &sz)) {
			fwrite(data, 1, sz, f);
			free(data);
		}
		return err;
	}
	names = arc_list_dir(path, &err);
	if (err == -ENOTDIR && depth == 2)
		return 0;	/* a file beside the libraries (README) is no entry */
	if (err)
		return ucb_errf(err, "%s: %s", path, strerror(-err));
	for (i = 0; !err && names[i]; i++) {
		err = arc_mkpath(sub, sizeof(sub), "%s/%s", path, names[i]);
		err = err ?: collect_level(sub, depth - 1, f);
	}
	arc_free_list(names);
	return err;
}

/* Concatenate every <lib>/<version>/<arch>/entry.tsv. */
static int collect_entries(const char *dir, char **text, size_t *len)
{
	char path[PATH_MAX], **libs;
	size_t i;
	FILE *f;
	int err;

	libs = arc_list_dir(dir, &err);
	if (err)
		return ucb_errf(err, "%s: %s", dir, strerror(-err));
	f = open_memstream(text, len);
	if (!f) {
		arc_free_list(libs);
		return ucb_errf(-ENOMEM, "out of memory");
	}
	for (i = 0; !err && libs[i]; i++) {
		if (!strcmp(libs[i], BLOBS_DIR) || !strcmp(libs[i], NEEDS_DIR) ||
		    !strcmp(libs[i], INDEX_FILE))
			continue;
		err = arc_mkpath(path, sizeof(path), "%s/%s", dir, libs[i]);
		err = err ?: collect_level(path, 2, f);
	}
	arc_free_list(libs);
	if (fclose(f) && !err)
		err = ucb_errf(-ENOMEM, "out of memory");
	if (err) {
		free(*text);
		*text = NULL;
	}
	return err;
}

/* index.tsv's text: the header, then one line per entry, sorted. */
static int index_text(const struct ucb_index *idx, char **text, size_t *len)
{
	FILE *f = open_memstream(text, len);
	size_t i;
	char *line;
	int err = 0;

	if (!f)
		return ucb_errf(-ENOMEM, "out of memory");
	fputs(UCB_INDEX_HEADER, f);
	for (i = 0; i < idx->cnt && !err; i++) {
		line = ucb_entry_line(&idx->e[i]);
		if (!line)
			err = ucb_errf(-ENOMEM, "out of memory");
		else
			fputs(line, f);
		free(line);
	}
	if (fclose(f) && !err)
		err = ucb_errf(-ENOMEM, "out of memory");
	if (err) {
		free(*text);
		*text = NULL;
	}
	return err;
}

/* Remove the blobs no entry names. */
static int gc_blobs(const char *dir, const struct ucb_index *idx)
{
	char path[PATH_MAX], **blobs;
	size_t i, j, dl = SHA256_HEX_LEN;
	bool used;
	int err;

	err = arc_mkpath(path, sizeof(path), "%s/" BLOBS_DIR, dir);
	if (err)
		return err;
	blobs = arc_list_dir(path, &err);
	if (err == -ENOENT)
		return 0;
	if (err)
		return ucb_errf(err, "%s: %s", path, strerror(-err));
	for (i = 0; blobs[i]; i++) {
		used = false;
		for (j = 0; j < idx->cnt && !used; j++)
			used = !strncmp(blobs[i], idx->e[j].digest, dl) &&
			       !strcmp(blobs[i] + dl, BLOB_SUFFIX);
		if (!used && !arc_mkpath(path, sizeof(path), "%s/" BLOBS_DIR "/%s", dir, blobs[i]))
			unlink(path);
	}
	arc_free_list(blobs);
	return 0;
}

int archive__reindex(const char *dir)
{
	char path[PATH_MAX], *text = NULL, *out = NULL;
	struct ucb_index idx = {};
	size_t len = 0, olen = 0;
	int err;

	err = collect_entries(dir, &text, &len);
	if (!err) {
		err = ucb_index_parse(text ?: "", len, &idx);
		if (err)
			err = ucb_errf(err, "%s: entry files: %s", dir, ucb_errmsg());
	}
	free(text);
	if (err)
		return err;
	ucb_index_sort(&idx);
	err = index_text(&idx, &out, &olen);
	err = err ?: arc_mkpath(path, sizeof(path), "%s/" INDEX_FILE, dir);
	err = err ?: write_file(path, out, olen);
	err = err ?: gc_blobs(dir, &idx);
	free(out);
	ucb_index_free(&idx);
	return err;
}

int archive__load_index(const char *dir, struct ucb_index *idx)
{
	char path[PATH_MAX];
	void *data;
	size_t sz;
	int err;

	err = arc_mkpath(path, sizeof(path), "%s/" INDEX_FILE, dir);
	if (err)
		return err;
	err = ucb_read_file(path, &data, &sz);
	if (err)
		return ucb_errf(err, "%s: %s", path, strerror(-err));
	err = ucb_index_parse(data, sz, idx);
	free(data);
	if (err)
		return ucb_errf(err, "%s: %s", path, ucb_errmsg());
	ucb_index_sort(idx);
	return 0;
}

int archive__blob_path(const char *dir, const char *digest, char *path, size_t sz)
{
	if (!ucb_valid_hex(digest, SHA256_HEX_LEN, SHA256_HEX_LEN))
		return ucb_errf(-EINVAL, "bad blob digest '%.80s'", digest);
	return arc_mkpath(path, sz, "%s/" BLOBS_DIR "/%s" BLOB_SUFFIX, dir, digest);
}

int archive__read_blob(const char *dir, const char *digest, void **data, size_t *sz)
{
	char path[PATH_MAX];
	int err;

	err = archive__blob_path(dir, digest, path, sizeof(path));
	if (err)
		return err;
	err = ucb_read_file(path, data, sz);
	return err ? ucb_errf(err, "%s: %s", path, strerror(-err)) : 0;
}

char *archive__entry_dir(const char *dir, const char *lib, const char *version, const char *arch)
{
	char *s;

	if (asprintf(&s, "%s/%s/%s/%s", dir, lib, version, arch) < 0)
		return ucb_errp(-ENOMEM, "out of memory");
	return s;
}

static bool has_file(const char *dir, const char *name)
{
	char path[PATH_MAX];

	return !arc_mkpath(path, sizeof(path), "%s/%s", dir, name) && !access(path, F_OK);
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
	char path[PATH_MAX];
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
	err = err ?: arc_mkpath(path, sizeof(path), "%s/" ENTRY_FILE, dir);
	if (err)
		return err;
	err = ucb_read_file(path, &data, &sz);
	if (err)
		return ucb_errf(err, "%s: %s", path, strerror(-err));
	err = ucb_index_parse(data, sz, idx);
	free(data);
	return err ? ucb_errf(err, "%s: %s", path, ucb_errmsg()) : 0;
}


/* A comma list field of an index entry ("-": none) as a string array,
 * pointing into a copy the caller frees. */
static int split_list(const char *list, char **copy, const char ***items, size_t *cnt)
{
	size_t n = 1;
	char *p, *save = NULL;

	*items = NULL;
	*cnt = 0;
	*copy = strdup(strcmp(list, "-") ? list : "");
	if (!*copy)
		return -ENOMEM;
	for (p = *copy; *p; p++)
		n += *p == ',';
	*items = calloc(n, sizeof(**items));
	if (!*items)
		return -ENOMEM;
	for (p = strtok_r(*copy, ",", &save); p; p = strtok_r(NULL, ",", &save))
		(*items)[(*cnt)++] = p;
	return 0;
}

/* One entry of the archive src, with its blob, into dst. */
static int merge_entry(const char *dst, const char *src, const struct ucb_entry *x)
{
	struct archive_entry e = { x->lib, x->version, x->arch,
				   strcmp(x->soname, "-") ? x->soname : NULL };
	char *bcopy = NULL, *ocopy = NULL;
	const char **bids = NULL, **objs = NULL;
	void *blob = NULL;
	size_t sz;
	int err;

	err = split_list(x->build_ids, &bcopy, &bids, &e.build_id_cnt);
	err = err ?: split_list(x->objects, &ocopy, &objs, &e.object_cnt);
	if (err)
		err = ucb_errf(err, "out of memory");
	e.build_ids = bids;
	e.objects = objs;
	err = err ?: archive__read_blob(src, x->digest, &blob, &sz);
	if (!err) {
		err = archive__add(dst, &e, blob, sz);
		if (err)
			ucb_errf(err, "%s %s %s: %s", x->lib, x->version, x->arch, ucb_errmsg());
	}
	free(blob);
	free(bids);
	free(objs);
	free(bcopy);
	free(ocopy);
	return err;
}

int archive__merge(const char *dst, const char *src)
{
	struct ucb_index idx;
	size_t i;
	int err;

	err = archive__load_index(src, &idx);
	if (err)
		return err;
	for (i = 0; i < idx.cnt && !err; i++)
		err = merge_entry(dst, src, &idx.e[i]);
	ucb_index_free(&idx);
	return err ?: arc_merge_needs(dst, src) ?: arc_merge_rules(dst, src);
}
