# gen btf: DWARF found in the ELF, by build-id, by debuglink, by --debug-file;
# metadata kept; stripped binaries fail cleanly.
. "$TESTS_DIR/lib.sh"
APP=$B/examples/seed/app_v2
unset DEBUGINFOD_URLS  # the stripped-binary errors below assume no server

check "gen btf writes BTF libbpf and bpftool read" \
	bash -c "$UCOREBTF gen btf $APP -o a.btf --version 2.0 >/dev/null && bpftool btf dump file a.btf | grep -q \"STRUCT 'data' size=16 vlen=4\""
bid=$(readelf -n $APP | sed -n 's/.*Build ID: //p')
meta=$(readelf -p .ucorebtf.meta a.btf 2>/dev/null)
grep -q "build_id=$bid" <<<"$meta" && grep -q "version=2.0" <<<"$meta" && grep -q "arch=x86_64" <<<"$meta" &&
	pass "gen btf records build-id, version and arch" || failt "metadata: $meta"
out=$($UCOREBTF -j gen btf $APP -o j.btf --version 2.0)
grep -q "\"build_id\":\"$bid\"" <<<"$out" && grep -q '"structs":1' <<<"$out" &&
	pass "gen btf -j reports build-id and struct count" || failt "gen btf -j: $out"
cmp -s a.btf j.btf && pass "gen btf is deterministic" || failt "gen btf output differs between runs"

# Shared library: soname becomes the library name.
printf 'struct s { long x; int y; };\nint f(struct s *p) { return p->y; }\n' > lib.c
gcc -g -shared -fPIC -Wl,-soname,libdemo.so.1 lib.c -o libdemo.so.1
out=$($UCOREBTF -j gen btf libdemo.so.1 -o libdemo.btf)
grep -q '"library":"libdemo"' <<<"$out" && grep -q '"soname":"libdemo.so.1"' <<<"$out" &&
	pass "gen btf on a shared library keeps soname and library name" || failt "shared lib: $out"

# Stripped: one clear line, exit 1, no output.
cp $APP stripped && strip stripped
out=$($UCOREBTF gen btf stripped -o s.btf 2>&1); rc=$?
if [ $rc -eq 1 ] && [ "$(wc -l <<<"$out")" -eq 1 ] && grep -q "^Error: stripped: no debug info" <<<"$out" && [ ! -e s.btf ]; then
	pass "gen btf on a stripped binary: exit 1, one line, no output"
else failt "stripped: rc=$rc out=$out $(ls s.btf 2>&1)"; fi

# Separate debug info: .gnu_debuglink, then --debug-file.
cp $APP linked && objcopy --only-keep-debug linked linked.debug && strip linked &&
	objcopy --add-gnu-debuglink=linked.debug linked
check "gen btf follows .gnu_debuglink" bash -c "$UCOREBTF gen btf linked -o l.btf | grep -q 'from ./linked.debug'"
mkdir -p elsewhere && mv linked.debug elsewhere/
check "gen btf uses --debug-file" bash -c "$UCOREBTF gen btf linked -o l2.btf --debug-file elsewhere/linked.debug | grep -q elsewhere/linked.debug"
expect_err "gen btf rejects a --debug-file from another build" "linked: no DWARF in --debug-file" \
	$UCOREBTF gen btf linked -o l3.btf --debug-file $B/examples/seed/app_v1

# By build-id under /usr/lib/debug/.build-id (root only; we are root in CI).
cp $APP byid && objcopy --only-keep-debug byid byid.debug && strip byid
bid=$(readelf -n byid | sed -n 's/.*Build ID: //p')
dir=/usr/lib/debug/.build-id/${bid:0:2}
if mkdir -p $dir 2>/dev/null && cp byid.debug $dir/${bid:2}.debug; then
	check "gen btf finds debug info by build-id" bash -c "$UCOREBTF gen btf byid -o b.btf | grep -q $dir/${bid:2}.debug"
	rm -f $dir/${bid:2}.debug
else failt "cannot write under /usr/lib/debug (not root?)"; fi

# Bad input.
expect_err "gen btf: missing file" "nope: No such file" $UCOREBTF gen btf nope
: > empty
expect_err "gen btf: empty file" "empty: empty file" $UCOREBTF gen btf empty -o e.btf
expect_err "gen btf: directory" "elsewhere: is a directory" $UCOREBTF gen btf elsewhere -o e.btf
echo "hello" > text
expect_err "gen btf: not an ELF" "text: not an ELF" $UCOREBTF gen btf text -o e.btf
expect_err "gen btf: unwritable output" "/nonexistent/x.btf: cannot write" $UCOREBTF gen btf $APP -o /nonexistent/x.btf
[ ! -e e.btf ] && pass "gen btf leaves no output on bad input" || failt "e.btf was written"
out=$($UCOREBTF gen btf 2>&1); rc=$?
[ $rc -eq 2 ] && pass "gen btf without arguments is a usage error (exit 2)" || failt "usage rc=$rc"

# -o onto a device node writes into it, never renames over it (a private
# copy of /dev/null, so a regression cannot break the machine's).
if mknod devnull c 1 3 2>/dev/null; then
	$UCOREBTF gen btf $APP -o devnull >/dev/null 2>&1; rc=$?
	[ $rc = 0 ] && [ -c devnull ] && pass "gen btf -o a character device writes through it (stays a device)" ||
		failt "gen btf -o device: rc=$rc $(ls -la devnull)"
else failt "cannot mknod (not root?)"; fi
mkfifo fifo && { cat fifo > fromfifo & } && $UCOREBTF gen btf $APP -o fifo >/dev/null 2>&1; wait
[ -p fifo ] && bpftool btf dump file fromfifo 2>/dev/null | grep -q "STRUCT 'data'" &&
	pass "gen btf -o a FIFO streams the BTF file through it" || failt "gen btf -o fifo"

# Validation: DWARF without any struct or union is refused (both encoders).
printf 'int main(void) { int x = 1; return x - 1; }\n' > nostruct.c && gcc -g -O0 nostruct.c -o nostruct
for via in ucorebtf pahole; do
	out=$($UCOREBTF gen btf --via $via nostruct -o ns.btf 2>&1); rc=$?
	[ $rc = 1 ] && [ "$(wc -l <<<"$out")" = 1 ] && grep -q "^Error: nostruct: DWARF gave no struct or union" <<<"$out" &&
		[ ! -e ns.btf ] && pass "gen btf --via $via: no struct or union in the DWARF: exit 1, one line, no output" ||
		failt "gen btf --via $via no struct: rc=$rc $out"
done
