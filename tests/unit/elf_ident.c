/* Table tests of ELF identity (no root): arch names, GNU build-id notes
 * (the first one counts), soname, a 32-bit x86 library read and matched by
 * version through the public API, and object names.  The ELF files are
 * written here with libelf, so no cross compiler is needed. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "ucorebtf.h"
#include "lib/elf_id.h"
#include "lib/bundle.h"
#include "lib/names.h"
#include "lib/target.h"
#include "unit.h"

static char dir[] = "/tmp/ucorebtf-unit-elf.XXXXXX";

struct sec {
	const char *name;
	Elf64_Word type;
	const void *data;
	size_t size;
	int link;		/* index in the sections array, 1-based as in the file */
	size_t entsize, align;
};

/* A note: namesz, descsz, type, name and desc padded to 4. */
static size_t note(uint8_t *out, const char *name, uint32_t type, const uint8_t *desc, uint32_t descsz)
{
	uint32_t namesz = strlen(name) + 1, h[3] = { namesz, descsz, type };
	size_t n = 12;

	memcpy(out, h, 12);
	memset(out + n, 0, (namesz + 3) / 4 * 4);
	memcpy(out + n, name, namesz);
	n += (namesz + 3) / 4 * 4;
	memset(out + n, 0, (descsz + 3) / 4 * 4);
	memcpy(out + n, desc, descsz);
	return n + (descsz + 3) / 4 * 4;
}

/* Write an ELF of class cls (ELFCLASS32/64) for machine with the sections
 * given plus .shstrtab.  Returns 0 or -1. */
static int write_elf(const char *path, int cls, int machine, const struct sec *secs, int n)
{
	char shstr[512] = "";
	size_t shlen = 1, name_off[16];
	Elf *elf;
	GElf_Ehdr eh;
	GElf_Shdr sh;
	Elf_Scn *scn;
	Elf_Data *d;
	int fd, i, ret = -1;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || elf_version(EV_CURRENT) == EV_NONE || !(elf = elf_begin(fd, ELF_C_WRITE, NULL)))
		return -1;
	if (!gelf_newehdr(elf, cls) || !gelf_getehdr(elf, &eh))
		goto out;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_type = ET_DYN;
	eh.e_machine = machine;
	eh.e_version = EV_CURRENT;
	for (i = 0; i <= n; i++) {
		const char *nm = i < n ? secs[i].name : ".shstrtab";

		name_off[i] = shlen;
		memcpy(shstr + shlen, nm, strlen(nm) + 1);
		shlen += strlen(nm) + 1;
	}
	for (i = 0; i <= n; i++) {
		if (!(scn = elf_newscn(elf)) || !(d = elf_newdata(scn)) || !gelf_getshdr(scn, &sh))
			goto out;
		d->d_type = ELF_T_BYTE;
		d->d_version = EV_CURRENT;
		d->d_buf = i < n ? (void *)secs[i].data : shstr;
		d->d_size = i < n ? secs[i].size : shlen;
		d->d_align = i < n && secs[i].align ? secs[i].align : 1;
		sh.sh_name = name_off[i];
		sh.sh_type = i < n ? secs[i].type : SHT_STRTAB;
		sh.sh_link = i < n ? secs[i].link : 0;
		sh.sh_entsize = i < n ? secs[i].entsize : 0;
		sh.sh_addralign = d->d_align;
		sh.sh_flags = i < n && secs[i].type != SHT_STRTAB ? SHF_ALLOC : 0;
		if (!gelf_update_shdr(scn, &sh))
			goto out;
	}
	eh.e_shstrndx = n + 1;
	if (gelf_update_ehdr(elf, &eh) && elf_update(elf, ELF_C_WRITE) > 0)
		ret = 0;
out:
	elf_end(elf);
	close(fd);
	return ret;
}

static int read_id(const char *path, struct ucb_elf_id *id)
{
	int fd = open(path, O_RDONLY), err;
	Elf *elf;

	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	err = ucb_elf_id_read(elf, id);
	elf_end(elf);
	close(fd);
	return err;
}

static const uint8_t bid_a[20] = { 0xaa, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99,
				   0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09 };
