/* Archive needs files: needs/<object>.txt, "kind name [path]" lines,
 * stored normalised (sorted, unique) and read back as NEED-section text. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/errmsg.h"
#include "lib/fileio.h"
#include "tool/archive.h"
#include "tool/archive_internal.h"

/* "kind name [path]" lines -> sorted "object\tkind\tname\tpath" lines. */
static int needs_convert(const char *object, const char *text, size_t len, char ***lines,
			 size_t *cnt)
{
	char *copy, *line, *next, *kind, *name, *path, *extra, *save, **v = NULL, **tmp;
	size_t n = 0, lineno = 0;
	int err = 0;

	*lines = NULL;
	*cnt = 0;
	copy = strndup(text, len);
	if (!copy)
		return ucb_errf(-ENOMEM, "out of memory");
	for (line = copy; line && *line && !err; line = next) {
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
			err = ucb_errf(-EINVAL, "line %zu: expected 'struct|union|enum|typedef NAME [MEMBER.PATH]'",
				       lineno);
			break;
		}
		tmp = realloc(v, (n + 1) * sizeof(*v));
		if (!tmp || asprintf(&tmp[n], "%s\t%s\t%s\t%s\n", object, kind, name, path ?: "-") < 0) {
			v = tmp ?: v;
			err = ucb_errf(-ENOMEM, "out of memory");
			break;
		}
		v = tmp;
		n++;
	}
	free(copy);
	if (err) {
		while (n)
			free(v[--n]);
		free(v);
		return err;
	}
	qsort(v, n, sizeof(*v), arc_cmp_str);
	*lines = v;
	*cnt = n;
	return 0;
}

static void free_lines(char **lines, size_t n)
{
	while (n)
		free(lines[--n]);
	free(lines);
}

int archive__set_needs(const char *dir, const char *object, const char *text, size_t len)
{
	char path[PATH_MAX], **lines, *out, *t;
	size_t n, i, olen = 0;
	int err;

	if (!ucb_valid_name(object))
		return ucb_errf(-EINVAL, "bad object name '%s'", object);
	err = needs_convert(object, text, len, &lines, &n);
	if (err)
		return err;
	/* Stored in the hand-written form, normalised: sorted, unique. */
	out = calloc(1, len + 64 + n * 2);
	for (i = 0; out && i < n; i++) {
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
	err = out ? 0 : ucb_errf(-ENOMEM, "out of memory");
	err = err ?: arc_mkpath(path, sizeof(path), "%s/" NEEDS_DIR, dir);
	err = err ?: arc_mkdir_p(path);
	err = err ?: arc_mkpath(path, sizeof(path), "%s/" NEEDS_DIR "/%s" NEEDS_SUFFIX, dir, object);
	if (!err) {
		err = ucb_write_file_atomic(path, out, olen);
		if (err)
			ucb_errf(err, "%s: %s", path, strerror(-err));
	}
	free_lines(lines, n);
	free(out);
	return err;
}

/* One needs file's lines, appended to f (without duplicates). */
static int needs_file(const char *dir, const char *file, FILE *f)
{
	char path[PATH_MAX], object[256], **lines;
	const char *dot = strrchr(file, '.');
	size_t n, j, sz;
	void *data;
	int err;

	if (!dot || strcmp(dot, NEEDS_SUFFIX))
		return 0;
	err = arc_mkpath(path, sizeof(path), "%s/" NEEDS_DIR "/%s", dir, file);
	if (err)
		return err;
	snprintf(object, sizeof(object), "%.*s", (int)(dot - file), file);
	err = ucb_read_file(path, &data, &sz);
	if (err)
		return ucb_errf(err, "%s: %s", path, strerror(-err));
	if (!ucb_valid_name(object))
		err = ucb_errf(-EINVAL, "%s: bad object name", path);
	else if ((err = needs_convert(object, data, sz, &lines, &n)))
		ucb_errf(err, "%s: %s", path, ucb_errmsg());
	free(data);
	if (err)
		return err;
	for (j = 0; j < n; j++)
		if (!j || strcmp(lines[j], lines[j - 1]))
			fputs(lines[j], f);
	free_lines(lines, n);
	return 0;
}

int archive__needs_text(const char *dir, char **text, size_t *len)
{
	char path[PATH_MAX], **files;
	size_t i;
	FILE *f;
	int err;

	err = arc_mkpath(path, sizeof(path), "%s/" NEEDS_DIR, dir);
	if (err)
		return err;
	files = arc_list_dir(path, &err);
	if (err && err != -ENOENT)
		return ucb_errf(err, "%s: %s", path, strerror(-err));
	*text = NULL;
	*len = 0;
	f = open_memstream(text, len);
	if (!f) {
		arc_free_list(files);
		return ucb_errf(-ENOMEM, "out of memory");
	}
	err = 0;
	for (i = 0; files && files[i] && !err; i++)
		err = needs_file(dir, files[i], f);
	arc_free_list(files);
	if (fclose(f) && !err)
		err = ucb_errf(-ENOMEM, "out of memory");
	if (err) {
		free(*text);
		*text = NULL;
	}
	return err;
}

/* Every needs file of src into dst, as archive__set_needs() would take it. */
int arc_merge_needs(const char *dst, const char *src)
{
	char path[PATH_MAX], object[256], **files;
	const char *dot;
	size_t i, sz;
	void *data;
	int err;

	err = arc_mkpath(path, sizeof(path), "%s/" NEEDS_DIR, src);
	if (err)
		return err;
	files = arc_list_dir(path, &err);
	if (err == -ENOENT)
		return 0;
	if (err)
		return ucb_errf(err, "%s: %s", path, strerror(-err));
	for (i = 0; files[i] && !err; i++) {
		dot = strrchr(files[i], '.');
		if (!dot || strcmp(dot, NEEDS_SUFFIX))
			continue;
		snprintf(object, sizeof(object), "%.*s", (int)(dot - files[i]), files[i]);
		err = arc_mkpath(path, sizeof(path), "%s/" NEEDS_DIR "/%s", src, files[i]);
		if (err)
			break;
		err = ucb_read_file(path, &data, &sz);
		if (err) {
			ucb_errf(err, "%s: %s", path, strerror(-err));
			break;
		}
		err = archive__set_needs(dst, object, data, sz);
		if (err)
			ucb_errf(err, "%s: %s", path, ucb_errmsg());
		free(data);
	}
	arc_free_list(files);
	return err;
}
