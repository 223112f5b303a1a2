# scripts/ingest-debian.sh: Debian's shipped libraries into an archive,
# keyed by the shipped files' real build-ids (scripts/dist-versions.txt).
#  - the system's apt configuration, lists and dpkg state are unchanged;
#  - every committed distribution entry's build-id is recomputed from the
#    cached .deb (its sha256 = the name of its cache directory = dist.tsv's,
#    as the Packages index gives it) and found in archive/index.tsv;
#  - ingesting again gives the committed entries and dist.tsv lines;
#  - a version the mirror no longer serves fails with one line naming it.
. "$TESTS_DIR/lib.sh"
ROOT=$TESTS_DIR/..
. "$ROOT/scripts/apt-src.sh"

state() {
	{
		find /etc/apt -xdev \( -type f -o -type l \) -print0 | sort -z | xargs -0 sha256sum
		dpkg -l | sha256sum
		sha256sum /var/lib/dpkg/status
		ls -l --time-style=+%s /var/lib/apt/lists/ 2>/dev/null | sha256sum
	} 2>&1
}
state >before.txt

# Into a fresh archive: glibc for the probe bpf/glibc_tls.bpf.c, Debian's Lua for bpf/lua.bpf.c.
if UCOREBTF=$UCOREBTF bash "$ROOT/scripts/ingest-debian.sh" -p -a arc -b "$B/bpf/glibc_tls.bpf.o" libc >libc.out 2>err &&
   UCOREBTF=$UCOREBTF bash "$ROOT/scripts/ingest-debian.sh" -p -a arc -b "$B/bpf/lua.bpf.o" lua >lua.out 2>>err; then
	pass "ingest: $(grep -c '^libc	' arc/index.tsv) glibc and $(grep -c '^lua	' arc/index.tsv) Debian Lua entries"
else
	failt "ingest: $(tail -c 400 err)"
	exit 0
fi
state >after.txt
cmp -s before.txt after.txt && pass "ingest: /etc/apt, the system's apt lists and dpkg's state are unchanged" ||
	failt "ingest changed the system: $(diff before.txt after.txt | head -c 400)"

# The committed archive's distribution entries are what ingesting gives.
for lib in libc lua; do
	diff <(grep -P "^$lib\t" arc/index.tsv) <(grep -P "^$lib\t" "$ROOT/archive/index.tsv" | grep -P "^$lib\t[^\t]*-") >idx.diff &&
		pass "ingest: $lib entries equal the committed archive's ($(grep -c . <(grep -P "^$lib\t" arc/index.tsv)))" ||
		failt "ingest: $lib entries differ from archive/ (run scripts/regen.sh): $(head -c 300 idx.diff)"
done
cmp -s arc/dist.tsv "$ROOT/archive/dist.tsv" && pass "ingest: dist.tsv equals the committed one" ||
	failt "ingest: dist.tsv differs: $(diff arc/dist.tsv "$ROOT/archive/dist.tsv" | head -c 300)"

# Build-ids recomputed from the .debs, independently of ucorebtf.
n=0 bad=
while IFS=$'\t' read -r lib ver arch bid rel pkg up sha; do
	deb=$(ls "$(ucb_dl_dir)/$sha/${pkg}_${ver}_"*.deb 2>/dev/null | head -n1)
	file=$(awk -v p="$pkg" -v v="$ver" '$2 == p && $6 == v { print $4; exit }' "$ROOT/scripts/dist-versions.txt")
	rm -rf x && mkdir x && dpkg-deb -x "$deb" x 2>/dev/null
	f=$(find x -path x/usr/lib/debug -prune -o ! -type d -name "$file" -print | head -n1)
	got=$(readelf -n "$(realpath "$f")" 2>/dev/null | awk '/Build ID:/ { print $3 }')
	if [ -n "$deb" ] && [ "$(sha256sum <"$deb" | cut -d' ' -f1)" = "$sha" ] && [ "$got" = "$bid" ] &&
	   grep -P "^$lib\t$(sed 's/[+.]/\\&/g' <<<"$ver")\t" "$ROOT/archive/index.tsv" | cut -f7 | tr , '\n' | grep -qx "$bid"; then
		n=$((n + 1))
	else
		bad="$bad $pkg=$ver($got vs $bid)"
	fi
done < <(grep -v '^#' "$ROOT/archive/dist.tsv")
rows=$(grep -vc '^#' "$ROOT/archive/dist.tsv")
[ -z "$bad" ] && [ "$n" = "$rows" ] && [ "$n" -ge 16 ] &&
	pass "ingest: all $n shipped files' build-ids recomputed from their verified .debs match archive/" ||
	failt "ingest: build-ids from .debs:$bad ($n of $rows)"

# The .deb checksum is the Packages index's (one lookup; apt-cache is slow).
pin=$(awk '$1 == "libc" && $5 == "bookworm" { print $6 }' "$ROOT/scripts/dist-versions.txt")
want=$(UCB_APT_KIND=bin ucb_deb_field libc6 "$pin" SHA256)
[ -n "$want" ] && grep -qP "^libc\t$(sed 's/[+.]/\\&/g' <<<"$pin")\t.*\tlibc6\t[^\t]*\t$want$" "$ROOT/archive/dist.tsv" &&
	pass "ingest: libc6 $pin's deb_sha256 is the one apt's Packages index gives" ||
	failt "ingest: libc6 $pin: Packages SHA256 '$want' not in dist.tsv"

# Gone from the mirror: one line naming the package and version.
expect_err "ingest: a version no longer served fails with one line naming it" \
	"libc6 2.36-0ucorebtf1: no longer served by the Debian mirror" \
	env UCOREBTF=$UCOREBTF bash "$ROOT/scripts/ingest-debian.sh" -o "$WORK/gone" -n libc -f libc.so.6 libc6 libc6-dbg bookworm=2.36-0ucorebtf1

# dist.tsv lines must name an entry and one of its build-ids.
printf 'libc\t2.31-13+deb11u11\tx86_64\t00000000000000000000\tbullseye\tlibc6\t2.31\t%064d\n' 0 >bad.dist
expect_err "ingest: archive dist refuses a line whose build-id no entry records" \
	"no such entry with build-id 00000000000000000000" $UCOREBTF archive dist arc bad.dist

# dist.tsv is an archive file like the others: never read through a symlink.
mkdir -p arc2 && cp -r arc/. arc2/ && rm -f arc2/dist.tsv && ln -s /etc/passwd arc2/dist.tsv
expect_err "ingest: a symlinked dist.tsv is refused" "dist.tsv.*symbolic link" $UCOREBTF archive dist arc2
