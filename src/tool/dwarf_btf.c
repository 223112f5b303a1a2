/* DWARF -> BTF with libdw and libbpf's btf__add_*() API.
 *
 * Three passes over the DWARF, so that every reference is known before it is
 * written (BTF types refer to each other by id, and a struct's members must
 * follow its header immediately, so types cannot be added depth-first):
 *  1. walk every DIE of every unit; each type DIE the encoder can express
 *     becomes an item (how many BTF types it becomes: arrays one per
 *     dimension, functions FUNC_PROTO + FUNC), _Atomic becomes an alias of
 *     the type it qualifies, anything else type-like is recorded as skipped;
 *  2. decide which items depend on a skipped type (typedef/cv/array chains;
 *     functions with such a parameter) and give the rest ids in DIE order;
 *  3. add the types in that order, then btf__dedup().
 * DIE order is fixed by the file, so the output is deterministic. */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "cli/common.h"
#include "tool/dwarf_btf.h"

enum item_kind {
	IT_BASE, IT_STRUCT, IT_UNION, IT_ENUM, IT_TYPEDEF, IT_PTR, IT_CONST,
	IT_VOLATILE, IT_RESTRICT, IT_ARRAY, IT_PROTO, IT_FUNC,
};

enum item_state { ST_NEW, ST_BUSY, ST_OK, ST_SKIP };

struct item {
	Dwarf_Die die;
	int first_id;			/* BTF id of the DIE's (first) type */
	unsigned char kind, state;
	unsigned short n;		/* BTF types this DIE becomes */
};

enum ent_kind { E_ITEM = 1, E_ALIAS, E_SKIP, E_UNIT };

/* DIE key -> what the DIE became.  Open addressing; key 0 is empty. */
struct ent {
	uint64_t key;
	uint32_t val;			/* item index (E_ITEM) or DW_TAG (E_SKIP) */
	uint8_t kind;
};

struct tag_count {
	unsigned int tag, n;
};

struct enc {
	Dwarf *dw;
	struct btf *btf;
	FILE *detail;
	struct dwarf_btf_stats *st;
	struct ent *map;
	size_t map_cap, map_cnt;
	struct item *items;
	size_t n_items, cap_items;
	const char **fnames;		/* set of FUNC names (strings live in libdw) */
	size_t fn_cap, fn_cnt;
	struct tag_count tags[32];
	Dwarf_CU *last_cu;
	uint64_t last_cu_bits;
	bool big_endian;
	int array_index_id;
};

static uint64_t hash64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return k;
}

/* Offsets alone collide between the main file, its dwz alt file and v4
 * .debug_types; the top bits say which section the DIE is in. */
static uint64_t die_key(struct enc *e, Dwarf_Die *d)
{
	if (d->cu != e->last_cu) {
		Dwarf_Half ver = 0;
		uint8_t ut = 0;

		e->last_cu = d->cu;
		e->last_cu_bits = dwarf_cu_getdwarf(d->cu) != e->dw ? 1ULL << 63 : 0;
		if (!dwarf_cu_info(d->cu, &ver, &ut, NULL, NULL, NULL, NULL, NULL) &&
		    ver < 5 && ut == DW_UT_type)
			e->last_cu_bits |= 1ULL << 62;
	}
	return (uint64_t)dwarf_dieoffset(d) | e->last_cu_bits;
}

static int map_grow(struct enc *e)
{
	size_t i, cap = e->map_cap ? e->map_cap * 2 : 1 << 16;
	struct ent *m = calloc(cap, sizeof(*m)), *old = e->map;

	if (!m)
		return -ENOMEM;
	for (i = 0; i < e->map_cap; i++) {
		size_t h;

		if (!old[i].key)
			continue;
		for (h = hash64(old[i].key) & (cap - 1); m[h].key; h = (h + 1) & (cap - 1))
			;
		m[h] = old[i];
	}
	free(old);
	e->map = m;
	e->map_cap = cap;
	return 0;
}

static struct ent *map_get(struct enc *e, uint64_t key)
{
	size_t h;

	if (!e->map_cap)
		return NULL;
	for (h = hash64(key) & (e->map_cap - 1); e->map[h].key; h = (h + 1) & (e->map_cap - 1))
		if (e->map[h].key == key)
			return &e->map[h];
	return NULL;
}

static int map_put(struct enc *e, uint64_t key, int kind, uint32_t val)
{
	size_t h;

	if (2 * (e->map_cnt + 1) > e->map_cap && map_grow(e))
		return -ENOMEM;
	for (h = hash64(key) & (e->map_cap - 1); e->map[h].key; h = (h + 1) & (e->map_cap - 1))
		if (e->map[h].key == key)
			break;
	if (!e->map[h].key)
		e->map_cnt++;
	e->map[h] = (struct ent){ .key = key, .val = val, .kind = kind };
	return 0;
}

