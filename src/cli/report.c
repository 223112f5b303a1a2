/* report: a compatibility matrix of BPF objects' CO-RE relocations against
 * library releases.  Rows are the relocations, named by program and
 * type.field.path; columns are releases in version order; each cell is the
 * resolved offset and size, or "missing".  Decisions come from the gen min
 * engine (bpftool-ext/minimize.h), i.e. from libbpf's own relo_core.
 *
 * A failed relocation is "guarded" when the same program also has an
 * existence check (field_exists, type_exists, type_matches, enumval_exists)
 * on the same path or a prefix of it: a CO-RE program that branches on that
 * check never reaches the poisoned instruction.  Any other failure is
 * "required": libbpf would poison an instruction the program does execute,
 * and loading fails.  This is the static rule a probe author follows
 * (bpf/lua.bpf.c puts every access that can fail under its own check);
 * the verifier has the final word.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <bpf/btf.h>
#include "lib/names.h"
#include "cli/common.h"
#include "cli/cmds.h"
#include "tool/archive.h"
#include "tool/btf_io.h"
#include "minimize.h"


enum fmt { FMT_TEXT, FMT_MD, FMT_JSON, FMT_HTML };

struct release {
	char *path;
	char label[160];
	struct btf_meta meta;
	struct btf *btf;
	struct um_release *rel;
	int required;		/* required relocations that fail */
};

enum cell_state { CELL_OK, CELL_MISSING };

struct cell {
	int state;
	long long off, size;	/* -1: unknown */
	bool required;		/* missing and not guarded */
	bool changed;		/* differs from the previous release */
	char text[48];
};

struct row {
	int obj;
	char *prog;
	char *path;		/* "lua_State.nCcalls", "StackValue", "E::VAL" */
	char kinds[160];	/* "byte_off,byte_sz" */
	int *relos;
	int n;
	bool guarded;		/* an existence check covers it */
	bool exist_only;	/* only existence relocations */
	bool type_row;		/* type-based relocations */
	struct cell *cells;
};

struct report {
	struct um_engine *e;
	struct btf *kbtf;
	struct release *rels;
	int nrel;
	struct row *rows;
	int nrows;
	int required;		/* releases with required failures */
};

static bool is_exist_kind(const char *k)
{
	return !strcmp(k, "field_exists") || !strcmp(k, "type_exists") ||
	       !strcmp(k, "type_matches") || !strcmp(k, "enumval_exists");
}

static bool is_type_kind(const char *k)
{
	return !strncmp(k, "type_", 5) || strstr(k, "type_id");
}

/* "prog:insn path" -> prog, path */
static void split_name(const char *name, char **prog, char **path)
{
	const char *colon = strchr(name, ':'), *sp = strchr(name, ' ');

	*prog = strndup(name, colon ? (size_t)(colon - name) : 0);
	*path = strdup(sp ? sp + 1 : name);
}

/* Is GUARD the same access path as PATH or a prefix of it? */
static bool path_covers(const char *guard, const char *path)
{
	size_t n = strlen(guard);

	return !strncmp(guard, path, n) &&
	       (path[n] == 0 || path[n] == '.' || path[n] == '[' || path[n] == ':');
}

static int add_row(struct report *r, int obj, char *prog, char *path)
{
	struct row *rows = realloc(r->rows, (r->nrows + 1) * sizeof(*rows));

	if (!rows)
		return -ENOMEM;
	r->rows = rows;
	memset(&rows[r->nrows], 0, sizeof(*rows));
	rows[r->nrows].obj = obj;
	rows[r->nrows].prog = prog;
	rows[r->nrows].path = path;
	rows[r->nrows].exist_only = true;
	return r->nrows++;
}

