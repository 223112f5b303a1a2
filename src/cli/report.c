/* report: a compatibility matrix of BPF objects' CO-RE relocations against
 * library releases.  Rows are the relocations, named by program and
 * type.field.path; columns are releases in version order; each cell is what
 * the row's relocations decide (a field's offset/size, an enumerator's
 * value, a type's size or identity), or "missing".  Decisions come from the
 * gen min engine (bpftool-ext/minimize.h), i.e. from libbpf's own relo_core.
 *
 * Which failures are "guarded" and which "required" (fail loading) is the
 * rule gen min shares (tool/guard.h): an existence check on the same path
 * or a prefix of it, in the same program, guards.
 *
 * Inputs, releases and runs are a session (tool/session.h), as for gen min
 * and check; this file builds the matrix, report_fmt.c renders it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <bpf/btf.h>
#include "lib/names.h"
#include "cli/common.h"
#include "cli/cmds.h"
#include "cli/report.h"
#include "tool/guard.h"
#include "tool/session.h"
#include "minimize.h"

static enum row_class kind_class(const char *k)
{
	if (!strncmp(k, "enumval_", 8))
		return ROW_ENUMVAL;
	if (!strncmp(k, "type_", 5) || strstr(k, "type_id"))
		return ROW_TYPE;
	return ROW_FIELD;
}

/* "prog:insn path" -> prog, path */
static void split_name(const char *name, char **prog, char **path)
{
	const char *colon = strchr(name, ':'), *sp = strchr(name, ' ');

	*prog = strndup(name, colon ? (size_t)(colon - name) : 0);
	*path = strdup(sp ? sp + 1 : name);
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

	for (oi = 0; oi < um_obj_cnt(r->s.e); oi++)
		for (i = 0; i < um_relo_cnt(r->s.e, oi); i++) {
			const struct um_decision *d = um_decision_get(r->s.rels[0].rel, oi, i);
			const char *kind = um_relo_kind(r->s.e, oi, i);
			char *prog, *path;
			struct row *row;
			int *relos;

			if (d->side != UM_APP)
				continue;
			split_name(um_relo_name(r->s.e, oi, i), &prog, &path);
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
			if (!guard__exist_kind(kind))
				row->exist_only = false;
			/* "T.f", "T" or "E::V"; a type relocation on T
			 * makes the row a type's, as a field access of T
			 * itself (path "T") shares it. */
			if (kind_class(kind) > row->cls)
				row->cls = kind_class(kind);
			if (!strstr(row->kinds, kind) &&
			    strlen(row->kinds) + strlen(kind) + 2 < sizeof(row->kinds)) {
				if (row->kinds[0])
					strcat(row->kinds, ",");
				strcat(row->kinds, kind);
			}
		}
	/* Every relocation of a row has its program and path: one verdict. */
	for (k = 0; k < r->nrows; k++)
		r->rows[k].guarded = guard__guarded(&r->g, r->rows[k].obj, r->rows[k].relos[0]);
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

/* A field row's text: its offset/size, from byte_off/byte_sz, else (an
 * existence check, a bitfield shift) from the release's BTF. */
static void field_text(const struct report *r, const struct row *row, int ri,
		       const struct um_decision *any, struct cell *c)
{
	const struct session_release *rel = &r->s.rels[ri];
	long long woff = -1, wsize = -1;
	int k, found = -1;

	/* A release of several libraries (--group-by-version: libssl and
	 * libcrypto): the first whose BTF has the path. */
	for (k = 0; any->target[0] && found && k < rel->n; k++)
		found = walk_path(r->s.libs[rel->libs[k]].btf, any->target, row->path, &woff, &wsize);
	if (!found) {
		if (c->off < 0)
			c->off = woff;
		if (c->size < 0)
			c->size = wsize;
	}
	if (c->off >= 0 && c->size >= 0)
		snprintf(c->text, sizeof(c->text), "%lld/%lld", c->off, c->size);
	else if (c->off >= 0)
		snprintf(c->text, sizeof(c->text), "%lld", c->off);
	else
		snprintf(c->text, sizeof(c->text), "yes");
}

/* Enumerator and type rows show what their relocations decide, as check
 * prints it (um_decision.value_str): "value 2", "size 16", the target
 * type, or "yes" for an existence check alone. */
static void decided_text(const struct row *row, struct cell *c)
{
	if (row->cls == ROW_ENUMVAL && c->value[0])
		snprintf(c->text, sizeof(c->text), "value %s", c->value);
	else if (c->size >= 0 && c->value[0])
		snprintf(c->text, sizeof(c->text), "size %lld, %s", c->size, c->value);
	else if (c->size >= 0)
		snprintf(c->text, sizeof(c->text), "size %lld", c->size);
	else if (c->value[0])
		snprintf(c->text, sizeof(c->text), "%s", c->value);
	else
		snprintf(c->text, sizeof(c->text), "yes");
}

static void fill_cell(struct report *r, struct row *row, int ri)
{
	const struct um_release *rel = r->s.rels[ri].rel;
	struct cell *c = &row->cells[ri];
	const struct um_decision *any = NULL;
	int m;

	c->off = c->size = -1;
	for (m = 0; m < row->n; m++) {
		int i = row->relos[m];
		const struct um_decision *d = um_decision_get(rel, row->obj, i);
		const char *kind = um_relo_kind(r->s.e, row->obj, i);

		if (guard__verdict(&r->g, d, row->obj, i) == GUARD_REQUIRED)
			c->required = true;
		if (!d->matched)
			continue;
		any = d;
		if (!strcmp(kind, "byte_off"))
			c->off = d->value;
		else if (!strcmp(kind, "byte_sz") || !strcmp(kind, "type_size"))
			c->size = d->value;
		else if (!strcmp(kind, "enumval_value") || !strcmp(kind, "target_type_id"))
			snprintf(c->value, sizeof(c->value), "%s", d->value_str);
	}
	if (!any) {
		c->state = CELL_MISSING;
		snprintf(c->text, sizeof(c->text), "missing");
		return;
	}
	c->state = CELL_OK;
	if (row->cls == ROW_FIELD)
		field_text(r, row, ri, any, c);
	else
		decided_text(row, c);
}

static int fill_cells(struct report *r)
{
	int k, ri;

	r->required = calloc(r->s.nrels + 1, sizeof(*r->required));
	if (!r->required)
		return -ENOMEM;
	for (k = 0; k < r->nrows; k++) {
		struct row *row = &r->rows[k];

		row->cells = calloc(r->s.nrels, sizeof(*row->cells));
		if (!row->cells)
			return -ENOMEM;
		for (ri = 0; ri < r->s.nrels; ri++) {
			fill_cell(r, row, ri);
			if (ri && strcmp(row->cells[ri].text, row->cells[ri - 1].text))
				row->cells[ri].changed = true;
			if (row->cells[ri].required)
				r->required[ri]++;
		}
	}
	for (ri = 0; ri < r->s.nrels; ri++)
		if (r->required[ri])
			r->required_rels++;
	return 0;
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
	free(r->required);
	guard__free(&r->g);
	session__free(&r->s);
}

/* ---- command ---- */

const char report_synopsis[] =
	"report OBJ... BTF|ARCHIVE_DIR|BUNDLE... [-f|--format text|md|json|html]\n"
	"       [-o|--output OUT] [-k|--kernel KERNEL_BTF | --no-kernel] [--arch A]\n"
	"       [--group-by-version] [--strict]";
const char report_doc[] =
	"Compatibility matrix.  Rows: each program's relocations by type.field.path;\n"
	"columns: releases in version order; cells: a field's offset/size, an\n"
	"enumerator's value, a type's size, or missing.\n"
	"Library BTF comes from BTF files, bundles and directories: an archive root\n"
	"(index.tsv), part of one (entry.tsv files), or any directory of *.btf;\n"
	"--arch picks archive and bundle entries (default: the host's); entries made\n"
	"for other objects only (index.tsv's objects) are left out.\n"
	"  --group-by-version  one column per version for libraries resolved together\n"
	"            (libssl + libcrypto: a struct one only forward-declares)\n"
	"  --strict  exit 1 when a release fails a required (unguarded) relocation\n"
	"  -j        the report as JSON on stdout (-f json); with -o OUT, the report\n"
	"            goes to OUT in any format and stdout gets a JSON summary;\n"
	"            -j -f text|md|html without -o is a usage error\n";

static const char *av_fmt_name(int fmt)
{
	return fmt == FMT_MD ? "md" : fmt == FMT_HTML ? "html" : fmt == FMT_JSON ? "json" : "text";
}

static int parse_fmt(const char *s)
{
	if (!strcmp(s, "text")) return FMT_TEXT;
	if (!strcmp(s, "md") || !strcmp(s, "markdown")) return FMT_MD;
	if (!strcmp(s, "json")) return FMT_JSON;
	if (!strcmp(s, "html")) return FMT_HTML;
	return -1;
}

enum { OPT_NO_KERNEL = 256, OPT_STRICT, OPT_ARCH, OPT_GROUP };

struct report_args {
	struct session_opts so;
	const char *out, *arch;
	bool strict;
	int fmt;
	char **inputs;
	int ninput;
};

/* Options into a.  Returns EXIT_OK, EXIT_FAIL or EXIT_USAGE. */
static int parse(struct report_args *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "no-kernel", no_argument, NULL, OPT_NO_KERNEL },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "arch", required_argument, NULL, OPT_ARCH },
		{ "group-by-version", no_argument, NULL, OPT_GROUP },
		{ 0 }
	};
	char **av = calloc(argc + 2, sizeof(char *));
	int c, rc = EXIT_OK;
	bool fmt_given = false;

	a->inputs = calloc(argc + 1, sizeof(char *));
	if (!av || !a->inputs) {
		free(av);
		p_err("out of memory");
		return EXIT_FAIL;
	}
	a->fmt = json_output ? FMT_JSON : FMT_TEXT;
	a->arch = ucb_host_arch();
	av[0] = "report";
	memcpy(av + 1, argv, argc * sizeof(char *));
	optind = 0;
	opterr = 0;
	while (!rc && (c = getopt_long(argc + 1, av, "-f:o:k:", opts, NULL)) != -1) {
		switch (c) {
		case 1: a->inputs[a->ninput++] = optarg; break;
		case 'f':
			fmt_given = true;
			a->fmt = parse_fmt(optarg);
			if (a->fmt < 0)
				rc = usage_err("report: unknown format '%s' (text, md, json, html)", optarg);
			break;
		case 'o': a->out = optarg; break;
		case 'k': a->so.kernel = optarg; break;
		case OPT_NO_KERNEL: a->so.no_kernel = true; break;
		case OPT_STRICT: a->strict = true; break;
		case OPT_ARCH: a->arch = optarg; break;
		case OPT_GROUP: a->so.by_version = true; break;
		default:
			rc = opt_err("report", "f:o:k:", av);
		}
	}
	free(av);
	/* -j: stdout holds JSON only; another format goes to a file. */
	if (!rc && json_output && fmt_given && a->fmt != FMT_JSON && !a->out)
		rc = usage_err("report: -j prints JSON: -f %s needs -o OUT", av_fmt_name(a->fmt));
	return rc;
}

