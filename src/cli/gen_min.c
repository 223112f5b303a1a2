/* gen min, gen min_core_btf and check: the command line around the engine
 * in bpftool-ext/minimize.c.  See docs/gen-min.md. */
#include <errno.h>
#include <fcntl.h>
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
#include "tool/archive.h"
#include "tool/btf_io.h"
#include "minimize.h"

/* Blobs are named <lib>-<version>.min.btf: `gen min app.bpf.o libssl-*.btf`
 * run where the inputs live must not replace libssl-3.0.17.btf. */
#define MIN_SUFFIX ".min.btf"

#define EM_BPF_MACHINE 247

struct lib {
	char *path;
	char label[160];	/* "<library>-<version>" */
	struct btf_meta meta;
	struct btf *btf;
	int group;
	/* output */
	void *data;
	__u32 size;
	int types;
	int same_as;		/* index of an earlier lib with identical bytes, or -1 */
	char *out;
};

struct group {
	int *libs;
	int n;
	char label[512];
	struct um_release *rel;
};

struct opts {
	const char **objs;
	int nobj;
	struct lib *libs;
	int nlib;
	const char *kernel;
	bool no_kernel;
	const char *outdir;
	bool by_version;
	bool verify;
	bool archive;		/* -o DIR is an archive (--archive, or DIR/index.tsv) */
	char **releases;
	int nrel;
	struct group *groups;
	int ngroups;
	struct btf *kbtf;
	struct um_engine *e;
};

static void opts_free(struct opts *o)
{
	int i;

	for (i = 0; i < o->nlib; i++) {
		btf__free(o->libs[i].btf);
		free(o->libs[i].path);
		free(o->libs[i].out);
	}
	for (i = 0; i < o->ngroups; i++) {
		um_release_free(o->groups[i].rel);
		free(o->groups[i].libs);
	}
	um_free(o->e);
	btf__free(o->kbtf);
	free(o->groups);
	free(o->libs);
	free(o->objs);
	free(o->releases);
}

/* An ELF for the BPF machine is an object even without .BTF.ext. */
static bool is_bpf_elf(const char *path)
{
	unsigned char h[20];
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);	/* a FIFO must not block */
	bool r = false;

	if (fd < 0)
		return false;
	if (pread(fd, h, sizeof(h), 0) == sizeof(h) && !memcmp(h, "\177ELF", 4))
		r = (h[5] == 1 ? (h[18] | h[19] << 8) : (h[19] | h[18] << 8)) == EM_BPF_MACHINE;
	close(fd);
	return r;
}

