/* Kernel types for the prepared BTF, without libbpf's full parse of the
 * 5 MB vmlinux BTF: one bounds-checked pass over the type section keeps a
 * mark every UCB_KBTF_MARK ids and finds the needed roots by name (or the
 * per-boot index of kbtf_cache.c does, without the pass); only the types
 * the needs reach are ever looked at again. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/btf.h>
#include <linux/magic.h>
#include <bpf/btf.h>
#include "lib/btf_check.h"
#include "lib/errmsg.h"
#include "lib/fileio.h"
#include "lib/kbtf.h"
#include "lib/names.h"

/* vmlinux BTF is 5 to 10 MB; modules' far less. */
#define UCB_KBTF_MAX_SIZE (256ul << 20)

/* The running kernel's BTF in sysfs neither changes nor shrinks: map it
 * when the kernel allows.  Any other file is read: one truncated under a
 * mapping would kill the process with SIGBUS. */
static int kbtf_load(struct ucb_kbtf *k, int fd, const char *path, const struct stat *st)
{
	struct statfs sfs;
	void *m;
	size_t sz;
	int err;

	if (!fstatfs(fd, &sfs) && sfs.f_type == SYSFS_MAGIC && st->st_size > 0) {
		m = mmap(NULL, st->st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m != MAP_FAILED) {
			k->data = m;
			k->size = st->st_size;
			k->mapped = true;
			return 0;
		}
	}
	err = ucb_read_fd(fd, path, UCB_KBTF_MAX_SIZE, &m, &sz);
	if (err)
		return err;
	k->data = m;
	k->size = sz;
	return 0;
}

static int kind_of(const struct btf_type *t)
{
	int k = btf_kind(t);

	return k == BTF_KIND_ENUM64 ? BTF_KIND_ENUM : k;
}

static bool is_root_kind(int kd)
{
	return kd == BTF_KIND_STRUCT || kd == BTF_KIND_UNION || kd == BTF_KIND_ENUM ||
	       kd == BTF_KIND_TYPEDEF;
}

/* Bytes of the type at off, 0 if it is malformed or not inside the
 * section: the one check every type read goes through. */
static inline size_t type_at(const struct ucb_kbtf *k, uint32_t off)
{
	const struct btf_type *t = (const void *)(k->types + off);
	size_t sz;

	if (off > k->types_len || k->types_len - off < sizeof(*t) || t->name_off >= k->str_len)
		return 0;
	sz = ucb_btf_type_size(t);
	return sz <= k->types_len - off ? sz : 0;
}

/* A direct-mapped memo of recent lookups: the pruner asks for the same
 * few hundred types again and again. */
#define MEMO_SIZE 512
struct ucb_kbtf_memo {
	uint32_t id[MEMO_SIZE];
	uint32_t off[MEMO_SIZE];
};

const struct btf_type *ucb_kbtf_type(const struct ucb_kbtf *k, uint32_t id)
{
	uint32_t j, cur, off, slot = id % MEMO_SIZE;
	size_t sz;

	if (!id || id >= k->cnt)
		return NULL;
	if (k->memo && k->memo->id[slot] == id)
		return (const void *)(k->types + k->memo->off[slot]);
	j = id / UCB_KBTF_MARK;
	if (j >= k->nmarks)
		return NULL;
	cur = j ? j * UCB_KBTF_MARK : 1;
	off = k->marks[j];
	for (; cur < id; cur++) {
		sz = type_at(k, off);
		if (!sz)
			return NULL;
		off += sz;
	}
	if (!type_at(k, off))
		return NULL;
	if (k->memo) {
		k->memo->id[slot] = id;
		k->memo->off[slot] = off;
	}
	return (const void *)(k->types + off);
}

struct wanted {
	const char *name;
	int kind;
	uint32_t id;
};

static int cmp_wanted(const void *a, const void *b)
{
	const struct wanted *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : x->kind - y->kind;
}

