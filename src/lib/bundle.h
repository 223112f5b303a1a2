/* The bundle file format (docs/bundle.md): a 64-byte header, then the
 * payload, compressed as a whole.  The payload is a list of records
 * (4-byte tag, u32 length, data, zero padding to 4).  Format 2 (written):
 * INDX (index columns, blobs by ordinal), BIDS (build-ids as bytes), NEED
 * (kernel needs text), RULE (version rules text, optional), BLOB (raw BTF,
 * in ordinal order).  Format 1 (still read): INDX (index text), NEED,
 * RULE, BLOB (32-byte sha256 + raw BTF). */
#ifndef UCOREBTF_BUNDLE_H
#define UCOREBTF_BUNDLE_H

#include <stddef.h>
#include <stdint.h>
#include "lib/index.h"
#include "lib/sha256.h"
#include "lib/vrule.h"

#define UCB_MAGIC "UCOREBTF"
#define UCB_FORMAT 2		/* written */
#define UCB_FORMAT_V1 1		/* still read */
#define UCB_HDR_SZ 64
#define UCB_DEFAULT_MAX_SIZE (64ull << 20)	/* uncompressed payload cap */
#define UCB_DEFAULT_MEM_LIMIT (64ull << 20)	/* liblzma decoder memory cap */
/* Types in one blob: a minimised BTF has dozens, a whole library's a few
 * ten thousand; prepare's work is linear in them. */
#define UCB_MAX_BLOB_TYPES (1u << 18)

/* UCB_COMP_XZ: an .xz stream (format 1); UCB_COMP_LZMA2: a raw LZMA2
 * stream whose dictionary is the payload (format 2; what --compress xz
 * writes now: no container, no second check). */
enum { UCB_COMP_NONE = 0, UCB_COMP_ZLIB = 1, UCB_COMP_XZ = 2, UCB_COMP_LZMA2 = 3 };

struct ucb_blob {
	char digest[SHA256_HEX_LEN + 1];
	const uint8_t *data;		/* raw BTF, inside the payload */
	uint32_t size;
};

struct ucb_bundle {
	struct ucb_index idx;
	struct ucb_needs needs;
	struct ucb_vrules rules;	/* empty if the bundle has no RULE record */
	struct ucb_blob *blobs;		/* sorted by digest */
	size_t blob_cnt;
	uint8_t *payload;		/* uncompressed */
	size_t payload_sz;
	size_t file_sz;
	int version;			/* format: 1 or 2 */
	int compression;
	char *strs;			/* format 2: the strings idx points to */
	char checksum[SHA256_HEX_LEN + 1];
};

struct ucb_limits {
	uint64_t max_size;		/* 0: UCB_DEFAULT_MAX_SIZE */
	uint64_t mem_limit;		/* 0: UCB_DEFAULT_MEM_LIMIT */
};

/* Validate and decode a bundle image: header, checksum, decompression
 * within the limits, records, index, needs, blob digests, every blob parses
 * as BTF, every index entry has its blob.  Returns 0 or -errno with the
 * message set (it names no file: the caller knows where data came from). */
int ucb_bundle_parse(const void *data, size_t sz, const struct ucb_limits *lim,
		     struct ucb_bundle *b);
void ucb_bundle_free(struct ucb_bundle *b);
const struct ucb_blob *ucb_bundle_blob(const struct ucb_bundle *b, const char *digest);
const char *ucb_compression_name(int c);

struct ucb_wblob {
	char digest[SHA256_HEX_LEN + 1];
	const void *data;
	size_t size;
};

/* Build a format-2 bundle image (malloc'ed) from index text (entries in
 * any order), needs text, rules text (rules_len 0: no RULE record) and the
 * blobs (any order; every entry's blob among them; blobs no entry names
 * are left out).  compression: UCB_COMP_XZ or _LZMA2 (both write raw
 * LZMA2), _ZLIB or _NONE.  Returns 0 or -errno with the message set. */
int ucb_bundle_build(const char *index, size_t index_len, const char *needs, size_t needs_len,
		     const char *rules, size_t rules_len, struct ucb_wblob *blobs, size_t cnt,
		     int compression, void **out, size_t *out_sz);


/* Format 2's index (bundle_v2.c).  The reader's: entries from the INDX
 * columns and the BIDS bytes, blobs in ordinal order (their digests
 * already computed); idx's strings live in *strs (malloc'ed). */
int ucb_bundle_v2_index(const char *cols, size_t len, const uint8_t *bids, size_t bids_len,
			const struct ucb_blob *blobs, size_t blob_cnt, struct ucb_index *idx, char **strs);

struct ucb_v2_index {
	char *cols;			/* INDX record */
	size_t cols_len;
	uint8_t *bids;			/* BIDS record */
	size_t bids_len;
	size_t *order;			/* blobs[] indices in ordinal order */
	size_t order_cnt;
};

/* The writer's: idx sorted, blobs sorted by digest. */
int ucb_bundle_v2_encode(const struct ucb_index *idx, const struct ucb_wblob *blobs, size_t cnt,
			 struct ucb_v2_index *out);
void ucb_v2_index_free(struct ucb_v2_index *v);

#endif
