// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Load build/bpf/kneeds.bpf.o (kernel CO-RE relocations only) with the BTF
 * given by -b (default: the running kernel's), attach its uprobe to
 * add_test() of BINARY, run BINARY, print what the probe read as JSON, plus
 * the child's pid.
 * usage: kneeds_loader [-b BTF] OBJ BINARY */
#include <stdio.h>
#include <string.h>
#include "../../examples/common/probe_run.h"
#include "../../bpf/kneeds.h"

int main(int argc, char **argv)
{
	struct kneeds_result r = {};
	const char *btf = NULL;
	struct bpf_object *obj;
	int err, first = 1;
	pid_t pid;

	if (argc == 5 && !strcmp(argv[1], "-b")) {
		btf = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: kneeds_loader [-b BTF] OBJ BINARY\n");
		return 2;
	}
	probe_log_init(LIBBPF_WARN);
	obj = probe_open(argv[1], btf);
	if (!obj || probe_load(obj, argv[1]))
		return 1;
	err = probe_attach_run(obj, "add_test_entry", "add_test", argv[2],
			       (char *[]){ argv[2], NULL }, &r, &pid);
	bpf_object__close(obj);
	if (err)
		return 1;
	printf("{\"child\":%d", pid);
#define KNEEDS_PRINT(name) printf(",\"%s\":%lld", #name, r.name); first = 0;
	KNEEDS_FIELDS(KNEEDS_PRINT)
	printf("}\n");
	return first;
}
