/* What the runtime learns about a target binary (executable or shared
 * library) to pick its bundle entry: its identity (GNU build-id, soname,
 * arch, file name), its DT_NEEDED list, and, only when a version rule asks,
 * the version a string in it gives. */
#ifndef UCOREBTF_TARGET_H
#define UCOREBTF_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include "lib/elf_id.h"
#include "lib/names.h"
#include "lib/vrule.h"

struct ucb_target {
	char *path;
	const char *base;	/* file name part of path */
	char build_id[2 * UCB_BUILD_ID_MAX + 1];
	char soname[128];	/* "" if none */
	char arch[16];
	char **needed;		/* DT_NEEDED */
	size_t needed_cnt;
};

/* Read the identity and DT_NEEDED of the ELF at path (a regular file).
 * Returns 0 or -errno with the message set (naming path). */
int ucb_target_read(const char *path, struct ucb_target *t);
void ucb_target_free(struct ucb_target *t);

/* Does t identify as library lib whose entry records soname ("-" or ""
 * for none)?  A target with a DT_SONAME: exactly when it equals soname.
 * One without (an executable, a soname-less build): when its file name
 * is lib, or lib or "lib" + lib followed by ".so" and nothing or a
 * numeric suffix ("libfoo.so", "libfoo.so.1.2" for libfoo or foo; not
 * "libfoo.so.1x", not "libfoobar.so"). */
bool ucb_target_is(const struct ucb_target *t, const char *lib, const char *soname);

/* The version rule r reads from t (or, for needed:SONAME, from the
 * DT_NEEDED library SONAME found next to t or in the usual library
 * directories, whose own soname must be SONAME).  Returns 1 with out set,
 * 0 if the rule finds nothing (*why says why, a static string), -EEXIST
 * if it finds different versions (message set), or another -errno. */
int ucb_target_rule_version(const struct ucb_target *t, const struct ucb_vrule *r, char *out,
			    size_t out_sz, const char **why);

/* Path of a DT_NEEDED library: next to the target, else the usual
 * library directories.  Returns 0 with *out malloc'ed, or -ENOENT or
 * -ENOMEM with the message set. */
int ucb_target_find_needed(const struct ucb_target *t, const char *needed, char **out);

#endif
