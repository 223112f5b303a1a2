// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* sslsniff: TLS plaintext of any process using one OpenSSL libssl, and the
 * connection it travels on, from OpenSSL 1.1.1 to 3.6 with one object.
 *
 * uprobe + uretprobe on SSL_write(ssl, buf, num) and SSL_read(ssl, buf, num):
 * the entry keeps (ssl, buf) per thread, the return sends the first
 * min(ret, SSLSNIFF_MAX_DATA) bytes of buf through the ring buffer with
 * what CO-RE reads from the SSL object:
 *
 *   version, server    struct ssl_st until 3.1; since 3.2 the SSL handed to
 *   rbio, wbio         SSL_write is a struct ssl_connection_st whose first
 *                      member is the common struct ssl_st { int type; ... },
 *                      and the fields moved into ssl_connection_st
 *   ->num              the fd of a socket BIO: struct bio_st, defined in
 *                      libcrypto (libssl's DWARF only forward-declares it)
 *
 * Local types are ___x flavours with preserve_access_index: libbpf matches
 * them by their essential name in the BTF of the release at load time.
 * The 3.2+ path sits under bpf_core_type_exists(ssl_connection_st), the
 * older one under bpf_core_field_exists() per field, so both are dead code
 * where they do not apply.  The BIO's num is read on every path: without
 * libcrypto's types (no OpenSSL BTF at all, or libssl's alone) the probe
 * is refused instead of reading nothing.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "sslsniff.h"

#define __pai __attribute__((preserve_access_index))

struct bio_st___x {
	int num;			/* socket BIO: the fd */
} __pai;

/* 1.1.1 to 3.1: one struct for every SSL. */
struct ssl_st___x {
	int version;
	struct bio_st___x *rbio;
	struct bio_st___x *wbio;
	int server;
} __pai;

/* 3.2+: the head shared by TLS connections and QUIC objects. */
struct ssl_st___split {
	int type;
} __pai;

/* 3.2+: a TLS connection (SSL_TYPE_SSL_CONNECTION). */
struct ssl_connection_st___x {
	int version;
	struct bio_st___x *rbio;
	struct bio_st___x *wbio;
	int server;
} __pai;

struct call {
	void *ssl;
	const void *buf;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);		/* tid */
	__type(value, struct call);
} calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

/* The fields of the SSL object, whichever layout the release has. */
static __always_inline void read_ssl(void *ssl, struct sslsniff_event *e)
{
	struct bio_st___x *rbio = NULL, *wbio = NULL;

	e->version = e->server = e->type = -1;
	e->split = 0;
	if (bpf_core_type_exists(struct ssl_connection_st___x)) {
		struct ssl_connection_st___x *c = ssl;

		e->split = 1;
		if (bpf_core_field_exists(((struct ssl_st___split *)ssl)->type))
			bpf_core_read_user(&e->type, sizeof(e->type),
					   &((struct ssl_st___split *)ssl)->type);
		/* A QUIC object is no ssl_connection_st. */
		if (e->type == 0) {
			bpf_core_read_user(&e->version, sizeof(e->version), &c->version);
			bpf_core_read_user(&e->server, sizeof(e->server), &c->server);
			bpf_core_read_user(&rbio, sizeof(rbio), &c->rbio);
			bpf_core_read_user(&wbio, sizeof(wbio), &c->wbio);
		}
	} else {
		struct ssl_st___x *s = ssl;

		if (bpf_core_field_exists(s->version))
			bpf_core_read_user(&e->version, sizeof(e->version), &s->version);
		if (bpf_core_field_exists(s->server))
			bpf_core_read_user(&e->server, sizeof(e->server), &s->server);
		if (bpf_core_field_exists(s->rbio))
			bpf_core_read_user(&rbio, sizeof(rbio), &s->rbio);
		if (bpf_core_field_exists(s->wbio))
			bpf_core_read_user(&wbio, sizeof(wbio), &s->wbio);
	}
	/* Unconditional (a NULL BIO just fails the read): bio_st is required. */
	if (bpf_core_read_user(&e->rfd, sizeof(e->rfd), &rbio->num))
		e->rfd = -1;
	if (bpf_core_read_user(&e->wfd, sizeof(e->wfd), &wbio->num))
		e->wfd = -1;
}

static __always_inline int on_entry(void *ssl, const void *buf)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct call c = { .ssl = ssl, .buf = buf };

	bpf_map_update_elem(&calls, &tid, &c, BPF_ANY);
	return 0;
}

static __always_inline int on_return(int ret, int dir)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	__u64 len;	/* 64-bit: a 32-bit bound would not bound the read's size */
	struct sslsniff_event *e;
	struct call *c;

	c = bpf_map_lookup_elem(&calls, &tid);
	if (!c)
		return 0;
	if (ret <= 0)
		goto out;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		goto out;
	e->pid = id >> 32;
	e->tid = tid;
	e->dir = dir;
	e->ret = ret;
	len = (__u32)ret;
	if (len > SSLSNIFF_MAX_DATA)
		len = SSLSNIFF_MAX_DATA;
	/* The verifier must see the bound on the register the read uses. */
	barrier_var(len);
	if (len > SSLSNIFF_MAX_DATA)
		goto out_discard;
	e->len = len;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	if (bpf_probe_read_user(e->data, len, c->buf))
		e->len = 0;
	read_ssl(c->ssl, e);
	bpf_ringbuf_submit(e, 0);
	goto out;
out_discard:
	bpf_ringbuf_discard(e, 0);
out:
	bpf_map_delete_elem(&calls, &tid);
	return 0;
}

SEC("uprobe")
int BPF_UPROBE(ssl_write_entry, void *ssl, const void *buf, int num)
{
	return on_entry(ssl, buf);
}

SEC("uretprobe")
int BPF_URETPROBE(ssl_write_return, int ret)
{
	return on_return(ret, SSLSNIFF_WRITE);
}

SEC("uprobe")
int BPF_UPROBE(ssl_read_entry, void *ssl, void *buf, int num)
{
	return on_entry(ssl, buf);
}

SEC("uretprobe")
int BPF_URETPROBE(ssl_read_return, int ret)
{
	return on_return(ret, SSLSNIFF_READ);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
