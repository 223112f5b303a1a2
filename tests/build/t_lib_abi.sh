# libucorebtf.so's ABI: it exports exactly the functions include/ucorebtf.h
# declares, each under the version node of src/lib/libucorebtf.map, and the
# version script keeps internal symbols local even when they are visible.
. "$TESTS_DIR/lib.sh"
ROOT=$TESTS_DIR/..
SO=$B/libucorebtf.so
MAP=$ROOT/src/lib/libucorebtf.map

[ -f "$SO" ] || { failt "lib abi: $SO not built"; exit 0; }
# Functions the public header declares (comments removed: its usage example
# calls some of them).
declared=$(python3 - "$ROOT/include/ucorebtf.h" <<'PY'
import re, sys
s = re.sub(r'/\*.*?\*/', '', open(sys.argv[1]).read(), flags=re.S)
print('\n'.join(sorted(set(re.findall(r'\b(ucorebtf_\w+)\s*\(', s)))))
PY
)
syms=$(nm -D --defined-only "$SO")
exported=$(awk '$2 != "A" { print $3 }' <<<"$syms" | sed 's/@.*//' | sort -u)
[ -n "$declared" ] && [ "$declared" = "$exported" ] &&
	pass "lib abi: libucorebtf.so exports exactly the $(wc -l <<<"$declared") functions of ucorebtf.h" ||
	failt "lib abi: exported vs declared: $(diff <(echo "$declared") <(echo "$exported") | grep '^[<>]' | head -5 | tr '\n' ' ')"
bad=$(awk '$2 != "A" && $3 !~ /^ucorebtf_[a-z0-9_]*@@LIBUCOREBTF_[0-9.]*$/' <<<"$syms" | head -3)
[ -z "$bad" ] && grep -q ' A LIBUCOREBTF_0\.1$' <<<"$syms" &&
	pass "lib abi: every export is ucorebtf_* under the LIBUCOREBTF_0.1 version node" ||
	failt "lib abi: unversioned or foreign exports: $bad"
[ "$(readelf -d "$SO" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')" = libucorebtf.so.0 ] &&
	pass "lib abi: soname libucorebtf.so.0" || failt "lib abi: soname: $(readelf -d "$SO" | grep SONAME)"

# The script itself: a visible internal function stays local.
cat > leak.c <<'C'
__attribute__((visibility("default"))) int ucb_internal(void) { return 1; }
__attribute__((visibility("default"))) int ucorebtf_public(void) { return ucb_internal(); }
C
cc -shared -fPIC -Wl,--version-script="$MAP" leak.c -o leak.so 2>cc.err &&
	s=$(nm -D --defined-only leak.so) && ! grep -q ucb_internal <<<"$s" && grep -q 'ucorebtf_public@@LIBUCOREBTF_0.1' <<<"$s" &&
	pass "lib abi: the version script hides a visible ucb_* function" || failt "lib abi: version script: $(cat cc.err) $s"

# Programs link and run against the versioned library.
cat > use.c <<'C'
#include <stdio.h>
#include "ucorebtf.h"
int main(void)
{
	const char *l = "x", *v = "x", *a = "x";

	return ucorebtf_bundle__entry(NULL, 0, &l, &v, &a) == -22 && !l && !v && !a &&
	       ucorebtf_bundle__open_mem("", 0, NULL) == NULL && ucorebtf_errmsg()[0] ? 0 : 1;
}
C
cc -I"$ROOT/include" use.c -L"$B" -lucorebtf -Wl,-rpath,"$B" "$B/libbpf/libbpf.a" -lelf -lz -llzma -o use 2>cc2.err &&
	./use && objdump -T use | grep -q '(LIBUCOREBTF_0\.1) *ucorebtf_bundle__entry$' &&
	pass "lib abi: a program binds ucorebtf_* at version LIBUCOREBTF_0.1" || failt "lib abi: use: $(cat cc2.err)"
