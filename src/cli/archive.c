/* `ucorebtf archive list|show|verify|add|needs|merge`: the versioned library archive. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "lib/names.h"
#include "tool/archive.h"
#include "tool/btf_io.h"
#include "cli/common.h"
#include "cli/cmds.h"
#include "lib/sha256.h"
#include "lib/vrule.h"

const char archive_doc[] =
	"The versioned library archive: ARCHIVE_DIR/<lib>/<version>/<arch>/, blobs\n"
	"stored once by sha256, a sorted index.tsv, the kernel types each object\n"
	"needs, per-library version rules (docs/archive.md).\n";

static const char add_doc[] =
	"BLOB is raw BTF or an ELF with .BTF (gen btf output: its metadata gives\n"
	"the defaults of --lib/--version/--arch/--build-id/--soname; --meta-from\n"
	"takes them from another file, e.g. the gen btf input of a gen min blob).\n"
	"--version-rule makes LIB's version rules those given (see archive rule).\n";
static const char needs_doc[] =
	"FILE holds the kernel types OBJECT needs, lines 'struct NAME [MEMBER.PATH]'.\n";
static const char merge_doc_[] =
	"Adds every entry, needs file and version rule of each PART_DIR archive\n"
	"(as CI's per-release jobs write them) to ARCHIVE_DIR.\n";
static const char rule_doc[] =
	"LIB's version rules become those given (none: removed).  A rule tells the\n"
	"runtime how to read LIB's version from a binary without a known build-id:\n"
	"SOURCE is symbol:NAME, rodata or needed:SONAME, the version follows PREFIX\n"
	"at the start of the string, e.g. 'symbol:lua_ident:$LuaVersion: Lua ' or\n"
	"'needed:libcrypto.so.3:OpenSSL '.\n";
static const char dist_doc[] =
	"Prints dist.tsv (where distribution entries come from), or adds FILE's\n"
	"lines 'library version arch build_id release package upstream deb_sha256'\n"
	"(with LIB: LIB's lines become FILE's; docs/distributions.md).  The runtime\n"
	"never reads it: selection is by build-id.\n";

static int load(const char *dir, struct ucb_index *idx)
{
	if (archive__load_index(dir, idx)) {
		p_err("%s", ucb_errmsg());
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* "-" is the index's empty field; JSON says "". */
static const char *field(const char *s)
{
	return strcmp(s, "-") ? s : "";
}

/* An index list field ("a,b", "-": none) as a JSON array of strings. */
static void comma_array(json_writer_t *w, const char *name, const char *list)
{
	const char *p = list, *c;

	jsonw_name(w, name);
	jsonw_start_array(w);
	while (strcmp(list, "-") && *p) {
		char item[256];

		c = strchr(p, ',');
		snprintf(item, sizeof(item), "%.*s", (int)(c ? c - p : (long)strlen(p)), p);
		jsonw_string(w, item);
		if (!c)
			break;
		p = c + 1;
	}
	jsonw_end_array(w);
}

static void print_entry_json(json_writer_t *w, const struct ucb_entry *e)
{
	jsonw_start_object(w);
	jsonw_string_field(w, "library", e->lib);
	jsonw_string_field(w, "version", e->version);
	jsonw_string_field(w, "arch", e->arch);
	jsonw_string_field(w, "sha256", e->digest);
	jsonw_uint_field(w, "size", e->size);
	jsonw_string_field(w, "soname", field(e->soname));
	comma_array(w, "build_ids", e->build_ids);
	comma_array(w, "objects", e->objects);
	jsonw_end_object(w);
}

