/* Shared helpers of the ucorebtf command line: messages, files, libbpf log. */
#ifndef UCOREBTF_COMMON_H
#define UCOREBTF_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "lib/errmsg.h"
#include "lib/fileio.h"
#include "cli/json_writer.h"

/* Exit codes, as bpftool: ok / failed / usage. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

extern bool json_output;	/* -j/--json given anywhere on the line */
extern bool pretty_output;	/* -p/--pretty: indented JSON (implies -j) */
extern json_writer_t *json_wtr;	/* stdout under -j, made by main() */
extern bool verbose;		/* -d/--debug: pass libbpf's log through */
extern const char *bin_name;

/* The grammar, as bpftool's: ucorebtf [OPTIONS] OBJECT [COMMAND] [ARGS].
 * An entry is an object (sub: its commands) or a command (func).  Every
 * entry answers `help`, `-h` and `--help` with its usage on stdout (exit
 * 0); names match by unambiguous prefix (`bun l`).  synopsis is the full
 * command line after the binary's name ("gen btf ELF [-o OUT] ..."),
 * every option included, continuation lines starting with spaces; the
 * help texts, the man pages and the completion are checked against it. */
struct cmd {
	const char *name;
	int (*func)(int argc, char **argv);	/* a command; NULL for an object */
	const char *synopsis;			/* a command's */
	const char *doc;			/* what it does; NULL: nothing more */
	const struct cmd *sub;			/* an object's commands, { 0 }-ended */
};

/* Run entry c (path: its words, "gen btf") on the arguments after its
 * name: help, the command, or the object's command named by argv[0]. */
int cmd_run(const struct cmd *c, const char *path, int argc, char **argv);
/* Usage of c on stdout (under -j: {"help": "..."}); EXIT_OK. */
int cmd_help(const struct cmd *c, const char *path);

/* The usage error for getopt's '?' (opterr is 0: getopt prints nothing):
 * "CMD: unknown option '--x'" or "CMD: option '-o' needs an argument".
 * av and shortopts as given to getopt.  Returns EXIT_USAGE. */
int opt_err(const char *cmd, const char *shortopts, char **av);
/* For a command without options: an argument starting with '-' is an
 * unknown option (a file so named is given as ./-x).  EXIT_OK or
 * EXIT_USAGE after the error. */
int no_opts(const char *cmd, int argc, char **argv);

/* One error line: "Error: ..." on stderr, or under -j {"error":"..."}
 * through json_wtr (as bpftool). */
void p_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void p_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int usage_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* p_err("%s", ucb_errmsg()) if a failing call recorded a message.  Calls
 * that still print their own (the BTF reader, the engine) record none. */
void p_errmsg(void);

/* Capture libbpf's log (tool/libbpf_log.h); under -d it also goes to
 * stderr.  Call after the global options are parsed. */
void libbpf_log_init(void);

/* A JSON writer onto f (a file's content), indented under -p.  Prints an
 * error and returns NULL when out of memory.  Output on stdout goes through
 * json_wtr instead. */
json_writer_t *json_new(FILE *f);
/* name: the relocation value v ("112", "-1", "struct data"), a JSON
 * number when it is a decimal number, else a string. */
void json_value_field(json_writer_t *w, const char *name, const char *v);

#endif
