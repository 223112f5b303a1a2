/* The kernel types a BPF object needs, for the pruned kernel part of the
 * prepared BTF: recorded in the bundle by gen min (per object), or, for
 * bundles without them, derived from the object's own BTF. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/btf.h>
#include <bpf/btf.h>
#include "lib/btf_check.h"
#include "lib/errmsg.h"
#include "lib/fileio.h"
#include "lib/runtime.h"

static int kind_num(const char *kind)
{
	return !strcmp(kind, "struct") ? BTF_KIND_STRUCT : !strcmp(kind, "union") ? BTF_KIND_UNION :
	       !strcmp(kind, "enum") ? BTF_KIND_ENUM : BTF_KIND_TYPEDEF;
}

static int push_need(struct ucb_kneeds *kn, int kind, const char *name, const char *path)
{
	struct ucb_kneed *tmp;

	if (kn->cnt == UCB_MAX_PREPARE_NEEDS)
		return ucb_errf(-E2BIG, "more than %u kernel needs for one prepare", UCB_MAX_PREPARE_NEEDS);
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
	char **tmp = kn->strs;

	if (kn->nstrs == kn->strs_cap) {
		tmp = realloc(kn->strs, (kn->strs_cap ? kn->strs_cap * 2 : 16) * sizeof(*tmp));
		if (!tmp)
			return ucb_errp(-ENOMEM, "out of memory");
		kn->strs = tmp;
		kn->strs_cap = kn->strs_cap ? kn->strs_cap * 2 : 16;
	}
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

		/* Anonymous members nested in anonymous members multiply. */
		if (!kn->work)
			return ucb_errf(-E2BIG, "object BTF: more than %lu steps to list its members",
					UCB_NEEDS_MAX_WORK);
		kn->work--;

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
static int fallback_needs(struct ucb_kneeds *kn, const struct ucb_app_names *names)
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
		if (ucb_app_defines(names, name, ucb_ess_len(name), kind) >= 0)
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

/* The objects the chosen entries were made for, as (name, length) pairs
 * into the index text, sorted: one binary search per need. */
struct objname {
	const char *s;
	size_t len;
};

static int cmp_objname(const void *a, const void *b)
{
	const struct objname *x = a, *y = b;
	int c = strncmp(x->s, y->s, x->len < y->len ? x->len : y->len);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

static int chosen_objects(const struct ucb_entry *const *chosen, size_t n, struct objname **v,
			  size_t *cnt)
{
	size_t i, items = 0;
	const char *p;

	for (i = 0; i < n; i++)
		for (p = chosen[i]->objects; p; p = strchr(p, ','), p = p ? p + 1 : NULL)
			items++;
	*cnt = 0;
	*v = malloc((items + 1) * sizeof(**v));
	if (!*v)
		return ucb_errf(-ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		if (!strcmp(chosen[i]->objects, "-"))
			continue;
		for (p = chosen[i]->objects; p; ) {
			const char *comma = strchr(p, ',');

			(*v)[(*cnt)++] = (struct objname){ p, comma ? (size_t)(comma - p) : strlen(p) };
			p = comma ? comma + 1 : NULL;
		}
	}
	if (*cnt)
		qsort(*v, *cnt, sizeof(**v), cmp_objname);
	return 0;
}

int ucb_collect_needs(const struct ucb_bundle *b, const struct ucb_entry *const *chosen,
		      size_t nchosen, const char *obj_name, const char *obj_path,
		      const struct ucb_app_names *names, struct ucb_kneeds *kn)
{
	struct objname *objs = NULL, key;
	size_t i, nobjs = 0;
	int err = 0;

	memset(kn, 0, sizeof(*kn));
	kn->work = UCB_NEEDS_MAX_WORK;
	/* Without an object: the needs of every object the chosen entries
	 * were made for, so that one BTF serves all of them. */
	if (!obj_name)
		err = chosen_objects(chosen, nchosen, &objs, &nobjs);
	for (i = 0; i < b->needs.cnt && !err; i++) {
		const struct ucb_need *n = &b->needs.n[i];

		key = (struct objname){ n->object, strlen(n->object) };
		if (obj_name ? strcmp(n->object, obj_name) :
			       !nobjs || !bsearch(&key, objs, nobjs, sizeof(key), cmp_objname))
			continue;
		err = push_need(kn, kind_num(n->kind), n->name, n->path);
	}
	free(objs);
	if (!err && !kn->cnt && obj_path) {
		/* A FIFO or a device would block libbpf's open. */
		int fd = ucb_open_regular(AT_FDCWD, obj_path, 0, NULL);

		if (fd < 0) {
			ucb_kneeds_free(kn);
			return fd;
		}
		close(fd);
		kn->obj = btf__parse(obj_path, NULL);
		if (!kn->obj)
			err = ucb_errf(-errno, "%s: cannot read the object's BTF: %s", obj_path,
				       strerror(errno));
		else
			err = ucb_btf_check_graph(kn->obj, obj_path) ?: fallback_needs(kn, names);
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
