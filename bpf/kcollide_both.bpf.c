// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* A probe that wants the kernel's struct task_struct (the current task's
 * tgid) and libkc's struct task_struct (a flavour) at once.  libbpf finds
 * CO-RE candidates by essential name, so one BTF cannot offer both: with
 * --kernel-type task_struct both are needed, share the member tgid, and
 * gen min refuses (tests/e2e/t_genmin_kcollide.sh).  By default (library
 * first) both resolve against the library, which gen min reports as
 * shadowed. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "kcollide_map.h"

struct task_struct___kc {
	int pid;
	int tgid;
} __attribute__((preserve_access_index));

SEC("uprobe")
int BPF_UPROBE(kc_visit_entry, void *f, struct task_struct___kc *t)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct kcollide_result r = {};
	int v = 0;

	r.hits = 1;
	r.kernel_tgid = BPF_CORE_READ(task, tgid);
	bpf_core_read_user(&v, sizeof(v), &t->tgid);
	r.tgid = v;
	bpf_map_update_elem(&results, &tgid, &r, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
