/* Reading a target ELF with libelf: identity (build-id note, soname, arch),
 * DT_NEEDED, and the strings a version rule names.  Targets are any file a
 * caller points at, so the file must be a regular file (a FIFO would block)
 * and is read, not mapped (a file truncated under us is an error, not
 * SIGBUS). */
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
#include "lib/fileio.h"
#include "lib/target.h"

/* The most a symbol's string is read for a version (lua_ident is ~130). */
#define SYMBOL_STR_MAX 4096

struct elf_file {
	int fd;
	Elf *elf;
};

static int elf_file_open(const char *path, struct elf_file *f)
{
	f->elf = NULL;
	f->fd = ucb_open_regular(AT_FDCWD, path, 0, NULL);
	if (f->fd < 0)
		return f->fd;
	elf_version(EV_CURRENT);
	f->elf = elf_begin(f->fd, ELF_C_READ, NULL);
	if (!f->elf || elf_kind(f->elf) != ELF_K_ELF) {
		elf_end(f->elf);
		close(f->fd);
		return ucb_errf(-EINVAL, "%s: not an ELF file", path);
	}
	return 0;
}

static void elf_file_close(struct elf_file *f)
{
	elf_end(f->elf);
	if (f->fd >= 0)
		close(f->fd);
	f->elf = NULL;
	f->fd = -1;
}

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

static int read_needed(Elf *elf, struct ucb_target *t)
{
	Elf_Scn *scn = NULL;
	const char *name;
	GElf_Shdr sh;
	GElf_Dyn dyn;
	Elf_Data *d;
	size_t i;

	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNAMIC || !sh.sh_entsize ||
		    !(d = elf_getdata(scn, NULL)))
			continue;
		for (i = 0; i < sh.sh_size / sh.sh_entsize && gelf_getdyn(d, i, &dyn); i++) {
			if (dyn.d_tag != DT_NEEDED)
				continue;
			name = elf_strptr(elf, sh.sh_link, dyn.d_un.d_val);
			if (name && add_needed(t, name))
				return ucb_errf(-ENOMEM, "%s: out of memory", t->path);
		}
	}
	return 0;
}

int ucb_target_read(const char *path, struct ucb_target *t)
{
	struct elf_file f;
	struct ucb_elf_id id;
	int ret;

	memset(t, 0, sizeof(*t));
	t->path = strdup(path);
	if (!t->path)
		return ucb_errf(-ENOMEM, "%s: out of memory", path);
	t->base = strrchr(t->path, '/') ? strrchr(t->path, '/') + 1 : t->path;
	ret = elf_file_open(path, &f);
	if (ret) {
		ucb_target_free(t);
		return ret;
	}
	ret = ucb_elf_id_read(f.elf, &id);
	if (ret) {
		ret = ucb_errf(-EINVAL, "%s: %s", path, ucb_errmsg());
	} else {
		memcpy(t->build_id, id.build_id, sizeof(t->build_id));
		memcpy(t->soname, id.soname, sizeof(t->soname));
		memcpy(t->arch, id.arch, sizeof(t->arch));
		ret = read_needed(f.elf, t);
	}
	elf_file_close(&f);
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
	free(t->path);
	memset(t, 0, sizeof(*t));
}

/* name is stem + ".so" + nothing or a version suffix (".1", ".1.2.3"). */
static bool so_name_of(const char *name, const char *stem)
{
	size_t n = strlen(stem);
	const char *p = name + n + 3;

	if (strncmp(name, stem, n) || strncmp(name + n, ".so", 3))
		return false;
	while (*p == '.' && p[1] >= '0' && p[1] <= '9')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	return !*p;
}

bool ucb_target_is(const struct ucb_target *t, const char *lib, const char *soname)
{
	if (t->soname[0])
		return soname && !strcmp(soname, t->soname);
	return !strcmp(t->base, lib) || so_name_of(t->base, lib) ||
	       (!strncmp(t->base, "lib", 3) && so_name_of(t->base + 3, lib));
}

/* Record ver as what rule r read from path; a different one seen before
 * is -EEXIST. */
static int note_version(const char *path, const struct ucb_vrule *r, const char *ver, char *out,
			size_t out_sz)
{
	if (!out[0]) {
		snprintf(out, out_sz, "%s", ver);
		return 0;
	}
	if (strcmp(out, ver))
		return ucb_errf(-EEXIST, "%s: version rule %s '%s' reads both %s and %s", path,
				r->source, r->prefix, out, ver);
	return 0;
}

/* Every string of .rodata that starts with the prefix. */
static int scan_rodata(const char *path, Elf *elf, const struct ucb_vrule *r, char *out,
		       size_t out_sz)
{
	char ver[UCB_VRULE_VERSION_MAX + 1];
	Elf_Scn *scn = NULL;
	const char *p, *start, *end, *name;
	size_t shstrndx;
	GElf_Shdr sh;
	Elf_Data *d;
	int err;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return ucb_errf(-EINVAL, "%s: not an ELF file", path);
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS)
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name || strcmp(name, ".rodata"))
			continue;
		d = elf_getdata(scn, NULL);
		if (!d || !d->d_buf)
			return 0;
		start = d->d_buf;
		end = start + d->d_size;
		for (p = start; (p = memmem(p, end - p, r->prefix, r->prefix_len)); p++) {
			if (p > start && p[-1])
				continue;	/* inside a string, not at its start */
			if (!ucb_vrule_match(r, p, end - p, ver, sizeof(ver)))
				continue;
			err = note_version(path, r, ver, out, out_sz);
			if (err)
				return err;
		}
		return 0;
	}
	return 0;
}

