/* Bundle open + prepare through the public API, as a tracer embedding
 * libucorebtf runs it on a bundle it did not make.  The target binary (the
 * seed app) and the kernel BTF (a small fixture, not /sys/kernel/btf/vmlinux:
 * too slow per run) are fixed.  The input is either
 *  - a bundle ("UCOREBTF" magic), format 1 or 2: opened as it is, then once
 *    more with its header checksum recomputed (and, uncompressed, its
 *    sizes), so that mutations get past the checksum into decompression
 *    and the records (format 2's index columns, BIDS, blob ordinals); or
 *  - the parts of one, which the harness builds into a valid image (right
 *    checksum and blob digests), so that mutations reach the index, the
 *    needs, the blobs and prepare's stages:
 *	INDEX TEXT "@@NEED\n" NEEDS TEXT ["@@RULE\n" RULES TEXT] ("@@BLOB\n" BLOB)...
 *    where "@shaN" and "@sizeN" in the index text stand for the sha256 and
 *    size of blob N (0-9); ucb_bundle_build writes format 2 of it.
 *    tests/fixtures/fuzz/bundle/ has both kinds (*.ucb: both formats).
 *
 * Whatever prepare accepts must be BTF that libbpf reads back and can walk
 * (no loops, no ids out of range), and every string the API hands out must
 * be a valid C string. */
#include <bpf/btf.h>
#include <ucorebtf.h>
#include "lib/bundle.h"
#include "lib/sha256.h"
#include "lib/btf_check.h"
#include "fuzz.h"

static const char *target, *kbtf;
static bool say_how;	/* UCB_FUZZ_VERBOSE=1: say how far each input got */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_init_common();
	target = fuzz_fixture("UCB_FUZZ_TARGET", FUZZ_TARGET);
	kbtf = fuzz_fixture("UCB_FUZZ_KBTF", FUZZ_KBTF);
	say_how = getenv("UCB_FUZZ_VERBOSE");
	return 0;
}

static void check_str(const char *s)
{
	if (s && strlen(s) > 1 << 20)
		fuzz_die("implausible string from the API");
}

/* prepare, then read every result back. */
static void prepare(struct ucorebtf_bundle *b, const char *version)
{
	const char *const targets[] = { target };
	const char *const versions[] = { version };
	UCOREBTF_OPTS(ucorebtf_prepare_opts, po, .kernel_btf_path = kbtf,
		      .versions = version ? versions : NULL, .follow_needed = true);
	const char *path, *lib, *ver, *arch, *how;
	struct ucorebtf_btf *t;
	const void *raw;
	struct btf *back;
	size_t sz, i;

	t = ucorebtf_bundle__prepare(b, targets, 1, &po);
	if (say_how)
		fprintf(stderr, "prepare (version %s): %s\n", version ?: "-",
			t ? ucorebtf_btf__describe(t) : ucorebtf_errmsg());
	if (!t) {
		check_str(ucorebtf_errmsg());
		return;
	}
	raw = ucorebtf_btf__raw_data(t, &sz);
	back = btf__new(raw, sz);
	if (!back)
		fuzz_die("prepared BTF does not parse: %s", strerror(errno));
	/* libbpf walks it when it loads the object */
	if (ucb_btf_check_graph(back, "prepared"))
		fuzz_die("prepared BTF fails the graph check: the runtime let a bad blob through");
	fuzz_btf_walk(back);
	btf__free(back);
	if (access(ucorebtf_btf__path(t), R_OK))
		fuzz_die("prepared BTF path %s: %s", ucorebtf_btf__path(t), strerror(errno));
	for (i = 0; i < ucorebtf_btf__target_cnt(t); i++) {
		if (ucorebtf_btf__target(t, i, &path, &lib, &ver, &arch, &how))
			fuzz_die("target %zu of %zu missing", i, ucorebtf_btf__target_cnt(t));
		check_str(path), check_str(lib), check_str(ver), check_str(arch), check_str(how);
	}
	check_str(ucorebtf_btf__describe(t));
	ucorebtf_btf__close(t);
}

