/* Archive directory: content-addressed blobs, one entry file per
 * (library, version, arch), a deterministic index.  The only code that
 * knows the layout (archive.h); every other reader and writer asks here.
 * This file: the writers (add, reindex, merge) and what they share with
 * the readers (archive_read.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "lib/errmsg.h"
#include "lib/fileio.h"
#include "lib/sha256.h"
#include "tool/archive.h"
#include "tool/archive_internal.h"

/* Sorted, de-duplicated comma list of items, or "-". */
static char *join_sorted(const char *const *items, size_t cnt)
{
	const char **v;
	size_t i, len = 2;
	char *s;

	v = calloc(cnt + 1, sizeof(*v));
	if (!v)
		return NULL;
	for (i = 0; i < cnt; i++) {
		v[i] = items[i];
		len += strlen(items[i]) + 1;
	}
	qsort(v, cnt, sizeof(*v), arc_cmp_str);
	s = calloc(1, len);
	if (s) {
		for (i = 0; i < cnt; i++) {
			if (i && !strcmp(v[i], v[i - 1]))
				continue;
			if (*s)
				strcat(s, ",");
			strcat(s, v[i]);
		}
		if (!*s)
			strcpy(s, "-");
	}
	free(v);
	return s;
}

/* Raw BTF of a blob given as raw BTF or as an ELF with .BTF. */
static struct btf *blob_btf(const void *blob, size_t sz)
{
	char tmpl[] = "/tmp/ucorebtf-blob.XXXXXX";
	struct btf *btf;
	int fd;

	if (sz >= 4 && !memcmp(blob, "\177ELF", 4)) {
		/* libbpf parses ELF from a path only. */
		fd = mkstemp(tmpl);
		if (fd < 0)
			return NULL;
		if (ucb_write_all(fd, blob, sz)) {
			close(fd);
			unlink(tmpl);
			errno = EIO;
			return NULL;
		}
		close(fd);
		btf = btf__parse_elf(tmpl, NULL);
		unlink(tmpl);
		return btf;
	}
	return btf__new(blob, sz);
}

/* Names become directories and index fields: only what the index allows. */
static int entry_check(const struct archive_entry *e)
{
	size_t i;

	if (!ucb_valid_name(e->lib) || !ucb_valid_name(e->version) || !ucb_valid_name(e->arch) ||
	    arc_reserved(e->lib))
		return ucb_errf(-EINVAL, "bad library, version or arch name");
	if (e->soname && e->soname[0] && !ucb_valid_soname(e->soname))
		return ucb_errf(-EINVAL, "bad soname");
	for (i = 0; i < e->build_id_cnt; i++)
		if (!ucb_valid_hex(e->build_ids[i], 2, 80))
			return ucb_errf(-EINVAL, "bad build-id (lowercase hex expected)");
	for (i = 0; i < e->object_cnt; i++)
		if (!ucb_valid_name(e->objects[i]))
			return ucb_errf(-EINVAL, "bad object name");
	return 0;
}

/* The entry's index line: its own entry.tsv. */
static char *entry_line(const struct archive_entry *e, char *digest, __u32 raw_sz)
{
	char *bids, *objs, *line = NULL;
	struct ucb_entry ue;

	bids = join_sorted(e->build_ids, e->build_id_cnt);
	objs = join_sorted(e->objects, e->object_cnt);
	ue = (struct ucb_entry){ (char *)e->lib, (char *)e->version, (char *)e->arch, digest,
				 (char *)(e->soname ? e->soname : ""), bids, objs, raw_sz };
	if (bids && objs)
		line = ucb_entry_line(&ue);
	free(bids);
	free(objs);
	return line ?: ucb_errp(-ENOMEM, "out of memory");
}

/* ---- the entry walk: every <lib>/<version>/<arch>/entry.tsv ---- */

struct walk {
	struct arc *a;
	FILE *f;
	const char *skip[3];	/* the entry being replaced: not read */
	const char *at[3];	/* lib, version, arch being walked */
	bool clean;		/* under the write lock: drop what killed writers left */
};

/* One entry file: exactly one line, naming the directory it is in (a
 * copied or hand-edited file naming another entry would make the index
 * list that entry twice). */
