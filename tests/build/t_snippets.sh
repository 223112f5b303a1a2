# Every C snippet of README.md, docs/runtime.md and docs/writing-probes.md
# compiles: tests/tools/snippets.py turns each ```c block into a file by
# fixed rules (BPF code after a BPF prelude, application fragments as the
# body of a function after an application prelude; see its header).  BPF
# snippets are compiled as the Makefile compiles bpf/ (clang -target bpf,
# vmlinux.h); application snippets are compiled and linked against
# libucorebtf.a and libbpf.  The quoted headers a snippet may include,
# "probe.ucb.h" and "probe_ucb.h", are what `ucorebtf bundle create --emit c`
# really writes of the seed archive (the second with --symbol probe_ucb), so
# the snippets use the names it defines.
. "$TESTS_DIR/lib.sh"
ROOT=$(cd "$TESTS_DIR/.." && pwd)
ARCH=$(uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

for h in "probe.ucb.h" "probe_ucb.h --symbol probe_ucb"; do
	# shellcheck disable=SC2086 # the header name, then its options
	"$UCOREBTF" bundle create "$B/examples/seed/archive" --emit c -o $h >/dev/null 2>bc.err ||
		{ failt "snippets: bundle create --emit c -o $h: $(cat bc.err)"; exit 0; }
done

# compile KIND FILE: 0 if it compiles (and, for an application, links).
compile() {
	case $1 in
	bpf) clang -g -O2 -target bpf -D__TARGET_ARCH_$ARCH -I"$B" -I"$B/libbpf" -Wall -Werror \
		-Wno-unused-function -c "$2" -o "${2%.c}.o" ;;
	user) gcc -std=gnu11 -Wall -Werror -Wno-unused -I"$ROOT/include" -I"$B/libbpf" -I. "$2" \
		"$B/libucorebtf.a" "$B/libbpf/libbpf.a" -lelf -lz -llzma -o "${2%.c}.out" ;;
	esac
}

mkdir -p s
cd "$ROOT" && list=$(python3 "$TESTS_DIR/tools/snippets.py" "$WORK/s" README.md docs/runtime.md \
	docs/writing-probes.md 2>"$WORK/py.err"); cd "$WORK"
[ -n "$list" ] || { failt "snippets: extraction: $(cat py.err)"; exit 0; }
for doc in README.md docs/runtime.md docs/writing-probes.md; do
	n=$(grep -c " $doc:" <<<"$list")
	[ "$n" -gt 0 ] || failt "snippets: no C snippet found in $doc"
done
while read -r kind file where; do
	if compile "$kind" "$file" 2>cc.err; then pass "snippets: $where ($kind) compiles"
	else failt "snippets: $where ($kind): $(grep -m3 -E 'error|undefined' cc.err | tr '\n' ' ')"; fi
done <<<"$list"

# The test fails on a broken snippet: the README's old one (a bundle symbol
# --emit c never defined) and a BPF one reading a member that is not there.
mkdir -p bad && cat > bad/bad.md <<'MD'
```c
#include "probe.ucb.h"
struct ucorebtf_bundle *b = ucorebtf_bundle__open_mem(probe_ucb, sizeof(probe_ucb), NULL);
```

```c
struct data { int a; } __attribute__((preserve_access_index));
SEC("uprobe") int BPF_UPROBE(f, struct data *d) { return BPF_CORE_READ_USER(d, c); }
```
MD
blist=$(python3 "$TESTS_DIR/tools/snippets.py" bad bad/bad.md)
nbad=0
while read -r kind file where; do compile "$kind" "$file" 2>/dev/null || nbad=$((nbad + 1)); done <<<"$blist"
[ "$(wc -l <<<"$blist")" = 2 ] && [ $nbad = 2 ] && pass "snippets: a snippet naming probe_ucb, or a missing member, fails" ||
	failt "snippets: broken snippets compiled ($nbad of $(wc -l <<<"$blist") failed)"
