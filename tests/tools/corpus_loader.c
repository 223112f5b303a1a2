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
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "../../bpf/corpus.h"

static int verbose;
static char last_err[512];

static int print_fn(enum libbpf_print_level lvl, const char *fmt, va_list ap)
{
	char buf[4096], *line;
	va_list cp;

	if (lvl == LIBBPF_WARN) {
		va_copy(cp, ap);
		vsnprintf(buf, sizeof(buf), fmt, cp);
		va_end(cp);
		line = strstr(buf, "failed to resolve CO-RE relocation");
		if (line || !last_err[0]) {
			snprintf(last_err, sizeof(last_err), "%.500s", line ? line : buf);
			last_err[strcspn(last_err, "\n")] = 0;
		}
	}
	if (verbose)
		return vfprintf(stderr, fmt, ap);
	return 0;
}

static int fail(const char *what, const char *file, int err)
{
	fprintf(stderr, "Error: %s %s: %s%s%s%s\n", what, file, strerror(err),
		last_err[0] ? " (libbpf: " : "", last_err, last_err[0] ? ")" : "");
	return 1;
}

/* Child: wait until the probe is attached, then become the app. */
static pid_t spawn_stopped(const char *binary, int *go_fd)
{
	int fds[2];
	pid_t pid;
	char c;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(fds[1]);
		if (read(fds[0], &c, 1) != 1)
			_exit(127);
		if (!freopen("/dev/null", "w", stdout))
			_exit(127);
		execl(binary, binary, (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	*go_fd = fds[1];
	return pid;
}

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-b BTF] [-l LIB] [-v] OBJ BINARY\n", prog);
}

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_object_open_opts, oopts);
	LIBBPF_OPTS(bpf_uprobe_opts, uopts, .func_name = "corpus_probe");
	struct corpus_result r = {};
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_link *link;
	struct bpf_map *map;
	const char *btf = NULL, *lib = NULL, *objpath, *binary;
	int opt, go_fd, status, err;
	__u32 key;
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
	libbpf_set_print(print_fn);

	oopts.btf_custom_path = btf;
	obj = bpf_object__open_file(objpath, &oopts);
	if (!obj)
		return fail("opening", objpath, errno);
	/* A loader built against another bpf/corpus.h than the object. */
	map = bpf_object__find_map_by_name(obj, "results");
	if (!map || bpf_map__value_size(map) != sizeof(r)) {
		fprintf(stderr, "Error: %s: results map value is %u bytes, loader expects %zu (rebuild)\n",
			objpath, map ? bpf_map__value_size(map) : 0, sizeof(r));
		bpf_object__close(obj);
		return 1;
	}
	err = bpf_object__load(obj);
	if (err) {
		fail("loading", objpath, -err);
		bpf_object__close(obj);
		return 1;
	}
	prog = bpf_object__find_program_by_name(obj, "corpus_probe_entry");
	link = prog ? bpf_program__attach_uprobe_opts(prog, -1, lib ?: binary, 0, &uopts) : NULL;
	if (!link) {
		fail("attaching uprobe corpus_probe to", lib ?: binary, prog ? errno : ENOENT);
		bpf_object__close(obj);
		return 1;
	}

	pid = spawn_stopped(binary, &go_fd);
	if (pid < 0)
		return fail("starting", binary, errno);
	if (write(go_fd, "g", 1) != 1)
		return fail("starting", binary, errno);
	close(go_fd);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "Error: %s did not run to completion\n", binary);
		bpf_link__destroy(link);
		bpf_object__close(obj);
		return 1;
	}

	key = pid;
	err = bpf_map_lookup_elem(bpf_map__fd(map), &key, &r);
	bpf_link__destroy(link);
	bpf_object__close(obj);
	if (err) {
		fprintf(stderr, "Error: the probe did not fire for %s (pid %d)\n", binary, pid);
		return 1;
	}
	printf("{\"binary\":\"%s\"", binary);
#define CORPUS_PRINT(name) printf(",\"" #name "\":%lld", r.name);
	CORPUS_FIELDS(CORPUS_PRINT)
#undef CORPUS_PRINT
	printf("}\n");
	return 0;
}
