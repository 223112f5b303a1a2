# Kernel-only parity with bpftool gen min_core_btf on the project's BPF
# objects: same decisions against each minimized kernel BTF as against the
# full kernel BTF, ours no larger than bpftool's.
. "$TESTS_DIR/lib.sh"
VML=/sys/kernel/btf/vmlinux
command -v bpftool >/dev/null || { skip "genmin parity: no bpftool"; exit 0; }
# what must agree: decision per relocation (the side may differ: a kernel
# type that matched nothing is not kept by either tool)
dec() { $UCOREBTF check -j "$@" 2>/dev/null | jq -c '[.relocations[]|{name,kind,r:[.results[]|{matched,poison,value,target}]}]'; }
n=0
for obj in $B/bpf/*.bpf.o; do
	o=$(basename $obj .bpf.o)
	readelf -S $obj 2>/dev/null | grep -q '\.BTF\.ext' || continue
	if ! bpftool gen min_core_btf $VML bt_$o.btf $obj 2>bt.err; then
		skip "genmin parity $o: bpftool fails: $(head -c 150 bt.err)"; continue
	fi
	if ! $UCOREBTF gen min_core_btf $VML us_$o.btf $obj 2>us.err; then
		failt "genmin parity $o: ucorebtf gen min_core_btf: $(head -c 200 us.err)"; continue
	fi
	full=$(dec $obj -k $VML); bt=$(dec $obj -k bt_$o.btf); us=$(dec $obj -k us_$o.btf)
	if [ -n "$full" ] && [ "$full" != "[]" ] && [ "$full" = "$bt" ] && [ "$full" = "$us" ]; then
		pass "genmin parity $o: same decisions ($(jq length <<<"$full") relocations) on full, bpftool's and our kernel BTF"
	else failt "genmin parity $o: decisions differ: full=${full:0:200} bpftool=${bt:0:200} ours=${us:0:200}"; fi
	sb=$(stat -c %s bt_$o.btf) su=$(stat -c %s us_$o.btf)
	[ "$su" -le "$sb" ] && pass "genmin parity $o: ours $su bytes <= bpftool's $sb" ||
		failt "genmin parity $o: ours $su bytes > bpftool's $sb"
	n=$((n + 1))
done
[ $n -ge 2 ] && pass "genmin parity: $n objects compared" || failt "genmin parity: only $n objects compared"

# Several objects at once, as bpftool takes them.
objs=$(ls $B/bpf/seed.bpf.o $B/bpf/collide.bpf.o)
bpftool gen min_core_btf $VML bt_all.btf $objs && $UCOREBTF gen min_core_btf $VML us_all.btf $objs &&
[ "$(stat -c %s us_all.btf)" -le "$(stat -c %s bt_all.btf)" ] &&
[ "$(dec $objs -k us_all.btf)" = "$(dec $objs -k $VML)" ] &&
	pass "genmin parity: two objects in one call, same decisions, no larger" ||
	failt "genmin parity: two objects in one call"
