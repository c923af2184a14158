#!/usr/bin/env bash
# hairpin verify on the seed lab (runners: netns, the lab's namespaces, found from
# the running lab with no scenario file): PASS, exit 0, in text, JSON and JUnit;
# --evidence keeps every command (argv, exit code, output), the pcap and the
# evidence, each file whole. Then exit 1 with a diagnosis when a check fails
# (--route-server-limit 1), ^C during the retries (exit 2, capture stopped,
# evidence kept), and exit 2 with one line once the lab is down.
cd "$(dirname "$0")/../.."
source tests/lab/lib.sh

WORK=$(mktemp -d)
verify_pid=""
trap '[ -n "$verify_pid" ] && kill "$verify_pid" 2>/dev/null; rm -rf "$WORK" "$LOG"; cleanup' EXIT

lab_up --delay 45

# 1. The seed lab passes: text on stdout, exit 0.
rc=0
start=$(date +%s%N)
"$HAIRPIN" verify > "$WORK/text.out" 2> "$WORK/text.err" || rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ $rc -eq 0 ] || { cat "$WORK/text.out" "$WORK/text.err"; fail "hairpin verify on the seed lab: exit $rc, expected 0"; }
grep -q PASS "$WORK/text.out" || { cat "$WORK/text.out"; fail "the text report does not say PASS"; }
if grep -q $'\033' "$WORK/text.out"; then fail "colour codes in a pipe"; fi
pass "hairpin verify on the seed lab (--delay 45): exit 0 in $ms ms"

# 2. JSON, JUnit and the evidence directory, in one run.
rc=0
"$HAIRPIN" verify --json --junit "$WORK/junit.xml" --evidence "$WORK/ev" > "$WORK/report.json" 2> "$WORK/json.err" || rc=$?
[ $rc -eq 0 ] || { cat "$WORK/json.err"; fail "hairpin verify --json: exit $rc"; }
python3 - "$WORK" <<'PY' || fail "reports or evidence are not as expected (above)"
import json, os, sys, xml.etree.ElementTree as ET
work = sys.argv[1]
report = json.load(open(f"{work}/report.json"))
assert report["schema"] == "hairpin.verify/1", report.get("schema")
checks = report["checks"]
assert len(checks) >= 16, f"only {len(checks)} checks"
bad = [c for c in checks if c["verdict"] != "pass"]
assert not bad, f"not passing: {bad}"
suite = ET.parse(f"{work}/junit.xml").getroot()
cases = suite.iter("testcase")
n = 0
for case in cases:
    n += 1
    assert case.find("failure") is None and case.find("skipped") is None, ET.tostring(case)
assert n == len(checks), f"{n} testcases for {len(checks)} checks"
ev = f"{work}/ev"
rec = json.load(open(f"{ev}/round-001/bgp-summary.json"))
# The lab's NVA is read through vtysh (FRR) or `hairpin bgp show` (the built-in NVA, the default).
assert rec["exit_code"] == 0 and (rec["argv"][0] == "vtysh" or rec["argv"][1:3] == ["bgp", "show"]) \
    and rec["runner"] == "netns hp-vm-hub00", rec
assert os.path.getsize(f"{ev}/round-001/bgp-summary.out") == rec["stdout_bytes"] > 0
for name in ("trace-vm-hub100-vm-hub200", "trace-vm-hub200-vm-hub100"):
    t = json.load(open(f"{ev}/round-001/{name}.out"))
    assert t["schema"] == "hairpin.trace/1", t.get("schema")
