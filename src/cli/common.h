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

struct cmd {
	const char *name;
	int (*func)(int argc, char **argv);
};

/* Run the handler whose name is argv[0] ("help" and no argument included). */
int cmd_select(const struct cmd *cmds, int argc, char **argv,
	       int (*help)(int argc, char **argv));

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

#endif
