// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* gen min engine, marks: which types and members of a target BTF the
 * decisions depend on, and the minimized BTF built from them in a
 * canonical order (the same layout gives the same bytes).  The rules are
 * bpftool BTFGen's; see docs/gen-min.md. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/errmsg.h"
#include "minimize_internal.h"

struct marks *um_marks_new(const struct btf *btf)
{
	struct marks *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->btf = btf;
	m->n = btf__type_cnt(btf);
	return m;
}

void um_marks_free(struct marks *m)
{
	__u32 i;

	if (!m)
		return;
	for (i = 0; i < m->cap; i++)
		free(m->slots[i].m);
	free(m->slots);
	free(m);
}

static __u32 slot_hash(__u32 id, __u32 mask)
{
	return (id * 0x9e3779b1u) & mask;
}

static struct mslot *slot_find(const struct marks *m, __u32 id)
{
	__u32 i, mask = m->cap - 1;

	if (!m->cap || !id)
		return NULL;
	for (i = slot_hash(id, mask); m->slots[i].id; i = (i + 1) & mask)
		if (m->slots[i].id == id)
			return &m->slots[i];
	return NULL;
}

/* The slot of id, made if new; valid until the next slot_add(). */
static struct mslot *slot_add(struct marks *m, __u32 id)
{
	struct mslot *s = slot_find(m, id), *old = m->slots;
	__u32 i, j, cap = m->cap, mask;

	if (s)
		return s;
	if (2 * (m->cnt + 1) > cap) {
		m->slots = calloc(cap ? cap * 2 : 64, sizeof(*m->slots));
		if (!m->slots) {
			m->slots = old;
			return NULL;
		}
		m->cap = cap ? cap * 2 : 64;
		mask = m->cap - 1;
		for (i = 0; i < cap; i++) {
			if (!old[i].id)
				continue;
			for (j = slot_hash(old[i].id, mask); m->slots[j].id; j = (j + 1) & mask)
				;
			m->slots[j] = old[i];
		}
		free(old);
	}
	mask = m->cap - 1;
	for (i = slot_hash(id, mask); m->slots[i].id; i = (i + 1) & mask)
		;
	m->slots[i].id = id;
	m->cnt++;
	return &m->slots[i];
}

static __u8 mark_of(const struct marks *m, __u32 id)
{
	const struct mslot *s = slot_find(m, id);

	return s ? s->t : 0;
}

static const __u8 *members_of(const struct marks *m, __u32 id)
{
	const struct mslot *s = slot_find(m, id);

	return s ? s->m : NULL;
}

static int mark_set(struct marks *m, __u32 id, __u8 flags)
{
	struct mslot *s = slot_add(m, id);

	if (!s)
		return -ENOMEM;
	s->t |= flags;
	return 0;
}

/* The marked ids, ascending: the order the dense array gave. */
static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

static __u32 *marked_ids(const struct marks *m, __u32 *n)
{
	__u32 *ids = malloc((m->cnt + 1) * sizeof(*ids)), i;

	*n = 0;
	if (!ids)
		return NULL;
	for (i = 0; i < m->cap; i++)
		if (m->slots[i].id && m->slots[i].t)
			ids[(*n)++] = m->slots[i].id;
	qsort(ids, *n, sizeof(*ids), cmp_u32);
	return ids;
}

static int mark_member(struct marks *m, __u32 id, int idx)
{
	const struct btf_type *t = btf__type_by_id(m->btf, id);
	struct mslot *s = slot_add(m, id);

	if (!s)
		return -ENOMEM;
	if (!s->m) {
		s->m = calloc(btf_vlen(t) + 1, 1);
		if (!s->m)
			return -ENOMEM;
	}
	s->m[idx] = 1;
	return 0;
}

/* The rules of bpftool's BTFGen: a type and what it needs to be described;
 * composites without their members (members come from accessors). */
