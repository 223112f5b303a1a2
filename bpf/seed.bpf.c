// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Uprobe on add_test(struct data *): reads d->a and d->c.
 *
 * Built twice: with CO-RE (the field offsets are relocated against the
 * target's BTF at load time) and with -DSEED_NO_CORE, which bakes in the
 * offsets of the release it was compiled against, like hand-made offset
 * tables do.
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
}
#ifndef SEED_NO_CORE
__attribute__((preserve_access_index))
#endif
;

#ifdef SEED_NO_CORE
#define READ_USER(dst, src) bpf_probe_read_user(&(dst), sizeof(dst), &(src))
#else
#define READ_USER(dst, src) bpf_core_read_user(&(dst), sizeof(dst), &(src))
#endif

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct seed_result);
} results SEC(".maps");

SEC("uprobe")
int BPF_UPROBE(add_test_entry, struct data *d)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct seed_result r = {}, *old;
	int a = 0, c = 0;

	READ_USER(a, d->a);
	READ_USER(c, d->c);
	old = bpf_map_lookup_elem(&results, &tgid);
	r.hits = old ? old->hits + 1 : 1;
	r.a = a;
	r.c = c;
	r.sum = a + c;
	bpf_map_update_elem(&results, &tgid, &r, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
