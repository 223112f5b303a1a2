#!/usr/bin/env bash
# Lua demo: one probe object and one bundle on every Lua release of
# scripts/lua-versions.txt.  For each release: what the probe reads (BTF
# prepared from the bundle of archive/, entry picked by build-id) next to what
# the release's lstate.h says, then the compatibility matrix.  Needs root and
# `make` first.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
B=${OUTPUT:-$root/build}
U=$B/ucorebtf
cache=${UCOREBTF_LUA_CACHE:-$B/lua}
script=$root/examples/lua/probe.lua
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

UCOREBTF=$U bash "$root/scripts/lua-build.sh" -o "$cache"
"$U" bundle create "$root/archive" -o "$tmp/lua.ucb"
echo "bundle: $(stat -c %s "$tmp/lua.ucb") bytes"
for v in $(bash "$root/scripts/lua-build.sh" -l); do
	lib=$(echo "$cache/$v"/liblua5.?.so.$v)
	how=$("$U" prepare -j --bundle "$tmp/lua.ucb" --obj "$B/bpf/lua.bpf.o" "$lib" -o "$tmp/$v.btf" |
		sed -n 's/.*"version":"\([^"]*\)".*"how":"\([^"]*\)".*/\1 by \2/p')
	echo "== Lua $v (entry $how, $(stat -c %s "$tmp/$v.btf")-byte btf_custom_path)"
	"$B/examples/lua/loader" -b "$tmp/$v.btf" "$B/bpf/lua.bpf.o" "$lib" "$cache/$v/lua" "$script"
	echo "  lstate.h says:   $("$cache/$v/lua-gt" "$script" 2>&1 >/dev/null)"
done
echo
"$U" report "$B/bpf/lua.bpf.o" "$root/archive"
