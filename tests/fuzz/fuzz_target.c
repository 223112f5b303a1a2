/* Target ELF identity, as the runtime reads a binary it is asked to probe
 * (any file on the system, possibly crafted): ucb_target_read() on the input
 * as a file (build-id, soname, arch, DT_NEEDED, lua_ident, .rodata), the
 * version-token scan over what it read, and ucb_elf_id_read() on the input
 * in memory (the reader gen btf records identities with). */
#include <libelf.h>
#include "lib/elf_id.h"
#include "lib/target.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_init_common();
	elf_version(EV_CURRENT);
	return 0;
}

/* A fixed-size field must hold a C string of that size. */
#define check_field(f) do { if (!memchr((f), 0, sizeof(f))) fuzz_die(#f " is not terminated"); } while (0)

static void target(const uint8_t *data, size_t size)
{
	static const char *const versions[] = { "1", "2.0", "5.4", "5.4.6", "3.0.17", "1.1.1w" };
	struct ucb_target t;
	size_t i;

	if (ucb_target_read(fuzz_file(data, size), &t))
		return;
	check_field(t.build_id);
	check_field(t.soname);
	check_field(t.arch);
	check_field(t.lua_version);
	for (i = 0; i < t.needed_cnt; i++)
		if (!t.needed[i])
			fuzz_die("DT_NEEDED %zu is NULL", i);
	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
		(void)ucb_target_has_version(&t, versions[i]);
	if (t.lua_version[0])
		(void)ucb_target_has_version(&t, t.lua_version);
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
