# gen btf fetches debug info by build-id from a real debuginfod server on
# 127.0.0.1, serving the .debug files of stripped binaries; with the server
# gone, one clear error line and no output.
. "$TESTS_DIR/lib.sh"
unset DEBUGINFOD_URLS
APP=$B/examples/seed/app_v2
LAYOUT=$B/tests/tools/btf_layout
command -v debuginfod >/dev/null || { failt "debuginfod not installed (scripts/deps.sh)"; exit 0; }

mkdir -p served
cp $APP app && objcopy --only-keep-debug app served/app.debug && strip app
gcc -g -shared -fPIC -I$TESTS_DIR/fixtures/encoder $TESTS_DIR/fixtures/encoder/lib.c -o libenc.so.1 &&
	objcopy --only-keep-debug libenc.so.1 served/libenc.debug && strip libenc.so.1
cp $B/examples/seed/app_v1 unserved && strip unserved
bid=$(readelf -n app | sed -n 's/.*Build ID: //p')

pid=
stop_server() { [ -n "$pid" ] && kill $pid 2>/dev/null && wait $pid 2>/dev/null; pid=; }
trap stop_server EXIT

metric() {	# metric PORT NAME: the value of one line of /metrics, or nothing
	local line
	exec 3<>/dev/tcp/127.0.0.1/$1 || return 1
	printf 'GET /metrics HTTP/1.0\r\n\r\n' >&3
	while IFS= read -r line <&3; do
		[[ "$line" == "$2 "* ]] && echo "${line##* }"
	done
	exec 3<&-
}

# A free port: nothing answers on it; debuginfod exits if another binds it first.
for try in 1 2 3 4 5; do
	port=$((20000 + RANDOM % 40000))
	(exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && continue
	debuginfod -F -t 0 -g 0 -d $WORK/db.sqlite -p $port $WORK/served > server.log 2>&1 &
	pid=$!
	for i in $(seq 100); do	# until both files are scanned (<= 20 s)
		kill -0 $pid 2>/dev/null || break
		[ "$(metric $port 'scanned_files_total{source="file"}' 2>/dev/null)" = 2 ] && break 2
		sleep 0.2
	done
	stop_server
done
if [ -z "$pid" ]; then failt "debuginfod did not start: $(tail -3 server.log)"; exit 0; fi
pass "debuginfod serves 2 .debug files on 127.0.0.1:$port"

export DEBUGINFOD_URLS=http://127.0.0.1:$port DEBUGINFOD_CACHE_PATH=$WORK/cache
out=$($UCOREBTF gen btf app -o fetched.btf 2>&1)
if grep -q "from $WORK/cache/$bid/debuginfo" <<<"$out" &&
	grep -q "build_id=$bid" <<<"$(readelf -p .ucorebtf.meta fetched.btf)"; then
	pass "gen btf on a stripped binary fetches its DWARF from debuginfod by build-id"
else failt "debuginfod fetch: $out"; fi
(unset DEBUGINFOD_URLS; $UCOREBTF gen btf $APP -o local.btf >/dev/null)
cmp -s <(readelf -x .BTF fetched.btf) <(readelf -x .BTF local.btf) &&
	pass "BTF from debuginfod equals BTF from the unstripped binary" || failt "fetched BTF differs"
out=$($UCOREBTF -j gen btf libenc.so.1 -o lib.btf 2>/dev/null)
grep -q '"encoder":"ucorebtf"' <<<"$out" && $LAYOUT lib.btf | grep -qx 'typedef atomic_int_t = int' &&
	pass "a stripped shared library too (debug file from debuginfod)" || failt "lib via debuginfod: $out"
$UCOREBTF gen btf --via pahole app -o pahole.btf >/dev/null 2>&1 &&
	pass "gen btf --via pahole uses the same lookup (debuginfod)" || failt "--via pahole with debuginfod"
out=$($UCOREBTF gen btf unserved -o u.btf 2>&1); rc=$?
[ $rc = 1 ] && [ "$(wc -l <<<"$out")" = 1 ] && grep -q "debuginfod (http://127.0.0.1:$port): build-id not found" <<<"$out" &&
	[ ! -e u.btf ] && pass "a build-id the server does not have: one line naming it, exit 1" || failt "unserved: rc=$rc $out"

stop_server
export DEBUGINFOD_CACHE_PATH=$WORK/cache2
out=$($UCOREBTF gen btf app -o gone.btf 2>&1); rc=$?
if [ $rc = 1 ] && [ "$(wc -l <<<"$out")" = 1 ] &&
	grep -q "^Error: app: no debug info: .*debuginfod (http://127.0.0.1:$port): Connection refused" <<<"$out" && [ ! -e gone.btf ]; then
	pass "server stopped: one clear error line, exit 1, no output"
else failt "server stopped: rc=$rc $out"; fi
out=$($UCOREBTF gen btf app -o late.btf --debug-file served/app.debug 2>&1) &&
	pass "--debug-file still used after debuginfod fails" || failt "--debug-file after debuginfod: $out"
