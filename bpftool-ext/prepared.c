// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* gen min engine: what the runtime loads.
 *
 * libucorebtf prepares one BTF for libbpf's btf_custom_path: the kernel
 * types the object needs (gen min records them; the runtime prunes them
 * from the running kernel's BTF) followed by the chosen library blobs.
 * libbpf looks for each relocation's candidates by name in that file
 * alone.  A library type named like a kernel type (struct file) is fine
 * there as long as the kernel's copy is not needed, or matches nothing the
 * library's does.  (Kernel BTF merged whole with the blobs would be
 * ambiguous, but that is not what the runtime builds.)
 *
 * So verify builds that BTF with libucorebtf's own stages (lib/runtime.h,
 * in the order of src/lib/prepare.c): the needs as a bundle records them
 * (ucb_collect_needs), the kernel types pruned (ucb_kbtf_prune), the name
 * collision checks (ucb_check_app_collisions, ucb_check_shadowing), the
 * blobs after the kernel types; and decides every relocation again there,
 * as libbpf will.  One rule, the runtime's. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "lib/errmsg.h"
#include "lib/names.h"
#include "lib/runtime.h"
#include "tool/btf_io.h"
/* lib/runtime.h's options macros follow libbpf's, whose internal header
 * defines them too; nothing here uses them. */
#undef OPTS_VALID
#undef OPTS_HAS
#undef OPTS_GET
#include "minimize_internal.h"

/* ---- the runtime's kernel needs ---- */

struct rneeds_ctx {
	um_need_cb cb;
	void *ctx;
};

static void rneeds_type(void *ctx, const char *kind, const char *name,
			const char *const *members, int n)
{
	struct rneeds_ctx *c = ctx;
	int i;

	if (!strcmp(kind, "enum64"))
		kind = "enum";
	if (strcmp(kind, "struct") && strcmp(kind, "union") && strcmp(kind, "enum"))
		return;
	for (i = 0; i < n && members[i][0]; i++)
		;
	if (!n || i < n)	/* no member, or one gen min could not name: whole */
		c->cb(c->ctx, kind, name, "-");
	for (i = 0; i < n; i++)
		if (members[i][0])
			c->cb(c->ctx, kind, name, members[i]);
}

int um_runtime_needs(const struct um_engine *e, int obj, um_need_cb cb, void *ctx)
{
	struct rneeds_ctx c = { cb, ctx };

	return um_kernel_needs_walk(e, obj, rneeds_type, &c);
}

struct keeps_ctx {
	char kind[16];
	const char *name;
	bool found;
};

static bool is_composite_kind(const char *kind)
{
	return !strcmp(kind, "struct") || !strcmp(kind, "union");
}

static void keeps_need(void *ctx, const char *kind, const char *name, const char *path)
{
	struct keeps_ctx *c = ctx;

	if (strcmp(name, c->name))
		return;
	if (is_composite_kind(kind) ? is_composite_kind(c->kind) : !strcmp(kind, c->kind))
		c->found = true;
}

bool um_kernel_keeps(const struct um_engine *e, const char *shadowed)
{
	const char *sp = strchr(shadowed, ' ');
	struct keeps_ctx c = {};
	int oi;

	if (!sp || (size_t)(sp - shadowed) >= sizeof(c.kind))
		return false;
	memcpy(c.kind, shadowed, sp - shadowed);
	if (!strcmp(c.kind, "enum64"))
		strcpy(c.kind, "enum");
	c.name = sp + 1;
	for (oi = 0; oi < e->nobj && !c.found; oi++)
		um_runtime_needs(e, oi, keeps_need, &c);
	return c.found;
}

/* ---- one um_verify_prepared() call ---- */

struct pv {
	struct um_engine *e;
	struct ucb_bundle b;		/* its needs only, as a bundle records them */
	char **names;			/* object names, as needs/<name>.txt */
	char *objects;			/* all of them, as an entry lists them */
	struct ucb_entry all;		/* an entry made for all the objects */
	struct ucb_kneeds kall;		/* every object's needs: the roots of k */
	struct ucb_kbtf k;
	int memfd;
	char kpath[64];
};

