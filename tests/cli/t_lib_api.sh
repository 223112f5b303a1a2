# libucorebtf's API contract, checked through the public header with the
# library built with -fsanitize=address,undefined (and leak checking):
# options structs (libbpf's OPTS rules: zero tail accepted, unknown
# non-zero bytes refused, older smaller sz gets defaults), the accessors'
# out-of-range NULLs, the structured target accessor against describe(),
# and every allocation failure in open and prepare: a fresh message, errno
# set, nothing leaked.
. "$TESTS_DIR/lib.sh"
ROOT=$TESTS_DIR/..
APPS=$B/examples/seed
OBJ=$B/bpf/seed.bpf.o
U=$UCOREBTF
SAN='-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all'
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

# A bundle of the two seed releases with recorded needs, one without, a
# small kernel BTF (fast allocation-failure loops) and a target without
# build-id (chosen by version: named seed-app, so that it is that library).
for v in 1 2; do
	$U gen btf $APPS/app_v$v --name seed-app --version $v -o app$v.btf >/dev/null && $U archive add A app$v.btf --object seed &&
		$U archive add N app$v.btf --object seed || failt "api: archive v$v"
done
printf 'struct pt_regs di\n' > n.txt && $U archive needs A seed n.txt && $U bundle create A -o seed.ucb &&
	$U bundle create N -o noneeds.ucb && $U gen min_core_btf /sys/kernel/btf/vmlinux kmini.btf $OBJ &&
	mkdir -p nobid && objcopy --remove-section .note.gnu.build-id $APPS/app_v1 nobid/seed-app ||
	{ failt "api: inputs"; exit 0; }

cat > api.c <<'C'
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "ucorebtf.h"

#define CHECK(name, cond) printf("%s: %s%s%s\n", (cond) ? "PASS" : "FAIL", name, \
				 (cond) ? "" : ": ", (cond) ? "" : ucorebtf_errmsg())

static void *slurp(const char *path, size_t *sz)
{
	FILE *f = fopen(path, "rb");
	void *d = malloc(1 << 20);

	*sz = f ? fread(d, 1, 1 << 20, f) : 0;
	if (f)
		fclose(f);
	return d;
}

/* Allocation failure injection: in api_oom, libucorebtf's own calls to
 * these functions are renamed (objcopy --redefine-sym) to the oom_*
 * below; libbpf's are not (its own out-of-memory paths are not under
 * test).  The fail_at-th call made while armed fails. */
static long fail_at = -1, calls;
static bool fail_now(void) { return fail_at > 0 && ++calls == fail_at; }
#ifdef OOM
void *oom_malloc(size_t n) { return fail_now() ? (errno = ENOMEM, NULL) : malloc(n); }
void *oom_calloc(size_t n, size_t m) { return fail_now() ? (errno = ENOMEM, NULL) : calloc(n, m); }
void *oom_realloc(void *p, size_t n) { return fail_now() ? (errno = ENOMEM, NULL) : realloc(p, n); }
char *oom_strdup(const char *s) { return fail_now() ? (errno = ENOMEM, NULL) : strdup(s); }
char *oom_strndup(const char *s, size_t n) { return fail_now() ? (errno = ENOMEM, NULL) : strndup(s, n); }
FILE *oom_open_memstream(char **p, size_t *n) { return fail_now() ? (errno = ENOMEM, NULL) : open_memstream(p, n); }
int oom_asprintf(char **s, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (fail_now())
		return errno = ENOMEM, -1;
	va_start(ap, fmt);
	r = vasprintf(s, fmt, ap);
	va_end(ap);
	return r;
}
#endif

