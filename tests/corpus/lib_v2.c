/* corpus library, release 2.0: everything moves.  A leading field shifts
 * all offsets; `big` grows to 64 bits; `temp` becomes unsigned; the
 * bitfields change width and order; corpus_item gains `tag` (array stride
 * changes); a new type corpus_extra; enum gains TURBO. */
#define CORPUS_RELEASE 2
#define HAS_TURBO 1
#define HAS_LEGACY 1
#define HAS_EXTRA 1
#define HAS_TAG 1
#define STATE_FIELD state
#define STATE_FLAVOUR 1
#define PT_MATCHES 1
#define MODE_MATCHES 1

typedef int corpus_i32;
typedef corpus_i32 corpus_count_t;

enum corpus_mode { CORPUS_MODE_OFF = 0, CORPUS_MODE_ON = 1, CORPUS_MODE_TURBO = 2 };

struct corpus_point { int x; int y; };
struct corpus_item { long key; int tag; int d; };
struct corpus_inner {
	struct corpus_item items[5];
	int n;
	int grid[2][3];
};
struct corpus_bits {
	unsigned int ready:1;
	unsigned int kind:4;
	int level:7;
};
struct corpus_extra { int e1, e2, e3, e4; };
struct corpus_opaque { long opaque_secret; char opaque_name[32]; };
union corpus_val { char c[16]; long l; int i; };

/* anonymous struct known only by its typedef */
typedef struct { long limit; int cfg_a; } corpus_cfg_t;

struct corpus_state {
	long pad0;
	corpus_count_t count;
	int version;
	long long big;
	unsigned int temp;
	struct { short lo; short hi; };
	union { int as_int; float as_float; };
	int delta:10;
	unsigned int prio:5, flag_a:1;
	struct corpus_bits *bits;
	corpus_cfg_t cfg;
	union corpus_val val;
	struct corpus_point pt;
	struct corpus_inner inner;
	struct corpus_extra *extra;
	enum corpus_mode mode;
	int state;
	struct corpus_opaque *opaque;
	int legacy;
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

	s->pad0 = -1;
	s->big = -5000000000LL;
	s->legacy = 314;
	s->state = 22;
	s->extra = &the_extra;
	for (i = 0; i < 3; i++)
		s->inner.items[i].tag = 200 + i;
}
