// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* sslsniff: print the TLS plaintext that processes using one OpenSSL build
 * send and receive, with the protocol version, the side and the socket
 * fds, read by bpf/sslsniff.bpf.o through CO-RE.  The OpenSSL types come
 * from a ucorebtf bundle, the entry chosen by the libraries' build-ids
 * (libucorebtf), or from a BTF file.  libbpf and libucorebtf public API only.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "ucorebtf.h"
#include "../common/probe_run.h"
#include "../../bpf/sslsniff.h"

static const char usage_text[] =
	"usage: %s [-B BUNDLE | -b BTF] [-N] [-j] [-v] OBJ TARGET [COMMAND [ARG...]]\n"
	"\n"
	"Attach OBJ (bpf/sslsniff.bpf.o) to SSL_write and SSL_read of an OpenSSL\n"
	"libssl and print one line per call that moved data: pid, command, write or\n"
	"read, TLS version, server or client side, the rbio/wbio fds, the plaintext.\n"
	"\n"
	"  TARGET     the openssl command (or any program linked to libssl), or libssl itself\n"
	"  -B BUNDLE  libucorebtf picks the bundle entries of TARGET's libssl and libcrypto\n"
	"             by build-id (DT_NEEDED followed: the probe reads libcrypto's bio_st)\n"
	"  -N         do not follow DT_NEEDED (TARGET's own entry only; libssl alone is refused)\n"
	"  -b BTF     btf_custom_path for libbpf instead (kernel + OpenSSL types); TARGET is libssl\n"
	"  -j         one JSON object per call\n"
	"  -v         libbpf's log\n"
	"  COMMAND    run it, held until the probes are attached; capture until it exits\n"
	"             (its stdout goes to stderr).  Without it: until Ctrl-C\n";

static int json;
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

/* Plaintext as one line: printable ASCII kept, the rest escaped (JSON
 * rules under -j, C-like otherwise). */
static void put_data(const char *d, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		unsigned char c = d[i];

		if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\r')
			fputs("\\r", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf(json ? "\\u%04x" : "\\x%02x", c);
		else
			putchar(c);
	}
}

static const char *version_name(int v)
{
	switch (v) {
	case 0x300: return "SSLv3";
	case 0x301: return "TLS1.0";
	case 0x302: return "TLS1.1";
	case 0x303: return "TLS1.2";
	case 0x304: return "TLS1.3";
	}
	return "?";
}

static int on_event(void *ctx, void *data, size_t size)
{
	const struct sslsniff_event *e = data;
	const char *dir = e->dir == SSLSNIFF_WRITE ? "write" : "read";
	char comm[sizeof(e->comm) + 1] = {};

	if (size < sizeof(*e))
		return 0;
	memcpy(comm, e->comm, sizeof(e->comm));
	if (json) {
		printf("{\"pid\":%u,\"tid\":%u,\"comm\":\"", e->pid, e->tid);
		put_data(comm, strlen(comm));
		printf("\",\"dir\":\"%s\",\"ret\":%d,\"len\":%u,\"version\":%d,\"server\":%d,"
		       "\"rfd\":%d,\"wfd\":%d,\"split\":%d,\"type\":%d,\"data\":\"",
		       dir, e->ret, e->len, e->version, e->server, e->rfd, e->wfd, e->split, e->type);
		put_data(e->data, e->len);
		puts("\"}");
	} else {
		printf("%-7u %-12s %-5s %5d %-6s %-6s rfd %d wfd %d: ", e->pid, comm, dir, e->ret,
		       version_name(e->version), e->server == 1 ? "server" : e->server == 0 ? "client" : "?",
		       e->rfd, e->wfd);
		put_data(e->data, e->len);
		putchar('\n');
	}
	fflush(stdout);
	return 0;
}

/* The BTF for TARGET from the bundle; *libssl gets the path of the libssl
 * its entry was chosen for (where the uprobes go). */
static struct ucorebtf_btf *prepare(struct ucorebtf_bundle *b, const char *obj, const char *target,
				    bool follow, const char **libssl)
{
	UCOREBTF_OPTS(ucorebtf_prepare_opts, po, .object_path = obj, .follow_needed = follow);
	const char *path, *lib, *ver, *how;
	struct ucorebtf_btf *t;
	size_t i;

	t = ucorebtf_bundle__prepare(b, &target, 1, &po);
	if (!t)
		return NULL;
	*libssl = NULL;
	for (i = 0; !ucorebtf_btf__target(t, i, &path, &lib, &ver, NULL, &how); i++) {
		fprintf(stderr, "sslsniff: %s: %s %s (%s)\n", path, lib, ver, how);
		probe_warn_how(path, how);
		if (!strcmp(lib, "libssl"))
			*libssl = path;
	}
	return t;
}