static int opts(const char *bundle, const char *target)
{
	struct { struct ucorebtf_bundle_opts o; char tail[16]; } bo;
	struct { struct ucorebtf_prepare_opts o; char tail[16]; } po;
	const char *t[] = { target };
	struct ucorebtf_btf *p;
	struct ucorebtf_bundle *b;
	size_t sz;
	void *data = slurp(bundle, &sz);

	memset(&bo, 0, sizeof(bo));
	bo.o.sz = sizeof(bo);
	b = ucorebtf_bundle__open_mem(data, sz, &bo.o);
	CHECK("opts: bundle_opts with a larger sz and a zero tail accepted", b);
	ucorebtf_bundle__close(b);
	bo.tail[5] = 1;
	b = ucorebtf_bundle__open_mem(data, sz, &bo.o);
	CHECK("opts: bundle_opts with a non-zero byte past the known fields refused (EINVAL)",
	      !b && errno == EINVAL && strstr(ucorebtf_errmsg(), "ucorebtf_bundle_opts: non-zero byte at offset"));
	bo.tail[5] = 0;
	bo.o.sz = 4;
	b = ucorebtf_bundle__open_mem(data, sz, &bo.o);
	CHECK("opts: sz smaller than size_t refused", !b && errno == EINVAL && strstr(ucorebtf_errmsg(), "sz is 4"));
	/* An older, smaller struct: the fields it lacks are not read. */
	bo.o.sz = offsetof(struct ucorebtf_bundle_opts, mem_limit);
	bo.o.mem_limit = 1;	/* would refuse every xz bundle if read */
	b = ucorebtf_bundle__open_file(bundle, &bo.o);
	CHECK("opts: smaller sz (older header): the missing fields take their defaults", b);
	free(data);

	memset(&po, 0, sizeof(po));
	po.o.sz = sizeof(po);
	po.o.object_name = "seed";
	p = ucorebtf_bundle__prepare(b, t, 1, &po.o);
	CHECK("opts: prepare_opts with a larger sz and a zero tail accepted", p);
	ucorebtf_btf__close(p);
	po.tail[15] = 0x80;
	p = ucorebtf_bundle__prepare(b, t, 1, &po.o);
	CHECK("opts: prepare_opts with a non-zero byte past the known fields refused (EINVAL)",
	      !p && errno == EINVAL && strstr(ucorebtf_errmsg(), "prepare: ucorebtf_prepare_opts: non-zero byte"));
	po.tail[15] = 0;
	/* Padding after the last field is past the known fields too (libbpf:
	 * offsetofend of the last field). */
	po.o.sz = sizeof(po.o);
	((char *)&po.o)[offsetof(struct ucorebtf_prepare_opts, follow_needed) + 1] = 1;
	p = ucorebtf_bundle__prepare(b, t, 1, &po.o);
	CHECK("opts: a non-zero padding byte after the last field refused",
	      sizeof(po.o) == offsetof(struct ucorebtf_prepare_opts, follow_needed) + 1 || (!p && errno == EINVAL));
	((char *)&po.o)[offsetof(struct ucorebtf_prepare_opts, follow_needed) + 1] = 0;
	po.o.sz = offsetof(struct ucorebtf_prepare_opts, no_memfd);
	po.o.no_memfd = true;	/* not read: a memfd path */
	p = ucorebtf_bundle__prepare(b, t, 1, &po.o);
	CHECK("opts: prepare_opts without no_memfd (older sz): memfd as by default",
	      p && !strncmp(ucorebtf_btf__path(p), "/proc/self/fd/", 14));
	ucorebtf_btf__close(p);
	po.o.sz = sizeof(po.o);
	p = ucorebtf_bundle__prepare(b, t, 1, &po.o);
	CHECK("opts: prepare_opts with no_memfd: a private file", p && strncmp(ucorebtf_btf__path(p), "/proc/", 6));
	ucorebtf_btf__close(p);
	ucorebtf_bundle__close(b);
	return 0;
}

static int entries(const char *bundle)
{
	struct ucorebtf_bundle *b = ucorebtf_bundle__open_file(bundle, NULL);
	const char *l = "x", *v = "x", *a = "x";
	size_t n = ucorebtf_bundle__entry_cnt(b);
	int r;

	CHECK("entry: in range", n == 2 && !ucorebtf_bundle__entry(b, 1, &l, &v, &a) && !strcmp(l, "seed-app") &&
	      !strcmp(v, "2") && !strcmp(a, "x86_64"));
	r = ucorebtf_bundle__entry(b, n, &l, &v, &a);
	CHECK("entry: out of range sets the fields to NULL, -ENOENT, errno ENOENT",
	      r == -ENOENT && errno == ENOENT && !l && !v && !a && strstr(ucorebtf_errmsg(), "entry 2: the bundle holds 2"));
	l = v = a = "x";
	r = ucorebtf_bundle__entry(b, (size_t)-1, &l, &v, &a);
	CHECK("entry: SIZE_MAX out of range too", r == -ENOENT && !l && !v && !a);
	l = v = a = "x";
	r = ucorebtf_bundle__entry(NULL, 0, &l, &v, &a);
	CHECK("entry: no bundle: NULL fields, -EINVAL", r == -EINVAL && errno == EINVAL && !l && !v && !a &&
	      ucorebtf_bundle__entry_cnt(NULL) == 0);
	CHECK("entry: NULL field pointers are skipped", !ucorebtf_bundle__entry(b, 0, NULL, NULL, NULL));
	ucorebtf_bundle__close(b);
	return 0;
}

