/* `ucorebtf prepare --bundle FILE [--obj OBJ] TARGET... -o OUT.btf`: what
 * libucorebtf does at load time, for loaders that take a BTF path
 * (cilium/ebpf CollectionOptions.Programs.KernelTypes, aya's BtfCustomPath). */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "ucorebtf.h"
#include "tool/btf_io.h"
#include "cli/common.h"
#include "cli/cmds.h"

const char prepare_synopsis[] =
	"prepare --bundle FILE [--obj OBJ] [--kernel-btf F] [--version V] [--follow-needed]\n"
	"        TARGET... -o|--output OUT.btf";
const char prepare_doc[] =
	"Pick the bundle entry of each TARGET binary (build-id, else --version,\n"
	"else a version read by the library's version rule, for a library the\n"
	"target identifies as) and write one raw BTF with those entries and the\n"
	"kernel types OBJ needs: a btf_custom_path for libbpf, cilium/ebpf or aya\n"
	"(docs/runtime.md).  --follow-needed lets a rule read a DT_NEEDED library\n"
	"(needed:SONAME).  A target not chosen by build-id is named in a warning\n"
	"(-j: \"exact\": false).\n";

/* "a (rule:symbol:lua_ident), b (version)": the targets whose entry was
 * not chosen by build-id, malloc'ed; NULL if none (or out of memory). */
static char *weak_targets(const struct ucorebtf_btf *t)
{
	const char *path, *how;
	char *s = NULL;
	size_t i, len = 0, n = 0;
	FILE *f = open_memstream(&s, &len);

	if (!f)
		return NULL;
	for (i = 0; !ucorebtf_btf__target(t, i, &path, NULL, NULL, NULL, &how); i++)
		if (strcmp(how, "build-id"))
			fprintf(f, "%s%s (%s)", n++ ? ", " : "", path, how);
	if (fclose(f) || !n) {
		free(s);
		return NULL;
	}
	return s;
}

static void print_json(const struct ucorebtf_btf *t, const char *out, size_t sz)
{
	json_writer_t *w = json_wtr;
	char *weak = weak_targets(t);
	const char *f[5];
	size_t i;

	jsonw_start_object(w);
	jsonw_string_field(w, "output", out);
	jsonw_uint_field(w, "size", sz);
	jsonw_name(w, "targets");
	jsonw_start_array(w);
	for (i = 0; !ucorebtf_btf__target(t, i, &f[0], &f[1], &f[2], &f[3], &f[4]); i++) {
		jsonw_start_object(w);
		jsonw_string_field(w, "target", f[0]);
		jsonw_string_field(w, "library", f[1]);
		jsonw_string_field(w, "version", f[2]);
		jsonw_string_field(w, "arch", f[3]);
		jsonw_string_field(w, "how", f[4]);
		/* Only a build-id match is exact; the rest rests on a version. */
		jsonw_bool_field(w, "exact", !strcmp(f[4], "build-id"));
		jsonw_end_object(w);
	}
	jsonw_end_array(w);
	if (weak)
		jsonw_string_field(w, "warning", weak);
	jsonw_end_object(w);
	free(weak);
}

/* What was chosen, and one warning line if anything rests on a version
 * string rather than the build-id. */
static void print_text(const struct ucorebtf_btf *t)
{
	char *weak = weak_targets(t);

	fputs(ucorebtf_btf__describe(t), stderr);
	if (weak)
		fprintf(stderr, "Warning: not matched by build-id, chosen by version: %s\n", weak);
	free(weak);
}

int do_prepare(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "obj", required_argument, NULL, 'O' },
		{ "kernel-btf", required_argument, NULL, 'k' },
		{ "version", required_argument, NULL, 'v' },
		{ "output", required_argument, NULL, 'o' },
		{ "follow-needed", no_argument, NULL, 'n' },
		{ 0 }
	};
	UCOREBTF_OPTS(ucorebtf_prepare_opts, po);
	const char *bundle = NULL, *out = NULL, *version = NULL, **versions = NULL;
	struct ucorebtf_bundle *b;
	struct ucorebtf_btf *t;
	const void *raw;
	size_t sz;
	int opt, i, err;

	optind = 1;
	while ((opt = getopt_long(argc + 1, argv - 1, "o:", opts, NULL)) != -1) {
		switch (opt) {
		case 'b': bundle = optarg; break;
		case 'O': po.object_path = optarg; break;
		case 'k': po.kernel_btf_path = optarg; break;
		case 'v': version = optarg; break;
		case 'o': out = optarg; break;
		case 'n': po.follow_needed = true; break;
		default: return opt_err("prepare", "o:", argv - 1);
		}
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (!bundle || !out || argc < 1)
		return usage_err("prepare: expected --bundle FILE TARGET... -o OUT");
	err = ucb_check_output_path(out);
	if (err) {
		p_err("%s: cannot write output: %s", out, strerror(-err));
		return EXIT_FAIL;
	}
	/* The runtime reads --obj only when the bundle lacks its needs; a bad
	 * one is an error either way, and said plainly here. */
	if (po.object_path) {
		enum btf_file_kind kind;

		if (btf_file_kind(po.object_path, &kind)) {
			p_err("%s", ucb_errmsg());
			return EXIT_FAIL;
		}
		if (kind != BTF_FILE_BPF_OBJ) {
			p_err("%s: not a BPF object (no .BTF.ext section)", po.object_path);
			return EXIT_FAIL;
		}
	}
	if (version) {
		versions = calloc(argc, sizeof(*versions));
		if (!versions) {
			p_err("out of memory");
			return EXIT_FAIL;
		}
		for (i = 0; i < argc; i++)
			versions[i] = version;
		po.versions = versions;
	}
	b = ucorebtf_bundle__open_file(bundle, NULL);
	if (!b) {
		p_err("%s", ucorebtf_errmsg());
		free(versions);
		return EXIT_FAIL;
	}
	t = ucorebtf_bundle__prepare(b, (const char *const *)argv, argc, &po);
	free(versions);
	if (!t) {
		p_err("%s", ucorebtf_errmsg());
		ucorebtf_bundle__close(b);
		return EXIT_FAIL;
	}
	raw = ucorebtf_btf__raw_data(t, &sz);
	err = ucb_write_file_atomic(out, raw, sz);
	if (err)
		p_err("%s: cannot write output: %s", out, strerror(-err));
	else if (json_output)
		print_json(t, out, sz);
	else
		print_text(t);
	ucorebtf_btf__close(t);
	ucorebtf_bundle__close(b);
	return err ? EXIT_FAIL : EXIT_OK;
}
