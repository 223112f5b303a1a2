# The OpenSSL entries of archive/ (libssl + libcrypto per release, for
# bpf/sslsniff.bpf.o) and the OpenSSL compatibility matrix: what
# scripts/regen.sh openssl produces from the cached builds, the same bytes
# twice and the CI way (one part per release, merged); the matrix agrees
# with each release's own headers and renders in Chromium; prepare finds
# libssl and, only when asked to follow DT_NEEDED, libcrypto; the builds are
# reproducible (the archive's build-ids are a fresh clone's) and a release
# Debian no longer serves fails in one line.  No uprobes (tests/e2e/t_ssl.sh).
. "$TESTS_DIR/lib.sh"
ROOT=$TESTS_DIR/..
A=$ROOT/archive
OBJ=$B/bpf/sslsniff.bpf.o
ossl() { UCOREBTF=$UCOREBTF bash "$ROOT/scripts/openssl-build.sh" "$@"; }
regen() { OUTPUT=$B UCOREBTF=$UCOREBTF bash "$ROOT/scripts/regen.sh" openssl "$@"; }

if ! ossl 2>build.err; then
	failt "ssl archive: scripts/openssl-build.sh: $(tail -c 400 build.err)"
	exit 0
fi
VERS=$(ossl -l)
NV=$(wc -w <<<"$VERS")

# ssl_part ARCHIVE: the OpenSSL part of an archive as one comparable text.
ssl_part() {
	local a=$1 sha
	grep -P '^lib(ssl|crypto)\t' "$a/index.tsv"
	grep -P '^lib(ssl|crypto)\t' "$a/rules.tsv"
	(cd "$a" && find libssl libcrypto openssl-report.md openssl-report.html -type f | sort | xargs sha256sum)
	for sha in $(grep -P '^lib(ssl|crypto)\t' "$a/index.tsv" | cut -f4 | sort -u); do
		echo "$sha $(sha256sum < "$a/blobs/$sha.btf")"
	done
	sha256sum < "$a/needs/sslsniff.txt"
}

if regen -a full -b full.ucb 2>regen.err; then
	pass "ssl archive: scripts/regen.sh openssl ran"
else
	failt "ssl archive: scripts/regen.sh openssl: $(tail -c 400 regen.err)"
	exit 0
fi
ssl_part "$A" > committed.txt 2>&1
if ssl_part full > regen.txt 2>&1 && diff committed.txt regen.txt >diff.out; then
	pass "ssl archive: committed OpenSSL entries and matrix equal regeneration ($(grep -cP '^lib(ssl|crypto)\t' full/index.tsv) entries)"
else
	failt "ssl archive: archive/ differs from regeneration (run scripts/regen.sh openssl): $(head -c 400 diff.out)"
fi
[ "$(grep -cP '^libssl\t' "$A/index.tsv")" = "$NV" ] && [ "$(grep -cP '^libcrypto\t' "$A/index.tsv")" = "$NV" ] &&
	pass "ssl archive: one libssl and one libcrypto entry per listed release ($NV)" ||
	failt "ssl archive: entry counts != $NV"
lst=$($UCOREBTF bundle list full.ucb | awk '{ print $1 }' | sort -u | tr '\n' ' ')
[ "$lst" = "libcrypto libssl " ] && pass "ssl archive: the regenerated bundle holds the OpenSSL entries only" ||
	failt "ssl archive: bundle holds $lst"

regen -a full -b full2.ucb 2>/dev/null
ssl_part full > regen2.txt 2>&1
cmp -s regen.txt regen2.txt && cmp -s full.ucb full2.ucb &&
	pass "ssl archive: second regeneration changes nothing, bundle identical" ||
	failt "ssl archive: second regeneration differs"

parts=()
for v in $VERS; do
	regen -a part-$v "$v" 2>/dev/null || failt "ssl archive: regen.sh openssl $v alone"
	parts+=("part-$v")
done
first=$(head -n1 <<<"$VERS")
[ "$(grep -cP '^lib(ssl|crypto)\t' part-$first/index.tsv)" = 2 ] && [ ! -f part-$first/openssl-report.md ] &&
	pass "ssl archive: regen.sh openssl VERSION writes that release's two entries only" ||
	failt "ssl archive: regen.sh openssl $first alone"
