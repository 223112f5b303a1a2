/* ARCHIVE/dist.tsv: where the archive's distribution entries come from.
 * One line per (entry, release) that ships it:
 *
 *   library \t version \t arch \t build_id \t release \t package \t upstream \t deb_sha256
 *
 * (version is the entry's, the Debian version; one .deb may be in several
 * releases, one line each), sorted, under a header comment; no file when
 * there are none.  Metadata for people, the report and regeneration: the
 * runtime never reads it (a bundle selects by the index's build-ids).
 * Read and written as every archive file is (archive_internal.h: relative
 * to the root's fd, never through a symlink, staged and renamed under
 * ARCHIVE/.lock).  docs/archive.md. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lib/errmsg.h"
#include "lib/index.h"
#include "lib/sha256.h"
#include "tool/archive.h"
#include "tool/archive_internal.h"

#define DIST_HEADER "# ucorebtf dist v1: library\tversion\tarch\tbuild_id\trelease\tpackage\tupstream\tdeb_sha256\n"
#define DIST_FIELDS 8
#define DIST_MAX_LINES 65536

struct dist_lines {
	char **l;		/* each "...\n", malloc'ed */
	size_t cnt;
};

static void dist_free(struct dist_lines *d)
{
	size_t i;

	for (i = 0; i < d->cnt; i++)
		free(d->l[i]);
	free(d->l);
	memset(d, 0, sizeof(*d));
}

/* One line's fields, checked: names where names go, hex where hex goes. */
static int dist_check(char *line, size_t n, char *lib, size_t lib_sz)
{
	char *f[DIST_FIELDS], *tab;
	size_t k = 0;

	for (f[k++] = line; k < DIST_FIELDS && (tab = strchr(f[k - 1], '\t')); k++) {
		*tab = 0;
		f[k] = tab + 1;
	}
	if (k != DIST_FIELDS || strchr(f[k - 1], '\t'))
		return ucb_errf(-EINVAL, "dist line %zu: expected %d tab-separated fields", n, DIST_FIELDS);
	if (!ucb_valid_name(f[0]) || !ucb_valid_name(f[1]) || !ucb_valid_name(f[2]) ||
	    !ucb_valid_name(f[4]) || !ucb_valid_name(f[5]) || !ucb_valid_name(f[6]))
		return ucb_errf(-EINVAL, "dist line %zu: bad name", n);
	if (!ucb_valid_hex(f[3], 2, 128) || !ucb_valid_hex(f[7], SHA256_HEX_LEN, SHA256_HEX_LEN))
		return ucb_errf(-EINVAL, "dist line %zu: bad build-id or sha256", n);
	snprintf(lib, lib_sz, "%s", f[0]);
	return 0;
}

/* Parse dist text: comments and empty lines skipped, every line checked. */
static int dist_parse(const char *text, size_t len, struct dist_lines *d)
{
	const char *p = text, *end = text + len, *nl;
	char lib[256], *copy, **grown;
	size_t n = 0;
	int err;

	memset(d, 0, sizeof(*d));
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', end - p);
		if (!nl)
			nl = end;
		n++;
		if (nl == p || *p == '#')
			continue;
		if (d->cnt >= DIST_MAX_LINES)
			return dist_free(d), ucb_errf(-E2BIG, "dist: more than %d lines", DIST_MAX_LINES);
		copy = strndup(p, nl - p);
		grown = copy ? realloc(d->l, (d->cnt + 1) * sizeof(*d->l)) : NULL;
		if (!grown) {
			free(copy);
			dist_free(d);
			return ucb_errf(-ENOMEM, "out of memory");
		}
		d->l = grown;
		err = dist_check(copy, n, lib, sizeof(lib));
		free(copy);
		if (err || asprintf(&d->l[d->cnt], "%.*s\n", (int)(nl - p), p) < 0) {
			dist_free(d);
			return err ?: ucb_errf(-ENOMEM, "out of memory");
		}
		d->cnt++;
	}
	return 0;
}

static int dist_parse_cb(const char *text, size_t len, void *d)
{
	return dist_parse(text, len, d);
}

static int dist_load(const struct arc *a, struct dist_lines *d)
{
	memset(d, 0, sizeof(*d));
	return arc_parse_opt(a, DIST_FILE, dist_parse_cb, d);
}

/* The library a line is about (its first field), compared with lib. */
static bool line_of(const char *line, const char *lib)
{
	size_t n = strlen(lib);

	return !strncmp(line, lib, n) && line[n] == '\t';
}

/* A line's key: library, version, arch, build-id and release (its first
 * five fields; one entry's several files each have a line). */
static void key_of(const char *line, char *key, size_t sz)
{
	const char *f = line;
	size_t i, n = 0;

	for (i = 0; i < 5 && f; i++, f = strchr(f, '\t') ? strchr(f, '\t') + 1 : NULL)
		n += snprintf(key + n, n < sz ? sz - n : 0, "%.*s|", (int)strcspn(f, "\t\n"), f);
}

/* Does fresh have a line of line's key? */
static bool replaced(const char *line, const struct dist_lines *fresh)
{
	char a[1024], b[1024];
	size_t i;

	key_of(line, a, sizeof(a));
	for (i = 0; i < fresh->cnt; i++) {
		key_of(fresh->l[i], b, sizeof(b));
		if (!strcmp(a, b))
			return true;
	}
	return false;
}

