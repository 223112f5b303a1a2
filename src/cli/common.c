#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
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

/* One "Error: ..." line (JSON under -j). */
static void verr(const char *fmt, va_list ap)
{
	if (json_wtr) {
		err_json(fmt, ap);
		return;
	}
	fputs("Error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void p_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(fmt, ap);
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
	verr(fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

void p_errmsg(void)
{
	/* Every failure below the CLI records a message; never fail silently
	 * if one did not. */
	p_err("%s", ucb_errmsg()[0] ? ucb_errmsg() : "failed (no reason recorded)");
}

/* ---- the grammar ---- */

/* A synopsis after lead: the binary's name, then its lines, continuation
 * lines indented to stand under the command. */
static void print_synopsis(FILE *f, const char *lead, const char *syn)
{
	int w = (int)(strlen(lead) + strlen(bin_name) + 1);
	const char *nl;

	fprintf(f, "%s%s ", lead, bin_name);
	for (; (nl = strchr(syn, '\n')); syn = nl + 1)
		fprintf(f, "%.*s\n%*s", (int)(nl - syn), syn, w, "");
	fprintf(f, "%s\n", syn);
}

/* The top level (path ""): every command of every object. */
static void help_top(FILE *f, const struct cmd *c)
{
	const struct cmd *o, *k;

	fprintf(f, "Usage: %s [OPTIONS] OBJECT COMMAND [ARGS]\n"
		"       %s OBJECT help | %s OBJECT COMMAND help\n\n",
		bin_name, bin_name, bin_name);
	for (o = c->sub; o->name; o++) {
		if (!o->sub) {
			print_synopsis(f, "  ", o->synopsis);
			continue;
		}
		for (k = o->sub; k->name; k++)
			print_synopsis(f, "  ", k->synopsis);
	}
	if (c->doc)
		fprintf(f, "\n%s", c->doc);
}

static void help_text(FILE *f, const struct cmd *c, const char *path)
{
	const struct cmd *k;

	if (!path[0]) {
		help_top(f, c);
		return;
	}
	if (!c->sub) {
		print_synopsis(f, "Usage: ", c->synopsis);
	} else {
		for (k = c->sub; k->name; k++)
			print_synopsis(f, k == c->sub ? "Usage: " : "       ", k->synopsis);
		fprintf(f, "       %s %s help | %s %s COMMAND help\n", bin_name, path, bin_name, path);
	}
	if (c->doc)
		fprintf(f, "\n%s", c->doc);
}

int cmd_help(const struct cmd *c, const char *path)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (!json_wtr) {
		help_text(stdout, c, path);
		return EXIT_OK;
	}
	/* -j: still one JSON document on stdout. */
	f = open_memstream(&text, &len);
	if (!f) {
		p_err("out of memory");
		return EXIT_FAIL;
	}
	help_text(f, c, path);
	if (fclose(f)) {
		free(text);
		p_err("out of memory");
		return EXIT_FAIL;
	}
	jsonw_start_object(json_wtr);
	jsonw_string_field(json_wtr, "help", text);
	jsonw_end_object(json_wtr);
	free(text);
	return EXIT_OK;
}

static bool is_help_word(const char *s)
{
	return !strcmp(s, "help") || !strcmp(s, "-h") || !strcmp(s, "--help");
}

/* A command's help request: `help` alone, or -h/--help among its options. */
static bool wants_help(int argc, char **argv)
{
	int i;

	if (argc == 1 && !strcmp(argv[0], "help"))
		return true;
	for (i = 0; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
	return false;
}

/* bpftool's is_prefix(): the exact name, else the one name word starts. */
static const struct cmd *cmd_find(const struct cmd *cmds, const char *word, const char *path)
{
	const struct cmd *k, *hit = NULL;
	char names[256] = "";
	size_t n = 0;

	for (k = cmds; k->name; k++)
		if (!strcmp(k->name, word))
			return k;
	for (k = cmds; k->name; k++) {
		if (strncmp(k->name, word, strlen(word)))
			continue;
		if (n < sizeof(names))
			n += snprintf(names + n, sizeof(names) - n, "%s%s", hit ? ", " : "", k->name);
		if (hit) {
			for (k++; k->name; k++)
				if (!strncmp(k->name, word, strlen(word)) && n < sizeof(names))
					n += snprintf(names + n, sizeof(names) - n, ", %s", k->name);
			usage_err("%s%s'%s' is ambiguous: %s", path, path[0] ? ": " : "", word, names);
			return NULL;
		}
		hit = k;
	}
	if (!hit)
		usage_err("%s%sunknown %s '%s' (see '%s%s%s help')", path, path[0] ? ": " : "",
			  word[0] == '-' ? "option" : path[0] ? "command" : "object", word, bin_name,
			  path[0] ? " " : "", path);
	return hit;
}

int cmd_run(const struct cmd *c, const char *path, int argc, char **argv)
{
	const struct cmd *k;
	char sub[128];

	if (!c->sub)
		return wants_help(argc, argv) ? cmd_help(c, path) : c->func(argc, argv);
	if (argc < 1)
		return usage_err("%s%smissing %s (see '%s%s%s help')", path, path[0] ? ": " : "",
				 path[0] ? "command" : "OBJECT", bin_name, path[0] ? " " : "", path);
	if (is_help_word(argv[0]))
		return cmd_help(c, path);
	k = cmd_find(c->sub, argv[0], path);
	if (!k)
		return EXIT_USAGE;
	snprintf(sub, sizeof(sub), "%s%s%s", path, path[0] ? " " : "", k->name);
	return cmd_run(k, sub, argc - 1, argv + 1);
}

int no_opts(const char *cmd, int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++)
		if (argv[i][0] == '-' && argv[i][1])
			return usage_err("%s: unknown option '%s' (see '%s %s help')", cmd, argv[i],
					 bin_name, cmd);
	return EXIT_OK;
}

int opt_err(const char *cmd, const char *shortopts, char **av)
{
	const char *tok = optind > 0 ? av[optind - 1] : "";

	if (!strncmp(tok, "--", 2)) {
		/* A known long option without its argument sets optopt. */
		if (optopt)
			return usage_err("%s: option '%s' needs an argument", cmd, tok);
		return usage_err("%s: unknown option '%s' (see '%s %s help')", cmd, tok,
				 bin_name, cmd);
	}
	if (optopt && strchr(shortopts, optopt))
		return usage_err("%s: option '-%c' needs an argument", cmd, optopt);
	return usage_err("%s: unknown option '-%c' (see '%s %s help')", cmd, optopt ? optopt : '?',
			 bin_name, cmd);
}

void json_value_field(json_writer_t *w, const char *name, const char *v)
{
	const char *p = v + (v[0] == '-');
	unsigned long long u;
	long long n;
	char *end;

	jsonw_name(w, name);
	/* digits only, no leading zero, within 64 bits */
	if (*p < '0' || *p > '9' || strlen(p) > 19 || (p[0] == '0' && p[1])) {
		jsonw_string(w, v);
	} else if (v[0] == '-') {
		n = strtoll(v, &end, 10);
		if (*end)
			jsonw_string(w, v);
		else
			jsonw_int(w, n);
	} else {
		u = strtoull(v, &end, 10);
		if (*end)
			jsonw_string(w, v);
		else
			jsonw_uint(w, u);
	}
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
