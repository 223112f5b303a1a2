/* Table tests of the parsers of untrusted input (no root): index lines,
 * needs lines, field validators, entry ordering, version tokens in .rodata,
 * duplicate entries in a bundle.  Prints PASS:/FAIL: lines for tests/run.sh. */
#include <errno.h>
#include <stdlib.h>
#include <bpf/btf.h>
#include "lib/bundle.h"
#include "lib/index.h"
#include "unit.h"

#define SHA_A "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define SHA_B "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define BID "8f3c1a"
#define GOOD "libssl\t3.0.17\tx86_64\t" SHA_A "\t1234\tlibssl.so.3\t" BID ",ab12\tprobe,other\n"

static char n127[128], n128[129];

/* An index line from fields, each replaceable; "\t"-joined, '\n' ended. */
static void line8(char *out, size_t sz, const char *const f[8])
{
	snprintf(out, sz, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f[0], f[1], f[2], f[3], f[4], f[5],
		 f[6], f[7]);
}

static void test_index_valid(void)
{
	const char *text = "# ucorebtf index v1\n" GOOD "# a comment\n"
			   "lua\t5.4.6\taarch64\t" SHA_B "\t1\t-\t-\t-\n";
	struct ucb_index idx;
	const struct ucb_entry *e;
	char *line;
	int err;

	err = ucb_index_parse(text, strlen(text), &idx);
	EXPECT("index: two entries, comments skipped", !err && idx.cnt == 2);
	if (err || idx.cnt != 2)
		return;
	e = &idx.e[0];
	EXPECT("index: fields of a full line", !strcmp(e->lib, "libssl") && !strcmp(e->version, "3.0.17") &&
	       !strcmp(e->arch, "x86_64") && !strcmp(e->digest, SHA_A) && e->size == 1234 &&
	       !strcmp(e->soname, "libssl.so.3") && !strcmp(e->build_ids, BID ",ab12") &&
	       !strcmp(e->objects, "probe,other"));
	e = &idx.e[1];
	EXPECT("index: '-' for empty soname, build-ids, objects", !strcmp(e->soname, "-") &&
	       !strcmp(e->build_ids, "-") && !strcmp(e->objects, "-") && e->size == 1);
	line = ucb_entry_line(&idx.e[0]);
	EXPECT("index: ucb_entry_line writes the line back", line && !strcmp(line, GOOD));
	free(line);
	ucb_index_free(&idx);

	EXPECT("index: empty text, no entries", !ucb_index_parse("", 0, &idx) && idx.cnt == 0);
	ucb_index_free(&idx);
	/* Not NUL-terminated: the parser reads len bytes only. */
	char buf[sizeof(GOOD) + 8];
	memcpy(buf, GOOD, strlen(GOOD));
	memcpy(buf + strlen(GOOD), "garbage", 8);
	EXPECT("index: reads len bytes, not up to a NUL", !ucb_index_parse(buf, strlen(GOOD), &idx) && idx.cnt == 1);
	ucb_index_free(&idx);
}

/* Each field of a good line replaced by a bad value: the line is refused
 * with -EINVAL and a message naming its line number. */