void index_print(const struct ucb_index *idx, bool detail)
{
	size_t i;

	if (json_output) {
		jsonw_start_array(json_wtr);
		for (i = 0; i < idx->cnt; i++)
			print_entry_json(json_wtr, &idx->e[i]);
		jsonw_end_array(json_wtr);
		return;
	}
	for (i = 0; i < idx->cnt; i++) {
		const struct ucb_entry *e = &idx->e[i];

		if (!detail) {
			printf("%-20s %-16s %-8s %8llu  %.16s\n", e->lib, e->version, e->arch,
			       (unsigned long long)e->size, e->digest);
			continue;
		}
		printf("%s %s %s\n  sha256    %s\n  size      %llu\n  soname    %s\n"
		       "  build-ids %s\n  objects   %s\n", e->lib, e->version, e->arch, e->digest,
		       (unsigned long long)e->size, e->soname, e->build_ids, e->objects);
	}
}

static int do_list(int argc, char **argv)
{
	struct ucb_index idx;

	if (no_opts("archive list", argc, argv))
		return EXIT_USAGE;
	if (argc != 1)
		return usage_err("archive list: expected ARCHIVE_DIR");
	if (load(argv[0], &idx))
		return EXIT_FAIL;
	index_print(&idx, false);
	ucb_index_free(&idx);
	return EXIT_OK;
}

static int do_show(int argc, char **argv)
{
	struct ucb_index idx, sub = {};
	size_t i;

	if (no_opts("archive show", argc, argv))
		return EXIT_USAGE;
	if (argc < 2 || argc > 4)
		return usage_err("archive show: expected ARCHIVE_DIR LIB [VERSION [ARCH]]");
	if (load(argv[0], &idx))
		return EXIT_FAIL;
	sub.e = calloc(idx.cnt + 1, sizeof(*sub.e));
	for (i = 0; sub.e && i < idx.cnt; i++)
		if (!strcmp(idx.e[i].lib, argv[1]) && (argc < 3 || !strcmp(idx.e[i].version, argv[2])) &&
		    (argc < 4 || !strcmp(idx.e[i].arch, argv[3])))
			sub.e[sub.cnt++] = idx.e[i];
	if (!sub.cnt) {
		p_err("%s: no entry %s%s%s%s%s", argv[0], argv[1], argc > 2 ? " " : "",
		      argc > 2 ? argv[2] : "", argc > 3 ? " " : "", argc > 3 ? argv[3] : "");
		free(sub.e);
		ucb_index_free(&idx);
		return EXIT_FAIL;
	}
	index_print(&sub, true);
	free(sub.e);
	ucb_index_free(&idx);
	return EXIT_OK;
}

static int do_verify(int argc, char **argv)
{
	char digest[SHA256_HEX_LEN + 1], *needs;
	struct ucb_index idx;
	size_t i, sz, nlen;
	struct btf *btf;
	int bad = 0, err;
	void *data;

	if (no_opts("archive verify", argc, argv))
		return EXIT_USAGE;
	if (argc != 1)
		return usage_err("archive verify: expected ARCHIVE_DIR");
	if (load(argv[0], &idx))
		return EXIT_FAIL;
	for (i = 0; i < idx.cnt; i++) {
		const struct ucb_entry *e = &idx.e[i];

		err = archive__read_blob(argv[0], e->digest, &data, &sz);
		if (err == -ENOENT) {
			p_err("%s: %s %s %s: blob %s missing", argv[0], e->lib, e->version, e->arch, e->digest);
			bad++;
			continue;
		} else if (err) {
			p_err("%s: %s %s %s: %s", argv[0], e->lib, e->version, e->arch, ucb_errmsg());
			bad++;
			continue;
		}
		ucb_sha256_hex(data, sz, digest);
		btf = strcmp(digest, e->digest) ? NULL : btf__new(data, sz);
		if (strcmp(digest, e->digest))
			p_err("%s: %s %s %s: blob content does not match its sha256", argv[0], e->lib,
			      e->version, e->arch), bad++;
		else if (!btf)
			p_err("%s: %s %s %s: blob is not valid BTF", argv[0], e->lib, e->version, e->arch), bad++;
		else if (sz != e->size)
			p_err("%s: %s %s %s: blob size differs from the index", argv[0], e->lib,
			      e->version, e->arch), bad++;
		btf__free(btf);
		free(data);
	}
	if (archive__needs_text(argv[0], &needs, &nlen)) {
		p_err("%s", ucb_errmsg());
		bad++;
	} else {
		free(needs);
	}
	if (archive__rules_text(argv[0], &needs, &nlen)) {
		p_err("%s", ucb_errmsg());
		bad++;
	} else {
		free(needs);
	}
	if (json_output) {
		json_writer_t *w = json_wtr;

		jsonw_start_object(w);
		jsonw_uint_field(w, "entries", idx.cnt);
		jsonw_int_field(w, "errors", bad);
		jsonw_end_object(w);
	} else if (!bad)
		printf("%s: %zu entries, all blobs match their digests and parse as BTF\n", argv[0], idx.cnt);
	ucb_index_free(&idx);
	return bad ? EXIT_FAIL : EXIT_OK;
}

