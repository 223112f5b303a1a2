/* Debug info lookup for gen btf: build-id directory, .gnu_debuglink,
 * debuginfod, --debug-file.  See debuginfo.h. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <elfutils/debuginfod.h>
#include "lib/errmsg.h"
#include "tool/debuginfo.h"

/* .debug_info present, .gnu_debuglink's name. */
static void read_debug_sections(Elf *elf, size_t shstrndx, struct debuginfo_elf *info)
{
	Elf_Scn *scn = NULL;
	const char *name;
	Elf_Data *d;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(elf, shstrndx, sh.sh_name)))
			continue;
		if (!strcmp(name, ".debug_info") && sh.sh_type != SHT_NOBITS && sh.sh_size)
			info->has_dwarf = true;
		else if (!strcmp(name, ".gnu_debuglink") && (d = elf_getdata(scn, NULL)) && d->d_size)
			snprintf(info->debuglink, sizeof(info->debuglink), "%.*s",
				 (int)strnlen(d->d_buf, d->d_size), (char *)d->d_buf);
	}
}

int debuginfo__read_elf(const char *path, struct debuginfo_elf *info)
{
	struct stat st;
	size_t shstrndx;
	GElf_Ehdr eh;
	Elf *elf;
	int fd, err = 0;

	memset(info, 0, sizeof(*info));
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		err = -errno;
		if (fd >= 0)
			close(fd);
		return ucb_errf(err, "%s: %s", path, strerror(-err));
	}
	if (S_ISDIR(st.st_mode) || !st.st_size) {
		close(fd);
		return S_ISDIR(st.st_mode) ? ucb_errf(-EISDIR, "%s: is a directory", path)
					   : ucb_errf(-ENODATA, "%s: empty file", path);
	}
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh) ||
	    elf_getshdrstrndx(elf, &shstrndx))
		err = ucb_errf(-EINVAL, "%s: not an ELF file", path);
	else if (ucb_elf_id_read(elf, &info->id))
		err = ucb_errf(-EINVAL, "%s: %s", path, ucb_errmsg());
	else
		read_debug_sections(elf, shstrndx, info);
	elf_end(elf);
	close(fd);
	return err;
}

/* A debug file is usable if it has DWARF and, when both carry one, the same build-id. */
static bool debug_file_ok(const char *path, const struct debuginfo_elf *want)
{
	struct debuginfo_elf di;
	bool ok;

	ok = !access(path, R_OK) && !debuginfo__read_elf(path, &di);
	return ok && di.has_dwarf && (!want->id.build_id[0] || !di.id.build_id[0] ||
				      !strcmp(want->id.build_id, di.id.build_id));
}

/* libdebuginfod is opened only when a lookup needs it: it brings libcurl
 * and a TLS stack, which would otherwise triple every command's startup RSS. */
static struct {
	typeof(debuginfod_begin) *begin;
	typeof(debuginfod_find_debuginfo) *find_debuginfo;
	typeof(debuginfod_end) *end;
} dfd;

