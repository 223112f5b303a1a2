# OpenSSL 1.1.1, 3.0, 3.5 and 3.6, built from Debian source packages
# (scripts/openssl-build.sh, cached under /var/cache/ucorebtf/openssl/): one
# probe object (bpf/sslsniff.bpf.o) on each release's own s_server and
# s_client over 127.0.0.1, TLS 1.2 and 1.3, real uprobes, loaded through
# libucorebtf with one bundle made from the committed archive.  It must
# capture exactly the request and the response in both directions and read
# the TLS version, the socket fds each process really uses (/proc/PID/fd) and
# the server flag; the offsets its relocations resolve to must be those the
# release's own ssl_local.h and bio_local.h give (ssl-gt).  Without OpenSSL
# BTF, or with libssl's alone, the probe is refused; with the neighbouring
# release's BTF it loads and reads wrong values.
. "$TESTS_DIR/lib.sh"
ROOT=$TESTS_DIR/..
OBJ=$B/bpf/sslsniff.bpf.o
LOADER=$B/examples/sslsniff/loader
XCHG=$ROOT/examples/sslsniff/exchange.py
ossl() { UCOREBTF=$UCOREBTF bash "$ROOT/scripts/openssl-build.sh" "$@"; }

if [ ! -f "$OBJ" ] || [ ! -x "$LOADER" ]; then
	failt "ssl: $OBJ or $LOADER not built (run make)"
	exit 0
fi
t0=$(date +%s)
if ossl 2>build.err; then
	times=$(for v in $(ossl -l); do echo -n "$v $(cat "$(ossl -d $v)/build.time")s, "; done)
	pass "ssl: releases built or cached in $(($(date +%s) - t0)) s (cold build times: ${times%, })"
else
	failt "ssl: scripts/openssl-build.sh: $(tail -c 400 build.err)"
	exit 0
fi
VERS=$(ossl -l)
NV=$(wc -w <<<"$VERS")

# One bundle from the committed archive: what a tool ships.
if $UCOREBTF bundle create "$ROOT/archive" -o all.ucb 2>bundle.err; then
	pass "ssl: one bundle from archive/ ($(stat -c %s all.ucb) bytes; $(grep -c '^libssl	' "$ROOT/archive/index.tsv") libssl + $(grep -c '^libcrypto	' "$ROOT/archive/index.tsv") libcrypto entries)"
else
	failt "ssl: bundle create: $(head -c 300 bundle.err)"
fi

# prepare, given the openssl command, picks libssl and libcrypto by build-id
# (the builds are reproducible, so a fresh clone's builds are the archive's).
n=0
for v in $VERS; do
	d=$(ossl -d $v)
	$UCOREBTF -j prepare --bundle all.ucb --obj "$OBJ" --follow-needed "$d/openssl" -o "k-$v.btf" \
		>"prep-$v.json" 2>&1
	got=$(jq -r '[.targets[] | .library + " " + .version + " " + .how] | join(", ")' "prep-$v.json" 2>/dev/null)
	[ "$got" = "libssl $v build-id, libcrypto $v build-id" ] && n=$((n + 1)) ||
		failt "ssl $v: prepare --follow-needed openssl: $got $(head -c 300 "prep-$v.json")"
done
[ $n = "$NV" ] && pass "ssl: prepare of each release's openssl command picks its libssl and libcrypto by build-id ($n releases)"

