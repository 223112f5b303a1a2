/* Names two BTFs of one prepared file both define.  libbpf looks for
 * CO-RE candidates by name (flavour "___..." ignored) and kind class in the
 * whole file: a name defined twice gives it two candidates, which it
 * accepts only if they resolve alike.  Library against library and kernel
 * root against library are checked here before anything is written. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/btf.h>
#include <bpf/btf.h>
#include "lib/errmsg.h"
#include "lib/runtime.h"

static const char *kind_str(int kind)
{
	return kind == BTF_KIND_STRUCT ? "struct" : kind == BTF_KIND_UNION ? "union" :
	       kind == BTF_KIND_ENUM ? "enum" : "typedef";
}

size_t ucb_ess_len(const char *name)
{
	const char *p = strstr(name, "___");

	return p ? (size_t)(p - name) : strlen(name);
}

/* CO-RE candidates match by kind class: enum64 with enum, union and
 * forward declarations with struct. */
static int kind_class(int k)
{
	if (k == BTF_KIND_ENUM64)
		return BTF_KIND_ENUM;
	if (k == BTF_KIND_UNION || k == BTF_KIND_FWD)
		return BTF_KIND_STRUCT;
	return k;
}

__u32 ucb_skip_local(struct btf *obj, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(obj, id);
	int depth = 0;

	while (t && (btf_is_mod(t) || btf_is_typedef(t)) && depth++ < 64) {
		id = t->type;
		t = btf__type_by_id(obj, id);
	}
	return id;
}

/* Each member or enumerator looked at costs one unit of the budget: a
 * crafted blob (anonymous members nested in anonymous members) cannot make
 * the checks take long. */
static int spend(size_t *work)
{
	if (*work) {
		(*work)--;
		return 0;
	}
	return ucb_errf(-E2BIG, "name collision check: more than %lu steps (crafted BTF?)",
			UCB_SHADOW_MAX_WORK);
}

/* Member or enumerator i of t and, for a member, its type in *mt. */
static const char *vname(struct btf *btf, const struct btf_type *t, int i, __u32 *mt)
{
	*mt = 0;
	if (btf_is_enum(t))
		return btf__name_by_offset(btf, btf_enum(t)[i].name_off);
	if (btf_is_enum64(t))
		return btf__name_by_offset(btf, btf_enum64(t)[i].name_off);
	if (btf_is_composite(t)) {
		*mt = btf_members(t)[i].type;
		return btf__name_by_offset(btf, btf_members(t)[i].name_off);
	}
	return NULL;
}

/* Does type id (struct, union or enum) have a member or enumerator named
 * name, looking through anonymous members as libbpf does?  1, 0 or -E2BIG. */
static int has_name(struct btf *btf, __u32 id, const char *name, int depth, size_t *work)
{
	const struct btf_type *t = btf__type_by_id(btf, ucb_skip_local(btf, id));
	int i, r;

	if (!t || !(btf_is_composite(t) || btf_is_any_enum(t)))
		return 0;
	for (i = 0; i < btf_vlen(t); i++) {
		__u32 mt;
		const char *n = vname(btf, t, i, &mt);

		if (spend(work))
			return -E2BIG;
		if (n && n[0] && !strcmp(n, name))
			return 1;
		if ((!n || !n[0]) && mt && depth < 16) {
			r = has_name(btf, mt, name, depth + 1, work);
			if (r)
				return r;
		}
	}
	return 0;
}

/* Does any member or enumerator name of kernel type kid also name one of
 * app type aid?  Only then can a field or enumerator relocation match
 * both.  1, 0 or -E2BIG. */
static int share_name(struct btf *k, __u32 kid, struct btf *app, __u32 aid, int depth, size_t *work)
{
	const struct btf_type *t = btf__type_by_id(k, ucb_skip_local(k, kid));
	int i, r;

	for (i = 0; t && i < btf_vlen(t); i++) {
		__u32 mt;
		const char *n = vname(k, t, i, &mt);

		if (spend(work))
			return -E2BIG;
		r = 0;
		if (n && n[0])
			r = has_name(app, aid, n, 0, work);
		else if (mt && depth < 16)
			r = share_name(k, mt, app, aid, depth + 1, work);
		if (r)
			return r;
	}
	return 0;
}

/* ---- the apps' names, sorted once ---- */

static int cmp_key(const char *an, size_t al, int ac, const struct ucb_app_name *b)
{
	size_t n = al < b->len ? al : b->len;
	int c = strncmp(an, b->name, n);

	if (!c)
		c = al < b->len ? -1 : al > b->len;
	return c ? c : ac - b->cls;
}

