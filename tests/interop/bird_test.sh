#!/usr/bin/env bash
# Interop (label `lab`): our NVA daemon against BIRD 2 playing an ARS instance.
#
# Private namespaces hptest-bgp-io-nva / hptest-bgp-io-ars joined by a veth; the
# root namespace is never touched. The NVA runs the seed's policy with the
# supernet originated by a blackhole route. Checked from both sides:
#   - the session reaches Established (BIRD's view);
#   - BIRD receives 10.0.0.0/8 with AS path 65001 and next hop = the NVA;
#   - the NVA accepts the site prefixes and drops the bogon path (NVA log);
#   - nothing with 65515 in its path comes back to BIRD;
#   - a connection from an address that is not a neighbor is refused;
#   - `hairpin bgp show` over the 0600 control socket agrees;
#   - SIGHUP with a changed policy re-applies it without a session reset;
#   - BIRD's route refresh makes the NVA re-send its table;
#   - a reset by the peer is followed by reconnection and re-advertisement;
#   - stopping the NVA sends Cease (BIRD's view).
# Usage: interop/bird_test.sh PATH/TO/hairpin    (root; exits 77 = skipped otherwise)
set -euo pipefail

hairpin=${1:?usage: interop/bird_test.sh PATH/TO/hairpin}
source "$(dirname "$0")/../lib/netns_pair.sh"
skip_unless_root
command -v bird >/dev/null || { echo "SKIP: bird not installed"; exit 77; }

work=$(mktemp -d /tmp/hptest-bgp-io-XXXXXX)
NS_N=hptest-bgp-io-nva
NS_A=hptest-bgp-io-ars
nva_pid=""
cleanup() {
  set +e
  stop_pids "$nva_pid" "$(pidfile_pid "$work/bird.pid")"
  pair_down "$NS_N" "$NS_A"
  rm -rf "$work"
}
trap cleanup EXIT

pair_up "$NS_N" veth-nva "$NS_A" veth-ars
ip -n "$NS_N" addr add 10.99.2.2/29 dev veth-nva
ip -n "$NS_A" addr add 10.99.2.1/29 dev veth-ars
ip -n "$NS_A" addr add 10.99.2.3/29 dev veth-ars  # a stranger on the link

cat > "$work/nva.frr" <<'FRR'
frr defaults traditional
ip route 10.0.0.0/8 blackhole
router bgp 65001
 bgp router-id 10.99.2.2
 neighbor 10.99.2.1 remote-as 65515
 neighbor 10.99.2.1 ebgp-multihop 255
 address-family ipv4 unicast
  network 10.0.0.0/8
  neighbor 10.99.2.1 soft-reconfiguration inbound
  neighbor 10.99.2.1 route-map rmap-bogon-asns in
  neighbor 10.99.2.1 route-map rmap-azure-asns out
 exit-address-family
exit
FRR
here=$(cd "$(dirname "$0")" && pwd)
sed -n '/^bgp as-path access-list/p; /^route-map/,/^exit/p' "$here/../../fixtures/configs/nva-seed.frr" >> "$work/nva.frr"

cat > "$work/bird.conf" <<BIRD
router id 10.99.2.1;
log "$work/bird.log" all;
protocol device {}
protocol static sites { ipv4;
  route 10.100.0.0/16 blackhole;
  route 10.200.0.0/16 blackhole;
  route 192.0.2.0/24 blackhole;
}
filter to_nva {
  if net = 10.100.0.0/16 then { bgp_path.prepend(65100); bgp_path.prepend(12076); }
  if net = 10.200.0.0/16 then { bgp_path.prepend(65200); bgp_path.prepend(12076); }
  if net = 192.0.2.0/24 then bgp_path.prepend(23456);
  accept;
}
protocol bgp nva {
  local 10.99.2.1 as 65515;
  neighbor 10.99.2.2 as 65001;
  multihop;
  hold time 180; keepalive time 60;
  allow local as;
  ipv4 { import all; export filter to_nva; };
}
BIRD

ip netns exec "$NS_A" bird -c "$work/bird.conf" -s "$work/bird.ctl" -P "$work/bird.pid"
ip netns exec "$NS_N" "$hairpin" nva --config "$work/nva.frr" --control-socket "$work/nva.sock" > "$work/nva.out" 2> "$work/nva.log" &
nva_pid=$!

