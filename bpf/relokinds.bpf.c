// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* A probe with one relocation of each kind report and gen min must tell
 * apart: a field read without a check (required), a field read under
 * bpf_core_field_exists (guarded), an enumerator's value under its own
 * existence check, a type's size, a type's existence and a target type id.
 * tests/cli/t_relokinds.sh builds releases of a library around it where
 * these change (the enumerator's value 1 -> 2, the guarded field gone, the
 * unguarded one gone).  Never loaded: only its relocations matter. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

enum rk_mode { RK_NONE, RK_SLOW };

struct rk_obj {
	int id;
	int opt;
} __attribute__((preserve_access_index));

struct rk_slot {
	long v;
} __attribute__((preserve_access_index));

struct rk_extra {
	int x;
} __attribute__((preserve_access_index));

__u64 seen[6];

SEC("uprobe")
int BPF_UPROBE(rk_probe, struct rk_obj *o)
{
	int id = 0, opt = -1;

	bpf_core_read_user(&id, sizeof(id), &o->id);
	if (bpf_core_field_exists(o->opt))
		bpf_core_read_user(&opt, sizeof(opt), &o->opt);
	seen[0] = id;
	seen[1] = opt;
	if (bpf_core_enum_value_exists(enum rk_mode, RK_SLOW))
		seen[2] = bpf_core_enum_value(enum rk_mode, RK_SLOW);
	seen[3] = bpf_core_type_size(struct rk_slot);
	seen[4] = bpf_core_type_exists(struct rk_extra);
	seen[5] = bpf_core_type_id_kernel(struct rk_slot);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