static uint64_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

/* Adds name to the FUNC name set; false if it was there. */
static bool fname_add(struct enc *e, const char *name)
{
	size_t h, i;

	if (2 * (e->fn_cnt + 1) > e->fn_cap) {
		size_t cap = e->fn_cap ? e->fn_cap * 2 : 4096;
		const char **n = calloc(cap, sizeof(*n));

		if (!n)
			return false;
		for (i = 0; i < e->fn_cap; i++) {
			if (!e->fnames[i])
				continue;
			for (h = str_hash(e->fnames[i]) & (cap - 1); n[h]; h = (h + 1) & (cap - 1))
				;
			n[h] = e->fnames[i];
		}
		free(e->fnames);
		e->fnames = n;
		e->fn_cap = cap;
	}
	for (h = str_hash(name) & (e->fn_cap - 1); e->fnames[h]; h = (h + 1) & (e->fn_cap - 1))
		if (!strcmp(e->fnames[h], name))
			return false;
	e->fnames[h] = name;
	e->fn_cnt++;
	return true;
}

static const char *tag_name(unsigned int tag)
{
	static char buf[24];

	switch (tag) {
	case DW_TAG_base_type: return "DW_TAG_base_type";
	case DW_TAG_structure_type: return "DW_TAG_structure_type";
	case DW_TAG_class_type: return "DW_TAG_class_type";
	case DW_TAG_union_type: return "DW_TAG_union_type";
	case DW_TAG_unspecified_type: return "DW_TAG_unspecified_type";
	case DW_TAG_ptr_to_member_type: return "DW_TAG_ptr_to_member_type";
	case DW_TAG_string_type: return "DW_TAG_string_type";
	case DW_TAG_set_type: return "DW_TAG_set_type";
	case DW_TAG_file_type: return "DW_TAG_file_type";
	case DW_TAG_packed_type: return "DW_TAG_packed_type";
	case DW_TAG_shared_type: return "DW_TAG_shared_type";
	case DW_TAG_interface_type: return "DW_TAG_interface_type";
	case DW_TAG_template_alias: return "DW_TAG_template_alias";
	case DW_TAG_coarray_type: return "DW_TAG_coarray_type";
	case DW_TAG_dynamic_type: return "DW_TAG_dynamic_type";
	case DW_TAG_immutable_type: return "DW_TAG_immutable_type";
	case DW_TAG_generic_subrange: return "DW_TAG_generic_subrange";
	}
	snprintf(buf, sizeof(buf), "DW_TAG_0x%x", tag);
	return buf;
}

static void note_skip(struct enc *e, Dwarf_Die *d, unsigned int tag, const char *why)
{
	size_t i;

	e->st->skipped++;
	for (i = 0; i < 32 && e->tags[i].n && e->tags[i].tag != tag; i++)
		;
	if (i < 32) {
		e->tags[i].tag = tag;
		e->tags[i].n++;
	}
	if (e->detail)
		fprintf(e->detail, "skipped: DIE 0x%llx %s%s%s: %s\n",
			(unsigned long long)dwarf_dieoffset(d), tag_name(tag),
			dwarf_diename(d) ? " " : "", dwarf_diename(d) ?: "", why);
}

static int add_item(struct enc *e, Dwarf_Die *d, int kind, int n)
{
	if (e->n_items == e->cap_items) {
		size_t cap = e->cap_items ? e->cap_items * 2 : 4096;
		struct item *it = realloc(e->items, cap * sizeof(*it));

		if (!it)
			return -ENOMEM;
		e->items = it;
		e->cap_items = cap;
	}
	e->items[e->n_items] = (struct item){ .die = *d, .kind = kind, .n = n };
	e->st->dies++;
	return map_put(e, die_key(e, d), E_ITEM, e->n_items++);
}

static bool attr_udata(Dwarf_Die *d, unsigned int name, Dwarf_Word *v)
{
	Dwarf_Attribute a;

	return dwarf_attr_integrate(d, name, &a) && !dwarf_formudata(&a, v);
}

static bool attr_flag(Dwarf_Die *d, unsigned int name)
{
	Dwarf_Attribute a;
	bool f = false;

	return dwarf_attr_integrate(d, name, &a) && !dwarf_formflag(&a, &f) && f;
}

static bool base_encodable(Dwarf_Die *d)
{
	Dwarf_Word enc, sz;

	if (!dwarf_diename(d) || !attr_udata(d, DW_AT_encoding, &enc) ||
	    !attr_udata(d, DW_AT_byte_size, &sz))
		return false;
	switch (enc) {
	case DW_ATE_float:
		return sz == 2 || sz == 4 || sz == 8 || sz == 12 || sz == 16;
	case DW_ATE_signed: case DW_ATE_unsigned: case DW_ATE_signed_char:
	case DW_ATE_unsigned_char: case DW_ATE_boolean: case DW_ATE_UTF:
		return sz && sz <= 16 && !(sz & (sz - 1));
	}
	return false;
}

