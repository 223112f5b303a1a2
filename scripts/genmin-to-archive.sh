#!/usr/bin/env bash
# Add what `ucorebtf gen min -o DIR` wrote to an archive: one entry per
# library version (metadata such as build-id from gen min's input, the gen btf
# file), and each object's kernel needs (archive/needs/<object>.txt) from
# gen-min.json's kernel_types.  Run from the directory gen min ran in (the
# input paths in gen-min.json are relative to it).
#
# usage: scripts/genmin-to-archive.sh GENMIN_DIR ARCHIVE_DIR [UCOREBTF]
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 GENMIN_DIR ARCHIVE_DIR [UCOREBTF]" >&2; exit 2; }
dir=$1 archive=$2 U=${3:-ucorebtf}
json=$dir/gen-min.json
[ -f "$json" ] || { echo "Error: $json: missing (gen min -o $dir writes it)" >&2; exit 1; }
command -v jq >/dev/null || { echo "Error: jq is needed" >&2; exit 1; }

# Object names as libbpf names objects: file name up to the first '.'.
objs=()
while IFS= read -r p; do b=${p##*/}; objs+=(--object "${b%%.*}"); done < <(jq -r '.objects[].path' "$json")

while IFS=$'\t' read -r lib ver input output; do
	meta=()
	if [ -f "$input" ] && head -c 4 "$input" | grep -q ELF; then meta=(--meta-from "$input"); fi
	"$U" archive add "$archive" "$output" --lib "$lib" --version "$ver" "${meta[@]}" "${objs[@]}"
done < <(jq -r '.versions[] | [.library, .version, .input, .output] | @tsv' "$json")

# kernel_types -> "kind name [member]" lines; a type with no named member
# (or an anonymous one, whose members gen min does not list) is kept whole.
# Typedefs and ints are left out: gen min lists every named type it marked,
# member types included, and the runtime copies member types unnamed (a
# kernel typedef named like a library's, u64, would only add ambiguity).
n=$(jq '.objects | length' "$json")
for ((i = 0; i < n; i++)); do
	p=$(jq -r ".objects[$i].path" "$json"); b=${p##*/}; obj=${b%%.*}
	tmp=$(mktemp)
	jq -r ".objects[$i].kernel_types[]
		| select(.kind == \"struct\" or .kind == \"union\" or .kind == \"enum\" or .kind == \"enum64\")
		| (if .kind == \"enum64\" then \"enum\" else .kind end) as \$k | .name as \$n
		| (if (.members | length) == 0 or any(.members[]; . == \"\") then \"\(\$k) \(\$n)\" else empty end),
		  (.members[] | select(. != \"\") | \"\(\$k) \(\$n) \(.)\")" "$json" > "$tmp"
	"$U" archive needs "$archive" "$obj" "$tmp"
	rm -f "$tmp"
done
