#!/usr/bin/env bash
# Fault: a peer that stops reading (TCP window zero) must not stall the others.
# Private namespaces hptest-faults-stall-nva (`hairpin nva`, 10.99.9.1) and
# hptest-faults-stall-peers, joined by a veth. In the peers' namespace:
#   stalled  10.99.9.3 AS 65003: stalled_peer.py: OPEN (hold 9 s), then never
#            reads (SO_RCVBUF 1 KiB), KEEPALIVEs going on;
#   observer 10.99.9.4 AS 65004: BIRD 2, takes every route the NVA sends;
#   feeder   10.99.9.2 AS 65515: BIRD 2, sends ROUTES /24s once the others are up.
# The NVA sends the feeder's routes to both the observer and the stalled peer.
# Pass:
#   - the observer receives all ROUTES while the stalled peer's session is still
#     up at the NVA with bytes backed up towards it (ss Send-Q > 0): the positive
#     condition that the flow went on beside a stuck session;
#   - then the NVA closes the stalled session (one log line "stopped reading ...
#     Cease/Out of Resources", the session down in the log and in `bgp show`;
#     the NOTIFICATION itself waits behind the stuck bytes, so the peer may never
#     read it: the socket is closed 5 s later regardless), the stalled peer sees
#     the connection closed when it reads again, and the observer's and the
#     feeder's sessions never dropped (BIRD's Established timestamps unchanged):
#     the control beside the one session that was closed.
# Usage (root): HAIRPIN=PATH tests/faults/stall_test.sh [ROUTES]  (default 100000; ctest lab.fault.stalled-peer)
set -euo pipefail
routes=${1:-100000}
HAIRPIN=${HAIRPIN:?set HAIRPIN to the hairpin binary}
source "$(dirname "$0")/../lib/netns_pair.sh"
skip_unless_root
work=$(mktemp -d /tmp/hptest-faults-stall-XXXXXX)
chmod 755 "$work"
fail() { echo "FAIL: $*" >&2; [[ -f $work/nva.log ]] && tail -5 "$work/nva.log" >&2; exit 1; }
pass() { echo "PASS: $*"; }
for tool in bird birdc python3 ss; do
  command -v "$tool" > /dev/null || fail "$tool not found; install it with scripts/setup"
done

