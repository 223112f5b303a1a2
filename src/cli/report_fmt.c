/* report's renderings: a text or Markdown table, JSON, and a standalone
 * HTML page, all from the model report.c computes (cli/report.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/common.h"
#include "cli/report.h"
#include "minimize.h"

/* The legend of every rendering. */
#define CELLS "fields: offset/size in bytes; enumerators: value N; types: size N, the type, or yes"

static const char *cell_class(const struct cell *c)
{
	if (c->required)
		return "required";
	if (c->state == CELL_MISSING)
		return c->changed ? "missing changed" : "missing";
	return c->changed ? "changed" : "ok";
}

static void html_esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

static void emit_text(const struct report *r, FILE *f, bool md)
{
	int w = 10, kw = 5, cw = 8, k, ri;

	for (k = 0; k < r->nrows; k++) {
		int len = strlen(r->rows[k].prog) + 1 + strlen(r->rows[k].path);

		if (len > w)
			w = len;
		if ((int)strlen(r->rows[k].kinds) > kw)
			kw = strlen(r->rows[k].kinds);
		for (ri = 0; ri < r->s.nrels; ri++)
			if ((int)strlen(r->rows[k].cells[ri].text) + 1 > cw)
				cw = strlen(r->rows[k].cells[ri].text) + 1;
	}
	for (ri = 0; ri < r->s.nrels; ri++)
		if ((int)strlen(r->s.rels[ri].label) > cw)
			cw = strlen(r->s.rels[ri].label);
	if (md) {
		fprintf(f, "| relocation | kinds | guarded |");
		for (ri = 0; ri < r->s.nrels; ri++)
			fprintf(f, " %s%s |", r->s.rels[ri].label, r->required[ri] ? " ⚠" : "");
		fprintf(f, "\n|---|---|---|");
		for (ri = 0; ri < r->s.nrels; ri++)
			fprintf(f, "---:|");
		fputc('\n', f);
	} else {
		fprintf(f, "%-*s  %-*s  %-7s", w, "RELOCATION", kw, "KINDS", "GUARDED");
		for (ri = 0; ri < r->s.nrels; ri++)
			fprintf(f, "  %*s", cw, r->s.rels[ri].label);
		fputc('\n', f);
	}
	for (k = 0; k < r->nrows; k++) {
		const struct row *row = &r->rows[k];
		char name[512];

		snprintf(name, sizeof(name), "%s %s", row->prog, row->path);
		if (md)
			fprintf(f, "| `%s` | %s | %s |", name, row->kinds, row->guarded ? "yes" : "");
		else
			fprintf(f, "%-*s  %-*s  %-7s", w, name, kw, row->kinds, row->guarded ? "yes" : "-");
		for (ri = 0; ri < r->s.nrels; ri++) {
			const struct cell *c = &row->cells[ri];
			char t[sizeof(c->text) + 16];

			if (md) {
				snprintf(t, sizeof(t), c->required ? "**%s (required)**" :
					 c->changed ? "**%s**" : "%s", c->text);
				fprintf(f, " %s |", t);
			} else {
				snprintf(t, sizeof(t), "%s%s", c->text,
					 c->required ? "!" : c->changed ? "*" : "");
				fprintf(f, "  %*s", cw, t);
			}
		}
		fputc('\n', f);
	}
	if (md)
		fprintf(f, "\nCells: " CELLS "; **bold**: changed from the previous release.\n");
	else
		fprintf(f, "\ncells: " CELLS "; *: changed from the previous release; !: required relocation fails\n");
	for (ri = 0; ri < r->s.nrels; ri++)
		if (r->required[ri])
			fprintf(f, "%s%s: %d required relocation%s fail%s\n", md ? "- " : "",
				r->s.rels[ri].label, r->required[ri],
				r->required[ri] > 1 ? "s" : "", r->required[ri] > 1 ? "" : "s");
	if (!r->required_rels)
		fprintf(f, "%sall %d release%s resolve every required relocation\n", md ? "\n" : "",
			r->s.nrels, r->s.nrels > 1 ? "s" : "");
}

