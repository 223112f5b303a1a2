/* The kernel types a BPF object needs, for the pruned kernel part of the
 * prepared BTF: recorded in the bundle by gen min (per object), or, for
 * bundles without them, derived from the object's own BTF. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/btf.h>
#include <bpf/btf.h>
#include "lib/errmsg.h"
#include "lib/runtime.h"

static int kind_num(const char *kind)
{
	return !strcmp(kind, "struct") ? BTF_KIND_STRUCT : !strcmp(kind, "union") ? BTF_KIND_UNION :
	       !strcmp(kind, "enum") ? BTF_KIND_ENUM : BTF_KIND_TYPEDEF;
}

static int push_need(struct ucb_kneeds *kn, int kind, const char *name, const char *path)
{
	struct ucb_kneed *tmp;

	if (kn->cnt == kn->cap) {
		tmp = realloc(kn->v, (kn->cap ? kn->cap * 2 : 16) * sizeof(*tmp));
		if (!tmp)
			return ucb_errf(-ENOMEM, "out of memory");
		kn->v = tmp;
		kn->cap = kn->cap ? kn->cap * 2 : 16;
	}
	kn->v[kn->cnt++] = (struct ucb_kneed){ kind, name, path };
	return 0;
}

/* A copy of len bytes of s that lives as long as kn. */
static const char *keep_str(struct ucb_kneeds *kn, const char *s, size_t len)
{
	char **tmp = realloc(kn->strs, (kn->nstrs + 1) * sizeof(*tmp));

	if (!tmp)
		return ucb_errp(-ENOMEM, "out of memory");
	kn->strs = tmp;
	tmp[kn->nstrs] = strndup(s, len);
	if (!tmp[kn->nstrs])
		return ucb_errp(-ENOMEM, "out of memory");
	return tmp[kn->nstrs++];
}

/* Append a need (kind, name, member) for every named member of local type
 * id; anonymous members contribute their own members, which the kernel
 * side finds by name through its anonymous members as libbpf does. */
static int add_local_members(struct btf *obj, __u32 id, int kind, const char *name,
			     struct ucb_kneeds *kn, int depth)
{
	const struct btf_type *t = btf__type_by_id(obj, id);
	int i, err;

	for (i = 0; t && i < btf_vlen(t); i++) {
		const struct btf_member *m = &btf_members(t)[i];
		const char *mn = btf__name_by_offset(obj, m->name_off);

		if (!mn || !mn[0]) {
			__u32 mid = ucb_skip_local(obj, m->type);
			const struct btf_type *mt = btf__type_by_id(obj, mid);

			if (mt && btf_is_composite(mt) && depth < 16) {
				err = add_local_members(obj, mid, kind, name, kn, depth + 1);
				if (err)
					return err;
			}
			continue;
		}
		err = push_need(kn, kind, name, mn);
		if (err)
			return err;
	}
	return 0;
}

/* Needs when the bundle records none for the object: every struct or union
 * the object's BTF (kn->obj) names that the apps do not define, with the
 * members its local definition has (what CO-RE matches, by name); enums
 * whole. */
static int fallback_needs(struct ucb_kneeds *kn, struct btf **apps, size_t napps)
{
	struct btf *obj = kn->obj;
	__u32 id, n = btf__type_cnt(obj);
	size_t before;
	int err;

	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(obj, id);
		const char *name = btf__name_by_offset(obj, t->name_off), *ess;
		bool is_enum = btf_is_enum(t) || btf_is_enum64(t);
		int kind = is_enum ? BTF_KIND_ENUM : btf_kind(t);

		if ((!btf_is_composite(t) && !is_enum) || !name || !name[0])
			continue;
		if (ucb_app_defines(apps, napps, name, ucb_ess_len(name), kind) >= 0)
			continue;
		ess = keep_str(kn, name, ucb_ess_len(name));
		if (!ess)
			return -ENOMEM;
		before = kn->cnt;
		/* Enums whole: enum value relocations match enumerators by name. */
		err = is_enum ? 0 : add_local_members(obj, id, kind, ess, kn, 0);
		if (!err && kn->cnt == before)	/* no named member: the type itself */
			err = push_need(kn, kind, ess, "-");
		if (err)
			return err;
	}
	return 0;
}

static bool object_chosen(const struct ucb_entry *const *chosen, size_t n, const char *object)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ucb_list_has(chosen[i]->objects, object))
			return true;
	return false;
}

int ucb_collect_needs(const struct ucb_bundle *b, const struct ucb_entry *const *chosen,
		      size_t nchosen, const char *obj_name, const char *obj_path,
		      struct btf **apps, size_t napps, struct ucb_kneeds *kn)
{
	size_t i;
	int err = 0;

	memset(kn, 0, sizeof(*kn));
	/* Without an object: the needs of every object the chosen entries
	 * were made for, so that one BTF serves all of them. */
	for (i = 0; i < b->needs.cnt && !err; i++) {
		const struct ucb_need *n = &b->needs.n[i];

		if (obj_name ? strcmp(n->object, obj_name) : !object_chosen(chosen, nchosen, n->object))
			continue;
		err = push_need(kn, kind_num(n->kind), n->name, n->path);
	}
	if (!err && !kn->cnt && obj_path) {
		kn->obj = btf__parse(obj_path, NULL);
		if (!kn->obj)
			err = ucb_errf(-errno, "%s: cannot read the object's BTF: %s", obj_path,
				       strerror(errno));
		else
			err = fallback_needs(kn, apps, napps);
	}
	if (err)
		ucb_kneeds_free(kn);
	return err;
}

void ucb_kneeds_free(struct ucb_kneeds *kn)
{
	size_t i;

	for (i = 0; i < kn->nstrs; i++)
		free(kn->strs[i]);
	free(kn->strs);
	free(kn->v);
	btf__free(kn->obj);
	memset(kn, 0, sizeof(*kn));
}
