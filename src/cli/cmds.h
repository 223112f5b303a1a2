/* Command handlers: argv[0] is the first argument after the command name.
 * Each returns EXIT_OK, EXIT_FAIL or EXIT_USAGE. */
#ifndef UCOREBTF_CMDS_H
#define UCOREBTF_CMDS_H

#include <stdbool.h>

int do_gen_btf(int argc, char **argv);		/* src/cli/gen_btf.c */
int do_gen_min(int argc, char **argv);		/* src/cli/gen_min.c */
int do_gen_min_core_btf(int argc, char **argv);	/* src/cli/gen_min_core_btf.c */
int do_check(int argc, char **argv);		/* src/cli/check.c */
int do_merge(int argc, char **argv);		/* src/cli/merge.c */
int do_report(int argc, char **argv);		/* src/cli/report.c */
int do_prepare(int argc, char **argv);		/* src/cli/prepare.c */

/* Each command's usage (struct cmd in cli/common.h), next to its options. */
extern const char gen_btf_synopsis[], gen_btf_doc[];
extern const char gen_min_synopsis[], gen_min_doc[];
extern const char gen_min_core_btf_synopsis[], gen_min_core_btf_doc[];
extern const char check_synopsis[], check_doc[];
extern const char merge_synopsis[], merge_doc[];
extern const char report_synopsis[], report_doc[];
extern const char prepare_synopsis[], prepare_doc[];
/* Objects: their commands. */
struct cmd;
extern const struct cmd archive_cmds[];		/* src/cli/archive.c */
extern const char archive_doc[];
extern const struct cmd bundle_cmds[];		/* src/cli/bundle.c */
extern const char bundle_doc[];

struct ucb_index;
/* archive list/show and bundle list: the entries, a table or JSON
 * (src/cli/archive.c). */
void index_print(const struct ucb_index *idx, bool detail);

#endif
