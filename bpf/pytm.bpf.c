// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* A real Debian library type the kernel also names: libpython3.11d's
 * struct tm (glibc's: int tm_year at 20, 56 bytes) is not the kernel's
 * struct tm (long tm_year at 24, 40 bytes).  A uprobe on Python's
 * _asctime(struct tm *) reads it through vmlinux.h's struct tm; gen min
 * resolves it against the library, and the kernel's struct tm is left out
 * of the prepared BTF (tests/e2e/t_genmin_kcollide.sh). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "kcollide_map.h"

#define READ_INT(dst, src) ({ int _v = 0; bpf_core_read_user(&_v, sizeof(_v), &(src)); dst = _v; })

SEC("uprobe")
int BPF_UPROBE(asctime_entry, struct tm *tm)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct kcollide_result r = {};

	r.hits = 1;
	READ_INT(r.tm_year, tm->tm_year);
	READ_INT(r.tm_mon, tm->tm_mon);
	READ_INT(r.tm_mday, tm->tm_mday);
	READ_INT(r.tm_hour, tm->tm_hour);
	READ_INT(r.tm_min, tm->tm_min);
	READ_INT(r.tm_sec, tm->tm_sec);
	READ_INT(r.tm_wday, tm->tm_wday);
	bpf_map_update_elem(&results, &tgid, &r, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
