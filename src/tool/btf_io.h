/* Reading and writing BTF files: raw BTF, ELF files with a .BTF section, and
 * the small ELF wrapper `gen btf` writes (.BTF + .ucorebtf.meta).
 *
 * Errors follow docs/conventions.md: -errno (or NULL with errno set) and one
 * message naming the file, read with ucb_errmsg(); nothing is printed. */
#ifndef UCOREBTF_BTF_IO_H
#define UCOREBTF_BTF_IO_H

#include <stdbool.h>
#include <stddef.h>

struct btf;

/* What gen btf records about the binary the BTF was made from. */
struct btf_meta {
	char library[64];	/* "libssl", "lua5.4", "app" */
	char version[64];	/* "3.0.17"; "" when unknown */
	char soname[128];	/* DT_SONAME; "" for executables */
	char build_id[81];	/* GNU build-id, lowercase hex; "" if none */
	char arch[16];		/* uname -m style: x86_64, aarch64, ... */
};

#define BTF_META_SEC ".ucorebtf.meta"

enum btf_file_kind {
	BTF_FILE_RAW,		/* raw BTF (0xeB9F magic) */
	BTF_FILE_ELF,		/* ELF with .BTF, without .BTF.ext */
	BTF_FILE_BPF_OBJ,	/* ELF with .BTF and .BTF.ext: a BPF object */
};

/* Tell a file's kind by content.  On error sets the message ("FILE: why")
 * and returns -errno (-ENOENT, -EISDIR, -ENODATA for an empty file or
 * an ELF without .BTF, -EINVAL for a bad magic). */
int btf_file_kind(const char *path, enum btf_file_kind *kind);

/* Parse raw BTF or an ELF's .BTF, split on base if base != NULL.  On error
 * returns NULL with errno and the message (naming the file) set. */
struct btf *btf_load(const char *path, struct btf *base);

/* Reject a type graph libbpf accepts but cannot walk: a type that contains
 * itself by value (typedef/modifier/array/member/var loops).  Sets the
 * message ("PATH: corrupt BTF: ...") and returns -ELOOP (-ENOMEM).
 * btf_load() calls it. */
int btf_check_graph(const struct btf *btf, const char *path);

/* Metadata from the .ucorebtf.meta section; returns -ENODATA if absent
 * (-errno if the file cannot be opened). */
int btf_meta_read(const char *path, struct btf_meta *meta);

/* Library name and version from a file name: "libssl-3.0.17.btf" gives
 * library "libssl", version "3.0.17"; "foo.btf" gives "foo", "". */
void btf_meta_from_name(const char *path, struct btf_meta *meta);

/* Metadata from the section, else from the file name; never fails. */
void btf_meta_get(const char *path, struct btf_meta *meta);

/* Write btf wrapped in a minimal ELF (.BTF + .ucorebtf.meta) that libbpf
 * and bpftool read as any ELF with .BTF.  Atomic; returns 0 or -errno
 * (message "PATH: why"). */
int btf_write_elf(const char *path, const struct btf *btf, const struct btf_meta *meta);

/* Write raw BTF, atomically.  Returns 0 or -errno (message "PATH: why"). */
int btf_write_raw(const char *path, const struct btf *btf);

#endif
