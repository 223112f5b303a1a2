// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* gen min engine, objects: the engine, the BPF objects it resolves and
 * their CO-RE relocations (checked before anything walks them, and named
 * "prog:insn type.field.path"), and the sides forced by name. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/errmsg.h"
#include "tool/btf_io.h"
#include "minimize_internal.h"

static void relo_name(struct obj *o, const struct btf_ext_info_sec *sec,
		      const struct bpf_core_relo *r, struct relo *rl)
{
	const struct btf_ext_info *fseg = &o->ext->func_info;
	const struct btf_ext_info_sec *fsec;
	const struct bpf_func_info_min *fi;
	const char *prog = rl->sec, *tname;
	__u32 start = 0, i;
	struct bpf_core_spec spec;
	char path[256] = "";
	size_t n = 0;
	int k;

	if (fseg->info) {
		for_each_btf_ext_sec(fseg, fsec) {
			if (fsec->sec_name_off != sec->sec_name_off)
				continue;
			for_each_btf_ext_rec(fseg, fsec, i, fi) {
				if (fi->insn_off <= r->insn_off && fi->insn_off >= start) {
					const struct btf_type *ft = btf__type_by_id(o->btf, fi->type_id);

					start = fi->insn_off;
					if (ft)
						prog = btf__name_by_offset(o->btf, ft->name_off);
				}
			}
		}
	}
	tname = btf__name_by_offset(o->btf, btf__type_by_id(o->btf, r->type_id)->name_off);
	if (!tname || !tname[0])
		tname = "<anon>";
	n = snprintf(path, sizeof(path), "%s", tname);
	memset(&spec, 0, sizeof(spec));
	if (!bpf_core_parse_spec(rl->sec, o->btf, r, &spec)) {
		if (r->kind == BPF_CORE_ENUMVAL_EXISTS || r->kind == BPF_CORE_ENUMVAL_VALUE) {
			snprintf(path + n, sizeof(path) - n, "::%s", spec.spec[0].name);
		} else if (spec.len > 0 && r->kind != BPF_CORE_TYPE_ID_LOCAL &&
			   r->kind != BPF_CORE_TYPE_ID_TARGET && r->kind != BPF_CORE_TYPE_EXISTS &&
			   r->kind != BPF_CORE_TYPE_MATCHES && r->kind != BPF_CORE_TYPE_SIZE) {
			if (spec.spec[0].idx && n < sizeof(path))
				n += snprintf(path + n, sizeof(path) - n, "[%u]", spec.spec[0].idx);
			for (k = 1; k < spec.len && n < sizeof(path); k++) {
				if (spec.spec[k].name)
					n += snprintf(path + n, sizeof(path) - n, ".%s", spec.spec[k].name);
				else
					n += snprintf(path + n, sizeof(path) - n, "[%u]", spec.spec[k].idx);
			}
		}
	}
	if (asprintf(&rl->name, "%s:%u %s", prog, (r->insn_off - start) / 8, path) < 0)
		rl->name = NULL;
}

struct um_engine *um_new(const struct btf *kernel)
{
	struct um_engine *e = calloc(1, sizeof(*e));

	if (!e)
		return ucb_errp(-ENOMEM, "out of memory");
	e->kernel = kernel;
	if (kernel) {
		if (um_nindex_init(&e->kix, kernel) ||
		    !(e->kmarks = um_marks_new(kernel))) {
			um_free(e);
			return ucb_errp(-ENOMEM, "out of memory");
		}
	}
	return e;
}

void um_free(struct um_engine *e)
{
	int i, j;

	if (!e)
		return;
	for (i = 0; i < e->nobj; i++) {
		struct obj *o = &e->objs[i];

		for (j = 0; j < o->n; j++)
			free(o->relos[j].name);
		free(o->relos);
		free(o->path);
		btf__free(o->btf);
		btf_ext__free(o->ext);
		um_marks_free(o->kmarks);
	}
	for (i = 0; i < e->nforce; i++)
		free(e->forces[i].name);
	free(e->forces);
	free(e->objs);
	um_nindex_free(&e->kix);
	um_marks_free(e->kmarks);
	free(e);
}

void um_set_kernel_path(struct um_engine *e, const char *path)
{
	e->kernel_path = path;
}

int um_force_type(struct um_engine *e, const char *name, int side)
{
	struct force *f = realloc(e->forces, (e->nforce + 1) * sizeof(*f));

	if (!f)
		return ucb_errf(-ENOMEM, "out of memory");
	e->forces = f;
	f[e->nforce].name = strdup(name);
	f[e->nforce].side = side;
	f[e->nforce].used = false;
	if (!f[e->nforce].name)
		return ucb_errf(-ENOMEM, "out of memory");
	e->nforce++;
	return 0;
}

const char *um_force_unused(const struct um_engine *e, int *side)
{
	int i;

	for (i = 0; i < e->nforce; i++)
		if (!e->forces[i].used) {
			*side = e->forces[i].side;
			return e->forces[i].name;
		}
	return NULL;
}

/* libbpf's btf_ext parser checks the records' sizes only.  relo_core
 * (bpf_core_calc_relo_insn()) dereferences the local type of a record
 * unchecked and libbpf itself checks it first; so do we, with the rest of
 * what a record names, before anything walks it. */
