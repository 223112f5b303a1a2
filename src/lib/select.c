/* Which bundle entry a target binary is: by GNU build-id; else the version
 * the caller gives; else a version read from the binary (lua_ident, a
 * version string in .rodata, or in a DT_NEEDED library's).  Never a guess
 * between entries: none or several fitting is an error listing what the
 * bundle holds. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/errmsg.h"
#include "lib/runtime.h"
#include "lib/target.h"

/* Libraries of the bundle a target may be: same soname, else same name as
 * the file up to ".so" ("liblua5.4.so.0" is lua5.4 or liblua5.4), else the
 * only library of the bundle. */
static bool lib_matches(const struct ucb_bundle *b, const struct ucb_target *t, const char *lib)
{
	const char *base = strrchr(t->path, '/') ? strrchr(t->path, '/') + 1 : t->path;
	const char *so = strstr(base, ".so");
	size_t i, n = so ? (size_t)(so - base) : strlen(base), libs = 0;
	bool soname_known = false;

	for (i = 0; i < b->idx.cnt; i++) {
		const struct ucb_entry *e = &b->idx.e[i];

		if (t->soname[0] && !strcmp(e->soname, t->soname)) {
			soname_known = true;
			if (!strcmp(e->lib, lib))
				return true;
		}
		if (!i || strcmp(e->lib, b->idx.e[i - 1].lib))
			libs++;
	}
	if (soname_known)
		return false;
	if ((strlen(lib) == n && !strncmp(base, lib, n)) ||
	    (!strncmp(base, "lib", 3) && strlen(lib) == n - 3 && !strncmp(base + 3, lib, n - 3)))
		return true;
	return libs == 1;
}

/* Entry whose version is ver for a library target may be; NULL if none,
 * or if several libraries would fit (ambiguous). */
static const struct ucb_entry *by_version(const struct ucb_bundle *b, const struct ucb_target *t,
					  const char *ver, int *ambiguous)
{
	const struct ucb_entry *hit = NULL;
	size_t i;

	for (i = 0; i < b->idx.cnt; i++) {
		const struct ucb_entry *e = &b->idx.e[i];

		if (strcmp(e->version, ver) || strcmp(e->arch, t->arch) || !lib_matches(b, t, e->lib))
			continue;
		if (hit)
			(*ambiguous)++;
		hit = e;
	}
	return hit;
}

/* Version tokens of t's candidate libraries found in scan's .rodata. */
static const struct ucb_entry *by_rodata(const struct ucb_bundle *b, const struct ucb_target *t,
					 const struct ucb_target *scan, int *ambiguous)
{
	const struct ucb_entry *hit = NULL;
	size_t i;

	for (i = 0; i < b->idx.cnt; i++) {
		const struct ucb_entry *e = &b->idx.e[i];

		if (strcmp(e->arch, t->arch) || !lib_matches(b, t, e->lib) ||
		    !ucb_target_has_version(scan, e->version))
			continue;
		if (hit && strcmp(hit->version, e->version))
			(*ambiguous)++;
		hit = e;
	}
	return hit;
}

/* libssl 3 has no version string of its own; its libcrypto does.  Sets
 * *how to "needed:LIB" for the dependency that decided.  Returns 0 or
 * -ENOMEM. */
static int by_needed(const struct ucb_bundle *b, const struct ucb_target *t,
		     const struct ucb_entry **e, int *ambiguous, char **how)
{
	struct ucb_target dep;
	char *dep_path;
	size_t i;

	for (i = 0; !*e && !*ambiguous && i < t->needed_cnt; i++) {
		if (strncmp(t->needed[i], "lib", 3) || !strncmp(t->needed[i], "libc.", 5))
			continue;
		/* A dependency that is not there or does not read is no
		 * evidence either way; running out of memory is an error. */
		if (ucb_target_find_needed(t, t->needed[i], &dep_path))
			continue;
		if (!ucb_target_read(dep_path, &dep)) {
			*e = by_rodata(b, t, &dep, ambiguous);
			ucb_target_free(&dep);
		}
		free(dep_path);
		if ((*e || *ambiguous) && asprintf(how, "needed:%s", t->needed[i]) < 0) {
			*how = NULL;
			return ucb_errf(-ENOMEM, "out of memory");
		}
	}
	return 0;
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
static int no_entry(const struct ucb_bundle *b, const struct ucb_target *t, const char *version,
		    bool ambiguous)
{
	char *known = list_entries(b);

	if (!known)
		return ucb_errf(-ENOMEM, "out of memory");
	ucb_errf(-ENOENT, "%s: %s (build-id %s%s%s%s%s); the bundle holds: %s", t->path,
		 ambiguous ? "several bundle entries match, refusing to guess" :
			     "no bundle entry for this binary",
		 t->build_id[0] ? t->build_id : "none", version ? ", version " : "",
		 version ? version : "", t->lua_version[0] ? ", lua_ident " : "", t->lua_version, known);
	free(known);
	return -ENOENT;
}

/* The steps in order; *how names the one that found the entry (or
 * found several).  Returns 0 (with *e NULL if no step found one) or
 * -ENOMEM. */
static int find_entry(const struct ucb_bundle *b, const struct ucb_target *t, const char *version,
		      const struct ucb_entry **e, int *ambiguous, char **how)
{
	const char *step = NULL;
	size_t i;

	for (i = 0; t->build_id[0] && i < b->idx.cnt && !*e; i++)
		if (ucb_list_has(b->idx.e[i].build_ids, t->build_id))
			*e = &b->idx.e[i], step = "build-id";
	if (!*e && version)
		*e = by_version(b, t, version, ambiguous), step = "version";
	if (!*e && !*ambiguous && t->lua_version[0])
		*e = by_version(b, t, t->lua_version, ambiguous), step = "lua_ident";
	if (!*e && !*ambiguous && !version)
		*e = by_rodata(b, t, t, ambiguous), step = "rodata";
	if (!*e && !*ambiguous && !version)
		return by_needed(b, t, e, ambiguous, how);
	if (!(*how = strdup(step)))
		return ucb_errf(-ENOMEM, "out of memory");
	return 0;
}

int ucb_select_entry(const struct ucb_bundle *b, const char *path, const char *version,
		     const struct ucb_entry **e, char **how)
{
	struct ucb_target t;
	int ambiguous = 0, err;

	*e = NULL;
	*how = NULL;
	if (version && !version[0])
		version = NULL;
	err = ucb_target_read(path, &t);
	if (err)
		return err;
	err = find_entry(b, &t, version, e, &ambiguous, how);
	if (!err && (!*e || ambiguous))
		err = no_entry(b, &t, version, ambiguous);
	if (err) {
		free(*how);
		*how = NULL;
		*e = NULL;
	}
	ucb_target_free(&t);
	return err;
}
