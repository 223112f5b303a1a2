# .github/workflows/regen.yml is valid YAML with the structure the issue asks
# for (a job listing the releases, one matrix job per release, a merge job),
# and its own `run:` lines, executed here job by job as the hosted CI would
# (each job in its own workspace, artifacts copied where upload/download put
# them), regenerate the committed Lua archive; the merge job fails on a
# release that makes a required relocation fail.  Only deps.sh, make and
# apt-get are not re-run: the build is this tree's.
. "$TESTS_DIR/lib.sh"
ROOT=$TESTS_DIR/..
WF=$ROOT/.github/workflows/regen.yml
PY=/usr/bin/python3
[ -x $PY ] || PY=python3

if $PY -c 'import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)' "$WF" > wf.json 2>wf.err &&
   jq -e '.jobs | type == "object"' wf.json >/dev/null; then
	pass "workflow: regen.yml parses as YAML"
else
	failt "workflow: regen.yml: $(tail -c 300 wf.err)"
	exit 0
fi

# Structure: versions -> release (matrix from versions' output) -> merge.
# (The OpenSSL jobs, openssl-*, are tests/cli/t_ssl_archive.sh's.)
shape=$(jq -c '[(.jobs | keys | map(select(startswith("openssl-") | not))), .jobs.release.needs, .jobs.merge.needs,
	.jobs.release.strategy.matrix.version, .jobs.release.strategy["fail-fast"],
	.jobs.versions.outputs.list,
	[.jobs.release.steps[] | select(.uses // "" | startswith("actions/upload-artifact")) | .with.name, .with.path],
	[.jobs.merge.steps[] | select(.uses // "" | startswith("actions/download-artifact")) | .with.pattern, .with.path]]' wf.json)
want='[["debian","merge","release","versions"],"versions",["release","debian"],"${{ fromJSON(needs.versions.outputs.list) }}",false,"${{ steps.list.outputs.list }}",["lua-${{ matrix.version }}","out/"],["lua-*","parts","dist-*","parts"]]'
[ "$shape" = "$want" ] && pass "workflow: versions -> one matrix job per release -> merge; artifacts lua-VERSION into parts/" ||
	failt "workflow: structure $shape"
# And one job per Debian release (docs/distributions.md): dist-RELEASE into parts/.
dshape=$(jq -c '[.jobs.debian.needs, .jobs.debian.strategy.matrix.release, .jobs.versions.outputs.releases,
	[.jobs.debian.steps[] | select(.uses // "" | startswith("actions/upload-artifact")) | .with.name, .with.path]]' wf.json)
[ "$dshape" = '["versions","${{ fromJSON(needs.versions.outputs.releases) }}","${{ steps.list.outputs.releases }}",["dist-${{ matrix.release }}","out/"]]' ] &&
	pass "workflow: one job per Debian release, artifacts dist-RELEASE" || failt "workflow: debian job $dshape"

# Paths that trigger it exist (a renamed script would silently stop CI).
ok=1
while IFS= read -r p; do
	compgen -G "$ROOT/${p%%\**}*" >/dev/null || { ok=0; failt "workflow: trigger path $p matches nothing"; }
done < <(jq -r '.["true"].push.paths[]' wf.json)
[ $ok = 1 ] && [ "$(jq '.["true"].push.paths | length' wf.json)" -gt 3 ] &&
	pass "workflow: every push trigger path exists"

# job_runs JOB: its run: lines, one per NUL, without the setup steps.
job_runs() {
	jq -j --arg j "$1" '.jobs[$j].steps[] | select(.run) | .run | select(test("deps\\.sh|^make |apt-get") | not) | ., "\u0000"' wf.json
}
# workspace DIR: a fresh checkout as a job sees it, with this tree's build.
workspace() {
	mkdir -p "$1"
	for f in scripts archive bpf examples; do ln -sfn "$ROOT/$f" "$1/$f"; done
	ln -sfn "$B" "$1/build"
}
# run_job JOB DIR VERSION: the job's run steps in DIR, as the runner does
# (bash -e, ${{ matrix.version }} filled in, GITHUB_OUTPUT a file).
run_job() {
	local job=$1 dir=$2 ver=$3 step
	while IFS= read -r -d '' step; do
		step=${step//'${{ matrix.version }}'/$ver}
		step=${step//'${{ matrix.release }}'/$ver}
		(cd "$dir" && env -u OUTPUT -u UCOREBTF GITHUB_OUTPUT="$dir/github_output" \
			bash -e -o pipefail -c "$step") >>"$dir/job.log" 2>&1 || return 1
	done < <(job_runs "$job")
}

workspace versions
run_job versions "$PWD/versions" || failt "workflow: versions job: $(tail -c 300 versions/job.log)"
list=$(sed -n 's/^list=//p' versions/github_output)
if [ "$(jq -r '.[]' <<<"$list" 2>/dev/null)" = "$(bash "$ROOT/scripts/lua-build.sh" -l)" ]; then
	pass "workflow: the matrix is scripts/lua-versions.txt ($(jq length <<<"$list") releases)"
else
	failt "workflow: versions job lists '$list'"
fi

workspace merge
ok=1
for v in $(jq -r '.[]' <<<"$list"); do
	workspace "rel-$v"
	if run_job release "$PWD/rel-$v" "$v" && [ -f "rel-$v/out/index.tsv" ]; then
		mkdir -p merge/parts && cp -r "rel-$v/out" "merge/parts/lua-$v"
	else
		ok=0; failt "workflow: release job $v: $(tail -c 300 "rel-$v/job.log")"
	fi
done
[ $ok = 1 ] && pass "workflow: each release job wrote its one-release archive"
releases=$(sed -n 's/^releases=//p' versions/github_output)
[ "$(jq -r '.[]' <<<"$releases" 2>/dev/null | tr '\n' ' ')" = "bookworm bullseye sid trixie " ] ||
	failt "workflow: versions job lists Debian releases '$releases'"
ok=1
for r in $(jq -r '.[]' <<<"$releases"); do
	workspace "deb-$r"
	if run_job debian "$PWD/deb-$r" "$r" && [ -f "deb-$r/out/dist.tsv" ]; then
		cp -r "deb-$r/out" "merge/parts/dist-$r"
	else
		ok=0; failt "workflow: debian job $r: $(tail -c 300 "deb-$r/job.log")"
	fi
done
[ $ok = 1 ] && pass "workflow: each Debian release job wrote its distribution entries"
cache=$(jq -r '.jobs.release.steps[] | select(.uses // "" | startswith("actions/cache")) | .with.path' wf.json)
dl=$(env -u UCOREBTF_CACHE bash "$ROOT/scripts/apt-src.sh" dl-dir)
[ "$cache" = "$dl" ] && [ -n "$(ls "$dl"/*/lua5.*_"$v".orig.tar.gz 2>/dev/null)" ] &&
	pass "workflow: the cached path ($cache) is where lua-build.sh keeps the downloads" ||
	failt "workflow: cache path $cache, downloads in $dl: $(ls "$dl" 2>&1 | head -3)"

if run_job merge "$PWD/merge" && ! grep -q '::warning::' merge/job.log &&
   [ -s merge/lua.ucb ] && [ -s merge/lua-report.html ] && [ -s merge/libc-report.html ] && [ -f merge/merged/index.tsv ]; then
	pass "workflow: merge job: archive = committed one (no warning), bundle and HTML report to upload"
else
	failt "workflow: merge job: $(tail -c 400 merge/job.log)"
fi
cmp -s merge/merged/lua-report.md "$ROOT/archive/lua-report.md" ||
	failt "workflow: merged lua-report.md differs from the committed one"

# A release without the probe's required types: the merge job fails.
workspace bad
cp -r merge/parts bad/parts
$UCOREBTF gen btf "$B/examples/seed/app_v2" -o app_v2.btf --version 2 >/dev/null
mkdir -p bad/parts/lua-9.9.9
$UCOREBTF archive add bad/parts/lua-9.9.9 app_v2.btf --lib lua --version 9.9.9 >/dev/null
if ! run_job merge "$PWD/bad" && grep -q "required relocation" bad/job.log && [ ! -e bad/lua.ucb ]; then
	pass "workflow: merge job fails on a release that makes a required relocation fail"
else
	failt "workflow: merge job with a bad release: $(tail -c 300 bad/job.log)"
fi
