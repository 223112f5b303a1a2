// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Ground truth for bpf/lua.bpf.c.
 *
 * scripts/lua-build.sh compiles this file against each release's own
 * internal headers and links it with that release's unchanged lua.c and
 * liblua.a under -Wl,--wrap=lua_gc: every call of lua_gc() goes through
 * __wrap_lua_gc() first.  At the first lua_gc(L, LUA_GCCOUNT) — the point
 * where the probe fires — it computes, with the release's own struct
 * definitions and macros, the values the probe reads through CO-RE, and at
 * exit prints them as one JSON line on stderr in the loader's format.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "lua.h"
#include "lstate.h"

#ifndef LUA_VERSION_RELEASE_NUM
#define LUA_VERSION_RELEASE_NUM 0
#endif

/* 5.4.6 turned stack pointers into StkIdRel, a union { StkId p; ptrdiff_t offset; }. */
#if LUA_VERSION_NUM == 504 && LUA_VERSION_RELEASE_NUM >= 50406
#define STK(x) ((x).p)
#else
#define STK(x) (x)
#endif

static struct {
	int hits;
	long stack_slots, func_slot, main_stack_slots;
	long slot_size, ci_depth, callstatus, nccalls, nccalls_size, c_calls, nny, status, in_coroutine;
} gt;

static void record(lua_State *L)
{
	lua_State *main = G(L)->mainthread;
	CallInfo *ci;

	gt.slot_size = sizeof(*STK(L->stack));
	gt.stack_slots = STK(L->top) - STK(L->stack);
	gt.func_slot = STK(L->ci->func) - STK(L->stack);
	gt.main_stack_slots = STK(main->top) - STK(main->stack);
#if LUA_VERSION_NUM == 501
	/* 5.1 keeps CallInfo in an array. */
	gt.ci_depth = L->ci - L->base_ci + 1;
	gt.callstatus = -1;
#else
	gt.ci_depth = 0;
	for (ci = L->ci; ci; ci = ci->previous)
		gt.ci_depth++;
	gt.callstatus = L->ci->callstatus;
#endif
	(void)ci;
	gt.nccalls = L->nCcalls;
	gt.nccalls_size = sizeof(L->nCcalls);
#if LUA_VERSION_NUM >= 504
	/* 5.4: C calls in the low 16 bits, non-yieldable calls in the high 16. */
	gt.c_calls = getCcalls(L);
	gt.nny = L->nCcalls >> 16;
#elif LUA_VERSION_NUM >= 502
	gt.c_calls = L->nCcalls;
	gt.nny = L->nny;
#else
	gt.c_calls = L->nCcalls;
	gt.nny = -1;
#endif
	gt.status = L->status;
	gt.in_coroutine = L != main;
}

static void print_gt(void)
{
	fprintf(stderr,
		"{\"stack_slots\":%ld,\"func_slot\":%ld,\"ci_depth\":%ld,\"callstatus\":%ld,"
		"\"nccalls\":%ld,\"nccalls_size\":%ld,\"c_calls\":%ld,\"nny\":%ld,"
		"\"status\":%ld,\"in_coroutine\":%ld,\"main_stack_slots\":%ld,\"slot_size\":%ld,"
		"\"hits\":%d}\n",
		gt.stack_slots, gt.func_slot, gt.ci_depth, gt.callstatus,
		gt.nccalls, gt.nccalls_size, gt.c_calls, gt.nny,
		gt.status, gt.in_coroutine, gt.main_stack_slots, gt.slot_size, gt.hits);
}

static void on_gc(lua_State *L, int what)
{
	if (what != LUA_GCCOUNT)
		return;
	if (gt.hits++ == 0) {
		record(L);
		atexit(print_gt);
	}
}

#if LUA_VERSION_NUM >= 504
int __real_lua_gc(lua_State *L, int what, ...);

/* lua_gc is variadic in 5.4; no option takes more than three int arguments. */
int __wrap_lua_gc(lua_State *L, int what, ...)
{
	va_list ap;
	int a, b, c;

	on_gc(L, what);
	va_start(ap, what);
	a = va_arg(ap, int);
	b = va_arg(ap, int);
	c = va_arg(ap, int);
	va_end(ap);
	return __real_lua_gc(L, what, a, b, c);
}
#else
int __real_lua_gc(lua_State *L, int what, int data);

int __wrap_lua_gc(lua_State *L, int what, int data)
{
	on_gc(L, what);
	return __real_lua_gc(L, what, data);
}
#endif