/* Inputs after options: --arch applies to archives wherever it stands.
 * Prints any error; returns 0 or -errno. */
static int add_inputs(struct session *s, const struct report_args *a)
{
	int err = session__add_inputs(s, a->inputs, a->ninput);

	if (err)
		p_errmsg();	/* session's own; BTF reading printed its own */
	return err;
}

/* Sorted releases, one library each, run against the objects.  Prints any
 * error; returns 0 or -errno. */
static int resolve(struct report *r)
{
	int err;

	err = session__sort(&r->s);
	err = err ?: session__load_engine(&r->s);
	err = err ?: session__load_libs(&r->s);
	err = err ?: session__make_releases(&r->s);
	err = err ?: session__run(&r->s, false);
	if (err) {
		p_errmsg();
		return err;
	}
	err = guard__init(&r->g, r->s.e);
	err = err ?: make_rows(r);
	err = err ?: fill_cells(r);
	if (err)
		p_err("report: %s", strerror(-err));
	return err;
}

/* --strict: a release failing a required relocation fails the command. */
static int strict_check(const struct report *r)
{
	int ri;

	for (ri = 0; ri < r->s.nrels; ri++)
		if (r->required[ri])
			p_err("%s: %d required relocation(s) of %s fail", report_lib(r, ri)->path,
			      r->required[ri], r->s.nobj > 1 ? "the objects" : r->s.objs[0]);
	return r->required_rels ? EXIT_FAIL : EXIT_OK;
}

