/* libucorebtf: bundles at load time.  Public API in include/ucorebtf.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/btf.h>
#include <bpf/btf.h>
#include "ucorebtf.h"
#include "lib/names.h"
#include "lib/bundle.h"
#include "lib/kbtf.h"
#include "lib/target.h"

#define OPTS_VALID(o, type) (!(o) || (o)->sz >= sizeof(size_t))
#define OPTS_GET(o, field, def) \
	((o) && (o)->sz >= offsetof(typeof(*(o)), field) + sizeof((o)->field) ? (o)->field : (def))

static __thread char errmsg[1024];

struct ucorebtf_bundle {
	struct ucb_bundle b;
};

struct ucorebtf_btf {
	int fd;
	char path[4096];
	char tmpdir[2048];
	void *raw;
	size_t raw_sz;
	char *describe;
};

static void set_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errmsg, sizeof(errmsg), fmt, ap);
	va_end(ap);
}

UCOREBTF_API const char *ucorebtf_errmsg(void)
{
	return errmsg;
}

static void *err_ptr(int err)
{
	errno = err < 0 ? -err : err;
	return NULL;
}

UCOREBTF_API struct ucorebtf_bundle *
ucorebtf_bundle__open_mem(const void *data, size_t size, const struct ucorebtf_bundle_opts *opts)
{
	struct ucb_limits lim;
	struct ucorebtf_bundle *b;
	char err[512];
	int ret;

	if (!OPTS_VALID(opts, ucorebtf_bundle_opts)) {
		set_err("bad options");
		return err_ptr(-EINVAL);
	}
	lim.max_size = OPTS_GET(opts, max_size, 0);
	lim.mem_limit = OPTS_GET(opts, mem_limit, 0);
	b = calloc(1, sizeof(*b));
	if (!b)
		return err_ptr(-ENOMEM);
	err[0] = 0;
	ret = ucb_bundle_parse(data, size, &lim, &b->b, err, sizeof(err));
	if (ret) {
		set_err("bundle: %s", err);
		free(b);
		return err_ptr(ret);
	}
	return b;
}

UCOREBTF_API struct ucorebtf_bundle *
ucorebtf_bundle__open_file(const char *path, const struct ucorebtf_bundle_opts *opts)
{
	struct ucorebtf_bundle *b;
	struct stat st;
	void *data;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		set_err("%s: %s", path, strerror(err));
		return err_ptr(err);
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size == 0) {
		close(fd);
		set_err("%s: not a regular non-empty file", path);
		return err_ptr(-EINVAL);
	}
	data = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (data == MAP_FAILED) {
		err = errno;
		set_err("%s: %s", path, strerror(err));
		return err_ptr(err);
	}
	b = ucorebtf_bundle__open_mem(data, st.st_size, opts);
	err = errno;
	munmap(data, st.st_size);
	if (!b) {
		char tmp[1024];

		snprintf(tmp, sizeof(tmp), "%s", errmsg);
		set_err("%s: %s", path, tmp);
	}
	errno = err;
	return b;
}

UCOREBTF_API void ucorebtf_bundle__close(struct ucorebtf_bundle *b)
{
	if (!b)
		return;
	ucb_bundle_free(&b->b);
	free(b);
}

UCOREBTF_API size_t ucorebtf_bundle__entry_cnt(const struct ucorebtf_bundle *b)
{
	return b ? b->b.idx.cnt : 0;
}

UCOREBTF_API int ucorebtf_bundle__entry(const struct ucorebtf_bundle *b, size_t i,
					const char **lib, const char **version, const char **arch)
{
	if (!b || i >= b->b.idx.cnt)
		return -ENOENT;
	*lib = b->b.idx.e[i].lib;
	*version = b->b.idx.e[i].version;
	*arch = b->b.idx.e[i].arch;
	return 0;
}

/* "seed-app 1 x86_64, seed-app 2 x86_64" */
static void list_entries(const struct ucb_bundle *b, char *out, size_t out_sz)
{
	size_t i, n = 0;

	out[0] = 0;
	for (i = 0; i < b->idx.cnt && n < out_sz; i++)
		n += snprintf(out + n, out_sz - n, "%s%s %s %s", i ? ", " : "", b->idx.e[i].lib,
			      b->idx.e[i].version, b->idx.e[i].arch);
	if (!b->idx.cnt)
		snprintf(out, out_sz, "nothing");
}

