# The one CLI grammar (issue 11), for every command the help lists, so a
# new command is covered without editing this list of checks:
#   help, -h, --help at every level: usage on stdout, nothing on stderr, exit 0;
#   an unknown option: exactly one "Error:" line on stderr, exit 2;
#   -j: success output and error output are JSON (jq), errors {"error": ...};
#   every long option of the sources is in the help; prefixes match.
# A command found in the help without a success case below is a failure.
. "$TESTS_DIR/lib.sh"
unset DEBUGINFOD_URLS
U=$UCOREBTF
OBJ=$B/bpf/seed.bpf.o
APP=$B/examples/seed/app_v1
SRC=$TESTS_DIR/../src/cli

# --- commands, from the help ---
top=$($U help 2>/dev/null)
# "  ucorebtf OBJECT [COMMAND] ARGS...": COMMAND is a lower-case word.
mapfile -t cmds < <(sed -n 's/^  ucorebtf \([a-z_]*\)\( [a-z_][a-z_]*\)\?\( .*\)\?$/\1\2/p' <<<"$top")
objects=$(printf '%s\n' "${cmds[@]}" | awk 'NF == 2 { print $1 }' | sort -u)
[ ${#cmds[@]} -ge 15 ] && pass "cli table: ${#cmds[@]} commands in the help: $(printf '%s,' "${cmds[@]}")" ||
	failt "cli table: only ${#cmds[@]} commands found in the help: $top"

# An object's help lists exactly its commands (those the top level shows).
for o in $objects; do
	want=$(printf '%s\n' "${cmds[@]}" | awk -v o=$o '$1 == o { print $2 }' | sort)
	got=$($U $o help | sed -n "s/^\(Usage:\)\? *[^ ]* $o \([a-z_]*\)\( .*\)\?$/\2/p" | grep -vx help | sort -u)
	[ "$want" = "$got" ] && pass "cli table: '$o help' lists its commands: $(echo $got)" ||
		failt "cli table: '$o help' lists [$(echo $got)], the top help [$(echo $want)]"
done

# --- help x3 at every level ---
# help_ok WORDS...: usage on stdout (first line "Usage:"), stderr empty, exit 0.
bad=
help_ok() {
	local h out err rc
	for h in help -h --help; do
		out=$($U "$@" $h 2>err.txt); rc=$?
		err=$(cat err.txt)
		[ $rc = 0 ] && [ -z "$err" ] && [ "${out%%:*}" = Usage ] && continue
		bad="$bad [$* $h: rc=$rc stderr=$(head -c 100 <<<"$err") stdout=$(head -c 60 <<<"$out")]"
	done
}
help_ok
for o in $objects; do help_ok $o; done
for c in "${cmds[@]}"; do help_ok $c; done
# -h among a command's other arguments is help too (bpftool's way).
for c in "${cmds[@]}"; do
	out=$($U $c x -h 2>/dev/null) && [ "${out%%:*}" = Usage ] || bad="$bad [$c x -h]"
done
# -j help: still one JSON document.
for c in "" $objects "${cmds[@]}"; do
	$U -j $c help | jq -e '.help | startswith("Usage:")' >/dev/null || bad="$bad [-j $c help]"
done
[ -z "$bad" ] && pass "cli table: help, -h, --help at the top, ${objects//$'\n'/, } and all ${#cmds[@]} commands: usage on stdout, exit 0" ||
	failt "cli table: help:$bad"

# --- a bad option: one line, exit 2 (text), one {"error"} (-j) ---
bad=
for c in "" $objects "${cmds[@]}"; do
	for opt in --no-such-option -Z; do
		out=$($U $c $opt x 2>err.txt); rc=$?
		if [ $rc != 2 ] || [ -n "$out" ] || [ "$(wc -l < err.txt)" != 1 ] || ! grep -q "^Error: .*$opt" err.txt; then
			bad="$bad [$c $opt: rc=$rc $(head -c 200 err.txt)]"
		fi
		out=$($U -j $c $opt x 2>err.txt); rc=$?
		if [ $rc != 2 ] || [ -s err.txt ] || ! jq -se 'length == 1 and (.[0] | keys == ["error"])' <<<"$out" >/dev/null; then
			bad="$bad [-j $c $opt: rc=$rc $(head -c 200 <<<"$out")]"
		fi
	done
done
# An option that needs an argument, given none: said so, one line.
out=$($U gen btf $APP -o 2>&1 >/dev/null); rc=$?
[ $rc = 2 ] && [ "$out" = "Error: gen btf: option '-o' needs an argument" ] || bad="$bad [-o without argument: $rc $out]"
out=$($U report $OBJ --format 2>&1 >/dev/null); rc=$?
[ $rc = 2 ] && [ "$out" = "Error: report: option '--format' needs an argument" ] || bad="$bad [--format without argument: $rc $out]"
[ -z "$bad" ] && pass "cli table: an unknown option is one 'Error:' line and exit 2 for every command and object (-j: one {\"error\"})" ||
	failt "cli table: bad options:$bad"

# --- every long option the sources accept is in the help ---
missing=
for o in $(sed -n 's/^[[:space:]]*{ "\([a-z-]*\)", \(required\|no\|optional\)_argument.*/\1/p' $SRC/*.c | sort -u); do
	grep -q -- "--$o\b" <<<"$top" || missing="$missing --$o"
done
for o in json pretty debug version help; do grep -q -- "--$o\b" <<<"$top" || missing="$missing --$o"; done
[ -z "$missing" ] && pass "cli table: every long option of src/cli is in the top-level help" ||
	failt "cli table: options missing from the help:$missing"

# --- -j on success, for every command ---
$U gen btf $APP --version 1 -o fix-1.btf >/dev/null 2>&1 || failt "cli table: fixture"
printf 'struct pt_regs di\n' > needs.txt
# Success cases, in an order where each makes what the next ones need.
declare -A ok_case=(
	["gen btf"]="gen btf $APP --version 1 -o l1.btf"
	["gen min"]="gen min $OBJ l1.btf -o gm"
	["gen min_core_btf"]="gen min_core_btf /sys/kernel/btf/vmlinux kmin.btf $OBJ"
	["merge"]="merge l1.btf -o m.btf"
	["check"]="check $OBJ l1.btf"
	["report"]="report $OBJ l1.btf"
	["archive add"]="archive add A l1.btf --object seed"
	["archive needs"]="archive needs A seed needs.txt"
	["archive rule"]="archive rule A app_v1 rodata:app_v1"
	["archive dist"]="archive dist A"
	["archive list"]="archive list A"
	["archive show"]="archive show A app_v1"
	["archive verify"]="archive verify A"
	["archive merge"]="archive merge A2 A"
	["bundle create"]="bundle create A -o b.ucb"
	["bundle list"]="bundle list b.ucb"
	["bundle verify"]="bundle verify b.ucb"
	["bundle extract"]="bundle extract b.ucb -o X"
	["prepare"]="prepare --bundle b.ucb --obj $OBJ $APP -o p.btf"
	["version"]="version"
)
order=("gen btf" "gen min" "gen min_core_btf" merge check report "archive add" "archive needs" "archive rule" "archive dist"
       "archive list" "archive show" "archive verify" "archive merge" "bundle create" "bundle list"
       "bundle verify" "bundle extract" prepare version)
# The cases the issue names, beyond one per command.
extra=("report $OBJ l1.btf -f html -o r.html" "report $OBJ A -f md -o r.md" "bundle create A -o b.h --emit c --symbol probe_ucb"
       "check $OBJ A" "check $OBJ b.ucb" "gen min $OBJ b.ucb -o gm2")
mkdir A2
bad=
for c in "${cmds[@]}"; do
	[ -n "${ok_case[$c]:-}" ] || bad="$bad [no success case for '$c': add one to this test]"
done
for c in "${order[@]}" "${extra[@]}"; do
	args=${ok_case[$c]:-$c}
	out=$($U -j $args 2>err.txt); rc=$?
	if [ $rc != 0 ] || ! jq -se 'length >= 1 and all(.[]; (type == "object" and has("error")) | not)' <<<"$out" >/dev/null; then
		bad="$bad [-j $args: rc=$rc stdout=$(head -c 200 <<<"$out") stderr=$(head -c 200 err.txt)]"
	fi
done
[ -z "$bad" ] && pass "cli table: -j success output of all ${#order[@]} commands (and ${#extra[@]} more cases) is JSON" ||
	failt "cli table: -j success:$bad"

# --- -j on error, for every command ---
bad=
for c in "${cmds[@]}"; do
	out=$($U -j $c /nonexistent/in 2>err.txt); rc=$?
	if [ $rc = 0 ] || ! jq -se 'length >= 1 and all(.[]; keys == ["error"])' <<<"$out" >/dev/null; then
		bad="$bad [-j $c /nonexistent/in: rc=$rc stdout=$(head -c 200 <<<"$out") stderr=$(head -c 100 err.txt)]"
	fi
done
# -j report -f text without -o is a usage error (stdout holds JSON only).
out=$($U -j report $OBJ l1.btf -f text); rc=$?
[ $rc = 2 ] && jq -e '.error | test("-f text needs -o")' <<<"$out" >/dev/null || bad="$bad [-j report -f text: $rc $out]"
[ -z "$bad" ] && pass "cli table: -j error output of every command is {\"error\": ...} on stdout, exit non-zero" ||
	failt "cli table: -j errors:$bad"

# --- JSON shapes: numbers as numbers, lists as arrays ---
$U -j archive list A | jq -e '.[0].build_ids | type == "array" and length == 1' >/dev/null &&
$U -j archive show A app_v1 | jq -e '.[0].objects == ["seed"] and (.[0].size | type == "number")' >/dev/null &&
$U -j check $OBJ l1.btf | jq -e '[.relocations[].results[].value | type] | all(. == "number")' >/dev/null &&
$U -j archive verify A | jq -e '.entries == 1 and .errors == 0' >/dev/null &&
	pass "cli table: -j shapes: build_ids/objects arrays, values and counts numbers" ||
	failt "cli table: JSON shapes: $($U -j archive list A)"

# --- prefixes (bpftool's is_prefix) ---
[ "$($U bun l b.ucb)" = "$($U bundle list b.ucb)" ] && [ "$($U ar sh A app_v1)" = "$($U archive show A app_v1)" ] &&
	[ "$($U ver)" = "$($U version)" ] && pass "cli table: objects and commands match by prefix (bun l, ar sh, ver)" ||
	failt "cli table: prefixes: $($U bun l b.ucb 2>&1 | head -2)"
out=$($U gen m $OBJ 2>&1 >/dev/null); rc=$?
[ $rc = 2 ] && [ "$(wc -l <<<"$out")" = 1 ] && grep -q "^Error: gen: 'm' is ambiguous: min, min_core_btf" <<<"$out" &&
	pass "cli table: an ambiguous prefix is a usage error naming the candidates" || failt "cli table: ambiguous: $rc $out"
out=$($U frob 2>&1 >/dev/null); rc=$?
[ $rc = 2 ] && [ "$out" = "Error: unknown object 'frob' (see 'ucorebtf help')" ] &&
	pass "cli table: an unknown object is one line, exit 2" || failt "cli table: unknown object: $rc $out"
