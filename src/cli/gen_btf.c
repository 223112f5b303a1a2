/* `ucorebtf gen btf ELF`: BTF for a userspace binary from its DWARF, by
 * ucorebtf's own encoder (tool/dwarf_btf.h) or through pahole (--via
 * pahole), wrapped with the binary's build-id, soname and version.  The
 * DWARF is looked up by tool/debuginfo.h; this file parses the arguments
 * and says what happened. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "tool/btf_io.h"
#include "tool/debuginfo.h"
#include "tool/dwarf_btf.h"
#include "tool/pahole.h"
#include "cli/common.h"
#include "cli/cmds.h"

static int gen_btf_help(void)
{
	fprintf(stderr,
		"Usage: %s gen btf ELF [-o OUT] [--version V] [--name LIB] [--debug-file F]\n"
		"                     [--via ucorebtf|pahole]\n"
		"\n"
		"Encode the DWARF of ELF (executable or shared library) as BTF, with\n"
		"ucorebtf's own encoder (default) or with pahole (--via pahole).\n"
		"Without DWARF in ELF, debug info is looked up in /usr/lib/debug/.build-id/,\n"
		"then through .gnu_debuglink, then from debuginfod (DEBUGINFOD_URLS), then\n"
		"in --debug-file F.  -d lists every DWARF entry the encoder skipped.\n"
		"OUT (default ./<basename of ELF>.btf) is a small ELF holding .BTF and the\n"
		"binary's build-id, soname and version; libbpf and bpftool read it as BTF.\n",
		bin_name);
	return EXIT_OK;
}

/* Library name: soname without ".so*" (libssl.so.3 -> libssl), else the file name. */
static void derive_library(const char *elf_path, const char *soname, char *out, size_t sz)
{
	const char *base = strrchr(elf_path, '/') ? strrchr(elf_path, '/') + 1 : elf_path;
	char *so;

	snprintf(out, sz, "%.*s", (int)sz - 1, soname[0] ? soname : base);
	so = strstr(out, ".so");
	if (so)
		*so = 0;
}

static int count_structs(const struct btf *btf)
{
	int i, n = 0, cnt = btf__type_cnt(btf);

	for (i = 1; i < cnt; i++)
		if (btf_is_composite(btf__type_by_id(btf, i)))
			n++;
	return n;
}

static int count_funcs(const struct btf *btf)
{
	int i, n = 0, cnt = btf__type_cnt(btf);

	for (i = 1; i < cnt; i++)
		if (btf_is_func(btf__type_by_id(btf, i)))
			n++;
	return n;
}

/* gen btf -d: pahole's own output, and each DWARF entry the encoder left out. */
static void print_line(void *ctx, const char *line)
{
	fputs(line, stderr);
}

static void print_detail(void *ctx, const char *line)
{
	fprintf(stderr, "%s\n", line);
}

