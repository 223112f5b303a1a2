# What report and gen min say about each kind of relocation, on
# bpf/relokinds.bpf.c and three releases of a library built here:
#   1.0  rk_mode::RK_SLOW = 1, rk_obj {id, opt}, rk_slot 8 bytes, rk_extra
#   2.0  RK_SLOW = 2, rk_obj {id} (the guarded opt gone), rk_slot 16, no rk_extra
#   3.0  as 2.0, but rk_obj {opt} (the unguarded id gone)
# report shows the enumerator's value (not the enum's offset/size) and marks
# it changed; type rows show what their relocations decide; gen min labels
# guarded absences "absent (guarded)", not "failed match"; gen min --strict
# fails on the required one, by the same rule report --strict uses.
. "$TESTS_DIR/lib.sh"
U=$UCOREBTF
OBJ=$B/bpf/relokinds.bpf.o

lib() { # lib VERSION: librk-VERSION.btf from C on stdin
	cat > rk$1.c && gcc -g -O0 -o rk$1 rk$1.c &&
		$U gen btf rk$1 --name librk --version $1 -o librk-$1.btf >/dev/null
}
lib 1.0 <<'EOF' &&
enum rk_mode { RK_NONE, RK_SLOW };
struct rk_obj { int id; int opt; };
struct rk_slot { long v; };
struct rk_extra { int x; };
enum rk_mode m; struct rk_obj o; struct rk_slot s; struct rk_extra e;
int main(void) { return 0; }
EOF
lib 2.0 <<'EOF' &&
enum rk_mode { RK_NONE, RK_FAST, RK_SLOW };
struct rk_obj { int id; long pad; };
struct rk_slot { long v; long w; };
enum rk_mode m; struct rk_obj o; struct rk_slot s;
int main(void) { return 0; }
EOF
lib 3.0 <<'EOF' || { failt "relokinds: building the library releases"; exit 0; }
enum rk_mode { RK_NONE, RK_FAST, RK_SLOW };
struct rk_obj { long other; int opt; };
struct rk_slot { long v; long w; };
enum rk_mode m; struct rk_obj o; struct rk_slot s;
int main(void) { return 0; }
EOF
AB=(librk-1.0.btf librk-2.0.btf)

# ---- report: the enumerator's value, in every rendering ----
$U report $OBJ "${AB[@]}" > ab.txt 2>ab.err
$U report $OBJ "${AB[@]}" -j > ab.json 2>>ab.err
$U report $OBJ "${AB[@]}" -f md > ab.md 2>>ab.err
$U report $OBJ "${AB[@]}" -f html > ab.html 2>>ab.err
if grep -Eq '^rk_probe rk_mode::RK_SLOW +enumval_exists,enumval_value +yes +value 1 +value 2\*$' ab.txt; then
	pass "relokinds: report text shows the enumerator's value, 1 then 2, marked changed"
