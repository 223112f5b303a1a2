/* Hostile inputs for libucorebtf, for tests/cli/t_trust_runtime.sh: what
 * the writers (archive add, bundle create) would refuse to make, so it is
 * built here directly.
 *
 *   trust_craft loop-blob OUT          library BTF: struct data { data_t a; int c; },
 *                                      typedef data_t naming itself
 *   trust_craft empty-blob OUT N       N empty anonymous structs (and int)
 *   trust_craft seed-blob OUT          struct data { int a, c, d; } (a valid blob)
 *   trust_craft anon-blob OUT          struct pt_regs holding 100 anonymous structs,
 *                                      each holding 100 more, 5 levels deep
 *   trust_craft kbtf-anon OUT          the same as kernel BTF
 *   trust_craft kneeds OUT KBTF N OBJ  N needs "OBJ kind name -" on named kernel types
 *   trust_craft bundle OUT INDEX NEEDS BLOB...   a bundle (xz) of these
 *   trust_craft bundle-v1 OUT INDEX NEEDS BLOB... the same in format 1
 *                                      (uncompressed), no checks: INDEX as is
 *   trust_craft kbtf-self OUT          kernel BTF: struct pt_regs { struct pt_regs di; }
 *   trust_craft kbtf-array OUT         struct pt_regs { A di; }, A an array of A
 *   trust_craft kbtf-arrself OUT       struct pt_regs { struct pt_regs di[2]; }
 *   trust_craft kbtf-badid OUT         struct pt_regs { <type 99> di; }
 *   trust_craft kbtf-badstr OUT        struct pt_regs { long <string 1000000>; }
 *   trust_craft time-prepare BUNDLE TARGET KBTF
 *                                      open + prepare, timed (CLOCK_MONOTONIC):
 *                                      prints "ok|refused N.NN ms[: message]"
 *   trust_craft truncate-race FILE bundle|btf MB RUNS CMD...
 *                                      RUNS times: write FILE (a MB-MiB bundle
 *                                      that is hashed before anything else, or
 *                                      raw BTF of MB MiB of ints, indexed before
 *                                      anything else), start CMD, truncate FILE
 *                                      while CMD reads it; prints the outcomes,
 *                                      exits 1 if CMD was ever killed by a signal. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <linux/btf.h>
#include <bpf/btf.h>
#include "ucorebtf.h"
#include "lib/bundle.h"
#include "lib/errmsg.h"
#include "lib/fileio.h"
#include "lib/sha256.h"

static int write_btf(struct btf *b, const char *out)
{
	const void *raw;
	__u32 sz;

	raw = btf__raw_data(b, &sz);
	if (!raw || ucb_write_file_atomic(out, raw, sz)) {
		fprintf(stderr, "%s: cannot write\n", out);
		return 1;
	}
	btf__free(b);
	return 0;
}

static int loop_blob(const char *out)
{
	struct btf *b = btf__new_empty();
	int i32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	int td = btf__type_cnt(b);

	btf__add_typedef(b, "data_t", td);	/* names itself */
	btf__add_struct(b, "data", 8);
	btf__add_field(b, "a", td, 0, 0);
	btf__add_field(b, "c", i32, 32, 0);
	return write_btf(b, out);
}

static int empty_blob(const char *out, long n)
{
	struct btf *b = btf__new_empty();
	long i;

	btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	for (i = 0; i < n; i++)
		btf__add_struct(b, "", 0);
	return write_btf(b, out);
}

static int seed_blob(const char *out)
{
	struct btf *b = btf__new_empty();
	int i32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);

	btf__add_struct(b, "data", 12);
	btf__add_field(b, "a", i32, 0, 0);
	btf__add_field(b, "c", i32, 32, 0);
	btf__add_field(b, "d", i32, 64, 0);
	return write_btf(b, out);
}

/* struct NAME { struct { struct { ... int zz; } ×n; } ×n; }: levels of
 * anonymous members, n each, all the same type: a search by member name
 * that looks through anonymous members takes n^levels steps. */
