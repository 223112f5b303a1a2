/* The kernel BTF pruner (kbtf.h): the needed types, and of them only the
 * members the needs' paths name, copied into a new BTF. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/btf.h>
#include <bpf/btf.h>
#include "lib/btf_check.h"
#include "lib/errmsg.h"
#include "lib/kbtf.h"

/* Steps of member search a prune may take: real needs take thousands. */
#define UCB_KBTF_MAX_WORK (1ul << 24)

struct keep {
	uint32_t id;		/* kernel type id of a struct, union or enum */
	bool all, named;
	uint8_t *bits;		/* members kept, by index */
};

struct idslot {
	uint32_t id;
	int out;		/* its id in out, once emitted */
	uint32_t keep;		/* its index in keeps + 1, if kept */
};

struct pruner {
	const struct ucb_kbtf *k;
	struct btf *out;
	struct idslot *slots;	/* the kernel ids met: a hash table, not */
	uint32_t slot_cap;	/* two arrays as long as the kernel BTF */
	uint32_t slot_cnt;
	struct keep *keeps;
	size_t keep_cnt, keep_cap;
	int void_ptr;
	struct ucb_btf_check check;	/* what the walks reach, checked first */
	size_t work;		/* member search steps left */
};

static const struct btf_type *view_type(const void *ctx, uint32_t id)
{
	return ucb_kbtf_type(ctx, id);
}

static const char *view_str(const void *ctx, uint32_t off)
{
	const struct ucb_kbtf *k = ctx;

	return off < k->str_len ? k->strs + off : NULL;
}

/* Each search step costs one unit: a crafted kernel BTF (anonymous
 * members nested in anonymous members) cannot make a prune take long. */
static int spend(struct pruner *p)
{
	if (p->work) {
		p->work--;
		return 0;
	}
	return ucb_errf(-E2BIG, "%s: more than %lu steps to find the needed members (crafted BTF?)",
			p->k->path ?: "kernel BTF", UCB_KBTF_MAX_WORK);
}

static const char *kname(const struct ucb_kbtf *k, uint32_t off)
{
	return off < k->str_len ? k->strs + off : "";
}

static const struct btf_type *ktype(const struct ucb_kbtf *k, uint32_t id)
{
	return ucb_kbtf_type(k, id);
}

/* Skip typedefs and modifiers; returns the id of what is underneath. */
static uint32_t skip_mods(const struct ucb_kbtf *k, uint32_t id)
{
	const struct btf_type *t;
	int depth = 0;

	while ((t = ktype(k, id)) && depth++ < 64) {
		switch (btf_kind(t)) {
		case BTF_KIND_TYPEDEF: case BTF_KIND_CONST: case BTF_KIND_VOLATILE:
		case BTF_KIND_RESTRICT: case BTF_KIND_TYPE_TAG:
			id = t->type;
			continue;
		}
		break;
	}
	return id;
}

/* Open addressing on the kernel id; id 0 marks a free slot. */
static struct idslot *slot_find(const struct pruner *p, uint32_t id)
{
	uint32_t i, mask = p->slot_cap - 1;

	if (!p->slot_cap || !id)
		return NULL;
	for (i = (id * 0x9e3779b1u) & mask; p->slots[i].id; i = (i + 1) & mask)
		if (p->slots[i].id == id)
			return &p->slots[i];
	return NULL;
}

static struct idslot *slot_add(struct pruner *p, uint32_t id)
{
	struct idslot *s = slot_find(p, id), *old = p->slots;
	uint32_t i, j, cap = p->slot_cap, mask;