/* A release as the runtime combines it. */
struct prel {
	const struct um_release *r;
	const char *label;		/* messages name the release by it */
	struct btf **apps;		/* its blobs, each once (prepare adds each digest once) */
	struct ucb_entry *ents;		/* one per app: lib is the app's label */
	const struct ucb_entry **app_e;
	size_t napps;
	struct ucb_app_names names;	/* the apps' type names, indexed once */
};

/* One prepared BTF: the kernel part [1, nkern), then app a from start[a]. */
struct comp {
	struct btf *out;
	__u32 nkern, *start;
	struct nindex ix;
	const char *obj_name;
	char shadow[512];		/* why libucorebtf would refuse it, or "" */
};

struct lines {
	char **v;
	size_t n, cap;
	const char *obj;
	int err;
};

static void line_add(void *ctx, const char *kind, const char *name, const char *path)
{
	struct lines *l = ctx;
	char **tmp;

	if (l->err)
		return;
	if (l->n == l->cap) {
		tmp = realloc(l->v, (l->cap ? l->cap * 2 : 64) * sizeof(*tmp));
		if (!tmp) {
			l->err = -ENOMEM;
			return;
		}
		l->v = tmp;
		l->cap = l->cap ? l->cap * 2 : 64;
	}
	if (asprintf(&l->v[l->n], "%s\t%s\t%s\t%s\n", l->obj, kind, name, path) < 0)
		l->err = -ENOMEM;
	else
		l->n++;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The objects' needs as the NEED text of a bundle made from the archive
 * gen min writes: "object\tkind\tname\tpath" lines, sorted, unique. */
static int pv_needs(struct pv *v)
{
	struct um_engine *e = v->e;
	struct lines l = {};
	char *text = NULL, name[NAME_MAX + 1];
	size_t len = 0, i;
	int oi, err = 0;
	FILE *f;

	v->names = calloc(e->nobj + 1, sizeof(*v->names));
	f = open_memstream(&v->objects, &len);
	if (!v->names || !f) {
		if (f)
			fclose(f);
		return ucb_errf(-ENOMEM, "out of memory");
	}
	for (oi = 0; oi < e->nobj && !err; oi++) {
		/* A name the archive would refuse ("my probe") matters only
		 * to tell the objects' needs apart here. */
		if (!ucb_object_name(e->objs[oi].path, name, sizeof(name)) || !ucb_valid_name(name))
			snprintf(name, sizeof(name), "~object%d", oi);
		v->names[oi] = strdup(name);
		if (!v->names[oi]) {
			err = ucb_errf(-ENOMEM, "out of memory");
			break;
		}
		fprintf(f, "%s%s", oi ? "," : "", name);
		l.obj = v->names[oi];
		err = um_runtime_needs(e, oi, line_add, &l) ?: l.err;
		if (err)
			ucb_errf(err, "out of memory");
	}
	if (fclose(f) && !err)
		err = ucb_errf(-ENOMEM, "out of memory");
	v->all.objects = v->objects;
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), cmp_str);
	f = err ? NULL : open_memstream(&text, &len);
	if (!err && !f)
		err = ucb_errf(-ENOMEM, "out of memory");
	for (i = 0; f && i < l.n; i++)
		if (!i || strcmp(l.v[i], l.v[i - 1]))
			fputs(l.v[i], f);
	if (f && fclose(f))
		err = ucb_errf(-ENOMEM, "out of memory");
	if (!err)
		err = ucb_needs_parse(text ?: "", text ? len : 0, &v->b.needs);
	for (i = 0; i < l.n; i++)
		free(l.v[i]);
	free(l.v);
	free(text);
	return err;
}

/* A file ucb_kbtf_open() reads: the kernel BTF's own if it is raw BTF,
 * else (an ELF's .BTF) its raw bytes in a memfd. */
