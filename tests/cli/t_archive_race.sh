# Archive writers under pressure (docs/archive.md, "Trust"): concurrent
# gen min runs into one archive (the lock), kill -9 during bundle extract
# (a new archive appears whole or not at all), and a full file system
# (ENOSPC: no partial entry or directory, the message says so).
. "$TESTS_DIR/lib.sh"
APPS=$B/examples/seed
OBJ=$B/bpf/seed.bpf.o
U=$UCOREBTF

# gen btf inputs: libraries sa, sb, k with versions 1..N, app_v1 and app_v2
# alternating so that entries of both runs share blobs (the dedup and gc
# paths race too).
mkbtf() { local lib=$1 n=$2 i; for i in $(seq 1 $n); do
	$U gen btf $APPS/app_v$((i % 2 + 1)) --name $lib --version $i -o in/$lib-$i.btf >/dev/null || return 1; done; }
mkdir in && mkbtf sa 10 && mkbtf sb 10 && mkbtf k 40 && mkbtf e 4 || { failt "gen btf inputs"; exit 0; }
entries() { grep -vc '^#' "$1/index.tsv" 2>/dev/null; }

# --- 70 pairs of concurrent gen min -o ARCHIVE --archive, two pairs at a time ---
pair() {
	$U gen min $OBJ in/sa-*.btf -o R$1 --archive >/dev/null 2>R$1.a.err & local p=$!
	$U gen min $OBJ in/sb-*.btf -o R$1 --archive >/dev/null 2>R$1.b.err
	local rb=$?; wait $p; echo "$? $rb" > R$1.rc
}
start=$SECONDS
for i in $(seq 1 2 70); do pair $i & pair $((i + 1)); wait; done
bad=""
for i in $(seq 1 70); do
	[ "$(cat R$i.rc)" = "0 0" ] && [ "$(entries R$i)" = 20 ] && [ -f R$i/needs/seed.txt ] &&
		$U archive verify R$i >/dev/null 2>&1 || bad="$bad R$i($(cat R$i.rc; head -c 200 R$i.a.err R$i.b.err))"
done
[ -z "$bad" ] && pass "70 concurrent paired gen min --archive runs: 70 valid archives with all 20 entries ($((SECONDS - start)) s)" ||
	failt "concurrent gen min: $(head -c 600 <<<"$bad")"

# --- kill -9 during bundle extract: no output, or a complete one ---
$U gen min $OBJ in/k-*.btf -o K --archive >/dev/null && $U bundle create K -o k.ucb >/dev/null ||
	{ failt "k bundle"; exit 0; }
t0=$(date +%s%N); $U bundle extract k.ucb -o X0 || failt "extract X0"; t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 + 1 ))
# Each kill in a directory of its own, so that what it leaves is its own.
bad="" cut=0 whole=0 midway=0
for i in $(seq 1 40); do
	mkdir k$i
	$U bundle extract k.ucb -o k$i/X 2>/dev/null & p=$!
	sleep "$(awk -v r=$RANDOM -v ms=$ms 'BEGIN { printf "%.4f", r / 32768 * ms * 1.5 / 1000 }')"
	kill -9 $p 2>/dev/null; wait $p 2>/dev/null
	# A directory left beside the target: killed while writing.
	[ -n "$(find k$i -maxdepth 1 -name '.ucorebtf-tmp-*')" ] && midway=$((midway + 1))
	if [ ! -e k$i/X ]; then
		cut=$((cut + 1))
	elif [ "$(entries k$i/X)" = 40 ] && [ -f k$i/X/needs/seed.txt ] && $U archive verify k$i/X >/dev/null 2>&1 &&
		diff -r X0 k$i/X >/dev/null; then
		whole=$((whole + 1))
	else
		bad="$bad k$i/X($(entries k$i/X) entries)"
	fi
done
[ -z "$bad" ] && [ $midway -gt 0 ] &&
	pass "kill -9 during bundle extract (40 times within 1.5 x ${ms} ms): $cut left no output ($midway killed while writing), $whole a complete archive, none partial" ||
	failt "kill -9 extract: partial:$bad; $cut none ($midway while writing), $whole whole"
