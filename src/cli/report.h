/* report's model (report.c) and its renderings (report_fmt.c). */
#ifndef UCOREBTF_CLI_REPORT_H
#define UCOREBTF_CLI_REPORT_H

#include <stdbool.h>
#include "tool/guard.h"
#include "tool/session.h"

enum report_fmt { FMT_TEXT, FMT_MD, FMT_JSON, FMT_HTML };

enum cell_state { CELL_OK, CELL_MISSING };

/* What a row's relocations decide, and so what its cells show. */
enum row_class {
	ROW_FIELD,	/* a field: offset/size */
	ROW_TYPE,	/* a type: its size (type_size), the type (target_type_id), or yes */
	ROW_ENUMVAL,	/* an enumerator: its value (enumval_value), or yes */
};

struct cell {
	int state;
	long long off, size;	/* -1: unknown */
	char value[128];	/* enumval_value's value, target_type_id's type; "" if none */
	bool required;		/* missing and not guarded */
	bool changed;		/* differs from the previous release */
	char text[160];		/* as shown; compared to mark changes */
};

/* One row: the relocations of one program on one access path. */
struct row {
	int obj;
	char *prog;
	char *path;		/* "lua_State.nCcalls", "StackValue", "E::VAL" */
	char kinds[160];	/* "byte_off,byte_sz" */
	int *relos;
	int n;
	bool guarded;		/* an existence check covers it */
	bool exist_only;	/* only existence relocations */
	enum row_class cls;
	struct cell *cells;	/* one per release */
};

/* Columns are the session's releases, one library each, in version order. */
struct report {
	struct session s;
	struct guard g;		/* the rule gen min --strict shares */
	int *required;		/* per release: required relocations that fail */
	struct row *rows;
	int nrows;
	int required_rels;	/* releases with required failures */
};

/* The library of release ri (its one library). */
static inline const struct session_lib *report_lib(const struct report *r, int ri)
{
	return &r->s.libs[r->s.rels[ri].libs[0]];
}

/* Write the report in fmt to out, or to stdout if out is NULL.  Prints any
 * error; returns 0 or -errno. */
int report_emit(const struct report *r, enum report_fmt fmt, const char *out);

#endif
