/* Target ELF identity, as the runtime reads a binary it is asked to probe
 * (any file on the system, possibly crafted): ucb_target_read() on the input
 * as a file (build-id, soname, arch, DT_NEEDED), which libraries it
 * identifies as, the version rules applied to it (a data symbol's string,
 * .rodata strings, a DT_NEEDED library's .rodata), and ucb_elf_id_read() on
 * the input in memory (the reader gen btf records identities with). */
#include <libelf.h>
#include "lib/elf_id.h"
#include "lib/errmsg.h"
#include "lib/target.h"
#include "lib/vrule.h"
#include "fuzz.h"

/* Rules of each source; libz.so.1 is small, and a DT_NEEDED the inputs
 * of tests/fixtures/fuzz/target/ have. */
static const char rules_text[] =
	"lua\tsymbol:lua_ident\t$LuaVersion: Lua \n"
	"lua\tsymbol:lua_ident\t$Lua: Lua \n"
	"libfoo\trodata\tlibfoo version \n"
	"libssl\trodata\tOpenSSL \n"
	"libz\tneeded:libz.so.1\tinflate \n";
static struct ucb_vrules rules;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_init_common();
	elf_version(EV_CURRENT);
	if (ucb_vrules_parse(rules_text, sizeof(rules_text) - 1, &rules))
		fuzz_die("rules: %s", ucb_errmsg());
	return 0;
}

/* A fixed-size field must hold a C string of that size. */
#define check_field(f) do { if (!memchr((f), 0, sizeof(f))) fuzz_die(#f " is not terminated"); } while (0)

/* A version a rule read: the token the rule describes, whole. */
static void check_version(const char *v)
{
	size_t n = strlen(v);

	if (!n || n > UCB_VRULE_VERSION_MAX || v[0] < '0' || v[0] > '9' ||
	    strspn(v, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.+~_-") != n ||
	    v[n - 1] == '.')
		fuzz_die("rule read a malformed version '%s'", v);
}

static void target(const uint8_t *data, size_t size)
{
	char ver[UCB_VRULE_VERSION_MAX + 1];
	struct ucb_target t;
	const char *why;
	size_t i;
	int r;

	if (ucb_target_read(fuzz_file(data, size), &t))
		return;
	check_field(t.build_id);
	check_field(t.soname);
	check_field(t.arch);
	for (i = 0; i < t.needed_cnt; i++)
		if (!t.needed[i])
			fuzz_die("DT_NEEDED %zu is NULL", i);
	(void)ucb_target_is(&t, "input", NULL);
	(void)ucb_target_is(&t, "lua", "liblua5.4.so.0");
	for (i = 0; i < rules.cnt; i++) {
		r = ucb_target_rule_version(&t, &rules.r[i], ver, sizeof(ver), &why);
		if (r == 1)
			check_version(ver);
		else if (!r && !why)
			fuzz_die("rule %zu found nothing and says no why", i);
		else if (r < 0 && !ucb_errmsg()[0])
			fuzz_die("rule %zu failed (%d) without a message", i, r);
	}
	ucb_target_free(&t);
}

static void elf_id(const uint8_t *data, size_t size)
{
	/* libelf may write to the image it is given: a private copy */
	char *copy = malloc(size ? size : 1);
	struct ucb_elf_id id;
	Elf *elf;

	if (!copy)
		fuzz_die("out of memory");
	memcpy(copy, data, size);
	elf = elf_memory(copy, size);
	if (elf && !ucb_elf_id_read(elf, &id)) {
		check_field(id.build_id);
		check_field(id.soname);
		check_field(id.arch);
		if (strlen(id.build_id) % 2)
			fuzz_die("build-id of odd length %zu", strlen(id.build_id));
	}
	elf_end(elf);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	target(data, size);
	elf_id(data, size);
	return 0;
}
