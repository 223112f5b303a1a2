// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Name collision: the probed library has its own `struct file` (fd, refs,
 * and an f_flags of its own); the probe reads the library's fd and refs and
 * also relocates the *kernel's* struct file f_flags.  Merging the kernel
 * with the full library BTF makes that kernel relocation ambiguous; gen min
 * with --kernel-type file keeps only fd and refs in the library blob.
 * Same interface as the seed probe: uprobe on add_test(), map `results`. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "seed.h"

/* The library's struct file, as this probe knows it. */
struct file___lib {
	int fd;
	int refs;
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct seed_result);
} results SEC(".maps");

SEC("uprobe")
int BPF_UPROBE(add_test_entry, struct file___lib *f)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct seed_result r = {}, *old;
	int fd = 0, refs = 0;

	/* kernel side: where f_flags sits in the running kernel's struct file */
	if (bpf_core_field_offset(struct file, f_flags) == 0)
		return 0;
	bpf_core_read_user(&fd, sizeof(fd), &f->fd);
	bpf_core_read_user(&refs, sizeof(refs), &f->refs);
	old = bpf_map_lookup_elem(&results, &tgid);
	r.hits = old ? old->hits + 1 : 1;
	r.a = fd;
	r.c = refs;
	r.sum = fd + refs;
	bpf_map_update_elem(&results, &tgid, &r, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
