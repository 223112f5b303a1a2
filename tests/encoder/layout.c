/* Prints the layout GCC chose for encoder.h, in btf_layout's format:
 * offsets and sizes from offsetof/sizeof, bitfields found by setting all
 * bits of the field in a zeroed object and looking where they landed. */
#include <stdio.h>
#include <string.h>
#include "encoder.h"

static void bf_print(const char *s, const char *m, const unsigned char *p, size_t n)
{
	size_t i, first = 0, bits = 0;
	int b;

	for (i = n * 8; i-- > 0;) {
		b = p[i / 8] >> (i % 8) & 1;	/* little-endian bit numbering, as BTF */
		if (b) {
			first = i;
			bits++;
		}
	}
	printf("%s.%s off=%zu bits=%zu\n", s, m, first, bits);
}

#define SZ(T, s) printf("%s size=%zu\n", s, sizeof(T))
#define M(T, s, m) printf("%s.%s off=%zu bits=%zu\n", s, #m, offsetof(T, m) * 8, sizeof(((T *)0)->m) * 8)
#define FLEX(T, s, m) printf("%s.%s off=%zu bits=0\n", s, #m, offsetof(T, m) * 8)
#define BF(T, s, m) do {						\
	T x;								\
	memset(&x, 0, sizeof(x));					\
	x.m = -1;							\
	bf_print(s, #m, (const unsigned char *)&x, sizeof(x));		\
} while (0)
#define ENUM(T, s) printf("enum %s size=%zu signed=%d\n", s, sizeof(T), (T)-1 < 0)
#define VAL(s, v) printf("%s.%s=%lld\n", s, #v, (long long)(v))

int main(void)
{
	SZ(struct enc_node, "enc_node");
	M(struct enc_node, "enc_node", next);
	M(struct enc_node, "enc_node", cv);
	M(struct enc_node, "enc_node", name);

	SZ(struct enc_bits, "enc_bits");
	BF(struct enc_bits, "enc_bits", a);
	BF(struct enc_bits, "enc_bits", b);
	BF(struct enc_bits, "enc_bits", c);
	BF(struct enc_bits, "enc_bits", d);
	BF(struct enc_bits, "enc_bits", e);
	BF(struct enc_bits, "enc_bits", f);
	BF(struct enc_bits, "enc_bits", g);
	M(struct enc_bits, "enc_bits", after);

	SZ(struct enc_anon, "enc_anon");
	M(struct enc_anon, "enc_anon", kind);
	M(struct enc_anon, "enc_anon", as_long);
	M(struct enc_anon, "enc_anon", lo);
	M(struct enc_anon, "enc_anon", hi);
	BF(struct enc_anon, "enc_anon", flag);
	M(struct enc_anon, "enc_anon", as_double);
	M(struct enc_anon, "enc_anon", named);
	M(struct enc_anon, "enc_anon", bytes);
	M(struct enc_anon, "enc_anon", word);

	SZ(struct enc_atomic, "enc_atomic");
	M(struct enc_atomic, "enc_atomic", refs);
	M(struct enc_atomic, "enc_atomic", total);
	M(struct enc_atomic, "enc_atomic", head);
	M(struct enc_atomic, "enc_atomic", plain);
	M(struct enc_atomic, "enc_atomic", ch);
	M(struct enc_atomic, "enc_atomic", cref);

	SZ(struct enc_arrays, "enc_arrays");
	M(struct enc_arrays, "enc_arrays", one);
	M(struct enc_arrays, "enc_arrays", grid);
	M(struct enc_arrays, "enc_arrays", cube);
	M(struct enc_arrays, "enc_arrays", nodes);
	M(struct enc_arrays, "enc_arrays", ptrs);
	M(struct enc_arrays, "enc_arrays", ptr_to_arr);
	M(struct enc_arrays, "enc_arrays", buf160);
	M(struct enc_arrays, "enc_arrays", buf256);
	M(struct enc_arrays, "enc_arrays", huge);

	SZ(struct enc_funcs, "enc_funcs");
	M(struct enc_funcs, "enc_funcs", cb);
	M(struct enc_funcs, "enc_funcs", plain);
	M(struct enc_funcs, "enc_funcs", noargs);
	M(struct enc_funcs, "enc_funcs", opaque);
	M(struct enc_funcs, "enc_funcs", rp);
	M(struct enc_funcs, "enc_funcs", sg);
	M(struct enc_funcs, "enc_funcs", big);
	M(struct enc_funcs, "enc_funcs", bigs);
	M(struct enc_funcs, "enc_funcs", packed);
	M(struct enc_funcs, "enc_funcs", small);

	SZ(enc_point_t, "enc_point_t");
	M(enc_point_t, "enc_point_t", x);
	M(enc_point_t, "enc_point_t", y);

	SZ(union enc_union, "enc_union");
	M(union enc_union, "enc_union", i);
	M(union enc_union, "enc_union", f);
	M(union enc_union, "enc_union", pt);
	BF(union enc_union, "enc_union", bits);

	SZ(struct enc_flex, "enc_flex");
	M(struct enc_flex, "enc_flex", len);
	M(struct enc_flex, "enc_flex", ld);
	M(struct enc_flex, "enc_flex", ok);
	M(struct enc_flex, "enc_flex", wide);
	FLEX(struct enc_flex, "enc_flex", data);

	SZ(struct enc_all, "enc_all");
	M(struct enc_all, "enc_all", bits);
	M(struct enc_all, "enc_all", anon);
	M(struct enc_all, "enc_all", atomic);
	M(struct enc_all, "enc_all", arrays);
	M(struct enc_all, "enc_all", funcs);
	M(struct enc_all, "enc_all", pt);
	M(struct enc_all, "enc_all", u);
	M(struct enc_all, "enc_all", flex);

	ENUM(enum enc_small, "enc_small");
	VAL("enc_small", ES_A); VAL("enc_small", ES_B); VAL("enc_small", ES_C);
	ENUM(enum enc_signed, "enc_signed");
	VAL("enc_signed", SG_NEG); VAL("enc_signed", SG_ZERO); VAL("enc_signed", SG_POS);
	ENUM(enum enc_big, "enc_big");
	VAL("enc_big", EB_LOW); VAL("enc_big", EB_HIGH);
	ENUM(enum enc_big_signed, "enc_big_signed");
	VAL("enc_big_signed", EBS_MIN); VAL("enc_big_signed", EBS_ONE);
	ENUM(enum enc_packed, "enc_packed");
	VAL("enc_packed", EP_X); VAL("enc_packed", EP_Y);
	return 0;
}
