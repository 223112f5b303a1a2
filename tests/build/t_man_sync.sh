# Man pages and bash completion from one source, in step with the help:
# every docs/man/*.rst is rendered by rst2man at build time and `man -l`
# renders it without a warning; tests/tools/man_sync.py derives objects,
# commands and options from the help output at run time (`ucorebtf help`,
# `ucorebtf OBJECT help`, `ucorebtf OBJECT COMMAND --help`; its header
# says how) and checks them against the man pages and what the completion
# script really completes, both ways.  Mutated copies prove it can fail.
. "$TESTS_DIR/lib.sh"
ROOT=$TESTS_DIR/..
MAN_SRC=$ROOT/docs/man COMP=$ROOT/scripts/bash-completion/ucorebtf SYNC=$TESTS_DIR/tools/man_sync.py

n=0 bad=""
for rst in "$MAN_SRC"/*.rst; do
	name=$(basename "$rst" .rst) page=$OUTPUT/man/man8/$(basename "$rst" .rst).8
	out=$(MANWIDTH=80 man --warnings -l "$page" 2>man.err)
	if [ -s "$page" ] && [ ! "$page" -ot "$rst" ] && [ ! -s man.err ] && grep -q '^NAME' <<<"$out" &&
		grep -q '^SYNOPSIS' <<<"$out" && grep -qE "^ *$name +- " <<<"$out"; then n=$((n + 1))
	else bad="$bad $name($(head -c 100 man.err))"; fi
done
[ -z "$bad" ] && [ $n -ge 8 ] && pass "man: man -l renders all $n pages (rst2man at build time) without a warning" ||
	failt "man: pages not rendered or with warnings:$bad"

bash -n "$COMP" && out=$(bash --norc -c ". /usr/share/bash-completion/bash_completion; . '$COMP'; complete -p ucorebtf") &&
	grep -q -- '-F _ucorebtf ucorebtf' <<<"$out" && pass "completion: the script registers _ucorebtf for ucorebtf" ||
	failt "completion: not registered: $out"

python3 "$SYNC" "$UCOREBTF" "$MAN_SRC" "$COMP" 2>sync.err || failt "man sync: $(tail -3 sync.err)"

# The check fails when the three drift apart: an option dropped from a man
# page, one documented that the help lacks, one the completion invents, a
# command the completion does not offer.
drift() {	# drift NAME EDIT-OF-man/ EDIT-OF-comp PATTERN-OF-THE-FAIL-LINE
	rm -rf m && cp -r "$MAN_SRC" m && cp "$COMP" comp && (cd m && eval "$2") && eval "$3"
	if python3 "$SYNC" "$UCOREBTF" m comp 2>&1 | grep -q "^FAIL: man sync: $4"; then
		pass "man sync: fails on $1"
	else failt "man sync: did not notice $1"; fi
}
drift "--no-base missing from ucorebtf-merge.8" "sed -i '/^--no-base\$/,+2d' ucorebtf-merge.rst" : \
	"merge: every option of the help is in ucorebtf-merge.8: missing \['--no-base'\]"
drift "a man page option the help lacks" \
	"printf '\n--frobnicate\n    Nothing.\n' >> ucorebtf-merge.rst" : "merge: every option of ucorebtf-merge.8 is in the help"
drift "a completion option no man page has" : "sed -i 's/--base --no-base/--base --no-base --bogus/' comp" \
	"completion of 'merge -'.*not in the man page \['--bogus'\]"
drift "a command the completion lacks" : "sed -i 's/create list verify extract help/create list verify help/' comp" \
	"bundle commands:"
drift "an option the completion lacks" : "sed -i 's/--follow-needed -o --output/-o --output/' comp" \
	"completion of 'prepare -'.*lacks \['--follow-needed'\]"
