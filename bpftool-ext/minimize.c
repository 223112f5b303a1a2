// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* gen min engine: CO-RE relocations resolved with libbpf's relo_core against
 * library and kernel BTF; the types/members each decision depends on are
 * marked (marks.c) and copied into a minimized BTF in a canonical order.
 *
 * bpftool-ext/ is the only code of ucorebtf that sees libbpf-internal
 * headers (minimize_internal.h).  See docs/gen-min.md for the rules.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/errmsg.h"
#include "minimize_internal.h"

/* Run libbpf's decision on a private copy of the candidate list (libbpf
 * compacts it to the matching candidates, which *matched gets). */
int um_decide(struct obj *o, int idx, const struct bpf_core_cand_list *cands,
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

/* Compare two decisions.  Target type ids differ between BTFs: compare
 * TYPE_ID_TARGET values and new_type_id by the identity of the type; with
 * layout, a field's type (new_type_id of field relocations, which libbpf
 * only looks at for its kind) by its layout, as the runtime's pruned
 * kernel types keep layouts, not names. */
bool um_same_res(int kind, const struct bpf_core_relo_res *a, const struct btf *ab,
		 const struct bpf_core_relo_res *b, const struct btf *bb, bool layout)
{
	if (a->orig_val != b->orig_val || a->poison != b->poison || a->validate != b->validate ||
	    a->fail_memsz_adjust != b->fail_memsz_adjust || a->orig_sz != b->orig_sz ||
	    a->orig_type_id != b->orig_type_id || a->new_sz != b->new_sz)
		return false;
	if (kind == BPF_CORE_TYPE_ID_TARGET && !a->poison) {
		if (!um_same_ident(ab, a->new_val, bb, b->new_val))
			return false;
	} else if (a->new_val != b->new_val) {
		return false;
	}
	if (layout && kind <= BPF_CORE_FIELD_RSHIFT_U64)
		return um_same_layout(ab, a->new_type_id, bb, b->new_type_id, 0);
	return um_same_ident(ab, a->new_type_id, bb, b->new_type_id);
}

static void fill_decision(struct um_decision *d, int kind, const struct bpf_core_relo_res *res,
			  const struct bpf_core_spec *targ)
{
	d->matched = targ->btf != NULL;
	d->poison = res->poison;
	d->value = res->new_val;
	d->target[0] = 0;
	if (d->matched)
		um_type_ident(targ->btf, targ->root_type_id, d->target, sizeof(d->target), 0);
	if (res->poison)
		snprintf(d->value_str, sizeof(d->value_str), "poison");
	else if (kind == BPF_CORE_TYPE_ID_TARGET && d->matched)
		um_type_ident(targ->btf, res->new_val, d->value_str, sizeof(d->value_str), 0);
	else
		snprintf(d->value_str, sizeof(d->value_str), "%llu", (unsigned long long)res->new_val);
}

/* 1 if the kernel has a candidate for the local type, 0 if not, -errno */
static int kernel_has(struct um_engine *e, struct obj *o, __u32 id)
{
	struct bpf_core_cand_list cl = {};
	int err = um_add_cands(&e->kix, o->btf, id, &cl);

	free(cl.cands);
	return err ?: cl.len > 0;
}

static int kernel_decide(struct um_engine *e, struct obj *o, int idx)
{
	struct relo *rl = &o->relos[idx];
	struct bpf_core_cand_list cl = {};
	char buf[1024];
	int err;

	if (rl->kdone)
		return 0;
	err = um_add_cands(&e->kix, o->btf, rl->r.type_id, &cl);
	err = err ?: um_decide(o, idx, &cl, &rl->kres, &rl->ktarg, NULL);
	if (err) {
		um_cand_list(buf, sizeof(buf), &cl, NULL, NULL, 0);
		free(cl.cands);
		return ucb_errf(err, "%s: relocation %s (%s) cannot be resolved against kernel BTF %s%s%s",
				o->path, rl->name, um_kind_str(rl->r.kind), e->kernel_path ?: "",
				cl.len > 1 ? ": ambiguous between " : "", cl.len > 1 ? buf : "");
	}
	free(cl.cands);
	err = um_record_spec(o->kmarks, &rl->ktarg);
	err = err ?: um_record_spec(e->kmarks, &rl->ktarg);
	if (err)
		return ucb_errf(err, "%s: relocation %s: cannot record what it needs: %s",
				o->path, rl->name, strerror(-err));
	rl->kdone = true;
	return 0;
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
	if (!s[r->nshadow])
		return -ENOMEM;
	r->nshadow++;
	return 0;
}

/* One um_run(): a release (n libraries) against the engine's objects. */
struct run {
	struct um_engine *e;
	struct um_release *r;
	struct btf *const *libs;
	const char *const *labels;
	int n;
	struct nindex *lix;	/* the libraries' name indexes */
	struct marks **lm;	/* what each library's blob keeps */
	struct tmpres **tr;	/* each decision's libbpf result, for verify */
};

/* Messages about a release name it by its first library. */
static const char *run_label(const struct run *x, const struct obj *o)
{
	return x->n ? x->labels[0] : o->path;
}

static int lib_cands(struct nindex *ix, int n, const struct btf *lbtf, __u32 id,
		     struct bpf_core_cand_list *cl)
{
	int l, err = 0;

	for (l = 0; l < n && !err; l++)
		err = um_add_cands(&ix[l], lbtf, id, cl);
	return err;
}

/* The blobs alone decide as the full libraries did.  (What the runtime
 * loads, kernel types and blobs together, is checked once every release
 * ran: um_verify_prepared(), prepared.c.) */
static int verify_app(struct run *x, struct nindex *bix, struct obj *o, int i)
{
	const struct tmpres *want = &x->tr[o - x->e->objs][i];
	struct bpf_core_cand_list cl = {};
	struct relo *rl = &o->relos[i];
	struct bpf_core_relo_res res;
	struct bpf_core_spec targ;
	int err;

	err = lib_cands(bix, x->n, o->btf, rl->r.type_id, &cl);
	err = err ?: um_decide(o, i, &cl, &res, &targ, NULL);
	free(cl.cands);
	if (err || !um_same_res(rl->r.kind, &res, targ.btf, &want->res, want->tbtf, false))
		return ucb_errf(-EINVAL, "%s: verify: relocation %s (%s) of %s resolves differently against the minimized BTF",
				run_label(x, o), rl->name, um_kind_str(rl->r.kind), o->path);
	return 0;
}

static int verify_release(struct run *x)
{
	struct um_engine *e = x->e;
	struct nindex *bix = calloc(x->n ? x->n : 1, sizeof(*bix));
	int l, oi, i, err = 0;

	if (!bix)
		return ucb_errf(-ENOMEM, "out of memory");
	for (l = 0; l < x->n && !err; l++)
		err = um_nindex_init(&bix[l], x->r->blobs[l]);
	if (err)
		ucb_errf(err, "out of memory");
	for (oi = 0; oi < e->nobj && !err; oi++) {
		struct obj *o = &e->objs[oi];

		for (i = 0; i < o->n && !err; i++) {
			const struct um_decision *d = &x->r->dec[oi][i];

			if (d->side == UM_LOCAL || d->unresolved)
				continue;
			if (d->side == UM_APP)
				err = verify_app(x, bix, o, i);
		}
	}
	for (l = 0; l < x->n; l++)
		um_nindex_free(&bix[l]);
	free(bix);
	return err;
}

/* TYPE_ID_LOCAL needs no target: libbpf decides on the object alone. */
static int relo_local(struct run *x, struct obj *o, int i, struct um_decision *d,
		      struct tmpres *t)
{
	struct relo *rl = &o->relos[i];
	struct bpf_core_spec targ;
	int err;

	d->side = UM_LOCAL;
	err = um_decide(o, i, NULL, &t->res, &targ, NULL);
	if (err)	/* e.g. an access string other than "0" */
		return ucb_errf(err, "%s: relocation %s (%s): libbpf cannot parse it (%d)",
				o->path, rl->name, um_kind_str(rl->r.kind), err);
	fill_decision(d, rl->r.kind, &t->res, &targ);
	return 0;
}

/* Which side resolves the relocation: forced, else the library first; a
 * name found in neither the library nor the kernel is a type this release
 * lacks (app side, where it fails).  cl: the library candidates. */
static int relo_side(struct run *x, struct obj *o, struct relo *rl,
		     const struct bpf_core_cand_list *cl)
{
	int has;

	if (rl->force)
		return rl->force;
	if (cl->len)
		return UM_APP;
	if (!x->e->kernel)
		return UM_KERNEL;
	has = kernel_has(x->e, o, rl->r.type_id);
	if (has < 0)
		return ucb_errf(has, "out of memory");
	return has ? UM_KERNEL : UM_APP;
}

static int relo_kernel(struct run *x, struct obj *o, int i, struct um_decision *d,
		       struct tmpres *t)
{
	struct relo *rl = &o->relos[i];
	int err;

	if (!x->e->kernel) {
		d->unresolved = true;
		snprintf(d->value_str, sizeof(d->value_str), "-");
		return 0;
	}
	err = kernel_decide(x->e, o, i);
	if (err)
		return err;
	fill_decision(d, rl->r.kind, &rl->kres, &rl->ktarg);
	t->res = rl->kres;
	t->tbtf = rl->ktarg.btf;
	return 0;
}

/* libbpf's decision among the library candidates cl.  Matching candidates
 * that are copies of one definition (dedup missed them) are not ambiguous;
 * different definitions are, even where libbpf would pick one. */
static int app_decide(struct run *x, struct obj *o, int i, const struct bpf_core_cand_list *cl,
		      struct bpf_core_relo_res *res, struct bpf_core_spec *targ)
{
	struct bpf_core_cand_list matched = {};
	struct relo *rl = &o->relos[i];
	char buf[1024];
	int err, j;

	err = um_decide(o, i, cl, res, targ, &matched);
	if (err) {
		um_cand_list(buf, sizeof(buf), cl, x->libs, x->labels, x->n);
		if (cl->len > 1)
			return ucb_errf(err, "%s: relocation %s (%s) of %s is ambiguous: %s",
					run_label(x, o), rl->name, um_kind_str(rl->r.kind), o->path, buf);
		return ucb_errf(err, "%s: relocation %s (%s) of %s: libbpf cannot resolve it (%d)",
				run_label(x, o), rl->name, um_kind_str(rl->r.kind), o->path, err);
	}
	for (j = 1; j < matched.len && !err; j++) {
		if (um_same_shape(matched.cands[0].btf, matched.cands[0].id,
				  matched.cands[j].btf, matched.cands[j].id))
			continue;
		um_cand_list(buf, sizeof(buf), &matched, x->libs, x->labels, x->n);
		err = ucb_errf(-EINVAL, "%s: relocation %s (%s) of %s is ambiguous: different definitions %s",
			       run_label(x, o), rl->name, um_kind_str(rl->r.kind), o->path, buf);
	}
	free(matched.cands);
	return err;
}

/* A library type the kernel also names ("struct file"): the runtime must
 * not let the kernel's copy win.  Recorded for um_release_shadowed(). */
static int relo_shadow(struct run *x, struct obj *o, struct relo *rl)
{
	const struct btf_type *t = btf__type_by_id(o->btf, rl->r.type_id);
	const char *name = btf__name_by_offset(o->btf, t->name_off);
	struct bpf_core_cand_list cl = {};
	char nm[160];
	int err;

	err = um_add_cands(&x->e->kix, o->btf, rl->r.type_id, &cl);
	if (!err && cl.len) {
		snprintf(nm, sizeof(nm), "%s %.*s", um_kname(t),
			 (int)bpf_core_essential_name_len(name), name);
		err = add_shadow(x->r, nm);
	}
	free(cl.cands);
	return err ? ucb_errf(err, "out of memory") : 0;
}

static int relo_app(struct run *x, struct obj *o, int i, const struct bpf_core_cand_list *cl,
		    struct um_decision *d, struct tmpres *t)
{
	struct relo *rl = &o->relos[i];
	struct bpf_core_spec targ;
	int err, l;

	err = app_decide(x, o, i, cl, &t->res, &targ);
	if (err)
		return err;
	fill_decision(d, rl->r.kind, &t->res, &targ);
	t->tbtf = targ.btf;
	for (l = 0; l < x->n; l++) {
		if (targ.btf != x->libs[l])
			continue;
		d->lib = l;
		err = um_record_spec(x->lm[l], &targ);
		if (err)
			return ucb_errf(err, "%s: relocation %s: cannot record what it needs: %s",
					o->path, rl->name, strerror(-err));
	}
	/* Shadowed: the release has the name (a type it lacks shadows nothing). */
	return x->e->kernel && cl->len ? relo_shadow(x, o, rl) : 0;
}

/* One relocation against the release: its side, libbpf's decision there,
 * and what the release's blob must keep for it. */
static int run_relo(struct run *x, int oi, int i)
{
	struct obj *o = &x->e->objs[oi];
	struct relo *rl = &o->relos[i];
	struct um_decision *d = &x->r->dec[oi][i];
	struct tmpres *t = &x->tr[oi][i];
	struct bpf_core_cand_list cl = {};
	int side, err;

	d->lib = -1;
	if (rl->r.kind == BPF_CORE_TYPE_ID_LOCAL)
		return relo_local(x, o, i, d, t);
	err = lib_cands(x->lix, x->n, o->btf, rl->r.type_id, &cl);
	if (err) {
		free(cl.cands);
		return ucb_errf(err, "out of memory");
	}
	side = relo_side(x, o, rl, &cl);
	if (side < 0)
		err = side;
	else if ((d->side = side) == UM_KERNEL)
		err = relo_kernel(x, o, i, d, t);
	else
		err = relo_app(x, o, i, &cl, d, t);
	free(cl.cands);
	return err;
}

/* Per-library indexes and marks, per-object decision arrays. */
static int run_setup(struct run *x)
{
	struct um_engine *e = x->e;
	int l, oi, cnt = x->n ? x->n : 1, ocnt = e->nobj ? e->nobj : 1;

	x->r = calloc(1, sizeof(*x->r));
	x->lix = calloc(cnt, sizeof(*x->lix));
	x->lm = calloc(cnt, sizeof(*x->lm));
	x->tr = calloc(ocnt, sizeof(*x->tr));
	if (!x->r || !x->lix || !x->lm || !x->tr)
		return ucb_errf(-ENOMEM, "out of memory");
	x->r->nobj = e->nobj;
	x->r->nlibs = x->n;
	x->r->dec = calloc(ocnt, sizeof(*x->r->dec));
	x->r->blobs = calloc(cnt, sizeof(*x->r->blobs));
	if (!x->r->dec || !x->r->blobs)
		return ucb_errf(-ENOMEM, "out of memory");
	for (l = 0; l < x->n; l++)
		if (um_nindex_init(&x->lix[l], x->libs[l]) || !(x->lm[l] = um_marks_new(x->libs[l])))
			return ucb_errf(-ENOMEM, "out of memory");
	for (oi = 0; oi < e->nobj; oi++) {
		int n = e->objs[oi].n ? e->objs[oi].n : 1;

		x->r->dec[oi] = calloc(n, sizeof(**x->r->dec));
		x->tr[oi] = calloc(n, sizeof(**x->tr));
		if (!x->r->dec[oi] || !x->tr[oi])
			return ucb_errf(-ENOMEM, "out of memory");
	}
	return 0;
}

static void run_cleanup(struct run *x)
{
	int l, oi;

	for (l = 0; x->lix && l < x->n; l++)
		um_nindex_free(&x->lix[l]);
	for (l = 0; x->lm && l < x->n; l++)
		um_marks_free(x->lm[l]);
	for (oi = 0; x->tr && oi < x->e->nobj; oi++)
		free(x->tr[oi]);
	free(x->tr);
	free(x->lix);
	free(x->lm);
}

struct um_release *um_run(struct um_engine *e, struct btf *const *libs,
			  const char *const *labels, int n, bool verify)
{
	struct run x = { .e = e, .libs = libs, .labels = labels, .n = n };
	int oi, i, l, err;

	err = run_setup(&x);
	for (oi = 0; oi < e->nobj && !err; oi++)
		for (i = 0; i < e->objs[oi].n && !err; i++)
			err = run_relo(&x, oi, i);
	for (l = 0; l < n && !err; l++) {
		x.r->blobs[l] = um_build_blob(x.lm[l]);
		if (!x.r->blobs[l])
			err = ucb_errf(-errno, "%s: cannot build minimized BTF: %s", labels[l],
				       strerror(errno));
	}
	if (!err && verify)
		err = verify_release(&x);
	if (!err && verify) {
		/* um_verify_prepared() compares against these decisions. */
		x.r->want = x.tr;
		x.tr = NULL;
		x.r->labels = malloc((n ? n : 1) * sizeof(*x.r->labels));
		if (!x.r->labels)
			err = ucb_errf(-ENOMEM, "out of memory");
		for (l = 0; !err && l < n; l++)
			x.r->labels[l] = labels[l];
	}
	run_cleanup(&x);
	if (err) {
		um_release_free(x.r);
		errno = -err;
		return NULL;	/* the message is set */
	}
	return x.r;
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
	for (i = 0; r->want && i < r->nobj; i++)
		free(r->want[i]);
	free(r->want);
	free(r->labels);
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
