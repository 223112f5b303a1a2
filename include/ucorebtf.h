/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libucorebtf: load a CO-RE BPF object that reads userspace library structs,
 * against whichever library release is installed, from one small bundle.
 *
 *	struct ucorebtf_bundle *b = ucorebtf_bundle__open_mem(data, size, NULL);
 *	const char *targets[] = { "/usr/lib/x86_64-linux-gnu/libssl.so.3" };
 *	LIBBPF_OPTS(bpf_object_open_opts, oo);
 *	UCOREBTF_OPTS(ucorebtf_prepare_opts, po, .object_path = "probe.bpf.o");
 *	struct ucorebtf_btf *t = ucorebtf_bundle__prepare(b, targets, 1, &po);
 *	oo.btf_custom_path = ucorebtf_btf__path(t);
 *	obj = bpf_object__open_file("probe.bpf.o", &oo); bpf_object__load(obj);
 *	ucorebtf_btf__close(t); ucorebtf_bundle__close(b);
 *
 * Conventions are libbpf's: functions returning int give 0 or a negative
 * errno; functions returning a pointer give NULL and set errno.  After a
 * failure ucorebtf_errmsg() explains it in one line (thread-local).
 * Only libbpf's public API (>= 1.0) is used; link with -lucorebtf -lbpf.
 */
#ifndef UCOREBTF_H
#define UCOREBTF_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>	/* memset in UCOREBTF_OPTS */

