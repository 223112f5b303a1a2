#!/usr/bin/env bash
# Install the Debian packages ucorebtf needs, only those missing.
#
# usage: scripts/deps.sh [--test] [--dry-run]
#   (none)     what `make` needs to build everything (`make` runs this)
#   --test     that and what the test suite needs (`make test` runs this)
#   --dry-run  print one line per package, "SET PACKAGE installed|missing",
#              and the deb-src lines scripts/apt-src.sh would use; change nothing
#
# Source packages (libbpf, Lua) are not this script's business: they come
# through scripts/apt-src.sh's private apt configuration, derived from the
# machine's own Debian entry; the system's sources are left as they are.
set -euo pipefail

# Build: compilers, the libraries src/ links, bpftool for vmlinux.h,
# llvm-strip for the BPF objects, dpkg-dev for `apt-get source`,
# python3 and python3-docutils for rst2man (the man pages, docs/man/*.rst).
BUILD_PKGS="make gcc clang llvm pkg-config libelf-dev zlib1g-dev liblzma-dev libdw-dev
	libdebuginfod-dev bpftool dpkg-dev python3 python3-docutils"
# Tests only (grep tests/ for the command to see who needs what):
#   jq                   most CLI and e2e scripts (python3 too: a build package)
#   chromium             renders the report HTML (tests/cli/t_lua_report.sh)
#   python3-yaml         parses .github/workflows/regen.yml (tests/cli/t_lua_workflow.sh)
#   dwz, g++             DWARF inputs of tests/cli/t_encoder.sh
#   libpython3.11-dbg    a large real DWARF input (tests/cli/t_encoder_pahole.sh, bench-btf)
#   dwarves              pahole, the reference encoder (gen btf --via pahole)
#   debuginfod, elfutils a real debuginfod server (tests/cli/t_encoder_debuginfod.sh)
#   libbpf-dev           Debian's libbpf 1.1: libucorebtf links with an application's
#                        libbpf (tests/e2e/t_runtime_libbpf11.sh)
#   libssl3              a real OpenSSL 3 layout, libssl.so.3 -> DT_NEEDED libcrypto.so.3
#                        (tests/e2e/t_runtime.sh)
#   strace               which files a build opens (tests/build/t_build.sh)
#   xz-utils, time       bundle tests, scripts/bench-*.sh
#   libclang-rt-dev      libFuzzer's runtime for clang -fsanitize=fuzzer (tests/cli/t_fuzz.sh)
#   golang-go, golang-github-cilium-ebpf-dev
#                        the Go loader examples/go/ on Debian's Go 1.19 and cilium/ebpf
#                        0.9.1, GOPATH mode, no network (tests/e2e/t_go_example.sh)
#   man-db, bash-completion
#                        `man -l` renders each page; the completion script runs on
#                        bash-completion's helpers (tests/build/t_man_sync.sh)
TEST_PKGS="jq chromium python3-yaml dwz g++ libpython3.11-dbg dwarves debuginfod
	elfutils libbpf-dev libssl3 strace xz-utils time libclang-rt-dev
	golang-go golang-github-cilium-ebpf-dev man-db bash-completion"

want_test=0 dry=0
for a in "$@"; do
	case $a in
	--test) want_test=1 ;;
	--dry-run) dry=1 ;;
	*) echo "usage: $0 [--test] [--dry-run]" >&2; exit 2 ;;
	esac
done

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

sets="build"
[ $want_test = 1 ] && sets="build test"
missing=""
for set in $sets; do
	if [ "$set" = build ]; then pkgs=$BUILD_PKGS; else pkgs=$TEST_PKGS; fi
	for p in $pkgs; do
		if installed "$p"; then state=installed; else state=missing missing="$missing $p"; fi
		[ $dry = 1 ] && echo "$set $p $state"
	done
done

if [ $dry = 1 ]; then
	bash "$(dirname "$0")/apt-src.sh" sources | sed 's/^/source /'
	exit 0
fi
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "Error: missing packages:$missing (run scripts/deps.sh$([ $want_test = 1 ] && echo ' --test') as root)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
echo "deps: installing$missing"
apt-get install -y -qq --no-install-recommends $missing >/dev/null
