/* The index of a format-2 bundle (docs/bundle.md): no content addresses.
 * Entries name their blob by ordinal (blobs numbered in order of first
 * use), the text is stored column by column, build-ids as bytes.  The
 * reader rebuilds the very entries (sha256 and size included) that the
 * archive's index.tsv holds, so that list/select/extract see no
 * difference.  Every field is checked as ucb_index_parse checks it; the
 * work is linear in the record sizes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/bundle.h"
#include "lib/errmsg.h"

#define COLS 6		/* library, version, arch, blob, soname, objects */
#define BID_MAX_HEX 80	/* as the index's build-id field */
#define BID_MAX_CNT 255

/* "-" or names joined by single commas (the index's objects field). */
static bool valid_names(char *s)
{
	char *comma;
	bool ok;

	if (!strcmp(s, "-"))
		return true;
	for (;; s = comma + 1) {
		comma = strchr(s, ',');
		if (comma)
			*comma = 0;
		ok = ucb_valid_name(s);
		if (comma)
			*comma = ',';
		if (!ok || !comma)
			return ok;
	}
}

/* The BIDS record, by column as well: one count per entry, one hex
 * length per build-id, then the build-ids' bytes.  The counts and lengths
 * compress to almost nothing, the bytes cost what they are. */
struct bids {
	const uint8_t *cnt, *hex, *bytes;
	size_t id_cnt;
};

/* Split the record for n entries and check it: *text_len is the size of
 * the build-id lists as index text ("a,b" or "-", each NUL-terminated). */
static int bids_split(const uint8_t *p, size_t len, size_t n, struct bids *b, size_t *text_len)
{
	size_t i, total = 0, bytes = 0, hex;

	if (len < n)
		return ucb_errf(-EINVAL, "BIDS record: %zu bytes for %zu entries", len, n);
	b->cnt = p;
	b->id_cnt = 0;
	for (i = 0; i < n; i++) {
		b->id_cnt += p[i];
		total += p[i] ? 0 : 2;
	}
	if (len - n < b->id_cnt)
		return ucb_errf(-EINVAL, "BIDS record: truncated build-id lengths");
	b->hex = p + n;
	for (i = 0; i < b->id_cnt; i++) {
		hex = b->hex[i];
		if (hex < 2 || hex > BID_MAX_HEX)
			return ucb_errf(-EINVAL, "BIDS record: bad build-id length %zu", hex);
		bytes += (hex + 1) / 2;
		total += hex + 1;
	}
	b->bytes = b->hex + b->id_cnt;
	if (len - n - b->id_cnt != bytes)
		return ucb_errf(-EINVAL, "BIDS record: %zu bytes of build-ids, the lengths say %zu",
				len - n - b->id_cnt, bytes);
	*text_len = total;
	return 0;
}

/* The next entry's build-id list as index text at *o; the BIDS cursors
 * advance. */
static int bids_decode(struct bids *b, char **o)
{
	static const char digits[] = "0123456789abcdef";
	size_t cnt = *b->cnt++, k, j, hex;
	char *s = *o;

	if (!cnt)
		*s++ = '-';
	for (k = 0; k < cnt; k++) {
		hex = *b->hex++;
		/* An odd hex length pads its last byte with a zero nibble:
		 * one spelling per build-id. */
		if (hex % 2 && b->bytes[hex / 2] & 0x0f)
			return ucb_errf(-EINVAL, "non-zero build-id padding");
		for (j = 0; j < hex; j++)
			*s++ = digits[j % 2 ? b->bytes[j / 2] & 0xf : b->bytes[j / 2] >> 4];
		b->bytes += (hex + 1) / 2;
		*s++ = k + 1 < cnt ? ',' : 0;
	}
	if (!cnt)
		*s++ = 0;
	*o = s;
	return 0;
}

/* The blob column: "+" is the next blob not named before, a decimal the
 * ordinal of one named before.  Any other spelling would let two bundles
 * of one archive differ, so it is refused. */
static int blob_ref(const char *s, size_t *next, size_t blob_cnt, size_t *ord)
{
	char *end;
	unsigned long v;

	if (!strcmp(s, "+")) {
		if (*next >= blob_cnt)
			return ucb_errf(-EINVAL, "more blobs named than the %zu stored", blob_cnt);
		*ord = (*next)++;
		return 0;
	}
	if (s[0] < '0' || s[0] > '9' || (s[0] == '0' && s[1]) || strlen(s) > 6)
		return ucb_errf(-EINVAL, "bad blob ordinal '%.16s'", s);
	v = strtoul(s, &end, 10);
	if (*end || v >= *next)
		return ucb_errf(-EINVAL, "blob ordinal %.16s names no blob named before", s);
	*ord = v;
	return 0;
}

