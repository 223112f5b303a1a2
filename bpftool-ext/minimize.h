/* The gen min engine: resolves every CO-RE relocation of BPF objects with
 * libbpf's own engine against library BTF (a "release": one or several
 * library BTFs resolved together) and kernel BTF, and keeps only the types
 * and members those decisions depend on.
 *
 * This header is deliberately narrow: no libbpf-internal type shows here.
 * Only bpftool-ext/ (minimize_internal.h) includes libbpf's internal headers.
 *
 * Nothing here prints.  A failing call returns -errno (or NULL with errno
 * set) and leaves one message for ucb_errmsg() (docs/conventions.md).
 */
#ifndef UCOREBTF_MINIMIZE_H
#define UCOREBTF_MINIMIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct btf;
struct um_engine;
struct um_release;

enum um_side {
	UM_LOCAL,	/* TYPE_ID_LOCAL: needs no target */
	UM_APP,		/* resolved against the release's library BTF */
	UM_KERNEL,	/* resolved against kernel BTF */
};

/* One relocation's decision against one target. */
struct um_decision {
	int side;		/* enum um_side */
	bool matched;		/* some candidate matched */
	bool poison;		/* libbpf would poison the instruction */
	bool unresolved;	/* kernel relocation, but no kernel BTF given */
	uint64_t value;		/* new_val (raw) */
	int lib;		/* index of the library of the match, or -1 */
	char target[128];	/* matched root type, "struct data", or "" */
	char value_str[128];	/* printable value; a type's identity for type-id relocations */
};

/* kernel may be NULL (--no-kernel).  The engine indexes its names once.
 * NULL on failure (out of memory). */
struct um_engine *um_new(const struct btf *kernel);
void um_free(struct um_engine *e);
/* The kernel BTF's file, for messages (a decision it cannot make may be
 * its fault: the file is damaged).  path must outlive e. */
void um_set_kernel_path(struct um_engine *e, const char *path);

/* Force local type NAME (full local name, flavor included) to a side. */
int um_force_type(struct um_engine *e, const char *name, int side);
/* After all objects are added: a forced NAME no relocation's local type
 * has (a typo, "struct file" for "file"), with its side; NULL if none. */
const char *um_force_unused(const struct um_engine *e, int *side);

/* Parse a BPF object's .BTF/.BTF.ext.  Returns 0, or -errno with the
 * message ("FILE: ...") set. */
int um_add_object(struct um_engine *e, const char *path);

int um_obj_cnt(const struct um_engine *e);
const char *um_obj_path(const struct um_engine *e, int obj);
int um_relo_cnt(const struct um_engine *e, int obj);
/* "prog:insn type.field.path" */
const char *um_relo_name(const struct um_engine *e, int obj, int relo);
/* libbpf's kind name: "byte_off", "type_exists", ... */
const char *um_relo_kind(const struct um_engine *e, int obj, int relo);

/* Resolve all objects against one release (n library BTFs, labels name them
 * in messages; both must outlive the release), build one minimized blob per
 * library and, if verify, check every app decision again against the blobs
 * alone.  Returns NULL with the message set on ambiguity, verification
 * failure or libbpf errors. */
struct um_release *um_run(struct um_engine *e, struct btf *const *libs,
			  const char *const *labels, int n, bool verify);
void um_release_free(struct um_release *r);

const struct um_decision *um_decision_get(const struct um_release *r, int obj, int relo);
/* Minimized library BTF (standalone, app types only); owned by r. */
const struct btf *um_release_blob(const struct um_release *r, int lib);
/* Names ("struct file") of library types the objects use that the kernel
 * also has. */
int um_release_shadowed(const struct um_release *r, const char *const **names);

/* Verify what the runtime loads, once every release ran (so that the
 * objects' kernel needs are final): for each release run with verify, the
 * BTF libucorebtf prepares from its blobs and the kernel needs (per object,
 * and for all objects together), built by libucorebtf's own code; every
 * relocation must decide there as it did against the full BTF of its side
 * (library or kernel), and libucorebtf must accept the combination.  A
 * library type the kernel also names passes as long as that holds.  No-op
 * without kernel BTF.  Returns 0, or -errno with the message set. */
int um_verify_prepared(struct um_engine *e, struct um_release *const *rels, int n);

/* Kernel types and members the object's kernel relocations needed in all
 * runs so far: cb once per type, in canonical order.  Members reached
 * through anonymous members are listed by their own names. */
typedef void (*um_type_cb)(void *ctx, const char *kind, const char *name,
			   const char *const *members, int n_members);
void um_kernel_needs(const struct um_engine *e, int obj, um_type_cb cb, void *ctx);

/* The kernel needs the runtime takes for the object (archive
 * needs/<object>.txt, a bundle's NEED lines): struct, union and enum roots
 * only (enum64 as enum: the runtime copies other types unnamed, and a
 * kernel typedef or int named like a library's would only add ambiguity),
 * one need per member, path "-" for the whole type (no member, or one gen
 * min could not name).  cb once per need.  Returns 0 or -ENOMEM. */
typedef void (*um_need_cb)(void *ctx, const char *kind, const char *name, const char *path);
int um_runtime_needs(const struct um_engine *e, int obj, um_need_cb cb, void *ctx);
/* Does some object's runtime kernel needs name the kernel type of a
 * shadowed name ("struct file")?  Then the runtime keeps the kernel's
 * (pruned) beside the library's; else the kernel's is left out. */
bool um_kernel_keeps(const struct um_engine *e, const char *shadowed);

/* bpftool gen min_core_btf: minimized kernel BTF for all objects' kernel
 * relocations of all runs so far.  Caller frees; NULL with errno and the
 * message set on failure. */
struct btf *um_kernel_blob(const struct um_engine *e);

#endif
