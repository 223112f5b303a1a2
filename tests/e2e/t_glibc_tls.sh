# glibc as Debian ships it, four releases (bullseye 2.31, bookworm 2.36,
# trixie 2.41, sid 2.43; scripts/dist-versions.txt): one probe that mixes
# kernel CO-RE (task_struct->thread.fsbase) and glibc CO-RE (struct pthread
# at that address: tid, and start_routine/arg, which move) on real uprobes
# on each release's own libc.so.6, run through that release's own ld.so;
# the BTF comes from a bundle of the committed archive through
# libucorebtf, the entry chosen by the shipped file's build-id.  Ground
# truth: the tid, start routine and argument the program reports, and the
# offsets in each release's own DWARF (pahole on libc6-dbg's file).
. "$TESTS_DIR/lib.sh"
ROOT=$TESTS_DIR/..
OBJ=$B/bpf/glibc_tls.bpf.o
LOADER=$B/tests/tools/glibc_tls_loader
DIST=$B/dist
PINS=$(awk '$1 == "libc" { print $5 "=" $6 }' "$ROOT/scripts/dist-versions.txt")

if [ ! -f "$OBJ" ] || [ ! -x "$LOADER" ]; then
	failt "glibc: $OBJ or $LOADER not built (run make)"
	exit 0
fi
# The .debs once (cached by sha256 outside the clone), unpacked in the build dir.
if UCOREBTF=$UCOREBTF bash "$ROOT/scripts/ingest-debian.sh" -p libc >ingest.out 2>ingest.err; then
	pass "glibc: libc6 + libc6-dbg of $(wc -w <<<"$PINS") releases ingested or cached ($(echo $PINS))"
else
	failt "glibc: ingest: $(tail -c 400 ingest.err)"
	exit 0
fi
root_of() { echo "$DIST/root/libc6_$1"; }
libc_of() { realpath "$(find "$(root_of "$1")" -path "$(root_of "$1")/usr/lib/debug" -prune -o -name libc.so.6 -print)"; }

$UCOREBTF bundle create "$ROOT/archive" -o all.ucb 2>bundle.err &&
	pass "glibc: one bundle from archive/ ($(stat -c %s all.ucb) bytes, $(grep -c '^libc	' "$ROOT/archive/index.tsv") libc entries)" ||
	failt "glibc: bundle create: $(head -c 300 bundle.err)"

# The test program, linked against the oldest release (2.31's libc.so.6 and
# libpthread.so.0): it needs only GLIBC_2.2.5 symbols, which every later
# glibc keeps, so each release's ld.so can run it with its own libc.
old=$(awk '$1 == "libc" { print $6; exit }' "$ROOT/scripts/dist-versions.txt")
L=$(dirname "$(libc_of "$old")")
if gcc -O1 -o tlsapp "$ROOT/tests/fixtures/glibc_tls/tlsapp.c" -nodefaultlibs -Wl,-rpath-link,"$L" \
	"$L/libc.so.6" "$L/libpthread.so.0" 2>gcc.err &&
   [ -z "$(objdump -T tlsapp | grep -o 'GLIBC_[0-9.]*' | grep -vx 'GLIBC_2.2.5')" ]; then
	pass "glibc: test program built against $old, GLIBC_2.2.5 symbols only"
else
	failt "glibc: test program: $(head -c 300 gcc.err) $(objdump -T tlsapp 2>&1 | grep -o 'GLIBC_[0-9.]*' | sort -u)"
fi

# pahole's offset of struct pthread's member $2 in release $1's own DWARF.
dwarf_off() {
	local lib bid
	lib=$(libc_of "$1")
	bid=$(readelf -n "$lib" | awk '/Build ID:/ { print $3 }')
	pahole -C pthread "$(root_of "$1")/usr/lib/debug/.build-id/${bid:0:2}/${bid:2}.debug" |
		sed -nE "s/.*[ *(]$2\)?(\(.*\))?;[[:space:]]*\/\*[[:space:]]*([0-9]+).*/\2/p" | head -n1
}

