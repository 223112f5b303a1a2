#include <errno.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "lib/elf_id.h"
#include "lib/errmsg.h"
#include "lib/names.h"

/* The first GNU build-id note of d into hex; false if d has none. */
static bool note_build_id(Elf_Data *d, char *out)
{
	size_t off = 0, name_off, desc_off, i;
	GElf_Nhdr nh;

	while ((off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
		if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
		    memcmp((char *)d->d_buf + name_off, "GNU", 4) ||
		    !nh.n_descsz || nh.n_descsz > UCB_BUILD_ID_MAX)
			continue;
		for (i = 0; i < nh.n_descsz; i++)
			sprintf(out + 2 * i, "%02x", ((unsigned char *)d->d_buf)[desc_off + i]);
		return true;
	}
	return false;
}

static int dyn_soname(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, struct ucb_elf_id *id)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	const char *s;
	GElf_Dyn dyn;
	size_t i;

	for (i = 0; d && sh->sh_entsize && i < sh->sh_size / sh->sh_entsize; i++) {
		if (!gelf_getdyn(d, i, &dyn))
			break;
		if (dyn.d_tag != DT_SONAME || !(s = elf_strptr(elf, sh->sh_link, dyn.d_un.d_val)))
			continue;
		if (strlen(s) >= sizeof(id->soname))
			return ucb_errf(-ENAMETOOLONG, "DT_SONAME is longer than %zu bytes",
					sizeof(id->soname) - 1);
		snprintf(id->soname, sizeof(id->soname), "%s", s);
		return 0;
	}
	return 0;
}

int ucb_elf_id_read(Elf *elf, struct ucb_elf_id *id)
{
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;
	GElf_Shdr sh;
	Elf_Data *d;
	int err;

	memset(id, 0, sizeof(*id));
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh))
		return ucb_errf(-EINVAL, "not an ELF file");
	id->machine = eh.e_machine;
	snprintf(id->arch, sizeof(id->arch), "%s", ucb_arch_name(eh.e_machine));
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_NOTE && !id->build_id[0] && (d = elf_getdata(scn, NULL)))
			note_build_id(d, id->build_id);
		else if (sh.sh_type == SHT_DYNAMIC && !id->soname[0]) {
			err = dyn_soname(elf, scn, &sh, id);
			if (err)
				return err;
		}
	}
	return 0;
}
