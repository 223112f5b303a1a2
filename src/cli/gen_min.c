/* gen min and gen min_core_btf: the command line around the engine in
 * bpftool-ext/minimize.c, set up by a session (tool/session.h).  The
 * front half (options, inputs, session) is shared with check.  See
 * docs/gen-min.md. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "lib/names.h"
#include "cli/common.h"
#include "cli/cmds.h"
#include "cli/gen_min.h"
#include "tool/archive.h"
#include "tool/btf_io.h"
#include "tool/guard.h"
#include "minimize.h"

/* ---- the front half, shared with check ---- */

enum { OPT_NO_KERNEL = 256, OPT_GROUP, OPT_RELEASE, OPT_APP, OPT_KERNEL_T, OPT_NO_VERIFY,
       OPT_ARCHIVE, OPT_STRICT, OPT_ARCH };

static const struct option long_opts[] = {
	{ "kernel", required_argument, NULL, 'k' },
	{ "no-kernel", no_argument, NULL, OPT_NO_KERNEL },
	{ "output", required_argument, NULL, 'o' },
	{ "group-by-version", no_argument, NULL, OPT_GROUP },
	{ "release", required_argument, NULL, OPT_RELEASE },
	{ "app-type", required_argument, NULL, OPT_APP },
	{ "kernel-type", required_argument, NULL, OPT_KERNEL_T },
	{ "no-verify", no_argument, NULL, OPT_NO_VERIFY },
	{ "archive", no_argument, NULL, OPT_ARCHIVE },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "arch", required_argument, NULL, OPT_ARCH },
	{ 0 }
};

void min_args_free(struct min_args *a)
{
	free(a->releases);
	free(a->forces);
	free(a->inputs);
}

/* Options into a.  Returns EXIT_OK, EXIT_USAGE or EXIT_FAIL. */
static int parse(struct min_args *a, int argc, char **argv, const char *cmd, bool want_out)
{
	struct session_opts *so = &a->so;
	int c;

	a->verify = true;
	a->releases = calloc(argc + 1, sizeof(*a->releases));
	a->forces = calloc(argc + 1, sizeof(*a->forces));
	a->inputs = calloc(argc + 1, sizeof(*a->inputs));
	if (!a->releases || !a->forces || !a->inputs) {
		p_err("out of memory");
		return EXIT_FAIL;
	}
	so->releases = a->releases;
	so->forces = a->forces;
	/* argv[0] must be a program name for getopt */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "-k:o:", long_opts, NULL)) != -1) {
		switch (c) {
		case 1: a->inputs[a->ninput++] = optarg; break;
		case 'k': so->kernel = optarg; break;
		case OPT_NO_KERNEL: so->no_kernel = true; break;
		case 'o':
			if (!want_out)
				return usage_err("%s: -o is not an option of %s", cmd, cmd);
			a->outdir = optarg;
			break;
		case OPT_GROUP: so->by_version = true; break;
		case OPT_RELEASE: a->releases[so->nrel++] = optarg; break;
		case OPT_APP: a->forces[so->nforce++] = (struct session_force){ optarg, UM_APP }; break;
		case OPT_KERNEL_T: a->forces[so->nforce++] = (struct session_force){ optarg, UM_KERNEL }; break;
		case OPT_ARCH: so->arch = optarg; break;
		case OPT_NO_VERIFY:
			if (!want_out)	/* check verifies nothing */
				return usage_err("%s: --no-verify is not an option of %s", cmd, cmd);
			a->verify = false;
			break;
		case OPT_ARCHIVE:
			if (!want_out)
				return usage_err("%s: --archive is not an option of %s", cmd, cmd);
			a->archive = true;
			break;
		case OPT_STRICT:
			if (!want_out)	/* gen min's alone, as -o */
				return usage_err("%s: --strict is not an option of %s", cmd, cmd);
			a->strict = true;
			break;
		case '?':
		default:
			return opt_err(cmd, "k:o:", argv);
		}
	}
	if (so->kernel && so->no_kernel)
		return usage_err("%s: -k and --no-kernel exclude each other", cmd);
	if (!a->ninput)
		return usage_err("%s: no input given: %s OBJ... BTF...", cmd, cmd);
	return EXIT_OK;
}

