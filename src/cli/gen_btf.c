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
#include "lib/target.h"
#include "tool/btf_io.h"
#include "tool/debuginfo.h"
#include "tool/dwarf_btf.h"
#include "tool/pahole.h"
#include "cli/common.h"
#include "cli/cmds.h"

const char gen_btf_synopsis[] =
	"gen btf ELF [-o|--output OUT] [--version V] [--name LIB] [--debug-file F]\n"
	"        [--via ucorebtf|pahole] [--debug-root DIR]";
const char gen_btf_doc[] =
	"Encode the DWARF of ELF (executable or shared library) as BTF, with\n"
	"ucorebtf's own encoder (default) or with pahole (--via pahole).\n"
	"Without DWARF in ELF, debug info is looked up in /usr/lib/debug/.build-id/,\n"
	"then through .gnu_debuglink, then from debuginfod (DEBUGINFOD_URLS), then\n"
	"in --debug-file F.  --debug-root DIR looks in DIR/usr/lib/debug instead\n"
	"(an unpacked debug package).  -d lists every DWARF entry the encoder skipped.\n"
	"OUT is a small ELF holding .BTF and the binary's build-id, soname, library\n"
	"name (--name, default the soname without .so*) and version; libbpf and\n"
	"bpftool read it as BTF.  Without --version, the version is read from ELF:\n"
	"a '<Name> X.Y.Z' string in .rodata, else the file name beyond the soname\n"
	"(libfoo.so.1.2.3); where it came from is said, and a note asks for\n"
	"--version when none is found.  OUT defaults to ./<LIB>-<VERSION>.btf\n"
	"(./<file name>.btf without a version); an existing default OUT of another\n"
	"library or version is not overwritten.\n";

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
	bool default_out;		/* no -o: named here, not overwriting another version */
	char library[64];
	char found_version[UCB_VRULE_VERSION_MAX + 1];
	char version_from[160];		/* where found_version was read */
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
		{ 0 }
	};
	int opt;

	g->version = "";
	optind = 1;
	while ((opt = getopt_long(argc + 1, argv - 1, "o:", opts, NULL)) != -1) {
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
		default: return opt_err("gen btf", "o:", argv - 1);
		}
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc != 1)
		return usage_err("gen btf: expected one ELF file, got %d", argc);
	g->elf_path = argv[0];
	if (!g->out && strchr(g->version, '/'))
		return usage_err("gen btf: --version '%s' cannot name the output file (give -o OUT)",
				 g->version);
	return EXIT_OK;
}

/* The version a '<Name> X.Y.Z' string in .rodata gives, Name from the
 * library's name ("liblua5.4" -> lua, Lua, LUA), read by the runtime's
 * version-rule reader (lib/target.h).  Strings that disagree give none: a
 * guess is never made.  Returns 1 with out set, 0 for none, -errno. */
static int rodata_version(const struct ucb_target *t, const char *lib, char *out, size_t out_sz,
			  char *from, size_t from_sz)
{
	char stem[64], spell[64], spec[96], ver[UCB_VRULE_VERSION_MAX + 1];
	struct ucb_vrules rules;
	const char *why;
	size_t n, i, k;
	char *line;
	int err;

	snprintf(stem, sizeof(stem), "%.*s", (int)sizeof(stem) - 1, strncmp(lib, "lib", 3) ? lib : lib + 3);
	for (n = 0; stem[n] && !(stem[n] >= '0' && stem[n] <= '9') && stem[n] != '.' && stem[n] != '-'; n++)
		;
	stem[n] = 0;
	if (n + 1 < UCB_VRULE_PREFIX_MIN)
		return 0;
	out[0] = 0;
	for (k = 0; k < 3; k++) {
		for (i = 0; i <= n; i++)
			spell[i] = k == 2 || (k == 1 && !i) ? (stem[i] >= 'a' && stem[i] <= 'z' ?
							       stem[i] - 32 : stem[i]) : stem[i];
		snprintf(spec, sizeof(spec), "rodata:%s ", spell);
		line = ucb_vrule_line(lib, spec);
		if (!line)
			continue;	/* not a valid prefix: not a spelling to try */
		err = ucb_vrules_parse(line, strlen(line), &rules);
		free(line);
		if (err)
			continue;
		err = ucb_target_rule_version(t, &rules.r[0], ver, sizeof(ver), &why);
		ucb_vrules_free(&rules);
		if (err == -EEXIST || (err == 1 && out[0] && strcmp(out, ver))) {
			out[0] = 0;	/* two versions: --version decides */
			return 0;
		}
		if (err < 0)
			return err;
		if (err == 1 && !out[0]) {
			snprintf(out, out_sz, "%s", ver);
			snprintf(from, from_sz, "the string '%s %s' in .rodata", spell, ver);
		}
	}
	return out[0] ? 1 : 0;
}

