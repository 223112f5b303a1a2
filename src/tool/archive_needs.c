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

/* Stored in the hand-written form, normalised: sorted, unique. */
static char *needs_stored(char **lines, size_t n, size_t len, size_t *olen)
{
	char *out, *t;
	size_t i;

	*olen = 0;
	out = calloc(1, len + 64 + n * 2);
	for (i = 0; out && i < n; i++) {
		if (i && !strcmp(lines[i], lines[i - 1]))
			continue;
		t = strchr(lines[i], '\t') + 1;
		for (; *t; t++)
			out[(*olen)++] = *t == '\t' ? ' ' : *t;
		if (*olen >= 2 && !strcmp(out + *olen - 2, "-\n")) {
			*olen -= 3;
			out[(*olen)++] = '\n';
		}
	}
	return out;
}

int archive__set_needs(const char *dir, const char *object, const char *text, size_t len)
{
	char name[NAME_MAX + 1], **lines, *out;
	struct arc_dir d = { .fd = -1 };
	struct arc_file f = {};
	struct arc a;
	size_t n, olen = 0;
	int err;

	if (!ucb_valid_name(object))
		return ucb_errf(-EINVAL, "bad object name '%s'", object);
	err = needs_convert(object, text, len, &lines, &n);
	if (err)
		return err;
	out = needs_stored(lines, n, len, &olen);
	free_lines(lines, n);
	if (!out)
		return ucb_errf(-ENOMEM, "out of memory");
	snprintf(name, sizeof(name), "%s" NEEDS_SUFFIX, object);
	err = arc_open(&a, dir, ARC_WRITE);
	if (err) {
		free(out);
		return err;
	}
	err = arc_subdir(&a, &a.root, NEEDS_DIR, true, &d);
	if (!err)
		arc_clean_temps(&d);
	err = err ?: arc_stage(&a, &d, name, out, olen, &f);
	err = err ?: arc_commit(&a, &f);
	arc_unstage(&f);
	if (err)
		arc_dir_undo(&a.root, NEEDS_DIR, &d);
	arc_dir_close(&d);
	arc_close(&a);
	free(out);
	return err;
}

/* The object a needs file is for ("seed.txt": "seed"), or NULL. */
static bool needs_object(const char *file, char *object, size_t sz)
{
	const char *dot = strrchr(file, '.');

	if (!dot || strcmp(dot, NEEDS_SUFFIX) || (size_t)(dot - file) >= sz)
		return false;
	snprintf(object, sz, "%.*s", (int)(dot - file), file);
	return true;
}

/* One needs file's lines, appended to f (without duplicates). */
static int needs_file(struct arc *a, const struct arc_dir *d, const char *file, FILE *f)
{
	char path[PATH_MAX], object[256], **lines;
	size_t n, j, sz;
	void *data;
	int err;

	if (!needs_object(file, object, sizeof(object)))
		return 0;
	arc_path(a, d, file, path, sizeof(path));
	err = arc_read(a, d, file, &data, &sz);
	if (err)
		return err;
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

int arc_needs_text(struct arc *a, char **text, size_t *len)
{
	struct arc_dir d = { .fd = -1 };
	char **files = NULL;
	size_t i;
	FILE *f;
	int err;

	*text = NULL;
	*len = 0;
	err = arc_subdir(a, &a->root, NEEDS_DIR, false, &d);
	if (!err)
		files = arc_list(a, &d, &err);
	if (err && err != -ENOENT) {
		arc_dir_close(&d);
		return err;
	}
	f = open_memstream(text, len);
	err = f ? 0 : ucb_errf(-ENOMEM, "out of memory");
	for (i = 0; files && files[i] && !err; i++)
		err = needs_file(a, &d, files[i], f);
	arc_free_list(files);
	arc_dir_close(&d);
	if (f && fclose(f) && !err)
		err = ucb_errf(-ENOMEM, "out of memory");
	if (err) {
		free(*text);
		*text = NULL;
	}
	return err;
}

int archive__needs_text(const char *dir, char **text, size_t *len)
{
	struct arc a;
	int err;

	err = arc_open(&a, dir, ARC_READ);
	if (err)
		return err;
	err = arc_needs_text(&a, text, len);
	arc_close(&a);
	return err;
}

struct needs_copy {
	char object[256];
	void *data;
	size_t sz;
};

/* src's needs files, read under src's lock (released before dst is
 * locked: dst may be src). */
static int needs_read_all(const char *src, struct needs_copy **out, size_t *cnt)
{
	struct arc_dir d = { .fd = -1 };
	struct needs_copy *v;
	char **files = NULL;
	struct arc a;
	size_t i, n = 0;
	int err;

	*cnt = 0;
	err = arc_open(&a, src, ARC_READ);
	if (err)
		return err;
	err = arc_subdir(&a, &a.root, NEEDS_DIR, false, &d);
	files = err ? NULL : arc_list(&a, &d, &err);
	while (files && files[n])
		n++;
	*out = files ? calloc(n + 1, sizeof(**out)) : NULL;
	if (files && !*out)
		err = ucb_errf(-ENOMEM, "out of memory");
	for (i = 0; *out && i < n && !err; i++) {
		v = &(*out)[*cnt];
		if (!needs_object(files[i], v->object, sizeof(v->object)))
			continue;
		err = arc_read(&a, &d, files[i], &v->data, &v->sz);
		*cnt += !err;
	}
	arc_free_list(files);
	arc_dir_close(&d);
	arc_close(&a);
	return err == -ENOENT ? 0 : err;
}

/* Every needs file of src into dst, as archive__set_needs() would take it. */
int arc_merge_needs(const char *dst, const char *src)
{
	struct needs_copy *v = NULL;
	size_t i, n = 0;
	int err;

	err = needs_read_all(src, &v, &n);
	for (i = 0; !err && i < n; i++) {
		err = archive__set_needs(dst, v[i].object, v[i].data, v[i].sz);
		if (err)
			ucb_errf(err, "%s/" NEEDS_DIR "/%s" NEEDS_SUFFIX ": %s", src, v[i].object,
				 ucb_errmsg());
	}
	for (i = 0; i < n; i++)
		free(v[i].data);
	free(v);
	return err;
}