/* -o DIR: created once everything resolved, so it must be creatable (its
 * parent allows it) or a writable directory now.  Returns 0 or -errno. */
static int check_outdir(const char *dir)
{
	struct stat st;
	int err;

	if (stat(dir, &st)) {
		err = -errno;
		if (err == -ENOENT) {
			err = ucb_check_output_path(dir);
			if (err)
				p_err("%s: cannot create output directory: %s", dir, strerror(-err));
		} else {
			p_err("%s: %s", dir, strerror(-err));
		}
		return err;
	}
	if (!S_ISDIR(st.st_mode)) {
		p_err("%s: output directory is not a directory", dir);
		return -ENOTDIR;
	}
	if (access(dir, W_OK)) {
		p_err("%s: output directory is not writable", dir);
		return -EACCES;
	}
	return 0;
}

/* Inputs by content, sorted, loaded.  Prints any error; returns 0 or -errno. */
static int add_inputs(struct session *s, struct min_args *a, bool need_libs)
{
	int err = session__add_inputs(s, a->inputs, a->ninput);

	err = err ?: session__sort(s);
	err = err ?: session__load_libs(s);
	if (err) {
		p_errmsg();	/* session's own; BTF reading printed its own */
		return err;
	}
	if (!s->nobj) {
		p_err("%s: no BPF object (ELF with .BTF.ext) among the inputs", a->inputs[0]);
		return -EINVAL;
	}
	if (need_libs && !s->nlib) {
		p_err("%s: no library BTF among the inputs", a->inputs[0]);
		return -EINVAL;
	}
	return 0;
}

