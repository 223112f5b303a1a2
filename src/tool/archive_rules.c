/* ARCHIVE/rules.tsv: the version rules of the archive's libraries
 * (lib/vrule.h), one "library \t source \t prefix" line each, sorted,
 * under a header comment; no file when there are none.  bundle create
 * copies the file into the bundle's RULE record.  Read and written as
 * every archive file is (archive_internal.h: relative to the root's fd,
 * never through a symlink, written under ARCHIVE/.lock). */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lib/errmsg.h"
#include "lib/index.h"
#include "lib/vrule.h"
#include "tool/archive.h"
#include "tool/archive_internal.h"

/* The archive's rules, parsed; none when there is no rules.tsv.  Read
 * like every archive file: relative to the root, never through a symlink. */
static int rules_parse_cb(const char *text, size_t len, void *rules)
{
	return ucb_vrules_parse(text, len, rules);
}

static int rules_load(const struct arc *a, struct ucb_vrules *rules)
{
	memset(rules, 0, sizeof(*rules));
	return arc_parse_opt(a, RULES_FILE, rules_parse_cb, rules);
}

/* Header + the lines sorted, each once, as one malloc'ed text ("" if no
 * lines). */
static int rules_join(char **lines, size_t n, char **text, size_t *len)
{
	size_t i, cap = sizeof(UCB_VRULES_HEADER);
	char *out;

	qsort(lines, n, sizeof(*lines), arc_cmp_str);
	for (i = 0; i < n; i++)
		cap += strlen(lines[i]);
	out = malloc(cap);
	if (!out)
		return ucb_errf(-ENOMEM, "out of memory");
	*len = 0;
	out[0] = 0;
	for (i = 0; i < n; i++) {
		if (!i)
			*len += sprintf(out, "%s", UCB_VRULES_HEADER);
		if (i && !strcmp(lines[i], lines[i - 1]))
			continue;
		*len += sprintf(out + *len, "%s", lines[i]);
	}
	*text = out;
	return 0;
}

/* "lib\tsource\tprefix\n" of a parsed rule. */
static char *rule_line(const struct ucb_vrule *r)
{
	char *s;

	if (asprintf(&s, "%s\t%s\t%s\n", r->lib, r->source, r->prefix) < 0)
		return ucb_errp(-ENOMEM, "out of memory");
	return s;
}

/* Does a library of fresh, or lib, name r's library? */
static bool replaced(const struct ucb_vrule *r, const char *lib, const struct ucb_vrules *fresh)
{
	size_t i;

	if (lib && !strcmp(r->lib, lib))
		return true;
	for (i = 0; i < fresh->cnt; i++)
		if (!strcmp(fresh->r[i].lib, r->lib))
			return true;
	return false;
}

/* The archive's rules, those of lib and of fresh's libraries replaced by
 * fresh's, written back under the write lock the caller holds (checked by
 * the parser first: what is written reads); no rules left: no file. */
static int rules_store(struct arc *a, const char *lib, const struct ucb_vrules *fresh)
{
	struct ucb_vrules old, check;
	char **lines = NULL, *text = NULL;
	struct arc_file f = {};
	size_t i, n = 0, len = 0;
	int err;

	err = rules_load(a, &old);
	if (err)
		return err;
	lines = calloc(old.cnt + fresh->cnt + 1, sizeof(*lines));
	err = lines ? 0 : ucb_errf(-ENOMEM, "out of memory");
	for (i = 0; !err && i < old.cnt; i++)
		if (!replaced(&old.r[i], lib, fresh) && !(lines[n++] = rule_line(&old.r[i])))
			err = -ENOMEM;
	for (i = 0; !err && i < fresh->cnt; i++)
		if (!(lines[n++] = rule_line(&fresh->r[i])))
			err = -ENOMEM;
	err = err ?: rules_join(lines, n, &text, &len);
	err = err ?: ucb_vrules_parse(text, len, &check);
	if (!err)
		ucb_vrules_free(&check);
	if (!err && len) {
		err = arc_stage(a, &a->root, RULES_FILE, text, len, &f);
		err = err ?: arc_commit(a, &f);
		arc_unstage(&f);
	} else if (!err && old.cnt) {
		/* Not through a symlink: rules_load() read a regular file. */
		if (unlinkat(a->root.fd, RULES_FILE, 0) && errno != ENOENT)
			err = arc_fail(a, &a->root, RULES_FILE, -errno);
	}
	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	free(text);
	ucb_vrules_free(&old);
	return err;
}

/* rules_store() on the archive dir, locked for writing. */
static int rules_write(const char *dir, const char *lib, const struct ucb_vrules *fresh)
{
	struct arc a;
	int err;

	err = arc_open(&a, dir, ARC_WRITE);
	if (err)
		return err;
	err = rules_store(&a, lib, fresh);
	arc_close(&a);
	return err;
}

int archive__set_rules(const char *dir, const char *lib, const char *const *specs, size_t cnt)
{
	struct ucb_vrules fresh;
	char *text = NULL, *line, *grown;
	size_t i, len = 0;
	int err = 0;

	if (!ucb_valid_name(lib))
		return ucb_errf(-EINVAL, "version rule for '%s': bad library name", lib);
	for (i = 0; i < cnt && !err; i++) {
		line = ucb_vrule_line(lib, specs[i]);
		grown = line ? realloc(text, len + strlen(line) + 1) : NULL;
		if (!grown) {
			free(line);
			err = line ? ucb_errf(-ENOMEM, "out of memory") : -errno;
			break;
		}
		text = grown;
		strcpy(text + len, line);
		len += strlen(line);
		free(line);
	}
	if (!err)
		err = ucb_vrules_parse(text ? text : "", len, &fresh);
	free(text);
	if (err)
		return err;
	err = rules_write(dir, lib, &fresh);
	ucb_vrules_free(&fresh);
	return err;
}

int archive__add_rules_text(const char *dir, const char *text, size_t len)
{
	struct ucb_vrules fresh;
	int err;

	err = ucb_vrules_parse(text, len, &fresh);
	if (err)
		return err;
	err = fresh.cnt ? rules_write(dir, NULL, &fresh) : 0;
	ucb_vrules_free(&fresh);
	return err;
}

int arc_rules_text(const struct arc *a, char **text, size_t *len)
{
	struct ucb_vrules rules;
	char **lines;
	size_t i, n = 0;
	int err;

	*text = NULL;
	*len = 0;
	err = rules_load(a, &rules);
	if (err)
		return err;
	lines = calloc(rules.cnt + 1, sizeof(*lines));
	err = lines ? 0 : ucb_errf(-ENOMEM, "out of memory");
	for (i = 0; !err && i < rules.cnt; i++)
		if (!(lines[n++] = rule_line(&rules.r[i])))
			err = -ENOMEM;
	err = err ?: rules_join(lines, n, text, len);
	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	ucb_vrules_free(&rules);
	return err;
}

int archive__rules_text(const char *dir, char **text, size_t *len)
{
	struct arc a;
	int err;

	*text = NULL;
	*len = 0;
	err = arc_open(&a, dir, ARC_READ);
	if (err)
		return err;
	err = arc_rules_text(&a, text, len);
	arc_close(&a);
	return err;
}

/* src's rules are read under src's lock, released before dst is locked
 * (dst may be src). */
int arc_merge_rules(const char *dst, const char *src)
{
	char *text;
	size_t len;
	int err;

	err = archive__rules_text(src, &text, &len);
	if (!err && len)
		err = archive__add_rules_text(dst, text, len);
	free(text);
	return err;
}