static int do_add(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "lib", required_argument, NULL, 'l' },
		{ "version", required_argument, NULL, 'v' },
		{ "arch", required_argument, NULL, 'a' },
		{ "build-id", required_argument, NULL, 'b' },
		{ "soname", required_argument, NULL, 's' },
		{ "object", required_argument, NULL, 'o' },
		{ "meta-from", required_argument, NULL, 'm' },
		{ "version-rule", required_argument, NULL, 'r' },
		{ 0 }
	};
	const char *bids[64], *objs[64], *rules[UCB_MAX_VRULES_PER_LIB], *meta_from = NULL;
	size_t nrules = 0;
	struct archive_entry e = { .build_ids = bids, .objects = objs };
	struct btf_meta meta = {};
	void *data;
	size_t sz;
	struct btf *blob;
	int opt, err;

	optind = 1;
	while ((opt = getopt_long(argc + 1, argv - 1, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'l': e.lib = optarg; break;
		case 'v': e.version = optarg; break;
		case 'a': e.arch = optarg; break;
		case 's': e.soname = optarg; break;
		case 'm': meta_from = optarg; break;
		case 'b':
			if (e.build_id_cnt == 64)
				return usage_err("archive add: too many --build-id");
			bids[e.build_id_cnt++] = optarg;
			break;
		case 'r':
			if (nrules == UCB_MAX_VRULES_PER_LIB)
				return usage_err("archive add: more than %d --version-rule", UCB_MAX_VRULES_PER_LIB);
			rules[nrules++] = optarg;
			break;
		case 'o':
			if (e.object_cnt == 64)
				return usage_err("archive add: too many --object");
			objs[e.object_cnt++] = optarg;
			break;
		default:
			return opt_err("archive add", "", argv - 1);
		}
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc != 2)
		return usage_err("archive add: expected ARCHIVE_DIR BLOB");
	/* A bad blob is named for what is wrong with it before any question
	 * about missing metadata. */
	blob = btf_load(argv[1], NULL);
	if (!blob) {
		p_err("%s", ucb_errmsg());
		return EXIT_FAIL;
	}
	btf__free(blob);
	err = ucb_read_file(argv[1], &data, &sz);
	if (err) {
		p_err("%s: %s", argv[1], strerror(-err));
		return EXIT_FAIL;
	}
	/* gen btf wrappers carry their metadata; flags override it. */
	if (meta_from && btf_meta_read(meta_from, &meta)) {
		free(data);
		p_err("%s: no %s metadata (expected gen btf output)", meta_from, BTF_META_SEC);
		return EXIT_FAIL;
	}
	if (!meta_from)
		btf_meta_read(argv[1], &meta);
	e.lib = e.lib ?: meta.library[0] ? meta.library : NULL;
	e.version = e.version ?: meta.version[0] ? meta.version : NULL;
	e.arch = e.arch ?: meta.arch[0] ? meta.arch : ucb_host_arch();
	e.soname = e.soname ?: meta.soname;
	if (!e.build_id_cnt && meta.build_id[0])
		bids[e.build_id_cnt++] = meta.build_id;
	if (!e.lib || !e.version) {
		free(data);
		return usage_err("archive add: %s: --lib and --version needed (no metadata in the blob)", argv[1]);
	}
	/* A bad rule is refused before anything is written. */
	for (size_t i = 0; i < nrules; i++) {
		char *line = ucb_vrule_line(e.lib, rules[i]);

		if (!line) {
			free(data);
			p_err("%s", ucb_errmsg());
			return EXIT_FAIL;
		}
		free(line);
	}
	err = archive__add(argv[0], &e, data, sz);
	free(data);
	if (err) {
		/* What is wrong with the entry or blob names the blob; a
		 * failure to write names the archive's file itself. */
		if (err == -EINVAL && strncmp(ucb_errmsg(), "cannot write ", 13))
			p_err("%s: %s", argv[1], ucb_errmsg());
		else
			p_err("%s", ucb_errmsg());
		return EXIT_FAIL;
	}
	if (nrules && archive__set_rules(argv[0], e.lib, rules, nrules)) {
		p_err("%s", ucb_errmsg());
		return EXIT_FAIL;
	}
	if (json_output) {
		json_writer_t *w = json_wtr;

		jsonw_start_object(w);
		jsonw_string_field(w, "library", e.lib);
		jsonw_string_field(w, "version", e.version);
		jsonw_string_field(w, "arch", e.arch);
		jsonw_end_object(w);
	}
	return EXIT_OK;
}

