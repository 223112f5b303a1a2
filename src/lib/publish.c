/* The prepared BTF: written where libbpf can open it by path (a sealed
 * memfd, else a file in a private directory), what it was made of, and
 * its accessors.  Public API in include/ucorebtf.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/errmsg.h"
#include "lib/fileio.h"
#include "lib/runtime.h"

/* A sealed memfd, if its /proc/self/fd path opens: libbpf opens the path,
 * and without /proc (some containers) a memfd has none.  -1 otherwise. */
static int memfd_publish(struct ucorebtf_btf *r)
{
	int fd = memfd_create("ucorebtf", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0)
		return -1;
	if (asprintf(&r->path, "/proc/self/fd/%d", fd) < 0) {
		r->path = NULL;
		close(fd);
		return -1;
	}
	if (access(r->path, R_OK)) {
		free(r->path);
		r->path = NULL;
		close(fd);
		return -1;
	}
	return fd;
}

/* Whether only root or we can change the directory st: owned by one of
 * us and not writable by group or others, unless sticky (then they can
 * add names but not rename or remove ours). */
static bool dir_ours(const struct stat *st)
{
	return S_ISDIR(st->st_mode) && (st->st_uid == 0 || st->st_uid == geteuid()) &&
	       (!(st->st_mode & (S_IWGRP | S_IWOTH)) || (st->st_mode & S_ISVTX));
}

/* path resolved (*real, malloc'ed) if it and every directory above it
 * pass dir_ours(): whoever can rename any of them can swap the file
 * libbpf opens by path.  Walked from / without following symlinks, so
 * what was checked is what realpath() named.  0 or -errno with the
 * message set. */
static int dir_private(const char *path, char **real)
{
	char *p, *comp, *save = NULL;
	struct stat st;
	int fd, next, err = 0;

	*real = realpath(path, NULL);
	if (!*real)
		return ucb_errf(-errno, "%s: %s", path, strerror(errno));
	p = strdup(*real);
	fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (!p || fd < 0)
		err = ucb_errf(p ? -errno : -ENOMEM, "%s: %s", path, strerror(p ? errno : ENOMEM));
	for (comp = p ? strtok_r(p, "/", &save) : NULL; !err; comp = strtok_r(NULL, "/", &save)) {
		if (fstat(fd, &st))
			err = ucb_errf(-errno, "%s: %s", path, strerror(errno));
		else if (!dir_ours(&st))
			err = ucb_errf(-EPERM, "%s: %.*s (owner uid %u, mode %04o) is not private to root or uid %u",
				       path, comp ? (int)(comp - p - 1) ?: 1 : (int)strlen(*real), *real,
				       (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777),
				       (unsigned)geteuid());
		if (err || !comp)
			break;
		next = openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0)
			err = ucb_errf(-errno, "%s: %s", path, strerror(errno));
		close(fd);
		fd = next;
	}
	if (fd >= 0)
		close(fd);
	free(p);
	if (err) {
		free(*real);
		*real = NULL;
	}
	return err;
}

/* $TMPDIR (unless the program is setuid), else /tmp, if private as
 * dir_private() says; the message says why neither is. */
static int tmp_base(char **base)
{
	const char *env = secure_getenv("TMPDIR");
	char why[512] = "";
	int err = 0;

	if (env && env[0] == '/') {
		err = dir_private(env, base);
		if (!err)
			return 0;
		snprintf(why, sizeof(why), "TMPDIR %s; ", ucb_errmsg());
	}
	err = dir_private("/tmp", base);
	if (err)
		return ucb_errf(err, "no private directory for the prepared BTF's file (no memfd): %s%s",
				why, ucb_errmsg());
	return 0;
}

/* A file in a directory of our own, under a private base: nobody else
 * can place or swap files in it.  Returns the fd or -errno with the
 * message set. */