N=hptest-faults-stall-nva P=hptest-faults-stall-peers
nva_pid= peer_pid=
cleanup() {
  set +e
  stop_pids "$peer_pid" "$nva_pid" "$(pidfile_pid "$work/feeder.pid")" "$(pidfile_pid "$work/observer.pid")"
  pair_down "$N" "$P"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pair_down "$N" "$P"
pair_up "$N" veth-peers "$P" veth-nva
ip -n "$N" addr add 10.99.9.1/24 dev veth-peers
for a in 2 3 4; do ip -n "$P" addr add 10.99.9.$a/24 dev veth-nva; done

cat > "$work/nva.conf" <<CFG
router bgp 65001
 bgp router-id 10.99.9.1
 neighbor 10.99.9.2 remote-as 65515
 neighbor 10.99.9.3 remote-as 65003
 neighbor 10.99.9.4 remote-as 65004
 address-family ipv4 unicast
  neighbor 10.99.9.2 route-map all in
  neighbor 10.99.9.2 route-map none out
  neighbor 10.99.9.3 route-map all in
  neighbor 10.99.9.3 route-map all out
  neighbor 10.99.9.4 route-map none in
  neighbor 10.99.9.4 route-map all out
 exit-address-family
exit
route-map all permit 10
exit
route-map none deny 10
exit
CFG
bird_feeder_conf 10.99.9.2 "$routes" \
  "protocol bgp nva { local 10.99.9.2 as 65515; neighbor 10.99.9.1 as 65001; strict bind on;" \
  "  graceful restart off; connect delay time 1; ipv4 { import none; export all; }; }" > "$work/feeder.conf"
cat > "$work/observer.conf" <<CFG
router id 10.99.9.4;
timeformat protocol iso long ms;
protocol device {}
protocol bgp nva { local 10.99.9.4 as 65004; neighbor 10.99.9.1 as 65001; strict bind on;
  graceful restart off; connect delay time 1; ipv4 { import all; export none; }; }
CFG

ip netns exec "$N" "$HAIRPIN" nva --config "$work/nva.conf" --control-socket "$work/nva.sock" \
  > "$work/nva.out" 2> "$work/nva.log" &
nva_pid=$!
summary() { "$HAIRPIN" bgp show summary --json --socket "$work/nva.sock" 2> /dev/null; }
peer_field() {  # peer_field ADDR FIELD: from the NVA's summary
  summary | python3 -c '
import json, sys
try: p = json.load(sys.stdin)["ipv4Unicast"]["peers"].get(sys.argv[1], {})
except (ValueError, KeyError): p = {}
print(p.get(sys.argv[2], ""))' "$1" "$2"
}
established() { [[ $(peer_field "$1" state) == Established ]]; }
wait_for 10 "hairpin nva does not answer on its control socket" summary

ip netns exec "$P" python3 "$(dirname "$0")/stalled_peer.py" --source 10.99.9.3 --nva 10.99.9.1 --asn 65003 \
  --hold 9 --resume-file "$work/resume" --timeout 150 > "$work/peer.out" 2>&1 &
peer_pid=$!
wait_for 15 "the stalled peer never got Established" grep -q "^established" "$work/peer.out"
wait_for 5 "the NVA does not show 10.99.9.3 Established" established 10.99.9.3
ip netns exec "$P" bird -c "$work/observer.conf" -s "$work/observer.ctl" -P "$work/observer.pid"
wait_for 20 "the observer's session did not come up" established 10.99.9.4
# when a BIRD session last became Established (its own ms timestamp)
since() { birdc -s "$1" show protocols nva 2>/dev/null | awk '/Established/ {print $5, $6}'; }
# BIRD may say Established a moment after the NVA does
bird_established() { [[ -n $(since "$1") ]]; }
wait_for 10 "the observer's BIRD does not say Established" bird_established "$work/observer.ctl"
observer_since=$(since "$work/observer.ctl")

t0=$(date +%s.%N)
ip netns exec "$P" bird -c "$work/feeder.conf" -s "$work/feeder.ctl" -P "$work/feeder.pid"
wait_for 20 "the feeder's session did not come up" established 10.99.9.2
wait_for 10 "the feeder's BIRD does not say Established" bird_established "$work/feeder.ctl"
feeder_since=$(since "$work/feeder.ctl")
observer_routes() { birdc -s "$work/observer.ctl" show route count 2>/dev/null | awk '/routes/ {print $1; exit}'; }
observer_has_all() { (($(observer_routes) >= routes)); }
# the NVA's Send-Q towards the stalled peer (bytes the kernel holds unsent)
send_q() { ip netns exec "$N" ss -Htn state established "dst 10.99.9.3" | awk '{s += $2} END {print s + 0}'; }
wait_for 60 "the observer does not have all $routes routes 60 s after the feeder started" observer_has_all
t1=$(date +%s.%N)
q=$(send_q)
stalled_state=$(peer_field 10.99.9.3 state)
echo "stall: observer has all $routes routes $(echo "$t1 - $t0" | bc -l | awk '{printf "%.2f", $1}') s after the feeder started; then the NVA's session to the stalled peer: $stalled_state, Send-Q $q bytes"
[[ $stalled_state == Established ]] || grep -q "10.99.9.3: the peer stopped reading" "$work/nva.log" ||
  fail "the stalled peer's session is $stalled_state, and not because the NVA found it stalled"
if [[ $stalled_state == Established ]]; then
  ((q > 0)) || fail "nothing backed up towards the stalled peer (Send-Q 0): the stall was not real"
  pass "the observer got all $routes routes while the stalled peer's session was up with $q bytes stuck towards it"
else
  pass "the observer got all $routes routes; the NVA had already closed the stalled session"
fi

# The NVA closes the stalled session: hold time 9 s without a write, bounded 30 s.
closed() { grep -q "neighbor 10.99.9.3: the peer stopped reading" "$work/nva.log"; }
wait_for 30 "the NVA did not close the session of the peer that stopped reading within 30 s" closed
lines=$(grep -c "the peer stopped reading" "$work/nva.log")
((lines == 1)) || fail "$lines 'stopped reading' lines in the NVA log, expected one"
echo "stall: $(grep "the peer stopped reading" "$work/nva.log")"
# the session went down for that reason, and only that session
grep -q "neighbor 10.99.9.3: left Established: output stalled" "$work/nva.log" ||
  fail "the NVA did not take the stalled session down after saying so"
[[ $(peer_field 10.99.9.3 state) != Established ]] || fail "bgp show still has 10.99.9.3 Established"
# the peer reads again: it must find the connection closed
: > "$work/resume"
wait_for 30 "the stalled peer did not see the connection closed (its output: $work/peer.out)" grep -q "^eof" "$work/peer.out"
echo "stall: the stalled peer, reading again: $(grep '^eof' "$work/peer.out")"
kill -0 "$nva_pid" || fail "hairpin nva exited"
established 10.99.9.4 || fail "the observer's session is down"
established 10.99.9.2 || fail "the feeder's session is down"
[[ $(since "$work/observer.ctl") == "$observer_since" ]] || fail "the observer's session flapped (Established since $(since "$work/observer.ctl"), was $observer_since)"
[[ $(since "$work/feeder.ctl") == "$feeder_since" ]] || fail "the feeder's session flapped (Established since $(since "$work/feeder.ctl"), was $feeder_since)"
pass "the stalled session alone was closed with Cease/Out of Resources; observer and feeder stayed Established throughout"
