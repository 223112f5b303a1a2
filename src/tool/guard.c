/* Guarded and required relocations (guard.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "tool/guard.h"
#include "minimize.h"

bool guard__exist_kind(const char *kind)
{
	return !strcmp(kind, "field_exists") || !strcmp(kind, "type_exists") ||
	       !strcmp(kind, "type_matches") || !strcmp(kind, "enumval_exists");
}

bool guard__path_covers(const char *guard, const char *path)
{
	size_t n = strlen(guard);

	return !strncmp(guard, path, n) &&
	       (path[n] == 0 || path[n] == '.' || path[n] == '[' || path[n] == ':');
}

/* A relocation's name is "prog:insn path": its program and access path. */
static const char *name_path(const char *name)
{
	const char *sp = strchr(name, ' ');

	return sp ? sp + 1 : name;
}

static bool same_prog(const char *a, const char *b)
{
	size_t n = strcspn(a, ":");

	return a[n] == ':' && !strncmp(a, b, n + 1);
}

/* Relocation i of object oi: is an existence check of its program on its
 * path or a prefix of it?  (An existence check covers itself.) */
static bool covered(const struct um_engine *e, int oi, int i)
{
	const char *name = um_relo_name(e, oi, i), *path = name_path(name);
	int j;

	for (j = 0; j < um_relo_cnt(e, oi); j++) {
		const char *g = um_relo_name(e, oi, j);

		if (guard__exist_kind(um_relo_kind(e, oi, j)) && same_prog(g, name) &&
		    guard__path_covers(name_path(g), path))
			return true;
	}
	return false;
}

int guard__init(struct guard *g, const struct um_engine *e)
{
	int oi, i;

	memset(g, 0, sizeof(*g));
	g->guarded = calloc(um_obj_cnt(e) + 1, sizeof(*g->guarded));
	if (!g->guarded)
		return -ENOMEM;
	g->nobj = um_obj_cnt(e);
	for (oi = 0; oi < g->nobj; oi++) {
		g->guarded[oi] = calloc(um_relo_cnt(e, oi) + 1, sizeof(bool));
		if (!g->guarded[oi]) {
			guard__free(g);
			return -ENOMEM;
		}
		for (i = 0; i < um_relo_cnt(e, oi); i++)
			g->guarded[oi][i] = covered(e, oi, i);
	}
	return 0;
}

void guard__free(struct guard *g)
{
	int oi;

	for (oi = 0; g->guarded && oi < g->nobj; oi++)
		free(g->guarded[oi]);
	free(g->guarded);
	memset(g, 0, sizeof(*g));
}

bool guard__guarded(const struct guard *g, int obj, int relo)
{
	return g->guarded[obj][relo];
}

enum guard_verdict guard__verdict(const struct guard *g, const struct um_decision *d,
				  int obj, int relo)
{
	if (d->unresolved)
		return GUARD_UNRESOLVED;
	if (d->matched || d->side == UM_LOCAL)
		return GUARD_OK;
	if (guard__guarded(g, obj, relo))
		return GUARD_ABSENT;
	/* Unmatched and unguarded: libbpf poisons every kind but the
	 * existence checks, which guard themselves. */
	return GUARD_REQUIRED;
}
