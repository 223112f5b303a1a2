/* Which bundle entry a target binary is (docs/runtime.md, "How an entry is
 * chosen").  In order, and never a guess:
 *   1. an entry recording the target's GNU build-id;
 *   2. the version the caller gives, for a library the target identifies
 *      as (lib/target.h: its soname, else its file name) and its arch;
 *   3. a version read by a rule recorded for that library in the bundle
 *      (lib/vrule.h), again only for a library the target identifies as;
 *   4. else an error saying why and listing what the bundle holds.
 * Two entries fitting at any step is an error too (for the build-id: two
 * entries with different blobs). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/errmsg.h"
#include "lib/runtime.h"
#include "lib/target.h"

#define WHY_MAX 1024

struct sel {
	const struct ucb_bundle *b;
	const struct ucb_target *t;
	bool follow_needed;
	const struct ucb_entry *hit;	/* first entry found by the deciding step */
	int hits;			/* entries it found */
	bool ambiguous;			/* a rule read two versions */
	char how[16 + UCB_VRULE_ARG_MAX];
	char why[WHY_MAX];		/* reasons, "; "-separated */
	size_t why_len;
};

/* Add a reason to s->why (cut at WHY_MAX). */
__attribute__((format(printf, 2, 3)))
static void because(struct sel *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->why_len >= sizeof(s->why) - 1)
		return;
	if (s->why_len)
		s->why_len += snprintf(s->why + s->why_len, sizeof(s->why) - s->why_len, "; ");
	if (s->why_len >= sizeof(s->why) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(s->why + s->why_len, sizeof(s->why) - s->why_len, fmt, ap);
	va_end(ap);
	s->why_len += n > 0 ? (size_t)n : 0;
}

static const char *soname_of(const struct ucb_entry *e)
{
	return strcmp(e->soname, "-") ? e->soname : NULL;
}

/* The target identifies as e's library and has e's arch. */
static bool fits(const struct sel *s, const struct ucb_entry *e)
{
	return !strcmp(e->arch, s->t->arch) && ucb_target_is(s->t, e->lib, soname_of(e));
}

static void found(struct sel *s, const struct ucb_entry *e)
{
	if (!s->hits++)
		s->hit = e;
}

/* Entries recording the build-id.  Several of them are one answer when
 * they share the blob (one build recorded under two versions, e.g. a
 * rebuild that changed nothing): what is loaded is the same either way, and
 * the first in index order is reported.  Different blobs: refused. */
static void by_build_id(struct sel *s)
{
	const struct ucb_entry *e;
	size_t i;

	snprintf(s->how, sizeof(s->how), "build-id");
	for (i = 0; s->t->build_id[0] && i < s->b->idx.cnt; i++) {
		e = &s->b->idx.e[i];
		if (!ucb_list_has(e->build_ids, s->t->build_id))
			continue;
		if (s->hit && strcmp(s->hit->digest, e->digest)) {
			because(s, "%s %s and %s %s record this build-id with different types",
				s->hit->lib, s->hit->version, e->lib, e->version);
			s->hits = 2;
			return;
		}
		if (!s->hit)
			found(s, e);
	}
}

/* Why no library of the bundle fits the target at all. */
static void no_library(struct sel *s)
{
	const struct ucb_target *t = s->t;
	size_t i;

	for (i = 0; i < s->b->idx.cnt; i++) {
		const struct ucb_entry *e = &s->b->idx.e[i];

		if (ucb_target_is(t, e->lib, soname_of(e))) {
			because(s, "it is %s, but %s has no %s entry", e->lib, e->lib, t->arch);
			return;
		}
	}
	if (t->soname[0])
		because(s, "it is none of the bundle's libraries (soname %s)", t->soname);
	else
		because(s, "it is none of the bundle's libraries (no soname; file name %s)", t->base);
}

static void by_version(struct sel *s, const char *version)
{
	bool any = false;
	size_t i;

	for (i = 0; i < s->b->idx.cnt; i++) {
		const struct ucb_entry *e = &s->b->idx.e[i];

		if (!fits(s, e))
			continue;
		any = true;
		if (!strcmp(e->version, version))
			found(s, e);
	}
	snprintf(s->how, sizeof(s->how), "version");
	if (s->hits > 1)
		because(s, "version %s given: %d libraries have it", version, s->hits);
	else if (!s->hits && any)
		because(s, "version %s given: no entry of its library has it", version);
	else if (!s->hits)
		no_library(s);
}

/* The version lib's rules read from the target: 1 with ver and *src set,
 * 0 if none (reasons added), or -ENOMEM. */
