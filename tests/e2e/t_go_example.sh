# examples/go/: the seed story from Go on Debian's cilium/ebpf 0.9.1.  Built
# offline in GOPATH mode (make go-example); gen min of the Go probe over both
# seed releases, bundle, `ucorebtf prepare` per binary; the Go loader loads
# the probe with that BTF as KernelTypes, attaches a real uprobe on
# add_test and reads 1 + 3 = 4 through the results map on both releases.
# Controls: release 1's BTF on release 2 reads the wrong field, no BTF does
# not load, and the libbpf-style SEC("uprobe") object is refused by 0.9.1
# (why bpf/seed_go.bpf.c says SEC("uprobe/add_test"); docs/runtime.md).
. "$TESTS_DIR/lib.sh"
ROOT=$TESTS_DIR/..
M=(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$ROOT" --no-print-directory OUTPUT="$OUTPUT")

ver=$(dpkg-query -W -f='${Version}' golang-github-cilium-ebpf-dev 2>/dev/null)
[ -n "$ver" ] || { failt "go: golang-github-cilium-ebpf-dev not installed (scripts/deps.sh --test)"; exit 0; }
if ! "${M[@]}" go-example >go.log 2>&1; then
	failt "go: make go-example: $(tail -5 go.log)"; exit 0
fi
GO=$B/examples/go/seed-go OBJ=$B/bpf/seed_go.bpf.o SEED=$B/examples/seed
[ -x "$GO" ] && ! grep -q 'go: downloading' go.log &&
	pass "go: examples/go builds on Debian's cilium/ebpf $ver, GOPATH mode, nothing downloaded" ||
	failt "go: build: $(tail -3 go.log)"

"$UCOREBTF" gen min "$OBJ" "$SEED/seed-app-1.btf" "$SEED/seed-app-2.btf" -o archive --archive >gm.log 2>&1 &&
	"$UCOREBTF" bundle create archive -o go.ucb >/dev/null 2>&1 ||
	{ failt "go: gen min / bundle of the Go probe: $(cat gm.log)"; exit 0; }
for v in 1 2; do
	"$UCOREBTF" prepare --bundle go.ucb --obj "$OBJ" "$SEED/app_v$v" -o "v$v.btf" >/dev/null 2>p.err ||
		{ failt "go: prepare release $v: $(cat p.err)"; continue; }
	out=$("$GO" -j -btf "v$v.btf" "$OBJ" "$SEED/app_v$v" 2>&1)
	jq -e '.hits == 1 and .a == 1 and .c == 3 and .sum == 4' <<<"$out" >/dev/null 2>&1 &&
		pass "go: release $v: cilium/ebpf with prepare's BTF ($(stat -c %s "v$v.btf") bytes) reads 1 + 3 = 4 on a real uprobe" ||
		failt "go: release $v: $out"
done

# The BTF is what makes it right: release 1's on release 2 reads b for c.
out=$("$GO" -j -btf v1.btf "$OBJ" "$SEED/app_v2" 2>&1)
jq -e '.a == 1 and .c == 2 and .sum == 3' <<<"$out" >/dev/null 2>&1 &&
	pass "go: control: release 1's BTF on release 2 reads the wrong field (1 + 2 = 3)" || failt "go: wrong-BTF control: $out"
out=$("$GO" -j "$OBJ" "$SEED/app_v2" 2>&1); rc=$?
# (cilium/ebpf 0.9.1 cannot even read a kernel >= 6.0's BTF: ENUM64, kind 19.)
[ $rc = 1 ] && grep -q '^Error: .*load: .*CO-RE' <<<"$out" &&
	pass "go: control: without the prepared BTF (kernel BTF only) the probe does not load" ||
	failt "go: no-BTF control: rc=$rc $out"
out=$("$GO" -j -btf v2.btf "$B/bpf/seed.bpf.o" "$SEED/app_v2" 2>&1); rc=$?
[ $rc = 1 ] && grep -q 'section "uprobe" is not a uprobe to this cilium/ebpf' <<<"$out" &&
	pass "go: SEC(\"uprobe\") without a /: cilium/ebpf $ver refuses it, as docs/runtime.md says" ||
	failt "go: bare SEC(\"uprobe\"): rc=$rc $out"
