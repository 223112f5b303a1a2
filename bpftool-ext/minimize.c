// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* gen min engine: CO-RE relocations resolved with libbpf's relo_core against
 * library and kernel BTF; the types/members each decision depends on are
 * marked and copied into a minimized BTF in a canonical order.
 *
 * The only file of ucorebtf that sees libbpf-internal headers (with the rest
 * of bpftool-ext/).  See docs/gen-min.md for the rules.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/btf.h>
#include "libbpf_internal.h"
#include "relo_core.h"
#include "btf.h"
#include "tool/btf_io.h"
#include "cli/common.h"
#include "minimize.h"

/* ---- name index: essential name -> type ids, built once per BTF ---- */

struct nent {
	const char *name;
	__u32 len;	/* essential length */
	__u32 id;
};

struct nindex {
	const struct btf *btf;
	struct nent *e;
	int n;
};

static int nent_cmp(const void *a, const void *b)
{
	const struct nent *x = a, *y = b;
	__u32 l = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->name, y->name, l);

	if (c)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int nindex_init(struct nindex *ix, const struct btf *btf)
{
	__u32 i, n = btf__type_cnt(btf);

	ix->btf = btf;
	ix->n = 0;
	ix->e = calloc(n ? n : 1, sizeof(*ix->e));
	if (!ix->e)
		return -ENOMEM;
	for (i = 1; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);
		const char *name = btf__name_by_offset(btf, t->name_off);

		if (!name || !name[0])
			continue;
		ix->e[ix->n].name = name;
		ix->e[ix->n].len = bpf_core_essential_name_len(name);
		ix->e[ix->n].id = i;
		ix->n++;
	}
	qsort(ix->e, ix->n, sizeof(*ix->e), nent_cmp);
	return 0;
}

static void nindex_free(struct nindex *ix)
{
	free(ix->e);
	ix->e = NULL;
	ix->n = 0;
}

/* Same candidates, in the same order, as libbpf's bpf_core_add_cands(). */
static int add_cands(const struct nindex *ix, const struct btf *lbtf, __u32 lid,
		     struct bpf_core_cand_list *cl)
{
	const struct btf_type *lt = btf__type_by_id(lbtf, lid);
	const char *lname = btf__name_by_offset(lbtf, lt->name_off);
	struct nent key = { .name = lname, .id = 0 };
	int lo = 0, hi = ix->n, mid;