static int do_needs(int argc, char **argv)
{
	void *data;
	size_t sz;
	int ret;

	if (no_opts("archive needs", argc, argv))
		return EXIT_USAGE;
	if (argc != 3)
		return usage_err("archive needs: expected ARCHIVE_DIR OBJECT FILE");
	ret = ucb_read_file(argv[2], &data, &sz);
	if (ret) {
		p_err("%s: %s", argv[2], strerror(-ret));
		return EXIT_FAIL;
	}
	ret = archive__set_needs(argv[0], argv[1], data, sz);
	free(data);
	if (ret) {
		/* A bad line is FILE's; a failure to write names its file. */
		if (ret == -EINVAL && !strncmp(ucb_errmsg(), "line ", 5))
			p_err("%s: %s", argv[2], ucb_errmsg());
		else
			p_err("%s", ucb_errmsg());
		return EXIT_FAIL;
	}
	if (json_output) {
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "archive", argv[0]);
		jsonw_string_field(json_wtr, "object", argv[1]);
		jsonw_uint_field(json_wtr, "size", sz);
		jsonw_end_object(json_wtr);
	}
	return EXIT_OK;
}

static int do_merge_parts(int argc, char **argv)
{
	int i;

	if (no_opts("archive merge", argc, argv))
		return EXIT_USAGE;
	if (argc < 2)
		return usage_err("archive merge: expected ARCHIVE_DIR PART_DIR...");
	for (i = 1; i < argc; i++) {
		if (archive__merge(argv[0], argv[i])) {
			p_err("%s: %s", argv[i], ucb_errmsg());
			return EXIT_FAIL;
		}
	}
	if (json_output) {
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "archive", argv[0]);
		jsonw_name(json_wtr, "parts");
		jsonw_string_array(json_wtr, (const char *const *)argv + 1, argc - 1);
		jsonw_end_object(json_wtr);
	}
	return EXIT_OK;
}

/* archive rule ARCHIVE_DIR LIB [SOURCE:PREFIX]...: LIB's version rules. */
static int do_rule(int argc, char **argv)
{
	if (no_opts("archive rule", argc, argv))
		return EXIT_USAGE;
	if (argc < 2)
		return usage_err("archive rule: expected ARCHIVE_DIR LIB [SOURCE:PREFIX]...");
	if (archive__set_rules(argv[0], argv[1], (const char *const *)argv + 2, argc - 2)) {
		p_err("%s", ucb_errmsg());
		return EXIT_FAIL;
	}
	if (json_output) {
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "archive", argv[0]);
		jsonw_string_field(json_wtr, "library", argv[1]);
		jsonw_name(json_wtr, "rules");
		jsonw_string_array(json_wtr, (const char *const *)argv + 2, argc - 2);
		jsonw_end_object(json_wtr);
	}
	return EXIT_OK;
}

