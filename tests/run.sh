#!/usr/bin/env bash
# Test runner: runs every tests/t_*.sh.  Each test script prints lines
#   PASS: name | FAIL: name: why | SKIP: name: reason
# and the runner ends with "N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/.."
export OUTPUT=${OUTPUT:-$PWD/build}
export UCOREBTF=$OUTPUT/ucorebtf
export TESTS_DIR=$PWD/tests
pass=0 fail=0 skip=0
filter=${1:-}
for t in tests/unit/t_*.sh tests/cli/t_*.sh tests/e2e/t_*.sh tests/build/t_*.sh; do
	[ -n "$filter" ] && [[ "$t" != *"$filter"* ]] && continue
	echo "== $t"
	work=$(mktemp -d /tmp/ucorebtf-test.XXXXXX)
	out=$(cd "$work" && WORK=$work bash "$OLDPWD/$t" 2>&1)
	rc=$?
	echo "$out" | sed 's/^/   /'
	p=$(grep -c '^PASS: ' <<<"$out"); f=$(grep -c '^FAIL: ' <<<"$out"); s=$(grep -c '^SKIP: ' <<<"$out")
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "   FAIL: $t exited $rc"
		f=1
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	rm -rf "$work"
done
echo
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