d=$(for i in $(seq 1 40); do [ -n "$(find k$i -maxdepth 1 -name '.ucorebtf-tmp-*')" ] && echo k$i && break; done)
sleep 2	# older than a build that has not locked its directory yet
[ -n "$d" ] && $U bundle extract k.ucb -o $d/Y >/dev/null && [ -z "$(find $d -maxdepth 1 -name '.ucorebtf-tmp-*')" ] &&
	pass "the next extract beside a killed one removes what it left" ||
	failt "left over in ${d:-(none)}: $(find ${d:-.} -maxdepth 1 -name '.ucorebtf-tmp-*' | head -3)"

# --- ENOSPC on a 64 KiB tmpfs filled to leave 0..12 pages ---
mkdir mnt && mount -t tmpfs -o size=64k tmpfs mnt || { failt "mount tmpfs"; exit 0; }
trap 'umount mnt' EXIT
$U gen min $OBJ in/e-*.btf -o E --archive >/dev/null && $U bundle create E -o e.ucb >/dev/null || failt "e bundle"
fill() { rm -rf mnt/* mnt/.[!.]* 2>/dev/null; head -c $(((16 - $1) * 4096)) /dev/zero > mnt/fill 2>/dev/null; }
# whole_or_none DIR: DIR missing, empty, or a verifying archive whose every
# entry directory has its entry file and every blob is referenced; no
# temporary file anywhere.
whole_or_none() {
	local d=$1 n
	[ -z "$(find mnt -name '.ucorebtf-tmp-*')" ] || { echo "temp files: $(find mnt -name '.ucorebtf-tmp-*')"; return 1; }
	[ -e $d/index.tsv ] || { [ -z "$(ls $d 2>/dev/null)" ] || { echo "no index but: $(ls $d)"; return 1; }; return 0; }
	$U archive verify $d >/dev/null 2>&1 || { echo "verify: $($U archive verify $d 2>&1)"; return 1; }
	for e in $(find $d -mindepth 3 -maxdepth 3 -type d ! -path "$d/blobs*" ! -path "$d/needs*"); do
		[ -f $e/entry.tsv ] || { echo "partial entry $e"; return 1; }
	done
	n=$(grep -v '^#' $d/index.tsv | cut -f4 | sort -u | wc -l)
	[ "$(ls $d/blobs | wc -l)" = "$n" ] || { echo "blobs: $(ls $d/blobs | wc -l) for $n digests"; return 1; }
}
bad="" partial=0 nospc=0
for free in $(seq 0 12); do
	fill $free
	$U gen min $OBJ in/e-*.btf -o mnt/A --archive >/dev/null 2>g.err; rc=$?
	why=$(whole_or_none mnt/A) || bad="$bad [gen min, $free pages: $why]"
	if [ $rc = 0 ]; then
		[ "$(entries mnt/A)" = 4 ] || bad="$bad [gen min, $free pages: exit 0, $(entries mnt/A) entries]"
	else
		grep -q "No space left on device" g.err && nospc=$((nospc + 1)) || bad="$bad [gen min, $free pages: $(head -c 200 g.err)]"
		[ -e mnt/A/index.tsv ] && partial=$((partial + 1))
	fi
	fill $free
	$U bundle extract e.ucb -o mnt/X >/dev/null 2>x.err; rc=$?
	if [ $rc = 0 ]; then
		diff -r E mnt/X >/dev/null || bad="$bad [extract, $free pages: exit 0, differs]"
	else
		grep -q "No space left on device" x.err && [ ! -e mnt/X ] && [ -z "$(ls -A mnt | grep -v '^fill$')" ] ||
			bad="$bad [extract, $free pages: $(head -c 200 x.err); left: $(ls -A mnt)]"
	fi
done
[ -z "$bad" ] && [ $nospc -gt 0 ] && [ $partial -gt 0 ] &&
	pass "ENOSPC (0..12 pages free): gen min --archive and bundle extract leave whole entries or nothing, and say 'No space left on device' ($nospc gen min failures, $partial with earlier entries kept)" ||
	failt "ENOSPC: $nospc ENOSPC, $partial partial; $(head -c 1500 <<<"$bad")"
fill 0
expect_err "bundle create onto a full file system names ENOSPC" "mnt/b.ucb: .*No space left on device" $U bundle create E -o mnt/b.ucb --compress none
[ -z "$(ls -A mnt | grep -v '^fill$')" ] && pass "bundle create: no partial output on ENOSPC" || failt "left: $(ls -A mnt)"
