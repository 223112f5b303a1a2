# The DWARF->BTF encoder against the compiler: tests/fixtures/encoder/lib.c built with
# GCC 12 (DWARF 5, 4 and 2: three ways to say where a bitfield is), every
# struct member's offset and size checked against offsetof/sizeof (and, for
# bitfields, against the bits that setting the field changes) in a program
# compiled from the same header.
. "$TESTS_DIR/lib.sh"
unset DEBUGINFOD_URLS
ENC=$TESTS_DIR/fixtures/encoder
LAYOUT=$B/tests/tools/btf_layout

gcc -g -O0 -Wall -Wno-overflow -I$ENC $ENC/layout.c -o layout && ./layout > truth.txt ||
	{ failt "cannot build the layout program"; exit 0; }
# The structs the truth covers; the BTF must have exactly these members.
structs=$(grep -E '^[a-z_]+ size=' truth.txt | cut -d' ' -f1 | sort -u)

for v in 5 4 2; do
	gcc -g -gdwarf-$v -O1 -shared -fPIC -I$ENC -Wl,-soname,libenc.so.1 $ENC/lib.c $ENC/other.c -o libenc$v.so ||
		{ failt "cannot build libenc (DWARF $v)"; continue; }
	if ! $UCOREBTF gen btf libenc$v.so -o enc$v.btf >/dev/null 2>err$v.txt; then
		failt "gen btf libenc (DWARF $v): $(cat err$v.txt)"; continue
	fi
	$LAYOUT enc$v.btf > btf$v.txt
	# Facts about the truth's structs and enums, without the type strings.
	sed -e 's/ type=.*//' btf$v.txt | grep -E "^(enum )?($(paste -sd'|' <<<"$structs")|enc_small|enc_signed|enc_big|enc_big_signed|enc_packed)[ .]" |
		sort -u > got$v.txt
	if diff <(sort -u truth.txt) got$v.txt > diff$v.txt; then
		pass "DWARF $v: $(grep -c ' off=' truth.txt) members, $(grep -c ' size=' truth.txt) sizes and enums match offsetof/sizeof"
	else failt "DWARF $v: layout differs from the compiler's (< compiler, > BTF): $(head -c 600 diff$v.txt)"; fi
done
BTF=enc5.btf; L=btf5.txt

dups=$(grep -E '^[a-z_]+ size=' $L | cut -d' ' -f1 | sort | uniq -d)
[ -z "$dups" ] && pass "two compilation units, one copy of each struct after dedup" || failt "duplicated structs: $dups"
grep -q VOID $L && failt "a member became void: $(grep VOID $L | head -3)" ||
	pass "no member of the library resolves to void"
grep -qx 'typedef atomic_int_t = int' $L && grep -qx 'typedef atomic_ulong_t = long unsigned int' $L &&
	grep -qx 'typedef atomic_node_ptr_t = struct enc_node\*' $L &&
	pass "_Atomic typedefs are typedefs of the unqualified type" || failt "_Atomic typedefs: $(grep 'typedef atomic' $L)"
grep -qx 'enc_atomic.cref off=256 bits=32 type=const atomic_int_t' $L && grep -q '^enc_atomic.ch off=224 bits=8 type=char$' $L &&
	pass "_Atomic members keep their types (const _Atomic typedef, _Atomic(char))" || failt "atomic members: $(grep enc_atomic $L)"
# The same library through pahole 1.24: the DW_TAG_atomic_type bug, for the record.
$UCOREBTF gen btf --via pahole libenc5.so -o pahole.btf >/dev/null 2>perr.txt && $LAYOUT pahole.btf > pahole.txt
if grep -qx 'typedef atomic_int_t = void' pahole.txt && grep -q '^enc_atomic.refs .*VOID' pahole.txt; then
	pass "pahole 1.24 makes typedef _Atomic int a typedef of void; ucorebtf does not"
else failt "expected pahole 1.24's _Atomic bug: $(grep atomic_int_t pahole.txt | head -2)"; fi
$LAYOUT -k $BTF && pass "the kernel's BTF verifier accepts the encoder's output" || failt "kernel rejects $BTF"
$LAYOUT -k pahole.btf 2>/dev/null && failt "kernel accepted pahole's BTF with void members?" ||
	pass "the kernel rejects pahole's BTF (member of type void)"

grep -qx 'enc_arrays.grid off=128 bits=192 type=int\[2\]\[3\]' $L && grep -q '^enc_arrays.cube .*type=char\[2\]\[3\]\[5\]$' $L &&
	grep -q '^enc_arrays.ptr_to_arr .*type=int\[6\]\*$' $L &&
	pass "multi-dimensional arrays are nested arrays" || failt "arrays: $(grep enc_arrays $L)"
grep -q '^enc_flex.data off=512 bits=0 type=unsigned char\[0\]$' $L && pass "flexible array member has 0 elements" ||
	failt "flex: $(grep enc_flex.data $L)"
grep -qx 'fwd struct enc_opaque' $L && grep -q '^enc_funcs.opaque .*type=struct enc_opaque\*$' $L &&
	pass "a never-defined struct is a FWD" || failt "fwd: $(grep -i opaque $L)"
grep -qx 'typedef enc_cb_t = fn(void\*,const char\*,...)->int\*' $L &&
	pass "function pointer typedef: FUNC_PROTO with named types and varargs" || failt "proto: $(grep enc_cb_t $L)"
