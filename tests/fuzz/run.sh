#!/usr/bin/env bash
# Run the libFuzzer harnesses: run.sh [--keep] SECONDS [HARNESS...]
#
# Each harness (default: all built ones) runs for SECONDS on a copy of its
# seed corpus tests/fixtures/fuzz/<harness>/ and prints one line:
#   PASS: fuzz <h>: N executions in S s, corpus A -> B inputs
#   FAIL: fuzz <h>: <crash, leak, timeout or OOM>, the stack, the reproducer
# PASS only when the harness ran with more than 0 executions.  Reproducers
# of bugs found (crash-*, leak-*, timeout-*, oom-* in the seed directory)
# are not seeds: each harness first runs once on them, and they must pass
#   PASS: fuzz <h>: reproducer <file> runs clean  Needs
# FUZZ_OUT (the harness binaries) and SEED_DIR (the seed example's build).
# Nothing is written into the tree: with --keep (make fuzz) the corpus
# grows in $FUZZ_OUT/corpus/<h> across runs, else in a temporary copy;
# reproducers are kept in $FUZZ_OUT/artifacts/.
set -u
keep=0
[ "${1:-}" = --keep ] && { keep=1; shift; }
secs=${1:?usage: run.sh [--keep] SECONDS [HARNESS...]}; shift
root=$(cd "$(dirname "$0")/../.." && pwd)
: "${FUZZ_OUT:?}" "${SEED_DIR:?}"
harnesses=("$@")
if [ ${#harnesses[@]} = 0 ]; then
	for f in "$root"/tests/fuzz/fuzz_*.c; do h=${f##*/fuzz_}; harnesses+=("${h%.c}"); done
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ucorebtf-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$FUZZ_OUT/artifacts"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
fails=0 total=0
# The first frames of the first report in a log, without libFuzzer's own.
stack() {
	awk '/^ +#[0-9]+ /{p = 1; print; next} p {exit}' "$1" | grep -vE ' in (fuzzer::|main |__libc_start|_start |__sanitizer::|__interceptor_|__asan)' | head -8 |
		sed -e 's/ (BuildId: [0-9a-f]*)//' -e 's/^ */      /'
}
for h in "${harnesses[@]}"; do
	bin=$FUZZ_OUT/fuzz_$h seeds=$root/tests/fixtures/fuzz/$h
	if [ ! -x "$bin" ] || [ ! -d "$seeds" ]; then
		echo "FAIL: fuzz $h: no harness $bin or no seeds $seeds"; fails=$((fails + 1)); continue
	fi
	corpus=$tmp/corpus-$h
	[ $keep = 1 ] && corpus=$FUZZ_OUT/corpus/$h
	mkdir -p "$corpus"
	repro=$(find "$seeds" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
		-o -name 'oom-*' \) | sort)
	for r in $repro; do
		if (cd "$tmp" && TMPDIR=$tmp "$bin" -timeout=10 -rss_limit_mb=2048 "$r" >"$tmp/repro.log" 2>&1); then
			echo "PASS: fuzz $h: reproducer ${r##*/} runs clean"
		else
			fails=$((fails + 1))
			echo "FAIL: fuzz $h: reproducer ${r#$root/} (known bug, not yet fixed): $(grep -m1 -E \
				'^==[0-9]+==ERROR|runtime error|^fuzz: |ERROR: libFuzzer' "$tmp/repro.log")"
			stack "$tmp/repro.log"
		fi
	done
	find "$seeds" -maxdepth 1 -type f ! -name 'crash-*' ! -name 'leak-*' ! -name 'timeout-*' ! -name 'oom-*' \
		-exec cp -n {} "$corpus/" \;
	# The bundle this build made for this build's seed app: its build-ids
	# are the target's (the committed seeds were made on another build).
	[ $h = bundle ] && [ -f "$SEED_DIR/seed.ucb" ] && cp "$SEED_DIR/seed.ucb" "$corpus/seed-this-build.ucb"
	before=$(find "$corpus" -type f | wc -l)
	log=$tmp/$h.log
	# Inputs the harnesses write go to $tmp, removed at exit.
	(cd "$tmp" && TMPDIR=$tmp "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$FUZZ_OUT/artifacts/$h-" "$corpus" >"$log" 2>&1)
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	execs=${execs:-0}
	after=$(find "$corpus" -type f | wc -l)
	total=$((total + execs))
	if [ $rc = 0 ] && [ "$execs" -gt 0 ]; then
		echo "PASS: fuzz $h: $execs executions in ${secs} s, corpus $before -> $after inputs"
		continue
	fi
	fails=$((fails + 1))
	why=$(grep -m1 -E '^==[0-9]+==ERROR|runtime error|^fuzz: |ERROR: libFuzzer' "$log")
	art=$(sed -n 's/.*Test unit written to //p' "$log" | tail -1)
	echo "FAIL: fuzz $h: exit $rc after $execs executions: ${why:-$(tail -3 "$log" | tr '\n' ' ')}"
	stack "$log"
	[ -n "$art" ] && echo "      reproducer: $art (run: $bin $art)"
	cp "$log" "$FUZZ_OUT/artifacts/$h.log" 2>/dev/null && echo "      log: $FUZZ_OUT/artifacts/$h.log"
done
echo "fuzz: ${#harnesses[@]} harnesses, $total executions, $fails failed"
[ $fails = 0 ]
