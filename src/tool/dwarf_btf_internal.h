/* What the two files of the DWARF encoder share: dwarf_btf.c walks the
 * DWARF and numbers the types (passes 1 and 2), dwarf_emit.c adds them
 * (pass 3).  Only src/tool/dwarf_*.c include this header. */
#ifndef UCOREBTF_TOOL_DWARF_BTF_INTERNAL_H
#define UCOREBTF_TOOL_DWARF_BTF_INTERNAL_H

#include <elfutils/libdw.h>
#include <stdbool.h>
#include <stdint.h>
#include "tool/dwarf_btf.h"

enum item_kind {
	IT_BASE, IT_STRUCT, IT_UNION, IT_ENUM, IT_TYPEDEF, IT_PTR, IT_CONST,
	IT_VOLATILE, IT_RESTRICT, IT_ARRAY, IT_PROTO, IT_FUNC,
};

enum item_state { ST_NEW, ST_BUSY, ST_OK, ST_SKIP };

/* One per type DIE (250k for glibc): where the DIE is, as an offset from
 * its run's base (enc.runs, enc_item_die()); libdw finds the abbreviation
 * again.  How many BTF types it becomes: enc_item_n(). */
struct item {
	uint32_t die_rel : 24, kind : 4, state : 2;
	int first_id;			/* BTF id of the DIE's (first) type */
};

#define ITEM_REL_MAX ((1U << 24) - 1)

/* Items first.. (to the next run's first) are DIEs of unit cu at most
 * ITEM_REL_MAX bytes past base. */
struct cu_run {
	size_t first;
	struct Dwarf_CU *cu;
	char *base;
};

enum ent_kind { E_ITEM = 1, E_ALIAS, E_SKIP };	/* 2 bits: dmap.vk */

/* DIE key -> what the DIE became (pass 1). */
struct ent {
	uint64_t key;
	uint32_t val;			/* item index (E_ITEM) or DW_TAG (E_SKIP) */
	uint8_t kind;
};

#define DMAP_SHIFT 8		/* dmap.lo holds the offset's low bits */

/* The DIEs of one section (main file, dwz alt file, v4 .debug_types):
 * entries appended in walk order, which is offset order but for the alt
 * file's partial units (walked when first imported); sorted once after
 * pass 1 if need be.  blk[b] is the first entry at or past offset
 * b << DMAP_SHIFT, so a lookup searches the few entries of one block. */
struct dmap {
	struct ent *a;			/* pass 1 */
	/* after enc_map_index(), a compacted: the block gives the key's high
	 * bits, lo its low DMAP_SHIFT bits, vk the kind (top 2 bits) and val */
	uint8_t *lo;
	uint32_t *vk;
	size_t n, cap;
	uint32_t *blk;			/* nblk + 1 entries, after enc_map_index() */
	size_t nblk;
	bool unsorted;
};

struct tag_count {
	unsigned int tag, n;
};

struct enc {
	Dwarf *dw;
	struct btf *btf;
	dwarf_btf_detail_fn detail;	/* the caller's, or NULL */
	void *detail_ctx;
	struct dwarf_btf_stats *st;
	struct dmap maps[4];		/* by the key's top two bits */
	uint64_t *units;		/* alt file units walked, sorted */
	size_t n_units, cap_units;
	struct item *items;
	size_t n_items, cap_items;
	struct cu_run *runs;
	size_t n_runs, cap_runs, run_hint;
	const char **fnames;		/* set of FUNC names (strings live in libdw) */
	size_t fn_cap, fn_cnt;
	struct tag_count tags[32];
	Dwarf_CU *last_cu;
	uint64_t last_cu_bits;
	bool big_endian;
	int array_index_id;
};

/* One detail line (what was left out, and why) to the caller's callback. */
void enc_detail(struct enc *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The BTF id of d's DW_AT_type; *skipped set (and 0 returned) if unencodable. */
int enc_ref_id(struct enc *e, Dwarf_Die *d, bool *skipped);
bool enc_attr_udata(Dwarf_Die *d, unsigned int name, Dwarf_Word *v);
const char *enc_die_name(Dwarf_Die *d);

/* The DIE maps (dwarf_map.c).  Put (pass 1) returns 0 or -ENOMEM; index
 * each map once after pass 1; get returns the entry's kind (0: none) and
 * its value in *val.  enc_unit_seen: whether the alt file's unit key was
 * walked already (it is recorded if not). */
int enc_map_put(struct enc *e, uint64_t key, int kind, uint32_t val);
int enc_map_index(struct dmap *m);
int enc_map_get(struct enc *e, uint64_t key, uint32_t *val);
int enc_unit_seen(struct enc *e, uint64_t key, bool *seen);

/* The DIE of item it. */
Dwarf_Die enc_item_die(struct enc *e, const struct item *it);
/* The BTF types item it becomes: arrays one per dimension, functions
 * FUNC_PROTO + FUNC, the rest one. */
int enc_item_n(struct enc *e, const struct item *it);

/* Pass 3: add the BTF type(s) of item it; returns its (first) id or -errno. */
int enc_emit(struct enc *e, struct item *it);

#endif
