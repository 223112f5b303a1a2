# The Lua entries of archive/ are what scripts/regen.sh produces: regenerate
# into a scratch archive from the cached Lua builds and compare with the
# committed one, whole and one release at a time merged as the CI merge job
# does; the bundle is deterministic; the merge step fails on a release that
# makes a required relocation fail.
. "$TESTS_DIR/lib.sh"
ROOT=$TESTS_DIR/..
CACHE=${UCOREBTF_LUA_CACHE:-$B/lua}
A=$ROOT/archive
regen() { OUTPUT=$B UCOREBTF=$UCOREBTF bash "$ROOT/scripts/regen.sh" -c "$CACHE" "$@"; }

# lua_part ARCHIVE: the regenerated part of an archive (Lua from source,
# and the distribution entries: Debian's Lua and glibc), one comparable
# text: index lines, version rules, entry files, blobs and needs by
# content, the reports, dist.tsv.
lua_part() {
	local a=$1 sha
	grep -P '^(lua|libc)\t' "$a/index.tsv"
	grep -P '^lua\t' "$a/rules.tsv"
	(cd "$a" && find lua libc lua-report.md libc-report.md dist.tsv -type f | sort | xargs sha256sum)
	for sha in $(grep -P '^(lua|libc)\t' "$a/index.tsv" | cut -f4 | sort -u); do
		echo "$sha $(sha256sum < "$a/blobs/$sha.btf")"
	done
	sha256sum < "$a/needs/lua.txt"
	sha256sum < "$a/needs/glibc_tls.txt"
}

if regen -a full -b full.ucb 2>regen.err; then
	pass "lua archive: scripts/regen.sh ran"
else
	failt "lua archive: scripts/regen.sh: $(tail -c 400 regen.err)"
	exit 0
fi
lua_part "$A" > committed.txt 2>&1
if lua_part full > regen.txt 2>&1 && diff committed.txt regen.txt >diff.out; then
	pass "lua archive: committed Lua entries equal regeneration ($(grep -cP '^lua\t' full/index.tsv) entries, $(ls full/blobs | wc -l) blobs)"
else
	failt "lua archive: archive/ differs from regeneration (run scripts/regen.sh): $(head -c 400 diff.out)"
fi
n=$(bash "$ROOT/scripts/lua-build.sh" -l | wc -l)
# Source builds have upstream versions; Debian's carry their Debian version (a '-').
[ "$(grep -cP '^lua\t[^\t-]*\t' "$A/index.tsv")" -eq "$n" ] &&
	pass "lua archive: one entry per listed release ($n)" || failt "lua archive: entry count != $n"
nd=$(awk '$1 == "lua" { print $6 }' "$ROOT/scripts/dist-versions.txt" | sort -u | wc -l)
[ "$(grep -cP '^lua\t[^\t]*-[^\t]*\t' "$A/index.tsv")" -eq "$nd" ] &&
	pass "lua archive: one entry per Debian Lua build ($nd)" || failt "lua archive: Debian entry count != $nd"
$UCOREBTF archive verify "$A" >/dev/null 2>verify.err && pass "lua archive: archive verify" ||
	failt "lua archive: verify: $(head -c 300 verify.err)"

# Twice in a row: same bytes, archive and bundle.
regen -a full -b full2.ucb 2>/dev/null
lua_part full > regen2.txt 2>&1
cmp -s regen.txt regen2.txt && cmp -s full.ucb full2.ucb &&
	pass "lua archive: second regeneration changes nothing, bundle identical" ||
	failt "lua archive: second regeneration differs"

# The CI way: one release per job, then the merge job adds the parts.
parts=()
for v in $(bash "$ROOT/scripts/lua-build.sh" -l); do
	regen -a part-$v "$v" 2>/dev/null || failt "lua archive: regen.sh $v alone"
	parts+=("part-$v")
