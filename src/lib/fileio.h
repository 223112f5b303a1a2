/* Whole-file reads and atomic writes, shared by every layer.  Each
 * function returns 0 or -errno with the message (ucb_errmsg()) naming the
 * file and saying what errno says. */
#ifndef UCOREBTF_LIB_FILEIO_H
#define UCOREBTF_LIB_FILEIO_H

#include <stddef.h>

/* Read a whole file (NUL-terminated copy).  Returns 0 or -errno. */
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
