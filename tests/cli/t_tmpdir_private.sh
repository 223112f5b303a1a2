# Without a memfd, libucorebtf writes the prepared BTF to a file in a
# private directory that libbpf opens by path.  Its base is $TMPDIR, else
# /tmp, and only when that directory and every one above it belongs to
# root or the caller and is not writable by others (unless sticky):
# otherwise another user could rename the private directory and swap the
# file (docs/runtime.md).
. "$TESTS_DIR/lib.sh"
APPS=$B/examples/seed
U=$UCOREBTF

$U gen btf $APPS/app_v2 --name seed-app --version 2 -o app2.btf >/dev/null &&
	$U archive add A app2.btf --object seed >/dev/null && $U bundle create A -o seed.ucb ||
	{ failt "setup"; exit 0; }
cat > where.c <<'C'
#include <stdio.h>
#include "ucorebtf.h"
/* where BUNDLE OBJ TARGET: the path the prepared BTF is published at. */
int main(int argc, char **argv)
{
	UCOREBTF_OPTS(ucorebtf_prepare_opts, po, .object_path = argv[2], .no_memfd = 1);
	struct ucorebtf_bundle *b = ucorebtf_bundle__open_file(argv[1], NULL);
	const char *t[] = { argv[3] };
	struct ucorebtf_btf *p = b ? ucorebtf_bundle__prepare(b, t, 1, &po) : NULL;

	if (!p) {
		fprintf(stderr, "Error: %s\n", ucorebtf_errmsg());
		return 1;
	}
	printf("%s\n", ucorebtf_btf__path(p));
	ucorebtf_btf__close(p);
	ucorebtf_bundle__close(b);
	return 0;
}
C
cc -I$TESTS_DIR/../include where.c $B/libucorebtf.a -I$B/libbpf $B/libbpf/libbpf.a -lelf -lz -llzma -o where 2>cc.err ||
	{ failt "cc: $(head -5 cc.err)"; exit 0; }
# where TMPDIR: the directory the private directory was made in.
where() { TMPDIR=$1 $B/tests/tools/no_memfd ./where seed.ucb $B/bpf/seed.bpf.o $APPS/app_v2 2>&1; }
under() { [[ "$(where "$1")" == "$2"/ucorebtf.??????/target.btf ]]; }

mkdir -m 0700 own && under "$PWD/own" "$PWD/own" && pass "TMPDIR ours, 0700: used" || failt "own: $(where "$PWD/own")"
mkdir -m 1777 sticky && under "$PWD/sticky" "$PWD/sticky" && pass "TMPDIR root's, 1777 (sticky): used" ||
	failt "sticky: $(where "$PWD/sticky")"
mkdir -m 0755 theirs && chown nobody theirs
out=$(where "$PWD/theirs") && [[ "$out" == /tmp/ucorebtf.??????/target.btf ]] && [ -z "$(ls -A theirs)" ] &&
	pass "TMPDIR owned by another user (nobody): not used, /tmp instead" || failt "theirs: $out"
mkdir -m 0777 open && chmod 0777 open
out=$(where "$PWD/open") && [[ "$out" == /tmp/ucorebtf.* ]] && pass "TMPDIR writable by others, not sticky: not used" ||
	failt "open: $out"
mkdir -m 0775 grp && chmod 0775 grp
out=$(where "$PWD/grp") && [[ "$out" == /tmp/ucorebtf.* ]] && pass "TMPDIR writable by its group: not used" || failt "grp: $out"
mkdir -p up/below && chown nobody up && chmod 0755 up/below
out=$(where "$PWD/up/below") && [[ "$out" == /tmp/ucorebtf.* ]] &&
	pass "TMPDIR ours but inside a directory another user owns: not used" || failt "up: $out"
mkdir -m 0700 real && ln -s "$PWD/real" link
under "$PWD/link" "$PWD/real" && pass "TMPDIR a symlink to a private directory: the directory it names" ||
	failt "link: $(where "$PWD/link")"
ln -s "$PWD/theirs" link2
out=$(where "$PWD/link2") && [[ "$out" == /tmp/ucorebtf.* ]] && pass "TMPDIR a symlink to another user's directory: not used" ||
	failt "link2: $out"
# Neither TMPDIR nor /tmp private: an error, not a file others control.
# (A mount namespace with a world-writable, non-sticky /tmp.  The new /tmp
# hides the old one, where the build may live: the programs and inputs are
# copied into this test's directory, the namespace's working directory.)
cp $B/tests/tools/no_memfd ns_no_memfd && cp $B/bpf/seed.bpf.o ns_seed.bpf.o && cp $APPS/app_v2 ns_app_v2
out=$(unshare -m --propagation private sh -c 'mount -t tmpfs -o mode=0777 tmpfs /tmp && mkdir -m 0700 /tmp/theirs &&
	chown nobody /tmp/theirs && TMPDIR=/tmp/theirs exec "$@"' sh \
	./ns_no_memfd ./where seed.ucb ./ns_seed.bpf.o ./ns_app_v2 2>&1); rc=$?
[ $rc = 1 ] && grep -q "^Error: .*no private directory for the prepared BTF's file (no memfd): TMPDIR /tmp/theirs: /tmp (owner uid 0, mode 0777) is not private.*; /tmp: /tmp (owner uid 0, mode 0777) is not private" <<<"$out" &&
	pass "no private TMPDIR and no private /tmp: an error saying why" || failt "none private: rc=$rc $out"
