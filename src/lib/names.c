#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include "lib/errmsg.h"
#include "lib/names.h"

#ifndef EM_LOONGARCH
#define EM_LOONGARCH 258
#endif

static const struct {
	int machine;
	const char *name;
} arches[] = {
	{ EM_X86_64, "x86_64" },
	{ EM_AARCH64, "aarch64" },
	{ EM_386, "i686" },
	{ EM_ARM, "arm" },
	{ EM_PPC64, "ppc64le" },
	{ EM_S390, "s390x" },
	{ EM_RISCV, "riscv64" },
	{ EM_LOONGARCH, "loongarch64" },
};

const char *ucb_arch_name(int e_machine)
{
	size_t i;

	for (i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (arches[i].machine == e_machine)
			return arches[i].name;
	return "unknown";
}

const char *ucb_host_arch(void)
{
	static const char *const x86_32[] = { "i386", "i486", "i586", "i686" };
	struct utsname u;
	size_t i;

	if (uname(&u))
		return "unknown";
	for (i = 0; i < sizeof(x86_32) / sizeof(x86_32[0]); i++)
		if (!strcmp(u.machine, x86_32[i]))
			return ucb_arch_name(EM_386);
	for (i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (!strcmp(u.machine, arches[i].name))
			return arches[i].name;
	/* armv7l and the like: what the table calls them. */
	if (!strncmp(u.machine, "arm", 3))
		return ucb_arch_name(EM_ARM);
	return "unknown";
}

char *ucb_object_name(const char *path, char *out, size_t out_sz)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t n = strcspn(base, ".");

	if (n >= out_sz)
		return ucb_errp(-ENAMETOOLONG, "%s: object name longer than %zu bytes", path,
				out_sz ? out_sz - 1 : 0);
	memcpy(out, base, n);
	out[n] = 0;
	return out;
}