static int entry_fields(struct ucb_entry *e, size_t i)
{
	const char *why = NULL;

	if (!ucb_valid_name(e->lib) || !ucb_valid_name(e->version) || !ucb_valid_name(e->arch))
		why = "bad library, version or arch name";
	else if (strcmp(e->soname, "-") && !ucb_valid_soname(e->soname))
		why = "bad soname";
	else if (!valid_names(e->objects))
		why = "bad object list";
	return why ? ucb_errf(-EINVAL, "entry %zu: %s", i + 1, why) : 0;
}

int ucb_bundle_v2_index(const char *cols, size_t len, const uint8_t *bids, size_t bids_len,
			const struct ucb_blob *blobs, size_t blob_cnt, struct ucb_index *idx, char **strs)
{
	size_t lines = 0, n, i, c, next = 0, ord = 0, bid_len = 0;
	char *s, *digests, *bt, **f = NULL;
	struct bids bp = {};
	int ret;

	memset(idx, 0, sizeof(*idx));
	*strs = NULL;
	if (memchr(cols, 0, len) || (len && cols[len - 1] != '\n'))
		return ucb_errf(-EINVAL, "index: NUL byte or no final newline");
	for (i = 0; i < len; i++)
		lines += cols[i] == '\n';
	n = lines / COLS;
	if (lines % COLS)
		return ucb_errf(-EINVAL, "index: %zu lines, not %d columns of one length", lines, COLS);
	if (n > UCB_MAX_ENTRIES)
		return ucb_errf(-E2BIG, "more than %d entries", UCB_MAX_ENTRIES);
	ret = bids_split(bids, bids_len, n, &bp, &bid_len);
	if (ret)
		return ret;
	/* One buffer for every string the entries point to: the columns,
	 * the build-id lists, the blobs' sha256 (hex). */
	s = *strs = malloc(len + bid_len + blob_cnt * (SHA256_HEX_LEN + 1) + 1);
	f = calloc(lines + 1, sizeof(*f));
	idx->e = calloc(n + 1, sizeof(*idx->e));
	if (!s || !f || !idx->e) {
		ret = ucb_errf(-ENOMEM, "out of memory for %zu entries", n);
		goto out;
	}
	memcpy(s, cols, len);
	for (i = 0, c = 0; i < len; i++)
		if (s[i] == '\n') {
			s[i] = 0;
			f[++c] = s + i + 1;
		}
	f[0] = s;
	bt = s + len;
	digests = bt + bid_len;
	for (i = 0; i < blob_cnt; i++)
		memcpy(digests + i * (SHA256_HEX_LEN + 1), blobs[i].digest, SHA256_HEX_LEN + 1);
	for (i = 0; i < n; i++) {
		struct ucb_entry *e = &idx->e[i];

		*e = (struct ucb_entry){ .lib = f[i], .version = f[n + i], .arch = f[2 * n + i],
					 .soname = f[4 * n + i], .objects = f[5 * n + i], .build_ids = bt };
		ret = bids_decode(&bp, &bt);
		if (!ret)
			ret = entry_fields(e, i);
		if (!ret)
			ret = blob_ref(f[3 * n + i], &next, blob_cnt, &ord);
		if (ret)
			goto out;
		e->digest = digests + ord * (SHA256_HEX_LEN + 1);
		e->size = blobs[ord].size;
		/* Canonical order: the archive's, each entry once. */
		if (i && ucb_entry_cmp(e - 1, e) >= 0) {
			ret = ucb_errf(-EINVAL, "entry %s %s %s %s", e->lib, e->version, e->arch,
				       ucb_entry_cmp(e - 1, e) ? "out of order" : "listed twice");
			goto out;
		}
		idx->cnt++;
	}
	if (next != blob_cnt)
		ret = ucb_errf(-EINVAL, "blob %zu of %zu is named by no entry", next + 1, blob_cnt);
out:
	free(f);
	if (ret) {
		ucb_index_free(idx);
		free(*strs);
		*strs = NULL;
	}
	return ret;
}

static int cmp_wblob(const void *a, const void *b)
{
	return strcmp(((const struct ucb_wblob *)a)->digest, ((const struct ucb_wblob *)b)->digest);
}

/* An entry's build-id list ("-" or hex ids joined by commas) into the
 * BIDS columns: its count, its ids' hex lengths, their bytes. */
