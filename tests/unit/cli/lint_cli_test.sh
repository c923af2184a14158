#!/usr/bin/env bash
# `hairpin lint` end to end (label unit, no root): exit 1 with the lo trap on the
# seed verbatim, exit 0 on the fixed config the lab runs, exit 2 on an unreadable
# file or a config the parser refuses, and --json an array of findings.
set -euo pipefail
hairpin=$1
fixtures=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# run ARGS...: sets $out (stdout), $err (stderr) and $rc
run() {
  rc=0
  "$hairpin" lint "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
  out=$(cat "$tmp/out")
  err=$(cat "$tmp/err")
}

run "$fixtures/configs/nva-seed.frr"
[[ $rc == 1 ]] || fail "seed: exit $rc, want 1: $out $err"
[[ $out == *"nva-seed.frr:12: error: [lo-prefix] "*"ip route 10.0.0.0/8 blackhole"* ]] || fail "seed: no lo-prefix error on line 12: $out"
[[ $out == *"nva-seed.frr: 1 error, 0 warnings" ]] || fail "seed: summary line: $out"

run "$fixtures/configs/nva-fixed.frr" --gateway-subnet 10.0.200.0/24
[[ $rc == 0 ]] || fail "fixed: exit $rc, want 0: $out $err"
[[ $out == *"nva-fixed.frr: no findings" ]] || fail "fixed: $out"

# warnings only: exit 0, and the warning is printed
sed '/10.0.210.5 ebgp-multihop/d' "$fixtures/configs/nva-fixed.frr" >"$tmp/warn.frr"
run "$tmp/warn.frr"
[[ $rc == 0 ]] || fail "warnings only: exit $rc, want 0: $out"
[[ $out == *"warn.frr:22: warning: [ars-multihop] "* ]] || fail "warnings only: $out"

run --json "$fixtures/configs/nva-seed.frr"
[[ $rc == 1 ]] || fail "json: exit $rc"
python3 - "$tmp/out" <<'PY' || fail "json: $out"
import json, sys
findings = json.load(open(sys.argv[1]))
assert isinstance(findings, list) and len(findings) == 1, findings
f = findings[0]
assert f["rule"] == "lo-prefix" and f["severity"] == "error" and f["line"] == 12, f
assert set(f) == {"file", "line", "severity", "rule", "message", "what", "why", "fix"}, f
PY

run "$tmp/missing.frr"
[[ $rc == 2 ]] || fail "missing file: exit $rc, want 2"
[[ $err == "hairpin lint: cannot read "*"missing.frr"* ]] || fail "missing file: $err"

# A directory is not an empty config (an ifstream opens one and reads nothing).
mkdir "$tmp/configs.d"
run "$tmp/configs.d"
[[ $rc == 2 ]] || fail "directory: exit $rc, want 2: $out $err"
[[ $err == "hairpin lint: cannot read "*"configs.d"* ]] || fail "directory: $err"

printf 'router bgp 65001\n neighbor 10.0.210.4 route-map x in\n' >"$tmp/bad.frr"
run "$tmp/bad.frr"
[[ $rc == 2 ]] || fail "refused config: exit $rc, want 2: $out $err"
[[ $err == "hairpin lint: not a config the NVA's parser accepts: "*"bad.frr:2:"* ]] || fail "refused config: $err"
[[ $(wc -l <"$tmp/err") == 1 ]] || fail "refused config: more than one line: $err"

run "$fixtures/configs/nva-fixed.frr" --ars-limit 0
[[ $rc == 2 ]] || fail "--ars-limit 0: exit $rc, want 2"
echo "lint CLI: all checks passed"
