# The layers (docs/layers.md), checked on the sources and the objects:
#   src/lib       libucorebtf: includes only lib/ headers, ucorebtf.h and
#                 libbpf's public headers; never prints
#   src/tool      build-time libraries: no CLI header; never prints
#   bpftool-ext   the only code with libbpf-internal headers; never prints
#   src/cli       the only layer that prints
# and: no source file over 800 lines; each format rule written once (the
# arch-name table, the GNU build-id note reader, the index line parser, the
# default kernel BTF path).
. "$TESTS_DIR/lib.sh"
ROOT=$(cd "$TESTS_DIR/.." && pwd)
cd "$ROOT" || exit 1
O=$OUTPUT/obj

# code FILE: FILE without comments (what the compiler sees, directives kept).
code() { gcc -x c -fpreprocessed -dD -E -P "$1" 2>/dev/null; }
# includes FILE: the #include targets, '"x.h"' or '<x.h>'.
includes() { code "$1" | sed -nE 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*([<"][^>"]+[>"]).*/\1/p'; }

LIBBPF_PUBLIC='<bpf/(libbpf|btf|bpf|libbpf_common|libbpf_legacy|libbpf_version)\.h>'
LIBBPF_INTERNAL='(libbpf_internal|relo_core|hashmap|strset|str_error|nlattr|btf_dump|libbpf_errno|zip)\.h'

# --- includes ---
bad=""
for f in src/lib/*.[ch]; do
	while IFS= read -r inc; do
		case $inc in
		'"lib/'*'"' | '"ucorebtf.h"') ;;
		'<bpf/'*) [[ $inc =~ ^$LIBBPF_PUBLIC$ ]] || bad="$bad $f:$inc" ;;
		'"'*) bad="$bad $f:$inc" ;;
		*) [[ $inc =~ $LIBBPF_INTERNAL ]] && bad="$bad $f:$inc" ;;
		esac
	done < <(includes "$f")
done
[ -z "$bad" ] && pass "layers: src/lib includes only lib/ headers, ucorebtf.h and libbpf's public headers" ||
	failt "layers: src/lib includes:$bad"

bad=""
for f in src/tool/*.[ch] bpftool-ext/*.[ch]; do
	while IFS= read -r inc; do
		case $inc in '"cli/'*) bad="$bad $f:$inc" ;; esac
	done < <(includes "$f")
done
[ -z "$bad" ] && pass "layers: src/tool and bpftool-ext include no CLI header" || failt "layers: below the CLI:$bad"

# Layer-prefixed includes; bpftool-ext is seen through minimize.h only.
bad=""
for f in src/tool/*.[ch] src/cli/*.[ch]; do
	while IFS= read -r inc; do
		case $inc in '"lib/'* | '"tool/'* | '"cli/'* | '"minimize.h"' | '"ucorebtf.h"' | '<'*) ;;
		*) bad="$bad $f:$inc" ;;
		esac
	done < <(includes "$f")
done
[ -z "$bad" ] && pass "layers: src/tool and src/cli include lib/, tool/, cli/ headers and bpftool-ext's minimize.h only" ||
	failt "layers: unprefixed or private includes:$bad"

bad=""
for f in src/*/*.[ch] include/*.h; do
	while IFS= read -r inc; do
		[[ $inc =~ $LIBBPF_INTERNAL || $inc == '"btf.h"' || $inc == '"libbpf.h"' ]] && bad="$bad $f:$inc"
	done < <(includes "$f")
done
[ -z "$bad" ] && pass "layers: only bpftool-ext includes libbpf-internal headers" || failt "layers: libbpf internals in:$bad"

# --- nobody below the CLI prints: the objects' undefined symbols ---
PRINTS='stdout|stderr|printf|vprintf|puts|putchar|perror|psignal|warn|warnx|vwarn|err|errx|verr|error|p_err|p_info|usage_err|__printf_chk|__vprintf_chk'
for layer in lib tool ext; do
	objs=$(ls "$O/$layer"/*.o 2>/dev/null)
	[ -n "$objs" ] || { failt "layers: no objects in $O/$layer (make first)"; continue; }
	bad=$(for o in $objs; do
		nm -u "$o" | awk -v o="${o##*/}" -v re="^($PRINTS)$" '$2 ~ re { printf " %s:%s", o, $2 }'
	done)
	[ -z "$bad" ] && pass "layers: $layer objects write nothing to stdout or stderr" ||
		failt "layers: $layer prints:$bad"
done
bad=$(nm -u "$O"/lib/*.o | grep -E ' U (bpf_core_|btf_ext__|libbpf_[a-z_]*internal|btf__[a-z_]*_internal)' | sort -u | tr '\n' ' ')
[ -z "$bad" ] && pass "layers: src/lib objects use no libbpf-internal symbol" || failt "layers: lib uses $bad"

# libucorebtf.a shares the application's namespace: ucb_* inside, ucorebtf_* public.
bad=$(nm -g --defined-only "$O"/lib/*.o | awk 'NF == 3 && $3 !~ /^(ucb|ucorebtf)_/ { printf " %s", $3 }')
[ -z "$bad" ] && pass "layers: src/lib defines global symbols named ucb_* or ucorebtf_* only" ||
	failt "layers: src/lib globals without the prefix:$bad"

# --- size ---
bad=$(wc -l src/*/*.[ch] bpftool-ext/*.[ch] include/*.h | awk '$2 != "total" && $1 > 800 { printf " %s (%d)", $2, $1 }')
[ -z "$bad" ] && pass "layers: no source file over 800 lines" || failt "layers: over 800 lines:$bad"

# --- each rule once: files whose code (comments stripped) matches ---
matching() {
	local f
	for f in src/*/*.[ch] bpftool-ext/*.[ch] include/*.h; do
		code "$f" | grep -qE -- "$1" && echo "$f"
	done
}
once() {
	local name=$1 want=$2 files
	files=$(matching "$3")
	[ "$files" = "$want" ] && pass "layers: $name is written once ($want)" ||
		failt "layers: $name: expected in $want only, found in: $(echo $files)"
}
# An e_machine mapped to a name, or an arch name as a string.
once "the arch-name table" src/lib/names.c 'EM_[A-Z0-9_]+[^;]*"[a-z0-9_]+"|"(i[3-6]86|x86_64|aarch64|ppc64le|s390x|riscv64)"'
once "the GNU build-id note reader" src/lib/elf_id.c 'NT_GNU_BUILD_ID|gelf_getnote|dwelf_elf_gnu_build_id|dwfl_module_build_id'
once "the default kernel BTF path" src/lib/names.h '"/sys/kernel/btf/vmlinux"'
# The index parser: one definition, and nobody else tokenises tab-separated
# lines (report.c's strtok_r copy, prepare.c re-reading its own TSV).  The
# archive's hand-written needs files ("kind name [path]", any blank) are
# the archive module's own format, not index lines.
n=$(for f in src/*/*.c bpftool-ext/*.c; do code "$f"; done | grep -cE '^(int )?ucb_index_parse\(')
[ "$n" = 1 ] && pass "layers: one definition of ucb_index_parse" || failt "layers: $n definitions of ucb_index_parse"
files=$(matching 'str(tok|tok_r|sep) *\([^;]*"(\\t|\\t\\n|\\n\\t)"|scanf *\([^;]*%\[\^[^]]*\\t')
[ -z "$files" ] || [ "$files" = src/lib/index.c ] &&
	pass "layers: no tab-separated line is tokenised outside src/lib/index.c (one index line parser)" ||
	failt "layers: tab-separated lines tokenised in: $(echo $files)"