static int targets(const char *bundle, const char *kbtf, const char *t1, const char *t2)
{
	struct ucorebtf_bundle *b = ucorebtf_bundle__open_file(bundle, NULL);
	const char *t[] = { t1, t2 }, *versions[] = { NULL, "1" };
	UCOREBTF_OPTS(ucorebtf_prepare_opts, po, .object_name = "seed", .kernel_btf_path = kbtf,
		      .versions = versions);
	struct ucorebtf_btf *p = ucorebtf_bundle__prepare(b, t, 2, &po);
	const char *f[5] = { "x", "x", "x", "x", "x" };
	char *lines = NULL;
	size_t len = 0, i, n;
	FILE *m;
	int r;

	CHECK("targets: prepare of two targets (build-id, --version)", p);
	if (!p)
		return 1;
	ucorebtf_bundle__close(b);	/* the accessors own their strings */
	n = ucorebtf_btf__target_cnt(p);
	m = open_memstream(&lines, &len);
	for (i = 0; i < n && !ucorebtf_btf__target(p, i, &f[0], &f[1], &f[2], &f[3], &f[4]); i++)
		fprintf(m, "%s\t%s\t%s\t%s\t%s\n", f[0], f[1], f[2], f[3], f[4]);
	fclose(m);
	printf("%s", lines);
	CHECK("targets: target_cnt and target() agree with describe(), line for line",
	      n == 2 && i == 2 && !strcmp(lines, ucorebtf_btf__describe(p)));
	ucorebtf_btf__target(p, 0, &f[0], &f[1], &f[2], &f[3], &f[4]);
	CHECK("targets: target 0 chosen by build-id", !strcmp(f[0], t1) && !strcmp(f[2], "1") && !strcmp(f[4], "build-id"));
	ucorebtf_btf__target(p, 1, NULL, NULL, &f[2], NULL, &f[4]);
	CHECK("targets: target 1 chosen by the version given", !strcmp(f[2], "1") && !strcmp(f[4], "version"));
	r = ucorebtf_btf__target(p, 2, &f[0], &f[1], &f[2], &f[3], &f[4]);
	CHECK("targets: out of range sets every field to NULL, -ENOENT",
	      r == -ENOENT && errno == ENOENT && !f[0] && !f[1] && !f[2] && !f[3] && !f[4]);
	f[0] = "x";
	r = ucorebtf_btf__target(NULL, 0, &f[0], NULL, NULL, NULL, NULL);
	CHECK("targets: no prepared BTF: -EINVAL, count 0", r == -EINVAL && !f[0] && ucorebtf_btf__target_cnt(NULL) == 0);
	free(lines);
	ucorebtf_btf__close(p);
	return 0;
}

/* Every allocation of open + prepare failing in turn: each failure gives a
 * fresh message and errno; the run ends when no injected failure is hit. */
