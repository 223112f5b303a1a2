/* libucorebtf's bundles: open (everything is checked here, so a damaged
 * bundle fails now and not at load time), close, the entries; the options
 * rule; ucorebtf_errmsg().  Public API in include/ucorebtf.h. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lib/errmsg.h"
#include "lib/fileio.h"
#include "lib/runtime.h"

UCOREBTF_API const char *ucorebtf_errmsg(void)
{
	return ucb_errmsg();
}

bool ucb_opts_valid(const void *opts, size_t known_sz, size_t user_sz, const char *type)
{
	const unsigned char *p = opts;
	size_t i;

	if (user_sz < sizeof(size_t)) {
		ucb_errf(-EINVAL, "%s: sz is %zu, set it to sizeof(struct %s)", type, user_sz, type);
		return false;
	}
	for (i = known_sz; i < user_sz; i++)
		if (p[i]) {
			ucb_errf(-EINVAL, "%s: non-zero byte at offset %zu, past the %zu bytes of fields "
				 "this libucorebtf knows", type, i, known_sz);
			return false;
		}
	return true;
}

UCOREBTF_API struct ucorebtf_bundle *
ucorebtf_bundle__open_mem(const void *data, size_t size, const struct ucorebtf_bundle_opts *opts)
{
	struct ucb_limits lim;
	struct ucorebtf_bundle *b;
	int err;

	if (!OPTS_VALID(opts, ucorebtf_bundle_opts))
		return NULL;
	lim.max_size = OPTS_GET(opts, max_size, 0);
	lim.mem_limit = OPTS_GET(opts, mem_limit, 0);
	b = calloc(1, sizeof(*b));
	if (!b)
		return ucb_errp(-ENOMEM, "bundle: out of memory");
	err = ucb_bundle_parse(data, size, &lim, &b->b);
	if (err) {
		free(b);
		return ucb_errp(err, "bundle: %s", ucb_errmsg());
	}
	return b;
}

/* Read with read() into memory, never mmap'ed: a file truncated under a
 * mapping kills the reader with SIGBUS, one truncated under read() is an
 * error.  A file too large to hold a payload of max_size is not read. */
UCOREBTF_API struct ucorebtf_bundle *
ucorebtf_bundle__open_file(const char *path, const struct ucorebtf_bundle_opts *opts)
{
	uint64_t max = UCB_DEFAULT_MAX_SIZE;
	struct ucorebtf_bundle *b;
	size_t sz;
	void *data;
	int err;

	if (!path)
		return ucb_errp(-EINVAL, "bundle: no path");
	if (!OPTS_VALID(opts, ucorebtf_bundle_opts))
		return NULL;
	if (OPTS_GET(opts, max_size, 0))
		max = OPTS_GET(opts, max_size, 0);
	/* Compression never makes a payload much larger: 1/64 and 64 KiB
	 * are far above what xz or zlib add to incompressible data. */
	max = max > SIZE_MAX / 2 ? SIZE_MAX / 2 : max;
	err = ucb_read_file_max(path, max + max / 64 + (64 << 10) + UCB_HDR_SZ, &data, &sz);
	if (err)
		return NULL;
	b = ucorebtf_bundle__open_mem(data, sz, opts);
	err = errno;
	free(data);
	if (!b)
		return ucb_errp(-err, "%s: %s", path, ucb_errmsg());
	return b;
}

UCOREBTF_API void ucorebtf_bundle__close(struct ucorebtf_bundle *b)
{
	if (!b)
		return;
	ucb_bundle_free(&b->b);
	free(b);
}

UCOREBTF_API size_t ucorebtf_bundle__entry_cnt(const struct ucorebtf_bundle *b)
{
	return b ? b->b.idx.cnt : 0;
}

UCOREBTF_API int ucorebtf_bundle__entry(const struct ucorebtf_bundle *b, size_t i,
					const char **lib, const char **version, const char **arch)
{
	const struct ucb_entry *e = b && i < b->b.idx.cnt ? &b->b.idx.e[i] : NULL;

	if (lib)
		*lib = e ? e->lib : NULL;
	if (version)
		*version = e ? e->version : NULL;
	if (arch)
		*arch = e ? e->arch : NULL;
	if (!b)
		return ucb_errf(-EINVAL, "entry: no bundle");
	if (!e)
		return ucb_errf(-ENOENT, "entry %zu: the bundle holds %zu", i, b->b.idx.cnt);
	return 0;
}
