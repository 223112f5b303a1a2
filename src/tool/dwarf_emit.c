/* DWARF -> BTF, pass 3: each encodable DIE becomes its BTF type(s), at the
 * id pass 2 gave it (dwarf_btf.c walks and numbers; see there). */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <bpf/btf.h>
#include "tool/dwarf_btf_internal.h"

static int add_base(struct enc *e, Dwarf_Die *d)
{
	Dwarf_Word enc = 0, sz = 0;
	int flags = 0;

	enc_attr_udata(d, DW_AT_encoding, &enc);
	enc_attr_udata(d, DW_AT_byte_size, &sz);
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

	*bit_sz = enc_attr_udata(m, DW_AT_bit_size, &v) ? v : 0;
	if (enc_attr_udata(m, DW_AT_data_bit_offset, &v)) {
		*bit_off = v;
		return true;
	}
	if (!member_byte_off(m, &byte_off))
		return false;
	*bit_off = byte_off * 8;
	if (!*bit_sz || !dwarf_attr(m, DW_AT_bit_offset, &a) || form_sdata(&a, &old_off))
		return true;
	/* DWARF <= 4: DW_AT_bit_offset counts from the storage unit's MSB. */
	if (!enc_attr_udata(m, DW_AT_byte_size, &storage) &&
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
	enc_detail(e, "dropped: member %s of %s (DIE 0x%llx): %s", enc_die_name(m),
		   dwarf_diename(parent) ?: "(anon)", (unsigned long long)dwarf_dieoffset(m), why);
}

static int add_composite(struct enc *e, struct item *it, Dwarf_Die *d)
{
	Dwarf_Die m;
	const char *name = dwarf_diename(d);
	bool is_union = it->kind == IT_UNION, skipped;
	Dwarf_Word sz;
	uint32_t bit_off, bit_sz;
	int id, err, tid, tag;

	if (dwarf_hasattr(d, DW_AT_declaration) || !enc_attr_udata(d, DW_AT_byte_size, &sz)) {
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
		tid = enc_ref_id(e, &m, &skipped);
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
		if (enc_attr_udata(&t, DW_AT_encoding, &enc))
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

static int add_enum(struct enc *e, struct item *it, Dwarf_Die *d)
{
	Dwarf_Die c;
	const char *name = dwarf_diename(d);
	bool is_signed = enum_signed(d);
	Dwarf_Word sz = 4;
	int id, err;
	int64_t v;

	if (dwarf_hasattr(d, DW_AT_declaration) && name && name[0])
		return btf__add_fwd(e->btf, name, BTF_FWD_ENUM);
	enc_attr_udata(d, DW_AT_byte_size, &sz);
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
	enc_attr_udata(s, DW_AT_lower_bound, &lo);
	return hi < (Dwarf_Sword)lo ? 0 : (uint32_t)(hi - lo + 1);
}

static int add_array(struct enc *e, struct item *it, Dwarf_Die *d)
{
	Dwarf_Die c;
	int n = enc_item_n(e, it);
	uint32_t dims[n];
	int i = 0, err, elem;
	bool skipped;

	memset(dims, 0, sizeof(dims));
	if (!dwarf_child(d, &c)) {
		do {
			if (dwarf_tag(&c) == DW_TAG_subrange_type ||
			    dwarf_tag(&c) == DW_TAG_enumeration_type)
				dims[i++] = subrange_nelems(&c);
		} while (i < n && !dwarf_siblingof(&c, &c));
	}
	for (i = 0; i < n; i++) {
		elem = i + 1 < n ? it->first_id + i + 1 : enc_ref_id(e, d, &skipped);
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
	tid = enc_ref_id(e, d, &skipped);
	if (skipped)
		e->st->void_refs++;
	id = btf__add_func_proto(e->btf, tid);
	if (id < 0 || dwarf_child(&origin, &c))
		return id;
	do {
		if (dwarf_tag(&c) == DW_TAG_unspecified_parameters) {
			err = btf__add_func_param(e->btf, NULL, 0);
		} else if (dwarf_tag(&c) == DW_TAG_formal_parameter) {
			tid = enc_ref_id(e, &c, &skipped);
			if (skipped) {
				e->st->void_refs++;
				enc_detail(e, "void: parameter %s (DIE 0x%llx): type skipped",
					   enc_die_name(&c), (unsigned long long)dwarf_dieoffset(&c));
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

static int add_ref_kind(struct enc *e, struct item *it, Dwarf_Die *d)
{
	bool skipped;
	int tid = enc_ref_id(e, d, &skipped);

	switch (it->kind) {
	case IT_PTR:
		if (skipped) {
			e->st->void_refs++;
			enc_detail(e, "void: pointer DIE 0x%llx points to a skipped type",
				   (unsigned long long)dwarf_dieoffset(d));
		}
		return btf__add_ptr(e->btf, tid);
	case IT_TYPEDEF: return btf__add_typedef(e->btf, dwarf_diename(d), tid);
	case IT_CONST: return btf__add_const(e->btf, tid);
	case IT_VOLATILE: return btf__add_volatile(e->btf, tid);
	case IT_RESTRICT: return btf__add_restrict(e->btf, tid);
	}
	return -EINVAL;
}

int enc_emit(struct enc *e, struct item *it)
{
	Dwarf_Die d = enc_item_die(e, it);
	int id;

	switch (it->kind) {
	case IT_BASE: return add_base(e, &d);
	case IT_STRUCT: case IT_UNION: return add_composite(e, it, &d);
	case IT_ENUM: return add_enum(e, it, &d);
	case IT_ARRAY: return add_array(e, it, &d);
	case IT_PROTO: return add_proto(e, &d);
	case IT_FUNC:
		id = add_proto(e, &d);
		if (id < 0)
			return id;
		e->st->funcs++;
		return btf__add_func(e->btf, dwarf_diename(&d), BTF_FUNC_GLOBAL, id);
	}
	return add_ref_kind(e, it, &d);
}
