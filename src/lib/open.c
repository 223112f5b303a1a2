/* libucorebtf's bundles: open (everything is checked here, so a damaged
 * bundle fails now and not at load time), close, the entries; the options
 * rule; ucorebtf_errmsg().  Public API in include/ucorebtf.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/errmsg.h"
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

UCOREBTF_API struct ucorebtf_bundle *
ucorebtf_bundle__open_file(const char *path, const struct ucorebtf_bundle_opts *opts)
{
	struct ucorebtf_bundle *b;
	struct stat st;
	void *data;
	int fd, err;

	if (!path)
		return ucb_errp(-EINVAL, "bundle: no path");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ucb_errp(-errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size == 0) {
		close(fd);
		return ucb_errp(-EINVAL, "%s: not a regular non-empty file", path);
	}
	data = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (data == MAP_FAILED)
		return ucb_errp(-errno, "%s: %s", path, strerror(errno));
	b = ucorebtf_bundle__open_mem(data, st.st_size, opts);
	err = errno;
	munmap(data, st.st_size);
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
