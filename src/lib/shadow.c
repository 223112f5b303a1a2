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

/* Does any app BTF define a type of this essential name and kind class? */
int ucb_app_defines(struct btf **apps, size_t n, const char *name, size_t len, int kind)
{
	size_t a;
	__u32 id;

	for (a = 0; a < n; a++)
		for (id = 1; id < btf__type_cnt(apps[a]); id++) {
			const struct btf_type *t = btf__type_by_id(apps[a], id);
			const char *tn = btf__name_by_offset(apps[a], t->name_off);
			int k = kind_class(btf_kind(t));

			if (kind == BTF_KIND_UNION)
				kind = BTF_KIND_STRUCT;
			if (k == kind && tn && ucb_ess_len(tn) == len && !strncmp(tn, name, len))
				return (int)a;
		}
	return -1;
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

/* Does type id (struct, union or enum) have a member or enumerator named
 * name, looking through anonymous members as libbpf does? */
static bool has_name(struct btf *btf, __u32 id, const char *name, int depth)
{
	const struct btf_type *t = btf__type_by_id(btf, ucb_skip_local(btf, id));
	int i;

	for (i = 0; t && i < btf_vlen(t); i++) {
		const char *n;
		__u32 mt = 0;

		if (btf_is_enum(t))
			n = btf__name_by_offset(btf, btf_enum(t)[i].name_off);
		else if (btf_is_enum64(t))
			n = btf__name_by_offset(btf, btf_enum64(t)[i].name_off);
		else if (btf_is_composite(t))
			n = btf__name_by_offset(btf, btf_members(t)[i].name_off), mt = btf_members(t)[i].type;
		else
			return false;
		if (n && n[0] && !strcmp(n, name))
			return true;
		if ((!n || !n[0]) && mt && depth < 16 && has_name(btf, mt, name, depth + 1))
			return true;
	}
	return false;
}

/* Does any member or enumerator name of kernel type kid also name one of
 * app type aid?  Only then can a field or enumerator relocation match both. */
static bool share_name(struct btf *k, __u32 kid, struct btf *app, __u32 aid, int depth)
{
	const struct btf_type *t = btf__type_by_id(k, ucb_skip_local(k, kid));
	int i;

	for (i = 0; t && i < btf_vlen(t); i++) {
		const char *n = NULL;
		__u32 mt = 0;

		if (btf_is_enum(t))
			n = btf__name_by_offset(k, btf_enum(t)[i].name_off);
		else if (btf_is_enum64(t))
			n = btf__name_by_offset(k, btf_enum64(t)[i].name_off);
		else if (btf_is_composite(t))
			n = btf__name_by_offset(k, btf_members(t)[i].name_off), mt = btf_members(t)[i].type;
		if (n && n[0] && has_name(app, aid, n, 0))
			return true;
		if ((!n || !n[0]) && mt && depth < 16 && share_name(k, mt, app, aid, depth + 1))
			return true;
	}
	return false;
}

/* gen min --kernel-type NAME leaves a library type named like a kernel
 * type the object also relocates (tests/e2e/t_genmin_collide.sh).  The pruned
 * kernel root holds only the members on the needs' paths, so libbpf can
 * match a field relocation against both only if the two share a member
 * name.  Type-based relocations (a need for the whole type, "-") would
 * see both and are refused, as are typedefs. */
static bool shadow_is_disjoint(struct btf *out, const char *name, int kind, struct btf **apps,
			       size_t napps, const struct ucb_kneed *kn, size_t nkn)
{
	size_t len = ucb_ess_len(name), a, i;
	int cls = kind == BTF_KIND_UNION ? BTF_KIND_STRUCT : kind;
	__s32 kid;
	__u32 id;

	if (kind == BTF_KIND_TYPEDEF)
		return false;
	for (i = 0; i < nkn; i++)
		if (!strcmp(kn[i].name, name) && !strcmp(kn[i].path, "-"))
			return false;
	kid = btf__find_by_name_kind(out, name, kind);
	if (kid <= 0)
		return false;
	for (a = 0; a < napps; a++)
		for (id = 1; id < btf__type_cnt(apps[a]); id++) {
			const struct btf_type *t = btf__type_by_id(apps[a], id);
			const char *tn = btf__name_by_offset(apps[a], t->name_off);
			int k = kind_class(btf_kind(t));

			if (k != cls || !tn || ucb_ess_len(tn) != len || strncmp(tn, name, len))
				continue;
			if (btf_is_fwd(t) || share_name(out, kid, apps[a], id, 0))
				return false;
		}
	return true;
}

struct named {
	const char *name;
	size_t len;		/* essential length */
	int kind;		/* STRUCT (struct, union), ENUM */
	__u32 size, vlen;
	size_t app;
};

static int cmp_named(const void *a, const void *b)
{
	const struct named *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = strncmp(x->name, y->name, n);

	if (!c)
		c = x->len < y->len ? -1 : x->len > y->len;
	return c ? c : x->kind - y->kind;
}

/* Two libraries defining one name differently would give libbpf two
 * different candidates: refuse.  Identical shapes are fine (libbpf accepts
 * duplicates that resolve alike). */
int ucb_check_app_collisions(struct btf **apps, size_t napps, const struct ucb_entry **sel)
{
	struct named *v = NULL, *tmp;
	size_t n = 0, a, i;
	__u32 id;

	if (napps < 2)
		return 0;
	for (a = 0; a < napps; a++)
		for (id = 1; id < btf__type_cnt(apps[a]); id++) {
			const struct btf_type *t = btf__type_by_id(apps[a], id);
			const char *nm = btf__name_by_offset(apps[a], t->name_off);

			if (!nm || !nm[0] || !(btf_is_composite(t) || btf_is_any_enum(t)))
				continue;
			tmp = realloc(v, (n + 1) * sizeof(*v));
			if (!tmp) {
				free(v);
				return ucb_errf(-ENOMEM, "out of memory");
			}
			v = tmp;
			v[n++] = (struct named){ nm, ucb_ess_len(nm), btf_is_composite(t) ? BTF_KIND_STRUCT : BTF_KIND_ENUM,
						 t->size, btf_vlen(t), a };
		}
	if (n)
		qsort(v, n, sizeof(*v), cmp_named);
	for (i = 1; i < n; i++) {
		if (cmp_named(&v[i - 1], &v[i]) || v[i - 1].app == v[i].app ||
		    (v[i - 1].size == v[i].size && v[i - 1].vlen == v[i].vlen))
			continue;
		ucb_errf(-EEXIST, "name collision: %s %.*s differs between the library BTF of %s %s and %s %s",
			 v[i].kind == BTF_KIND_ENUM ? "enum" : "struct/union", (int)v[i].len, v[i].name,
			 sel[v[i - 1].app]->lib, sel[v[i - 1].app]->version, sel[v[i].app]->lib,
			 sel[v[i].app]->version);
		free(v);
		return -EEXIST;
	}
	free(v);
	return 0;
}

/* A kernel root named like an app type gives libbpf two candidates for
 * relocations on that name.  That is safe only if no relocation can match
 * both: refuse unless they share no member name. */
int ucb_check_shadowing(struct btf *out, const char *const *roots, const int *root_kinds,
			size_t nroots, struct btf **apps, size_t napps, const struct ucb_entry **app_e,
			const struct ucb_kneed *kn, size_t nkn, const char *obj_name)
{
	size_t i;
	int a;

	for (i = 0; i < nroots; i++) {
		a = ucb_app_defines(apps, napps, roots[i], ucb_ess_len(roots[i]), root_kinds[i]);
		if (a >= 0 && !shadow_is_disjoint(out, roots[i], root_kinds[i], apps, napps, kn, nkn))
			return ucb_errf(-EEXIST, "name collision: kernel %s %s (needed by %s) is also "
					"defined by the library BTF %s", kind_str(root_kinds[i]), roots[i],
					obj_name ?: "the object", app_e[a]->lib);
	}
	return 0;
}
