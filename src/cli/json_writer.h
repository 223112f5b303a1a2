/* A streaming JSON writer in the manner of bpftool's json_writer: the
 * caller states the structure (objects, arrays, names, values) and the
 * writer places separators, escapes every string and indents in pretty
 * mode.  Compact output has no whitespace at all, so a document is
 * byte-for-byte the same on every run.
 *
 * Strings are byte strings (file names, library names from metadata):
 * valid UTF-8 is passed through, quote, backslash, bytes below 0x20 and
 * 0x7f are escaped, and a byte that is not part of valid UTF-8 is written
 * as \ufffd, so the output is valid JSON whatever the input. */
#ifndef UCOREBTF_JSON_WRITER_H
#define UCOREBTF_JSON_WRITER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct json_writer json_writer_t;

/* A writer onto f (not closed by the writer).  NULL when out of memory. */
json_writer_t *jsonw_new(FILE *f);
/* Ends the last document with a newline (if any was written), flushes,
 * frees *self_p and sets it NULL.  Documents written one after the other
 * at the top level stand on lines of their own. */
void jsonw_destroy(json_writer_t **self_p);
/* Indented output (four spaces a level, "name": value); off by default. */
void jsonw_pretty(json_writer_t *self, bool on);

void jsonw_start_object(json_writer_t *self);
void jsonw_end_object(json_writer_t *self);
void jsonw_start_array(json_writer_t *self);
void jsonw_end_array(json_writer_t *self);

/* The name of the next value, inside an object. */
void jsonw_name(json_writer_t *self, const char *name);

/* Values.  jsonw_string(NULL) writes null. */
void jsonw_string(json_writer_t *self, const char *value);
void jsonw_uint(json_writer_t *self, uint64_t value);
void jsonw_int(json_writer_t *self, int64_t value);
void jsonw_bool(json_writer_t *self, bool value);
void jsonw_null(json_writer_t *self);

/* name and value in one call. */
void jsonw_string_field(json_writer_t *self, const char *name, const char *value);
void jsonw_uint_field(json_writer_t *self, const char *name, uint64_t value);
void jsonw_int_field(json_writer_t *self, const char *name, int64_t value);
void jsonw_bool_field(json_writer_t *self, const char *name, bool value);
void jsonw_null_field(json_writer_t *self, const char *name);

/* An array of strings: [] for n == 0. */
void jsonw_string_array(json_writer_t *self, const char *const *values, int n);

#endif
