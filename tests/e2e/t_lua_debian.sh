# Lua as Debian ships it: the project's Lua probe (bpf/lua.bpf.o, the
# examples/lua loader) on Debian's own lua5.x interpreters of bullseye and
# bookworm (the releases whose binaries run on this machine), through a
# bundle of the committed archive and libucorebtf, the entry chosen by the
# interpreter's own build-id.  Debian's interpreters link Lua in and are
# stripped: the uprobe goes at lua_gc's file offset, from the symbol table
# of the -dbg package's file.  Ground truth: the same upstream release
# built from source reports what its lstate.h says (lua-gt, tests/e2e/t_lua.sh).
. "$TESTS_DIR/lib.sh"
ROOT=$TESTS_DIR/..
OBJ=$B/bpf/lua.bpf.o
LOADER=$B/examples/lua/loader
SCRIPT=$ROOT/examples/lua/probe.lua
CACHE=${UCOREBTF_LUA_CACHE:-$B/lua}
DIST=$B/dist
ROWS=$(awk '$1 == "lua" && $2 ~ /^lua5/ && ($5 == "bullseye" || $5 == "bookworm") { print $2 "=" $6 "=" $3 "=" $5 }' \
	"$ROOT/scripts/dist-versions.txt")

if UCOREBTF=$UCOREBTF bash "$ROOT/scripts/ingest-debian.sh" -p lua >ingest.out 2>ingest.err &&
   UCOREBTF=$UCOREBTF bash "$ROOT/scripts/lua-build.sh" -o "$CACHE" 2>build.err; then
	pass "lua/debian: liblua5.x-0, lua5.x and their -dbg ingested or cached; source releases built or cached"
else
	failt "lua/debian: ingest or lua-build: $(tail -c 300 ingest.err) $(tail -c 300 build.err)"
	exit 0
fi
$UCOREBTF bundle create "$ROOT/archive" -o all.ucb 2>bundle.err ||
	failt "lua/debian: bundle create: $(head -c 300 bundle.err)"

# lua_gc's file offset in the stripped binary $1, from debug file $2's symbols.
file_off() {
	local v o a m
	v=$(readelf -sW "$2" 2>/dev/null | awk '$8 == "lua_gc" && $4 == "FUNC" { print $2; exit }')
	[ -n "$v" ] || return 1
	v=$((16#$v))
	while read -r _ o a _ _ m _; do
		if ((v >= a && v < a + m)); then
			printf '0x%x\n' $((v - a + o))
			return 0
		fi
	done < <(readelf -lW "$1" 2>/dev/null | awk '$1 == "LOAD"')
	return 1
}

n=0 rels=
for row in $ROWS; do
	IFS== read -r pkg ver dbg rel <<<"$row"
	d=$DIST/root/${pkg}_$ver
	interp=$d/usr/bin/$pkg
	bid=$(readelf -n "$interp" 2>/dev/null | awk '/Build ID:/ { print $3 }')
	off=$(file_off "$interp" "$d/usr/lib/debug/.build-id/${bid:0:2}/${bid:2}.debug")
	up=$(sed 's/-[^-]*$//' <<<"$ver")
	truth=$("$CACHE/$up/lua-gt" "$SCRIPT" 2>&1 >/dev/null)
	got=$($LOADER -j -B all.ucb -F "$off" "$OBJ" "$interp" "$interp" "$SCRIPT" 2>loader.err)
	if [ -n "$off" ] && [ -n "$truth" ] && [ "$got" = "$truth" ] && ! grep -q . loader.err; then
		pass "lua/debian $rel $pkg $ver (build-id $bid): probe reads what $up's lstate.h says: $got"
		n=$((n + 1))
		rels="$rels $rel"
	else
		failt "lua/debian $rel $pkg $ver: offset $off; probe $got $(head -c 200 loader.err); truth $truth"
	fi
done
[ "$n" -ge 4 ] && [ "$(tr ' ' '\n' <<<"$rels" | grep . | sort -u | wc -l)" -ge 2 ] &&
	pass "lua/debian: $n Debian interpreters of $(tr ' ' '\n' <<<"$rels" | grep . | sort -u | tr '\n' ' ')read right, each by build-id" ||
	failt "lua/debian: only $n interpreters read right ($rels)"

# Debian's liblua5.x.so.0 files are chosen by their own build-ids too.
m=0 total=0
for row in $(awk '$1 == "lua" && $2 ~ /^liblua/ { print $2 "=" $6 "=" $4 }' "$ROOT/scripts/dist-versions.txt"); do
	IFS== read -r pkg ver file <<<"$row"
	total=$((total + 1))
	lib=$(realpath "$(find "$DIST/root/${pkg}_$ver" -path "*/usr/lib/debug" -prune -o -name "$file" -print | head -n1)")
	out=$($UCOREBTF -j prepare --bundle all.ucb --obj "$OBJ" "$lib" -o lib.btf 2>&1)
	[ "$(jq -r '.targets[0] | .how + " " + .version' <<<"$out" 2>/dev/null)" = "build-id $ver" ] && m=$((m + 1))
done
[ "$m" -eq "$total" ] && [ "$m" -gt 0 ] &&
	pass "lua/debian: prepare picks each of Debian's $m liblua5.x.so.0 by build-id" ||
	failt "lua/debian: only $m of $total liblua5.x.so.0 picked by build-id"
