#!/usr/bin/env bash
# Install the Debian packages ucorebtf needs, only those missing, and make sure
# deb-src entries exist so scripts/fetch-libbpf.sh can use `apt-get source`.
set -euo pipefail

PKGS="clang llvm python3 libelf-dev zlib1g-dev liblzma-dev libdw-dev libdebuginfod-dev debuginfod elfutils dwarves bpftool pkg-config dpkg-dev make gcc xz-utils time g++ dwz libpython3.11-dbg jq"
SRC_LIST=/etc/apt/sources.list.d/ucorebtf-src.sources

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done

need_src=0
# libbpf 1.5.0 lives in trixie; any deb-src that can serve it will do.
if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null; then
	need_src=1
fi

[ -z "$missing" ] && [ $need_src = 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "Error: missing packages:$missing (run scripts/deps.sh as root)" >&2
	exit 1
fi

if [ $need_src = 1 ]; then
	cat > "$SRC_LIST" <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm trixie sid
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
if [ -n "$missing" ]; then
	echo "deps: installing$missing"
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