int min_setup(struct session *s, struct min_args *a, int argc, char **argv, const char *cmd,
	      bool want_out, bool need_libs)
{
	char **av = calloc(argc + 2, sizeof(char *));
	int rc, err;

	if (!av) {
		p_err("out of memory");
		return EXIT_FAIL;
	}
	av[0] = (char *)cmd;
	memcpy(av + 1, argv, argc * sizeof(char *));
	rc = parse(a, argc + 1, av, cmd, want_out);
	free(av);
	if (rc)
		return rc;
	session__init(s, &a->so);
	err = add_inputs(s, a, need_libs);
	if (!err && a->outdir)
		err = check_outdir(a->outdir);
	if (err)
		return EXIT_FAIL;
	err = session__make_releases(s);
	err = err ?: session__load_engine(s);
	if (err) {
		p_errmsg();
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* ---- the summary: computed once, written as text or JSON ---- */

/* app = resolved + failed + guarded: failed are the required relocations
 * that match nothing (loading fails), guarded the absent outcomes a
 * program checks for (tool/guard.h, the rule report uses). */
struct min_counts { int total, app, kernel, local, resolved, failed, guarded, unresolved; };

/* One library version's outcome. */
struct min_version {
	const struct session_lib *lib;
	const struct session_release *rel;
	const void *data;		/* the blob */
	__u32 size;
	int types;
	char *out;			/* where it was written */
	struct min_counts c;		/* of its release */
	const char **failed;		/* required app relocations that matched nothing */
	int nfailed;
	const char **guarded;		/* guarded ones that matched nothing: absent */
	int nguarded;
	const char *const *shadowed;	/* names the kernel also has */
	int nshadowed;
	int *identical;			/* other versions of the library, same blob */
	int nidentical;
};

struct min_summary {
	const struct session *s;
	struct min_version *v;		/* one per library, in session order */
	int n;
	bool verified;
	struct guard g;
};

static void summary_free(struct min_summary *sum)
{
	int i;

	for (i = 0; sum->v && i < sum->n; i++) {
		free(sum->v[i].failed);
		free(sum->v[i].guarded);
		free(sum->v[i].identical);
		free(sum->v[i].out);
	}
	free(sum->v);
	guard__free(&sum->g);
}

static int push_name(const char ***list, int *n, const char *name)
{
	const char **l = realloc(*list, (*n + 1) * sizeof(*l));

	if (!l)
		return -ENOMEM;
	*list = l;
	l[(*n)++] = name;
	return 0;
}

static int count_release(const struct min_summary *sum, struct min_version *v)
{
	const struct session *s = sum->s;
	int oi, i, err = 0;

	for (oi = 0; oi < um_obj_cnt(s->e); oi++)
		for (i = 0; !err && i < um_relo_cnt(s->e, oi); i++) {
			const struct um_decision *d = um_decision_get(v->rel->rel, oi, i);
			const char *name = um_relo_name(s->e, oi, i);

			v->c.total++;
			if (d->side == UM_LOCAL) {
				v->c.local++;
				continue;
			}
			if (d->side == UM_KERNEL) {
				v->c.kernel++;
				v->c.unresolved += d->unresolved;
				continue;
			}
			v->c.app++;
			switch (guard__verdict(&sum->g, d, oi, i)) {
			case GUARD_ABSENT:
				v->c.guarded++;
				err = push_name(&v->guarded, &v->nguarded, name);
				break;
			case GUARD_REQUIRED:
				v->c.failed++;
				err = push_name(&v->failed, &v->nfailed, name);
				break;
			default:
				v->c.resolved++;
			}
		}
	return err;
}

/* Identical blobs: the other versions of the same library whose minimized
 * BTF is byte for byte this one (docs/gen-min.md, identical_to). */
static int find_identical(struct min_summary *sum, int i)
{
	struct min_version *v = &sum->v[i];
	int j;

	for (j = 0; j < sum->n; j++) {
		const struct min_version *w = &sum->v[j];

		if (j != i && w->size == v->size && !strcmp(w->lib->meta.library, v->lib->meta.library) &&
		    !memcmp(w->data, v->data, v->size)) {
			int *l = realloc(v->identical, (v->nidentical + 1) * sizeof(*l));

			if (!l)		/* as long as the matches, not the versions */
				return -ENOMEM;
			v->identical = l;
			v->identical[v->nidentical++] = j;
		}
	}
	return 0;
}

static int summary_build(const struct session *s, bool verified, struct min_summary *sum)
{
	int i, err = 0;

	memset(sum, 0, sizeof(*sum));
	sum->s = s;
	sum->verified = verified;
	sum->v = calloc(s->nlib + 1, sizeof(*sum->v));
	if (!sum->v)
		return -ENOMEM;
	sum->n = s->nlib;
	err = guard__init(&sum->g, s->e);
	for (i = 0; !err && i < s->nlib; i++) {
		struct min_version *v = &sum->v[i];
		const struct btf *blob = session__blob(s, i);

		v->lib = &s->libs[i];
		v->rel = &s->rels[v->lib->release];
		v->data = btf__raw_data(blob, &v->size);
		v->types = btf__type_cnt(blob) - 1;
		v->nshadowed = um_release_shadowed(v->rel->rel, &v->shadowed);
		err = v->data ? count_release(sum, v) : -ENOMEM;
	}
	for (i = 0; !err && i < s->nlib; i++)
		err = find_identical(sum, i);
	return err;
}

static void summary_text(const struct min_summary *sum)
{
	int i, j;

	for (i = 0; i < sum->n; i++) {
		const struct min_version *v = &sum->v[i];

		printf("%s: %d types, %u bytes; relocations: %d app (%d resolved, %d failed, %d guarded), %d kernel%s\n",
		       v->out, v->types, v->size, v->c.app, v->c.resolved, v->c.failed, v->c.guarded,
		       v->c.kernel, sum->verified ? "; verified" : "");
		for (j = 0; j < v->nfailed; j++)
			printf("  failed match: %s\n", v->failed[j]);
		for (j = 0; j < v->nguarded; j++)
			printf("  absent (guarded): %s\n", v->guarded[j]);
		/* The runtime's BTF holds the kernel's copy only if a kernel
		 * relocation needs it (verify checks that nothing matches both). */
		for (j = 0; j < v->nshadowed; j++)
			printf("  shadowed: %s (%s)\n", v->shadowed[j],
			       um_kernel_keeps(sum->s->e, v->shadowed[j]) ?
			       "the kernel's, needed by kernel relocations, is kept beside it, pruned" :
			       "the kernel's is left out of the prepared BTF");
		for (j = 0; j < v->nidentical; j++)
			printf("%s%s", j ? ", " : "  identical to ", sum->v[v->identical[j]].out);
		if (v->nidentical)
			putchar('\n');
	}
}

static void kernel_need_cb(void *ctx, const char *kind, const char *name,
			   const char *const *members, int n)
{
	json_writer_t *w = ctx;

	jsonw_start_object(w);
	jsonw_string_field(w, "kind", kind);
	jsonw_string_field(w, "name", name);
	jsonw_name(w, "members");
	jsonw_string_array(w, members, n);
	jsonw_end_object(w);
}

static void version_json(json_writer_t *w, const struct min_summary *sum, const struct min_version *v)
{
	const struct min_counts *c = &v->c;
	int j;

	jsonw_start_object(w);
	jsonw_string_field(w, "library", v->lib->meta.library);
	jsonw_string_field(w, "version", v->lib->meta.version);
	jsonw_string_field(w, "input", v->lib->path);
	jsonw_string_field(w, "output", v->out);
	jsonw_string_field(w, "release", v->rel->label);
	jsonw_uint_field(w, "bytes", v->size);
	jsonw_int_field(w, "types", v->types);
	jsonw_name(w, "relocations");
	jsonw_start_object(w);
	jsonw_int_field(w, "total", c->total);
	jsonw_int_field(w, "app", c->app);
	jsonw_int_field(w, "kernel", c->kernel);
	jsonw_int_field(w, "local", c->local);
	jsonw_int_field(w, "resolved", c->resolved);
	jsonw_int_field(w, "failed", c->failed);
	jsonw_int_field(w, "guarded", c->guarded);
	jsonw_int_field(w, "kernel_unresolved", c->unresolved);
	jsonw_end_object(w);
	jsonw_name(w, "failed");
	jsonw_string_array(w, v->failed, v->nfailed);
	jsonw_name(w, "guarded");
	jsonw_string_array(w, v->guarded, v->nguarded);
	jsonw_name(w, "shadowed");
	jsonw_string_array(w, v->shadowed, v->nshadowed);
	jsonw_name(w, "shadowed_kernel_kept");
	jsonw_start_array(w);
	for (j = 0; j < v->nshadowed; j++)
		if (um_kernel_keeps(sum->s->e, v->shadowed[j]))
			jsonw_string(w, v->shadowed[j]);
	jsonw_end_array(w);
	jsonw_name(w, "identical_to");
	jsonw_start_array(w);
	for (j = 0; j < v->nidentical; j++)
		jsonw_string(w, sum->v[v->identical[j]].lib->label);
	jsonw_end_array(w);
	jsonw_bool_field(w, "verified", sum->verified);
	jsonw_end_object(w);
}

/* The summary as JSON (gen-min.json, and stdout with -j). */
static void summary_json(const struct min_summary *sum, json_writer_t *w)
{
	const struct session *s = sum->s;
	int i, oi;

	jsonw_start_object(w);
	jsonw_string_field(w, "kernel", s->kernel_path);	/* null with --no-kernel */
	jsonw_name(w, "objects");
	jsonw_start_array(w);
	for (oi = 0; oi < um_obj_cnt(s->e); oi++) {
		jsonw_start_object(w);
		jsonw_string_field(w, "path", um_obj_path(s->e, oi));
		jsonw_int_field(w, "relocations", um_relo_cnt(s->e, oi));
		jsonw_name(w, "kernel_types");
		jsonw_start_array(w);
		um_kernel_needs(s->e, oi, kernel_need_cb, w);
		jsonw_end_array(w);
		jsonw_end_object(w);
	}
	jsonw_end_array(w);
	jsonw_name(w, "versions");
	jsonw_start_array(w);
	for (i = 0; i < sum->n; i++)
		version_json(w, sum, &sum->v[i]);
	jsonw_end_array(w);
	jsonw_end_object(w);
}

/* ---- writing ---- */

static bool is_archive(const char *dir)
{
	return archive__dir_kind(dir) == ARCHIVE_ROOT;
}

/* Runtime needs are "kind name [member]" lines; which kernel types are
 * needs, and how, is the engine's rule (um_runtime_needs()), the one its
 * verify prepares with. */
static void need_line_cb(void *ctx, const char *kind, const char *name, const char *path)
{
	FILE *f = ctx;

	if (!strcmp(path, "-"))
		fprintf(f, "%s %s\n", kind, name);
	else
		fprintf(f, "%s %s %s\n", kind, name, path);
}

/* Each object's kernel needs into the archive. */
static int write_needs(const struct session *s, const char *dir, char **objs)
{
	char *text = NULL;
	size_t len = 0;
	int i, ret;
	FILE *f;

	for (i = 0; i < s->nobj; i++) {
		f = open_memstream(&text, &len);
		if (!f)
			return -ENOMEM;
		ret = um_runtime_needs(s->e, i, need_line_cb, f);
		if (fclose(f) || ret) {
			free(text);
			return -ENOMEM;
		}
		ret = archive__set_needs(dir, objs[i], text, len);
		free(text);
		text = NULL;
		if (ret) {
			p_err("%s: cannot record the kernel needs of %s: %s", dir, objs[i], ucb_errmsg());
			return ret;
		}
	}
	return 0;
}

/* gen min -o ARCHIVE: one entry per library version, and each object's
 * kernel needs, through the archive module (docs/archive.md): all the
 * versions in one archive__add_many() (one lock, one index). */
static int write_archive(const struct session *s, struct min_summary *sum, const char *dir)
{
	char **objs = calloc(s->nobj + 1, sizeof(*objs));
	struct archive_entry *es = calloc(s->nlib + 1, sizeof(*es));
	const char **bids = calloc(s->nlib + 1, sizeof(*bids));
	const void **blobs = calloc(s->nlib + 1, sizeof(*blobs));
	size_t *sizes = calloc(s->nlib + 1, sizeof(*sizes)), added = 0;
	int i, n, ret = -ENOMEM;

	if (!objs || !es || !bids || !blobs || !sizes)
		goto out;
	for (i = 0; i < s->nobj; i++) {
		char name[NAME_MAX + 1];

		if (!ucb_object_name(s->objs[i], name, sizeof(name)) || !(objs[i] = strdup(name)))
			goto out;
	}
	for (n = 0; n < s->nlib; n++) {	/* up to the first without a version */
		const struct btf_meta *m = &sum->v[n].lib->meta;

		if (!m->version[0])
			break;
		bids[n] = m->build_id;
		es[n] = (struct archive_entry){
			.lib = m->library, .version = m->version,
			.arch = m->arch[0] ? m->arch : ucb_host_arch(),
			.soname = m->soname, .build_ids = &bids[n], .build_id_cnt = bids[n][0] ? 1 : 0,
			.objects = (const char *const *)objs, .object_cnt = s->nobj,
		};
		blobs[n] = sum->v[n].data;
		sizes[n] = sum->v[n].size;
	}
	ret = n ? archive__add_many(dir, es, blobs, sizes, n, &added) : 0;
	for (i = 0; i < (int)added; i++) {
		struct min_version *v = &sum->v[i];

		v->out = archive__entry_dir(dir, es[i].lib, es[i].version, es[i].arch);
		if (!v->out) {
			ret = -ENOMEM;
			goto out;
		}
		if (!json_output)
			printf("%s: %d types, %u bytes\n", v->out, v->types, v->size);
	}
	if (ret) {
		p_err("%s: cannot add %s to the archive: %s", dir, sum->v[added].lib->label, ucb_errmsg());
		goto out;
	}
	if (n < s->nlib) {
		p_err("%s: no version (give gen btf --version, or name the file %s-VERSION.btf)",
		      sum->v[n].lib->path, sum->v[n].lib->meta.library);
		ret = -EINVAL;
		goto out;
	}
	ret = write_needs(s, dir, objs);
out:
	if (ret == -ENOMEM)
		p_err("%s: out of memory", dir);
	for (i = 0; objs && i < s->nobj; i++)
		free(objs[i]);
	free(objs);
	free(es);
	free(bids);
	free(blobs);
	free(sizes);
	return ret;
}

/* The blob of libssl-3.0.17.btf is DIR/libssl-3.0.17.min.btf: an input fed
 * back in with -o its own directory would be replaced.  Refuse before
 * anything is resolved or written. */
static int check_no_overwrite(const struct session *s, const char *dir)
{
	char path[PATH_MAX];
	const char *in;
	int r = session__overwrites(s, dir, &in, path, sizeof(path));

	if (r < 0)
		p_err("out of memory");
	else if (r)
		p_err("%s: gen min would overwrite this input with %s; give another output directory (-o DIR)",
		      in, path);
	return r ? (r < 0 ? r : -EEXIST) : 0;
}

/* The summary as compact JSON (whatever -p says: the file is part of the
 * output tree) into f.  Returns 0 or -errno. */
static int json_to(const struct min_summary *sum, FILE *f)
{
	json_writer_t *w = jsonw_new(f);

	if (!w)
		return -ENOMEM;
	summary_json(sum, w);
	jsonw_destroy(&w);
	return ferror(f) ? -EIO : 0;
}

/* DIR/gen-min.json, atomically: streamed into a temp file renamed over it.
 * Its identical_to lists grow with the square of the versions sharing a
 * blob (2.2 MB for 1,000 versions of 37 layouts): never held in memory.
 * Anything but a regular file there (a FIFO, /dev/null) is written in
 * place by ucb_write_file_atomic(), as before. */
static int write_json(const struct min_summary *sum, const char *path)
{
	char *tmp = NULL, *json = NULL;
	struct stat st;
	size_t jlen = 0;
	int fd, err;
	FILE *f;

	if (!stat(path, &st) && !S_ISREG(st.st_mode)) {
		f = open_memstream(&json, &jlen);
		err = f ? json_to(sum, f) : -ENOMEM;
		if (f && fclose(f) && !err)
			err = -ENOMEM;
		err = err ?: ucb_write_file_atomic(path, json, jlen);
		free(json);
		return err;
	}
	err = ucb_check_output_path(path);
	if (err)
		return err;
	if (asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0)
		return -ENOMEM;
	fd = mkstemp(tmp);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		err = -errno;
		if (fd >= 0)
			close(fd);
	} else {
		err = json_to(sum, f);
		/* mkstemp makes 0600; output files are ordinary artefacts. */
		if (!err && fchmod(fd, 0644))
			err = -errno;
		if (fclose(f) && !err)
			err = -errno;
		if (!err && rename(tmp, path))
			err = -errno;
	}
	if (err && fd >= 0)
		unlink(tmp);
	free(tmp);
	return err;
}

/* Plain -o DIR: one atomic file per library, then DIR/gen-min.json. */
static int write_files(struct min_summary *sum, const char *dir)
{
	char *path = NULL;
	int i, err;

	for (i = 0; i < sum->n; i++) {
		struct min_version *v = &sum->v[i];

		if (asprintf(&v->out, "%s/%s" SESSION_MIN_SUFFIX, dir, v->lib->label) < 0) {
			v->out = NULL;
			p_err("out of memory");
			return -ENOMEM;
		}
		err = ucb_write_file_atomic(v->out, v->data, v->size);
		if (err) {
			p_err("%s: cannot write: %s", v->out, strerror(-err));
			return err;
		}
	}
	if (asprintf(&path, "%s/gen-min.json", dir) < 0) {
		p_err("out of memory");
		return -ENOMEM;
	}
	err = write_json(sum, path);
	if (err == -ENOMEM)
		p_err("out of memory");
	else if (err)
		p_err("%s: cannot write: %s", path, strerror(-err));
	free(path);
	return err;
}

/* --strict: one error per release that fails a required relocation, each
 * named.  Returns the number of such releases. */
static int strict_check(const struct min_summary *sum)
{
	const struct session *s = sum->s;
	int i, j, k, bad = 0;

	for (i = 0; i < sum->n; i++) {
		const struct min_version *v = &sum->v[i];
		char *names = NULL;
		size_t len = 0;
		FILE *f;

		for (k = 0; k < i && sum->v[k].rel != v->rel; k++)
			;
		if (k < i || !v->nfailed)	/* a release once, and only a failing one */
			continue;
		bad++;
		f = open_memstream(&names, &len);
		for (j = 0; f && j < v->nfailed; j++)
			fprintf(f, "%s%s", j ? ", " : "", v->failed[j]);
		if (f)
			fclose(f);
		p_err("%s: %d required relocation%s of %s fail%s to match: %s", v->rel->label,
		      v->nfailed, v->nfailed > 1 ? "s" : "", s->nobj > 1 ? "the objects" : s->objs[0],
		      v->nfailed > 1 ? "" : "s", names ? names : "out of memory");
		free(names);
	}
	return bad;
}

const char gen_min_synopsis[] =
	"gen min OBJ... BTF|ARCHIVE_DIR|BUNDLE... [-k|--kernel KERNEL_BTF | --no-kernel]\n"
	"        [-o|--output DIR] [--archive] [--strict] [--arch A] [--group-by-version]\n"
	"        [--release A.btf,B.btf]... [--app-type NAME]... [--kernel-type NAME]...\n"
	"        [--no-verify]";
const char gen_min_doc[] =
	"Per library version, the minimal BTF the objects' CO-RE relocations need,\n"
	"resolved with libbpf's own engine and verified against the full BTF\n"
	"(docs/gen-min.md).  Library BTF comes from BTF files, archive directories\n"
	"and bundles alike (--arch picks their entries; default: the host's).\n"
	"  -o DIR        one blob per library version and gen-min.json in DIR; if DIR\n"
	"                is an archive (has index.tsv) or --archive is given, add the\n"
	"                versions to it as entries, and each object's kernel needs\n"
	"  --strict      exit 1, writing nothing, when a release fails a required\n"
	"                (unguarded) relocation\n"
	"  -k, --no-kernel  the kernel BTF (default " UCB_KERNEL_BTF_DEFAULT "), or none\n"
	"  --group-by-version, --release  resolve libraries together\n"
	"  --app-type, --kernel-type      force a local type to a side\n"
	"  --no-verify   skip verifying the blobs against the full BTF\n";

int do_gen_min(int argc, char **argv)
{
	struct min_summary sum = {};
	struct min_args a = {};
	struct session s = {};
	const char *dir;
	bool archive;
	int rc;

	rc = min_setup(&s, &a, argc, argv, "gen min", true, true);
	if (rc)
		goto out;
	rc = EXIT_FAIL;
	dir = a.outdir ? a.outdir : ".";
	archive = a.outdir && (a.archive || is_archive(a.outdir));
	if (!archive && check_no_overwrite(&s, dir))
		goto out;
	if (session__run(&s, a.verify)) {
		p_errmsg();
		goto out;
	}
	if (summary_build(&s, a.verify, &sum)) {
		p_err("out of memory");
		goto out;
	}
	if (a.strict && strict_check(&sum))
		goto out;
	/* Everything resolved: now write, one atomic file per library. */
	if (a.outdir && mkdir(a.outdir, 0755) && errno != EEXIST) {
		p_err("%s: cannot create output directory: %s", a.outdir, strerror(errno));
		goto out;
	}
	if (archive ? write_archive(&s, &sum, dir) : write_files(&sum, dir))
		goto out;
	if (json_output)
		summary_json(&sum, json_wtr);
	else if (!archive)
		summary_text(&sum);
	rc = EXIT_OK;
out:
	summary_free(&sum);
	session__free(&s);
	min_args_free(&a);
	return rc;
}