/* Called for each type as it is indexed: is it one of the wanted roots? */
static void match_wanted(struct ucb_kbtf *k, const uint8_t *first2, const struct btf_type *t,
			 uint32_t id)
{
	struct wanted *w = k->want, key, *hit;
	size_t n = k->nwant;
	unsigned int f;

	key.name = k->strs + t->name_off;
	/* One bit test rules out most names before a binary search. */
	f = (unsigned char)key.name[0] << 8 | (unsigned char)(key.name[0] ? key.name[1] : 0);
	if (!(first2[f / 8] & (1 << (f % 8))))
		return;
	key.kind = kind_of(t);
	hit = bsearch(&key, w, n, sizeof(*w), cmp_wanted);
	if (!hit)
		return;
	/* Several needs may share name and kind: the first type wins. */
	while (hit > w && !cmp_wanted(hit - 1, &key))
		hit--;
	for (; hit < w + n && !cmp_wanted(hit, &key); hit++)
		if (!hit->id)
			hit->id = id;
}

/* The one pass over every type: sizes and names checked, marks taken, the
 * wanted roots found; with ents, every root-kind name hashed for the
 * cache. */
static int kbtf_scan(struct ucb_kbtf *k, const uint8_t *first2, struct ucb_kidx_ent **ents,
		     uint32_t *nents)
{
	uint32_t off = 0, id = 1, cap = 1 << 14, n = 0, mcap = 1 << 10;
	struct ucb_kidx_ent *e = NULL, *te;
	uint32_t *tm;
	size_t sz;

	k->marks = malloc(mcap * sizeof(*k->marks));
	if (!k->marks || (ents && !(e = malloc(cap * sizeof(*e)))))
		goto nomem;
	for (; off < k->types_len; off += sz, id++) {
		const struct btf_type *t = (const void *)(k->types + off);

		if (!(sz = type_at(k, off))) {
			free(e);
			return ucb_errf(-EINVAL, "%s: corrupt BTF type %u", k->path, id);
		}
		if (!(id % UCB_KBTF_MARK) || id == 1) {
			if (k->nmarks == mcap) {
				tm = realloc(k->marks, (mcap *= 2) * sizeof(*tm));
				if (!tm)
					goto nomem;
				k->marks = tm;
			}
			k->marks[k->nmarks++] = off;
		}
		if (!t->name_off || !is_root_kind(kind_of(t)))
			continue;
		if (k->nwant)
			match_wanted(k, first2, t, id);
		if (!e)
			continue;
		if (n == cap) {
			te = realloc(e, (cap *= 2) * sizeof(*te));
			if (!te)
				goto nomem;
			e = te;
		}
		e[n++] = (struct ucb_kidx_ent){ ucb_kname_hash(k->strs + t->name_off, kind_of(t)), id };
	}
	if (id == 1)		/* no types: one mark past the end keeps lookups simple */
		k->marks[k->nmarks++] = 0;
	k->cnt = id;
	if (ents) {
		*ents = e;
		*nents = n;
	}
	return 0;
nomem:
	free(e);
	return ucb_errf(-ENOMEM, "%s: out of memory", k->path);
}

/* The wanted roots from the cache's name index: the first id whose name
 * and kind match, as the scan finds it. */
static void kbtf_match_index(struct ucb_kbtf *k, const struct ucb_kidx_ent *e, uint32_t n)
{
	struct wanted *w = k->want;
	const struct btf_type *t;
	uint32_t h, lo, hi, mid;
	size_t i;

	for (i = 0; i < k->nwant; i++) {
		if (i && !cmp_wanted(&w[i - 1], &w[i])) {
			w[i].id = w[i - 1].id;
			continue;
		}
		h = ucb_kname_hash(w[i].name, w[i].kind);
		for (lo = 0, hi = n; lo < hi;) {
			mid = lo + (hi - lo) / 2;
			if (e[mid].hash < h)
				lo = mid + 1;
			else
				hi = mid;
		}
		/* A hash names candidates only: name and kind are compared
		 * in the kernel BTF itself. */
		for (; lo < n && e[lo].hash == h; lo++) {
			t = ucb_kbtf_type(k, e[lo].id);
			if (t && t->name_off && kind_of(t) == w[i].kind &&
			    !strcmp(k->strs + t->name_off, w[i].name)) {
				w[i].id = e[lo].id;
				break;
			}
		}
	}
}

