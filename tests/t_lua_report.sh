# ucorebtf report on the Lua probe and the committed archive: the matrix
# agrees with what each release's own lstate.h says, flags required
# failures, and its HTML renders in headless Chromium.
. "$TESTS_DIR/lib.sh"
ROOT=$TESTS_DIR/..
OBJ=$B/bpf/lua.bpf.o
CACHE=${UCOREBTF_LUA_CACHE:-$B/lua}
N=$(bash "$ROOT/scripts/lua-build.sh" -l | wc -l)
# lua-gt of each release: the ground truth the matrix is checked against.
UCOREBTF=$UCOREBTF bash "$ROOT/scripts/lua-build.sh" -o "$CACHE" 2>/dev/null ||
	failt "report: scripts/lua-build.sh failed"

if $UCOREBTF report "$OBJ" "$ROOT/archive" -j > r.json 2>r.err && jq -e . r.json >/dev/null; then
	pass "report: JSON over archive/"
else
	failt "report: JSON: $(head -c 300 r.err)"
fi
[ "$(jq '.releases | length' r.json)" = "$N" ] && [ "$(jq '.required_failures' r.json)" = 0 ] &&
	pass "report: $N releases, no required failure" || failt "report: releases/required: $(jq -c '.releases' r.json)"
[ "$(jq -r '[.releases[].version] | join(" ")' r.json)" = "$(bash "$ROOT/scripts/lua-build.sh" -l | sort -V | tr '\n' ' ' | sed 's/ $//')" ] &&
	pass "report: columns in version order" || failt "report: column order $(jq -c '[.releases[].version]' r.json)"

# The sizes the report resolves are the ones the release's headers have.
ok=1
for i in $(seq 0 $((N - 1))); do
	v=$(jq -r ".releases[$i].version" r.json)
	want=$("$CACHE/$v/lua-gt" "$ROOT/examples/lua/probe.lua" 2>&1 >/dev/null | sed 's/.*"nccalls_size":\([0-9]*\).*/\1/')
	got=$(jq ".rows[] | select(.path == \"lua_State.nCcalls\") | .cells[$i].size" r.json)
	[ "$want" = "$got" ] || { ok=0; failt "report: $v nCcalls size $got, lstate.h says $want"; }
done
[ $ok = 1 ] && pass "report: lua_State.nCcalls size per release matches sizeof in lstate.h"

# Layout changes between adjacent releases are marked.
[ "$(jq -c '[.rows[] | select(.path == "lua_State.nCcalls") | .cells[].changed]' r.json)" = \
  '[false,true,true,false,true,true,false,false]' ] &&
	pass "report: nCcalls moves in 5.2.4, 5.3.3, 5.4.2, 5.4.4 and nowhere else" ||
	failt "report: nCcalls changes $(jq -c '[.rows[] | select(.path == "lua_State.nCcalls") | .cells[].changed]' r.json)"
[ "$(jq '[.rows[] | select(.guarded | not) | .cells[] | select(.state == "missing")] | length' r.json)" = 0 ] &&
	pass "report: every unguarded relocation resolves in every release" || failt "report: unguarded missing"

# A target without the Lua types: required relocations fail, --strict says so.
$UCOREBTF gen btf "$B/examples/seed/app_v1" -o app_v1.btf --version 1 >/dev/null
out=$($UCOREBTF report "$OBJ" "$ROOT/archive/lua/5.4.9" app_v1.btf --strict 2>&1 >text.out); rc=$?
if [ $rc = 1 ] && grep -q "^Error: app_v1.btf: .* required relocation" <<<"$out" &&
   grep -q '!' text.out && grep -q "app_v1-1: .* required relocations fail" text.out; then
	pass "report --strict: a release without lua_State fails, flagged in the table"
else
	failt "report --strict: rc=$rc $out"
fi
$UCOREBTF report "$OBJ" "$ROOT/archive" >plain.out && [ "$(head -1 plain.out | grep -o 'lua-5' | wc -l)" = "$N" ] &&
	grep -q "all $N releases resolve every required relocation" plain.out &&
	pass "report: text table" || failt "report: text: $(head -3 plain.out)"
$UCOREBTF report "$OBJ" "$ROOT/archive" -f md -o r.md && [ "$(grep -c '^| `lua_gc_entry' r.md)" = "$(jq '.rows | length' r.json)" ] &&
	pass "report: Markdown, one line per row" || failt "report: md"
expect_err "report: unknown format" "unknown format" $UCOREBTF report "$OBJ" "$ROOT/archive" -f pdf
expect_err "report: missing input" "nonexistent.btf" $UCOREBTF report "$OBJ" nonexistent.btf

# HTML: self-contained, and it renders.
$UCOREBTF report "$OBJ" "$ROOT/archive" -f html -o r.html
if grep -qE '(src|href)="(https?:)?//' r.html; then failt "report: HTML references external assets"
else pass "report: HTML has no external assets"; fi
if ! command -v chromium >/dev/null; then
	failt "report: chromium not installed (scripts/deps.sh installs it)"
	exit 0
fi
timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
	--disable-component-update --disable-sync --no-first-run --user-data-dir="$WORK/chrome" \
	--dump-dom "file://$WORK/r.html" > dom.html 2>chrome.err
cols=$(grep -o '<th class="release[^"]*"' dom.html | wc -l)
rows=$(grep -o '<tr><td class="name"' dom.html | wc -l)
if [ "$cols" = "$N" ] && [ "$rows" = "$(jq '.rows | length' r.json)" ] && grep -q "all $N releases resolve" dom.html; then
	pass "report: HTML renders in headless Chromium, $cols release columns, $rows rows"
else
	failt "report: Chromium DOM: $cols columns, $rows rows; $(tail -c 300 chrome.err)"
fi
