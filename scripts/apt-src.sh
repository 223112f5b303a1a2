#!/usr/bin/env bash
# Debian source packages through a private apt configuration, and a download
# cache keyed by checksum.  Sourced by scripts/fetch-libbpf.sh,
# scripts/lua-build.sh and scripts/deps.sh: the one place that knows how
# ucorebtf gets upstream tarballs.
#
# The deb-src entries are derived from the machine's own Debian entry
# (Dir::Etc::sourcelist and sourceparts, as apt reads them): same mirror,
# same Signed-By, other suites.  They are written to a sources file of our
# own and used with private lists, so the system's apt configuration and
# state are never touched (no `apt-get update` of the system's lists).
#
#   $UCOREBTF_CACHE (default /var/cache/ucorebtf, else ~/.cache/ucorebtf
#   when that is not writable):
#     dl/<sha256>/<file>   verified downloads (libbpf, Lua tarballs)
#     apt/                 sources.list, lists/, cache/ (override: $UCOREBTF_APT_DIR)
#
#     apt-bin/             the same for binary packages (deb lines; $UCOREBTF_APT_BIN_DIR)
#     dl/<sha256>/<pkg>_<ver>_<arch>.deb   verified .debs (scripts/ingest-debian.sh)
#
# Binary packages of other releases (ucb_fetch_deb): deb lines for the same
# suites in a second private configuration (apt-bin/), so the deb-src lists
# other scripts share are not refreshed for them.  `apt-get download` only
# reads dpkg's status; nothing is installed.
#
# Run directly for a look: apt-src.sh sources | bin-sources | dl-dir | apt-dir
# | showsrc PKG | fetch PKG UPSTREAM SHA256 | madison PKG | fetch-deb PKG VERSION.

# Suites whose source packages the pins need: Lua 5.3.3 and 5.4.2 are in
# bullseye only, libbpf 1.5.0 in trixie (scripts/lua-versions.txt).
UCB_SRC_SUITES="bullseye bookworm trixie sid"

ucb_cache_dir() {
	local d=${UCOREBTF_CACHE:-/var/cache/ucorebtf}

	if [ -z "${UCOREBTF_CACHE:-}" ] && ! { mkdir -p "$d" && [ -w "$d" ]; } 2>/dev/null; then
		d=${XDG_CACHE_HOME:-$HOME/.cache}/ucorebtf
	fi
	echo "$d"
}

ucb_dl_dir() { echo "$(ucb_cache_dir)/dl"; }
ucb_apt_dir() { echo "${UCOREBTF_APT_DIR:-$(ucb_cache_dir)/apt}"; }
ucb_apt_bin_dir() { echo "${UCOREBTF_APT_BIN_DIR:-$(ucb_cache_dir)/apt-bin}"; }
# The private configuration in use: source packages, or binary with UCB_APT_KIND=bin.
ucb_apt_cur_dir() { if [ "${UCB_APT_KIND:-src}" = bin ]; then ucb_apt_bin_dir; else ucb_apt_dir; fi; }

# The system's Debian archive entry as "URI SIGNED-BY" (SIGNED-BY "-" when
# the entry names no keyring file): the first enabled deb or deb-src entry
# with component main and a plain Debian suite (not -security, -updates...).
ucb_debian_entry() {
	local SL SP f
	eval "$(apt-config shell SL Dir::Etc::sourcelist/f SP Dir::Etc::sourceparts/d)"
	SL=${SL:-/etc/apt/sources.list} SP=${SP:-/etc/apt/sources.list.d/}
	for f in "$SL" "$SP"*.list "$SP"*.sources; do
		[ -f "$f" ] || continue
		case $f in
		*.sources) ucb_entry_deb822 <"$f" ;;
		*) ucb_entry_oneline <"$f" ;;
		esac
	done | awk "NR == 1"	# reads all: no SIGPIPE under pipefail
}

# A plain Debian suite: a codename or an alias, no pocket suffix.
ucb_is_debian_suite() {
	case $1 in
	*-*) return 1 ;;
	buster | bullseye | bookworm | trixie | forky | duke | sid | \
	oldoldstable | oldstable | stable | testing | unstable) return 0 ;;
	esac
	return 1
}