static const char *pv_kernel_path(struct pv *v)
{
	const struct um_engine *e = v->e;
	enum btf_file_kind kind;
	const void *raw;
	__u32 sz, off = 0;
	ssize_t w;

	if (v->kpath[0])
		return v->kpath;
	if (e->kernel_path && !btf_file_kind(e->kernel_path, &kind) && kind == BTF_FILE_RAW)
		return e->kernel_path;
	raw = btf__raw_data(e->kernel, &sz);
	v->memfd = raw ? memfd_create("ucorebtf-kernel-btf", MFD_CLOEXEC) : -1;
	if (v->memfd < 0)
		return ucb_errp(-errno ?: -ENOMEM, "%s: cannot copy the kernel BTF: %s",
				e->kernel_path ?: "kernel BTF", strerror(errno ?: ENOMEM));
	for (; off < sz; off += w) {
		w = write(v->memfd, (const char *)raw + off, sz - off);
		if (w <= 0)
			return ucb_errp(-EIO, "cannot copy the kernel BTF: %s", strerror(errno ?: EIO));
	}
	snprintf(v->kpath, sizeof(v->kpath), "/proc/self/fd/%d", v->memfd);
	return v->kpath;
}

static int pv_kernel_open(struct pv *v, const struct ucb_kneed *kn, size_t cnt, struct ucb_kbtf *k)
{
	const char *path = pv_kernel_path(v);

	if (!path)
		return -errno;
	return ucb_kbtf_open(path, kn, cnt, k);
}

/* Every object's needs: one kernel index serves every release. */
static int pv_setup(struct pv *v)
{
	const struct ucb_entry *chosen = &v->all;
	int err;

	err = pv_needs(v);
	err = err ?: ucb_collect_needs(&v->b, &chosen, 1, NULL, NULL, NULL, &v->kall);
	if (!err && v->kall.cnt)
		err = pv_kernel_open(v, v->kall.v, v->kall.cnt, &v->k);
	if (err)
		return ucb_errf(err, "verify: %s", ucb_errmsg());
	return 0;
}

static void pv_free(struct pv *v)
{
	int oi;

	if (v->k.data)
		ucb_kbtf_close(&v->k);
	ucb_kneeds_free(&v->kall);
	ucb_needs_free(&v->b.needs);
	for (oi = 0; v->names && oi < v->e->nobj; oi++)
		free(v->names[oi]);
	free(v->names);
	free(v->objects);
	if (v->memfd >= 0)
		close(v->memfd);
}

/* Are all of kn's roots among the ones k was opened with? */
static bool needs_within(const struct ucb_kneeds *all, const struct ucb_kneeds *kn)
{
	size_t i, j;

	for (i = 0; i < kn->cnt; i++) {
		for (j = 0; j < all->cnt; j++)
			if (all->v[j].kind == kn->v[i].kind && !strcmp(all->v[j].name, kn->v[i].name))
				break;
		if (j == all->cnt)
			return false;
	}
	return true;
}

/* The release's blobs, each once, with an entry each for the checks'
 * messages; and the check prepare makes once the blobs are loaded. */
static int prel_init(struct pv *v, struct prel *p, const struct um_release *r)
{
	const void *raw, *raw2;
	__u32 sz, sz2;
	size_t a;
	int l;

	p->r = r;
	p->label = r->nlibs ? r->labels[0] : v->e->objs[0].path;
	p->apps = calloc(r->nlibs + 1, sizeof(*p->apps));
	p->ents = calloc(r->nlibs + 1, sizeof(*p->ents));
	p->app_e = calloc(r->nlibs + 1, sizeof(*p->app_e));
	if (!p->apps || !p->ents || !p->app_e)
		return ucb_errf(-ENOMEM, "out of memory");
	for (l = 0; l < r->nlibs; l++) {
		raw = btf__raw_data(r->blobs[l], &sz);
		for (a = 0; raw && a < p->napps; a++) {
			raw2 = btf__raw_data(p->apps[a], &sz2);
			if (raw2 && sz == sz2 && !memcmp(raw, raw2, sz))
				break;
		}
		if (!raw)
			return ucb_errf(-ENOMEM, "out of memory");
		if (a < p->napps)
			continue;
		p->apps[p->napps] = r->blobs[l];
		p->ents[p->napps] = (struct ucb_entry){ .lib = (char *)r->labels[l], .version = "",
							.objects = v->objects };
		p->app_e[p->napps] = &p->ents[p->napps];
		p->napps++;
	}
	if (ucb_app_names_build(p->apps, p->napps, &p->names))
		return ucb_errf(-ENOMEM, "out of memory");
	if (ucb_check_app_collisions(&p->names, p->apps, p->app_e))
		return ucb_errf(-EEXIST, "%s: verify: libucorebtf would refuse to prepare this release: %s",
				p->label, ucb_errmsg());
	return 0;
}

