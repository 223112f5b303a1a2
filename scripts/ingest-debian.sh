#!/usr/bin/env bash
# Ingest Debian's shipped shared libraries: for a binary package and its
# debug package, in some Debian releases, download both .debs through
# scripts/apt-src.sh's private apt configuration (verified against the
# Packages index's SHA256, cached in /var/cache/ucorebtf/dl/<sha256>/),
# unpack them with dpkg-deb -x, and run `ucorebtf gen btf --debug-root` on
# the library file with its real GNU build-id.  Nothing is installed: the
# system's apt sources, lists and dpkg state are never written.
#
#   ingest-debian.sh [-o DIR] [-a ARCHIVE -b OBJ] -n NAME -f FILE PKG DBGPKG RELEASE[=VERSION]...
#   ingest-debian.sh [-o DIR] [-a ARCHIVE -b OBJ] -p [-r RELEASE]... [NAME...]
#
#   -n NAME -f FILE  the archive's library name and the library's file name
#                    in PKG (libc libc.so.6); VERSION defaults to the one the
#                    release serves now
#   -p               the pinned versions of scripts/dist-versions.txt (all,
#                    or NAME's; -r: those releases only)
#   -a ARCHIVE -b OBJ  add the results to ARCHIVE: gen min OBJ over the
#                    BTFs (--archive), and the distribution metadata
#                    (ARCHIVE/dist.tsv: `ucorebtf archive dist`)
#
# DIR (default $OUTPUT/dist, the build directory) gets
#   root/<pkg>_<version>/        PKG and DBGPKG unpacked
#   btf/<name>-<version>.btf     gen btf output (library NAME, version = the Debian version)
#   btf/<name>-<version>@<file>.btf   another file of the same build (an
#                                interpreter linking the library in): one entry, both build-ids
#   <name>.dist                  "library version arch build_id release package
#                                upstream deb_sha256" lines (archive dist's input)
# and the BTF paths are printed, one per line.  One version in two releases
# is one entry (one file, one build-id) with two lines.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/apt-src.sh"
out=${OUTPUT:-$root/build}
ucorebtf=${UCOREBTF:-$out/ucorebtf}
dir=$out/dist
archive= obj= name= file= pinned=0
releases=()

usage() {
	echo "usage: $0 [-o DIR] [-a ARCHIVE -b OBJ] -n NAME -f FILE PKG DBGPKG RELEASE[=VERSION]..." >&2
	echo "       $0 [-o DIR] [-a ARCHIVE -b OBJ] -p [-r RELEASE]... [NAME...]" >&2
	exit 2
}

while getopts "o:a:b:n:f:pr:" opt; do
	case $opt in
	o) dir=$OPTARG ;;
	a) archive=$OPTARG ;;
	b) obj=$OPTARG ;;
	n) name=$OPTARG ;;
	f) file=$OPTARG ;;
	p) pinned=1 ;;
	r) releases+=("$OPTARG") ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ -n "$archive" ] && [ -z "$obj" ] && usage
[ -x "$ucorebtf" ] || { echo "Error: $ucorebtf: not built (run make)" >&2; exit 1; }
arch=$(uname -m)

