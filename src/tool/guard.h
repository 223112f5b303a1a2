/* Which failed relocations a program guards: the one rule report and gen
 * min share (and so report --strict and gen min --strict).
 *
 * A relocation is "guarded" when it is itself an existence check
 * (field_exists, type_exists, type_matches, enumval_exists) or the same
 * program has one on the same access path or a prefix of it
 * ("lua_State.ci" covers "lua_State.ci.previous" and "lua_State.ci[1]"):
 * a CO-RE program that branches on that check never reaches the
 * instruction libbpf poisons.  Any other failure is "required": libbpf
 * poisons an instruction the program does execute, and loading fails.
 * This is the static rule a probe author follows (bpf/lua.bpf.c puts every
 * access that can fail under its own check); the verifier has the final
 * word.
 */
#ifndef UCOREBTF_TOOL_GUARD_H
#define UCOREBTF_TOOL_GUARD_H

#include <stdbool.h>

struct um_engine;
struct um_decision;

/* What one relocation's decision against one release means for loading. */
enum guard_verdict {
	GUARD_OK,		/* matched, or needs no target (local) */
	GUARD_UNRESOLVED,	/* kernel relocation, no kernel BTF given */
	GUARD_ABSENT,		/* no match, guarded: "absent (guarded)" */
	GUARD_REQUIRED,		/* no match, poisoned, unguarded: loading fails */
};

/* Per relocation of every object of an engine: guarded or not. */
struct guard {
	bool **guarded;		/* [obj][relo] */
	int nobj;
};

bool guard__exist_kind(const char *kind);
/* Is GUARD the same access path as PATH or a prefix of it? */
bool guard__path_covers(const char *guard, const char *path);

/* Mark every relocation of e's objects.  Returns 0 or -ENOMEM. */
int guard__init(struct guard *g, const struct um_engine *e);
void guard__free(struct guard *g);
bool guard__guarded(const struct guard *g, int obj, int relo);
/* d: the decision of relocation relo of object obj in some release. */
enum guard_verdict guard__verdict(const struct guard *g, const struct um_decision *d,
				  int obj, int relo);

#endif
