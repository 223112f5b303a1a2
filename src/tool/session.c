/* The run setup of gen min, check and report (session.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "lib/bundle.h"
#include "lib/errmsg.h"
#include "lib/fileio.h"
#include "lib/index.h"
#include "lib/names.h"
#include "tool/archive.h"
#include "tool/session.h"
#include "minimize.h"

#define EM_BPF_MACHINE 247

void session__init(struct session *s, const struct session_opts *opts)
{
	memset(s, 0, sizeof(*s));
	if (opts)
		s->opts = *opts;
}

void session__free(struct session *s)
{
	int i;

	for (i = 0; i < s->nlib; i++) {
		if (s->libs[i].same_as < 0)
			btf__free(s->libs[i].btf);
		free(s->libs[i].path);
	}
	for (i = 0; i < s->nrels; i++) {
		if (!s->rels[i].rel_shared)
			um_release_free(s->rels[i].rel);
		free(s->rels[i].libs);
	}
	um_free(s->e);
	btf__free(s->kbtf);
	free(s->rels);
	free(s->libs);
	free(s->objs);
	memset(s, 0, sizeof(*s));
}

/* ---- inputs ---- */

/* An ELF for the BPF machine is an object even without .BTF.ext. */
static bool is_bpf_elf(const char *path)
{
	unsigned char h[20];
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	bool r = false;

	if (fd < 0)
		return false;
	if (pread(fd, h, sizeof(h), 0) == sizeof(h) && !memcmp(h, "\177ELF", 4))
		r = (h[5] == 1 ? (h[18] | h[19] << 8) : (h[19] | h[18] << 8)) == EM_BPF_MACHINE;
	close(fd);
	return r;
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

int session__add_object(struct session *s, const char *path)
{
	const char **objs = realloc(s->objs, (s->nobj + 1) * sizeof(*objs));

	if (!objs)
		return ucb_errf(-ENOMEM, "out of memory");
	s->objs = objs;
	objs[s->nobj++] = path;
	return 0;
}

int session__add_lib(struct session *s, const char *path, const struct btf_meta *meta)
{
	struct session_lib *libs = realloc(s->libs, (s->nlib + 1) * sizeof(*libs));
	struct session_lib *l;

	if (!libs)
		return ucb_errf(-ENOMEM, "out of memory");
	s->libs = libs;
	l = memset(&libs[s->nlib], 0, sizeof(*l));
	l->path = strdup(path);
	if (!l->path)
		return ucb_errf(-ENOMEM, "out of memory");
	s->nlib++;
	l->release = -1;
	if (meta)
		l->meta = *meta;
	else
		btf_meta_get(path, &l->meta);
	if (l->meta.version[0])
		snprintf(l->label, sizeof(l->label), "%s-%s", l->meta.library, l->meta.version);
	else
		snprintf(l->label, sizeof(l->label), "%s", l->meta.library);
	return 0;
}

/* A bundle starts with its magic (lib/bundle.h). */
static bool is_bundle(const char *path)
{
	char h[sizeof(UCB_MAGIC) - 1];
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	bool r;

	if (fd < 0)
		return false;
	r = pread(fd, h, sizeof(h), 0) == sizeof(h) && !memcmp(h, UCB_MAGIC, sizeof(h));
	close(fd);
	return r;
}

/* Is path an archive directory or a bundle (entries to pick), not a file? */
static bool is_container(const char *path)
{
	struct stat st;

	return !stat(path, &st) && (S_ISDIR(st.st_mode) || (S_ISREG(st.st_mode) && is_bundle(path)));
}

int session__add_inputs(struct session *s, char *const *paths, int n)
{
	int pass, i, err = 0;

	/* Files first: an archive's or a bundle's entries are picked by the
	 * objects given (entries made only for other objects are left out),
	 * wherever the objects stand on the command line. */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; !err && i < n; i++)
			if (is_container(paths[i]) == pass)
				err = session__add_input(s, paths[i]);
	return err;
}

