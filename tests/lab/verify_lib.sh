# Shared by the verify lab tests (source after lib.sh): the report validators and
# the expected diagnosis of each lab fault.

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
JSON_SCHEMA=$SRC/fixtures/schemas/hairpin.verify-1.schema.json
JUNIT_XSD=$SRC/fixtures/schemas/junit.xsd
command -v xmllint >/dev/null || fail "xmllint missing (Debian libxml2-utils; run scripts/setup)"
python3 -c 'import jsonschema' 2>/dev/null || fail "python3 jsonschema missing (Debian python3-jsonschema; run scripts/setup)"

# The catalog's cause for each lab fault (docs/verify.md, Diagnosis catalog).
declare -A EXPECTED_CAUSE=(
  [no-udr]=udr-missing [asymmetric-udr]=udr-one-site-only [no-supernet]=supernet-not-originated
  [nva-noforward]=nva-not-forwarding [ars0-down]=route-server-session-down [nva-down]=nva-down
  [seed-verbatim]=lo-trap
)

# valid_json FILE: FILE conforms to hairpin.verify/1's JSON Schema.
valid_json() {
  python3 - "$JSON_SCHEMA" "$1" <<'PY' || fail "$1 does not conform to $JSON_SCHEMA"
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
errors = sorted(cls(schema).iter_errors(doc), key=lambda e: list(e.path))
for e in errors[:5]:
    print("  at $" + "".join(f"[{p!r}]" for p in e.path) + ": " + e.message, file=sys.stderr)
sys.exit(1 if errors else 0)
PY
}

# valid_junit FILE: FILE validates against fixtures/schemas/junit.xsd.
valid_junit() {
  local out
  out=$(xmllint --noout --schema "$JUNIT_XSD" "$1" 2>&1) || fail "$1 is not valid JUnit ($JUNIT_XSD): $out"
}

# The validators reject what they must (their positive control): a report with
# an outcome outside the schema's, and a testcase without its name.
validators_reject_bad_reports() {  # validators_reject_bad_reports GOOD.json GOOD.xml
  local tmp rc
  tmp=$(mktemp -d)
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["outcome"]="maybe"; json.dump(d, open(sys.argv[2],"w"))' \
    "$1" "$tmp/bad.json"
  rc=0; (valid_json "$tmp/bad.json") >/dev/null 2>&1 || rc=$?
  [ $rc -ne 0 ] || { rm -rf "$tmp"; fail "the JSON Schema check accepted outcome \"maybe\""; }
  sed 's/<testcase \([^>]*\)name="[^"]*"/<testcase \1/' "$2" > "$tmp/bad.xml"
  cmp -s "$2" "$tmp/bad.xml" && { rm -rf "$tmp"; fail "no testcase name to remove in $2"; }
  rc=0; xmllint --noout --schema "$JUNIT_XSD" "$tmp/bad.xml" >/dev/null 2>&1 || rc=$?
  [ $rc -ne 0 ] || { rm -rf "$tmp"; fail "the JUnit XSD accepted a testcase without a name"; }
  rm -rf "$tmp"
}