	if (s)
		return s;
	if (2 * (p->slot_cnt + 1) > cap) {
		p->slot_cap = cap ? cap * 2 : 256;
		p->slots = calloc(p->slot_cap, sizeof(*p->slots));
		if (!p->slots) {
			p->slots = old;
			p->slot_cap = cap;
			return NULL;
		}
		mask = p->slot_cap - 1;
		for (i = 0; i < cap; i++) {
			if (!old[i].id)
				continue;
			for (j = (old[i].id * 0x9e3779b1u) & mask; p->slots[j].id; j = (j + 1) & mask)
				;
			p->slots[j] = old[i];
		}
		free(old);
	}
	mask = p->slot_cap - 1;
	for (i = (id * 0x9e3779b1u) & mask; p->slots[i].id; i = (i + 1) & mask)
		;
	p->slots[i].id = id;
	p->slot_cnt++;
	return &p->slots[i];
}

/* Out id of kernel type id, 0 if not emitted yet. */
static int out_of(const struct pruner *p, uint32_t id)
{
	const struct idslot *s = slot_find(p, id);

	return s ? s->out : 0;
}

static int set_out(struct pruner *p, uint32_t id, int out)
{
	struct idslot *s = slot_add(p, id);

	if (!s)
		return -ENOMEM;
	s->out = out;
	return out;
}

/* The keep of id, made if new.  The pointer is valid until the next
 * keep_get(). */
static struct keep *keep_get(struct pruner *p, uint32_t id)
{
	const struct btf_type *t = ktype(p->k, id);
	struct idslot *s = slot_add(p, id);
	struct keep *kp;

	if (!s)
		return NULL;
	if (s->keep)
		return &p->keeps[s->keep - 1];
	if (p->keep_cnt == p->keep_cap) {
		kp = realloc(p->keeps, (p->keep_cap ? p->keep_cap * 2 : 64) * sizeof(*kp));
		if (!kp)
			return NULL;
		p->keeps = kp;
		p->keep_cap = p->keep_cap ? p->keep_cap * 2 : 64;
	}
	kp = &p->keeps[p->keep_cnt];
	*kp = (struct keep){ .id = id, .bits = calloc(1, btf_vlen(t) / 8 + 1) };
	if (!kp->bits)
		return NULL;
	s->keep = ++p->keep_cnt;
	return kp;
}

static struct keep *keep_find(const struct pruner *p, uint32_t id)
{
	const struct idslot *s = slot_find(p, id);

	return s && s->keep ? &p->keeps[s->keep - 1] : NULL;
}

/* Find member name in composite id, directly or inside anonymous members
 * (as libbpf does), keeping every member on the way.  Returns the member's
 * type id, 0 if absent, -ENOMEM. */
static long keep_member(struct pruner *p, uint32_t id, const char *name, int depth)
{
	const struct btf_type *t = ktype(p->k, id);
	const struct btf_member *m;
	struct keep *kp;
	uint32_t mt;
	long r;
	int i;

	if (!t || !btf_is_composite(t) || depth > 32)
		return 0;
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++) {
		if (spend(p))
			return -E2BIG;
		if (m[i].name_off && !strcmp(kname(p->k, m[i].name_off), name)) {
			kp = keep_get(p, id);
			if (!kp)
				return -ENOMEM;
			kp->bits[i / 8] |= 1 << (i % 8);
			return m[i].type ? m[i].type : 0;
		}
	}
	for (i = 0; i < btf_vlen(t); i++) {
		if (m[i].name_off)
			continue;
		mt = skip_mods(p->k, m[i].type);
		r = keep_member(p, mt, name, depth + 1);
		if (r < 0)
			return r;
		if (r) {
			kp = keep_get(p, id);
			if (!kp)
				return -ENOMEM;
			kp->bits[i / 8] |= 1 << (i % 8);
			return r;
		}
	}
	return 0;
}

/* Anonymous composites are part of their parent's member namespace for
 * CO-RE: a whole parent keeps them whole. */
