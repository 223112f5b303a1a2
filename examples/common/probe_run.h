/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What every uprobe loader here does around its own probe: keep libbpf's
 * log for a one-line error, attach, run the target, read its result.
 *
 * Header-only (static inline) because the loaders are single-file programs,
 * some built standalone against an application's libbpf: libbpf >= 1.0
 * public API only.  Every function that fails has printed one
 * "Error: ..." line on stderr already.
 */
#ifndef UCOREBTF_PROBE_RUN_H
#define UCOREBTF_PROBE_RUN_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "ucorebtf.h"

#define PROBE_LOG_QUIET (-1)

static int probe_log_pass = PROBE_LOG_QUIET;
static char probe_log_cause[512];
static int probe_log_rank;	/* of probe_log_cause: the higher the more telling */

static inline int probe_log_print(enum libbpf_print_level lvl, const char *fmt, va_list ap)
{
	/* The verifier log arrives as one message of many kilobytes, with
	 * the line libbpf adds for a poisoned relocation near its end. */
	static char buf[1 << 16];
	char *line;
	va_list cp;
	int rank;

	if (lvl == LIBBPF_WARN) {
		va_copy(cp, ap);
		vsnprintf(buf, sizeof(buf), fmt, cp);
		va_end(cp);
		/* Which relocation failed says more than the first warning. */
		if ((line = strstr(buf, "failed to resolve CO-RE relocation")))
			rank = 2;
		else if ((line = strstr(buf, "relo #")))
			rank = 1;
		else
			line = buf, rank = 0;
		if (!probe_log_cause[0] || (rank && rank >= probe_log_rank)) {
			snprintf(probe_log_cause, sizeof(probe_log_cause), "%.500s", line);
			probe_log_cause[strcspn(probe_log_cause, "\n")] = 0;
			probe_log_rank = rank;
		}
	}
	if ((int)lvl <= probe_log_pass)
		return vfprintf(stderr, fmt, ap);
	return 0;
}

/* pass: the most verbose libbpf level still printed as it comes
 * (LIBBPF_WARN, LIBBPF_DEBUG, ...), or PROBE_LOG_QUIET. */
static inline void probe_log_init(int pass)
{
	probe_log_pass = pass;
	libbpf_set_print(probe_log_print);
}

/* "Error: WHAT FILE: strerror(err) (libbpf: cause)"; returns the exit code 1. */
static inline int probe_fail(const char *what, const char *file, int err)
{
	fprintf(stderr, "Error: %s %s: %s%s%s%s\n", what, file, strerror(err),
		probe_log_cause[0] ? " (libbpf: " : "", probe_log_cause,
		probe_log_cause[0] ? ")" : "");
	return 1;
}

static inline struct bpf_object *probe_open(const char *path, const char *btf_custom_path)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = btf_custom_path);
	struct bpf_object *obj = bpf_object__open_file(path, &opts);

	if (!obj)
		probe_fail("opening", path, errno);
	return obj;
}

/* On failure obj is closed too. */
static inline int probe_load(struct bpf_object *obj, const char *path)
{
	int err = bpf_object__load(obj);

	if (!err)
		return 0;
	probe_fail("loading", path, -err);
	bpf_object__close(obj);
	return -1;
}

/* Attach program PROG to the entry of FUNC in TARGET, for every process.
 * FUNC "0x..." is a file offset: a stripped binary (Debian's lua5.x links
 * Lua in and ships its symbols in the -dbg package) has no name to find. */
static inline struct bpf_link *probe_attach(struct bpf_object *obj, const char *prog,
					    const char *func, const char *target)
{
	int at_off = !strncmp(func, "0x", 2);
	LIBBPF_OPTS(bpf_uprobe_opts, opts, .func_name = at_off ? NULL : func);
	struct bpf_program *p = bpf_object__find_program_by_name(obj, prog);
	size_t off = at_off ? strtoul(func, NULL, 16) : 0;
	struct bpf_link *link = p ? bpf_program__attach_uprobe_opts(p, -1, target, off, &opts) : NULL;
	char what[256];
	int err = p ? errno : ENOENT;

	if (!link) {
		snprintf(what, sizeof(what), "attaching uprobe %s to", func);
		probe_fail(what, target, err);
	}
	return link;
}

/* Run ARGV (argv[0] a path) with its stdout discarded, and wait for it.
 * The child is held on a pipe before exec, so the target runs no code until
 * the parent has its pid and lets it go.  *pid is its pid (the key its probe
 * hits are stored under).  Returns 0 when it exited 0. */
static inline int probe_run(char *const argv[], pid_t *pid)
{
	int fds[2], status, i;
	char c;

	*pid = -1;
	if (pipe(fds))
		return probe_fail("starting", argv[0], errno);
	*pid = fork();
	if (*pid < 0) {
		i = errno;
		close(fds[0]);
		close(fds[1]);
		return probe_fail("starting", argv[0], i);
	}
	if (*pid == 0) {
		close(fds[1]);
		if (read(fds[0], &c, 1) != 1 || !freopen("/dev/null", "w", stdout))
			_exit(127);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[0]);
	if (write(fds[1], "g", 1) != 1)
		return probe_fail("starting", argv[0], errno);
	close(fds[1]);
	if (waitpid(*pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fputs("Error:", stderr);
		for (i = 0; argv[i]; i++)
			fprintf(stderr, " %s", argv[i]);
		fputs(" did not run to completion\n", stderr);
		return 1;
	}
	return 0;
}

/* The probe's result for PID from its hash map `results`; WHO names the
 * target in the error. */
static inline int probe_result(struct bpf_object *obj, pid_t pid, void *val, const char *who)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, "results");
	__u32 key = pid;

	if (map && !bpf_map_lookup_elem(bpf_map__fd(map), &key, val))
		return 0;
	fprintf(stderr, "Error: the probe did not fire for %s (pid %d)\n", who, pid);
	return 1;
}

/* What a loader does once its object is loaded: PROG at the entry of FUNC in TARGET
 * while ARGV runs; its result lands in VAL, the target's pid in *pid. */
static inline int probe_attach_run(struct bpf_object *obj, const char *prog, const char *func,
				   const char *target, char *const argv[], void *val, pid_t *pid)
{
	struct bpf_link *link = probe_attach(obj, prog, func, target);
	int err;

	if (!link)
		return 1;
	err = probe_run(argv, pid) || probe_result(obj, *pid, val, argv[0]);
	bpf_link__destroy(link);
	return err;
}

/* Anything but a build-id match rests on a version string (given, or read
 * by the library's version rule): say so, as `ucorebtf prepare` does. */
static inline void probe_warn_how(const char *path, const char *how)
{
	if (strcmp(how, "build-id"))
		fprintf(stderr, "Warning: %s: bundle entry chosen by %s, not by build-id\n", path, how);
}

static inline void probe_warn_not_exact(const struct ucorebtf_btf *t)
{
	const char *path, *how;
	size_t i;

	for (i = 0; !ucorebtf_btf__target(t, i, &path, NULL, NULL, NULL, &how); i++)
		probe_warn_how(path, how);
}

#endif
