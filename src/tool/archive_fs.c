/* File access inside an archive (archive_internal.h): the root opened
 * once, everything below it through directory fds and never through a
 * symlink, one lock file, writes under temporary names. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "lib/errmsg.h"
#include "lib/fileio.h"
#include "tool/archive_internal.h"

bool arc_reserved(const char *name)
{
	static const char *const reserved[] = ARC_RESERVED_NAMES;
	const char *const *r;

	for (r = reserved; *r; r++)
		if (!strcmp(name, *r))
			return true;
	return false;
}

int arc_mkpath(char *buf, size_t sz, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sz, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sz)
		return ucb_errf(-ENAMETOOLONG, "%.64s...: path too long", buf);
	return 0;
}

const char *arc_path(const struct arc *a, const struct arc_dir *d, const char *name, char *buf,
		     size_t sz)
{
	int n = snprintf(buf, sz, "%s%s%s%s%s", a->dir, d->rel[0] ? "/" : "", d->rel,
			 name && name[0] ? "/" : "", name ?: "");

	if (n < 0 || (size_t)n >= sz)
		snprintf(buf + sz - 4, 4, "...");	/* a message only */
	return buf;
}

int arc_fail(const struct arc *a, const struct arc_dir *d, const char *name, int err)
{
	char buf[PATH_MAX];

	return ucb_errf(err, "%s: %s", arc_path(a, d, name, buf, sizeof(buf)), strerror(-err));
}

/* Why name under at cannot be used: a symlink, or not what was expected. */
static int refuse(const struct arc *a, const struct arc_dir *at, const char *name, int err)
{
	char buf[PATH_MAX];
	struct stat st;

	arc_path(a, at, name, buf, sizeof(buf));
	if (!fstatat(at->fd, name, &st, AT_SYMLINK_NOFOLLOW) && S_ISLNK(st.st_mode))
		return ucb_errf(-ELOOP, "%s: a symbolic link inside the archive (refused: nothing in an archive is followed)",
				buf);
	if (err == -ENOTDIR)
		return ucb_errf(err, "%s: not a directory", buf);
	if (err == -ELOOP || err == -EINVAL)
		return ucb_errf(-EINVAL, "%s: not a regular file", buf);
	return arc_fail(a, at, name, err);
}

/* mkdir -p of the root as the caller names it (outside the archive). */
static int mkdir_p(const char *path)
{
	char buf[PATH_MAX], *p;
	int err;

	err = arc_mkpath(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; !err && *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0755) && errno != EEXIST)
			err = ucb_errf(-errno, "cannot write %s: %s", buf, strerror(errno));
		*p = '/';
	}
	if (!err && mkdir(buf, 0755) && errno != EEXIST)
		err = ucb_errf(-errno, "cannot write %s: %s", buf, strerror(errno));
	return err;
}

/* Writers create the lock file; readers take it when it is there (an
 * archive no writer of this version touched, or one on a read-only
 * medium, has none and is read unlocked). */
static int arc_lock(struct arc *a)
{
	bool wr = a->mode == ARC_WRITE;
	int fd, err;
	struct stat st;

	fd = openat(a->root.fd, LOCK_FILE, O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK |
		    (wr ? O_RDWR | O_CREAT : O_RDONLY), 0644);
	/* Another user's lock file: flock needs no write access. */
	if (fd < 0 && wr && errno == EACCES)
		fd = openat(a->root.fd, LOCK_FILE, O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_RDONLY);
	if (fd < 0) {
		err = -errno;
		if (!wr && (err == -ENOENT || err == -EACCES))
			return 0;
		return err == -ELOOP ? refuse(a, &a->root, LOCK_FILE, err) : arc_fail(a, &a->root, LOCK_FILE, err);
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return refuse(a, &a->root, LOCK_FILE, -EINVAL);
	}
	while (flock(fd, wr ? LOCK_EX : LOCK_SH)) {
		if (errno == EINTR)
			continue;
		err = -errno;
		close(fd);
		return ucb_errf(err, "%s/" LOCK_FILE ": cannot lock: %s", a->dir, strerror(-err));
	}
	a->lock_fd = fd;
	return 0;
}