/* Every line names an entry of the index with its build-id: metadata of
 * nothing would be a lie. */
static int dist_match_index(const struct arc *a, const struct dist_lines *fresh)
{
	struct ucb_index idx = {};
	char f[DIST_FIELDS][256], *tab;
	size_t i, j, k;
	int err;

	if (!fresh->cnt)
		return 0;
	err = arc_load_index(a, &idx);
	for (i = 0; !err && i < fresh->cnt; i++) {
		const char *p = fresh->l[i];

		for (k = 0; k < 4; k++, p = tab + 1) {
			tab = strchr(p, '\t');
			snprintf(f[k], sizeof(f[k]), "%.*s", (int)(tab - p), p);
		}
		for (j = 0; j < idx.cnt; j++)
			if (!strcmp(idx.e[j].lib, f[0]) && !strcmp(idx.e[j].version, f[1]) &&
			    !strcmp(idx.e[j].arch, f[2]) && ucb_list_has(idx.e[j].build_ids, f[3]))
				break;
		if (j == idx.cnt)
			err = ucb_errf(-EINVAL, "dist line %s %s %s: no such entry with build-id %s in the index",
				       f[0], f[1], f[2], f[3]);
	}
	ucb_index_free(&idx);
	return err;
}

/* Header + lines sorted, each once. */
static int dist_join(char **lines, size_t n, char **text, size_t *len)
{
	size_t i, cap = sizeof(DIST_HEADER);
	char *out;

	qsort(lines, n, sizeof(*lines), arc_cmp_str);
	for (i = 0; i < n; i++)
		cap += strlen(lines[i]);
	out = malloc(cap);
	if (!out)
		return ucb_errf(-ENOMEM, "out of memory");
	*len = n ? sprintf(out, "%s", DIST_HEADER) : 0;
	out[*len] = 0;
	for (i = 0; i < n; i++)
		if (!i || strcmp(lines[i], lines[i - 1]))
			*len += sprintf(out + *len, "%s", lines[i]);
	*text = out;
	return 0;
}

/* Under the write lock: the lines of lib (when given) go, fresh's
 * replace those of the same key; none left: no file. */
static int dist_store(struct arc *a, const char *lib, const struct dist_lines *fresh)
{
	struct dist_lines old;
	struct arc_file f = {};
	char **lines, *text = NULL;
	size_t i, n = 0, len = 0;
	int err;

	err = dist_match_index(a, fresh);
	err = err ?: dist_load(a, &old);
	if (err)
		return err;
	lines = calloc(old.cnt + fresh->cnt + 1, sizeof(*lines));
	err = lines ? 0 : ucb_errf(-ENOMEM, "out of memory");
	for (i = 0; !err && i < old.cnt; i++)
		if (!(lib && line_of(old.l[i], lib)) && !replaced(old.l[i], fresh))
			lines[n++] = old.l[i];
	for (i = 0; !err && i < fresh->cnt; i++)
		lines[n++] = fresh->l[i];
	err = err ?: dist_join(lines, n, &text, &len);
	if (!err && len) {
		err = arc_stage(a, &a->root, DIST_FILE, text, len, &f);
		err = err ?: arc_commit(a, &f);
		arc_unstage(&f);
	} else if (!err && old.cnt) {
		if (unlinkat(a->root.fd, DIST_FILE, 0) && errno != ENOENT)
			err = arc_fail(a, &a->root, DIST_FILE, -errno);
	}
	free(lines);
	free(text);
	dist_free(&old);
	return err;
}

int archive__set_dist(const char *dir, const char *lib, const char *text, size_t len)
{
	struct dist_lines fresh;
	struct arc a;
	size_t i;
	int err;

	if (lib && !ucb_valid_name(lib))
		return ucb_errf(-EINVAL, "dist for '%s': bad library name", lib);
	err = dist_parse(text, len, &fresh);
	for (i = 0; !err && lib && i < fresh.cnt; i++)
		if (!line_of(fresh.l[i], lib))
			err = ucb_errf(-EINVAL, "dist line for another library than %s", lib);
	err = err ?: arc_open(&a, dir, ARC_WRITE);
	if (!err) {
		err = dist_store(&a, lib, &fresh);
		arc_close(&a);
	}
	dist_free(&fresh);
	return err;
}

int archive__dist_text(const char *dir, char **text, size_t *len)
{
	struct dist_lines d;
	struct arc a;
	int err;

	*text = NULL;
	*len = 0;
	err = arc_open(&a, dir, ARC_READ);
	if (err)
		return err;
	err = dist_load(&a, &d);
	arc_close(&a);
	err = err ?: dist_join(d.l, d.cnt, text, len);
	dist_free(&d);
	return err;
}

/* src's lines, read under src's lock, replace those of their keys in dst. */
int arc_merge_dist(const char *dst, const char *src)
{
	char *text;
	size_t len;
	int err;

	err = archive__dist_text(src, &text, &len);
	if (!err && len)
		err = archive__set_dist(dst, NULL, text, len);
	free(text);
	return err;
}
