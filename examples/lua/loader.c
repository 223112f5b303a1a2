// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Lua loader: attach bpf/lua.bpf.o's uprobe to lua_gc in LIBRARY, run
 * INTERPRETER SCRIPT, and report what the probe read from the lua_State,
 * through the `results` map.  libbpf public API only.
 *
 * usage: loader [-b BTF | -B BUNDLE] [-j] [-v] OBJ LIBRARY INTERPRETER SCRIPT
 *   -b BTF     btf_custom_path handed to libbpf (kernel + Lua types)
 *   -B BUNDLE  libucorebtf prepares it from BUNDLE for LIBRARY at load time
 *   -j       one JSON object on stdout, in examples/lua/ground_truth.c's format
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
#include "../../bpf/lua_probe.h"

static int verbose;
static char last_err[512];

/* Remember the line that names the cause (a CO-RE relocation libbpf could
 * not resolve, else the first warning) so failures fit on one line. */
static int print_fn(enum libbpf_print_level lvl, const char *fmt, va_list ap)
{
	static char buf[1 << 16];
	char *line;
	va_list cp;

	if (lvl == LIBBPF_WARN) {
		va_copy(cp, ap);
		vsnprintf(buf, sizeof(buf), fmt, cp);
		va_end(cp);
		line = strstr(buf, "failed to resolve CO-RE relocation");
		if (!line)
			line = strstr(buf, "relo #");
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

/* Fork INTERPRETER SCRIPT, held on a pipe until the probe is attached. */
static pid_t spawn_held(const char *interp, const char *script, int *go_fd)
{
	int fds[2];
	pid_t pid;
	char c;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(fds[1]);
		if (read(fds[0], &c, 1) != 1)
			_exit(127);
		if (!freopen("/dev/null", "w", stdout))
			_exit(127);
		unsetenv("LUA_INIT");
		execl(interp, interp, script, (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	*go_fd = fds[1];
	return pid;
}

static void print_result(const struct lua_result *r, const char *interp, int json)
{
	if (json) {
		printf("{\"stack_slots\":%d,\"func_slot\":%d,\"ci_depth\":%d,\"callstatus\":%d,"
		       "\"nccalls\":%u,\"nccalls_size\":%d,\"c_calls\":%d,\"nny\":%d,"
		       "\"status\":%d,\"in_coroutine\":%d,\"main_stack_slots\":%d,\"slot_size\":%d,"
		       "\"hits\":%u}\n",
		       r->stack_slots, r->func_slot, r->ci_depth, r->callstatus,
		       r->nccalls, r->nccalls_size, r->c_calls, r->nny,
		       r->status, r->in_coroutine, r->main_stack_slots, r->slot_size, r->hits);
		return;
	}
	char cs[16] = "absent", nny[16] = "no";

	if (r->callstatus >= 0)
		snprintf(cs, sizeof(cs), "%d", r->callstatus);
	if (r->nny >= 0)
		snprintf(nny, sizeof(nny), "%d", r->nny);
	printf("%s: lua_gc(L, LUA_GCCOUNT) x%u\n"
	       "  stack depth      %d slots of %d bytes (running function at slot %d)\n"
	       "  CallInfo frames  %d, callstatus %s\n"
	       "  nCcalls          %u (%d bytes): %d C calls, %s non-yieldable\n"
	       "  status           %d, %s, main thread stack %d slots\n",
	       interp, r->hits, r->stack_slots, r->slot_size, r->func_slot,
	       r->ci_depth, cs, r->nccalls, r->nccalls_size, r->c_calls, nny,
	       r->status, r->in_coroutine ? "in a coroutine" : "main thread",
	       r->main_stack_slots);
}

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_object_open_opts, oopts);
	LIBBPF_OPTS(bpf_uprobe_opts, uopts, .func_name = "lua_gc");
	const char *btf = NULL, *bundle_path = NULL, *objpath, *lib, *interp, *script;
	struct ucorebtf_bundle *bundle = NULL;
	struct ucorebtf_btf *prepared = NULL;
	struct lua_result r = {};
	struct bpf_program *prog;
	struct bpf_object *obj;
	struct bpf_link *link;
	int opt, json = 0, go_fd, status, err;
	__u32 key;
	pid_t pid;

	while ((opt = getopt(argc, argv, "b:B:jv")) != -1) {
		switch (opt) {
		case 'b': btf = optarg; break;
		case 'B': bundle_path = optarg; break;
		case 'j': json = 1; break;
		case 'v': verbose = 1; break;
		default: goto usage;
		}
	}
	if (argc - optind != 4 || (btf && bundle_path))
		goto usage;
	objpath = argv[optind];
	lib = argv[optind + 1];
	interp = argv[optind + 2];
	script = argv[optind + 3];
	libbpf_set_print(print_fn);

	if (bundle_path) {
		/* What an application shipping the bundle does at load time. */
		UCOREBTF_OPTS(ucorebtf_prepare_opts, popts, .object_path = objpath);

		bundle = ucorebtf_bundle__open_file(bundle_path, NULL);
		prepared = bundle ? ucorebtf_bundle__prepare(bundle, &lib, 1, &popts) : NULL;
		if (!prepared) {
			fprintf(stderr, "Error: %s: %s\n", bundle_path, ucorebtf_errmsg());
			ucorebtf_bundle__close(bundle);
			return 1;
		}
		btf = ucorebtf_btf__path(prepared);
	}
	oopts.btf_custom_path = btf;
	obj = bpf_object__open_file(objpath, &oopts);
	err = obj ? bpf_object__load(obj) : -errno;
	/* libbpf has read the BTF: the prepared file is no longer needed. */
	ucorebtf_btf__close(prepared);
	ucorebtf_bundle__close(bundle);
	if (!obj)
		return fail("opening", objpath, -err);
	if (err) {
		fail("loading", objpath, -err);
		bpf_object__close(obj);
		return 1;
	}
	prog = bpf_object__find_program_by_name(obj, "lua_gc_entry");
	link = prog ? bpf_program__attach_uprobe_opts(prog, -1, lib, 0, &uopts) : NULL;
	if (!link) {
		fail("attaching uprobe lua_gc to", lib, prog ? errno : ENOENT);
		bpf_object__close(obj);
		return 1;
	}

	pid = spawn_held(interp, script, &go_fd);
	if (pid < 0 || write(go_fd, "g", 1) != 1)
		return fail("starting", interp, errno);
	close(go_fd);
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "Error: %s %s did not run to completion\n", interp, script);
		return 1;
	}

	key = pid;
	err = bpf_map_lookup_elem(bpf_map__fd(bpf_object__find_map_by_name(obj, "results")), &key, &r);
	bpf_link__destroy(link);
	bpf_object__close(obj);
	if (err) {
		fprintf(stderr, "Error: the probe did not fire for %s (pid %d)\n", interp, pid);
		return 1;
	}
	print_result(&r, interp, json);
	return 0;
usage:
	fprintf(stderr, "usage: %s [-b BTF | -B BUNDLE] [-j] [-v] OBJ LIBRARY INTERPRETER SCRIPT\n", argv[0]);
	return 2;
}