birdc() { command birdc -s "$work/bird.ctl" "$@"; }
fail() { echo "FAIL: $*"; echo "--- NVA log"; cat "$work/nva.log"; echo "--- BIRD"; birdc show protocols all nva | head -30; exit 1; }

# Text checks without `cmd | grep -q` (under pipefail grep -q's early exit can
# SIGPIPE the writer and turn a match into a failure): capture, then match.
bird_has() { [[ $(birdc "${@:2}") == *"$1"* ]]; }  # bird_has TEXT BIRDC-ARGS...
nva_log_has() { grep -c -- "$1" "$work/nva.log" > /dev/null; }
wait_for 30 "session Established (BIRD's view)" bird_has Established show protocols nva
echo "ok: session Established"
wait_for 10 "BIRD received 10.0.0.0/8" bird_has 10.0.0.0/8 show route 10.0.0.0/8 protocol nva
route=$(birdc show route 10.0.0.0/8 protocol nva all)
grep -q 'BGP.as_path: 65001$' <<<"$route" || fail "10.0.0.0/8 AS path is not '65001': $route"
grep -q 'BGP.next_hop: 10.99.2.2' <<<"$route" || fail "10.0.0.0/8 next hop is not the NVA: $route"
echo "ok: BIRD has 10.0.0.0/8 via 10.99.2.2, path 65001"

show() { "$hairpin" bgp show "$@" --socket "$work/nva.sock"; }
wait_for 10 "NVA accepted 10.100.0.0/16" nva_log_has 'rib: 10.100.0.0/16 via 10.99.2.1'
wait_for 10 "NVA accepted 10.200.0.0/16" nva_log_has 'rib: 10.200.0.0/16 via 10.99.2.1'
# Positive control for "dropped": the bogon route arrived (it is in the NVA's
# pre-policy Adj-RIB-In) before we look for it in the RIB.
received_bogon() { [[ $(show neighbors 10.99.2.1 received-routes --json) == *'"192.0.2.0/24"'* ]]; }
wait_for 10 "NVA received the bogon route 192.0.2.0/24 (pre-policy)" received_bogon
nva_log_has 'rib: 192.0.2.0/24' && fail "NVA accepted the bogon path 65515 23456"
[[ $(show routes --json) == *'"192.0.2.0/24"'* ]] && fail "bgp show routes holds the bogon route"
echo "ok: NVA accepted both site prefixes and dropped the bogon path"

n=$(birdc show route protocol nva | grep -c '/' || true)
[[ $n -eq 1 ]] || fail "BIRD holds $n routes from the NVA, expected only 10.0.0.0/8"
echo "ok: nothing with 65515 came back"

# A connection from an address that is not a configured neighbor is closed
# without an OPEN.
stranger=$(ip netns exec "$NS_A" python3 - <<'PY'
import socket
s = socket.socket()
s.bind(("10.99.2.3", 0))
s.settimeout(5)
s.connect(("10.99.2.2", 179))
try:
    print("closed" if s.recv(4096) == b"" else "got-data")
except socket.timeout:
    print("left-open")
PY
)
[[ $stranger == closed ]] || fail "connection from a non-neighbor: $stranger"
grep -q 'connection from 10.99.2.3 refused' "$work/nva.log" || fail "NVA did not log the refused stranger"
echo "ok: connection from a non-neighbor refused"

# Our own view, over the control socket (mode 0600), as the verifier reads it.
[[ $(stat -c %a "$work/nva.sock") == 600 ]] || fail "control socket mode is $(stat -c %a "$work/nva.sock"), not 600"
summary=$(show summary --json)
grep -q '"state": "Established"' <<<"$summary" || fail "bgp show summary: not Established: $summary"
grep -q '"pfxSnt": 1' <<<"$summary" || fail "bgp show summary: pfxSnt is not 1: $summary"
grep -q '10.0.0.0/8' <<< "$(show neighbors 10.99.2.1 advertised-routes)" || fail "advertised-routes lacks 10.0.0.0/8"
grep -q 65515 <<< "$(show neighbors 10.99.2.1 advertised-routes --json)" && fail "advertised-routes holds a path with 65515"
grep -q '192.0.2.0/24' <<< "$(show neighbors 10.99.2.1 received-routes)" || fail "received-routes (pre-policy) lacks the bogon route"
routes=$(show routes)
grep -q '10.100.0.0/16' <<<"$routes" || fail "bgp show routes lacks 10.100.0.0/16: $routes"
grep -q '192.0.2.0/24' <<<"$routes" && fail "bgp show routes holds the bogon route"
echo "ok: bgp show summary/routes/advertised-routes/received-routes over a 0600 control socket"

