/* Which files a bundle accepts: every ELF file named on stdin (one path per
 * line; other files are skipped by their magic) through
 * ucorebtf_bundle__prepare() against each bundle, with follow_needed set
 * (the most a caller can allow).  tests/cli/t_select.sh runs it over
 * /usr/bin and /usr/lib.
 *
 * usage: select_scan [-v VERSION] BUNDLE...  < paths
 * Prints "ACCEPT BUNDLE PATH LIB VERSION HOW" per accepted pair, "OTHER
 * BUNDLE PATH: message" per failure that is not a refusal of selection, and
 * a last line "elf N refused N accepted N other N". */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ucorebtf.h"

static int is_elf(const char *path)
{
	unsigned char m[4];
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	int ok;

	if (fd < 0)
		return 0;
	ok = read(fd, m, 4) == 4 && !memcmp(m, "\177ELF", 4);
	close(fd);
	return ok;
}

int main(int argc, char **argv)
{
	UCOREBTF_OPTS(ucorebtf_prepare_opts, po, .object_name = "none", .follow_needed = true);
	unsigned long elf = 0, refused = 0, accepted = 0, other = 0;
	struct ucorebtf_bundle **b;
	const char *version = NULL, *lib, *ver, *how;
	char line[4096];
	int i, first = 1, nb;

	if (argc > 2 && !strcmp(argv[1], "-v")) {
		version = argv[2];
		po.versions = &version;
		first = 3;
	}
	nb = argc - first;
	if (nb < 1) {
		fprintf(stderr, "usage: %s [-v VERSION] BUNDLE... < paths\n", argv[0]);
		return 2;
	}
	b = calloc(nb, sizeof(*b));
	for (i = 0; i < nb; i++) {
		b[i] = ucorebtf_bundle__open_file(argv[first + i], NULL);
		if (!b[i]) {
			fprintf(stderr, "%s: %s\n", argv[first + i], ucorebtf_errmsg());
			return 1;
		}
	}
	while (fgets(line, sizeof(line), stdin)) {
		const char *path = line;
		struct ucorebtf_btf *t;

		line[strcspn(line, "\n")] = 0;
		if (!line[0] || !is_elf(path))
			continue;
		elf++;
		for (i = 0; i < nb; i++) {
			t = ucorebtf_bundle__prepare(b[i], &path, 1, &po);
			if (t) {
				ucorebtf_btf__target(t, 0, NULL, &lib, &ver, NULL, &how);
				printf("ACCEPT %s %s %s %s %s\n", argv[first + i], path, lib, ver, how);
				accepted++;
				ucorebtf_btf__close(t);
			} else if (strstr(ucorebtf_errmsg(), "no bundle entry for this binary") ||
				   strstr(ucorebtf_errmsg(), "several bundle entries match")) {
				refused++;
			} else {
				printf("OTHER %s %s: %s\n", argv[first + i], path, ucorebtf_errmsg());
				other++;
			}
		}
	}
	for (i = 0; i < nb; i++)
		ucorebtf_bundle__close(b[i]);
	free(b);
	printf("elf %lu refused %lu accepted %lu other %lu\n", elf, refused, accepted, other);
	return 0;
}
