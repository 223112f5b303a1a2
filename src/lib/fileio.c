#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
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

int ucb_read_file(const char *path, void **data, size_t *size)
{
	struct stat st;
	ssize_t n;
	size_t off = 0;
	char *buf;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(-errno, path);
	if (fstat(fd, &st)) {
		err = -errno;
		close(fd);
		return fail(err, path);
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return fail(-EISDIR, path);
	}
	buf = malloc(st.st_size + 1);
	if (!buf) {
		close(fd);
		return fail(-ENOMEM, path);
	}
	while (off < (size_t)st.st_size) {
		n = read(fd, buf + off, st.st_size - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			free(buf);
			close(fd);
			return fail(err, path);
		}
		off += n;
	}
	close(fd);
	buf[off] = 0;
	*data = buf;
	*size = off;
	return 0;
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
