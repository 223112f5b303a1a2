// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Thread-local state the way profilers find it, with kernel and library
 * CO-RE in one program: from a uprobe on glibc's usleep(), read the
 * current task's thread pointer from the kernel (task_struct->thread.fsbase
 * on x86-64, relocated against the running kernel's BTF), then glibc's
 * struct pthread at that address (relocated against the libc.so.6 BTF that
 * libucorebtf picks by build-id).  struct pthread's start_routine and arg
 * move between Debian's glibc releases (2.31: 1600/1608, 2.36 and 2.41:
 * 1592/1600, 2.43: 1600/1608); tid stays at 720.  tests/e2e/t_glibc_tls.sh. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "glibc_tls.h"

/* glibc's nptl/descr.h, the members read here. */
struct pthread {
	int tid;
	void *start_routine;
	void *arg;
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct glibc_tls_result);
} results SEC(".maps");

SEC("uprobe")
int BPF_UPROBE(glibc_usleep_entry)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	struct glibc_tls_result r = {}, *old;
	struct task_struct *task = (void *)bpf_get_current_task();
	struct pthread *pd;

	old = bpf_map_lookup_elem(&results, &tgid);
	if (old) {
		__sync_fetch_and_add(&old->hits, 1);
		return 0;
	}
	r.hits = 1;
	r.kernel_tid = (__u32)id;
	r.fsbase = BPF_CORE_READ(task, thread.fsbase);
	pd = (struct pthread *)r.fsbase;
	r.tid = BPF_CORE_READ_USER(pd, tid);
	r.start_routine = (__u64)BPF_CORE_READ_USER(pd, start_routine);
	r.arg = (__u64)BPF_CORE_READ_USER(pd, arg);
	r.tid_off = bpf_core_field_offset(pd->tid);
	r.arg_off = bpf_core_field_offset(pd->arg);
	bpf_map_update_elem(&results, &tgid, &r, BPF_NOEXIST);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
