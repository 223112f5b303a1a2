/* Version rules: how the runtime reads a library's version from a target
 * binary when no entry has the target's build-id (docs/runtime.md, "How an
 * entry is chosen").  A rule is recorded per library when the archive is
 * made and travels in the bundle; the archive writer and the bundle reader
 * both parse it with this code, so a rule means the same thing to both.
 *
 * One rule per line, tab-separated, as in ARCHIVE/rules.tsv and a bundle's
 * RULE record:
 *
 *   library \t source \t prefix
 *
 *   source  symbol:NAME    the string a defined data symbol holds (lua_ident)
 *           rodata         a string in .rodata
 *           needed:SONAME  a string in the .rodata of that DT_NEEDED library
 *                          (read only when the caller allows it)
 *   prefix  printable ASCII, 4 to 64 bytes, at least one letter
 *
 * The version is the token right after the prefix at the start of the
 * string: [0-9][0-9A-Za-z.+~_-]*, at most UCB_VRULE_VERSION_MAX bytes,
 * final '.'s dropped.  A library may have several rules (Lua 5.1 says
 * "$Lua: Lua 5.1.5", later releases "$LuaVersion: Lua 5.4.6"); what they
 * read must agree. */
#ifndef UCOREBTF_LIB_VRULE_H
#define UCOREBTF_LIB_VRULE_H

#include <stdbool.h>
#include <stddef.h>

#define UCB_VRULES_HEADER "# ucorebtf version rules v1: library\tsource\tprefix\n"
#define UCB_VRULE_PREFIX_MIN 4
#define UCB_VRULE_PREFIX_MAX 64
#define UCB_VRULE_ARG_MAX 127		/* symbol name or soname */
#define UCB_VRULE_VERSION_MAX 64
#define UCB_MAX_VRULES 4096
#define UCB_MAX_VRULES_PER_LIB 8

enum ucb_vrule_kind { UCB_VRULE_SYMBOL, UCB_VRULE_RODATA, UCB_VRULE_NEEDED };

struct ucb_vrule {
	const char *lib;
	const char *source;		/* as written: "symbol:lua_ident" */
	const char *arg;		/* symbol name or soname; "" for rodata */
	const char *prefix;
	size_t prefix_len;
	enum ucb_vrule_kind kind;
};

struct ucb_vrules {
	struct ucb_vrule *r;
	size_t cnt;
	char *text;			/* owns the strings the rules point into */
};

/* Parse rules text (need not be NUL-terminated; '#' lines are comments;
 * every line ends with '\n').  Strict: the bundle reader gets it from
 * untrusted input.  Duplicate lines and more than UCB_MAX_VRULES_PER_LIB
 * rules for one library are refused.  Returns 0 or -errno with the message
 * set ("rule line N: ..."). */
int ucb_vrules_parse(const char *text, size_t len, struct ucb_vrules *rules);
void ucb_vrules_free(struct ucb_vrules *rules);

/* The rule line for library lib from the command-line form SOURCE:PREFIX
 * ("symbol:lua_ident:$LuaVersion: Lua ", "rodata:OpenSSL ",
 * "needed:libcrypto.so.3:OpenSSL "), checked as the parser checks it.
 * Returns a malloc'ed "lib\tsource\tprefix\n", or NULL with errno and the
 * message set. */
char *ucb_vrule_line(const char *lib, const char *spec);

/* The version s gives by rule r: s (a string of len bytes, at most up to
 * its first NUL) must start with r's prefix and a version token follow.
 * Returns true with out set (out_sz > UCB_VRULE_VERSION_MAX), else false. */
bool ucb_vrule_match(const struct ucb_vrule *r, const char *s, size_t len, char *out,
		     size_t out_sz);

#endif
