/* Our own raw-BTF reader, the one prepare runs on --kernel-btf (and on
 * /sys/kernel/btf/vmlinux): ucb_kbtf_open() indexes the input file, finding
 * the roots of needs that name the fixture kernel's types, and
 * ucb_kbtf_prune() copies what they need into a new BTF.  What the pruner
 * builds goes to libbpf, so it must parse back and pass the graph check.
 * Seeds: the kernel fixture and other raw BTF (tests/fixtures/fuzz/kbtf). */
#include <linux/btf.h>
#include <bpf/btf.h>
#include "lib/kbtf.h"
#include "lib/btf_check.h"
#include "fuzz.h"

/* The kernel types a BPF object's relocations name (pruned as prepare
 * prunes them): whole types, member paths through anonymous members,
 * arrays, pointers, an enumerator, typedef roots. */
static const struct ucb_kneed needs[] = {
	{ BTF_KIND_STRUCT, "pt_regs", "di" },
	{ BTF_KIND_STRUCT, "pt_regs", "si" },
	{ BTF_KIND_STRUCT, "task_struct", "mm" },
	{ BTF_KIND_STRUCT, "task_struct", "se.vruntime" },
	{ BTF_KIND_STRUCT, "task_struct", "comm" },
	{ BTF_KIND_STRUCT, "task_struct", "pid" },
	{ BTF_KIND_STRUCT, "mm_struct", "arg_start" },
	{ BTF_KIND_STRUCT, "sk_buff", "tstamp" },
	{ BTF_KIND_STRUCT, "sched_entity", "-" },
	{ BTF_KIND_UNION, "sk_buff", "-" },
	{ BTF_KIND_ENUM, "bpf_func_id", "BPF_FUNC_map_lookup_elem" },
	{ BTF_KIND_TYPEDEF, "pid_t", "-" },
	{ BTF_KIND_TYPEDEF, "u64", "-" },
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_init_common();
	return 0;
}

static void kernel(const uint8_t *data, size_t size)
{
	const size_t cnt = sizeof(needs) / sizeof(needs[0]);
	const char **roots = NULL;
	int *root_kinds = NULL;
	struct btf *out, *back;
	size_t root_cnt = 0, i;
	struct ucb_kbtf k;
	const void *raw;
	__u32 raw_sz;

	if (ucb_kbtf_open(fuzz_file(data, size), needs, cnt, &k))
		return;
	out = btf__new_empty();
	if (!out)
		fuzz_die("btf__new_empty: %s", strerror(errno));
	if (!ucb_kbtf_prune(&k, needs, cnt, out, &roots, &root_kinds, &root_cnt)) {
		for (i = 0; i < root_cnt; i++)
			if (!roots[i] || strlen(roots[i]) >= k.str_len)
				fuzz_die("root %zu of %zu has no name", i, root_cnt);
		raw = btf__raw_data(out, &raw_sz);
		back = raw ? btf__new(raw, raw_sz) : NULL;
		if (!back)
			fuzz_die("pruned kernel BTF does not parse back: %s", strerror(errno));
		/* prepare hands this to libbpf: it must be walkable */
		if (ucb_btf_check_graph(back, "pruned"))
			fuzz_die("pruned kernel BTF fails the graph check");
		btf__free(back);
		free(roots);
		free(root_kinds);
	}
	btf__free(out);
	ucb_kbtf_close(&k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	kernel(data, size);
	return 0;
}