int session__add_input(struct session *s, const char *path)
{
	const char *arch = s->opts.arch ?: ucb_host_arch();
	enum btf_file_kind kind;
	struct stat st;
	int err;

	ucb_err_clear();
	/* Archives and bundles hold library BTFs too: accepted alike. */
	if (stat(path, &st))
		st.st_mode = 0;		/* btf_file_kind names what is wrong */
	if (S_ISDIR(st.st_mode))
		return session__add_dir(s, path, arch);
	if (S_ISREG(st.st_mode) && is_bundle(path))
		return session__add_bundle(s, path, arch);
	err = btf_file_kind(path, &kind);	/* prints its own message */
	if (err)
		return err;
	if (is_bpf_elf(path) && kind != BTF_FILE_BPF_OBJ)
		return ucb_errf(-ENODATA, "%s: BPF object without .BTF.ext: no CO-RE relocations to resolve (built without -g?)",
				path);
	if (kind == BTF_FILE_BPF_OBJ)
		return session__add_object(s, path);
	err = session__add_lib(s, path, NULL);
	if (err)
		return err;
	/* The label names the output file DIR/<label>.min.btf and comes from
	 * the input's metadata: "../x" would write outside DIR. */
	if (!label_ok(s->libs[s->nlib - 1].label))
		return ucb_errf(-EINVAL, "%s: library name and version \"%s\" (from %s) cannot name an output file",
				path, s->libs[s->nlib - 1].label,
				btf_meta_read(path, &(struct btf_meta){}) ? "the file name" : BTF_META_SEC);
	return 0;
}

/* ---- inputs from an archive ---- */

/* An entry's soname and first build-id, so that gen min into an archive
 * keeps them ("-": none). */
static void entry_ids(struct btf_meta *meta, const struct ucb_entry *e)
{
	size_t n = strcspn(e->build_ids, ",");

	if (strcmp(e->soname, "-"))
		snprintf(meta->soname, sizeof(meta->soname), "%s", e->soname);
	if (strcmp(e->build_ids, "-") && n < sizeof(meta->build_id))
		snprintf(meta->build_id, sizeof(meta->build_id), "%.*s", (int)n, e->build_ids);
}

/* An entry made for objects (index column "objects") counts for a session
 * of other objects only when it records none: one archive holds the Lua
 * and the OpenSSL entries, and a report on the Lua probe has no OpenSSL
 * columns.  Objects are added before archives and bundles (report's
 * add_inputs). */
static bool entry_for_session(const struct session *s, const char *objects)
{
	char name[256];
	int i;

	if (!s->nobj || !objects[0] || !strcmp(objects, "-"))
		return true;
	for (i = 0; i < s->nobj; i++)
		if (ucb_object_name(s->objs[i], name, sizeof(name)) && ucb_list_has(objects, name))
			return true;
	return false;
}

/* The entries of idx for arch (and the session's objects), their blobs
 * under the archive root (the archive module knows the layout,
 * docs/archive.md). */
static int add_entries(struct session *s, const char *root, const struct ucb_index *idx,
		       const char *arch)
{
	char path[PATH_MAX];
	size_t i;
	int err;

	for (i = 0; i < idx->cnt; i++) {
		const struct ucb_entry *e = &idx->e[i];
		struct btf_meta meta = {};

		if (strcmp(e->arch, arch) || !entry_for_session(s, e->objects))
			continue;
		snprintf(meta.library, sizeof(meta.library), "%s", e->lib);
		snprintf(meta.version, sizeof(meta.version), "%s", e->version);
		snprintf(meta.arch, sizeof(meta.arch), "%s", e->arch);
		entry_ids(&meta, e);
		err = archive__blob_path(root, e->digest, path, sizeof(path));
		if (!err)
			err = session__add_lib(s, path, &meta);
		if (err)
			return err;
	}
	return 0;
}

/* An archive's root, or one entry's directory inside an archive (its blob
 * from the archive above), through the archive module. */
static int add_archive(struct session *s, const char *dir, const char *arch)
{
	struct ucb_index idx = {};
	char root[PATH_MAX];
	int err;

	err = archive__load_dir(dir, &idx, root, sizeof(root));
	if (err)
		return err;
	err = add_entries(s, root, &idx, arch);
	ucb_index_free(&idx);
	return err;
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && !strcmp(s + n - m, suf);
}