static bool is_template(Dwarf_Die *d)
{
	const char *name = dwarf_diename(d);
	Dwarf_Die c;

	if (name && strchr(name, '<'))
		return true;
	if (dwarf_child(d, &c))
		return false;
	do {
		switch (dwarf_tag(&c)) {
		case DW_TAG_template_type_parameter:
		case DW_TAG_template_value_parameter:
		case DW_TAG_GNU_template_parameter_pack:
		case DW_TAG_GNU_template_template_param:
			return true;
		}
	} while (!dwarf_siblingof(&c, &c));
	return false;
}

static int count_dims(Dwarf_Die *d)
{
	Dwarf_Die c;
	int n = 0;

	if (dwarf_child(d, &c))
		return 1;
	do {
		if (dwarf_tag(&c) == DW_TAG_subrange_type || dwarf_tag(&c) == DW_TAG_enumeration_type)
			n++;
	} while (!dwarf_siblingof(&c, &c));
	return n ? n : 1;
}

/* An external function with code in this binary: something a uprobe can hit. */
static bool func_wanted(struct enc *e, Dwarf_Die *d)
{
	const char *name;

	if (dwarf_hasattr(d, DW_AT_declaration) ||
	    !(dwarf_hasattr(d, DW_AT_low_pc) || dwarf_hasattr(d, DW_AT_ranges)) ||
	    !attr_flag(d, DW_AT_external))
		return false;
	name = dwarf_diename(d);
	return name && name[0] && fname_add(e, name);
}

static int walk(struct enc *e, Dwarf_Die *d);

/* dwz: a partial unit in the alt file is walked the first time it is imported. */
static int walk_import(struct enc *e, Dwarf_Die *d)
{
	Dwarf_Attribute a;
	Dwarf_Die unit;
	uint64_t key;

	if (!dwarf_attr(d, DW_AT_import, &a) || !dwarf_formref_die(&a, &unit))
		return 0;
	key = die_key(e, &unit);
	if (!(key >> 63) || map_get(e, key))
		return 0;
	if (map_put(e, key, E_UNIT, 0))
		return -ENOMEM;
	return walk(e, &unit);
}

static int classify(struct enc *e, Dwarf_Die *d)
{
	unsigned int tag = dwarf_tag(d);

	switch (tag) {
	case DW_TAG_base_type:
		if (base_encodable(d))
			return add_item(e, d, IT_BASE, 1);
		note_skip(e, d, tag, "no BTF INT/FLOAT for this encoding or size");
		return map_put(e, die_key(e, d), E_SKIP, tag);
	case DW_TAG_structure_type:
	case DW_TAG_class_type:
	case DW_TAG_union_type:
		if (is_template(d)) {
			note_skip(e, d, tag, "C++ template");
			return map_put(e, die_key(e, d), E_SKIP, tag);
		}
		return add_item(e, d, tag == DW_TAG_union_type ? IT_UNION : IT_STRUCT, 1);
	case DW_TAG_enumeration_type:
		return add_item(e, d, IT_ENUM, 1);
	case DW_TAG_typedef:
		if (!dwarf_diename(d))
			return map_put(e, die_key(e, d), E_ALIAS, 0);
		return add_item(e, d, IT_TYPEDEF, 1);
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type:
	case DW_TAG_rvalue_reference_type:
		return add_item(e, d, IT_PTR, 1);
	case DW_TAG_const_type:
		return add_item(e, d, IT_CONST, 1);
	case DW_TAG_volatile_type:
		return add_item(e, d, IT_VOLATILE, 1);
	case DW_TAG_restrict_type:
		return add_item(e, d, IT_RESTRICT, 1);
	case DW_TAG_atomic_type:
		/* BTF has no _Atomic: the unqualified type, as pahole >= 1.25. */
		return map_put(e, die_key(e, d), E_ALIAS, 0);
	case DW_TAG_array_type:
		return add_item(e, d, IT_ARRAY, count_dims(d));
	case DW_TAG_subroutine_type:
		return add_item(e, d, IT_PROTO, 1);
	case DW_TAG_subprogram:
		return func_wanted(e, d) ? add_item(e, d, IT_FUNC, 2) : 0;
	case DW_TAG_imported_unit:
		return walk_import(e, d);
	/* Not types: nothing to encode. */
	case DW_TAG_compile_unit: case DW_TAG_partial_unit: case DW_TAG_type_unit:
	case DW_TAG_skeleton_unit: case DW_TAG_variable: case DW_TAG_formal_parameter:
	case DW_TAG_unspecified_parameters: case DW_TAG_lexical_block:
	case DW_TAG_inlined_subroutine: case DW_TAG_label: case DW_TAG_member:
	case DW_TAG_enumerator: case DW_TAG_subrange_type: case DW_TAG_call_site:
	case DW_TAG_call_site_parameter: case DW_TAG_GNU_call_site:
	case DW_TAG_GNU_call_site_parameter: case DW_TAG_template_type_parameter:
	case DW_TAG_template_value_parameter: case DW_TAG_GNU_template_parameter_pack:
	case DW_TAG_GNU_formal_parameter_pack: case DW_TAG_GNU_template_template_param:
	case DW_TAG_imported_declaration: case DW_TAG_imported_module:
	case DW_TAG_namespace: case DW_TAG_inheritance: case DW_TAG_friend:
	case DW_TAG_dwarf_procedure: case DW_TAG_common_block:
	case DW_TAG_common_inclusion: case DW_TAG_entry_point: case DW_TAG_module:
	case DW_TAG_access_declaration: case DW_TAG_variant: case DW_TAG_variant_part:
	case DW_TAG_catch_block: case DW_TAG_try_block: case DW_TAG_constant:
	case DW_TAG_namelist: case DW_TAG_namelist_item: case DW_TAG_with_stmt:
	case DW_TAG_condition:
	case DW_TAG_GNU_BINCL: case DW_TAG_GNU_EINCL:
		return 0;
	}
	note_skip(e, d, tag, "BTF cannot express this DWARF tag");
	return map_put(e, die_key(e, d), E_SKIP, tag);
}

