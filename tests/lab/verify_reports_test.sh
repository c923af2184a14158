#!/usr/bin/env bash
# hairpin verify's reports on the passing seed lab: --json conforms to
# fixtures/schemas/hairpin.verify-1.schema.json (python3-jsonschema), --junit
# validates against fixtures/schemas/junit.xsd (xmllint) with one testcase per
# check and no failure, the text report in a pipe has no ANSI codes, exit 0.
# The validators' own control: they reject a broken report of each kind.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/verify_lib.sh"
TMP=$(mktemp -d /tmp/hptest-verifylab-reports.XXXXXX)
trap 'rm -rf "$TMP" "$LOG"; cleanup' EXIT

lab_up
rc=0
"$HAIRPIN" verify --json --junit "$TMP/junit.xml" > "$TMP/report.json" 2> "$TMP/err" || rc=$?
[ $rc -eq 0 ] || { cat "$TMP/err"; head -c 3000 "$TMP/report.json"; fail "verify on the seed lab exited $rc, expected 0"; }
valid_json "$TMP/report.json"
valid_junit "$TMP/junit.xml"
validators_reject_bad_reports "$TMP/report.json" "$TMP/junit.xml"
python3 - "$TMP/report.json" "$TMP/junit.xml" <<'PY' || fail "JSON and JUnit disagree"
import json, sys, xml.etree.ElementTree as ET
r = json.load(open(sys.argv[1]))
assert r["outcome"] == "pass" and r["exit_code"] == 0
root = ET.parse(sys.argv[2]).getroot()
cases = root.iter("testcase")
names = sorted(c.get("name") for c in cases)
assert names == sorted(c["key"] for c in r["checks"]), (names, [c["key"] for c in r["checks"]])
assert not list(root.iter("failure")) and not list(root.iter("error"))
print("  %d checks, %d testcases" % (len(r["checks"]), len(names)))
PY

rc=0
"$HAIRPIN" verify > "$TMP/text" 2>&1 || rc=$?
[ $rc -eq 0 ] || { cat "$TMP/text"; fail "verify (text) exited $rc"; }
grep -q $'\033' "$TMP/text" && fail "ANSI escape codes in the text report sent to a pipe"
grep -q "PASS" "$TMP/text" || fail "the text report has no PASS verdict"
pass "reports: JSON valid against hairpin.verify/1, JUnit valid against junit.xsd, plain text in a pipe"
