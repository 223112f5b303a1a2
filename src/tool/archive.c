/* Archive directory: content-addressed blobs, one entry file per
 * (library, version, arch), a deterministic index. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "tool/archive.h"
#include "cli/common.h"
#include "lib/errmsg.h"
#include "lib/sha256.h"

static int mkdir_p(const char *path)
{
	char buf[4096], *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

static int cmp_str(const void *a, const void *b)
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
	qsort(v, cnt, sizeof(*v), cmp_str);
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
		if (write(fd, blob, sz) != (ssize_t)sz) {
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

int archive__add(const char *dir, const struct archive_entry *e, const void *blob, size_t sz,
		 const char **why)
{
	char path[4096], digest[SHA256_HEX_LEN + 1], *bids = NULL, *objs = NULL, *line = NULL;
	const void *raw;
	struct btf *btf;
	struct ucb_entry ue;
	__u32 raw_sz;
	size_t i;
	int err;

	*why = "bad library, version or arch name";
	if (!ucb_valid_name(e->lib) || !ucb_valid_name(e->version) || !ucb_valid_name(e->arch) ||
	    !strcmp(e->lib, "blobs") || !strcmp(e->lib, "needs"))
		return -EINVAL;
	*why = "bad soname";
	if (e->soname && e->soname[0] && !ucb_valid_soname(e->soname))
		return -EINVAL;
	*why = "bad build-id (lowercase hex expected)";
	for (i = 0; i < e->build_id_cnt; i++)
		if (!ucb_valid_hex(e->build_ids[i], 2, 80))
			return -EINVAL;
	*why = "bad object name";
	for (i = 0; i < e->object_cnt; i++)
		if (!ucb_valid_name(e->objects[i]))
			return -EINVAL;

	btf = blob_btf(blob, sz);
	if (!btf) {
		*why = "blob is not valid BTF";
		return -EINVAL;
	}
	*why = "out of memory";
	raw = btf__raw_data(btf, &raw_sz);
	if (!raw) {
		btf__free(btf);
		return -ENOMEM;
	}
	ucb_sha256_hex(raw, raw_sz, digest);
	*why = "cannot write the archive";
	snprintf(path, sizeof(path), "%s/blobs", dir);
	err = mkdir_p(path);
	snprintf(path, sizeof(path), "%s/blobs/%s.btf", dir, digest);
	if (!err && access(path, F_OK))
		err = ucb_write_file_atomic(path, raw, raw_sz);
	btf__free(btf);
	if (err)
		return err;

	bids = join_sorted(e->build_ids, e->build_id_cnt);
	objs = join_sorted(e->objects, e->object_cnt);
	ue = (struct ucb_entry){ (char *)e->lib, (char *)e->version, (char *)e->arch, digest,
				 (char *)(e->soname ? e->soname : ""), bids, objs, raw_sz };
	line = bids && objs ? ucb_entry_line(&ue) : NULL;
	err = line ? 0 : -ENOMEM;
	if (!err) {
		snprintf(path, sizeof(path), "%s/%s/%s/%s", dir, e->lib, e->version, e->arch);
		err = mkdir_p(path);
	}
	if (!err) {
		snprintf(path, sizeof(path), "%s/%s/%s/%s/entry.tsv", dir, e->lib, e->version, e->arch);
		err = ucb_write_file_atomic(path, line, strlen(line));
	}
	free(line);
	free(bids);
	free(objs);
	if (!err)
		err = archive__reindex(dir);
	if (!err)
		*why = NULL;
	return err;
}

/* Names of the visible entries of a directory, sorted; NULL-terminated. */
static char **list_dir(const char *path, int *err)
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
		if (!tmp) {
			*err = -ENOMEM;
			break;
		}
		v = tmp;
		v[n++] = strdup(de->d_name);
		v[n] = NULL;
	}
	closedir(d);
	if (v)
		qsort(v, n, sizeof(*v), cmp_str);
	else if (!*err)
		v = calloc(1, sizeof(*v));
	return v;
}

static void free_list(char **v)
{
	char **p;

	for (p = v; p && *p; p++)
		free(*p);
	free(v);
}

