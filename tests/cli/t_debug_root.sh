# gen btf --debug-root DIR: debug info looked up under an unpacked package
# tree (dpkg-deb -x of libc6 + libc6-dbg of bullseye: scripts/ingest-debian.sh,
# cached) as under the system root: DIR/usr/lib/debug/.build-id/, then the
# .gnu_debuglink target under DIR/usr/lib/debug/<the binary's directory>,
# and a dwz supplementary file under DIR (Debian's liblua5.4-0-dbg).
. "$TESTS_DIR/lib.sh"
ROOT=$TESTS_DIR/..
LAYOUT=$B/tests/tools/btf_layout
pin=$(awk '$1 == "libc" && $5 == "bullseye" { print $6 }' "$ROOT/scripts/dist-versions.txt")
lpin=$(awk '$1 == "lua" && $2 == "liblua5.4-0" && $5 == "bookworm" { print $6 }' "$ROOT/scripts/dist-versions.txt")
if ! UCOREBTF=$UCOREBTF bash "$ROOT/scripts/ingest-debian.sh" -n libc -f libc.so.6 libc6 libc6-dbg "bullseye=$pin" >/dev/null 2>ingest.err ||
   ! UCOREBTF=$UCOREBTF bash "$ROOT/scripts/ingest-debian.sh" -n lua -f liblua5.4.so.0 liblua5.4-0 liblua5.4-0-dbg "bookworm=$lpin" >/dev/null 2>>ingest.err; then
	failt "debug-root: ingest: $(tail -c 300 ingest.err)"
	exit 0
fi
R=$B/dist/root/libc6_$pin
so=$(realpath "$R/lib/x86_64-linux-gnu/libc.so.6")

# bullseye's libc: its debug file is not on this (bookworm) system.
expect_err "debug-root: without it, bullseye's libc has no debug info here" \
	"libc.*no debug info: .*none under /usr/lib/debug/.build-id/" $UCOREBTF gen btf "$so" -o none.btf
expect_err "debug-root: a root without the file is named in the message" \
	"none under $WORK/empty/usr/lib/debug/.build-id/" $UCOREBTF gen btf "$so" --debug-root "$WORK/empty/" -o none.btf

# Build-id directory under the root (a trailing slash is the same root).
if $UCOREBTF gen btf "$so" --debug-root "$R/" -o libc.btf >out 2>err &&
   grep -q "from $R/usr/lib/debug/.build-id/" out &&
   [ "$($LAYOUT libc.btf | awk '$1 == "pthread.arg" { print $2 }')" = off=$((1608 * 8)) ]; then
	pass "debug-root: build-id file under the root: struct pthread.arg at 1608 ($pin's DWARF)"
else
	failt "debug-root: build-id lookup: $(cat out err | head -c 400)"
fi

# .gnu_debuglink under the root: only DIR/usr/lib/debug/lib/x86_64-linux-gnu/NAME.
link=$(readelf --string-dump=.gnu_debuglink "$so" | awk '/\[ *0\]/ { print $3 }')
bid=$(readelf -n "$so" | awk '/Build ID:/ { print $3 }')
mkdir -p r2/lib/x86_64-linux-gnu r2/usr/lib/debug/lib/x86_64-linux-gnu
cp "$so" r2/lib/x86_64-linux-gnu/
cp "$R/usr/lib/debug/.build-id/${bid:0:2}/${bid:2}.debug" "r2/usr/lib/debug/lib/x86_64-linux-gnu/$link"
if [ -n "$link" ] && $UCOREBTF gen btf "r2/lib/x86_64-linux-gnu/$(basename "$so")" --debug-root "$PWD/r2" -o link.btf >out 2>err &&
   grep -q "from $PWD/r2/usr/lib/debug/lib/x86_64-linux-gnu/$link" out && cmp -s libc.btf link.btf; then
	pass "debug-root: .gnu_debuglink target under the root (same BTF as by build-id)"
else
	failt "debug-root: debuglink $link: $(cat out err | head -c 400)"
fi

# dwz: liblua5.4-0-dbg's file names its supplementary file by a system path.
L=$B/dist/root/liblua5.4-0_$lpin
lso=$(realpath "$L/usr/lib/x86_64-linux-gnu/liblua5.4.so.0")
if $UCOREBTF gen btf "$lso" --debug-root "$L" -o lua.btf >out 2>err &&
   [ "$($LAYOUT lua.btf | grep -c '^lua_State size=')" = 1 ] &&
   $LAYOUT lua.btf | grep -q '^lua_State.nCcalls off='; then
	pass "debug-root: dwz'd debug info read with its supplementary file from the root (one complete lua_State)"
else
	failt "debug-root: dwz: $(cat out err | head -c 300) $($LAYOUT lua.btf 2>&1 | grep -c '^lua_State size=')"
fi
