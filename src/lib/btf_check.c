/* Type graph checks (btf_check.h): an iterative depth-first walk over
 * by-value edges, so that a crafted graph can neither loop nor overflow
 * the stack of the check itself. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/btf.h>
#include <bpf/btf.h>
#include "lib/btf_check.h"
#include "lib/errmsg.h"

enum { UNSEEN, ON_WALK, CHECKED };

/* Types a type contains by value: what a walk that resolves a type's
 * layout (libbpf's skip_mods_and_typedefs(), the pruner's emit()) follows
 * without ever stopping at a pointer. */
static uint32_t by_value_cnt(const struct btf_type *t)
{
	switch (btf_kind(t)) {
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_TYPE_TAG:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
	case BTF_KIND_ARRAY:
		return 1;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_DATASEC:
		return btf_vlen(t);
	default:
		return 0;
	}
}

static uint32_t by_value_ref(const struct btf_type *t, uint32_t i)
{
	switch (btf_kind(t)) {
	case BTF_KIND_ARRAY:
		return btf_array(t)->type;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return btf_members(t)[i].type;
	case BTF_KIND_DATASEC:
		return btf_var_secinfos(t)[i].type;
	default:
		return t->type;
	}
}

static int bad_id(const struct ucb_btf_check *c, uint32_t id, uint32_t ref)
{
	if (ref < c->v.cnt)
		return 0;
	return ucb_errf(-EINVAL, "%s: corrupt BTF: type [%u] refers to type [%u], past the last type [%u]",
			c->v.path, id, ref, c->v.cnt - 1);
}

static int bad_str(const struct ucb_btf_check *c, uint32_t id, uint32_t off)
{
	if (c->v.str(c->v.ctx, off))
		return 0;
	return ucb_errf(-EINVAL, "%s: corrupt BTF: type [%u] has a name at string offset %u, "
			"past the strings", c->v.path, id, off);
}

/* Every id and string offset t refers to is in range. */
static int check_refs(const struct ucb_btf_check *c, uint32_t id, const struct btf_type *t)
{
	uint32_t i, n = btf_vlen(t);
	int err = bad_str(c, id, t->name_off);

	switch (btf_kind(t)) {
	case BTF_KIND_INT:
	case BTF_KIND_FWD:
	case BTF_KIND_FLOAT:
		break;
	case BTF_KIND_ARRAY:
		err = err ?: bad_id(c, id, btf_array(t)->type);
		err = err ?: bad_id(c, id, btf_array(t)->index_type);
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		for (i = 0; i < n && !err; i++) {
			err = bad_str(c, id, btf_members(t)[i].name_off);
			err = err ?: bad_id(c, id, btf_members(t)[i].type);
		}
		break;
	case BTF_KIND_ENUM:
		for (i = 0; i < n && !err; i++)
			err = bad_str(c, id, btf_enum(t)[i].name_off);
		break;
	case BTF_KIND_ENUM64:
		for (i = 0; i < n && !err; i++)
			err = bad_str(c, id, btf_enum64(t)[i].name_off);
		break;
	case BTF_KIND_FUNC_PROTO:
		err = err ?: bad_id(c, id, t->type);
		for (i = 0; i < n && !err; i++) {
			err = bad_str(c, id, btf_params(t)[i].name_off);
			err = err ?: bad_id(c, id, btf_params(t)[i].type);
		}
		break;
	case BTF_KIND_DATASEC:
		for (i = 0; i < n && !err; i++)
			err = bad_id(c, id, btf_var_secinfos(t)[i].type);
		break;
	case BTF_KIND_PTR:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
	case BTF_KIND_TYPE_TAG:
		err = err ?: bad_id(c, id, t->type);
		break;
	default:
		err = err ?: ucb_errf(-EINVAL, "%s: corrupt BTF: type [%u] has unknown kind %u",
				      c->v.path, id, btf_kind(t));
	}
	return err;
}

int ucb_btf_check_init(struct ucb_btf_check *c, const struct ucb_btf_view *v)
{
	size_t n = v->cnt ? v->cnt : 1;

	memset(c, 0, sizeof(*c));
	c->v = *v;
	/* Zeroed pages cost nothing until a walk touches them. */
	c->state = calloc(n, sizeof(*c->state));
	c->depth = calloc(n, sizeof(*c->depth));
	c->next = calloc(n, sizeof(*c->next));
	/* A walk deeper than the nesting bound stops (ucb_btf_check_type). */
	c->stack = calloc(n < UCB_BTF_MAX_NESTING + 2 ? n : UCB_BTF_MAX_NESTING + 2, sizeof(*c->stack));
	if (!c->state || !c->depth || !c->next || !c->stack) {
		ucb_btf_check_free(c);
		return ucb_errf(-ENOMEM, "%s: out of memory", v->path);
	}
	return 0;
}

void ucb_btf_check_free(struct ucb_btf_check *c)
{
	free(c->state);
	free(c->depth);
	free(c->next);
	free(c->stack);
	memset(c, 0, sizeof(*c));
}

/* Push id on the walk after checking what it refers to. */
static int walk_push(struct ucb_btf_check *c, uint32_t *sp, uint32_t id)
{
	const struct btf_type *t = c->v.type(c->v.ctx, id);
	int err;

	if (!t)
		return ucb_errf(-EINVAL, "%s: corrupt BTF: no type [%u]", c->v.path, id);
	err = check_refs(c, id, t);
	if (err)
		return err;
	c->state[id] = ON_WALK;
	c->next[id] = 0;
	c->stack[(*sp)++] = id;
	return 0;
}