static int check_relo(const char *path, const struct btf *btf, const char *sec, int idx,
		      const struct bpf_core_relo *r)
{
	const char *acc = btf__name_by_offset(btf, r->access_str_off);

	if (!sec)
		return ucb_errf(-EINVAL, "%s: .BTF.ext: CO-RE relocation #%d: section name offset out of range",
				path, idx);
	if (r->type_id == 0 || r->type_id >= btf__type_cnt(btf))
		return ucb_errf(-EINVAL, "%s: .BTF.ext: CO-RE relocation #%d in %s: type id %u out of range (%u types)",
				path, idx, sec, r->type_id, btf__type_cnt(btf) - 1);
	if (!acc || !acc[0])
		return ucb_errf(-EINVAL, "%s: .BTF.ext: CO-RE relocation #%d in %s: access string offset %u out of range",
				path, idx, sec, r->access_str_off);
	if (r->kind > BPF_CORE_TYPE_MATCHES)
		return ucb_errf(-EINVAL, "%s: .BTF.ext: CO-RE relocation #%d in %s: unknown kind %u",
				path, idx, sec, r->kind);
	return 0;
}

/* The object's CO-RE relocation records, checked and named. */
static int obj_read_relos(struct obj *o)
{
	const struct btf_ext_info *seg = &o->ext->core_relo_info;
	const struct btf_ext_info_sec *sec;
	const struct bpf_core_relo *r;
	struct relo *rl, *nr;
	__u32 i;
	int err;

	if (!seg->info || !seg->len)
		return 0;
	for_each_btf_ext_sec(seg, sec) {
		for_each_btf_ext_rec(seg, sec, i, r) {
			nr = realloc(o->relos, (o->n + 1) * sizeof(*nr));
			if (!nr)
				return ucb_errf(-ENOMEM, "%s: out of memory", o->path);
			o->relos = nr;
			rl = &nr[o->n++];
			memset(rl, 0, sizeof(*rl));
			rl->r = *r;
			rl->sec = btf__name_by_offset(o->btf, sec->sec_name_off);
			err = check_relo(o->path, o->btf, rl->sec, o->n - 1, r);
			if (err)
				return err;
			relo_name(o, sec, r, rl);
			if (!rl->name)
				return ucb_errf(-ENOMEM, "%s: out of memory", o->path);
		}
	}
	return 0;
}

/* Relocations whose local type is forced to a side (--app-type/--kernel-type). */
static void obj_apply_forces(struct um_engine *e, struct obj *o)
{
	int k, f;

	for (k = 0; k < o->n; k++) {
		const struct btf_type *t = btf__type_by_id(o->btf, o->relos[k].r.type_id);
		const char *name = t ? btf__name_by_offset(o->btf, t->name_off) : NULL;

		for (f = 0; name && f < e->nforce; f++)
			if (!strcmp(e->forces[f].name, name)) {
				o->relos[k].force = e->forces[f].side;
				e->forces[f].used = true;
			}
	}
}

int um_add_object(struct um_engine *e, const char *path)
{
	struct btf_ext *ext = NULL;
	struct obj *o, *objs;
	struct btf *btf;
	int err;

	btf = btf__parse(path, &ext);
	if (!btf) {
		err = errno ? -errno : -EINVAL;
		return ucb_errf(err, "%s: cannot read BTF of BPF object: %s", path, strerror(-err));
	}
	if (!ext) {
		btf__free(btf);
		return ucb_errf(-ENODATA, "%s: not a BPF object: no .BTF.ext section", path);
	}
	err = btf_check_graph(btf, path);
	if (err) {
		btf__free(btf);
		btf_ext__free(ext);
		return err;
	}
	objs = realloc(e->objs, (e->nobj + 1) * sizeof(*objs));
	if (!objs) {
		btf__free(btf);
		btf_ext__free(ext);
		return ucb_errf(-ENOMEM, "%s: out of memory", path);
	}
	/* From here on the object is the engine's: um_free() frees it. */
	e->objs = objs;
	o = &objs[e->nobj++];
	memset(o, 0, sizeof(*o));
	o->btf = btf;
	o->ext = ext;
	o->path = strdup(path);
	if (!o->path)
		return ucb_errf(-ENOMEM, "%s: out of memory", path);
	err = obj_read_relos(o);
	if (err)
		return err;
	obj_apply_forces(e, o);
	if (e->kernel && !(o->kmarks = um_marks_new(e->kernel)))
		return ucb_errf(-ENOMEM, "%s: out of memory", path);
	return 0;
}

int um_obj_cnt(const struct um_engine *e) { return e->nobj; }
const char *um_obj_path(const struct um_engine *e, int obj) { return e->objs[obj].path; }
int um_relo_cnt(const struct um_engine *e, int obj) { return e->objs[obj].n; }
const char *um_relo_name(const struct um_engine *e, int obj, int relo)
{
	return e->objs[obj].relos[relo].name;
}
const char *um_relo_kind(const struct um_engine *e, int obj, int relo)
{
	return um_kind_str(e->objs[obj].relos[relo].r.kind);
}