static void test_index_invalid(void)
{
	static const struct { int field; const char *value, *what; } cases[] = {
		{ 0, "", "empty library" },
		{ 0, ".hidden", "library starting with '.'" },
		{ 0, "-lib", "library starting with '-'" },
		{ 0, "lib/ssl", "library with '/'" },
		{ 0, "lib ssl", "library with a space" },
		{ 0, n128, "library of 128 characters" },
		{ 1, "", "empty version" },
		{ 1, "3.0\x01", "version with a control character" },
		{ 1, "../3", "version with '/'" },
		{ 2, "x86 64", "arch with a space" },
		{ 2, "", "empty arch" },
		{ 3, SHA_A "0", "sha256 of 65 digits" },
		{ 3, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde", "sha256 of 63 digits" },
		{ 3, "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", "uppercase sha256" },
		{ 3, "g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "non-hex sha256" },
		{ 4, "0", "size 0" },
		{ 4, "-1", "negative size" },
		{ 4, "12x", "size with a suffix" },
		{ 4, "", "empty size" },
		{ 4, "1073741825", "size over 1 GiB" },
		{ 4, "99999999999999999999999", "size overflowing 64 bits" },
		{ 5, "lib/ssl.so", "soname with '/'" },
		{ 5, "a,b", "soname with ','" },
		{ 5, "", "empty soname (not '-')" },
		{ 6, "xyz", "non-hex build-id" },
		{ 6, "ab,,cd", "empty build-id in the list" },
		{ 6, "ab,", "build-id list ending with ','" },
		{ 6, "a", "build-id of one digit" },
		{ 7, "probe,", "object list ending with ','" },
		{ 7, "pro/be", "object with '/'" },
		{ 7, "", "empty object list (not '-')" },
	};
	const char *f[8] = { "libssl", "3.0.17", "x86_64", SHA_A, "1234", "libssl.so.3", BID, "probe" };
	char text[1024], line[512];
	struct ucb_index idx;
	size_t i;
	int err;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *keep = f[cases[i].field];

		f[cases[i].field] = cases[i].value;
		line8(line, sizeof(line), f);
		f[cases[i].field] = keep;
		snprintf(text, sizeof(text), "%s%s", GOOD, line);	/* the bad line is line 2 */
		ucb_err_clear();
		errno = 0;
		err = ucb_index_parse(text, strlen(text), &idx);
		EXPECTF(err == -EINVAL && errno == EINVAL && strstr(ucb_errmsg(), "line 2"),
			"index: %s refused (-EINVAL, errno, 'line 2': '%s')", cases[i].what,
			err ? ucb_errmsg() : "accepted");
		if (!err)
			ucb_index_free(&idx);
	}
	f[0] = n127;
	line8(line, sizeof(line), f);
	EXPECT("index: library of 127 characters accepted", !ucb_index_parse(line, strlen(line), &idx) && idx.cnt == 1);
	ucb_index_free(&idx);

	static const struct { const char *text, *what; } whole[] = {
		{ "libssl\t3.0.17\tx86_64\t" SHA_A "\t1234\tlibssl.so.3\t" BID "\n", "7 fields" },
		{ "libssl\t3.0.17\tx86_64\t" SHA_A "\t1234\tlibssl.so.3\t" BID "\tprobe\textra\n", "9 fields" },
		{ "libssl 3.0.17 x86_64 " SHA_A " 1234 libssl.so.3 " BID " probe\n", "spaces for tabs" },
		{ "libssl\t3.0.17\tx86_64\t" SHA_A "\t1234\tlibssl.so.3\t" BID "\tprobe\r\n", "CRLF line end" },
		{ "\n", "an empty line" },
		{ "libssl\t3.0.17\tx86_64\t" SHA_A "\t1234\tlibssl.so.3\t" BID "\tprobe", "no final newline" },
	};
	for (i = 0; i < sizeof(whole) / sizeof(whole[0]); i++) {
		err = ucb_index_parse(whole[i].text, strlen(whole[i].text), &idx);
		EXPECTF(err == -EINVAL, "index: %s refused", whole[i].what);
		if (!err)
			ucb_index_free(&idx);
	}
	memcpy(text, GOOD, strlen(GOOD) + 1);
	text[10] = 0;
	EXPECT("index: a NUL byte refused", ucb_index_parse(text, strlen(GOOD), &idx) == -EINVAL);
}

/* More than UCB_MAX_ENTRIES lines: -E2BIG, not an unbounded allocation.
 * Each line a different version: a repeated entry is refused for itself. */
static void test_index_too_many(void)
{
	size_t n = UCB_MAX_ENTRIES + 1, i, len = 0, cut = 0;
	char *text = NULL;
	struct ucb_index idx;
	size_t cap = 0;
	FILE *f = open_memstream(&text, &cap);
	int err;

	for (i = 0; f && i < n; i++) {
		if (i == n - 1) {
			fflush(f);
			cut = cap;
		}
		fprintf(f, "libssl\t3.0.%zu\tx86_64\t" SHA_A "\t1234\tlibssl.so.3\t" BID "\tprobe\n", i);
	}
	if (f && !fclose(f))
		len = cap;
	err = len ? ucb_index_parse(text, len, &idx) : -ENOMEM;
	EXPECTF(err == -E2BIG, "index: %zu entries refused with -E2BIG (got %d)", n, err);
	if (!err)
		ucb_index_free(&idx);
	err = len ? ucb_index_parse(text, cut, &idx) : -ENOMEM;
	EXPECTF(!err && idx.cnt == n - 1, "index: %zu entries accepted", n - 1);
	if (!err)
		ucb_index_free(&idx);
	free(text);
}

static void test_needs(void)
{
	static const struct { const char *line, *what; int ok; } cases[] = {
		{ "probe\tstruct\ttask_struct\tpid\n", "struct member", 1 },
		{ "probe\tstruct\ttask_struct\t-\n", "whole struct", 1 },
		{ "probe\tunion\tu\ta.b.c\n", "nested member path", 1 },
		{ "probe\tenum\tbpf_cmd\tBPF_MAP_CREATE\n", "enumerator", 1 },
		{ "probe\ttypedef\tu32\t-\n", "typedef", 1 },
		{ "# comment\n", "comment", 1 },
		{ "probe\tclass\tx\t-\n", "unknown kind", 0 },
		{ "probe\tstruct\t1abc\t-\n", "name starting with a digit", 0 },
		{ "probe\tstruct\ttask-struct\t-\n", "name with '-'", 0 },
		{ "probe\tstruct\tt\ta..b\n", "path with '..'", 0 },
		{ "probe\tstruct\tt\t.a\n", "path starting with '.'", 0 },
		{ "probe\tstruct\tt\ta.\n", "path ending with '.'", 0 },
		{ "probe\tstruct\tt\n", "3 fields", 0 },
		{ "probe\tstruct\tt\t-\textra\n", "5 fields", 0 },
		{ ".probe\tstruct\tt\t-\n", "object starting with '.'", 0 },
		{ "probe\tstruct\tt\t-", "no final newline", 0 },
	};
	struct ucb_needs nd;
	char big[400];
	size_t i;
	int err;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err = ucb_needs_parse(cases[i].line, strlen(cases[i].line), &nd);
		EXPECTF(cases[i].ok ? !err : err == -EINVAL, "needs: %s %s", cases[i].what,
			cases[i].ok ? "accepted" : "refused");
		if (!err)
			ucb_needs_free(&nd);
	}
	err = ucb_needs_parse(cases[0].line, strlen(cases[0].line), &nd);
	EXPECT("needs: fields", !err && nd.cnt == 1 && !strcmp(nd.n[0].object, "probe") &&
	       !strcmp(nd.n[0].kind, "struct") && !strcmp(nd.n[0].name, "task_struct") &&
	       !strcmp(nd.n[0].path, "pid"));
	if (!err)
		ucb_needs_free(&nd);
	memset(big, 'a', 256);
	snprintf(big + 256, sizeof(big) - 256, "\tstruct\tt\t-\n");
	EXPECT("needs: object name of 256 characters refused", ucb_needs_parse(big, strlen(big), &nd) == -EINVAL);
	snprintf(big, sizeof(big), "p\tstruct\t%s\t-\n", n128);
	EXPECT("needs: 128-character type name accepted", !ucb_needs_parse(big, strlen(big), &nd));
	ucb_needs_free(&nd);
	const char two[] = "p\tstruct\tt\ta\nq\tstruct\tt\tb..c\n";
	ucb_err_clear();
	EXPECTF(ucb_needs_parse(two, strlen(two), &nd) == -EINVAL && strstr(ucb_errmsg(), "line 2"),
		"needs: the message names the bad line ('%s')", ucb_errmsg());
}

