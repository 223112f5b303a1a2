#!/usr/bin/env bash
# Regenerate the archive (docs/archive.md): the Lua entries built from
# source (scripts/lua-versions.txt: each release built by
# scripts/lua-build.sh, cached) and the distribution entries, Debian's
# shipped libraries (scripts/dist-versions.txt: glibc for bullseye,
# bookworm, trixie, sid and Debian's liblua5.x, ingested by
# scripts/ingest-debian.sh, keyed by their real build-ids).  Each is
# minimised for its probe (ucorebtf gen min, verified: bpf/lua.bpf.c for
# Lua, bpf/glibc_tls.bpf.c for libc) straight into the archive, then the
# merge step: the compatibility reports and the bundle.
#
#   ARCHIVE/<lib>/<version>/<arch>/entry.tsv, ARCHIVE/blobs/<sha256>.btf,
#   ARCHIVE/index.tsv, ARCHIVE/needs/<object>.txt  (ucorebtf archive)
#   ARCHIVE/rules.tsv                            Lua's version rule (below)
#   ARCHIVE/dist.tsv                             where distribution entries come from
#   ARCHIVE/lua-report.md, ARCHIVE/libc-report.md   ucorebtf report, Markdown
#   BUNDLE (default $OUTPUT/lua.ucb)             ucorebtf bundle create (every entry)
#
# usage: scripts/regen.sh [-a ARCHIVE] [-c CACHE] [-b BUNDLE] [VERSION...]
#        scripts/regen.sh [-a ARCHIVE] -r RELEASE
#        scripts/regen.sh -a ARCHIVE [-b BUNDLE] -m [PART...]
#   VERSION given: add those Lua releases only (one CI matrix job each; no
#   report, no bundle); -r RELEASE: the distribution entries of that Debian
#   release only (one CI job each); neither: all of them, the Lua and libc
#   entries rebuilt from scratch (other libraries' entries stay), then the
#   merge step.
#   -m: the merge step alone: first add every entry of each PART archive
#   (the matrix jobs' results) to ARCHIVE, then write the reports, fail when a
#   release makes a required (not existence-guarded) relocation of a probe
#   fail, and create the bundle.
# Same inputs, same bytes: running it twice leaves no git diff.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)

# ---- OpenSSL (docs/openssl.md) ---------------------------------------------
# scripts/regen.sh openssl [-a ARCHIVE] [-b BUNDLE] [VERSION...]
# scripts/regen.sh openssl -a ARCHIVE [-b BUNDLE] -m [PART...]
#   The libssl and libcrypto entries of the archive for bpf/sslsniff.bpf.o,
#   from scripts/openssl-versions.txt (scripts/openssl-build.sh, cached under
#   /var/cache/ucorebtf/openssl/): per release one gen min run over both
#   libraries (--release: bio_st is libcrypto's, libssl only forward-declares
#   it), verified.  All releases (no VERSION): the OpenSSL entries rebuilt,
#   then the merge step: ARCHIVE/openssl-report.md and .html (libssl +
#   libcrypto grouped by version; fails when a release makes a required
#   relocation fail) and BUNDLE (default $OUTPUT/sslsniff.ucb: the OpenSSL
#   entries alone).  -m: first add every entry of each PART archive.
# Version rules: libcrypto's own "OpenSSL 3.0.20 ..." text; libssl reads it
# from its DT_NEEDED libcrypto (only when the caller follows DT_NEEDED).
openssl_rules_crypto=('rodata:OpenSSL ')
openssl_rules_ssl=('needed:libcrypto.so.3:OpenSSL ' 'needed:libcrypto.so.1.1:OpenSSL ')

# openssl_merge ARCHIVE PART BUNDLE OBJ: the report over PART's OpenSSL
# releases (libssl + libcrypto grouped by version) into ARCHIVE, the
# verdict, and BUNDLE from PART (the OpenSSL entries alone: a tool ships
# what it traces).
openssl_merge() {
	local a=$1 part=$2 bundle=$3 obj=$4
	(cd "$part" && "$ucorebtf" report "$obj" libssl libcrypto --group-by-version -f md \
		-o "$a/openssl-report.md.tmp" --strict) || {
		rm -f "$a/openssl-report.md.tmp"
		echo "Error: $a: an OpenSSL release fails a required relocation of $obj (see ucorebtf report)" >&2
		return 1
	}
	(cd "$part" && "$ucorebtf" report "$obj" libssl libcrypto --group-by-version -f html \
		-o "$a/openssl-report.html")
	mv "$a/openssl-report.md.tmp" "$a/openssl-report.md"
	"$ucorebtf" archive verify "$a" >/dev/null
	mkdir -p "$(dirname "$bundle")"
	"$ucorebtf" bundle create "$part" -o "$bundle"
}