static int add_tree(struct session *s, const char *dir, const char *arch)
{
	struct dirent **ents;
	char path[4096];
	int n, i, err = 0;

	if (archive__dir_kind(dir) != ARCHIVE_NONE)
		return add_archive(s, dir, arch);
	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0)
		return ucb_errf(-errno, "%s: %s", dir, strerror(errno));
	for (i = 0; i < n; i++) {
		struct stat st;

		if (!err && ents[i]->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
			if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
				err = add_tree(s, path, arch);
			else if (has_suffix(path, ".btf"))
				err = session__add_lib(s, path, NULL);
		}
		free(ents[i]);
	}
	free(ents);
	return err;
}

int session__add_dir(struct session *s, const char *dir, const char *arch)
{
	int before = s->nlib, err;

	ucb_err_clear();
	err = add_tree(s, dir, arch);
	if (!err && s->nlib == before)
		err = ucb_errf(-ENOENT, "%s: no release BTF in this directory (no index.tsv, entry.tsv or *.btf for %s)",
			       dir, arch);
	return err;
}

/* ---- inputs from a bundle ---- */

static int add_bundle_entry(struct session *s, const char *file, const struct ucb_bundle *b,
			    const struct ucb_entry *e)
{
	const struct ucb_blob *blob = ucb_bundle_blob(b, e->digest);
	struct btf_meta meta = {};
	char path[PATH_MAX];
	struct btf *btf;
	int err;

	if (!blob)	/* the reader checked every entry has its blob */
		return ucb_errf(-EINVAL, "%s: %s %s: no blob", file, e->lib, e->version);
	snprintf(meta.library, sizeof(meta.library), "%s", e->lib);
	snprintf(meta.version, sizeof(meta.version), "%s", e->version);
	snprintf(meta.arch, sizeof(meta.arch), "%s", e->arch);
	entry_ids(&meta, e);
	if (snprintf(path, sizeof(path), "%s:%s/%s/%s", file, e->lib, e->version, e->arch) >=
	    (int)sizeof(path))
		return ucb_errf(-ENAMETOOLONG, "%s: name too long", file);
	btf = btf__new(blob->data, blob->size);	/* copies the data */
	if (!btf)
		return ucb_errf(-errno ?: -EINVAL, "%s: %s %s: blob is not valid BTF", file, e->lib,
				e->version);
	err = session__add_lib(s, path, &meta);
	if (err) {
		btf__free(btf);
		return err;
	}
	s->libs[s->nlib - 1].btf = btf;
	return 0;
}

int session__add_bundle(struct session *s, const char *path, const char *arch)
{
	struct ucb_bundle b;
	int before = s->nlib, err;
	size_t i, sz;
	void *data;

	ucb_err_clear();
	err = ucb_read_file(path, &data, &sz);
	if (err)
		return ucb_errf(err, "%s: %s", path, strerror(-err));
	err = ucb_bundle_parse(data, sz, NULL, &b);
	free(data);
	if (err)
		return ucb_errf(err, "%s: %s", path, ucb_errmsg());
	for (i = 0; !err && i < b.idx.cnt; i++)
		if (!strcmp(b.idx.e[i].arch, arch) && entry_for_session(s, b.idx.e[i].objects))
			err = add_bundle_entry(s, path, &b, &b.idx.e[i]);
	ucb_bundle_free(&b);
	if (!err && s->nlib == before)
		err = ucb_errf(-ENOENT, "%s: no entry for %s in this bundle", path, arch);
	return err;
}

/* ---- order ---- */

