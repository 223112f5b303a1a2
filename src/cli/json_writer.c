/* Streaming JSON writer (json_writer.h).  Written for ucorebtf after the
 * approach of bpftool's json_writer.c: separators and indentation are the
 * writer's business, never the caller's. */
#include <inttypes.h>
#include <stdlib.h>
#include "cli/json_writer.h"

struct json_writer {
	FILE *f;
	int depth;
	bool pretty;
	bool first;		/* nothing written yet at this depth */
	bool after_name;	/* the next value follows "name": */
};

json_writer_t *jsonw_new(FILE *f)
{
	json_writer_t *w = calloc(1, sizeof(*w));

	if (w) {
		w->f = f;
		w->first = true;
	}
	return w;
}

void jsonw_destroy(json_writer_t **self_p)
{
	json_writer_t *w = *self_p;

	if (!w)
		return;
	if (!w->first)		/* a document was written: end its line */
		putc('\n', w->f);
	fflush(w->f);
	free(w);
	*self_p = NULL;
}

void jsonw_pretty(json_writer_t *self, bool on)
{
	self->pretty = on;
}

static void newline(json_writer_t *w)
{
	int i;

	if (!w->pretty)
		return;
	putc('\n', w->f);
	for (i = 0; i < w->depth; i++)
		fputs("    ", w->f);
}

/* Before any value or name: the comma and, in pretty mode, the line. */
static void item(json_writer_t *w)
{
	if (w->after_name) {
		w->after_name = false;
		return;
	}
	if (w->depth) {
		if (!w->first)
			putc(',', w->f);
		newline(w);
	} else if (!w->first) {	/* another document: on its own line */
		putc('\n', w->f);
	}
	w->first = false;
}

static void begin(json_writer_t *w, int c)
{
	item(w);
	putc(c, w->f);
	w->depth++;
	w->first = true;
}

static void end(json_writer_t *w, int c)
{
	w->depth--;
	if (!w->first)
		newline(w);
	putc(c, w->f);
	w->first = false;
}

void jsonw_start_object(json_writer_t *self) { begin(self, '{'); }
void jsonw_end_object(json_writer_t *self) { end(self, '}'); }
void jsonw_start_array(json_writer_t *self) { begin(self, '['); }
void jsonw_end_array(json_writer_t *self) { end(self, ']'); }

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF), 0 if s does not start one.
 * Stops at the terminating NUL, which is never a continuation byte. */
static int utf8_len(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
		return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
		return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 &&
		       (s[3] & 0xc0) == 0x80 ? 4 : 0;
	}
	return 0;
}

static void put_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	int n;

	putc('"', f);
	while (*s) {
		if (*s == '"' || *s == '\\') {
			putc('\\', f);
			putc(*s++, f);
		} else if (*s == '\n') {
			fputs("\\n", f);
			s++;
		} else if (*s < 0x20 || *s == 0x7f) {
			fprintf(f, "\\u%04x", *s++);
		} else if ((n = utf8_len(s))) {
			fwrite(s, 1, n, f);
			s += n;
		} else {	/* not UTF-8: the replacement character */
			fputs("\\ufffd", f);
			s++;
		}
	}
	putc('"', f);
}

void jsonw_name(json_writer_t *self, const char *name)
{
	item(self);
	put_string(self->f, name);
	putc(':', self->f);
	if (self->pretty)
		putc(' ', self->f);
	self->after_name = true;
}

void jsonw_string(json_writer_t *self, const char *value)
{
	if (!value) {
		jsonw_null(self);
		return;
	}
	item(self);
	put_string(self->f, value);
}

void jsonw_uint(json_writer_t *self, uint64_t value)
{
	item(self);
	fprintf(self->f, "%" PRIu64, value);
}

void jsonw_int(json_writer_t *self, int64_t value)
{
	item(self);
	fprintf(self->f, "%" PRId64, value);
}

void jsonw_bool(json_writer_t *self, bool value)
{
	item(self);
	fputs(value ? "true" : "false", self->f);
}

void jsonw_null(json_writer_t *self)
{
	item(self);
	fputs("null", self->f);
}

void jsonw_string_field(json_writer_t *self, const char *name, const char *value)
{
	jsonw_name(self, name);
	jsonw_string(self, value);
}

void jsonw_uint_field(json_writer_t *self, const char *name, uint64_t value)
{
	jsonw_name(self, name);
	jsonw_uint(self, value);
}

void jsonw_int_field(json_writer_t *self, const char *name, int64_t value)
{
	jsonw_name(self, name);
	jsonw_int(self, value);
}

void jsonw_bool_field(json_writer_t *self, const char *name, bool value)
{
	jsonw_name(self, name);
	jsonw_bool(self, value);
}

void jsonw_null_field(json_writer_t *self, const char *name)
{
	jsonw_name(self, name);
	jsonw_null(self);
}

void jsonw_string_array(json_writer_t *self, const char *const *values, int n)
{
	int i;

	jsonw_start_array(self);
	for (i = 0; i < n; i++)
		jsonw_string(self, values[i]);
	jsonw_end_array(self);
}
