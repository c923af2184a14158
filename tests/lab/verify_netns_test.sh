#!/usr/bin/env bash
# hairpin verify through a scenario file and the netns runner, against a
# namespace the lab did not create: site A's probe host is moved out of the lab
# into hptest-verifyrun-x (10.100.7.2/24), veth'ed into site A's namespace, which
# now routes for it (one more hop, inside the site, as a branch router would be).
# The scenario names every namespace explicitly (the NVA and site B stay the
# lab's). It must PASS; the same scenario with the namespace gone must stop with
# one line naming that host and namespace, exit 2, and no verdict.
cd "$(dirname "$0")/../.."
source tests/lab/lib.sh

X=hptest-verifyrun-x
WORK=$(mktemp -d)
trap 'ip netns del "$X" 2>/dev/null || true; rm -rf "$WORK" "$LOG"; cleanup' EXIT
ip netns del "$X" 2>/dev/null || true

lab_up

# The foreign probe host: its own namespace, a veth to site A (both ends are in
# namespaces; the root namespace is never touched).
ip netns add "$X"
ip -n hp-vm-hub100 link add x0 type veth peer name eth0 netns "$X"
ip -n hp-vm-hub100 addr add 10.100.7.1/24 dev x0
ip -n hp-vm-hub100 link set x0 up
ip netns exec hp-vm-hub100 sysctl -q -w net.ipv4.ip_forward=1
ip -n "$X" addr add 10.100.7.2/24 dev eth0
ip -n "$X" link set lo up
ip -n "$X" link set eth0 up
ip -n "$X" route add default via 10.100.7.1

cat > "$WORK/scenario.yaml" <<YAML
# A deployment the lab did not lay out: site A's probe host in $X.
name: foreign-probe-host
supernet: 10.0.0.0/8
port: 22
sites:
  - name: branch-a
    prefix: 10.100.0.0/16
    probe_host: 10.100.7.2
    runner: {kind: netns, namespace: $X}
  - name: branch-b
    prefix: 10.200.0.0/16
    probe_host: 10.200.0.4
    runner: {kind: netns, namespace: hp-vm-hub200}
nva:
  name: hub-nva
  address: 10.0.0.4
  interface: eth0
  kind: builtin
  state:
    via: control-socket
    control_socket: /run/hairpin/lab/vm-hub00/nva.sock
  runner: {kind: netns, namespace: hp-vm-hub00}
route_servers:
  - address: 10.0.210.4
  - address: 10.0.210.5
expectations:
  hops: [10.0.200.12, 10.0.0.4]
  timeouts: {converge_s: 20, step_s: 20, trace_s: 15}
YAML

rc=0
"$HAIRPIN" verify "$WORK/scenario.yaml" --json --evidence "$WORK/ev" > "$WORK/report.json" 2> "$WORK/err" || rc=$?
if [ $rc -ne 0 ]; then
  "$HAIRPIN" verify "$WORK/scenario.yaml" --converge-timeout 0 || true
  fail "the scenario with a foreign namespace: exit $rc, expected 0: $(cat "$WORK/err")"
fi
python3 - "$WORK" "$X" <<'PY' || fail "report not as expected (above)"
import json, sys
work, ns = sys.argv[1], sys.argv[2]
r = json.load(open(f"{work}/report.json"))
assert r["outcome"].lower() == "pass", r["outcome"]
runners = {s["name"]: s["runner"] for s in r["scenario"]["sites"]}
assert ns in json.dumps(runners["branch-a"]), runners
t = json.load(open(f"{work}/ev/round-001/trace-branch-b-branch-a.out"))
rec = json.load(open(f"{work}/ev/round-001/trace-branch-a-branch-b.json"))
assert rec["runner"] == f"netns {ns}", rec["runner"]
print("branch-b -> branch-a trace ran; branch-a's trace ran in", rec["runner"])
PY
pass "scenario file, netns runner, probe host in $X (not the lab's): PASS"

# The namespace is gone: which host, why, exit 2, no verdict.
ip netns del "$X"
rc=0
"$HAIRPIN" verify "$WORK/scenario.yaml" > "$WORK/gone.out" 2> "$WORK/gone.err" || rc=$?
[ $rc -eq 2 ] || fail "namespace gone: exit $rc, expected 2"
[ "$(wc -l < "$WORK/gone.err")" -eq 1 ] || fail "namespace gone: not one line: $(cat "$WORK/gone.err")"
grep -q "site branch-a (netns $X)" "$WORK/gone.err" && grep -q "does not exist" "$WORK/gone.err" ||
  fail "namespace gone: the line does not name the host and namespace: $(cat "$WORK/gone.err")"
if grep -qi "pass\|fail" "$WORK/gone.out"; then fail "namespace gone: a verdict was printed: $(cat "$WORK/gone.out")"; fi
pass "namespace gone: exit 2, $(cat "$WORK/gone.err")"
