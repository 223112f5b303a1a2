# Bundle size against the naive way (issue 15's "Done when"), from one run
# of scripts/bench-bundle.sh: sizes are functions of the inputs, not of
# timing.  100 distinct versions without build-ids: the bundle is no larger
# than tar cJf of the 100 naive bpftool min_core_btf files.  50 versions, 7
# blobs, with build-ids: no larger than that tarball plus 20 bytes (one
# build-id's worth) per build-id.
. "$TESTS_DIR/lib.sh"
out=$(OUTPUT=$B bash "$TESTS_DIR/../scripts/bench-bundle.sh" 2>&1) || failt "bench-bundle.sh: $(tail -c 600 <<<"$out")"
get() { sed -n "s/^result $1 .*\b$2=\([0-9]*\).*/\1/p" <<<"$out"; }
v=$(get distinct versions) bl=$(get distinct blobs) id=$(get distinct build_ids) b=$(get distinct bundle) t=$(get distinct naive_txz)
[ "$v/$bl/$id" = 100/100/0 ] && [ -n "$b" ] && [ "$b" -le "$t" ] &&
	pass "100 distinct versions, no build-ids: bundle $b <= tar cJf of the naive files $t bytes" ||
	failt "distinct: versions/blobs/build-ids $v/$bl/$id, bundle $b, naive tar $t: $(grep -A9 '^distinct:' <<<"$out")"
v=$(get shared versions) bl=$(get shared blobs) id=$(get shared build_ids) b=$(get shared bundle) t=$(get shared naive_txz)
[ "$v/$bl/$id" = 50/7/50 ] && [ -n "$b" ] && [ "$b" -le $((t + 20 * id)) ] &&
	pass "50 versions, 7 blobs, 50 build-ids: bundle $b <= naive tar cJf $t + 20 x 50 bytes" ||
	failt "shared: versions/blobs/build-ids $v/$bl/$id, bundle $b, naive tar $t: $(grep -A9 '^shared:' <<<"$out")"
