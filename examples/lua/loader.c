// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Lua loader: attach bpf/lua.bpf.o's uprobe to lua_gc in LIBRARY, run
 * INTERPRETER SCRIPT, and report what the probe read from the lua_State,
 * through the `results` map.  libbpf public API only.
 *
 * usage: loader [-b BTF | -B BUNDLE] [-F FUNC] [-j] [-v] OBJ LIBRARY INTERPRETER SCRIPT
 *   -b BTF     btf_custom_path handed to libbpf (kernel + Lua types)
 *   -B BUNDLE  libucorebtf prepares it from BUNDLE for LIBRARY at load time
 *   -F FUNC    where the uprobe goes in LIBRARY: lua_gc (default), or its file
 *              offset "0x..." in a stripped binary (Debian's lua5.x interpreters)
 *   -j       one JSON object on stdout, in examples/lua/ground_truth.c's format
 *   -v       pass libbpf's log through
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ucorebtf.h"
#include "../common/probe_run.h"
#include "../../bpf/lua_probe.h"

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
	const char *btf = NULL, *bundle_path = NULL, *objpath, *lib, *func = "lua_gc";
	char *interp, *script;
	struct ucorebtf_bundle *bundle = NULL;
	struct ucorebtf_btf *prepared = NULL;
	struct lua_result r = {};
	struct bpf_object *obj;
	int opt, json = 0, verbose = 0, err;
	pid_t pid;

	while ((opt = getopt(argc, argv, "b:B:F:jv")) != -1) {
		switch (opt) {
		case 'F': func = optarg; break;
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
	probe_log_init(verbose ? LIBBPF_DEBUG : PROBE_LOG_QUIET);

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
		probe_warn_not_exact(prepared);
	}
	obj = probe_open(objpath, btf);
	err = obj ? probe_load(obj, objpath) : -1;
	/* libbpf has read the BTF: the prepared file is no longer needed. */
	ucorebtf_btf__close(prepared);
	ucorebtf_bundle__close(bundle);
	if (err)
		return 1;
	/* The user's LUA_INIT would run before SCRIPT and change what it does. */
	unsetenv("LUA_INIT");
	err = probe_attach_run(obj, "lua_gc_entry", func, lib,
			       (char *[]){ interp, script, NULL }, &r, &pid);
	bpf_object__close(obj);
	if (err)
		return 1;
	print_result(&r, interp, json);
	return 0;
usage:
	fprintf(stderr, "usage: %s [-b BTF | -B BUNDLE] [-F FUNC] [-j] [-v] OBJ LIBRARY INTERPRETER SCRIPT\n", argv[0]);
	return 2;
}
