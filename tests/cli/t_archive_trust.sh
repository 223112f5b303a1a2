# Archive writers and bundle create as root (docs/archive.md, "Trust"):
# nothing inside an archive is followed through a symlink, nothing outside
# it is read or written, gc takes only blobs, and bundle create checks
# every blob (sha256, size) and duplicate entries before writing anything.
. "$TESTS_DIR/lib.sh"
APPS=$B/examples/seed
U=$UCOREBTF

for v in 1 2; do
	$U gen btf $APPS/app_v$v --name seed-app --version $v -o app$v.btf >/dev/null || failt "gen btf v$v"
done
printf 'struct pt_regs di\n' > seed.needs
$U archive add A app1.btf --object seed && $U archive add A app2.btf --object seed &&
	$U archive needs A seed seed.needs || { failt "archive setup"; exit 0; }
d1=$(awk -F'\t' '$1 == "seed-app" && $2 == 1 { print $4 }' A/index.tsv)
d2=$(awk -F'\t' '$1 == "seed-app" && $2 == 2 { print $4 }' A/index.tsv)

# Everything outside the archives lives under OUT: a listing with sizes,
# modes and mtimes plus every file's sha256, before and after.
mkdir -p OUT
printf 'TOP-SECRET-not-for-bundles\n' > OUT/secret
cp A/seed-app/1/x86_64/entry.tsv OUT/entry-copy.tsv
snap() { (cd OUT && find . -printf '%p %y %s %m %T@\n' | sort && find . -type f -print0 | sort -z | xargs -0 -r sha256sum); }
# refused NAME PATTERN CMD...: CMD fails with "Error: ...PATTERN", OUT unchanged.
refused() {
	local n=$1 pat=$2 before; shift 2
	before=$(snap)
	expect_err "$n" "$pat" "$@"
	[ "$before" = "$(snap)" ] && pass "$n: nothing outside the archive touched" ||
		failt "$n: outside the archive changed: $(diff <(echo "$before") <(snap) | head -5)"
}
SYM="a symbolic link inside the archive"

# --- the /etc/shadow case: a blob replaced by a symlink ---
cp -r A S1 && ln -sf "$PWD/OUT/secret" S1/blobs/$d1.btf
refused "bundle create: a blob that is a symlink (to a secret file) is refused" "$SYM" \
	$U bundle create S1 -o s1.ucb --compress none
[ ! -e s1.ucb ] && ! grep -rqs TOP-SECRET . --include='*.ucb' && pass "bundle create: no bundle, the secret in none" ||
	failt "bundle create wrote s1.ucb: $(ls -l s1.ucb 2>&1)"
cp -r A S2 && ln -sf /etc/shadow S2/blobs/$d1.btf
strace -f -y -e trace=open,openat,openat2,read,pread64 -o shadow.trace \
	$U bundle create S2 -o s2.ucb --compress none 2>s2.err
rc=$?
[ $rc = 1 ] && grep -q "$SYM" s2.err && [ ! -e s2.ucb ] && ! grep -q /etc/shadow shadow.trace &&
	pass "bundle create: blobs/<sha>.btf -> /etc/shadow: refused, /etc/shadow never opened or read" ||
	failt "shadow: rc=$rc $(cat s2.err) $(grep -m3 /etc/shadow shadow.trace)"
expect_err "archive verify: a symlinked blob is named as one" "$SYM" $U archive verify S2

# --- bundle create checks what its own reader checks ---
cp -r A C1 && printf 'X' | dd of=C1/blobs/$d2.btf bs=1 seek=40 conv=notrunc 2>/dev/null
expect_err "bundle create: a blob whose content is not its sha256" "$d2.btf: content does not match its sha256" \
	$U bundle create C1 -o c1.ucb