static int lib_cmp(const void *a, const void *b)
{
	const struct session_lib *x = a, *y = b;
	int c = strcmp(x->meta.library, y->meta.library);

	if (!c)
		c = strverscmp(x->meta.version, y->meta.version);
	return c ? c : strcmp(x->path, y->path);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int session__sort(struct session *s)
{
	int i, j;

	ucb_err_clear();
	if (s->nobj)
		qsort(s->objs, s->nobj, sizeof(*s->objs), str_cmp);
	if (s->nlib)
		qsort(s->libs, s->nlib, sizeof(*s->libs), lib_cmp);
	for (i = 1; i < s->nobj; i++)
		if (!strcmp(s->objs[i], s->objs[i - 1]))
			return ucb_errf(-EINVAL, "%s: given twice", s->objs[i]);
	/* Labels name outputs and columns: unique, whatever splits them into
	 * library and version. */
	for (j = 1; j < s->nlib; j++)
		for (i = 0; i < j; i++) {
			const char *a = s->libs[i].path, *b = s->libs[j].path;
			/* A glob like libssl-*.btf also picks up an earlier run's blobs. */
			bool blob = has_suffix(a, SESSION_MIN_SUFFIX) || has_suffix(b, SESSION_MIN_SUFFIX);

			if (strcmp(s->libs[i].label, s->libs[j].label))
				continue;
			return ucb_errf(-EINVAL, "%s: same library and version (%s) as %s%s", b,
					s->libs[j].label, a,
					blob ? " (a blob of an earlier gen min? leave it out, or use -o DIR)" : "");
		}
	return 0;
}

static uint64_t bytes_hash(const void *data, size_t n)
{
	const unsigned char *p = data;
	uint64_t h = 14695981039346656037ull;	/* FNV-1a */

	while (n--)
		h = (h ^ *p++) * 1099511628211ull;
	return h;
}

/* Releases of a library often share their BTF byte for byte (a rebuild, a
 * packaging-only change): such libraries share one parsed BTF, and their
 * releases one result (session__run()), so memory grows with the distinct
 * BTFs, not with the versions. */
int session__load_libs(struct session *s)
{
	uint64_t *hash = calloc(s->nlib + 1, sizeof(*hash));
	const void *raw, *raw2;
	__u32 sz, sz2;
	int i, j;

	ucb_err_clear();
	if (!hash)
		return ucb_errf(-ENOMEM, "out of memory");
	for (i = 0; i < s->nlib; i++) {
		s->libs[i].same_as = -1;
		if (!s->libs[i].btf)	/* else a bundle's, loaded from memory */
			s->libs[i].btf = btf_load(s->libs[i].path, NULL);	/* prints */
		if (!s->libs[i].btf) {
			free(hash);
			return -errno ?: -EINVAL;
		}
		raw = btf__raw_data(s->libs[i].btf, &sz);
		if (!raw)
			continue;
		hash[i] = bytes_hash(raw, sz) ?: 1;
		for (j = 0; j < i; j++) {
			if (hash[j] != hash[i] || s->libs[j].same_as >= 0)
				continue;
			raw2 = btf__raw_data(s->libs[j].btf, &sz2);
			if (raw2 && sz2 == sz && !memcmp(raw, raw2, sz))
				break;
		}
		if (j < i) {
			btf__free(s->libs[i].btf);
			s->libs[i].btf = s->libs[j].btf;
			s->libs[i].same_as = j;
		}
	}
	free(hash);
	return 0;
}

/* The engine tells a release's libraries apart by their BTF: two of one
 * release sharing a parsed BTF each get their own again. */
static int release_unshare(struct session *s, const struct session_release *r)
{
	struct session_lib *a, *b;
	const void *raw;
	__u32 sz;
	int k, m;

	for (k = 0; k < r->n; k++)
		for (m = 0; m < k; m++) {
			a = &s->libs[r->libs[m]];
			b = &s->libs[r->libs[k]];
			if (a->btf != b->btf)
				continue;
			raw = btf__raw_data(b->btf, &sz);
			b->btf = raw ? btf__new(raw, sz) : NULL;
			if (!b->btf)
				return ucb_errf(-ENOMEM, "out of memory");
			b->same_as = -1;
		}
	return 0;
}

/* An earlier release of the same BTFs in the same order, or -1. */
static int release_same(const struct session *s, int g)
{
	const struct session_release *r = &s->rels[g], *h;
	int i, k;

	for (i = 0; i < g; i++) {
		h = &s->rels[i];
		if (h->rel_shared || h->n != r->n || !h->rel)
			continue;
		for (k = 0; k < r->n && s->libs[h->libs[k]].btf == s->libs[r->libs[k]].btf; k++)
			;
		if (k == r->n)
			return i;
	}
	return -1;
}

/* ---- releases ---- */

int session__add_release(struct session *s, const char *label)
{
	struct session_release *r = realloc(s->rels, (s->nrels + 1) * sizeof(*r));

	if (!r)
		return ucb_errf(-ENOMEM, "out of memory");
	s->rels = r;
	r = memset(&r[s->nrels], 0, sizeof(*r));
	snprintf(r->label, sizeof(r->label), "%s", label);
	return s->nrels++;
}

static int find_lib(const struct session *s, const char *path)
{
	int i;

	for (i = 0; i < s->nlib; i++)
		if (!strcmp(s->libs[i].path, path))
			return i;
	return -1;
}

/* One --release list: its libraries into release g. */
static int release_list(struct session *s, const char *spec, int g)
{
	char *list = strdup(spec), *tok, *save = NULL;
	int j, err = 0;

	if (!list)
		return ucb_errf(-ENOMEM, "out of memory");
	for (tok = strtok_r(list, ",", &save); tok && !err; tok = strtok_r(NULL, ",", &save)) {
		j = find_lib(s, tok);
		if (j < 0)
			err = ucb_errf(-EINVAL, "%s: --release names a file that is not a library BTF input", tok);
		else if (s->libs[j].release >= 0)
			err = ucb_errf(-EINVAL, "%s: in more than one release", tok);
		else
			s->libs[j].release = g;
	}
	free(list);
	return err;
}

int session__make_releases(struct session *s)
{
	const struct session_opts *o = &s->opts;
	int i, j, g, err;

	ucb_err_clear();
	for (i = 0; i < s->nlib; i++)
		s->libs[i].release = -1;
	for (i = 0; i < o->nrel; i++) {
		g = session__add_release(s, "");
		if (g < 0)
			return g;
		err = release_list(s, o->releases[i], g);
		if (err)
			return err;
	}
	for (i = 0; i < s->nlib; i++) {
		if (s->libs[i].release >= 0)
			continue;
		g = -1;
		if (o->by_version)
			for (j = 0; j < i; j++)
				if (s->libs[j].release >= o->nrel &&
				    !strcmp(s->libs[j].meta.version, s->libs[i].meta.version))
					g = s->libs[j].release;
		if (g < 0)
			g = session__add_release(s, "");
		if (g < 0)
			return g;
		s->libs[i].release = g;
	}
	for (i = 0; i < s->nlib; i++) {
		struct session_release *r = &s->rels[s->libs[i].release];
		size_t n = strlen(r->label);
		int *l = realloc(r->libs, (r->n + 1) * sizeof(*l));

		if (!l)		/* as long as its libraries: 1,000 releases of one */
			return ucb_errf(-ENOMEM, "out of memory");
		r->libs = l;
		r->libs[r->n++] = i;
		snprintf(r->label + n, sizeof(r->label) - n, "%s%s", n ? "+" : "", s->libs[i].label);
	}
	for (i = 0; i < s->nrels; i++)
		if (!s->rels[i].n)
			return ucb_errf(-EINVAL, "--release: empty release");
	return 0;
}

/* ---- the engine ---- */

int session__load_engine(struct session *s)
{
	const struct session_opts *o = &s->opts;
	const char *name;
	int i, err, side;

	ucb_err_clear();
	if (!o->no_kernel) {
		s->kernel_path = o->kernel ? o->kernel : UCB_KERNEL_BTF_DEFAULT;
		s->kbtf = btf_load(s->kernel_path, NULL);	/* prints */
		if (!s->kbtf)
			return -errno ?: -EINVAL;
	}
	s->e = um_new(s->kbtf);
	if (!s->e)
		return ucb_errf(-ENOMEM, "out of memory");
	if (s->kbtf)
		um_set_kernel_path(s->e, s->kernel_path);
	for (i = 0; i < o->nforce; i++) {
		err = um_force_type(s->e, o->forces[i].name, o->forces[i].side);
		if (err)
			return ucb_errf(err, "out of memory");
	}
	for (i = 0; i < s->nobj; i++) {
		err = um_add_object(s->e, s->objs[i]);	/* prints */
		if (err)
			return err;
	}
	name = um_force_unused(s->e, &side);
	if (name)
		return ucb_errf(-EINVAL, "--%s-type %s: no relocation of the objects has a local type of that name (give the name alone, flavour included: file, file___lib)",
				side == UM_APP ? "app" : "kernel", name);
	return 0;
}

int session__run(struct session *s, bool verify)
{
	int g, k;

	ucb_err_clear();
	for (g = 0; g < s->nrels; g++) {
		struct session_release *r = &s->rels[g];
		struct btf *libs[r->n ? r->n : 1];
		const char *labels[r->n ? r->n : 1];
		int h, err = release_unshare(s, r);

		if (err)
			return err;
		/* Same BTFs, same result: verify (um_verify_prepared()) checks
		 * it once, and a failure names the first release, as before. */
		h = r->n ? release_same(s, g) : -1;
		if (h >= 0) {
			r->rel = s->rels[h].rel;
			r->rel_shared = true;
			continue;
		}

		for (k = 0; k < r->n; k++) {
			libs[k] = s->libs[r->libs[k]].btf;
			labels[k] = s->libs[r->libs[k]].path;
		}
		r->rel = um_run(s->e, libs, labels, r->n, verify);	/* prints */
		if (!r->rel)
			return -errno ?: -EINVAL;
	}
	if (!verify)
		return 0;
	/* What the runtime loads, with the objects' final kernel needs. */
	{
		struct um_release *rels[s->nrels ? s->nrels : 1];

		for (g = 0; g < s->nrels; g++)
			rels[g] = s->rels[g].rel;
		return um_verify_prepared(s->e, rels, s->nrels);
	}
}

const struct btf *session__blob(const struct session *s, int lib)
{
	const struct session_release *r = &s->rels[s->libs[lib].release];
	int k;

	for (k = 0; k < r->n; k++)
		if (r->libs[k] == lib)
			return um_release_blob(r->rel, k);
	return NULL;
}

/* ---- outputs ---- */

/* A file by identity: stat()'s device and inode. */
struct file_id {
	dev_t dev;
	ino_t ino;
	int input;
};

static int file_id_cmp(const void *a, const void *b)
{
	const struct file_id *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static const char *input_path(const struct session *s, int i)
{
	return i < s->nlib ? s->libs[i].path : s->objs[i - s->nlib];
}

/* Each input and each output path is stat()ed once, the outputs looked up
 * among the inputs' sorted (dev, ino): with 1,000 versions, comparing
 * every pair was 1,000,000 stat() calls. */
int session__overwrites(const struct session *s, const char *dir, const char **input,
			char *out, size_t out_sz)
{
	int i, k, nid = 0, nin = s->nlib + s->nobj;
	struct file_id *ids = calloc(nin + 1, sizeof(*ids)), key = {}, *hit = NULL;
	struct stat st;

	if (!ids)
		return -ENOMEM;
	for (i = 0; i < nin; i++)
		if (!stat(input_path(s, i), &st))
			ids[nid++] = (struct file_id){ st.st_dev, st.st_ino, i };
	qsort(ids, nid, sizeof(*ids), file_id_cmp);
	for (k = 0; !hit && k <= s->nlib; k++) {
		if (k < s->nlib)
			snprintf(out, out_sz, "%s/%s" SESSION_MIN_SUFFIX, dir, s->libs[k].label);
		else
			snprintf(out, out_sz, "%s/gen-min.json", dir);
		if (stat(out, &st))
			continue;
		key.dev = st.st_dev;
		key.ino = st.st_ino;
		hit = bsearch(&key, ids, nid, sizeof(*ids), file_id_cmp);
	}
	if (!hit) {
		free(ids);
		return 0;
	}
	/* several inputs may be one file: the first given is named */
	while (hit > ids && !file_id_cmp(hit - 1, &key))
		hit--;
	for (i = hit->input; hit < ids + nid && !file_id_cmp(hit, &key); hit++)
		if (hit->input < i)
			i = hit->input;
	*input = input_path(s, i);
	free(ids);
	return 1;
}
