/* corpus library, release 3.0: incompatible changes.  `legacy` is gone;
 * `state` is renamed `state_v3` and widened (flavours); the typedef chain
 * of corpus_count_t now ends in long; corpus_point's members are long (no
 * longer "matches"); enum values are renumbered; `temp` is an unsigned
 * short; items[].d is a short in front of key; the anonymous struct sits
 * inside an anonymous union. */
#define CORPUS_RELEASE 3
#define HAS_TURBO 1
#define HAS_LEGACY 0
#define HAS_EXTRA 1
#define HAS_TAG 1
#define STATE_FIELD state_v3
#define STATE_FLAVOUR 3
#define PT_MATCHES 0
#define MODE_MATCHES 1

typedef long corpus_i64;
typedef corpus_i64 corpus_count_t;

enum corpus_mode { CORPUS_MODE_OFF = 0, CORPUS_MODE_TURBO = 1, CORPUS_MODE_ON = 5 };

struct corpus_point { long x; long y; };
struct corpus_item { int tag; short d; long key; };
struct corpus_inner {
	int n;
	int grid[2][3];
	struct corpus_item items[3];
};
struct corpus_bits {
	unsigned char pad;
	int level:3;
	unsigned int ready:1;
	unsigned int kind:4;
};
struct corpus_extra { int e1, e2; long e5, e6; };
struct corpus_opaque { char opaque_name[8]; long opaque_secret; };
union corpus_val { int i; long l; double dbl; };

/* anonymous struct known only by its typedef */
typedef struct { char cfg_name[12]; int cfg_a; long limit; } corpus_cfg_t;

struct corpus_state {
	struct corpus_extra *extra;
	union corpus_val val;
	enum corpus_mode mode;
	int version;
	struct corpus_inner inner;
	unsigned short temp;
	union {
		struct { short lo; short hi; };
		int lohi;
	};
	corpus_count_t count;
	unsigned int flag_a:1;
	int delta:7;
	unsigned int prio:4;
	union { float as_float; int as_int; };
	long long state_v3;
	struct corpus_opaque *opaque;
	long long big;
	struct corpus_point pt;
	struct corpus_bits *bits;
	corpus_cfg_t cfg;
};

struct corpus_unrelated_cfg { char name[32]; long limits[8]; struct corpus_unrelated_cfg *next; };
struct corpus_unrelated_stats { unsigned long rx, tx, drops; double ratio; };
struct corpus_unrelated_cfg corpus_cfg_global;
struct corpus_unrelated_stats corpus_stats_global;

#include "common_main.h"

static struct corpus_extra the_extra;

static void fill_release(struct corpus_state *s)
{
	int i;

	s->big = -5000000000LL;
	s->state_v3 = 0x100000017LL;
	s->extra = &the_extra;
	for (i = 0; i < 3; i++)
		s->inner.items[i].tag = 200 + i;
}