else failt "relokinds: report text enum row: $(grep RK_SLOW ab.txt) $(head -c 200 ab.err)"; fi
got=$(jq -c '.rows[] | select(.path == "rk_mode::RK_SLOW") |
	[.class, (.cells[] | [.state, .value, .offset, .size, .changed, .text])]' ab.json 2>&1)
if [ "$got" = '["enumval",["ok",1,null,null,false,"value 1"],["ok",2,null,null,true,"value 2"]]' ]; then
	pass "relokinds: report JSON: value 1 then 2 (numbers; changed), no offset/size for an enumerator"
else failt "relokinds: report JSON enum row: $got"; fi
if grep -q '^| `rk_probe rk_mode::RK_SLOW` | enumval_exists,enumval_value | yes | value 1 | \*\*value 2\*\* |$' ab.md &&
   grep -q '>rk_mode::RK_SLOW<.*<td class="num ok">value 1</td><td class="num changed">value 2</td>' ab.html; then
	pass "relokinds: report Markdown and HTML show the value and mark the change"
else failt "relokinds: report md/html enum row: $(grep RK_SLOW ab.md) / $(grep -o '>rk_mode::RK_SLOW<.*' ab.html)"; fi

# Type rows: what the relocations decide (size, the target type, existence).
got=$(jq -c '[.rows[] | select(.class == "type") | [.path, .kinds, (.cells[] | .text, .changed)]]' ab.json 2>&1)
want='[["rk_slot","type_size,target_type_id","size 8, struct rk_slot",false,"size 16, struct rk_slot",true],'
want+='["rk_extra","type_exists","yes",false,"missing",true]]'
if [ "$got" = "$want" ]; then
	pass "relokinds: report type rows show type_size's size, target_type_id's type, type_exists's yes/missing"
else failt "relokinds: report type rows: $got"; fi
# Fields keep offset/size; the guarded one that went away is missing, not required.
got=$(jq -c '[.rows[] | select(.class == "field") | [.path, .guarded, (.cells[] | .text, .required)]]' ab.json 2>&1)
if [ "$got" = '[["rk_obj.id",false,"0/4",false,"0/4",false],["rk_obj.opt",true,"4/4",false,"missing",false]]' ] &&
   [ "$(jq .required_failures ab.json)" = 0 ]; then
	pass "relokinds: report field rows: offset/size; the guarded opt missing in 2.0 is not required"
else failt "relokinds: report field rows: $got"; fi

# ---- gen min: a guarded absence is not a failed match ----
mkdir o1
out=$($U gen min $OBJ "${AB[@]}" -o o1 2>&1); rc=$?
v2=$(sed -n '/librk-2.0.min.btf/,$p' <<<"$out")
if [ $rc = 0 ] && grep -Eq '^  absent \(guarded\): rk_probe:[0-9]+ rk_obj\.opt$' <<<"$v2" &&
   grep -Eq '^  absent \(guarded\): rk_probe:[0-9]+ rk_extra$' <<<"$v2" && ! grep -q 'failed match' <<<"$out" &&
   grep -q 'librk-2.0.min.btf: .*(5 resolved, 0 failed, 3 guarded)' <<<"$out"; then
	pass "relokinds: gen min lists the guarded absences of 2.0 as 'absent (guarded)', none as 'failed match'"
else failt "relokinds: gen min text: rc=$rc $out"; fi
got=$(jq -c '.versions[1] | [.relocations.failed, .relocations.guarded, .failed, (.guarded | map(sub(":[0-9]+ "; " ")))]' o1/gen-min.json 2>&1)
if [ "$got" = '[0,3,[],["rk_probe rk_obj.opt","rk_probe rk_obj.opt","rk_probe rk_extra"]]' ]; then
	pass "relokinds: gen min JSON: guarded absences under \"guarded\", \"failed\" empty"
else failt "relokinds: gen min JSON: $got"; fi
$U gen min $OBJ "${AB[@]}" -o o2 --strict >/dev/null 2>o2.err && [ -s o2/librk-2.0.min.btf ] &&
	pass "relokinds: gen min --strict: guarded absences only, exit 0 and written" ||
	failt "relokinds: gen min --strict on guarded absences: $(cat o2.err)"

# ---- gen min --strict: a required relocation failing on one release ----
mkdir o3
out=$($U gen min $OBJ librk-*.btf -o o3 2>&1); rc=$?
if [ $rc = 0 ] && [ -s o3/librk-3.0.min.btf ] &&
   [ "$(sed -n '/librk-3.0.min.btf/,$p' <<<"$out" | grep -E '^  failed match: ' | sed 's/:[0-9][0-9]* / /')" = "  failed match: rk_probe rk_obj.id" ] &&
   [ "$(grep -c 'failed match' <<<"$out")" = 1 ]; then
	pass "relokinds: gen min without --strict: exit 0, 3.0's unguarded rk_obj.id reported as the one failed match"
else failt "relokinds: gen min, required failure: rc=$rc $out"; fi
out=$($U gen min $OBJ librk-*.btf -o o4 --strict 2>&1); rc=$?
if [ $rc = 1 ] && [ "$(grep -c '^Error: ' <<<"$out")" = 1 ] &&
   grep -Eq "^Error: librk-3.0: 1 required relocation of .*relokinds.bpf.o fails to match: rk_probe:[0-9]+ rk_obj.id$" <<<"$out" &&
   [ ! -e o4 ]; then
	pass "relokinds: gen min --strict: exit 1 naming release librk-3.0 and rk_obj.id, nothing written"
else failt "relokinds: gen min --strict: rc=$rc $out $(ls o4 2>&1)"; fi
out=$($U gen min $OBJ librk-*.btf -o o5 --archive --strict 2>&1); rc=$?
[ $rc = 1 ] && [ ! -e o5 ] && pass "relokinds: gen min --archive --strict: no archive written" ||
	failt "relokinds: --archive --strict: rc=$rc $out"
# One rule: report --strict fails on the same release and relocation.
$U report $OBJ librk-*.btf -j > abc.json 2>/dev/null
$U report $OBJ librk-*.btf --strict >/dev/null 2>&1; rc=$?
got=$(jq -c '[.releases[].required_failures], [.rows[] | select(any(.cells[]; .required)) | .path]' abc.json | tr '\n' ' ')
if [ $rc = 1 ] && [ "$got" = '[0,0,1] ["rk_obj.id"] ' ]; then
	pass "relokinds: report --strict agrees: 3.0 fails rk_obj.id, the guarded absences are not required"
else failt "relokinds: report --strict: rc=$rc $got"; fi
expect_err "relokinds: check has no --strict" "--strict is not an option of check" $U check $OBJ librk-1.0.btf --strict