static struct bpf_link *attach(struct bpf_object *obj, const char *prog, const char *func,
			       const char *lib, bool ret)
{
	LIBBPF_OPTS(bpf_uprobe_opts, opts, .func_name = func, .retprobe = ret);
	struct bpf_program *p = bpf_object__find_program_by_name(obj, prog);
	struct bpf_link *l = p ? bpf_program__attach_uprobe_opts(p, -1, lib, 0, &opts) : NULL;

	if (!l) {
		char what[128];

		snprintf(what, sizeof(what), "attaching %s to %s in", prog, func);
		probe_fail(what, lib, p ? errno : ENOENT);
	}
	return l;
}

/* Fork COMMAND held on a pipe; released by release(). */
static pid_t spawn(char **argv, int *gate)
{
	int fds[2];
	pid_t pid;
	char c;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(fds[1]);
		if (read(fds[0], &c, 1) != 1 || dup2(2, 1) < 0)
			_exit(127);
		execvp(argv[0], argv);
		fprintf(stderr, "Error: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fds[0]);
	*gate = fds[1];
	return pid;
}

static int run(struct bpf_object *obj, const char *libssl, char **cmd)
{
	static const char *const progs[][3] = {
		{ "ssl_write_entry", "SSL_write", "" }, { "ssl_write_return", "SSL_write", "r" },
		{ "ssl_read_entry", "SSL_read", "" }, { "ssl_read_return", "SSL_read", "r" },
	};
	struct bpf_link *links[4] = {};
	struct ring_buffer *rb = NULL;
	int i, err = 1, gate = -1, status = 0;
	pid_t pid = -1;

	for (i = 0; i < 4; i++)
		if (!(links[i] = attach(obj, progs[i][0], progs[i][1], libssl, progs[i][2][0])))
			goto out;
	rb = ring_buffer__new(bpf_map__fd(bpf_object__find_map_by_name(obj, "events")), on_event,
			      NULL, NULL);
	if (!rb) {
		probe_fail("opening the ring buffer of", "events", errno);
		goto out;
	}
	if (cmd[0]) {
		pid = spawn(cmd, &gate);
		if (pid < 0 || write(gate, "g", 1) != 1) {
			probe_fail("starting", cmd[0], errno);
			goto out;
		}
		close(gate);
	} else {
		fprintf(stderr, "sslsniff: tracing SSL_write/SSL_read in %s; Ctrl-C to end\n", libssl);
	}
	while (!stop) {
		if (ring_buffer__poll(rb, 100) < 0 && errno != EINTR)
			break;
		if (pid > 0 && waitpid(pid, &status, WNOHANG) == pid)
			break;
	}
	ring_buffer__consume(rb);
	err = pid > 0 ? !(WIFEXITED(status) && WEXITSTATUS(status) == 0) : 0;
	if (err)
		fprintf(stderr, "Error: %s did not run to completion\n", cmd[0]);
out:
	ring_buffer__free(rb);
	for (i = 0; i < 4; i++)
		bpf_link__destroy(links[i]);
	return err;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = { { "help", no_argument, NULL, 'h' }, {} };
	const char *btf = NULL, *bundle_path = NULL, *objpath, *target, *libssl;
	struct ucorebtf_bundle *bundle = NULL;
	struct ucorebtf_btf *prepared = NULL;
	struct bpf_object *obj;
	int opt, verbose = 0, err;
	bool follow = true;

	while ((opt = getopt_long(argc, argv, "+b:B:Njvh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'b': btf = optarg; break;
		case 'B': bundle_path = optarg; break;
		case 'N': follow = false; break;
		case 'j': json = 1; break;
		case 'v': verbose = 1; break;
		case 'h': printf(usage_text, argv[0]); return 0;
		default: goto usage;
		}
	}
	if (argc - optind < 2 || (btf && bundle_path))
		goto usage;
	objpath = argv[optind];
	target = libssl = argv[optind + 1];
	probe_log_init(verbose ? LIBBPF_DEBUG : PROBE_LOG_QUIET);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	if (bundle_path) {
		bundle = ucorebtf_bundle__open_file(bundle_path, NULL);
		prepared = bundle ? prepare(bundle, objpath, target, follow, &libssl) : NULL;
		if (!prepared) {
			fprintf(stderr, "Error: %s: %s\n", bundle_path, ucorebtf_errmsg());
			ucorebtf_bundle__close(bundle);
			return 1;
		}
		if (!libssl) {
			fprintf(stderr, "Error: %s: no libssl among the bundle entries chosen for it\n", target);
			goto fail;
		}
		btf = ucorebtf_btf__path(prepared);
	}
	obj = probe_open(objpath, btf);
	err = obj ? probe_load(obj, objpath) : -1;
	if (err)
		goto fail;
	err = run(obj, libssl, argv + optind + 2);
	bpf_object__close(obj);
	ucorebtf_btf__close(prepared);
	ucorebtf_bundle__close(bundle);
	return err;
fail:
	ucorebtf_btf__close(prepared);
	ucorebtf_bundle__close(bundle);
	return 1;
usage:
	fprintf(stderr, usage_text, argv[0]);
	return 2;
}