if regen -a merged -b merged.ucb -m "${parts[@]}" 2>merge.err && ssl_part merged > merged.txt &&
   cmp -s regen.txt merged.txt && cmp -s full.ucb merged.ucb; then
	pass "ssl archive: per-release parts merged = full regeneration, same bundle"
else
	failt "ssl archive: merged parts differ: $(head -c 300 merge.err)"
fi

# The matrix: one column per release (libssl + libcrypto grouped), every
# field cell = offsetof/sizeof from the release's headers (ssl-gt).
(cd "$A" && $UCOREBTF report "$OBJ" libssl libcrypto --group-by-version -j) > r.json 2>r.err
[ "$(jq '.releases | length' r.json)" = "$NV" ] && [ "$(jq '.required_failures' r.json)" = 0 ] &&
	[ "$(jq -r '[.releases[].label] | join(" ")' r.json)" = "$(for v in $VERS; do echo -n "libcrypto-$v+libssl-$v "; done | sed 's/ $//')" ] &&
	pass "ssl report: $NV columns (libcrypto+libssl per version, in order), no required failure" ||
	failt "ssl report: releases $(jq -c '[.releases[] | .label, .required_failures]' r.json) $(head -c 200 r.err)"
ok=1 cells=0
for i in $(seq 0 $((NV - 1))); do
	v=$(jq -r ".releases[$i].version" r.json)
	d=$(ossl -d "$v")
	while read -r field off size; do
		[ "$field" = split ] && continue
		got=$(jq -r --arg f "$field" '[.rows[] | select((.path | sub("___[a-z0-9]+\\."; ".")) == $f)
			| .cells['"$i"'] | "\(.offset)/\(.size)"] | unique | join(",")' r.json)
		[ "$got" = "$off/$size" ] && cells=$((cells + 1)) ||
			{ ok=0; failt "ssl report: $v $field: matrix '$got', headers $off/$size"; }
	done < <("$d/ssl-gt")
	# What the headers lack is missing in the matrix (guarded, not required).
	miss=$(jq -r '[.rows[] | select(.cells['"$i"'].state == "missing") | .path | sub("___[a-z0-9]+"; "")]
		| unique | map(select(contains("."))) | join(" ")' r.json)
	for f in $miss; do
		"$d/ssl-gt" | grep -q "^$f " && { ok=0; failt "ssl report: $v: $f missing in the matrix, present in the headers"; }
	done
done
[ $ok = 1 ] && [ $cells -ge $((5 * NV)) ] &&
	pass "ssl report: all $cells field cells = each release's offsetof/sizeof; what a release lacks is missing there only"
nch=$(jq '[.rows[] | .cells[] | select(.changed)] | length' r.json)
[ "$nch" -ge 4 ] && pass "ssl report: $nch layout changes between adjacent releases marked" ||
	failt "ssl report: only $nch changes marked"
grep -q "all $NV releases resolve every required relocation" "$A/openssl-report.md" &&
	[ "$(grep -c '^| `ssl_' "$A/openssl-report.md")" = "$(jq '.rows | length' r.json)" ] &&
	pass "ssl report: archive/openssl-report.md, one line per row" || failt "ssl report: openssl-report.md"

# HTML: self-contained, and it renders.
H=$A/openssl-report.html
if grep -qE '(src|href)="(https?:)?//' "$H"; then failt "ssl report: HTML references external assets"
else pass "ssl report: HTML has no external assets"; fi
if command -v chromium >/dev/null; then
	cp "$H" r.html
	timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --user-data-dir="$WORK/chrome" \
		--dump-dom "file://$WORK/r.html" > dom.html 2>chrome.err
	cols=$(grep -o '<th class="release[^"]*"' dom.html | wc -l)
	rows=$(grep -o '<tr><td class="name"' dom.html | wc -l)
	[ "$cols" = "$NV" ] && [ "$rows" = "$(jq '.rows | length' r.json)" ] && grep -q "all $NV releases resolve" dom.html &&
		pass "ssl report: HTML renders in headless Chromium, $cols release columns, $rows rows" ||
		failt "ssl report: Chromium DOM: $cols columns, $rows rows; $(tail -c 300 chrome.err)"
else
	failt "ssl report: chromium not installed (scripts/deps.sh installs it)"
fi

# prepare: the openssl command is no library; libssl alone is libssl; with
# --follow-needed both DT_NEEDED libraries come, by build-id.
$UCOREBTF bundle create "$A" -o all.ucb
last=$(tail -n1 <<<"$VERS")
d=$(ossl -d "$last")
targets() { $UCOREBTF -j prepare --bundle all.ucb --obj "$OBJ" "$@" -o p.btf 2>/dev/null |
	jq -r '[.targets[] | (.target | sub(".*/"; "")) + " " + .library + " " + .version + " " + .how] | join(", ")'; }
expect_err "ssl prepare: the openssl command without --follow-needed: no entry" \
	"openssl: no bundle entry for this binary .*none of the bundle's libraries" \
	$UCOREBTF prepare --bundle all.ucb --obj "$OBJ" "$d/openssl" -o p.btf
[ "$(targets "$d/libssl.so.3")" = "libssl.so.3 libssl $last build-id" ] &&
	pass "ssl prepare: libssl alone: libssl's entry only" || failt "ssl prepare libssl: $(targets "$d/libssl.so.3")"
want="libssl.so.3 libssl $last build-id, libcrypto.so.3 libcrypto $last build-id"
[ "$(targets --follow-needed "$d/libssl.so.3")" = "$want" ] && [ "$(targets --follow-needed "$d/openssl")" = "$want" ] &&
	pass "ssl prepare --follow-needed: libssl or the openssl command -> libssl + libcrypto by build-id" ||
	failt "ssl prepare --follow-needed: $(targets --follow-needed "$d/openssl")"
# A copy whose build-id the bundle does not know: its DT_NEEDED libraries
# are not taken on a version rule the caller did not ask for.
mkdir -p nobid && cp "$d/openssl" nobid/ && objcopy --remove-section .note.gnu.build-id "$d/libssl.so.3" nobid/libssl.so.3 &&
	cp "$d/libcrypto.so.3" nobid/
[ "$(targets --follow-needed nobid/openssl)" = "libcrypto.so.3 libcrypto $last build-id" ] &&
	pass "ssl prepare --follow-needed: a libssl without build-id is not followed (libcrypto still is)" ||
	failt "ssl prepare nobid: $(targets --follow-needed nobid/openssl)"
[ "$(targets --follow-needed nobid/libssl.so.3)" = "libssl.so.3 libssl $last rule:needed:libcrypto.so.3, libcrypto.so.3 libcrypto $last build-id" ] &&
	pass "ssl prepare --follow-needed: libssl named by the caller, no build-id: by its rule (libcrypto's version)" ||
	failt "ssl prepare nobid libssl: $(targets --follow-needed nobid/libssl.so.3)"

# ucorebtf's encoder vs pahole on every libssl and libcrypto
# (scripts/btf-compare.sh): all struct members agree except where pahole
# 1.24 loses the type of a GCC 12 _Atomic member (CRYPTO_REF_COUNT,
# lhash_st's counters: "pahole-void", or "bits=?" when the member is no
# typedef) and its known flattening/duplication; ucorebtf keeps them.
libs=$(for v in $VERS; do d=$(ossl -d $v); echo "$d"/libssl.so.* "$d"/libcrypto.so.*; done)
(unset DEBUGINFOD_URLS; bash "$ROOT/scripts/btf-compare.sh" $libs) >cmp.out 2>&1
other=$(grep -E '^  (LAYOUT|ONLY|type|ucorebtf-skip)' cmp.out | grep -vE '^  LAYOUT +[^ ]+: off=([0-9]+) bits=[0-9]+ vs pahole off=\1 bits=\?$')
nlibs=$(grep -c ' structs, .* members: ' cmp.out)
lost=$(grep -cE '^  (pahole-void|LAYOUT) ' cmp.out)
[ "$nlibs" = $((2 * NV)) ] && [ -z "$other" ] && [ "$lost" -gt 0 ] &&
	pass "ssl encoder: agrees with pahole on every struct member of $nlibs libraries but $lost _Atomic members pahole loses" ||
	failt "ssl encoder vs pahole: $nlibs libraries; $(head -c 500 <<<"$other")"

# Reproducible builds: the smallest release built again in another
# directory (a second cache beside the first, kept: a warm run compares the
# two cached builds, a changed recipe or tarball builds both again) gives
# the same bytes, so the archive's build-ids are a fresh clone's.
R=$(dirname "$(dirname "$(ossl -d "$first")")")/openssl-repro
if UCOREBTF_OPENSSL_CACHE=$R ossl "$first" 2>rebuild.err &&
   cmp -s "$(ossl -d "$first")/libssl.so.1.1" "$(UCOREBTF_OPENSSL_CACHE=$R ossl -d "$first")/libssl.so.1.1" &&
   cmp -s "$(ossl -d "$first")/libcrypto.so.1.1" "$(UCOREBTF_OPENSSL_CACHE=$R ossl -d "$first")/libcrypto.so.1.1"; then
	pass "ssl build: $first built again in $R is byte-identical ($(cat "$(UCOREBTF_OPENSSL_CACHE=$R ossl -d "$first")/build.time") s cold)"
else
	failt "ssl build: $first rebuilt differs: $(tail -c 300 rebuild.err)"
fi

# A release Debian no longer serves: one line, naming it and what to do.
mkdir -p gone && cp -r "$ROOT/scripts" gone/ && ln -sfn "$B" gone/build
echo "openssl 1.1.1zz 0000000000000000000000000000000000000000000000000000000000000000 bullseye" >> gone/scripts/openssl-versions.txt
out=$(UCOREBTF=$UCOREBTF UCOREBTF_OPENSSL_CACHE=$WORK/gone-cache bash gone/scripts/openssl-build.sh 1.1.1zz 2>&1); rc=$?
[ $rc -ne 0 ] && [ "$(wc -l <<<"$out")" = 1 ] && grep -q "^Error: openssl 1.1.1zz (bullseye): not served any more (.*); update .*openssl-versions.txt" <<<"$out" &&
	pass "ssl build: a release no longer served fails in one line: $(head -c 160 <<<"$out")" ||
	failt "ssl build: unserved release: rc=$rc $out"

# The workflow's OpenSSL jobs: versions -> one matrix job per release ->
# merge, artifacts openssl-VERSION into parts/, the build cache keyed by the
# pins and the recipe; the versions job lists scripts/openssl-versions.txt.
WF=$ROOT/.github/workflows/regen.yml
PY=/usr/bin/python3
[ -x $PY ] || PY=python3
if $PY -c 'import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)' "$WF" > wf.json 2>wf.err; then
	shape=$(jq -c '[.jobs["openssl-release"].needs, .jobs["openssl-merge"].needs,
		.jobs["openssl-release"].strategy.matrix.version,
		[.jobs["openssl-release"].steps[] | select(.uses // "" | startswith("actions/upload-artifact")) | .with.name],
		[.jobs["openssl-merge"].steps[] | select(.uses // "" | startswith("actions/download-artifact")) | .with.pattern, .with.path],
		([.jobs["openssl-release"].steps[] | select(.uses // "" | startswith("actions/cache")) | .with.path] | tostring | contains("/var/cache/ucorebtf/openssl")),
		([.jobs["openssl-merge"].steps[] | .run // ""] | join(" ") | contains("regen.sh openssl -a merged -b sslsniff.ucb -m parts/openssl-*"))]' wf.json)
	want='["openssl-versions","openssl-release","${{ fromJSON(needs.openssl-versions.outputs.list) }}",["openssl-${{ matrix.version }}"],["openssl-*","parts"],true,true]'
	list=$(cd "$ROOT" && GITHUB_OUTPUT=$WORK/gh.out bash -e -c "$(jq -r '.jobs["openssl-versions"].steps[] | select(.run) | .run' "$WORK/wf.json")" >/dev/null 2>&1; sed -n 's/^list=//p' "$WORK/gh.out")
	[ "$shape" = "$want" ] && [ "$(jq -r '.[]' <<<"$list" 2>/dev/null)" = "$VERS" ] &&
		pass "ssl workflow: openssl-versions -> one job per release ($(jq length <<<"$list")) -> openssl-merge; cached builds" ||
		failt "ssl workflow: $shape list '$list'"
else
	failt "ssl workflow: regen.yml: $(tail -c 300 wf.err)"
fi