static void prel_free(struct prel *p)
{
	ucb_app_names_free(&p->names);
	free(p->apps);
	free(p->ents);
	free(p->app_e);
}

/* The BTF prepare builds for obj (-1: all objects, no object named). */
static int comp_build(struct pv *v, const struct prel *p, int obj, struct comp *c)
{
	const struct ucb_entry *chosen = &v->all;
	const char *obj_path = obj >= 0 ? v->e->objs[obj].path : NULL;
	struct ucb_kbtf tmpk = {}, *k = &v->k;
	struct ucb_kneeds kn = {};
	const char **roots = NULL;
	int *kinds = NULL, id, err;
	size_t nroots = 0, a;

	c->obj_name = obj >= 0 ? v->names[obj] : NULL;
	err = ucb_collect_needs(&v->b, &chosen, 1, c->obj_name, obj_path, &p->names, &kn);
	if (err)
		return err;
	c->out = btf__new_empty();
	c->start = calloc(p->napps + 1, sizeof(*c->start));
	if (!c->out || !c->start)
		err = ucb_errf(-ENOMEM, "out of memory");
	/* The fallback (an object without recorded needs) may name roots
	 * the shared index was not opened with. */
	if (!err && kn.cnt && !needs_within(&v->kall, &kn)) {
		err = pv_kernel_open(v, kn.v, kn.cnt, &tmpk);
		k = &tmpk;
	}
	if (!err && kn.cnt)
		err = ucb_kbtf_prune(k, kn.v, kn.cnt, c->out, &roots, &kinds, &nroots);
	if (!err && kn.cnt &&
	    ucb_check_shadowing(c->out, roots, kinds, nroots, &p->names, p->apps, p->app_e, kn.v,
				kn.cnt, c->obj_name))
		snprintf(c->shadow, sizeof(c->shadow), "%s", ucb_errmsg());
	c->nkern = c->out ? btf__type_cnt(c->out) : 0;
	for (a = 0; !err && a < p->napps; a++) {
		id = btf__add_btf(c->out, p->apps[a]);
		if (id < 0)
			err = ucb_errf(id, "cannot combine library BTF: %s", strerror(-id));
		c->start[a] = id;
	}
	if (!err && um_nindex_init(&c->ix, c->out))
		err = ucb_errf(-ENOMEM, "out of memory");
	free(roots);
	free(kinds);
	if (tmpk.types)
		ucb_kbtf_close(&tmpk);
	ucb_kneeds_free(&kn);
	if (err)
		return ucb_errf(err, "%s: verify: cannot build the BTF libucorebtf prepares: %s",
				p->label, ucb_errmsg());
	return 0;
}

static void comp_free(struct comp *c)
{
	um_nindex_free(&c->ix);
	btf__free(c->out);
	free(c->start);
	memset(c, 0, sizeof(*c));
}

/* "struct file [3] size 232 from kernel, struct file [9] size 24 from
 * LABEL"; true if the kernel's and a library's are among them. */
static bool comp_cands(const struct comp *c, const struct prel *p,
		       const struct bpf_core_cand_list *cl, char *buf, size_t sz)
{
	bool kernel = false, app = false;
	size_t off = 0, a;
	int i;

	buf[0] = 0;
	for (i = 0; i < cl->len && off < sz; i++) {
		const struct btf_type *t = btf__type_by_id(c->out, cl->cands[i].id);
		const char *where = "kernel";
		char id[128];

		for (a = 0; cl->cands[i].id >= c->nkern && a < p->napps; a++)
			if (cl->cands[i].id >= c->start[a])
				where = p->ents[a].lib;
		kernel |= cl->cands[i].id < c->nkern;
		app |= cl->cands[i].id >= c->nkern;
		um_type_ident(c->out, cl->cands[i].id, id, sizeof(id), 0);
		off += snprintf(buf + off, sz - off, "%s%s [%u] size %u from %s", i ? ", " : "", id,
				cl->cands[i].id,
				btf_is_composite(t) || btf_is_any_enum(t) || btf_is_int(t) ? t->size : 0,
				where);
	}
	if (!cl->len)
		snprintf(buf, sz, "none");
	return kernel && app;
}