/* libfoo.so.1.2.3 with soname libfoo.so.1: "1.2.3" (the file itself, not
 * the link of the soname's name). */
static bool file_name_version(const char *path, const char *soname, char *out, size_t out_sz)
{
	char real[PATH_MAX];
	const char *base, *so, *v;
	size_t sl = strlen(soname);

	if (!soname[0] || !realpath(path, real))
		return false;
	base = strrchr(real, '/') ? strrchr(real, '/') + 1 : real;
	so = strstr(base, ".so.");
	if (!so || strncmp(base, soname, sl) || base[sl] != '.')
		return false;
	v = so + 4;
	if (*v < '0' || *v > '9' || strlen(v) > UCB_VRULE_VERSION_MAX || strchr(v, '/'))
		return false;
	snprintf(out, out_sz, "%s", v);
	return true;
}

/* The library's name and version, and OUT when -o is not given: reported,
 * never silently empty.  EXIT_OK or EXIT_FAIL after printing why. */
static int name_output(struct gen_btf *g)
{
	struct ucb_target t;
	struct btf_meta old = {};
	int err;

	/* What is wrong with ELF is said as encode() says it. */
	err = debuginfo__read_elf(g->elf_path, &g->info);
	err = err ?: ucb_target_read(g->elf_path, &t);
	if (err) {
		p_err("%s", ucb_errmsg());
		return EXIT_FAIL;
	}
	if (g->name)
		snprintf(g->library, sizeof(g->library), "%s", g->name);
	else
		derive_library(g->elf_path, t.soname, g->library, sizeof(g->library));
	if (!g->version[0]) {
		err = rodata_version(&t, g->library, g->found_version, sizeof(g->found_version),
				     g->version_from, sizeof(g->version_from));
		if (err < 0) {
			p_err("%s", ucb_errmsg());
			ucb_target_free(&t);
			return EXIT_FAIL;
		}
		if (!err && file_name_version(g->elf_path, t.soname, g->found_version,
					      sizeof(g->found_version)))
			snprintf(g->version_from, sizeof(g->version_from), "the file name");
		if (g->found_version[0])
			g->version = g->found_version;
	}
	if (!g->out) {
		g->default_out = true;
		if (g->version[0])
			snprintf(g->out_buf, sizeof(g->out_buf), "%s-%s.btf", g->library, g->version);
		else
			snprintf(g->out_buf, sizeof(g->out_buf), "%s.btf", t.base);
		g->out = g->out_buf;
		/* Two versions of libfoo.so.1 must not overwrite each other. */
		if (!btf_meta_read(g->out, &old) &&
		    (strcmp(old.library, g->library) || strcmp(old.version, g->version))) {
			p_err("%s: holds %s %s, not overwritten with %s %s (give -o OUT or --version V)",
			      g->out, old.library, old.version[0] ? old.version : "(no version)",
			      g->library, g->version[0] ? g->version : "(no version)");
			ucb_target_free(&t);
			return EXIT_FAIL;
		}
	}
	ucb_target_free(&t);
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

/* What the encoder could not express, in one line (-d lists each); where
 * the version came from, or that none was found. */
static void print_warnings(const struct gen_btf *g)
{
	const struct dwarf_btf_stats *st = &g->st;

	if (g->found_version[0])
		p_info("%s: version %s, from %s (--version V overrides)", g->elf_path, g->version,
		       g->version_from);
	else if (!g->version[0])	/* a note, not a warning about the BTF */
		p_info("%s: no version found (no '<Name> X.Y' string in .rodata, none in the "
		       "file name): give --version V", g->elf_path);

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

	snprintf(m->library, sizeof(m->library), "%s", g->library);
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
	/* "option", a place in the ELF, or null when none was found */
	jsonw_string_field(w, "version_from", g->found_version[0] ? g->version_from :
			   m->version[0] ? "option" : NULL);
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
	if (name_output(&g))
		return EXIT_FAIL;
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
