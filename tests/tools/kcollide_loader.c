// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Load a probe of bpf/kcollide.h (kcollide, kcollide_both, pytm), attach
 * program PROG to FUNC in TARGET (a shared library), run APP and print what
 * the probe read as one JSON line (tests/e2e/t_genmin_kcollide.sh).
 *
 * usage: kcollide_loader [-b BTF | -B BUNDLE] OBJ PROG FUNC TARGET APP
 *   -b BTF     btf_custom_path handed to libbpf
 *   -B BUNDLE  libucorebtf prepares the btf_custom_path for TARGET and OBJ
 *   neither    libbpf uses the running kernel's BTF */
#include <getopt.h>
#include <stdio.h>
#include "ucorebtf.h"
#include "../../examples/common/probe_run.h"
#include "../../bpf/kcollide.h"

static void usage(const char *me)
{
	fprintf(stderr, "usage: %s [-b BTF | -B BUNDLE] OBJ PROG FUNC TARGET APP\n", me);
}

int main(int argc, char **argv)
{
	UCOREBTF_OPTS(ucorebtf_prepare_opts, popts);
	struct ucorebtf_bundle *bundle = NULL;
	struct ucorebtf_btf *prepared = NULL;
	const char *btf = NULL, *bundle_path = NULL, *obj_path, *target;
	struct kcollide_result r = {};
	struct bpf_object *obj;
	int opt, err;
	pid_t pid;

	while ((opt = getopt(argc, argv, "b:B:")) != -1) {
		switch (opt) {
		case 'b': btf = optarg; break;
		case 'B': bundle_path = optarg; break;
		default: usage(argv[0]); return 2;
		}
	}
	if (argc - optind != 5) {
		usage(argv[0]);
		return 2;
	}
	obj_path = argv[optind];
	target = argv[optind + 3];
	probe_log_init(LIBBPF_WARN);
	if (bundle_path) {
		bundle = ucorebtf_bundle__open_file(bundle_path, NULL);
		popts.object_path = obj_path;
		prepared = bundle ? ucorebtf_bundle__prepare(bundle, &target, 1, &popts) : NULL;
		if (!prepared) {
			fprintf(stderr, "Error: %s\n", ucorebtf_errmsg());
			ucorebtf_bundle__close(bundle);
			return 1;
		}
		btf = ucorebtf_btf__path(prepared);
	}
	obj = probe_open(obj_path, btf);
	err = obj ? probe_load(obj, obj_path) : -1;
	ucorebtf_btf__close(prepared);
	ucorebtf_bundle__close(bundle);
	if (err)
		return 1;
	err = probe_attach_run(obj, argv[optind + 1], argv[optind + 2], target,
			       (char *[]){ argv[optind + 4], NULL }, &r, &pid);
	bpf_object__close(obj);
	if (err)
		return 1;
	printf("{\"child\":%d", pid);
#define KCOLLIDE_PRINT(name) printf(",\"%s\":%lld", #name, r.name);
	KCOLLIDE_FIELDS(KCOLLIDE_PRINT)
	printf("}\n");
	return 0;
}
