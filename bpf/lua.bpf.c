// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* One uprobe for Lua 5.1 to 5.4: on lua_gc(L, LUA_GCCOUNT) (what
 * collectgarbage("count") calls), read internal lua_State fields whose
 * layout and type changed across releases:
 *
 *   top, stack       StkId pointers until 5.4.5, StkIdRel unions since 5.4.6
 *   nCcalls          unsigned short until 5.3, l_uint32 in 5.4 with the
 *                    non-yieldable count in its high 16 bits (5.2/5.3: nny)
 *   ci               5.1: an array from base_ci; 5.2+: a list (previous)
 *   ci->callstatus   absent in 5.1, lu_byte in 5.2, unsigned short since 5.3
 *   l_G->mainthread  through global_State
 *
 * Compiled once; each release's differences are CO-RE guards
 * (bpf_core_field_exists, bpf_core_field_size, bpf_core_type_exists) and
 * ___flavors, resolved at load time against the release's BTF.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "lua_probe.h"

#define LUA_GCCOUNT 3	/* the same in every release */
#define MAX_FRAMES 64

#define __pai __attribute__((preserve_access_index))

/* Stack slots: TValue until 5.3 (struct lua_TValue), StackValue in 5.4. */
struct lua_TValue { long long value; int tt; } __pai;
union StackValue { struct lua_TValue val; } __pai;

/* 5.4.6+: a stack position that survives reallocation. */
typedef union { void *p; long offset; } __pai StkIdRel;

struct lua_State;

struct global_State {
	struct lua_State *mainthread;
} __pai;

struct CallInfo {
	void *func;			/* StkId until 5.4.5 */
	struct CallInfo *previous;	/* 5.2+ */
	unsigned short callstatus;	/* 5.2+, lu_byte in 5.2 */
} __pai;

struct CallInfo___rel {
	StkIdRel func;			/* 5.4.6+ */
} __pai;

struct lua_State {
	unsigned char status;
	void *top;			/* StkId until 5.4.5 */
	void *stack;
	struct global_State *l_G;
	struct CallInfo *ci;
	unsigned int nCcalls;		/* 2 or 4 bytes: bpf_core_field_size */
	unsigned short nny;		/* 5.2 and 5.3 only */
} __pai;

struct lua_State___rel {
	StkIdRel top;			/* 5.4.6+ */
	StkIdRel stack;
} __pai;

struct lua_State___v51 {
	struct CallInfo *base_ci;	/* 5.1: the CallInfo array (5.2+: embedded struct) */
} __pai;

/* A stack position of OBJ: read through the StkIdRel flavor REL when the
 * target has it, as a plain pointer otherwise.  Every access that can fail
 * on some release sits under an existence check on its own path, so a
 * report can tell guarded failures from required ones. */
#define READ_STK(obj, rel, field) ({						\
	__u64 __v = 0;								\
	if (bpf_core_field_exists(((rel *)(obj))->field))			\
		bpf_core_read_user(&__v, sizeof(void *), &((rel *)(obj))->field.p); \
	else if (bpf_core_field_exists((obj)->field))				\
		bpf_core_read_user(&__v, sizeof(void *), &(obj)->field);	\
	__v; })

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct lua_result);
} results SEC(".maps");

static __always_inline int slots(__u64 hi, __u64 lo, __u64 slot)
{
	return hi >= lo && slot ? (int)((hi - lo) / slot) : -1;
}

static __always_inline int ci_depth(struct lua_State *L, struct CallInfo *ci)
{
	struct CallInfo *base;
	int i;

	if (bpf_core_field_exists(((struct lua_State___v51 *)L)->base_ci)) {
		base = BPF_CORE_READ_USER((struct lua_State___v51 *)L, base_ci);
		return slots((__u64)ci, (__u64)base, bpf_core_type_size(struct CallInfo)) + 1;
	}
	if (!bpf_core_field_exists(ci->previous))
		return -1;
	for (i = 0; i < MAX_FRAMES && ci; i++)
		ci = BPF_CORE_READ_USER(ci, previous);
	return i;
}

static __always_inline void read_state(struct lua_State *L, struct lua_result *r)
{
	struct lua_State *main;
	struct CallInfo *ci;
	__u64 stack, slot;
	__u32 n = 0, v = 0;

	if (bpf_core_type_exists(union StackValue))
		slot = bpf_core_type_size(union StackValue);
	else if (bpf_core_type_exists(struct lua_TValue))
		slot = bpf_core_type_size(struct lua_TValue);
	else
		slot = 0;
	r->slot_size = slot;

	stack = READ_STK(L, struct lua_State___rel, stack);
	r->stack_slots = slots(READ_STK(L, struct lua_State___rel, top), stack, slot);

	ci = BPF_CORE_READ_USER(L, ci);
	r->func_slot = slots(READ_STK(ci, struct CallInfo___rel, func), stack, slot);
	r->ci_depth = ci_depth(L, ci);
	r->callstatus = -1;
	if (bpf_core_field_exists(ci->callstatus)) {
		bpf_core_read_user(&v, bpf_core_field_size(ci->callstatus), &ci->callstatus);
		r->callstatus = v;
	}

	bpf_core_read_user(&n, bpf_core_field_size(L->nCcalls), &L->nCcalls);
	r->nccalls = n;
	r->nccalls_size = bpf_core_field_size(L->nCcalls);
	if (bpf_core_field_exists(L->nny)) {		/* 5.2, 5.3 */
		v = 0;
		bpf_core_read_user(&v, bpf_core_field_size(L->nny), &L->nny);
		r->nny = v;
		r->c_calls = n;
	} else if (bpf_core_field_size(L->nCcalls) == 4) {	/* 5.4 */
		r->nny = n >> 16;
		r->c_calls = n & 0xffff;
	} else {					/* 5.1 */
		r->nny = -1;
		r->c_calls = n;
	}

	r->status = BPF_CORE_READ_USER(L, status);
	main = BPF_CORE_READ_USER(L, l_G, mainthread);
	r->in_coroutine = main != L;
	if (main)
		r->main_stack_slots = slots(READ_STK(main, struct lua_State___rel, top),
					    READ_STK(main, struct lua_State___rel, stack), slot);
}

SEC("uprobe")
int BPF_UPROBE(lua_gc_entry, struct lua_State *L, int what)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct lua_result r = {}, *old;

	if (what != LUA_GCCOUNT)
		return 0;
	old = bpf_map_lookup_elem(&results, &tgid);
	if (old) {
		/* Keep the first call's values; count the others. */
		__sync_fetch_and_add(&old->hits, 1);
		return 0;
	}
	r.hits = 1;
	read_state(L, &r);
	bpf_map_update_elem(&results, &tgid, &r, BPF_NOEXIST);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
