// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Ground truth for bpf/sslsniff.bpf.c: where each field the probe reads
 * sits in this OpenSSL release, by the release's own internal headers.
 * scripts/openssl-build.sh compiles it per release against the build
 * tree's ssl/ssl_local.h and crypto/bio/bio_local.h (kept in the cache's
 * hdr/: -I hdr -I hdr/include) into ssl-gt; tests/e2e/t_ssl.sh compares its lines with the offsets the
 * probe's CO-RE relocations resolve to (`ucorebtf check -j`).
 *
 * One line a field: "STRUCT.FIELD OFFSET SIZE" (bytes), the struct named as
 * in the release's DWARF; "split 0|1" says whether the release has 3.2's
 * struct ssl_connection_st. */
#include <stddef.h>
#include <stdio.h>
/* bio_local.h first: it must come before openssl/bio.h. */
#include "crypto/bio/bio_local.h"
#include "ssl/ssl_local.h"

#define FIELD(T, NAME, F) \
	printf("%s.%s %zu %zu\n", NAME, #F, offsetof(T, F), sizeof(((T *)0)->F))

int main(void)
{
#ifdef SSL_TYPE_SSL_CONNECTION
	/* 3.2+: struct ssl_st is the common head of TLS and QUIC objects; a
	 * TLS connection is a struct ssl_connection_st starting with it. */
	printf("split 1\n");
	FIELD(struct ssl_st, "ssl_st", type);
	FIELD(struct ssl_connection_st, "ssl_connection_st", version);
	FIELD(struct ssl_connection_st, "ssl_connection_st", rbio);
	FIELD(struct ssl_connection_st, "ssl_connection_st", wbio);
	FIELD(struct ssl_connection_st, "ssl_connection_st", server);
#else
	printf("split 0\n");
	FIELD(struct ssl_st, "ssl_st", version);
	FIELD(struct ssl_st, "ssl_st", rbio);
	FIELD(struct ssl_st, "ssl_st", wbio);
	FIELD(struct ssl_st, "ssl_st", server);
#endif
	FIELD(struct bio_st, "bio_st", num);
	return 0;
}
