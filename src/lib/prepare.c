/* ucorebtf_bundle__prepare(): one BTF for btf_custom_path holding the
 * chosen entries' library types and the kernel types the object needs,
 * built in stages that each fail with their own message:
 *   select entries -> load app BTF -> collect kernel needs ->
 *   add kernel types -> check shadowing -> publish. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "lib/errmsg.h"
#include "lib/index.h"
#include "lib/fileio.h"
#include "lib/names.h"
#include "lib/runtime.h"
#include "lib/target.h"

/* The working state of one prepare call. */
struct prep {
	const struct ucb_bundle *b;
	const char *obj_path, *obj_name, *kpath;
	char *name_buf;				/* obj_name derived from obj_path */
	const struct ucb_entry **chosen;	/* per target */
	size_t nchosen, cap;
	struct btf **apps;			/* each chosen blob once */
	const struct ucb_entry **app_e;		/* the entry of each app */
	size_t napps;
	struct ucb_app_names names;		/* the apps' type names, sorted */
	struct ucb_kneeds kn;
	struct ucb_kbtf k;
	struct btf *out;
	const char **roots;			/* kernel roots in out (names in k) */
	int *root_kinds;
	size_t nroots;
};

static int chosen_set(struct ucb_chosen *c, const char *path, const struct ucb_entry *e, char *how)
{
	c->how = how;
	c->path = strdup(path);
	c->lib = strdup(e->lib);
	c->version = strdup(e->version);
	c->arch = strdup(e->arch);
	if (!c->path || !c->lib || !c->version || !c->arch)
		return ucb_errf(-ENOMEM, "out of memory");
	return 0;
}

/* Libraries found through DT_NEEDED that prepare adds at most. */
#define UCB_MAX_NEEDED_TARGETS 16

/* Record target path with entry e.  A library found through DT_NEEDED
 * (dedupe) is not recorded twice: the openssl command and libssl both need
 * libcrypto.  Takes how. */
static int prep_add_chosen(struct prep *p, struct ucorebtf_btf *r, const char *path,
			   const struct ucb_entry *e, char *how, bool dedupe)
{
	size_t i;

	for (i = 0; dedupe && i < p->nchosen; i++)
		if (p->chosen[i] == e) {
			free(how);
			return 0;
		}
	p->chosen[p->nchosen++] = e;
	return chosen_set(&r->targets[r->target_cnt++], path, e, how);
}

/* follow_needed: the DT_NEEDED libraries of path whose build-id a bundle
 * entry records join the targets (found next to path, then in the usual
 * directories; by build-id only: the caller did not name them).
 * A probe on libssl reads struct bio_st, which only libcrypto defines;
 * the openssl command is neither library.  An entry made only for other
 * objects (index column objects) is left out when the object is known:
 * its blob was minimised for another probe, and a libc every program
 * needs would otherwise join every prepare.  *found counts them, recorded
 * before or now.  A library without an entry is no error. */
static int prep_add_needed(struct prep *p, struct ucorebtf_btf *r, const char *path, int *found)
{
	const struct ucb_entry *e;
	struct ucb_target t;
	char *lib, *how;
	size_t i;
	int err;

	*found = 0;
	if (ucb_target_read(path, &t))
		return 0;	/* the target's own selection said why */
	for (i = 0; i < t.needed_cnt; i++) {
		if (ucb_target_find_needed(&t, t.needed[i], &lib))
			continue;
		/* Only on exact evidence: the caller did not name this file. */
		err = ucb_select_entry(p->b, lib, NULL, false, &e, &how);
		if (!err && (strcmp(how, "build-id") ||
			     (p->obj_name && strcmp(e->objects, "-") && !ucb_list_has(e->objects, p->obj_name)))) {
			free(how);
			err = -ENOENT;
		}
		if (err) {
			free(lib);
			continue;
		}
		(*found)++;
		err = r->target_cnt < p->cap ? prep_add_chosen(p, r, lib, e, how, true) :
		      (free(how), ucb_errf(-E2BIG, "%s: more than %d DT_NEEDED libraries with bundle entries",
					   path, UCB_MAX_NEEDED_TARGETS));
		free(lib);
		if (err) {
			ucb_target_free(&t);
			return err;
		}
	}
	ucb_target_free(&t);
	return 0;
}

