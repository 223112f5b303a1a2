/* Kernel BTF, read fast: a raw BTF image (sysfs's own mmap'ed when the
 * kernel allows, anything else read) walked once, and a pruner that copies
 * into a new BTF just the kernel types and members that a BPF object's
 * relocations need. */
#ifndef UCOREBTF_KBTF_H
#define UCOREBTF_KBTF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct btf;
struct btf_type;
struct ucb_need;

struct ucb_kbtf {
	const char *path;		/* as given to ucb_kbtf_open(), for messages */
	uint8_t *data;
	size_t size;
	bool mapped;
	const char *strs;
	uint32_t str_len;
	const struct btf_type **types;	/* by id; [0] is void */
	uint32_t cnt;			/* number of ids, void included */
	void *want;			/* the needs' roots, found while indexing */
	size_t nwant;
};

struct ucb_kneed;

/* Open raw BTF at path (a regular file; read, or mapped when it is the
 * kernel's own in sysfs) and index its types, checking every type's size
 * and name; in the same pass, find the root type of each need (needs and
 * path must outlive k).  The graph is checked by ucb_kbtf_prune(), for the
 * types it walks (lib/btf_check.h).
 * Returns 0 or -errno with the message set (naming path). */
int ucb_kbtf_open(const char *path, const struct ucb_kneed *needs, size_t cnt, struct ucb_kbtf *k);
void ucb_kbtf_close(struct ucb_kbtf *k);

struct ucb_kneed {		/* one need, resolved against names */
	int kind;		/* BTF_KIND_STRUCT, _UNION, _ENUM, _TYPEDEF */
	const char *name;
	const char *path;	/* "-" or "a.b.c" */
};

/* Append to out the kernel types the needs name: roots keep their names,
 * pruned to the members on the needs' paths (offsets, sizes and bitfields
 * kept); everything else they reference is anonymous and minimal: pointers
 * become void *, composites not on a path become memberless of the same
 * size, enums lose their values, typedefs and modifiers are skipped.
 * Root names are returned in *roots (malloc'ed array of pointers into k's
 * strings, *root_kinds parallel) for the caller's collision check.
 * Returns 0 or -errno with the message set. */
int ucb_kbtf_prune(const struct ucb_kbtf *k, const struct ucb_kneed *needs, size_t cnt,
		   struct btf *out, const char ***roots, int **root_kinds, size_t *root_cnt);

#endif
