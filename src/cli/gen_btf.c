/* `ucorebtf gen btf ELF`: BTF for a userspace binary from its DWARF, by
 * ucorebtf's own encoder (src/dwarf_btf.c) or through pahole (--via pahole),
 * wrapped with the binary's build-id, soname and version. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <getopt.h>
#include <libelf.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <elfutils/debuginfod.h>
#include "lib/elf_id.h"
#include "lib/names.h"
#include "tool/dwarf_btf.h"
#include "tool/btf_io.h"
#include "cli/common.h"
#include "cli/cmds.h"

struct elf_info {
	bool has_dwarf;
	struct ucb_elf_id id;	/* build-id, soname, arch: as the runtime reads them */
	char debuglink[256];
};

static int gen_btf_help(void)
{
	fprintf(stderr,
		"Usage: %s gen btf ELF [-o OUT] [--version V] [--name LIB] [--debug-file F]\n"
		"                     [--via ucorebtf|pahole]\n"
		"\n"
		"Encode the DWARF of ELF (executable or shared library) as BTF, with\n"
		"ucorebtf's own encoder (default) or with pahole (--via pahole).\n"
		"Without DWARF in ELF, debug info is looked up in /usr/lib/debug/.build-id/,\n"
		"then through .gnu_debuglink, then from debuginfod (DEBUGINFOD_URLS), then\n"
		"in --debug-file F.  -d lists every DWARF entry the encoder skipped.\n"
		"OUT (default ./<basename of ELF>.btf) is a small ELF holding .BTF and the\n"
		"binary's build-id, soname and version; libbpf and bpftool read it as BTF.\n",
		bin_name);
	return EXIT_OK;
}

/* Returns 0, or -errno after printing (unless quiet) why ELF is unusable. */
static int read_elf_info(const char *path, struct elf_info *info, bool quiet)
{
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;
	GElf_Shdr sh;
	size_t shstrndx;
	const char *name;
	Elf_Data *d;
	struct stat st;
	Elf *elf;
	int fd;

	memset(info, 0, sizeof(*info));
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);	/* a FIFO must not block */
	if (fd < 0 || fstat(fd, &st)) {
		if (!quiet)
			p_err("%s: %s", path, strerror(errno));
		return -errno;
	}
	if (S_ISDIR(st.st_mode) || !st.st_size) {
		if (!quiet)
			p_err("%s: %s", path, S_ISDIR(st.st_mode) ? "is a directory" : "empty file");
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -ENODATA;
	}
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh) ||
	    elf_getshdrstrndx(elf, &shstrndx)) {
		if (!quiet)
			p_err("%s: not an ELF file", path);
		elf_end(elf);
		close(fd);
		return -EINVAL;
	}
	if (ucb_elf_id_read(elf, &info->id)) {
		if (!quiet)
			p_err("%s: %s", path, ucb_errmsg());
		elf_end(elf);
		close(fd);
		return -EINVAL;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(elf, shstrndx, sh.sh_name)))
			continue;
		if (!strcmp(name, ".debug_info") && sh.sh_type != SHT_NOBITS && sh.sh_size)
			info->has_dwarf = true;
		else if (!strcmp(name, ".gnu_debuglink") && (d = elf_getdata(scn, NULL)) && d->d_size)
			snprintf(info->debuglink, sizeof(info->debuglink), "%.*s",
				 (int)strnlen(d->d_buf, d->d_size), (char *)d->d_buf);
	}
	elf_end(elf);
	close(fd);
	return 0;
}

