/* archive__build(): a new archive appears whole or not at all (archive.h).
 * It is written into a hidden directory beside its final name and renamed
 * at the end; the directory is flock'ed while it is written, so a later
 * build can tell one a killed writer left (unlocked) from one being
 * written now, and removes it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "lib/errmsg.h"
#include "tool/archive.h"
#include "tool/archive_internal.h"

/* <lib>/<version>/<arch> below the root: what a leftover may hold. */
#define BUILD_DEPTH	3
#define STALE_SEC	2

static bool dir_empty(const char *dir)
{
	struct dirent *de;
	bool empty = true;
	DIR *d = opendir(dir);

	while (d && empty && (de = readdir(d)))
		empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
	if (d)
		closedir(d);
	return d && empty;
}

/* Leftovers of killed builds in the directory pfd: ours (same owner), not
 * locked by a build still running, and unchanged for STALE_SEC (a build
 * locks its directory just after making it: not yet locked is not stale). */
static void clean_stale(int pfd)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int dfd, fd;

	dfd = dup(pfd);
	d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return;
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		if (!arc_is_temp(de->d_name) || fstatat(pfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
		    time(NULL) - st.st_ctim.tv_sec < STALE_SEC)
			continue;
		fd = openat(pfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (!flock(fd, LOCK_EX | LOCK_NB))
			arc_rmtree(pfd, de->d_name, BUILD_DEPTH);
		close(fd);
	}
	closedir(d);
}

/* A fresh hidden directory under pfd, locked: its fd, name in name. */
static int make_temp(int pfd, const char *parent, char *name, size_t sz)
{
	int tries, fd;

	for (tries = 0; tries < 100; tries++) {
		arc_temp_name(name, sz);
		if (!mkdirat(pfd, name, 0700))
			break;
		if (errno != EEXIST)
			return ucb_errf(-errno, "%s: cannot make a directory: %s", parent, strerror(errno));
	}
	fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return ucb_errf(-errno, "%s/%s: %s", parent, name, strerror(errno));
	flock(fd, LOCK_EX | LOCK_NB);	/* where flock works: see clean_stale() */
	return fd;
}

static int build_new(const char *dir, const char *parent, const char *base,
		     int (*fill)(const char *path, void *ctx), void *ctx)
{
	char name[sizeof(TMP_PREFIX) + TMP_RAND_LEN], path[PATH_MAX], msg[1024];
	int pfd, tfd, err;

	pfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0)
		return ucb_errf(-errno, "%s: %s", dir, strerror(errno));
	clean_stale(pfd);
	tfd = make_temp(pfd, parent, name, sizeof(name));
	if (tfd < 0) {
		close(pfd);
		return tfd;
	}
	err = arc_mkpath(path, sizeof(path), "%s/%s", parent, name);
	err = err ?: fill(path, ctx);
	if (!err && fchmod(tfd, 0755))
		err = ucb_errf(-errno, "%s: %s", path, strerror(errno));
	/* Over a missing or empty directory only (rename refuses others). */
	if (!err && renameat(pfd, name, pfd, base))
		err = ucb_errf(-errno, "%s: %s", dir, strerror(errno));
	if (err) {
		snprintf(msg, sizeof(msg), "%s", ucb_errmsg());
		arc_rmtree(pfd, name, BUILD_DEPTH);
		ucb_errf(err, "%s", msg);
	}
	close(tfd);
	close(pfd);
	return err;
}

int archive__build(const char *dir, int (*fill)(const char *path, void *ctx), void *ctx)
{
	char *c1 = strdup(dir), *c2 = strdup(dir), *parent, *base;
	struct stat st;
	int err;

	if (!c1 || !c2) {
		err = ucb_errf(-ENOMEM, "out of memory");
		goto out;
	}
	parent = dirname(c1);
	base = basename(c2);
	if (!stat(dir, &st) && !S_ISDIR(st.st_mode))
		err = ucb_errf(-ENOTDIR, "%s: %s", dir, strerror(ENOTDIR));
	else if (!access(dir, F_OK) && (!dir_empty(dir) || !strcmp(base, ".") || !strcmp(base, "..") ||
					!strcmp(base, "/")))
		err = fill(dir, ctx);	/* adding to what is there: each add is whole */
	else
		err = build_new(dir, parent, base, fill, ctx);
out:
	free(c1);
	free(c2);
	return err;
}
