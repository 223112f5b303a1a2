/* Version rules: one parser for the archive writer and the bundle reader,
 * one matcher for the runtime (lib/vrule.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/errmsg.h"
#include "lib/index.h"
#include "lib/vrule.h"

static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_ver_char(char c) { return is_alpha(c) || is_digit(c) || (c && strchr(".+~_-", c)); }

/* A symbol as ELF symbol tables spell C and C++ names, versioned ones too
 * ("foo@@V1"); no ':' (the command-line form uses it as separator). */
static bool valid_symbol(const char *s, size_t n)
{
	size_t i;

	if (!n || n > UCB_VRULE_ARG_MAX || is_digit(s[0]))
		return false;
	for (i = 0; i < n; i++)
		if (!is_alpha(s[i]) && !is_digit(s[i]) && !strchr("_.$@", s[i]))
			return false;
	return true;
}

static bool valid_needed(const char *s, size_t n)
{
	char buf[UCB_VRULE_ARG_MAX + 1];

	if (!n || n > UCB_VRULE_ARG_MAX || memchr(s, ':', n))
		return false;
	memcpy(buf, s, n);
	buf[n] = 0;
	return ucb_valid_soname(buf);
}

/* Printable ASCII (no tab, no newline), bounded, with a letter: a prefix
 * of digits and dots alone would be the free-floating version token rules
 * exist to avoid. */
static const char *check_prefix(const char *s, size_t n)
{
	bool letter = false;
	size_t i;

	if (n < UCB_VRULE_PREFIX_MIN || n > UCB_VRULE_PREFIX_MAX)
		return "prefix must be 4 to 64 bytes";
	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] < ' ' || (unsigned char)s[i] > '~')
			return "prefix must be printable ASCII";
		letter |= is_alpha(s[i]);
	}
	return letter ? NULL : "prefix must hold a letter";
}

/* Source text of n bytes: its kind and argument (pointing into s). */
static const char *check_source(const char *s, size_t n, enum ucb_vrule_kind *kind,
				const char **arg, size_t *arg_len)
{
	if (n == 6 && !memcmp(s, "rodata", 6)) {
		*kind = UCB_VRULE_RODATA;
		*arg = s + n;
		*arg_len = 0;
		return NULL;
	}
	if (n > 7 && !memcmp(s, "symbol:", 7)) {
		*kind = UCB_VRULE_SYMBOL;
		*arg = s + 7;
		*arg_len = n - 7;
		return valid_symbol(*arg, *arg_len) ? NULL : "bad symbol name";
	}
	if (n > 7 && !memcmp(s, "needed:", 7)) {
		*kind = UCB_VRULE_NEEDED;
		*arg = s + 7;
		*arg_len = n - 7;
		return valid_needed(*arg, *arg_len) ? NULL : "bad soname";
	}
	return "source must be symbol:NAME, rodata or needed:SONAME";
}

/* Line lineno (NUL-terminated, tabs still in) into r, pointing into it. */
static int parse_line(char *line, size_t lineno, struct ucb_vrule *r)
{
	char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
	const char *why = NULL, *arg;
	size_t arg_len;

	if (!t1 || !t2 || strchr(t2 + 1, '\t'))
		return ucb_errf(-EINVAL, "rule line %zu: expected 3 tab-separated fields", lineno);
	*t1 = *t2 = 0;
	r->lib = line;
	r->source = t1 + 1;
	r->prefix = t2 + 1;
	r->prefix_len = strlen(r->prefix);
	if (!ucb_valid_name(r->lib))
		why = "bad library name";
	else
		why = check_source(r->source, strlen(r->source), &r->kind, &arg, &arg_len);
	if (!why)
		why = check_prefix(r->prefix, r->prefix_len);
	if (why)
		return ucb_errf(-EINVAL, "rule line %zu: %s", lineno, why);
	r->arg = arg;	/* the argument ends where the source does */
	return 0;
}

static int cmp_rule(const struct ucb_vrule *a, const struct ucb_vrule *b)
{
	int c = strcmp(a->lib, b->lib);

	if (!c)
		c = strcmp(a->source, b->source);
	return c ? c : strcmp(a->prefix, b->prefix);
}

/* No line twice; at most UCB_MAX_VRULES_PER_LIB per library. */
static int check_counts(const struct ucb_vrules *rules)
{
	size_t i, j, n;

	for (i = 0; i < rules->cnt; i++) {
		for (j = n = 0; j < rules->cnt; j++) {
			if (strcmp(rules->r[i].lib, rules->r[j].lib))
				continue;
			if (j < i && !cmp_rule(&rules->r[i], &rules->r[j]))
				return ucb_errf(-EINVAL, "rule for %s listed twice", rules->r[i].lib);
			n++;
		}
		if (n > UCB_MAX_VRULES_PER_LIB)
			return ucb_errf(-E2BIG, "more than %d rules for %s", UCB_MAX_VRULES_PER_LIB,
					rules->r[i].lib);
	}
	return 0;
}