static int cmp_app_name(const void *a, const void *b)
{
	const struct ucb_app_name *x = a, *y = b;
	int c = cmp_key(x->name, x->len, x->cls, y);

	if (!c)
		c = x->app < y->app ? -1 : x->app > y->app;
	return c ? c : (x->id > y->id) - (x->id < y->id);
}

int ucb_app_names_build(struct btf **apps, size_t napps, struct ucb_app_names *ix)
{
	size_t a, n = 0;
	__u32 id;

	memset(ix, 0, sizeof(*ix));
	for (a = 0; a < napps; a++)
		n += btf__type_cnt(apps[a]);
	ix->v = malloc((n ? n : 1) * sizeof(*ix->v));
	if (!ix->v)
		return ucb_errf(-ENOMEM, "out of memory");
	for (a = 0; a < napps; a++)
		for (id = 1; id < btf__type_cnt(apps[a]); id++) {
			const struct btf_type *t = btf__type_by_id(apps[a], id);
			const char *nm = btf__name_by_offset(apps[a], t->name_off);
			int cls = kind_class(btf_kind(t));

			if (!nm || !nm[0] || (cls != BTF_KIND_STRUCT && cls != BTF_KIND_ENUM &&
					      cls != BTF_KIND_TYPEDEF))
				continue;
			ix->v[ix->cnt++] = (struct ucb_app_name){ nm, ucb_ess_len(nm), cls, a, id };
		}
	if (ix->cnt)
		qsort(ix->v, ix->cnt, sizeof(*ix->v), cmp_app_name);
	return 0;
}

void ucb_app_names_free(struct ucb_app_names *ix)
{
	free(ix->v);
	memset(ix, 0, sizeof(*ix));
}

/* The first type named name (essential length len) of kind class cls, and
 * how many follow it with the same key; NULL if none. */
static const struct ucb_app_name *names_find(const struct ucb_app_names *ix, const char *name,
					     size_t len, int cls, size_t *cnt)
{
	size_t lo = 0, hi = ix->cnt, end;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_key(name, len, cls, &ix->v[mid]) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < ix->cnt && !cmp_key(name, len, cls, &ix->v[end]); end++)
		;
	*cnt = end - lo;
	return end > lo ? &ix->v[lo] : NULL;
}

int ucb_app_defines(const struct ucb_app_names *ix, const char *name, size_t len, int kind)
{
	size_t cnt;
	const struct ucb_app_name *hit = names_find(ix, name, len, kind_class(kind), &cnt);

	/* Sorted by app within a name: the first is the first app. */
	return hit ? (int)hit->app : -1;
}

/* ---- kernel roots against apps ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}


/* gen min --kernel-type NAME leaves a library type named like a kernel
 * type the object also relocates (tests/e2e/t_genmin_collide.sh).  The pruned
 * kernel root holds only the members on the needs' paths, so libbpf can
 * match a field relocation against both only if the two share a member
 * name.  Type-based relocations (a need for the whole type, "-") would
 * see both and are refused, as are typedefs.  1 (disjoint), 0, -errno. */
static int shadow_is_disjoint(struct btf *out, __s32 kid, const char *name, int kind,
			      const struct ucb_app_names *ix, struct btf **apps,
			      const char **whole, size_t nwhole, size_t *work)
{
	const struct ucb_app_name *hit;
	size_t cnt, i;
	int r;

	if (kind == BTF_KIND_TYPEDEF || kid <= 0)
		return 0;
	if (nwhole && bsearch(&name, whole, nwhole, sizeof(*whole), cmp_str))
		return 0;
	hit = names_find(ix, name, ucb_ess_len(name), kind_class(kind), &cnt);
	for (i = 0; hit && i < cnt; i++) {
		struct btf *app = apps[hit[i].app];

		if (spend(work))
			return -E2BIG;
		if (btf_is_fwd(btf__type_by_id(app, hit[i].id)))
			return 0;
		r = share_name(out, kid, app, hit[i].id, 0, work);
		if (r)
			return r < 0 ? r : 0;
	}
	return 1;
}

/* Named types of out, sorted by name, kind and id. */
struct out_name {
	const char *name;
	int kind;
	__u32 id;
};

static int cmp_out_name(const void *a, const void *b)
{
	const struct out_name *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (!c)
		c = x->kind - y->kind;
	return c ? c : (x->id > y->id) - (x->id < y->id);
}

static int out_names_build(struct btf *out, struct out_name **v, size_t *cnt)
{
	__u32 id, n = btf__type_cnt(out);

	*cnt = 0;
	*v = malloc(n * sizeof(**v));
	if (!*v)
		return ucb_errf(-ENOMEM, "out of memory");
	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(out, id);
		const char *nm = btf__name_by_offset(out, t->name_off);

		if (nm && nm[0])
			(*v)[(*cnt)++] = (struct out_name){ nm, btf_kind(t), id };
	}
	if (*cnt)
		qsort(*v, *cnt, sizeof(**v), cmp_out_name);
	return 0;
}