openssl_main() {
	local archive=$root/archive out=${OUTPUT:-$root/build} merge_only=0 bundle opt versions v d p
	local btfs=() rels=() ucorebtf obj tmp
	ucorebtf=${UCOREBTF:-$out/ucorebtf}
	obj=$out/bpf/sslsniff.bpf.o
	bundle=$out/sslsniff.ucb
	OPTIND=1
	while getopts "a:b:m" opt; do
		case $opt in
		a) archive=$OPTARG ;;
		b) bundle=$OPTARG ;;
		m) merge_only=1 ;;
		*) echo "usage: $0 openssl [-a ARCHIVE] [-b BUNDLE] [VERSION...] | openssl -a ARCHIVE [-b BUNDLE] -m [PART...]" >&2
		   return 2 ;;
		esac
	done
	shift $((OPTIND - 1))
	for f in "$ucorebtf" "$obj"; do
		[ -e "$f" ] || { echo "Error: $f: not built (run make)" >&2; return 1; }
	done
	mkdir -p "$archive"
	archive=$(cd "$archive" && pwd)
	obj=$(cd "$(dirname "$obj")" && pwd)/$(basename "$obj")
	# The OpenSSL entries are made (or merged from the parts) in a scratch
	# archive first: the report and the bundle are over them alone.
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' RETURN
	if [ $merge_only = 1 ]; then
		for p in "$@"; do
			"$ucorebtf" archive merge "$tmp" "$p" >/dev/null
		done
	else
		versions=${*:-$(bash "$root/scripts/openssl-build.sh" -l)}
		UCOREBTF=$ucorebtf bash "$root/scripts/openssl-build.sh" $versions
		for v in $versions; do
			d=$(bash "$root/scripts/openssl-build.sh" -d "$v")
			btfs+=("$d/libssl-$v.btf" "$d/libcrypto-$v.btf")
			rels+=(--release "$d/libssl-$v.btf,$d/libcrypto-$v.btf")
		done
		"$ucorebtf" gen min "$obj" "${btfs[@]}" "${rels[@]}" -o "$tmp" --archive >/dev/null
		"$ucorebtf" archive rule "$tmp" libcrypto "${openssl_rules_crypto[@]}"
		"$ucorebtf" archive rule "$tmp" libssl "${openssl_rules_ssl[@]}"
	fi
	[ $# -eq 0 ] && [ $merge_only = 0 ] && rm -rf "$archive/libssl" "$archive/libcrypto"
	"$ucorebtf" archive merge "$archive" "$tmp" >/dev/null
	if [ $# -eq 0 ] || [ $merge_only = 1 ]; then
		openssl_merge "$archive" "$tmp" "$bundle" "$obj" || return 1
	fi
	echo "regen: $(grep -c '^libssl' "$tmp/index.tsv") OpenSSL release(s) -> $archive" >&2
}

if [ "${1:-}" = openssl ]; then
	shift
	openssl_main "$@"
	exit
fi
# ---- Lua -------------------------------------------------------------------
archive=$root/archive
cache=${UCOREBTF_LUA_CACHE:-$root/build/lua}
out=${OUTPUT:-$root/build}
ucorebtf=${UCOREBTF:-$out/ucorebtf}
obj=$out/bpf/lua.bpf.o
bundle=$out/lua.ucb
merge_only=0
release=
# The probe each distribution library's entries are minimised for.
declare -A dist_obj=([lua]=$out/bpf/lua.bpf.o [libc]=$out/bpf/glibc_tls.bpf.o)
# How the runtime reads the version of a Lua build whose build-id the bundle
# does not record (docs/runtime.md): the string of the lua_ident symbol,
# "$Lua: Lua 5.1.5 ..." in 5.1, "$LuaVersion: Lua 5.4.7 ..." since 5.2.
lua_rules=('symbol:lua_ident:$Lua: Lua ' 'symbol:lua_ident:$LuaVersion: Lua ')

while getopts "a:b:c:mr:" opt; do
	case $opt in
	a) archive=$OPTARG ;;
	b) bundle=$OPTARG ;;
	c) cache=$OPTARG ;;
	m) merge_only=1 ;;
	r) release=$OPTARG ;;
	*) echo "usage: $0 [-a ARCHIVE] [-c CACHE] [-b BUNDLE] [VERSION...] | [-a ARCHIVE] -r RELEASE | -a ARCHIVE [-b BUNDLE] -m [PART...]" >&2
	   exit 2 ;;
	esac