/* Group relocations by (object, program, path), in object order. */
static int make_rows(struct report *r)
{
	int oi, i, k;

	for (oi = 0; oi < um_obj_cnt(r->e); oi++)
		for (i = 0; i < um_relo_cnt(r->e, oi); i++) {
			const struct um_decision *d = um_decision_get(r->rels[0].rel, oi, i);
			const char *kind = um_relo_kind(r->e, oi, i);
			char *prog, *path;
			struct row *row;
			int *relos;

			if (d->side != UM_APP)
				continue;
			split_name(um_relo_name(r->e, oi, i), &prog, &path);
			if (!prog || !path)
				return -ENOMEM;
			for (k = 0; k < r->nrows; k++)
				if (r->rows[k].obj == oi && !strcmp(r->rows[k].prog, prog) &&
				    !strcmp(r->rows[k].path, path))
					break;
			if (k == r->nrows) {
				k = add_row(r, oi, prog, path);
				if (k < 0)
					return k;
			} else {
				free(prog);
				free(path);
			}
			row = &r->rows[k];
			relos = realloc(row->relos, (row->n + 1) * sizeof(int));
			if (!relos)
				return -ENOMEM;
			row->relos = relos;
			row->relos[row->n++] = i;
			if (!is_exist_kind(kind))
				row->exist_only = false;
			if (is_type_kind(kind))
				row->type_row = true;
			if (!strstr(row->kinds, kind) &&
			    strlen(row->kinds) + strlen(kind) + 2 < sizeof(row->kinds)) {
				if (row->kinds[0])
					strcat(row->kinds, ",");
				strcat(row->kinds, kind);
			}
		}
	/* Guards: an existence check on the same path or a prefix, same program. */
	for (k = 0; k < r->nrows; k++) {
		struct row *row = &r->rows[k];
		int j, m;

		for (j = 0; j < r->nrows && !row->guarded; j++) {
			struct row *g = &r->rows[j];

			if (g->obj != row->obj || strcmp(g->prog, row->prog) ||
			    !path_covers(g->path, row->path))
				continue;
			for (m = 0; m < g->n; m++)
				if (is_exist_kind(um_relo_kind(r->e, g->obj, g->relos[m])))
					row->guarded = true;
		}
	}
	return 0;
}

/* Member NAME of composite ID, searching anonymous members too.  Adds its
 * bit offset to *bits; returns its type id or 0. */
static __u32 find_member(const struct btf *btf, __u32 id, const char *name, long long *bits)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const struct btf_member *m;
	int i;

	if (!t || !btf_is_composite(t))
		return 0;
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++) {
		const char *mn = btf__name_by_offset(btf, m->name_off);

		if (mn && mn[0] && !strcmp(mn, name)) {
			*bits += btf_member_bit_offset(t, i);
			return m->type;
		}
		if (!mn || !mn[0]) {
			long long sub = btf_member_bit_offset(t, i);
			__u32 r = find_member(btf, btf__resolve_type(btf, m->type), name, &sub);

			if (r) {
				*bits += sub;
				return r;
			}
		}
	}
	return 0;
}

/* Walk PATH ("T.a.b[2].c") in the target BTF from root type TARGET
 * ("struct T"): offset and size of the field, or of the type itself. */
static int walk_path(const struct btf *btf, const char *target, const char *path,
		     long long *off, long long *size)
{
	const char *sp = strchr(target, ' '), *p;
	char kind[16] = "", name[128], comp[128];
	long long bits = 0;
	int id, k;
	size_t n;

	if (!sp || (size_t)(sp - target) >= sizeof(kind))
		return -EINVAL;
	memcpy(kind, target, sp - target);
	snprintf(name, sizeof(name), "%s", sp + 1);
	k = !strcmp(kind, "struct") ? BTF_KIND_STRUCT : !strcmp(kind, "union") ? BTF_KIND_UNION :
	    !strcmp(kind, "enum") ? BTF_KIND_ENUM : !strcmp(kind, "typedef") ? BTF_KIND_TYPEDEF : -1;
	if (k < 0)
		return -EINVAL;
	id = btf__find_by_name_kind(btf, name, k);
	if (id <= 0)
		return -ENOENT;
	p = path + strcspn(path, ".[");
	while (*p) {
		if (*p == '[') {
			unsigned long idx = strtoul(p + 1, (char **)&p, 10);
			const struct btf_type *t;
			__s64 esz;

			if (*p++ != ']')
				return -EINVAL;
			t = btf__type_by_id(btf, btf__resolve_type(btf, id));
			if (t && btf_is_array(t)) {
				esz = btf__resolve_size(btf, btf_array(t)->type);
				id = btf_array(t)->type;
			} else {	/* the root's [idx]: pointer arithmetic on it */
				esz = btf__resolve_size(btf, id);
			}
			if (esz < 0)
				return -EINVAL;
			bits += (long long)idx * esz * 8;
			continue;
		}
		p++;	/* '.' */
		n = strcspn(p, ".[");
		if (n >= sizeof(comp))
			return -EINVAL;
		memcpy(comp, p, n);
		comp[n] = 0;
		p += n;
		id = find_member(btf, btf__resolve_type(btf, id), comp, &bits);
		if (!id)
			return -ENOENT;
	}
	*off = bits / 8;
	*size = btf__resolve_size(btf, id);
	return 0;
}