static void test_validators(void)
{
	EXPECT("valid_name: '+' '~' '_' '.' allowed", ucb_valid_name("g++_1.2~rc1"));
	EXPECT("valid_hex: min and max length", ucb_valid_hex("ab", 2, 4) && !ucb_valid_hex("a", 2, 4) &&
	       !ucb_valid_hex("abcde", 2, 4));
	EXPECT("valid_soname: printable, no tab", ucb_valid_soname("libc.so.6") && !ucb_valid_soname("a\tb"));
	EXPECT("valid_ident", ucb_valid_ident("_x1") && !ucb_valid_ident("") && !ucb_valid_ident("a.b"));
	EXPECT("valid_path", ucb_valid_path("-") && ucb_valid_path("a.b_c") && !ucb_valid_path("a.1b"));
	EXPECT("list_has: member", ucb_list_has("ab,cd,ef", "cd") && ucb_list_has("ab", "ab"));
	EXPECT("list_has: not a prefix or suffix", !ucb_list_has("abc,cde", "ab") && !ucb_list_has("abc", "bc") &&
	       !ucb_list_has("ab,cd", "b,c"));
	EXPECT("list_has: '-' is empty", !ucb_list_has("-", "-") && !ucb_list_has("ab", ""));
}

static struct ucb_entry ent(const char *lib, const char *ver, const char *arch)
{
	return (struct ucb_entry){ .lib = (char *)lib, .version = (char *)ver, .arch = (char *)arch };
}

/* Natural version order: what `bundle list`, the archive index and the
 * report sort by. */
