/* The per-boot index of the running kernel's BTF: the marks and the names
 * of its structs, unions, enums and typedefs (kbtf.h), saved by the first
 * prepare run as root after boot, so that later ones read about 150 KB
 * instead of walking 126k types.
 *
 * It is untrusted input unless it is ours: it is used only from a root-owned
 * directory that no one else may write (no symlink followed, /run by
 * default: a tmpfs, empty at boot), as a root-owned regular file no one
 * else may write, and only if it describes this boot (boot_id) and this
 * BTF (size, sections, type count).  Every entry is range-checked on read;
 * a name hash only proposes an id whose name and kind are then compared in
 * the kernel BTF itself, and every type read from a mark is bounds-checked
 * (ucb_kbtf_type()).  A crafted index can thus at worst hide a type: and
 * only root can write one. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/fileio.h"
#include "lib/kbtf.h"

#define KC_DIR_DEFAULT "/run/ucorebtf"
#define KC_FILE "vmlinux.idx"
#define KC_MAGIC "UCBKIDX1"
/* 8k marks and 15k names for today's kernels: 16 MB is far above. */
#define KC_MAX_SIZE (16u << 20)

struct kc_hdr {
	char magic[8];
	char boot_id[40];	/* as /proc/sys/kernel/random/boot_id reads */
	uint64_t btf_size;
	uint32_t types_len, str_len, cnt, mark, nmarks, nents;
};

uint32_t ucb_kname_hash(const char *name, int kind)
{
	uint32_t h = 2166136261u ^ (uint32_t)kind;	/* FNV-1a */

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	return h;
}

/* The cache directory; the environment names another one for tests (it
 * must pass the same checks). */
static const char *kc_dir(void)
{
	const char *d = secure_getenv("UCOREBTF_KBTF_CACHE_DIR");

	return d ? d : KC_DIR_DEFAULT;
}

bool ucb_kcache_writable(void)
{
	return *kc_dir() && !geteuid();
}

/* Root-owned and not writable by group or others. */
static bool kc_ours(const struct stat *st)
{
	return st->st_uid == 0 && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

static int kc_open_dir(const char *dir)
{
	struct stat st;
	int fd;

	if (!*dir)
		return -1;	/* "": no cache */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || !S_ISDIR(st.st_mode) || !kc_ours(&st)) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool kc_boot_id(char id[40])
{
	ssize_t n;
	int fd;

	memset(id, 0, 40);
	fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, id, 39);
	close(fd);
	return n >= 32;
}

static void kc_hdr_fill(const struct ucb_kbtf *k, struct kc_hdr *h)
{
	memcpy(h->magic, KC_MAGIC, sizeof(h->magic));
	h->btf_size = k->size;
	h->types_len = k->types_len;
	h->str_len = k->str_len;
	h->mark = UCB_KBTF_MARK;
}

/* The file's contents, whole, if ours; NULL if not. */
static void *kc_load(size_t *size)
{
	int dfd = kc_open_dir(kc_dir()), fd;
	struct stat st;
	void *data = NULL;

	if (dfd < 0)
		return NULL;
	fd = openat(dfd, KC_FILE, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	close(dfd);
	if (fd < 0)
		return NULL;
	/* ucb_read_fd() sets the message on failure: keep the caller's. */
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && kc_ours(&st) && st.st_size > 0 &&
	    st.st_size <= KC_MAX_SIZE && ucb_read_fd(fd, KC_FILE, KC_MAX_SIZE, &data, size))
		data = NULL;
	close(fd);
	return data;
}

bool ucb_kcache_read(struct ucb_kbtf *k, const struct ucb_kidx_ent **ents, uint32_t *nents)
{
	struct kc_hdr h, want = {};
	const uint32_t *m;
	const struct ucb_kidx_ent *e;
	size_t size, i, need;
	void *data = kc_load(&size);

	if (!data)
		return false;
	if (size < sizeof(h))
		goto bad;
	memcpy(&h, data, sizeof(h));
	kc_hdr_fill(k, &want);
	if (!kc_boot_id(want.boot_id) || memcmp(h.magic, want.magic, sizeof(h.magic)) ||
	    memcmp(h.boot_id, want.boot_id, sizeof(h.boot_id)) || h.btf_size != want.btf_size ||
	    h.types_len != want.types_len || h.str_len != want.str_len || h.mark != want.mark ||
	    !h.cnt || h.nmarks != (h.cnt - 1) / UCB_KBTF_MARK + 1 || h.nents >= h.cnt ||
	    h.cnt > k->types_len / 12 + 1)
		goto bad;
	need = sizeof(h) + (size_t)h.nmarks * sizeof(*m) + (size_t)h.nents * sizeof(*e);
	if (size != need)
		goto bad;
	m = (const void *)((const char *)data + sizeof(h));
	e = (const void *)(m + h.nmarks);
	/* Marks rise inside the section; ids are in range, sorted by hash. */
	for (i = 0; i < h.nmarks; i++)
		if (m[i] % 4 || m[i] >= k->types_len + !k->types_len || (i && m[i] <= m[i - 1]))
			goto bad;
	for (i = 0; i < h.nents; i++)
		if (!e[i].id || e[i].id >= h.cnt || (i && (e[i].hash < e[i - 1].hash ||
		    (e[i].hash == e[i - 1].hash && e[i].id <= e[i - 1].id))))
			goto bad;
	/* k keeps the file's buffer: marks and names are read in place. */
	k->cache = data;
	k->marks = (uint32_t *)m;
	k->nmarks = h.nmarks;
	k->cnt = h.cnt;
	*ents = e;
	*nents = h.nents;
	return true;
bad:
	free(data);
	return false;
}

static int cmp_ent(const void *a, const void *b)
{
	const struct ucb_kidx_ent *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

void ucb_kcache_write(const struct ucb_kbtf *k, struct ucb_kidx_ent *ents, uint32_t nents)
{
	const char *dir = kc_dir();
	char tmp[64];
	struct kc_hdr h = {};
	int dfd, fd, ok;

	if (!*dir || geteuid())
		return;
	kc_hdr_fill(k, &h);
	h.cnt = k->cnt;
	h.nmarks = k->nmarks;
	h.nents = nents;
	if (!kc_boot_id(h.boot_id))
		return;
	qsort(ents, nents, sizeof(*ents), cmp_ent);
	if (mkdir(dir, 0755) && errno != EEXIST)
		return;
	dfd = kc_open_dir(dir);
	if (dfd < 0)
		return;
	snprintf(tmp, sizeof(tmp), ".%s.%d", KC_FILE, (int)getpid());
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		close(dfd);
		return;
	}
	/* The mode is ours whatever the umask. */
	ok = !fchmod(fd, 0644) && !ucb_write_all(fd, &h, sizeof(h)) &&
	     !ucb_write_all(fd, k->marks, k->nmarks * sizeof(*k->marks)) &&
	     !ucb_write_all(fd, ents, nents * sizeof(*ents));
	ok = !close(fd) && ok;
	if (!ok || renameat(dfd, tmp, dfd, KC_FILE))
		unlinkat(dfd, tmp, 0);
	close(dfd);
}