static void fill_cell(struct report *r, struct row *row, int ri)
{
	struct release *rel = &r->rels[ri];
	struct cell *c = &row->cells[ri];
	const struct um_decision *any = NULL;
	long long woff = -1, wsize = -1;
	bool failed = false;
	int m;

	c->off = c->size = -1;
	for (m = 0; m < row->n; m++) {
		const struct um_decision *d = um_decision_get(rel->rel, row->obj, row->relos[m]);
		const char *kind = um_relo_kind(r->e, row->obj, row->relos[m]);

		if (!d->matched) {
			if (d->poison)
				failed = true;
			continue;
		}
		any = d;
		if (!strcmp(kind, "byte_off"))
			c->off = d->value;
		else if (!strcmp(kind, "byte_sz") || !strcmp(kind, "type_size"))
			c->size = d->value;
	}
	if (!any) {
		c->state = CELL_MISSING;
		c->required = failed && !row->guarded;
		snprintf(c->text, sizeof(c->text), "missing");
		return;
	}
	c->state = CELL_OK;
	if (any->target[0] && !walk_path(rel->btf, any->target, row->path, &woff, &wsize)) {
		if (c->off < 0 && !row->type_row)
			c->off = woff;
		if (c->size < 0)
			c->size = wsize;
	}
	if (row->type_row)
		snprintf(c->text, sizeof(c->text), c->size >= 0 ? "size %lld" : "yes", c->size);
	else if (c->off >= 0 && c->size >= 0)
		snprintf(c->text, sizeof(c->text), "%lld/%lld", c->off, c->size);
	else if (c->off >= 0)
		snprintf(c->text, sizeof(c->text), "%lld", c->off);
	else
		snprintf(c->text, sizeof(c->text), "yes");
}

static int fill_cells(struct report *r)
{
	int k, ri;

	for (k = 0; k < r->nrows; k++) {
		struct row *row = &r->rows[k];

		row->cells = calloc(r->nrel, sizeof(*row->cells));
		if (!row->cells)
			return -ENOMEM;
		for (ri = 0; ri < r->nrel; ri++) {
			fill_cell(r, row, ri);
			if (ri && strcmp(row->cells[ri].text, row->cells[ri - 1].text))
				row->cells[ri].changed = true;
			if (row->cells[ri].required)
				r->rels[ri].required++;
		}
	}
	for (ri = 0; ri < r->nrel; ri++)
		if (r->rels[ri].required)
			r->required++;
	return 0;
}

/* ---- inputs ---- */

static int rel_cmp(const void *a, const void *b)
{
	const struct release *x = a, *y = b;
	int c = strcmp(x->meta.library, y->meta.library);

	if (!c)
		c = strverscmp(x->meta.version, y->meta.version);
	return c ? c : strcmp(x->path, y->path);
}

static int add_release(struct report *r, const char *path);

/* An archive entry as a release: its blob under the archive root, named
 * by the entry (a stored blob carries no metadata of its own). */
static int add_archive_entry(struct report *r, const char *root, const struct ucb_entry *en)
{
	char path[PATH_MAX];
	struct release *rel;
	int err;

	err = archive__blob_path(root, en->digest, path, sizeof(path));
	if (err) {
		p_err("%s", ucb_errmsg());
		return err;
	}
	err = add_release(r, path);
	if (err)
		return err;
	rel = &r->rels[r->nrel - 1];
	snprintf(rel->meta.library, sizeof(rel->meta.library), "%s", en->lib);
	snprintf(rel->meta.version, sizeof(rel->meta.version), "%s", en->version);
	snprintf(rel->meta.arch, sizeof(rel->meta.arch), "%s", en->arch);
	snprintf(rel->label, sizeof(rel->label), "%s-%s", en->lib, en->version);
	return 0;
}

/* An archive's root, or one entry's directory inside an archive (its blob
 * from the archive above): the entries of arch, through the archive module
 * (docs/archive.md).  Entries of other architectures are left out. */
