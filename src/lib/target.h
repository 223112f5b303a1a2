/* What the runtime learns about a target binary (executable or shared
 * library) to pick its bundle entry: GNU build-id, soname, arch, DT_NEEDED,
 * and version strings. */
#ifndef UCOREBTF_TARGET_H
#define UCOREBTF_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include "lib/elf_id.h"
#include "lib/names.h"

struct ucb_target {
	char *path;
	char build_id[2 * UCB_BUILD_ID_MAX + 1];
	char soname[128];
	char arch[16];
	char lua_version[64];	/* from the lua_ident symbol, "" if none */
	char **needed;		/* DT_NEEDED */
	size_t needed_cnt;
	char *rodata;		/* .rodata contents, for version tokens */
	size_t rodata_sz;
};

/* Returns 0 or -errno with the message set (naming path). */
int ucb_target_read(const char *path, struct ucb_target *t);
void ucb_target_free(struct ucb_target *t);

/* Does version occur in .rodata as a whole token (not inside a longer
 * version: "5.4" does not match "5.4.6")? */
int ucb_target_has_version(const struct ucb_target *t, const char *version);

/* Path of a DT_NEEDED library: next to the target, else the usual
 * library directories.  Returns 0 with *out malloc'ed, or -ENOENT or
 * -ENOMEM with the message set. */
int ucb_target_find_needed(const struct ucb_target *t, const char *needed, char **out);

#endif
