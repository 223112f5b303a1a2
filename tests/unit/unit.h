/* Shared by the table tests of tests/unit/ (each .c is its own program):
 * PASS:/FAIL: lines for tests/run.sh, and the calls whose signatures the
 * error convention changes (docs/conventions.md). */
#ifndef UCOREBTF_TESTS_UNIT_H
#define UCOREBTF_TESTS_UNIT_H

#include <stdio.h>
#include <string.h>
#include "lib/bundle.h"
#include "lib/errmsg.h"
#include "lib/index.h"
#include "lib/target.h"

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

/*
 * The parsers lose their `char *err, size_t err_sz` out-buffers for
 * ucb_errf()/ucb_errmsg() (docs/conventions.md).  Until every branch has
 * the new forms, _Generic picks the call by the function's own type, so
 * these tests build on either side of that change.  Delete this shim once
 * only the new forms exist: call ucb_index_parse(t, l, i) etc. directly and
 * read ucb_errmsg().
 */
static char unit_err[512];
static int unit_old_form;

typedef int index_new_t(const char *, size_t, struct ucb_index *);
typedef int index_old_t(const char *, size_t, struct ucb_index *, char *, size_t);
typedef int needs_new_t(const char *, size_t, struct ucb_needs *);
typedef int needs_old_t(const char *, size_t, struct ucb_needs *, char *, size_t);
typedef int bundle_new_t(const void *, size_t, const struct ucb_limits *, struct ucb_bundle *);
typedef int bundle_old_t(const void *, size_t, const struct ucb_limits *, struct ucb_bundle *, char *, size_t);
typedef int target_new_t(const char *, struct ucb_target *);
typedef int target_old_t(const char *, struct ucb_target *, char *, size_t);

static inline int index_new(index_new_t *f, const char *t, size_t l, struct ucb_index *i)
{ unit_old_form = 0; return f(t, l, i); }
static inline int index_old(index_old_t *f, const char *t, size_t l, struct ucb_index *i)
{ unit_old_form = 1; return f(t, l, i, unit_err, sizeof(unit_err)); }
static inline int needs_new(needs_new_t *f, const char *t, size_t l, struct ucb_needs *n)
{ unit_old_form = 0; return f(t, l, n); }
static inline int needs_old(needs_old_t *f, const char *t, size_t l, struct ucb_needs *n)
{ unit_old_form = 1; return f(t, l, n, unit_err, sizeof(unit_err)); }
static inline int bundle_new(bundle_new_t *f, const void *d, size_t s, const struct ucb_limits *lim,
			     struct ucb_bundle *b)
{ unit_old_form = 0; return f(d, s, lim, b); }
static inline int bundle_old(bundle_old_t *f, const void *d, size_t s, const struct ucb_limits *lim,
			     struct ucb_bundle *b)
{ unit_old_form = 1; return f(d, s, lim, b, unit_err, sizeof(unit_err)); }
static inline int target_new(target_new_t *f, const char *p, struct ucb_target *t)
{ unit_old_form = 0; return f(p, t); }
static inline int target_old(target_old_t *f, const char *p, struct ucb_target *t)
{ unit_old_form = 1; return f(p, t, unit_err, sizeof(unit_err)); }

#define INDEX_PARSE(t, l, i) \
	_Generic(&ucb_index_parse, index_new_t *: index_new, default: index_old)(ucb_index_parse, t, l, i)
#define NEEDS_PARSE(t, l, n) \
	_Generic(&ucb_needs_parse, needs_new_t *: needs_new, default: needs_old)(ucb_needs_parse, t, l, n)
#define BUNDLE_PARSE(d, s, lim, b) \
	_Generic(&ucb_bundle_parse, bundle_new_t *: bundle_new, default: bundle_old)(ucb_bundle_parse, d, s, lim, b)
#define TARGET_READ(p, t) \
	_Generic(&ucb_target_read, target_new_t *: target_new, default: target_old)(ucb_target_read, p, t)

/* The message of the last failed call above. */
#define UNIT_ERRMSG() (unit_old_form ? (const char *)unit_err : ucb_errmsg())

#endif