static int walk_entry(struct walk *w, const struct arc_dir *d, bool *gone)
{
	struct ucb_index one = {};
	char path[PATH_MAX];
	void *data;
	size_t sz;
	int err;

	if (w->skip[0] && !strcmp(w->at[0], w->skip[0]) && !strcmp(w->at[1], w->skip[1]) &&
	    !strcmp(w->at[2], w->skip[2]))
		return 0;
	if (w->clean)
		arc_clean_temps(d);
	err = arc_read(w->a, d, ENTRY_FILE, &data, &sz);
	if (err == -ENOENT) {
		*gone = w->clean;	/* a directory a killed writer made: removed if empty */
		return 0;
	}
	if (err)
		return err;
	arc_path(w->a, d, ENTRY_FILE, path, sizeof(path));
	err = ucb_index_parse(data, sz, &one);
	if (err)
		err = ucb_errf(err, "%s: %s", path, ucb_errmsg());
	else if (one.cnt != 1 || strcmp(one.e[0].lib, w->at[0]) || strcmp(one.e[0].version, w->at[1]) ||
		 strcmp(one.e[0].arch, w->at[2]))
		err = ucb_errf(-EINVAL, "%s: expected the one entry %s %s %s", path, w->at[0], w->at[1],
			       w->at[2]);
	if (!err) {
		fwrite(data, 1, sz, w->f);
		if (sz && ((char *)data)[sz - 1] != '\n')
			fputc('\n', w->f);
	}
	ucb_index_free(&one);
	free(data);
	return err;
}

/* A <lib> (depth 0), <version> (1) or <arch> (2) directory. */
static int walk_dir(struct walk *w, const struct arc_dir *at, const char *name, int depth, bool *gone)
{
	size_t i, n_gone = 0;
	struct arc_dir d;
	bool child_gone;
	char **names;
	int err;

	*gone = false;
	err = arc_subdir(w->a, at, name, false, &d);
	if (err)
		return err;
	w->at[depth] = name;
	if (depth == 2) {
		err = walk_entry(w, &d, gone);
	} else {
		names = arc_list(w->a, &d, &err);
		for (i = 0; !err && names[i]; i++) {
			err = walk_dir(w, &d, names[i], depth + 1, &child_gone);
			n_gone += child_gone;
		}
		*gone = !err && i && n_gone == i;
		arc_free_list(names);
	}
	arc_dir_close(&d);
	if (*gone && unlinkat(at->fd, name, AT_REMOVEDIR))
		*gone = false;
	return err;
}

static int walk_root(struct walk *w)
{
	struct arc_dir *root = &w->a->root;
	struct stat st;
	char **names;
	size_t i;
	bool gone;
	int err;

	names = arc_list(w->a, root, &err);
	for (i = 0; !err && names[i]; i++) {
		if (arc_reserved(names[i]))
			continue;
		/* A file beside the libraries (README) is no entry; a symlink
		 * is refused by walk_dir. */
		if (!fstatat(root->fd, names[i], &st, AT_SYMLINK_NOFOLLOW) && !S_ISDIR(st.st_mode) &&
		    !S_ISLNK(st.st_mode))
			continue;
		err = walk_dir(w, root, names[i], 0, &gone);
	}
	arc_free_list(names);
	return err;
}

/* The index of every entry file (the one of skip replaced by line, when
 * given), sorted. */
static int index_build(struct arc *a, const char *const skip[3], const char *line,
		       struct ucb_index *idx)
{
	struct walk w = { .a = a, .clean = a->mode == ARC_WRITE };
	char *text = NULL;
	size_t len = 0;
	int err;

	if (skip)
		memcpy(w.skip, skip, sizeof(w.skip));
	w.f = open_memstream(&text, &len);
	if (!w.f)
		return ucb_errf(-ENOMEM, "out of memory");
	err = walk_root(&w);
	if (line)
		fputs(line, w.f);
	if (fclose(w.f) && !err)
		err = ucb_errf(-ENOMEM, "out of memory");
	if (!err) {
		err = ucb_index_parse(text ?: "", len, idx);
		if (err)
			err = ucb_errf(err, "%s: entry files: %s", a->dir, ucb_errmsg());
	}
	free(text);
	if (!err)
		ucb_index_sort(idx);
	return err;
}

/* Stage index.tsv for idx (built by index_build). */
static int index_stage(struct arc *a, const struct ucb_index *idx, struct arc_file *f)
{
	char *text = NULL;
	size_t len = 0;
	int err;

	err = ucb_index_text(idx, &text, &len);
	err = err ?: arc_stage(a, &a->root, INDEX_FILE, text, len, f);
	free(text);
	return err;
}

/* ---- garbage: blobs nothing names, files killed writers left ---- */

