#!/usr/bin/env bash
# A topology that is not the seed (fixtures/topologies/unseen.yaml: supernet
# 172.16.0.0/12, other subnets, addresses, ASNs and node names), brought up with no
# --nva-config: the lab writes the NVA's config for it and says so. Then the
# hand-written scenario fixtures/scenarios/unseen-lab.yaml (netns runners, not the
# lab-derived one) must PASS with valid reports; the NVA holds the site prefixes
# under its protocol and no local route for the supernet; a fault gives its
# diagnosis; a scenario naming a namespace that does not exist, or with a bad line,
# stops with one line and exit 2; --negative-controls all ok on it (builtin run).
#   HAIRPIN_LAB_NVA=builtin|frr verify_unseen_test.sh
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/verify_lib.sh"
TOPOLOGY=$SRC/fixtures/topologies/unseen.yaml
SCENARIO=$SRC/fixtures/scenarios/unseen-lab.yaml
TMP=$(mktemp -d /tmp/hptest-verifylab-unseen.XXXXXX)
trap 'rm -rf "$TMP" "$LOG"; cleanup' EXIT

if [ "$NVA" = frr ]; then  # the same scenario, read through vtysh
  python3 - "$SCENARIO" "$TMP/scenario.yaml" <<'PY'
import sys
s = open(sys.argv[1]).read()
old = "  kind: builtin\n  state:\n    via: control-socket\n    control_socket: /run/hairpin/lab/fw1/nva.sock\n"
assert old in s
open(sys.argv[2], "w").write(s.replace(old, "  kind: frr\n  state:\n    via: vtysh\n    vty_socket: /run/hairpin/lab/fw1/frr\n"))
PY
  SCENARIO=$TMP/scenario.yaml
fi

lab_up --topology "$TOPOLOGY"
grep -q "does not fit topology 'unseen'" "$LOG" || { cat "$LOG"; fail "lab up did not say it wrote the NVA config for the topology"; }
grep -q "network 172.16.0.0/12" "$LAB/nva.conf" || fail "the NVA config the lab ran has no 'network 172.16.0.0/12': $(cat "$LAB/nva.conf")"
pass "lab up --topology unseen.yaml without --nva-config converged (the NVA config written for it)"

rc=0
"$HAIRPIN" verify "$SCENARIO" --json --junit "$TMP/junit.xml" > "$TMP/report.json" 2> "$TMP/err" || rc=$?
valid_json "$TMP/report.json"
valid_junit "$TMP/junit.xml"
validators_reject_bad_reports "$TMP/report.json" "$TMP/junit.xml"
[ $rc -eq 0 ] || { "$HAIRPIN" verify "$SCENARIO" --converge-timeout 0 || true; fail "verify on the unseen topology: exit $rc, expected 0"; }
python3 - "$TMP/report.json" <<'PY' || fail "the report is not a PASS over the unseen topology's addresses"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["outcome"] == "pass" and r["exit_code"] == 0, r["outcome"]
assert r["scenario"]["supernet"] == "172.16.0.0/12", r["scenario"]["supernet"]
keys = {c["key"] for c in r["checks"]}
for k in ["bgp.session-established 172.18.0.68", "bgp.session-established 172.18.0.69",
          "path.reaches-via-nva branch-west -> branch-east", "path.reaches-via-nva branch-east -> branch-west",
          "capture.crosses-nva branch-west -> branch-east", "capture.crosses-nva branch-east -> branch-west"]:
    assert k in keys, (k, sorted(keys))
assert all(c["verdict"] == "pass" for c in r["checks"]), [c["key"] for c in r["checks"] if c["verdict"] != "pass"]
print(f"  {len(r['checks'])} checks pass")
PY
pass "hand-written scenario, netns runners: PASS, JSON and JUnit valid"

# The NVA's kernel: the site prefixes under its protocol (the built-in NVA: 220; FRR: bgp),
# and no local route for the supernet (the lo trap is not in the config the lab wrote).
proto=220; [ "$NVA" = frr ] && proto=bgp
for p in 172.20.0.0/16 172.24.8.0/22; do
  in_node fw1 ip route show exact "$p" proto "$proto"
  [ -n "$NODE_OUT" ] || fail "fw1 has no $p under proto $proto: $(ip netns exec hp-fw1 ip route show)"
done
in_node fw1 ip route show table local
local_routes=$NODE_OUT
[[ $local_routes == *"local 172.18.1.10 "* ]] || fail "positive control: fw1's local table lacks its own address: $local_routes"
[[ $local_routes != *"172.16.0.0/12"* ]] || fail "fw1 has a local route for the supernet: $local_routes"
pass "fw1: site prefixes under proto $proto, no local 172.16.0.0/12"