cp -r A C2 && sed -i "s/\($d2	\)[0-9]*/\1999/" C2/index.tsv
expect_err "bundle create: a blob whose size is not the index's" "bytes, the index says 999" $U bundle create C2 -o c2.ucb
cp -r A C3 && grep "^seed-app	1	" A/index.tsv >> C3/index.tsv
expect_err "bundle create: an entry listed twice (A, B, A)" "entry seed-app 1 x86_64 listed twice" $U bundle create C3 -o c3.ucb
[ ! -e c1.ucb ] && [ ! -e c2.ucb ] && [ ! -e c3.ucb ] && pass "bundle create: nothing written for a damaged archive" ||
	failt "bundle create wrote: $(ls c?.ucb)"
# What it does write, its reader takes.
$U bundle create A -o good.ucb && $U bundle verify good.ucb >/dev/null && pass "bundle create: a good archive still bundles" ||
	failt "bundle create on a good archive"

# --- symlinked directories and files inside the archive: refused, nothing outside written ---
mkdir -p OUT/blobs && cp A/blobs/* OUT/blobs/ && printf 'keep me\n' > OUT/blobs/README &&
	cp OUT/blobs/$d1.btf OUT/blobs/$(printf '%064d' 7).btf
cp -r A L1 && rm -r L1/blobs && ln -s "$PWD/OUT/blobs" L1/blobs
refused "archive add: blobs/ a symlink to another directory" "L1/blobs: $SYM" \
	$U archive add L1 app2.btf --version 9 --object seed
refused "archive merge into an archive whose blobs/ is a symlink" "$SYM" $U archive merge L1 A
mkdir -p OUT/needs && printf 'struct task_struct\n' > OUT/needs/seed.txt
cp -r A L2 && rm -r L2/needs && ln -s "$PWD/OUT/needs" L2/needs
refused "archive needs: needs/ a symlink" "L2/needs: $SYM" $U archive needs L2 seed seed.needs
refused "bundle create: needs/ a symlink" "L2/needs: $SYM" $U bundle create L2 -o l2.ucb
mkdir -p OUT/lib && cp -r A/seed-app OUT/lib/
cp -r A L3 && rm -r L3/seed-app && ln -s "$PWD/OUT/lib/seed-app" L3/seed-app
refused "archive add: a library directory that is a symlink" "L3/seed-app: $SYM" \
	$U archive add L3 app1.btf --version 7 --object seed
refused "archive add: another library beside a symlinked one (the index walk)" "L3/seed-app: $SYM" \
	$U archive add L3 app1.btf --lib other --version 1 --object seed
cp -r A L4 && ln -sf "$PWD/OUT/entry-copy.tsv" L4/seed-app/1/x86_64/entry.tsv
refused "archive add: an entry.tsv that is a symlink (to a valid entry line)" "entry.tsv: $SYM" \
	$U archive add L4 app2.btf --version 8 --object seed
cp -r A L5 && ln -sf "$PWD/OUT/entry-copy.tsv" L5/index.tsv
refused "archive list: index.tsv a symlink" "index.tsv: $SYM" $U archive list L5
refused "archive add: index.tsv a symlink is not replaced" "index.tsv: $SYM" \
	$U archive add L5 app2.btf --version 8 --object seed
[ -L L5/index.tsv ] && pass "archive add: the symlinked index.tsv is still the user's symlink" || failt "index.tsv replaced"
printf '# ucorebtf version rules\nseed-app\trodata\tSeed app \n' > OUT/rules-copy.tsv
cp -r A L8 && ln -sf "$PWD/OUT/rules-copy.tsv" L8/rules.tsv
refused "bundle create: rules.tsv a symlink" "rules.tsv: $SYM" $U bundle create L8 -o l8.ucb
[ ! -e l8.ucb ] && pass "bundle create: nothing written past the symlinked rules.tsv" || failt "l8.ucb written"
refused "archive rule: rules.tsv a symlink is not replaced" "rules.tsv: $SYM" \
	$U archive rule L8 seed-app 'rodata:Seed '
[ -L L8/rules.tsv ] && grep -q "Seed app" OUT/rules-copy.tsv &&
	pass "archive rule: the symlinked rules.tsv and what it names are left alone" || failt "rules.tsv replaced"
cp -r A L6 && ln -sf "$PWD/OUT/secret" L6/.lock
refused "archive add: .lock a symlink" ".lock: $SYM" $U archive add L6 app1.btf --object seed
mkdir -p OUT/root && cp -r A/. OUT/root/ && ln -s "$PWD/OUT/root" L7
$U archive add L7 app1.btf --version 3 --object seed && grep -q "^seed-app	3	" OUT/root/index.tsv &&
	pass "the archive root given as a symlink is followed (once, as named)" || failt "symlinked root"

# --- gc takes only blobs ---
cp -r A G && printf 'notes\n' > G/blobs/README && printf 'x\n' > G/blobs/notes.btf &&
	printf 'x\n' > G/blobs/$(printf '%064d' 1 | tr 0 A).btf && cp A/blobs/$d1.btf G/blobs/$(printf '%064d' 5).btf &&
	ln -s "$PWD/OUT/secret" G/blobs/$(printf '%064d' 6).btf && mkdir G/blobs/sub
$U archive add G app2.btf --version 5 --object seed
[ -f G/blobs/README ] && [ -f G/blobs/notes.btf ] && [ -f G/blobs/$(printf '%064d' 1 | tr 0 A).btf ] &&
	[ -L G/blobs/$(printf '%064d' 6).btf ] && [ -d G/blobs/sub ] && [ -f OUT/secret ] &&
	pass "gc: a README, other names, a symlink and a directory in blobs/ survive" ||
	failt "gc removed non-blobs: $(ls -A G/blobs)"
[ ! -e G/blobs/$(printf '%064d' 5).btf ] && [ -f G/blobs/$d1.btf ] && [ -f G/blobs/$d2.btf ] &&
	pass "gc: an unreferenced blob is removed, referenced ones stay" || failt "gc: $(ls -A G/blobs)"
$U archive verify G >/dev/null && pass "gc: the archive verifies after" || failt "gc: verify G"

# --- special files where a file is read: an error, not a hang ---
cp -r A F && rm F/needs/seed.txt && mkfifo F/needs/seed.txt
out=$(timeout 5 $U bundle create F -o f.ucb 2>&1); rc=$?
[ $rc = 1 ] && grep -q "seed.txt: not a regular file" <<<"$out" && pass "a FIFO in the archive: an error at once" ||
	failt "FIFO: rc=$rc $out"

# --- what a killed writer leaves, the next writer removes ---
cp -r A K && printf 'x' > K/.ucorebtf-tmp-AbCd1234 && printf 'x' > K/blobs/.ucorebtf-tmp-AbCd1234 &&
	printf 'x' > K/needs/.ucorebtf-tmp-AbCd1234 && printf 'x' > K/seed-app/1/x86_64/.ucorebtf-tmp-AbCd1234 &&
	mkdir -p K/seed-app/4/x86_64 K/half/1/x86_64 && printf 'x' > K/seed-app/4/x86_64/.ucorebtf-tmp-ZZZZ0000 &&
	cp A/blobs/$d1.btf K/blobs/$(printf '%064d' 9).btf && printf 'mine\n' > K/.ucorebtf-tmp-mine
$U archive add K app2.btf --version 6 --object seed
[ -z "$(find K -name '.ucorebtf-tmp-????????')" ] && [ ! -e K/seed-app/4 ] && [ ! -e K/half ] &&
	[ ! -e K/blobs/$(printf '%064d' 9).btf ] && [ -f K/.ucorebtf-tmp-mine ] && $U archive verify K >/dev/null &&
	pass "the next writer removes temporary files, entry directories without an entry file and orphan blobs" ||
	failt "leftovers: $(find K -name '.ucorebtf-tmp-*'; ls K K/seed-app K/blobs)"
