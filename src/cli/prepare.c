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
		for (i = 0; versions && i < argc; i++)
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
		char *d = strdup(ucorebtf_btf__describe(t)), *line, *save, *f[5];

		printf("{\"output\":");
		json_str(stdout, out);
		printf(",\"size\":%zu,\"targets\":[", sz);
		for (i = 0, line = strtok_r(d, "\n", &save); line; line = strtok_r(NULL, "\n", &save), i++) {
			f[0] = strtok(line, "\t");
			for (int k = 1; k < 5; k++)
				f[k] = strtok(NULL, "\t");
			printf("%s{\"target\":", i ? "," : "");
			json_str(stdout, f[0]);
			printf(",\"library\":");
			json_str(stdout, f[1]);
			printf(",\"version\":");
			json_str(stdout, f[2]);
			printf(",\"arch\":");
			json_str(stdout, f[3]);
			printf(",\"how\":");
			json_str(stdout, f[4]);
			printf("}");
		}
		printf("]}\n");
		free(d);
	} else {
		fputs(ucorebtf_btf__describe(t), stderr);
	}
	ucorebtf_btf__close(t);
	ucorebtf_bundle__close(b);
	return err ? EXIT_FAIL : EXIT_OK;
}