/* -j with -o: what was written where. */
static void summary_json(const struct report *r, const struct report_args *a)
{
	json_writer_t *w = json_wtr;

	jsonw_start_object(w);
	jsonw_string_field(w, "output", a->out);
	jsonw_string_field(w, "format", av_fmt_name(a->fmt));
	jsonw_int_field(w, "releases", r->s.nrels);
	jsonw_int_field(w, "rows", r->nrows);
	jsonw_int_field(w, "failing_releases", r->required_rels);
	jsonw_end_object(w);
}

int do_report(int argc, char **argv)
{
	struct report_args a = {};
	struct report r = {};
	int rc, err;

	rc = parse(&a, argc, argv);
	if (rc)
		goto out;
	rc = EXIT_FAIL;
	a.so.arch = a.arch;
	session__init(&r.s, &a.so);
	if (add_inputs(&r.s, &a))
		goto out;
	if (!r.s.nobj || !r.s.nlib) {
		rc = usage_err("report: need BPF objects and release BTFs: %s report OBJ... ARCHIVE_DIR|BTF...",
			       bin_name);
		goto out;
	}
	if (a.so.kernel && a.so.no_kernel) {
		rc = usage_err("report: -k and --no-kernel exclude each other");
		goto out;
	}
	if (a.out && (err = ucb_check_output_path(a.out))) {
		p_err("%s: cannot write output: %s", a.out, strerror(-err));
		goto out;
	}
	if (resolve(&r) || report_emit(&r, a.fmt, a.out))
		goto out;
	if (json_output && a.out)
		summary_json(&r, &a);
	rc = a.strict ? strict_check(&r) : EXIT_OK;
out:
	report_free(&r);
	free(a.inputs);
	return rc;
}