static void test_order(void)
{
	static const struct { const char *a, *b; } less[] = {
		{ "5.4.9", "5.4.10" }, { "1.9", "1.10" }, { "3.0.2", "3.0.10" }, { "1.0", "1.0.1" },
		{ "1.1.1", "1.1.1w" }, { "1.1.1v", "1.1.1w" }, { "1.1.1w", "1.1.2" }, { "2", "10" },
		{ "5.3.6", "5.4.0" },
	};
	struct ucb_entry a, b, v[6];
	struct ucb_index idx = { .e = v, .cnt = 6 };
	size_t i;

	for (i = 0; i < sizeof(less) / sizeof(less[0]); i++) {
		a = ent("lua", less[i].a, "x86_64");
		b = ent("lua", less[i].b, "x86_64");
		EXPECTF(ucb_entry_cmp(&a, &b) < 0 && ucb_entry_cmp(&b, &a) > 0, "order: %s < %s", less[i].a, less[i].b);
	}
	a = ent("liba", "9", "x86_64");
	b = ent("libb", "1", "aarch64");
	EXPECT("order: library first", ucb_entry_cmp(&a, &b) < 0);
	a = ent("lua", "5.4.6", "aarch64");
	b = ent("lua", "5.4.6", "x86_64");
	EXPECT("order: arch last", ucb_entry_cmp(&a, &b) < 0);
	/* strverscmp calls 5.4.06 and 5.4.6 equal: the plain compare decides. */
	a = ent("lua", "5.4.06", "x86_64");
	b = ent("lua", "5.4.6", "x86_64");
	EXPECT("order: versions equal by number still differ (total order)", ucb_entry_cmp(&a, &b) != 0);
	a = ent("lua", "5.4.6", "x86_64");
	EXPECT("order: the same entry compares equal", ucb_entry_cmp(&a, &a) == 0);

	v[0] = ent("lua", "5.4.10", "x86_64");
	v[1] = ent("libssl", "3.0.17", "x86_64");
	v[2] = ent("lua", "5.4.9", "x86_64");
	v[3] = ent("lua", "5.1.5", "i686");
	v[4] = ent("lua", "5.4.9", "aarch64");
	v[5] = ent("lua", "5.1.5", "x86_64");
	ucb_index_sort(&idx);
	char got[256] = "";
	for (i = 0; i < idx.cnt; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s %s %s", i ? ", " : "",
			 v[i].lib, v[i].version, v[i].arch);
	EXPECTF(!strcmp(got, "libssl 3.0.17 x86_64, lua 5.1.5 i686, lua 5.1.5 x86_64, lua 5.4.9 aarch64, "
		"lua 5.4.9 x86_64, lua 5.4.10 x86_64"), "order: ucb_index_sort (%s)", got);
}

/* (The free version-token search of .rodata is gone: a version is read
 * only after a library's anchored rule prefix, tests/unit/vrule.c.) */

/* A bundle whose index lists one entry twice is refused. */
static void test_bundle_duplicate(void)
{
	struct btf *btf = btf__new_empty();
	struct ucb_wblob blob = {};
	struct ucb_bundle b;
	char text[512];
	void *img = NULL;
	size_t img_sz;
	__u32 raw_sz;
	int err;

	btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	blob.data = btf__raw_data(btf, &raw_sz);
	blob.size = raw_sz;
	ucb_sha256_hex(blob.data, blob.size, blob.digest);
	snprintf(text, sizeof(text), "lib\t1\tx86_64\t%s\t%u\t-\t-\t-\n", blob.digest, raw_sz);
	EXPECT("bundle: one entry builds and parses",
	       !ucb_bundle_build(text, strlen(text), "", 0, NULL, 0, &blob, 1, UCB_COMP_NONE, &img, &img_sz) &&
	       !ucb_bundle_parse(img, img_sz, NULL, &b) && b.idx.cnt == 1);
	ucb_bundle_free(&b);
	free(img);
	img = NULL;
	snprintf(text, sizeof(text), "lib\t1\tx86_64\t%s\t%u\t-\t-\t-\nlib\t1\tx86_64\t%s\t%u\t-\t-\t-\n",
		 blob.digest, raw_sz, blob.digest, raw_sz);
	ucb_err_clear();
	err = ucb_bundle_build(text, strlen(text), "", 0, NULL, 0, &blob, 1, UCB_COMP_NONE, &img, &img_sz);
	if (!err)
		err = ucb_bundle_parse(img, img_sz, NULL, &b);
	EXPECTF(err == -EINVAL && strstr(ucb_errmsg(), "listed twice"),
		"bundle: an entry listed twice is refused ('%s')", ucb_errmsg());
	if (!err)
		ucb_bundle_free(&b);
	free(img);
	btf__free(btf);
}

int main(void)
{
	memset(n127, 'a', 127);
	memset(n128, 'a', 128);
	test_index_valid();
	test_index_invalid();
	test_index_too_many();
	test_needs();
	test_validators();
	test_order();
	test_bundle_duplicate();
	return failures ? 1 : 0;
}