done
shift $((OPTIND - 1))

for f in "$ucorebtf" "$obj" "${dist_obj[@]}"; do
	[ -e "$f" ] || { echo "Error: $f: not built (run make)" >&2; exit 1; }
done

# add_part PART: every entry (same fields), needs file and version rule of archive PART
# into ARCHIVE; the archive module reads PART's layout.
add_part() {
	"$ucorebtf" archive merge "$archive" "$1"
}

# report LIB OBJ: ARCHIVE/LIB-report.md over every release of LIB; fails
# when a release fails a required relocation of OBJ.
report() {
	local lib=$1 o=$2
	(cd "$archive" && "$ucorebtf" report "$o" "$lib" -f md -o "$lib-report.md.tmp" --strict) || {
		rm -f "$archive/$lib-report.md.tmp"
		echo "Error: $archive/$lib: a release fails a required relocation of $o (see ucorebtf report)" >&2
		return 1
	}
	mv "$archive/$lib-report.md.tmp" "$archive/$lib-report.md"
}

# merge: the reports over every Lua and libc release in the archive, the verdict, the bundle.
merge() {
	if [ ! -d "$archive/lua" ]; then
		echo "Error: $archive/lua: no such directory" >&2
		return 1
	fi
	report lua "$obj"
	[ ! -d "$archive/libc" ] || report libc "${dist_obj[libc]}"
	"$ucorebtf" archive verify "$archive" >/dev/null
	mkdir -p "$(dirname "$bundle")"
	"$ucorebtf" bundle create "$archive" -o "$bundle"
}

# dist [-r RELEASE]: the distribution entries (all pinned, or RELEASE's),
# each library's for its probe, and their dist.tsv lines.
dist() {
	local lib
	for lib in $(awk '!/^#/ && NF { print $1 }' "$root/scripts/dist-versions.txt" | sort -u); do
		if [ -n "$release" ] && ! awk -v l="$lib" -v r="$release" '$1 == l && $5 == r { f = 1 } END { exit !f }' \
			"$root/scripts/dist-versions.txt"; then
			continue
		fi
		UCOREBTF=$ucorebtf bash "$root/scripts/ingest-debian.sh" -p ${release:+-r "$release"} \
			-a "$archive" -b "${dist_obj[$lib]}" "$lib" >/dev/null || return 1	# set -e is off in `dist && merge`
	done
}

if [ $merge_only = 1 ]; then
	mkdir -p "$archive"
	for part in "$@"; do
		add_part "$part"
	done
	merge
	exit
fi

if [ -n "$release" ]; then
	mkdir -p "$archive"
	dist
	echo "regen: Debian $release's distribution entries -> $archive" >&2
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
# All releases: the Lua and libc entries from scratch, so unlisted releases leave.
if [ $# -eq 0 ]; then
	for lib in lua libc; do
		: >"$tmp/none"
		[ ! -f "$archive/index.tsv" ] || "$ucorebtf" archive dist "$archive" "$lib" "$tmp/none"
		rm -rf "${archive:?}/$lib"
	done
	rm -f "$archive/libc-report.md"
fi
# Entries (keyed by the gen btf metadata: build-id, soname) and the probe's
# kernel needs straight into the archive, verified.
"$ucorebtf" gen min "$obj" "${btfs[@]}" -o "$archive" --archive >"$tmp/gen-min.log"
"$ucorebtf" archive rule "$archive" lua "${lua_rules[@]}"
[ $# -eq 0 ] && dist && merge
echo "regen: $(wc -w <<<"$versions") Lua release(s) -> $archive" >&2