/* The section holding sym's bytes and sym's offset in it: by address in
 * a linked file (objcopy may leave .dynsym's section indexes stale), by
 * index in a relocatable one. */
static bool symbol_home(Elf *elf, const GElf_Ehdr *eh, const GElf_Sym *sym, GElf_Shdr *hsh,
			size_t *off)
{
	Elf_Scn *scn = NULL;

	if (eh->e_type == ET_REL) {
		scn = elf_getscn(elf, sym->st_shndx);
		*off = sym->st_value;
		return scn && gelf_getshdr(scn, hsh) && hsh->sh_type == SHT_PROGBITS &&
		       sym->st_value < hsh->sh_size;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, hsh) || hsh->sh_type != SHT_PROGBITS ||
		    !(hsh->sh_flags & SHF_ALLOC) || sym->st_value < hsh->sh_addr ||
		    sym->st_value - hsh->sh_addr >= hsh->sh_size)
			continue;
		*off = sym->st_value - hsh->sh_addr;
		return true;
	}
	return false;
}

/* The version in the string sym holds, if any (out set). */
static int symbol_version(const char *path, Elf *elf, const GElf_Ehdr *eh, const GElf_Sym *sym,
			  const struct ucb_vrule *r, char *out, size_t out_sz)
{
	char ver[UCB_VRULE_VERSION_MAX + 1];
	Elf_Data *chunk;
	GElf_Shdr hsh;
	size_t off, n;

	if (!symbol_home(elf, eh, sym, &hsh, &off))
		return 0;
	n = hsh.sh_size - off;
	n = n > SYMBOL_STR_MAX ? SYMBOL_STR_MAX : n;
	if (sym->st_size && sym->st_size < n)
		n = sym->st_size;
	chunk = elf_getdata_rawchunk(elf, hsh.sh_offset + off, n, ELF_T_BYTE);
	if (!chunk || !chunk->d_buf || !ucb_vrule_match(r, chunk->d_buf, n, ver, sizeof(ver)))
		return 0;
	return note_version(path, r, ver, out, out_sz);
}

/* The string the defined data symbol r->arg holds, in .dynsym and .symtab
 * (both must agree). */
static int read_symbol(const char *path, Elf *elf, const struct ucb_vrule *r, char *out,
		       size_t out_sz)
{
	Elf_Scn *scn = NULL;
	const char *name;
	GElf_Ehdr eh;
	GElf_Shdr sh;
	GElf_Sym sym;
	Elf_Data *d;
	size_t i;
	int err;

	if (!gelf_getehdr(elf, &eh))
		return ucb_errf(-EINVAL, "%s: not an ELF file", path);
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_DYNSYM && sh.sh_type != SHT_SYMTAB) ||
		    !sh.sh_entsize || !(d = elf_getdata(scn, NULL)))
			continue;
		for (i = 1; i < sh.sh_size / sh.sh_entsize && gelf_getsym(d, i, &sym); i++) {
			if (sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE ||
			    GELF_ST_TYPE(sym.st_info) != STT_OBJECT)
				continue;
			name = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (!name || strcmp(name, r->arg))
				continue;
			err = symbol_version(path, elf, &eh, &sym, r, out, out_sz);
			if (err)
				return err;
		}
	}
	return 0;
}

/* The DT_NEEDED library soname of t, opened; its own soname must be that
 * soname and its arch t's. */
static int open_needed(const struct ucb_target *t, const char *soname, struct elf_file *f,
		       char **path, const char **why)
{
	struct ucb_elf_id id;
	size_t i;
	int err;

	*path = NULL;
	for (i = 0; i < t->needed_cnt && strcmp(t->needed[i], soname); i++)
		;
	if (i == t->needed_cnt) {
		*why = "the target does not need that library";
		return 0;
	}
	err = ucb_target_find_needed(t, soname, path);
	if (err == -ENOENT) {
		*why = "the needed library is not found";
		return 0;
	}
	if (!err)
		err = elf_file_open(*path, f);
	if (err)
		return err;
	if (ucb_elf_id_read(f->elf, &id) || strcmp(id.soname, soname) || strcmp(id.arch, t->arch)) {
		*why = "the needed library found has another soname or arch";
		elf_file_close(f);
		return 0;
	}
	return 1;
}

int ucb_target_rule_version(const struct ucb_target *t, const struct ucb_vrule *r, char *out,
			    size_t out_sz, const char **why)
{
	struct elf_file f;
	char *dep = NULL;
	int err;

	out[0] = 0;
	*why = NULL;
	if (r->kind == UCB_VRULE_NEEDED) {
		err = open_needed(t, r->arg, &f, &dep, why);
		if (err <= 0) {
			free(dep);
			return err;
		}
	} else {
		err = elf_file_open(t->path, &f);
		if (err)
			return err;
	}
	if (r->kind == UCB_VRULE_SYMBOL)
		err = read_symbol(t->path, f.elf, r, out, out_sz);
	else
		err = scan_rodata(dep ? dep : t->path, f.elf, r, out, out_sz);
	elf_file_close(&f);
	free(dep);
	if (err)
		return err;
	if (!out[0])
		*why = r->kind == UCB_VRULE_SYMBOL ? "no such data symbol holding a version after the prefix" :
						     "no string in .rodata starting with the prefix and a version";
	return out[0] ? 1 : 0;
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
