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
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "lib/errmsg.h"
#include "tool/dwarf_btf_internal.h"

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
	enc_detail(e, "skipped: DIE 0x%llx %s%s%s: %s", (unsigned long long)dwarf_dieoffset(d),
		   tag_name(tag), dwarf_diename(d) ? " " : "", dwarf_diename(d) ?: "", why);
}

/* The run item e->n_items goes into: a new one when the unit changes (or
 * the DIE is past 4 GiB of the run's base). */
static struct cu_run *item_run(struct enc *e, Dwarf_Die *d)
{
	struct cu_run *last = e->n_runs ? &e->runs[e->n_runs - 1] : NULL;

	if (last && last->cu == d->cu && (char *)d->addr >= last->base &&
	    (uint64_t)((char *)d->addr - last->base) <= ITEM_REL_MAX)
		return last;
	if (e->n_runs == e->cap_runs) {
		size_t cap = e->cap_runs ? e->cap_runs * 2 : 1024;
		struct cu_run *r = realloc(e->runs, cap * sizeof(*r));

		if (!r)
			return NULL;
		e->runs = r;
		e->cap_runs = cap;
	}
	last = &e->runs[e->n_runs++];
	*last = (struct cu_run){ e->n_items, d->cu, d->addr };
	return last;
}

static int add_item(struct enc *e, Dwarf_Die *d, int kind)
{
	struct cu_run *run;

	if (e->n_items == e->cap_items) {
		size_t cap = e->cap_items ? e->cap_items * 2 : 4096;
		struct item *it = realloc(e->items, cap * sizeof(*it));

		if (!it)
			return -ENOMEM;
		e->items = it;
		e->cap_items = cap;
	}
	run = item_run(e, d);
	if (!run)
		return -ENOMEM;
	e->items[e->n_items] = (struct item){ .die_rel = (char *)d->addr - run->base,
					      .kind = kind };
	e->st->dies++;
	return enc_map_put(e, die_key(e, d), E_ITEM, e->n_items++);
}

Dwarf_Die enc_item_die(struct enc *e, const struct item *it)
{
	size_t i = it - e->items, lo = 0, hi = e->n_runs, mid, r = e->run_hint;

	/* Passes 2 and 3 go in item order: mostly the run of the last call. */
	if (!(r < e->n_runs && e->runs[r].first <= i &&
	      (r + 1 == e->n_runs || i < e->runs[r + 1].first))) {
		while (hi - lo > 1) {
			mid = lo + (hi - lo) / 2;
			if (e->runs[mid].first <= i)
				lo = mid;
			else
				hi = mid;
		}
		r = e->run_hint = lo;
	}
	/* As dwarf_offdie() makes it: libdw reads the abbreviation on use. */
	return (Dwarf_Die){ .addr = e->runs[r].base + it->die_rel, .cu = e->runs[r].cu };
}

static int count_dims(Dwarf_Die *d);

int enc_item_n(struct enc *e, const struct item *it)
{
	Dwarf_Die d;

	if (it->kind == IT_FUNC)
		return 2;
	if (it->kind != IT_ARRAY)
		return 1;
	d = enc_item_die(e, it);
	return (unsigned short)count_dims(&d);	/* as the 16-bit count it was */
}

bool enc_attr_udata(Dwarf_Die *d, unsigned int name, Dwarf_Word *v)
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

	if (!dwarf_diename(d) || !enc_attr_udata(d, DW_AT_encoding, &enc) ||
	    !enc_attr_udata(d, DW_AT_byte_size, &sz))
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
	bool seen;

	if (!dwarf_attr(d, DW_AT_import, &a) || !dwarf_formref_die(&a, &unit))
		return 0;
	key = die_key(e, &unit);
	if (!(key >> 63))
		return 0;
	if (enc_unit_seen(e, key, &seen))
		return -ENOMEM;
	return seen ? 0 : walk(e, &unit);
}

