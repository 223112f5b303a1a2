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

# Issue 6's cross-check on real releases: ucorebtf's encoder and pahole
# (scripts/btf-compare.sh) agree on every struct, member offset and size of
# each Lua shared library.  The one allowed difference is pahole 1.24
# flattening global_State.strcache[N][M] (5.3+) into one array: same offset
# and size, ucorebtf keeps the source's two dimensions.
libs=$(for v in $VERS; do lib_of $v; done)
cmp_out=$(unset DEBUGINFOD_URLS; bash "$ROOT/scripts/btf-compare.sh" $libs 2>&1); rc=$?
good=$(sed -nE 's/.*: [0-9]+ structs, ([0-9]+) members: ([0-9]+) identical; pahole-void 0, pahole-flat ([01]), pahole-dup 0, ucorebtf-skip 0, type 0; unexplained 0$/\1 \2 \3/p' <<<"$cmp_out" |
	awk '$2 + $3 == $1 { n++ } END { print n + 0 }')
flat_other=$(grep '^  pahole-flat' <<<"$cmp_out" | grep -v 'global_State.strcache: TString\*\[[0-9]*\]\[2\] vs pahole TString\*\[[0-9]*\]')
[ $rc = 0 ] && [ "$good" = "$(wc -w <<<"$VERS")" ] && [ -z "$flat_other" ] &&
	pass "lua: encoder and pahole agree on every struct member of all $good releases (pahole flattens strcache[N][2])" ||
	failt "lua: encoder vs pahole: rc=$rc good=$good $(grep -v ' unexplained 0$' <<<"$cmp_out" | head -c 600)"

# The BTF handed to libbpf for release $1 — the one place that decides where
# a release's types come from: one bundle made from the committed archive,
# and `ucorebtf prepare` (what libucorebtf does at load time) picking the
# entry by the library's build-id (the builds are reproducible) plus the
# kernel types the object needs.  gen min over all releases must agree.
mkdir -p min
$UCOREBTF gen min "$OBJ" $(for v in $VERS; do echo "$CACHE/$v/lua-$v.btf"; done) -o min >genmin.out 2>genmin.err &&
	pass "lua: gen min over all releases, verified" ||
	failt "lua: gen min over all releases: $(head -c 400 genmin.err)"
if $UCOREBTF bundle create "$ROOT/archive" -o lua.ucb 2>bundle.err; then
	pass "lua: one bundle from archive/ ($(stat -c %s lua.ucb) bytes, $(grep -c '^lua	' "$ROOT/archive/index.tsv") Lua releases)"
else
	failt "lua: bundle create: $(head -c 300 bundle.err)"
fi
btf_for() {
	[ -f "btf-$1" ] || $UCOREBTF prepare -j --bundle lua.ucb --obj "$OBJ" "$(lib_of $1)" \
		-o "btf-$1" > "prepare-$1.json" 2>&1
	echo "btf-$1"
}

n=0
for v in $VERS; do
	sha=$(awk -F'\t' -v v="$v" '$1 == "lua" && $2 == v { print $4 }' "$ROOT/archive/index.tsv")
	btf_for $v >/dev/null
	[ -n "$sha" ] && cmp -s "$ROOT/archive/blobs/$sha.btf" "min/lua-$v.min.btf" &&
		[ "$(jq -r '.targets[0] | .version + " " + .how' "prepare-$v.json")" = "$v build-id" ] &&
		n=$((n + 1))
done
[ "$n" -eq "$(wc -w <<<"$VERS")" ] &&
	pass "lua: prepare picks each release by build-id; archive blobs equal gen min's" ||
	failt "lua: only $n releases picked by build-id with archive blob = gen min's (stale archive? run scripts/regen.sh)"

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
[ "$n" -eq "$(wc -w <<<"$VERS")" ] && pass "lua: one probe object and one bundle matched all $n releases"

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
	if jq -e . <<<"$got" >/dev/null 2>&1 && [ "$got" != "$(cat truth-$1.json)" ]; then
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

# A build the archive has never seen (build-id note removed): prepare reads
# the version from lua_ident by the rule archive/rules.tsv records for lua,
# and the reads stay right.
for v in $(head -n1 <<<"$VERS") $last; do
	lib=$(lib_of $v); so=$(basename "$lib"); mkdir -p nobid-$v
	objcopy --remove-section .note.gnu.build-id "$lib" "nobid-$v/${so%.so.*}.so.0" &&
		cp "$CACHE/$v/lua" nobid-$v/
	how=$($UCOREBTF prepare -j --bundle lua.ucb --obj "$OBJ" "nobid-$v/${so%.so.*}.so.0" -o nobid-$v.btf 2>&1 |
		jq -r '.targets[0] | .version + " " + .how' 2>/dev/null)
	got=$($LOADER -j -b nobid-$v.btf "$OBJ" "nobid-$v/${so%.so.*}.so.0" nobid-$v/lua "$SCRIPT" 2>&1)
	if [ "$how" = "$v rule:symbol:lua_ident" ] && [ "$got" = "$(cat truth-$v.json)" ]; then
		pass "lua $v without build-id: picked by the lua_ident rule, reads what lstate.h says"
	else
		failt "lua $v without build-id: prepare '$how', probe $got"
	fi
	# The same in-process (loader -B): the loader says the entry was not
	# chosen by build-id.
	got=$($LOADER -j -B lua.ucb "$OBJ" "nobid-$v/${so%.so.*}.so.0" nobid-$v/lua "$SCRIPT" 2>warn-$v.txt)
	if [ "$got" = "$(cat truth-$v.json)" ] &&
	   grep -q "^Warning: nobid-$v/.*: bundle entry chosen by rule:symbol:lua_ident, not by build-id" warn-$v.txt; then
		pass "lua $v without build-id, libucorebtf in the loader: by rule, with a warning, reads what lstate.h says"
	else
		failt "lua $v without build-id in the loader: $got $(head -c 300 warn-$v.txt)"
	fi
done

# libucorebtf in the loader itself: the bundle opened and the BTF prepared
# in-process at load time, as an application shipping the bundle does.
n=0
for v in $VERS; do
	got=$($LOADER -j -B lua.ucb "$OBJ" "$(lib_of $v)" "$CACHE/$v/lua" "$SCRIPT" 2>&1)
	[ "$got" = "$(cat truth-$v.json)" ] && n=$((n + 1)) || failt "lua $v with libucorebtf: $got"
done
[ "$n" -eq "$(wc -w <<<"$VERS")" ] && pass "lua: libucorebtf in the loader (one bundle, prepared at load time) matched all $n releases"
