/* Unit tests of the core helpers; prints PASS:/FAIL: lines for tests/run.sh. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "tool/btf_io.h"
#include "cli/common.h"

static int failures;

#define EXPECT(name, cond) do {						\
	if (cond) printf("PASS: unit: %s\n", name);			\
	else { printf("FAIL: unit: %s (%s:%d)\n", name, __FILE__, __LINE__); failures++; } \
} while (0)

static void test_meta_from_name(void)
{
	struct btf_meta m;

	btf_meta_from_name("/x/libssl-3.0.17.btf", &m);
	EXPECT("name libssl-3.0.17.btf", !strcmp(m.library, "libssl") && !strcmp(m.version, "3.0.17"));
	btf_meta_from_name("liblua5.4-5.4.6.btf", &m);
	EXPECT("name liblua5.4-5.4.6.btf", !strcmp(m.library, "liblua5.4") && !strcmp(m.version, "5.4.6"));
	btf_meta_from_name("lib-foo-bar-2.btf", &m);
	EXPECT("name lib-foo-bar-2.btf", !strcmp(m.library, "lib-foo-bar") && !strcmp(m.version, "2"));
	btf_meta_from_name("libssl-3.0.17.min.btf", &m);
	EXPECT("name libssl-3.0.17.min.btf", !strcmp(m.library, "libssl") && !strcmp(m.version, "3.0.17"));
	btf_meta_from_name("plain.btf", &m);
	EXPECT("name plain.btf", !strcmp(m.library, "plain") && !m.version[0]);
}

static void test_atomic_write(const char *dir)
{
	char path[512], bad[512];
	void *data;
	size_t sz;

	snprintf(path, sizeof(path), "%s/out.bin", dir);
	EXPECT("write_file_atomic writes", !ucb_write_file_atomic(path, "abc", 3));
	EXPECT("read_file reads back", !ucb_read_file(path, &data, &sz) && sz == 3 && !memcmp(data, "abc", 3));
	free(data);
	snprintf(bad, sizeof(bad), "%s/no/such/dir/out.bin", dir);
	EXPECT("write_file_atomic into a missing dir fails", ucb_write_file_atomic(bad, "abc", 3) == -ENOENT);
	EXPECT("write_file_atomic onto a directory fails", ucb_write_file_atomic(dir, "abc", 3) == -EISDIR);
	EXPECT("read_file of a directory fails", ucb_read_file(dir, &data, &sz) == -EISDIR);
}

static void test_btf_roundtrip(const char *dir)
{
	struct btf_meta m = { .library = "libx", .version = "1.2", .soname = "libx.so.1",
			      .build_id = "abcd", .arch = "x86_64" }, r;
	enum btf_file_kind kind;
	char elf[512], raw[512];
	struct btf *btf, *back;
	int id;

	btf = btf__new_empty();
	id = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	btf__add_struct(btf, "s", 8);
	btf__add_field(btf, "a", id, 0, 0);
	btf__add_field(btf, "b", id, 32, 0);
	snprintf(elf, sizeof(elf), "%s/x.btf", dir);
	snprintf(raw, sizeof(raw), "%s/raw.btf", dir);
	EXPECT("btf_write_elf", !btf_write_elf(elf, btf, &m));
	EXPECT("btf_write_raw", !btf_write_raw(raw, btf));
	EXPECT("wrapper is ELF with .BTF", !btf_file_kind(elf, &kind) && kind == BTF_FILE_ELF);
	EXPECT("raw is raw", !btf_file_kind(raw, &kind) && kind == BTF_FILE_RAW);
	back = btf__parse(elf, NULL);
	EXPECT("libbpf parses the wrapper", back && btf__type_cnt(back) == 3 &&
	       btf__find_by_name_kind(back, "s", BTF_KIND_STRUCT) == 2);
	btf__free(back);
	EXPECT("meta round-trips", !btf_meta_read(elf, &r) && !memcmp(&r, &m, sizeof(m)));
	EXPECT("raw BTF has no meta", btf_meta_read(raw, &r) == -ENODATA);
	btf__free(btf);
	unlink(elf);
	unlink(raw);
}

int main(void)
{
	char dir[] = "/tmp/ucorebtf-unit.XXXXXX", path[512];

	if (!mkdtemp(dir))
		return 1;
	test_meta_from_name();
	test_atomic_write(dir);
	test_btf_roundtrip(dir);
	snprintf(path, sizeof(path), "%s/out.bin", dir);
	unlink(path);
	rmdir(dir);
	return failures ? 1 : 0;
}
