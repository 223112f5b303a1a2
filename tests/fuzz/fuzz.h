/* Shared by the libFuzzer harnesses (docs/fuzzing.md): the input as a
 * regular file for the parsers that take a path, quiet libbpf, and the
 * fixture paths, which the Makefile bakes in and the environment overrides.
 *
 * A regular file in a private directory, not a memfd: the readers may open
 * inputs with O_NOFOLLOW, which /proc/self/fd/N (a magic link) would fail. */
#ifndef UCOREBTF_FUZZ_H
#define UCOREBTF_FUZZ_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A harness that cannot set itself up is a failed run, not a silent one. */
#define fuzz_die(...) do { fprintf(stderr, "fuzz: " __VA_ARGS__); fputc('\n', stderr); abort(); } while (0)

static inline int fuzz_libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

/* $ENV, else the path the Makefile compiled in (-DNAME="..."). */
static inline const char *fuzz_fixture(const char *env, const char *built_in)
{
	const char *p = getenv(env);

	p = p && *p ? p : built_in;
	if (access(p, R_OK))
		fuzz_die("%s: %s (set %s)", p, strerror(errno), env);
	return p;
}

static char fuzz_dir[4096], fuzz_path[4096 + 16];
static int fuzz_fd = -1;

static inline void fuzz_cleanup(void)
{
	if (fuzz_fd >= 0) {
		close(fuzz_fd);
		unlink(fuzz_path);
		rmdir(fuzz_dir);
	}
}

/* The input at a path that stays the same for the whole run. */
static inline const char *fuzz_file(const uint8_t *data, size_t size)
{
	size_t off = 0;
	ssize_t n;

	if (fuzz_fd < 0) {
		const char *tmp = getenv("TMPDIR");

		snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/ucorebtf-fuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(fuzz_dir))
			fuzz_die("mkdtemp %s: %s", fuzz_dir, strerror(errno));
		snprintf(fuzz_path, sizeof(fuzz_path), "%s/input", fuzz_dir);
		fuzz_fd = open(fuzz_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fuzz_fd < 0)
			fuzz_die("%s: %s", fuzz_path, strerror(errno));
		atexit(fuzz_cleanup);
	}
	if (ftruncate(fuzz_fd, 0))
		fuzz_die("%s: truncate: %s", fuzz_path, strerror(errno));
	while (off < size) {
		n = pwrite(fuzz_fd, data + off, size - off, off);
		if (n <= 0)
			fuzz_die("%s: write: %s", fuzz_path, strerror(errno));
		off += n;
	}
	return fuzz_path;
}

/* Every type id t refers to, by value or not (the graph check follows only
 * the by-value ones), into ids; returns how many. */
static inline int fuzz_btf_refs(const struct btf_type *t, __u32 *ids, int max)
{
	int i, n = 0, vlen = btf_vlen(t);

	switch (btf_kind(t)) {
	case BTF_KIND_PTR: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT: case BTF_KIND_FUNC: case BTF_KIND_VAR: case BTF_KIND_DECL_TAG:
	case BTF_KIND_TYPE_TAG:
		ids[n++] = t->type;
		break;
	case BTF_KIND_ARRAY:
		ids[n++] = btf_array(t)->type;
		ids[n++] = btf_array(t)->index_type;
		break;
	case BTF_KIND_STRUCT: case BTF_KIND_UNION:
		for (i = 0; i < vlen && n < max; i++)
			ids[n++] = btf_members(t)[i].type;
		break;
	case BTF_KIND_FUNC_PROTO:
		ids[n++] = t->type;
		for (i = 0; i < vlen && n < max; i++)
			ids[n++] = btf_params(t)[i].type;
		break;
	case BTF_KIND_DATASEC:
		for (i = 0; i < vlen && n < max; i++)
			ids[n++] = btf_var_secinfos(t)[i].type;
		break;
	}
	return n;
}

/* What the runtime's checks promise for a BTF they passed, before libbpf
 * relocates against it: every type id refers to a type, and libbpf's
 * walkers (sizes, alignment, resolving) end within bounds. */
static inline void fuzz_btf_walk(const struct btf *btf)
{
	static __u32 ids[65536 + 1];
	__u32 id, n = btf__type_cnt(btf);
	int i, k;

	for (id = 1; id < n; id++) {
		k = fuzz_btf_refs(btf__type_by_id(btf, id), ids, 65536);
		for (i = 0; i < k; i++)
			if (ids[i] >= n)
				fuzz_die("type [%u] refers to type id %u, out of range (%u types)", id, ids[i], n);
		(void)btf__resolve_size(btf, id);
		(void)btf__resolve_type(btf, id);
		(void)btf__align_of(btf, id);
	}
}

static inline void fuzz_init_common(void)
{
	libbpf_set_print(fuzz_libbpf_quiet);
}

#endif