static int add_archive(struct report *r, const char *dir, const char *arch)
{
	struct ucb_index idx = {};
	char root[PATH_MAX];
	size_t i;
	int err;

	err = archive__load_dir(dir, &idx, root, sizeof(root));
	if (err) {
		p_err("%s", ucb_errmsg());
		return err;
	}
	for (i = 0; i < idx.cnt && !err; i++)
		if (!strcmp(idx.e[i].arch, arch))
			err = add_archive_entry(r, root, &idx.e[i]);
	ucb_index_free(&idx);
	return err;
}

static int add_release(struct report *r, const char *path)
{
	struct release *rels = realloc(r->rels, (r->nrel + 1) * sizeof(*rels));
	struct release *rel;

	if (!rels)
		return -ENOMEM;
	r->rels = rels;
	rel = &rels[r->nrel++];
	memset(rel, 0, sizeof(*rel));
	rel->path = strdup(path);
	btf_meta_get(path, &rel->meta);
	if (rel->meta.version[0])
		snprintf(rel->label, sizeof(rel->label), "%s-%s", rel->meta.library, rel->meta.version);
	else
		snprintf(rel->label, sizeof(rel->label), "%s", rel->meta.library);
	return rel->path ? 0 : -ENOMEM;
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && !strcmp(s + n - m, suf);
}

/* An archive (or part of one, docs/archive.md); else every archive part
 * and every *.btf below DIR, in sorted order. */
static int add_dir(struct report *r, const char *dir, const char *arch)
{
	struct dirent **ents;
	char path[4096];
	int n, i, err = 0;

	if (archive__dir_kind(dir) != ARCHIVE_NONE)
		return add_archive(r, dir, arch);
	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0) {
		p_err("%s: %s", dir, strerror(errno));
		return -errno;
	}
	for (i = 0; i < n; i++) {
		struct stat st;

		if (!err && ents[i]->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
			if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
				err = add_dir(r, path, arch);
			else if (has_suffix(path, ".btf"))
				err = add_release(r, path);
		}
		free(ents[i]);
	}
	free(ents);
	return err;
}

static void report_free(struct report *r)
{
	int i;

	for (i = 0; i < r->nrows; i++) {
		free(r->rows[i].prog);
		free(r->rows[i].path);
		free(r->rows[i].relos);
		free(r->rows[i].cells);
	}
	free(r->rows);
	for (i = 0; i < r->nrel; i++) {
		free(r->rels[i].path);
		btf__free(r->rels[i].btf);
		um_release_free(r->rels[i].rel);
	}
	free(r->rels);
	um_free(r->e);
	btf__free(r->kbtf);
}

/* ---- output ---- */

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

