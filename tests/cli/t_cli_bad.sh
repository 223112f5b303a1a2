# Every command against every kind of bad input (issue 2): a missing file,
# an empty file, truncated BTF, wrong magic, an ELF without .BTF, a
# directory, an unwritable output path.  Each run must exit 1, print exactly
# one "Error: " line naming the bad file, and leave nothing in out/.
. "$TESTS_DIR/lib.sh"
unset DEBUGINFOD_URLS
OBJ=$B/bpf/seed.bpf.o
APP=$B/examples/seed/app_v1
U=$UCOREBTF
$U gen btf $APP --version 1 -o lib-1.btf >/dev/null || { failt "cli bad: gen btf input"; exit 0; }
pahole --btf_encode_detached=raw.btf $APP || { failt "cli bad: pahole input"; exit 0; }
$U archive add A lib-1.btf --object seed && $U bundle create A -o good.ucb ||
	{ failt "cli bad: archive/bundle inputs"; exit 0; }
: > empty
head -c 40 raw.btf > trunc
printf 'XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX' > magic
cp $APP noelfbtf				# an ELF (with DWARF) but no .BTF
cp $APP stripped && strip stripped		# gen btf's "no .BTF": no DWARF either
mkdir adir out
BADS="missing empty trunc magic noelfbtf adir"

n=0
# run CMD...: exit 1, one Error line naming $bad, out/ still empty.
run() {
	local out rc
	out=$("$@" 2>&1 >/dev/null); rc=$?
	n=$((n + 1))
	if [ $rc = 1 ] && [ "$(grep -c '^Error: ' <<<"$out")" = 1 ] && grep -q "^Error: .*$bad" <<<"$out" &&
	   [ -z "$(ls -A out)" ]; then return 0; fi
	failt "cli bad: $bad: ${*#$U }: rc=$rc out/=[$(ls -A out)] $(head -c 300 <<<"$out")"
	rm -rf out/* out/.[!.]*
	return 1
}

# Each row: the command with @ where the bad input goes; after '|', the bad
# inputs that are not bad for that slot (an ELF with DWARF is gen btf's input).
rows=(
	"gen btf @ -o out/x.btf|noelfbtf"
	"merge @ -o out/x.btf|"
	"merge --base @ lib-1.btf -o out/x.btf|"
	"gen min $OBJ @ -o out/min|"
	"gen min @ lib-1.btf -o out/min|"
	"gen min $OBJ lib-1.btf -k @ -o out/min|"
	"check $OBJ @|"
	"check @ lib-1.btf|"
	"gen min_core_btf @ out/x.btf $OBJ|"
	"gen min_core_btf /sys/kernel/btf/vmlinux out/x.btf @|"
	"archive add out/A @|"
	"archive add out/A @ --lib x --version 1|"
	"archive list @|"
	"archive verify @|"
	"archive show @ app_v1|"
	"bundle create @ -o out/x.ucb|"
	"bundle list @|"
	"bundle verify @|"
	"bundle extract @ -o out/x|"
	"prepare --bundle @ $APP -o out/x.btf|"
	"prepare --bundle good.ucb @ -o out/x.btf|noelfbtf"
	"prepare --bundle good.ucb --obj @ $APP -o out/x.btf|"
	"report $OBJ @ -o out/r.txt|"
	"report @ lib-1.btf -o out/r.txt|trunc"
)
for row in "${rows[@]}"; do
	tmpl=${row%%|*} skipped=${row#*|} ok=1 tried=0
	for bad in $BADS; do
		[[ " $skipped " == *" $bad "* ]] && continue
		tried=$((tried + 1))
		run $U ${tmpl//@/$bad} || ok=0
	done
	[ $ok = 1 ] && pass "cli bad: ${tmpl//$B\//} rejects $tried bad inputs, names each, writes nothing"
done
# Bundles are inputs of check, report and gen min too (issue 11): a damaged
# one (truncated, a flipped byte) is named, nothing written.
head -c 200 good.ucb > cutb.ucb
cp good.ucb flipb.ucb && printf '\xff' | dd of=flipb.ucb bs=1 seek=100 conv=notrunc 2>/dev/null
ok=1
for bad in cutb.ucb flipb.ucb; do
	run $U check $OBJ $bad || ok=0
	run $U report $OBJ $bad -o out/r.txt || ok=0
	run $U gen min $OBJ $bad -o out/min || ok=0
done
[ $ok = 1 ] && pass "cli bad: a damaged bundle given to check, report and gen min is named, nothing written"
bad=stripped
run $U gen btf stripped -o out/x.btf && pass "cli bad: gen btf on an ELF without DWARF or .BTF"

# Unwritable output paths: a missing directory, a read-only /proc, a directory.
for bad in /nonexistent/o /proc/o adir; do
	ok=1
	run $U gen btf $APP -o $bad || ok=0
	run $U merge lib-1.btf -o $bad || ok=0
	run $U gen min_core_btf /sys/kernel/btf/vmlinux $bad $OBJ || ok=0
	run $U bundle create A -o $bad || ok=0
	run $U prepare --bundle good.ucb $APP -o $bad || ok=0
	run $U report $OBJ lib-1.btf -o $bad || ok=0
	[ $bad != adir ] && { run $U gen min $OBJ lib-1.btf -o $bad/sub || ok=0; }
	[ $bad != adir ] && { run $U bundle extract good.ucb -o $bad/sub || ok=0; }
	# archive add creates a missing archive directory (with parents): only /proc refuses
	[ $bad = /proc/o ] && { run $U archive add $bad/sub lib-1.btf || ok=0; }
	[ $ok = 1 ] && pass "cli bad: output path $bad refused by every writing command"
done
[ -z "$(ls -A adir)" ] && pass "cli bad: nothing written into a directory given as -o" || failt "cli bad: adir: $(ls -A adir)"
[ -z "$(ls | grep '\.tmp\.')" ] && pass "cli bad: no temp files left ($n runs)" || failt "cli bad: temp files: $(ls | grep '\.tmp\.')"