static void open_prepare(const uint8_t *data, size_t size)
{
	const char *lib, *ver = NULL, *arch, *first = NULL;
	struct ucorebtf_bundle *b;
	size_t i, n;

	b = ucorebtf_bundle__open_mem(data, size, NULL);
	if (say_how && !b)
		fprintf(stderr, "open: %s\n", ucorebtf_errmsg());
	if (!b) {
		check_str(ucorebtf_errmsg());
		return;
	}
	n = ucorebtf_bundle__entry_cnt(b);
	for (i = 0; i < n; i++) {
		if (ucorebtf_bundle__entry(b, i, &lib, &ver, &arch))
			fuzz_die("entry %zu of %zu missing", i, n);
		check_str(lib), check_str(ver), check_str(arch);
		if (!first)
			first = ver;
	}
	/* By build-id and what the target says; then with a version given,
	 * which reaches the later stages whatever the build-ids are. */
	prepare(b, NULL);
	if (first)
		prepare(b, first);
	ucorebtf_bundle__close(b);
}

/* The header checksum (docs/bundle.md): sha256 of the first 32 header
 * bytes and the stored payload, at offset 32. */
static void resign(const uint8_t *data, size_t size)
{
	uint8_t *copy;
	struct ucb_sha256 c;

	if (size < UCB_HDR_SZ)
		return;
	copy = malloc(size);
	if (!copy)
		fuzz_die("out of memory");
	memcpy(copy, data, size);
	/* Uncompressed: stored and payload size are the file's, whatever
	 * length the mutation left. */
	if (copy[10] == UCB_COMP_NONE && !copy[11])
		for (int i = 0; i < 8; i++)
			copy[16 + i] = copy[24 + i] = (uint8_t)((uint64_t)(size - UCB_HDR_SZ) >> (8 * i));
	ucb_sha256_init(&c);
	ucb_sha256_update(&c, copy, 32);
	ucb_sha256_update(&c, copy + UCB_HDR_SZ, size - UCB_HDR_SZ);
	ucb_sha256_final(&c, copy + 32);
	if (memcmp(copy, data, UCB_HDR_SZ))
		open_prepare(copy, size);
	free(copy);
}

#define MAX_BLOBS 10

/* The next part: up to sep (which is skipped) or the end. */
static const char *part(const char *p, const char *end, const char *sep, size_t *len)
{
	const char *s = memmem(p, end - p, sep, strlen(sep));

	*len = (s ? s : end) - p;
	return s ? s + strlen(sep) : NULL;
}

/* Index text with @shaN and @sizeN replaced; malloc'ed. */
static char *expand(const char *text, size_t len, const struct ucb_wblob *bl, size_t cnt, size_t *out_len)
{
	char *out = malloc(len * 16 + 1), *o = out;
	const char *p = text, *end = text + len;

	if (!out)
		fuzz_die("out of memory");
	while (p < end) {
		if (end - p >= 5 && !memcmp(p, "@sha", 4) && p[4] >= '0' && p[4] - '0' < (int)cnt) {
			o += sprintf(o, "%s", bl[p[4] - '0'].digest);
			p += 5;
		} else if (end - p >= 6 && !memcmp(p, "@size", 5) && p[5] >= '0' && p[5] - '0' < (int)cnt) {
			o += sprintf(o, "%zu", bl[p[5] - '0'].size);
			p += 6;
		} else {
			*o++ = *p++;
		}
	}
	*out_len = o - out;
	return out;
}

static void build(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *index, *needs, *rules = NULL;
	struct ucb_wblob bl[MAX_BLOBS];
	size_t index_len, needs_len, rules_len = 0, cnt = 0, len, img_sz;
	char *text;
	void *img;

	index = p;
	p = part(p, end, "@@NEED\n", &index_len);
	if (!p)
		return;
	needs = p;
	p = part(p, end, "@@BLOB\n", &needs_len);
	/* The version rules, if any, end the needs part. */
	rules = memmem(needs, needs_len, "@@RULE\n", 7);
	if (rules) {
		rules_len = needs + needs_len - (rules + 7);
		needs_len = rules - needs;
		rules += 7;
	}
	while (p && cnt < MAX_BLOBS) {
		bl[cnt].data = p;
		p = part(p, end, "@@BLOB\n", &bl[cnt].size);
		ucb_sha256_hex(bl[cnt].data, bl[cnt].size, bl[cnt].digest);
		cnt++;
	}
	text = expand(index, index_len, bl, cnt, &len);
	if (!ucb_bundle_build(text, len, needs, needs_len, rules, rules_len, bl, cnt, UCB_COMP_NONE, &img,
			      &img_sz)) {
		open_prepare(img, img_sz);
		free(img);
	}
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 8 && !memcmp(data, UCB_MAGIC, 8)) {
		open_prepare(data, size);
		resign(data, size);
	} else {
		build(data, size);
	}
	return 0;
}