int ucb_vrules_parse(const char *text, size_t len, struct ucb_vrules *rules)
{
	size_t lineno = 0, cap = 0;
	char *line, *next;
	void *tmp;
	int ret = 0;

	memset(rules, 0, sizeof(*rules));
	if (memchr(text, 0, len))
		return ucb_errf(-EINVAL, "rules hold a NUL byte");
	if (len && text[len - 1] != '\n')
		return ucb_errf(-EINVAL, "rules do not end with a newline");
	rules->text = malloc(len + 1);
	if (!rules->text)
		return ucb_errf(-ENOMEM, "out of memory for %zu bytes of rules", len);
	memcpy(rules->text, text, len);
	rules->text[len] = 0;
	for (line = rules->text; *line && !ret; line = next) {
		next = strchr(line, '\n');
		*next++ = 0;
		lineno++;
		if (line[0] == '#')
			continue;
		if (rules->cnt == UCB_MAX_VRULES) {
			ret = ucb_errf(-E2BIG, "more than %d rules", UCB_MAX_VRULES);
			break;
		}
		if (rules->cnt == cap) {
			cap = cap ? 2 * cap : 8;
			tmp = realloc(rules->r, cap * sizeof(*rules->r));
			if (!tmp) {
				ret = ucb_errf(-ENOMEM, "out of memory");
				break;
			}
			rules->r = tmp;
		}
		ret = parse_line(line, lineno, &rules->r[rules->cnt]);
		if (!ret)
			rules->cnt++;
	}
	if (!ret)
		ret = check_counts(rules);
	if (ret)
		ucb_vrules_free(rules);
	return ret;
}

void ucb_vrules_free(struct ucb_vrules *rules)
{
	free(rules->r);
	free(rules->text);
	memset(rules, 0, sizeof(*rules));
}

char *ucb_vrule_line(const char *lib, const char *spec)
{
	const char *colon, *why, *arg;
	struct ucb_vrules one;
	size_t src_len, arg_len;
	char *line;

	if (!ucb_valid_name(lib))
		return ucb_errp(-EINVAL, "version rule for '%s': bad library name", lib);
	/* SOURCE ends at the first ':' (rodata), or the second (symbol:NAME,
	 * needed:SONAME: neither name holds a ':'). */
	colon = strchr(spec, ':');
	if (colon && (!strncmp(spec, "symbol:", 7) || !strncmp(spec, "needed:", 7)))
		colon = strchr(colon + 1, ':');
	if (!colon)
		return ucb_errp(-EINVAL, "version rule '%s': expected SOURCE:PREFIX", spec);
	src_len = colon - spec;
	why = check_source(spec, src_len, &(enum ucb_vrule_kind){ 0 }, &arg, &arg_len);
	if (why)
		return ucb_errp(-EINVAL, "version rule '%s': %s", spec, why);
	why = check_prefix(colon + 1, strlen(colon + 1));
	if (why)
		return ucb_errp(-EINVAL, "version rule '%s': %s", spec, why);
	if (asprintf(&line, "%s\t%.*s\t%s\n", lib, (int)src_len, spec, colon + 1) < 0)
		return ucb_errp(-ENOMEM, "out of memory");
	/* What is written is what a reader accepts. */
	if (ucb_vrules_parse(line, strlen(line), &one)) {
		free(line);
		return NULL;
	}
	ucb_vrules_free(&one);
	return line;
}

bool ucb_vrule_match(const struct ucb_vrule *r, const char *s, size_t len, char *out,
		     size_t out_sz)
{
	size_t n;

	if (len <= r->prefix_len || memcmp(s, r->prefix, r->prefix_len))
		return false;
	s += r->prefix_len;
	len -= r->prefix_len;
	if (!is_digit(s[0]))
		return false;
	for (n = 1; n < len && is_ver_char(s[n]); n++)
		;
	/* A token that runs to the end of the bytes given may go on: unknown. */
	if (n == len)
		return false;
	/* A sentence may end with the version: "1.2.3." (or "5..") is 1.2.3. */
	while (s[n - 1] == '.')
		n--;
	if (n > UCB_VRULE_VERSION_MAX || n >= out_sz)
		return false;
	memcpy(out, s, n);
	out[n] = 0;
	return true;
}