static int lib_cmp(const void *a, const void *b)
{
	const struct lib *x = a, *y = b;
	int c = strcmp(x->label, y->label);

	return c ? c : strcmp(x->path, y->path);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool label_ok(const char *s)
{
	if (!s[0] || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || (unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* Classify inputs by content, read library metadata, sort everything so
 * that the input order never changes the output. */
static int classify(struct opts *o, int argc, char **argv)
{
	int i, err;

	o->objs = calloc(argc + 1, sizeof(*o->objs));
	o->libs = calloc(argc + 1, sizeof(*o->libs));
	if (!o->objs || !o->libs)
		return -ENOMEM;
	for (i = 0; i < argc; i++) {
		enum btf_file_kind kind;

		if (is_bpf_elf(argv[i])) {
			err = btf_file_kind(argv[i], &kind);
			if (err)
				return err;
			if (kind != BTF_FILE_BPF_OBJ) {
				p_err("%s: BPF object without .BTF.ext: no CO-RE relocations to resolve (built without -g?)",
				      argv[i]);
				return -ENODATA;
			}
		} else {
			err = btf_file_kind(argv[i], &kind);
			if (err)
				return err;
		}
		if (kind == BTF_FILE_BPF_OBJ) {
			o->objs[o->nobj++] = argv[i];
			continue;
		}
		struct lib *l = &o->libs[o->nlib++];

		l->path = strdup(argv[i]);
		l->same_as = -1;
		btf_meta_get(argv[i], &l->meta);
		if (l->meta.version[0])
			snprintf(l->label, sizeof(l->label), "%s-%s", l->meta.library, l->meta.version);
		else
			snprintf(l->label, sizeof(l->label), "%s", l->meta.library);
		/* The label names the output file DIR/<label>.btf and comes from
		 * the input's metadata: "../x" would write outside DIR. */
		if (!label_ok(l->label)) {
			p_err("%s: library name and version \"%s\" (from %s) cannot name an output file",
			      argv[i], l->label, btf_meta_read(argv[i], &(struct btf_meta){}) ?
			      "the file name" : BTF_META_SEC);
			return -EINVAL;
		}
	}
	qsort(o->objs, o->nobj, sizeof(*o->objs), str_cmp);
	qsort(o->libs, o->nlib, sizeof(*o->libs), lib_cmp);
	for (i = 1; i < o->nobj; i++)
		if (!strcmp(o->objs[i], o->objs[i - 1])) {
			p_err("%s: given twice", o->objs[i]);
			return -EINVAL;
		}
	for (i = 1; i < o->nlib; i++)
		if (!strcmp(o->libs[i].label, o->libs[i - 1].label)) {
			const char *a = o->libs[i - 1].path, *b = o->libs[i].path;
			size_t la = strlen(a), lb = strlen(b), ls = strlen(MIN_SUFFIX);
			/* A glob like libssl-*.btf also picks up an earlier run's blobs. */
			bool blob = (la > ls && !strcmp(a + la - ls, MIN_SUFFIX)) ||
				    (lb > ls && !strcmp(b + lb - ls, MIN_SUFFIX));

			p_err("%s: same library and version (%s) as %s%s", b, o->libs[i].label, a,
			      blob ? " (a blob of an earlier gen min? leave it out, or use -o DIR)" : "");
			return -EINVAL;
		}
	for (i = 0; i < o->nlib; i++) {
		o->libs[i].btf = btf_load(o->libs[i].path, NULL);
		if (!o->libs[i].btf)
			return -errno ?: -EINVAL;
	}
	return 0;
}

static int find_lib(struct opts *o, const char *path)
{
	int i;

	for (i = 0; i < o->nlib; i++)
		if (!strcmp(o->libs[i].path, path))
			return i;
	return -1;
}

static int add_group(struct opts *o)
{
	struct group *g = realloc(o->groups, (o->ngroups + 1) * sizeof(*g));

	if (!g)
		return -ENOMEM;
	o->groups = g;
	memset(&g[o->ngroups], 0, sizeof(*g));
	g[o->ngroups].libs = calloc(o->nlib + 1, sizeof(int));
	return o->ngroups++;
}

/* Release groups: --release lists, then --group-by-version, else one
 * library per group.  Libraries keep their sorted order inside a group. */
static int make_groups(struct opts *o)
{
	int i, j, g;

	for (i = 0; i < o->nlib; i++)
		o->libs[i].group = -1;
	for (i = 0; i < o->nrel; i++) {
		char *list = strdup(o->releases[i]), *tok, *save = NULL;

		g = add_group(o);
		for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			j = find_lib(o, tok);
			if (j < 0) {
				p_err("%s: --release names a file that is not a library BTF input", tok);
				free(list);
				return -EINVAL;
			}
			if (o->libs[j].group >= 0) {
				p_err("%s: in more than one release", tok);
				free(list);
				return -EINVAL;
			}
			o->libs[j].group = g;
		}
		free(list);
	}
	for (i = 0; i < o->nlib; i++) {
		if (o->libs[i].group >= 0)
			continue;
		g = -1;
		if (o->by_version)
			for (j = 0; j < i; j++)
				if (o->libs[j].group >= o->nrel &&
				    !strcmp(o->libs[j].meta.version, o->libs[i].meta.version))
					g = o->libs[j].group;
		if (g < 0)
			g = add_group(o);
		o->libs[i].group = g;
	}
	for (i = 0; i < o->nlib; i++) {
		struct group *gr = &o->groups[o->libs[i].group];
		size_t n = strlen(gr->label);

		gr->libs[gr->n++] = i;
		snprintf(gr->label + n, sizeof(gr->label) - n, "%s%s", n ? "+" : "", o->libs[i].label);
	}
	for (i = 0; i < o->ngroups; i++)
		if (!o->groups[i].n) {
			p_err("--release: empty release");
			return -EINVAL;
		}
	return 0;
}

static int load_engine(struct opts *o)
{
	if (!o->no_kernel) {
		o->kbtf = btf_load(o->kernel ? o->kernel : UCB_KERNEL_BTF_DEFAULT, NULL);
		if (!o->kbtf)
			return -EINVAL;
	}
	o->e = um_new(o->kbtf);
	if (!o->e) {
		p_err("out of memory");
		return -ENOMEM;
	}
	if (o->kbtf)
		um_set_kernel_path(o->e, o->kernel ? o->kernel : UCB_KERNEL_BTF_DEFAULT);
	return 0;
}

static int add_objects(struct opts *o)
{
	int i, err;

	for (i = 0; i < o->nobj; i++) {
		err = um_add_object(o->e, o->objs[i]);
		if (err)
			return err;
	}
	return 0;
}

static int run_groups(struct opts *o, bool verify)
{
	int g, k;

	for (g = 0; g < o->ngroups; g++) {
		struct group *gr = &o->groups[g];
		struct btf *libs[gr->n ? gr->n : 1];
		const char *labels[gr->n ? gr->n : 1];

		for (k = 0; k < gr->n; k++) {
			libs[k] = o->libs[gr->libs[k]].btf;
			labels[k] = o->libs[gr->libs[k]].path;
		}
		gr->rel = um_run(o->e, libs, labels, gr->n, verify);
		if (!gr->rel)
			return -EINVAL;
	}
	return 0;
}

enum { OPT_NO_KERNEL = 256, OPT_GROUP, OPT_RELEASE, OPT_APP, OPT_KERNEL_T, OPT_NO_VERIFY,
       OPT_ARCHIVE };

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
	{ 0 }
};

struct force { const char *name; int side; };

static int parse(struct opts *o, int argc, char **argv, const char *cmd, bool want_out,
		 struct force *forces, int *nforce, char ***pos, int *npos)
{
	int c;

	/* argv[0] must be a program name for getopt */
	optind = 0;
	opterr = 0;
	o->verify = true;
	o->releases = calloc(argc + 1, sizeof(char *));
	*pos = calloc(argc + 1, sizeof(char *));
	if (!o->releases || !*pos)
		return -ENOMEM;
	*npos = 0;
	*nforce = 0;
	while ((c = getopt_long(argc, argv, "-k:o:", long_opts, NULL)) != -1) {
		switch (c) {
		case 1: (*pos)[(*npos)++] = optarg; break;
		case 'k': o->kernel = optarg; break;
		case OPT_NO_KERNEL: o->no_kernel = true; break;
		case 'o':
			if (!want_out)
				return usage_err("%s: -o is not an option of %s", cmd, cmd);
			o->outdir = optarg;
			break;
		case OPT_GROUP: o->by_version = true; break;
		case OPT_RELEASE: o->releases[o->nrel++] = optarg; break;
		case OPT_APP: forces[(*nforce)++] = (struct force){ optarg, UM_APP }; break;
		case OPT_KERNEL_T: forces[(*nforce)++] = (struct force){ optarg, UM_KERNEL }; break;
		case OPT_NO_VERIFY: o->verify = false; break;
		case OPT_ARCHIVE: o->archive = true; break;
		case '?':
		default:
			if (optopt)
				return usage_err("%s: option -%c needs an argument or is unknown", cmd, optopt);
			return usage_err("%s: unknown option '%s'", cmd, argv[optind - 1]);
		}
	}
	if (o->kernel && o->no_kernel)
		return usage_err("%s: -k and --no-kernel exclude each other", cmd);
	return 0;
}

/* Shared front half of gen min and check.  Returns an exit code. */
static int prepare(struct opts *o, int argc, char **argv, const char *cmd, bool want_out,
		   bool need_libs)
{
	struct force *forces = calloc(argc + 1, sizeof(*forces));
	char **pos = NULL, **av;
	int npos = 0, nforce = 0, i, err;

	av = calloc(argc + 2, sizeof(char *));
	if (!forces || !av)
		return EXIT_FAIL;
	av[0] = (char *)cmd;
	memcpy(av + 1, argv, argc * sizeof(char *));
	err = parse(o, argc + 1, av, cmd, want_out, forces, &nforce, &pos, &npos);
	if (err) {
		free(forces); free(av); free(pos);
		return err == EXIT_USAGE ? EXIT_USAGE : EXIT_FAIL;
	}
	if (!npos) {
		free(forces); free(av); free(pos);
		return usage_err("%s: no input given: %s OBJ... BTF...", cmd, cmd);
	}
	err = classify(o, npos, pos);
	if (!err && !o->nobj) {
		p_err("%s: no BPF object (ELF with .BTF.ext) among the inputs", pos[0]);
		err = -EINVAL;
	}
	if (!err && need_libs && !o->nlib) {
		p_err("%s: no library BTF among the inputs", pos[0]);
		err = -EINVAL;
	}
	if (!err && o->outdir) {
		struct stat st;

		if (stat(o->outdir, &st) && errno == ENOENT) {
			/* Created once everything resolved; its parent must allow it. */
			err = ucb_check_output_path(o->outdir);
			if (err)
				p_err("%s: cannot create output directory: %s", o->outdir,
				      strerror(-err));
		} else if (!S_ISDIR(st.st_mode)) {
			p_err("%s: output directory is not a directory", o->outdir);
			err = -ENOTDIR;
		} else if (access(o->outdir, W_OK)) {
			p_err("%s: output directory is not writable", o->outdir);
			err = -EACCES;
		}
	}
	err = err ?: make_groups(o);
	err = err ?: load_engine(o);
	for (i = 0; !err && i < nforce; i++)
		err = um_force_type(o->e, forces[i].name, forces[i].side);
	err = err ?: add_objects(o);
	if (!err) {
		int side;
		const char *name = um_force_unused(o->e, &side);

		if (name) {
			p_err("--%s-type %s: no relocation of the objects has a local type of that name (give the name alone, flavour included: file, file___lib)",
			      side == UM_APP ? "app" : "kernel", name);
			err = -EINVAL;
		}
	}
	free(forces);
	free(av);
	free(pos);
	return err ? EXIT_FAIL : EXIT_OK;
}

/* ---- JSON summary ---- */

static void json_strs(FILE *f, const char *const *s, int n)
{
	int i;

	fputc('[', f);
	for (i = 0; i < n; i++) {
		if (i)
			fputc(',', f);
		json_str(f, s[i]);
	}
	fputc(']', f);
}

struct kn_ctx { FILE *f; int n; };

static void kernel_need_cb(void *ctx, const char *kind, const char *name,
			   const char *const *members, int n)
{
	struct kn_ctx *c = ctx;

	fprintf(c->f, "%s{\"kind\":", c->n++ ? "," : "");
	json_str(c->f, kind);
	fputs(",\"name\":", c->f);
	json_str(c->f, name);
	fputs(",\"members\":", c->f);
	json_strs(c->f, members, n);
	fputc('}', c->f);
}

struct counts { int total, app, kernel, local, resolved, failed, unresolved; };

static void count_release(struct opts *o, struct group *gr, struct counts *c,
			  const char ***failed, int *nfailed)
{
	int oi, i;

	memset(c, 0, sizeof(*c));
	*nfailed = 0;
	*failed = NULL;
	for (oi = 0; oi < um_obj_cnt(o->e); oi++) {
		for (i = 0; i < um_relo_cnt(o->e, oi); i++) {
			const struct um_decision *d = um_decision_get(gr->rel, oi, i);

			c->total++;
			if (d->side == UM_LOCAL) {
				c->local++;
				continue;
			}
			if (d->side == UM_KERNEL) {
				c->kernel++;
				c->unresolved += d->unresolved;
				continue;
			}
			c->app++;
			if (d->matched) {
				c->resolved++;
			} else {
				c->failed++;
				*failed = realloc(*failed, (*nfailed + 1) * sizeof(char *));
				(*failed)[(*nfailed)++] = um_relo_name(o->e, oi, i);
			}
		}
	}
}

static void write_summary(struct opts *o, FILE *f)
{
	int i, oi;

	fputs("{\"kernel\":", f);
	if (o->kbtf)
		json_str(f, o->kernel ? o->kernel : UCB_KERNEL_BTF_DEFAULT);
	else
		fputs("null", f);
	fputs(",\"objects\":[", f);
	for (oi = 0; oi < um_obj_cnt(o->e); oi++) {
		struct kn_ctx c = { f, 0 };

		fprintf(f, "%s{\"path\":", oi ? "," : "");
		json_str(f, um_obj_path(o->e, oi));
		fprintf(f, ",\"relocations\":%d,\"kernel_types\":[", um_relo_cnt(o->e, oi));
		um_kernel_needs(o->e, oi, kernel_need_cb, &c);
		fputs("]}", f);
	}
	fputs("],\"versions\":[", f);
	for (i = 0; i < o->nlib; i++) {
		struct lib *l = &o->libs[i];
		struct group *gr = &o->groups[l->group];
		const char *const *shadow;
		const char **failed;
		int nshadow, nfailed, j, first = 1;
		struct counts c;

		count_release(o, gr, &c, &failed, &nfailed);
		nshadow = um_release_shadowed(gr->rel, &shadow);
		fprintf(f, "%s{\"library\":", i ? "," : "");
		json_str(f, l->meta.library);
		fputs(",\"version\":", f);
		json_str(f, l->meta.version);
		fputs(",\"input\":", f);
		json_str(f, l->path);
		fputs(",\"output\":", f);
		if (l->out)
			json_str(f, l->out);
		else
			fputs("null", f);
		fputs(",\"release\":", f);
		json_str(f, gr->label);
		fprintf(f, ",\"bytes\":%u,\"types\":%d,\"relocations\":{\"total\":%d,\"app\":%d,"
			"\"kernel\":%d,\"local\":%d,\"resolved\":%d,\"failed\":%d,\"kernel_unresolved\":%d}",
			l->size, l->types, c.total, c.app, c.kernel, c.local, c.resolved, c.failed,
			c.unresolved);
		fputs(",\"failed\":", f);
		json_strs(f, failed, nfailed);
		fputs(",\"shadowed\":", f);
		json_strs(f, shadow, nshadow);
		fputs(",\"identical_to\":[", f);
		for (j = 0; j < o->nlib; j++) {
			if (j == i || !l->data || !o->libs[j].data)
				continue;
			if (l->size == o->libs[j].size && !strcmp(l->meta.library, o->libs[j].meta.library) &&
			    !memcmp(l->data, o->libs[j].data, l->size)) {
				if (!first)
					fputc(',', f);
				json_str(f, o->libs[j].label);
				first = 0;
			}
		}
		fprintf(f, "],\"verified\":%s}", o->verify ? "true" : "false");
		free(failed);
	}
	fputs("]}\n", f);
}

static bool is_archive(const char *dir)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/index.tsv", dir);
	return !access(path, F_OK);
}

/* Library BTF of a release as stored: the lib's blob, with the stats the
 * summary reports. */
static const struct btf *lib_blob(struct opts *o, int i)
{
	struct lib *l = &o->libs[i];
	struct group *gr = &o->groups[l->group];
	const struct btf *blob = NULL;
	int k;

	for (k = 0; k < gr->n; k++)
		if (gr->libs[k] == i)
			blob = um_release_blob(gr->rel, k);
	l->data = (void *)btf__raw_data(blob, &l->size);
	l->types = btf__type_cnt(blob) - 1;
	return blob;
}

/* Runtime needs are "kind name [member]" lines.  Only composites and enums
 * are roots: the runtime copies member types unnamed, and a kernel typedef
 * or int named like a library's (u64) would only add ambiguity. */
static void need_line_cb(void *ctx, const char *kind, const char *name,
			 const char *const *members, int n)
{
	FILE *f = ctx;
	int i;

	if (!strcmp(kind, "enum64"))
		kind = "enum";
	if (strcmp(kind, "struct") && strcmp(kind, "union") && strcmp(kind, "enum"))
		return;
	for (i = 0; i < n; i++)
		if (!members[i][0])
			break;
	if (!n || i < n)	/* no member, or one gen min could not name: whole */
		fprintf(f, "%s %s\n", kind, name);
	for (i = 0; i < n; i++)
		if (members[i][0])
			fprintf(f, "%s %s %s\n", kind, name, members[i]);
}

/* gen min -o ARCHIVE: one entry per library version, and each object's
 * kernel needs, through the archive module (docs/archive.md). */
static int write_archive(struct opts *o)
{
	char **objs = calloc(o->nobj + 1, sizeof(*objs)), err[256] = "", *text = NULL;
	const char *why = NULL;
	size_t len = 0;
	int i, ret = -ENOMEM;
	FILE *f;

	for (i = 0; objs && i < o->nobj; i++) {
		char name[NAME_MAX + 1];

		if (!ucb_object_name(o->objs[i], name, sizeof(name)) || !(objs[i] = strdup(name)))
			goto out;
	}
	for (i = 0; objs && i < o->nlib; i++) {
		struct lib *l = &o->libs[i];
		const char *bid = l->meta.build_id;
		struct archive_entry e = {
			.lib = l->meta.library, .version = l->meta.version,
			.arch = l->meta.arch[0] ? l->meta.arch : ucb_host_arch(),
			.soname = l->meta.soname, .build_ids = &bid, .build_id_cnt = bid[0] ? 1 : 0,
			.objects = (const char *const *)objs, .object_cnt = o->nobj,
		};

		lib_blob(o, i);
		if (!e.version[0]) {
			p_err("%s: no version (give gen btf --version, or name the file %s-VERSION.btf)",
			      l->path, l->meta.library);
			ret = -EINVAL;
			goto out;
		}
		ret = archive__add(o->outdir, &e, l->data, l->size, &why);
		if (ret) {
			p_err("%s: cannot add %s to the archive: %s", o->outdir, l->label,
			      why ? why : strerror(-ret));
			goto out;
		}
		if (asprintf(&l->out, "%s/%s/%s/%s", o->outdir, e.lib, e.version, e.arch) < 0)
			goto out;
		if (!json_output)
			printf("%s: %d types, %u bytes\n", l->out, l->types, l->size);
	}
	for (i = 0; objs && i < o->nobj; i++) {
		f = open_memstream(&text, &len);
		if (!f)
			goto out;
		um_kernel_needs(o->e, i, need_line_cb, f);
		fclose(f);
		ret = archive__set_needs(o->outdir, objs[i], text, len, err, sizeof(err));
		free(text);
		text = NULL;
		if (ret) {
			p_err("%s: cannot record the kernel needs of %s: %s", o->outdir, objs[i], err);
			goto out;
		}
	}
	ret = 0;
out:
	for (i = 0; objs && i < o->nobj; i++)
		free(objs[i]);
	free(objs);
	return ret;
}

/* Whether path names the same file as input. */
static bool same_file(const char *path, const char *input)
{
	struct stat a, b;

	return !stat(path, &a) && !stat(input, &b) && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* The blob of libssl-3.0.17.btf is DIR/libssl-3.0.17.btf: with the default
 * -o . and the inputs in the current directory (`gen min app.bpf.o
 * libssl-*.btf`), writing it would replace the full library BTF.  Refuse
 * before anything is resolved or written. */
static int check_no_overwrite(struct opts *o)
{
	const char *dir = o->outdir ? o->outdir : ".";
	char path[PATH_MAX];
	int i, k, n = o->nlib + 1;

	for (k = 0; k < n; k++) {
		if (k < o->nlib)
			snprintf(path, sizeof(path), "%s/%s" MIN_SUFFIX, dir, o->libs[k].label);
		else
			snprintf(path, sizeof(path), "%s/gen-min.json", dir);
		for (i = 0; i < o->nlib + o->nobj; i++) {
			const char *in = i < o->nlib ? o->libs[i].path : o->objs[i - o->nlib];

			if (same_file(path, in)) {
				p_err("%s: gen min would overwrite this input with %s; give another output directory (-o DIR)",
				      in, path);
				return -EEXIST;
			}
		}
	}
	return 0;
}

int do_gen_min(int argc, char **argv)
{
	struct opts o = {};
	char *json = NULL;
	size_t jlen = 0;
	FILE *f;
	int rc, i;

	if (argc >= 1 && !strcmp(argv[0], "help")) {
		fprintf(stderr, "Usage: %s gen min OBJ... BTF... [-k KERNEL_BTF | --no-kernel] [-o DIR]\n"
			"          [--group-by-version] [--release A.btf,B.btf]... [--app-type NAME]...\n"
			"          [--kernel-type NAME]... [--no-verify] [--archive] [-j]\n"
			"  -o DIR     one blob per library version and gen-min.json in DIR; if DIR\n"
			"             is an archive (has index.tsv) or --archive is given, add the\n"
			"             versions to it as entries, and each object's kernel needs\n", bin_name);
		return EXIT_OK;
	}
	rc = prepare(&o, argc, argv, "gen min", true, true);
	if (rc)
		goto out;
	rc = EXIT_FAIL;
	if (!(o.outdir && (o.archive || is_archive(o.outdir))) && check_no_overwrite(&o))
		goto out;
	if (run_groups(&o, o.verify))
		goto out;
	/* Everything resolved: now write, one atomic file per library. */
	if (o.outdir && mkdir(o.outdir, 0755) && errno != EEXIST) {
		p_err("%s: cannot create output directory: %s", o.outdir, strerror(errno));
		goto out;
	}
	if (o.outdir && (o.archive || is_archive(o.outdir))) {
		if (write_archive(&o))
			goto out;
		if (json_output) {
			write_summary(&o, stdout);
			fputc('\n', stdout);
		}
		rc = EXIT_OK;
		goto out;
	}
	for (i = 0; i < o.nlib; i++) {
		struct lib *l = &o.libs[i];
		int err;

		lib_blob(&o, i);
		if (asprintf(&l->out, "%s/%s" MIN_SUFFIX, o.outdir ? o.outdir : ".", l->label) < 0)
			goto out;
		err = ucb_write_file_atomic(l->out, l->data, l->size);
		if (err) {
			p_err("%s: cannot write: %s", l->out, strerror(-err));
			goto out;
		}
	}
	f = open_memstream(&json, &jlen);
	if (!f)
		goto out;
	write_summary(&o, f);
	fclose(f);
	{
		char *path = NULL;

		if (asprintf(&path, "%s/gen-min.json", o.outdir ? o.outdir : ".") < 0)
			goto out;
		i = ucb_write_file_atomic(path, json, jlen);
		if (i)
			p_err("%s: cannot write: %s", path, strerror(-i));
		free(path);
		if (i)
			goto out;
	}
	if (json_output) {
		fputs(json, stdout);
	} else {
		for (i = 0; i < o.nlib; i++) {
			struct lib *l = &o.libs[i];
			struct group *gr = &o.groups[l->group];
			const char *const *shadow;
			const char **failed;
			struct counts c;
			int nfailed, nshadow, j;

			count_release(&o, gr, &c, &failed, &nfailed);
			nshadow = um_release_shadowed(gr->rel, &shadow);
			printf("%s: %d types, %u bytes; relocations: %d app (%d resolved, %d failed), %d kernel%s\n",
			       l->out, l->types, l->size, c.app, c.resolved, c.failed, c.kernel,
			       o.verify ? "; verified" : "");
			for (j = 0; j < nfailed; j++)
				printf("  failed match: %s\n", failed[j]);
			for (j = 0; j < nshadow; j++)
				printf("  shadowed: %s also exists in the kernel\n", shadow[j]);
			for (j = 0; j < i; j++)
				if (o.libs[j].size == l->size && !strcmp(l->meta.library, o.libs[j].meta.library) &&
				    !memcmp(o.libs[j].data, l->data, l->size)) {
					printf("  identical to %s\n", o.libs[j].out);
					break;
				}
			free(failed);
		}
	}
	rc = EXIT_OK;
out:
	free(json);
	opts_free(&o);
	return rc;
}

int do_gen_min_core_btf(int argc, char **argv)
{
	struct um_engine *e = NULL;
	struct um_release *r = NULL;
	struct btf *kbtf = NULL, *blob = NULL;
	const void *raw;
	__u32 size;
	int i, err, rc = EXIT_FAIL;

	if (argc >= 1 && !strcmp(argv[0], "help")) {
		fprintf(stderr, "Usage: %s gen min_core_btf INPUT OUTPUT OBJ...\n", bin_name);
		return EXIT_OK;
	}
	if (argc < 3)
		return usage_err("gen min_core_btf: usage: gen min_core_btf INPUT OUTPUT OBJ...");
	err = ucb_check_output_path(argv[1]);
	if (err) {
		p_err("%s: cannot write: %s", argv[1], strerror(-err));
		return EXIT_FAIL;
	}
	for (i = 2; i < argc; i++) {
		enum btf_file_kind kind;

		if (btf_file_kind(argv[i], &kind))
			return EXIT_FAIL;
		if (kind != BTF_FILE_BPF_OBJ) {
			p_err("%s: not a BPF object: no .BTF.ext section", argv[i]);
			return EXIT_FAIL;
		}
	}
	kbtf = btf_load(argv[0], NULL);
	if (!kbtf)
		return EXIT_FAIL;
	e = um_new(kbtf);
	if (!e)
		goto out;
	um_set_kernel_path(e, argv[0]);
	for (i = 2; i < argc; i++)
		if (um_add_object(e, argv[i]))
			goto out;
	r = um_run(e, NULL, NULL, 0, false);
	if (!r)
		goto out;
	blob = um_kernel_blob(e);
	if (!blob) {
		p_err("%s: cannot build minimized BTF: %s", argv[0], strerror(errno));
		goto out;
	}
	raw = btf__raw_data(blob, &size);
	err = ucb_write_file_atomic(argv[1], raw, size);
	if (err) {
		p_err("%s: cannot write: %s", argv[1], strerror(-err));
		goto out;
	}
	rc = EXIT_OK;
out:
	btf__free(blob);
	um_release_free(r);
	um_free(e);
	btf__free(kbtf);
	return rc;
}

static const char *side_str(int side)
{
	return side == UM_APP ? "app" : side == UM_KERNEL ? "kernel" : "local";
}

int do_check(int argc, char **argv)
{
	struct opts o = {};
	int rc, g, oi, i;
	int w = 24;

	if (argc >= 1 && !strcmp(argv[0], "help")) {
		fprintf(stderr, "Usage: %s check OBJ... [BTF...] [-k KERNEL_BTF | --no-kernel]\n"
			"          [--group-by-version] [--release A.btf,B.btf]... [--app-type NAME]...\n"
			"          [--kernel-type NAME]... [-j]\n", bin_name);
		return EXIT_OK;
	}
	rc = prepare(&o, argc, argv, "check", false, false);
	if (rc)
		goto out;
	rc = EXIT_FAIL;
	if (!o.ngroups) {	/* kernel only: one target */
		if (add_group(&o) < 0)
			goto out;
		snprintf(o.groups[0].label, sizeof(o.groups[0].label), "kernel");
	}
	if (run_groups(&o, false))
		goto out;
	if (json_output) {
		printf("{\"targets\":[");
		for (g = 0; g < o.ngroups; g++) {
			if (g)
				putchar(',');
			json_str(stdout, o.groups[g].label);
		}
		printf("],\"relocations\":[");
		for (oi = 0; oi < um_obj_cnt(o.e); oi++)
			for (i = 0; i < um_relo_cnt(o.e, oi); i++) {
				printf("%s{\"object\":", oi || i ? "," : "");
				json_str(stdout, um_obj_path(o.e, oi));
				printf(",\"name\":");
				json_str(stdout, um_relo_name(o.e, oi, i));
				printf(",\"kind\":\"%s\",\"results\":[", um_relo_kind(o.e, oi, i));
				for (g = 0; g < o.ngroups; g++) {
					const struct um_decision *d = um_decision_get(o.groups[g].rel, oi, i);

					printf("%s{\"side\":\"%s\",\"matched\":%s,\"poison\":%s,"
					       "\"unresolved\":%s,\"value\":", g ? "," : "",
					       side_str(d->side), d->matched ? "true" : "false",
					       d->poison ? "true" : "false", d->unresolved ? "true" : "false");
					json_str(stdout, d->value_str);
					printf(",\"target\":");
					json_str(stdout, d->target);
					putchar('}');
				}
				printf("]}");
			}
		printf("]}\n");
	} else {
		for (oi = 0; oi < um_obj_cnt(o.e); oi++)
			for (i = 0; i < um_relo_cnt(o.e, oi); i++)
				if ((int)strlen(um_relo_name(o.e, oi, i)) > w)
					w = strlen(um_relo_name(o.e, oi, i));
		printf("%-*s  %-14s  %-6s", w, "RELOCATION", "KIND", "SIDE");
		for (g = 0; g < o.ngroups; g++)
			printf("  %s", o.groups[g].label);
		putchar('\n');
		for (oi = 0; oi < um_obj_cnt(o.e); oi++)
			for (i = 0; i < um_relo_cnt(o.e, oi); i++) {
				const struct um_decision *d0 = um_decision_get(o.groups[0].rel, oi, i);

				printf("%-*s  %-14s  %-6s", w, um_relo_name(o.e, oi, i),
				       um_relo_kind(o.e, oi, i), side_str(d0->side));
				for (g = 0; g < o.ngroups; g++) {
					const struct um_decision *d = um_decision_get(o.groups[g].rel, oi, i);
					const char *v = d->unresolved ? "-" :
						(!d->matched && d->side != UM_LOCAL) ? (d->poison ? "missing" : "missing:0") :
						d->value_str;

					printf("  %*s", (int)strlen(o.groups[g].label), v);
				}
				putchar('\n');
			}
	}
	rc = EXIT_OK;
out:
	opts_free(&o);
	return rc;
}
