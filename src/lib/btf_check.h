/* Checks of a BTF type graph that libbpf does not make but that every walk
 * over it relies on, libbpf's own included: no type contains itself by
 * value (a typedef naming itself sends libbpf's skip_mods_and_typedefs()
 * into an endless loop), nesting by value is bounded (recursive walks),
 * every referenced id and string offset is in range (libbpf before 1.3
 * does not check those).  One implementation for the CLI (btf_load()), the
 * bundle reader (every blob) and the kernel BTF reader (kbtf.c, which
 * parses raw BTF without libbpf). */
#ifndef UCOREBTF_LIB_BTF_CHECK_H
#define UCOREBTF_LIB_BTF_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <linux/btf.h>
#include <bpf/btf.h>

struct btf;
struct btf_type;

/* Real C nests types by value a few dozen levels at most. */
#define UCB_BTF_MAX_NESTING 1024

/* One BTF as the checks read it: libbpf's struct btf or kbtf's index. */
struct ucb_btf_view {
	const void *ctx;
	/* NULL for an id out of range */
	const struct btf_type *(*type)(const void *ctx, uint32_t id);
	/* NULL for an offset out of range */
	const char *(*str)(const void *ctx, uint32_t off);
	uint32_t cnt;		/* type ids, void included */
	const char *path;	/* names the BTF in messages */
};

/* Checks over one view, memoised: a type is checked once however many
 * walks reach it, so checking every type, or only those a walk will visit,
 * costs time linear in what is checked. */
struct ucb_btf_check {
	struct ucb_btf_view v;
	uint8_t *state;		/* per id: unseen, on the walk, checked */
	uint16_t *depth;	/* by-value nesting depth of checked types */
	uint16_t *next;		/* next by-value child to visit, per id on the walk */
	uint32_t *stack;
};

/* Returns 0 or -ENOMEM (message set). */
int ucb_btf_check_init(struct ucb_btf_check *c, const struct ucb_btf_view *v);
/* Check type id and every type it contains by value (members, array
 * elements, what typedefs and modifiers name): ids and string offsets in
 * range, no loop, nesting at most UCB_BTF_MAX_NESTING deep.  Returns 0, or
 * -EINVAL (out of range), -ELOOP (loop, too deep), -ENOMEM with the message
 * naming v->path and the type. */
int ucb_btf_check_type(struct ucb_btf_check *c, uint32_t id);
void ucb_btf_check_free(struct ucb_btf_check *c);

/* Raw BTF in the host's byte order, located without libbpf: the header
 * checked (magic, version, sections inside the data, strings
 * NUL-terminated), the type and string sections found. */
struct ucb_btf_raw {
	const uint8_t *types;
	uint32_t types_len;
	const char *strs;
	uint32_t str_len;
};

/* Returns 0, or -EINVAL without a message (callers know what the data is). */
int ucb_btf_raw_parse(const void *data, size_t size, struct ucb_btf_raw *r);
/* Bytes of type t with its trailing data (members, ...); 0 for a kind
 * this reader does not know.  Inline: kbtf's pass calls it for each of the
 * kernel's 126k types. */
static inline size_t ucb_btf_type_size(const struct btf_type *t)
{
	__u16 vlen = btf_vlen(t);

	switch (btf_kind(t)) {
	case BTF_KIND_INT: return sizeof(*t) + 4;
	case BTF_KIND_ARRAY: return sizeof(*t) + sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: return sizeof(*t) + vlen * sizeof(struct btf_member);
	case BTF_KIND_ENUM: return sizeof(*t) + vlen * sizeof(struct btf_enum);
	case BTF_KIND_ENUM64: return sizeof(*t) + vlen * sizeof(struct btf_enum64);
	case BTF_KIND_FUNC_PROTO: return sizeof(*t) + vlen * sizeof(struct btf_param);
	case BTF_KIND_VAR: return sizeof(*t) + sizeof(struct btf_var);
	case BTF_KIND_DATASEC: return sizeof(*t) + vlen * sizeof(struct btf_var_secinfo);
	case BTF_KIND_DECL_TAG: return sizeof(*t) + sizeof(struct btf_decl_tag);
	case BTF_KIND_PTR: case BTF_KIND_FWD: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST: case BTF_KIND_RESTRICT: case BTF_KIND_FUNC: case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return sizeof(*t);
	}
	return 0;
}

/* Types in raw BTF, counting at most max + 1 of them: a cheap test before
 * hashing or parsing a blob that would be refused for its size anyway.
 * Returns the count, or -EINVAL if data is not native raw BTF or a type
 * is malformed. */
long ucb_btf_raw_type_cnt(const void *data, size_t size, uint32_t max);

/* Every type of btf (base types of a split BTF included).  Returns 0 or
 * -errno with the message "PATH: corrupt BTF: ..." set. */
int ucb_btf_check_graph(const struct btf *btf, const char *path);

#endif
