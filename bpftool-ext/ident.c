// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* gen min engine, names: the essential-name index that finds candidates as
 * libbpf does, and the printable kinds and type identities that messages
 * and decisions compare. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "minimize_internal.h"

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

int um_nindex_init(struct nindex *ix, const struct btf *btf)
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

void um_nindex_free(struct nindex *ix)
{
	free(ix->e);
	ix->e = NULL;
	ix->n = 0;
}

/* Same candidates, in the same order, as libbpf's bpf_core_add_cands(). */
int um_add_cands(const struct nindex *ix, const struct btf *lbtf, __u32 lid,
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

const char *um_kind_str(int kind)
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

const char *um_kname(const struct btf_type *t)
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
void um_type_ident(const struct btf *btf, __u32 id, char *buf, size_t sz, int depth)
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
		snprintf(buf, sz, "%s %s", um_kname(t), name);
		return;
	}
	if (depth > 4) {
		snprintf(buf, sz, "%s", um_kname(t));
		return;
	}
	if (btf_is_ptr(t)) {
		/* pointees are not kept unless a relocation needs them */
		snprintf(buf, sz, "ptr");
	} else if (btf_is_mod(t) || btf_is_typedef(t)) {
		um_type_ident(btf, t->type, sub, sizeof(sub), depth + 1);
		snprintf(buf, sz, "%s(%.100s)", um_kname(t), sub);
	} else if (btf_is_array(t)) {
		um_type_ident(btf, btf_array(t)->type, sub, sizeof(sub), depth + 1);
		snprintf(buf, sz, "array[%u](%.100s)", btf_array(t)->nelems, sub);
	} else if (btf_is_composite(t) || btf_is_any_enum(t)) {
		snprintf(buf, sz, "%s{%u}", um_kname(t), t->size);
	} else {
		snprintf(buf, sz, "%s", um_kname(t));
	}
}

bool um_same_ident(const struct btf *a, __u32 ida, const struct btf *b, __u32 idb)
{
	char x[128], y[128];

	if (!ida || !idb || !a || !b)
		return ida == idb;
	um_type_ident(a, ida, x, sizeof(x), 0);
	um_type_ident(b, idb, y, sizeof(y), 0);
	return !strcmp(x, y);
}

/* Two candidates are "the same definition" when they agree on size and on
 * every member's name, offset and type identity (duplicates dedup missed). */
bool um_same_shape(const struct btf *a, __u32 ida, const struct btf *b, __u32 idb)
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
			    !um_same_ident(a, btf_members(x)[i].type, b, btf_members(y)[i].type))
				return false;
		}
	} else if (btf_is_any_enum(x)) {
		return x->size == y->size;
	}
	return true;
}

void um_cand_list(char *buf, size_t sz, const struct bpf_core_cand_list *cl,
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
		um_type_ident(cl->cands[i].btf, cl->cands[i].id, id, sizeof(id), 0);
		off += snprintf(buf + off, sz - off, "%s%s [%u] size %u in %s", i ? ", " : "",
				id, cl->cands[i].id,
				btf_is_composite(t) || btf_is_any_enum(t) || btf_is_int(t) ? t->size : 0,
				where);
	}
}

static __u32 skip_mods_typedefs(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	int depth = 0;

	while (t && (btf_is_mod(t) || btf_is_typedef(t)) && depth++ < 64) {
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	return id;
}

/* The runtime's kernel types are pruned (lib/kbtf.h): typedefs and
 * modifiers skipped, pointers to void, only the roots keep their names.
 * What a field's type must keep for libbpf is its layout. */
bool um_same_layout(const struct btf *a, __u32 ida, const struct btf *b, __u32 idb, int depth)
{
	const struct btf_type *x, *y;
	const char *nx, *ny;

	if (!a || !b)
		return ida == idb;
	ida = skip_mods_typedefs(a, ida);
	idb = skip_mods_typedefs(b, idb);
	if (!ida || !idb)
		return ida == idb;
	x = btf__type_by_id(a, ida);
	y = btf__type_by_id(b, idb);
	if (!x || !y || btf_kind(x) != btf_kind(y) || depth > 8)
		return x && y && btf_kind(x) == btf_kind(y);
	nx = btf__name_by_offset(a, x->name_off);
	ny = btf__name_by_offset(b, y->name_off);
	switch (btf_kind(x)) {
	case BTF_KIND_PTR:
		return true;
	case BTF_KIND_INT:
		return x->size == y->size && btf_int_encoding(x) == btf_int_encoding(y) &&
		       btf_int_bits(x) == btf_int_bits(y) && btf_int_offset(x) == btf_int_offset(y);
	case BTF_KIND_FLOAT:
		return x->size == y->size;
	case BTF_KIND_ARRAY:
		return btf_array(x)->nelems == btf_array(y)->nelems &&
		       um_same_layout(a, btf_array(x)->type, b, btf_array(y)->type, depth + 1);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		return x->size == y->size && (!nx || !nx[0] || !ny || !ny[0] || !strcmp(nx, ny));
	default:
		return nx && ny && !strcmp(nx, ny);
	}
}
