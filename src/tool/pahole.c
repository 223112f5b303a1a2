/* gen btf --via pahole: pahole --btf_encode_detached into a temp file. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "lib/errmsg.h"
#include "tool/pahole.h"

/* Run pahole; its stdout and stderr go to a temp file read back after. */
static int run_pahole(const char *dwarf_file, const char *out_btf, int *unhandled,
		      pahole_line_fn cb, void *ctx)
{
	const char *pahole = getenv("PAHOLE") ?: "pahole";
	char arg[PATH_MAX + 32], errpath[] = "/tmp/ucorebtf-pahole.XXXXXX", line[512];
	int status, efd, err;
	FILE *ef;
	pid_t pid;

	efd = mkstemp(errpath);
	if (efd < 0)
		return ucb_errf(-errno, "cannot create a temporary file: %s", strerror(errno));
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
		err = -errno;
		close(efd);
		return ucb_errf(err, "%s: cannot run pahole: %s", dwarf_file, strerror(-err));
	}
	*unhandled = 0;
	lseek(efd, 0, SEEK_SET);
	ef = fdopen(efd, "r");
	while (ef && fgets(line, sizeof(line), ef)) {
		if (strstr(line, "not handled"))
			(*unhandled)++;
		if (cb)
			cb(ctx, line);
	}
	if (ef)
		fclose(ef);
	else
		close(efd);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return ucb_errf(-EIO, "%s: pahole failed (%s)", dwarf_file,
				WIFEXITED(status) && WEXITSTATUS(status) == 127 ?
				"pahole not found" : "exit status");
	return 0;
}

struct btf *pahole__encode(const char *dwarf_file, int *unhandled, pahole_line_fn line,
			   void *ctx)
{
	char tmp[] = "/tmp/ucorebtf-btf.XXXXXX";
	struct btf *btf;
	int err, tfd;

	tfd = mkstemp(tmp);
	if (tfd < 0)
		return ucb_errp(-errno, "cannot create a temporary file: %s", strerror(errno));
	close(tfd);
	err = run_pahole(dwarf_file, tmp, unhandled, line, ctx);
	btf = err ? NULL : btf__parse_raw(tmp);
	if (!err && !btf)
		err = ucb_errf(errno ? -errno : -EINVAL, "%s: pahole's BTF does not parse", dwarf_file);
	unlink(tmp);
	if (err) {
		errno = -err;
		return NULL;
	}
	return btf;
}