/* Only a name that is a blob's is ever collected. */
static bool blob_name(const char *name)
{
	size_t n = strlen(name);
	char hex[SHA256_HEX_LEN + 1];

	if (n != SHA256_HEX_LEN + strlen(BLOB_SUFFIX) || strcmp(name + SHA256_HEX_LEN, BLOB_SUFFIX))
		return false;
	snprintf(hex, sizeof(hex), "%.*s", SHA256_HEX_LEN, name);
	return ucb_valid_hex(hex, SHA256_HEX_LEN, SHA256_HEX_LEN);
}

static int cmp_digest(const void *a, const void *b)
{
	return strncmp(*(const char *const *)a, *(const char *const *)b, SHA256_HEX_LEN);
}

/* Under the write lock, after the index is in place: remove the regular
 * files in blobs/ named like a blob that no entry names.  Anything else
 * there (a README, a symlink) is left alone.  Temporary files killed
 * writers left go too. */
static int gc(struct arc *a, const struct ucb_index *idx)
{
	const char **used, *key;
	struct arc_dir b;
	struct stat st;
	char **names;
	size_t i;
	int err;

	arc_clean_temps(&a->root);
	if (!arc_subdir(a, &a->root, NEEDS_DIR, false, &b)) {
		arc_clean_temps(&b);
		arc_dir_close(&b);
	}
	err = arc_subdir(a, &a->root, BLOBS_DIR, false, &b);
	if (err == -ENOENT)
		return 0;
	if (err)
		return err;
	used = calloc(idx->cnt + 1, sizeof(*used));
	names = used ? arc_list(a, &b, &err) : NULL;
	if (!used)
		err = ucb_errf(-ENOMEM, "out of memory");
	for (i = 0; used && i < idx->cnt; i++)
		used[i] = idx->e[i].digest;
	if (used)
		qsort(used, idx->cnt, sizeof(*used), cmp_digest);
	for (i = 0; !err && names[i]; i++) {
		key = names[i];
		if (!blob_name(key) || bsearch(&key, used, idx->cnt, sizeof(*used), cmp_digest))
			continue;
		if (!fstatat(b.fd, key, &st, AT_SYMLINK_NOFOLLOW) && S_ISREG(st.st_mode))
			unlinkat(b.fd, key, 0);
	}
	arc_clean_temps(&b);
	arc_free_list(names);
	free(used);
	arc_dir_close(&b);
	return err;
}

/* ---- archive__add: one transaction under the lock ---- */

struct add {
	struct arc a;
	const struct archive_entry *e;
	const void *raw;
	__u32 raw_sz;
	char digest[SHA256_HEX_LEN + 1];
	char blob_name[SHA256_HEX_LEN + sizeof(BLOB_SUFFIX)];
	bool blob_new;
	struct arc_dir blobs, lib, ver, arch;
	struct arc_file blob, entry, index;
	void *old_entry;	/* the entry file replaced, for undo */
	size_t old_sz;
	struct ucb_index idx;
};

/* blobs/<sha256>.btf, unless the same bytes are there. */
static int stage_blob(struct add *t)
{
	void *old;
	size_t sz;
	int err;

	snprintf(t->blob_name, sizeof(t->blob_name), "%s" BLOB_SUFFIX, t->digest);
	err = arc_subdir(&t->a, &t->a.root, BLOBS_DIR, true, &t->blobs);
	err = err ?: arc_regular(&t->a, &t->blobs, t->blob_name);
	if (!err) {
		err = arc_read(&t->a, &t->blobs, t->blob_name, &old, &sz);
		if (err)
			return err;
		err = sz == t->raw_sz && !memcmp(old, t->raw, sz) ? 1 : 0;
		free(old);
		if (err)
			return 0;	/* stored already */
	} else if (err != -ENOENT) {
		return err;
	}
	t->blob_new = err == -ENOENT;
	return arc_stage(&t->a, &t->blobs, t->blob_name, t->raw, t->raw_sz, &t->blob);
}

/* <lib>/<version>/<arch>/entry.tsv. */
static int stage_entry(struct add *t, const char *line)
{
	struct arc *a = &t->a;
	int err;

	err = arc_subdir(a, &a->root, t->e->lib, true, &t->lib);
	err = err ?: arc_subdir(a, &t->lib, t->e->version, true, &t->ver);
	err = err ?: arc_subdir(a, &t->ver, t->e->arch, true, &t->arch);
	err = err ?: arc_regular(a, &t->arch, ENTRY_FILE);
	if (!err)
		err = arc_read(a, &t->arch, ENTRY_FILE, &t->old_entry, &t->old_sz);
	else if (err == -ENOENT)
		err = 0;
	return err ?: arc_stage(a, &t->arch, ENTRY_FILE, line, strlen(line), &t->entry);
}

