/* btf_layout FILE: prints what a BTF file says about each named struct/union
 * (members flattened through anonymous members: absolute bit offset, size in
 * bits, type), enum, typedef, FWD and FUNC, one fact a line, for tests that
 * compare encoders with each other and with the compiler (tests/fixtures/encoder).
 * btf_layout -k FILE loads the BTF into the kernel (exit 1 if rejected). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

/* Type strings are for humans and tests; truncation is fine. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

static void fmt(const struct btf *btf, __u32 id, char *buf, size_t sz);

static void fmt_base(const struct btf *btf, const struct btf_type *t, char *buf, size_t sz)
{
	const char *name = btf__name_by_offset(btf, t->name_off);
	const char *kw = "";

	if (btf_is_struct(t) || (btf_is_fwd(t) && !btf_kflag(t)))
		kw = "struct ";
	else if (btf_is_union(t) || btf_is_fwd(t))
		kw = "union ";
	else if (btf_is_any_enum(t))
		kw = "enum ";
	snprintf(buf, sz, "%s%s", kw, name && name[0] ? name : "{anon}");
}

static void fmt(const struct btf *btf, __u32 id, char *buf, size_t sz)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	char inner[1024], dims[256] = "";
	size_t len;
	int i;

	if (!id || !t) {
		snprintf(buf, sz, id ? "?" : "void");
		return;
	}
	switch (btf_kind(t)) {
	case BTF_KIND_PTR:
		fmt(btf, t->type, inner, sizeof(inner));
		snprintf(buf, sz, "%s*", inner);
		return;
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
		fmt(btf, t->type, inner, sizeof(inner));
		snprintf(buf, sz, "%s %s", btf_is_const(t) ? "const" : "volatile", inner);
		return;
	case BTF_KIND_RESTRICT:
		fmt(btf, t->type, inner, sizeof(inner));
		snprintf(buf, sz, "%s restrict", inner);
		return;
	case BTF_KIND_ARRAY:
		while (btf_is_array(t)) {
			len = strlen(dims);
			snprintf(dims + len, sizeof(dims) - len, "[%u]", btf_array(t)->nelems);
			id = btf_array(t)->type;
			t = btf__type_by_id(btf, id);
		}
		fmt(btf, id, inner, sizeof(inner));
		snprintf(buf, sz, "%s%s", inner, dims);
		return;
	case BTF_KIND_FUNC_PROTO: {
		const struct btf_param *p = btf_params(t);

		len = snprintf(buf, sz, "fn(");
		for (i = 0; i < btf_vlen(t) && len < sz; i++) {
			if (!p[i].type)
				snprintf(inner, sizeof(inner), "...");
			else
				fmt(btf, p[i].type, inner, sizeof(inner));
			len += snprintf(buf + len, sz - len, "%s%s", i ? "," : "", inner);
		}
		fmt(btf, t->type, inner, sizeof(inner));
		if (len < sz)
			snprintf(buf + len, sz - len, ")->%s", inner);
		return;
	}
	}
	fmt_base(btf, t, buf, sz);
}

/* Through typedefs and qualifiers: is this void where a value should be? */
static int is_void(const struct btf *btf, __u32 id)
{
	const struct btf_type *t;

	while (id && (t = btf__type_by_id(btf, id)) &&
	       (btf_is_typedef(t) || btf_is_mod(t)))
		id = t->type;
	return !id;
}

static void members(const struct btf *btf, const char *sname, const struct btf_type *t, __u32 base)
{
	const struct btf_member *m = btf_members(t);
	const struct btf_type *mt;
	char ty[1024], bits[32];
	__s64 size;
	int i;

	for (i = 0; i < btf_vlen(t); i++, m++) {
		__u32 off = base + btf_member_bit_offset(t, i);
		__u32 bsz = btf_member_bitfield_size(t, i);
		const char *name = btf__name_by_offset(btf, m->name_off);

		mt = btf__type_by_id(btf, m->type);
		if ((!name || !name[0]) && mt && btf_is_composite(mt)) {
			members(btf, sname, mt, off);
			continue;
		}
		size = btf__resolve_size(btf, m->type);
		if (bsz)
			snprintf(bits, sizeof(bits), "%u", bsz);
		else if (size >= 0)
			snprintf(bits, sizeof(bits), "%lld", (long long)size * 8);
		else
			snprintf(bits, sizeof(bits), "?");
		fmt(btf, m->type, ty, sizeof(ty));
		printf("%s.%s off=%u bits=%s type=%s%s\n", sname, name, off, bits, ty,
		       is_void(btf, m->type) ? " VOID" : "");
	}
}

int main(int argc, char **argv)
{
	const struct btf_type *t, *tt;
	struct btf *btf;
	char ty[1024];
	const char *name;
	__u32 i, n;
	int j;

	if (argc == 3 && !strcmp(argv[1], "-k")) {
		/* The kernel's BTF verifier is the strictest reader there is. */
		libbpf_set_print(NULL);
		btf = btf__parse(argv[2], NULL);
		if (!btf || btf__load_into_kernel(btf)) {
			fprintf(stderr, "Error: %s: the kernel rejects this BTF\n", argv[2]);
			return 1;
		}
		btf__free(btf);
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: btf_layout [-k] FILE\n");
		return 2;
	}
	btf = btf__parse(argv[1], NULL);
	if (!btf) {
		fprintf(stderr, "Error: %s: cannot parse BTF\n", argv[1]);
		return 1;
	}
	n = btf__type_cnt(btf);
	for (i = 1; i < n; i++) {
		t = btf__type_by_id(btf, i);
		name = btf__name_by_offset(btf, t->name_off);
		if (btf_is_composite(t) && name && name[0]) {
			printf("%s size=%u\n", name, t->size);
			members(btf, name, t, 0);
		} else if (btf_is_typedef(t)) {
			fmt(btf, t->type, ty, sizeof(ty));
			printf("typedef %s = %s\n", name, ty);
			tt = btf__type_by_id(btf, t->type);
			/* typedef struct { ... } name_t: the struct is known by the typedef */
			if (tt && btf_is_composite(tt) && !tt->name_off) {
				printf("%s size=%u\n", name, tt->size);
				members(btf, name, tt, 0);
			}
		} else if (btf_is_any_enum(t) && name && name[0]) {
			printf("enum %s size=%u signed=%d\n", name, t->size, btf_kflag(t));
			for (j = 0; j < btf_vlen(t); j++) {
				if (btf_is_enum(t))
					printf("%s.%s=%lld\n", name,
					       btf__name_by_offset(btf, btf_enum(t)[j].name_off),
					       btf_kflag(t) ? (long long)btf_enum(t)[j].val :
							      (long long)(__u32)btf_enum(t)[j].val);
				else
					printf("%s.%s=%lld\n", name,
					       btf__name_by_offset(btf, btf_enum64(t)[j].name_off),
					       (long long)btf_enum64_value(btf_enum64(t) + j));
			}
		} else if (btf_is_fwd(t)) {
			printf("fwd %s %s\n", btf_kflag(t) ? "union" : "struct", name);
		} else if (btf_is_func(t)) {
			fmt(btf, t->type, ty, sizeof(ty));
			printf("func %s %s linkage=%s\n", name, ty,
			       btf_vlen(t) == BTF_FUNC_GLOBAL ? "global" : "static");
		}
	}
	btf__free(btf);
	return 0;
}
