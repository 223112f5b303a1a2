# Touching any header rebuilds exactly its users: for every header under
# src/, bpftool-ext/ and include/, the objects `make -n -W HEADER` would
# compile are exactly those whose source includes it, directly or through
# another header.  The expectation comes from the compiler (cc -MM with each
# object's own command line, as make -n prints it), not from make's .d files.
. "$TESTS_DIR/lib.sh"
ROOT=$(cd "$TESTS_DIR/.." && pwd)
# A make of its own (no -s or -j of `make test` leaking in), on this build.
M=(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$ROOT" --no-print-directory OUTPUT="$OUTPUT"
	${LIBBPF_SRC:+LIBBPF_SRC="$LIBBPF_SRC"})
cd "$ROOT" || exit 1
"${M[@]}" -q all || { failt "headers: the build is not up to date (run make first)"; exit 0; }

# compiled OUTPUT: "SOURCE OBJECT" of each object compile command (-c X -o Y.o).
compiled() { grep -oE -- ' -c [^ ]+\.c -o [^ ]+\.o' | awk '{ print $2, $4 }' | sort -u; }

srcs=$(ls src/*/*.c bpftool-ext/*.c)
W=(); for s in $srcs; do W+=(-W "$s"); done
cmds=$("${M[@]}" -n "${W[@]}" all 2>"$WORK/make.err") || { failt "headers: make -n: $(head -c 300 "$WORK/make.err")"; exit 0; }
cmds=$(grep -E -- ' -c [^ ]+\.c -o [^ ]+\.o' <<<"$cmds")
n_objs=$(compiled <<<"$cmds" | wc -l)
[ "$n_objs" = "$(wc -w <<<"$srcs")" ] && pass "headers: make -n prints one compile command per source ($n_objs)" ||
	failt "headers: $n_objs compile commands for $(wc -w <<<"$srcs") sources"

# Users of each header per cc -MM: lines "HEADER OBJECT" in $WORK/uses.
: > "$WORK/uses"
ok=1
while IFS= read -r cmd; do
	read -r src obj < <(compiled <<<"$cmd")
	mm=$(sed -E 's/ -MMD| -MP| -MF [^ ]+| -c [^ ]+\.c| -o [^ ]+\.o//g' <<<"$cmd")
	if ! deps=$(bash -c "$mm -MM $src" 2>"$WORK/mm.err"); then
		ok=0; failt "headers: cc -MM $src: $(head -c 300 "$WORK/mm.err")"; continue
	fi
	tr -d '\\' <<<"$deps" | tr ' ' '\n' | grep '\.h$' | xargs -r realpath -m --relative-to="$ROOT" |
		grep -E '^(src|bpftool-ext|include)/' | sed "s|\$| $obj|" >> "$WORK/uses"
done <<<"$cmds"

hdrs=$(ls src/*/*.h bpftool-ext/*.h include/*.h)
for h in $hdrs; do
	want=$(awk -v h="$h" '$1 == h { print $2 }' "$WORK/uses" | sort -u)
	got=$("${M[@]}" -n -W "$h" all 2>/dev/null | compiled | awk '{ print $2 }' | sort)
	if [ "$want" = "$got" ]; then
		[ -n "$want" ] || { ok=0; failt "headers: $h: no object includes it"; }
	else
		ok=0
		extra=$(comm -23 <(echo "$got") <(echo "$want") | sed "s|$OUTPUT/||" | tr '\n' ' ')
		miss=$(comm -13 <(echo "$got") <(echo "$want") | sed "s|$OUTPUT/||" | tr '\n' ' ')
		failt "headers: touching $h: make rebuilds ${extra:-nothing} that does not include it, misses ${miss:-nothing}"
	fi
done
[ $ok = 1 ] && pass "headers: touching each of $(wc -w <<<"$hdrs") headers rebuilds exactly the objects that include it"

# Nothing to do afterwards: -W pretends, it touches nothing.
"${M[@]}" -q all && pass "headers: the tree is still up to date" || failt "headers: make -q: out of date after the test"
