/* Index lines: parsing (strict: the runtime reads them from untrusted
 * bundles), formatting and ordering. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/errmsg.h"
#include "lib/index.h"

bool ucb_valid_name(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 127 || s[0] == '.' || s[0] == '-')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("._+~-", *s)))
			return false;
	return true;
}

bool ucb_valid_hex(const char *s, size_t min_len, size_t max_len)
{
	size_t n = strlen(s);

	if (n < min_len || n > max_len)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

bool ucb_valid_soname(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 127)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 127 || *s == ',' || *s == '/')
			return false;
	return true;
}

/* A list field: "-" or items separated by single commas, each valid. */
static bool valid_list(char *s, bool hex)
{
	char *p, *comma;
	bool ok = true;

	if (!strcmp(s, "-"))
		return true;
	for (p = s; ok; p = comma + 1) {
		comma = strchr(p, ',');
		if (comma)
			*comma = 0;
		ok = hex ? ucb_valid_hex(p, 2, 80) : ucb_valid_name(p);
		if (comma)
			*comma = ',';
		if (!comma)
			break;
	}
	return ok;
}

bool ucb_list_has(const char *list, const char *item)
{
	size_t n = strlen(item);
	const char *p = list;

	if (!n || !strcmp(list, "-"))
		return false;
	while (p && *p) {
		if (!strncmp(p, item, n) && (p[n] == ',' || !p[n]))
			return true;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return false;
}

/* Line lineno of the index into e (pointing into line). */
static int parse_line(char *line, size_t lineno, struct ucb_entry *e)
{
	const char *why = NULL;
	char *f[8], *end;
	int n = 0;

	f[n++] = line;
	for (; *line && n <= 8; line++)
		if (*line == '\t') {
			*line = 0;
			if (n < 8)
				f[n] = line + 1;
			n++;
		}
	if (n != 8)
		return ucb_errf(-EINVAL, "index line %zu: %s", lineno,
				n > 8 ? "more than 8 fields" : "fewer than 8 tab-separated fields");
	e->lib = f[0]; e->version = f[1]; e->arch = f[2]; e->digest = f[3];
	e->soname = f[5]; e->build_ids = f[6]; e->objects = f[7];
	if (!ucb_valid_name(e->lib) || !ucb_valid_name(e->version) || !ucb_valid_name(e->arch))
		why = "bad library, version or arch name";
	else if (!ucb_valid_hex(e->digest, 64, 64))
		why = "bad sha256";
	else if (strcmp(e->soname, "-") && !ucb_valid_soname(e->soname))
		why = "bad soname";
	else if (!valid_list(e->build_ids, true))
		why = "bad build-id list";
	else if (!valid_list(e->objects, false))
		why = "bad object list";
	if (why)
		return ucb_errf(-EINVAL, "index line %zu: %s", lineno, why);
	errno = 0;
	e->size = strtoull(f[4], &end, 10);
	if (errno || *end || end == f[4] || f[4][0] == '-' || e->size == 0 || e->size > (1u << 30))
		return ucb_errf(-EINVAL, "index line %zu: bad size", lineno);
	return 0;
}

/* Room for one more element in a doubling array of *cap elements. */
static int grow(void **arr, size_t *cap, size_t cnt, size_t elem)
{
	size_t n = *cap ? *cap * 2 : 16;
	void *tmp;

	if (cnt < *cap)
		return 0;
	tmp = realloc(*arr, n * elem);
	if (!tmp)
		return ucb_errf(-ENOMEM, "out of memory");
	*arr = tmp;
	*cap = n;
	return 0;
}

/* An entry and the line it came from, to name both lines of a duplicate. */
struct seen {
	const struct ucb_entry *e;
	size_t lineno;
};

static int cmp_seen(const void *a, const void *b)
{
	const struct seen *x = a, *y = b;
	int c = ucb_entry_cmp(x->e, y->e);

	return c ? c : (x->lineno > y->lineno) - (x->lineno < y->lineno);
}

/* Two entries with one (library, version, arch) anywhere in the index,
 * adjacent or not: a reader must not pick one of them (docs/bundle.md). */
static int check_duplicates(const struct ucb_index *idx, const size_t *linenos)
{
	struct seen *v;
	size_t i;
	int ret = 0;

	if (idx->cnt < 2)
		return 0;
	v = malloc(idx->cnt * sizeof(*v));
	if (!v)
		return ucb_errf(-ENOMEM, "out of memory");
	for (i = 0; i < idx->cnt; i++)
		v[i] = (struct seen){ &idx->e[i], linenos[i] };
	qsort(v, idx->cnt, sizeof(*v), cmp_seen);
	for (i = 1; i < idx->cnt && !ret; i++)
		if (!ucb_entry_cmp(v[i - 1].e, v[i].e))
			ret = ucb_errf(-EINVAL, "index line %zu: entry %s %s %s listed twice (also line %zu)",
				       v[i].lineno, v[i].e->lib, v[i].e->version, v[i].e->arch,
				       v[i - 1].lineno);
	free(v);
	return ret;
}

int ucb_index_parse(const char *text, size_t len, struct ucb_index *idx)
{
	char *line, *next;
	size_t lines = 0, cap = 0, lineno = 0, lcap = 0, *linenos = NULL;
	int ret = 0;

	memset(idx, 0, sizeof(*idx));
	if (memchr(text, 0, len))
		return ucb_errf(-EINVAL, "index holds a NUL byte");
	if (len && text[len - 1] != '\n')
		return ucb_errf(-EINVAL, "index does not end with a newline");
	idx->text = malloc(len + 1);
	if (!idx->text)
		return ucb_errf(-ENOMEM, "out of memory for a %zu-byte index", len);
	memcpy(idx->text, text, len);
	idx->text[len] = 0;
	for (line = idx->text; *line; line = next) {
		next = strchr(line, '\n');
		*next++ = 0;
		lineno++;
		if (line[0] == '#')
			continue;
		if (++lines > UCB_MAX_ENTRIES) {
			ret = ucb_errf(-E2BIG, "more than %d entries", UCB_MAX_ENTRIES);
			goto out;
		}
		ret = grow((void **)&idx->e, &cap, idx->cnt, sizeof(*idx->e));
		if (!ret)
			ret = grow((void **)&linenos, &lcap, idx->cnt, sizeof(*linenos));
		if (!ret)
			ret = parse_line(line, lineno, &idx->e[idx->cnt]);
		if (ret)
			goto out;
		linenos[idx->cnt++] = lineno;
	}
	ret = check_duplicates(idx, linenos);
out:
	free(linenos);
	if (ret)
		ucb_index_free(idx);
	return ret;
}

void ucb_index_free(struct ucb_index *idx)
{
	free(idx->e);
	free(idx->text);
	memset(idx, 0, sizeof(*idx));
}

int ucb_entry_cmp(const struct ucb_entry *a, const struct ucb_entry *b)
{
	int c = strcmp(a->lib, b->lib);

	if (!c)
		c = strverscmp(a->version, b->version);
	if (!c)
		c = strcmp(a->version, b->version);
	if (!c)
		c = strcmp(a->arch, b->arch);
	return c;
}

static int cmp_qsort(const void *a, const void *b)
{
	return ucb_entry_cmp(a, b);
}

void ucb_index_sort(struct ucb_index *idx)
{
	if (idx->cnt)
		qsort(idx->e, idx->cnt, sizeof(*idx->e), cmp_qsort);
}

char *ucb_entry_line(const struct ucb_entry *e)
{
	char *s = NULL;

	if (asprintf(&s, "%s\t%s\t%s\t%s\t%llu\t%s\t%s\t%s\n", e->lib, e->version, e->arch,
		     e->digest, (unsigned long long)e->size, e->soname[0] ? e->soname : "-",
		     e->build_ids[0] ? e->build_ids : "-", e->objects[0] ? e->objects : "-") < 0)
		return ucb_errp(-ENOMEM, "out of memory");
	return s;
}

/* The n bytes at s are a C identifier of at most 255 characters. */
static bool valid_ident_n(const char *s, size_t n)
{
	size_t i;

	if (!n || n > 255 || (*s >= '0' && *s <= '9'))
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

bool ucb_valid_ident(const char *s)
{
	return valid_ident_n(s, strlen(s));
}

bool ucb_valid_kind(const char *s)
{
	return !strcmp(s, "struct") || !strcmp(s, "union") || !strcmp(s, "enum") ||
	       !strcmp(s, "typedef");
}

/* "-" or identifiers joined by single dots, at most 1023 characters. */
bool ucb_valid_path(const char *s)
{
	size_t n;

	if (!strcmp(s, "-"))
		return true;
	if (strlen(s) > 1023)
		return false;
	for (;; s += n + 1) {
		n = strcspn(s, ".");
		if (!valid_ident_n(s, n))
			return false;
		if (!s[n])
			return true;
	}
}

int ucb_needs_parse(const char *text, size_t len, struct ucb_needs *nd)
{
	char *line, *next, *f[4], *p;
	size_t cap = 0, lineno = 0;
	int n, ret = 0;

	memset(nd, 0, sizeof(*nd));
	if (memchr(text, 0, len) || (len && text[len - 1] != '\n'))
		return ucb_errf(-EINVAL, "needs: NUL byte or no final newline");
	nd->text = malloc(len + 1);
	if (!nd->text)
		return ucb_errf(-ENOMEM, "out of memory for %zu bytes of needs", len);
	memcpy(nd->text, text, len);
	nd->text[len] = 0;
	for (line = nd->text; *line; line = next) {
		next = strchr(line, '\n');
		*next++ = 0;
		lineno++;
		if (line[0] == '#')
			continue;
		for (n = 1, f[0] = line, p = line; *p; p++)
			if (*p == '\t') {
				if (n == 4)
					break;
				*p = 0;
				f[n++] = p + 1;
			}
		if (n != 4 || *p || !ucb_valid_name(f[0]) || !ucb_valid_kind(f[1]) ||
		    !ucb_valid_ident(f[2]) || !ucb_valid_path(f[3])) {
			ret = ucb_errf(-EINVAL, "needs line %zu: expected object, kind, name, path", lineno);
			goto out;
		}
		if (nd->cnt == UCB_MAX_NEEDS) {
			ret = ucb_errf(-E2BIG, "more than %d needs", UCB_MAX_NEEDS);
			goto out;
		}
		ret = grow((void **)&nd->n, &cap, nd->cnt, sizeof(*nd->n));
		if (ret)
			goto out;
		nd->n[nd->cnt++] = (struct ucb_need){ f[0], f[1], f[2], f[3] };
	}
out:
	if (ret)
		ucb_needs_free(nd);
	return ret;
}

void ucb_needs_free(struct ucb_needs *nd)
{
	free(nd->n);
	free(nd->text);
	memset(nd, 0, sizeof(*nd));
}

int ucb_index_text(const struct ucb_index *idx, char **text, size_t *len)
{
	FILE *f = open_memstream(text, len);
	size_t i;
	char *line;
	int err = 0;

	if (!f)
		return ucb_errf(-ENOMEM, "out of memory");
	fputs(UCB_INDEX_HEADER, f);
	for (i = 0; i < idx->cnt && !err; i++) {
		line = ucb_entry_line(&idx->e[i]);
		if (!line)
			err = ucb_errf(-ENOMEM, "out of memory");
		else
			fputs(line, f);
		free(line);
	}
	if (fclose(f) && !err)
		err = ucb_errf(-ENOMEM, "out of memory");
	if (err) {
		free(*text);
		*text = NULL;
	}
	return err;
}
