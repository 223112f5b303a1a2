/* BTF from DWARF through pahole (gen btf --via pahole), for comparison
 * with ucorebtf's own encoder.  Nothing here prints: pahole's output goes
 * to the caller's callback, a failure to the message (ucb_errmsg()). */
#ifndef UCOREBTF_TOOL_PAHOLE_H
#define UCOREBTF_TOOL_PAHOLE_H

struct btf;

/* One line of pahole's output, with its '\n'. */
typedef void (*pahole_line_fn)(void *ctx, const char *line);

/* Run pahole (or $PAHOLE) on dwarf_file and parse the BTF it writes.
 * *unhandled counts its "not handled" warnings (DWARF tags it skips, e.g.
 * _Atomic).  line (may be NULL) gets every line pahole printed.  Returns
 * the BTF, or NULL with errno and the message set. */
struct btf *pahole__encode(const char *dwarf_file, int *unhandled, pahole_line_fn line,
			   void *ctx);

#endif