int arc_open(struct arc *a, const char *dir, enum arc_mode mode)
{
	int err;

	memset(a, 0, sizeof(*a));
	a->dir = dir;
	a->mode = mode;
	a->lock_fd = -1;
	a->root.fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (a->root.fd < 0 && errno == ENOENT && mode == ARC_WRITE) {
		err = mkdir_p(dir);
		if (err)
			return err;
		a->root.fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (a->root.fd < 0)
		return ucb_errf(-errno, "%s: %s", dir, strerror(errno));
	err = arc_lock(a);
	if (err)
		arc_close(a);
	return err;
}

void arc_close(struct arc *a)
{
	if (a->lock_fd >= 0)
		close(a->lock_fd);	/* releases the lock */
	if (a->root.fd >= 0)
		close(a->root.fd);
	a->lock_fd = a->root.fd = -1;
}

int arc_subdir(struct arc *a, const struct arc_dir *at, const char *name, bool create,
	       struct arc_dir *d)
{
	int err;

	d->fd = -1;
	d->created = false;
	err = arc_mkpath(d->rel, sizeof(d->rel), "%s%s%s", at->rel, at->rel[0] ? "/" : "", name);
	if (err)
		return err;
	if (create) {
		if (!mkdirat(at->fd, name, 0755))
			d->created = true;
		else if (errno != EEXIST)
			return arc_fail(a, at, name, -errno);
	}
	d->fd = openat(at->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (d->fd >= 0)
		return 0;
	err = -errno;
	return err == -ELOOP || err == -ENOTDIR ? refuse(a, at, name, -ENOTDIR) : arc_fail(a, at, name, err);
}

void arc_dir_close(struct arc_dir *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

void arc_dir_undo(const struct arc_dir *at, const char *name, struct arc_dir *d)
{
	arc_dir_close(d);
	if (d->created)
		unlinkat(at->fd, name, AT_REMOVEDIR);
	d->created = false;
}

int arc_regular(const struct arc *a, const struct arc_dir *at, const char *name)
{
	struct stat st;

	if (fstatat(at->fd, name, &st, AT_SYMLINK_NOFOLLOW))
		return errno == ENOENT ? -ENOENT : arc_fail(a, at, name, -errno);
	return S_ISREG(st.st_mode) ? 0 : refuse(a, at, name, -EINVAL);
}

int arc_read_opt(const struct arc *a, const struct arc_dir *at, const char *name, void **data,
		 size_t *sz)
{
	int err = arc_regular(a, at, name);

	*data = NULL;
	*sz = 0;
	if (err == -ENOENT)
		return 0;
	return err ?: arc_read(a, at, name, data, sz);
}

int arc_parse_opt(const struct arc *a, const char *name,
		  int (*parse)(const char *text, size_t len, void *out), void *out)
{
	char path[PATH_MAX];
	void *data;
	size_t sz;
	int err;

	err = arc_read_opt(a, &a->root, name, &data, &sz);
	if (err || !data)
		return err;
	err = parse(data, sz, out);
	free(data);
	if (err)
		return ucb_errf(err, "%s: %s", arc_path(a, &a->root, name, path, sizeof(path)),
				ucb_errmsg());
	return 0;
}

int arc_read(const struct arc *a, const struct arc_dir *at, const char *name, void **data,
	     size_t *sz)
{
	char path[PATH_MAX];
	int fd, err;

	/* The reader every layer uses (lib/fileio.h): O_NONBLOCK open, fstat
	 * for a regular file before reading, read() of what fstat said. */
	fd = ucb_open_regular(at->fd, name, O_NOFOLLOW | O_NOCTTY, NULL);
	if (fd == -ELOOP || fd == -EINVAL || fd == -EISDIR)
		return refuse(a, at, name, fd == -ELOOP ? -ELOOP : -EINVAL);
	if (fd < 0)
		return arc_fail(a, at, name, fd);
	err = ucb_read_fd(fd, arc_path(a, at, name, path, sizeof(path)), UCB_READ_MAX, data, sz);
	close(fd);
	return err;
}

void arc_temp_name(char *buf, size_t sz)
{
	static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	static unsigned int seq;
	unsigned char r[TMP_RAND_LEN];
	size_t i;

	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		unsigned long x = (unsigned long)getpid() * 2654435761u ^ (unsigned long)time(NULL) ^ ++seq;

		for (i = 0; i < sizeof(r); i++, x = x * 6364136223846793005ul + 1442695040888963407ul)
			r[i] = x >> 56;
	}
	snprintf(buf, sz, TMP_PREFIX);
	for (i = 0; i < TMP_RAND_LEN; i++)
		buf[sizeof(TMP_PREFIX) - 1 + i] = chars[r[i] % (sizeof(chars) - 1)];
	buf[sizeof(TMP_PREFIX) - 1 + TMP_RAND_LEN] = 0;
}

bool arc_is_temp(const char *name)
{
	return !strncmp(name, TMP_PREFIX, sizeof(TMP_PREFIX) - 1) &&
	       strlen(name) == sizeof(TMP_PREFIX) - 1 + TMP_RAND_LEN;
}

int arc_stage(struct arc *a, const struct arc_dir *at, const char *name, const void *data,
	      size_t sz, struct arc_file *f)
{
	int fd = -1, tries, err;

	f->at = at;
	f->name = name;
	f->staged = false;
	/* A symlink or a special file where the file goes is refused, not
	 * replaced: someone put it there, and it may be what they meant. */
	err = arc_regular(a, at, name);
	if (err && err != -ENOENT)
		return err;
	for (tries = 0; fd < 0 && tries < 100; tries++) {
		arc_temp_name(f->tmp, sizeof(f->tmp));
		fd = openat(at->fd, f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0 && errno != EEXIST)
			return arc_fail(a, at, name, -errno);
	}
	if (fd < 0)
		return arc_fail(a, at, name, -EEXIST);
	err = ucb_write_all(fd, data, sz);
	/* Archive files are ordinary artefacts, whatever the umask. */
	if (!err && fchmod(fd, 0644))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (err) {
		unlinkat(at->fd, f->tmp, 0);
		return arc_fail(a, at, name, err);
	}
	f->staged = true;
	return 0;
}

int arc_commit(struct arc *a, struct arc_file *f)
{
	int err = 0;

	if (!f->staged)
		return 0;
	if (renameat(f->at->fd, f->tmp, f->at->fd, f->name)) {
		err = arc_fail(a, f->at, f->name, -errno);
		unlinkat(f->at->fd, f->tmp, 0);
	}
	f->staged = false;
	return err;
}

void arc_unstage(struct arc_file *f)
{
	if (f->staged)
		unlinkat(f->at->fd, f->tmp, 0);
	f->staged = false;
}

int arc_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void arc_free_list(char **v)
{
	char **p;

	for (p = v; p && *p; p++)
		free(*p);
	free(v);
}

/* Names in the directory fd (hidden ones too when asked), sorted. */
static char **list_fd(int fd, bool hidden, int *err)
{
	struct dirent *de;
	char **v = NULL, **tmp;
	size_t n = 0;
	DIR *d;
	int dfd;

	*err = 0;
	dfd = dup(fd);
	d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		*err = -errno;
		if (dfd >= 0)
			close(dfd);
		return NULL;
	}
	rewinddir(d);	/* the dup shares its offset with fd */
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    (!hidden && de->d_name[0] == '.'))
			continue;
		tmp = realloc(v, (n + 2) * sizeof(*v));
		if (!tmp || !(tmp[n] = strdup(de->d_name))) {
			v = tmp ?: v;
			*err = -ENOMEM;
			break;
		}
		v = tmp;
		v[++n] = NULL;
	}
	closedir(d);
	if (!*err && !v && !(v = calloc(1, sizeof(*v))))
		*err = -ENOMEM;
	if (*err) {
		while (v && n)
			free(v[--n]);
		free(v);
		return NULL;
	}
	qsort(v, n, sizeof(*v), arc_cmp_str);
	return v;
}