static int file_publish(struct ucorebtf_btf *r)
{
	char *base = NULL;
	int fd, err;

	err = tmp_base(&base);
	if (err)
		return err;
	if (asprintf(&r->tmpdir, "%s/ucorebtf.XXXXXX", base) < 0) {
		free(base);
		r->tmpdir = NULL;
		return ucb_errf(-ENOMEM, "out of memory");
	}
	free(base);
	if (!mkdtemp(r->tmpdir)) {
		err = ucb_errf(-errno, "%s: %s", r->tmpdir, strerror(errno));
		free(r->tmpdir);
		r->tmpdir = NULL;	/* close must not remove what is not ours */
		return err;
	}
	if (asprintf(&r->path, "%s/target.btf", r->tmpdir) < 0) {
		r->path = NULL;
		err = ucb_errf(-ENOMEM, "out of memory");
		goto fail;
	}
	fd = open(r->path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	err = ucb_errf(-errno, "%s: %s", r->path, strerror(errno));
fail:
	rmdir(r->tmpdir);
	free(r->tmpdir);
	free(r->path);
	r->tmpdir = r->path = NULL;
	return err;
}

int ucb_btf_publish(struct ucorebtf_btf *r, bool no_memfd)
{
	int fd = no_memfd ? -1 : memfd_publish(r), err;

	if (fd < 0)
		fd = file_publish(r);
	if (fd < 0)
		return fd;
	err = ucb_write_all(fd, r->raw, r->raw_sz);
	if (err) {
		close(fd);
		return err;	/* close removes the file */
	}
	if (!r->tmpdir)
		fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
	r->fd = fd;
	return 0;
}

/* Exact sizes: an index allows 127 characters for each name, and a path
 * is as long as the caller's. */
int ucb_btf_describe(struct ucorebtf_btf *r)
{
	size_t i, len = 0;
	char *s = NULL;
	FILE *f = open_memstream(&s, &len);

	if (!f)
		return ucb_errf(-ENOMEM, "out of memory");
	for (i = 0; i < r->target_cnt; i++) {
		const struct ucb_chosen *c = &r->targets[i];

		fprintf(f, "%s\t%s\t%s\t%s\t%s\n", c->path, c->lib, c->version, c->arch, c->how);
	}
	if (fclose(f)) {
		free(s);
		return ucb_errf(-ENOMEM, "out of memory");
	}
	r->describe = s;
	return 0;
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

UCOREBTF_API size_t ucorebtf_btf__target_cnt(const struct ucorebtf_btf *t)
{
	return t ? t->target_cnt : 0;
}

UCOREBTF_API int ucorebtf_btf__target(const struct ucorebtf_btf *t, size_t i, const char **path,
				      const char **lib, const char **version, const char **arch,
				      const char **how)
{
	const struct ucb_chosen *c = t && i < t->target_cnt ? &t->targets[i] : NULL;

	if (path)
		*path = c ? c->path : NULL;
	if (lib)
		*lib = c ? c->lib : NULL;
	if (version)
		*version = c ? c->version : NULL;
	if (arch)
		*arch = c ? c->arch : NULL;
	if (how)
		*how = c ? c->how : NULL;
	if (!t)
		return ucb_errf(-EINVAL, "target: no prepared BTF");
	if (!c)
		return ucb_errf(-ENOENT, "target %zu: the prepared BTF has %zu", i, t->target_cnt);
	return 0;
}

UCOREBTF_API void ucorebtf_btf__close(struct ucorebtf_btf *t)
{
	size_t i;

	if (!t)
		return;
	if (t->fd >= 0)
		close(t->fd);
	if (t->tmpdir) {
		unlink(t->path);
		rmdir(t->tmpdir);
	}
	for (i = 0; i < t->target_cnt; i++) {
		free(t->targets[i].path);
		free(t->targets[i].lib);
		free(t->targets[i].version);
		free(t->targets[i].arch);
		free(t->targets[i].how);
	}
	free(t->targets);
	free(t->tmpdir);
	free(t->path);
	free(t->raw);
	free(t->describe);
	free(t);
}
