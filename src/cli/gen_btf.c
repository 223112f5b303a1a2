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
		"                     [--via ucorebtf|pahole] [--debug-root DIR]\n"
		"\n"
		"Encode the DWARF of ELF (executable or shared library) as BTF, with\n"
		"ucorebtf's own encoder (default) or with pahole (--via pahole).\n"
		"Without DWARF in ELF, debug info is looked up in /usr/lib/debug/.build-id/,\n"
		"then through .gnu_debuglink, then from debuginfod (DEBUGINFOD_URLS), then\n"
		"in --debug-file F.  --debug-root DIR looks in DIR/usr/lib/debug instead\n"
		"(an unpacked debug package).  -d lists every DWARF entry the encoder skipped.\n"
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

struct gen_btf {
	const char *elf_path, *out, *version, *name, *debug_file, *debug_root;
	bool via_pahole;
	char out_buf[PATH_MAX];
	char dwarf[PATH_MAX];		/* the file the DWARF came from */
	struct debuginfo_elf info;
	struct dwarf_btf_stats st;	/* ucorebtf's encoder */
	int unhandled;			/* pahole's "not handled" warnings */
	int nstructs;
	struct btf_meta meta;
};

/* EXIT_OK with g->elf_path set: go on; otherwise the command's exit code
 * (help, usage error). */
static int parse_args(struct gen_btf *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "version", required_argument, NULL, 'v' },
		{ "name", required_argument, NULL, 'n' },
		{ "debug-file", required_argument, NULL, 'f' },
		{ "debug-root", required_argument, NULL, 'R' },
		{ "via", required_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int opt;

	g->version = "";
	optind = 1;
	while ((opt = getopt_long(argc + 1, argv - 1, "o:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'o': g->out = optarg; break;
		case 'v': g->version = optarg; break;
		case 'n': g->name = optarg; break;
		case 'f': g->debug_file = optarg; break;
		case 'R': g->debug_root = optarg; break;
		case 'V':
			if (strcmp(optarg, "pahole") && strcmp(optarg, "ucorebtf"))
				return usage_err("gen btf: --via takes 'ucorebtf' or 'pahole', not '%s'", optarg);
			g->via_pahole = !strcmp(optarg, "pahole");
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
	g->elf_path = argv[0];
	if (!g->out) {
		snprintf(g->out_buf, sizeof(g->out_buf), "%s.btf",
			 strrchr(g->elf_path, '/') ? strrchr(g->elf_path, '/') + 1 : g->elf_path);
		g->out = g->out_buf;
	}
	return EXIT_OK;
}

/* Find the DWARF and encode it; NULL after printing why. */
static struct btf *encode(struct gen_btf *g)
{
	struct btf *btf;

	if (debuginfo__read_elf(g->elf_path, &g->info) ||
	    debuginfo__find(g->elf_path, &g->info, g->debug_root, g->debug_file, g->dwarf, sizeof(g->dwarf))) {
		p_err("%s", ucb_errmsg());
		return NULL;
	}
	if (g->via_pahole) {
		btf = pahole__encode(g->dwarf, &g->unhandled, verbose ? print_line : NULL, NULL);
	} else {
		char alt[PATH_MAX];
		DWARF_BTF_OPTS(eopts, .detail = verbose ? print_detail : NULL,
			       .alt_path = debuginfo__find_alt(g->dwarf, g->debug_root, alt, sizeof(alt)) ? NULL : alt);
		btf = dwarf_btf__encode(g->dwarf, &eopts, &g->st);
	}
	if (!btf) {
		p_err("%s", ucb_errmsg());
		return NULL;
	}
	g->nstructs = count_structs(btf);
	if (!g->nstructs) {
		p_err("%s: DWARF gave no struct or union; nothing to relocate against", g->dwarf);
		btf__free(btf);
		return NULL;
	}
	return btf;
}

/* What the encoder could not express, in one line (-d lists each). */
static void print_warnings(const struct gen_btf *g)
{
	const struct dwarf_btf_stats *st = &g->st;

	if (g->unhandled)
		fprintf(stderr, "Warning: %s: pahole skipped %d DWARF tag(s) it does not handle "
			"(e.g. _Atomic); members of those types may be void\n", g->dwarf, g->unhandled);
	if (st->skipped || st->dropped_members || st->void_refs || st->skipped_funcs)
		fprintf(stderr, "Warning: %s: %u DWARF type(s) BTF cannot express were skipped (%s); "
			"%u member(s) and %u function(s) left out, %u pointer/parameter(s) made void%s\n",
			g->dwarf, st->skipped, st->skipped_tags[0] ? st->skipped_tags : "-",
			st->dropped_members, st->skipped_funcs, st->void_refs,
			verbose ? "" : " (-d lists them)");
}

static void fill_meta(struct gen_btf *g)
{
	struct btf_meta *m = &g->meta;

	if (g->name)
		snprintf(m->library, sizeof(m->library), "%s", g->name);
	else
		derive_library(g->elf_path, g->info.id.soname, m->library, sizeof(m->library));
	snprintf(m->version, sizeof(m->version), "%s", g->version);
	snprintf(m->soname, sizeof(m->soname), "%s", g->info.id.soname);
	snprintf(m->build_id, sizeof(m->build_id), "%s", g->info.id.build_id);
	snprintf(m->arch, sizeof(m->arch), "%s", g->info.id.arch);
}

static void print_result(const struct gen_btf *g, const struct btf *btf)
{
	const struct btf_meta *m = &g->meta;
	json_writer_t *w;

	if (!json_output) {
		printf("%s: %u types (%d struct/union) from %s\n", g->out, btf__type_cnt(btf) - 1,
		       g->nstructs, g->dwarf);
		return;
	}
	w = json_wtr;
	jsonw_start_object(w);
	jsonw_string_field(w, "output", g->out);
	jsonw_string_field(w, "source", g->dwarf);
	jsonw_string_field(w, "library", m->library);
	jsonw_string_field(w, "version", m->version);
	jsonw_string_field(w, "soname", m->soname);
	jsonw_string_field(w, "build_id", m->build_id);
	jsonw_string_field(w, "arch", m->arch);
	jsonw_string_field(w, "encoder", g->via_pahole ? "pahole" : "ucorebtf");
	jsonw_uint_field(w, "types", btf__type_cnt(btf) - 1);
	jsonw_int_field(w, "structs", g->nstructs);
	jsonw_int_field(w, "funcs", count_funcs(btf));
	jsonw_int_field(w, "pahole_unhandled", g->unhandled);
	jsonw_uint_field(w, "skipped", g->st.skipped);
	jsonw_uint_field(w, "dropped_members", g->st.dropped_members);
	jsonw_end_object(w);
}

int do_gen_btf(int argc, char **argv)
{
	struct gen_btf g = {};
	struct btf *btf;
	int rc, err;

	rc = parse_args(&g, argc, argv);
	if (rc != EXIT_OK || !g.elf_path)
		return rc;
	err = ucb_check_output_path(g.out);
	if (err) {
		p_err("%s: cannot write output: %s", g.out, strerror(-err));
		return EXIT_FAIL;
	}
	btf = encode(&g);
	if (!btf)
		return EXIT_FAIL;
	print_warnings(&g);
	fill_meta(&g);
	err = btf_write_elf(g.out, btf, &g.meta);
	if (err) {
		p_err("%s: cannot write output: %s", g.out, strerror(-err));
		btf__free(btf);
		return EXIT_FAIL;
	}
	print_result(&g, btf);
	btf__free(btf);
	return EXIT_OK;
}