/* Put back the entry file the failed transaction replaced; false when
 * that failed too (then the new entry stays, and so must its blob). */
static bool entry_restore(struct add *t, int err)
{
	char msg[512];
	struct arc_file f;
	bool ok;

	snprintf(msg, sizeof(msg), "%s", ucb_errmsg());
	if (!t->old_entry)
		ok = !unlinkat(t->arch.fd, ENTRY_FILE, 0);
	else
		ok = !arc_stage(&t->a, &t->arch, ENTRY_FILE, t->old_entry, t->old_sz, &f) &&
		     !arc_commit(&t->a, &f);
	ucb_errf(err, "%s", msg);
	return ok;
}

/* Renames in the order that keeps the archive whole: the blob before the
 * entry naming it, the entry before the index.  A kill between them
 * leaves an unreferenced blob (the next writer's gc removes it) or an
 * entry file the index does not list yet (the next reindex adds it). */
static int add_commit(struct add *t)
{
	int err;

	err = arc_commit(&t->a, &t->blob);
	if (err)
		return err;
	err = arc_commit(&t->a, &t->entry);
	if (!err) {
		err = arc_commit(&t->a, &t->index);
		if (!err || !entry_restore(t, err))
			return err;
	}
	if (t->blob_new)
		unlinkat(t->blobs.fd, t->blob_name, 0);
	return err;
}

static void add_end(struct add *t, int err)
{
	arc_unstage(&t->blob);
	arc_unstage(&t->entry);
	arc_unstage(&t->index);
	if (err) {
		/* Directories this writer made go again: no partial entry. */
		arc_dir_undo(&t->ver, t->e->arch, &t->arch);
		arc_dir_undo(&t->lib, t->e->version, &t->ver);
		arc_dir_undo(&t->a.root, t->e->lib, &t->lib);
		arc_dir_undo(&t->a.root, BLOBS_DIR, &t->blobs);
	}
	arc_dir_close(&t->arch);
	arc_dir_close(&t->ver);
	arc_dir_close(&t->lib);
	arc_dir_close(&t->blobs);
	ucb_index_free(&t->idx);
	free(t->old_entry);
	arc_close(&t->a);
}

int archive__add(const char *dir, const struct archive_entry *e, const void *blob, size_t sz)
{
	struct add t = { .e = e, .blobs.fd = -1, .lib.fd = -1, .ver.fd = -1, .arch.fd = -1 };
	const char *skip[3] = { e->lib, e->version, e->arch };
	struct btf *btf = NULL;
	char *line = NULL;
	int err;

	err = entry_check(e);
	if (!err) {
		btf = blob_btf(blob, sz);
		t.raw = btf ? btf__raw_data(btf, &t.raw_sz) : NULL;
		if (!t.raw)
			err = ucb_errf(btf ? -ENOMEM : -EINVAL, btf ? "out of memory" : "blob is not valid BTF");
	}
	if (!err) {
		ucb_sha256_hex(t.raw, t.raw_sz, t.digest);
		line = entry_line(e, t.digest, t.raw_sz);
		err = line ? 0 : -ENOMEM;
	}
	if (err) {
		btf__free(btf);
		return err;
	}
	err = arc_open(&t.a, dir, ARC_WRITE);
	if (err) {
		free(line);
		btf__free(btf);
		return ucb_errf(err, "cannot write %s", ucb_errmsg());
	}
	err = stage_blob(&t);
	err = err ?: stage_entry(&t, line);
	err = err ?: index_build(&t.a, skip, line, &t.idx);
	err = err ?: index_stage(&t.a, &t.idx, &t.index);
	err = err ?: add_commit(&t);
	err = err ?: gc(&t.a, &t.idx);
	add_end(&t, err);
	free(line);
	btf__free(btf);
	return err ? ucb_errf(err, "cannot write %s", ucb_errmsg()) : 0;
}

/* ---- archive__add_many: many entries, one lock, one index ---- */

/* What one entry of a batch changed, to undo it. */
struct undo {
	char blob_name[SHA256_HEX_LEN + sizeof(BLOB_SUFFIX)];
	bool blob_new, made[3];		/* the blob, <lib>, <version>, <arch> made */
	bool made_blobs;		/* blobs/ made */
	void *old_entry;		/* NULL: there was none */
	size_t old_sz;
};

