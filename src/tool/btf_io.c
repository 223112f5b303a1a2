/* BTF file kinds, loading with clear errors, and the gen btf ELF wrapper. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "lib/btf_check.h"
#include "lib/errmsg.h"
#include "lib/fileio.h"
#include "tool/btf_io.h"
#include "tool/libbpf_log.h"

#define BTF_MAGIC_LE "\x9f\xeb"
#define BTF_MAGIC_BE "\xeb\x9f"

/* Find a section by name; returns NULL if absent. */
static Elf_Scn *elf_find_scn(Elf *elf, const char *name, GElf_Shdr *shdr)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	const char *n;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, shdr))
			continue;
		n = elf_strptr(elf, shstrndx, shdr->sh_name);
		if (n && !strcmp(n, name))
			return scn;
	}
	return NULL;
}

static int elf_kind_of(const char *path, int fd, enum btf_file_kind *kind)
{
	GElf_Shdr shdr;
	Elf *elf;
	int err = 0;

	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF)
		err = ucb_errf(-EINVAL, "%s: not a valid ELF file (%s)", path, elf_errmsg(-1));
	else if (!elf_find_scn(elf, ".BTF", &shdr) || shdr.sh_type == SHT_NOBITS || !shdr.sh_size)
		err = ucb_errf(-ENODATA, "%s: ELF file has no .BTF section", path);
	else
		*kind = elf_find_scn(elf, ".BTF.ext", &shdr) ? BTF_FILE_BPF_OBJ : BTF_FILE_ELF;
	elf_end(elf);
	return err;
}

int btf_file_kind(const char *path, enum btf_file_kind *kind)
{
	unsigned char magic[4];
	struct stat st;
	int fd, err;
	ssize_t n;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return ucb_errf(-errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) || S_ISDIR(st.st_mode) || !S_ISREG(st.st_mode)) {
		err = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		close(fd);
		return ucb_errf(err, "%s: %s", path,
				err == -EISDIR ? "is a directory" : "not a regular file");
	}
	if (st.st_size == 0) {
		close(fd);
		return ucb_errf(-ENODATA, "%s: empty file", path);
	}
	n = pread(fd, magic, sizeof(magic), 0);
	if (n == 4 && !memcmp(magic, ELFMAG, SELFMAG)) {
		err = elf_kind_of(path, fd, kind);
	} else if (n >= 2 && (!memcmp(magic, BTF_MAGIC_LE, 2) || !memcmp(magic, BTF_MAGIC_BE, 2))) {
		*kind = BTF_FILE_RAW;
		err = 0;
	} else {
		err = ucb_errf(-EINVAL, "%s: neither BTF nor ELF (wrong magic %02x%02x%02x%02x)", path,
			       magic[0], n > 1 ? magic[1] : 0, n > 2 ? magic[2] : 0,
			       n > 3 ? magic[3] : 0);
	}
	close(fd);
	return err;
}

/* The one type-graph check (lib/btf_check.c), shared with the runtime. */
int btf_check_graph(const struct btf *btf, const char *path)
{
	return ucb_btf_check_graph(btf, path);
}

struct btf *btf_load(const char *path, struct btf *base)
{
	enum btf_file_kind kind;
	struct btf *btf;
	int err;

	err = btf_file_kind(path, &kind);
	if (err)
		return NULL;	/* errno and the message are set */
	libbpf_log__reset();
	btf = kind == BTF_FILE_RAW ? btf__parse_raw_split(path, base) : btf__parse_split(path, base);
	if (!btf) {
		err = errno ? -errno : -EINVAL;
		return ucb_errp(err, "%s: BTF does not parse (truncated or corrupt)%s%s", path,
				libbpf_log__last()[0] ? ": " : "", libbpf_log__last());
	}
	err = btf_check_graph(btf, path);
	if (err) {
		btf__free(btf);
		btf = NULL;
		errno = -err;
	}
	return btf;
}

static void meta_set(struct btf_meta *m, const char *key, const char *val)
{
	static const struct { const char *key; size_t off, size; } fields[] = {
		{ "library", offsetof(struct btf_meta, library), sizeof(m->library) },
		{ "version", offsetof(struct btf_meta, version), sizeof(m->version) },
		{ "soname", offsetof(struct btf_meta, soname), sizeof(m->soname) },
		{ "build_id", offsetof(struct btf_meta, build_id), sizeof(m->build_id) },
		{ "arch", offsetof(struct btf_meta, arch), sizeof(m->arch) },
	};
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (!strcmp(key, fields[i].key))
			snprintf((char *)m + fields[i].off, fields[i].size, "%s", val);
}

int btf_meta_read(const char *path, struct btf_meta *meta)
{
	GElf_Shdr shdr;
	Elf_Data *data;
	Elf_Scn *scn;
	Elf *elf;
	char *text, *line, *save, *eq;
	int fd, err = -ENODATA;

	memset(meta, 0, sizeof(*meta));
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return ucb_errf(-errno, "%s: %s", path, strerror(errno));
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (elf && elf_kind(elf) == ELF_K_ELF && (scn = elf_find_scn(elf, BTF_META_SEC, &shdr)) &&
	    (data = elf_getdata(scn, NULL)) && data->d_size) {
		text = strndup(data->d_buf, data->d_size);
		for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			eq = strchr(line, '=');
			if (!eq)
				continue;
			*eq = 0;
			meta_set(meta, line, eq + 1);
		}
		free(text);
		err = 0;
	}
	elf_end(elf);
	close(fd);
	if (err)
		return ucb_errf(err, "%s: no %s section", path, BTF_META_SEC);
	return 0;
}

