#!/usr/bin/env bash
# Regenerate the Lua entries of the archive (docs/archive.md) from
# scripts/lua-versions.txt: build each release (scripts/lua-build.sh,
# cached), minimise its BTF for the project's Lua probe (ucorebtf gen min,
# verified) straight into the archive (gen min -o ARCHIVE --archive), then
# the merge step: the compatibility report and the bundle.
#
#   ARCHIVE/lua/<version>/<arch>/entry.tsv, ARCHIVE/blobs/<sha256>.btf,
#   ARCHIVE/index.tsv, ARCHIVE/needs/lua.txt     (ucorebtf archive)
#   ARCHIVE/rules.tsv                            Lua's version rule (below)
#   ARCHIVE/lua-report.md                        ucorebtf report, Markdown
#   BUNDLE (default $OUTPUT/lua.ucb)             ucorebtf bundle create
#
# usage: scripts/regen.sh [-a ARCHIVE] [-c CACHE] [-b BUNDLE] [VERSION...]
#        scripts/regen.sh -a ARCHIVE [-b BUNDLE] -m [PART...]
#   VERSION given: add those releases only (one CI matrix job each; no
#   report, no bundle); none: all listed releases, the Lua entries rebuilt
#   from scratch (other libraries' entries stay), then the merge step.
#   -m: the merge step alone: first add every entry of each PART archive
#   (the matrix jobs' results) to ARCHIVE, then write lua-report.md, fail when a
#   release makes a required (not existence-guarded) relocation of the probe
#   fail, and create the bundle.
# Same inputs, same bytes: running it twice leaves no git diff.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
archive=$root/archive
cache=${UCOREBTF_LUA_CACHE:-$root/build/lua}
out=${OUTPUT:-$root/build}
ucorebtf=${UCOREBTF:-$out/ucorebtf}
obj=$out/bpf/lua.bpf.o
bundle=$out/lua.ucb
merge_only=0
# How the runtime reads the version of a Lua build whose build-id the bundle
# does not record (docs/runtime.md): the string of the lua_ident symbol,
# "$Lua: Lua 5.1.5 ..." in 5.1, "$LuaVersion: Lua 5.4.7 ..." since 5.2.
lua_rules=('symbol:lua_ident:$Lua: Lua ' 'symbol:lua_ident:$LuaVersion: Lua ')

while getopts "a:b:c:m" opt; do
	case $opt in
	a) archive=$OPTARG ;;
	b) bundle=$OPTARG ;;
	c) cache=$OPTARG ;;
	m) merge_only=1 ;;
	*) echo "usage: $0 [-a ARCHIVE] [-c CACHE] [-b BUNDLE] [VERSION...] | -a ARCHIVE [-b BUNDLE] -m [PART...]" >&2
	   exit 2 ;;
	esac
done
shift $((OPTIND - 1))

for f in "$ucorebtf" "$obj"; do
	[ -e "$f" ] || { echo "Error: $f: not built (run make)" >&2; exit 1; }
done

# add_part PART: every entry (same fields), needs file and version rule of archive PART
# into ARCHIVE; the archive module reads PART's layout.
add_part() {
	"$ucorebtf" archive merge "$archive" "$1"
}

# merge: the report over every Lua release in the archive, the verdict, the bundle.
merge() {
	if [ ! -d "$archive/lua" ]; then
		echo "Error: $archive/lua: no such directory" >&2
		return 1
	fi
	(cd "$archive" && "$ucorebtf" report "$obj" lua -f md -o lua-report.md.tmp --strict) || {
		rm -f "$archive/lua-report.md.tmp"
		echo "Error: $archive/lua: a release fails a required relocation of $obj (see ucorebtf report)" >&2
		return 1
	}
	mv "$archive/lua-report.md.tmp" "$archive/lua-report.md"
	"$ucorebtf" archive verify "$archive" >/dev/null
	mkdir -p "$(dirname "$bundle")"
	"$ucorebtf" bundle create "$archive" -o "$bundle"
}

if [ $merge_only = 1 ]; then
	mkdir -p "$archive"
	for part in "$@"; do
		add_part "$part"
	done
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
mkdir -p "$archive"
# All releases: the Lua entries from scratch, so unlisted releases leave.
[ $# -eq 0 ] && rm -rf "$archive/lua"
# Entries (keyed by the gen btf metadata: build-id, soname) and the probe's
# kernel needs straight into the archive, verified.
"$ucorebtf" gen min "$obj" "${btfs[@]}" -o "$archive" --archive >"$tmp/gen-min.log"
"$ucorebtf" archive rule "$archive" lua "${lua_rules[@]}"
[ $# -eq 0 ] && merge
echo "regen: $(wc -w <<<"$versions") Lua release(s) -> $archive" >&2