#ifdef __cplusplus
extern "C" {
#endif

#define UCOREBTF_API __attribute__((visibility("default")))

/* Declare and zero-initialise an options struct, setting sz, as
 * LIBBPF_OPTS does.  As in libbpf, a struct only grows at its end: a
 * smaller sz (an older header) leaves the later fields at their defaults;
 * a larger one (a newer header) is refused with -EINVAL unless every byte
 * past the fields this library knows is zero. */
#define UCOREBTF_OPTS(TYPE, NAME, ...)					\
	struct TYPE NAME = ({						\
		memset(&NAME, 0, sizeof(struct TYPE));			\
		(struct TYPE){ .sz = sizeof(struct TYPE), __VA_ARGS__ };	\
	})

struct ucorebtf_bundle;
struct ucorebtf_btf;

struct ucorebtf_bundle_opts {
	size_t sz;			/* sizeof(struct ucorebtf_bundle_opts) */
	/* Refuse bundles whose uncompressed payload is larger (default 64 MiB). */
	size_t max_size;
	/* liblzma decoder memory limit (default 64 MiB). */
	size_t mem_limit;
	size_t :0;
};

/* Open a bundle: the header, checksum, every record and every blob are
 * checked here, so a damaged bundle fails now, not at load time. */
UCOREBTF_API struct ucorebtf_bundle *
ucorebtf_bundle__open_file(const char *path, const struct ucorebtf_bundle_opts *opts);
/* data is copied as needed; the caller may free it after the call. */
UCOREBTF_API struct ucorebtf_bundle *
ucorebtf_bundle__open_mem(const void *data, size_t size, const struct ucorebtf_bundle_opts *opts);
UCOREBTF_API void ucorebtf_bundle__close(struct ucorebtf_bundle *b);

/* Entries the bundle holds, in index order. */
UCOREBTF_API size_t ucorebtf_bundle__entry_cnt(const struct ucorebtf_bundle *b);
/* Library, version, arch of entry i (valid until the bundle is closed).
 * Out of range: the fields are set to NULL and -ENOENT is returned
 * (-EINVAL without a bundle).  NULL field pointers are skipped. */
UCOREBTF_API int ucorebtf_bundle__entry(const struct ucorebtf_bundle *b, size_t i,
					const char **lib, const char **version, const char **arch);

struct ucorebtf_prepare_opts {
	size_t sz;			/* sizeof(struct ucorebtf_prepare_opts) */
	/* The BPF object to be loaded: its name (file name up to the first
	 * '.', as libbpf names objects) selects the kernel needs recorded in
	 * the bundle; if none are recorded, its .BTF is read to find the
	 * kernel structs it uses (see docs/runtime.md). */
	const char *object_path;
	/* Object name if object_path is not given.  With neither, the needs
	 * of every object the selected entries were made for are added. */
	const char *object_name;
	/* Kernel BTF to take kernel types from (default /sys/kernel/btf/vmlinux). */
	const char *kernel_btf_path;
	/* Per target (parallel to targets), the version it is when no entry
	 * has its build-id; the target must still identify as the entry's
	 * library (soname, else file name) and have its arch.  NULL entries
	 * or NULL array: read it by the library's version rule, if any. */
	const char *const *versions;
	/* Write a private temporary file instead of a memfd. */
	bool no_memfd;
	/* Let a version rule "needed:SONAME" read that DT_NEEDED library of
	 * the target (OpenSSL 3's libssl: the version is in libcrypto), and
	 * add the target's DT_NEEDED libraries whose build-id a bundle entry
	 * records as targets of their own (after the given ones; a probe on
	 * libssl reads libcrypto's struct bio_st).  A target without an entry
	 * of its own (the openssl command) is then fine when one of its
	 * DT_NEEDED libraries has one. */
	bool follow_needed;
	size_t :0;
};

/* Pick the entry for each target binary and build one BTF holding those
 * entries' types plus the kernel types the object needs.  An entry is
 * chosen by the target's GNU build-id; else by the version given for it;
 * else by a version read from the target by its library's version rule
 * (recorded in the bundle, e.g. the lua_ident string); the last two only
 * for a library the target identifies as (docs/runtime.md).  Anything else
 * fails, saying why and listing what the bundle holds: never another
 * release's layout, never a guess. */
UCOREBTF_API struct ucorebtf_btf *
ucorebtf_bundle__prepare(struct ucorebtf_bundle *b, const char *const *targets, size_t target_cnt,
			 const struct ucorebtf_prepare_opts *opts);

/* A path for bpf_object_open_opts.btf_custom_path, valid until close:
 * /proc/self/fd/N of a memfd, or a private temporary file. */
UCOREBTF_API const char *ucorebtf_btf__path(const struct ucorebtf_btf *t);
/* The prepared raw BTF. */
UCOREBTF_API const void *ucorebtf_btf__raw_data(const struct ucorebtf_btf *t, size_t *size);
/* The targets, in the order given, and the entry chosen for each. */
UCOREBTF_API size_t ucorebtf_btf__target_cnt(const struct ucorebtf_btf *t);
/* Target i: its path as given, the library, version and arch of its
 * entry, and how the entry was chosen: "build-id" (exact), "version" (the
 * caller's), or "rule:SOURCE" (read by the library's version rule, e.g.
 * "rule:symbol:lua_ident", "rule:needed:libcrypto.so.3").  Anything but
 * "build-id" rests on a version string: a caller may want to say so.
 * Valid until ucorebtf_btf__close(), also after the bundle is closed.  Out
 * of range: the fields are set to NULL and -ENOENT is returned (-EINVAL
 * without t).  NULL field pointers are skipped. */
UCOREBTF_API int ucorebtf_btf__target(const struct ucorebtf_btf *t, size_t i, const char **path,
				      const char **lib, const char **version, const char **arch,
				      const char **how);
/* The same as text, one line per target: "TARGET\tLIB\tVERSION\tARCH\tHOW". */
UCOREBTF_API const char *ucorebtf_btf__describe(const struct ucorebtf_btf *t);
UCOREBTF_API void ucorebtf_btf__close(struct ucorebtf_btf *t);

/* Why the last call failed, in this thread. */
UCOREBTF_API const char *ucorebtf_errmsg(void);

#ifdef __cplusplus
}
#endif
#endif