static int mark_anon_all(struct pruner *p, uint32_t id, int depth)
{
	const struct btf_type *t;
	struct keep *kp;
	int i;

	id = skip_mods(p->k, id);
	while ((t = ktype(p->k, id)) && btf_is_array(t))
		id = skip_mods(p->k, btf_array(t)->type);
	if (!t || !btf_is_composite(t) || t->name_off || depth > 32)
		return 0;
	kp = keep_get(p, id);
	if (!kp)
		return -ENOMEM;
	if (kp->all)
		return 0;
	kp->all = true;
	for (i = 0; i < btf_vlen(t); i++) {
		int err = mark_anon_all(p, btf_members(t)[i].type, depth + 1);

		if (err)
			return err;
	}
	return 0;
}

static int mark_need_path(struct pruner *p, uint32_t id, char *path);

static int mark_need(struct pruner *p, uint32_t root, const char *path, bool named)
{
	const struct btf_type *t;
	struct keep *kp;
	char *copy;
	int i, ret;

	/* Everything the walks below and emit() reach from root by value. */
	ret = ucb_btf_check_type(&p->check, root);
	if (ret)
		return ret;
	kp = keep_get(p, root);
	if (!kp)
		return -ENOMEM;
	if (named)
		kp->named = true;
	t = ktype(p->k, root);
	if (!strcmp(path, "-")) {
		kp->all = true;
		for (i = 0; btf_is_composite(t) && i < btf_vlen(t); i++) {
			int err = mark_anon_all(p, btf_members(t)[i].type, 0);

			if (err)
				return err;
		}
		return 0;
	}
	if (btf_is_enum(t) || btf_is_enum64(t)) {
		for (i = 0; i < btf_vlen(t); i++) {
			uint32_t off = btf_is_enum(t) ? btf_enum(t)[i].name_off : btf_enum64(t)[i].name_off;

			if (!strcmp(kname(p->k, off), path))
				kp->bits[i / 8] |= 1 << (i % 8);
		}
		return 0;
	}
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	ret = mark_need_path(p, root, copy);
	free(copy);
	return ret;
}

/* Keep the members along path ("a.b.c", modified in place) from id. */
static int mark_need_path(struct pruner *p, uint32_t id, char *path)
{
	const struct btf_type *t;
	char *comp, *save;
	long r;

	for (comp = strtok_r(path, ".", &save); comp; comp = strtok_r(NULL, ".", &save)) {
		r = keep_member(p, id, comp, 0);
		if (r < 0)
			return r;
		if (!r)		/* absent in this kernel: field-exists says no */
			return 0;
		/* Go on through embedded composites and arrays of them.  One
		 * relocation never follows a pointer; a path that does
		 * ("mm.arg_start") means a second root: the pointee, which is
		 * kept named while the pointer member stays void *. */
		id = skip_mods(p->k, r);
		while ((t = ktype(p->k, id)) && btf_is_array(t))
			id = skip_mods(p->k, btf_array(t)->type);
		if (t && btf_is_ptr(t) && *save) {
			id = skip_mods(p->k, t->type);
			t = ktype(p->k, id);
			if (!t || !btf_is_composite(t) || !t->name_off)
				return 0;
			return mark_need(p, id, save, true);
		}
		if (!t || !btf_is_composite(t))
			return 0;
	}
	return 0;
}

static int emit(struct pruner *p, uint32_t id);

static int emit_composite(struct pruner *p, uint32_t id, const struct keep *kp)
{
	const struct btf_type *t = ktype(p->k, id);
	const struct btf_member *m = btf_members(t);
	int i, vlen = btf_vlen(t), *mtypes, ret = 0;
	const char *name = kp->named ? kname(p->k, t->name_off) : "";

	mtypes = calloc(vlen + 1, sizeof(*mtypes));
	if (!mtypes)
		return -ENOMEM;
	/* Member types first: libbpf wants a struct's fields right after it. */
	for (i = 0; i < vlen && ret >= 0; i++)
		if (kp->all || kp->bits[i / 8] & (1 << (i % 8)))
			ret = mtypes[i] = emit(p, m[i].type);
	if (ret >= 0)
		ret = btf_is_struct(t) ? btf__add_struct(p->out, name, t->size)
				       : btf__add_union(p->out, name, t->size);
	if (ret >= 0)
		ret = set_out(p, id, ret);
	for (i = 0; i < vlen && ret >= 0; i++)
		if (kp->all || kp->bits[i / 8] & (1 << (i % 8))) {
			int e = btf__add_field(p->out, kname(p->k, m[i].name_off), mtypes[i],
					       btf_member_bit_offset(t, i),
					       btf_member_bitfield_size(t, i));
			if (e < 0)
				ret = e;
		}
	free(mtypes);
	return ret < 0 ? ret : out_of(p, id);
}

