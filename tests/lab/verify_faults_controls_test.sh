#!/usr/bin/env bash
# hairpin verify --negative-controls on a running seed lab: every lab fault flips
# the verdict to FAIL with its diagnosis, the baseline passes (the positive
# control: a verifier that fails everything does not pass), exit 0; the table
# has one ok row per control; the JSON and JUnit say the same (JUnit valid
# against fixtures/schemas/junit.xsd); each control's verify report is kept
# under --evidence; the lab is put back as it was found (up, no fault, same NVA).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/verify_lib.sh"
TMP=$(mktemp -d /tmp/hptest-verifylab-controls.XXXXXX)
trap 'rm -rf "$TMP" "$LOG"; cleanup' EXIT

lab_up
nva_before=$("$HAIRPIN" lab status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["nva"])')

start=$(date +%s)
rc=0
"$HAIRPIN" verify --negative-controls --evidence "$TMP/ev" --junit "$TMP/controls.xml" > "$TMP/table" 2> "$TMP/progress" || rc=$?
took=$(( $(date +%s) - start ))
cat "$TMP/table"
[ $rc -eq 0 ] || { cat "$TMP/progress"; fail "--negative-controls exited $rc, expected 0"; }

# The table: a header, then one row per control, each ok, then the summary.
grep -Eq "^seed-verbatim \(frr\) +FAIL +lo-trap .* ok +[0-9.]+ s$" "$TMP/table" || fail "no ok lo-trap row for FRR"
for f in baseline no-udr asymmetric-udr no-supernet nva-noforward ars0-down nva-down seed-verbatim; do
  grep -Eq "^$f \((builtin|frr)\) .* ok +[0-9.]+ s$" "$TMP/table" || fail "no ok row for $f in the table"
done
header=$(head -1 "$TMP/table")
[[ $header =~ ^fault\ +verdict\ +diagnosis\ +expected\ +ok ]] || fail "no table header: $header"
grep -Eq "^ars0-down \([a-z]+\) +FAIL +route-server-session-down +FAIL route-server-session-down \(10\.0\.210\.4\) +ok" "$TMP/table" ||
  fail "ars0-down row does not name the session diagnosis for 10.0.210.4"
grep -q "^negative controls: all [0-9]* ok$" "$TMP/table" || fail "no all-ok summary"

# The JSON the controls kept, and each control's own verify report, agree.
python3 - "$TMP/ev" <<'PY' || fail "controls.json or a kept report disagrees with the table"
import glob, json, os, sys
ev = sys.argv[1]
c = json.load(open(os.path.join(ev, "controls.json")))
assert c["schema"] == "hairpin.verify-controls/1" and c["ok"] is True
names = [(x["name"], x["nva"]) for x in c["controls"]]
assert names[0][0] == "baseline", names
for i, x in enumerate(c["controls"], 1):
    assert x["ok"], x
    want = "pass" if x["expected"]["verdict"] == "pass" else "fail"
    assert x["verdict"] == want and x["exit_code"] == (0 if want == "pass" else 1), x
    # Kept as N-NAME-NVA/ (the baseline's NVA is the lab's default, learnt after it ran).
    reports = glob.glob(os.path.join(ev, "%d-%s-*" % (i, x["name"]), "report.json"))
    assert len(reports) == 1, (x["name"], reports)
    r = json.load(open(reports[0]))
    assert r["outcome"] == want, (x["name"], r["outcome"])
    if want == "fail":
        assert any(k["diagnosis"] == x["expected"]["diagnosis"] for k in r["checks"] if k["verdict"] == "fail"), x["name"]
print("  %d controls, each with its report" % len(c["controls"]))
PY
valid_junit "$TMP/controls.xml"
[ "$(grep -c '<testcase ' "$TMP/controls.xml")" -ge 8 ] || fail "fewer than 8 testcases in the controls' JUnit"
[ "$(grep -c '<failure' "$TMP/controls.xml" || true)" = 0 ] || fail "JUnit failures although every control is ok"

# Put back as found: up, converged, no fault, the same NVA.
"$HAIRPIN" lab status --json > "$TMP/status.json" || fail "the lab is not up (or not converged) after the controls"
python3 - "$TMP/status.json" "$nva_before" <<'PY' || fail "the lab was not put back as it was found"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["up"] and s["converged"] and s["faults"] == [] and s["nva"] == sys.argv[2], (s["faults"], s["nva"])
PY
pass "negative controls: all ok in ${took} s, reports kept, lab restored"
