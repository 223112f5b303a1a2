// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Corpus probe: a uprobe on corpus_probe(struct corpus_state *) of the
 * tests/fixtures/corpus "library releases" that exercises every CO-RE relocation kind
 * on userspace memory:
 *
 *   field byte offset / byte size / exists / signed / lshift / rshift,
 *   type id local / target, type exists / size / matches,
 *   enum value exists / value,
 *
 * over the hard shapes: flavours, typedef chains, anonymous struct and union
 * members, unions, (multi-dimensional) arrays, nested access, bitfields,
 * pointers that are read but not followed, and fields absent from a release
 * (guarded by bpf_core_field_exists).  Results go to `results` by tgid.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "corpus.h"

#define __pai __attribute__((preserve_access_index))

/* The program's own view of the library: the union of the releases, in an
 * order none of them uses. */
typedef int corpus_i32;
typedef corpus_i32 corpus_count_t;

enum corpus_mode { CORPUS_MODE_OFF = 0, CORPUS_MODE_ON = 1, CORPUS_MODE_TURBO = 2 };

struct corpus_point { int x; int y; } __pai;
struct corpus_item { long key; int tag; int d; } __pai;
struct corpus_inner {
	int n;
	struct corpus_item items[4];
	/* As in the library.  libbpf matches array dimensions one by one, so
	 * this relocates against gen btf's nested arrays (ucorebtf's encoder),
	 * not against pahole's flattened int[6] (see docs/corpus.md). */
	int grid[2][3];
} __pai;
struct corpus_bits {
	unsigned int ready:1;
	int level:5;
	unsigned int kind:3;
} __pai;
struct corpus_extra { int e1; } __pai;
struct corpus_opaque;		/* never followed */
union corpus_val { long l; int i; } __pai;
/* an anonymous struct known only by its typedef: the typedef is the root
 * type of relocations through corpus_cfg_t * */
typedef struct { long limit; } __pai corpus_cfg_t;

struct corpus_state {
	int version;
	corpus_count_t count;
	long long big;
	int temp;
	unsigned int flag_a:1, prio:4;
	int delta:6;
	struct corpus_bits *bits;
	corpus_cfg_t cfg;
	union { int as_int; float as_float; };
	struct { short lo; short hi; };
	union corpus_val val;
	struct corpus_inner inner;
	struct corpus_point pt;
	struct corpus_opaque *opaque;
	enum corpus_mode mode;
	int legacy;			/* gone in release 3 */
} __pai;

/* Flavours: `state` (int) until release 2, `state_v3` (long long) after. */
struct corpus_state___old { int state; } __pai;
struct corpus_state___new { long long state_v3; } __pai;

/* Read an integer field (bitfield or not) of userspace *s, of any size and
 * signedness: BPF_CORE_READ_BITFIELD_PROBED with bpf_probe_read_user. */
#define CORE_READ_USER_INT(s, field) ({					\
	unsigned long long __v = 0;					\
	bpf_probe_read_user(&__v, __CORE_RELO(s, field, BYTE_SIZE),	\
		(const void *)(s) + __CORE_RELO(s, field, BYTE_OFFSET));	\
	__v <<= __CORE_RELO(s, field, LSHIFT_U64);			\
	if (__CORE_RELO(s, field, SIGNED))				\
		__v = ((long long)__v) >> __CORE_RELO(s, field, RSHIFT_U64); \
	else								\
		__v = __v >> __CORE_RELO(s, field, RSHIFT_U64);		\
	(long long)__v;							\
})

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct corpus_result);
} results SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct corpus_result);
} scratch SEC(".maps");

