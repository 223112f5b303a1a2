#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "lib/errmsg.h"

static __thread char msg[4096];	/* a path of PATH_MAX and then some */

static void vrecord(const char *fmt, va_list ap)
{
	char tmp[sizeof(msg)];
	int n;

	/* fmt may print the current message ("%s: %s", path, ucb_errmsg()). */
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	/* One line, bounded: a longer one (a bundle listing thousands of
	 * entries) ends in "..." so that the cut shows. */
	if (n < 0)
		snprintf(tmp, sizeof(tmp), "(unprintable message)");
	else if (n >= (int)sizeof(tmp))
		memcpy(tmp + sizeof(tmp) - 4, "...", 4);
	memcpy(msg, tmp, sizeof(msg));
}

int ucb_errf(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vrecord(fmt, ap);
	va_end(ap);
	errno = err < 0 ? -err : err;
	return err < 0 ? err : -err;
}

void *ucb_errp(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vrecord(fmt, ap);
	va_end(ap);
	errno = err < 0 ? -err : err;
	return NULL;
}

const char *ucb_errmsg(void)
{
	return msg;
}

void ucb_err_clear(void)
{
	msg[0] = 0;
}