static const uint8_t bid_b[8] = { 0xbb, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
#define HEX_A "aa112233445566778899000102030405060708" "09"
#define HEX_B "bb22334455667788"

/* The library a 32-bit x86 build would be: ELF32 EM_386, soname,
 * DT_NEEDED, a build-id note and a version string in .rodata. */
static int write_lib32(const char *path, const uint8_t *bid, size_t bid_sz, int machine)
{
	static const char dynstr[] = "\0libfoo.so.2\0libc.so.6";
	static const char rodata[] = "usage: foo\0libfoo version 2.5.1 (i686)\0";
	Elf32_Dyn dyn[] = { { DT_SONAME, { 1 } }, { DT_NEEDED, { 13 } }, { DT_NULL, { 0 } } };
	uint8_t notes[64];
	size_t nlen = note(notes, "GNU", NT_GNU_BUILD_ID, bid, bid_sz);
	struct sec s[] = {
		{ ".note.gnu.build-id", SHT_NOTE, notes, nlen, 0, 0, 4 },
		{ ".dynstr", SHT_STRTAB, dynstr, sizeof(dynstr), 0, 0, 1 },
		{ ".dynamic", SHT_DYNAMIC, dyn, sizeof(dyn), 2, sizeof(Elf32_Dyn), 4 },
		{ ".rodata", SHT_PROGBITS, rodata, sizeof(rodata), 0, 0, 1 },
	};
	return write_elf(path, ELFCLASS32, machine, s, 4);
}

static void test_arch_names(void)
{
	static const struct { int machine; const char *name; } cases[] = {
		{ EM_386, "i686" }, { EM_X86_64, "x86_64" }, { EM_AARCH64, "aarch64" }, { EM_ARM, "arm" },
		{ EM_PPC64, "ppc64le" }, { EM_S390, "s390x" }, { EM_RISCV, "riscv64" }, { 258, "loongarch64" },
		{ EM_SPARC, "unknown" }, { EM_NONE, "unknown" }, { 0xffff, "unknown" },
	};
	struct utsname u;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		EXPECTF(!strcmp(ucb_arch_name(cases[i].machine), cases[i].name), "arch: e_machine %d is %s",
			cases[i].machine, cases[i].name);
	if (!uname(&u) && !strcmp(u.machine, "x86_64"))
		EXPECT("arch: this x86_64 host is x86_64", !strcmp(ucb_host_arch(), "x86_64"));
}

static void test_build_id_notes(void)
{
	static const uint32_t abi_tag[4] = { 0, 3, 2, 0 };	/* Linux 3.2.0 */
	uint8_t two[128], big[64] = { 0 }, sec1[64], sec2[64];
	size_t n;
	char path[300];
	struct ucb_elf_id id;
	struct sec s[2];

	snprintf(path, sizeof(path), "%s/notes.so", dir);
	n = note(two, "GNU", NT_GNU_BUILD_ID, bid_a, sizeof(bid_a));
	n += note(two + n, "GNU", NT_GNU_BUILD_ID, bid_b, sizeof(bid_b));
	s[0] = (struct sec){ ".note.gnu.build-id", SHT_NOTE, two, n, 0, 0, 4 };
	EXPECT("build-id: two notes in one section, the first counts",
	       !write_elf(path, ELFCLASS64, EM_X86_64, s, 1) && !read_id(path, &id) && !strcmp(id.build_id, HEX_A));

	n = note(sec1, "GNU", NT_GNU_BUILD_ID, bid_b, sizeof(bid_b));
	s[0] = (struct sec){ ".note.gnu.build-id", SHT_NOTE, sec1, n, 0, 0, 4 };
	n = note(sec2, "GNU", NT_GNU_BUILD_ID, bid_a, sizeof(bid_a));
	s[1] = (struct sec){ ".note.other", SHT_NOTE, sec2, n, 0, 0, 4 };
	EXPECT("build-id: two note sections, the first section's counts",
	       !write_elf(path, ELFCLASS64, EM_X86_64, s, 2) && !read_id(path, &id) && !strcmp(id.build_id, HEX_B));

	n = note(two, "GNU", NT_GNU_ABI_TAG, (const uint8_t *)abi_tag, sizeof(abi_tag));
	n += note(two + n, "XYZ", NT_GNU_BUILD_ID, bid_a, sizeof(bid_a));
	n += note(two + n, "GNU", NT_GNU_BUILD_ID, bid_b, sizeof(bid_b));
	s[0] = (struct sec){ ".notes", SHT_NOTE, two, n, 0, 0, 4 };
	EXPECT("build-id: an ABI tag and a non-GNU note before it are skipped",
	       !write_elf(path, ELFCLASS64, EM_X86_64, s, 1) && !read_id(path, &id) && !strcmp(id.build_id, HEX_B));

	n = note(two, "GNU", NT_GNU_BUILD_ID, big, sizeof(big) - 20);	/* 44 bytes: too long */
	n += note(two + n, "GNU", NT_GNU_BUILD_ID, bid_b, sizeof(bid_b));
	s[0] = (struct sec){ ".notes", SHT_NOTE, two, n, 0, 0, 4 };
	EXPECT("build-id: a note longer than 40 bytes is not a build-id",
	       !write_elf(path, ELFCLASS64, EM_X86_64, s, 1) && !read_id(path, &id) && !strcmp(id.build_id, HEX_B));

	s[0] = (struct sec){ ".rodata", SHT_PROGBITS, "x", 2, 0, 0, 1 };
	EXPECT("build-id: none is \"\"", !write_elf(path, ELFCLASS64, EM_X86_64, s, 1) && !read_id(path, &id) &&
	       !id.build_id[0] && !id.soname[0] && !strcmp(id.arch, "x86_64"));
	EXPECT("elf id: not an ELF is -EINVAL", ucb_elf_id_read(NULL, &id) == -EINVAL);
	unlink(path);
}

static void test_soname(void)
{
	char dynstr[200] = "", path[300];
	Elf64_Dyn dyn[] = { { DT_SONAME, { 1 } }, { DT_NULL, { 0 } } };
	struct ucb_elf_id id;
	struct sec s[2] = {
		{ ".dynstr", SHT_STRTAB, dynstr, sizeof(dynstr), 0, 0, 1 },
		{ ".dynamic", SHT_DYNAMIC, dyn, sizeof(dyn), 1, sizeof(Elf64_Dyn), 8 },
	};

	snprintf(path, sizeof(path), "%s/soname.so", dir);
	memset(dynstr + 1, 's', 127);
	EXPECT("soname: 127 characters read whole", !write_elf(path, ELFCLASS64, EM_AARCH64, s, 2) &&
	       !read_id(path, &id) && strlen(id.soname) == 127 && !strcmp(id.arch, "aarch64"));
	memset(dynstr + 1, 's', 128);
	EXPECT("soname: 128 characters is an error, not a shortened name",
	       !write_elf(path, ELFCLASS64, EM_AARCH64, s, 2) && read_id(path, &id) == -ENAMETOOLONG);
	unlink(path);
}

/* A 32-bit x86 library: read like any other, arch spelled as gen btf
 * spells it in .ucorebtf.meta (the same ucb_arch_name), so an index entry
 * for it is found. */
static void test_target32(void)
{
	char path[300], other[300];
	struct ucb_elf_id id;
	struct ucb_target t;
	int err;

	snprintf(path, sizeof(path), "%s/libfoo.so.2", dir);
	snprintf(other, sizeof(other), "%s/notelf", dir);
	if (write_lib32(path, bid_a, sizeof(bid_a), EM_386)) {
		EXPECT("target32: libelf writes an ELF32 EM_386 library", 0);
		return;
	}
	EXPECT("target32: elf id of ELF32 EM_386", !read_id(path, &id) && id.machine == EM_386 &&
	       !strcmp(id.arch, "i686") && !strcmp(id.build_id, HEX_A) && !strcmp(id.soname, "libfoo.so.2"));
	err = ucb_target_read(path, &t);
	EXPECTF(!err && !strcmp(t.arch, ucb_arch_name(EM_386)) && !strcmp(t.build_id, HEX_A) &&
		!strcmp(t.soname, "libfoo.so.2") && t.needed_cnt == 1 && !strcmp(t.needed[0], "libc.so.6"),
		"target32: ucb_target_read: arch %s, build-id, soname, DT_NEEDED", err ? "-" : t.arch);
	if (!err) {
		static const char rules_text[] = "libfoo\trodata\tlibfoo version \nlibfoo\trodata\tlibfoo \n";
		struct ucb_vrules rules;
		char ver[UCB_VRULE_VERSION_MAX + 1];
		const char *why;

		EXPECT("target32: its version string is read from .rodata by the rule 'libfoo version '",
		       !ucb_vrules_parse(rules_text, strlen(rules_text), &rules) &&
		       ucb_target_rule_version(&t, &rules.r[0], ver, sizeof(ver), &why) == 1 && !strcmp(ver, "2.5.1"));
		EXPECT("target32: the rule 'libfoo ' finds no version there (\"version\" is not one)",
		       rules.cnt == 2 && ucb_target_rule_version(&t, &rules.r[1], ver, sizeof(ver), &why) == 0);
		ucb_vrules_free(&rules);
		ucb_target_free(&t);
	}
	FILE *f = fopen(other, "w");
	fputs("not an ELF\n", f);
	fclose(f);
	err = ucb_target_read(other, &t);
	EXPECTF(err == -EINVAL && strstr(ucb_errmsg(), "not an ELF"), "target: a text file is -EINVAL ('%s')",
		ucb_errmsg());
	unlink(other);
}

/* A bundle with libfoo 2.5.1 for x86_64 and for i686, each entry with a
 * struct of its own; build_ids is the i686 entry's build-id list; libfoo's
 * version rule reads "libfoo version 2.5.1" from .rodata. */
static struct ucorebtf_bundle *bundle_two_arches(const char *build_ids)
{
	struct ucb_wblob blobs[2] = {};
	struct ucorebtf_bundle *b = NULL;
	struct btf *btf[2];
	char text[1024];
	void *img = NULL;
	size_t img_sz, i;
	__u32 sz;

	for (i = 0; i < 2; i++) {
		int id;

		btf[i] = btf__new_empty();
		id = btf__add_int(btf[i], "int", 4, BTF_INT_SIGNED);
		btf__add_struct(btf[i], i ? "foo_state32" : "foo_state64", 4);
		btf__add_field(btf[i], "a", id, 0, 0);
		blobs[i].data = btf__raw_data(btf[i], &sz);
		blobs[i].size = sz;
		ucb_sha256_hex(blobs[i].data, blobs[i].size, blobs[i].digest);
	}
	snprintf(text, sizeof(text), "libfoo\t2.5.1\ti686\t%s\t%zu\tlibfoo.so.2\t%s\t-\n"
		 "libfoo\t2.5.1\tx86_64\t%s\t%zu\tlibfoo.so.2\t-\t-\n",
		 blobs[1].digest, blobs[1].size, build_ids, blobs[0].digest, blobs[0].size);
	static const char rules[] = UCB_VRULES_HEADER "libfoo\trodata\tlibfoo version \n";

	if (!ucb_bundle_build(text, strlen(text), "", 0, rules, strlen(rules), blobs, 2, UCB_COMP_NONE,
			      &img, &img_sz))
		b = ucorebtf_bundle__open_mem(img, img_sz, NULL);
	free(img);
	btf__free(btf[0]);
	btf__free(btf[1]);
	return b;
}

/* prepare() for the ELF32 EM_386 target picks the i686 entry: by the
 * version given, by the version its .rodata holds (the library's rule), by
 * its build-id. */
static void test_select32(void)
{
	static const struct { const char *bids, *version, *how; } cases[] = {
		{ "-", "2.5.1", "version" }, { "-", NULL, "rule:rodata" }, { HEX_A, NULL, "build-id" },
	};
	const char *targets[1], *ver[1];
	struct ucorebtf_bundle *b;
	struct ucorebtf_btf *r;
	char path[300];
	size_t i;

	snprintf(path, sizeof(path), "%s/libfoo.so.2", dir);
	targets[0] = path;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		LIBBPF_OPTS(ucorebtf_prepare_opts, po, .object_name = "none", .no_memfd = true);

		ver[0] = cases[i].version;
		po.versions = ver;
		b = bundle_two_arches(cases[i].bids);
		r = b ? ucorebtf_bundle__prepare(b, targets, 1, &po) : NULL;
		const char *tp = NULL, *lib = NULL, *v = NULL, *arch = NULL, *how = NULL;

		if (r)
			ucorebtf_btf__target(r, 0, &tp, &lib, &v, &arch, &how);
		EXPECTF(r && ucorebtf_btf__target_cnt(r) == 1 && tp && !strcmp(tp, path) && !strcmp(lib, "libfoo") &&
			!strcmp(v, "2.5.1") && !strcmp(arch, "i686") && !strcmp(how, cases[i].how),
			"select32: the ELF32 EM_386 library gets the i686 entry by %s (%s %s %s %s)", cases[i].how,
			lib ?: "-", v ?: "-", arch ?: "-", how ?: ucorebtf_errmsg());
		if (r) {
			struct btf *got = btf__parse(ucorebtf_btf__path(r), NULL);

			EXPECTF(got && btf__find_by_name(got, "foo_state32") > 0 &&
				btf__find_by_name(got, "foo_state64") < 0,
				"select32: ... by %s, and its BTF is the i686 entry's", cases[i].how);
			btf__free(got);
		}
		ucorebtf_btf__close(r);
		ucorebtf_bundle__close(b);
	}
}

static void test_object_name(void)
{
	static const struct { const char *path, *name; } cases[] = {
		{ "dir/probe.bpf.o", "probe" }, { "probe.o", "probe" }, { "probe", "probe" },
		{ "/a.b/c.d/lua.bpf.o", "lua" }, { "/x/y/", "" }, { ".hidden.o", "" },
	};
	char out[16];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		EXPECTF(ucb_object_name(cases[i].path, out, sizeof(out)) == out && !strcmp(out, cases[i].name),
			"object name: '%s' is '%s'", cases[i].path, cases[i].name);
	EXPECT("object name: exactly fits", ucb_object_name("abcde.o", out, 6) && !strcmp(out, "abcde"));
	errno = 0;
	EXPECT("object name: one byte short is NULL, ENAMETOOLONG",
	       !ucb_object_name("abcde.o", out, 5) && errno == ENAMETOOLONG);
}

int main(void)
{
	char path[300];

	if (!mkdtemp(dir))
		return 1;
	test_arch_names();
	test_build_id_notes();
	test_soname();
	test_target32();
	test_select32();
	test_object_name();
	snprintf(path, sizeof(path), "%s/libfoo.so.2", dir);
	unlink(path);
	rmdir(dir);
	return failures ? 1 : 0;
}
