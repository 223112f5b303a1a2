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

/* Build-id text bytes the BIDS record decodes to ("a,b" or "-", NUL),
 * checking its structure: per entry a count, per id its hex length and
 * the bytes. */
static int bids_text_len(const uint8_t *p, size_t len, size_t n, size_t *out)
{
	const uint8_t *end = p + len;
	size_t i, k, cnt, hex, total = 0;

	for (i = 0; i < n; i++) {
		if (p == end)
			return ucb_errf(-EINVAL, "BIDS record: truncated at entry %zu", i + 1);
		cnt = *p++;
		total += cnt ? 0 : 2;
		for (k = 0; k < cnt; k++) {
			if (p == end)
				return ucb_errf(-EINVAL, "BIDS record: truncated at entry %zu", i + 1);
			hex = *p++;
			if (hex < 2 || hex > BID_MAX_HEX || (size_t)(end - p) < (hex + 1) / 2)
				return ucb_errf(-EINVAL, "entry %zu: bad build-id length %zu", i + 1, hex);
			/* An odd hex length pads its last byte with a zero nibble. */
			if (hex % 2 && p[hex / 2] & 0x0f)
				return ucb_errf(-EINVAL, "entry %zu: non-zero build-id padding", i + 1);
			p += (hex + 1) / 2;
			total += hex + 1;
		}
	}
	if (p != end)
		return ucb_errf(-EINVAL, "BIDS record: %zu bytes after the last entry", (size_t)(end - p));
	*out = total;
	return 0;
}

/* The next entry's build-id list as index text, at *o. */
static const uint8_t *bids_decode(const uint8_t *p, char **o)
{
	static const char digits[] = "0123456789abcdef";
	size_t cnt = *p++, k, j, hex;
	char *s = *o;

	if (!cnt)
		*s++ = '-';
	for (k = 0; k < cnt; k++) {
		hex = *p++;
		for (j = 0; j < hex; j++)
			*s++ = digits[j % 2 ? p[j / 2] & 0xf : p[j / 2] >> 4];
		p += (hex + 1) / 2;
		*s++ = k + 1 < cnt ? ',' : 0;
	}
	if (!cnt)
		*s++ = 0;
	*o = s;
	return p;
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
	const uint8_t *bp = bids;
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
	ret = bids_text_len(bids, bids_len, n, &bid_len);
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
		bp = bids_decode(bp, &bt);
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

/* An entry's build-id list ("-" or hex ids joined by commas) as BIDS bytes. */
static int bids_encode(FILE *f, const struct ucb_entry *e)
{
	const char *p = e->build_ids, *comma;
	size_t cnt = 0, hex, j;
	uint8_t byte;

	if (!strcmp(p, "-") || !*p)
		return fputc(0, f) == EOF ? -ENOMEM : 0;
	for (comma = p; comma; comma = strchr(comma + 1, ','))
		cnt++;
	if (cnt > BID_MAX_CNT)
		return ucb_errf(-E2BIG, "entry %s %s %s: more than %d build-ids", e->lib, e->version,
				e->arch, BID_MAX_CNT);
	fputc(cnt, f);
	for (; *p; p = *comma ? comma + 1 : comma) {
		comma = p + strcspn(p, ",");
		hex = comma - p;
		fputc(hex, f);
		for (j = 0; j < hex; j += 2) {
			byte = (p[j] <= '9' ? p[j] - '0' : p[j] - 'a' + 10) << 4;
			if (j + 1 < hex)
				byte |= p[j + 1] <= '9' ? p[j + 1] - '0' : p[j + 1] - 'a' + 10;
			fputc(byte, f);
		}
	}
	return 0;
}

int ucb_bundle_v2_encode(const struct ucb_index *idx, const struct ucb_wblob *blobs, size_t cnt,
			 struct ucb_v2_index *out)
{
	FILE *cf = NULL, *bf = NULL;
	size_t *ord = NULL, i, c, next = 0;
	const struct ucb_wblob *bl;
	struct ucb_wblob key;
	int err = 0;

	memset(out, 0, sizeof(*out));
	ord = malloc((cnt + 1) * sizeof(*ord));
	out->order = calloc(cnt + 1, sizeof(*out->order));
	cf = open_memstream(&out->cols, &out->cols_len);
	bf = open_memstream((char **)&out->bids, &out->bids_len);
	if (!ord || !out->order || !cf || !bf) {
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
				err = bids_encode(bf, e);
				break;
			}
		}
	out->order_cnt = next;
out:
	free(ord);
	if (cf && fclose(cf) && !err)
		err = ucb_errf(-ENOMEM, "out of memory");
	if (bf && fclose(bf) && !err)
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
