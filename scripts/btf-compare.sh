#!/usr/bin/env bash
# btf-compare.sh [--truth FILE] ELF...
#
# Encodes each ELF's DWARF with ucorebtf's encoder and with pahole
# (`gen btf --via pahole`) and compares what both say about every named
# struct/union: size, and each member's (flattened) bit offset, size and type.
# Differences are named and classified:
#   pahole-void     pahole made the member's type void (its DW_TAG_atomic_type bug)
#   pahole-flat     pahole flattened a multi-dimensional array (same layout)
#   pahole-dup      pahole emitted a struct more than once (dedup failed)
#   type            same offset and size, different type text
#   ucorebtf-skip   a member ucorebtf left out because BTF cannot express its
#                   type (`gen btf -d` names it), e.g. _Complex
#   LAYOUT          different offset or size: unexplained
#   ONLY-ucorebtf / ONLY-pahole   a struct or member one side lacks
# With --truth FILE (tests/fixtures/encoder/layout.c output: "S.m off=.. bits=.."),
# each LAYOUT difference says which encoder agrees with the compiler.
# Prints one summary line per ELF; exits 1 if any LAYOUT/ONLY difference
# is not explained by a known pahole bug.  OUTPUT=build dir (default build).
set -u
OUTPUT=${OUTPUT:-$(cd "$(dirname "$0")/.." && pwd)/build}
UCOREBTF=${UCOREBTF:-$OUTPUT/ucorebtf}
LAYOUT=$OUTPUT/tests/tools/btf_layout
truth=
if [ "${1:-}" = --truth ]; then truth=$2; shift 2; fi
[ $# -ge 1 ] || { echo "usage: $0 [--truth FILE] ELF..." >&2; exit 2; }
tmp=$(mktemp -d /tmp/btf-compare.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
bad=0

for elf in "$@"; do
	for enc in ucorebtf pahole; do
		if ! $UCOREBTF -d gen btf --via $enc "$elf" -o $tmp/$enc.btf >/dev/null 2>$tmp/$enc.err; then
			echo "$elf: gen btf --via $enc failed: $(head -1 $tmp/$enc.err)"; bad=1; continue 2
		fi
		$LAYOUT $tmp/$enc.btf > $tmp/$enc.txt
	done
	sed -n 's/^dropped: member \([^ ]*\) of \([^ ]*\) .*/\2.\1/p' $tmp/ucorebtf.err > $tmp/dropped
	: > $tmp/report
	awk -v elf="$elf" -v truthf="$truth" -v dropf=$tmp/dropped -v repf=$tmp/report '
	function val(line) { sub(/^[^ ]* /, "", line); return line }
	function offbits(v) { sub(/ type=.*/, "", v); return v }
	function typ(v) { sub(/.*type=/, "", v); sub(/ VOID$/, "", v); return v }
	BEGIN {
		if (truthf != "")
			while ((getline l < truthf) > 0) { split(l, f, " "); if (f[1] ~ /\./) truth[f[1]] = f[2] " " f[3] }
		while ((getline l < dropf) > 0) dropped[l] = 1
		close(dropf)
	}
	# Struct sizes and members; typedef/enum/func lines are not compared here.
	FNR == 1 { side = (side == "" ? "u" : "p") }
	/^(typedef|enum|func|fwd) / || /^[^ ]*\.[^ ]*=/ { next }
	/^[^ ]* size=/ {
		n = $1; cnt[side, n]++; names[n] = 1
		if (cnt[side, n] == 1) size[side, n] = $2
		else if (size[side, n] != $2) size[side, n] = size[side, n] "|" $2
		next
	}
	{
		k = $1; s = k; sub(/\..*/, "", s)
		if (cnt[side, s] > 1 && seen[side, k]) next	# members of a repeated definition
		seen[side, k] = 1; keys[k] = 1; m[side, k] = val($0)
	}
	function report(kind, what) { printf "  %-14s %s\n", kind, what > repf; n_kind[kind]++ }
	END {
		ns = 0
		for (n in names) {
			ns++
			if (!cnt["u", n]) { report("ONLY-pahole", n); continue }
			if (!cnt["p", n]) { report("ONLY-ucorebtf", n); continue }
			if (cnt["p", n] > cnt["u", n]) report("pahole-dup", n " defined " cnt["p", n] " times (ucorebtf: " cnt["u", n] ")")
			if (size["u", n] != size["p", n]) report("LAYOUT", n " " size["u", n] " vs pahole " size["p", n])
		}
		nm = 0
		for (k in keys) {
			nm++
			u = m["u", k]; p = m["p", k]
			if (u == p) { same++; continue }
			if (u == "" && (k in dropped)) { report("ucorebtf-skip", k " " p); continue }
			if (u == "") { report("ONLY-pahole", k " " p); continue }
			if (p == "") { report("ONLY-ucorebtf", k " " u); continue }
			if (p ~ / VOID$/ && u !~ / VOID$/) { report("pahole-void", k ": pahole " (typ(p) == "void" ? "void" : typ(p) " = void") " (" offbits(p) "), ucorebtf " typ(u)); continue }
			if (offbits(u) == offbits(p)) {
				tu = typ(u); tp = typ(p)
				if (tu ~ /\]\[/ && tp ~ /\[[0-9]+\]$/ && tp !~ /\]\[/) report("pahole-flat", k ": " tu " vs pahole " tp)
				else report("type", k ": " tu " vs pahole " tp)
				continue
			}
			w = ""
			if (k in truth) w = (offbits(u) == truth[k] ? " [compiler agrees with ucorebtf]" : (offbits(p) == truth[k] ? " [compiler agrees with pahole]" : " [compiler: " truth[k] "]"))
			report("LAYOUT", k ": " offbits(u) " vs pahole " offbits(p) w)
		}
		unexplained = n_kind["LAYOUT"] + n_kind["ONLY-pahole"] + n_kind["ONLY-ucorebtf"]
		printf "%s: %d structs, %d members: %d identical; pahole-void %d, pahole-flat %d, pahole-dup %d, ucorebtf-skip %d, type %d; unexplained %d\n",
			elf, ns, nm, same, n_kind["pahole-void"], n_kind["pahole-flat"], n_kind["pahole-dup"], n_kind["ucorebtf-skip"], n_kind["type"], unexplained
		exit unexplained > 0
	}' $tmp/ucorebtf.txt $tmp/pahole.txt > $tmp/summary || bad=1
	sort $tmp/report
	cat $tmp/summary
done
exit $bad
