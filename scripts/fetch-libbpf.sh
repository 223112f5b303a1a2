#!/usr/bin/env bash
# Fetch libbpf's source from Debian's source package, pinned and checksummed.
# usage: fetch-libbpf.sh DESTDIR   (DESTDIR/src/Makefile exists afterwards)
# LIBBPF_TARBALL=FILE: use this libbpf_1.5.0.orig.tar.gz (offline builds),
# checked against the same pin, instead of `apt-get source`.
set -euo pipefail

UPSTREAM=1.5.0
SHA256=53492aff6dd47e4da04ef5e672d753b9743848bdb38e9d90eafbe190b7983c44
dest=$1
dl="$dest.dl"
tarball="$dl/libbpf_$UPSTREAM.orig.tar.gz"

mkdir -p "$dl"
if [ -n "${LIBBPF_TARBALL:-}" ]; then
	tarball=$LIBBPF_TARBALL
	[ -f "$tarball" ] || { echo "Error: $tarball: No such file (LIBBPF_TARBALL)" >&2; exit 1; }
elif [ ! -f "$tarball" ] || ! echo "$SHA256  $tarball" | sha256sum -c --quiet - 2>/dev/null; then
	rm -f "$tarball"
	ver=$(apt-cache showsrc libbpf 2>/dev/null | sed -n "s/^Version: \(1:\)\{0,1\}\($UPSTREAM-.*\)/\2/p" | head -n1)
	if [ -z "$ver" ]; then
		echo "Error: no Debian source package for libbpf $UPSTREAM (is a trixie deb-src entry configured? run scripts/deps.sh)" >&2
		exit 1
	fi
	# The packaging tarball may 404 on some mirrors; the upstream tarball is all we need.
	(cd "$dl" && apt-get source --download-only "libbpf=$ver" >/dev/null 2>&1) || true
	if [ ! -f "$tarball" ]; then
		echo "Error: apt-get source libbpf=$ver did not deliver $tarball" >&2
		exit 1
	fi
fi
if ! echo "$SHA256  $tarball" | sha256sum -c --quiet - >/dev/null 2>&1; then
	echo "Error: $tarball: sha256 mismatch (expected $SHA256)" >&2
	exit 1
fi
rm -rf "$dest.tmp"
mkdir -p "$dest.tmp"
tar -xzf "$tarball" -C "$dest.tmp" --strip-components=1
rm -rf "$dest"
mv "$dest.tmp" "$dest"