static int walk(struct enc *e, Dwarf_Die *d)
{
	Dwarf_Die c;
	int err = classify(e, d);

	if (err || dwarf_child(d, &c))
		return err;
	do {
		err = walk(e, &c);
	} while (!err && !dwarf_siblingof(&c, &c));
	return err;
}

/* Follows DW_AT_type of d through _Atomic and nameless typedefs.  Returns
 * true with *idx = item index or -1 for void; false if the type is skipped
 * (*tag = its DW_TAG, 0 if the DIE was never seen). */
static bool ref_target(struct enc *e, Dwarf_Die *d, long *idx, unsigned int *tag)
{
	Dwarf_Attribute a;
	Dwarf_Die t, cur = *d;
	struct ent *en;
	int depth;

	for (depth = 0; depth < 64; depth++) {
		if (!dwarf_attr_integrate(&cur, DW_AT_type, &a)) {
			*idx = -1;
			return true;
		}
		if (!dwarf_formref_die(&a, &t)) {
			*tag = 0;
			return false;
		}
		en = map_get(e, die_key(e, &t));
		if (!en || en->kind == E_SKIP || en->kind == E_UNIT) {
			*tag = en && en->kind == E_SKIP ? en->val : (uint32_t)dwarf_tag(&t);
			return false;
		}
		if (en->kind == E_ITEM) {
			*idx = en->val;
			return true;
		}
		cur = t;	/* E_ALIAS */
	}
	*tag = 0;
	return false;
}

static int item_state(struct enc *e, size_t i);

/* Whether d's DW_AT_type can be encoded (void can). */
static bool ref_ok(struct enc *e, Dwarf_Die *d)
{
	unsigned int tag;
	long idx;

	if (!ref_target(e, d, &idx, &tag))
		return false;
	return idx < 0 || item_state(e, idx) != ST_SKIP;
}

static bool func_params_ok(struct enc *e, Dwarf_Die *fn)
{
	Dwarf_Attribute a;
	Dwarf_Die c, origin = *fn;

	if (dwarf_attr(fn, DW_AT_abstract_origin, &a))
		dwarf_formref_die(&a, &origin);
	if (!ref_ok(e, fn))
		return false;
	if (dwarf_child(&origin, &c))
		return true;
	do {
		if (dwarf_tag(&c) == DW_TAG_formal_parameter && !ref_ok(e, &c))
			return false;
	} while (!dwarf_siblingof(&c, &c));
	return true;
}

/* Pass 2: typedefs, qualifiers and arrays of a skipped type are skipped too,
 * so that no member silently becomes void. */
static int item_state(struct enc *e, size_t i)
{
	struct item *it = &e->items[i];
	bool ok = true;

	if (it->state == ST_BUSY)	/* a cycle without a pointer: not C */
		return ST_OK;
	if (it->state != ST_NEW)
		return it->state;
	it->state = ST_BUSY;
	switch (it->kind) {
	case IT_TYPEDEF: case IT_CONST: case IT_VOLATILE: case IT_RESTRICT: case IT_ARRAY:
		ok = ref_ok(e, &it->die);
		break;
	case IT_FUNC:
		ok = func_params_ok(e, &it->die);
		break;
	}
	it = &e->items[i];
	it->state = ok ? ST_OK : ST_SKIP;
	if (!ok) {
		if (it->kind == IT_FUNC) {
			e->st->skipped_funcs++;
			if (e->detail)
				fprintf(e->detail, "skipped: function %s: a parameter's type is skipped\n",
					dwarf_diename(&it->die));
		} else {
			note_skip(e, &it->die, dwarf_tag(&it->die), "refers to a skipped type");
		}
	}
	return it->state;
}

