// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* glibc TLS loader: libucorebtf prepares the BTF of bpf/glibc_tls.bpf.o
 * for LIBC from BUNDLE (the entry chosen by LIBC's build-id), the uprobe
 * goes on usleep in LIBC, PROGRAM ARG... runs, and what the probe read
 * (kernel fsbase, then struct pthread there) is printed as one JSON object
 * with the entry's version and how it was chosen.
 *
 * usage: glibc_tls_loader [-v] BUNDLE OBJ LIBC PROGRAM [ARG...]
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "ucorebtf.h"
#include "../../examples/common/probe_run.h"
#include "../../bpf/glibc_tls.h"

int main(int argc, char **argv)
{
	UCOREBTF_OPTS(ucorebtf_prepare_opts, popts);
	const char *version = "", *how = "";
	struct ucorebtf_bundle *bundle;
	struct ucorebtf_btf *prepared;
	struct glibc_tls_result r = {};
	struct bpf_object *obj;
	const char *lib;
	int a = 1, err;
	pid_t pid;

	if (argc > 1 && !strcmp(argv[1], "-v"))
		a++;
	if (argc - a < 4) {
		fprintf(stderr, "usage: %s [-v] BUNDLE OBJ LIBC PROGRAM [ARG...]\n", argv[0]);
		return 2;
	}
	probe_log_init(a == 2 ? LIBBPF_DEBUG : PROBE_LOG_QUIET);
	lib = argv[a + 2];
	popts.object_path = argv[a + 1];
	bundle = ucorebtf_bundle__open_file(argv[a], NULL);
	prepared = bundle ? ucorebtf_bundle__prepare(bundle, &lib, 1, &popts) : NULL;
	if (!prepared) {
		fprintf(stderr, "Error: %s: %s\n", argv[a], ucorebtf_errmsg());
		ucorebtf_bundle__close(bundle);
		return 1;
	}
	ucorebtf_btf__target(prepared, 0, NULL, NULL, &version, NULL, &how);
	obj = probe_open(argv[a + 1], ucorebtf_btf__path(prepared));
	err = obj ? probe_load(obj, argv[a + 1]) : -1;
	if (!err) {
		err = probe_attach_run(obj, "glibc_usleep_entry", "usleep", lib, argv + a + 3, &r, &pid);
		bpf_object__close(obj);
	}
	if (!err)
		printf("{\"pid\":%d,\"version\":\"%s\",\"how\":\"%s\",\"hits\":%u,\"kernel_tid\":%u,"
		       "\"fsbase\":%llu,\"tid\":%d,\"start_routine\":%llu,\"arg\":%llu,"
		       "\"tid_off\":%u,\"arg_off\":%u}\n",
		       pid, version, how, r.hits, r.kernel_tid, r.fsbase, r.tid, r.start_routine, r.arg,
		       r.tid_off, r.arg_off);
	ucorebtf_btf__close(prepared);
	ucorebtf_bundle__close(bundle);
	return err ? 1 : 0;
}