/* Offset or size: a number, null when unknown. */
static void json_num(json_writer_t *w, const char *name, long long v)
{
	if (v < 0)
		jsonw_null_field(w, name);
	else
		jsonw_int_field(w, name, v);
}

static const char *class_str(enum row_class cls)
{
	return cls == ROW_ENUMVAL ? "enumval" : cls == ROW_TYPE ? "type" : "field";
}

static void emit_row_json(json_writer_t *w, const struct report *r, const struct row *row)
{
	int ri;

	jsonw_start_object(w);
	jsonw_string_field(w, "object", um_obj_path(r->s.e, row->obj));
	jsonw_string_field(w, "program", row->prog);
	jsonw_string_field(w, "path", row->path);
	jsonw_string_field(w, "kinds", row->kinds);
	jsonw_string_field(w, "class", class_str(row->cls));
	jsonw_int_field(w, "relocations", row->n);
	jsonw_bool_field(w, "guarded", row->guarded);
	jsonw_name(w, "cells");
	jsonw_start_array(w);
	for (ri = 0; ri < r->s.nrels; ri++) {
		const struct cell *c = &row->cells[ri];

		jsonw_start_object(w);
		jsonw_string_field(w, "state", c->state == CELL_OK ? "ok" : "missing");
		json_num(w, "offset", c->off);
		json_num(w, "size", c->size);
		if (c->value[0])
			json_value_field(w, "value", c->value);
		else
			jsonw_null_field(w, "value");
		jsonw_string_field(w, "text", c->text);
		jsonw_bool_field(w, "changed", c->changed);
		jsonw_bool_field(w, "required", c->required);
		jsonw_end_object(w);
	}
	jsonw_end_array(w);
	jsonw_end_object(w);
}

static void emit_json(const struct report *r, json_writer_t *w)
{
	int k, ri, oi;

	jsonw_start_object(w);
	jsonw_name(w, "objects");
	jsonw_start_array(w);
	for (oi = 0; oi < um_obj_cnt(r->s.e); oi++)
		jsonw_string(w, um_obj_path(r->s.e, oi));
	jsonw_end_array(w);
	jsonw_name(w, "releases");
	jsonw_start_array(w);
	for (ri = 0; ri < r->s.nrels; ri++) {
		const struct session_lib *l = report_lib(r, ri);

		jsonw_start_object(w);
		jsonw_string_field(w, "label", r->s.rels[ri].label);
		jsonw_string_field(w, "library", l->meta.library);
		jsonw_string_field(w, "version", l->meta.version);
		jsonw_string_field(w, "path", l->path);
		jsonw_int_field(w, "required_failures", r->required[ri]);
		jsonw_end_object(w);
	}
	jsonw_end_array(w);
	jsonw_name(w, "rows");
	jsonw_start_array(w);
	for (k = 0; k < r->nrows; k++)
		emit_row_json(w, r, &r->rows[k]);
	jsonw_end_array(w);
	jsonw_int_field(w, "required_failures", r->required_rels);
	jsonw_end_object(w);
}

/* JSON onto f: through json_wtr for stdout under -j, else a writer of its
 * own (a file, or -f json without -j). */
static int emit_json_to(const struct report *r, FILE *f)
{
	json_writer_t *w;

	if (f == stdout && json_wtr) {
		emit_json(r, json_wtr);
		return 0;
	}
	w = json_new(f);
	if (!w)
		return -ENOMEM;
	emit_json(r, w);
	jsonw_destroy(&w);
	return 0;
}

