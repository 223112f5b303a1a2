/* corpus library, release 1.0: the baseline layout. */
#define CORPUS_RELEASE 1
#define HAS_TURBO 0
#define HAS_LEGACY 1
#define HAS_EXTRA 0
#define HAS_TAG 0
#define STATE_FIELD state
#define STATE_FLAVOUR 1
#define PT_MATCHES 1
#define MODE_MATCHES 0	/* local enum has TURBO, this release does not */

typedef int corpus_i32;
typedef corpus_i32 corpus_count_t;

enum corpus_mode { CORPUS_MODE_OFF = 0, CORPUS_MODE_ON = 1 };

struct corpus_point { int x; int y; };
struct corpus_item { long key; int d; };
struct corpus_inner {
	int n;
	struct corpus_item items[4];
	int grid[2][3];
};
struct corpus_bits {
	unsigned int ready:1;
	int level:5;
	unsigned int kind:3;
};
struct corpus_opaque { long opaque_secret; char opaque_name[16]; };
union corpus_val { long l; int i; };

/* anonymous struct known only by its typedef */
typedef struct { int cfg_a; long limit; } corpus_cfg_t;

struct corpus_state {
	int version;
	corpus_count_t count;
	int big;
	int temp;
	unsigned int flag_a:1, prio:4;
	int delta:6;
	struct corpus_bits *bits;
	corpus_cfg_t cfg;
	union { int as_int; float as_float; };
	struct { short lo; short hi; };
	union corpus_val val;
	struct corpus_inner inner;
	struct corpus_point pt;
	struct corpus_opaque *opaque;
	enum corpus_mode mode;
	int legacy;
	int state;
};

/* Unrelated library types: present in the full BTF, absent from the blob. */
struct corpus_unrelated_cfg { char name[32]; long limits[8]; struct corpus_unrelated_cfg *next; };
struct corpus_unrelated_stats { unsigned long rx, tx, drops; double ratio; };
struct corpus_unrelated_cfg corpus_cfg_global;
struct corpus_unrelated_stats corpus_stats_global;

#include "common_main.h"

static void fill_release(struct corpus_state *s)
{
	s->big = -5;
	s->legacy = 314;
	s->state = 21;
}