/* All children of cur are checked: its depth is one more than theirs. */
static int walk_pop(struct ucb_btf_check *c, uint32_t cur, const struct btf_type *t)
{
	uint32_t i, n = by_value_cnt(t), ref, d = 0;

	for (i = 0; i < n; i++) {
		ref = by_value_ref(t, i);
		if (ref && c->depth[ref] > d)
			d = c->depth[ref];
	}
	if (d + 1 > UCB_BTF_MAX_NESTING)
		return ucb_errf(-ELOOP, "%s: corrupt BTF: type [%u] is nested more than %d levels deep",
				c->v.path, cur, UCB_BTF_MAX_NESTING);
	c->depth[cur] = d + 1;
	c->state[cur] = CHECKED;
	return 0;
}

int ucb_btf_check_type(struct ucb_btf_check *c, uint32_t id)
{
	uint32_t sp = 0, cur, child;
	const struct btf_type *t;
	int err;

	if (!id || (id < c->v.cnt && c->state[id] == CHECKED))
		return 0;
	if (id >= c->v.cnt)
		return ucb_errf(-EINVAL, "%s: corrupt BTF: no type [%u]", c->v.path, id);
	err = walk_push(c, &sp, id);
	while (sp && !err) {
		cur = c->stack[sp - 1];
		t = c->v.type(c->v.ctx, cur);
		if (c->next[cur] >= by_value_cnt(t)) {
			err = walk_pop(c, cur, t);
			sp--;
			continue;
		}
		child = by_value_ref(t, c->next[cur]++);
		if (!child || c->state[child] == CHECKED)
			continue;
		if (c->state[child] == ON_WALK)
			return ucb_errf(-ELOOP, "%s: corrupt BTF: type [%u] contains itself (through type [%u])",
					c->v.path, child, cur);
		/* A walk deeper than the nesting bound is a loop or a chain
		 * too deep: stop before the stack could grow with it. */
		if (sp > UCB_BTF_MAX_NESTING)
			return ucb_errf(-ELOOP, "%s: corrupt BTF: type [%u] is nested more than %d levels deep",
					c->v.path, id, UCB_BTF_MAX_NESTING);
		err = walk_push(c, &sp, child);
	}
	return err;
}

static const struct btf_type *libbpf_type(const void *ctx, uint32_t id)
{
	return btf__type_by_id(ctx, id);
}

static const char *libbpf_str(const void *ctx, uint32_t off)
{
	return btf__str_by_offset(ctx, off);
}

int ucb_btf_check_graph(const struct btf *btf, const char *path)
{
	struct ucb_btf_view v = { btf, libbpf_type, libbpf_str, btf__type_cnt(btf), path };
	struct ucb_btf_check c;
	uint32_t id;
	int err;

	/* libbpf accepts a header length that is not a multiple of 4 and then
	 * keeps the types where they fall: every reader of a btf_type (ours,
	 * and libbpf's) would read them misaligned. */
	for (id = 1; id < v.cnt; id++)
		if ((uintptr_t)btf__type_by_id(btf, id) % 4)
			return ucb_errf(-EINVAL, "%s: corrupt BTF: type [%u] is not 4-byte aligned (header length?)",
					path, id);
	err = ucb_btf_check_init(&c, &v);
	for (id = 1; id < v.cnt && !err; id++)
		err = ucb_btf_check_type(&c, id);
	ucb_btf_check_free(&c);
	return err;
}

int ucb_btf_raw_parse(const void *data, size_t size, struct ucb_btf_raw *r)
{
	const struct btf_header *h = data;
	const uint8_t *base;

	if (size < sizeof(*h) || h->magic != BTF_MAGIC || h->version != BTF_VERSION ||
	    h->hdr_len < sizeof(*h) || h->hdr_len > size ||
	    (uint64_t)h->type_off + h->type_len > size - h->hdr_len ||
	    (uint64_t)h->str_off + h->str_len > size - h->hdr_len || h->type_off % 4 ||
	    h->hdr_len % 4 || h->type_len % 4 || !h->str_len)
		return -EINVAL;
	base = (const uint8_t *)data + h->hdr_len;
	if (base[h->str_off + h->str_len - 1])
		return -EINVAL;
	r->types = base + h->type_off;
	r->types_len = h->type_len;
	r->strs = (const char *)base + h->str_off;
	r->str_len = h->str_len;
	return 0;
}

long ucb_btf_raw_type_cnt(const void *data, size_t size, uint32_t max)
{
	struct ucb_btf_raw r;
	const uint8_t *p, *end;
	long n = 0;
	size_t sz;

	if (ucb_btf_raw_parse(data, size, &r))
		return -EINVAL;
	/* The type section may be unaligned inside a bundle record. */
	if ((uintptr_t)r.types % 4)
		return -EINVAL;
	for (p = r.types, end = p + r.types_len; p < end && n <= max; n++, p += sz) {
		const struct btf_type *t = (const void *)p;

		if ((size_t)(end - p) < sizeof(*t) || !(sz = ucb_btf_type_size(t)) ||
		    sz > (size_t)(end - p))
			return -EINVAL;
	}
	return n;
}
