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
#include "ucorebtf.h"
#include "../../bpf/seed.h"
#ifdef SEED_EMBED_BUNDLE
#include "seed_bundle.h"	/* ucorebtf bundle create --emit c */
#endif

static int verbose;
static char last_err[512];	/* first libbpf warning */

/* Keep libbpf quiet unless asked, but remember its last warning so a
 * failure can be summarised in one line. */
static int print_fn(enum libbpf_print_level lvl, const char *fmt, va_list ap)
{
	va_list cp;

	char buf[4096], *line;

	/* Remember the line that names the cause: a CO-RE relocation the
	 * verifier rejected, else the first warning. */
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

static pid_t spawn_stopped(const char *binary, int *go_fd)
{
	int fds[2];
	pid_t pid;
	char c;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(fds[1]);
		/* Wait until the probe is attached, then become the app. */
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

static int fail(const char *what, const char *file, int err)
{
	fprintf(stderr, "Error: %s %s: %s%s%s%s\n", what, file, strerror(err),
		last_err[0] ? " (libbpf: " : "", last_err, last_err[0] ? ")" : "");
	return 1;
}

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_object_open_opts, oopts);
	LIBBPF_OPTS(bpf_uprobe_opts, uopts, .func_name = "add_test");
	struct seed_result r = {};
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_link *link;
	const char *btf = NULL, *bundle_path = NULL, *objpath, *binary;
	UCOREBTF_OPTS(ucorebtf_prepare_opts, popts);
	struct ucorebtf_bundle *bundle = NULL;
	struct ucorebtf_btf *prepared = NULL;
	bool embedded = false;
	int opt, json = 0, go_fd, status, err;
	__u32 key;
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
	libbpf_set_print(print_fn);

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
	}
	oopts.btf_custom_path = btf;
	obj = bpf_object__open_file(objpath, &oopts);
	if (!obj)
		return fail("opening", objpath, errno);
	err = bpf_object__load(obj);
	/* Relocated: the prepared BTF is not needed any more. */
	ucorebtf_btf__close(prepared);
	ucorebtf_bundle__close(bundle);
	if (err) {
		fail("loading", objpath, -err);
		bpf_object__close(obj);
		return 1;
	}
	prog = bpf_object__find_program_by_name(obj, "add_test_entry");
	link = prog ? bpf_program__attach_uprobe_opts(prog, -1, binary, 0, &uopts) : NULL;
	if (!link) {
		fail("attaching uprobe add_test to", binary, prog ? errno : ENOENT);
		bpf_object__close(obj);
		return 1;
	}

	pid = spawn_stopped(binary, &go_fd);
	if (pid < 0)
		return fail("starting", binary, errno);
	if (write(go_fd, "g", 1) != 1)
		return fail("starting", binary, errno);
	close(go_fd);
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "Error: %s did not run to completion\n", binary);
		return 1;
	}

	key = pid;
	err = bpf_map_lookup_elem(bpf_map__fd(bpf_object__find_map_by_name(obj, "results")), &key, &r);
	bpf_link__destroy(link);
	bpf_object__close(obj);
	if (err) {
		fprintf(stderr, "Error: the probe did not fire for %s (pid %d)\n", binary, pid);
		return 1;
	}
	if (json)
		printf("{\"binary\":\"%s\",\"hits\":%u,\"a\":%d,\"c\":%d,\"sum\":%d}\n",
		       binary, r.hits, r.a, r.c, r.sum);
	else
		printf("%s: add_test read a=%d c=%d: %d + %d = %d\n", binary, r.a, r.c, r.a, r.c, r.sum);
	return 0;
}
