/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Shared between bpf/sslsniff.bpf.c and its loader (examples/sslsniff/). */
#ifndef UCOREBTF_SSLSNIFF_H
#define UCOREBTF_SSLSNIFF_H

#define SSLSNIFF_MAX_DATA 4096	/* plaintext bytes kept per call */

enum sslsniff_dir {
	SSLSNIFF_WRITE = 0,	/* SSL_write: what the process sends */
	SSLSNIFF_READ = 1,	/* SSL_read: what it received */
};

/* One completed SSL_write or SSL_read (return value > 0), sent through the
 * ring buffer `events`.  -1: not read (not in this release, or the read
 * failed). */
struct sslsniff_event {
	unsigned int pid, tid;
	int dir;		/* enum sslsniff_dir */
	int ret;		/* the call's return value: bytes moved */
	unsigned int len;	/* bytes in data: min(ret, SSLSNIFF_MAX_DATA) */
	int version;		/* s->version: 0x303 TLS 1.2, 0x304 TLS 1.3 */
	int server;		/* s->server: 1 on the accepting side */
	int rfd, wfd;		/* s->rbio->num, s->wbio->num: the socket fds */
	int split;		/* 1: 3.2+ layout, fields read through ssl_connection_st */
	int type;		/* 3.2+: s->type (0: a TLS connection), else -1 */
	char comm[16];
	char data[SSLSNIFF_MAX_DATA];
};

#endif
