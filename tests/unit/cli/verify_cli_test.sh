#!/usr/bin/env bash
# `hairpin verify` when nothing can run (label unit, no root): a scenario that does
# not load is one line on stderr and exit 2; with --json / --junit it is also a
# could-not-run report carrying that line, valid against the schemas CI reads
# (fixtures/schemas/hairpin.verify-1.schema.json, fixtures/schemas/junit.xsd).
set -euo pipefail
hairpin=$1
fixtures=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v xmllint > /dev/null || fail "xmllint missing (Debian libxml2-utils; run scripts/setup)"
python3 -c 'import jsonschema' 2> /dev/null || fail "python3 jsonschema missing (Debian python3-jsonschema; run scripts/setup)"

# run ARGS...: sets $out (stdout), $err (stderr) and $rc
run() {
  rc=0
  "$hairpin" verify "$@" > "$tmp/out" 2> "$tmp/err" || rc=$?
  out=$(cat "$tmp/out")
  err=$(cat "$tmp/err")
}

# A scenario with a bad line (from the annotated example): FILE:LINE and the fix.
sed 's/^port: 22 .*/port: twenty-two/' "$fixtures/scenarios/seed-lab.yaml" > "$tmp/bad.yaml"
line=$(grep -n '^port: twenty-two' "$tmp/bad.yaml" | cut -d: -f1)
[[ -n $line ]] || fail "the test's own edit of seed-lab.yaml did not happen"

run "$tmp/bad.yaml"
[[ $rc == 2 ]] || fail "bad scenario: exit $rc, want 2: $out $err"
[[ -z $out ]] || fail "bad scenario: something on stdout: $out"
[[ $(wc -l < "$tmp/err") == 1 ]] || fail "bad scenario: not one line on stderr: $err"
[[ $err == "hairpin verify: $tmp/bad.yaml:$line: "* ]] || fail "bad scenario: no FILE:LINE: $err"

run "$tmp/bad.yaml" --json --junit "$tmp/junit.xml"
[[ $rc == 2 ]] || fail "bad scenario with reports: exit $rc, want 2: $err"
[[ $(wc -l < "$tmp/err") == 1 ]] || fail "bad scenario with reports: not one line on stderr: $err"
xmllint --noout --schema "$fixtures/schemas/junit.xsd" "$tmp/junit.xml" 2> "$tmp/xmllint" ||
  fail "the JUnit report is not valid: $(cat "$tmp/xmllint")"
python3 - "$fixtures/schemas/hairpin.verify-1.schema.json" "$tmp/out" "$tmp/junit.xml" "${err#hairpin verify: }" <<'PY' ||
import json, sys, jsonschema, xml.etree.ElementTree as ET
schema, report, junit, line = sys.argv[1:]
r = json.load(open(report))
jsonschema.validate(r, json.load(open(schema)))
assert r["outcome"] == "could-not-run" and r["exit_code"] == 2, r["outcome"]
assert r["error"]["line"] == line, (r["error"]["line"], line)
assert r["checks"] == [] and r["diagnoses"] == []
errors = list(ET.parse(junit).getroot().iter("error"))
assert len(errors) == 1 and errors[0].get("message") == line, [e.get("message") for e in errors]
PY
  fail "the could-not-run report does not carry the line"

# Validators' control: a report with a verdict the schema does not have is refused.
python3 - "$fixtures/schemas/hairpin.verify-1.schema.json" "$tmp/out" <<'PY' || fail "the schema accepted a broken report"
import json, sys, jsonschema
r = json.load(open(sys.argv[2])); r["outcome"] = "maybe"
try:
    jsonschema.validate(r, json.load(open(sys.argv[1])))
except jsonschema.ValidationError:
    sys.exit(0)
sys.exit(1)
PY

# A scenario that is not there: the path and the fix, exit 2.
run /nonexistent/scenario.yaml
[[ $rc == 2 && -z $out ]] || fail "missing scenario: exit $rc: $out $err"
[[ $err == *"/nonexistent/scenario.yaml"*"cannot read scenario file"* ]] || fail "missing scenario: $err"
echo "ok: unloadable scenario -> one FILE:LINE line, exit 2; with --json/--junit a valid could-not-run report carrying it"
