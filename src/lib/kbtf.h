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
	const uint8_t *types;		/* the type section */
	uint32_t types_len;
	uint32_t cnt;			/* number of ids, void included */
	/* No table of all ~150k types: the offset of every UCB_KBTF_MARK-th
	 * id, and a walk of at most that many types from it (memoised). */
	uint32_t *marks;		/* [j]: offset of id j * MARK (of id 1 for j = 0) */
	uint32_t nmarks;
	struct ucb_kbtf_memo *memo;
	void *cache;			/* the per-boot index read, marks inside */
	void *want;			/* the needs' roots, found while indexing */
	size_t nwant;
};

#define UCB_KBTF_MARK 16

/* Type id of k, or NULL (out of range or malformed: every type on the
 * walk from its mark is bounds-checked). */
const struct btf_type *ucb_kbtf_type(const struct ucb_kbtf *k, uint32_t id);

/* The per-boot index of the running kernel's BTF (kbtf_cache.c). */
struct ucb_kidx_ent {
	uint32_t hash;		/* ucb_kname_hash() of name and kind */
	uint32_t id;
};
uint32_t ucb_kname_hash(const char *name, int kind);
/* Marks and name index of k (the running kernel's BTF, mapped from sysfs)
 * from the cache, if one is there, ours (root-owned, not writable by
 * others, no symlink) and valid for this boot and this BTF.  Returns true
 * with k's marks, cnt and cache set, and *ents (sorted by hash then id)
 * pointing into k->cache. */
bool ucb_kcache_read(struct ucb_kbtf *k, const struct ucb_kidx_ent **ents, uint32_t *nents);
/* Would ucb_kcache_write() try? (run as root, cache not disabled) */
bool ucb_kcache_writable(void);
/* Save them for the next prepare of this boot (root only; failures are
 * silent: the cache only saves time). */
void ucb_kcache_write(const struct ucb_kbtf *k, struct ucb_kidx_ent *ents, uint32_t nents);

struct ucb_kneed;

/* Open raw BTF at path (a regular file; read, or mapped when it is the
 * kernel's own in sysfs) and index its types, checking every type's size
 * and name; in the same pass, find the root type of each need (needs and
 * path must outlive k).  The running kernel's BTF is indexed once per boot
 * (the per-boot cache above); then only the types the needs reach are read.  The graph is checked by ucb_kbtf_prune(), for the
 * types it walks (lib/btf_check.h).
 * Returns 0 or -errno with the message set (naming path). */
int ucb_kbtf_open(const char *path, const struct ucb_kneed *needs, size_t cnt, struct ucb_kbtf *k);
void ucb_kbtf_close(struct ucb_kbtf *k);

struct ucb_kneed {		/* one need, resolved against names */
	int kind;		/* BTF_KIND_STRUCT, _UNION, _ENUM, _TYPEDEF */
	const char *name;
	const char *path;	/* "-" or "a.b.c" */
};

/* Id of the root need (name, kind) found by ucb_kbtf_open(), 0 if absent. */
uint32_t ucb_kbtf_root(const struct ucb_kbtf *k, const char *name, int kind);

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