# deb [signed-by=/k.gpg arch=amd64] URI SUITE COMPONENT...
ucb_entry_oneline() {
	local line type opts uri suite comps key
	while read -r line; do
		line=${line%%#*}
		[[ $line =~ ^(deb|deb-src)[[:space:]]+(\[([^]]*)\][[:space:]]+)?([^[:space:]]+)[[:space:]]+([^[:space:]]+)(.*)$ ]] || continue
		opts=${BASH_REMATCH[3]} uri=${BASH_REMATCH[4]} suite=${BASH_REMATCH[5]} comps=" ${BASH_REMATCH[6]} "
		ucb_is_debian_suite "$suite" && [[ $comps == *" main "* ]] || continue
		key=-
		[[ " $opts " =~ [[:space:]]signed-by=(/[^[:space:]]+) ]] && key=${BASH_REMATCH[1]}
		echo "$uri $key"
	done
}

# deb822 stanzas: Types, URIs, Suites, Components, Signed-By, Enabled.
ucb_entry_deb822() {
	awk '
	function flush(  n, s, i, u) {
		if (types ~ /(^| )deb(-src)?( |$)/ && enabled != "no" && (" " comps " ") ~ / main /) {
			n = split(suites, s, " ")
			for (i = 1; i <= n; i++)
				if (s[i] ~ /^(buster|bullseye|bookworm|trixie|forky|duke|sid|oldoldstable|oldstable|stable|testing|unstable)$/) {
					split(uris, u, " ")
					print u[1], (key ~ /^\// ? key : "-")
					break
				}
		}
		types = uris = suites = comps = key = enabled = ""
	}
	/^#/ { next }
	/^[ \t]*$/ { flush(); next }
	/^[ \t]/ { next }	# continuation (an inline key block)
	{
		f = tolower($1); sub(/:$/, "", f); $1 = ""; sub(/^ +/, ""); v = $0
		if (f == "types") types = v
		else if (f == "uris") uris = v
		else if (f == "suites") suites = v
		else if (f == "components") comps = v
		else if (f == "signed-by") key = v
		else if (f == "enabled") enabled = tolower(v)
	}
	END { flush() }'
}

# The deb-src lines of the private sources.list (one-line format); with
# $1 = deb, the deb lines of the binary configuration (amd64 etc.: the
# machine's own architecture, apt's default).
ucb_src_lines() {
	local entry uri key suite type=${1:-deb-src}
	entry=$(ucb_debian_entry)
	if [ -z "$entry" ]; then
		echo "Error: no Debian archive entry (deb URI SUITE main) in the apt sources; cannot derive $type" >&2
		return 1
	fi
	read -r uri key <<<"$entry"
	for suite in $UCB_SRC_SUITES; do
		if [ "$key" = - ]; then
			echo "$type $uri $suite main"
		else
			echo "$type [signed-by=$key] $uri $suite main"
		fi
	done
}

# ucb_apt CMD ARGS...: apt-get or apt-cache with the private configuration.
ucb_apt() {
	local d
	d=$(ucb_apt_cur_dir)
	"$@" -o Dir::Etc::sourcelist="$d/sources.list" -o Dir::Etc::sourceparts=- \
		-o Dir::State::Lists="$d/lists" -o Dir::Cache="$d/cache"
}

# Write the private sources.list when it changed; refresh its lists when
# they are new, changed, or when $1 = force (a lookup found nothing).
ucb_apt_prepare() {
	local d lines
	d=$(ucb_apt_cur_dir)
	if [ "${UCB_APT_KIND:-src}" = bin ]; then
		lines=$(ucb_src_lines deb) || return 1
	else
		lines=$(ucb_src_lines) || return 1
	fi
	mkdir -p "$d/lists/partial" "$d/cache" || return 1
	if [ "$(cat "$d/sources.list" 2>/dev/null)" != "$lines" ]; then
		echo "$lines" >"$d/sources.list.tmp" && mv "$d/sources.list.tmp" "$d/sources.list"
		rm -f "$d/.updated"
	fi
	if [ "${1:-}" = force ] || [ ! -f "$d/.updated" ]; then
		if ! ucb_apt apt-get update -qq >"$d/update.log" 2>&1; then
			echo "Error: apt-get update of $d/sources.list failed: $(tail -n 2 "$d/update.log" | tr '\n' ' ')" >&2
			return 1
		fi
		touch "$d/.updated"
	fi
}

# ucb_apt_lookup FN ARGS...: FN's output on prepared lists, asked again once
# on freshly updated lists when it is empty (a mirror moves on).  Fails when
# the lists cannot be prepared.
ucb_apt_lookup() {
	local out
	ucb_apt_prepare || return 1
	out=$("$@")
	if [ -z "$out" ]; then
		ucb_apt_prepare force || return 1
		out=$("$@")
	fi
	echo "$out"
}

# ucb_debver PKG UPSTREAM: the newest Debian version of PKG whose upstream
# version is UPSTREAM (any revision carries the same .orig.tar.gz).
ucb_debver() {
	ucb_apt apt-cache showsrc "$1" 2>/dev/null |
		sed -n "s/^Version: \(\([0-9]*:\)\{0,1\}$2-[^ ]*\)$/\1/p" | sort -V | tail -n1
}

ucb_sha_ok() { echo "$2  $1" | sha256sum -c --quiet - >/dev/null 2>&1; }

# ucb_fetch_orig PKG UPSTREAM SHA256: prints the path of the verified
# PKG_UPSTREAM.orig.tar.gz in the download cache, fetching it with
# `apt-get source --download-only` when it is missing or does not verify.
ucb_fetch_orig() {
	local pkg=$1 ver=$2 sha=$3 dir file debver tmp lock
	dir=$(ucb_dl_dir)/$sha
	file=$dir/${pkg}_$ver.orig.tar.gz
	if [ -f "$file" ] && ucb_sha_ok "$file" "$sha"; then
		echo "$file"
		return 0
	fi
	mkdir -p "$(ucb_dl_dir)" || return 1
	# One fetcher at a time: parallel makes share the lists and the cache.
	exec {lock}>"$(ucb_dl_dir)/.lock"
	flock "$lock"
	(
		set -e
		if [ -f "$file" ] && ucb_sha_ok "$file" "$sha"; then exit 0; fi
		debver=$(ucb_apt_lookup ucb_debver "$pkg" "$ver")
		if [ -z "$debver" ]; then
			echo "Error: $pkg $ver: no Debian source package in $(ucb_apt_dir)/sources.list (suites $UCB_SRC_SUITES)" >&2
			exit 1
		fi
		tmp=$(mktemp -d "$(ucb_dl_dir)/.tmp.XXXXXX")
		chmod 755 "$tmp"	# apt downloads as _apt
		# The .dsc or packaging tarball may 404 on some mirrors; the
		# upstream tarball is all we need, and its checksum is pinned.
		(cd "$tmp" && ucb_apt apt-get source --download-only "$pkg=$debver" >/dev/null 2>&1) || true
		if [ ! -f "$tmp/${pkg}_$ver.orig.tar.gz" ]; then
			rm -rf "$tmp"
			echo "Error: $pkg $ver: apt-get source $pkg=$debver did not deliver ${pkg}_$ver.orig.tar.gz" >&2
			exit 1
		fi
		if ! ucb_sha_ok "$tmp/${pkg}_$ver.orig.tar.gz" "$sha"; then
			rm -rf "$tmp"
			echo "Error: ${pkg}_$ver.orig.tar.gz: sha256 mismatch (expected $sha)" >&2
			exit 1
		fi
		mkdir -p "$dir"
		mv -f "$tmp/${pkg}_$ver.orig.tar.gz" "$file"
		rm -rf "$tmp"
	)
	local rc=$?
	exec {lock}>&-
	[ $rc = 0 ] && echo "$file"
	return $rc
}

# ucb_madison PKG: "VERSION SUITE" per line, each Debian version of binary
# package PKG (the machine's architecture) the private deb lists carry.
ucb_madison() {
	UCB_APT_KIND=bin ucb_apt apt-cache madison "$1" 2>/dev/null |
		awk -F' [|] ' '$3 ~ / Packages$/ { split($3, a, " "); sub("/.*", "", a[2]); gsub(/ /, "", $2); print $2, a[2] }'
}

# ucb_deb_field PKG VERSION FIELD: one field of PKG=VERSION's Packages stanza.
ucb_deb_field() {
	UCB_APT_KIND=bin ucb_apt apt-cache show "$1=$2" 2>/dev/null |
		awk -v f="$3:" '!done && $1 == f { print $2; done = 1 }'	# reads all: no SIGPIPE under pipefail
}

# ucb_deb_sha PKG VERSION: the SHA256 the Packages index gives PKG=VERSION,
# remembered in apt-bin/sha256.memo (apt-cache reads all four suites' lists
# on every call: seconds each).  A Debian version's .deb never changes, so
# the memo outlives list refreshes; the download is checked against it.
ucb_deb_sha() {
	local memo sha
	memo=$(ucb_apt_bin_dir)/sha256.memo
	sha=$(awk -v p="$1" -v v="$2" '$1 == p && $2 == v { print $3; exit }' "$memo" 2>/dev/null)
	if [ -z "$sha" ]; then
		sha=$(ucb_deb_field "$1" "$2" SHA256)
		[ -z "$sha" ] || echo "$1 $2 $sha" >>"$memo"
	fi
	echo "$sha"
}

# ucb_fetch_deb PKG VERSION: prints the path of the verified .deb of binary
# package PKG=VERSION in the download cache (dl/<sha256>/, the SHA256 the
# Packages index gives), downloading it with `apt-get download` when it is
# missing.  Fails with one line when no listed suite serves that version.
ucb_fetch_deb() {
	local pkg=$1 ver=$2 sha file dir tmp lock got
	mkdir -p "$(ucb_dl_dir)" || return 1
	exec {lock}>"$(ucb_dl_dir)/.lock"
	flock "$lock"
	(
		set -e
		export UCB_APT_KIND=bin
		sha=$(ucb_apt_lookup ucb_deb_sha "$pkg" "$ver")
		if [ -z "$sha" ]; then
			echo "Error: $pkg $ver: no longer served by the Debian mirror (suites $UCB_SRC_SUITES in $(ucb_apt_bin_dir)/sources.list)" >&2
			exit 1
		fi
		dir=$(ucb_dl_dir)/$sha
		file=$(ls "$dir"/*.deb 2>/dev/null | awk "NR == 1" || true)
		if [ -n "$file" ] && ucb_sha_ok "$file" "$sha"; then
			echo "$file"
			exit 0
		fi
		tmp=$(mktemp -d "$(ucb_dl_dir)/.tmp.XXXXXX")
		chmod 755 "$tmp"	# apt downloads as _apt
		if ! (cd "$tmp" && ucb_apt apt-get download -qq "$pkg=$ver" >"$tmp/log" 2>&1); then
			echo "Error: $pkg $ver: apt-get download failed: $(grep -m1 -E '^(E|Err)' "$tmp/log" || tail -n1 "$tmp/log")" >&2
			rm -rf "$tmp"
			exit 1
		fi
		got=$(ls "$tmp"/*.deb | awk "NR == 1")
		if ! ucb_sha_ok "$got" "$sha"; then
			rm -rf "$tmp"
			echo "Error: $pkg $ver: sha256 mismatch with the Packages index (expected $sha)" >&2
			exit 1
		fi
		mkdir -p "$dir"
		mv -f "$got" "$dir/"
		rm -rf "$tmp"
		echo "$dir/$(basename "$got")"
	)
	local rc=$?
	exec {lock}>&-
	return $rc
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	case ${1:-} in
	sources) ucb_src_lines ;;
	bin-sources) ucb_src_lines deb ;;
	madison) UCB_APT_KIND=bin ucb_apt_prepare && ucb_madison "$2" ;;
	fetch-deb) ucb_fetch_deb "$2" "$3" ;;
	dl-dir) ucb_dl_dir ;;
	apt-dir) ucb_apt_dir ;;
	showsrc) ucb_apt_prepare && ucb_apt apt-cache showsrc "$2" ;;
	fetch) ucb_fetch_orig "$2" "$3" "$4" ;;
	*) echo "usage: $0 sources | bin-sources | dl-dir | apt-dir | showsrc PKG | fetch PKG UPSTREAM SHA256 | madison PKG | fetch-deb PKG VERSION" >&2; exit 2 ;;
	esac
fi