# Ground truth: every relocation the probe has, resolved against the BTF
# libucorebtf prepared, vs offsetof/sizeof from the release's own headers.
# Field reads the probe makes: int 4 bytes, pointers 8.
declare -A PROBE_SIZE=([version]=4 [server]=4 [type]=4 [num]=4 [rbio]=8 [wbio]=8)
n=0
for v in $VERS; do
	d=$(ossl -d $v)
	if [ ! -x "$d/ssl-gt" ]; then
		failt "ssl $v: no ssl-gt (examples/sslsniff/ground_truth.c did not build)"
		continue
	fi
	"$d/ssl-gt" > "gt-$v.txt"
	$UCOREBTF -j check "$OBJ" "k-$v.btf" --no-kernel > "check-$v.json" 2>"check-$v.err"
	# "STRUCT.FIELD OFFSET" of each matched app byte_off, flavours dropped.
	jq -r '.relocations[] | select(.kind == "byte_off" and .results[0].matched and (.name | test(" pt_regs\\.") | not))
		| (.name | split(" ")[1] | sub("___[a-z0-9]+\\."; ".")) + " " + (.results[0].value | tostring)' "check-$v.json" |
		sort -u > "relo-$v.txt"
	# The 3.2 split: ssl_connection_st exists (an unmatched existence check is 0).
	split=$(jq -r '[.relocations[] | select(.kind == "type_exists")
		| if .results[0].matched then .results[0].value else "0" end] | unique | join(",")' "check-$v.json")
	gt_split=$(awk '$1 == "split" { print $2 }' "gt-$v.txt")
	awk 'NF == 3 { print $1, $2 }' "gt-$v.txt" | sort > "gtoff-$v.txt"
	bad=$(awk -v ps="$(for k in "${!PROBE_SIZE[@]}"; do echo -n "$k=${PROBE_SIZE[$k]} "; done)" '
		BEGIN { n = split(ps, a, " "); for (i = 1; i <= n; i++) { split(a[i], kv, "="); sz[kv[1]] = kv[2] } }
		NF == 3 { f = $1; sub(/.*\./, "", f); if (sz[f] != $3) print $1 " is " $3 " bytes, the probe reads " sz[f] }' "gt-$v.txt")
	if cmp -s "relo-$v.txt" "gtoff-$v.txt" && [ "$split" = "$gt_split" ] && [ -z "$bad" ]; then
		pass "ssl $v: relocations resolve to the offsets its ssl_local.h/bio_local.h give ($(tr '\n' ' ' < "gtoff-$v.txt")split $split)"
		n=$((n + 1))
	else
		failt "ssl $v: relocations '$(tr '\n' ' ' < "relo-$v.txt")' split '$split' vs ground truth '$(tr '\n' ' ' < "gtoff-$v.txt")' split '$gt_split' $bad $(head -c 200 "check-$v.err")"
	fi
done
[ $n = "$NV" ] && [ "$(cat gtoff-*.txt | sort -u | wc -l)" -gt "$(sort -u gtoff-$(head -n1 <<<"$VERS").txt | wc -l)" ] &&
	pass "ssl: offsets differ across releases and match each release's headers ($n releases)"

# check_events EVENTS EXCHANGE TLS GT: exactly the exchange's plaintext, per
# process and direction, with the right version, side and fds.
check_events() {
	python3 - "$@" <<'EOF'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
x = json.load(open(sys.argv[2]))
ver = {"1.2": 0x303, "1.3": 0x304}[sys.argv[3]]
split = int([l.split()[1] for l in open(sys.argv[4]) if l.startswith("split ")][0])
want = {(x["client"]["pid"], "write"): x["request"], (x["server"]["pid"], "read"): x["request"],
        (x["server"]["pid"], "write"): x["response"], (x["client"]["pid"], "read"): x["response"]}
got, errs = {}, []
for e in ev:
    k = (e["pid"], e["dir"])
    if k not in want:
        errs.append("unexpected event %s" % json.dumps(e)[:200])
        continue
    got[k] = got.get(k, "") + e["data"]
    side = "server" if e["pid"] == x["server"]["pid"] else "client"
    fds = x[side]["fds"]
    if e["version"] != ver:
        errs.append("%s %s: version %#x, want %#x" % (side, e["dir"], e["version"], ver))
    if e["server"] != (side == "server"):
        errs.append("%s %s: server flag %d" % (side, e["dir"], e["server"]))
    if not fds or e["rfd"] not in fds or e["wfd"] not in fds:
        errs.append("%s %s: rfd %d wfd %d, /proc/%d/fd sockets of the connection %s" %
                    (side, e["dir"], e["rfd"], e["wfd"], x[side]["pid"], fds))
    if e["split"] != split or e["type"] != (0 if split else -1):
        errs.append("%s %s: split %d type %d" % (side, e["dir"], e["split"], e["type"]))
for k, v in want.items():
    if got.get(k) != v:
        errs.append("pid %d %s: captured %r, want %r" % (k[0], k[1], got.get(k), v))
if errs:
    print("; ".join(errs)[:700])
    sys.exit(1)
print("4 calls, %d+%d bytes each way, version %#x, fds server %s client %s" %
      (len(x["request"]), len(x["response"]), ver, x["server"]["fds"], x["client"]["fds"]))
EOF
}

# run_sniff NAME LOADER-ARGS... -- OPENSSL TLS: the exchange under the loader.
run_sniff() {
	local name=$1 ossl_bin tls
	shift
	ossl_bin=${*: -2:1} tls=${*: -1}
	set -- "${@:1:$#-3}"	# the loader's arguments, before "--"
	rm -rf "x-$name"
	timeout 120 "$LOADER" -j "$@" python3 "$XCHG" "$ossl_bin" "$tls" "x-$name" >"ev-$name.json" 2>"ev-$name.err"
}

n=0
for v in $VERS; do
	d=$(ossl -d $v)
	for tls in 1.2 1.3; do
		if run_sniff "$v-$tls" -B all.ucb "$OBJ" "$d/openssl" -- "$d/openssl" $tls &&
		   out=$(check_events "ev-$v-$tls.json" "x-$v-$tls/exchange.json" $tls "gt-$v.txt"); then
			pass "ssl $v TLS $tls: s_server/s_client plaintext both ways, version, side, fds: $out"
			n=$((n + 1))
		else
			failt "ssl $v TLS $tls: ${out:-} $(tail -c 400 "ev-$v-$tls.err")"
		fi
	done
done
[ $n = $((2 * NV)) ] && pass "ssl: one sslsniff.bpf.o and one bundle right on all $NV releases, TLS 1.2 and 1.3"

# The loader said which entries it took, by build-id.
last=$(tail -n1 <<<"$VERS")
dl=$(ossl -d $last)
grep -q "^sslsniff: $dl/libssl.so.3: libssl $last (build-id)$" "ev-$last-1.3.err" &&
	grep -q "^sslsniff: $dl/libcrypto.so.3: libcrypto $last (build-id)$" "ev-$last-1.3.err" &&
	pass "ssl $last: the loader took libssl's and libcrypto's entries by build-id from the openssl command" ||
	failt "ssl $last: loader entries: $(grep '^sslsniff:' "ev-$last-1.3.err")"

# Refused without the OpenSSL types: no BTF at all, and libssl's alone
# (libcrypto only comes when the caller follows DT_NEEDED).
out=$("$LOADER" -j "$OBJ" "$dl/libssl.so.3" true 2>&1); rc=$?
[ $rc -ne 0 ] && grep -q "^Error: loading .*CO-RE relocation.*struct bio_st___x" <<<"$out" &&
	pass "ssl $last: without OpenSSL BTF the probe is refused: $(head -c 160 <<<"$out")" ||
	failt "ssl $last without BTF: rc=$rc $out"
out=$("$LOADER" -N -j -B all.ucb "$OBJ" "$dl/libssl.so.3" true 2>&1); rc=$?
[ $rc -ne 0 ] && grep -q "^sslsniff: .*libssl $last (build-id)" <<<"$out" &&
	grep -q "^Error: loading .*CO-RE relocation.*struct bio_st___x" <<<"$out" &&
	pass "ssl $last: libssl's entry alone (no DT_NEEDED): refused, bio_st is libcrypto's" ||
	failt "ssl $last libssl alone: rc=$rc $out"
out=$("$LOADER" -N -j -B all.ucb "$OBJ" "$dl/openssl" true 2>&1); rc=$?
[ $rc -ne 0 ] && grep -q "^Error: .*openssl: no bundle entry for this binary" <<<"$out" &&
	pass "ssl $last: the openssl command without DT_NEEDED: no entry, one line" ||
	failt "ssl $last openssl -N: rc=$rc $out"

# A neighbouring release's types: the probe loads and captures the
# plaintext (no CO-RE there) but reads the SSL object at the wrong offsets.
wrong() { # wrong V_TARGET V_BTF
	local d=$(ossl -d $1) out
	if run_sniff "$1-with-$2" -b "k-$2.btf" "$OBJ" "$d/libssl.so".* -- "$d/openssl" 1.3 &&
	   ! out=$(check_events "ev-$1-with-$2.json" "x-$1-with-$2/exchange.json" 1.3 "gt-$1.txt") &&
	   ! grep -q "captured" <<<"$out"; then
		pass "ssl $1 with $2's BTF: loads, plaintext right, SSL fields wrong: $(head -c 200 <<<"$out")"
	else
		failt "ssl $1 with $2's BTF: ${out:-no difference} $(tail -c 300 "ev-$1-with-$2.err")"
	fi
}
# The neighbours across 3.2's split: the last release without it, the first with it.
old=$(for v in $VERS; do grep -q '^split 0' "gt-$v.txt" 2>/dev/null && echo $v; done | tail -n1)
new=$(for v in $VERS; do grep -q '^split 1' "gt-$v.txt" 2>/dev/null && echo $v; done | head -n1)
if [ -n "$old" ] && [ -n "$new" ]; then
	wrong $new $old
	wrong $old $new
else
	failt "ssl: no release pair across the 3.2 split ('$old' '$new')"
fi

# The example as a user runs it: --help, and `make demo-ssl` for one given
# openssl command prints the exchange's plaintext lines and the matrix.
"$LOADER" --help >help.out 2>&1 && grep -q "^usage: .*loader \[-B BUNDLE | -b BTF\]" help.out &&
	grep -q "TARGET     the openssl command" help.out &&
	pass "ssl: loader --help" || failt "ssl: loader --help: $(head -c 200 help.out)"
make -s -C "$ROOT" OUTPUT="$B" demo-ssl OPENSSL="$dl/openssl" >demo.out 2>&1
if grep -q "^sslsniff: $dl/libssl.so.3: libssl $last (build-id)" demo.out &&
   grep -q "openssl *write *86 TLS1.3 client rfd [0-9]* wfd [0-9]*: GET /ucorebtf/sslsniff HTTP/1.0" demo.out &&
   grep -q "openssl *write *88 TLS1.3 server .*: HTTP/1.0 200 OK" demo.out &&
   grep -q "all $NV releases resolve every required relocation" demo.out; then
	pass "ssl: make demo-ssl OPENSSL=.../$last/openssl prints the plaintext lines and the matrix"
else
	failt "ssl: make demo-ssl: $(tail -c 400 demo.out)"
fi

echo "ssl: suite part t_ssl took $(($(date +%s) - t0)) s" >&2