static int classify(struct enc *e, Dwarf_Die *d)
{
	unsigned int tag = dwarf_tag(d);

	switch (tag) {
	case DW_TAG_base_type:
		if (base_encodable(d))
			return add_item(e, d, IT_BASE);
		note_skip(e, d, tag, "no BTF INT/FLOAT for this encoding or size");
		return enc_map_put(e, die_key(e, d), E_SKIP, tag);
	case DW_TAG_structure_type:
	case DW_TAG_class_type:
	case DW_TAG_union_type:
		if (is_template(d)) {
			note_skip(e, d, tag, "C++ template");
			return enc_map_put(e, die_key(e, d), E_SKIP, tag);
		}
		return add_item(e, d, tag == DW_TAG_union_type ? IT_UNION : IT_STRUCT);
	case DW_TAG_enumeration_type:
		return add_item(e, d, IT_ENUM);
	case DW_TAG_typedef:
		if (!dwarf_diename(d))
			return enc_map_put(e, die_key(e, d), E_ALIAS, 0);
		return add_item(e, d, IT_TYPEDEF);
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type:
	case DW_TAG_rvalue_reference_type:
		return add_item(e, d, IT_PTR);
	case DW_TAG_const_type:
		return add_item(e, d, IT_CONST);
	case DW_TAG_volatile_type:
		return add_item(e, d, IT_VOLATILE);
	case DW_TAG_restrict_type:
		return add_item(e, d, IT_RESTRICT);
	case DW_TAG_atomic_type:
		/* BTF has no _Atomic: the unqualified type, as pahole >= 1.25. */
		return enc_map_put(e, die_key(e, d), E_ALIAS, 0);
	case DW_TAG_array_type:
		return add_item(e, d, IT_ARRAY);
	case DW_TAG_subroutine_type:
		return add_item(e, d, IT_PROTO);
	case DW_TAG_subprogram:
		return func_wanted(e, d) ? add_item(e, d, IT_FUNC) : 0;
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
	return enc_map_put(e, die_key(e, d), E_SKIP, tag);
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
	uint32_t val;
	int depth, kind;

	for (depth = 0; depth < 64; depth++) {
		if (!dwarf_attr_integrate(&cur, DW_AT_type, &a)) {
			*idx = -1;
			return true;
		}
		if (!dwarf_formref_die(&a, &t)) {
			*tag = 0;
			return false;
		}
		kind = enc_map_get(e, die_key(e, &t), &val);
		if (!kind || kind == E_SKIP) {
			*tag = kind == E_SKIP ? val : (uint32_t)dwarf_tag(&t);
			return false;
		}
		if (kind == E_ITEM) {
			*idx = val;
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
	Dwarf_Die d = enc_item_die(e, it);
	bool ok = true;

	if (it->state == ST_BUSY)	/* a cycle without a pointer: not C */
		return ST_OK;
	if (it->state != ST_NEW)
		return it->state;
	it->state = ST_BUSY;
	switch (it->kind) {
	case IT_TYPEDEF: case IT_CONST: case IT_VOLATILE: case IT_RESTRICT: case IT_ARRAY:
		ok = ref_ok(e, &d);
		break;
	case IT_FUNC:
		ok = func_params_ok(e, &d);
		break;
	}
	it = &e->items[i];
	it->state = ok ? ST_OK : ST_SKIP;
	if (!ok) {
		if (it->kind == IT_FUNC) {
			e->st->skipped_funcs++;
			enc_detail(e, "skipped: function %s: a parameter's type is skipped",
				   dwarf_diename(&d));
		} else {
			note_skip(e, &d, dwarf_tag(&d), "refers to a skipped type");
		}
	}
	return it->state;
}

/* The BTF id of d's DW_AT_type; *skipped set (and 0 returned) if unencodable. */
int enc_ref_id(struct enc *e, Dwarf_Die *d, bool *skipped)
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

const char *enc_die_name(Dwarf_Die *d)
{
	const char *n = dwarf_diename(d);

	return n ? n : "";
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

/* Pass 1: every unit's DIEs become items, aliases or skips. */
static int encode_walk(struct enc *e, const char *path)
{
	Dwarf_CU *cu = NULL, *next;
	Dwarf_Die cudie, sub;
	Dwarf_Half ver;
	uint8_t ut;
	int err = 0, i;

	while (!err && !dwarf_get_units(e->dw, cu, &next, &ver, &ut, &cudie, &sub)) {
		cu = next;
		/* Split units (.dwo) are not followed: see docs/encoder.md. */
		err = walk(e, &cudie);
	}
	for (i = 0; !err && i < 4; i++)
		err = enc_map_index(&e->maps[i]);
	if (!err && e->n_items) {	/* no more items: no slack */
		struct item *it = realloc(e->items, e->n_items * sizeof(*it));

		if (it)
			e->items = it;
	}
	if (err)
		return ucb_errf(err, "%s: out of memory", path);
	return 0;
}

/* Pass 2: skip what depends on a skipped type; ids in DIE order. */
static void encode_number(struct enc *e)
{
	int next_id = 1;
	size_t i;

	for (i = 0; i < e->n_items; i++) {
		if (item_state(e, i) == ST_OK) {
			e->items[i].first_id = next_id;
			next_id += enc_item_n(e, &e->items[i]);
			if (e->items[i].kind == IT_ARRAY)
				e->array_index_id = -1;
		}
	}
	/* One INT indexes every array, added last (as pahole names it). */
	if (e->array_index_id)
		e->array_index_id = next_id;
}

/* Pass 3: add the types; each must land on the id pass 2 gave it. */
static int encode_emit(struct enc *e, const char *path)
{
	size_t i;
	int id;

	for (i = 0; i < e->n_items; i++) {
		struct item *it = &e->items[i];
		Dwarf_Die d;

		if (it->state != ST_OK)
			continue;
		id = enc_emit(e, it);
		d = enc_item_die(e, it);
		if (id < 0 || (it->kind != IT_FUNC && it->kind != IT_ARRAY && id != it->first_id) ||
		    (int)btf__type_cnt(e->btf) != it->first_id + enc_item_n(e, it))
			return ucb_errf(id < 0 ? id : -EINVAL, "%s: cannot encode DIE 0x%llx (%s): %s",
					path, (unsigned long long)dwarf_dieoffset(&d), enc_die_name(&d),
					id < 0 ? strerror(-id) : "type ids out of step");
	}
	if (e->array_index_id) {
		id = btf__add_int(e->btf, "__ARRAY_SIZE_TYPE__", 4, 0);
		if (id != e->array_index_id)
			return ucb_errf(id < 0 ? id : -EINVAL, "%s: cannot add the array index type: %s",
					path, id < 0 ? strerror(-id) : "type ids out of step");
	}
	return 0;
}

/* After pass 3 the BTF holds everything: the DWARF, its decompressed
 * sections and the items go before btf__dedup() allocates its own. */
static void enc_drop_dwarf(struct enc *e)
{
	int i;

	for (i = 0; i < 4; i++) {
		free(e->maps[i].a);
		free(e->maps[i].lo);
		free(e->maps[i].vk);
		free(e->maps[i].blk);
		e->maps[i] = (struct dmap){};
	}
	free(e->items);
	free(e->runs);
	e->runs = NULL;
	free(e->fnames);	/* its strings are libdw's */
	free(e->units);
	e->items = NULL;
	e->fnames = NULL;
	e->units = NULL;
	dwarf_end(e->dw);
	e->dw = NULL;
}

static int encode(struct enc *e, const char *path, bool dedup)
{
	GElf_Ehdr eh;
	Elf *elf;
	int err;

	e->btf = btf__new_empty();
	if (!e->btf)
		return ucb_errf(-ENOMEM, "%s: out of memory", path);
	elf = dwarf_getelf(e->dw);
	if (elf && gelf_getehdr(elf, &eh)) {
		e->big_endian = eh.e_ident[EI_DATA] == ELFDATA2MSB;
		btf__set_pointer_size(e->btf, eh.e_ident[EI_CLASS] == ELFCLASS64 ? 8 : 4);
	}
	err = encode_walk(e, path);
	if (err)
		return err;
	encode_number(e);
	err = encode_emit(e, path);
	if (err)
		return err;
	e->st->types = btf__type_cnt(e->btf) - 1;
	summarize_tags(e);
	if (!dedup)
		return 0;
	enc_drop_dwarf(e);
	err = btf__dedup(e->btf, NULL);
	if (err)
		return ucb_errf(err, "%s: BTF dedup failed: %s", path, strerror(-err));
	return 0;
}

void enc_detail(struct enc *e, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!e->detail)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	e->detail(e->detail_ctx, line);
}

/* An opts field the caller's struct is large enough to hold. */
#define OPTS_HAS(opts, field) \
	((opts) && (opts)->sz >= offsetof(struct dwarf_btf_opts, field) + sizeof((opts)->field))

struct btf *dwarf_btf__encode(const char *path, const struct dwarf_btf_opts *opts,
			      struct dwarf_btf_stats *stats)
{
	struct dwarf_btf_stats dummy;
	struct enc e = { .st = stats ? stats : &dummy };
	Dwarf *alt = NULL;
	int fd, afd = -1, err;

	memset(e.st, 0, sizeof(*e.st));
	if (OPTS_HAS(opts, detail_ctx)) {
		e.detail = opts->detail;
		e.detail_ctx = opts->detail_ctx;
	}
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return ucb_errp(-errno, "%s: %s", path, strerror(errno));
	e.dw = dwarf_begin(fd, DWARF_C_READ);
	if (!e.dw) {
		close(fd);
		return ucb_errp(-ENODATA, "%s: no usable DWARF: %s", path, dwarf_errmsg(-1));
	}
	/* dwz'd debug info names its supplementary file by a system path; one
	 * from an unpacked package is handed over before any DIE is read. */
	if (OPTS_HAS(opts, alt_path) && opts->alt_path) {
		afd = open(opts->alt_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		alt = afd >= 0 ? dwarf_begin(afd, DWARF_C_READ) : NULL;
		if (alt)
			dwarf_setalt(e.dw, alt);
	}
	err = encode(&e, path, !(OPTS_HAS(opts, no_dedup) && opts->no_dedup));
	enc_drop_dwarf(&e);	/* before its supplementary file */
	if (alt)
		dwarf_end(alt);
	if (afd >= 0)
		close(afd);
	close(fd);
	if (err) {
		btf__free(e.btf);
		errno = -err;
		return NULL;
	}
	return e.btf;
}