/* As btf__find_by_name_kind(out, name, kind), by binary search. */
static __s32 out_find(const struct out_name *v, size_t cnt, const char *name, int kind)
{
	size_t lo = 0, hi = cnt;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(v[mid].name, name);

		if (!c)
			c = v[mid].kind - kind;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < cnt && !strcmp(v[lo].name, name) && v[lo].kind == kind ? (__s32)v[lo].id : -ENOENT;
}

/* Two libraries defining one name differently would give libbpf two
 * different candidates: refuse.  Identical shapes are fine (libbpf accepts
 * duplicates that resolve alike); so are different shapes inside one
 * library.  So a name collides when its definitions span two libraries and
 * two shapes, and then some pair differs in both. */
int ucb_check_app_collisions(const struct ucb_app_names *ix, struct btf **apps,
			     const struct ucb_entry **sel)
{
	const struct ucb_app_name *v = ix->v, *f = NULL, *d = NULL, *o = NULL, *x, *y;
	const struct btf_type *t, *ft = NULL;
	size_t i;

	for (i = 0; i < ix->cnt; i++) {
		t = btf__type_by_id(apps[v[i].app], v[i].id);
		if (v[i].cls == BTF_KIND_TYPEDEF || btf_is_fwd(t))
			continue;
		if (!f || cmp_key(f->name, f->len, f->cls, &v[i])) {
			f = &v[i];
			ft = t;
			d = o = NULL;
			continue;
		}
		if (!d && (t->size != ft->size || btf_vlen(t) != btf_vlen(ft)))
			d = &v[i];
		if (!o && v[i].app != f->app)
			o = &v[i];
		if (!d || !o)
			continue;
		t = btf__type_by_id(apps[o->app], o->id);
		if (t->size != ft->size || btf_vlen(t) != btf_vlen(ft))
			x = f, y = o;
		else if (d->app != o->app)
			x = d, y = o;
		else
			x = f, y = d;
		if (x->app > y->app) {
			const struct ucb_app_name *tmp = x;

			x = y;
			y = tmp;
		}
		return ucb_errf(-EEXIST, "name collision: %s %.*s differs between the library BTF of %s %s and %s %s",
				f->cls == BTF_KIND_ENUM ? "enum" : "struct/union", (int)f->len, f->name,
				sel[x->app]->lib, sel[x->app]->version, sel[y->app]->lib, sel[y->app]->version);
	}
	return 0;
}

/* A kernel root named like an app type gives libbpf two candidates for
 * relocations on that name.  That is safe only if no relocation can match
 * both: refuse unless they share no member name. */
int ucb_check_shadowing(struct btf *out, const char *const *roots, const int *root_kinds,
			size_t nroots, const struct ucb_app_names *ix, struct btf **apps,
			const struct ucb_entry **app_e, const struct ucb_kneed *kn, size_t nkn,
			const char *obj_name)
{
	struct out_name *onames = NULL;
	const char **whole = NULL;
	size_t work = UCB_SHADOW_MAX_WORK, nwhole = 0, nout = 0, i;
	int a, r = 0;

	for (i = 0; i < nroots && !r; i++) {
		a = ucb_app_defines(ix, roots[i], ucb_ess_len(roots[i]), root_kinds[i]);
		if (a < 0)
			continue;
		/* Built once, and only when some root is shadowed. */
		if (!onames) {
			whole = malloc((nkn + 1) * sizeof(*whole));
			r = whole ? out_names_build(out, &onames, &nout) : ucb_errf(-ENOMEM, "out of memory");
			if (r)
				break;
			for (size_t j = 0; j < nkn; j++)
				if (!strcmp(kn[j].path, "-"))
					whole[nwhole++] = kn[j].name;
			if (nwhole)
				qsort(whole, nwhole, sizeof(*whole), cmp_str);
		}
		r = shadow_is_disjoint(out, out_find(onames, nout, roots[i], root_kinds[i]), roots[i],
				       root_kinds[i], ix, apps, whole, nwhole, &work);
		if (r == 1)
			r = 0;
		else if (!r)
			r = ucb_errf(-EEXIST, "name collision: kernel %s %s (needed by %s) is also "
				     "defined by the library BTF %s", kind_str(root_kinds[i]), roots[i],
				     obj_name ?: "the object", app_e[a]->lib);
	}
	free(onames);
	free(whole);
	return r;
}
