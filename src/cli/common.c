#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "cli/common.h"
#include "tool/libbpf_log.h"

bool json_output;
bool verbose;
const char *bin_name = "ucorebtf";

/* -d: libbpf's whole log on stderr, as bpftool -d. */
static int libbpf_pass(enum libbpf_print_level lvl, const char *fmt, va_list ap)
{
	return vfprintf(stderr, fmt, ap);
}

void libbpf_log_init(void)
{
	libbpf_log__init(verbose ? libbpf_pass : NULL);
}

void p_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("Error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void p_info(const char *fmt, ...)
{
	va_list ap;

	if (json_output)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int usage_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("Error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\nTry '%s help'.\n", bin_name);
	va_end(ap);
	return EXIT_USAGE;
}

int cmd_select(const struct cmd *cmds, int argc, char **argv,
	       int (*help)(int argc, char **argv))
{
	int i;

	if (argc < 1) {
		help(argc, argv);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[0], "help") || !strcmp(argv[0], "-h") || !strcmp(argv[0], "--help"))
		return help(argc, argv);
	for (i = 0; cmds[i].name; i++)
		if (!strcmp(argv[0], cmds[i].name))
			return cmds[i].func(argc - 1, argv + 1);
	return usage_err("unknown command '%s'", argv[0]);
}

void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}
