# The corpus (every CO-RE relocation kind, three releases) through a bundle:
# for each release, what the uprobe reads with the BTF libucorebtf prepares
# (gen min blob + pruned running-kernel types) equals the ground truth and
# equals what it reads with kernel + full library BTF.
. "$TESTS_DIR/lib.sh"
OBJ0=$B/bpf/corpus.bpf.o
LOADER=$B/tests/tools/corpus_loader
SRC=$TESTS_DIR/fixtures/corpus
U=$UCOREBTF
OBJ=$WORK/corpus.bpf.o
python3 "$TESTS_DIR/tools/corpus_relo_kind.py" "$OBJ0" "$OBJ" 8 12 corpus_point corpus_mode >/dev/null 2>&1 || cp "$OBJ0" "$OBJ"

mkdir -p min
for v in 1 2 3; do
	mkdir -p v$v
	gcc -g -O0 -o v$v/libcorpus "$SRC/lib_v$v.c" && v$v/libcorpus > truth$v.json &&
		$U gen btf v$v/libcorpus --name libcorpus --version $v.0 -o libcorpus-$v.0.btf >/dev/null ||
		failt "corpus v$v: build / gen btf"
done
if $U gen min "$OBJ" libcorpus-*.btf -o A --archive >/dev/null 2>genmin.err &&
	$U bundle create A -o corpus.ucb; then
	pass "corpus: gen min -> archive -> bundle ($(stat -c %s corpus.ucb) bytes, 3 releases; needs: $(grep -vc '^#' A/needs/corpus.txt))"
else
	failt "corpus bundle: $(head -c 300 genmin.err)"
	exit 0
fi

for v in 1 2 3; do
	out=$($U prepare -j --bundle corpus.ucb --obj "$OBJ" v$v/libcorpus -o P$v.btf 2>&1)
	[ "$(jq -r '.targets[0].version + " " + .targets[0].how' <<<"$out")" = "$v.0 build-id" ] ||
		{ failt "corpus v$v: prepare: $out"; continue; }
	$LOADER -b P$v.btf "$OBJ" v$v/libcorpus > obs$v.json 2>load$v.err || { failt "corpus v$v: load: $(head -c 300 load$v.err)"; continue; }
	$U merge libcorpus-$v.0.btf -o F$v.btf && $LOADER -b F$v.btf "$OBJ" v$v/libcorpus > full$v.json 2>/dev/null
	bad= n=0
	for k in $(jq -r 'keys[]' obs$v.json); do
		case $k in tid_target|binary) continue ;; esac
		[ "$(jq "has(\"$k\")" truth$v.json)" = true ] || continue
		n=$((n + 1))
		[ "$(jq -c ".$k" truth$v.json)" = "$(jq -c ".$k" obs$v.json)" ] || bad="$bad $k"
	done
	[ -z "$bad" ] && [ $n -gt 40 ] && pass "corpus v$v: uprobe through the prepared BTF reads the ground truth ($n facts)" ||
		failt "corpus v$v: differs from ground truth ($n compared):$bad"
	[ -s full$v.json ] && [ "$(jq -cS 'del(.tid_target,.binary)' obs$v.json)" = "$(jq -cS 'del(.tid_target,.binary)' full$v.json)" ] &&
		pass "corpus v$v: prepared BTF and kernel + full BTF give the same reads" || failt "corpus v$v: prepared vs full differ"
	sz=$(stat -c %s P$v.btf) fz=$(stat -c %s F$v.btf)
	[ $((sz * 100)) -lt "$fz" ] && pass "corpus v$v: prepared BTF is $sz bytes (kernel + full: $fz)" || failt "corpus v$v: prepared $sz vs $fz"
done

# `ucorebtf check` on the prepared BTF (alone: --no-kernel, it holds the
# kernel part) vs. kernel + full library BTF: every relocation takes the same
# decision.  Which side (app/kernel) check attributes a type to differs by
# construction and is dropped; relocations on types absent from a release
# are "unresolved" with --no-kernel, and libbpf's value for those (0 for
# exists/size kinds) is what the uprobe runs above compared.
norm() { sed -e 's/"side": "[a-z]*", //g' "$1"; }
for v in 1 2 3; do
	[ -s P$v.btf ] || continue
	$U check -j --no-kernel "$OBJ" P$v.btf | python3 "$TESTS_DIR/tools/corpus_decisions.py" > dp$v.txt &&
	$U check -j "$OBJ" libcorpus-$v.0.btf | python3 "$TESTS_DIR/tools/corpus_decisions.py" > df$v.txt ||
		{ failt "corpus v$v: check"; continue; }
	total=$(wc -l < df$v.txt)
	unres=$(grep -c '"unresolved": true' dp$v.txt)
	diffs=$(diff <(norm dp$v.txt | grep -v '"unresolved": true') <(norm df$v.txt | grep -vFf <(grep '"unresolved": true' dp$v.txt | cut -f1 | sed 's/$/\t/')) | grep -c '^[<>]')
	[ "$total" -gt 100 ] && [ "$diffs" = 0 ] && [ "$unres" -lt 10 ] &&
		pass "corpus v$v: check decisions on the prepared BTF equal kernel + full BTF ($((total - unres)) of $total; $unres on absent types)" ||
		failt "corpus v$v: check decisions differ ($diffs lines, $unres unresolved of $total)"
done
