/* check: every relocation's decision per target (a release, or the kernel
 * alone), so that releases can be diffed.  Same setup as gen min
 * (cli/gen_min.h), no blob and no verify.  See docs/gen-min.md. */
#include <stdlib.h>
#include <string.h>
#include "cli/common.h"
#include "cli/cmds.h"
#include "cli/gen_min.h"
#include "minimize.h"

static const char *side_str(int side)
{
	return side == UM_APP ? "app" : side == UM_KERNEL ? "kernel" : "local";
}

static void decision_json(json_writer_t *w, const struct um_decision *d)
{
	jsonw_start_object(w);
	jsonw_string_field(w, "side", side_str(d->side));
	jsonw_bool_field(w, "matched", d->matched);
	jsonw_bool_field(w, "poison", d->poison);
	jsonw_bool_field(w, "unresolved", d->unresolved);
	json_value_field(w, "value", d->value_str);
	jsonw_string_field(w, "target", d->target);
	jsonw_end_object(w);
}

static void check_json(const struct session *s, json_writer_t *w)
{
	int g, oi, i;

	jsonw_start_object(w);
	jsonw_name(w, "targets");
	jsonw_start_array(w);
	for (g = 0; g < s->nrels; g++)
		jsonw_string(w, s->rels[g].label);
	jsonw_end_array(w);
	jsonw_name(w, "relocations");
	jsonw_start_array(w);
	for (oi = 0; oi < um_obj_cnt(s->e); oi++)
		for (i = 0; i < um_relo_cnt(s->e, oi); i++) {
			jsonw_start_object(w);
			jsonw_string_field(w, "object", um_obj_path(s->e, oi));
			jsonw_string_field(w, "name", um_relo_name(s->e, oi, i));
			jsonw_string_field(w, "kind", um_relo_kind(s->e, oi, i));
			jsonw_name(w, "results");
			jsonw_start_array(w);
			for (g = 0; g < s->nrels; g++)
				decision_json(w, um_decision_get(s->rels[g].rel, oi, i));
			jsonw_end_array(w);
			jsonw_end_object(w);
		}
	jsonw_end_array(w);
	jsonw_end_object(w);
}

/* A cell: the value, "-" for a kernel relocation with no kernel BTF, or
 * "missing" ("missing:0" when libbpf would not poison). */
static const char *cell(const struct um_decision *d)
{
	if (d->unresolved)
		return "-";
	if (!d->matched && d->side != UM_LOCAL)
		return d->poison ? "missing" : "missing:0";
	return d->value_str;
}

static void check_text(const struct session *s)
{
	int w = 24, g, oi, i;

	for (oi = 0; oi < um_obj_cnt(s->e); oi++)
		for (i = 0; i < um_relo_cnt(s->e, oi); i++)
			if ((int)strlen(um_relo_name(s->e, oi, i)) > w)
				w = strlen(um_relo_name(s->e, oi, i));
	printf("%-*s  %-14s  %-6s", w, "RELOCATION", "KIND", "SIDE");
	for (g = 0; g < s->nrels; g++)
		printf("  %s", s->rels[g].label);
	putchar('\n');
	for (oi = 0; oi < um_obj_cnt(s->e); oi++)
		for (i = 0; i < um_relo_cnt(s->e, oi); i++) {
			const struct um_decision *d0 = um_decision_get(s->rels[0].rel, oi, i);

			printf("%-*s  %-14s  %-6s", w, um_relo_name(s->e, oi, i),
			       um_relo_kind(s->e, oi, i), side_str(d0->side));
			for (g = 0; g < s->nrels; g++)
				printf("  %*s", (int)strlen(s->rels[g].label),
				       cell(um_decision_get(s->rels[g].rel, oi, i)));
			putchar('\n');
		}
}

const char check_synopsis[] =
	"check OBJ... BTF|ARCHIVE_DIR|BUNDLE... [-k|--kernel KERNEL_BTF | --no-kernel]\n"
	"      [--arch A] [--group-by-version] [--release A.btf,B.btf]...\n"
	"      [--app-type NAME]... [--kernel-type NAME]...";
const char check_doc[] =
	"Every CO-RE relocation's decision per target (a release, or the kernel\n"
	"alone without library BTF), so that releases can be diffed.  Library BTF\n"
	"comes from BTF files (gen btf output, raw BTF), archive directories and\n"
	"bundles alike; --arch picks their entries (default: the host's).\n"
	"Options as gen min's (docs/gen-min.md).  -j: \"value\" is a number when\n"
	"the relocation's value is one.\n";

int do_check(int argc, char **argv)
{
	struct min_args a = {};
	struct session s = {};
	int rc;

	rc = min_setup(&s, &a, argc, argv, "check", false, false);
	if (rc)
		goto out;
	rc = EXIT_FAIL;
	/* No library: the kernel alone is the one target. */
	if (!s.nrels && session__add_release(&s, "kernel") < 0) {
		p_errmsg();
		goto out;
	}
	if (session__run(&s, false)) {
		p_errmsg();
		goto out;
	}
	if (json_output)
		check_json(&s, json_wtr);
	else
		check_text(&s);
	rc = EXIT_OK;
out:
	session__free(&s);
	min_args_free(&a);
	return rc;
}