static void emit_text(struct report *r, FILE *f, bool md)
{
	int w = 10, kw = 5, cw = 8, k, ri;

	for (k = 0; k < r->nrows; k++) {
		int len = strlen(r->rows[k].prog) + 1 + strlen(r->rows[k].path);

		if (len > w)
			w = len;
		if ((int)strlen(r->rows[k].kinds) > kw)
			kw = strlen(r->rows[k].kinds);
		for (ri = 0; ri < r->nrel; ri++)
			if ((int)strlen(r->rows[k].cells[ri].text) + 1 > cw)
				cw = strlen(r->rows[k].cells[ri].text) + 1;
	}
	for (ri = 0; ri < r->nrel; ri++)
		if ((int)strlen(r->rels[ri].label) > cw)
			cw = strlen(r->rels[ri].label);
	if (md) {
		fprintf(f, "| relocation | kinds | guarded |");
		for (ri = 0; ri < r->nrel; ri++)
			fprintf(f, " %s%s |", r->rels[ri].label, r->rels[ri].required ? " ⚠" : "");
		fprintf(f, "\n|---|---|---|");
		for (ri = 0; ri < r->nrel; ri++)
			fprintf(f, "---:|");
		fputc('\n', f);
	} else {
		fprintf(f, "%-*s  %-*s  %-7s", w, "RELOCATION", kw, "KINDS", "GUARDED");
		for (ri = 0; ri < r->nrel; ri++)
			fprintf(f, "  %*s", cw, r->rels[ri].label);
		fputc('\n', f);
	}
	for (k = 0; k < r->nrows; k++) {
		struct row *row = &r->rows[k];
		char name[512];

		snprintf(name, sizeof(name), "%s %s", row->prog, row->path);
		if (md)
			fprintf(f, "| `%s` | %s | %s |", name, row->kinds, row->guarded ? "yes" : "");
		else
			fprintf(f, "%-*s  %-*s  %-7s", w, name, kw, row->kinds, row->guarded ? "yes" : "-");
		for (ri = 0; ri < r->nrel; ri++) {
			struct cell *c = &row->cells[ri];
			char t[64];

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
		fprintf(f, "\nCells: offset/size in bytes; **bold**: changed from the previous release.\n");
	else
		fprintf(f, "\ncells: offset/size in bytes; *: changed from the previous release; !: required relocation fails\n");
	for (ri = 0; ri < r->nrel; ri++)
		if (r->rels[ri].required)
			fprintf(f, "%s%s: %d required relocation%s fail%s\n", md ? "- " : "",
				r->rels[ri].label, r->rels[ri].required,
				r->rels[ri].required > 1 ? "s" : "", r->rels[ri].required > 1 ? "" : "s");
	if (!r->required)
		fprintf(f, "%sall %d release%s resolve every required relocation\n", md ? "\n" : "",
			r->nrel, r->nrel > 1 ? "s" : "");
}

static void json_num(FILE *f, long long v)
{
	if (v < 0)
		fputs("null", f);
	else
		fprintf(f, "%lld", v);
}

static void emit_json(struct report *r, FILE *f)
{
	int k, ri, oi;

	fprintf(f, "{\"objects\":[");
	for (oi = 0; oi < um_obj_cnt(r->e); oi++) {
		if (oi)
			fputc(',', f);
		json_str(f, um_obj_path(r->e, oi));
	}
	fprintf(f, "],\"releases\":[");
	for (ri = 0; ri < r->nrel; ri++) {
		struct release *rel = &r->rels[ri];

		fprintf(f, "%s{\"label\":", ri ? "," : "");
		json_str(f, rel->label);
		fprintf(f, ",\"library\":");
		json_str(f, rel->meta.library);
		fprintf(f, ",\"version\":");
		json_str(f, rel->meta.version);
		fprintf(f, ",\"path\":");
		json_str(f, rel->path);
		fprintf(f, ",\"required_failures\":%d}", rel->required);
	}
	fprintf(f, "],\"rows\":[");
	for (k = 0; k < r->nrows; k++) {
		struct row *row = &r->rows[k];

		fprintf(f, "%s{\"object\":", k ? "," : "");
		json_str(f, um_obj_path(r->e, row->obj));
		fprintf(f, ",\"program\":");
		json_str(f, row->prog);
		fprintf(f, ",\"path\":");
		json_str(f, row->path);
		fprintf(f, ",\"kinds\":");
		json_str(f, row->kinds);
		fprintf(f, ",\"relocations\":%d,\"guarded\":%s,\"cells\":[", row->n,
			row->guarded ? "true" : "false");
		for (ri = 0; ri < r->nrel; ri++) {
			struct cell *c = &row->cells[ri];

			fprintf(f, "%s{\"state\":\"%s\",\"offset\":", ri ? "," : "",
				c->state == CELL_OK ? "ok" : "missing");
			json_num(f, c->off);
			fprintf(f, ",\"size\":");
			json_num(f, c->size);
			fprintf(f, ",\"changed\":%s,\"required\":%s}", c->changed ? "true" : "false",
				c->required ? "true" : "false");
		}
		fprintf(f, "]}");
	}
	fprintf(f, "],\"required_failures\":%d}\n", r->required);
}

static void emit_html(struct report *r, FILE *f)
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
	for (oi = 0; oi < um_obj_cnt(r->e); oi++) {
		fputs(" <code>", f);
		html_esc(f, um_obj_path(r->e, oi));
		fputs("</code>", f);
	}
	fprintf(f, "; %d releases, %d relocation rows.</p>\n<p class=\"legend\">"
		"<span class=\"changed\" style=\"background:#fff2b3\">changed from previous release</span>"
		"<span style=\"background:#f3f3f3\">missing (guarded)</span>"
		"<span style=\"background:#f4b6b6\">required relocation fails</span>"
		"cells: offset/size in bytes</p>\n", r->nrel, r->nrows);
	fputs("<table id=\"matrix\">\n<thead><tr><th>program</th><th>relocation</th><th>kinds</th><th>guarded</th>", f);
	for (ri = 0; ri < r->nrel; ri++) {
		fprintf(f, "<th class=\"release%s\" title=\"", r->rels[ri].required ? " bad" : "");
		html_esc(f, r->rels[ri].path);
		fputs("\">", f);
		html_esc(f, r->rels[ri].label);
		fputs("</th>", f);
	}
	fputs("</tr></thead>\n<tbody>\n", f);
	for (k = 0; k < r->nrows; k++) {
		struct row *row = &r->rows[k];

		fputs("<tr><td class=\"name\">", f);
		html_esc(f, row->prog);
		fputs("</td><td class=\"name\">", f);
		html_esc(f, row->path);
		fputs("</td><td>", f);
		html_esc(f, row->kinds);
		fprintf(f, "</td><td>%s</td>", row->guarded ? "yes" : "");
		for (ri = 0; ri < r->nrel; ri++) {
			fprintf(f, "<td class=\"num %s\">", cell_class(&row->cells[ri]));
			html_esc(f, row->cells[ri].text);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table>\n<ul id=\"summary\">\n", f);
	for (ri = 0; ri < r->nrel; ri++)
		if (r->rels[ri].required) {
			fputs("<li class=\"bad\">", f);
			html_esc(f, r->rels[ri].label);
			fprintf(f, ": %d required relocation(s) fail</li>\n", r->rels[ri].required);
		}
	if (!r->required)
		fprintf(f, "<li>all %d releases resolve every required relocation</li>\n", r->nrel);
	fputs("</ul>\n</body></html>\n", f);
}

static int emit(struct report *r, int fmt, const char *out)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = out ? open_memstream(&buf, &len) : stdout;
	int err = 0;

	if (!f)
		return -errno;
	switch (fmt) {
	case FMT_TEXT: emit_text(r, f, false); break;
	case FMT_MD: emit_text(r, f, true); break;
	case FMT_JSON: emit_json(r, f); break;
	case FMT_HTML: emit_html(r, f); break;
	}
	if (out) {
		fclose(f);
		err = ucb_write_file_atomic(out, buf, len);
		if (err)
			p_err("%s: cannot write output: %s", out, strerror(-err));
		free(buf);
	}
	return err;
}

/* ---- command ---- */

static int report_help(void)
{
	fprintf(stderr,
		"Usage: %s report OBJ... ARCHIVE_DIR|BTF... [-f text|md|json|html] [-o OUT]\n"
		"          [-k KERNEL_BTF | --no-kernel] [--arch A] [--strict]\n"
		"  Rows: each program's relocations by type.field.path; columns: releases in\n"
		"  version order; cells: resolved offset/size, or missing.\n"
		"  ARCHIVE_DIR: an archive root (index.tsv), part of one (entry.tsv files),\n"
		"  or any directory of *.btf; --arch picks archive entries (default: uname -m).\n"
		"  --strict  exit 1 when a release fails a required (unguarded) relocation\n",
		bin_name);
	return EXIT_OK;
}

static int parse_fmt(const char *s)
{
	if (!strcmp(s, "text")) return FMT_TEXT;
	if (!strcmp(s, "md") || !strcmp(s, "markdown")) return FMT_MD;
	if (!strcmp(s, "json")) return FMT_JSON;
	if (!strcmp(s, "html")) return FMT_HTML;
	return -1;
}

enum { OPT_NO_KERNEL = 256, OPT_STRICT, OPT_ARCH };

int do_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "no-kernel", no_argument, NULL, OPT_NO_KERNEL },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "arch", required_argument, NULL, OPT_ARCH },
		{ 0 }
	};
	const char *out = NULL, *kernel = NULL, *arch = NULL;
	bool no_kernel = false, strict = false;
	struct report r = {};
	char **av, **objs, **inputs;
	int c, fmt = json_output ? FMT_JSON : FMT_TEXT, nobj = 0, ninput = 0, i, rc = EXIT_FAIL, err;

	if (argc >= 1 && !strcmp(argv[0], "help"))
		return report_help();
	av = calloc(argc + 2, sizeof(char *));
	objs = calloc(argc + 1, sizeof(char *));
	inputs = calloc(argc + 1, sizeof(char *));
	if (!av || !objs || !inputs)
		goto out;
	av[0] = "report";
	arch = ucb_host_arch();
	memcpy(av + 1, argv, argc * sizeof(char *));
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc + 1, av, "-f:o:k:", opts, NULL)) != -1) {
		switch (c) {
		case 1: inputs[ninput++] = optarg; break;
		case 'f':
			fmt = parse_fmt(optarg);
			if (fmt < 0) {
				rc = usage_err("report: unknown format '%s' (text, md, json, html)", optarg);
				goto out;
			}
			break;
		case 'o': out = optarg; break;
		case 'k': kernel = optarg; break;
		case OPT_NO_KERNEL: no_kernel = true; break;
		case OPT_STRICT: strict = true; break;
		case OPT_ARCH: arch = optarg; break;
		default:
			rc = usage_err("report: unknown option or missing argument '%s'", av[optind - 1]);
			goto out;
		}
	}
	/* Inputs after options: --arch applies to archives wherever it stands. */
	for (i = 0; i < ninput; i++) {
		struct stat st;
		enum btf_file_kind kind;

		if (stat(inputs[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			int before = r.nrel;

			if (add_dir(&r, inputs[i], arch))
				goto out;
			if (r.nrel == before) {
				p_err("%s: no release BTF in this directory (no index.tsv, entry.tsv or *.btf for %s)",
				      inputs[i], arch ?: "this arch");
				goto out;
			}
			continue;
		}
		if (btf_file_kind(inputs[i], &kind)) {
			p_err("%s", ucb_errmsg());
			goto out;
		}
		if (kind == BTF_FILE_BPF_OBJ)
			objs[nobj++] = inputs[i];
		else if (add_release(&r, inputs[i]))
			goto out;
	}
	if (!nobj || !r.nrel) {
		rc = usage_err("report: need BPF objects and release BTFs: %s report OBJ... ARCHIVE_DIR|BTF...",
			       bin_name);
		goto out;
	}
	if (kernel && no_kernel) {
		rc = usage_err("report: -k and --no-kernel exclude each other");
		goto out;
	}
	if (out && (err = ucb_check_output_path(out))) {
		p_err("%s: cannot write output: %s", out, strerror(-err));
		goto out;
	}
	qsort(r.rels, r.nrel, sizeof(*r.rels), rel_cmp);
	for (i = 1; i < r.nrel; i++)
		if (!strcmp(r.rels[i].label, r.rels[i - 1].label)) {
			p_err("%s: same library and version (%s) as %s", r.rels[i].path,
			      r.rels[i].label, r.rels[i - 1].path);
			goto out;
		}
	if (!no_kernel) {
		r.kbtf = btf_load(kernel ? kernel : UCB_KERNEL_BTF_DEFAULT, NULL);
		if (!r.kbtf) {
			p_err("%s", ucb_errmsg());
			goto out;
		}
	}
	r.e = um_new(r.kbtf);
	if (!r.e) {
		p_err("%s", ucb_errmsg());
		goto out;
	}
	for (i = 0; i < nobj; i++)
		if (um_add_object(r.e, objs[i])) {
			p_err("%s", ucb_errmsg());
			goto out;
		}
	for (i = 0; i < r.nrel; i++) {
		const char *label = r.rels[i].path;

		r.rels[i].btf = btf_load(r.rels[i].path, NULL);
		if (!r.rels[i].btf) {
			p_err("%s", ucb_errmsg());
			goto out;
		}
		r.rels[i].rel = um_run(r.e, &r.rels[i].btf, &label, 1, false);
		if (!r.rels[i].rel) {
			p_err("%s", ucb_errmsg());
			goto out;
		}
	}
	err = make_rows(&r);
	err = err ?: fill_cells(&r);
	if (err) {
		p_err("report: %s", strerror(-err));
		goto out;
	}
	if (emit(&r, fmt, out))
		goto out;
	rc = EXIT_OK;
	if (strict && r.required) {
		for (i = 0; i < r.nrel; i++)
			if (r.rels[i].required)
				p_err("%s: %d required relocation(s) of %s fail", r.rels[i].path,
				      r.rels[i].required, nobj > 1 ? "the objects" : objs[0]);
		rc = EXIT_FAIL;
	}
out:
	report_free(&r);
	free(av);
	free(objs);
	free(inputs);
	return rc;
}