char **arc_list(const struct arc *a, const struct arc_dir *d, int *err)
{
	char **v = list_fd(d->fd, false, err);

	if (!v)
		arc_fail(a, d, NULL, *err);
	return v;
}

void arc_clean_temps(const struct arc_dir *d)
{
	struct stat st;
	char **names;
	size_t i;
	int err;

	names = list_fd(d->fd, true, &err);
	for (i = 0; names && names[i]; i++)
		if (arc_is_temp(names[i]) && !fstatat(d->fd, names[i], &st, AT_SYMLINK_NOFOLLOW) &&
		    S_ISREG(st.st_mode))
			unlinkat(d->fd, names[i], 0);
	arc_free_list(names);
}

int arc_rmtree(int at, const char *name, int depth)
{
	struct stat st;
	char **names;
	size_t i;
	int fd, err = 0;

	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	names = list_fd(fd, true, &err);
	for (i = 0; names && names[i] && !err; i++) {
		if (fstatat(fd, names[i], &st, AT_SYMLINK_NOFOLLOW))
			err = -errno;
		else if (S_ISDIR(st.st_mode))
			err = depth > 0 ? arc_rmtree(fd, names[i], depth - 1) : -ENOTEMPTY;
		else if (unlinkat(fd, names[i], 0))	/* a symlink itself, never its target */
			err = -errno;
	}
	arc_free_list(names);
	close(fd);
	if (!err && unlinkat(at, name, AT_REMOVEDIR))
		err = -errno;
	return err;
}