done
[ "$(grep -cP '^lua\t' part-5.2.4/index.tsv)" = 1 ] && [ ! -f part-5.2.4/lua-report.md ] &&
	pass "lua archive: regen.sh VERSION writes just that release" || failt "lua archive: regen.sh 5.2.4 alone"
# And one job per Debian release for the distribution entries.
for rel in $(awk '!/^#/ && NF { print $5 }' "$ROOT/scripts/dist-versions.txt" | sort -u); do
	regen -a dpart-$rel -r "$rel" 2>dpart.err || failt "lua archive: regen.sh -r $rel: $(tail -c 300 dpart.err)"
	parts+=("dpart-$rel")
done
[ "$(grep -v '^#' dpart-sid/dist.tsv 2>/dev/null | cut -f5 | sort -u)" = sid ] && [ ! -f dpart-sid/libc-report.md ] &&
	pass "lua archive: regen.sh -r sid writes just sid's distribution entries" || failt "lua archive: regen.sh -r sid"
if regen -a merged -b merged.ucb -m "${parts[@]}" 2>merge.err && lua_part merged > merged.txt &&
   cmp -s regen.txt merged.txt && cmp -s full.ucb merged.ucb; then
	pass "lua archive: per-release parts merged = full regeneration, same bundle"
else
	failt "lua archive: merged parts differ: $(head -c 300 merge.err)"
fi

# Adding a release is one line: a checkout whose list lacks 5.4.4 regenerates
# one entry fewer; appending that line (at the end: order does not matter)
# and regenerating gives the committed archive and the same bundle.
mkdir -p oneline && cp -r "$ROOT/scripts" oneline/ && ln -sfn "$B" oneline/build &&
	ln -sfn "$ROOT/examples" oneline/examples
line=$(grep '^lua5.4 5.4.4 ' oneline/scripts/lua-versions.txt)
sed -i '/^lua5.4 5.4.4 /d' oneline/scripts/lua-versions.txt
ol_regen() { OUTPUT=$B UCOREBTF=$UCOREBTF bash oneline/scripts/regen.sh -c "$CACHE" -a ol -b ol.ucb 2>>ol.err; }
if [ -n "$line" ] && ol_regen && [ "$(grep -cP '^lua\t[^\t-]*\t' ol/index.tsv)" = $((n - 1)) ] &&
   ! grep -qP '^lua\t5.4.4\t' ol/index.tsv && echo "$line" >> oneline/scripts/lua-versions.txt &&
   ol_regen && lua_part ol > ol.txt && cmp -s regen.txt ol.txt && cmp -s full.ucb ol.ucb; then
	pass "lua archive: adding a release is one line in lua-versions.txt (5.4.4 out, then appended: committed archive, same bundle)"
else
	failt "lua archive: one-line add of 5.4.4: $(tail -c 300 ol.err)"
fi

# Every blob is tiny next to the library's full BTF.
v=5.4.9 sha=$(grep -P "^lua\t5.4.9\t" "$A/index.tsv" | cut -f4)
big=$(stat -c %s "$CACHE/$v/lua-$v.btf"); small=$(stat -c %s "$A/blobs/$sha.btf")
[ "$small" -lt $((big / 20)) ] && pass "lua archive: $v blob $small bytes vs full BTF $big bytes" ||
	failt "lua archive: $v blob $small bytes vs $big"

# The merge step fails when a release makes a required relocation fail.
$UCOREBTF gen btf "$B/examples/seed/app_v2" -o app_v2.btf --version 2 >/dev/null
cp -r full bad
$UCOREBTF archive add bad app_v2.btf --lib lua --version 9.9.9 >/dev/null
out=$(regen -a bad -b bad.ucb -m 2>&1); rc=$?
if [ $rc -ne 0 ] && grep -q "^Error: .*required relocation" <<<"$out" && [ ! -e bad.ucb ]; then
	pass "lua archive: merge step fails on a release without the probe's required types, no bundle"
else
	failt "lua archive: merge step on a bad release: rc=$rc $out"
fi
