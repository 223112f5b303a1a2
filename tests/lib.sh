# Helpers for test scripts: source it.  $UCOREBTF, $OUTPUT, $WORK are set by run.sh.
pass() { echo "PASS: $*"; }
failt() { echo "FAIL: $*"; }
skip() { echo "SKIP: $*"; }
# check NAME CMD...: PASS if CMD succeeds.
check() { local n=$1; shift; if "$@"; then pass "$n"; else failt "$n"; fi; }
# expect_err NAME PATTERN CMD...: CMD exits non-zero with one "Error: " line matching PATTERN.
expect_err() {
	local n=$1 pat=$2; shift 2
	local out rc
	out=$("$@" 2>&1 >/dev/null); rc=$?
	if [ $rc -ne 0 ] && grep -q "^Error: .*$pat" <<<"$out"; then pass "$n"
	else failt "$n: rc=$rc stderr=$(head -c 300 <<<"$out")"; fi
}
B=$OUTPUT