static int oom(const char *bundle, const char *kbtf, const char *obj, const char *target, const char *label)
{
	UCOREBTF_OPTS(ucorebtf_prepare_opts, po, .kernel_btf_path = kbtf, .object_path = obj);
	const char *t[] = { target };
	struct ucorebtf_bundle *b;
	struct ucorebtf_btf *p;
	long n, failures = 0, stale = 0, ok_after_fail = 0;
	char before[1024];
	size_t sz;
	void *data = slurp(bundle, &sz);
	int e;

	libbpf_set_print(NULL);
	for (n = 1; n < 100000; n++) {
		ucorebtf_bundle__entry(NULL, 0, NULL, NULL, NULL);	/* a message to be replaced */
		snprintf(before, sizeof(before), "%s", ucorebtf_errmsg());
		errno = 0;
		calls = 0;
		fail_at = n;
		b = ucorebtf_bundle__open_mem(data, sz, NULL);
		p = b ? ucorebtf_bundle__prepare(b, t, 1, &po) : NULL;
		e = errno;
		fail_at = -1;
		if (p || (b && !p && calls < n)) {
			if (calls < n) {	/* nothing left to fail */
				if (!p)
					printf("FAIL: %s: prepare fails without injected failures: %s\n", label, ucorebtf_errmsg());
				ucorebtf_btf__close(p);
				ucorebtf_bundle__close(b);
				break;
			}
			ok_after_fail++;	/* a failure the code works around */
		} else {
			failures++;
			if (!e || !strcmp(before, ucorebtf_errmsg()) || !ucorebtf_errmsg()[0]) {
				if (stale++ < 5)
					printf("   allocation %ld: errno %d, message \"%s\"\n", n, e, ucorebtf_errmsg());
			}
		}
		ucorebtf_btf__close(p);
		ucorebtf_bundle__close(b);
	}
	free(data);
	printf("%s: allocation failures injected: %ld calls, %ld failed the call, %ld worked around, %ld without a fresh message\n",
	       label, n - 1, failures, ok_after_fail, stale);
	CHECK(label, n > 10 && n < 100000 && !stale);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "opts"))
		return opts(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "entries"))
		return entries(argv[2]);
	if (argc == 6 && !strcmp(argv[1], "targets"))
		return targets(argv[2], argv[3], argv[4], argv[5]);
	if (argc == 7 && !strcmp(argv[1], "oom"))
		return oom(argv[2], argv[3], argv[4][0] ? argv[4] : NULL, argv[5], argv[6]);
	fprintf(stderr, "usage: %s opts|entries|targets|oom ...\n", argv[0]);
	return 2;
}
C
CC=(cc -g -O1 $SAN -D_GNU_SOURCE -I$ROOT/include -I$ROOT/src -I$B/libbpf)
LIBS=($B/libbpf/libbpf.a -lelf -lz -llzma)
REDEF=()
for f in malloc calloc realloc strdup strndup open_memstream asprintf; do REDEF+=(--redefine-sym $f=oom_$f); done
build() {
	mkdir -p lib oom || return 1
	for c in $ROOT/src/lib/*.c; do
		o=$(basename $c .c).o
		"${CC[@]}" -c $c -o lib/$o && objcopy "${REDEF[@]}" lib/$o oom/$o || return 1
	done
	! nm -u lib/*.o | grep -qE ' (__strdup|__asprintf_chk)$' &&
	"${CC[@]}" api.c lib/*.o "${LIBS[@]}" -o api && "${CC[@]}" -DOOM api.c oom/*.o "${LIBS[@]}" -o api_oom
}
build 2>cc.err || { failt "api: build with -fsanitize=address,undefined: $(head -c 600 cc.err)"; exit 0; }

# run NAME CMD...: the PASS/FAIL lines CMD prints, and FAIL if it crashed or
# a sanitizer spoke.
run() {
	local n=$1 out rc; shift
	out=$("$@" 2>&1); rc=$?
	grep -E '^(PASS|FAIL): ' <<<"$out"
	if [ $rc != 0 ] || grep -qE 'Sanitizer|runtime error|LeakSanitizer' <<<"$out"; then
		failt "api: $n: rc=$rc $(grep -vE '^(PASS|FAIL): ' <<<"$out" | head -c 1500)"
	elif ! grep -q '^PASS: ' <<<"$out"; then
		failt "api: $n: no result: $(head -c 600 <<<"$out")"
	fi
}
run opts ./api opts seed.ucb $APPS/app_v1
run entries ./api entries seed.ucb
run targets ./api targets seed.ucb kmini.btf $APPS/app_v1 ./nobid/seed-app
run "oom, recorded needs" ./api_oom oom seed.ucb kmini.btf "" $APPS/app_v1 "oom: open + prepare, recorded needs: every allocation failure gives a fresh message, no leak"
run "oom, needs from the object" ./api_oom oom noneeds.ucb kmini.btf $OBJ $APPS/app_v2 "oom: open + prepare, needs from the object's BTF: every allocation failure gives a fresh message, no leak"
