#!/usr/bin/env bash
# The checks `hairpin verify` makes, done by hand with Debian tools, as a runbook
# script would: the NVA's BGP state (sessions, routes to and from each Route
# Server, the BGP table, the kernel's routes), a capture on the NVA running while
# one TCP traceroute goes each way, then the capture read back. One step after the
# other, as written in a runbook. The reference side of tests/perf/verify/bench.
#
# In:  a running seed lab (hairpin lab up); NVA kind frr or builtin (from the lab);
#      TRACEROUTE_ARGS (default: traceroute's own defaults, -T -n -p 22).
# Out: everything under OUT (default a temp dir, removed); exit 0 when every step
#      ran and the evidence shows the hairpin (sessions Established, the supernet
#      advertised to both, both traces reaching the far site through 10.0.0.4,
#      probes in the capture), 1 otherwise, so a fast broken run never counts.
set -euo pipefail
HAIRPIN=${HAIRPIN:?set HAIRPIN to the hairpin binary}
NVA_KIND=${NVA_KIND:?set NVA_KIND to frr or builtin}
read -r -a TR_ARGS <<< "${TRACEROUTE_ARGS:--T -n -p 22}"
OUT=${OUT:-}
own_out=false
if [ -z "$OUT" ]; then OUT=$(mktemp -d /tmp/hptest-verifylab-runbook.XXXXXX); own_out=true; fi
NVA_NS=hp-vm-hub00
tcpdump_pid=""
finish() {
  [ -n "$tcpdump_pid" ] && kill -TERM "$tcpdump_pid" 2>/dev/null && wait "$tcpdump_pid" 2>/dev/null
  $own_out && rm -rf "$OUT"
  return 0
}
trap finish EXIT
nva() { ip netns exec "$NVA_NS" "$@"; }

# 1. BGP state on the NVA.
if [ "$NVA_KIND" = frr ]; then
  vty() { nva vtysh --vty_socket /run/hairpin/lab/vm-hub00/frr -c "$1"; }
  vty 'show bgp summary json' > "$OUT/summary.json"
  for ars in 10.0.210.4 10.0.210.5; do
    vty "show bgp ipv4 unicast neighbors $ars advertised-routes json" > "$OUT/adv-$ars.json"
    vty "show bgp ipv4 unicast neighbors $ars routes json" > "$OUT/rcv-$ars.json"
  done
  vty 'show bgp ipv4 unicast json' > "$OUT/table.json"
else
  sock=/run/hairpin/lab/vm-hub00/nva.sock
  nva "$HAIRPIN" bgp show summary --json --control-socket "$sock" > "$OUT/summary.json"
  for ars in 10.0.210.4 10.0.210.5; do
    nva "$HAIRPIN" bgp show neighbors "$ars" advertised-routes --json --control-socket "$sock" > "$OUT/adv-$ars.json"
    nva "$HAIRPIN" bgp show neighbors "$ars" received-routes --json --control-socket "$sock" > "$OUT/rcv-$ars.json"
  done
  nva "$HAIRPIN" bgp show routes --json --control-socket "$sock" > "$OUT/table.json"
fi
nva ip -j route show table all > "$OUT/fib.json"

# 2. A capture on the NVA while the traces run; wait (bounded) until it listens.
# (ip netns exec execs tcpdump, so $! is tcpdump itself; an asynchronous command
# ignores SIGINT in a script, so it is stopped with SIGTERM, which it handles.
# --immediate-mode: without it packets wait in the kernel ring for up to 1 s and
# a short run stops before they are read.)
ip netns exec "$NVA_NS" tcpdump -i eth0 -n -U --immediate-mode -w "$OUT/nva.pcap" 'tcp port 22 or icmp' 2> "$OUT/tcpdump.err" &
tcpdump_pid=$!
for _ in $(seq 200); do
  grep -q 'listening on' "$OUT/tcpdump.err" && break
  sleep 0.01
done
grep -q 'listening on' "$OUT/tcpdump.err" || { cat "$OUT/tcpdump.err" >&2; exit 1; }

# 3. One TCP traceroute each way.
ip netns exec hp-vm-hub100 traceroute "${TR_ARGS[@]}" 10.200.0.4 > "$OUT/a-to-b.txt"
ip netns exec hp-vm-hub200 traceroute "${TR_ARGS[@]}" 10.100.0.4 > "$OUT/b-to-a.txt"

# 4. Stop the capture and read it back.
kill -TERM "$tcpdump_pid"; wait "$tcpdump_pid" || true; tcpdump_pid=""
tcpdump -n -r "$OUT/nva.pcap" > "$OUT/nva.txt" 2>/dev/null

# 5. Read the evidence as the runbook says to.
python3 - "$OUT" "$NVA_KIND" <<'PY'
import json, re, sys
out, kind = sys.argv[1], sys.argv[2]
def load(name):
    with open(f"{out}/{name}") as f:
        return json.load(f)
text = open(f"{out}/summary.json").read()
for ars in ("10.0.210.4", "10.0.210.5"):
    # Each session Established, the supernet advertised to it.
    if kind == "frr":
        peers = load("summary.json")["ipv4Unicast"]["peers"]
        assert peers[ars]["state"] == "Established", ars
        assert "10.0.0.0/8" in load(f"adv-{ars}.json")["advertisedRoutes"], ars
    else:
        assert "Established" in text and ars in text, ars
        assert "10.0.0.0/8" in open(f"{out}/adv-{ars}.json").read(), ars
for name, target in (("a-to-b.txt", "10.200.0.4"), ("b-to-a.txt", "10.100.0.4")):
    hops = [l.split() for l in open(f"{out}/{name}").read().splitlines()[1:]]
    addrs = [h[1] for h in hops if len(h) > 1]
    assert "10.0.0.4" in addrs and addrs[-1] == target, (name, addrs)
    assert addrs.index("10.0.0.4") < len(addrs) - 1, (name, addrs)
pcap = open(f"{out}/nva.txt").read()
assert "10.100.0.4" in pcap and "10.200.0.4" in pcap, "no probes in the capture"
PY