/* Entry e, its blob staged and committed (blob first), as archive__add()
 * but without the index; the old entry kept in u. */
static int many_one(struct arc *a, const struct archive_entry *e, const void *blob, size_t sz,
		    struct undo *u, bool *io)
{
	struct add t = { .a = *a, .e = e, .blobs.fd = -1, .lib.fd = -1, .ver.fd = -1, .arch.fd = -1 };
	struct btf *btf;
	char *line = NULL;
	int err;

	err = entry_check(e);
	btf = err ? NULL : blob_btf(blob, sz);
	t.raw = btf ? btf__raw_data(btf, &t.raw_sz) : NULL;
	if (!err && !t.raw)
		err = ucb_errf(btf ? -ENOMEM : -EINVAL, btf ? "out of memory" : "blob is not valid BTF");
	if (!err) {
		ucb_sha256_hex(t.raw, t.raw_sz, t.digest);
		line = entry_line(e, t.digest, t.raw_sz);
		err = line ? 0 : -ENOMEM;
	}
	*io = !err;	/* from here on: "cannot write", as archive__add() */
	err = err ?: stage_blob(&t);
	err = err ?: stage_entry(&t, line);
	err = err ?: arc_commit(&t.a, &t.blob);
	err = err ?: arc_commit(&t.a, &t.entry);
	if (err && !t.entry.staged && t.blob_new && !t.blob.staged)
		unlinkat(t.blobs.fd, t.blob_name, 0);	/* committed, its entry not */
	arc_unstage(&t.blob);
	arc_unstage(&t.entry);
	if (err) {
		arc_dir_undo(&t.ver, e->arch, &t.arch);
		arc_dir_undo(&t.lib, e->version, &t.ver);
		arc_dir_undo(&t.a.root, e->lib, &t.lib);
		arc_dir_undo(&t.a.root, BLOBS_DIR, &t.blobs);
		free(t.old_entry);
	} else {
		memcpy(u->blob_name, t.blob_name, sizeof(u->blob_name));
		u->blob_new = t.blob_new;
		u->made[0] = t.lib.created;
		u->made[1] = t.ver.created;
		u->made[2] = t.arch.created;
		u->made_blobs = t.blobs.created;
		u->old_entry = t.old_entry;
		u->old_sz = t.old_sz;
	}
	arc_dir_close(&t.arch);
	arc_dir_close(&t.ver);
	arc_dir_close(&t.lib);
	arc_dir_close(&t.blobs);
	free(line);
	btf__free(btf);
	return err;
}

/* Put entry e back as it was before many_one() (best effort: the error
 * being reported is the one that made the batch fail). */
static void many_undo(struct arc *a, const struct archive_entry *e, struct undo *u)
{
	struct arc_dir d[3] = { { .fd = -1 }, { .fd = -1 }, { .fd = -1 } }, b = { .fd = -1 };
	const char *name[3] = { e->lib, e->version, e->arch };
	struct arc_file f = {};
	int i, err = 0;

	for (i = 0; !err && i < 3; i++)
		err = arc_subdir(a, i ? &d[i - 1] : &a->root, name[i], false, &d[i]);
	if (!err && u->old_entry) {
		if (!arc_stage(a, &d[2], ENTRY_FILE, u->old_entry, u->old_sz, &f))
			arc_commit(a, &f);
	} else if (!err) {
		unlinkat(d[2].fd, ENTRY_FILE, 0);
	}
	for (i = 2; i >= 0; i--) {
		d[i].created = u->made[i];
		arc_dir_undo(i ? &d[i - 1] : &a->root, name[i], &d[i]);
	}
	if (u->blob_new && !arc_subdir(a, &a->root, BLOBS_DIR, false, &b)) {
		unlinkat(b.fd, u->blob_name, 0);
		arc_dir_close(&b);
	}
}