static int kbtf_index(struct ucb_kbtf *k, const uint8_t *first2)
{
	const struct ucb_kidx_ent *cached;
	struct ucb_kidx_ent *ents = NULL;
	uint32_t nents = 0;
	bool ours = k->mapped && !strcmp(k->path, UCB_KERNEL_BTF_DEFAULT);
	int err;

	if (ours && ucb_kcache_read(k, &cached, &nents)) {
		kbtf_match_index(k, cached, nents);
		return 0;
	}
	err = kbtf_scan(k, first2, ours && ucb_kcache_writable() ? &ents : NULL, &nents);
	if (!err && ents)
		ucb_kcache_write(k, ents, nents);
	free(ents);
	return err;
}

int ucb_kbtf_open(const char *path, const struct ucb_kneed *needs, size_t cnt, struct ucb_kbtf *k)
{
	uint8_t first2[65536 / 8] = {};
	struct wanted *w;
	size_t i;
	struct ucb_btf_raw raw;
	struct stat st;
	int fd, ret;

	memset(k, 0, sizeof(*k));
	w = calloc(cnt + 1, sizeof(*w));
	k->memo = malloc(sizeof(*k->memo));
	if (!w || !k->memo) {
		free(w);
		free(k->memo);
		return ucb_errf(-ENOMEM, "out of memory");
	}
	memset(k->memo->id, 0, sizeof(k->memo->id));
	for (i = 0; i < cnt; i++) {
		unsigned int f = (unsigned char)needs[i].name[0] << 8 |
				 (unsigned char)(needs[i].name[0] ? needs[i].name[1] : 0);

		w[i] = (struct wanted){ needs[i].name, needs[i].kind, 0 };
		first2[f / 8] |= 1 << (f % 8);
	}
	qsort(w, cnt, sizeof(*w), cmp_wanted);
	k->want = w;
	k->nwant = cnt;
	k->path = path;
	fd = ucb_open_regular(AT_FDCWD, path, 0, &st);
	if (fd < 0) {
		ucb_kbtf_close(k);
		return fd;
	}
	ret = kbtf_load(k, fd, path, &st);
	close(fd);
	if (ret) {
		ucb_kbtf_close(k);
		return ret;
	}
	if (ucb_btf_raw_parse(k->data, k->size, &raw)) {
		ucb_kbtf_close(k);
		return ucb_errf(-EINVAL, "%s: not raw BTF (bad header)", path);
	}
	k->strs = raw.strs;
	k->str_len = raw.str_len;
	k->types = raw.types;
	k->types_len = raw.types_len;
	if ((uintptr_t)k->types % 4) {
		ucb_kbtf_close(k);
		return ucb_errf(-EINVAL, "%s: not raw BTF (unaligned type section)", path);
	}
	ret = kbtf_index(k, first2);
	if (ret)
		ucb_kbtf_close(k);
	return ret;
}

void ucb_kbtf_close(struct ucb_kbtf *k)
{
	if (k->mapped)
		munmap(k->data, k->size);
	else
		free(k->data);
	if (k->cache)
		free(k->cache);
	else
		free(k->marks);
	free(k->memo);
	free(k->want);
	memset(k, 0, sizeof(*k));
}

uint32_t ucb_kbtf_root(const struct ucb_kbtf *k, const char *name, int kind)
{
	struct wanted key = { name, kind, 0 }, *hit;

	hit = bsearch(&key, k->want, k->nwant, sizeof(key), cmp_wanted);
	return hit ? hit->id : 0;
}

