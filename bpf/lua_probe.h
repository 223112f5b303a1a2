/* Shared between bpf/lua.bpf.c and its loader (examples/lua/loader.c). */
#ifndef UCOREBTF_LUA_PROBE_H
#define UCOREBTF_LUA_PROBE_H

/* What the probe read from the lua_State of the first
 * lua_gc(L, LUA_GCCOUNT) call of a process.  -1: not in this release. */
struct lua_result {
	unsigned int hits;		/* lua_gc(L, LUA_GCCOUNT) calls seen */
	int stack_slots;		/* L->top - L->stack */
	int func_slot;			/* L->ci->func - L->stack */
	int ci_depth;			/* CallInfo frames, base_ci included */
	int callstatus;			/* L->ci->callstatus (5.2+) */
	unsigned int nccalls;		/* L->nCcalls, raw */
	int nccalls_size;		/* sizeof(L->nCcalls): 2 until 5.3, 4 in 5.4 */
	int c_calls;			/* nested C calls, decoded */
	int nny;			/* non-yieldable calls (5.2+) */
	int status;			/* L->status */
	int in_coroutine;		/* L != L->l_G->mainthread */
	int main_stack_slots;		/* of L->l_G->mainthread */
	int slot_size;			/* sizeof(StackValue) or sizeof(TValue) */
};

#endif
