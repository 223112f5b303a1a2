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

static int prepare_help(void)
{
	fprintf(stderr,
		"Usage: %s prepare --bundle FILE [--obj OBJ] [--kernel-btf F] [--version V]\n"
		"                  TARGET... -o OUT.btf\n"
		"\n"
		"Pick the bundle entry of each TARGET binary (build-id, else --version,\n"
		"else a version read from the binary) and write one raw BTF with those\n"
		"entries and the kernel types OBJ needs: a btf_custom_path for libbpf,\n"
		"cilium/ebpf or aya.\n", bin_name);
	return EXIT_OK;
}

int do_prepare(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "obj", required_argument, NULL, 'O' },
		{ "kernel-btf", required_argument, NULL, 'k' },
		{ "version", required_argument, NULL, 'v' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
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
	while ((opt = getopt_long(argc + 1, argv - 1, "o:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'b': bundle = optarg; break;
		case 'O': po.object_path = optarg; break;
		case 'k': po.kernel_btf_path = optarg; break;
		case 'v': version = optarg; break;
		case 'o': out = optarg; break;
		case 'h': return prepare_help();
		default: return usage_err("prepare: bad option (see '%s prepare help')", bin_name);
		}
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc == 1 && !strcmp(argv[0], "help"))
		return prepare_help();
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
	else if (json_output) {
		json_writer_t *w = json_wtr;
		const char *f[5];

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
			jsonw_end_object(w);
		}
		jsonw_end_array(w);
		jsonw_end_object(w);
	} else {
		fputs(ucorebtf_btf__describe(t), stderr);
	}
	ucorebtf_btf__close(t);
	ucorebtf_bundle__close(b);
	return err ? EXIT_FAIL : EXIT_OK;
}