/* Concatenate every <lib>/<version>/<arch>/entry.tsv. */
static int collect_entries(const char *dir, char **text, size_t *len)
{
	char **libs, **vers, **arches, path[4096];
	char *buf = NULL, *tmp;
	size_t n = 0, i, j, k;
	void *data;
	size_t sz;
	int err = 0;

	libs = list_dir(dir, &err);
	for (i = 0; !err && libs[i]; i++) {
		if (!strcmp(libs[i], "blobs") || !strcmp(libs[i], "needs") ||
		    !strcmp(libs[i], "index.tsv"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, libs[i]);
		vers = list_dir(path, &err);
		if (err == -ENOTDIR) {
			err = 0;
			continue;
		}
		for (j = 0; !err && vers[j]; j++) {
			snprintf(path, sizeof(path), "%s/%s/%s", dir, libs[i], vers[j]);
			arches = list_dir(path, &err);
			for (k = 0; !err && arches[k]; k++) {
				snprintf(path, sizeof(path), "%s/%s/%s/%s/entry.tsv", dir, libs[i],
					 vers[j], arches[k]);
				if (ucb_read_file(path, &data, &sz))
					continue;
				tmp = realloc(buf, n + sz + 1);
				if (!tmp) {
					free(data);
					err = -ENOMEM;
					break;
				}
				buf = tmp;
				memcpy(buf + n, data, sz);
				n += sz;
				free(data);
			}
			free_list(arches);
		}
		free_list(vers);
	}
	free_list(libs);
	if (err) {
		free(buf);
		return err;
	}
	*text = buf;
	*len = n;
	return 0;
}

int archive__reindex(const char *dir)
{
	char path[4096], **blobs;
	struct ucb_index idx;
	char *text = NULL, *out, *line;
	size_t len = 0, i, olen, cap;
	bool used;
	int err;

	err = collect_entries(dir, &text, &len);
	if (err)
		return err;
	err = ucb_index_parse(text ?: "", len, &idx);
	free(text);
	if (err)
		return err;
	ucb_index_sort(&idx);
	cap = sizeof(UCB_INDEX_HEADER);
	out = malloc(cap);
	if (!out) {
		ucb_index_free(&idx);
		return -ENOMEM;
	}
	strcpy(out, UCB_INDEX_HEADER);
	olen = strlen(out);
	for (i = 0; i < idx.cnt; i++) {
		line = ucb_entry_line(&idx.e[i]);
		if (!line) {
			err = -ENOMEM;
			break;
		}
		cap = olen + strlen(line) + 1;
		out = realloc(out, cap);
		strcpy(out + olen, line);
		olen += strlen(line);
		free(line);
	}
	snprintf(path, sizeof(path), "%s/index.tsv", dir);
	if (!err)
		err = ucb_write_file_atomic(path, out, olen);
	free(out);

	/* Garbage-collect blobs no entry names. */
	snprintf(path, sizeof(path), "%s/blobs", dir);
	blobs = err ? NULL : list_dir(path, &err);
	if (err == -ENOENT)
		err = 0;
	for (i = 0; blobs && blobs[i]; i++) {
		used = false;
		for (size_t j = 0; j < idx.cnt && !used; j++)
			used = !strncmp(blobs[i], idx.e[j].digest, 64) && !strcmp(blobs[i] + 64, ".btf");
		if (!used) {
			snprintf(path, sizeof(path), "%s/blobs/%s", dir, blobs[i]);
			unlink(path);
		}
	}
	free_list(blobs);
	ucb_index_free(&idx);
	return err;
}

int archive__load_index(const char *dir, struct ucb_index *idx, char *err, size_t err_sz)
{
	char path[4096];
	void *data;
	size_t sz;
	int ret;

	snprintf(path, sizeof(path), "%s/index.tsv", dir);
	ret = ucb_read_file(path, &data, &sz);
	if (ret) {
		snprintf(err, err_sz, "%s: %s", path, strerror(-ret));
		return ret;
	}
	ret = ucb_index_parse(data, sz, idx);
	if (ret)
		snprintf(err, err_sz, "%s", ucb_errmsg());
	free(data);
	if (!ret)
		ucb_index_sort(idx);
	return ret;
}

int archive__read_blob(const char *dir, const char *digest, void **data, size_t *sz)
{
	char path[4096];

	if (!ucb_valid_hex(digest, 64, 64))
		return -EINVAL;
	snprintf(path, sizeof(path), "%s/blobs/%s.btf", dir, digest);
	return ucb_read_file(path, data, sz);
}

/* "kind name [path]" lines -> sorted "object\tkind\tname\tpath" lines. */
static int needs_convert(const char *object, const char *text, size_t len, char ***lines,
			 size_t *cnt, char *err, size_t err_sz)
{
	char *copy, *line, *next, *kind, *name, *path, *extra, *save, **v = NULL;
	size_t n = 0, lineno = 0;
	int ret = 0;

	copy = strndup(text, len);
	if (!copy)
		return -ENOMEM;
	for (line = copy; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		lineno++;
		if (line[0] == '#' || !line[strspn(line, " \t\r")])
			continue;
		kind = strtok_r(line, " \t\r", &save);
		name = strtok_r(NULL, " \t\r", &save);
		path = strtok_r(NULL, " \t\r", &save);
		extra = strtok_r(NULL, " \t\r", &save);
		if (!kind || !name || extra || !ucb_valid_kind(kind) || !ucb_valid_ident(name) ||
		    (path && !ucb_valid_path(path))) {
			snprintf(err, err_sz, "line %zu: expected 'struct|union|enum|typedef NAME [MEMBER.PATH]'",
				 lineno);
			ret = -EINVAL;
			break;
		}
		v = realloc(v, (n + 1) * sizeof(*v));
		if (!v || asprintf(&v[n], "%s\t%s\t%s\t%s\n", object, kind, name, path ?: "-") < 0) {
			ret = -ENOMEM;
			break;
		}
		n++;
	}
	free(copy);
	if (!ret && v)
		qsort(v, n, sizeof(*v), cmp_str);
	*lines = v;
	*cnt = n;
	return ret;
}

int archive__set_needs(const char *dir, const char *object, const char *text, size_t len,
		       char *err, size_t err_sz)
{
	char path[4096], **lines, *out, *t;
	size_t n, i, olen = 0;
	int ret;

	if (!ucb_valid_name(object)) {
		snprintf(err, err_sz, "bad object name '%s'", object);
		return -EINVAL;
	}
	ret = needs_convert(object, text, len, &lines, &n, err, err_sz);
	/* Stored in the hand-written form, normalised: sorted, unique. */
	out = calloc(1, len + 64 + n * 2);
	for (i = 0; !ret && out && i < n; i++) {
		if (i && !strcmp(lines[i], lines[i - 1]))
			continue;
		t = strchr(lines[i], '\t') + 1;
		for (; *t; t++)
			out[olen++] = *t == '\t' ? ' ' : *t;
		if (olen >= 2 && !strcmp(out + olen - 2, "-\n")) {
			olen -= 3;
			out[olen++] = '\n';
		}
	}
	if (!ret && !out)
		ret = -ENOMEM;
	if (!ret) {
		snprintf(path, sizeof(path), "%s/needs", dir);
		ret = mkdir_p(path);
	}
	if (!ret) {
		snprintf(path, sizeof(path), "%s/needs/%s.txt", dir, object);
		ret = ucb_write_file_atomic(path, out, olen);
		if (ret)
			snprintf(err, err_sz, "%s: %s", path, strerror(-ret));
	}
	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	free(out);
	return ret;
}

int archive__needs_text(const char *dir, char **text, size_t *len, char *err, size_t err_sz)
{
	char path[4096], object[256], **files, **lines, *out = NULL, *dot;
	size_t n, i, j, olen = 0;
	void *data;
	size_t sz;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/needs", dir);
	files = list_dir(path, &ret);
	if (ret == -ENOENT) {
		*text = strdup("");
		*len = 0;
		return *text ? 0 : -ENOMEM;
	}
	for (i = 0; !ret && files[i]; i++) {
		dot = strrchr(files[i], '.');
		if (!dot || strcmp(dot, ".txt"))
			continue;
		snprintf(object, sizeof(object), "%.*s", (int)(dot - files[i]), files[i]);
		snprintf(path, sizeof(path), "%s/needs/%s", dir, files[i]);
		ret = ucb_read_file(path, &data, &sz);
		if (ret) {
			snprintf(err, err_sz, "%s: %s", path, strerror(-ret));
			break;
		}
		if (!ucb_valid_name(object)) {
			snprintf(err, err_sz, "%s: bad object name", path);
			ret = -EINVAL;
		} else {
			ret = needs_convert(object, data, sz, &lines, &n, err, err_sz);
			if (ret) {
				char tmp[256];

				snprintf(tmp, sizeof(tmp), "%s", err);
				snprintf(err, err_sz, "%s: %s", path, tmp);
			}
		}
		free(data);
		for (j = 0; !ret && j < n; j++) {
			if (j && !strcmp(lines[j], lines[j - 1]))
				continue;
			out = realloc(out, olen + strlen(lines[j]) + 1);
			strcpy(out + olen, lines[j]);
			olen += strlen(lines[j]);
		}
		for (j = 0; !ret && j < n; j++)
			free(lines[j]);
		if (!ret)
			free(lines);
	}
	free_list(files);
	if (ret) {
		free(out);
		return ret;
	}
	*text = out ?: strdup("");
	*len = olen;
	return 0;
}
