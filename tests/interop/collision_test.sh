#!/usr/bin/env bash
# Interop (label `lab`): connection collisions (RFC 4271 6.8) between our NVA and
# FRR bgpd, both dialing at once, for both BGP Identifier orderings.
#
# Private namespaces hptest-bgp-io-nva / hptest-bgp-io-frr joined by a veth; the
# root namespace is never touched. Each cycle restarts both speakers together
# and forces a real collision: a gate (nftables in the NVA's private namespace)
# holds back FRR's SYNs and every BGP message until both TCP connections exist,
# so each speaker sends an OPEN on two connections and receives two. Per cycle:
#   - both TCP connections were up at once before any OPEN got through (so each
#     speaker sends OPEN on both; whichever decides first closes one: FRR
#     decides as soon as an OPEN arrives, even with its other connection still
#     in OpenSent);
#   - the connection opened by the higher BGP Identifier carries the session;
#   - exactly one session reaches Established and stays up for 6 s: FRR counts
#     one connection established and none dropped, the NVA logs one Established
#     and no "left Established", and exactly one TCP connection on port 179 is
#     open between the two.
# Cycles 1-3: the NVA has the higher identifier; cycles 4-6: the lower.
# Usage: interop/collision_test.sh PATH/TO/hairpin    (root; exits 77 = skipped otherwise)
set -euo pipefail

hairpin=${1:?usage: interop/collision_test.sh PATH/TO/hairpin}
source "$(dirname "$0")/../lib/netns_pair.sh"
skip_unless_root
[[ -x /usr/lib/frr/bgpd ]] || { echo "SKIP: FRR bgpd not installed"; exit 77; }
command -v nft >/dev/null || { echo "SKIP: nft not installed (scripts/setup installs nftables)"; exit 77; }

work=$(mktemp -d /tmp/hptest-bgp-io-XXXXXX)
chmod 755 "$work"
NS_N=hptest-bgp-io-nva
NS_F=hptest-bgp-io-frr
nva_pid=""
cleanup() {
  set +e
  stop_pids "$nva_pid" "$(pidfile_pid "$work/bgpd.pid")"
  pair_down "$NS_N" "$NS_F"
  rm -rf "$work"
}
trap cleanup EXIT

pair_up "$NS_N" veth-nva "$NS_F" veth-frr
ip -n "$NS_N" addr add 10.99.6.2/30 dev veth-nva
ip -n "$NS_F" addr add 10.99.6.1/30 dev veth-frr

cat > "$work/bgpd.conf" <<CFG
frr defaults traditional
hostname hptest-ars
log file $work/bgpd.log
router bgp 65515
 bgp router-id 10.99.6.1
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 10.99.6.2 remote-as 65001
 neighbor 10.99.6.2 timers connect 1
 address-family ipv4 unicast
  network 10.100.0.0/16
 exit-address-family
exit
CFG
chown frr:frr "$work"

cycle=0
nva_id=""
vtysh() { command vtysh --vty_socket "$work" -c "$@"; }
fail() {
  echo "FAIL (cycle $cycle, NVA router-id $nva_id): $*"
  echo "--- NVA log"; cat "$work/nva.log"
  echo "--- FRR"; vtysh 'show bgp neighbors 10.99.6.2' 2>&1 | head -40
  exit 1
}
frr_field() {
  vtysh 'show bgp neighbors 10.99.6.2 json' |
    python3 -c "import json,sys; print(json.load(sys.stdin)['10.99.6.2'].get('$1', 0))"
}
frr_established() { [[ $(frr_field bgpState) == Established ]]; }

