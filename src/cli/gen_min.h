/* The command line gen min and check share: options, inputs, the session
 * (tool/session.h) made ready to run. */
#ifndef UCOREBTF_CLI_GEN_MIN_H
#define UCOREBTF_CLI_GEN_MIN_H

#include <stdbool.h>
#include "tool/session.h"

struct min_args {
	struct session_opts so;		/* points into the arrays below */
	const char *outdir;		/* -o DIR */
	bool verify;			/* not --no-verify */
	bool archive;			/* --archive */
	bool strict;			/* --strict (gen min only) */
	const char **releases;
	struct session_force *forces;
	char **inputs;
	int ninput;
};

/* Parse argv (the arguments after the command name) and set up s: inputs
 * sorted and loaded, releases made, engine loaded with the objects.
 * want_out: -o is an option; need_libs: a library BTF is required.
 * Prints any error.  Returns EXIT_OK, EXIT_FAIL or EXIT_USAGE. */
int min_setup(struct session *s, struct min_args *a, int argc, char **argv, const char *cmd,
	      bool want_out, bool need_libs);
void min_args_free(struct min_args *a);

#endif