# SIGHUP: a policy change applies from the Adj-RIB-In, the session stays up.
cat >> "$work/nva.frr" <<'FRR'
ip prefix-list site2 seq 5 permit 10.200.0.0/16
route-map rmap-bogon-asns deny 7
 match ip address prefix-list site2
exit
FRR
kill -HUP "$nva_pid"
wait_for 10 "NVA reloaded its config" grep -q 'config reloaded' "$work/nva.log"
wait_for 5 "reload dropped 10.200.0.0/16" grep -q 'rib: 10.200.0.0/16 removed' "$work/nva.log"
grep -q '10.100.0.0/16' <<< "$(show routes)" || fail "10.100.0.0/16 lost on reload"
grep -q Established <<< "$(birdc show protocols nva)" || fail "session dropped on reload"
echo "ok: SIGHUP re-applied the new policy without a session reset"

# BIRD's per-protocol counters: updates_count Import|Export -> the "received" (Import)
# or "accepted" (Export: what BIRD sent) column of its route change stats; and
# since: when the session last changed state.
updates_count() {
  birdc show protocols all nva | awk -v dir="$1" '$1 == dir && $2 == "updates:" { print (dir == "Import" ? $3 : $7) }'
}
since() { birdc show protocols nva | awk '$1 == "nva" { print $4, $5, $6 }'; }
ups_before=$(grep -c 'Established (AS 65515' "$work/nva.log" || true)
since_before=$(since)
exported_before=$(updates_count Export)
imported_before=$(updates_count Import)
birdc reload out nva >/dev/null   # BIRD re-sends: the NVA must not flap or duplicate
count_grew() { local before=$1; shift; (( $("$@") > before )); }  # count_grew N CMD...: CMD prints more than N
wait_for 10 "BIRD re-sent its routes (reload out)" count_grew "$exported_before" updates_count Export
birdc reload in nva >/dev/null    # BIRD sends ROUTE-REFRESH: the NVA re-sends its table
wait_for 10 "NVA answered the route refresh" nva_log_has 'route refresh requested'
wait_for 10 "BIRD received the NVA's re-sent table after its route refresh" count_grew "$imported_before" updates_count Import
bird_has Established show protocols nva || fail "session dropped after route refresh"
[[ $(since) == "$since_before" ]] || fail "BIRD's session changed state during the refresh (since $since_before, now $(since))"
[[ $(grep -c 'Established (AS 65515' "$work/nva.log" || true) -eq $ups_before ]] || fail "the NVA re-established during the refresh"
nva_log_has 'left Established' && fail "the NVA left Established during the refresh"
bird_has 10.0.0.0/8 show route 10.0.0.0/8 protocol nva || fail "10.0.0.0/8 gone after route refresh"
echo "ok: route refresh answered, session stays up"

# Session reset by the peer, and recovery: the NVA reconnects and re-advertises.
birdc restart nva >/dev/null
wait_for 10 "NVA saw the session go down" nva_log_has "left Established"
wait_for 60 "session re-established after the peer's reset" bird_has Established show protocols nva
wait_for 10 "10.0.0.0/8 re-advertised after the reset" bird_has 10.0.0.0/8 show route 10.0.0.0/8 protocol nva
[[ $(grep -c 'Established (AS 65515' "$work/nva.log") -ge 2 ]] || fail "NVA log does not show a second Established"
echo "ok: peer reset, session recovered, supernet re-advertised"

kill -TERM "$nva_pid"
wait "$nva_pid" || fail "hairpin nva exited non-zero on SIGTERM"
nva_pid=""
saw_cease() { local t; t=$(birdc show protocols all nva); t=${t,,}; [[ $t =~ administrative\ shutdown|received:\ cease ]]; }
wait_for 10 "BIRD saw the NVA's Cease" saw_cease
echo "ok: SIGTERM sent Cease/Administrative Shutdown"
[[ -e $work/nva.sock ]] && fail "control socket left behind after stop"
[[ -n ${VERBOSE:-} ]] && { echo "--- NVA log"; cat "$work/nva.log"; }
echo PASS
