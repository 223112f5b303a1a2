# The per-boot index of the running kernel's BTF (src/lib/kbtf_cache.c):
# the first prepare as root writes it, later ones read it instead of walking
# every kernel type, with the same output; one that is not ours (mode,
# owner, symlink, directory writable by others) or not this boot's is
# neither read nor trusted; crafted marks cannot crash prepare.
. "$TESTS_DIR/lib.sh"
OBJ=$B/bpf/kneeds.bpf.o
APP=$B/examples/seed/app_v1
U=$UCOREBTF
KC=$PWD/kc
IDX=$KC/vmlinux.idx

$U gen btf $APP --name seed-app --version 1 -o seed-app-1.btf >/dev/null &&
	$U gen min $OBJ seed-app-1.btf -o G --archive >/dev/null && $U bundle create G -o g.ucb >/dev/null ||
	failt "gen min -> bundle"
prep() {	# prep OUT [CACHE_DIR]: prepare with the cache in CACHE_DIR ("" = none)
	UCOREBTF_KBTF_CACHE_DIR=${2-$KC} $U prepare --bundle g.ucb --obj $OBJ $APP -o "$1" 2>prep.err
}
prep ref.btf "" || failt "prepare without a cache: $(cat prep.err)"
[ ! -e "$IDX" ] && [ "$(bpftool btf dump file ref.btf | grep -c "STRUCT 'task_struct'")" = 1 ] &&
	pass "no cache: the kernel types from the pass over the kernel BTF" || failt "no-cache reference"

prep a.btf && [ -f "$IDX" ] && [ "$(stat -c '%u %a' "$IDX" "$KC" | tr '\n' ' ')" = "0 644 0 755 " ] &&
	cmp -s a.btf ref.btf && pass "first prepare writes the index (root, 0644, in a 0755 dir), same output" ||
	failt "index written: $(ls -la "$KC" 2>&1)"
ino=$(stat -c %i "$IDX")
prep b.btf && cmp -s b.btf ref.btf && [ "$(stat -c %i "$IDX")" = "$ino" ] &&
	pass "second prepare reads the index (not rewritten), same output" || failt "index read"
cp "$IDX" good.idx

# A valid-looking index naming every other type only: read, it hides some
# kernel roots (the control that shows an index is used); untrusted, it is
# ignored.
python3 - good.idx empty.idx <<'P'
import struct, sys
d = open(sys.argv[1], 'rb').read()
h = list(struct.unpack_from('<8s40sQ6I', d))
nmarks, nents = h[7], h[8]
ents = d[80 + 4 * nmarks:]
h[8] = (nents + 1) // 2
kept = b''.join(ents[i:i + 8] for i in range(0, len(ents), 16))
open(sys.argv[2], 'wb').write(struct.pack('<8s40sQ6I', *h) + d[80:80 + 4 * nmarks] + kept)
P
cp empty.idx "$IDX"
prep c.btf && ! cmp -s c.btf ref.btf && pass "control: a trusted index is what prepare uses" ||
	failt "control: an index without names changed nothing"
untrusted() {	# untrusted NAME: prepare ignores the index as set up
	if prep d.btf && cmp -s d.btf ref.btf; then pass "$1: ignored, same output"
	else failt "$1: $(cat prep.err)"; fi
}
cp empty.idx "$IDX" && chmod 666 "$IDX"; untrusted "index writable by others"
[ "$(stat -c %a "$IDX")" = 644 ] && cmp -s "$IDX" good.idx && pass "an untrusted index is replaced by a good one" ||
	failt "untrusted index not replaced"
cp empty.idx "$IDX" && chown nobody "$IDX"; untrusted "index not owned by root"
cp empty.idx elsewhere.idx && rm -f "$IDX" && ln -s "$PWD/elsewhere.idx" "$IDX"; untrusted "index is a symlink"
[ -f "$IDX" ] && [ ! -L "$IDX" ] && cmp -s elsewhere.idx empty.idx && pass "symlink replaced, its target untouched" ||
	failt "symlink: $(ls -la "$KC")"
cp empty.idx "$IDX" && chmod 775 "$KC"; untrusted "directory writable by its group"
cmp -s "$IDX" empty.idx && pass "nothing written to a directory that is not ours" || failt "wrote into an untrusted dir"
chmod 755 "$KC"
python3 - good.idx "$IDX" <<'P'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
d[8] ^= 1	# another boot's id
open(sys.argv[2], 'wb').write(d)
P
untrusted "index of another boot"
cmp -s "$IDX" good.idx && pass "another boot's index is rewritten for this boot" || failt "stale index kept"
head -c 2000 good.idx > "$IDX"; untrusted "truncated index"

# Crafted marks (root could write them): every type read from a mark is
# bounds-checked, so prepare succeeds or fails with a message, never crashes.
crash=0
for how in shift4 stride12 last; do
	python3 - good.idx "$IDX" $how <<'P'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
h = struct.unpack_from('<8s40sQ6I', d)
types_len, nmarks = h[3], h[7]
for i in range(nmarks):
	off = 80 + 4 * i
	m = struct.unpack_from('<I', d, off)[0]
	m = {'shift4': m + 4, 'stride12': 12 * i, 'last': types_len - 4 * (nmarks - i)}[sys.argv[3]]
	struct.pack_into('<I', d, off, m)
open(sys.argv[2], 'wb').write(d)
P
	prep e.btf; rc=$?
	{ [ $rc = 0 ] || { [ $rc = 1 ] && grep -q '^Error: ' prep.err; }; } || crash=1
done
[ $crash = 0 ] && pass "crafted marks: prepare succeeds or fails with a message" || failt "crafted marks: rc=$rc $(cat prep.err)"
