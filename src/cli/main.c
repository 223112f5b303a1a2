/* ucorebtf: BTFGen for userspace libraries.  CLI entry point: the global
 * options and the command tables (bpftool's grammar, cli/common.h). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cli/common.h"
#include "cli/cmds.h"

#define UCOREBTF_VERSION "0.1.0"

static int do_version(int argc, char **argv)
{
	if (no_opts("version", argc, argv))
		return EXIT_USAGE;
	if (argc)
		return usage_err("version: unexpected argument '%s'", argv[0]);
	if (!json_wtr) {
		printf("%s v%s\n", bin_name, UCOREBTF_VERSION);
		return EXIT_OK;
	}
	jsonw_start_object(json_wtr);
	jsonw_string_field(json_wtr, "version", UCOREBTF_VERSION);
	jsonw_end_object(json_wtr);
	return EXIT_OK;
}

static const struct cmd gen_cmds[] = {
	{ "btf", do_gen_btf, gen_btf_synopsis, gen_btf_doc },
	{ "min", do_gen_min, gen_min_synopsis, gen_min_doc },
	{ "min_core_btf", do_gen_min_core_btf, gen_min_core_btf_synopsis, gen_min_core_btf_doc },
	{ 0 }
};

static const struct cmd main_cmds[] = {
	{ "gen", NULL, NULL, "BTF of a binary from its DWARF (btf), the minimal BTF a BPF object's\n"
	  "CO-RE relocations need (min), bpftool's kernel-only BTFGen (min_core_btf).\n", gen_cmds },
	{ "merge", do_merge, merge_synopsis, merge_doc },
	{ "check", do_check, check_synopsis, check_doc },
	{ "report", do_report, report_synopsis, report_doc },
	{ "archive", NULL, NULL, archive_doc, archive_cmds },
	{ "bundle", NULL, NULL, bundle_doc, bundle_cmds },
	{ "prepare", do_prepare, prepare_synopsis, prepare_doc },
	{ "version", do_version, "version", "The version of ucorebtf (also -V, --version).\n" },
	{ 0 }
};

static const struct cmd top = {
	"", NULL, NULL,
	"OBJECT and COMMAND may be abbreviated to an unambiguous prefix (bundle l).\n"
	"\n"
	"OPTIONS (anywhere on the line):\n"
	"  -j|--json     JSON on stdout, errors as {\"error\": \"...\"} (docs/cli.md)\n"
	"  -p|--pretty   indented JSON (implies -j)\n"
	"  -d|--debug    libbpf's log, and what the DWARF encoder skipped, on stderr\n"
	"  -V|--version  the version\n"
	"  -h|--help     this help; 'OBJECT help' and 'OBJECT COMMAND help' for one\n"
	"\n"
	"Exit status: 0 done, 1 failed (one 'Error:' line), 2 usage error.\n",
	main_cmds
};

/* Global flags may stand anywhere on the line (bpftool accepts `... -j`);
 * take them out so that each command parses only its own options. */
static int strip_global_opts(int argc, char **argv, int *want_version)
{
	int i, n = 1;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			while (i < argc)
				argv[n++] = argv[i++];
			break;
		}
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json"))
			json_output = true;
		else if (!strcmp(argv[i], "-p") || !strcmp(argv[i], "--pretty"))
			json_output = pretty_output = true;
		else if (!strcmp(argv[i], "-d") || !strcmp(argv[i], "--debug"))
			verbose = true;
		else if (n == 1 && (!strcmp(argv[i], "-V") || !strcmp(argv[i], "--version")))
			*want_version = 1;
		else
			argv[n++] = argv[i];
	}
	argv[n] = NULL;
	return n;
}

int main(int argc, char **argv)
{
	int want_version = 0, rc;

	/* One error line: ours, never getopt's as well. */
	opterr = 0;
	argc = strip_global_opts(argc, argv, &want_version);
	libbpf_log_init();
	/* Under -j everything on stdout, errors included, goes through one
	 * writer, as in bpftool. */
	if (json_output) {
		json_wtr = jsonw_new(stdout);
		if (!json_wtr) {
			fputs("Error: out of memory\n", stderr);
			return EXIT_FAIL;
		}
		jsonw_pretty(json_wtr, pretty_output);
	}
	if (want_version)
		rc = do_version(0, NULL);
	else
		rc = cmd_run(&top, "", argc - 1, argv + 1);
	jsonw_destroy(&json_wtr);
	return rc;
}
