// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Kernel relocations of a uprobe, the runtime's kernel-needs path: pointer
 * chains (task->mm->arg_start), nested embedded members (se.vruntime),
 * members inside anonymous unions (sk_buff.tstamp), array elements
 * (comm[0]), type size, enum values, and a field no kernel has. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "kneeds.h"

/* A flavour with a member no kernel has: exists must say 0. */
struct task_struct___nosuch {
	int ucorebtf_no_such_member;
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct kneeds_result);
} results SEC(".maps");

SEC("uprobe")
int BPF_UPROBE(add_test_entry, void *arg)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct kneeds_result r = {};
	char c = 0;

	r.hits = 1;
	r.tgid = BPF_CORE_READ(task, tgid);
	r.pid = BPF_CORE_READ(task, pid);
	r.arg_start = BPF_CORE_READ(task, mm, arg_start);
	bpf_core_read(&c, 1, &task->comm[0]);
	r.comm0 = c;
	r.has_vruntime = bpf_core_field_exists(task->se.vruntime);
	r.off_vruntime = bpf_core_field_offset(task->se.vruntime);
	r.off_mm = bpf_core_field_offset(task->mm);
	r.sz_task = bpf_core_type_size(struct task_struct);
	r.has_loop = bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_loop);
	r.loop = bpf_core_enum_value(enum bpf_func_id, BPF_FUNC_loop);
	r.off_tstamp = bpf_core_field_offset(struct sk_buff, tstamp);
	r.sz_tstamp = bpf_core_field_size(struct sk_buff, tstamp);
	r.has_nosuch = bpf_core_field_exists(((struct task_struct___nosuch *)task)->ucorebtf_no_such_member);
	bpf_map_update_elem(&results, &tgid, &r, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