SEC("uprobe")
int BPF_UPROBE(corpus_probe_entry, struct corpus_state *s)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32, zero = 0;
	struct corpus_result *r, *old;
	struct corpus_bits *bp = NULL;
	char bits_copy[32] = {};
	void *ptr = NULL;
	int v32 = 0;
	__u32 sz;

	r = bpf_map_lookup_elem(&scratch, &zero);
	if (!r)
		return 0;
	__builtin_memset(r, 0, sizeof(*r));
	old = bpf_map_lookup_elem(&results, &tgid);
	r->hits = old ? old->hits + 1 : 1;

	/* field byte offset, plain read */
	bpf_core_read_user(&v32, sizeof(v32), &s->version);
	r->version = v32;
	r->off_version = bpf_core_field_offset(s->version);

	/* typedef chain; byte size; type size of a typedef */
	r->count = CORE_READ_USER_INT(s, count);
	r->sz_count = bpf_core_field_size(s->count);
	r->tsz_count_t = bpf_core_type_size(corpus_count_t);

	/* byte size changes between releases; signedness */
	r->big = CORE_READ_USER_INT(s, big);
	r->sz_big = bpf_core_field_size(s->big);
	r->off_big = bpf_core_field_offset(s->big);
	r->temp = CORE_READ_USER_INT(s, temp);
	r->signed_temp = __CORE_RELO(s, temp, SIGNED);
	r->sz_temp = bpf_core_field_size(s->temp);

	/* bitfields of the userspace struct itself (lshift/rshift/signed) */
	r->flag_a = CORE_READ_USER_INT(s, flag_a);
	r->prio = CORE_READ_USER_INT(s, prio);
	r->delta = CORE_READ_USER_INT(s, delta);

	/* a pointer that is followed: copy *s->bits, then BPF_CORE_READ_BITFIELD */
	bpf_core_read_user(&bp, sizeof(bp), &s->bits);
	sz = bpf_core_type_size(struct corpus_bits);
	if (sz > sizeof(bits_copy))
		sz = sizeof(bits_copy);
	if (bp && bpf_probe_read_user(bits_copy, sz, bp) == 0) {
		struct corpus_bits *b = (void *)bits_copy;

		r->bits_ready = BPF_CORE_READ_BITFIELD(b, ready);
		r->bits_level = BPF_CORE_READ_BITFIELD(b, level);
		r->bits_kind = BPF_CORE_READ_BITFIELD(b, kind);
	}

	/* anonymous union and struct members */
	bpf_core_read_user(&v32, sizeof(v32), &s->as_int);
	r->as_int = v32;
	r->lo = CORE_READ_USER_INT(s, lo);
	r->hi = CORE_READ_USER_INT(s, hi);
	r->off_hi = bpf_core_field_offset(s->hi);

	/* named union */
	r->val_i = CORE_READ_USER_INT(s, val.i);
	r->off_val = bpf_core_field_offset(s->val);

	/* nested access through arrays: s->inner.items[2].d, grid[1][2] */
	r->d2 = CORE_READ_USER_INT(s, inner.items[2].d);
	r->off_d2 = bpf_core_field_offset(s->inner.items[2].d);
	r->sz_d2 = bpf_core_field_size(s->inner.items[2].d);
	r->key1 = CORE_READ_USER_INT(s, inner.items[1].key);
	/* lshift/rshift/signed can't apply to an array element: plain read */
	bpf_core_read_user(&v32, sizeof(v32), &s->inner.grid[1][2]);
	r->grid12 = v32;
	r->off_grid12 = bpf_core_field_offset(s->inner.grid[1][2]);
	r->has_tag = bpf_core_field_exists(s->inner.items[2].tag);
	r->tag2 = r->has_tag ? CORE_READ_USER_INT(s, inner.items[2].tag) : -1;

	/* typedef of an anonymous struct as the root type */
	{
		corpus_cfg_t *c = &s->cfg;
		long lim = 0;

		bpf_core_read_user(&lim, sizeof(lim), &c->limit);
		r->cfg_limit = lim;
		r->off_cfg_limit = bpf_core_field_offset(c->limit);
		r->tsz_cfg_t = bpf_core_type_size(corpus_cfg_t);
	}

	/* a pointer read but not followed */
	bpf_core_read_user(&ptr, sizeof(ptr), &s->opaque);
	r->opaque = (long long)ptr;

	/* enums */
	r->mode = CORE_READ_USER_INT(s, mode);
	r->enum_on = bpf_core_enum_value(enum corpus_mode, CORPUS_MODE_ON);
	r->has_turbo = bpf_core_enum_value_exists(enum corpus_mode, CORPUS_MODE_TURBO);
	r->enum_turbo = r->has_turbo ? bpf_core_enum_value(enum corpus_mode, CORPUS_MODE_TURBO) : -1;

	/* a field absent from a release: a failed match, not an error */
	r->has_legacy = bpf_core_field_exists(s->legacy);
	r->legacy = r->has_legacy ? CORE_READ_USER_INT(s, legacy) : -1;

	/* flavours */
	if (bpf_core_field_exists(((struct corpus_state___new *)s)->state_v3)) {
		r->state_flavour = 3;
		r->state = CORE_READ_USER_INT((struct corpus_state___new *)s, state_v3);
	} else if (bpf_core_field_exists(((struct corpus_state___old *)s)->state)) {
		r->state_flavour = 1;
		r->state = CORE_READ_USER_INT((struct corpus_state___old *)s, state);
	}

	/* type-based relocations */
	r->has_extra = bpf_core_type_exists(struct corpus_extra);
	r->tsz_extra = bpf_core_type_size(struct corpus_extra);
	r->tsz_state = bpf_core_type_size(struct corpus_state);
	r->has_val_union = bpf_core_type_exists(union corpus_val);
#if __clang_major__ >= 15
	r->pt_matches = bpf_core_type_matches(struct corpus_point);
	r->mode_matches = bpf_core_type_matches(enum corpus_mode);
#else
	/* clang < 15 cannot emit TYPE_MATCHES: these two TYPE_EXISTS
	 * relocations are the only ones on corpus_point / corpus_mode, and
	 * tests/tools/corpus_relo_kind.py rewrites them to TYPE_MATCHES. */
	r->pt_matches = bpf_core_type_exists(struct corpus_point);
	r->mode_matches = bpf_core_type_exists(enum corpus_mode);
#endif
	r->tid_local = bpf_core_type_id_local(struct corpus_state);
	r->tid_target = bpf_core_type_id_kernel(struct corpus_state);

	bpf_map_update_elem(&results, &tgid, r, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
