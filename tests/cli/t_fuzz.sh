# The libFuzzer harnesses (tests/fuzz/, docs/fuzzing.md) run for a short
# bounded time each, built with clang -fsanitize=fuzzer,address,undefined:
# any crash, leak, timeout (10 s per input) or OOM (2 GB) is a FAIL, with
# the stack and the reproducer; each PASS says how many inputs ran.  The
# reproducers of bugs found earlier (tests/fixtures/fuzz/*/crash-*) run
# first and must run clean.  `make fuzz FUZZ_TIME=600` runs them longer.
. "$TESTS_DIR/lib.sh"
ROOT=$TESTS_DIR/..
secs=${UCB_FUZZ_SECS:-20}
# Built once into $OUTPUT/fuzz and kept: later runs only relink what changed.
if ! make -s -C "$ROOT" OUTPUT="$OUTPUT" fuzz-build >fuzz-build.log 2>&1; then
	failt "fuzz: build the harnesses: $(tail -5 fuzz-build.log)"
	exit 0
fi
FUZZ_OUT=$OUTPUT/fuzz SEED_DIR=$OUTPUT/examples/seed bash "$ROOT/tests/fuzz/run.sh" "$secs"
exit 0