static int add_anon_tower(struct btf *b, const char *name, int levels, int n)
{
	int i32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	int inner = btf__add_struct(b, "", 4), l, i;

	btf__add_field(b, "zz", i32, 0, 0);
	for (l = 0; l < levels; l++) {
		int s = btf__add_struct(b, l == levels - 1 ? name : "", 4);

		for (i = 0; i < n; i++)
			btf__add_field(b, "", inner, 0, 0);
		inner = s;
	}
	return inner;
}

static int anon_blob(const char *out)
{
	struct btf *b = btf__new_empty();

	add_anon_tower(b, "pt_regs", 5, 100);
	return write_btf(b, out);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* n needs on named structs, unions, enums and typedefs of the kernel. */
static int kneeds(const char *out, const char *kbtf, long n, const char *obj)
{
	struct btf *k = btf__parse(kbtf, NULL);
	char **lines;
	long cnt = 0, i;
	__u32 id;
	FILE *f;

	if (!k)
		return 1;
	lines = calloc(btf__type_cnt(k), sizeof(*lines));
	for (id = 1; id < btf__type_cnt(k) && cnt < n; id++) {
		const struct btf_type *t = btf__type_by_id(k, id);
		const char *name = btf__name_by_offset(k, t->name_off);
		const char *kind = btf_is_struct(t) ? "struct" : btf_is_union(t) ? "union" :
				   btf_is_enum(t) ? "enum" : btf_is_typedef(t) ? "typedef" : NULL;

		if (kind && name && name[0] && strlen(name) < 200 && !strstr(name, "___"))
			if (asprintf(&lines[cnt++], "%s\t%s\t%s\t-\n", obj, kind, name) < 0)
				return 1;
	}
	qsort(lines, cnt, sizeof(*lines), cmp_str);
	f = fopen(out, "w");
	for (i = 0; i < cnt; i++)
		if (!i || strcmp(lines[i], lines[i - 1]))
			fputs(lines[i], f);
	printf("%ld needs\n", cnt);
	return fclose(f) ? 1 : 0;
}

static int bundle(const char *out, const char *index, const char *needs, char **blobs, int n)
{
	struct ucb_wblob *wb = calloc(n + 1, sizeof(*wb));
	void *itext, *ntext, *img;
	size_t ilen, nlen, img_sz;
	uint8_t sum[SHA256_LEN];
	int i;

	if (ucb_read_file(index, &itext, &ilen) || ucb_read_file(needs, &ntext, &nlen))
		goto fail;
	for (i = 0; i < n; i++) {
		void *d;
		size_t sz;

		if (ucb_read_file(blobs[i], &d, &sz))
			goto fail;
		ucb_sha256(d, sz, sum);
		ucb_hex(sum, SHA256_LEN, wb[i].digest);
		wb[i].data = d;
		wb[i].size = sz;
	}
	if (ucb_bundle_build(itext, ilen, ntext, nlen, NULL, 0, wb, n, UCB_COMP_XZ, &img, &img_sz) ||
	    ucb_write_file_atomic(out, img, img_sz))
		goto fail;
	printf("%zu bytes\n", img_sz);
	return 0;
fail:
	fprintf(stderr, "bundle: %s\n", ucb_errmsg());
	return 1;
}

/* Format 1 by hand (docs/bundle.md): INDX as given, NEED, BLOBs with their
 * sha256; what the format-2 writer, which sorts and checks the index,
 * cannot make. */
static void rec_v1(FILE *f, const char *tag, const void *a, size_t alen, const void *b, size_t blen)
{
	uint32_t len = alen + blen;

	fwrite(tag, 1, 4, f);
	fwrite(&len, 4, 1, f);	/* little-endian hosts only: a test tool */
	fwrite(a, 1, alen, f);
	fwrite(b, 1, blen, f);
	fwrite("\0\0\0", 1, (4 - len % 4) % 4, f);
}

static int bundle_v1(const char *out, const char *index, const char *needs, char **blobs, int n)
{
	uint8_t hdr[UCB_HDR_SZ] = "UCOREBTF", sum[SHA256_LEN];
	void *itext, *ntext, *d;
	size_t ilen, nlen, sz, plen = 0;
	struct ucb_sha256 c;
	char *payload = NULL;
	FILE *f = open_memstream(&payload, &plen);
	int i, fd, err;

	if (!f || ucb_read_file(index, &itext, &ilen) || ucb_read_file(needs, &ntext, &nlen))
		return 1;
	rec_v1(f, "INDX", itext, ilen, NULL, 0);
	rec_v1(f, "NEED", ntext, nlen, NULL, 0);
	for (i = 0; i < n; i++) {
		if (ucb_read_file(blobs[i], &d, &sz))
			return 1;
		ucb_sha256(d, sz, sum);
		rec_v1(f, "BLOB", sum, SHA256_LEN, d, sz);
	}
	if (fclose(f))
		return 1;
	hdr[8] = UCB_FORMAT_V1;
	for (i = 0; i < 8; i++)
		hdr[16 + i] = hdr[24 + i] = (uint64_t)plen >> (8 * i);
	ucb_sha256_init(&c);
	ucb_sha256_update(&c, hdr, 32);
	ucb_sha256_update(&c, payload, plen);
	ucb_sha256_final(&c, hdr + 32);
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	err = fd < 0 || ucb_write_all(fd, hdr, sizeof(hdr)) || ucb_write_all(fd, payload, plen);
	if (fd >= 0)
		close(fd);
	free(payload);
	printf("%zu bytes\n", sizeof(hdr) + plen);
	return err;
}

/* int, long, and struct pt_regs { di } whose member is made by how. */
static int kbtf(const char *out, const char *how)
{
	struct btf *b = btf__new_empty();
	int i32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	int i64 = btf__add_int(b, "long", 8, BTF_INT_SIGNED);
	int next = btf__type_cnt(b), regs, arr;
	const void *raw;
	__u32 sz;

	if (!strcmp(how, "kbtf-self")) {
		regs = btf__add_struct(b, "pt_regs", 8);
		btf__add_field(b, "di", regs, 0, 0);
	} else if (!strcmp(how, "kbtf-array")) {
		arr = btf__add_array(b, i32, next, 2);	/* its element is itself */
		regs = btf__add_struct(b, "pt_regs", 8);
		btf__add_field(b, "di", arr, 0, 0);
	} else if (!strcmp(how, "kbtf-arrself")) {
		arr = btf__add_array(b, i32, next + 1, 2);
		regs = btf__add_struct(b, "pt_regs", 16);
		btf__add_field(b, "di", arr, 0, 0);
	} else if (!strcmp(how, "kbtf-anon")) {
		btf__free(b);
		b = btf__new_empty();
		regs = add_anon_tower(b, "pt_regs", 5, 100);
	} else if (!strcmp(how, "kbtf-badid")) {
		regs = btf__add_struct(b, "pt_regs", 8);
		btf__add_field(b, "di", 99, 0, 0);
	} else if (!strcmp(how, "kbtf-badstr")) {
		struct btf_header *h;
		struct btf_member *m;
		char *img;

		regs = btf__add_struct(b, "pt_regs", 8);
		btf__add_field(b, "di", i64, 0, 0);
		raw = btf__raw_data(b, &sz);
		img = malloc(sz);
		memcpy(img, raw, sz);
		h = (struct btf_header *)img;
		/* The last type is pt_regs; its one member is the last 12 bytes
		 * of the type section. */
		m = (struct btf_member *)(img + h->hdr_len + h->type_off + h->type_len - sizeof(*m));
		m->name_off = 1000000;
		return ucb_write_file_atomic(out, img, sz) ? 1 : 0;
	} else {
		return 2;
	}
	return regs < 0 ? 1 : write_btf(b, out);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int time_prepare(const char *path, const char *target, const char *kbtf)
{
	UCOREBTF_OPTS(ucorebtf_prepare_opts, po, .kernel_btf_path = kbtf);
	struct ucorebtf_bundle *b;
	struct ucorebtf_btf *t = NULL;
	double t0 = now_ms(), ms;

	b = ucorebtf_bundle__open_file(path, NULL);
	if (b)
		t = ucorebtf_bundle__prepare(b, &target, 1, &po);
	ms = now_ms() - t0;
	if (t)
		printf("ok %.2f ms\n", ms);
	else
		printf("refused %.2f ms: %s\n", ms, ucorebtf_errmsg());
	ucorebtf_btf__close(t);
	ucorebtf_bundle__close(b);
	return 0;
}

/* A bundle header declaring an uncompressed payload of the rest of the
 * file: readers hash all of it before looking further.  Or raw BTF whose
 * type section is ints up to the end: readers index all of it. */
static int write_big(const char *path, bool btf, size_t sz)
{
	char *img = calloc(1, sz);
	int fd, err;

	if (btf) {
		struct btf_header *h = (struct btf_header *)img;
		size_t n = (sz - sizeof(*h) - 4) / 16, i;

		*h = (struct btf_header){ .magic = BTF_MAGIC, .version = BTF_VERSION,
					  .hdr_len = sizeof(*h), .type_len = n * 16,
					  .str_off = n * 16, .str_len = 4 };
		for (i = 0; i < n; i++) {
			struct btf_type *t = (void *)(img + sizeof(*h) + i * 16);

			t->info = BTF_KIND_INT << 24;
			t->size = 4;
			*(__u32 *)(t + 1) = 32;		/* 32 bits at offset 0, unsigned */
		}
		sz = sizeof(*h) + n * 16 + 4;
	} else {
		memcpy(img, UCB_MAGIC, 8);
		img[8] = UCB_FORMAT;
		for (int i = 0; i < 8; i++) {
			img[16 + i] = (char)((uint64_t)(sz - UCB_HDR_SZ) >> (8 * i));
			img[24 + i] = (char)((uint64_t)(sz - UCB_HDR_SZ) >> (8 * i));
		}
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	err = fd < 0 || ucb_write_all(fd, img, sz);
	if (fd >= 0)
		close(fd);
	free(img);
	return err;
}

static int truncate_race(const char *path, bool btf, long mb, int runs, char **cmd)
{
	int signals = 0, fails = 0, oks = 0, i, status;
	pid_t pid;

	for (i = 0; i < runs; i++) {
		if (write_big(path, btf, (size_t)mb << 20))
			return 2;
		pid = fork();
		if (pid == 0) {
			int null = open("/dev/null", O_WRONLY);

			dup2(null, 1);
			dup2(null, 2);
			execvp(cmd[0], cmd);
			_exit(127);
		}
		/* From 1 to 40 ms into the read and hash of the file. */
		usleep(1000 + (i * 39000) / (runs > 1 ? runs - 1 : 1));
		if (truncate(path, 4096))
			return 2;
		waitpid(pid, &status, 0);
		if (WIFSIGNALED(status)) {
			signals++;
			printf("run %d: killed by signal %d (%s)\n", i, WTERMSIG(status),
			       strsignal(WTERMSIG(status)));
		} else if (WEXITSTATUS(status)) {
			fails++;
		} else {
			oks++;
		}
	}
	printf("%d runs: %d errors, %d accepted, %d killed by a signal\n", runs, fails, oks, signals);
	return signals ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "loop-blob"))
		return loop_blob(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "empty-blob"))
		return empty_blob(argv[2], atol(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "seed-blob"))
		return seed_blob(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "anon-blob"))
		return anon_blob(argv[2]);
	if (argc == 6 && !strcmp(argv[1], "kneeds"))
		return kneeds(argv[2], argv[3], atol(argv[4]), argv[5]);
	if (argc >= 6 && !strcmp(argv[1], "bundle-v1"))
		return bundle_v1(argv[2], argv[3], argv[4], argv + 5, argc - 5);
	if (argc >= 6 && !strcmp(argv[1], "bundle"))
		return bundle(argv[2], argv[3], argv[4], argv + 5, argc - 5);
	if (argc == 3 && !strncmp(argv[1], "kbtf-", 5))
		return kbtf(argv[2], argv[1]);
	if (argc == 5 && !strcmp(argv[1], "time-prepare"))
		return time_prepare(argv[2], argv[3], argv[4]);
	if (argc >= 7 && !strcmp(argv[1], "truncate-race"))
		return truncate_race(argv[2], !strcmp(argv[3], "btf"), atol(argv[4]), atoi(argv[5]),
				     argv + 6);
	fprintf(stderr, "usage: see tests/tools/trust_craft.c\n");
	return 2;
}