	if (!ix->btf || !lname || !lname[0])
		return 0;
	key.len = bpf_core_essential_name_len(lname);
	while (lo < hi) {	/* first entry >= (name, id 0) */
		mid = (lo + hi) / 2;
		if (nent_cmp(&ix->e[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < ix->n; lo++) {
		const struct nent *e = &ix->e[lo];
		struct bpf_core_cand *nc;

		if (e->len != key.len || memcmp(e->name, lname, key.len))
			break;
		if (!btf_kind_core_compat(btf__type_by_id(ix->btf, e->id), lt))
			continue;
		nc = realloc(cl->cands, (cl->len + 1) * sizeof(*nc));
		if (!nc)
			return -ENOMEM;
		cl->cands = nc;
		cl->cands[cl->len].btf = ix->btf;
		cl->cands[cl->len].id = e->id;
		cl->len++;
	}
	return 0;
}

/* ---- marks: which types and members a target BTF must keep ---- */

enum { M_TYPE = 1, M_FOLLOW = 2 };

struct marks {
	const struct btf *btf;
	__u32 n;
	__u8 *t;
	__u8 **m;
};

static struct marks *marks_new(const struct btf *btf)
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

static void marks_free(struct marks *m)
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

static int record_spec(struct marks *m, const struct bpf_core_spec *s)
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

/* ---- minimized BTF in canonical order ---- */

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
static struct btf *build_blob(const struct marks *m)
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

/* ---- objects and relocations ---- */

struct relo {
	struct bpf_core_relo r;
	const char *sec;
	char *name;
	int force;		/* 0, UM_APP or UM_KERNEL */
	/* kernel decision, computed once */
	bool kdone;
	struct bpf_core_relo_res kres;
	struct bpf_core_spec ktarg;
};

struct obj {
	char *path;
	struct btf *btf;
	struct btf_ext *ext;
	struct relo *relos;
	int n;
	struct marks *kmarks;
};

struct force {
	char *name;
	int side;
	bool used;	/* some relocation's local type has this name */
};

struct um_engine {
	const struct btf *kernel;
	const char *kernel_path;	/* names the kernel BTF in messages */
	struct nindex kix;
	struct marks *kmarks;	/* union over objects */
	struct obj *objs;
	int nobj;
	struct force *forces;
	int nforce;
};

struct um_release {
	int nobj;
	struct um_decision **dec;
	int nlibs;
	struct btf **blobs;
	const char **shadow;
	int nshadow;
};

static const char *kind_str(int kind)
{
	switch (kind) {
	case BPF_CORE_FIELD_BYTE_OFFSET: return "byte_off";
	case BPF_CORE_FIELD_BYTE_SIZE: return "byte_sz";
	case BPF_CORE_FIELD_EXISTS: return "field_exists";
	case BPF_CORE_FIELD_SIGNED: return "signed";
	case BPF_CORE_FIELD_LSHIFT_U64: return "lshift_u64";
	case BPF_CORE_FIELD_RSHIFT_U64: return "rshift_u64";
	case BPF_CORE_TYPE_ID_LOCAL: return "local_type_id";
	case BPF_CORE_TYPE_ID_TARGET: return "target_type_id";
	case BPF_CORE_TYPE_EXISTS: return "type_exists";
	case BPF_CORE_TYPE_MATCHES: return "type_matches";
	case BPF_CORE_TYPE_SIZE: return "type_size";
	case BPF_CORE_ENUMVAL_EXISTS: return "enumval_exists";
	case BPF_CORE_ENUMVAL_VALUE: return "enumval_value";
	default: return "unknown";
	}
}

static const char *kname(const struct btf_type *t)
{
	switch (btf_kind(t)) {
	case BTF_KIND_INT: return "int";
	case BTF_KIND_PTR: return "ptr";
	case BTF_KIND_ARRAY: return "array";
	case BTF_KIND_STRUCT: return "struct";
	case BTF_KIND_UNION: return "union";
	case BTF_KIND_ENUM: return "enum";
	case BTF_KIND_ENUM64: return "enum64";
	case BTF_KIND_FWD: return "fwd";
	case BTF_KIND_TYPEDEF: return "typedef";
	case BTF_KIND_VOLATILE: return "volatile";
	case BTF_KIND_CONST: return "const";
	case BTF_KIND_RESTRICT: return "restrict";
	case BTF_KIND_FUNC: return "func";
	case BTF_KIND_FUNC_PROTO: return "func_proto";
	case BTF_KIND_FLOAT: return "float";
	case BTF_KIND_TYPE_TAG: return "type_tag";
	default: return "type";
	}
}

/* A type's identity independent of its id: kind + name, or for anonymous
 * types kind + what they refer to ("ptr(struct data)", "struct{12}"). */
static void type_ident(const struct btf *btf, __u32 id, char *buf, size_t sz, int depth)
{
	const struct btf_type *t;
	const char *name;
	char sub[128];

	if (id == 0) {
		snprintf(buf, sz, "void");
		return;
	}
	t = btf__type_by_id(btf, id);
	if (!t) {
		snprintf(buf, sz, "?");
		return;
	}
	name = btf__name_by_offset(btf, t->name_off);
	if (name && name[0]) {
		snprintf(buf, sz, "%s %s", kname(t), name);
		return;
	}
	if (depth > 4) {
		snprintf(buf, sz, "%s", kname(t));
		return;
	}
	if (btf_is_ptr(t)) {
		/* pointees are not kept unless a relocation needs them */
		snprintf(buf, sz, "ptr");
	} else if (btf_is_mod(t) || btf_is_typedef(t)) {
		type_ident(btf, t->type, sub, sizeof(sub), depth + 1);
		snprintf(buf, sz, "%s(%.100s)", kname(t), sub);
	} else if (btf_is_array(t)) {
		type_ident(btf, btf_array(t)->type, sub, sizeof(sub), depth + 1);
		snprintf(buf, sz, "array[%u](%.100s)", btf_array(t)->nelems, sub);
	} else if (btf_is_composite(t) || btf_is_any_enum(t)) {
		snprintf(buf, sz, "%s{%u}", kname(t), t->size);
	} else {
		snprintf(buf, sz, "%s", kname(t));
	}
}

static void relo_name(struct obj *o, const struct btf_ext_info_sec *sec,
		      const struct bpf_core_relo *r, struct relo *rl)
{
	const struct btf_ext_info *fseg = &o->ext->func_info;
	const struct btf_ext_info_sec *fsec;
	const struct bpf_func_info_min *fi;
	const char *prog = rl->sec, *tname;
	__u32 start = 0, i;
	struct bpf_core_spec spec;
	char path[256] = "";
	size_t n = 0;
	int k;

	if (fseg->info) {
		for_each_btf_ext_sec(fseg, fsec) {
			if (fsec->sec_name_off != sec->sec_name_off)
				continue;
			for_each_btf_ext_rec(fseg, fsec, i, fi) {
				if (fi->insn_off <= r->insn_off && fi->insn_off >= start) {
					const struct btf_type *ft = btf__type_by_id(o->btf, fi->type_id);

					start = fi->insn_off;
					if (ft)
						prog = btf__name_by_offset(o->btf, ft->name_off);
				}
			}
		}
	}
	tname = btf__name_by_offset(o->btf, btf__type_by_id(o->btf, r->type_id)->name_off);
	if (!tname || !tname[0])
		tname = "<anon>";
	n = snprintf(path, sizeof(path), "%s", tname);
	memset(&spec, 0, sizeof(spec));
	if (!bpf_core_parse_spec(rl->sec, o->btf, r, &spec)) {
		if (r->kind == BPF_CORE_ENUMVAL_EXISTS || r->kind == BPF_CORE_ENUMVAL_VALUE) {
			snprintf(path + n, sizeof(path) - n, "::%s", spec.spec[0].name);
		} else if (spec.len > 0 && r->kind != BPF_CORE_TYPE_ID_LOCAL &&
			   r->kind != BPF_CORE_TYPE_ID_TARGET && r->kind != BPF_CORE_TYPE_EXISTS &&
			   r->kind != BPF_CORE_TYPE_MATCHES && r->kind != BPF_CORE_TYPE_SIZE) {
			if (spec.spec[0].idx && n < sizeof(path))
				n += snprintf(path + n, sizeof(path) - n, "[%u]", spec.spec[0].idx);
			for (k = 1; k < spec.len && n < sizeof(path); k++) {
				if (spec.spec[k].name)
					n += snprintf(path + n, sizeof(path) - n, ".%s", spec.spec[k].name);
				else
					n += snprintf(path + n, sizeof(path) - n, "[%u]", spec.spec[k].idx);
			}
		}
	}
	if (asprintf(&rl->name, "%s:%u %s", prog, (r->insn_off - start) / 8, path) < 0)
		rl->name = NULL;
}

struct um_engine *um_new(const struct btf *kernel)
{
	struct um_engine *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->kernel = kernel;
	if (kernel) {
		if (nindex_init(&e->kix, kernel) ||
		    !(e->kmarks = marks_new(kernel))) {
			um_free(e);
			return NULL;
		}
	}
	return e;
}

void um_free(struct um_engine *e)
{
	int i, j;

	if (!e)
		return;
	for (i = 0; i < e->nobj; i++) {
		struct obj *o = &e->objs[i];

		for (j = 0; j < o->n; j++)
			free(o->relos[j].name);
		free(o->relos);
		free(o->path);
		btf__free(o->btf);
		btf_ext__free(o->ext);
		marks_free(o->kmarks);
	}
	for (i = 0; i < e->nforce; i++)
		free(e->forces[i].name);
	free(e->forces);
	free(e->objs);
	nindex_free(&e->kix);
	marks_free(e->kmarks);
	free(e);
}

void um_set_kernel_path(struct um_engine *e, const char *path)
{
	e->kernel_path = path;
}

int um_force_type(struct um_engine *e, const char *name, int side)
{
	struct force *f = realloc(e->forces, (e->nforce + 1) * sizeof(*f));

	if (!f)
		return -ENOMEM;
	e->forces = f;
	f[e->nforce].name = strdup(name);
	f[e->nforce].side = side;
	f[e->nforce].used = false;
	if (!f[e->nforce].name)
		return -ENOMEM;
	e->nforce++;
	return 0;
}

const char *um_force_unused(const struct um_engine *e, int *side)
{
	int i;

	for (i = 0; i < e->nforce; i++)
		if (!e->forces[i].used) {
			*side = e->forces[i].side;
			return e->forces[i].name;
		}
	return NULL;
}

/* libbpf's btf_ext parser checks the records' sizes only.  relo_core
 * (bpf_core_calc_relo_insn()) dereferences the local type of a record
 * unchecked and libbpf itself checks it first; so do we, with the rest of
 * what a record names, before anything walks it. */
static int check_relo(const char *path, const struct btf *btf, const char *sec, int idx,
		      const struct bpf_core_relo *r)
{
	const char *acc = btf__name_by_offset(btf, r->access_str_off);

	if (!sec) {
		p_err("%s: .BTF.ext: CO-RE relocation #%d: section name offset out of range", path, idx);
		return -EINVAL;
	}
	if (r->type_id == 0 || r->type_id >= btf__type_cnt(btf)) {
		p_err("%s: .BTF.ext: CO-RE relocation #%d in %s: type id %u out of range (%u types)",
		      path, idx, sec, r->type_id, btf__type_cnt(btf) - 1);
		return -EINVAL;
	}
	if (!acc || !acc[0]) {
		p_err("%s: .BTF.ext: CO-RE relocation #%d in %s: access string offset %u out of range",
		      path, idx, sec, r->access_str_off);
		return -EINVAL;
	}
	if (r->kind > BPF_CORE_TYPE_MATCHES) {
		p_err("%s: .BTF.ext: CO-RE relocation #%d in %s: unknown kind %u", path, idx, sec, r->kind);
		return -EINVAL;
	}
	return 0;
}

int um_add_object(struct um_engine *e, const char *path)
{
	const struct btf_ext_info_sec *sec;
	const struct bpf_core_relo *r;
	const struct btf_ext_info *seg;
	struct btf_ext *ext = NULL;
	struct obj *o, *objs;
	struct btf *btf;
	__u32 i;
	int k;

	btf = btf__parse(path, &ext);
	if (!btf) {
		int err = -errno;

		p_err("%s: cannot read BTF of BPF object: %s", path, strerror(errno));
		return err;
	}
	if (!ext) {
		p_err("%s: not a BPF object: no .BTF.ext section", path);
		btf__free(btf);
		return -ENODATA;
	}
	k = btf_check_graph(btf, path);
	if (k) {
		btf__free(btf);
		btf_ext__free(ext);
		return k;
	}
	objs = realloc(e->objs, (e->nobj + 1) * sizeof(*objs));
	if (!objs) {
		btf__free(btf);
		btf_ext__free(ext);
		return -ENOMEM;
	}
	e->objs = objs;
	o = &objs[e->nobj++];
	memset(o, 0, sizeof(*o));
	o->path = strdup(path);
	o->btf = btf;
	o->ext = ext;
	seg = &ext->core_relo_info;
	if (seg->info && seg->len) {
		for_each_btf_ext_sec(seg, sec) {
			for_each_btf_ext_rec(seg, sec, i, r) {
				struct relo *rl, *nr = realloc(o->relos, (o->n + 1) * sizeof(*nr));

				if (!nr)
					return -ENOMEM;
				o->relos = nr;
				rl = &nr[o->n++];
				memset(rl, 0, sizeof(*rl));
				rl->r = *r;
				rl->sec = btf__name_by_offset(btf, sec->sec_name_off);
				if (check_relo(path, btf, rl->sec, o->n - 1, r))
					return -EINVAL;
				relo_name(o, sec, r, rl);
				if (!rl->name)
					return -ENOMEM;
			}
		}
	}
	for (k = 0; k < o->n; k++) {
		const struct btf_type *t = btf__type_by_id(btf, o->relos[k].r.type_id);
		const char *name = t ? btf__name_by_offset(btf, t->name_off) : NULL;
		int f;

		for (f = 0; name && f < e->nforce; f++)
			if (!strcmp(e->forces[f].name, name)) {
				o->relos[k].force = e->forces[f].side;
				e->forces[f].used = true;
			}
	}
	if (e->kernel && !(o->kmarks = marks_new(e->kernel)))
		return -ENOMEM;
	return 0;
}

int um_obj_cnt(const struct um_engine *e) { return e->nobj; }
const char *um_obj_path(const struct um_engine *e, int obj) { return e->objs[obj].path; }
int um_relo_cnt(const struct um_engine *e, int obj) { return e->objs[obj].n; }
const char *um_relo_name(const struct um_engine *e, int obj, int relo)
{
	return e->objs[obj].relos[relo].name;
}
const char *um_relo_kind(const struct um_engine *e, int obj, int relo)
{
	return kind_str(e->objs[obj].relos[relo].r.kind);
}

/* Run libbpf's decision on a private copy of the candidate list (libbpf
 * compacts it to the matching candidates, which *matched gets). */
static int decide(struct obj *o, int idx, const struct bpf_core_cand_list *cands,
		  struct bpf_core_relo_res *res, struct bpf_core_spec *targ,
		  struct bpf_core_cand_list *matched)
{
	struct bpf_core_spec specs[3];
	struct bpf_core_cand_list cl = {};
	struct relo *rl = &o->relos[idx];
	int err;

	memset(specs, 0, sizeof(specs));
	memset(res, 0, sizeof(*res));
	if (cands && cands->len) {
		cl.cands = malloc(cands->len * sizeof(*cl.cands));
		if (!cl.cands)
			return -ENOMEM;
		memcpy(cl.cands, cands->cands, cands->len * sizeof(*cl.cands));
		cl.len = cands->len;
	}
	err = bpf_core_calc_relo_insn(rl->sec, &rl->r, idx, o->btf, &cl, specs, res);
	*targ = specs[2];
	if (matched && !err && targ->btf)
		*matched = cl;
	else
		free(cl.cands);
	return err;
}

static bool same_ident(const struct btf *a, __u32 ida, const struct btf *b, __u32 idb)
{
	char x[128], y[128];

	if (!ida || !idb || !a || !b)
		return ida == idb;
	type_ident(a, ida, x, sizeof(x), 0);
	type_ident(b, idb, y, sizeof(y), 0);
	return !strcmp(x, y);
}

/* Compare two decisions.  Target type ids differ between BTFs: compare
 * TYPE_ID_TARGET values and new_type_id by the identity of the type. */
static bool same_res(int kind, const struct bpf_core_relo_res *a, const struct btf *ab,
		     const struct bpf_core_relo_res *b, const struct btf *bb)
{
	if (a->orig_val != b->orig_val || a->poison != b->poison || a->validate != b->validate ||
	    a->fail_memsz_adjust != b->fail_memsz_adjust || a->orig_sz != b->orig_sz ||
	    a->orig_type_id != b->orig_type_id || a->new_sz != b->new_sz)
		return false;
	if (kind == BPF_CORE_TYPE_ID_TARGET && !a->poison) {
		if (!same_ident(ab, a->new_val, bb, b->new_val))
			return false;
	} else if (a->new_val != b->new_val) {
		return false;
	}
	return same_ident(ab, a->new_type_id, bb, b->new_type_id);
}

/* Two candidates are "the same definition" when they agree on size and on
 * every member's name, offset and type identity (duplicates dedup missed). */
static bool same_shape(const struct btf *a, __u32 ida, const struct btf *b, __u32 idb)
{
	const struct btf_type *x = btf__type_by_id(a, ida), *y = btf__type_by_id(b, idb);
	int i;

	if (btf_kind(x) != btf_kind(y) || btf_vlen(x) != btf_vlen(y))
		return false;
	if (btf_is_composite(x)) {
		if (x->size != y->size)
			return false;
		for (i = 0; i < btf_vlen(x); i++) {
			if (strcmp(btf__name_by_offset(a, btf_members(x)[i].name_off),
				   btf__name_by_offset(b, btf_members(y)[i].name_off)) ||
			    btf_member_bit_offset(x, i) != btf_member_bit_offset(y, i) ||
			    !same_ident(a, btf_members(x)[i].type, b, btf_members(y)[i].type))
				return false;
		}
	} else if (btf_is_any_enum(x)) {
		return x->size == y->size;
	}
	return true;
}

static void fill_decision(struct um_decision *d, int kind, const struct bpf_core_relo_res *res,
			  const struct bpf_core_spec *targ)
{
	d->matched = targ->btf != NULL;
	d->poison = res->poison;
	d->value = res->new_val;
	d->target[0] = 0;
	if (d->matched)
		type_ident(targ->btf, targ->root_type_id, d->target, sizeof(d->target), 0);
	if (res->poison)
		snprintf(d->value_str, sizeof(d->value_str), "poison");
	else if (kind == BPF_CORE_TYPE_ID_TARGET && d->matched)
		type_ident(targ->btf, res->new_val, d->value_str, sizeof(d->value_str), 0);
	else
		snprintf(d->value_str, sizeof(d->value_str), "%llu", (unsigned long long)res->new_val);
}

static void cand_list(char *buf, size_t sz, const struct bpf_core_cand_list *cl,
		      struct btf *const *libs, const char *const *labels, int n)
{
	size_t off = 0;
	int i, l;

	buf[0] = 0;
	for (i = 0; i < cl->len && off < sz; i++) {
		const struct btf_type *t = btf__type_by_id(cl->cands[i].btf, cl->cands[i].id);
		const char *where = "kernel";
		char id[128];

		for (l = 0; l < n; l++)
			if (libs[l] == cl->cands[i].btf)
				where = labels[l];
		type_ident(cl->cands[i].btf, cl->cands[i].id, id, sizeof(id), 0);
		off += snprintf(buf + off, sz - off, "%s%s [%u] size %u in %s", i ? ", " : "",
				id, cl->cands[i].id,
				btf_is_composite(t) || btf_is_any_enum(t) || btf_is_int(t) ? t->size : 0,
				where);
	}
}

/* 1 if the kernel has a candidate for the local type, 0 if not, -errno */
static int kernel_has(struct um_engine *e, struct obj *o, __u32 id)
{
	struct bpf_core_cand_list cl = {};
	int err = add_cands(&e->kix, o->btf, id, &cl);

	free(cl.cands);
	return err ?: cl.len > 0;
}

static int kernel_decide(struct um_engine *e, struct obj *o, int idx)
{
	struct relo *rl = &o->relos[idx];
	struct bpf_core_cand_list cl = {};
	int err;

	if (rl->kdone)
		return 0;
	err = add_cands(&e->kix, o->btf, rl->r.type_id, &cl);
	err = err ?: decide(o, idx, &cl, &rl->kres, &rl->ktarg, NULL);
	if (err) {
		char buf[1024];

		cand_list(buf, sizeof(buf), &cl, NULL, NULL, 0);
		p_err("%s: relocation %s (%s) cannot be resolved against kernel BTF %s%s%s",
		      o->path, rl->name, kind_str(rl->r.kind), e->kernel_path ?: "",
		      cl.len > 1 ? ": ambiguous between " : "", cl.len > 1 ? buf : "");
		free(cl.cands);
		return err;
	}
	free(cl.cands);
	err = record_spec(o->kmarks, &rl->ktarg);
	err = err ?: record_spec(e->kmarks, &rl->ktarg);
	rl->kdone = true;
	return err;
}

static int add_shadow(struct um_release *r, const char *name)
{
	const char **s;
	int i;

	for (i = 0; i < r->nshadow; i++)
		if (!strcmp(r->shadow[i], name))
			return 0;
	s = realloc(r->shadow, (r->nshadow + 1) * sizeof(*s));
	if (!s)
		return -ENOMEM;
	r->shadow = s;
	s[r->nshadow] = strdup(name);
	r->nshadow++;
	return 0;
}

struct tmpres {
	struct bpf_core_relo_res res;
	const struct btf *tbtf;
};

static int lib_cands(struct nindex *ix, int n, const struct btf *lbtf, __u32 id,
		     struct bpf_core_cand_list *cl)
{
	int l, err = 0;

	for (l = 0; l < n && !err; l++)
		err = add_cands(&ix[l], lbtf, id, cl);
	return err;
}

static int verify_release(struct um_engine *e, struct um_release *r, struct tmpres **tr,
			  struct btf *const *libs, const char *const *labels, int n)
{
	struct nindex *bix = calloc(n ? n : 1, sizeof(*bix));
	int l, oi, i, err = 0;

	if (!bix)
		return -ENOMEM;
	for (l = 0; l < n && !err; l++)
		err = nindex_init(&bix[l], r->blobs[l]);
	for (oi = 0; oi < e->nobj && !err; oi++) {
		struct obj *o = &e->objs[oi];

		for (i = 0; i < o->n && !err; i++) {
			struct um_decision *d = &r->dec[oi][i];
			struct bpf_core_cand_list cl = {};
			struct bpf_core_relo_res res, *want = &tr[oi][i].res;
			const struct btf *wbtf = tr[oi][i].tbtf;
			struct bpf_core_spec targ;
			const char *lab = n ? labels[0] : o->path;

			if (d->side == UM_LOCAL || d->unresolved)
				continue;
			if (d->side == UM_APP) {
				/* 1: the blob alone decides as the full library */
				err = lib_cands(bix, n, o->btf, o->relos[i].r.type_id, &cl);
				err = err ?: decide(o, i, &cl, &res, &targ, NULL);
				free(cl.cands);
				memset(&cl, 0, sizeof(cl));
				if (err || !same_res(o->relos[i].r.kind, &res, targ.btf, want, wbtf)) {
					p_err("%s: verify: relocation %s (%s) of %s resolves differently against the minimized BTF",
					      lab, o->relos[i].name, kind_str(o->relos[i].r.kind), o->path);
					err = -EINVAL;
					break;
				}
			}
			if (!e->kernel)
				continue;
			/* 2: what libbpf sees at run time, kernel + blob merged */
			err = add_cands(&e->kix, o->btf, o->relos[i].r.type_id, &cl);
			err = err ?: lib_cands(bix, n, o->btf, o->relos[i].r.type_id, &cl);
			err = err ?: decide(o, i, &cl, &res, &targ, NULL);
			if (err || !same_res(o->relos[i].r.kind, &res, targ.btf, want, wbtf)) {
				char buf[1024];

				cand_list(buf, sizeof(buf), &cl, r->blobs, labels, n);
				p_err("%s: verify: relocation %s (%s) of %s resolves differently against kernel + minimized BTF (%s%s); force a side with --app-type/--kernel-type",
				      lab, o->relos[i].name, kind_str(o->relos[i].r.kind), o->path,
				      err ? "ambiguous: " : "candidates: ", buf);
				err = -EINVAL;
			}
			free(cl.cands);
		}
	}
	for (l = 0; l < n; l++)
		nindex_free(&bix[l]);
	free(bix);
	return err;
}

struct um_release *um_run(struct um_engine *e, struct btf *const *libs,
			  const char *const *labels, int n, bool verify)
{
	struct um_release *r = calloc(1, sizeof(*r));
	struct nindex *lix = calloc(n ? n : 1, sizeof(*lix));
	struct marks **lm = calloc(n ? n : 1, sizeof(*lm));
	struct tmpres **tr = calloc(e->nobj ? e->nobj : 1, sizeof(*tr));
	int oi, i, l, err = 0;

	if (!r || !lix || !lm || !tr)
		goto nomem;
	r->nobj = e->nobj;
	r->nlibs = n;
	r->dec = calloc(e->nobj ? e->nobj : 1, sizeof(*r->dec));
	r->blobs = calloc(n ? n : 1, sizeof(*r->blobs));
	if (!r->dec || !r->blobs)
		goto nomem;
	for (l = 0; l < n; l++) {
		if (nindex_init(&lix[l], libs[l]) || !(lm[l] = marks_new(libs[l])))
			goto nomem;
	}
	for (oi = 0; oi < e->nobj && !err; oi++) {
		struct obj *o = &e->objs[oi];

		r->dec[oi] = calloc(o->n ? o->n : 1, sizeof(**r->dec));
		tr[oi] = calloc(o->n ? o->n : 1, sizeof(**tr));
		if (!r->dec[oi] || !tr[oi])
			goto nomem;
		for (i = 0; i < o->n && !err; i++) {
			struct relo *rl = &o->relos[i];
			struct um_decision *d = &r->dec[oi][i];
			struct bpf_core_cand_list cl = {}, matched = {};
			struct bpf_core_relo_res res;
			struct bpf_core_spec targ;
			char buf[1024];
			int j;

			d->lib = -1;
			if (rl->r.kind == BPF_CORE_TYPE_ID_LOCAL) {
				d->side = UM_LOCAL;
				err = decide(o, i, NULL, &res, &targ, NULL);
				if (!err)
					fill_decision(d, rl->r.kind, &res, &targ);
				else	/* e.g. an access string other than "0" */
					p_err("%s: relocation %s (%s): libbpf cannot parse it (%d)",
					      o->path, rl->name, kind_str(rl->r.kind), err);
				tr[oi][i].res = res;
				continue;
			}
			err = lib_cands(lix, n, o->btf, rl->r.type_id, &cl);
			if (err)
				break;
			/* Library first; a name found in neither the library
			 * nor the kernel is a type this release lacks. */
			if (rl->force)
				d->side = rl->force;
			else if (cl.len)
				d->side = UM_APP;
			else if (!e->kernel || (err = kernel_has(e, o, rl->r.type_id)) != 0)
				d->side = UM_KERNEL;
			else
				d->side = UM_APP;
			if (err < 0)
				break;
			err = 0;
			if (d->side == UM_KERNEL) {
				free(cl.cands);
				if (!e->kernel) {
					d->unresolved = true;
					snprintf(d->value_str, sizeof(d->value_str), "-");
					continue;
				}
				err = kernel_decide(e, o, i);
				if (err)
					break;
				fill_decision(d, rl->r.kind, &rl->kres, &rl->ktarg);
				tr[oi][i].res = rl->kres;
				tr[oi][i].tbtf = rl->ktarg.btf;
				continue;
			}
			err = decide(o, i, &cl, &res, &targ, &matched);
			if (err) {
				cand_list(buf, sizeof(buf), &cl, libs, labels, n);
				if (cl.len > 1)
					p_err("%s: relocation %s (%s) of %s is ambiguous: %s",
					      n ? labels[0] : o->path, rl->name, kind_str(rl->r.kind),
					      o->path, buf);
				else
					p_err("%s: relocation %s (%s) of %s: libbpf cannot resolve it (%d)",
					      n ? labels[0] : o->path, rl->name, kind_str(rl->r.kind),
					      o->path, err);
				free(cl.cands);
				break;
			}
			for (j = 1; j < matched.len; j++) {
				if (same_shape(matched.cands[0].btf, matched.cands[0].id,
					       matched.cands[j].btf, matched.cands[j].id))
					continue;
				cand_list(buf, sizeof(buf), &matched, libs, labels, n);
				p_err("%s: relocation %s (%s) of %s is ambiguous: different definitions %s",
				      n ? labels[0] : o->path, rl->name, kind_str(rl->r.kind),
				      o->path, buf);
				err = -EINVAL;
				break;
			}
			free(matched.cands);
			free(cl.cands);
			if (err)
				break;
			fill_decision(d, rl->r.kind, &res, &targ);
			tr[oi][i].res = res;
			tr[oi][i].tbtf = targ.btf;
			for (l = 0; l < n; l++) {
				if (targ.btf == libs[l]) {
					d->lib = l;
					err = record_spec(lm[l], &targ);
				}
			}
			if (!err && e->kernel) {
				memset(&cl, 0, sizeof(cl));
				err = add_cands(&e->kix, o->btf, rl->r.type_id, &cl);
				if (!err && cl.len) {
					const struct btf_type *t = btf__type_by_id(o->btf, rl->r.type_id);
					char nm[160];

					snprintf(nm, sizeof(nm), "%s %.*s", kname(t),
						 (int)bpf_core_essential_name_len(btf__name_by_offset(o->btf, t->name_off)),
						 btf__name_by_offset(o->btf, t->name_off));
					err = add_shadow(r, nm);
				}
				free(cl.cands);
			}
		}
	}
	if (err)
		goto fail;
	for (l = 0; l < n; l++) {
		r->blobs[l] = build_blob(lm[l]);
		if (!r->blobs[l]) {
			p_err("%s: cannot build minimized BTF: %s", labels[l], strerror(errno));
			goto fail;
		}
	}
	if (verify && verify_release(e, r, tr, libs, labels, n))
		goto fail;
	goto out;
nomem:
	p_err("out of memory");
fail:
	um_release_free(r);
	r = NULL;
out:
	for (l = 0; lix && l < n; l++)
		nindex_free(&lix[l]);
	for (l = 0; lm && l < n; l++)
		marks_free(lm[l]);
	for (oi = 0; tr && oi < e->nobj; oi++)
		free(tr[oi]);
	free(tr);
	free(lix);
	free(lm);
	return r;
}

void um_release_free(struct um_release *r)
{
	int i;

	if (!r)
		return;
	for (i = 0; r->dec && i < r->nobj; i++)
		free(r->dec[i]);
	for (i = 0; r->blobs && i < r->nlibs; i++)
		btf__free(r->blobs[i]);
	for (i = 0; i < r->nshadow; i++)
		free((char *)r->shadow[i]);
	free(r->shadow);
	free(r->dec);
	free(r->blobs);
	free(r);
}

const struct um_decision *um_decision_get(const struct um_release *r, int obj, int relo)
{
	return &r->dec[obj][relo];
}

const struct btf *um_release_blob(const struct um_release *r, int lib)
{
	return r->blobs[lib];
}

int um_release_shadowed(const struct um_release *r, const char *const **names)
{
	*names = r->shadow;
	return r->nshadow;
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

void um_kernel_needs(const struct um_engine *e, int obj, um_type_cb cb, void *ctx)
{
	const struct marks *m = e->objs[obj].kmarks;
	__u32 *ids, n = 0, i;

	if (!m)
		return;
	ids = calloc(m->n, sizeof(*ids));
	if (!ids)
		return;
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
		cb(ctx, kname(t), btf__name_by_offset(m->btf, t->name_off), mem, nm);
	}
	free(ids);
}

struct btf *um_kernel_blob(const struct um_engine *e)
{
	if (!e->kmarks) {
		errno = EINVAL;
		return NULL;
	}
	return build_blob(e->kmarks);
}
