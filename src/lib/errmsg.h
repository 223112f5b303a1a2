/* The one message mechanism below the CLI (docs/conventions.md).
 *
 * A function that fails records one line saying what is wrong, naming the
 * file it was reading, and returns a negative errno (or NULL with errno
 * set).  Whoever reports the failure reads that line: the CLI's p_err(), or
 * an application through ucorebtf_errmsg().  The message is thread-local and
 * the latest failure wins, so a caller that adds context does it with
 * ucb_errf(err, "%s: %s", path, ucb_errmsg()).
 */
#ifndef UCOREBTF_LIB_ERRMSG_H
#define UCOREBTF_LIB_ERRMSG_H

#include <stddef.h>

/* Record the message and return err (a negative errno), setting errno to
 * -err, so a caller writes `return ucb_errf(-EINVAL, "...")`. */
int ucb_errf(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* As ucb_errf, for functions that return a pointer: returns NULL. */
void *ucb_errp(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The last recorded message of this thread ("" when none). */
const char *ucb_errmsg(void);

/* Forget the message: a call that succeeds after a failure starts clean. */
void ucb_err_clear(void);

#endif
