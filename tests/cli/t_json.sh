# Every -j output is one valid JSON document, whatever bytes the user's
# paths hold: quotes, backslashes, control bytes, newlines, UTF-8 and bytes
# that are not UTF-8 (src/cli/json_writer.c).  Errors under -j are
# {"error": "..."} on stdout, as bpftool's.
. "$TESTS_DIR/lib.sh"
unset DEBUGINFOD_URLS
U=$UCOREBTF
OBJ=$B/bpf/seed.bpf.o
APP=$B/examples/seed/app_v1
export LC_ALL=C.UTF-8 PYTHONUTF8=1

# D: a directory name with every kind of byte a JSON string must escape;
# X: one with bytes that are not UTF-8 (written as \ufffd).
D=$'d"q\\b\x01\x1f\x7f\tn\nl\xc3\xa9'
X=$'x\xff\xfe\xc3'
mkdir "$D" "$X" || { failt "json: mkdir"; exit 0; }
L="$D/a\"b\\c-1.btf"

n=0 bad=
# js NAME CMD...: CMD's stdout parses as one JSON document.
js() {
	local name=$1 out
	shift
	n=$((n + 1))
	out=$("$@" 2>/dev/null)
	if ! python3 -m json.tool <<<"$out" >/dev/null 2>&1; then
		bad="$bad [$name: $(head -c 200 <<<"$out")]"
		return 1
	fi
	printf '%s\n' "$out" > "last.json"
}
# field KEY WANT: key of the last output (a python expression on d) is WANT.
field() {
	python3 -c 'import json, sys; d = json.load(open("last.json")); sys.exit(str(eval(sys.argv[1])) != sys.argv[2])' "$1" "$2" ||
		bad="$bad [field $1 != $(printf %q "$2")]"
}

js "gen btf" $U -j gen btf $APP --version 1 -o "$L" && field 'd["output"]' "$L"
js "gen btf -p" $U -p gen btf $APP --version 2 -o "$D/a\"b\\c-2.btf"
js "merge" $U -j merge "$L" -o "$D/m.btf" && field 'd["output"]' "$D/m.btf"
js "gen min" $U -j gen min $OBJ "$L" -o "$D/out" && field 'd["versions"][0]["input"]' "$L" &&
	field 'd["versions"][0]["output"]' "$D/out/app_v1-1.min.btf"
python3 -m json.tool "$D/out/gen-min.json" >/dev/null 2>&1 || bad="$bad [gen-min.json]"
cmp -s last.json "$D/out/gen-min.json" || bad="$bad [gen min -j stdout differs from gen-min.json]"
js "gen min -p" $U -p gen min $OBJ "$L" "$D/a\"b\\c-2.btf" -o "$D/out2" &&
	field 'd["versions"][1]["identical_to"][0]' 'app_v1-1'
js "check" $U -j check $OBJ "$L" && field 'd["targets"][0]' 'app_v1-1'
js "check -p" $U -p check $OBJ "$L" "$D/a\"b\\c-2.btf"
js "report" $U -j report $OBJ "$L" && field 'd["releases"][0]["path"]' "$L"
$U report $OBJ "$L" -f json -o "$D/r.json" && python3 -m json.tool "$D/r.json" >/dev/null 2>&1 ||
	bad="$bad [report -f json -o]"
js "archive add" $U -j archive add "$D/A" "$L" --object seed
js "archive list" $U -j archive list "$D/A" && field 'd[0]["library"]' app_v1
js "archive show" $U -p archive show "$D/A" app_v1
js "archive verify" $U -j archive verify "$D/A" && field 'd["errors"]' 0
js "bundle create" $U -j bundle create "$D/A" -o "$D/b.ucb" && field 'd["output"]' "$D/b.ucb"
js "bundle verify" $U -j bundle verify "$D/b.ucb" && field 'd["file"]' "$D/b.ucb"
js "bundle list" $U -j bundle list "$D/b.ucb"
# Commands that printed nothing under -j before issue 11.
js "bundle extract" $U -j bundle extract "$D/b.ucb" -o "$D/X" && field 'd["output"]' "$D/X"
printf 'struct pt_regs di\n' > "$D/n\"eeds"
js "archive needs" $U -j archive needs "$D/A" seed "$D/n\"eeds" && field 'd["object"]' seed
js "report -f html -o" $U -j report $OBJ "$L" -f html -o "$D/r.html" && field 'd["output"]' "$D/r.html"
js "archive list arrays" $U -j archive list "$D/A" && field 'd[0]["objects"]' "['seed']"
js "help" $U -j bundle create help
js "usage error, -j report -f text" $U -j report $OBJ "$L" -f text && field 'list(d)' "['error']"
js "bad option" $U -j gen btf --frobnicate && field 'list(d)' "['error']"
# prepare reads the targets from the describe text, one per line: no
# newline or tab in this one.
T=$'t"q\\b\x01\x7f\xc3\xa9'
mkdir "$T" && cp $APP "$T/app\"1"
js "prepare" $U -j prepare --bundle "$D/b.ucb" --obj $OBJ "$T/app\"1" -o "$D/p.btf" &&
	field 'd["targets"][0]["target"]' "$T/app\"1"
js "version" $U -j version && js "version -p" $U -p --version
# Not UTF-8: still valid JSON.
js "gen btf, not UTF-8" $U -j gen btf $APP --version 1 -o "$X/l-1.btf" &&
	field 'd["output"]' $'x\ufffd\ufffd\ufffd/l-1.btf'
js "gen min, not UTF-8" $U -j gen min $OBJ "$X/l-1.btf" -o "$X/o"
# Errors: one {"error": ...} naming the file, nothing else on stdout.
js "error" $U -j gen min $OBJ "$D/missing\"file.btf" -o "$D/o3" &&
	python3 -c 'import json, sys; d = json.load(open("last.json")); sys.exit(list(d) != ["error"] or sys.argv[1] not in d["error"])' "$D/missing\"file.btf" ||
	bad="$bad [error object]"
js "usage error" $U -p report $OBJ "$L" -f pdf
js "error, session" $U -j check $OBJ "$L" "$L"

if [ -z "$bad" ]; then
	pass "json: $n -j/-p outputs over paths with quotes, backslashes, control bytes, newlines and non-UTF-8 parse, values intact"
else
	failt "json:$bad"
fi

# The writer's strings: every byte below 0x20 and 0x7f escaped, UTF-8 kept.
out=$($U -j gen btf $APP --version 1 -o "$D/e.btf")
if grep -q '\\u0001\\u001f\\u007f\\u0009n\\nl' <<<"$out" && grep -q 'd\\"q\\\\b' <<<"$out" &&
   grep -q 'lé/e.btf' <<<"$out" && ! LC_ALL=C grep -q $'[\x01-\x1f\x7f]' <<<"$out"; then
	pass "json: control bytes as \\u00XX, newline as \\n, quote and backslash escaped, UTF-8 passed through"
else
	failt "json: escapes: $out"
fi
