/* Where the DWARF of a binary is: in the binary itself, or in a separate
 * debug file found by build-id (/usr/lib/debug/.build-id/, or the same
 * under the root of an unpacked package tree: --debug-root), through
 * .gnu_debuglink, from debuginfod (DEBUGINFOD_URLS), or given by the user
 * (--debug-file).  gen btf encodes what this finds.
 *
 * Nothing here prints.  A failure returns -errno with one message
 * (ucb_errmsg()) that names the binary and says what was tried. */
#ifndef UCOREBTF_TOOL_DEBUGINFO_H
#define UCOREBTF_TOOL_DEBUGINFO_H

#include <stdbool.h>
#include <stddef.h>
#include "lib/elf_id.h"

/* What the lookup needs to know about an ELF file. */
struct debuginfo_elf {
	bool has_dwarf;			/* a non-empty .debug_info */
	struct ucb_elf_id id;		/* build-id, soname, arch: as the runtime reads them */
	char debuglink[256];		/* .gnu_debuglink's file name, "" if none */
};

/* Read path's identity and debug sections.  Returns 0, or -errno with the
 * message ("PATH: why": missing, a directory, empty, not ELF) set. */
int debuginfo__read_elf(const char *path, struct debuginfo_elf *info);

/* The file holding the DWARF of elf_path (whose info was read): elf_path
 * itself if it has DWARF, else the first usable debug file (DWARF and, when
 * both carry one, the same build-id) of: the build-id directory, the
 * .gnu_debuglink targets (next to the binary, in .debug/, under
 * /usr/lib/debug), debuginfod, then debug_file (may be NULL).  debug_root
 * (NULL or "/" for the system) is the root the two /usr/lib/debug lookups
 * are made under: an unpacked debug package (dpkg-deb -x).  Writes its
 * path to out.  Returns 0, or -ENOENT with the message set. */
int debuginfo__find(const char *elf_path, const struct debuginfo_elf *info,
		    const char *debug_root, const char *debug_file, char *out, size_t out_sz);

/* The dwz supplementary file a debug file names (.gnu_debugaltlink), under
 * debug_root: ROOT + its path, else ROOT/usr/lib/debug/.build-id/ by its
 * build-id.  Writes its path to out.  Returns 0, -ENOENT when the file names
 * none or it is not under the root (libdw then looks on the system). */
int debuginfo__find_alt(const char *debug_path, const char *debug_root, char *out, size_t out_sz);

#endif
