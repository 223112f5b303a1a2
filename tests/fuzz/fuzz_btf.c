/* BTF blobs, checked as the runtime checks a bundle's blobs before libbpf
 * walks them: libbpf's btf__new() and the type-graph check (loops, nesting
 * depth).  A blob that passes must refer to no type id out of range and be
 * walkable by libbpf's public walkers (sizes, alignment, resolving) without
 * hanging or overflowing the stack.  Seeds: gen min blobs, pahole and gen btf output, the kernel
 * fixture (tests/fixtures/fuzz/btf). */
#include <bpf/btf.h>
#include "cli/common.h"
/* TODO(issue 10, validate): switch to ucb_btf_check_graph() from
 * src/lib/btf_check.c, the check the runtime runs, once it lands. */
#include "tool/btf_io.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	FILE *null = fopen("/dev/null", "w");

	fuzz_init_common();
	/* The tool layer still reports with p_err(): into a JSON writer on
	 * /dev/null, so that stderr holds libFuzzer's and the sanitizers'
	 * reports only.  TODO: drop when src/tool no longer prints. */
	if (!null || !(json_wtr = jsonw_new(null)))
		fuzz_die("/dev/null: %s", strerror(errno));
	return 0;
}

static void blob(const uint8_t *data, size_t size)
{
	struct btf *btf = btf__new(data, size);

	if (!btf)
		return;
	if (!btf_check_graph(btf, "fuzz-input"))
		fuzz_btf_walk(btf);
	btf__free(btf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	blob(data, size);
	return 0;
}
