/* One example of each C construct the encoder handles.  Compiled into
 * libenc.so (lib.c) and into layout (layout.c), which prints the layout the
 * compiler actually chose; tests/t_encoder.sh compares it with the BTF. */
#ifndef ENCODER_TEST_H
#define ENCODER_TEST_H

#include <stddef.h>
#include <stdint.h>

/* _Atomic typedefs: GCC 12 emits DW_TAG_atomic_type; pahole 1.24 makes
 * them typedefs of void. */
typedef _Atomic int atomic_int_t;
typedef _Atomic unsigned long atomic_ulong_t;
typedef _Atomic(struct enc_node *) atomic_node_ptr_t;

struct enc_opaque;		/* never defined: FWD */

enum enc_small { ES_A, ES_B = 7, ES_C = 255 };
enum enc_signed { SG_NEG = -3, SG_ZERO = 0, SG_POS = 5 };
enum enc_big { EB_LOW = 1, EB_HIGH = 0x1234567890ULL };
enum enc_big_signed { EBS_MIN = -0x100000000LL, EBS_ONE = 1 };
enum __attribute__((packed)) enc_packed { EP_X = 1, EP_Y = 200 };

typedef int (*enc_cb_t)(void *ctx, const char *msg, ...);

struct enc_node {
	struct enc_node *next;
	const volatile int cv;
	char name[13];
};

struct enc_bits {
	unsigned int a : 3;
	int b : 5;
	unsigned char c : 2;
	unsigned long d : 40;
	unsigned int : 0;	/* forces the next field to a new unit */
	unsigned int e : 7;
	enum enc_small f : 8;
	long long g : 33;
	char after;
};

struct enc_anon {
	int kind;
	union {
		long as_long;
		struct {
			short lo, hi;
			unsigned int flag : 1;
		};
		double as_double;
	};
	struct {
		char tag;
		int value;
	} named;
	union {
		uint8_t bytes[4];
		uint32_t word;
	};
};

struct enc_atomic {
	atomic_int_t refs;
	atomic_ulong_t total;
	atomic_node_ptr_t head;
	_Atomic int plain;
	_Atomic(char) ch;
	const atomic_int_t cref;
};

struct enc_arrays {
	int one[4];
	int grid[2][3];
	char cube[2][3][5];
	struct enc_node nodes[2];
	int *ptrs[3];
	int (*ptr_to_arr)[6];
	/* Bounds 159, 255 and 39999 are data1/data2 forms with the top bit set. */
	char buf160[160];
	unsigned char buf256[256];
	char huge[40000];
};

struct enc_funcs {
	enc_cb_t cb;
	int (*plain)(int, char *);
	void (*noargs)(void);
	struct enc_opaque *opaque;
	int *restrict rp;
	enum enc_signed sg;
	enum enc_big big;
	enum enc_big_signed bigs;
	enum enc_packed packed;
	enum enc_small small;
};

typedef struct {
	int x, y;
} enc_point_t;

union enc_union {
	int i;
	float f;
	enc_point_t pt;
	unsigned int bits : 12;
};

struct enc_flex {
	size_t len;
	long double ld;
	_Bool ok;
	__int128 wide;
	unsigned char data[];
};

struct enc_all {
	struct enc_bits bits;
	struct enc_anon anon;
	struct enc_atomic atomic;
	struct enc_arrays arrays;
	struct enc_funcs funcs;
	enc_point_t pt;
	union enc_union u;
	struct enc_flex *flex;
};

/* The library's API: external definitions become BTF FUNCs. */
int enc_use_all(struct enc_all *all);
long enc_sum(int n, ...);
size_t enc_flex_size(const struct enc_flex *f);
atomic_int_t *enc_refs(struct enc_atomic *a);

#endif