static int emit_enum(struct pruner *p, uint32_t id, const struct keep *kp)
{
	const struct btf_type *t = ktype(p->k, id);
	const char *name = kp && kp->named ? kname(p->k, t->name_off) : "";
	bool is64 = btf_is_enum64(t), sign = btf_kflag(t);
	int i, ret;

	ret = is64 ? btf__add_enum64(p->out, name, t->size, sign) : btf__add_enum(p->out, name, t->size);
	if (ret < 0 || !kp)
		return ret;
	for (i = 0; i < btf_vlen(t); i++) {
		int e;

		if (!kp->all && !(kp->bits[i / 8] & (1 << (i % 8))))
			continue;
		if (is64)
			e = btf__add_enum64_value(p->out, kname(p->k, btf_enum64(t)[i].name_off),
						  btf_enum64_value(&btf_enum64(t)[i]));
		else
			e = btf__add_enum_value(p->out, kname(p->k, btf_enum(t)[i].name_off),
						btf_enum(t)[i].val);
		if (e < 0)
			return e;
	}
	return ret;
}

/* Out id for kernel type id as a member or element type. */
static int emit(struct pruner *p, uint32_t id)
{
	const struct btf_type *t;
	struct keep *kp;
	int ret, elem, idx;

	id = skip_mods(p->k, id);
	t = ktype(p->k, id);
	if (!id || !t)
		return 0;
	if ((ret = out_of(p, id)))
		return ret;
	kp = keep_find(p, id);
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		ret = btf__add_int(p->out, kname(p->k, t->name_off), t->size,
				   BTF_INT_ENCODING(*(const __u32 *)(t + 1)));
		break;
	case BTF_KIND_FLOAT:
		ret = btf__add_float(p->out, kname(p->k, t->name_off), t->size);
		break;
	case BTF_KIND_PTR:
		if (!p->void_ptr)
			p->void_ptr = btf__add_ptr(p->out, 0);
		return p->void_ptr;
	case BTF_KIND_ARRAY:
		elem = emit(p, btf_array(t)->type);
		/* The index type is no by-value edge the check followed: emit
		 * it only if it is the int it always is. */
		idx = skip_mods(p->k, btf_array(t)->index_type);
		idx = elem < 0 ? elem : ktype(p->k, idx) && btf_is_int(ktype(p->k, idx)) ? emit(p, idx) : 0;
		if (idx < 0)
			return idx;
		ret = btf__add_array(p->out, idx, elem, btf_array(t)->nelems);
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		if (kp)
			return emit_composite(p, id, kp);
		ret = btf_is_struct(t) ? btf__add_struct(p->out, "", t->size)
				       : btf__add_union(p->out, "", t->size);
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		ret = emit_enum(p, id, kp);
		break;
	default:		/* functions, forwards: only behind pointers */
		return 0;
	}
	if (ret > 0)
		ret = set_out(p, id, ret);
	return ret;
}

int ucb_kbtf_prune(const struct ucb_kbtf *k, const struct ucb_kneed *needs, size_t cnt,
		   struct btf *out, const char ***roots, int **root_kinds, size_t *root_cnt)
{
	struct ucb_btf_view view = { k, view_type, view_str, k->cnt, k->path ?: "kernel BTF" };
	struct pruner p = { .k = k, .out = out, .work = UCB_KBTF_MAX_WORK };
	uint32_t root;
	size_t i;
	int ret = 0;

