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
	m->t = calloc(m->n, 1);
	m->m = calloc(m->n, sizeof(*m->m));
	if (!m->t || !m->m) {
		free(m->t);
		free(m->m);
		free(m);
		return NULL;
	}
	return m;
}

void um_marks_free(struct marks *m)
{
	__u32 i;

	if (!m)
		return;
	for (i = 0; i < m->n; i++)
		free(m->m[i]);
	free(m->m);
	free(m->t);
	free(m);
}

static int mark_member(struct marks *m, __u32 id, int idx)
{
	const struct btf_type *t = btf__type_by_id(m->btf, id);

	if (!m->m[id]) {
		m->m[id] = calloc(btf_vlen(t) + 1, 1);
		if (!m->m[id])
			return -ENOMEM;
	}
	m->m[id][idx] = 1;
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
	if ((m->t[id] & want) == want)
		return 0;
	m->t[id] |= want;
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
	m->t[id] |= M_TYPE;
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
	__u32 *newid;
	__u32 *seq;
	__u32 cnt;
};

static void order_visit(struct order *o, __u32 id)
{
	const struct marks *m = o->m;
	const struct btf_type *t;
	struct btf_field_iter it;
	__u32 *p;
	int i;

	if (id == 0 || id >= m->n || !m->t[id] || o->newid[id])
		return;
	o->newid[id] = ++o->cnt;
	o->seq[o->cnt - 1] = id;
	t = btf__type_by_id(m->btf, id);
	if (btf_is_composite(t)) {
		for (i = 0; i < btf_vlen(t); i++)
			if (m->m[id] && m->m[id][i])
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
	__u32 *roots = NULL, nroots = 0, i, k;
	struct btf *nb = NULL;
	int err = 0, id;

	o.newid = calloc(m->n, sizeof(__u32));
	o.seq = calloc(m->n, sizeof(__u32));
	roots = calloc(m->n, sizeof(__u32));
	nb = btf__new_empty();
	if (!o.newid || !o.seq || !roots || !nb) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 1; i < m->n; i++) {
		const struct btf_type *t = btf__type_by_id(m->btf, i);
		const char *name = btf__name_by_offset(m->btf, t->name_off);

		if (m->t[i] && name && name[0])
			roots[nroots++] = i;
	}
	sort_btf = m->btf;
	qsort(roots, nroots, sizeof(*roots), root_cmp);
	for (i = 0; i < nroots; i++)
		order_visit(&o, roots[i]);
	for (i = 1; i < m->n; i++)
		order_visit(&o, i);

	for (k = 0; k < o.cnt && !err; k++) {
		const struct btf_type *t = btf__type_by_id(m->btf, o.seq[k]);
		const char *name = btf__name_by_offset(m->btf, t->name_off);
		struct btf_field_iter it;
		__u32 *p;

		if (btf_is_composite(t)) {
			__u8 *mm = m->m[o.seq[k]];

			id = btf_is_struct(t) ? btf__add_struct(nb, name, t->size)
					      : btf__add_union(nb, name, t->size);
			for (i = 0; id > 0 && i < btf_vlen(t); i++) {
				const struct btf_member *mb = btf_members(t) + i;

				if (!mm || !mm[i])
					continue;
				err = btf__add_field(nb, btf__name_by_offset(m->btf, mb->name_off),
						     o.newid[mb->type],
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
					*p = *p < m->n ? o.newid[*p] : 0;
			}
		}
		if (id < 0)
			err = id;
	}
out:
	free(o.newid);
	free(o.seq);
	free(roots);
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
	const struct btf_member *bm;
	__u32 mid;
	int k;

	for (k = 0; btf_is_composite(t) && m->m[id] && k < btf_vlen(t) && *nm < max; k++) {
		if (!m->m[id][k])
			continue;
		bm = btf_members(t) + k;
		mid = btf__resolve_type(m->btf, bm->type) > 0 ? btf__resolve_type(m->btf, bm->type) : 0;
		mt = mid ? btf__type_by_id(m->btf, mid) : NULL;
		if (!bm->name_off && mt && btf_is_composite(mt) && m->m[mid] && depth < 32)
			collect_members(m, mid, mem, nm, max, depth + 1);
		else
			mem[(*nm)++] = btf__name_by_offset(m->btf, bm->name_off);
	}
}

int um_kernel_needs_walk(const struct um_engine *e, int obj, um_type_cb cb, void *ctx)
{
	const struct marks *m = e->objs[obj].kmarks;
	__u32 *ids, n = 0, i;

	if (!m)
		return 0;
	ids = calloc(m->n, sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	for (i = 1; i < m->n; i++) {
		const struct btf_type *t = btf__type_by_id(m->btf, i);

		if (m->t[i] && t->name_off)
			ids[n++] = i;
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
