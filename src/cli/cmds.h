/* Command handlers: argv[0] is the first argument after the command name.
 * Each returns EXIT_OK, EXIT_FAIL or EXIT_USAGE. */
#ifndef UCOREBTF_CMDS_H
#define UCOREBTF_CMDS_H

#include <stdbool.h>

int do_gen_btf(int argc, char **argv);		/* src/cli/gen_btf.c */
int do_gen_min(int argc, char **argv);		/* src/cli/gen_min.c */
int do_gen_min_core_btf(int argc, char **argv);	/* src/cli/gen_min.c */
int do_check(int argc, char **argv);		/* src/cli/check.c */
int do_merge(int argc, char **argv);		/* src/cli/merge.c */
int do_report(int argc, char **argv);		/* src/cli/report.c */
int do_archive(int argc, char **argv);		/* src/cli/archive.c */
int do_bundle(int argc, char **argv);		/* src/cli/bundle.c */
int do_prepare(int argc, char **argv);		/* src/cli/prepare.c */

struct ucb_index;
/* archive list/show and bundle list: the entries, a table or JSON
 * (src/cli/archive.c). */
void index_print(const struct ucb_index *idx, bool detail);

#endif