/* Relocation i of object oi decides in c as it did against the full BTF
 * of its side. */
static int comp_relo(struct pv *v, const struct prel *p, const struct comp *c, int oi, int i)
{
	struct obj *o = &v->e->objs[oi];
	struct relo *rl = &o->relos[i];
	const struct um_decision *d = &p->r->dec[oi][i];
	struct bpf_core_cand_list cl = {};
	struct bpf_core_relo_res res;
	const struct tmpres *want;
	struct tmpres kwant;
	struct bpf_core_spec targ;
	char buf[1024];
	bool both;
	int err;

	if (d->side == UM_LOCAL || d->unresolved)
		return 0;
	if (d->side == UM_KERNEL) {
		kwant = (struct tmpres){ rl->kres, rl->ktarg.btf };
		want = &kwant;
	} else {
		want = &p->r->want[oi][i];
	}
	err = um_add_cands(&c->ix, o->btf, rl->r.type_id, &cl);
	if (err) {
		free(cl.cands);
		return ucb_errf(err, "out of memory");
	}
	err = um_decide(o, i, &cl, &res, &targ, NULL);
	if (!err && um_same_res(rl->r.kind, &res, targ.btf, &want->res, want->tbtf, true)) {
		free(cl.cands);
		return 0;
	}
	both = comp_cands(c, p, &cl, buf, sizeof(buf));
	free(cl.cands);
	return ucb_errf(-EINVAL, "%s: verify: relocation %s (%s) of %s resolves differently against the BTF libucorebtf prepares (kernel needs%s%s + minimized BTF; %s%s) than against the %s BTF%s; force a side with --app-type/--kernel-type",
			p->label, rl->name, um_kind_str(rl->r.kind), o->path,
			c->obj_name ? " of " : "", c->obj_name ?: "", err ? "ambiguous: " : "candidates: ",
			buf, d->side == UM_KERNEL ? "kernel" : "library",
			both ? ": libbpf finds candidates by name, and a kernel relocation (of this release or another) needs the kernel's type of that name" : "");
}

/* Build what prepare builds for obj (-1: all objects) and check the
 * objects' relocations against it. */
static int pv_check(struct pv *v, const struct prel *p, int obj)
{
	struct comp c = {};
	int oi, i, err;

	err = comp_build(v, p, obj, &c);
	for (oi = obj >= 0 ? obj : 0; !err && oi < v->e->nobj && (obj < 0 || oi == obj); oi++)
		for (i = 0; !err && i < v->e->objs[oi].n; i++)
			err = comp_relo(v, p, &c, oi, i);
	if (!err && c.shadow[0])
		err = ucb_errf(-EEXIST, "%s: verify: libucorebtf would refuse to prepare the BTF of %s: %s",
			       p->label, c.obj_name ?: "the objects", c.shadow);
	comp_free(&c);
	return err;
}

int um_verify_prepared(struct um_engine *e, struct um_release *const *rels, int n)
{
	struct pv v = { .e = e, .memfd = -1 };
	int g, oi, err;

	if (!e->kernel || !e->nobj)
		return 0;
	err = pv_setup(&v);
	for (g = 0; !err && g < n; g++) {
		struct prel p = {};
		int h;

		if (!rels[g]->want)	/* not run with verify */
			continue;
		/* Releases of the same BTFs share one result: check it once. */
		for (h = 0; h < g && rels[h] != rels[g]; h++)
			;
		if (h < g)
			continue;
		err = prel_init(&v, &p, rels[g]);
		/* prepare --obj OBJ: that object's needs; without: all. */
		for (oi = 0; !err && oi < e->nobj; oi++)
			err = pv_check(&v, &p, oi);
		if (!err && e->nobj > 1)
			err = pv_check(&v, &p, -1);
		prel_free(&p);
	}
	pv_free(&v);
	return err;
}