/* Libraries of the bundle a target may be: same soname, else same name as
 * the file up to ".so" ("liblua5.4.so.0" is lua5.4 or liblua5.4), else the
 * only library of the bundle. */
static bool lib_matches(const struct ucb_bundle *b, const struct ucb_target *t, const char *lib)
{
	const char *base = strrchr(t->path, '/') ? strrchr(t->path, '/') + 1 : t->path;
	const char *so = strstr(base, ".so");
	size_t i, n = so ? (size_t)(so - base) : strlen(base), libs = 0;
	bool soname_known = false;

	for (i = 0; i < b->idx.cnt; i++) {
		const struct ucb_entry *e = &b->idx.e[i];

		if (t->soname[0] && !strcmp(e->soname, t->soname)) {
			soname_known = true;
			if (!strcmp(e->lib, lib))
				return true;
		}
		if (!i || strcmp(e->lib, b->idx.e[i - 1].lib))
			libs++;
	}
	if (soname_known)
		return false;
	if ((strlen(lib) == n && !strncmp(base, lib, n)) ||
	    (!strncmp(base, "lib", 3) && strlen(lib) == n - 3 && !strncmp(base + 3, lib, n - 3)))
		return true;
	return libs == 1;
}

/* Entry whose version is ver for a library target may be; NULL if none,
 * or if several libraries would fit (ambiguous). */
static const struct ucb_entry *by_version(const struct ucb_bundle *b, const struct ucb_target *t,
					  const char *ver, int *ambiguous)
{
	const struct ucb_entry *hit = NULL;
	size_t i;

	for (i = 0; i < b->idx.cnt; i++) {
		const struct ucb_entry *e = &b->idx.e[i];

		if (strcmp(e->version, ver) || strcmp(e->arch, t->arch) || !lib_matches(b, t, e->lib))
			continue;
		if (hit)
			(*ambiguous)++;
		hit = e;
	}
	return hit;
}

/* Version tokens of t's candidate libraries found in its .rodata. */
static const struct ucb_entry *by_rodata(const struct ucb_bundle *b, const struct ucb_target *t,
					 const struct ucb_target *scan, int *ambiguous)
{
	const struct ucb_entry *hit = NULL;
	size_t i;

	for (i = 0; i < b->idx.cnt; i++) {
		const struct ucb_entry *e = &b->idx.e[i];

		if (strcmp(e->arch, t->arch) || !lib_matches(b, t, e->lib) ||
		    !ucb_target_has_version(scan, e->version))
			continue;
		if (hit && strcmp(hit->version, e->version))
			(*ambiguous)++;
		hit = e;
	}
	return hit;
}

/* how gets build-id, version, lua_ident, rodata or needed:LIB. */
static const struct ucb_entry *select_entry(const struct ucb_bundle *b, const char *path,
					    const char *version, char *how, size_t how_sz)
{
	const struct ucb_entry *e = NULL;
	struct ucb_target t, dep;
	char err[256], known[1024], dep_path[4096];
	int ambiguous = 0;
	size_t i;

	if (ucb_target_read(path, &t, err, sizeof(err))) {
		set_err("%s: %s", path, err);
		return NULL;
	}
	for (i = 0; t.build_id[0] && i < b->idx.cnt && !e; i++)
		if (ucb_list_has(b->idx.e[i].build_ids, t.build_id))
			e = &b->idx.e[i], snprintf(how, how_sz, "build-id");
	if (!e && version && version[0])
		e = by_version(b, &t, version, &ambiguous), snprintf(how, how_sz, "version");
	if (!e && !ambiguous && t.lua_version[0])
		e = by_version(b, &t, t.lua_version, &ambiguous), snprintf(how, how_sz, "lua_ident");
	if (!e && !ambiguous && !(version && version[0]))
		e = by_rodata(b, &t, &t, &ambiguous), snprintf(how, how_sz, "rodata");
	/* libssl 3 has no version string of its own; its libcrypto does. */
	for (i = 0; !e && !ambiguous && !(version && version[0]) && i < t.needed_cnt; i++) {
		if (strncmp(t.needed[i], "lib", 3) || !strncmp(t.needed[i], "libc.", 5) ||
		    ucb_target_find_needed(&t, t.needed[i], dep_path, sizeof(dep_path)) ||
		    ucb_target_read(dep_path, &dep, err, sizeof(err)))
			continue;
		e = by_rodata(b, &t, &dep, &ambiguous);
		snprintf(how, how_sz, "needed:%s", t.needed[i]);
		ucb_target_free(&dep);
	}
	if (!e || ambiguous) {
		list_entries(b, known, sizeof(known));
		set_err("%s: %s (build-id %s%s%s%s%s); the bundle holds: %s", path,
			ambiguous ? "several bundle entries match, refusing to guess" :
				    "no bundle entry for this binary",
			t.build_id[0] ? t.build_id : "none",
			version && version[0] ? ", version " : "", version ? version : "",
			t.lua_version[0] ? ", lua_ident " : "", t.lua_version, known);
		e = NULL;
	}
	ucb_target_free(&t);
	return e;
}

