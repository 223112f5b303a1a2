/* Version rules (src/lib/vrule.c): the parser refuses every malformed rule
 * (the bundle reader gets them from untrusted input), the command-line form
 * gives the same line, and the matcher reads the token right after an
 * anchored prefix and nothing else.  Prints PASS:/FAIL: lines. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/errmsg.h"
#include "lib/vrule.h"

static int failures;

#define EXPECT(name, cond) do {						\
	if (cond) printf("PASS: vrule: %s\n", name);			\
	else { printf("FAIL: vrule: %s (%s:%d) %s\n", name, __FILE__, __LINE__, ucb_errmsg()); failures++; } \
} while (0)

static int parse(const char *text)
{
	struct ucb_vrules r;
	int err = ucb_vrules_parse(text, strlen(text), &r);

	if (!err)
		ucb_vrules_free(&r);
	return err;
}

/* Rule texts the reader must refuse, and why. */
static const struct { const char *text, *why; } bad[] = {
	{ "lua\tsymbol:lua_ident\t$Lua: Lua ", "no final newline" },
	{ "lua\tsymbol:lua_ident\n", "two fields" },
	{ "lua\tsymbol:lua_ident\t$Lua: Lua \textra\n", "four fields" },
	{ "\tsymbol:lua_ident\t$Lua: Lua \n", "empty library" },
	{ ".lua\tsymbol:lua_ident\t$Lua: Lua \n", "library starting with a dot" },
	{ "lu/a\tsymbol:lua_ident\t$Lua: Lua \n", "library with a slash" },
	{ "lua\tsymbol:\t$Lua: Lua \n", "empty symbol" },
	{ "lua\tsymbol:1abc\t$Lua: Lua \n", "symbol starting with a digit" },
	{ "lua\tsymbol:lua ident\t$Lua: Lua \n", "symbol with a space" },
	{ "lua\tsymbol:a:b\t$Lua: Lua \n", "symbol with a colon" },
	{ "lua\tSymbol:lua_ident\t$Lua: Lua \n", "unknown source (case)" },
	{ "lua\tfile:/etc/passwd\t$Lua: Lua \n", "unknown source" },
	{ "lua\trodata:x\tOpenSSL \n", "rodata with an argument" },
	{ "lua\tneeded:\tOpenSSL \n", "needed without soname" },
	{ "lua\tneeded:../libcrypto.so.3\tOpenSSL \n", "needed soname with a slash" },
	{ "lua\tneeded:lib crypto\tOpenSSL \n", "needed soname with a space" },
	{ "lua\tneeded:a:b\tOpenSSL \n", "needed soname with a colon" },
	{ "lua\trodata\tLua\n", "prefix of 3 bytes" },
	{ "lua\trodata\t\n", "empty prefix" },
	{ "lua\trodata\t1.2.\n", "prefix without a letter" },
	{ "lua\trodata\tLua \x01 \n", "prefix with a control byte" },
	{ "lua\trodata\tLua \xc3\xa9\n", "prefix with non-ASCII bytes" },
	{ "lua\trodata\tLua \x7f\n", "prefix with DEL" },
	{ "lua\trodata\tabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcde\n", "prefix of 65 bytes" },
	{ "lua\trodata\tOpenSSL \nlua\trodata\tOpenSSL \n", "the same rule twice" },
	{ "lua\trodata\tOpenSSL \n\n", "an empty line" },
	{ "lua\trodata\tOpen\0SSL \n", "a NUL byte" },
};

static void test_parse_bad(void)
{
	char name[160];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(name, sizeof(name), "refused: %s", bad[i].why);
		EXPECT(name, parse(bad[i].text) == -EINVAL && strstr(ucb_errmsg(), "rule"));
	}
	/* The NUL case above is cut by strlen: give its real length. */
	{
		static const char nul[] = "lua\trodata\tOpen\0SSL \n";
		struct ucb_vrules r;

		EXPECT("refused: a NUL byte (whole length)",
		       ucb_vrules_parse(nul, sizeof(nul) - 1, &r) == -EINVAL);
	}
}

static void test_parse_limits(void)
{
	char text[8192];
	size_t i, len = 0;

	for (i = 0; i < UCB_MAX_VRULES_PER_LIB + 1; i++)
		len += snprintf(text + len, sizeof(text) - len, "lua\trodata\tLua %zu \n", i);
	EXPECT("refused: more rules for one library than the cap", parse(text) == -E2BIG);
	len = 0;
	for (i = 0; i < UCB_MAX_VRULES_PER_LIB; i++)
		len += snprintf(text + len, sizeof(text) - len, "lua\trodata\tLua %zu \n", i);
	EXPECT("accepted: rules for one library up to the cap", parse(text) == 0);
}

static void test_parse_good(void)
{
	static const char text[] =
		UCB_VRULES_HEADER
		"libssl\tneeded:libcrypto.so.3\tOpenSSL \n"
		"lua\tsymbol:lua_ident\t$LuaVersion: Lua \n"
		"lua\tsymbol:lua_ident\t$Lua: Lua \n"
		"libfoo\trodata\tlibfoo version \n";
	struct ucb_vrules r;

	EXPECT("parses four rules", !ucb_vrules_parse(text, strlen(text), &r) && r.cnt == 4);
	if (r.cnt != 4)
		return;
	EXPECT("needed: kind, argument, prefix", r.r[0].kind == UCB_VRULE_NEEDED &&
	       !strcmp(r.r[0].arg, "libcrypto.so.3") && !strcmp(r.r[0].prefix, "OpenSSL ") &&
	       !strcmp(r.r[0].source, "needed:libcrypto.so.3"));
	EXPECT("symbol: kind, argument, prefix with trailing space", r.r[1].kind == UCB_VRULE_SYMBOL &&
	       !strcmp(r.r[1].arg, "lua_ident") && r.r[1].prefix_len == 17);
	EXPECT("rodata: kind, no argument", r.r[3].kind == UCB_VRULE_RODATA && !r.r[3].arg[0]);
	ucb_vrules_free(&r);
	EXPECT("empty text: no rules", parse("") == 0);
}

