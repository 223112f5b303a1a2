# scripts/deps.sh: plain `make` installs build packages only, `make test`
# the test ones too (--dry-run lists "SET PACKAGE STATE" and changes nothing);
# the deb-src entries come from the machine's own Debian entry, in a
# private apt configuration (scripts/apt-src.sh), never in /etc/apt.
. "$TESTS_DIR/lib.sh"
ROOT=$TESTS_DIR/..
DEPS=$ROOT/scripts/deps.sh

build=$(bash "$DEPS" --dry-run) || failt "deps: --dry-run failed"
all=$(bash "$DEPS" --test --dry-run) || failt "deps: --test --dry-run failed"
pkgs() { awk -v s="$1" '$1 == s { print $2 }' <<<"$2"; }

for p in chromium python3-yaml libpython3.11-dbg jq; do
	! pkgs build "$build" | grep -qx "$p" && pkgs test "$all" | grep -qx "$p" &&
		pass "deps: $p is installed by make test, not by make" ||
		failt "deps: $p: build list '$(pkgs build "$build" | tr '\n' ' ')'"
done
[ -z "$(pkgs test "$build")" ] && pass "deps: plain deps.sh names no test package" ||
	failt "deps: deps.sh without --test lists test packages: $(pkgs test "$build" | tr '\n' ' ')"
[ "$(pkgs build "$build")" = "$(pkgs build "$all")" ] &&
	pass "deps: --test installs the build packages too" || failt "deps: build sets differ with --test"
for p in clang libelf-dev libdw-dev bpftool; do
	pkgs build "$build" | grep -qx "$p" || failt "deps: build package $p missing from the list"
done

# make test ran deps.sh --test first: every package of both lists is here.
for p in $(pkgs test "$all"); do
	[ "$(awk -v p="$p" '$2 == p { print $3 }' <<<"$all")" = installed ] ||
		failt "deps: package $p is not installed here (make test runs deps.sh --test)"
done

# The deb-src lines: derived, not written into the tree or /etc/apt.
src=$(awk '$1 == "source" { $1 = ""; print substr($0, 2) }' <<<"$all")
uri=$(awk '{ for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; exit } }' <<<"$src")
if [ -n "$uri" ] && grep -rqsF "$uri" /etc/apt/sources.list /etc/apt/sources.list.d/; then
	pass "deps: the deb-src mirror ($uri) is one the machine's apt sources name"
else failt "deps: deb-src '$src' not derived from /etc/apt"; fi
for s in bullseye trixie; do
	grep -q "^deb-src .* $s main$" <<<"$src" || failt "deps: no $s deb-src (pins need it): $src"
done
hosts=$(cd "$ROOT" && git grep -nE 'https?://[a-z0-9.-]*debian\.(org|net)' -- scripts Makefile .ci 2>/dev/null)
[ -z "$hosts" ] && pass "deps: no Debian mirror host written in scripts/, Makefile or .ci" ||
	failt "deps: a registry host in the tree: $hosts"

# The parsers of apt's two formats, on made-up files: the first plain Debian
# suite with main wins; -security, -updates, disabled and contrib-only entries do not.
. "$ROOT/scripts/apt-src.sh"
one=$(printf '%s\n' '# deb http://c/debian sid main' 'deb http://s/debian-security bookworm-security main' \
	'deb [arch=amd64 signed-by=/k/a.gpg] http://m/debian bookworm main contrib' 'deb http://n/debian sid main' |
	ucb_entry_oneline | head -n1)
[ "$one" = "http://m/debian /k/a.gpg" ] && pass "deps: one-line sources: mirror and signed-by of the plain suite" ||
	failt "deps: one-line parse: '$one'"
d822=$(printf '%s\n' 'Types: deb' 'URIs: http://u/debian' 'Suites: bookworm-updates' 'Components: main' '' \
	'Types: deb' 'Enabled: no' 'URIs: http://off/debian' 'Suites: sid' 'Components: main' '' \
	'Types: deb' 'URIs: http://contrib/debian' 'Suites: trixie' 'Components: contrib' '' \
	'Types: deb deb-src' 'URIs: http://b/debian http://c/debian' 'Suites: trixie' 'Components: contrib main' \
	'Signed-By:' ' -----BEGIN PGP PUBLIC KEY BLOCK-----' ' .' ' -----END PGP PUBLIC KEY BLOCK-----' |
	ucb_entry_deb822 | head -n1)
[ "$d822" = "http://b/debian -" ] && pass "deps: deb822 sources: first URI, inline key not taken for a path" ||
	failt "deps: deb822 parse: '$d822'"

# The private configuration ignores the system's source parts entirely.
out=$(ucb_apt apt-config dump 2>/dev/null | grep -E '^Dir::Etc::source(list|parts) ')
grep -q "sourceparts \"-\"" <<<"$out" && grep -q "sourcelist \"$(ucb_apt_dir)/sources.list\"" <<<"$out" &&
	pass "deps: apt-get source runs with a private sources.list and no sources.list.d" ||
	failt "deps: private apt config: $out"
