// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Load build/bpf/kneeds.bpf.o (kernel CO-RE relocations only) with the BTF
 * given by -b (default: the running kernel's), attach its uprobe to
 * add_test() of BINARY, run BINARY, print what the probe read as JSON, plus
 * the child's pid.
 * usage: kneeds_loader [-b BTF] OBJ BINARY */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "../../bpf/kneeds.h"

static int quiet(enum libbpf_print_level l, const char *f, va_list ap)
{
	return l == LIBBPF_WARN ? vfprintf(stderr, f, ap) : 0;
}

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo);
	LIBBPF_OPTS(bpf_uprobe_opts, uo, .func_name = "add_test");
	struct kneeds_result r = {};
	struct bpf_object *obj;
	struct bpf_link *link;
	int fds[2], status, first = 1;
	__u32 key;
	pid_t pid;
	char c;

	if (argc == 5 && !strcmp(argv[1], "-b")) {
		oo.btf_custom_path = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: kneeds_loader [-b BTF] OBJ BINARY\n");
		return 2;
	}
	libbpf_set_print(quiet);
	obj = bpf_object__open_file(argv[1], &oo);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "Error: %s: cannot load\n", argv[1]);
		return 1;
	}
	link = bpf_program__attach_uprobe_opts(bpf_object__find_program_by_name(obj, "add_test_entry"),
					       -1, argv[2], 0, &uo);
	if (!link || pipe(fds)) {
		fprintf(stderr, "Error: %s: cannot attach\n", argv[2]);
		return 1;
	}
	pid = fork();
	if (pid == 0) {
		close(fds[1]);
		if (read(fds[0], &c, 1) != 1 || !freopen("/dev/null", "w", stdout))
			_exit(127);
		execl(argv[2], argv[2], (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	if (write(fds[1], "g", 1) != 1)
		return 1;
	close(fds[1]);
	waitpid(pid, &status, 0);
	key = pid;
	if (bpf_map_lookup_elem(bpf_map__fd(bpf_object__find_map_by_name(obj, "results")), &key, &r)) {
		fprintf(stderr, "Error: the probe did not fire\n");
		return 1;
	}
	printf("{\"child\":%d", pid);
#define KNEEDS_PRINT(name) printf(",\"%s\":%lld", #name, r.name); first = 0;
	KNEEDS_FIELDS(KNEEDS_PRINT)
	printf("}\n");
	bpf_link__destroy(link);
	bpf_object__close(obj);
	return first;
}
