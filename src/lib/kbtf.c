/* Kernel types for the prepared BTF, without libbpf's full parse of the
 * 5 MB vmlinux BTF: one bounds-checked pass over the type section builds an
 * id -> type table, and only the needed types are ever looked at again. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/btf.h>
#include <linux/magic.h>
#include <bpf/btf.h>
#include "lib/btf_check.h"
#include "lib/errmsg.h"
#include "lib/fileio.h"
#include "lib/kbtf.h"

/* vmlinux BTF is 5 to 10 MB; modules' far less. */
#define UCB_KBTF_MAX_SIZE (256ul << 20)
/* Steps of member search a prune may take: real needs take thousands. */
#define UCB_KBTF_MAX_WORK (1ul << 24)

/* The running kernel's BTF in sysfs neither changes nor shrinks: map it
 * when the kernel allows.  Any other file is read: one truncated under a
 * mapping would kill the process with SIGBUS. */
static int kbtf_load(struct ucb_kbtf *k, int fd, const char *path, const struct stat *st)
{
	struct statfs sfs;
	void *m;
	size_t sz;
	int err;

	if (!fstatfs(fd, &sfs) && sfs.f_type == SYSFS_MAGIC && st->st_size > 0) {
		m = mmap(NULL, st->st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m != MAP_FAILED) {
			k->data = m;
			k->size = st->st_size;
			k->mapped = true;
			return 0;
		}
	}
	err = ucb_read_fd(fd, path, UCB_KBTF_MAX_SIZE, &m, &sz);
	if (err)
		return err;
	k->data = m;
	k->size = sz;
	return 0;
}

static int kind_of(const struct btf_type *t)
{
	int k = btf_kind(t);

	return k == BTF_KIND_ENUM64 ? BTF_KIND_ENUM : k;
}

struct wanted {
	const char *name;
	int kind;
	uint32_t id;
};

static int cmp_wanted(const void *a, const void *b)
{
	const struct wanted *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : x->kind - y->kind;
}

/* Called for each type as it is indexed: is it one of the wanted roots? */
static void match_wanted(struct ucb_kbtf *k, const uint8_t *first2, uint32_t id)
{
	const struct btf_type *t = k->types[id];
	struct wanted *w = k->want, key, *hit;
	size_t n = k->nwant;
	unsigned int f;
	int kd = kind_of(t);

	if (!t->name_off || (kd != BTF_KIND_STRUCT && kd != BTF_KIND_UNION &&
			     kd != BTF_KIND_ENUM && kd != BTF_KIND_TYPEDEF))
		return;
	key.name = k->strs + t->name_off;
	/* One bit test rules out most names before a binary search. */
	f = (unsigned char)key.name[0] << 8 | (unsigned char)(key.name[0] ? key.name[1] : 0);
	if (!(first2[f / 8] & (1 << (f % 8))))
		return;
	key.kind = kd;
	hit = bsearch(&key, w, n, sizeof(*w), cmp_wanted);
	if (!hit)
		return;
	/* Several needs may share name and kind: the first type wins. */
	while (hit > w && !cmp_wanted(hit - 1, &key))
		hit--;
	for (; hit < w + n && !cmp_wanted(hit, &key); hit++)
		if (!hit->id)
			hit->id = id;
}

int ucb_kbtf_open(const char *path, const struct ucb_kneed *needs, size_t cnt, struct ucb_kbtf *k)
{
	uint8_t first2[65536 / 8] = {};
	struct wanted *w;
	size_t i;
	struct ucb_btf_raw raw;
	const uint8_t *p, *end;
	struct stat st;
	size_t cap = 1 << 17, sz;
	const struct btf_type **tmp;
	int fd, ret;

	memset(k, 0, sizeof(*k));
	w = calloc(cnt + 1, sizeof(*w));
	if (!w)
		return ucb_errf(-ENOMEM, "out of memory");
	for (i = 0; i < cnt; i++) {
		unsigned int f = (unsigned char)needs[i].name[0] << 8 |
				 (unsigned char)(needs[i].name[0] ? needs[i].name[1] : 0);

		w[i] = (struct wanted){ needs[i].name, needs[i].kind, 0 };
		first2[f / 8] |= 1 << (f % 8);
	}
	qsort(w, cnt, sizeof(*w), cmp_wanted);
	k->want = w;
	k->nwant = cnt;
	k->path = path;
	fd = ucb_open_regular(AT_FDCWD, path, 0, &st);
	if (fd < 0) {
		ucb_kbtf_close(k);
		return fd;
	}
	ret = kbtf_load(k, fd, path, &st);
	close(fd);
	if (ret) {
		ucb_kbtf_close(k);
		return ret;
	}
	if (ucb_btf_raw_parse(k->data, k->size, &raw)) {
		ucb_kbtf_close(k);
		return ucb_errf(-EINVAL, "%s: not raw BTF (bad header)", path);
	}
	k->strs = raw.strs;
	k->str_len = raw.str_len;
	p = raw.types;
	end = p + raw.types_len;
	if ((uintptr_t)p % 4) {
		ucb_kbtf_close(k);
		return ucb_errf(-EINVAL, "%s: not raw BTF (unaligned type section)", path);
	}
	k->types = malloc(cap * sizeof(*k->types));
	if (!k->types) {
		ucb_kbtf_close(k);
		return ucb_errf(-ENOMEM, "%s: out of memory", path);
	}
	k->types[0] = NULL;
	k->cnt = 1;
	while (p < end) {
		const struct btf_type *t = (const void *)p;

		if ((size_t)(end - p) < sizeof(*t) || !(sz = ucb_btf_type_size(t)) || sz > (size_t)(end - p) ||
		    t->name_off >= k->str_len) {
			ucb_kbtf_close(k);
			return ucb_errf(-EINVAL, "%s: corrupt BTF type %u", path, k->cnt);
		}
		if (k->cnt == cap) {
			tmp = realloc(k->types, (cap *= 2) * sizeof(*tmp));
			if (!tmp) {
				ucb_kbtf_close(k);
				return ucb_errf(-ENOMEM, "%s: out of memory", path);
			}
			k->types = tmp;
		}
		k->types[k->cnt] = t;
		if (cnt)
			match_wanted(k, first2, k->cnt);
		k->cnt++;
		p += sz;
	}
	return 0;
}

