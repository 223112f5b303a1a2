#!/usr/bin/env bash
# Fetch libbpf's source from Debian's source package, pinned and checksummed.
# usage: fetch-libbpf.sh DESTDIR   (DESTDIR/src/Makefile exists afterwards)
# The tarball is kept in the download cache (scripts/apt-src.sh:
# /var/cache/ucorebtf/dl/<sha256>/), outside the clone, and fetched through
# the private deb-src configuration derived from the machine's Debian entry.
# LIBBPF_TARBALL=FILE: use this libbpf_1.5.0.orig.tar.gz (offline builds),
# checked against the same pin, instead of the cache or `apt-get source`.
set -euo pipefail
. "$(dirname "$0")/apt-src.sh"

UPSTREAM=1.5.0
SHA256=53492aff6dd47e4da04ef5e672d753b9743848bdb38e9d90eafbe190b7983c44
dest=$1

if [ -n "${LIBBPF_TARBALL:-}" ]; then
	tarball=$LIBBPF_TARBALL
	[ -f "$tarball" ] || { echo "Error: $tarball: No such file (LIBBPF_TARBALL)" >&2; exit 1; }
	if ! ucb_sha_ok "$tarball" "$SHA256"; then
		echo "Error: $tarball: sha256 mismatch (expected $SHA256)" >&2
		exit 1
	fi
else
	tarball=$(ucb_fetch_orig libbpf "$UPSTREAM" "$SHA256")
fi
rm -rf "$dest.tmp"
mkdir -p "$dest.tmp"
tar -xzf "$tarball" -C "$dest.tmp" --strip-components=1
rm -rf "$dest"
mv "$dest.tmp" "$dest"
