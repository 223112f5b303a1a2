/* Whole-file reads and atomic writes, shared by every layer.  Each
 * function returns 0 or -errno with the message (ucb_errmsg()) naming the
 * file and saying what errno says. */
#ifndef UCOREBTF_LIB_FILEIO_H
#define UCOREBTF_LIB_FILEIO_H

#include <stddef.h>

struct stat;

/* Largest file ucb_read_file() reads: far above any BTF, bundle or index
 * ucorebtf handles, far below what would exhaust a machine's memory. */
#define UCB_READ_MAX (1ul << 30)

/* Open a file to read it, relative to dirfd (AT_FDCWD: as open() would),
 * plus flags (O_NOFOLLOW inside an archive), and check with fstat that it
 * is a regular file before anything reads it: the open is O_NONBLOCK so a
 * FIFO or a device cannot block it (the flag is cleared again after the
 * check).  Fills *st if st is not NULL.  Returns the fd, or -errno with the
 * message set: -EISDIR for a directory, -EINVAL "not a regular file". */
int ucb_open_regular(int dirfd, const char *path, int flags, struct stat *st);

/* Read the st_size bytes of a regular file into memory (NUL-terminated
 * copy) with read(), never mmap: a file truncated or extended while it is
 * read is an error (-EIO), not a SIGBUS or a mix of two versions; one
 * larger than max is refused (-EFBIG) before anything is allocated. */
int ucb_read_fd(int fd, const char *path, size_t max, void **data, size_t *size);

/* ucb_open_regular() + ucb_read_fd() of a whole file, at most max bytes. */
int ucb_read_file_max(const char *path, size_t max, void **data, size_t *size);

/* Read a whole file of at most UCB_READ_MAX bytes (NUL-terminated copy).
 * Returns 0 or -errno. */
int ucb_read_file(const char *path, void **data, size_t *size);

/* Write data to path through a temporary file in the same directory and
 * rename(), so a failure never leaves partial output.  Returns 0/-errno. */
int ucb_write_file_atomic(const char *path, const void *data, size_t size);

/* Check before doing work that an output path can be created: its
 * directory exists and is writable, and path is not a directory. */
int ucb_check_output_path(const char *path);

/* write(2) all of data, retrying on EINTR.  Returns 0 or -errno. */
int ucb_write_all(int fd, const void *data, size_t size);

#endif