void ucb_kbtf_close(struct ucb_kbtf *k)
{
	if (k->mapped)
		munmap(k->data, k->size);
	else
		free(k->data);
	free(k->types);
	free(k->want);
	memset(k, 0, sizeof(*k));
}

/* ---- pruning ---- */

struct keep {
	uint32_t id;		/* kernel type id of a struct, union or enum */
	bool all, named;
	uint8_t *bits;		/* members kept, by index */
};

struct pruner {
	const struct ucb_kbtf *k;
	struct btf *out;
	int *map;		/* kernel id -> out id, for emitted types */
	uint32_t *keep_of;	/* kernel id -> its index in keeps + 1 */
	struct keep *keeps;
	size_t keep_cnt, keep_cap;
	int void_ptr;
	struct ucb_btf_check check;	/* what the walks reach, checked first */
	size_t work;		/* member search steps left */
};

static const struct btf_type *view_type(const void *ctx, uint32_t id)
{
	const struct ucb_kbtf *k = ctx;

	return id < k->cnt ? k->types[id] : NULL;
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
	return id < k->cnt ? k->types[id] : NULL;
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

/* The keep of id, made if new.  The pointer is valid until the next
 * keep_get(). */
static struct keep *keep_get(struct pruner *p, uint32_t id)
{
	const struct btf_type *t = ktype(p->k, id);
	struct keep *kp;

	if (p->keep_of[id])
		return &p->keeps[p->keep_of[id] - 1];
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
	p->keep_of[id] = ++p->keep_cnt;
	return kp;
}

static struct keep *keep_find(const struct pruner *p, uint32_t id)
{
	return p->keep_of[id] ? &p->keeps[p->keep_of[id] - 1] : NULL;
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
		p->map[id] = ret;
	for (i = 0; i < vlen && ret >= 0; i++)
		if (kp->all || kp->bits[i / 8] & (1 << (i % 8))) {
			int e = btf__add_field(p->out, kname(p->k, m[i].name_off), mtypes[i],
					       btf_member_bit_offset(t, i),
					       btf_member_bitfield_size(t, i));
			if (e < 0)
				ret = e;
		}
	free(mtypes);
	return ret < 0 ? ret : p->map[id];
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
	if (p->map[id])
		return p->map[id];
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
		p->map[id] = ret;
	return ret;
}

int ucb_kbtf_prune(const struct ucb_kbtf *k, const struct ucb_kneed *needs, size_t cnt,
		   struct btf *out, const char ***roots, int **root_kinds, size_t *root_cnt)
{
	struct ucb_btf_view view = { k, view_type, view_str, k->cnt, k->path ?: "kernel BTF" };
	struct pruner p = { .k = k, .out = out, .work = UCB_KBTF_MAX_WORK };
	struct wanted *w, key, *hit;
	size_t i, n;
	int ret = 0;

	*roots = NULL;
	*root_kinds = NULL;
	*root_cnt = 0;
	w = k->want;
	n = k->nwant;
	p.map = calloc(k->cnt, sizeof(*p.map));
	p.keep_of = calloc(k->cnt, sizeof(*p.keep_of));
	if (!p.map || !p.keep_of || ucb_btf_check_init(&p.check, &view)) {
		ret = ucb_errf(-ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < cnt && !ret; i++) {
		key.name = needs[i].name;
		key.kind = needs[i].kind;
		hit = bsearch(&key, w, n, sizeof(*w), cmp_wanted);
		if (!hit || !hit->id)
			continue;	/* not in this kernel: type-exists says no */
		/* The root and all it holds by value, before any walk. */
		ret = ucb_btf_check_type(&p.check, hit->id);
		if (ret)
			break;
		if (needs[i].kind == BTF_KIND_TYPEDEF) {
			/* The typedef root stays named; what it names is pruned
			 * along the path like a struct root. */
			uint32_t under = skip_mods(k, hit->id);

			if (under && ktype(k, under) && btf_is_composite(ktype(k, under)))
				ret = mark_need(&p, under, needs[i].path, false);
			continue;
		}
		ret = mark_need(&p, hit->id, needs[i].path, true);
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
		key.name = needs[i].name;
		key.kind = needs[i].kind;
		hit = bsearch(&key, w, n, sizeof(*w), cmp_wanted);
		if (!hit || !hit->id)
			continue;
		if (needs[i].kind == BTF_KIND_TYPEDEF) {
			if (!p.map[hit->id]) {
				int under = emit(&p, ktype(k, hit->id)->type);

				ret = under < 0 ? under : btf__add_typedef(out, needs[i].name, under);
				if (ret > 0)
					p.map[hit->id] = ret;
			}
		} else {
			ret = emit(&p, hit->id);
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
		if (p.keeps[i].named && !p.map[p.keeps[i].id]) {
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
	free(p.map);
	free(p.keep_of);
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
