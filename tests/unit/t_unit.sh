# C table tests, no root: each tests/unit/*.c is a program of its own
# (built by make) printing PASS:/FAIL: lines.
#   unit_tests  core helpers (file names, atomic writes, BTF files)
#   parsers     index and needs lines, validators, entry order, version tokens
#   elf_ident   arch names, build-id notes, soname, a 32-bit x86 library, object names
#   sha256      FIPS 180-2 vectors
. "$TESTS_DIR/lib.sh"
for src in "$TESTS_DIR"/unit/*.c; do
	prog=$OUTPUT/tests/unit/$(basename "$src" .c)
	if [ ! -x "$prog" ]; then
		failt "unit: $prog not built (make)"
		continue
	fi
	out=$("$prog" 2>&1); rc=$?
	echo "$out"
	# A crash or an exit status without a FAIL line is a failure too.
	[ $rc = 0 ] || grep -q '^FAIL: ' <<<"$out" || failt "unit: $(basename "$prog") exited $rc"
	grep -q '^PASS: ' <<<"$out" || failt "unit: $(basename "$prog") printed no PASS line"
done
