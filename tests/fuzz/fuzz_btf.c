/* BTF blobs, checked as the runtime checks a bundle's blobs before libbpf
 * walks them: libbpf's btf__new() and the type-graph check (loops, nesting
 * depth).  A blob that passes must refer to no type id out of range and be
 * walkable by libbpf's public walkers (sizes, alignment, resolving) without
 * hanging or overflowing the stack.  Seeds: gen min blobs, pahole and gen btf output, the kernel
 * fixture (tests/fixtures/fuzz/btf). */
#include <bpf/btf.h>
#include "lib/btf_check.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_init_common();
	return 0;
}

static void blob(const uint8_t *data, size_t size)
{
	struct btf *btf = btf__new(data, size);

	if (!btf)
		return;
	if (!ucb_btf_check_graph(btf, "fuzz-input"))
		fuzz_btf_walk(btf);
	btf__free(btf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	blob(data, size);
	return 0;
}