int archive__add_many(const char *dir, const struct archive_entry *e, const void *const *blob,
		      const size_t *sz, size_t n, size_t *added)
{
	struct undo *u = calloc(n + 1, sizeof(*u));
	struct ucb_index idx = {};
	struct arc_file f = {};
	bool io = true;
	char msg[512];
	struct arc a;
	size_t i;
	int err, ierr;

	*added = 0;
	if (!u)
		return ucb_errf(-ENOMEM, "out of memory");
	err = arc_open(&a, dir, ARC_WRITE);
	if (err) {
		free(u);
		return ucb_errf(err, "cannot write %s", ucb_errmsg());
	}
	while (!err && *added < n) {
		err = many_one(&a, &e[*added], blob[*added], sz[*added], &u[*added], &io);
		*added += !err;
	}
	/* Every entry file in place: one walk makes the index of them all
	 * (of those before a failing one, as archive__add() one by one). */
	if (err)
		snprintf(msg, sizeof(msg), "%s", ucb_errmsg());
	ierr = 0;
	if (!*added)	/* nothing changed */
		goto out;
	ierr = index_build(&a, NULL, NULL, &idx);
	ierr = ierr ?: index_stage(&a, &idx, &f);
	ierr = ierr ?: arc_commit(&a, &f);
	arc_unstage(&f);
	if (ierr) {
		snprintf(msg, sizeof(msg), "%s", ucb_errmsg());
		for (i = *added; i-- > 0;)	/* the last first: a blob two share */
			many_undo(&a, &e[i], &u[i]);
		for (i = 0; i < *added; i++)
			if (u[i].made_blobs)
				unlinkat(a.root.fd, BLOBS_DIR, AT_REMOVEDIR);
		*added = 0;
		err = ierr;
		io = true;
	} else {
		ierr = gc(&a, &idx);
		if (!err && ierr) {
			snprintf(msg, sizeof(msg), "%s", ucb_errmsg());
			err = ierr;
		}
	}
out:
	for (i = 0; i < n; i++)
		free(u[i].old_entry);
	free(u);
	ucb_index_free(&idx);
	arc_close(&a);
	if (!err)
		return 0;
	return io ? ucb_errf(err, "cannot write %s", msg) : ucb_errf(err, "%s", msg);
}

int archive__reindex(const char *dir)
{
	struct ucb_index idx = {};
	struct arc_file f = {};
	struct arc a;
	int err;

	err = arc_open(&a, dir, ARC_WRITE);
	if (err)
		return err;
	err = index_build(&a, NULL, NULL, &idx);
	err = err ?: index_stage(&a, &idx, &f);
	err = err ?: arc_commit(&a, &f);
	err = err ?: gc(&a, &idx);
	arc_unstage(&f);
	ucb_index_free(&idx);
	arc_close(&a);
	return err;
}

/* ---- merge ---- */

/* A comma list field of an index entry ("-": none) as a string array,
 * pointing into a copy the caller frees. */
static int split_list(const char *list, char **copy, const char ***items, size_t *cnt)
{
	size_t n = 1;
	char *p, *save = NULL;

	*items = NULL;
	*cnt = 0;
	*copy = strdup(strcmp(list, "-") ? list : "");
	if (!*copy)
		return -ENOMEM;
	for (p = *copy; *p; p++)
		n += *p == ',';
	*items = calloc(n, sizeof(**items));
	if (!*items)
		return -ENOMEM;
	for (p = strtok_r(*copy, ",", &save); p; p = strtok_r(NULL, ",", &save))
		(*items)[(*cnt)++] = p;
	return 0;
}

/* One entry of the archive src, with its blob, into dst. */
static int merge_entry(const char *dst, const char *src, const struct ucb_entry *x)
{
	struct archive_entry e = { x->lib, x->version, x->arch,
				   strcmp(x->soname, "-") ? x->soname : NULL };
	char *bcopy = NULL, *ocopy = NULL;
	const char **bids = NULL, **objs = NULL;
	void *blob = NULL;
	size_t sz;
	int err;

	err = split_list(x->build_ids, &bcopy, &bids, &e.build_id_cnt);
	err = err ?: split_list(x->objects, &ocopy, &objs, &e.object_cnt);
	if (err)
		err = ucb_errf(err, "out of memory");
	e.build_ids = bids;
	e.objects = objs;
	err = err ?: archive__read_blob(src, x->digest, &blob, &sz);
	if (!err) {
		err = archive__add(dst, &e, blob, sz);
		if (err)
			ucb_errf(err, "%s %s %s: %s", x->lib, x->version, x->arch, ucb_errmsg());
	}
	free(blob);
	free(bids);
	free(objs);
	free(bcopy);
	free(ocopy);
	return err;
}

int archive__merge(const char *dst, const char *src)
{
	struct ucb_index idx;
	size_t i;
	int err;

	err = archive__load_index(src, &idx);
	if (err)
		return err;
	for (i = 0; i < idx.cnt && !err; i++)
		err = merge_entry(dst, src, &idx.e[i]);
	ucb_index_free(&idx);
	return err ?: arc_merge_needs(dst, src) ?: arc_merge_rules(dst, src) ?: arc_merge_dist(dst, src);
}
