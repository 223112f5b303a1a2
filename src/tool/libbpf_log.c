/* libbpf log capture: one telling line for messages, the rest passed on. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "tool/libbpf_log.h"

static char last[512];
static libbpf_print_fn_t pass_fn;

static int capture(enum libbpf_print_level lvl, const char *fmt, va_list ap)
{
	char buf[4096], *line;
	va_list cp;

	if (lvl == LIBBPF_WARN) {
		va_copy(cp, ap);
		vsnprintf(buf, sizeof(buf), fmt, cp);
		va_end(cp);
		/* A rejected CO-RE relocation explains a load failure best. */
		line = strstr(buf, "failed to resolve CO-RE relocation");
		if (line || !last[0]) {
			snprintf(last, sizeof(last), "%.500s", line ? line : buf);
			last[strcspn(last, "\n")] = 0;
		}
	}
	return pass_fn ? pass_fn(lvl, fmt, ap) : 0;
}

void libbpf_log__init(libbpf_print_fn_t pass)
{
	pass_fn = pass;
	libbpf_set_print(capture);
}

void libbpf_log__reset(void)
{
	last[0] = 0;
}

const char *libbpf_log__last(void)
{
	return last;
}