/* The BTF id of d's DW_AT_type; *skipped set (and 0 returned) if unencodable. */
static int ref_id(struct enc *e, Dwarf_Die *d, bool *skipped)
{
	unsigned int tag = 0;
	long idx;

	*skipped = false;
	if (!ref_target(e, d, &idx, &tag) || (idx >= 0 && e->items[idx].state == ST_SKIP)) {
		*skipped = true;
		return 0;
	}
	return idx < 0 ? 0 : e->items[idx].first_id;
}

static const char *die_name(Dwarf_Die *d)
{
	const char *n = dwarf_diename(d);

	return n ? n : "";
}

static int add_base(struct enc *e, Dwarf_Die *d)
{
	Dwarf_Word enc = 0, sz = 0;
	int flags = 0;

	attr_udata(d, DW_AT_encoding, &enc);
	attr_udata(d, DW_AT_byte_size, &sz);
	if (enc == DW_ATE_float)
		return btf__add_float(e->btf, dwarf_diename(d), sz);
	if (enc == DW_ATE_signed || enc == DW_ATE_signed_char)
		flags = BTF_INT_SIGNED;
	else if (enc == DW_ATE_boolean)
		flags = BTF_INT_BOOL;
	return btf__add_int(e->btf, dwarf_diename(d), sz, flags);
}

static bool is_const_form(unsigned int form)
{
	switch (form) {
	case DW_FORM_data1: case DW_FORM_data2: case DW_FORM_data4: case DW_FORM_data8:
	case DW_FORM_udata: case DW_FORM_sdata: case DW_FORM_implicit_const:
		return true;
	}
	return false;
}

/* A constant attribute's value: signed only for DW_FORM_sdata (libdw's
 * dwarf_formsdata() sign-extends data1..data4, so 159 in data1 reads -97). */
static int form_sdata(Dwarf_Attribute *a, Dwarf_Sword *v)
{
	Dwarf_Word u;

	if (dwarf_whatform(a) == DW_FORM_sdata || dwarf_whatform(a) == DW_FORM_implicit_const)
		return dwarf_formsdata(a, v);
	if (dwarf_formudata(a, &u))
		return -1;
	*v = (Dwarf_Sword)u;
	return 0;
}

/* DW_AT_data_member_location: a constant, or (DWARF 2) DW_OP_plus_uconst. */
static bool member_byte_off(Dwarf_Die *m, Dwarf_Word *off)
{
	Dwarf_Attribute a;
	Dwarf_Op *ops;
	size_t n;

	*off = 0;
	if (!dwarf_attr(m, DW_AT_data_member_location, &a))
		return true;
	if (is_const_form(dwarf_whatform(&a)) && !dwarf_formudata(&a, off))
		return true;
	if (dwarf_getlocation(&a, &ops, &n) || n != 1 ||
	    (ops[0].atom != DW_OP_plus_uconst && ops[0].atom != DW_OP_constu))
		return false;
	*off = ops[0].number;
	return true;
}

static bool member_bits(struct enc *e, Dwarf_Die *m, uint32_t *bit_off, uint32_t *bit_sz)
{
	Dwarf_Word v, byte_off, storage = 0;
	Dwarf_Attribute a;
	Dwarf_Sword old_off;
	Dwarf_Die t;

	*bit_sz = attr_udata(m, DW_AT_bit_size, &v) ? v : 0;
	if (attr_udata(m, DW_AT_data_bit_offset, &v)) {
		*bit_off = v;
		return true;
	}
	if (!member_byte_off(m, &byte_off))
		return false;
	*bit_off = byte_off * 8;
	if (!*bit_sz || !dwarf_attr(m, DW_AT_bit_offset, &a) || form_sdata(&a, &old_off))
		return true;
	/* DWARF <= 4: DW_AT_bit_offset counts from the storage unit's MSB. */
	if (!attr_udata(m, DW_AT_byte_size, &storage) &&
	    dwarf_attr_integrate(m, DW_AT_type, &a) && dwarf_formref_die(&a, &t)) {
		Dwarf_Word s;

		if (dwarf_aggregate_size(&t, &s) == 0)
			storage = s;
	}
	if (e->big_endian)
		*bit_off += old_off;
	else
		*bit_off += storage * 8 - old_off - *bit_sz;
	return true;
}

static void member_dropped(struct enc *e, Dwarf_Die *parent, Dwarf_Die *m, const char *why)
{
	e->st->dropped_members++;
	if (e->detail)
		fprintf(e->detail, "dropped: member %s of %s (DIE 0x%llx): %s\n", die_name(m),
			dwarf_diename(parent) ?: "(anon)",
			(unsigned long long)dwarf_dieoffset(m), why);
}

