/* Shared between bpf/glibc_tls.bpf.c and its loader (tests/tools/glibc_tls_loader.c). */
#ifndef UCOREBTF_GLIBC_TLS_H
#define UCOREBTF_GLIBC_TLS_H

/* What the probe read at the first usleep() call of a process's thread:
 * the kernel's view of the thread pointer, then glibc's struct pthread there. */
struct glibc_tls_result {
	unsigned int hits;		/* usleep() calls seen */
	unsigned int kernel_tid;	/* bpf_get_current_pid_tgid(): the truth for tid */
	unsigned long long fsbase;	/* task_struct->thread.fsbase (kernel CO-RE) */
	int tid;			/* struct pthread.tid (glibc CO-RE) */
	unsigned long long start_routine;	/* struct pthread.start_routine (moves) */
	unsigned long long arg;		/* struct pthread.arg (moves: 1608, 1600, 1600, 1608) */
	unsigned int tid_off;		/* offsets libbpf relocated to, as the probe saw them */
	unsigned int arg_off;
};

#endif
