// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Seed loader: attach the add_test uprobe to BINARY, run BINARY, and report
 * what the probe read, through the `results` map.
 *
 * usage: loader [-b BTF | -B BUNDLE] [-j] [-v] OBJ BINARY
 *   -b BTF     btf_custom_path handed to libbpf (kernel + application types)
 *   -B BUNDLE  a ucorebtf bundle: libucorebtf picks BINARY's entry and
 *              prepares the btf_custom_path (kernel types from the running
 *              kernel, pruned to what OBJ needs)
 *
 * Built with -DSEED_EMBED_BUNDLE (build/examples/seed/loader_embed), the
 * bundle of both seed releases is compiled in and used when neither -b nor
 * -B is given: no BTF file on disk at all.
 *   -j       one JSON object on stdout
 *   -v       pass libbpf's log through
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ucorebtf.h"
#include "../common/probe_run.h"
#include "../../bpf/seed.h"
#ifdef SEED_EMBED_BUNDLE
#include "seed_bundle.h"	/* ucorebtf bundle create --emit c */
#endif

int main(int argc, char **argv)
{
	struct seed_result r = {};
	struct bpf_object *obj;
	const char *btf = NULL, *bundle_path = NULL, *objpath, *binary;
	UCOREBTF_OPTS(ucorebtf_prepare_opts, popts);
	struct ucorebtf_bundle *bundle = NULL;
	struct ucorebtf_btf *prepared = NULL;
	bool embedded = false;
	int opt, json = 0, verbose = 0, err;
	pid_t pid;

	while ((opt = getopt(argc, argv, "b:B:jv")) != -1) {
		switch (opt) {
		case 'b': btf = optarg; break;
		case 'B': bundle_path = optarg; break;
		case 'j': json = 1; break;
		case 'v': verbose = 1; break;
		default:
			fprintf(stderr, "usage: %s [-b BTF | -B BUNDLE] [-j] [-v] OBJ BINARY\n", argv[0]);
			return 2;
		}
	}
#ifdef SEED_EMBED_BUNDLE
	embedded = !btf && !bundle_path;
#endif
	if (argc - optind != 2) {
		fprintf(stderr, "usage: %s [-b BTF | -B BUNDLE] [-j] [-v] OBJ BINARY\n", argv[0]);
		return 2;
	}
	objpath = argv[optind];
	binary = argv[optind + 1];
	probe_log_init(verbose ? LIBBPF_DEBUG : PROBE_LOG_QUIET);

	if (bundle_path || embedded) {
#ifdef SEED_EMBED_BUNDLE
		bundle = embedded ? ucorebtf_bundle__open_mem(ucorebtf_bundle_data,
							      ucorebtf_bundle_size, NULL)
				  : ucorebtf_bundle__open_file(bundle_path, NULL);
#else
		bundle = ucorebtf_bundle__open_file(bundle_path, NULL);
#endif
		if (!bundle) {
			fprintf(stderr, "Error: %s\n", ucorebtf_errmsg());
			return 1;
		}
		popts.object_path = objpath;
		prepared = ucorebtf_bundle__prepare(bundle, &binary, 1, &popts);
		if (!prepared) {
			fprintf(stderr, "Error: %s\n", ucorebtf_errmsg());
			ucorebtf_bundle__close(bundle);
			return 1;
		}
		btf = ucorebtf_btf__path(prepared);
		probe_warn_not_exact(prepared);
	}
	obj = probe_open(objpath, btf);
	err = obj ? probe_load(obj, objpath) : -1;
	/* Relocated: the prepared BTF is not needed any more. */
	ucorebtf_btf__close(prepared);
	ucorebtf_bundle__close(bundle);
	if (err)
		return 1;
	err = probe_attach_run(obj, "add_test_entry", "add_test", binary,
			       (char *[]){ (char *)binary, NULL }, &r, &pid);
	bpf_object__close(obj);
	if (err)
		return 1;
	if (json)
		printf("{\"binary\":\"%s\",\"hits\":%u,\"a\":%d,\"c\":%d,\"sum\":%d}\n",
		       binary, r.hits, r.a, r.c, r.sum);
	else
		printf("%s: add_test read a=%d c=%d: %d + %d = %d\n", binary, r.a, r.c, r.a, r.c, r.sum);
	return 0;
}
