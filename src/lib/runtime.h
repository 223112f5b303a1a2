/* Inside libucorebtf: the public objects of include/ucorebtf.h and the
 * stages of ucorebtf_bundle__prepare(), one file per concern:
 *   open.c     bundles: open, close, entries; options; ucorebtf_errmsg()
 *   select.c   which bundle entry a target binary is
 *   shadow.c   names two BTFs both define (library vs library, kernel vs library)
 *   needs.c    the kernel types an object needs
 *   prepare.c  prepare, stage by stage
 *   publish.c  the prepared BTF: memfd or private file, accessors
 * Every function here fails with ucb_errf()/ucb_errp() (lib/errmsg.h). */
#ifndef UCOREBTF_LIB_RUNTIME_H
#define UCOREBTF_LIB_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "ucorebtf.h"
#include "lib/bundle.h"
#include "lib/kbtf.h"

struct btf;

struct ucorebtf_bundle {
	struct ucb_bundle b;
};

/* One target of a prepared BTF and the entry chosen for it.  Copies, so
 * that they stay valid after the bundle is closed. */
struct ucb_chosen {
	char *path, *lib, *version, *arch, *how;
};

struct ucorebtf_btf {
	int fd;
	char *path;		/* what ucorebtf_btf__path() gives */
	char *tmpdir;		/* private directory of the file fallback, else NULL */
	void *raw;
	size_t raw_sz;
	struct ucb_chosen *targets;
	size_t target_cnt;
	char *describe;		/* the targets as "TARGET\tLIB\tVERSION\tARCH\tHOW\n" lines */
};

/* ---- options (libbpf's OPTS_VALID/OPTS_GET rules) ----
 * An options struct only grows at its end.  A caller built against an
 * older header passes a smaller sz: the fields it lacks take their
 * defaults.  A caller built against a newer one passes a larger sz: that
 * is fine only while every byte past the fields this library knows is
 * zero, i.e. the caller did not ask for anything we would ignore. */
#define ucb_offsetofend(TYPE, FIELD) (offsetof(TYPE, FIELD) + sizeof(((TYPE *)0)->FIELD))
#define ucorebtf_bundle_opts__last_field mem_limit
#define ucorebtf_prepare_opts__last_field follow_needed

/* Records why opts are refused; type names the struct in the message. */
bool ucb_opts_valid(const void *opts, size_t known_sz, size_t user_sz, const char *type);

#define OPTS_VALID(opts, type)							\
	(!(opts) || ucb_opts_valid((opts), ucb_offsetofend(struct type, type##__last_field), \
				   (opts)->sz, #type))
#define OPTS_HAS(opts, field) \
	((opts) && (opts)->sz >= ucb_offsetofend(typeof(*(opts)), field))
#define OPTS_GET(opts, field, fallback) (OPTS_HAS(opts, field) ? (opts)->field : (fallback))

/* ---- select.c ---- */

/* The entry for the binary at path (version: the caller's, may be NULL;
 * follow_needed: version rules may read a DT_NEEDED library).  *how gets
 * a malloc'ed word saying how it was chosen: "build-id", "version" or
 * "rule:SOURCE".  Returns 0, or -errno with the message set (saying why
 * and listing what the bundle holds when none or several entries fit). */
int ucb_select_entry(const struct ucb_bundle *b, const char *path, const char *version,
		     bool follow_needed, const struct ucb_entry **e, char **how);

/* ---- shadow.c ---- */

/* Steps the name collision checks may take (members compared). */
#define UCB_SHADOW_MAX_WORK (1ul << 22)

/* Named struct, union, forward, enum and typedef types of the chosen
 * apps, sorted by essential name, kind class, app and id: built once, so
 * that every lookup is a binary search and prepare stays linear in blob
 * + needs. */
struct ucb_app_name {
	const char *name;
	__u32 len;		/* essential length */
	int cls;		/* BTF_KIND_STRUCT (struct, union, fwd), _ENUM (enum, enum64), _TYPEDEF */
	__u32 app, id;
};

struct ucb_app_names {
	struct ucb_app_name *v;
	size_t cnt;
};

int ucb_app_names_build(struct btf **apps, size_t napps, struct ucb_app_names *ix);
void ucb_app_names_free(struct ucb_app_names *ix);

/* Length of name without its CO-RE flavour ("task_struct___v1" -> 11). */
size_t ucb_ess_len(const char *name);
/* id with typedefs and modifiers skipped. */
__u32 ucb_skip_local(struct btf *btf, __u32 id);
/* Index of the first app BTF that defines a type of this essential name
 * and kind class (BTF_KIND_STRUCT or _UNION for struct/union, _ENUM,
 * _TYPEDEF); -1. */
int ucb_app_defines(const struct ucb_app_names *ix, const char *name, size_t len, int kind);
/* Refuse two library BTFs defining one name differently (-EEXIST). */
int ucb_check_app_collisions(const struct ucb_app_names *ix, struct btf **apps,
			     const struct ucb_entry **app_e);
/* Refuse a kernel root that an app also defines unless no relocation can
 * match both (-EEXIST).  out holds the pruned kernel types. */
int ucb_check_shadowing(struct btf *out, const char *const *roots, const int *root_kinds,
			size_t nroots, const struct ucb_app_names *ix, struct btf **apps,
			const struct ucb_entry **app_e, const struct ucb_kneed *kn, size_t nkn,
			const char *obj_name);

/* ---- needs.c ---- */

/* Kernel needs one prepare takes: a probe has dozens, a large tracer a
 * few hundred.  The fallback's walk of the object is bounded too. */
#define UCB_MAX_PREPARE_NEEDS (1u << 14)
#define UCB_NEEDS_MAX_WORK (1ul << 22)

struct ucb_kneeds {
	struct ucb_kneed *v;
	size_t cnt, cap;
	char **strs;		/* names the fallback allocated */
	size_t nstrs, strs_cap;
	struct btf *obj;	/* the object's BTF (fallback): owns member names */
	size_t work;		/* fallback: steps left */
};

/* The kernel needs of the object: those the bundle records for obj_name,
 * or, without a name, for every object the chosen entries were made for;
 * none recorded and an object path given: derived from the object's BTF
 * (the structs and enums it names that no app defines). */
int ucb_collect_needs(const struct ucb_bundle *b, const struct ucb_entry *const *chosen,
		      size_t nchosen, const char *obj_name, const char *obj_path,
		      const struct ucb_app_names *names, struct ucb_kneeds *kn);
void ucb_kneeds_free(struct ucb_kneeds *kn);

/* ---- publish.c ---- */

/* Write r->raw where libbpf can open it: a sealed memfd named through
 * /proc/self/fd, else a file in a private directory under $TMPDIR or
 * /tmp.  Sets r->fd and r->path (and r->tmpdir). */
int ucb_btf_publish(struct ucorebtf_btf *r, bool no_memfd);
/* r->describe from r->targets. */
int ucb_btf_describe(struct ucorebtf_btf *r);

#endif