static int bids_encode(FILE *cnt_f, FILE *hex_f, FILE *bytes_f, const struct ucb_entry *e)
{
	const char *p = e->build_ids, *comma;
	size_t cnt = 0, hex, j;
	uint8_t byte;

	if (!strcmp(p, "-") || !*p)
		return fputc(0, cnt_f) == EOF ? ucb_errf(-ENOMEM, "out of memory") : 0;
	for (comma = p; comma; comma = strchr(comma + 1, ','))
		cnt++;
	if (cnt > BID_MAX_CNT)
		return ucb_errf(-E2BIG, "entry %s %s %s: more than %d build-ids", e->lib, e->version,
				e->arch, BID_MAX_CNT);
	fputc(cnt, cnt_f);
	for (; *p; p = *comma ? comma + 1 : comma) {
		comma = p + strcspn(p, ",");
		hex = comma - p;
		fputc(hex, hex_f);
		for (j = 0; j < hex; j += 2) {
			byte = (p[j] <= '9' ? p[j] - '0' : p[j] - 'a' + 10) << 4;
			if (j + 1 < hex)
				byte |= p[j + 1] <= '9' ? p[j + 1] - '0' : p[j + 1] - 'a' + 10;
			fputc(byte, bytes_f);
		}
	}
	return 0;
}

/* The BIDS record of idx. */
static int bids_record(const struct ucb_index *idx, struct ucb_v2_index *out)
{
	char *part[3] = {};
	size_t len[3] = {}, i;
	FILE *f[3];
	int err = 0;

	for (i = 0; i < 3; i++)
		f[i] = open_memstream(&part[i], &len[i]);
	if (!f[0] || !f[1] || !f[2])
		err = ucb_errf(-ENOMEM, "out of memory");
	for (i = 0; i < idx->cnt && !err; i++)
		err = bids_encode(f[0], f[1], f[2], &idx->e[i]);
	for (i = 0; i < 3; i++)
		if (f[i] && fclose(f[i]) && !err)
			err = ucb_errf(-ENOMEM, "out of memory");
	out->bids_len = len[0] + len[1] + len[2];
	out->bids = err ? NULL : malloc(out->bids_len + 1);
	if (!err && !out->bids)
		err = ucb_errf(-ENOMEM, "out of memory");
	if (!err) {
		memcpy(out->bids, part[0], len[0]);
		memcpy(out->bids + len[0], part[1], len[1]);
		memcpy(out->bids + len[0] + len[1], part[2], len[2]);
	}
	for (i = 0; i < 3; i++)
		free(part[i]);
	return err;
}

int ucb_bundle_v2_encode(const struct ucb_index *idx, const struct ucb_wblob *blobs, size_t cnt,
			 struct ucb_v2_index *out)
{
	FILE *cf = NULL;
	size_t *ord = NULL, i, c, next = 0;
	const struct ucb_wblob *bl;
	struct ucb_wblob key;
	int err = 0;

	memset(out, 0, sizeof(*out));
	ord = malloc((cnt + 1) * sizeof(*ord));
	out->order = calloc(cnt + 1, sizeof(*out->order));
	cf = open_memstream(&out->cols, &out->cols_len);
	if (!ord || !out->order || !cf) {
		err = ucb_errf(-ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < cnt; i++)
		ord[i] = SIZE_MAX;
	/* Ordinals in order of first use: the blob column is then mostly
	 * "+", and successive versions' blobs lie next to each other. */
	for (c = 0; c < COLS && !err; c++)
		for (i = 0; i < idx->cnt && !err; i++) {
			const struct ucb_entry *e = &idx->e[i];

			switch (c) {
			case 0: fprintf(cf, "%s\n", e->lib); break;
			case 1: fprintf(cf, "%s\n", e->version); break;
			case 2: fprintf(cf, "%s\n", e->arch); break;
			case 4: fprintf(cf, "%s\n", e->soname[0] ? e->soname : "-"); break;
			case 5: fprintf(cf, "%s\n", e->objects[0] ? e->objects : "-"); break;
			case 3:
				snprintf(key.digest, sizeof(key.digest), "%s", e->digest);
				bl = cnt ? bsearch(&key, blobs, cnt, sizeof(*blobs), cmp_wblob) : NULL;
				if (!bl || bl->size != e->size) {
					err = ucb_errf(-EINVAL, "entry %s %s %s: blob %.16s... %s", e->lib,
						       e->version, e->arch, e->digest, bl ? "size differs" : "missing");
					break;
				}
				if (ord[bl - blobs] == SIZE_MAX) {
					ord[bl - blobs] = next;
					out->order[next++] = bl - blobs;
					fputs("+\n", cf);
				} else {
					fprintf(cf, "%zu\n", ord[bl - blobs]);
				}
				break;
			}
		}
	out->order_cnt = next;
	err = err ?: bids_record(idx, out);
out:
	free(ord);
	if (cf && fclose(cf) && !err)
		err = ucb_errf(-ENOMEM, "out of memory");
	if (err)
		ucb_v2_index_free(out);
	return err;
}

void ucb_v2_index_free(struct ucb_v2_index *v)
{
	free(v->cols);
	free(v->bids);
	free(v->order);
	memset(v, 0, sizeof(*v));
}
