/* A session: the run setup gen min, check and report share.
 *
 *   inputs (by content)  ->  BPF objects + library BTFs, sorted, de-duplicated
 *   --release / --group-by-version  ->  releases (libraries resolved together)
 *   kernel BTF (-k, default UCB_KERNEL_BTF_DEFAULT, or --no-kernel)
 *   the engine (bpftool-ext/minimize.h), one run per release
 *
 * Errors follow docs/conventions.md: -errno, and one message for
 * ucb_errmsg() when the session itself finds the problem.  The BTF reader
 * and the engine still print their own message (they record none): a
 * caller prints ucb_errmsg() only when it is set.
 */
#ifndef UCOREBTF_TOOL_SESSION_H
#define UCOREBTF_TOOL_SESSION_H

#include <stdbool.h>
#include "tool/btf_io.h"

struct btf;
struct um_engine;
struct um_release;

/* One library BTF: one version of a library. */
struct session_lib {
	char *path;
	char label[160];	/* "<library>-<version>", or "<library>" */
	struct btf_meta meta;
	struct btf *btf;	/* after session__load_libs() */
	int same_as;		/* >= 0: btf is another lib's (same bytes), not freed here */
	int release;		/* index in session.rels; -1 before grouping */
};

/* A release: the libraries resolved together (one per release unless
 * --release or --group-by-version joins them; none for the kernel alone). */
struct session_release {
	int *libs;		/* indexes in session.libs, in sorted order */
	int n;
	char label[512];	/* library labels joined with '+' */
	struct um_release *rel;	/* after session__run() */
	bool rel_shared;	/* rel is an earlier release's: the same BTFs */
};

struct session_force {
	const char *name;	/* local type name, flavour included */
	int side;		/* UM_APP or UM_KERNEL */
};

struct session_opts {
	const char *kernel;		/* -k; NULL: UCB_KERNEL_BTF_DEFAULT */
	bool no_kernel;			/* --no-kernel */
	bool by_version;		/* --group-by-version */
	const char *const *releases;	/* --release A.btf,B.btf, one string each */
	int nrel;
	const struct session_force *forces;	/* --app-type, --kernel-type */
	int nforce;
	const char *arch;		/* archive and bundle entries; NULL: the host's */
};

struct session {
	struct session_opts opts;
	const char **objs;		/* BPF objects, sorted */
	int nobj;
	struct session_lib *libs;	/* library BTFs, sorted (session__sort) */
	int nlib;
	struct session_release *rels;
	int nrels;
	const char *kernel_path;	/* the kernel BTF loaded; NULL with --no-kernel */
	struct btf *kbtf;
	struct um_engine *e;
};

/* gen min writes a library's minimized BTF to <label>.min.btf, never the
 * name of a full library BTF (libssl-3.0.17.btf) it may be run beside. */
#define SESSION_MIN_SUFFIX ".min.btf"

void session__init(struct session *s, const struct session_opts *opts);
void session__free(struct session *s);

/* An input told apart by content: a BPF object (ELF with .BTF.ext), a
 * library BTF (raw BTF, or an ELF with .BTF and maybe .ucorebtf.meta), a
 * directory (session__add_dir) or a bundle (session__add_bundle), the
 * latter two for opts.arch.  The library's label names an output file, so
 * it must be one. */
int session__add_input(struct session *s, const char *path);
/* session__add_input() of each path, files before archives and bundles
 * (whose entries the objects pick).  Returns 0 or the first error. */
int session__add_inputs(struct session *s, char *const *paths, int n);
int session__add_object(struct session *s, const char *path);
/* A library BTF; its name and version from meta, or if NULL from the
 * file's .ucorebtf.meta, else its file name. */
int session__add_lib(struct session *s, const char *path, const struct btf_meta *meta);
/* Library BTFs of a directory: an archive's index.tsv (entries of arch),
 * else every entry.tsv (its blob from the nearest blobs/ above) and every
 * *.btf below it.  -ENOENT if it holds none. */
int session__add_dir(struct session *s, const char *dir, const char *arch);
/* Library BTFs of a bundle (lib/bundle.h's reader): the entries of arch,
 * each named "FILE:lib/version/arch".  -ENOENT if it holds none. */
int session__add_bundle(struct session *s, const char *path, const char *arch);

/* Order objects by path and libraries by library, version (natural order)
 * and path, so that the input order never changes the output; an object
 * given twice, or two libraries of one label, are an error. */
int session__sort(struct session *s);
int session__load_libs(struct session *s);
/* Releases from opts: --release lists, then --group-by-version, else one
 * library per release. */
int session__make_releases(struct session *s);
/* A release of no library (label "kernel" and the like). */
int session__add_release(struct session *s, const char *label);
/* Kernel BTF, the engine, forced sides, the objects. */
int session__load_engine(struct session *s);
/* Run the engine on every release. */
int session__run(struct session *s, bool verify);

/* Whether gen min's outputs in dir (<label>.min.btf, gen-min.json) would
 * replace an input: 1 with *input and out (the output path) set, 0 if
 * not, -ENOMEM. */
int session__overwrites(const struct session *s, const char *dir, const char **input,
			char *out, size_t out_sz);

/* Library lib's minimized BTF from its release's run; owned by the run. */
const struct btf *session__blob(const struct session *s, int lib);

#endif