static int mark_type(struct marks *m, __u32 id, bool follow)
{
	const struct btf_type *t;
	__u8 want = M_TYPE | (follow ? M_FOLLOW : 0);
	int err = 0, i;

	if (id == 0 || id >= m->n)
		return 0;
	if ((mark_of(m, id) & want) == want)
		return 0;
	if (mark_set(m, id, want))
		return -ENOMEM;
	t = btf__type_by_id(m->btf, id);
	switch (btf_kind(t)) {
	case BTF_KIND_PTR:
		return follow ? mark_type(m, t->type, follow) : 0;
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_TYPE_TAG:
		return mark_type(m, t->type, follow);
	case BTF_KIND_ARRAY:
		err = mark_type(m, btf_array(t)->type, follow);
		return err ?: mark_type(m, btf_array(t)->index_type, follow);
	case BTF_KIND_FUNC_PROTO:
		err = mark_type(m, t->type, follow);
		for (i = 0; !err && i < btf_vlen(t); i++)
			err = mark_type(m, btf_params(t)[i].type, follow);
		return err;
	default:	/* int, float, enums, composites, fwd */
		return 0;
	}
}

/* TYPE_MATCHES: whole types, composites behind pointers stay empty. */
static int mark_type_match(struct marks *m, __u32 id, bool behind_ptr)
{
	const struct btf_type *t;
	int err = 0, i;

	if (id == 0 || id >= m->n)
		return 0;
	t = btf__type_by_id(m->btf, id);
	if (mark_set(m, id, M_TYPE))
		return -ENOMEM;
	switch (btf_kind(t)) {
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		if (behind_ptr)
			return 0;
		for (i = 0; !err && i < btf_vlen(t); i++) {
			err = mark_member(m, id, i);
			err = err ?: mark_type_match(m, btf_members(t)[i].type, false);
		}
		return err;
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_TYPE_TAG:
	case BTF_KIND_FWD:
		return mark_type_match(m, t->type, behind_ptr);
	case BTF_KIND_PTR:
		return mark_type_match(m, t->type, true);
	case BTF_KIND_ARRAY:
		err = mark_type_match(m, btf_array(t)->type, false);
		return err ?: mark_type_match(m, btf_array(t)->index_type, false);
	case BTF_KIND_FUNC_PROTO:
		err = mark_type_match(m, t->type, false);
		for (i = 0; !err && i < btf_vlen(t); i++)
			err = mark_type_match(m, btf_params(t)[i].type, false);
		return err;
	default:
		return 0;
	}
}

static int record_field(struct marks *m, const struct bpf_core_spec *s)
{
	const struct btf *btf = m->btf;
	__u32 id = s->root_type_id;
	const struct btf_type *t = btf__type_by_id(btf, id);
	int i, err;

	err = mark_type(m, id, false);
	for (i = 1; !err && i < s->raw_len; i++) {
		while (btf_is_mod(t) || btf_is_typedef(t)) {
			id = t->type;
			t = btf__type_by_id(btf, id);
		}
		if (btf_is_composite(t)) {
			const struct btf_member *mb = btf_members(t) + s->raw_spec[i];

			err = mark_member(m, id, s->raw_spec[i]);
			id = mb->type;
			t = btf__type_by_id(btf, id);
			err = err ?: mark_type(m, id, false);
		} else if (btf_is_array(t)) {
			id = btf_array(t)->type;
			t = btf__type_by_id(btf, id);
		} else {
			return -EINVAL;
		}
	}
	return err;
}

int um_record_spec(struct marks *m, const struct bpf_core_spec *s)
{
	if (!s->btf)
		return 0;	/* no candidate matched: nothing to keep */
	switch (s->relo_kind) {
	case BPF_CORE_FIELD_BYTE_OFFSET:
	case BPF_CORE_FIELD_BYTE_SIZE:
	case BPF_CORE_FIELD_EXISTS:
	case BPF_CORE_FIELD_SIGNED:
	case BPF_CORE_FIELD_LSHIFT_U64:
	case BPF_CORE_FIELD_RSHIFT_U64:
		return record_field(m, s);
	case BPF_CORE_TYPE_ID_TARGET:
	case BPF_CORE_TYPE_EXISTS:
	case BPF_CORE_TYPE_SIZE:
		return mark_type(m, s->root_type_id, true);
	case BPF_CORE_TYPE_MATCHES:
		return mark_type_match(m, s->root_type_id, false);
	case BPF_CORE_ENUMVAL_EXISTS:
	case BPF_CORE_ENUMVAL_VALUE:
		return mark_type(m, s->root_type_id, false);
	default:
		return 0;
	}
}

