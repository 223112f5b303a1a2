/* .BTF.ext parsing: the gen min engine reads a BPF object's .BTF and its
 * CO-RE relocation records (um_add_object(): libbpf's btf__parse() of the
 * ELF, the graph check, then every record's section, type id, access string
 * and kind checked), then resolves them against the seed app's library BTF
 * and the fixture kernel with verification, as gen min does.  The input is
 * the object file. */
#include <bpf/btf.h>
#include "minimize.h"
#include "fuzz.h"

static struct btf *kernel, *lib;
static const char *lib_path;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *kpath;

	fuzz_init_common();
	kpath = fuzz_fixture("UCB_FUZZ_KBTF", FUZZ_KBTF);
	lib_path = fuzz_fixture("UCB_FUZZ_LIB_BTF", FUZZ_LIB_BTF);
	kernel = btf__parse(kpath, NULL);
	lib = btf__parse(lib_path, NULL);
	if (!kernel || !lib)
		fuzz_die("%s, %s: %s", kpath, lib_path, strerror(errno));
	return 0;
}

static void need_noop(void *ctx, const char *kind, const char *name,
		      const char *const *members, int n_members)
{
}

/* Resolve every relocation and read every answer, as gen min and check. */
static void run(struct um_engine *e)
{
	struct btf *const libs[] = { lib };
	const char *const labels[] = { lib_path };
	const char *const *shadowed;
	struct um_release *r;
	struct btf *kblob;
	int o, i;

	for (o = 0; o < um_obj_cnt(e); o++)
		for (i = 0; i < um_relo_cnt(e, o); i++)
			if (!um_relo_name(e, o, i) || !um_relo_kind(e, o, i))
				fuzz_die("relocation %d has no name or kind", i);
	r = um_run(e, libs, labels, 1, true);
	if (!r)
		return;
	for (o = 0; o < um_obj_cnt(e); o++) {
		for (i = 0; i < um_relo_cnt(e, o); i++)
			if (!um_decision_get(r, o, i))
				fuzz_die("relocation %d has no decision", i);
		um_kernel_needs(e, o, need_noop, NULL);
	}
	(void)um_release_blob(r, 0);
	(void)um_release_shadowed(r, &shadowed);
	kblob = um_kernel_blob(e);
	btf__free(kblob);
	um_release_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct um_engine *e = um_new(kernel);

	if (!e)
		fuzz_die("um_new: out of memory");
	um_set_kernel_path(e, "kernel.btf");
	if (!um_add_object(e, fuzz_file(data, size)))
		run(e);
	um_free(e);
	return 0;
}
