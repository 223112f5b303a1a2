/* ucorebtf: BTFGen for userspace libraries.  CLI entry point. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cli/common.h"
#include "cli/cmds.h"

#define UCOREBTF_VERSION "0.1.0"

static int do_help(int argc, char **argv)
{
	fprintf(stderr,
		"Usage: %s [OPTIONS] OBJECT COMMAND [ARGS]\n"
		"       %s OBJECT help\n"
		"\n"
		"  gen btf ELF [-o OUT] [--version V] [--debug-file F]\n"
		"                           BTF of a userspace ELF from its DWARF (own encoder; --via pahole)\n"
		"  gen min OBJ... BTF... [-k KERNEL_BTF | --no-kernel] [-o DIR]\n"
		"          [--group-by-version] [--release A.btf,B.btf]... [--app-type NAME]...\n"
		"          [--kernel-type NAME]... [--no-verify]\n"
		"                           minimal per-library-version BTF for OBJ's CO-RE relocations\n"
		"  gen min_core_btf INPUT OUTPUT OBJ...\n"
		"                           bpftool-compatible kernel-only BTFGen\n"
		"  merge [BASE] APP.btf... -o OUT\n"
		"                           kernel BTF (default /sys/kernel/btf/vmlinux) + app BTF\n"
		"  check OBJ... BTF... [-k KERNEL_BTF | --no-kernel]\n"
		"                           each relocation's decision per target\n"
		"  report OBJ... ARCHIVE_DIR|BTF... [-f text|md|json|html] [-o OUT] [--strict]\n"
		"                           compatibility matrix: relocations x releases\n"
		"  archive list|show|verify|add|needs ARCHIVE_DIR ...\n"
		"                           the versioned library archive (docs/archive.md)\n"
		"  bundle create ARCHIVE_DIR -o OUT [--compress xz|zlib|none] [--emit raw|c|elf]\n"
		"  bundle list|verify FILE | bundle extract FILE -o DIR\n"
		"                           compressed bundles for shipping (docs/bundle.md)\n"
		"  prepare --bundle FILE [--obj OBJ] TARGET... -o OUT.btf\n"
		"                           btf_custom_path for TARGETs from a bundle (docs/runtime.md)\n"
		"\n"
		"OPTIONS: -j|--json  -p|--pretty (indented JSON, implies -j)  -d|--debug (libbpf log)\n"
		"         -V|--version  -h|--help\n",
		bin_name, bin_name);
	return EXIT_OK;
}

static int do_gen_help(int argc, char **argv)
{
	fprintf(stderr,
		"Usage: %s gen btf ELF [-o OUT] [--version V] [--debug-file F]\n"
		"       %s gen min OBJ... BTF... [-k KERNEL_BTF | --no-kernel] [-o DIR]\n"
		"       %s gen min_core_btf INPUT OUTPUT OBJ...\n"
		"       %s gen help\n",
		bin_name, bin_name, bin_name, bin_name);
	return EXIT_OK;
}

static const struct cmd gen_cmds[] = {
	{ "btf", do_gen_btf },
	{ "min", do_gen_min },
	{ "min_core_btf", do_gen_min_core_btf },
	{ 0 }
};

static int do_gen(int argc, char **argv)
{
	return cmd_select(gen_cmds, argc, argv, do_gen_help);
}

static int do_version(int argc, char **argv)
{
	if (!json_wtr) {
		printf("%s v%s\n", bin_name, UCOREBTF_VERSION);
		return EXIT_OK;
	}
	jsonw_start_object(json_wtr);
	jsonw_string_field(json_wtr, "version", UCOREBTF_VERSION);
	jsonw_end_object(json_wtr);
	return EXIT_OK;
}

static const struct cmd main_cmds[] = {
	{ "gen", do_gen },
	{ "merge", do_merge },
	{ "archive", do_archive },
	{ "bundle", do_bundle },
	{ "prepare", do_prepare },
	{ "check", do_check },
	{ "report", do_report },
	{ "version", do_version },
	{ 0 }
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
		rc = cmd_select(main_cmds, argc - 1, argv + 1, do_help);
	jsonw_destroy(&json_wtr);
	return rc;
}
