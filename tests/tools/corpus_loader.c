// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Corpus loader: load build/bpf/corpus.bpf.o (CO-RE relocated against the
 * BTF given with -b), attach its uprobe to corpus_probe() of BINARY, run
 * BINARY, and print what the probe read as one JSON object, keyed like the
 * ground truth the corpus releases print themselves.
 *
 * usage: corpus_loader [-b BTF] [-l LIB] [-v] OBJ BINARY
 *   -b BTF   btf_custom_path handed to libbpf (kernel + library types)
 *   -l LIB   attach to corpus_probe in LIB (a shared library BINARY loads)
 *            instead of in BINARY
 *   -v       pass libbpf's log through
 */
#include <getopt.h>
#include <stdio.h>
#include "../../examples/common/probe_run.h"
#include "../../bpf/corpus.h"

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-b BTF] [-l LIB] [-v] OBJ BINARY\n", prog);
}

int main(int argc, char **argv)
{
	struct corpus_result r = {};
	struct bpf_object *obj;
	struct bpf_map *map;
	const char *btf = NULL, *lib = NULL, *objpath;
	char *binary;
	int opt, verbose = 0, err;
	pid_t pid;

	while ((opt = getopt(argc, argv, "b:l:v")) != -1) {
		switch (opt) {
		case 'b': btf = optarg; break;
		case 'l': lib = optarg; break;
		case 'v': verbose = 1; break;
		default: usage(argv[0]); return 2;
		}
	}
	if (argc - optind != 2) {
		usage(argv[0]);
		return 2;
	}
	objpath = argv[optind];
	binary = argv[optind + 1];
	probe_log_init(verbose ? LIBBPF_DEBUG : PROBE_LOG_QUIET);

	obj = probe_open(objpath, btf);
	if (!obj)
		return 1;
	/* A loader built against another bpf/corpus.h than the object. */
	map = bpf_object__find_map_by_name(obj, "results");
	if (!map || bpf_map__value_size(map) != sizeof(r)) {
		fprintf(stderr, "Error: %s: results map value is %u bytes, loader expects %zu (rebuild)\n",
			objpath, map ? bpf_map__value_size(map) : 0, sizeof(r));
		bpf_object__close(obj);
		return 1;
	}
	if (probe_load(obj, objpath))
		return 1;
	err = probe_attach_run(obj, "corpus_probe_entry", "corpus_probe", lib ?: binary,
			       (char *[]){ binary, NULL }, &r, &pid);
	bpf_object__close(obj);
	if (err)
		return 1;
	printf("{\"binary\":\"%s\"", binary);
#define CORPUS_PRINT(name) printf(",\"" #name "\":%lld", r.name);
	CORPUS_FIELDS(CORPUS_PRINT)
#undef CORPUS_PRINT
	printf("}\n");
	return 0;
}