struct order {
	const struct marks *m;
	__u32 *newid;		/* by slot of m */
	__u32 *seq;
	__u32 cnt;
};

/* The id of type id in the blob, 0 if it is not kept. */
static __u32 newid_of(const struct order *o, __u32 id)
{
	const struct mslot *s = slot_find(o->m, id);

	return s ? o->newid[s - o->m->slots] : 0;
}

static void order_visit(struct order *o, __u32 id)
{
	const struct marks *m = o->m;
	const struct mslot *s = id < m->n ? slot_find(m, id) : NULL;
	const struct btf_type *t;
	struct btf_field_iter it;
	__u32 *p;
	int i;

	if (!s || !s->t || o->newid[s - m->slots])
		return;
	o->newid[s - m->slots] = ++o->cnt;
	o->seq[o->cnt - 1] = id;
	t = btf__type_by_id(m->btf, id);
	if (btf_is_composite(t)) {
		for (i = 0; i < btf_vlen(t); i++)
			if (s->m && s->m[i])
				order_visit(o, btf_members(t)[i].type);
		return;
	}
	if (btf_field_iter_init(&it, (struct btf_type *)t, BTF_FIELD_ITER_IDS))
		return;
	while ((p = btf_field_iter_next(&it)))
		order_visit(o, *p);
}

static const struct btf *sort_btf;

static int root_cmp(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;
	const struct btf_type *tx = btf__type_by_id(sort_btf, x);
	const struct btf_type *ty = btf__type_by_id(sort_btf, y);
	int c = strcmp(btf__name_by_offset(sort_btf, tx->name_off),
		       btf__name_by_offset(sort_btf, ty->name_off));

	if (c)
		return c;
	if (btf_kind(tx) != btf_kind(ty))
		return btf_kind(tx) < btf_kind(ty) ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Named marked types sorted by (name, kind), each followed depth-first by
 * what it refers to: the same layout gives the same bytes whatever the
 * type ids of the input were. */
struct btf *um_build_blob(const struct marks *m)
{
	struct order o = { .m = m };
	__u32 *roots = NULL, *ids = NULL, nroots = 0, nids = 0, i, k;
	struct btf *nb = NULL;
	int err = 0, id;

	o.newid = calloc(m->cap + 1, sizeof(__u32));
	o.seq = calloc(m->cnt + 1, sizeof(__u32));
	roots = calloc(m->cnt + 1, sizeof(__u32));
	ids = marked_ids(m, &nids);
	nb = btf__new_empty();
	if (!o.newid || !o.seq || !roots || !ids || !nb) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < nids; i++) {
		const struct btf_type *t = btf__type_by_id(m->btf, ids[i]);
		const char *name = btf__name_by_offset(m->btf, t->name_off);

		if (name && name[0])
			roots[nroots++] = ids[i];
	}
	sort_btf = m->btf;
	qsort(roots, nroots, sizeof(*roots), root_cmp);
	for (i = 0; i < nroots; i++)
		order_visit(&o, roots[i]);
	for (i = 0; i < nids; i++)
		order_visit(&o, ids[i]);

	for (k = 0; k < o.cnt && !err; k++) {
		const struct btf_type *t = btf__type_by_id(m->btf, o.seq[k]);
		const char *name = btf__name_by_offset(m->btf, t->name_off);
		struct btf_field_iter it;
		__u32 *p;

		if (btf_is_composite(t)) {
			const __u8 *mm = members_of(m, o.seq[k]);

			id = btf_is_struct(t) ? btf__add_struct(nb, name, t->size)
					      : btf__add_union(nb, name, t->size);
			for (i = 0; id > 0 && i < btf_vlen(t); i++) {
				const struct btf_member *mb = btf_members(t) + i;

				if (!mm || !mm[i])
					continue;
				err = btf__add_field(nb, btf__name_by_offset(m->btf, mb->name_off),
						     newid_of(&o, mb->type),
						     btf_member_bit_offset(t, i),
						     btf_member_bitfield_size(t, i));
				if (err < 0)
					break;
				err = 0;
			}
		} else {
			id = btf__add_type(nb, m->btf, t);
			if (id > 0) {
				struct btf_type *nt = (struct btf_type *)btf__type_by_id(nb, id);

				err = btf_field_iter_init(&it, nt, BTF_FIELD_ITER_IDS);
				while (!err && (p = btf_field_iter_next(&it)))
					*p = *p < m->n ? newid_of(&o, *p) : 0;
			}
		}
		if (id < 0)
			err = id;
	}
out:
	free(o.newid);
	free(o.seq);
	free(roots);
	free(ids);
	if (err) {
		btf__free(nb);
		errno = -err;
		return NULL;
	}
	return nb;
}