# The rows to ingest: "NAME PKG DBGPKG FILE RELEASE VERSION".
rows() {
	local rel ver r
	if [ $pinned = 1 ]; then
		awk -v names=" $* " -v rels=" ${releases[*]:-} " '
			/^#/ || NF == 0 { next }
			(names == "  " || index(names, " " $1 " ")) && (rels == "  " || index(rels, " " $5 " "))' \
			"$root/scripts/dist-versions.txt"
		return
	fi
	[ -n "$name" ] && [ -n "$file" ] && [ $# -ge 3 ] || usage
	local pkg=$1 dbg=$2
	shift 2
	for r in "$@"; do
		rel=${r%%=*}
		ver=
		[[ $r == *=* ]] && ver=${r#*=}
		if [ -z "$ver" ]; then
			UCB_APT_KIND=bin ucb_apt_prepare
			ver=$(ucb_madison "$pkg" | awk -v r="$rel" '!done && $2 == r { print $1; done = 1 }')
			if [ -z "$ver" ]; then
				echo "Error: $pkg: not in Debian $rel (suites $UCB_SRC_SUITES)" >&2
				return 1
			fi
		fi
		echo "$name $pkg $dbg $file $rel $ver"
	done
}

# unpack PKG DBGPKG VERSION: the directory both .debs are unpacked in
# (reused while it holds the same two .debs).
unpack() {
	local pkg=$1 dbg=$2 ver=$3 deb ddeb dest stamp
	deb=$(ucb_fetch_deb "$pkg" "$ver") || return 1
	ddeb=$(ucb_fetch_deb "$dbg" "$ver") || return 1
	dest=$dir/root/${pkg}_$ver
	stamp="$(basename "$(dirname "$deb")") $(basename "$(dirname "$ddeb")")"
	if [ "$(cat "$dest/.ucorebtf-debs" 2>/dev/null)" != "$stamp" ]; then
		rm -rf "$dest"
		mkdir -p "$dest"
		dpkg-deb -x "$deb" "$dest"
		dpkg-deb -x "$ddeb" "$dest"
		echo "$stamp" >"$dest/.ucorebtf-debs"
	fi
	echo "$dest"
}

# The library file FILE names in the unpacked tree (a symlink followed, never out of it).
find_lib() {
	local dest=$1 file=$2 hit real
	hit=$(find "$dest" -path "$dest/usr/lib/debug" -prune -o ! -type d -name "$file" -print | sort | awk 'NR == 1')
	[ -n "$hit" ] || { echo "Error: $file: not in $(basename "$dest")" >&2; return 1; }
	real=$(realpath "$hit")
	[[ $real == "$(realpath "$dest")"/* ]] || { echo "Error: $hit: points outside the package" >&2; return 1; }
	echo "$real"
}

build_id() {
	LC_ALL=C readelf -n "$1" | awk '/Build ID:/ && !done { print $3; done = 1 }'	# reads all: no SIGPIPE under pipefail
}

# extra_entry KEY BTF BID: a second file of one Debian build (the lua5.x
# interpreter, which links Lua in, beside liblua5.x.so.0): its minimal BTF
# must be the entry's blob, and the entry then records both build-ids.
extra_entry() {
	local n=${1%%|*} ver=${1#*|} btf=$2 bid=$3 tmp want line ids o args=()
	tmp=$(mktemp -d)
	"$ucorebtf" gen min "$obj" "$btf" -o "$tmp/a" --archive >/dev/null
	want=$(awk -F'\t' -v n="$n" -v v="$ver" '$1 == n && $2 == v { print $4 }' "$tmp/a/index.tsv")
	rm -rf "$tmp"
	line=$(awk -F'\t' -v n="$n" -v v="$ver" -v a="$arch" '$1 == n && $2 == v && $3 == a' "$archive/index.tsv")
	IFS=$'\t' read -r _ _ _ sha _ soname ids objs <<<"$line"
	if [ -z "$want" ] || [ "$want" != "$sha" ]; then
		echo "Error: $n $ver: $(basename "$btf") and the entry's other file differ in the types $(basename "$obj") reads; they cannot share one entry" >&2
		return 1
	fi
	for id in $(tr , '\n' <<<"$ids,$bid" | sort -u); do args+=(--build-id "$id"); done
	for o in $(tr , ' ' <<<"$objs"); do args+=(--object "$o"); done
	[ "$soname" = - ] || args+=(--soname "$soname")
	"$ucorebtf" archive add "$archive" "$archive/blobs/$sha.btf" --lib "$n" --version "$ver" --arch "$arch" "${args[@]}"
}

mkdir -p "$dir/btf"
declare -A done_btf=() first=()
btfs=() dists=() extras=()
rowlist=$(rows "$@")
[ -n "$rowlist" ] || { echo "Error: nothing to ingest" >&2; exit 1; }
while read -r n pkg dbg f rel ver; do
	if ! grep -qEx '[A-Za-z0-9][A-Za-z0-9._+~-]*' <<<"$ver"; then
		echo "Error: $pkg $ver: not usable as an archive version (an epoch?)" >&2
		exit 1
	fi
	dest=$(unpack "$pkg" "$dbg" "$ver")
	lib=$(find_lib "$dest" "$f")
	bid=$(build_id "$lib")
	[ -n "$bid" ] || { echo "Error: $lib: no GNU build-id" >&2; exit 1; }
	# One entry per Debian build: its first file names the BTF, others join it.
	key="$n|$ver"
	if [ -z "${first[$key]:-}" ] || [ "${first[$key]}" = "$f" ]; then
		first[$key]=$f
		btf=$dir/btf/$n-$ver.btf
	else
		btf=$dir/btf/$n-$ver@$f.btf
	fi
	if [ -z "${done_btf[$btf]:-}" ]; then
		# Kept while newer than its unpacked .debs and the encoder.
		if ! [ "$btf" -nt "$dest/.ucorebtf-debs" ] || ! [ "$btf" -nt "$ucorebtf" ]; then
			if ! "$ucorebtf" gen btf "$lib" --debug-root "$dest" --name "$n" --version "$ver" \
				-o "$btf" >/dev/null 2>"$dir/gen-btf.log"; then
				cat "$dir/gen-btf.log" >&2
				exit 1
			fi
		fi
		done_btf[$btf]=1
		if [ "${first[$key]}" = "$f" ]; then btfs+=("$btf"); else extras+=("$key $btf $bid"); fi
		echo "$btf"
	fi
	sha=$(basename "$(dirname "$(ucb_fetch_deb "$pkg" "$ver")")")
	upstream=$(sed 's/^[0-9]*://; s/-[^-]*$//' <<<"$ver")
	dists+=("$(printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s' "$n" "$ver" "$arch" "$bid" "$rel" "$pkg" "$upstream" "$sha")")
done <<<"$rowlist"

# Per library, this run's lines (sorted: same inputs, same bytes).
for n in $(printf '%s\n' "${dists[@]}" | cut -f1 | sort -u); do
	printf '%s\n' "${dists[@]}" | awk -F'\t' -v n="$n" '$1 == n' | sort -u >"$dir/$n.dist"
done

if [ -n "$archive" ]; then
	"$ucorebtf" gen min "$obj" "${btfs[@]}" -o "$archive" --archive >"$dir/gen-min.log"
	for x in "${extras[@]}"; do
		extra_entry $x
	done
	for n in $(printf '%s\n' "${dists[@]}" | cut -f1 | sort -u); do
		"$ucorebtf" archive dist "$archive" "$dir/$n.dist"
	done
fi
