/* The DWARF encoder's DIE maps (struct dmap, dwarf_btf_internal.h): DIE
 * key -> what the DIE became, in pass 1 appended in walk order, then
 * sorted if need be and indexed by blocks of offsets for passes 2 and 3.
 * A hash table on the DIE key took a third of the time on glibc (a cache
 * miss per DIE, twice) and, with the items, 1.5x pahole's memory. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "tool/dwarf_btf_internal.h"

#define DMAP_OFF(key) ((key) & ((1ULL << 62) - 1))

int enc_map_put(struct enc *e, uint64_t key, int kind, uint32_t val)
{
	struct dmap *m = &e->maps[key >> 62];

	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 4096;
		struct ent *a = realloc(m->a, cap * sizeof(*a));

		if (!a)
			return -ENOMEM;
		m->a = a;
		m->cap = cap;
	}
	if (val >> 30)		/* 2^30 items: never within memory */
		return -ENOMEM;
	if (m->n && m->a[m->n - 1].key >= key)
		m->unsorted = true;
	m->a[m->n++] = (struct ent){ .key = key, .val = val, .kind = kind };
	return 0;
}

static int ent_cmp(const void *x, const void *y)
{
	const struct ent *a = x, *b = y;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return a->val != b->val ? (a->val < b->val ? -1 : 1) : a->kind - b->kind;
}

/* After pass 1: sorted if need be, then the block index.  Keys are unique
 * (each DIE is walked once: the alt file's units once, by enc_unit_seen()). */
int enc_map_index(struct dmap *m)
{
	size_t b, n = 0;

	if (m->unsorted)
		qsort(m->a, m->n, sizeof(*m->a), ent_cmp);
	m->nblk = m->n ? (DMAP_OFF(m->a[m->n - 1].key) >> DMAP_SHIFT) + 1 : 0;
	m->blk = malloc((m->nblk + 1) * sizeof(*m->blk));
	if (!m->blk)
		return -ENOMEM;
	for (b = 0; b <= m->nblk; b++) {
		while (n < m->n && (DMAP_OFF(m->a[n].key) >> DMAP_SHIFT) < b)
			n++;
		m->blk[b] = n;
	}
	/* 16 bytes an entry to 5, vk in place: freeing a large block makes
	 * glibc raise its mmap threshold for good, and what comes next (the
	 * BTF, 6 MB) then fragments the heap (+1.6 MB peak RSS on glibc). */
	m->lo = malloc(m->n + 1);
	if (!m->lo)
		return -ENOMEM;
	for (n = 0; n < m->n; n++)
		m->lo[n] = (uint8_t)m->a[n].key;
	m->vk = (uint32_t *)m->a;	/* vk[n] overwrites a[n / 4], read already */
	for (n = 0; n < m->n; n++) {
		uint32_t v = (uint32_t)m->a[n].kind << 30 | m->a[n].val;

		memcpy(&m->vk[n], &v, sizeof(v));
	}
	m->a = NULL;
	if (m->n) {
		uint32_t *vk = realloc(m->vk, m->n * sizeof(*vk));

		if (vk)
			m->vk = vk;
	}
	return 0;
}

/* The entry of key, or NULL; *val its value. */
int enc_map_get(struct enc *e, uint64_t key, uint32_t *val)
{
	struct dmap *m = &e->maps[key >> 62];
	uint64_t b = DMAP_OFF(key) >> DMAP_SHIFT;
	uint8_t k = (uint8_t)key;
	size_t lo, hi, mid;

	if (b >= m->nblk)	/* or not indexed yet: pass 1 looks nothing up */
		return 0;
	lo = m->blk[b];
	hi = m->blk[b + 1];
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (m->lo[mid] < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == m->blk[b + 1] || m->lo[lo] != k)
		return 0;
	*val = m->vk[lo] & ((1U << 30) - 1);
	return m->vk[lo] >> 30;
}

/* dwz: whether the alt file's unit key was walked already; adds it if not. */
int enc_unit_seen(struct enc *e, uint64_t key, bool *seen)
{
	size_t lo = 0, hi = e->n_units, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (e->units[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	*seen = lo < e->n_units && e->units[lo] == key;
	if (*seen)
		return 0;
	if (e->n_units == e->cap_units) {
		size_t cap = e->cap_units ? e->cap_units * 2 : 256;
		uint64_t *u = realloc(e->units, cap * sizeof(*u));

		if (!u)
			return -ENOMEM;
		e->units = u;
		e->cap_units = cap;
	}
	memmove(e->units + lo + 1, e->units + lo, (e->n_units - lo) * sizeof(*e->units));
	e->units[lo] = key;
	e->n_units++;
	return 0;
}

