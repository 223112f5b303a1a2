/* Test helper: write a raw library BTF with two copies of struct data.
 *   genmin_mkbtf dup OUT    two identical struct data {a,c,d} (dedup missed)
 *   genmin_mkbtf diff OUT   struct data {a,c,d} and struct data {a,b,c,d}
 *   genmin_mkbtf fwd OUT    struct data {a,c,d} where int is a fwd-only lib:
 *                           struct holder {struct data *p} + fwd struct data
 */
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include "lib/fileio.h"

static int add_data(struct btf *b, int i32, int with_b)
{
	int id = btf__add_struct(b, "data", with_b ? 16 : 12), off = 0;

	btf__add_field(b, "a", i32, off, 0), off += 32;
	if (with_b)
		btf__add_field(b, "b", i32, off, 0), off += 32;
	btf__add_field(b, "c", i32, off, 0), off += 32;
	btf__add_field(b, "d", i32, off, 0);
	return id;
}

int main(int argc, char **argv)
{
	struct btf *b = btf__new_empty();
	const void *raw;
	__u32 sz;
	int i32;

	if (argc != 3 || !b)
		return 2;
	i32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	if (!strcmp(argv[1], "dup")) {
		add_data(b, i32, 0);
		add_data(b, i32, 0);
	} else if (!strcmp(argv[1], "diff")) {
		add_data(b, i32, 0);
		add_data(b, i32, 1);
	} else if (!strcmp(argv[1], "fwd")) {
		int fwd = btf__add_fwd(b, "data", BTF_FWD_STRUCT);
		int ptr = btf__add_ptr(b, fwd);
		btf__add_struct(b, "holder", 8);
		btf__add_field(b, "p", ptr, 0, 0);
	} else {
		return 2;
	}
	raw = btf__raw_data(b, &sz);
	return ucb_write_file_atomic(argv[2], raw, sz) ? 1 : 0;
}