static void test_line(void)
{
	char *l;

	l = ucb_vrule_line("lua", "symbol:lua_ident:$LuaVersion: Lua ");
	EXPECT("command-line form: symbol", l && !strcmp(l, "lua\tsymbol:lua_ident\t$LuaVersion: Lua \n"));
	free(l);
	l = ucb_vrule_line("libssl", "needed:libcrypto.so.3:OpenSSL ");
	EXPECT("command-line form: needed", l && !strcmp(l, "libssl\tneeded:libcrypto.so.3\tOpenSSL \n"));
	free(l);
	l = ucb_vrule_line("libfoo", "rodata:libfoo: version ");
	EXPECT("command-line form: rodata, prefix holding a colon",
	       l && !strcmp(l, "libfoo\trodata\tlibfoo: version \n"));
	free(l);
	EXPECT("command-line form: no prefix refused", !ucb_vrule_line("lua", "symbol:lua_ident") && errno == EINVAL);
	EXPECT("command-line form: short prefix refused", !ucb_vrule_line("lua", "rodata:Lua"));
	EXPECT("command-line form: tab in prefix refused", !ucb_vrule_line("lua", "rodata:Lua\t5 "));
	EXPECT("command-line form: newline in prefix refused", !ucb_vrule_line("lua", "rodata:Lua 5\nx"));
	EXPECT("command-line form: bad library refused", !ucb_vrule_line("../x", "rodata:OpenSSL "));
	EXPECT("command-line form: unknown source refused", !ucb_vrule_line("lua", "strings:OpenSSL "));
}

static bool match(const char *rule, const char *s, size_t len, const char *want)
{
	struct ucb_vrules r;
	char out[UCB_VRULE_VERSION_MAX + 1] = "";
	bool ok;

	if (ucb_vrules_parse(rule, strlen(rule), &r))
		return false;
	ok = ucb_vrule_match(&r.r[0], s, len, out, sizeof(out));
	ucb_vrules_free(&r);
	return want ? ok && !strcmp(out, want) : !ok;
}

#define S(x) x, sizeof(x)	/* the string and its NUL */

static void test_match(void)
{
	static const char lua[] = "lua\tsymbol:lua_ident\t$LuaVersion: Lua \n";
	static const char ossl[] = "libssl\trodata\tOpenSSL \n";
	char longv[200];

	EXPECT("match: lua_ident 5.4.6", match(lua, S("$LuaVersion: Lua 5.4.6  Copyright (C) 1994-2023"), "5.4.6"));
	EXPECT("match: OpenSSL date after the version", match(ossl, S("OpenSSL 3.0.19 27 Jan 2026"), "3.0.19"));
	EXPECT("match: letters and +~_- in the token", match(ossl, S("OpenSSL 3.0.0-alpha1+x~y_z rest"), "3.0.0-alpha1+x~y_z"));
	EXPECT("match: a final dot dropped", match(ossl, S("OpenSSL 1.2.3."), "1.2.3"));
	EXPECT("match: final dots dropped (found by fuzz_target)", match(ossl, S("OpenSSL 5..."), "5"));
	EXPECT("match: the whole token (1.1.1w, not 1.1.1)", match(ossl, S("OpenSSL 1.1.1w  11 Sep 2023"), "1.1.1w"));
	EXPECT("match: the whole token (3.0.17, not 3.0.1)", match(ossl, S("OpenSSL 3.0.17 1 Jul 2025"), "3.0.17"));
	EXPECT("no match: prefix not at the start", match(ossl, S("Built with OpenSSL 3.0.19"), NULL));
	EXPECT("no match: HTTP/2.0 is not a version after the prefix", match(ossl, S("HTTP/2.0"), NULL));
	EXPECT("no match: token not starting with a digit", match(ossl, S("OpenSSL v3.0"), NULL));
	EXPECT("no match: prefix only", match(ossl, S("OpenSSL "), NULL));
	EXPECT("no match: case differs", match(ossl, S("openssl 3.0.19"), NULL));
	EXPECT("no match: string cut inside the token (no NUL)", match(ossl, "OpenSSL 3.0.19", 14, NULL));
	memset(longv, '1', sizeof(longv));
	memcpy(longv, "OpenSSL ", 8);
	longv[8 + UCB_VRULE_VERSION_MAX + 1] = 0;
	EXPECT("no match: token longer than the cap", match(ossl, longv, sizeof(longv), NULL));
	longv[8 + UCB_VRULE_VERSION_MAX] = 0;
	EXPECT("match: token of exactly the cap", match(ossl, longv, sizeof(longv), longv + 8));
}

int main(void)
{
	test_parse_bad();
	test_parse_limits();
	test_parse_good();
	test_line();
	test_match();
	return failures ? 1 : 0;
}
