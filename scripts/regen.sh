#!/usr/bin/env bash
# Regenerate archive/lua/ from scripts/lua-versions.txt: build each Lua
# release (scripts/lua-build.sh, cached), minimise its BTF for the project's
# Lua probe (ucorebtf gen min, verified), and write
#
#   ARCHIVE/lua/<version>/<arch>/lua-<version>.btf   minimised BTF blob (raw)
#   ARCHIVE/lua/<version>/<arch>/meta                library, version, soname,
#                                                    build_id, arch, source
#   ARCHIVE/lua/report.md                            compatibility matrix
#
# usage: scripts/regen.sh [-a ARCHIVE] [-c CACHE] [VERSION...]
#        scripts/regen.sh -a ARCHIVE -m
#   VERSION given: regenerate those releases only (one CI matrix job each);
#   none: all listed releases, stale ones removed, then the merge step.
#   -m: the merge step alone, on an ARCHIVE whose releases came from matrix
#   jobs: write report.md and fail when a release makes a required (not
#   existence-guarded) relocation of the probe fail.
# Same inputs, same bytes: running it twice leaves no git diff.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
archive=$root/archive
cache=${UCOREBTF_LUA_CACHE:-$root/build/lua}
out=${OUTPUT:-$root/build}
ucorebtf=${UCOREBTF:-$out/ucorebtf}
obj=$out/bpf/lua.bpf.o
arch=$(uname -m)

merge_only=0
while getopts "a:c:m" opt; do
	case $opt in
	a) archive=$OPTARG ;;
	c) cache=$OPTARG ;;
	m) merge_only=1 ;;
	*) echo "usage: $0 [-a ARCHIVE] [-c CACHE] [VERSION...] | -a ARCHIVE -m" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))

for f in "$ucorebtf" "$obj"; do
	[ -e "$f" ] || { echo "Error: $f: not built (run make)" >&2; exit 1; }
done

# merge: the report over every release in the archive, and the verdict.
merge() {
	if [ ! -d "$archive/lua" ]; then
		echo "Error: $archive/lua: no such directory" >&2
		return 1
	fi
	(cd "$archive" && "$ucorebtf" report "$obj" lua -f md -o lua/report.md.tmp --strict) || {
		rm -f "$archive/lua/report.md.tmp"
		echo "Error: $archive/lua: a release fails a required relocation of $obj (see ucorebtf report)" >&2
		return 1
	}
	mv "$archive/lua/report.md.tmp" "$archive/lua/report.md"
}

if [ $merge_only = 1 ]; then
	merge
	exit
fi

all=$(bash "$root/scripts/lua-build.sh" -l)
versions=${*:-$all}
UCOREBTF=$ucorebtf bash "$root/scripts/lua-build.sh" -o "$cache" $versions

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
btfs=()
for v in $versions; do
	btfs+=("$cache/$v/lua-$v.btf")
done
"$ucorebtf" gen min "$obj" "${btfs[@]}" -o "$tmp" >"$tmp/gen-min.log"

# meta FILE: the .ucorebtf.meta section of a `gen btf` file, key=value lines.
meta() {
	readelf -p .ucorebtf.meta "$1" |
		sed -n 's/^ *\(\[ *[0-9]*\] *\)\{0,1\}\([a-z_]*=.*\)\\n$/\2/p'
}

for v in $versions; do
	dst=$archive/lua/$v/$arch
	mkdir -p "$dst"
	src=$(awk -v v="$v" '$2 == v { print $1 " " $2 " sha256:" $3 }' "$root/scripts/lua-versions.txt")
	{ meta "$cache/$v/lua-$v.btf"; echo "source=$src"; } > "$dst/meta.tmp"
	grep -q '^build_id=' "$dst/meta.tmp" || { echo "Error: $cache/$v/lua-$v.btf: no metadata" >&2; exit 1; }
	cp "$tmp/lua-$v.btf" "$dst/lua-$v.btf.tmp"
	mv "$dst/meta.tmp" "$dst/meta"
	mv "$dst/lua-$v.btf.tmp" "$dst/lua-$v.btf"
done

if [ $# -eq 0 ]; then
	# Releases no longer listed leave the archive.
	for d in "$archive"/lua/*/; do
		v=$(basename "$d")
		grep -qx "$v" <<<"$all" || rm -rf "$d"
	done
	merge
fi
echo "regen: $(wc -w <<<"$versions") Lua release(s) -> ${archive#$root/}/lua" >&2
