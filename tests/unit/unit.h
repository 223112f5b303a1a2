/* Shared by the table tests of tests/unit/ (each .c is its own program):
 * PASS:/FAIL: lines for tests/run.sh. */
#ifndef UCOREBTF_TESTS_UNIT_H
#define UCOREBTF_TESTS_UNIT_H

#include <stdio.h>
#include <string.h>
#include "lib/errmsg.h"

static int failures;

#define EXPECT(name, cond) do {						\
	if (cond) printf("PASS: unit: %s\n", name);			\
	else { printf("FAIL: unit: %s (%s:%d)\n", name, __FILE__, __LINE__); failures++; } \
} while (0)

/* EXPECT with a printf-style name. */
#define EXPECTF(cond, ...) do {						\
	char name_[1024];						\
	snprintf(name_, sizeof(name_), __VA_ARGS__);			\
	EXPECT(name_, cond);						\
} while (0)

#endif
