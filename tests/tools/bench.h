/* What the bench_*.c timers share: a monotonic clock in milliseconds and
 * the comparison that sorts samples for their median. */
#ifndef UCOREBTF_TESTS_BENCH_H
#define UCOREBTF_TESTS_BENCH_H

#include <time.h>

static inline double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static inline int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

#endif