static int add_composite(struct enc *e, struct item *it)
{
	Dwarf_Die *d = &it->die, m;
	const char *name = dwarf_diename(d);
	bool is_union = it->kind == IT_UNION, skipped;
	Dwarf_Word sz;
	uint32_t bit_off, bit_sz;
	int id, err, tid, tag;

	if (dwarf_hasattr(d, DW_AT_declaration) || !attr_udata(d, DW_AT_byte_size, &sz)) {
		if (name && name[0])
			return btf__add_fwd(e->btf, name, is_union ? BTF_FWD_UNION : BTF_FWD_STRUCT);
		sz = 0;
	}
	id = is_union ? btf__add_union(e->btf, name, sz) : btf__add_struct(e->btf, name, sz);
	if (id < 0 || dwarf_hasattr(d, DW_AT_declaration) || dwarf_child(d, &m))
		return id;
	do {
		tag = dwarf_tag(&m);
		if (tag != DW_TAG_member && tag != DW_TAG_inheritance)
			continue;
		/* C++ static data members have no place in the object. */
		if (dwarf_hasattr(&m, DW_AT_external) || dwarf_hasattr(&m, DW_AT_declaration))
			continue;
		tid = ref_id(e, &m, &skipped);
		if (skipped) {
			member_dropped(e, d, &m, "its type is skipped");
			continue;
		}
		if (!member_bits(e, &m, &bit_off, &bit_sz)) {
			member_dropped(e, d, &m, "location is not a constant (virtual base?)");
			continue;
		}
		if (is_union && bit_off) {
			member_dropped(e, d, &m, "union member at a non-zero offset");
			continue;
		}
		err = btf__add_field(e->btf, dwarf_diename(&m), tid, bit_off, bit_sz);
		if (err < 0)
			return err;
	} while (!dwarf_siblingof(&m, &m));
	return id;
}

static bool enum_signed(Dwarf_Die *d)
{
	Dwarf_Attribute a;
	Dwarf_Die t, c;
	Dwarf_Word enc;
	Dwarf_Sword v;

	if (dwarf_attr_integrate(d, DW_AT_type, &a) && dwarf_formref_die(&a, &t)) {
		while (dwarf_tag(&t) == DW_TAG_typedef && dwarf_attr(&t, DW_AT_type, &a) &&
		       dwarf_formref_die(&a, &t))
			;
		if (attr_udata(&t, DW_AT_encoding, &enc))
			return enc == DW_ATE_signed || enc == DW_ATE_signed_char;
	}
	if (dwarf_child(d, &c))
		return false;
	do {
		if (dwarf_attr(&c, DW_AT_const_value, &a) && dwarf_whatform(&a) == DW_FORM_sdata &&
		    !dwarf_formsdata(&a, &v) && v < 0)
			return true;
	} while (!dwarf_siblingof(&c, &c));
	return false;
}

static int64_t enumerator_value(Dwarf_Die *c)
{
	Dwarf_Attribute a;
	Dwarf_Sword s = 0;
	Dwarf_Word u = 0;

	if (!dwarf_attr(c, DW_AT_const_value, &a))
		return 0;
	if (dwarf_whatform(&a) == DW_FORM_sdata || dwarf_whatform(&a) == DW_FORM_implicit_const) {
		dwarf_formsdata(&a, &s);
		return s;
	}
	dwarf_formudata(&a, &u);
	return (int64_t)u;
}

static int add_enum(struct enc *e, struct item *it)
{
	Dwarf_Die *d = &it->die, c;
	const char *name = dwarf_diename(d);
	bool is_signed = enum_signed(d);
	Dwarf_Word sz = 4;
	int id, err;
	int64_t v;

	if (dwarf_hasattr(d, DW_AT_declaration) && name && name[0])
		return btf__add_fwd(e->btf, name, BTF_FWD_ENUM);
	attr_udata(d, DW_AT_byte_size, &sz);
	id = sz == 8 ? btf__add_enum64(e->btf, name, sz, is_signed) : btf__add_enum(e->btf, name, sz);
	if (id < 0 || dwarf_child(d, &c))
		return id;
	do {
		if (dwarf_tag(&c) != DW_TAG_enumerator || !dwarf_diename(&c))
			continue;
		v = enumerator_value(&c);
		if (sz == 8) {
			err = btf__add_enum64_value(e->btf, dwarf_diename(&c), v);
		} else {
			/* BTF_KIND_ENUM values are 32 bits; the sign is the enum's. */
			uint32_t v32 = v;

			err = btf__add_enum_value(e->btf, dwarf_diename(&c),
						  is_signed ? (int64_t)(int32_t)v32 : (int64_t)v32);
		}
		if (err < 0)
			return err;
	} while (!dwarf_siblingof(&c, &c));
	return id;
}

