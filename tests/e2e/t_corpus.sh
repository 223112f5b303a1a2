# corpus: three releases of a small "library" (tests/fixtures/corpus/lib_v*.c) whose
# structs move, resize, change signedness and bitfield widths, gain and lose
# fields, types and enum values; one uprobe (bpf/corpus.bpf.c) that uses
# every CO-RE relocation kind on them.  Per release: gen min (verify on),
# blob content, check decisions blob vs full, and real uprobes on
# kernel + blob: what the probe reads must be what main() put there.
. "$TESTS_DIR/lib.sh"
OBJ0=$B/bpf/corpus.bpf.o
LOADER=$B/tests/tools/corpus_loader
SRC=$TESTS_DIR/fixtures/corpus
TOOLS=$TESTS_DIR/tools
VERS="1 2 3"

if [ ! -f "$OBJ0" ] || [ ! -x "$LOADER" ]; then
	failt "corpus: $OBJ0 or $LOADER not built (run make)"
	exit 0
fi

# clang < 15 cannot emit TYPE_MATCHES; the object then carries TYPE_EXISTS
# (8) on corpus_point/corpus_mode, rewritten here to TYPE_MATCHES (12).
OBJ=$WORK/corpus.bpf.o
n=$(python3 "$TOOLS/corpus_relo_kind.py" "$OBJ0" "$OBJ" 8 12 corpus_point corpus_mode)
case "$n" in
0|2) pass "corpus: object ready ($n TYPE_EXISTS relocations rewritten to TYPE_MATCHES)" ;;
*) failt "corpus: rewriting TYPE_MATCHES relocations: '$n'"; cp "$OBJ0" "$OBJ" ;;
esac

# Each release: the app (ground truth as JSON on stdout), its full BTF.
mkdir -p full min
for v in $VERS; do
	mkdir -p v$v
	if ! gcc -g -O0 -o v$v/libcorpus "$SRC/lib_v$v.c" 2>gcc$v.err; then
		failt "corpus v$v: build: $(head -c 300 gcc$v.err)"
		continue
	fi
	if v$v/libcorpus > truth$v.json && jq -e . truth$v.json >/dev/null; then
		pass "corpus v$v: app runs and prints its ground truth"
	else
		failt "corpus v$v: app ground truth"
	fi
	if $UCOREBTF gen btf v$v/libcorpus --name libcorpus --version $v.0 -o full/libcorpus-$v.0.btf >/dev/null 2>genbtf$v.err; then
		pass "corpus v$v: gen btf"
	else
		failt "corpus v$v: gen btf: $(head -c 300 genbtf$v.err)"
		pahole --btf_encode_detached=full/libcorpus-$v.0.btf v$v/libcorpus
	fi
done

# gen min over all releases at once, verify (min-vs-full equivalence under
# libbpf's engine) on by default.
if $UCOREBTF gen min "$OBJ" full/libcorpus-*.btf -o min >genmin.out 2>genmin.err; then
	pass "corpus: gen min with verify over 3 releases"
else
	failt "corpus: gen min (rc $?): $(head -c 400 genmin.err)"
fi

# Decisions of `check -j` for one target, normalised to what must be equal
# between the blob and the full BTF (target type ids are renumbered).
decisions() { $UCOREBTF check -j "$OBJ" "$1" 2>/dev/null | tee "$2" | python3 "$TOOLS/corpus_decisions.py"; }

