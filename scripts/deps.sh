#!/usr/bin/env bash
# Install the Debian packages ucorebtf needs, only those missing, and make sure
# deb-src entries exist so scripts/fetch-libbpf.sh can use `apt-get source`.
set -euo pipefail

PKGS="clang llvm python3 libelf-dev zlib1g-dev liblzma-dev libdw-dev libdebuginfod-dev debuginfod elfutils dwarves bpftool pkg-config dpkg-dev make gcc xz-utils time g++ dwz libpython3.11-dbg"
# jq for test helpers; chromium renders the report HTML in tests/cli/t_lua_report.sh;
# python3-yaml parses .github/workflows/regen.yml in tests/cli/t_lua_workflow.sh.
PKGS="$PKGS jq chromium python3-yaml"
# Debian's own libbpf (1.1): libucorebtf must link with an application's libbpf.
PKGS="$PKGS libbpf-dev"
# A real OpenSSL 3 layout (libssl.so.3 -> DT_NEEDED libcrypto.so.3) for
# version selection in tests/e2e/t_runtime.sh.
PKGS="$PKGS libssl3"
# clang's libFuzzer runtime (libclang_rt.fuzzer) for the harnesses in
# tests/fuzz/ (make fuzz, tests/cli/t_fuzz.sh): pulls libclang-rt-14-dev.
PKGS="$PKGS libclang-rt-dev"
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
# Lua 5.3.3 and 5.4.2 (scripts/lua-versions.txt) are served by bullseye only.
if ! grep -qs '^Suites:.*bullseye' "$SRC_LIST" &&
   ! grep -rqsE '^deb-src .* bullseye' /etc/apt/sources.list /etc/apt/sources.list.d/; then
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
Suites: bullseye bookworm trixie sid
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