void btf_meta_from_name(const char *path, struct btf_meta *meta)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char name[256], *dash, *dot;
	size_t i;

	memset(meta, 0, sizeof(*meta));
	snprintf(name, sizeof(name), "%s", base);
	dot = strrchr(name, '.');
	if (dot && !strcmp(dot, ".btf"))
		*dot = 0;
	/* gen min's blobs: libssl-3.0.17.min.btf is libssl 3.0.17 too. */
	dot = strrchr(name, '.');
	if (dot && !strcmp(dot, ".min"))
		*dot = 0;
	/* The version starts at the first '-' followed by a digit. */
	for (i = 0, dash = NULL; name[i]; i++)
		if (name[i] == '-' && name[i + 1] >= '0' && name[i + 1] <= '9') {
			dash = name + i;
			break;
		}
	if (dash) {
		*dash = 0;
		snprintf(meta->version, sizeof(meta->version), "%s", dash + 1);
	}
	snprintf(meta->library, sizeof(meta->library), "%.63s", name);
}

void btf_meta_get(const char *path, struct btf_meta *meta)
{
	struct btf_meta from_name;

	btf_meta_from_name(path, &from_name);
	if (btf_meta_read(path, meta)) {
		*meta = from_name;
		return;
	}
	if (!meta->library[0])
		memcpy(meta->library, from_name.library, sizeof(meta->library));
	if (!meta->version[0])
		memcpy(meta->version, from_name.version, sizeof(meta->version));
}

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) / a * a;
}

int btf_write_elf(const char *path, const struct btf *btf, const struct btf_meta *m)
{
	static const char shstrtab[] = "\0.BTF\0" BTF_META_SEC "\0.shstrtab";
	enum { NAME_BTF = 1, NAME_META = 6, NAME_SHSTRTAB = 7 + sizeof(BTF_META_SEC) - 1 };
	char meta[512];
	const void *raw;
	__u32 raw_sz;
	size_t meta_sz, off_btf, off_meta, off_str, off_sh, total;
	Elf64_Ehdr *eh;
	Elf64_Shdr *sh;
	char *img;
	int err;

	raw = btf__raw_data(btf, &raw_sz);
	if (!raw)
		return ucb_errf(-ENOMEM, "%s: out of memory", path);
	meta_sz = snprintf(meta, sizeof(meta),
			   "library=%s\nversion=%s\nsoname=%s\nbuild_id=%s\narch=%s\n",
			   m->library, m->version, m->soname, m->build_id, m->arch);
	off_btf = sizeof(Elf64_Ehdr);
	off_meta = align_up(off_btf + raw_sz, 8);
	off_str = off_meta + meta_sz;
	off_sh = align_up(off_str + sizeof(shstrtab), 8);
	total = off_sh + 4 * sizeof(Elf64_Shdr);
	img = calloc(1, total);
	if (!img)
		return ucb_errf(-ENOMEM, "%s: out of memory", path);

	eh = (Elf64_Ehdr *)img;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB : ELFDATA2MSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_REL;
	eh->e_machine = EM_NONE;
	eh->e_version = EV_CURRENT;
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_shoff = off_sh;
	eh->e_shentsize = sizeof(Elf64_Shdr);
	eh->e_shnum = 4;
	eh->e_shstrndx = 3;

	memcpy(img + off_btf, raw, raw_sz);
	memcpy(img + off_meta, meta, meta_sz);
	memcpy(img + off_str, shstrtab, sizeof(shstrtab));
	sh = (Elf64_Shdr *)(img + off_sh);
	sh[1] = (Elf64_Shdr){ .sh_name = NAME_BTF, .sh_type = SHT_PROGBITS,
			      .sh_offset = off_btf, .sh_size = raw_sz, .sh_addralign = 4 };
	sh[2] = (Elf64_Shdr){ .sh_name = NAME_META, .sh_type = SHT_PROGBITS,
			      .sh_offset = off_meta, .sh_size = meta_sz, .sh_addralign = 1 };
	sh[3] = (Elf64_Shdr){ .sh_name = NAME_SHSTRTAB, .sh_type = SHT_STRTAB,
			      .sh_offset = off_str, .sh_size = sizeof(shstrtab), .sh_addralign = 1 };
	err = ucb_write_file_atomic(path, img, total);
	free(img);
	if (err)
		return ucb_errf(err, "%s: %s", path, strerror(-err));
	return 0;
}

int btf_write_raw(const char *path, const struct btf *btf)
{
	const void *raw;
	__u32 sz;
	int err;

	raw = btf__raw_data(btf, &sz);
	if (!raw)
		return ucb_errf(-ENOMEM, "%s: out of memory", path);
	err = ucb_write_file_atomic(path, raw, sz);
	if (err)
		return ucb_errf(err, "%s: %s", path, strerror(-err));
	return 0;
}
