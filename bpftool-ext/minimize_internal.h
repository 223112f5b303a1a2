// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* What the files of the gen min engine share, behind minimize.h:
 *
 *   ident.c    names: the essential-name index (candidates as libbpf finds
 *              them), printable kinds and type identities
 *   marks.c    which types and members a target must keep, and the
 *              minimized BTF built from them in canonical order
 *   objects.c  the engine, BPF objects and their relocations, forced sides
 *   minimize.c runs: each relocation decided against a release and the
 *              kernel, the release's blobs built and verified alone
 *   prepared.c what the runtime loads: the kernel needs it takes, and each
 *              release checked against the BTF libucorebtf prepares
 *
 * Only bpftool-ext/ includes this header (it names libbpf-internal types).
 * Errors follow docs/conventions.md: -errno and one ucb_errf() message.
 */
#ifndef UCOREBTF_MINIMIZE_INTERNAL_H
#define UCOREBTF_MINIMIZE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/btf.h>
#include "libbpf_internal.h"
#include "relo_core.h"
#include "btf.h"
#include "minimize.h"

/* ---- ident.c ---- */

/* Essential name -> type ids, built once per BTF. */
struct nent {
	const char *name;
	__u32 len;	/* essential length */
	__u32 id;
};

struct nindex {
	const struct btf *btf;
	struct nent *e;
	int n;
};

int um_nindex_init(struct nindex *ix, const struct btf *btf);
void um_nindex_free(struct nindex *ix);
/* Append the candidates of local type lid, in the same order as libbpf's
 * bpf_core_add_cands().  Returns 0 or -ENOMEM. */
int um_add_cands(const struct nindex *ix, const struct btf *lbtf, __u32 lid,
		 struct bpf_core_cand_list *cl);

/* libbpf's relocation kind name: "byte_off", "type_exists", ... */
const char *um_kind_str(int kind);
/* Kind of a BTF type as messages name it: "struct", "ptr", ... */
const char *um_kname(const struct btf_type *t);
/* A type's identity independent of its id: kind + name, or for anonymous
 * types kind + what they refer to ("ptr", "struct{12}"). */
void um_type_ident(const struct btf *btf, __u32 id, char *buf, size_t sz, int depth);
bool um_same_ident(const struct btf *a, __u32 ida, const struct btf *b, __u32 idb);
/* Same size and members (names, offsets, type identities): duplicates of
 * one definition that dedup missed. */
bool um_same_shape(const struct btf *a, __u32 ida, const struct btf *b, __u32 idb);
/* Same layout, names of anonymous-made or pruned types aside: typedefs and
 * modifiers skipped, pointers alike, ints by size and encoding, arrays by
 * count and element, composites and enums by kind and size (and name
 * when both have one). */
bool um_same_layout(const struct btf *a, __u32 ida, const struct btf *b, __u32 idb, int depth);
/* "struct data [2] size 12 in LABEL, ..." for ambiguity messages. */
void um_cand_list(char *buf, size_t sz, const struct bpf_core_cand_list *cl,
		  struct btf *const *libs, const char *const *labels, int n);

/* ---- marks.c ---- */

enum { M_TYPE = 1, M_FOLLOW = 2 };

/* Which types and members a target BTF must keep: sparse (a hash table
 * on the type id), since each object keeps a few hundred of the kernel's
 * 126k types and there is one marks per object. */
struct mslot {
	__u32 id;		/* 0: free */
	__u8 t;			/* M_TYPE | M_FOLLOW */
	__u8 *m;		/* members kept, by index (NULL: none) */
};

struct marks {
	const struct btf *btf;
	__u32 n;		/* type ids of btf */
	struct mslot *slots;
	__u32 cap, cnt;
};

struct marks *um_marks_new(const struct btf *btf);
void um_marks_free(struct marks *m);
/* Mark what a target spec's decision depends on (bpftool BTFGen's rules). */
int um_record_spec(struct marks *m, const struct bpf_core_spec *s);
/* The marked types and members as a standalone BTF, in canonical order.
 * NULL with errno set (no message). */
struct btf *um_build_blob(const struct marks *m);

/* ---- objects.c ---- */

struct relo {
	struct bpf_core_relo r;
	const char *sec;
	char *name;
	int force;		/* 0, UM_APP or UM_KERNEL */
	/* kernel decision, computed once */
	bool kdone;
	struct bpf_core_relo_res kres;
	struct bpf_core_spec ktarg;
};

struct obj {
	char *path;
	struct btf *btf;
	struct btf_ext *ext;
	struct relo *relos;
	int n;
	struct marks *kmarks;
};

struct force {
	char *name;
	int side;
	bool used;	/* some relocation's local type has this name */
};

struct um_engine {
	const struct btf *kernel;
	const char *kernel_path;	/* names the kernel BTF in messages */
	struct nindex kix;
	struct marks *kmarks;	/* union over objects */
	struct obj *objs;
	int nobj;
	struct force *forces;
	int nforce;
};

/* Kernel types and members an object's kernel relocations needed: cb
 * once per type, in canonical order (um_kernel_needs()).  -ENOMEM. */
int um_kernel_needs_walk(const struct um_engine *e, int obj, um_type_cb cb, void *ctx);

/* ---- minimize.c ---- */

/* One decision as libbpf returned it, and the BTF of its target. */
struct tmpres {
	struct bpf_core_relo_res res;
	const struct btf *tbtf;
};

struct um_release {
	int nobj;
	struct um_decision **dec;
	int nlibs;
	struct btf **blobs;
	const char **shadow;
	int nshadow;
	/* With verify, for um_verify_prepared(): the decisions (per object,
	 * per relocation; kernel ones are in the relocation) and the
	 * libraries' labels (the caller's strings). */
	struct tmpres **want;
	const char **labels;
};

/* libbpf's decision for relocation idx of o among cands (copied: libbpf
 * compacts the list to the matching candidates, which *matched gets). */
int um_decide(struct obj *o, int idx, const struct bpf_core_cand_list *cands,
	      struct bpf_core_relo_res *res, struct bpf_core_spec *targ,
	      struct bpf_core_cand_list *matched);
/* Do two decisions patch the instruction alike (type ids by identity;
 * with layout, a field's type by um_same_layout())? */
bool um_same_res(int kind, const struct bpf_core_relo_res *a, const struct btf *ab,
		 const struct bpf_core_relo_res *b, const struct btf *bb, bool layout);

#endif
