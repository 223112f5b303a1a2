#!/usr/bin/env bash
# Lua demo: one probe object on every Lua release of scripts/lua-versions.txt.
# For each release: what the probe reads (blob from archive/lua by build-id,
# merged with the running kernel's BTF) next to what the release's lstate.h
# says, then the compatibility matrix.  Needs root and `make` first.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
B=${OUTPUT:-$root/build}
U=$B/ucorebtf
cache=${UCOREBTF_LUA_CACHE:-$B/lua}
script=$root/examples/lua/probe.lua
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

UCOREBTF=$U bash "$root/scripts/lua-build.sh" -o "$cache"
for v in $(bash "$root/scripts/lua-build.sh" -l); do
	lib=$(echo "$cache/$v"/liblua5.?.so.$v)
	bid=$(readelf -n "$lib" | sed -n 's/.*Build ID: *//p')
	meta=$(grep -l "^build_id=$bid\$" "$root"/archive/lua/*/*/meta | head -n1 || true)
	if [ -z "$meta" ]; then
		echo "lua $v: no archive/lua entry for build-id $bid (run scripts/regen.sh)"
		continue
	fi
	"$U" merge "$(dirname "$meta")/lua-$v.btf" -o "$tmp/$v.btf"
	echo "== Lua $v ($(stat -c %s "$(dirname "$meta")/lua-$v.btf")-byte blob)"
	"$B/examples/lua/loader" -b "$tmp/$v.btf" "$B/bpf/lua.bpf.o" "$lib" "$cache/$v/lua" "$script"
	echo "  lstate.h says:   $("$cache/$v/lua-gt" "$script" 2>&1 >/dev/null)"
done
echo
"$U" report "$B/bpf/lua.bpf.o" "$root/archive"