# The gate, in the NVA's namespace: FRR's SYNs (counted) and every BGP message (a
# segment with PSH) are dropped; TCP retransmits them once the gate opens.
gate_close() {
  ip netns exec "$NS_N" nft -f - <<'NFT'
table inet hptest_gate {
  chain in {
    type filter hook input priority 0;
    ip saddr 10.99.6.1 tcp dport 179 tcp flags & (syn | ack) == syn counter drop comment "frr-syn"
    tcp sport 179 tcp flags & psh == psh drop
    tcp dport 179 tcp flags & psh == psh drop
  }
}
NFT
}
gate_let_frr_connect() {
  local handle
  handle=$(ip netns exec "$NS_N" nft -a list chain inet hptest_gate in | sed -n 's/.*"frr-syn" # handle \([0-9]*\).*/\1/p')
  ip netns exec "$NS_N" nft delete rule inet hptest_gate in handle "$handle"
}
gate_open() { ip netns exec "$NS_N" nft delete table inet hptest_gate 2>/dev/null || true; }
frr_dialed() {  # the gate's frr-syn rule has counted a SYN (no `| grep -q` under pipefail)
  local rule
  rule=$(ip netns exec "$NS_N" nft list chain inet hptest_gate in | grep 'frr-syn' || true)
  [[ $rule =~ packets\ [1-9] ]]
}
nva_dialed() { ip netns exec "$NS_N" ss -Htn state established '( dport = :179 )' | grep -c . >/dev/null; }
tcp_sessions() { ip netns exec "$NS_N" ss -Htn state established '( sport = :179 or dport = :179 )' | wc -l; }
two_connections() { [[ $(tcp_sessions) -eq 2 ]]; }
one_connection() { [[ $(tcp_sessions) -eq 1 ]]; }
no_connection() { [[ $(tcp_sessions) -eq 0 ]]; }

for nva_id in 10.99.6.200 10.99.6.200 10.99.6.200 1.1.1.1 1.1.1.1 1.1.1.1; do
  cycle=$((cycle + 1))
  cat > "$work/nva.frr" <<CFG
frr defaults traditional
ip route 10.0.0.0/8 blackhole
router bgp 65001
 bgp router-id $nva_id
 no bgp ebgp-requires-policy
 neighbor 10.99.6.1 remote-as 65515
 address-family ipv4 unicast
  network 10.0.0.0/8
 exit-address-family
exit
CFG
  gate_close
  ip netns exec "$NS_F" /usr/lib/frr/bgpd -d -Z -f "$work/bgpd.conf" -i "$work/bgpd.pid" --vty_socket "$work"
  ip netns exec "$NS_N" "$hairpin" nva --config "$work/nva.frr" --control-socket "$work/nva.sock" \
    > "$work/nva.out" 2> "$work/nva.log" &
  nva_pid=$!
  # Our connection is up (TCP) while FRR's is held back; then FRR's completes too,
  # and only then do the OPENs flow: both speakers hold two connections.
  wait_for 15 "the NVA's connection to FRR is up (TCP)" nva_dialed
  wait_for 15 "FRR dialed" frr_dialed
  gate_let_frr_connect
  wait_for 15 "both TCP connections up at once" two_connections
  gate_open

  wait_for 60 "a session Established (FRR's view)" frr_established
  wait_for 10 "a session Established (NVA's view)" grep -c 'Established (AS 65515' "$work/nva.log"
  for _ in $(seq 12); do  # stays up: 6 s, checked every 0.5 s
    frr_established || fail "the session went down after it came up"
    sleep 0.5
  done
  [[ $(frr_field connectionsEstablished) -eq 1 ]] || fail "FRR established $(frr_field connectionsEstablished) connections, expected 1"
  [[ $(frr_field connectionsDropped) -eq 0 ]] || fail "FRR dropped $(frr_field connectionsDropped) established connections"
  [[ $(grep -c 'Established (AS 65515' "$work/nva.log") -eq 1 ]] || fail "the NVA logged more than one Established"
  grep -q 'left Established' "$work/nva.log" && fail "the NVA left Established"
  wait_for 5 "exactly one TCP connection between NVA and FRR" one_connection
  if [[ $nva_id == 10.99.6.200 ]]; then winner="we connected"; else winner="peer connected"; fi
  grep -q "Established (AS 65515.*$winner)" "$work/nva.log" ||
    fail "the wrong connection won: $(grep -o 'Established (AS 65515.*' "$work/nva.log"), expected '$winner'"
  echo "ok: cycle $cycle (NVA id $nva_id): two connections, one session ($winner) up and stays"

  stop_pids "$nva_pid" "$(pidfile_pid "$work/bgpd.pid")"
  nva_pid=""
  wait_for 10 "both speakers stopped" no_connection
done
echo PASS
