# Lua 5.1 to 5.4, real releases from Debian source packages (scripts/lua-build.sh,
# cached in $OUTPUT/lua): one probe object (bpf/lua.bpf.o) on every release's
# interpreter, real uprobes, values read through the map compared with what
# the release's own lstate.h says at the same point (lua-gt).
. "$TESTS_DIR/lib.sh"
ROOT=$TESTS_DIR/..
OBJ=$B/bpf/lua.bpf.o
LOADER=$B/examples/lua/loader
SCRIPT=$ROOT/examples/lua/probe.lua
CACHE=${UCOREBTF_LUA_CACHE:-$B/lua}

if [ ! -f "$OBJ" ] || [ ! -x "$LOADER" ]; then
	failt "lua: $OBJ or $LOADER not built (run make)"
	exit 0
fi
if UCOREBTF=$UCOREBTF bash "$ROOT/scripts/lua-build.sh" -o "$CACHE" 2>build.err; then
	pass "lua: releases built or cached ($(bash "$ROOT/scripts/lua-build.sh" -l | tr '\n' ' '))"
else
	failt "lua: scripts/lua-build.sh: $(tail -c 400 build.err)"
	exit 0
fi
VERS=$(bash "$ROOT/scripts/lua-build.sh" -l)
lib_of() { echo "$CACHE/$1"/liblua5.?.so.$1; }

# The BTF handed to libbpf for release $1 — the one place that decides where
# a release's types come from.  Now: the committed archive/lua blob whose
# meta has the library's GNU build-id (the builds are reproducible), merged
# with the running kernel's BTF.  gen min over all releases must agree.
mkdir -p min
$UCOREBTF gen min "$OBJ" "$CACHE"/*/lua-*.btf -o min >genmin.out 2>genmin.err &&
	pass "lua: gen min over all releases, verified" ||
	failt "lua: gen min over all releases: $(head -c 400 genmin.err)"
blob_for() {
	local bid meta
	bid=$(readelf -n "$(lib_of $1)" | sed -n 's/.*Build ID: *//p')
	meta=$(grep -l "^build_id=$bid\$" "$ROOT"/archive/lua/*/*/meta | head -n1)
	[ -n "$meta" ] && echo "$(dirname "$meta")/lua-$1.btf"
}
btf_for() {
	local blob
	if [ ! -f "btf-$1" ]; then
		blob=$(blob_for $1) || { echo "no-archive-blob-for-$1"; return; }
		$UCOREBTF merge "$blob" -o "btf-$1" 2>/dev/null
	fi
	echo "btf-$1"
}

n=0
for v in $VERS; do
	b=$(blob_for $v) && cmp -s "$b" "min/lua-$v.btf" && n=$((n + 1))
done
[ "$n" -eq "$(wc -w <<<"$VERS")" ] &&
	pass "lua: each library's build-id finds its archive/lua blob, equal to gen min's" ||
	failt "lua: only $n releases found an archive blob by build-id equal to gen min's (stale archive? run scripts/regen.sh)"

n=0
for v in $VERS; do
	d=$CACHE/$v
	truth=$("$d/lua-gt" "$SCRIPT" 2>&1 >/dev/null)
	got=$($LOADER -j -b "$(btf_for $v)" "$OBJ" "$(lib_of $v)" "$d/lua" "$SCRIPT" 2>&1)
	if [ -n "$truth" ] && [ "$got" = "$truth" ]; then
		pass "lua $v: probe reads what lstate.h says: $got"
		n=$((n + 1))
	else
		failt "lua $v: probe $got, ground truth $truth"
	fi
	echo "$truth" > truth-$v.json
done
[ "$n" -eq "$(wc -w <<<"$VERS")" ] && pass "lua: one probe object matched all $n releases"

# The releases really differ where the probe looks (else the test proves little).
if [ "$(cat truth-*.json | sed 's/.*"nccalls_size":\([0-9]*\).*/\1/' | sort -u | tr '\n' ' ')" = "2 4 " ] &&
   [ "$(cat truth-*.json | sed 's/.*"callstatus":\(-*[0-9]*\).*/\1/' | sort -u | wc -l)" -ge 3 ]; then
	pass "lua: ground truths differ across releases (nCcalls 2 vs 4 bytes, callstatus absent/0/2)"
else
	failt "lua: ground truths too alike: $(cat truth-*.json)"
fi

# Without the Lua types libbpf cannot resolve the required relocations.
last=$(tail -n1 <<<"$VERS")
d=$CACHE/$last
out=$($LOADER -j "$OBJ" "$(lib_of $last)" "$d/lua" "$SCRIPT" 2>&1); rc=$?
if [ $rc -ne 0 ] && grep -q "^Error: .*CO-RE relocation.*struct lua_State" <<<"$out"; then
	pass "lua $last: without app BTF the probe does not load, one clear line"
else
	failt "lua $last without app BTF: rc=$rc $out"
fi

# Another release's types load fine and read wrong values.
wrong() { # wrong V_TARGET V_BTF
	local d=$CACHE/$1 got
	got=$($LOADER -j -b "$(btf_for $2)" "$OBJ" "$(lib_of $1)" "$d/lua" "$SCRIPT" 2>&1)
	if [ -n "$got" ] && [ "$got" != "$(cat truth-$1.json)" ]; then
		pass "lua $1 with $2's BTF reads wrong values: $got"
	else
		failt "lua $1 with $2's BTF: $got"
	fi
}
wrong 5.3.6 5.2.4
wrong 5.4.9 5.1.5

# The blob carries all the probe needs: the full library BTF gives the same reads.
$UCOREBTF merge "$CACHE/$last/lua-$last.btf" -o full.btf
got=$($LOADER -j -b full.btf "$OBJ" "$(lib_of $last)" "$d/lua" "$SCRIPT" 2>&1)
[ "$got" = "$(cat truth-$last.json)" ] && pass "lua $last: full library BTF reads the same as the blob" ||
	failt "lua $last with full BTF: $got"