/* dist.tsv under -j: one object per line, named by its columns. */
static void dist_json(const char *text, size_t sz)
{
	static const char *const col[] = { "library", "version", "arch", "build_id", "release",
					   "package", "upstream", "deb_sha256" };
	const char *p = text, *end = text + sz, *nl, *f, *tab;
	size_t i;

	jsonw_start_array(json_wtr);
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', end - p) ?: end;
		if (p == nl || *p == '#')
			continue;
		jsonw_start_object(json_wtr);
		for (f = p, i = 0; i < sizeof(col) / sizeof(col[0]) && f <= nl; i++, f = tab + 1) {
			char v[256];

			tab = memchr(f, '\t', nl - f) ?: nl;
			snprintf(v, sizeof(v), "%.*s", (int)(tab - f), f);
			jsonw_string_field(json_wtr, col[i], v);
		}
		jsonw_end_object(json_wtr);
	}
	jsonw_end_array(json_wtr);
}

/* archive dist ARCHIVE_DIR [[LIB] FILE]: print dist.tsv, or add FILE's
 * distribution lines (scripts/ingest-debian.sh writes FILE); with LIB,
 * LIB's lines become FILE's. */
static int do_dist(int argc, char **argv)
{
	void *data = NULL;
	char *text;
	size_t sz;
	int ret;

	if (no_opts("archive dist", argc, argv))
		return EXIT_USAGE;
	if (argc < 1 || argc > 3)
		return usage_err("archive dist: expected ARCHIVE_DIR [[LIB] FILE]");
	if (argc == 1) {
		if (archive__dist_text(argv[0], &text, &sz)) {
			p_err("%s", ucb_errmsg());
			return EXIT_FAIL;
		}
		if (json_output)
			dist_json(text, sz);
		else
			fwrite(text, 1, sz, stdout);
		free(text);
		return EXIT_OK;
	}
	ret = ucb_read_file(argv[argc - 1], &data, &sz);
	if (ret) {
		p_err("%s: %s", argv[argc - 1], strerror(-ret));
		return EXIT_FAIL;
	}
	ret = archive__set_dist(argv[0], argc == 3 ? argv[1] : NULL, data, sz);
	free(data);
	if (ret) {
		p_err("%s: %s", argv[argc - 1], ucb_errmsg());
		return EXIT_FAIL;
	}
	if (json_output) {
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "archive", argv[0]);
		jsonw_string_field(json_wtr, "file", argv[argc - 1]);
		jsonw_uint_field(json_wtr, "size", sz);
		jsonw_end_object(json_wtr);
	}
	return EXIT_OK;
}

const struct cmd archive_cmds[] = {
	{ "list", do_list, "archive list ARCHIVE_DIR", NULL },
	{ "show", do_show, "archive show ARCHIVE_DIR LIB [VERSION [ARCH]]", NULL },
	{ "verify", do_verify, "archive verify ARCHIVE_DIR",
	  "Every blob matches its digest and parses as BTF; the needs and rules parse.\n" },
	{ "add", do_add, "archive add ARCHIVE_DIR BLOB [--lib L] [--version V] [--arch A]\n"
	  "            [--build-id ID]... [--soname S] [--object NAME]...\n"
	  "            [--meta-from GEN_BTF_FILE] [--version-rule SOURCE:PREFIX]...", add_doc },
	{ "needs", do_needs, "archive needs ARCHIVE_DIR OBJECT FILE", needs_doc },
	{ "merge", do_merge_parts, "archive merge ARCHIVE_DIR PART_DIR...", merge_doc_ },
	{ "rule", do_rule, "archive rule ARCHIVE_DIR LIB [SOURCE:PREFIX]...", rule_doc },
	{ "dist", do_dist, "archive dist ARCHIVE_DIR [[LIB] FILE]", dist_doc },
	{ 0 }
};