	*roots = NULL;
	*root_kinds = NULL;
	*root_cnt = 0;
	if (ucb_btf_check_init(&p.check, &view)) {
		ret = ucb_errf(-ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < cnt && !ret; i++) {
		root = ucb_kbtf_root(k, needs[i].name, needs[i].kind);
		if (!root)
			continue;	/* not in this kernel: type-exists says no */
		/* The root and all it holds by value, before any walk. */
		ret = ucb_btf_check_type(&p.check, root);
		if (ret)
			break;
		if (needs[i].kind == BTF_KIND_TYPEDEF) {
			/* The typedef root stays named; what it names is pruned
			 * along the path like a struct root. */
			uint32_t under = skip_mods(k, root);

			if (under && ktype(k, under) && btf_is_composite(ktype(k, under)))
				ret = mark_need(&p, under, needs[i].path, false);
			continue;
		}
		ret = mark_need(&p, root, needs[i].path, true);
	}
	/* The check and the work bound said what is wrong. */
	if (ret == -ENOMEM)
		ucb_errf(ret, "out of memory");
	if (ret)
		goto out;
	/* Emit roots in need order (deterministic output). */
	*roots = calloc(cnt + p.keep_cnt + 1, sizeof(**roots));
	*root_kinds = calloc(cnt + p.keep_cnt + 1, sizeof(**root_kinds));
	if (!*roots || !*root_kinds)
		ret = -ENOMEM;
	for (i = 0; i < cnt && !ret; i++) {
		root = ucb_kbtf_root(k, needs[i].name, needs[i].kind);
		if (!root)
			continue;
		if (needs[i].kind == BTF_KIND_TYPEDEF) {
			if (!out_of(&p, root)) {
				int under = emit(&p, ktype(k, root)->type);

				ret = under < 0 ? under : btf__add_typedef(out, needs[i].name, under);
				if (ret > 0)
					ret = set_out(&p, root, ret);
			}
		} else {
			ret = emit(&p, root);
		}
		if (ret < 0) {
			ucb_errf(ret, "cannot copy kernel %s %s: %s", needs[i].kind == BTF_KIND_TYPEDEF ?
				 "typedef" : "type", needs[i].name, strerror(-ret));
			goto out;
		}
		ret = 0;
		if (needs[i].kind == BTF_KIND_TYPEDEF) {
			(*roots)[*root_cnt] = needs[i].name;
			(*root_kinds)[(*root_cnt)++] = needs[i].kind;
		}
	}
	/* Roots reached through pointers, then every named type emitted:
	 * those are the names libbpf will see. */
	for (i = 0; i < p.keep_cnt && !ret; i++)
		if (p.keeps[i].named && !out_of(&p, p.keeps[i].id)) {
			ret = emit(&p, p.keeps[i].id);
			ret = ret < 0 ? ret : 0;
		}
	for (i = 0; i < p.keep_cnt && !ret; i++) {
		const struct btf_type *t = ktype(k, p.keeps[i].id);

		if (!p.keeps[i].named)
			continue;
		(*roots)[*root_cnt] = kname(k, t->name_off);
		(*root_kinds)[(*root_cnt)++] = btf_is_union(t) ? BTF_KIND_UNION : btf_is_composite(t) ?
					       BTF_KIND_STRUCT : BTF_KIND_ENUM;
	}
	if (ret < 0)
		ucb_errf(ret, "cannot copy the kernel types: %s", strerror(-ret));
out:
	for (i = 0; i < p.keep_cnt; i++)
		free(p.keeps[i].bits);
	free(p.keeps);
	free(p.slots);
	ucb_btf_check_free(&p.check);
	if (ret) {
		free(*roots);
		free(*root_kinds);
		*roots = NULL;
		*root_kinds = NULL;
		*root_cnt = 0;
	}
	return ret;
}
