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
bool pretty_output;
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

json_writer_t *json_wtr;

static void err_json(const char *fmt, va_list ap)
{
	char *msg = NULL;

	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	jsonw_start_object(json_wtr);
	jsonw_string_field(json_wtr, "error", msg ? msg : "out of memory");
	jsonw_end_object(json_wtr);
	free(msg);
}

/* One "Error: ..." line (JSON under -j); a usage error adds the hint. */
static void verr(bool usage, const char *fmt, va_list ap)
{
	if (json_wtr) {
		err_json(fmt, ap);
		return;
	}
	fputs("Error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	if (usage)
		fprintf(stderr, "Try '%s help'.\n", bin_name);
}

void p_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(false, fmt, ap);
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
	verr(true, fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

void p_errmsg(void)
{
	/* Every failure below the CLI records a message; never fail silently
	 * if one did not. */
	p_err("%s", ucb_errmsg()[0] ? ucb_errmsg() : "failed (no reason recorded)");
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

json_writer_t *json_new(FILE *f)
{
	json_writer_t *w = jsonw_new(f);

	if (!w) {
		p_err("out of memory");
		return NULL;
	}
	jsonw_pretty(w, pretty_output);
	return w;
}
