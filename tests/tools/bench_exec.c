/* Whole-process timings for the bench-*.sh scripts: run each command in
 * turn, RUNS rounds interleaved (so machine load hits every command alike),
 * and print per command its median wall time, median CPU time (user + sys
 * of the child, from wait4) and the largest peak RSS.
 * usage: bench_exec RUNS NAME CMD ARGS... [-- NAME CMD ARGS...]...
 * Prints "NAME wall_ms_median cpu_ms_median maxrss_kb" lines. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include "bench.h"

#define MAX_CMDS 8

struct cmd {
	char *name;
	char **argv;
	double *wall, *cpu;
	long rss;
};

static int run(struct cmd *c, int i)
{
	struct rusage ru;
	double t = now_ms();
	int st, fd;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (!pid) {
		fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		dup2(fd, 2);
		execvp(c->argv[0], c->argv);
		_exit(127);
	}
	if (wait4(pid, &st, 0, &ru) != pid)
		return -errno;
	c->wall[i] = now_ms() - t;
	c->cpu[i] = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
		    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
	if (ru.ru_maxrss > c->rss)
		c->rss = ru.ru_maxrss;
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		return fprintf(stderr, "Error: %s failed (status %d)\n", c->name, st), -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct cmd c[MAX_CMDS];
	int runs, n = 0, i, j, a = 2;

	if (argc < 4 || (runs = atoi(argv[1])) < 1)
		return fprintf(stderr, "usage: %s RUNS NAME CMD ARGS... [-- NAME CMD ARGS...]...\n", argv[0]), 2;
	while (a < argc && n < MAX_CMDS) {
		c[n] = (struct cmd){ .name = argv[a], .argv = &argv[a + 1] };
		c[n].wall = calloc(runs, sizeof(double));
		c[n].cpu = calloc(runs, sizeof(double));
		for (a++; a < argc && strcmp(argv[a], "--"); a++)
			;
		if (a < argc)
			argv[a++] = NULL;
		if (!c[n].argv[0] || !c[n].wall || !c[n].cpu)
			return fprintf(stderr, "Error: no command for %s\n", c[n].name), 2;
		n++;
	}
	for (i = 0; i < runs; i++)
		for (j = 0; j < n; j++)
			if (run(&c[j], i))
				return 1;
	for (j = 0; j < n; j++) {
		qsort(c[j].wall, runs, sizeof(double), cmp_d);
		qsort(c[j].cpu, runs, sizeof(double), cmp_d);
		printf("%s %.3f %.3f %ld\n", c[j].name, c[j].wall[runs / 2], c[j].cpu[runs / 2], c[j].rss);
	}
	return 0;
}
