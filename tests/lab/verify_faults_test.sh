#!/usr/bin/env bash
# hairpin verify on the lab with one fault (the first argument): FAIL, exit 1,
# the fault's diagnosis in the JSON (the failed checks name it, the diagnoses
# list it first or explain them), the JSON valid against hairpin.verify/1's
# schema, the JUnit valid against fixtures/schemas/junit.xsd with the diagnosis
# as a failure's type. Positive controls in the same run: the checks the fault
# leaves alone still pass (verify read the NVA and the paths), and the validators
# reject broken reports.
#   HAIRPIN_LAB_NVA=builtin|frr verify_faults_test.sh FAULT
# The lo trap (seed-verbatim) is FRR's: with FRR it must FAIL with lo-trap; the
# built-in NVA runs the same config without it and must PASS.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/verify_lib.sh"
fault=$1
nva_passes=false
[ "$fault" = seed-verbatim ] && [ "$NVA" = builtin ] && nva_passes=true
TMP=$(mktemp -d /tmp/hptest-verifylab-faults.XXXXXX)
trap 'rm -rf "$TMP" "$LOG"; cleanup' EXIT

if [ "$fault" = seed-verbatim ] && [ "$NVA" = frr ]; then
  # FRR may never converge with the lo trap: lab up waits its timeout and exits 1, up.
  rc=0; "$HAIRPIN" lab up --force --nva frr --fault seed-verbatim --timeout 10 > "$LOG" 2>&1 || rc=$?
  [ $rc -eq 0 ] || [ $rc -eq 1 ] || { cat "$LOG"; fail "lab up --nva frr --fault seed-verbatim could not run (exit $rc)"; }
else
  lab_up --fault "$fault"
fi

rc=0
"$HAIRPIN" verify --json --converge-timeout 5 --junit "$TMP/junit.xml" > "$TMP/report.json" 2> "$TMP/err" || rc=$?
valid_json "$TMP/report.json"
valid_junit "$TMP/junit.xml"
validators_reject_bad_reports "$TMP/report.json" "$TMP/junit.xml"

if $nva_passes; then
  # The built-in NVA originates the supernet without an address on lo: no trap.
  [ $rc -eq 0 ] || { head -c 3000 "$TMP/report.json"; cat "$TMP/err"; fail "seed-verbatim on the built-in NVA: verify exit $rc, expected 0 (PASS)"; }
  python3 - "$TMP/report.json" <<'PY' || fail "the report does not say PASS"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["outcome"] == "pass" and r["exit_code"] == 0, r["outcome"]
assert all(c["verdict"] == "pass" for c in r["checks"]), [c["key"] for c in r["checks"] if c["verdict"] != "pass"]
PY
  [ "$(grep -c '<failure' "$TMP/junit.xml" || true)" = 0 ] || fail "JUnit has failures for a passing run"
  pass "seed-verbatim on the built-in NVA: PASS, every check, reports valid"
  exit 0
fi

[ $rc -eq 1 ] || { cat "$TMP/err"; head -c 3000 "$TMP/report.json"; fail "verify with $fault exited $rc, expected 1 (FAIL)"; }
cause=${EXPECTED_CAUSE[$fault]}
# The checks each fault leaves alone, which must still pass (positive control).
case "$fault" in
  no-udr|asymmetric-udr|nva-noforward) still="bgp.session-established bgp.supernet-advertised bgp.site-prefix-learned" ;;
  no-supernet) still="bgp.session-established bgp.site-prefix-learned" ;;
  ars0-down) still="path.reaches-via-nva capture.crosses-nva path.only-target-answers" ;;
  nva-down) still="" ;;   # nothing of the NVA can pass; the lab's own control is below
  seed-verbatim) still="" ;;
esac
python3 - "$TMP/report.json" "$cause" "$fault" "$still" <<'PY' || fail "$fault: the report does not carry $cause as documented"
import json, sys
r = json.load(open(sys.argv[1])); cause, fault, still = sys.argv[2], sys.argv[3], sys.argv[4].split()
assert r["schema"] == "hairpin.verify/1"
assert r["outcome"] == "fail" and r["exit_code"] == 1, (r["outcome"], r["exit_code"])
failed = [c for c in r["checks"] if c["verdict"] == "fail"]
named = [c for c in failed if c["diagnosis"] == cause]
assert named, "no failed check diagnosed %s: %s" % (cause, [(c["key"], c["diagnosis"]) for c in failed])
diag = [d for d in r["diagnoses"] if d["cause"] == cause]
assert diag, "no diagnosis %s among %s" % (cause, [d["cause"] for d in r["diagnoses"]])
assert all(c["key"] in diag[0]["explains"] or any(c["key"] in d["explains"] for d in diag) for c in named)
assert diag[0]["next_command"], "the diagnosis gives no next command"
if fault == "ars0-down":
    # Only the session to 10.0.210.4 is down, and what it should carry with it;
    # the other session is up and the hairpin still works.
    keys = {c["key"] for c in failed}
    assert "bgp.session-established 10.0.210.4" in keys, keys
    assert keys <= {"bgp.session-established 10.0.210.4", "bgp.supernet-advertised 10.0.210.4",
                    "bgp.same-routes-to-all"}, keys
    assert all(c["diagnosis"] == cause for c in failed), [(c["key"], c["diagnosis"]) for c in failed]
    other = [c for c in r["checks"] if c["key"] == "bgp.session-established 10.0.210.5"]
    assert other and other[0]["verdict"] == "pass", other
    assert diag[0]["subject"] == "10.0.210.4" and "10.0.210.4" in diag[0]["summary"], diag[0]
    assert diag[0]["traffic_passes"] is True
for cid in still:
    got = [c for c in r["checks"] if c["id"] == cid]
    assert got and all(c["verdict"] == "pass" for c in got), "%s should still pass: %s" % (cid, [(c["key"], c["verdict"], c["detail"]) for c in got])
print("  diagnosis:", diag[0]["summary"])
PY
# The JUnit carries the same diagnosis on the failed testcases.
grep -q "<failure [^>]*type=\"$cause\"" "$TMP/junit.xml" || fail "no JUnit failure of type $cause"
case "$fault" in
  nva-down) has_route vm-hub100 10.0.0.0/16 || fail "the lab itself is broken: site A lost the hub route" ;;
  seed-verbatim)
    in_node vm-hub00 ip route show table local
    [[ $NODE_OUT =~ (^|$'\n')"local 10.0.0.0/8 dev lo" ]] || fail "the trap is not there to find: $NODE_OUT" ;;
esac
pass "$fault: FAIL (exit 1), diagnosis $cause in JSON and JUnit, reports valid"
