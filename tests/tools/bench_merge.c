/* The seed's way as one process, the baseline of scripts/bench-runtime.sh's
 * whole-process figure: parse the full kernel BTF and the full app BTF,
 * merge them, write the result for btf_custom_path.
 * usage: bench_merge KERNEL_BTF APP_BTF OUT */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>

int main(int argc, char **argv)
{
	struct btf *k, *a, *m;
	const void *raw;
	__u32 sz;
	FILE *f;

	if (argc != 4)
		return fprintf(stderr, "usage: %s KERNEL_BTF APP_BTF OUT\n", argv[0]), 2;
	k = btf__parse(argv[1], NULL);
	a = btf__parse(argv[2], NULL);
	m = btf__new_empty();
	if (!k || !a || !m || btf__add_btf(m, k) < 0 || btf__add_btf(m, a) < 0 ||
	    !(raw = btf__raw_data(m, &sz)) || !(f = fopen(argv[3], "w")) ||
	    fwrite(raw, 1, sz, f) != sz || fclose(f))
		return fprintf(stderr, "Error: merge failed: %s\n", strerror(errno)), 1;
	btf__free(k);
	btf__free(a);
	btf__free(m);
	return 0;
}