static void emit_html(const struct report *r, FILE *f)
{
	int k, ri, oi;

	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<title>ucorebtf compatibility report</title>\n<style>\n"
	      "body{font-family:sans-serif;margin:1.5em;color:#222}\n"
	      "table{border-collapse:collapse;font-size:13px}\n"
	      "th,td{border:1px solid #ccc;padding:3px 7px}\n"
	      "td.num{text-align:right;font-family:monospace}\n"
	      "td.name{font-family:monospace;white-space:nowrap}\n"
	      "th.bad{background:#f4b6b6}\n"
	      "td.changed{background:#fff2b3;font-weight:bold}\n"
	      "td.missing{color:#888;background:#f3f3f3}\n"
	      "td.missing.changed{background:#fff2b3;color:#555}\n"
	      "td.required{background:#f4b6b6;font-weight:bold}\n"
	      ".legend span{padding:1px 6px;margin-right:8px;border:1px solid #ccc}\n"
	      "</style></head><body>\n<h1>Compatibility report</h1>\n<p>Objects:", f);
	/* Base names: the page is the same wherever the objects were built. */
	for (oi = 0; oi < um_obj_cnt(r->s.e); oi++) {
		const char *path = um_obj_path(r->s.e, oi), *slash = strrchr(path, '/');

		fputs(" <code>", f);
		html_esc(f, slash ? slash + 1 : path);
		fputs("</code>", f);
	}
	fprintf(f, "; %d releases, %d relocation rows.</p>\n<p class=\"legend\">"
		"<span class=\"changed\" style=\"background:#fff2b3\">changed from previous release</span>"
		"<span style=\"background:#f3f3f3\">missing (guarded)</span>"
		"<span style=\"background:#f4b6b6\">required relocation fails</span>"
		"cells: " CELLS "</p>\n", r->s.nrels, r->nrows);
	fputs("<table id=\"matrix\">\n<thead><tr><th>program</th><th>relocation</th><th>kinds</th><th>guarded</th>", f);
	for (ri = 0; ri < r->s.nrels; ri++) {
		fprintf(f, "<th class=\"release%s\" title=\"", r->required[ri] ? " bad" : "");
		html_esc(f, report_lib(r, ri)->path);
		fputs("\">", f);
		html_esc(f, r->s.rels[ri].label);
		fputs("</th>", f);
	}
	fputs("</tr></thead>\n<tbody>\n", f);
	for (k = 0; k < r->nrows; k++) {
		const struct row *row = &r->rows[k];

		fputs("<tr><td class=\"name\">", f);
		html_esc(f, row->prog);
		fputs("</td><td class=\"name\">", f);
		html_esc(f, row->path);
		fputs("</td><td>", f);
		html_esc(f, row->kinds);
		fprintf(f, "</td><td>%s</td>", row->guarded ? "yes" : "");
		for (ri = 0; ri < r->s.nrels; ri++) {
			fprintf(f, "<td class=\"num %s\">", cell_class(&row->cells[ri]));
			html_esc(f, row->cells[ri].text);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table>\n<ul id=\"summary\">\n", f);
	for (ri = 0; ri < r->s.nrels; ri++)
		if (r->required[ri]) {
			fputs("<li class=\"bad\">", f);
			html_esc(f, r->s.rels[ri].label);
			fprintf(f, ": %d required relocation(s) fail</li>\n", r->required[ri]);
		}
	if (!r->required_rels)
		fprintf(f, "<li>all %d releases resolve every required relocation</li>\n", r->s.nrels);
	fputs("</ul>\n</body></html>\n", f);
}

int report_emit(const struct report *r, enum report_fmt fmt, const char *out)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = out ? open_memstream(&buf, &len) : stdout;
	int err = 0;

	if (!f) {
		p_err("out of memory");
		return -ENOMEM;
	}
	switch (fmt) {
	case FMT_TEXT: emit_text(r, f, false); break;
	case FMT_MD: emit_text(r, f, true); break;
	case FMT_JSON: err = emit_json_to(r, f); break;	/* prints its error */
	case FMT_HTML: emit_html(r, f); break;
	}
	if (out) {
		fclose(f);
		if (!err) {
			err = ucb_write_file_atomic(out, buf, len);
			if (err)
				p_err("%s: cannot write output: %s", out, strerror(-err));
		}
		free(buf);
	}
	return err;
}
