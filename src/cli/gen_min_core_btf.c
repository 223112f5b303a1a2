/* gen min_core_btf: bpftool's kernel-only BTFGen, on the gen min engine
 * (bpftool-ext/minimize.c) set up by a session (tool/session.h). */
#include <errno.h>
#include <string.h>
#include <bpf/btf.h>
#include "cli/common.h"
#include "cli/cmds.h"
#include "tool/btf_io.h"
#include "tool/session.h"
#include "minimize.h"

const char gen_min_core_btf_synopsis[] = "gen min_core_btf INPUT OUTPUT OBJ...";
const char gen_min_core_btf_doc[] =
	"bpftool-compatible kernel-only BTFGen: the BTF of INPUT the OBJs need,\n"
	"written to OUTPUT.\n";

int do_gen_min_core_btf(int argc, char **argv)
{
	struct session_opts so = {};
	struct session s;
	struct btf *blob = NULL;
	const void *raw;
	__u32 size;
	int i, err, rc = EXIT_FAIL;

	if (no_opts("gen min_core_btf", argc, argv))
		return EXIT_USAGE;
	if (argc < 3)
		return usage_err("gen min_core_btf: usage: gen min_core_btf INPUT OUTPUT OBJ...");
	err = ucb_check_output_path(argv[1]);
	if (err) {
		p_err("%s: cannot write: %s", argv[1], strerror(-err));
		return EXIT_FAIL;
	}
	for (i = 2; i < argc; i++) {
		enum btf_file_kind kind;

		if (btf_file_kind(argv[i], &kind)) {
			p_err("%s", ucb_errmsg());
			return EXIT_FAIL;
		}
		if (kind != BTF_FILE_BPF_OBJ) {
			p_err("%s: not a BPF object: no .BTF.ext section", argv[i]);
			return EXIT_FAIL;
		}
	}
	so.kernel = argv[0];	/* INPUT: the BTF to minimize */
	session__init(&s, &so);
	for (i = 2, err = 0; !err && i < argc; i++)
		err = session__add_object(&s, argv[i]);
	if (!err && session__add_release(&s, "kernel") < 0)
		err = -ENOMEM;
	err = err ?: session__load_engine(&s);
	err = err ?: session__run(&s, false);
	if (err) {
		p_errmsg();
		goto out;
	}
	blob = um_kernel_blob(s.e);
	if (!blob) {
		p_err("%s: cannot build minimized BTF: %s", argv[0], strerror(errno));
		goto out;
	}
	raw = btf__raw_data(blob, &size);
	err = ucb_write_file_atomic(argv[1], raw, size);
	if (err) {
		p_err("%s: cannot write: %s", argv[1], strerror(-err));
		goto out;
	}
	if (json_output) {
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "output", argv[1]);
		jsonw_uint_field(json_wtr, "types", btf__type_cnt(blob) - 1);
		jsonw_uint_field(json_wtr, "size", size);
		jsonw_end_object(json_wtr);
	}
	rc = EXIT_OK;
out:
	btf__free(blob);
	session__free(&s);
	return rc;
}