/* Members of an anonymous struct/union live in their parent's namespace for
 * CO-RE: libbpf matches `parent.x` through anonymous members by name.  So
 * report the named members reached through a marked anonymous member, not
 * its empty name, and the runtime can keep just those. */
static void collect_members(const struct marks *m, __u32 id, const char **mem, int *nm,
			    int max, int depth)
{
	const struct btf_type *t = btf__type_by_id(m->btf, id), *mt;
	const __u8 *mm = members_of(m, id);
	const struct btf_member *bm;
	__u32 mid;
	int k;

	for (k = 0; btf_is_composite(t) && mm && k < btf_vlen(t) && *nm < max; k++) {
		if (!mm[k])
			continue;
		bm = btf_members(t) + k;
		mid = btf__resolve_type(m->btf, bm->type) > 0 ? btf__resolve_type(m->btf, bm->type) : 0;
		mt = mid ? btf__type_by_id(m->btf, mid) : NULL;
		if (!bm->name_off && mt && btf_is_composite(mt) && members_of(m, mid) && depth < 32)
			collect_members(m, mid, mem, nm, max, depth + 1);
		else
			mem[(*nm)++] = btf__name_by_offset(m->btf, bm->name_off);
	}
}

int um_kernel_needs_walk(const struct um_engine *e, int obj, um_type_cb cb, void *ctx)
{
	const struct marks *m = e->objs[obj].kmarks;
	__u32 *ids, n = 0, nall, i;

	if (!m)
		return 0;
	ids = marked_ids(m, &nall);
	if (!ids)
		return -ENOMEM;
	for (i = 0; i < nall; i++) {
		const struct btf_type *t = btf__type_by_id(m->btf, ids[i]);

		if (t->name_off)
			ids[n++] = ids[i];
	}
	sort_btf = m->btf;
	qsort(ids, n, sizeof(*ids), root_cmp);
	for (i = 0; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(m->btf, ids[i]);
		const char *mem[256];
		int nm = 0;

		collect_members(m, ids[i], mem, &nm, 256, 0);
		cb(ctx, um_kname(t), btf__name_by_offset(m->btf, t->name_off), mem, nm);
	}
	free(ids);
	return 0;
}

void um_kernel_needs(const struct um_engine *e, int obj, um_type_cb cb, void *ctx)
{
	um_kernel_needs_walk(e, obj, cb, ctx);
}

struct btf *um_kernel_blob(const struct um_engine *e)
{
	struct btf *btf;

	if (!e->kmarks)
		return ucb_errp(-EINVAL, "no kernel BTF to minimize");
	btf = um_build_blob(e->kmarks);
	if (!btf)
		return ucb_errp(-errno, "cannot build minimized BTF: %s", strerror(errno));
	return btf;
}
