// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The seed probe for cilium/ebpf (examples/go/): bpf/seed.bpf.c with the
 * section name older cilium/ebpf understands.  cilium/ebpf 0.9.1 (Debian
 * 12's golang-github-cilium-ebpf-dev) knows a uprobe only by the prefix
 * "uprobe/"; a bare SEC("uprobe"), as libbpf >= 1.0 writes it, is an
 * "unknown program type" there (docs/runtime.md).  The word after the
 * slash is not used: the Go loader names the symbol when it attaches.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "seed.h"

/* Layout of the first release; the second inserts `int b` after `a`. */
struct data {
	int a;
	int c;
	int d;
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct seed_result);
} results SEC(".maps");

SEC("uprobe/add_test")
int BPF_UPROBE(add_test_entry, struct data *d)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct seed_result r = {}, *old;

	r.a = BPF_CORE_READ_USER(d, a);
	r.c = BPF_CORE_READ_USER(d, c);
	old = bpf_map_lookup_elem(&results, &tgid);
	r.hits = old ? old->hits + 1 : 1;
	r.sum = r.a + r.c;
	bpf_map_update_elem(&results, &tgid, &r, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
