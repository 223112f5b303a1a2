/* Shared driver for the corpus "library releases" (included by lib_v*.c,
 * after the release has defined its own types).  Fills a corpus_state with
 * known values, prints the ground truth as one JSON object (values, and
 * layout facts from offsetof/sizeof), then calls corpus_probe(), where the
 * uprobe of bpf/corpus.bpf.c reads the same facts through CO-RE.
 *
 * Each release defines: CORPUS_RELEASE, HAS_TURBO/TURBO_VALUE, HAS_LEGACY,
 * HAS_EXTRA, HAS_TAG, STATE_FIELD (state or state_v3), PT_MATCHES,
 * MODE_MATCHES, and fill_release(s) for release-specific fields. */
#include <stdio.h>
#include <stddef.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>

#define IS_SIGNED(lv) ((__typeof__(lv))-1 < 0)

/* Library state the probe never looks at (FILE pulls in libc's _IO_FILE
 * and friends): in the full BTF, not in a blob. */
FILE *corpus_log;
struct stat corpus_st;
struct sigaction corpus_sa;
struct tm corpus_tm;

static struct corpus_bits the_bits;
static struct corpus_state the_state;

__attribute__((noinline, used)) int corpus_probe(struct corpus_state *s)
{
	/* Something the compiler cannot drop. */
	return s->version + (int)s->count;
}

static void fill_common(struct corpus_state *s)
{
	int i;

	s->version = CORPUS_RELEASE;
	s->count = 42;
	s->temp = -7;
	s->flag_a = 1;
	s->prio = 9;
	s->delta = -13;
	the_bits.ready = 1;
	the_bits.level = -3;
	the_bits.kind = 5;
	s->bits = &the_bits;
	s->as_int = 0x11223344;
	s->lo = -2;
	s->hi = 1234;
	s->val.i = 77;
	for (i = 0; i < 3; i++) {
		s->inner.items[i].key = 1000 + i;
		s->inner.items[i].d = 10 + i;
	}
	s->inner.n = 3;
	s->inner.grid[1][2] = 612;
	s->pt.x = 5;
	s->pt.y = 6;
	s->opaque = (struct corpus_opaque *)0x5eed0000UL;
	s->mode = CORPUS_MODE_ON;
	s->cfg.limit = 4096;
}

static void fill_release(struct corpus_state *s);

int main(void)
{
	struct corpus_state *s = &the_state;

	corpus_log = stderr;
	memset(s, 0, sizeof(*s));
	fill_common(s);
	fill_release(s);

	printf("{\"release\":%d", CORPUS_RELEASE);
	printf(",\"hits\":1");
	printf(",\"version\":%d,\"off_version\":%zu", s->version, offsetof(struct corpus_state, version));
	printf(",\"count\":%lld,\"sz_count\":%zu,\"tsz_count_t\":%zu",
	       (long long)s->count, sizeof(s->count), sizeof(corpus_count_t));
	printf(",\"big\":%lld,\"sz_big\":%zu,\"off_big\":%zu", (long long)s->big, sizeof(s->big),
	       offsetof(struct corpus_state, big));
	printf(",\"temp\":%lld,\"signed_temp\":%d,\"sz_temp\":%zu", (long long)s->temp,
	       IS_SIGNED(s->temp), sizeof(s->temp));
	printf(",\"flag_a\":%lld,\"prio\":%lld,\"delta\":%lld", (long long)s->flag_a,
	       (long long)s->prio, (long long)s->delta);
	printf(",\"bits_ready\":%lld,\"bits_level\":%lld,\"bits_kind\":%lld",
	       (long long)the_bits.ready, (long long)the_bits.level, (long long)the_bits.kind);
	printf(",\"as_int\":%d,\"lo\":%d,\"hi\":%d,\"off_hi\":%zu", s->as_int, s->lo, s->hi,
	       offsetof(struct corpus_state, hi));
	printf(",\"val_i\":%d,\"off_val\":%zu", s->val.i, offsetof(struct corpus_state, val));
	printf(",\"d2\":%lld,\"off_d2\":%zu,\"sz_d2\":%zu,\"key1\":%lld,\"grid12\":%d,\"off_grid12\":%zu",
	       (long long)s->inner.items[2].d, offsetof(struct corpus_state, inner.items[2].d),
	       sizeof(s->inner.items[2].d), (long long)s->inner.items[1].key, s->inner.grid[1][2],
	       offsetof(struct corpus_state, inner.grid[1][2]));
#if HAS_TAG
	printf(",\"has_tag\":1,\"tag2\":%d", s->inner.items[2].tag);
#else
	printf(",\"has_tag\":0,\"tag2\":-1");
#endif
	printf(",\"cfg_limit\":%ld,\"off_cfg_limit\":%zu,\"tsz_cfg_t\":%zu", s->cfg.limit,
	       offsetof(corpus_cfg_t, limit), sizeof(corpus_cfg_t));
	printf(",\"opaque\":%lu", (unsigned long)s->opaque);
	printf(",\"mode\":%d,\"enum_on\":%d", (int)s->mode, (int)CORPUS_MODE_ON);
#if HAS_TURBO
	printf(",\"has_turbo\":1,\"enum_turbo\":%d", (int)CORPUS_MODE_TURBO);
#else
	printf(",\"has_turbo\":0,\"enum_turbo\":-1");
#endif
#if HAS_LEGACY
	printf(",\"has_legacy\":1,\"legacy\":%d", s->legacy);
#else
	printf(",\"has_legacy\":0,\"legacy\":-1");
#endif
	printf(",\"state_flavour\":%d,\"state\":%lld", STATE_FLAVOUR, (long long)s->STATE_FIELD);
#if HAS_EXTRA
	printf(",\"has_extra\":1,\"tsz_extra\":%zu", sizeof(struct corpus_extra));
#else
	printf(",\"has_extra\":0,\"tsz_extra\":0");
#endif
	printf(",\"tsz_state\":%zu,\"has_val_union\":1", sizeof(struct corpus_state));
	printf(",\"pt_matches\":%d,\"mode_matches\":%d", PT_MATCHES, MODE_MATCHES);
	printf("}\n");
	fflush(stdout);
	return corpus_probe(s) == CORPUS_RELEASE + 42 ? 0 : 1;
}