# Exit 2, one line each: a namespace that does not exist; a bad scenario line (file:line).
sed 's/namespace: hp-branch-east/namespace: hp-branch-nowhere/' "$SCENARIO" > "$TMP/missing.yaml"
rc=0; "$HAIRPIN" verify "$TMP/missing.yaml" > "$TMP/missing.out" 2> "$TMP/missing.err" || rc=$?
[ $rc -eq 2 ] || fail "missing namespace: exit $rc, expected 2"
[ "$(wc -l < "$TMP/missing.err")" -eq 1 ] || fail "missing namespace: not one line: $(cat "$TMP/missing.err")"
grep -q "site branch-east (netns hp-branch-nowhere).*does not exist" "$TMP/missing.err" ||
  fail "missing namespace: the line does not name the site and namespace: $(cat "$TMP/missing.err")"
sed 's/^port: 22$/port: twenty-two/' "$SCENARIO" > "$TMP/bad.yaml"
line=$(grep -n '^port: twenty-two$' "$TMP/bad.yaml" | cut -d: -f1)
[ -n "$line" ] || fail "no port line to break in $SCENARIO"
rc=0; "$HAIRPIN" verify "$TMP/bad.yaml" > "$TMP/bad.out" 2> "$TMP/bad.err" || rc=$?
[ $rc -eq 2 ] || fail "bad scenario line: exit $rc, expected 2"
grep -q "^hairpin verify: $TMP/bad.yaml:$line: port 'twenty-two'" "$TMP/bad.err" ||
  fail "bad scenario line: not file:$line: $(cat "$TMP/bad.err")"
pass "exit 2: $(cat "$TMP/missing.err" | cut -c1-100)...; $(cat "$TMP/bad.err")"

# A fault on this topology: its diagnosis, and the checks it leaves alone still pass.
lab_up --topology "$TOPOLOGY" --fault nva-noforward
rc=0
"$HAIRPIN" verify "$SCENARIO" --json --converge-timeout 5 --junit "$TMP/junit-fault.xml" > "$TMP/fault.json" 2> "$TMP/err" || rc=$?
valid_json "$TMP/fault.json"
valid_junit "$TMP/junit-fault.xml"
[ $rc -eq 1 ] || fail "verify with nva-noforward: exit $rc, expected 1: $(cat "$TMP/err")"
python3 - "$TMP/fault.json" <<'PY' || fail "nva-noforward on the unseen topology: not diagnosed as nva-not-forwarding"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["outcome"] == "fail", r["outcome"]
causes = [d["cause"] for d in r["diagnoses"]]
assert causes == ["nva-not-forwarding"], causes
assert "172.18.1.10" in r["diagnoses"][0]["summary"], r["diagnoses"][0]["summary"]
failed = [c for c in r["checks"] if c["verdict"] == "fail"]
assert failed and all(c["diagnosis"] == "nva-not-forwarding" for c in failed), [(c["key"], c["diagnosis"]) for c in failed]
for c in r["checks"]:
    if c["key"].startswith(("bgp.session-established", "bgp.supernet-advertised", "bgp.site-prefix-learned")):
        assert c["verdict"] == "pass", c
print("  " + r["diagnoses"][0]["summary"])
PY
grep -q 'type="nva-not-forwarding"' "$TMP/junit-fault.xml" || fail "JUnit failures do not carry the cause"
pass "nva-noforward on the unseen topology: FAIL, nva-not-forwarding"

# The negative controls on this topology (once, from the built-in run; they run both
# kinds themselves): every fault flips the verdict with its diagnosis, ars0-down names
# this topology's first route server, seed-verbatim is the seed's mistake written for
# these addresses (FRR: lo-trap; built-in: PASS), and the lab is put back.
if [ "$NVA" = builtin ]; then
  lab_up --topology "$TOPOLOGY"
  rc=0; "$HAIRPIN" verify --negative-controls > "$TMP/controls.txt" 2>&1 || rc=$?
  [ $rc -eq 0 ] || { cat "$TMP/controls.txt"; fail "negative controls on the unseen topology: exit $rc"; }
  grep -q "^ars0-down (builtin) .*(172.18.0.68) *ok" "$TMP/controls.txt" || { cat "$TMP/controls.txt"; fail "ars0-down does not name 172.18.0.68"; }
  grep -q "^seed-verbatim (frr) *FAIL *lo-trap .* ok" "$TMP/controls.txt" || { cat "$TMP/controls.txt"; fail "seed-verbatim on FRR is not the lo trap"; }
  grep -q "^negative controls: all 9 ok" "$TMP/controls.txt" || { cat "$TMP/controls.txt"; fail "not all 9 controls ok"; }
  "$HAIRPIN" lab status > "$TMP/status.txt" 2>&1 || { cat "$TMP/status.txt"; fail "the lab is not back, converged, after the controls"; }
  grep -q "topology .*unseen.yaml, NVA builtin, faults none" "$TMP/status.txt" || fail "the lab came back otherwise: $(head -1 "$TMP/status.txt")"
  pass "negative controls on the unseen topology: all 9 ok, the lab back as it was"
fi
