/* Index and needs text, as read from a bundle's INDX and NEED sections and
 * from an archive: every input is parsed both ways.  An accepted index
 * must survive its own writer: each entry's line parses again to the same
 * line (the archive rewrites index.tsv from parsed entries). */
#include "lib/errmsg.h"
#include "lib/index.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_init_common();
	return 0;
}

static void roundtrip(const struct ucb_entry *e)
{
	struct ucb_index again;
	char *line, *line2;

	line = ucb_entry_line(e);
	if (!line)
		fuzz_die("ucb_entry_line: %s", strerror(errno));
	if (ucb_index_parse(line, strlen(line), &again))
		fuzz_die("own line does not parse: %s: %s", ucb_errmsg(), line);
	if (again.cnt != 1)
		fuzz_die("own line gives %zu entries: %s", again.cnt, line);
	line2 = ucb_entry_line(&again.e[0]);
	if (!line2 || strcmp(line, line2))
		fuzz_die("line changes when written again: %s -> %s", line, line2 ? line2 : "(null)");
	free(line2);
	free(line);
	ucb_index_free(&again);
}

static void index_text(const char *text, size_t len)
{
	struct ucb_index idx;
	size_t i;

	if (ucb_index_parse(text, len, &idx))
		return;
	for (i = 0; i < idx.cnt; i++) {
		const struct ucb_entry *e = &idx.e[i];

		roundtrip(e);
		/* the runtime's lookups */
		(void)ucb_list_has(e->build_ids, "ab391f87e348a2e381d69b903a975299a5f2ea23");
		(void)ucb_list_has(e->objects, "seed");
	}
	ucb_index_sort(&idx);
	for (i = 1; i < idx.cnt; i++)
		if (ucb_entry_cmp(&idx.e[i - 1], &idx.e[i]) > 0)
			fuzz_die("index not sorted after ucb_index_sort at %zu", i);
	ucb_index_free(&idx);
}

static void needs_text(const char *text, size_t len)
{
	struct ucb_needs nd;
	size_t i;

	if (ucb_needs_parse(text, len, &nd))
		return;
	for (i = 0; i < nd.cnt; i++)
		if (!ucb_valid_name(nd.n[i].object) || !ucb_valid_kind(nd.n[i].kind) ||
		    !ucb_valid_ident(nd.n[i].name) || !ucb_valid_path(nd.n[i].path))
			fuzz_die("needs line %zu accepted with an invalid field", i);
	ucb_needs_free(&nd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	index_text((const char *)data, size);
	needs_text((const char *)data, size);
	return 0;
}
