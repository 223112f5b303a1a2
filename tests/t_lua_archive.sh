# archive/lua/ is what scripts/regen.sh produces: regenerate into a scratch
# archive from the cached Lua builds and compare with the committed one,
# whole and one release at a time (what each CI matrix job does).
. "$TESTS_DIR/lib.sh"
ROOT=$TESTS_DIR/..
CACHE=${UCOREBTF_LUA_CACHE:-$B/lua}

if OUTPUT=$B UCOREBTF=$UCOREBTF bash "$ROOT/scripts/regen.sh" -a full -c "$CACHE" 2>regen.err; then
	pass "lua archive: scripts/regen.sh ran"
else
	failt "lua archive: scripts/regen.sh: $(tail -c 400 regen.err)"
	exit 0
fi
if diff -r "$ROOT/archive/lua" full/lua >diff.out; then
	pass "lua archive: committed archive/lua equals regeneration ($(find full/lua -name '*.btf' | wc -l) blobs)"
else
	failt "lua archive: archive/lua differs from regeneration (run scripts/regen.sh): $(head -c 400 diff.out)"
fi
n=$(bash "$ROOT/scripts/lua-build.sh" -l | wc -l)
[ "$(find "$ROOT/archive/lua" -name 'lua-*.btf' | wc -l)" -eq "$n" ] &&
	pass "lua archive: one blob per listed release ($n)" || failt "lua archive: blob count != $n"

# Twice in a row: same bytes.
OUTPUT=$B UCOREBTF=$UCOREBTF bash "$ROOT/scripts/regen.sh" -a full -c "$CACHE" 2>/dev/null
diff -r "$ROOT/archive/lua" full/lua >/dev/null && pass "lua archive: second regeneration changes nothing" ||
	failt "lua archive: second regeneration differs"

# One release alone gives the same blob as all together.
v=$(bash "$ROOT/scripts/lua-build.sh" -l | sed -n 2p)
OUTPUT=$B UCOREBTF=$UCOREBTF bash "$ROOT/scripts/regen.sh" -a one -c "$CACHE" "$v" 2>/dev/null
if diff -r "$ROOT/archive/lua/$v" "one/lua/$v" >/dev/null && [ "$(ls one/lua)" = "$v" ]; then
	pass "lua archive: regen.sh $v alone writes just that release, identical"
else
	failt "lua archive: regen.sh $v alone: $(ls one/lua 2>&1)"
fi

# Every blob is tiny next to the library's full BTF.
big=$(stat -c %s "$CACHE/$v/lua-$v.btf"); small=$(stat -c %s "$ROOT/archive/lua/$v"/*/lua-$v.btf)
[ "$small" -lt $((big / 20)) ] && pass "lua archive: $v blob $small bytes vs full BTF $big bytes" ||
	failt "lua archive: $v blob $small bytes vs $big"

# The CI merge step fails when a release makes a required relocation fail.
cp -r full bad
$UCOREBTF gen btf "$B/examples/seed/app_v2" -o app_v2.btf --version 2 >/dev/null
mkdir -p bad/lua/9.9.9/x86_64 && cp app_v2.btf bad/lua/9.9.9/x86_64/lua-9.9.9.btf
out=$(OUTPUT=$B UCOREBTF=$UCOREBTF bash "$ROOT/scripts/regen.sh" -a bad -m 2>&1); rc=$?
if [ $rc -ne 0 ] && grep -q "^Error: .*required relocation" <<<"$out"; then
	pass "lua archive: merge step fails on a release without the probe's required types"
else
	failt "lua archive: merge step on a bad release: rc=$rc $out"
fi
OUTPUT=$B UCOREBTF=$UCOREBTF bash "$ROOT/scripts/regen.sh" -a full -m 2>/dev/null &&
	cmp -s full/lua/report.md "$ROOT/archive/lua/report.md" &&
	pass "lua archive: merge step alone rewrites the same report.md" || failt "lua archive: merge step report.md"