for v in $VERS; do
	blob=min/libcorpus-$v.0.min.btf full=full/libcorpus-$v.0.btf
	if [ ! -s $blob ]; then
		failt "corpus v$v: no blob $blob (gen min wrote: $(ls min | tr '\n' ' '))"
		continue
	fi
	pass "corpus v$v: blob written"
	bpftool btf dump file $blob > blob$v.txt 2>&1 || failt "corpus v$v: blob does not parse: $(head -c 200 blob$v.txt)"
	bpftool btf dump file $full > full$v.txt 2>&1
	bs=$(grep -c '^\[' blob$v.txt) fs=$(grep -c '^\[' full$v.txt)
	bb=$(stat -c %s $blob) fb=$(stat -c %s $full)
	[ "$bs" -gt 0 ] && [ $((bs * 3)) -le "$fs" ] && [ $((bb * 2)) -le "$fb" ] &&
		pass "corpus v$v: blob much smaller than full BTF ($bs/$fs types, $bb/$fb bytes)" ||
		failt "corpus v$v: blob not much smaller: $bs/$fs types, $bb/$fb bytes"
	k=$(grep -E -c "'(pt_regs|task_struct|list_head)'" blob$v.txt)
	[ "$k" = 0 ] && pass "corpus v$v: blob holds no kernel types" || failt "corpus v$v: $k kernel types in blob"
	grep -q "libcorpus-$v.0.min.btf: .*verified" genmin.out && pass "corpus v$v: gen min reports the blob verified" ||
		failt "corpus v$v: gen min did not report verify: $(grep "libcorpus-$v.0" genmin.out | head -c 200)"
	grep -q "STRUCT 'corpus_state'" blob$v.txt && pass "corpus v$v: blob holds corpus_state" ||
		failt "corpus v$v: corpus_state missing from blob"
	u=$(grep -E -c "corpus_unrelated|corpus_cfg_global|_IO_FILE|'(stat|sigaction|tm|main)'" blob$v.txt)
	[ "$u" = 0 ] && pass "corpus v$v: blob has no unrelated library types" || failt "corpus v$v: $u unrelated types in blob"
	grep -q "opaque_secret\|opaque_name" blob$v.txt && failt "corpus v$v: pointer followed: corpus_opaque members in blob" ||
		pass "corpus v$v: pointer not followed (no corpus_opaque members)"
	want=1; [ $v = 3 ] && want=0
	grep -q "'legacy'" blob$v.txt && got=1 || got=0
	[ $got = $want ] && pass "corpus v$v: blob has 'legacy' iff the release does" ||
		failt "corpus v$v: 'legacy' in blob: $got, want $want"

	# check: the decisions against the blob equal those against the full BTF.
	decisions $blob check_min$v.json > dec_min$v.txt; rb=$?
	decisions $full check_full$v.json > dec_full$v.txt; rf=$?
	if [ $rb = 0 ] && [ $rf = 0 ] && [ -s dec_full$v.txt ] && cmp -s dec_min$v.txt dec_full$v.txt; then
		pass "corpus v$v: check decisions blob == full ($(wc -l < dec_full$v.txt) relocations)"
	else
		failt "corpus v$v: check decisions differ: $(diff dec_min$v.txt dec_full$v.txt | head -5 | tr '\n' ' ')"
	fi
done

# Every relocation kind occurs in the corpus, with both outcomes where it has two.
kinds=$(cat dec_full*.txt 2>/dev/null | cut -f2 | sort -u | tr '\n' ' ')
want="byte_off byte_sz enumval_exists enumval_value field_exists lshift_u64 rshift_u64 signed target_type_id local_type_id type_exists type_matches type_size"
miss=
for k in $want; do grep -qw "$k" <<<"$kinds" || miss="$miss $k"; done
[ -z "$miss" ] && pass "corpus: every CO-RE relocation kind is exercised" || failt "corpus: kinds not seen in check output:$miss (seen: $kinds)"

# The releases really differ: every pair of releases gets different decisions.
for p in "1 2" "2 3" "1 3"; do
	set -- $p
	nd=$(diff dec_full$1.txt dec_full$2.txt 2>/dev/null | grep -c '^<')
	[ -s dec_full$1.txt ] && [ "$nd" -gt 10 ] && pass "corpus: releases $1 and $2 differ in $nd decisions" ||
		failt "corpus: releases $1 and $2 differ in only $nd decisions"
