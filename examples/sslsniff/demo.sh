#!/usr/bin/env bash
# sslsniff demo (`make demo-ssl`): one probe object and one bundle on the
# OpenSSL releases of scripts/openssl-versions.txt.  For each release (or
# only the openssl command given as OPENSSL=PATH), the loader picks the
# bundle entries of its libssl and libcrypto by build-id and prints the
# plaintext that release's own s_server and s_client exchange over TLS 1.3,
# then the compatibility matrix.  Needs root and `make` first.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
B=${OUTPUT:-$root/build}
U=$B/ucorebtf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

UCOREBTF=$U bash "$root/scripts/openssl-build.sh"
"$U" bundle create "$root/archive" -o "$tmp/all.ucb"
echo "bundle: $(stat -c %s "$tmp/all.ucb") bytes ($(grep -c '^lib\(ssl\|crypto\)	' "$root/archive/index.tsv") OpenSSL entries)"
if [ -n "${OPENSSL:-}" ]; then
	bins=$OPENSSL
else
	bins=$(for v in $(bash "$root/scripts/openssl-build.sh" -l); do
		echo "$(bash "$root/scripts/openssl-build.sh" -d "$v")/openssl"; done)
fi
for o in $bins; do
	echo
	echo "== $(LD_LIBRARY_PATH=$(dirname "$o") "$o" version)"
	"$B/examples/sslsniff/loader" -B "$tmp/all.ucb" "$B/bpf/sslsniff.bpf.o" "$o" \
		python3 "$root/examples/sslsniff/exchange.py" "$o" 1.3 "$tmp/x" 2>&1
	rm -rf "$tmp/x"
done
echo
(cd "$root/archive" && "$U" report "$B/bpf/sslsniff.bpf.o" libssl libcrypto --group-by-version)