int do_gen_btf(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "version", required_argument, NULL, 'v' },
		{ "name", required_argument, NULL, 'n' },
		{ "debug-file", required_argument, NULL, 'f' },
		{ "via", required_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *elf_path, *out = NULL, *version = "", *name = NULL, *debug_file = NULL;
	char out_buf[PATH_MAX], dwarf[PATH_MAX];
	struct dwarf_btf_stats st = {};
	struct debuginfo_elf info;
	struct btf_meta meta = {};
	struct btf *btf;
	bool via_pahole = false;
	int opt, err, unhandled = 0, nstructs;

	optind = 1;
	while ((opt = getopt_long(argc + 1, argv - 1, "o:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'o': out = optarg; break;
		case 'v': version = optarg; break;
		case 'n': name = optarg; break;
		case 'f': debug_file = optarg; break;
		case 'V':
			if (strcmp(optarg, "pahole") && strcmp(optarg, "ucorebtf"))
				return usage_err("gen btf: --via takes 'ucorebtf' or 'pahole', not '%s'", optarg);
			via_pahole = !strcmp(optarg, "pahole");
			break;
		case 'h': return gen_btf_help();
		default: return usage_err("gen btf: bad option (see '%s gen btf --help')", bin_name);
		}
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc == 1 && !strcmp(argv[0], "help"))
		return gen_btf_help();
	if (argc != 1)
		return usage_err("gen btf: expected one ELF file, got %d", argc);
	elf_path = argv[0];
	if (!out) {
		snprintf(out_buf, sizeof(out_buf), "%s.btf",
			 strrchr(elf_path, '/') ? strrchr(elf_path, '/') + 1 : elf_path);
		out = out_buf;
	}
	err = ucb_check_output_path(out);
	if (err) {
		p_err("%s: cannot write output: %s", out, strerror(-err));
		return EXIT_FAIL;
	}
	if (debuginfo__read_elf(elf_path, &info) ||
	    debuginfo__find(elf_path, &info, debug_file, dwarf, sizeof(dwarf))) {
		p_err("%s", ucb_errmsg());
		return EXIT_FAIL;
	}

	if (via_pahole) {
		btf = pahole__encode(dwarf, &unhandled, verbose ? print_line : NULL, NULL);
	} else {
		DWARF_BTF_OPTS(eopts, .detail = verbose ? print_detail : NULL);
		btf = dwarf_btf__encode(dwarf, &eopts, &st);
	}
	if (!btf) {
		p_err("%s", ucb_errmsg());
		return EXIT_FAIL;
	}
	nstructs = count_structs(btf);
	if (!nstructs) {
		p_err("%s: DWARF gave no struct or union; nothing to relocate against", dwarf);
		btf__free(btf);
		return EXIT_FAIL;
	}
	if (unhandled)
		fprintf(stderr, "Warning: %s: pahole skipped %d DWARF tag(s) it does not handle "
			"(e.g. _Atomic); members of those types may be void\n", dwarf, unhandled);
	if (st.skipped || st.dropped_members || st.void_refs || st.skipped_funcs)
		fprintf(stderr, "Warning: %s: %u DWARF type(s) BTF cannot express were skipped (%s); "
			"%u member(s) and %u function(s) left out, %u pointer/parameter(s) made void%s\n",
			dwarf, st.skipped, st.skipped_tags[0] ? st.skipped_tags : "-",
			st.dropped_members, st.skipped_funcs, st.void_refs,
			verbose ? "" : " (-d lists them)");

	if (name)
		snprintf(meta.library, sizeof(meta.library), "%s", name);
	else
		derive_library(elf_path, info.id.soname, meta.library, sizeof(meta.library));
	snprintf(meta.version, sizeof(meta.version), "%s", version);
	snprintf(meta.soname, sizeof(meta.soname), "%s", info.id.soname);
	snprintf(meta.build_id, sizeof(meta.build_id), "%s", info.id.build_id);
	snprintf(meta.arch, sizeof(meta.arch), "%s", info.id.arch);
	err = btf_write_elf(out, btf, &meta);
	if (err) {
		p_err("%s: cannot write output: %s", out, strerror(-err));
		btf__free(btf);
		return EXIT_FAIL;
	}
	if (json_output) {
		printf("{\"output\":");
		json_str(stdout, out);
		printf(",\"source\":");
		json_str(stdout, dwarf);
		printf(",\"library\":");
		json_str(stdout, meta.library);
		printf(",\"version\":");
		json_str(stdout, meta.version);
		printf(",\"soname\":");
		json_str(stdout, meta.soname);
		printf(",\"build_id\":");
		json_str(stdout, meta.build_id);
		printf(",\"arch\":\"%s\",\"encoder\":\"%s\",\"types\":%u,\"structs\":%d,"
		       "\"funcs\":%d,\"pahole_unhandled\":%d,\"skipped\":%u,\"dropped_members\":%u}\n",
		       meta.arch, via_pahole ? "pahole" : "ucorebtf", btf__type_cnt(btf) - 1, nstructs,
		       count_funcs(btf), unhandled, st.skipped, st.dropped_members);
	} else {
		printf("%s: %u types (%d struct/union) from %s\n", out, btf__type_cnt(btf) - 1,
		       nstructs, dwarf);
	}
	btf__free(btf);
	return EXIT_OK;
}
