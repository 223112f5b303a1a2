#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "common.h"

bool json_output;
bool verbose;
const char *bin_name = "ucorebtf";

static char libbpf_err[512];

static int libbpf_print(enum libbpf_print_level lvl, const char *fmt, va_list ap)
{
	char buf[4096], *line;
	va_list cp;

	if (lvl == LIBBPF_WARN) {
		va_copy(cp, ap);
		vsnprintf(buf, sizeof(buf), fmt, cp);
		va_end(cp);
		/* A rejected CO-RE relocation explains a load failure best. */
		line = strstr(buf, "failed to resolve CO-RE relocation");
		if (line || !libbpf_err[0]) {
			snprintf(libbpf_err, sizeof(libbpf_err), "%.500s", line ? line : buf);
			libbpf_err[strcspn(libbpf_err, "\n")] = 0;
		}
	}
	if (verbose)
		return vfprintf(stderr, fmt, ap);
	return 0;
}

void libbpf_log_init(void)
{
	libbpf_set_print(libbpf_print);
}

void libbpf_log_reset(void)
{
	libbpf_err[0] = 0;
}

const char *libbpf_last_error(void)
{
	return libbpf_err;
}

void p_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("Error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void p_info(const char *fmt, ...)
{
	va_list ap;

	if (json_output)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int usage_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("Error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\nTry '%s help'.\n", bin_name);
	va_end(ap);
	return EXIT_USAGE;
}

int cmd_select(const struct cmd *cmds, int argc, char **argv,
	       int (*help)(int argc, char **argv))
{
	int i;

	if (argc < 1) {
		help(argc, argv);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[0], "help") || !strcmp(argv[0], "-h") || !strcmp(argv[0], "--help"))
		return help(argc, argv);
	for (i = 0; cmds[i].name; i++)
		if (!strcmp(argv[0], cmds[i].name))
			return cmds[i].func(argc - 1, argv + 1);
	return usage_err("unknown command '%s'", argv[0]);
}

int read_file(const char *path, void **data, size_t *size)
{
	struct stat st;
	ssize_t n;
	size_t off = 0;
	char *buf;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		close(fd);
		return err;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return -EISDIR;
	}
	buf = malloc(st.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (off < (size_t)st.st_size) {
		n = read(fd, buf + off, st.st_size - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			free(buf);
			close(fd);
			return err;
		}
		off += n;
	}
	close(fd);
	buf[off] = 0;
	*data = buf;
	*size = off;
	return 0;
}

int check_output_path(const char *path)
{
	struct stat st;
	char *copy, *dir;
	int err = 0;

	if (!stat(path, &st) && S_ISDIR(st.st_mode))
		return -EISDIR;
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	dir = dirname(copy);
	if (stat(dir, &st))
		err = -errno;
	else if (!S_ISDIR(st.st_mode))
		err = -ENOTDIR;
	else if (access(dir, W_OK))
		err = -errno;
	free(copy);
	return err;
}

static int write_all(int fd, const void *data, size_t size)
{
	size_t off = 0;
	ssize_t n;

	while (off < size) {
		n = write(fd, (const char *)data + off, size - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		off += n;
	}
	return 0;
}

int write_file_atomic(const char *path, const void *data, size_t size)
{
	size_t len = strlen(path);
	struct stat st;
	char *tmp;
	int fd, err = 0;

	err = check_output_path(path);
	if (err)
		return err;
	/* -o /dev/null or a FIFO: renaming over it would replace the node. */
	if (!stat(path, &st) && !S_ISREG(st.st_mode)) {
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		err = write_all(fd, data, size);
		if (close(fd) && !err)
			err = -errno;
		return err;
	}
	tmp = malloc(len + 16);
	if (!tmp)
		return -ENOMEM;
	snprintf(tmp, len + 16, "%s.tmp.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = -errno;
		free(tmp);
		return err;
	}
	err = write_all(fd, data, size);
	/* mkstemp makes 0600; output files are ordinary artefacts. */
	if (!err && fchmod(fd, 0644))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	free(tmp);
	return err;
}

void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}