/* Stage 1: the entry of each target, recorded in r with how it was chosen;
 * with follow_needed also the entries of their DT_NEEDED libraries, and a
 * target without an entry of its own (an executable) is fine when one of
 * those has one. */
static int prep_select(struct prep *p, struct ucorebtf_btf *r, const char *const *targets,
		       size_t cnt, const char *const *versions, bool follow_needed)
{
	const struct ucb_entry *e;
	char *how, *why = NULL;
	size_t i, next = 0;
	int err, found;

	p->cap = cnt + (follow_needed ? UCB_MAX_NEEDED_TARGETS : 0);
	p->chosen = calloc(p->cap, sizeof(*p->chosen));
	r->targets = calloc(p->cap, sizeof(*r->targets));
	if (!p->chosen || !r->targets)
		return ucb_errf(-ENOMEM, "out of memory");
	for (i = 0; i < cnt; i++) {
		if (!targets[i])
			return ucb_errf(-EINVAL, "prepare: target %zu is NULL", i);
		/* A FIFO or a device would block the ELF reader's open. */
		err = ucb_open_regular(AT_FDCWD, targets[i], 0, NULL);
		if (err < 0)
			return err;
		close(err);
		err = ucb_select_entry(p->b, targets[i], versions ? versions[i] : NULL, follow_needed,
				       &e, &how);
		if (err && !follow_needed)
			return err;
		if (err && !(why = strdup(ucb_errmsg())))
			return ucb_errf(-ENOMEM, "out of memory");
		if (!err && (err = prep_add_chosen(p, r, targets[i], e, how, false)))
			return err;
		if (!follow_needed)
			continue;
		err = prep_add_needed(p, r, targets[i], &found);
		if (!err && why && !found)
			err = ucb_errf(-ENOENT, "%s", why);
		free(why);
		why = NULL;
		if (err)
			return err;
	}
	/* The libraries the added ones need in turn (libssl -> libcrypto). */
	for (next = 0; follow_needed && next < r->target_cnt; next++) {
		err = prep_add_needed(p, r, r->targets[next].path, &found);
		if (err)
			return err;
	}
	return ucb_btf_describe(r);
}

/* Stage 2: each chosen blob once, as BTF; two libraries may not define one
 * name differently. */
static int prep_load_apps(struct prep *p)
{
	const struct ucb_entry *e;
	size_t i, j;

	p->apps = calloc(p->nchosen, sizeof(*p->apps));
	p->app_e = calloc(p->nchosen, sizeof(*p->app_e));
	if (!p->apps || !p->app_e)
		return ucb_errf(-ENOMEM, "out of memory");
	for (i = 0; i < p->nchosen; i++) {
		const struct ucb_blob *blob;

		e = p->chosen[i];
		for (j = 0; j < p->napps && strcmp(p->app_e[j]->digest, e->digest); j++)
			;
		if (j < p->napps)
			continue;
		blob = ucb_bundle_blob(p->b, e->digest);
		p->apps[p->napps] = btf__new(blob->data, blob->size);
		if (!p->apps[p->napps])
			return ucb_errf(-errno, "bundle entry %s %s: BTF does not parse", e->lib, e->version);
		p->app_e[p->napps++] = e;
	}
	return ucb_app_names_build(p->apps, p->napps, &p->names) ?:
	       ucb_check_app_collisions(&p->names, p->apps, p->app_e);
}

/* The object's name (object_name, else derived from object_path): which
 * entries are its own (stage 1) and which needs (stage 3). */
static int prep_obj_name(struct prep *p)
{
	if (!p->obj_name && p->obj_path) {
		/* Exact size: the name is never longer than the path. */
		p->name_buf = malloc(strlen(p->obj_path) + 1);
		if (!p->name_buf)
			return ucb_errf(-ENOMEM, "out of memory");
		p->obj_name = ucb_object_name(p->obj_path, p->name_buf, strlen(p->obj_path) + 1);
	}
	return 0;
}

/* Stage 3: the object's kernel needs, recorded or derived from its BTF. */
static int prep_collect_needs(struct prep *p)
{
	return ucb_collect_needs(p->b, p->chosen, p->nchosen, p->obj_name, p->obj_path, &p->names,
				 &p->kn);
}

