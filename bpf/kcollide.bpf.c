// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* A uprobe on libkc's kc_visit() (tests/fixtures/apps/kcollide_lib.h),
 * whose types are named like the kernel's: struct file, struct sock and
 * struct list_head are read through vmlinux.h's own definitions,
 * struct task_struct through a flavour.  Every one of them is the
 * library's (gen min classifies library first); the kernel's copies are
 * left out of the prepared BTF.  pt_regs (the arguments, a member offset,
 * its size) is the kernel's. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "kcollide_map.h"

struct task_struct___kc {
	int pid;
	int tgid;
	char comm[16];
} __attribute__((preserve_access_index));

SEC("uprobe")
int BPF_UPROBE(kc_visit_entry, struct file *f, struct task_struct___kc *t, struct sock *s,
	       struct list_head *l)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct kcollide_result r = {};
	unsigned int flags = 0;
	int v = 0;

	r.hits = 1;
	bpf_core_read_user(&r.f_pos, sizeof(r.f_pos), &f->f_pos);
	bpf_core_read_user(&flags, sizeof(flags), &f->f_flags);
	r.f_flags = flags;
	bpf_core_read_user(&v, sizeof(v), &t->pid);
	r.pid = v;
	bpf_core_read_user(&v, sizeof(v), &t->tgid);
	r.tgid = v;
	bpf_core_read_user(&r.comm, sizeof(r.comm), &t->comm);
	bpf_core_read_user(&v, sizeof(v), &s->sk_sndbuf);
	r.sndbuf = v;
	bpf_core_read_user(&v, sizeof(v), &s->sk_rcvbuf);
	r.rcvbuf = v;
	bpf_core_read_user(&r.next, sizeof(r.next), &l->next);
	bpf_core_read_user(&r.prev, sizeof(r.prev), &l->prev);
	r.regs_si = bpf_core_field_offset(struct pt_regs, si);
	r.regs_size = bpf_core_type_size(struct pt_regs);
	bpf_map_update_elem(&results, &tgid, &r, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