grep -q '^enc_funcs.rp .*type=int\* restrict$' $L && grep -q '^enc_node.cv .*type=volatile const int$' $L &&
	pass "const, volatile and restrict are kept" || failt "qualifiers: $(grep -E 'enc_funcs.rp|enc_node.cv' $L)"
bpftool btf dump file $BTF | grep -q "ENUM64 'enc_big_signed' encoding=SIGNED size=8" &&
	bpftool btf dump file $BTF | grep -q "ENUM 'enc_signed' encoding=SIGNED size=4" &&
	pass "64-bit and signed enums are ENUM64 / signed ENUM" || failt "enums: $(bpftool btf dump file $BTF | grep ENUM)"
bpftool btf dump file $BTF | grep -q "FLOAT 'double' size=8" && bpftool btf dump file $BTF | grep -q "INT '__int128' size=16" &&
	bpftool btf dump file $BTF | grep -q "INT '_Bool' size=1 bits_offset=0 nr_bits=8 encoding=BOOL" &&
	pass "floats are FLOAT, __int128 and _Bool are INTs" || failt "base types"

# FUNCs: exactly the library's exported functions.
want=$(nm -D --defined-only libenc5.so | awk '$2 == "T" && $3 ~ /^enc_/ {print $3}' | sort)
got=$(sed -n 's/^func \([^ ]*\) .*linkage=global$/\1/p' $L | sort)
[ -n "$want" ] && [ "$want" = "$got" ] && ! grep -q enc_static_helper $L &&
	pass "FUNC entries are the exported definitions ($(wc -l <<<"$got")), not static helpers" ||
	failt "funcs: want [$want] got [$got]"
grep -qx 'func enc_sum fn(int,...)->long int linkage=global' $L && pass "a variadic function's FUNC ends in ..." ||
	failt "enc_sum: $(grep 'func enc_sum' $L)"

# _Complex has no BTF kind: its member is left out, and said so once.
nwarn=$(grep -c '^Warning:' err5.txt)
if [ "$nwarn" = 1 ] && grep -q 'DW_TAG_base_type 1' err5.txt && grep -q '1 member(s)' err5.txt &&
	grep -q '^enc_cplx.after off=192' $L && ! grep -q '^enc_cplx.z' $L; then
	pass "an unencodable member (_Complex) is left out with one warning line, never void"
else failt "complex: warnings=$nwarn $(cat err5.txt) $(grep enc_cplx $L)"; fi
$UCOREBTF -d gen btf libenc5.so -o d.btf >/dev/null 2>derr.txt
grep -q '^dropped: member z of enc_cplx' derr.txt && grep -q 'skipped: DIE 0x[0-9a-f]* DW_TAG_base_type complex double' derr.txt &&
	pass "-d names each skipped DIE and dropped member" || failt "-d: $(head -5 derr.txt)"

# C++ templates are skipped, counted, and leave no '<' names behind.
if command -v g++ >/dev/null; then
	cat > tmpl.cc <<'CC'
template <typename T> struct box { T v; int n; };
struct holder { box<int> b; long after; };
int use(holder *h) { return h->b.v + (int)h->after; }
CC
	g++ -g -shared -fPIC tmpl.cc -o libtmpl.so
	$UCOREBTF gen btf libtmpl.so -o tmpl.btf >/dev/null 2>terr.txt; $LAYOUT tmpl.btf > tmpl.txt
	if grep -q '^Warning: .*skipped (DW_TAG_structure_type 1)' terr.txt && ! grep -q '<' tmpl.txt &&
		grep -q '^holder.after off=64 bits=64' tmpl.txt && ! grep -q VOID tmpl.txt; then
		pass "C++ template instance skipped with a counted warning; its member left out"
	else failt "templates: $(cat terr.txt) $(cat tmpl.txt | head -5)"; fi
else failt "g++ missing"; fi

# Deterministic: same binary, byte-identical BTF.
$UCOREBTF gen btf libenc5.so -o again.btf >/dev/null 2>&1
cmp -s <(readelf -x .BTF $BTF) <(readelf -x .BTF again.btf) && pass "encoder output is byte-identical across runs" ||
	failt "two runs differ"

# dwz (as in Debian's -dbgsym packages): types moved into a common file named
# by .gnu_debugaltlink are followed through DW_TAG_imported_unit.
if command -v dwz >/dev/null; then
	cp libenc5.so d1.so && cp libenc5.so d2.so && cp $B/examples/seed/app_v2 d3
	if dwz -m $WORK/common.dwz -M $WORK/common.dwz d1.so d2.so d3 2>/dev/null &&
		readelf -S d1.so | grep -q gnu_debugaltlink &&
		readelf --debug-dump=info common.dwz 2>/dev/null | grep -q DW_TAG_structure_type; then
		$UCOREBTF gen btf d1.so -o dwz.btf >/dev/null 2>&1 && $LAYOUT dwz.btf > dwz.txt
		cmp -s <(sort btf5.txt) <(sort dwz.txt) && pass "dwz-compressed DWARF (alt file) encodes to the same types" ||
			failt "dwz: $(diff btf5.txt dwz.txt | head -5)"
	else failt "dwz did not produce an alt file"; fi
else failt "dwz missing (scripts/deps.sh)"; fi