static int kind_num(const char *kind)
{
	return !strcmp(kind, "struct") ? BTF_KIND_STRUCT : !strcmp(kind, "union") ? BTF_KIND_UNION :
	       !strcmp(kind, "enum") ? BTF_KIND_ENUM : BTF_KIND_TYPEDEF;
}

static const char *kind_str(int kind)
{
	return kind == BTF_KIND_STRUCT ? "struct" : kind == BTF_KIND_UNION ? "union" :
	       kind == BTF_KIND_ENUM ? "enum" : "typedef";
}

static size_t ess_len(const char *name)
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
static int app_defines(struct btf **apps, size_t n, const char *name, size_t len, int kind)
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
			if (k == kind && tn && ess_len(tn) == len && !strncmp(tn, name, len))
				return (int)a;
		}
	return -1;
}

static __u32 skip_local(struct btf *obj, __u32 id)
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
	const struct btf_type *t = btf__type_by_id(btf, skip_local(btf, id));
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
	const struct btf_type *t = btf__type_by_id(k, skip_local(k, kid));
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
	size_t len = ess_len(name), a, i;
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

			if (k != cls || !tn || ess_len(tn) != len || strncmp(tn, name, len))
				continue;
			if (btf_is_fwd(t) || share_name(out, kid, apps[a], id, 0))
				return false;
		}
	return true;
}

/* Append a need (kind, name, member) for every named member of local type
 * id; anonymous members contribute their own members, which the kernel
 * side finds by name through its anonymous members as libbpf does. */
static int add_local_members(struct btf *obj, __u32 id, int kind, const char *name,
			     struct ucb_kneed **v, size_t *c, int depth)
{
	const struct btf_type *t = btf__type_by_id(obj, id);
	struct ucb_kneed *tmp;
	int i, err;

	for (i = 0; t && i < btf_vlen(t); i++) {
		const struct btf_member *m = &btf_members(t)[i];
		const char *mn = btf__name_by_offset(obj, m->name_off);

		if (!mn || !mn[0]) {
			__u32 mid = skip_local(obj, m->type);
			const struct btf_type *mt = btf__type_by_id(obj, mid);

			if (mt && btf_is_composite(mt) && depth < 16) {
				err = add_local_members(obj, mid, kind, name, v, c, depth + 1);
				if (err)
					return err;
			}
			continue;
		}
		tmp = realloc(*v, (*c + 1) * sizeof(*tmp));
		if (!tmp)
			return -ENOMEM;
		*v = tmp;
		(*v)[(*c)++] = (struct ucb_kneed){ kind, name, mn };
	}
	return 0;
}

/* Needs when the bundle records none for the object: every struct or union
 * the object's BTF names that the apps do not define, with the members its
 * local definition has (what CO-RE matches, by name); enums whole. */