/* Stage 4: the needed kernel types, pruned, into a new BTF. */
static int prep_add_kernel(struct prep *p)
{
	int err;

	p->out = btf__new_empty();
	if (!p->out)
		return ucb_errf(-errno, "out of memory");
	if (!p->kn.cnt)
		return 0;
	err = ucb_kbtf_open(p->kpath, p->kn.v, p->kn.cnt, &p->k);
	if (!err)
		err = ucb_kbtf_prune(&p->k, p->kn.v, p->kn.cnt, p->out, &p->roots, &p->root_kinds,
				     &p->nroots);
	if (err)
		return ucb_errf(err, "kernel BTF: %s", ucb_errmsg());
	return 0;
}

/* Stage 5: a kernel root that an app also defines must not be able to
 * match one relocation both ways. */
static int prep_check_shadowing(struct prep *p)
{
	return ucb_check_shadowing(p->out, p->roots, p->root_kinds, p->nroots, &p->names, p->apps,
				   p->app_e, p->kn.v, p->kn.cnt, p->obj_name);
}

/* Stage 6: the apps after the kernel types, then written out for libbpf. */
static int prep_publish(struct prep *p, struct ucorebtf_btf *r, bool no_memfd)
{
	const void *raw;
	__u32 raw_sz;
	size_t i;
	int err;

	for (i = 0; i < p->napps; i++) {
		err = btf__add_btf(p->out, p->apps[i]);
		if (err < 0)
			return ucb_errf(err, "cannot combine library BTF: %s", strerror(-err));
	}
	raw = btf__raw_data(p->out, &raw_sz);
	r->raw = raw ? malloc(raw_sz) : NULL;
	if (!r->raw)
		return ucb_errf(-ENOMEM, "out of memory");
	memcpy(r->raw, raw, raw_sz);
	r->raw_sz = raw_sz;
	err = ucb_btf_publish(r, no_memfd);
	if (err)
		return ucb_errf(err, "cannot write the prepared BTF: %s", ucb_errmsg());
	return 0;
}

static void prep_free(struct prep *p)
{
	size_t i;

	if (p->k.data)
		ucb_kbtf_close(&p->k);
	for (i = 0; i < p->napps; i++)
		btf__free(p->apps[i]);
	free(p->apps);
	free(p->app_e);
	ucb_app_names_free(&p->names);
	free(p->chosen);
	free(p->name_buf);
	free(p->roots);
	free(p->root_kinds);
	ucb_kneeds_free(&p->kn);
	btf__free(p->out);
}

UCOREBTF_API struct ucorebtf_btf *
ucorebtf_bundle__prepare(struct ucorebtf_bundle *bundle, const char *const *targets,
			 size_t target_cnt, const struct ucorebtf_prepare_opts *opts)
{
	struct prep p = {};
	struct ucorebtf_btf *r;
	int err;

	if (!bundle || !targets || !target_cnt)
		return ucb_errp(-EINVAL, "prepare: bundle and at least one target needed");
	if (!OPTS_VALID(opts, ucorebtf_prepare_opts))
		return ucb_errp(-EINVAL, "prepare: %s", ucb_errmsg());
	p.b = &bundle->b;
	p.obj_path = OPTS_GET(opts, object_path, NULL);
	p.obj_name = OPTS_GET(opts, object_name, NULL);
	p.kpath = OPTS_GET(opts, kernel_btf_path, NULL) ?: UCB_KERNEL_BTF_DEFAULT;
	r = calloc(1, sizeof(*r));
	if (!r)
		return ucb_errp(-ENOMEM, "out of memory");
	r->fd = -1;
	err = prep_obj_name(&p);
	if (!err)
		err = prep_select(&p, r, targets, target_cnt, OPTS_GET(opts, versions, NULL),
			  OPTS_GET(opts, follow_needed, false));
	if (!err)
		err = prep_load_apps(&p);
	if (!err)
		err = prep_collect_needs(&p);
	if (!err)
		err = prep_add_kernel(&p);
	if (!err)
		err = prep_check_shadowing(&p);
	if (!err)
		err = prep_publish(&p, r, OPTS_GET(opts, no_memfd, false));
	prep_free(&p);
	if (err) {
		ucorebtf_btf__close(r);
		errno = -err;
		return NULL;
	}
	return r;
}