static uint32_t subrange_nelems(Dwarf_Die *s)
{
	Dwarf_Attribute a;
	Dwarf_Word cnt, lo = 0;
	Dwarf_Sword hi;

	if (dwarf_tag(s) == DW_TAG_enumeration_type)
		return 0;
	if (dwarf_attr(s, DW_AT_count, &a) && is_const_form(dwarf_whatform(&a)) &&
	    !dwarf_formudata(&a, &cnt))
		return cnt;
	/* No bound (flexible array) or a variable one (VLA): 0 elements, as pahole. */
	if (!dwarf_attr(s, DW_AT_upper_bound, &a) || !is_const_form(dwarf_whatform(&a)) ||
	    form_sdata(&a, &hi))
		return 0;
	/* Old GCC wrote a flexible array's bound as -1 in a data form. */
	if (dwarf_whatform(&a) == DW_FORM_data8 && (Dwarf_Word)hi == ~0ULL)
		return 0;
	if (dwarf_whatform(&a) == DW_FORM_data4 && (uint32_t)hi == ~0U)
		return 0;
	attr_udata(s, DW_AT_lower_bound, &lo);
	return hi < (Dwarf_Sword)lo ? 0 : (uint32_t)(hi - lo + 1);
}

static int add_array(struct enc *e, struct item *it)
{
	Dwarf_Die c;
	uint32_t dims[it->n];
	int i = 0, err, elem;
	bool skipped;

	memset(dims, 0, sizeof(dims));
	if (!dwarf_child(&it->die, &c)) {
		do {
			if (dwarf_tag(&c) == DW_TAG_subrange_type ||
			    dwarf_tag(&c) == DW_TAG_enumeration_type)
				dims[i++] = subrange_nelems(&c);
		} while (i < it->n && !dwarf_siblingof(&c, &c));
	}
	for (i = 0; i < it->n; i++) {
		elem = i + 1 < it->n ? it->first_id + i + 1 : ref_id(e, &it->die, &skipped);
		err = btf__add_array(e->btf, e->array_index_id, elem, dims[i]);
		if (err < 0)
			return err;
	}
	return it->first_id;
}

/* FUNC_PROTO from a subroutine type or a subprogram (its abstract origin
 * has the declared parameters when this is an out-of-line instance). */
static int add_proto(struct enc *e, Dwarf_Die *d)
{
	Dwarf_Attribute a;
	Dwarf_Die c, origin = *d;
	bool skipped;
	int id, err, tid;

	if (dwarf_attr(d, DW_AT_abstract_origin, &a))
		dwarf_formref_die(&a, &origin);
	tid = ref_id(e, d, &skipped);
	if (skipped)
		e->st->void_refs++;
	id = btf__add_func_proto(e->btf, tid);
	if (id < 0 || dwarf_child(&origin, &c))
		return id;
	do {
		if (dwarf_tag(&c) == DW_TAG_unspecified_parameters) {
			err = btf__add_func_param(e->btf, NULL, 0);
		} else if (dwarf_tag(&c) == DW_TAG_formal_parameter) {
			tid = ref_id(e, &c, &skipped);
			if (skipped) {
				e->st->void_refs++;
				if (e->detail)
					fprintf(e->detail, "void: parameter %s (DIE 0x%llx): type skipped\n",
						die_name(&c), (unsigned long long)dwarf_dieoffset(&c));
			}
			err = btf__add_func_param(e->btf, dwarf_diename(&c), tid);
		} else {
			continue;
		}
		if (err < 0)
			return err;
	} while (!dwarf_siblingof(&c, &c));
	return id;
}

static int add_ref_kind(struct enc *e, struct item *it)
{
	bool skipped;
	int tid = ref_id(e, &it->die, &skipped);

	switch (it->kind) {
	case IT_PTR:
		if (skipped) {
			e->st->void_refs++;
			if (e->detail)
				fprintf(e->detail, "void: pointer DIE 0x%llx points to a skipped type\n",
					(unsigned long long)dwarf_dieoffset(&it->die));
		}
		return btf__add_ptr(e->btf, tid);
	case IT_TYPEDEF: return btf__add_typedef(e->btf, dwarf_diename(&it->die), tid);
	case IT_CONST: return btf__add_const(e->btf, tid);
	case IT_VOLATILE: return btf__add_volatile(e->btf, tid);
	case IT_RESTRICT: return btf__add_restrict(e->btf, tid);
	}
	return -EINVAL;
}

static int emit(struct enc *e, struct item *it)
{
	int id;

	switch (it->kind) {
	case IT_BASE: return add_base(e, &it->die);
	case IT_STRUCT: case IT_UNION: return add_composite(e, it);
	case IT_ENUM: return add_enum(e, it);
	case IT_ARRAY: return add_array(e, it);
	case IT_PROTO: return add_proto(e, &it->die);
	case IT_FUNC:
		id = add_proto(e, &it->die);
		if (id < 0)
			return id;
		e->st->funcs++;
		return btf__add_func(e->btf, dwarf_diename(&it->die), BTF_FUNC_GLOBAL, id);
	}
	return add_ref_kind(e, it);
}