static int fallback_needs(struct btf *obj, struct btf **apps, size_t napps, struct ucb_kneed **out,
			  size_t *cnt, char ***strs, size_t *nstrs)
{
	__u32 id, n = btf__type_cnt(obj);
	struct ucb_kneed *v = NULL, *tmp;
	size_t c = 0, before;
	int err;

	*nstrs = 0;
	*strs = NULL;
	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(obj, id);
		const char *name = btf__name_by_offset(obj, t->name_off);
		char *ess, **s;

		bool is_enum = btf_is_enum(t) || btf_is_enum64(t);

		if ((!btf_is_composite(t) && !is_enum) || !name || !name[0])
			continue;
		if (app_defines(apps, napps, name, ess_len(name), is_enum ? BTF_KIND_ENUM : btf_kind(t)) >= 0)
			continue;
		ess = strndup(name, ess_len(name));
		s = realloc(*strs, (*nstrs + 1) * sizeof(*s));
		if (!ess || !s) {
			free(ess);
			free(s ?: *strs);
			*strs = NULL;
			free(v);
			return -ENOMEM;
		}
		*strs = s;
		s[(*nstrs)++] = ess;
		before = c;
		/* Enums whole: enum value relocations match enumerators by name. */
		err = is_enum ? 0 : add_local_members(obj, id, btf_kind(t), ess, &v, &c, 0);
		if (!err && c == before) {	/* no named member: the type itself */
			tmp = realloc(v, (c + 1) * sizeof(*v));
			if (!tmp)
				err = -ENOMEM;
			else
				(v = tmp)[c++] = (struct ucb_kneed){ is_enum ? BTF_KIND_ENUM : btf_kind(t),
								     ess, "-" };
		}
		if (err) {
			free(v);
			return err;
		}
	}
	*out = v;
	*cnt = c;
	return 0;
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
static int check_app_collisions(struct btf **apps, size_t napps, const struct ucb_entry **sel)
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
				return -ENOMEM;
			}
			v = tmp;
			v[n++] = (struct named){ nm, ess_len(nm), btf_is_composite(t) ? BTF_KIND_STRUCT : BTF_KIND_ENUM,
						 t->size, btf_vlen(t), a };
		}
	if (n)
		qsort(v, n, sizeof(*v), cmp_named);
	for (i = 1; i < n; i++) {
		if (cmp_named(&v[i - 1], &v[i]) || v[i - 1].app == v[i].app ||
		    (v[i - 1].size == v[i].size && v[i - 1].vlen == v[i].vlen))
			continue;
		set_err("name collision: %s %.*s differs between the library BTF of %s %s and %s %s",
			v[i].kind == BTF_KIND_ENUM ? "enum" : "struct/union", (int)v[i].len, v[i].name,
			sel[v[i - 1].app]->lib, sel[v[i - 1].app]->version, sel[v[i].app]->lib,
			sel[v[i].app]->version);
		free(v);
		return -EEXIST;
	}
	free(v);
	return 0;
}

static bool object_selected(const struct ucb_entry **sel, size_t n, const char *object)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ucb_list_has(sel[i]->objects, object))
			return true;
	return false;
}