/* A debug file is usable if it has DWARF and, when both carry one, the same build-id. */
static bool debug_file_ok(const char *path, const struct elf_info *want)
{
	struct elf_info di;
	bool ok;

	ok = !access(path, R_OK) && !read_elf_info(path, &di, true);
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
 * Returns 0 with the cached file's path in out, or -errno with why set. */
static int find_debuginfod(const struct elf_info *info, char *out, size_t out_sz,
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

static int find_debug_file(const char *elf_path, const struct elf_info *info,
			   const char *explicit, char *out, size_t out_sz)
{
	char dir[PATH_MAX], *slash, why[PATH_MAX] = "";

	if (info->id.build_id[0]) {
		snprintf(out, out_sz, "/usr/lib/debug/.build-id/%.2s/%s.debug",
			 info->id.build_id, info->id.build_id + 2);
		if (debug_file_ok(out, info))
			return 0;
	}
	if (info->debuglink[0]) {
		snprintf(dir, sizeof(dir), "%s", elf_path);
		slash = strrchr(dir, '/');
		if (slash)
			*slash = 0;
		else
			snprintf(dir, sizeof(dir), ".");
		const char *fmts[] = { "%s/%s", "%s/.debug/%s", "/usr/lib/debug%s/%s" };
		for (size_t i = 0; i < 3; i++) {
			snprintf(out, out_sz, fmts[i], dir, info->debuglink);
			if (debug_file_ok(out, info))
				return 0;
		}
	}
	if (!find_debuginfod(info, out, out_sz, why, sizeof(why)))
		return 0;
	if (explicit) {
		snprintf(out, out_sz, "%s", explicit);
		if (debug_file_ok(out, info))
			return 0;
		p_err("%s: no DWARF in --debug-file %s (or its build-id differs)", elf_path, explicit);
		return -ENOENT;
	}
	p_err("%s: no debug info: no DWARF in the file, none under /usr/lib/debug/.build-id/%s, "
	      "no .gnu_debuglink target%s; pass --debug-file", elf_path,
	      info->id.build_id[0] ? "" : " (no build-id)", why);
	return -ENOENT;
}

/* Run pahole; its stderr goes to a temp file we summarise on failure. */
static int run_pahole(const char *dwarf_file, const char *out_btf, int *unhandled)
{
	const char *pahole = getenv("PAHOLE") ?: "pahole";
	char arg[PATH_MAX + 32], errpath[] = "/tmp/ucorebtf-pahole.XXXXXX", line[512];
	int status, efd;
	FILE *ef;
	pid_t pid;

	efd = mkstemp(errpath);
	if (efd < 0)
		return -errno;
	unlink(errpath);
	snprintf(arg, sizeof(arg), "--btf_encode_detached=%s", out_btf);
	pid = fork();
	if (pid == 0) {
		dup2(efd, 1);
		dup2(efd, 2);
		execlp(pahole, pahole, arg, dwarf_file, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0) {
		close(efd);
		return -errno;
	}
	*unhandled = 0;
	lseek(efd, 0, SEEK_SET);
	ef = fdopen(efd, "r");
	while (ef && fgets(line, sizeof(line), ef)) {
		if (strstr(line, "not handled"))
			(*unhandled)++;
		if (verbose)
			fputs(line, stderr);
	}
	if (ef)
		fclose(ef);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		p_err("%s: pahole failed (%s)", dwarf_file,
		      WIFEXITED(status) && WEXITSTATUS(status) == 127 ? "pahole not found" : "exit status");
		return -EIO;
	}
	return 0;
}

/* Library name: soname without ".so*" (libssl.so.3 -> libssl), else the file name. */
static void derive_library(const char *elf_path, const char *soname, char *out, size_t sz)
{
	const char *base = strrchr(elf_path, '/') ? strrchr(elf_path, '/') + 1 : elf_path;
	char *so;

	snprintf(out, sz, "%.*s", (int)sz - 1, soname[0] ? soname : base);
	so = strstr(out, ".so");
	if (so)
		*so = 0;
}

static int count_structs(const struct btf *btf)
{
	int i, n = 0, cnt = btf__type_cnt(btf);

	for (i = 1; i < cnt; i++)
		if (btf_is_composite(btf__type_by_id(btf, i)))
			n++;
	return n;
}

static int count_funcs(const struct btf *btf)
{
	int i, n = 0, cnt = btf__type_cnt(btf);

	for (i = 1; i < cnt; i++)
		if (btf_is_func(btf__type_by_id(btf, i)))
			n++;
	return n;
}

/* pahole writes raw BTF to a temp file that we parse back. */
static struct btf *encode_pahole(const char *dwarf, int *unhandled)
{
	char tmp[] = "/tmp/ucorebtf-btf.XXXXXX";
	struct btf *btf;
	int err, tfd;

	tfd = mkstemp(tmp);
	if (tfd < 0) {
		p_err("cannot create a temporary file: %s", strerror(errno));
		return NULL;
	}
	close(tfd);
	err = run_pahole(dwarf, tmp, unhandled);
	btf = err ? NULL : btf__parse_raw(tmp);
	unlink(tmp);
	if (!err && !btf)
		p_err("%s: pahole's BTF does not parse", dwarf);
	return btf;
}

int do_gen_btf(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "version", required_argument, NULL, 'v' },
		{ "name", required_argument, NULL, 'n' },
		{ "debug-file", required_argument, NULL, 'f' },
		{ "via", required_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *elf_path, *out = NULL, *version = "", *name = NULL, *debug_file = NULL;
	char out_buf[PATH_MAX], dwarf[PATH_MAX];
	struct dwarf_btf_stats st = {};
	struct elf_info info;
	struct btf_meta meta = {};
	struct btf *btf;
	bool via_pahole = false;
	int opt, err, unhandled = 0, nstructs;

	optind = 1;
	while ((opt = getopt_long(argc + 1, argv - 1, "o:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'o': out = optarg; break;
		case 'v': version = optarg; break;
		case 'n': name = optarg; break;
		case 'f': debug_file = optarg; break;
		case 'V':
			if (strcmp(optarg, "pahole") && strcmp(optarg, "ucorebtf"))
				return usage_err("gen btf: --via takes 'ucorebtf' or 'pahole', not '%s'", optarg);
			via_pahole = !strcmp(optarg, "pahole");
			break;
		case 'h': return gen_btf_help();
		default: return usage_err("gen btf: bad option (see '%s gen btf --help')", bin_name);
		}
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc == 1 && !strcmp(argv[0], "help"))
		return gen_btf_help();
	if (argc != 1)
		return usage_err("gen btf: expected one ELF file, got %d", argc);
	elf_path = argv[0];
	if (!out) {
		snprintf(out_buf, sizeof(out_buf), "%s.btf",
			 strrchr(elf_path, '/') ? strrchr(elf_path, '/') + 1 : elf_path);
		out = out_buf;
	}
	err = ucb_check_output_path(out);
	if (err) {
		p_err("%s: cannot write output: %s", out, strerror(-err));
		return EXIT_FAIL;
	}
	if (read_elf_info(elf_path, &info, false))
		return EXIT_FAIL;
	if (info.has_dwarf)
		snprintf(dwarf, sizeof(dwarf), "%s", elf_path);
	else if (find_debug_file(elf_path, &info, debug_file, dwarf, sizeof(dwarf)))
		return EXIT_FAIL;

	if (via_pahole) {
		btf = encode_pahole(dwarf, &unhandled);
	} else {
		DWARF_BTF_OPTS(eopts, .detail = verbose ? stderr : NULL);
		btf = dwarf_btf__encode(dwarf, &eopts, &st);
	}
	if (!btf)
		return EXIT_FAIL;
	nstructs = count_structs(btf);
	if (!nstructs) {
		p_err("%s: DWARF gave no struct or union; nothing to relocate against", dwarf);
		btf__free(btf);
		return EXIT_FAIL;
	}
	if (unhandled)
		fprintf(stderr, "Warning: %s: pahole skipped %d DWARF tag(s) it does not handle "
			"(e.g. _Atomic); members of those types may be void\n", dwarf, unhandled);
	if (st.skipped || st.dropped_members || st.void_refs || st.skipped_funcs)
		fprintf(stderr, "Warning: %s: %u DWARF type(s) BTF cannot express were skipped (%s); "
			"%u member(s) and %u function(s) left out, %u pointer/parameter(s) made void%s\n",
			dwarf, st.skipped, st.skipped_tags[0] ? st.skipped_tags : "-",
			st.dropped_members, st.skipped_funcs, st.void_refs,
			verbose ? "" : " (-d lists them)");

	if (name)
		snprintf(meta.library, sizeof(meta.library), "%s", name);
	else
		derive_library(elf_path, info.id.soname, meta.library, sizeof(meta.library));
	snprintf(meta.version, sizeof(meta.version), "%s", version);
	snprintf(meta.soname, sizeof(meta.soname), "%s", info.id.soname);
	snprintf(meta.build_id, sizeof(meta.build_id), "%s", info.id.build_id);
	snprintf(meta.arch, sizeof(meta.arch), "%s", info.id.arch);
	err = btf_write_elf(out, btf, &meta);
	if (err) {
		p_err("%s: cannot write output: %s", out, strerror(-err));
		btf__free(btf);
		return EXIT_FAIL;
	}
	if (json_output) {
		printf("{\"output\":");
		json_str(stdout, out);
		printf(",\"source\":");
		json_str(stdout, dwarf);
		printf(",\"library\":");
		json_str(stdout, meta.library);
		printf(",\"version\":");
		json_str(stdout, meta.version);
		printf(",\"soname\":");
		json_str(stdout, meta.soname);
		printf(",\"build_id\":");
		json_str(stdout, meta.build_id);
		printf(",\"arch\":\"%s\",\"encoder\":\"%s\",\"types\":%u,\"structs\":%d,"
		       "\"funcs\":%d,\"pahole_unhandled\":%d,\"skipped\":%u,\"dropped_members\":%u}\n",
		       meta.arch, via_pahole ? "pahole" : "ucorebtf", btf__type_cnt(btf) - 1, nstructs,
		       count_funcs(btf), unhandled, st.skipped, st.dropped_members);
	} else {
		printf("%s: %u types (%d struct/union) from %s\n", out, btf__type_cnt(btf) - 1,
		       nstructs, dwarf);
	}
	btf__free(btf);
	return EXIT_OK;
}
