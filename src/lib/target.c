/* Reading a target ELF with libelf: build-id note, dynamic section,
 * lua_ident, .rodata. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lib/elf_id.h"
#include "lib/errmsg.h"
#include "lib/target.h"

#define ERR(code, ...) do { ret = ucb_errf(code, __VA_ARGS__); goto out; } while (0)

static int add_needed(struct ucb_target *t, const char *name)
{
	char **v = realloc(t->needed, (t->needed_cnt + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	t->needed = v;
	v[t->needed_cnt] = strdup(name);
	if (!v[t->needed_cnt])
		return -ENOMEM;
	t->needed_cnt++;
	return 0;
}

/* The string a symbol (a char array) holds, e.g. lua_ident. */
static void symbol_string(Elf *elf, GElf_Sym *sym, char *out, size_t out_sz)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	Elf_Data *d;
	size_t off, n;

	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS ||
		    sym->st_value < sh.sh_addr || sym->st_value >= sh.sh_addr + sh.sh_size)
			continue;
		d = elf_getdata(scn, NULL);
		off = sym->st_value - sh.sh_addr;
		if (!d || !d->d_buf || off >= d->d_size)
			return;
		n = strnlen((char *)d->d_buf + off, d->d_size - off);
		snprintf(out, out_sz, "%.*s", (int)(n < out_sz ? n : out_sz - 1), (char *)d->d_buf + off);
		return;
	}
}

/* "$LuaVersion: Lua 5.4.6  Copyright ..." -> "5.4.6" */
static void lua_version(const char *ident, char *out, size_t out_sz)
{
	const char *p = strstr(ident, "Lua ");
	size_t n;

	if (!p)
		return;
	p += 4;
	n = strspn(p, "0123456789.");
	if (n && n < out_sz)
		snprintf(out, out_sz, "%.*s", (int)n, p);
}

static void scan_symbols(Elf *elf, Elf_Scn *scn, GElf_Shdr *sh, struct ucb_target *t)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	char ident[256] = "";
	GElf_Sym sym;
	const char *name;
	size_t i, n;

	if (!d || !sh->sh_entsize || t->lua_version[0])
		return;
	n = sh->sh_size / sh->sh_entsize;
	for (i = 1; i < n; i++) {
		if (!gelf_getsym(d, i, &sym) || sym.st_shndx == SHN_UNDEF)
			continue;
		name = elf_strptr(elf, sh->sh_link, sym.st_name);
		if (name && !strcmp(name, "lua_ident")) {
			symbol_string(elf, &sym, ident, sizeof(ident));
			lua_version(ident, t->lua_version, sizeof(t->lua_version));
			return;
		}
	}
}

int ucb_target_read(const char *path, struct ucb_target *t)
{
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;
	GElf_Shdr sh;
	GElf_Dyn dyn;
	Elf_Data *d;
	size_t shstrndx, i;
	const char *name;
	struct ucb_elf_id id;
	Elf *elf = NULL;
	int fd, ret = 0;

	memset(t, 0, sizeof(*t));
	t->path = strdup(path);
	if (!t->path)
		return ucb_errf(-ENOMEM, "%s: out of memory", path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = ucb_errf(-errno, "%s: %s", path, strerror(errno));
		ucb_target_free(t);
		return ret;
	}
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh) ||
	    elf_getshdrstrndx(elf, &shstrndx))
		ERR(-EINVAL, "%s: not an ELF file", path);
	if (ucb_elf_id_read(elf, &id))
		ERR(-EINVAL, "%s: %s", path, ucb_errmsg());
	memcpy(t->build_id, id.build_id, sizeof(t->build_id));
	memcpy(t->soname, id.soname, sizeof(t->soname));
	memcpy(t->arch, id.arch, sizeof(t->arch));
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (sh.sh_type == SHT_DYNAMIC && (d = elf_getdata(scn, NULL))) {
			for (i = 0; sh.sh_entsize && i < sh.sh_size / sh.sh_entsize; i++) {
				if (!gelf_getdyn(d, i, &dyn))
					break;
				name = NULL;
				if (dyn.d_tag == DT_NEEDED)
					name = elf_strptr(elf, sh.sh_link, dyn.d_un.d_val);
				if (name && add_needed(t, name))
					ERR(-ENOMEM, "%s: out of memory", path);
			}
		} else if (sh.sh_type == SHT_DYNSYM || sh.sh_type == SHT_SYMTAB) {
			scan_symbols(elf, scn, &sh, t);
		} else if (name && !strcmp(name, ".rodata") && sh.sh_type == SHT_PROGBITS &&
			   !t->rodata && (d = elf_getdata(scn, NULL)) && d->d_buf && d->d_size) {
			t->rodata = malloc(d->d_size);
			if (!t->rodata)
				ERR(-ENOMEM, "%s: out of memory for .rodata", path);
			memcpy(t->rodata, d->d_buf, d->d_size);
			t->rodata_sz = d->d_size;
		}
	}
out:
	elf_end(elf);
	close(fd);
	if (ret)
		ucb_target_free(t);
	return ret;
}

void ucb_target_free(struct ucb_target *t)
{
	size_t i;

	for (i = 0; i < t->needed_cnt; i++)
		free(t->needed[i]);
	free(t->needed);
	free(t->rodata);
	free(t->path);
	t->path = NULL;
	t->needed = NULL;
	t->needed_cnt = 0;
	t->rodata = NULL;
	t->rodata_sz = 0;
}

static int is_ver_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '.' || c == '-' || c == '_' || c == '+' || c == '~';
}

int ucb_target_has_version(const struct ucb_target *t, const char *version)
{
	size_t n = strlen(version);
	const char *p = t->rodata, *end = t->rodata + t->rodata_sz;

	if (!n || !p)
		return 0;
	while ((p = memmem(p, end - p, version, n))) {
		/* A version ending a sentence ("1.2.") still counts. */
		bool before = p == t->rodata || !is_ver_char(p[-1]);
		bool after = p + n == end || !is_ver_char(p[n]) ||
			     (p[n] == '.' && (p + n + 1 == end || !is_ver_char(p[n + 1])));

		if (before && after)
			return 1;
		p++;
	}
	return 0;
}

/* *out = dir/name if readable, else NULL.  Returns 0 or -ENOMEM. */
static int readable(const char *dir, int dir_len, const char *name, char **out)
{
	if (asprintf(out, "%.*s/%s", dir_len, dir, name) < 0) {
		*out = NULL;
		return ucb_errf(-ENOMEM, "out of memory");
	}
	if (!access(*out, R_OK))
		return 0;
	free(*out);
	*out = NULL;
	return 0;
}

int ucb_target_find_needed(const struct ucb_target *t, const char *needed, char **out)
{
	static const char *const dirs[] = {
		"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
		"/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib",
		"/usr/local/lib", NULL,
	};
	const char *slash = strrchr(t->path, '/');
	int i, err = 0;

	*out = NULL;
	if (strchr(needed, '/'))
		return ucb_errf(-ENOENT, "%s: DT_NEEDED %s is a path", t->path, needed);
	if (slash)
		err = readable(t->path, (int)(slash - t->path), needed, out);
	for (i = 0; dirs[i] && !err && !*out; i++)
		err = readable(dirs[i], (int)strlen(dirs[i]), needed, out);
	if (err || *out)
		return err;
	return ucb_errf(-ENOENT, "%s: DT_NEEDED %s not found", t->path, needed);
}