static int rules_version(struct sel *s, const char *lib, char *ver, size_t ver_sz, const char **src)
{
	char v[UCB_VRULE_VERSION_MAX + 1];
	const struct ucb_vrules *rules = &s->b->rules;
	const char *why;
	size_t i, n = 0;
	int err;

	ver[0] = 0;
	for (i = 0; i < rules->cnt; i++) {
		const struct ucb_vrule *r = &rules->r[i];

		if (strcmp(r->lib, lib))
			continue;
		n++;
		if (r->kind == UCB_VRULE_NEEDED && !s->follow_needed) {
			because(s, "%s's version rule %s reads another library: not without follow_needed",
				lib, r->source);
			continue;
		}
		err = ucb_target_rule_version(s->t, r, v, sizeof(v), &why);
		if (err == -ENOMEM)
			return err;
		if (err < 0) {
			because(s, "%s", ucb_errmsg());
			s->ambiguous |= err == -EEXIST;
		} else if (!err) {
			because(s, "%s's version rule %s '%s': %s", lib, r->source, r->prefix, why);
		} else if (!ver[0]) {
			snprintf(ver, ver_sz, "%s", v);
			*src = r->source;
		} else if (strcmp(ver, v)) {
			because(s, "%s's version rules read both %s and %s", lib, ver, v);
			s->ambiguous = true;
		}
	}
	if (!n)
		because(s, "%s has no version rule", lib);
	return ver[0] && !s->ambiguous;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Each library of the bundle the target fits, once, sorted (no order of
 * the index is assumed: the work stays n log n on any bundle). */
static const char **fitting_libs(const struct sel *s, size_t *cnt)
{
	const char **v = malloc((s->b->idx.cnt + 1) * sizeof(*v));
	size_t i, n = 0;

	*cnt = 0;
	if (!v)
		return ucb_errp(-ENOMEM, "out of memory");
	for (i = 0; i < s->b->idx.cnt; i++)
		if (fits(s, &s->b->idx.e[i]))
			v[n++] = s->b->idx.e[i].lib;
	qsort(v, n, sizeof(*v), cmp_str);
	for (i = 0; i < n; i++)
		if (!*cnt || strcmp(v[*cnt - 1], v[i]))
			v[(*cnt)++] = v[i];
	return v;
}

static int by_rule(struct sel *s)
{
	char ver[UCB_VRULE_VERSION_MAX + 1];
	const char **libs, *src = NULL;
	size_t n, i, j;
	int err = 0;

	libs = fitting_libs(s, &n);
	if (!libs)
		return -ENOMEM;
	for (i = 0; i < n && err >= 0; i++) {
		err = rules_version(s, libs[i], ver, sizeof(ver), &src);
		if (err <= 0)
			continue;
		for (j = 0; j < s->b->idx.cnt; j++) {
			const struct ucb_entry *e = &s->b->idx.e[j];

			if (!strcmp(e->lib, libs[i]) && !strcmp(e->version, ver) && fits(s, e))
				break;
		}
		if (j == s->b->idx.cnt) {
			because(s, "%s %s (read by version rule %s) is not in the bundle", libs[i], ver, src);
			continue;
		}
		found(s, &s->b->idx.e[j]);
		if (s->hits == 1)
			snprintf(s->how, sizeof(s->how), "rule:%s", src);
	}
	if (!n)
		no_library(s);
	if (s->hits > 1)
		because(s, "the rules of %d libraries found a version", s->hits);
	free(libs);
	return err < 0 ? err : 0;
}

/* "seed-app 1 x86_64, seed-app 2 x86_64", or "nothing". */
static char *list_entries(const struct ucb_bundle *b)
{
	char *s = NULL;
	size_t i, len = 0;
	FILE *f = open_memstream(&s, &len);

	if (!f)
		return NULL;
	for (i = 0; i < b->idx.cnt; i++)
		fprintf(f, "%s%s %s %s", i ? ", " : "", b->idx.e[i].lib, b->idx.e[i].version,
			b->idx.e[i].arch);
	if (!b->idx.cnt)
		fputs("nothing", f);
	if (fclose(f)) {
		free(s);
		return NULL;
	}
	return s;
}

/* The error for a target no entry (or more than one) fits. */
static int no_entry(const struct sel *s)
{
	char *known = list_entries(s->b);
	bool several = s->hits > 1 || s->ambiguous;

	if (!known)
		return ucb_errf(-ENOMEM, "out of memory");
	ucb_errf(-ENOENT, "%s: %s (build-id %s): %s; the bundle holds: %s", s->t->path,
		 several ? "several bundle entries match, refusing to guess" :
			   "no bundle entry for this binary",
		 s->t->build_id[0] ? s->t->build_id : "none", s->why_len ? s->why : "no reason known",
		 known);
	free(known);
	return -ENOENT;
}

int ucb_select_entry(const struct ucb_bundle *b, const char *path, const char *version,
		     bool follow_needed, const struct ucb_entry **e, char **how)
{
	struct ucb_target t;
	struct sel *s;
	int err;

	*e = NULL;
	*how = NULL;
	if (version && !version[0])
		version = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return ucb_errf(-ENOMEM, "out of memory");
	err = ucb_target_read(path, &t);
	if (err) {
		free(s);
		return err;
	}
	*s = (struct sel){ .b = b, .t = &t, .follow_needed = follow_needed };
	by_build_id(s);
	if (!s->hits && version)
		by_version(s, version);
	else if (!s->hits)
		err = by_rule(s);
	if (!err && (s->hits != 1 || s->ambiguous))
		err = no_entry(s);
	if (!err && !(*how = strdup(s->how)))
		err = ucb_errf(-ENOMEM, "out of memory");
	if (!err)
		*e = s->hit;
	ucb_target_free(&t);
	free(s);
	return err;
}
