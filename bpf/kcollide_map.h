/* The results map of the collision probes (kcollide, kcollide_both, pytm):
 * one kcollide_result per process, read by tests/tools/kcollide_loader.c. */
#ifndef UCOREBTF_KCOLLIDE_MAP_H
#define UCOREBTF_KCOLLIDE_MAP_H

#include "kcollide.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct kcollide_result);
} results SEC(".maps");

#endif