static int publish(struct ucorebtf_btf *r, bool no_memfd)
{
	size_t off = 0;
	ssize_t n;
	int fd = -1;

	if (!no_memfd)
		fd = memfd_create("ucorebtf", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd >= 0) {
		/* libbpf opens the path: without /proc (some containers) a
		 * memfd has none, so use the file below. */
		snprintf(r->path, sizeof(r->path), "/proc/self/fd/%d", fd);
		if (access(r->path, R_OK)) {
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0) {
		/* A private directory: nobody else can place or swap files in it. */
		const char *base = getenv("TMPDIR") && getenv("TMPDIR")[0] == '/' ? getenv("TMPDIR") : "/tmp";

		snprintf(r->tmpdir, sizeof(r->tmpdir), "%s/ucorebtf.XXXXXX", base);
		if (!mkdtemp(r->tmpdir)) {
			int err = -errno;

			r->tmpdir[0] = 0;	/* close must not remove what is not ours */
			return err;
		}
		snprintf(r->path, sizeof(r->path), "%s/target.btf", r->tmpdir);
		fd = open(r->path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0) {
			int err = -errno;

			rmdir(r->tmpdir);
			r->tmpdir[0] = 0;
			return err;
		}
	}
	while (off < r->raw_sz) {
		n = write(fd, (char *)r->raw + off, r->raw_sz - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return n < 0 ? -errno : -EIO;
		}
		off += n;
	}
	if (!r->tmpdir[0]) {
		fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
	}
	r->fd = fd;
	return 0;
}

UCOREBTF_API struct ucorebtf_btf *
ucorebtf_bundle__prepare(struct ucorebtf_bundle *bundle, const char *const *targets,
			 size_t target_cnt, const struct ucorebtf_prepare_opts *opts)
{
	const char *obj_path, *obj_name, *kpath, *const *versions;
	const struct ucb_entry **sel = NULL, **sel_apps = NULL;
	struct ucorebtf_btf *r = NULL;
	struct btf **apps = NULL, *out = NULL, *obj = NULL;
	struct ucb_kneed *kn = NULL;
	struct ucb_kbtf k = {};
	const char **roots = NULL;
	int *root_kinds = NULL, ret = 0;
	size_t i, j, napps = 0, nkn = 0, nroots = 0, nfb = 0, dlen = 0;
	char name[256], err[512] = "", how[300], **fb = NULL;
	const struct ucb_bundle *b;
	const void *raw;
	__u32 raw_sz;

	if (!bundle || !targets || !target_cnt || !OPTS_VALID(opts, ucorebtf_prepare_opts)) {
		set_err("prepare: bundle and at least one target needed");
		return err_ptr(-EINVAL);
	}
	b = &bundle->b;
	obj_path = OPTS_GET(opts, object_path, NULL);
	obj_name = OPTS_GET(opts, object_name, NULL);
	kpath = OPTS_GET(opts, kernel_btf_path, NULL) ?: UCB_KERNEL_BTF_DEFAULT;
	versions = OPTS_GET(opts, versions, NULL);
	r = calloc(1, sizeof(*r));
	sel = calloc(target_cnt, sizeof(*sel));
	apps = calloc(target_cnt, sizeof(*apps));
	sel_apps = calloc(target_cnt, sizeof(*sel_apps));
	if (!r || !sel || !apps || !sel_apps) {
		ret = -ENOMEM;
		set_err("out of memory");
		goto out;
	}
	r->fd = -1;
	for (i = 0; i < target_cnt; i++) {
		sel[i] = select_entry(b, targets[i], versions ? versions[i] : NULL, how, sizeof(how));
		if (!sel[i]) {
			ret = -ENOENT;
			goto out;
		}
		char *d = realloc(r->describe, dlen + strlen(targets[i]) + strlen(how) + 300);

		if (!d) {
			ret = -ENOMEM;
			goto out;
		}
		r->describe = d;
		dlen += sprintf(d + dlen, "%s\t%s\t%s\t%s\t%s\n", targets[i], sel[i]->lib,
				sel[i]->version, sel[i]->arch, how);
	}
	/* Each selected blob once. */
	for (i = 0; i < target_cnt; i++) {
		const struct ucb_blob *blob = ucb_bundle_blob(b, sel[i]->digest);

		for (j = 0; j < i && strcmp(sel[j]->digest, sel[i]->digest); j++)
			;
		if (j < i)
			continue;
		sel_apps[napps] = sel[i];
		apps[napps] = btf__new(blob->data, blob->size);
		if (!apps[napps]) {
			ret = -errno;
			set_err("bundle entry %s %s: BTF does not parse", sel[i]->lib, sel[i]->version);
			goto out;
		}
		napps++;
	}

	ret = check_app_collisions(apps, napps, sel_apps);
	if (ret)
		goto out;

	/* The object's kernel needs: recorded, else derived from its BTF. */
	if (!obj_name && obj_path)
		obj_name = ucb_object_name(obj_path, name, sizeof(name)) ?: "";
	/* Without an object: the needs of every object the selected entries
	 * were made for, so one BTF serves all of them. */
	for (i = 0; i < b->needs.cnt; i++) {
		const struct ucb_need *n = &b->needs.n[i];

		if (obj_name ? strcmp(n->object, obj_name) : !object_selected(sel, target_cnt, n->object))
			continue;
		kn = realloc(kn, (nkn + 1) * sizeof(*kn));
		if (!kn) {
			ret = -ENOMEM;
			goto out;
		}
		kn[nkn++] = (struct ucb_kneed){ kind_num(n->kind), n->name, n->path };
	}
	if (!nkn && obj_path) {
		obj = btf__parse(obj_path, NULL);
		if (!obj) {
			ret = -errno;
			set_err("%s: cannot read the object's BTF: %s", obj_path, strerror(errno));
			goto out;
		}
		ret = fallback_needs(obj, apps, napps, &kn, &nkn, &fb, &nfb);
		if (ret) {
			set_err("out of memory");
			goto out;
		}
	}

	out = btf__new_empty();
	if (!out) {
		ret = -errno;
		set_err("out of memory");
		goto out;
	}
	if (nkn) {
		ret = ucb_kbtf_open(kpath, kn, nkn, &k, err, sizeof(err));
		if (!ret)
			ret = ucb_kbtf_prune(&k, kn, nkn, out, &roots, &root_kinds, &nroots, err, sizeof(err));
		if (ret) {
			set_err("kernel BTF: %s", err);
			goto out;
		}
	}
	/* A kernel root named like an app type gives libbpf two candidates
	 * for relocations on that name.  That is safe only if no relocation
	 * can match both: refuse unless they share no member name. */
	for (i = 0; i < nroots; i++) {
		int a = app_defines(apps, napps, roots[i], ess_len(roots[i]), root_kinds[i]);

		if (a >= 0 && !shadow_is_disjoint(out, roots[i], root_kinds[i], apps, napps, kn, nkn)) {
			set_err("name collision: kernel %s %s (needed by %s) is also defined by the library BTF %s",
				kind_str(root_kinds[i]), roots[i], obj_name ?: "the object", sel_apps[a]->lib);
			ret = -EEXIST;
			goto out;
		}
	}
	for (i = 0; i < napps; i++) {
		ret = btf__add_btf(out, apps[i]);
		if (ret < 0) {
			set_err("cannot combine library BTF: %s", strerror(-ret));
			goto out;
		}
	}
	raw = btf__raw_data(out, &raw_sz);
	r->raw = raw ? malloc(raw_sz) : NULL;
	if (!r->raw) {
		ret = -ENOMEM;
		set_err("out of memory");
		goto out;
	}
	memcpy(r->raw, raw, raw_sz);
	r->raw_sz = raw_sz;
	ret = publish(r, OPTS_GET(opts, no_memfd, false));
	if (ret)
		set_err("cannot write the prepared BTF: %s", strerror(-ret));
out:
	if (k.data)
		ucb_kbtf_close(&k);
	for (i = 0; i < napps; i++)
		btf__free(apps[i]);
	for (i = 0; i < nfb; i++)
		free(fb[i]);
	free(fb);
	free(apps);
	free(sel);
	free(sel_apps);
	free(kn);
	free(roots);
	free(root_kinds);
	btf__free(out);
	btf__free(obj);
	if (ret) {
		ucorebtf_btf__close(r);
		return err_ptr(ret);
	}
	return r;
}

UCOREBTF_API const char *ucorebtf_btf__path(const struct ucorebtf_btf *t)
{
	return t ? t->path : NULL;
}

UCOREBTF_API const void *ucorebtf_btf__raw_data(const struct ucorebtf_btf *t, size_t *size)
{
	if (!t)
		return NULL;
	*size = t->raw_sz;
	return t->raw;
}

UCOREBTF_API const char *ucorebtf_btf__describe(const struct ucorebtf_btf *t)
{
	return t && t->describe ? t->describe : "";
}

UCOREBTF_API void ucorebtf_btf__close(struct ucorebtf_btf *t)
{
	if (!t)
		return;
	if (t->fd >= 0)
		close(t->fd);
	if (t->tmpdir[0]) {
		unlink(t->path);
		rmdir(t->tmpdir);
	}
	free(t->raw);
	free(t->describe);
	free(t);
}
