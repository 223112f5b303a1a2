/* Command handlers: argv[0] is the first argument after the command name.
 * Each returns EXIT_OK, EXIT_FAIL or EXIT_USAGE. */
#ifndef UCOREBTF_CMDS_H
#define UCOREBTF_CMDS_H

int do_gen_btf(int argc, char **argv);		/* src/gen_btf.c */
int do_gen_min(int argc, char **argv);		/* src/cmd_gen_min.c */
int do_gen_min_core_btf(int argc, char **argv);	/* src/cmd_gen_min.c */
int do_check(int argc, char **argv);		/* src/cmd_gen_min.c */
int do_merge(int argc, char **argv);		/* src/merge.c */
int do_report(int argc, char **argv);		/* src/report.c */
int do_archive(int argc, char **argv);		/* src/cmd_archive.c */
int do_bundle(int argc, char **argv);		/* src/cmd_bundle.c */
int do_prepare(int argc, char **argv);		/* src/cmd_prepare.c */

#endif