cap = json.load(open(f"{ev}/round-001/capture.json"))
assert cap["argv"][1:3] == ["capture", "-i"] and "--probes" in cap["argv"], cap["argv"]
assert cap["ending"] == "exited" and cap["exit_code"] == 0, cap
evidence = json.load(open(f"{ev}/evidence.json"))
assert evidence["schema"] == "hairpin.evidence/1", evidence.get("schema")
assert json.load(open(f"{ev}/report.json"))["schema"] == "hairpin.verify/1"
left = [f for _, _, fs in os.walk(ev) for f in fs if ".hairpin-tmp" in f]
assert not left, f"half-written files: {left}"
print("reports and evidence ok:", len(checks), "checks")
PY
tcpdump -r "$WORK/ev/round-001/capture.pcap" -n 2>/dev/null | grep -c "Flags \[S\]" > "$WORK/syns" || true
[ "$(cat "$WORK/syns")" -gt 0 ] || fail "the kept pcap holds no probe SYNs for tcpdump"
pass "--json (hairpin.verify/1), --junit, --evidence: every check pass; pcap readable by tcpdump ($(cat "$WORK/syns") SYNs)"

# 3. A failing check: exit 1 with a diagnosis (ARS limit of 1 route: 1 advertised is over 75% of it).
rc=0
"$HAIRPIN" verify --route-server-limit 1 --converge-timeout 0 --json > "$WORK/fail.json" 2> "$WORK/fail.err" || rc=$?
[ $rc -eq 1 ] || { cat "$WORK/fail.err"; fail "--route-server-limit 1: exit $rc, expected 1"; }
python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
failed = [c["id"] for c in r["checks"] if c["verdict"] == "fail"]
assert failed and set(failed) == {"bgp.route-count-under-limit"}, failed
assert r["diagnoses"], "no diagnosis"
print("diagnosis:", r["diagnoses"][0].get("id", r["diagnoses"][0]))
' "$WORK/fail.json" || fail "--route-server-limit 1: not the expected failure"
pass "--route-server-limit 1: exit 1, only bgp.route-count-under-limit fails, diagnosed"

# 4. ^C while it retries (that check never passes): exit 2, the capture is stopped, what was kept stays.
"$HAIRPIN" verify --route-server-limit 1 --converge-timeout 60 --evidence "$WORK/int" > "$WORK/int.out" 2> "$WORK/int.err" &
verify_pid=$!
for _ in $(seq 200); do [ -f "$WORK/int/round-002/evidence.json" ] && break; sleep 0.05; done
[ -f "$WORK/int/round-002/evidence.json" ] || fail "no second round within 10 s: $(cat "$WORK/int.err")"
kill -INT "$verify_pid"
rc=0
wait "$verify_pid" || rc=$?
verify_pid=""
[ $rc -eq 2 ] || { cat "$WORK/int.err"; fail "SIGINT: exit $rc, expected 2"; }
grep -q "interrupted" "$WORK/int.err" || fail "SIGINT: no 'interrupted' line: $(cat "$WORK/int.err")"
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$WORK/int/round-001/evidence.json" || fail "round 1's evidence is not whole"
# No hairpin capture left in the NVA's namespace; the listing works (the NVA daemon is in it).
pids=$(ip netns pids hp-vm-hub00)
[ -n "$pids" ] || fail "ip netns pids hp-vm-hub00 listed nothing (the NVA daemon should be there)"
for p in $pids; do
  cmdline=$(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null || true)
  if [[ $cmdline == *" capture "* ]]; then fail "a capture is still running: pid $p"; fi
done
if compgen -G "$WORK/int/*/.*hairpin-tmp*" > /dev/null; then fail "half-written evidence after SIGINT"; fi
pass "SIGINT during the retries: exit 2, 'interrupted', capture stopped, evidence kept whole"

# 5. The lab is down: one line, exit 2.
"$HAIRPIN" lab down > /dev/null
rc=0
"$HAIRPIN" verify > "$WORK/down.out" 2> "$WORK/down.err" || rc=$?
[ $rc -eq 2 ] || fail "no lab: exit $rc, expected 2"
[ "$(wc -l < "$WORK/down.err")" -eq 1 ] && grep -q "no lab is up" "$WORK/down.err" ||
  fail "no lab: expected one line 'no lab is up', got: $(cat "$WORK/down.err")"
pass "no lab: exit 2, $(cat "$WORK/down.err")"
