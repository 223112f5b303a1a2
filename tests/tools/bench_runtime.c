/* Timings for scripts/bench-runtime.sh, side by side in one process:
 *   prepare  libucorebtf: bundle entry for TARGET + pruned kernel types -> memfd
 *   merge    the seed's way: full kernel BTF + full app BTF merged into a file
 *   load     bpf_object__open + load of OBJ with each as btf_custom_path
 * usage: bench_runtime BUNDLE OBJ TARGET FULL_APP_BTF RUNS
 * Prints "name median_ms min_ms" lines. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "bench.h"
#include "ucorebtf.h"

static void report(const char *name, double *t, int n)
{
	qsort(t, n, sizeof(*t), cmp_d);
	printf("%s %.3f %.3f\n", name, t[n / 2], t[0]);
}

static int silent(enum libbpf_print_level l, const char *f, va_list ap) { return 0; }

static int load(const char *obj_path, const char *btf_path)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = btf_path);
	struct bpf_object *obj = bpf_object__open_file(obj_path, &oo);
	int err;

	if (!obj)
		return -errno;
	err = bpf_object__load(obj);
	bpf_object__close(obj);
	return err;
}

int main(int argc, char **argv)
{
	const char *bundle_path, *obj, *target, *full;
	struct ucorebtf_bundle *b;
	struct ucorebtf_btf *p = NULL;
	char merged[] = "/tmp/ucorebtf-bench.XXXXXX";
	double *t0, *t1, *t2, *t3, t;
	int runs, i, fd;

	if (argc != 6)
		return fprintf(stderr, "usage: %s BUNDLE OBJ TARGET FULL_APP_BTF RUNS\n", argv[0]), 2;
	bundle_path = argv[1], obj = argv[2], target = argv[3], full = argv[4], runs = atoi(argv[5]);
	libbpf_set_print(silent);
	t0 = calloc(runs, sizeof(double));
	t1 = calloc(runs, sizeof(double));
	t2 = calloc(runs, sizeof(double));
	t3 = calloc(runs, sizeof(double));
	b = ucorebtf_bundle__open_file(bundle_path, NULL);
	fd = mkstemp(merged);
	if (!b || fd < 0)
		return fprintf(stderr, "Error: %s\n", ucorebtf_errmsg()), 1;
	close(fd);
	for (i = 0; i < runs; i++) {
		UCOREBTF_OPTS(ucorebtf_prepare_opts, po, .object_path = obj);
		struct btf *k, *a, *m;
		const void *raw;
		__u32 sz;
		FILE *f;

		t = now_ms();
		p = ucorebtf_bundle__prepare(b, &target, 1, &po);
		t0[i] = now_ms() - t;
		if (!p)
			return fprintf(stderr, "Error: %s\n", ucorebtf_errmsg()), 1;

		t = now_ms();
		k = btf__parse("/sys/kernel/btf/vmlinux", NULL);
		a = btf__parse(full, NULL);
		m = btf__new_empty();
		if (!k || !a || !m || btf__add_btf(m, k) < 0 || btf__add_btf(m, a) < 0 ||
		    !(raw = btf__raw_data(m, &sz)) || !(f = fopen(merged, "w")) ||
		    fwrite(raw, 1, sz, f) != sz || fclose(f))
			return fprintf(stderr, "Error: merge failed\n"), 1;
		btf__free(k);
		btf__free(a);
		btf__free(m);
		t1[i] = now_ms() - t;

		t = now_ms();
		if (load(obj, ucorebtf_btf__path(p)))
			return fprintf(stderr, "Error: load with prepared BTF failed\n"), 1;
		t2[i] = now_ms() - t;
		t = now_ms();
		if (load(obj, merged))
			return fprintf(stderr, "Error: load with merged BTF failed\n"), 1;
		t3[i] = now_ms() - t;
		ucorebtf_btf__close(p);
	}
	unlink(merged);
	report("prepare", t0, runs);
	report("merge", t1, runs);
	report("load_prepared", t2, runs);
	report("load_merged", t3, runs);
	ucorebtf_bundle__close(b);
	return 0;
}
