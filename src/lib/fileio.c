#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/errmsg.h"
#include "lib/fileio.h"

/* path and what errno says about it: the message of every failure here. */
static int fail(int err, const char *path)
{
	return ucb_errf(err, "%s: %s", path, strerror(-err));
}

int ucb_open_regular(int dirfd, const char *path, int flags, struct stat *st)
{
	struct stat tmp;
	int fd, err;

	if (!st)
		st = &tmp;
	fd = openat(dirfd, path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | flags);
	if (fd < 0)
		return fail(-errno, path);
	if (fstat(fd, st)) {
		err = -errno;
		close(fd);
		return fail(err, path);
	}
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		if (S_ISDIR(st->st_mode))
			return fail(-EISDIR, path);
		return ucb_errf(-EINVAL, "%s: not a regular file", path);
	}
	/* Plain blocking reads from here on (regular files never block). */
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)) {
		err = -errno;
		close(fd);
		return fail(err, path);
	}
	return fd;
}

int ucb_read_fd(int fd, const char *path, size_t max, void **data, size_t *size)
{
	struct stat st;
	size_t off = 0, want;
	ssize_t n;
	char *buf, extra;

	if (fstat(fd, &st))
		return fail(-errno, path);
	if ((uint64_t)st.st_size > max)
		return ucb_errf(-EFBIG, "%s: %llu bytes, larger than the %zu this reader takes", path,
				(unsigned long long)st.st_size, max);
	want = st.st_size;
	buf = malloc(want + 1);
	if (!buf)
		return fail(-ENOMEM, path);
	while (off < want) {
		n = read(fd, buf + off, want - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int err = n < 0 ? -errno : -EIO;

			free(buf);
			if (!n)
				return ucb_errf(err, "%s: truncated while being read (%zu of %zu bytes)",
						path, off, want);
			return fail(err, path);
		}
		off += n;
	}
	/* One byte more than fstat said: the file grew while it was read. */
	while ((n = read(fd, &extra, 1)) < 0 && errno == EINTR)
		;
	if (n) {
		int err = n < 0 ? -errno : -EIO;

		free(buf);
		if (n > 0)
			return ucb_errf(err, "%s: changed while being read", path);
		return fail(err, path);
	}
	buf[off] = 0;
	*data = buf;
	*size = off;
	return 0;
}

int ucb_read_file_max(const char *path, size_t max, void **data, size_t *size)
{
	int fd, err;

	fd = ucb_open_regular(AT_FDCWD, path, 0, NULL);
	if (fd < 0)
		return fd;
	err = ucb_read_fd(fd, path, max, data, size);
	close(fd);
	return err;
}

int ucb_read_file(const char *path, void **data, size_t *size)
{
	return ucb_read_file_max(path, UCB_READ_MAX, data, size);
}

int ucb_check_output_path(const char *path)
{
	struct stat st;
	char *copy, *dir;
	int err = 0;

	if (!stat(path, &st) && S_ISDIR(st.st_mode))
		return fail(-EISDIR, path);
	copy = strdup(path);
	if (!copy)
		return fail(-ENOMEM, path);
	dir = dirname(copy);
	if (stat(dir, &st))
		err = -errno;
	else if (!S_ISDIR(st.st_mode))
		err = -ENOTDIR;
	else if (access(dir, W_OK))
		err = -errno;
	if (err)
		ucb_errf(err, "%s: %s", dir, strerror(-err));
	free(copy);
	return err;
}

int ucb_write_all(int fd, const void *data, size_t size)
{
	size_t off = 0;
	ssize_t n;

	while (off < size) {
		n = write(fd, (const char *)data + off, size - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return ucb_errf(n < 0 ? -errno : -EIO, "write: %s", strerror(n < 0 ? errno : EIO));
		off += n;
	}
	return 0;
}

int ucb_write_file_atomic(const char *path, const void *data, size_t size)
{
	size_t len = strlen(path);
	struct stat st;
	char *tmp;
	int fd, err = 0;

	err = ucb_check_output_path(path);
	if (err)
		return err;
	/* -o /dev/null or a FIFO: renaming over it would replace the node. */
	if (!stat(path, &st) && !S_ISREG(st.st_mode)) {
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return fail(-errno, path);
		err = ucb_write_all(fd, data, size);
		if (close(fd) && !err)
			err = -errno;
		return err ? fail(err, path) : 0;
	}
	tmp = malloc(len + sizeof(".tmp.XXXXXX"));
	if (!tmp)
		return fail(-ENOMEM, path);
	snprintf(tmp, len + sizeof(".tmp.XXXXXX"), "%s.tmp.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = -errno;
		free(tmp);
		return fail(err, path);
	}
	err = ucb_write_all(fd, data, size);
	/* mkstemp makes 0600; output files are ordinary artefacts. */
	if (!err && fchmod(fd, 0644))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	free(tmp);
	return err ? fail(err, path) : 0;
}