n=0
offs=
for pin in $PINS; do
	rel=${pin%%=*} ver=${pin#*=}
	lib=$(libc_of "$ver")
	ld=$(find "$(root_of "$ver")" -name ld-linux-x86-64.so.2 | head -n1)
	rm -f report.json
	got=$($LOADER all.ucb "$OBJ" "$lib" "$ld" --library-path "$(dirname "$lib")" "$PWD/tlsapp" "$PWD/report.json" 2>loader.err)
	truth=$(cat report.json 2>/dev/null)
	want_arg=$(dwarf_off "$ver" arg) want_tid=$(dwarf_off "$ver" tid) want_sr=$(dwarf_off "$ver" start_routine)
	j() { jq -r "$1" <<<"$2" 2>/dev/null; }
	if [ -n "$truth" ] && [ "$(j .how "$got")" = build-id ] && [ "$(j .version "$got")" = "$ver" ] &&
	   [ "$(j .tid "$got")" = "$(j .tid "$truth")" ] && [ "$(j .kernel_tid "$got")" = "$(j .tid "$truth")" ] &&
	   [ "$(j .tid "$truth")" != "$(j .pid "$truth")" ] &&
	   [ "$(j .arg "$got")" = "$(j .arg "$truth")" ] && [ "$(j .start_routine "$got")" = "$(j .start_routine "$truth")" ] &&
	   [ "$(j .arg_off "$got")" = "$want_arg" ] && [ "$(j .tid_off "$got")" = "$want_tid" ] &&
	   [ "$(j .hits "$got")" = 20 ]; then
		pass "glibc $rel ($ver): fsbase -> struct pthread: tid $(j .tid "$got"), arg at $want_arg, start_routine at $want_sr (DWARF), entry by build-id"
		n=$((n + 1))
	else
		failt "glibc $rel ($ver): probe $got; program $truth; DWARF tid $want_tid arg $want_arg; $(head -c 300 loader.err)"
	fi
	offs="$offs $want_arg"
done
[ "$n" -eq "$(wc -w <<<"$PINS")" ] && pass "glibc: one probe object and one bundle matched all $n releases"
# The releases really differ where the probe looks.
[ "$(tr ' ' '\n' <<<"$offs" | grep . | sort -u | wc -l)" -ge 2 ] &&
	pass "glibc: struct pthread.arg moves across releases (offsets$offs)" ||
	failt "glibc: struct pthread.arg does not move (offsets$offs): the test proves little"

# This machine's libc: chosen by build-id, no version given; the probe
# reads the system's own program through the system's loader.
host=/usr/lib/x86_64-linux-gnu/libc.so.6
hostver=$(dpkg-query -W -f '${Version}' libc6)
out=$($UCOREBTF -j prepare --bundle all.ucb --obj "$OBJ" "$host" -o host.btf 2>&1)
[ "$(jq -r '.targets[0] | .how + " " + .version + " " + (.exact|tostring)' <<<"$out" 2>/dev/null)" = "build-id $hostver true" ] &&
	pass "glibc: prepare on this machine's $host selects $hostver by build-id" ||
	failt "glibc: prepare on $host: $out (installed $hostver)"
rm -f report.json
got=$($LOADER all.ucb "$OBJ" "$host" "$PWD/tlsapp" "$PWD/report.json" 2>loader.err)
[ -n "$got" ] && [ "$(jq -r .tid <<<"$got")" = "$(jq -r .tid report.json 2>/dev/null)" ] &&
	[ "$(jq -r .arg <<<"$got")" = "$(jq -r .arg report.json)" ] &&
	pass "glibc: the system's own libc read right (tid $(jq -r .tid <<<"$got"))" ||
	failt "glibc: system libc: $got $(cat report.json 2>/dev/null) $(head -c 300 loader.err)"

# A libc the bundle has no entry for (only bullseye's here): an error that
# names the build-id and lists what the bundle holds, never a guess.
old_btf=$DIST/btf/libc-$old.btf
$UCOREBTF gen min "$OBJ" "$old_btf" -o one --archive >/dev/null 2>&1 && $UCOREBTF bundle create one -o one.ucb 2>/dev/null
expect_err "glibc: a libc without an entry: one line naming its build-id and what the bundle holds" \
	"$host: no bundle entry for this binary (build-id [0-9a-f]*).*the bundle holds: libc $old x86_64" \
	$UCOREBTF prepare --bundle one.ucb --obj "$OBJ" "$host" -o none.btf