static bool debuginfod_load(void)
{
	void *h;

	if (dfd.begin)
		return true;
	h = dlopen("libdebuginfod.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return false;
	dfd.find_debuginfo = (typeof(dfd.find_debuginfo))dlsym(h, "debuginfod_find_debuginfo");
	dfd.end = (typeof(dfd.end))dlsym(h, "debuginfod_end");
	dfd.begin = (typeof(dfd.begin))dlsym(h, "debuginfod_begin");
	if (dfd.begin && dfd.find_debuginfo && dfd.end)
		return true;
	dfd.begin = NULL;
	dlclose(h);
	return false;
}

/* Ask the servers in DEBUGINFOD_URLS for the debug file of this build-id.
 * Returns 0 with the cached file's path in out, or -errno with why it
 * failed in why ("; debuginfod (URLS): ...", for the final message). */
static int find_debuginfod(const struct debuginfo_elf *info, char *out, size_t out_sz,
			   char *why, size_t why_sz)
{
	const char *urls = getenv("DEBUGINFOD_URLS");
	unsigned char id[40];
	debuginfod_client *c;
	char *path = NULL;
	size_t n;
	int fd;

	if (!urls || !urls[0] || !info->id.build_id[0])
		return -ENOENT;
	for (n = 0; n < sizeof(id) && sscanf(info->id.build_id + 2 * n, "%2hhx", &id[n]) == 1; n++)
		;
	if (!debuginfod_load()) {
		snprintf(why, why_sz, "; debuginfod: cannot load libdebuginfod.so.1 (%s)", dlerror());
		return -ENOENT;
	}
	c = dfd.begin();
	if (!c) {
		snprintf(why, why_sz, "; debuginfod: cannot start a client");
		return -ENOMEM;
	}
	fd = dfd.find_debuginfo(c, id, n, &path);
	dfd.end(c);
	if (fd < 0) {
		snprintf(why, why_sz, "; debuginfod (%s): %s", urls,
			 fd == -ENOENT ? "build-id not found" : strerror(-fd));
		return fd;
	}
	close(fd);
	snprintf(out, out_sz, "%s", path);
	free(path);
	if (debug_file_ok(out, info))
		return 0;
	snprintf(why, why_sz, "; debuginfod (%s): file without DWARF", urls);
	return -ENOENT;
}

/* The .gnu_debuglink target next to the binary, in its .debug/, or under
 * ROOT/usr/lib/debug (as gdb looks; ROOT "" for the system, else an unpacked
 * package tree, whose prefix the binary's directory loses there). */
static bool find_debuglink(const char *elf_path, const struct debuginfo_elf *info,
			   const char *root, char *out, size_t out_sz)
{
	static const char *const fmts[] = { "%s%s/%s", "%s%s/.debug/%s", "%s/usr/lib/debug%s/%s" };
	char dir[PATH_MAX], rdir[PATH_MAX], rroot[PATH_MAX], *slash;
	const char *rel = dir;
	size_t i, rlen;

	snprintf(dir, sizeof(dir), "%s", elf_path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
	else
		snprintf(dir, sizeof(dir), ".");
	/* The binary's directory as seen from inside the root, however either is spelled. */
	if (root[0] && realpath(dir, rdir) && realpath(root, rroot)) {
		rlen = strlen(rroot);
		if (!strncmp(rdir, rroot, rlen) && rdir[rlen] == '/')
			rel = rdir + rlen;
	}
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		if (i < 2)
			snprintf(out, out_sz, fmts[i], "", dir, info->debuglink);
		else
			snprintf(out, out_sz, fmts[i], root, rel, info->debuglink);
		if (debug_file_ok(out, info))
			return true;
	}
	return false;
}

int debuginfo__find(const char *elf_path, const struct debuginfo_elf *info,
		    const char *debug_root, const char *debug_file, char *out, size_t out_sz)
{
	char why[PATH_MAX] = "", root[PATH_MAX];
	size_t n;

	/* "DIR/" and "DIR" are one root; "/" is the system's. */
	snprintf(root, sizeof(root), "%s", debug_root ? debug_root : "");
	for (n = strlen(root); n && root[n - 1] == '/'; n--)
		root[n - 1] = 0;

	if (info->has_dwarf) {
		snprintf(out, out_sz, "%s", elf_path);
		return 0;
	}
	if (info->id.build_id[0]) {
		snprintf(out, out_sz, "%s/usr/lib/debug/.build-id/%.2s/%s.debug",
			 root, info->id.build_id, info->id.build_id + 2);
		if (debug_file_ok(out, info))
			return 0;
	}
	if (info->debuglink[0] && find_debuglink(elf_path, info, root, out, out_sz))
		return 0;
	if (!find_debuginfod(info, out, out_sz, why, sizeof(why)))
		return 0;
	if (debug_file) {
		snprintf(out, out_sz, "%s", debug_file);
		if (debug_file_ok(out, info))
			return 0;
		return ucb_errf(-ENOENT, "%s: no DWARF in --debug-file %s (or its build-id differs)",
				elf_path, debug_file);
	}
	return ucb_errf(-ENOENT, "%s: no debug info: no DWARF in the file, none under "
			"%s/usr/lib/debug/.build-id/%s, no .gnu_debuglink target%s; pass --debug-file",
			elf_path, root, info->id.build_id[0] ? "" : " (no build-id)", why);
}

/* .gnu_debugaltlink: a NUL-terminated path, then the supplementary file's build-id. */
static int read_altlink(const char *path, char *name, size_t name_sz, char *bid, size_t bid_sz)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx, n, i;
	const char *s;
	Elf_Data *d;
	GElf_Shdr sh;
	Elf *elf;
	int fd, err = -ENOENT;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (elf && !elf_getshdrstrndx(elf, &shstrndx)) {
		while ((scn = elf_nextscn(elf, scn))) {
			if (!gelf_getshdr(scn, &sh) || !(s = elf_strptr(elf, shstrndx, sh.sh_name)) ||
			    strcmp(s, ".gnu_debugaltlink") || !(d = elf_getdata(scn, NULL)) || !d->d_size)
				continue;
			n = strnlen(d->d_buf, d->d_size);
			if (n == d->d_size)
				break;
			snprintf(name, name_sz, "%s", (char *)d->d_buf);
			bid[0] = 0;
			for (i = n + 1; i < d->d_size && 2 * (i - n) < bid_sz; i++)
				sprintf(bid + 2 * (i - n - 1), "%02x", ((unsigned char *)d->d_buf)[i]);
			err = 0;
			break;
		}
	}
	elf_end(elf);
	close(fd);
	return err;
}

int debuginfo__find_alt(const char *debug_path, const char *debug_root, char *out, size_t out_sz)
{
	char name[PATH_MAX], bid[2 * 64 + 1] = "", root[PATH_MAX];
	size_t n;

	snprintf(root, sizeof(root), "%s", debug_root ? debug_root : "");
	for (n = strlen(root); n && root[n - 1] == '/'; n--)
		root[n - 1] = 0;
	if (!root[0] || read_altlink(debug_path, name, sizeof(name), bid, sizeof(bid)))
		return -ENOENT;
	if (name[0] == '/') {
		snprintf(out, out_sz, "%s%s", root, name);
		if (!access(out, R_OK))
			return 0;
	}
	if (strlen(bid) > 2) {
		snprintf(out, out_sz, "%s/usr/lib/debug/.build-id/%.2s/%s.debug", root, bid, bid + 2);
		if (!access(out, R_OK))
			return 0;
	}
	return -ENOENT;
}