static void summarize_tags(struct enc *e)
{
	size_t i, len = 0;
	char *buf = e->st->skipped_tags;

	buf[0] = 0;
	for (i = 0; i < 32 && e->tags[i].n; i++)
		len += snprintf(buf + len, len < sizeof(e->st->skipped_tags) ?
				sizeof(e->st->skipped_tags) - len : 0, "%s%s %u",
				i ? ", " : "", tag_name(e->tags[i].tag), e->tags[i].n);
}

static int encode(struct enc *e, const char *path)
{
	Dwarf_CU *cu = NULL, *next;
	Dwarf_Die cudie, sub;
	Dwarf_Half ver;
	uint8_t ut;
	size_t i;
	int err = 0, id, next_id;

	while (!err && !dwarf_get_units(e->dw, cu, &next, &ver, &ut, &cudie, &sub)) {
		cu = next;
		/* Split units (.dwo) are not followed: see docs/encoder.md. */
		err = walk(e, &cudie);
	}
	if (err)
		return err;

	next_id = 1;
	for (i = 0; i < e->n_items; i++) {
		if (item_state(e, i) == ST_OK) {
			e->items[i].first_id = next_id;
			next_id += e->items[i].n;
			if (e->items[i].kind == IT_ARRAY)
				e->array_index_id = -1;
		}
	}
	/* One INT indexes every array, added last (as pahole names it). */
	if (e->array_index_id)
		e->array_index_id = next_id;
	for (i = 0; i < e->n_items; i++) {
		struct item *it = &e->items[i];

		if (it->state != ST_OK)
			continue;
		id = emit(e, it);
		if (id < 0 || (it->kind != IT_FUNC && it->kind != IT_ARRAY && id != it->first_id) ||
		    (int)btf__type_cnt(e->btf) != it->first_id + it->n) {
			p_err("%s: cannot encode DIE 0x%llx (%s): %s", path,
			      (unsigned long long)dwarf_dieoffset(&it->die), die_name(&it->die),
			      id < 0 ? strerror(-id) : "type ids out of step");
			return id < 0 ? id : -EINVAL;
		}
	}
	if (e->array_index_id) {
		id = btf__add_int(e->btf, "__ARRAY_SIZE_TYPE__", 4, 0);
		if (id != e->array_index_id)
			return id < 0 ? id : -EINVAL;
	}
	e->st->types = btf__type_cnt(e->btf) - 1;
	summarize_tags(e);
	return 0;
}

struct btf *dwarf_btf__encode(const char *path, const struct dwarf_btf_opts *opts,
			      struct dwarf_btf_stats *stats)
{
	struct dwarf_btf_stats dummy;
	struct enc e = { .st = stats ? stats : &dummy };
	GElf_Ehdr eh;
	Elf *elf;
	int fd, err;

	memset(e.st, 0, sizeof(*e.st));
	if (opts && opts->sz >= offsetof(struct dwarf_btf_opts, detail) + sizeof(FILE *))
		e.detail = opts->detail;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);	/* a FIFO must not block */
	if (fd < 0) {
		err = -errno;
		p_err("%s: %s", path, strerror(errno));
		errno = -err;
		return NULL;
	}
	e.dw = dwarf_begin(fd, DWARF_C_READ);
	if (!e.dw) {
		p_err("%s: no usable DWARF: %s", path, dwarf_errmsg(-1));
		close(fd);
		errno = ENODATA;
		return NULL;
	}
	elf = dwarf_getelf(e.dw);
	e.btf = btf__new_empty();
	err = e.btf ? 0 : -ENOMEM;
	if (!err && elf && gelf_getehdr(elf, &eh)) {
		e.big_endian = eh.e_ident[EI_DATA] == ELFDATA2MSB;
		btf__set_pointer_size(e.btf, eh.e_ident[EI_CLASS] == ELFCLASS64 ? 8 : 4);
	}
	if (!err)
		err = encode(&e, path);
	if (!err && !(opts && opts->sz >= offsetof(struct dwarf_btf_opts, no_dedup) + 1 &&
		      opts->no_dedup)) {
		err = btf__dedup(e.btf, NULL);
		if (err)
			p_err("%s: BTF dedup failed: %s", path, strerror(-err));
	} else if (err == -ENOMEM) {
		p_err("%s: out of memory", path);
	}
	dwarf_end(e.dw);
	close(fd);
	free(e.map);
	free(e.items);
	free(e.fnames);
	if (err) {
		btf__free(e.btf);
		errno = -err;
		return NULL;
	}
	return e.btf;
}
