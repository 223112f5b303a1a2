/* `ucorebtf merge [BASE] APP.btf... -o OUT`: kernel BTF and application BTF
 * in one file, usable as libbpf's btf_custom_path. */
#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <bpf/btf.h>
#include "lib/names.h"
#include "tool/btf_io.h"
#include "cli/common.h"
#include "cli/cmds.h"


const char merge_synopsis[] = "merge [BASE] APP.btf... -o|--output OUT [--base FILE | --no-base]";
const char merge_doc[] =
	"Concatenate the kernel BTF (BASE, default " UCB_KERNEL_BTF_DEFAULT ") and one or\n"
	"more application BTFs (raw BTF or ELF with .BTF) into one raw BTF file OUT,\n"
	"usable as libbpf's btf_custom_path.  A first argument is taken as BASE when\n"
	"it holds kernel types (struct task_struct).  Types are appended as they are:\n"
	"a name defined in both the kernel and an app makes CO-RE ambiguous; `gen min`\n"
	"avoids that.\n";

static bool is_kernel_btf(const struct btf *btf)
{
	return btf__find_by_name_kind(btf, "task_struct", BTF_KIND_STRUCT) > 0;
}

int do_merge(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "base", required_argument, NULL, 'b' },
		{ "no-base", no_argument, NULL, 'n' },
		{ 0 }
	};
	const char *out = NULL, *base_path = NULL;
	struct btf *base = NULL, *merged = NULL, *app;
	bool no_base = false, base_given;
	int opt, i, first = 0, err, ret = EXIT_FAIL;

	optind = 1;
	while ((opt = getopt_long(argc + 1, argv - 1, "o:", opts, NULL)) != -1) {
		switch (opt) {
		case 'o': out = optarg; break;
		case 'b': base_path = optarg; break;
		case 'n': no_base = true; break;
		default: return opt_err("merge", "o:", argv - 1);
		}
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (!out)
		return usage_err("merge: missing -o OUT");
	if (argc < 1)
		return usage_err("merge: no input BTF given");
	err = ucb_check_output_path(out);
	if (err) {
		p_err("%s: cannot write output: %s", out, strerror(-err));
		return EXIT_FAIL;
	}

	base_given = base_path || no_base;
	if (!base_given && argc >= 2) {
		/* merge BASE APP...: the first file is BASE if it is kernel BTF. */
		app = btf_load(argv[0], NULL);
		if (!app) {
			p_err("%s", ucb_errmsg());
			return EXIT_FAIL;
		}
		if (is_kernel_btf(app)) {
			base = app;
			first = 1;
		} else {
			btf__free(app);
		}
	}
	if (!base && !no_base) {
		base = btf_load(base_path ?: UCB_KERNEL_BTF_DEFAULT, NULL);
		if (!base) {
			p_err("%s", ucb_errmsg());
			return EXIT_FAIL;
		}
	}

	merged = btf__new_empty();
	if (!merged || (base && btf__add_btf(merged, base) < 0)) {
		p_err("%s: cannot copy base BTF: %s", base_path ?: UCB_KERNEL_BTF_DEFAULT, strerror(errno));
		goto out;
	}
	for (i = first; i < argc; i++) {
		app = btf_load(argv[i], NULL);
		if (!app) {
			p_err("%s", ucb_errmsg());
			goto out;
		}
		err = btf__add_btf(merged, app);
		btf__free(app);
		if (err < 0) {
			p_err("%s: cannot append its types: %s", argv[i], strerror(-err));
			goto out;
		}
	}
	err = btf_write_raw(out, merged);
	if (err) {
		p_err("%s: cannot write output: %s", out, strerror(-err));
		goto out;
	}
	if (json_output) {
		json_writer_t *w = json_wtr;

		jsonw_start_object(w);
		jsonw_string_field(w, "output", out);
		jsonw_uint_field(w, "types", btf__type_cnt(merged) - 1);
		jsonw_int_field(w, "inputs", argc - first);
		jsonw_bool_field(w, "base", base);
		jsonw_end_object(w);
	}
	ret = EXIT_OK;
out:
	btf__free(merged);
	btf__free(base);
	return ret;
}