done
# Guard-style kinds see both outcomes across the releases (a failed match in
# one release, a match in another), and failed field matches poison.
outcomes=$(cat check_full*.json 2>/dev/null | jq -r '.relocations[] | "\(.kind)=\(.results[0].value)"' 2>/dev/null | sort -u)
miss=
for k in field_exists type_exists type_matches enumval_exists; do
	for o in 0 1; do grep -qx "$k=$o" <<<"$outcomes" || miss="$miss $k=$o"; done
done
grep -qx "byte_off=poison" <<<"$outcomes" || miss="$miss byte_off=poison"
grep -qx "enumval_value=poison" <<<"$outcomes" || miss="$miss enumval_value=poison"
[ -z "$miss" ] && pass "corpus: exists/matches kinds see both outcomes, failed matches poison" ||
	failt "corpus: outcomes not seen:$miss"

# Real uprobes: kernel + blob as btf_custom_path.  Each case compares the
# probe's reads with the app's ground truth.
cases=(
	"field byte offset:version off_version off_big off_hi off_val"
	"byte size, typedef chain:count sz_count tsz_count_t sz_big"
	"field signed, sized signed reads:big temp signed_temp sz_temp"
	"bitfields in the struct (lshift/rshift/signed):flag_a prio delta"
	"bitfields via BPF_CORE_READ_BITFIELD behind a pointer:bits_ready bits_level bits_kind"
	"anonymous struct/union members, union:as_int lo hi val_i"
	"nested access through arrays:d2 off_d2 sz_d2 key1 grid12 off_grid12"
	"field exists in a nested array element:has_tag tag2"
	"typedef of an anonymous struct as root type:cfg_limit off_cfg_limit tsz_cfg_t"
	"pointer read, not followed:opaque"
	"enum value / enum value exists:mode enum_on has_turbo enum_turbo"
	"field absent in a release (exists guard):has_legacy legacy"
	"flavours:state_flavour state"
	"type exists / type size:has_extra tsz_extra tsz_state has_val_union"
	"type matches:pt_matches mode_matches"
	"probe fired once:hits"
)
cmp_case() {	# cmp_case V OBSERVED.json NAME:KEYS
	local v=$1 obs=$2 name=${3%%:*} keys=${3#*:} k bad=
	for k in $keys; do
		e=$(jq -c ".$k" truth$v.json) o=$(jq -c ".$k" $obs)
		[ "$e" = "$o" ] && [ "$e" != null ] || bad="$bad $k=$o(want $e)"
	done
	[ -z "$bad" ] && pass "corpus v$v uprobe: $name" || failt "corpus v$v uprobe: $name:$bad"
}
tid_of() { bpftool btf dump file "$1" | sed -n "s/^\[\([0-9]*\)\] STRUCT 'corpus_state' .*/\1/p"; }
lid=$(tid_of "$OBJ")
for v in $VERS; do
	# Reference run on kernel + full library BTF: independent of gen min.
	if $UCOREBTF merge full/libcorpus-$v.0.btf -o F$v.btf >mergef$v.err 2>&1 &&
		$LOADER -b F$v.btf "$OBJ" v$v/libcorpus > obsf$v.json 2>loadf$v.err; then
		bad=
		for c in "${cases[@]}"; do
			for k in ${c#*:}; do
				[ "$(jq -c ".$k" truth$v.json)" = "$(jq -c ".$k" obsf$v.json)" ] || bad="$bad $k"
			done
		done
		[ -z "$bad" ] && pass "corpus v$v uprobe on kernel + full BTF: all reads equal ground truth" ||
			failt "corpus v$v uprobe on kernel + full BTF: wrong:$bad"
	else
		failt "corpus v$v uprobe on kernel + full BTF: $(cat mergef$v.err loadf$v.err | head -c 400)"
	fi

	blob=min/libcorpus-$v.0.min.btf
	[ -s $blob ] || { failt "corpus v$v uprobe on kernel + blob: no blob"; continue; }
	if ! $UCOREBTF merge $blob -o M$v.btf >merge$v.err 2>&1; then
		failt "corpus v$v: merge kernel + blob: $(head -c 300 merge$v.err)"
		continue
	fi
	if ! $LOADER -b M$v.btf "$OBJ" v$v/libcorpus > obs$v.json 2>load$v.err; then
		failt "corpus v$v uprobe: loader on kernel + blob: $(head -c 400 load$v.err)"
		continue
	fi
	for c in "${cases[@]}"; do cmp_case $v obs$v.json "$c"; done
	# Type ids: local = the object's own id, target = the id in the BTF given to libbpf.
	tid=$(tid_of M$v.btf)
	[ -n "$lid" ] && [ "$(jq .tid_local obs$v.json)" = "$lid" ] && [ "$(jq .tid_target obs$v.json)" = "$tid" ] &&
		pass "corpus v$v uprobe: type id local/target ($lid/$tid)" ||
		failt "corpus v$v uprobe: type ids $(jq -c '[.tid_local,.tid_target]' obs$v.json), want [$lid,$tid]"
	[ -s obsf$v.json ] && [ "$(jq -cS 'del(.tid_target,.binary)' obs$v.json)" = "$(jq -cS 'del(.tid_target,.binary)' obsf$v.json)" ] &&
		pass "corpus v$v uprobe: blob and full BTF read the same values" ||
		failt "corpus v$v uprobe: blob vs full reads differ"
done

# The same releases as shared libraries (what real libraries are): gen btf
# of the .so, gen min over the three, then the uprobe on corpus_probe in the
# .so, loaded by an app that knows nothing of its types.
mkdir -p fullso minso
for v in $VERS; do
	mkdir -p so$v
	if ! gcc -g -O0 -shared -fPIC -Dmain=corpus_main -Wl,-soname,libcorpus.so.$v -o so$v/libcorpus.so.$v "$SRC/lib_v$v.c" 2>gccso$v.err ||
		! gcc -g -O0 -o so$v/app "$SRC/driver.c" so$v/libcorpus.so.$v -Wl,-rpath,$WORK/so$v 2>>gccso$v.err; then
		failt "corpus so v$v: build: $(head -c 300 gccso$v.err)"
		continue
	fi
	$UCOREBTF gen btf so$v/libcorpus.so.$v --name libcorpus --version $v.0 -o fullso/libcorpus-$v.0.btf >/dev/null 2>genbtfso$v.err ||
		failt "corpus so v$v: gen btf: $(head -c 300 genbtfso$v.err)"
done
if $UCOREBTF gen min "$OBJ" fullso/libcorpus-*.btf -o minso >genminso.out 2>genminso.err; then
	pass "corpus so: gen min with verify over 3 shared-library releases"
else
	failt "corpus so: gen min (rc $?): $(head -c 400 genminso.err)"
fi
for v in $VERS; do
	blob=minso/libcorpus-$v.0.min.btf
	[ -s $blob ] || { failt "corpus so v$v: no blob"; continue; }
	decisions $blob check_so$v.json > dec_so$v.txt
	[ -s dec_so$v.txt ] && cmp -s dec_so$v.txt dec_full$v.txt &&
		pass "corpus so v$v: check decisions .so blob == executable full BTF" ||
		failt "corpus so v$v: decisions differ: $(diff dec_so$v.txt dec_full$v.txt | head -4 | tr '\n' ' ')"
	if $UCOREBTF merge $blob -o MS$v.btf >/dev/null 2>mergeso$v.err &&
		$LOADER -b MS$v.btf -l so$v/libcorpus.so.$v "$OBJ" so$v/app > obsso$v.json 2>loadso$v.err; then
		bad=
		for c in "${cases[@]}"; do
			for k in ${c#*:}; do
				[ "$(jq -c ".$k" truth$v.json)" = "$(jq -c ".$k" obsso$v.json)" ] || bad="$bad $k"
			done
		done
		[ -z "$bad" ] && pass "corpus so v$v uprobe in the .so on kernel + blob: all reads equal ground truth" ||
			failt "corpus so v$v uprobe in the .so: wrong:$bad"
	else
		failt "corpus so v$v uprobe in the .so: $(cat mergeso$v.err loadso$v.err | head -c 400)"
	fi
done
