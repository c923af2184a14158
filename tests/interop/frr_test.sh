#!/usr/bin/env bash
# Interop (label `lab`): our NVA daemon against FRR bgpd playing an ARS instance.
#
# Private namespaces hptest-bgp-io-nva / hptest-bgp-io-frr joined by a veth; the
# root namespace is never touched. Checked from FRR's side (vtysh) and ours:
#   - Established; FRR holds 10.0.0.0/8 with path 65001, next hop the NVA;
#   - the NVA accepts the site prefixes and drops the bogon path;
#   - nothing with 65515 in its path comes back to FRR;
#   - `clear bgp soft in` (FRR sends ROUTE-REFRESH; FRR must receive our table
#     again) and `soft out` (FRR re-sends its table; FRR's update counter shows it)
#     keep the session (FRR's connectionsEstablished unchanged) and the routes;
#   - stopping the NVA shows as Cease/Administrative Shutdown at FRR.
# Usage: interop/frr_test.sh PATH/TO/hairpin    (root; exits 77 = skipped otherwise)
set -euo pipefail

hairpin=${1:?usage: interop/frr_test.sh PATH/TO/hairpin}
source "$(dirname "$0")/../lib/netns_pair.sh"
skip_unless_root
[[ -x /usr/lib/frr/bgpd ]] || { echo "SKIP: FRR bgpd not installed"; exit 77; }

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
ip -n "$NS_N" addr add 10.99.3.2/30 dev veth-nva
ip -n "$NS_F" addr add 10.99.3.1/30 dev veth-frr

here=$(cd "$(dirname "$0")" && pwd)
cat > "$work/nva.frr" <<'CFG'
frr defaults traditional
ip route 10.0.0.0/8 blackhole
router bgp 65001
 bgp router-id 10.99.3.2
 neighbor 10.99.3.1 remote-as 65515
 neighbor 10.99.3.1 ebgp-multihop 255
 address-family ipv4 unicast
  network 10.0.0.0/8
  neighbor 10.99.3.1 soft-reconfiguration inbound
  neighbor 10.99.3.1 route-map rmap-bogon-asns in
  neighbor 10.99.3.1 route-map rmap-azure-asns out
 exit-address-family
exit
CFG
sed -n '/^bgp as-path access-list/p; /^route-map/,/^exit/p' "$here/../../fixtures/configs/nva-seed.frr" >> "$work/nva.frr"

cat > "$work/bgpd.conf" <<CFG
frr defaults traditional
hostname hptest-ars
log file $work/bgpd.log
router bgp 65515
 bgp router-id 10.99.3.1
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 10.99.3.2 remote-as 65001
 address-family ipv4 unicast
  network 10.100.0.0/16
  network 10.200.0.0/16
  network 192.0.2.0/24
  neighbor 10.99.3.2 route-map to-nva out
 exit-address-family
exit
ip prefix-list site1 seq 5 permit 10.100.0.0/16
ip prefix-list site2 seq 5 permit 10.200.0.0/16
ip prefix-list bogon seq 5 permit 192.0.2.0/24
route-map to-nva permit 10
 match ip address prefix-list site1
 set as-path prepend 12076 65100
exit
route-map to-nva permit 20
 match ip address prefix-list site2
 set as-path prepend 12076 65200
exit
route-map to-nva permit 30
 match ip address prefix-list bogon
 set as-path prepend 23456
exit
CFG
chown frr:frr "$work"
ip netns exec "$NS_F" /usr/lib/frr/bgpd -d -Z -f "$work/bgpd.conf" -i "$work/bgpd.pid" --vty_socket "$work"
ip netns exec "$NS_N" "$hairpin" nva --config "$work/nva.frr" --control-socket "$work/nva.sock" > "$work/nva.out" 2> "$work/nva.log" &
nva_pid=$!

vtysh() { command vtysh --vty_socket "$work" -c "$@"; }
fail() { echo "FAIL: $*"; echo "--- NVA log"; cat "$work/nva.log"; echo "--- FRR"; vtysh 'show bgp neighbors 10.99.3.2' | head -40; exit 1; }
frr_has() { grep -q -- "$2" <<< "$(vtysh "$1")"; }
nva_log_has() { grep -c -- "$1" "$work/nva.log" > /dev/null; }
show() { "$hairpin" bgp show "$@" --socket "$work/nva.sock"; }
# frr_peer KEY: one field of FRR's view of the NVA (show bgp neighbors json), e.g.
# connectionsEstablished, or messageStats.updatesRecv.
frr_peer() {
  vtysh 'show bgp neighbors 10.99.3.2 json' | python3 -c '
import json, sys
v = json.load(sys.stdin)["10.99.3.2"]
for k in sys.argv[1].split("."):
    v = v[k]
print(v)' "$1"
}
count_grew() { local before=$1; shift; (( $("$@") > before )); }  # count_grew N CMD...: CMD prints more than N

wait_for 30 "session Established (FRR's view)" frr_has 'show bgp neighbors 10.99.3.2' 'BGP state = Established'
echo "ok: session Established"
wait_for 10 "FRR received 10.0.0.0/8" frr_has 'show bgp ipv4 unicast 10.0.0.0/8' '10.99.3.2'
route=$(vtysh 'show bgp ipv4 unicast 10.0.0.0/8')
grep -qE '^ +65001$' <<<"$route" || fail "10.0.0.0/8 path is not '65001': $route"
grep -q '10.99.3.2 from 10.99.3.2' <<<"$route" || fail "10.0.0.0/8 next hop is not the NVA: $route"
echo "ok: FRR has 10.0.0.0/8 from the NVA, path 65001"

wait_for 10 "NVA accepted 10.100.0.0/16" nva_log_has 'rib: 10.100.0.0/16 via 10.99.3.1'
wait_for 5 "NVA accepted 10.200.0.0/16" nva_log_has 'rib: 10.200.0.0/16 via 10.99.3.1'
# Positive control for "dropped": the bogon route arrived (it is in the NVA's
# pre-policy Adj-RIB-In) before we look for it in the RIB.
received_bogon() { [[ $(show neighbors 10.99.3.1 received-routes --json) == *'"192.0.2.0/24"'* ]]; }
wait_for 10 "NVA received the bogon route 192.0.2.0/24 (pre-policy)" received_bogon
nva_log_has 'rib: 192.0.2.0/24' && fail "NVA accepted the bogon path 65515 23456"
[[ $(show routes --json) == *'"192.0.2.0/24"'* ]] && fail "bgp show routes holds the bogon route"
echo "ok: NVA accepted both site prefixes and dropped the bogon path"

received=$(vtysh 'show bgp ipv4 unicast neighbors 10.99.3.2 routes' | grep -c '^\*' || true)
[[ $received -eq 1 ]] || fail "FRR holds $received routes from the NVA, expected only 10.0.0.0/8"
echo "ok: nothing with 65515 came back"

ups_before=$(frr_peer connectionsEstablished)
recv_before=$(frr_peer messageStats.updatesRecv)
vtysh 'clear bgp ipv4 unicast 10.99.3.2 soft in' >/dev/null
wait_for 10 "NVA answered the route refresh" nva_log_has 'route refresh requested'
wait_for 10 "FRR received the NVA's re-sent table" count_grew "$recv_before" frr_peer messageStats.updatesRecv
sent_before=$(frr_peer messageStats.updatesSent)
vtysh 'clear bgp ipv4 unicast 10.99.3.2 soft out' >/dev/null
wait_for 10 "FRR re-sent its table (soft out)" count_grew "$sent_before" frr_peer messageStats.updatesSent
[[ $(frr_peer connectionsEstablished) -eq $ups_before ]] || fail "FRR re-established the session during the refreshes"
nva_log_has 'left Established' && fail "the NVA left Established during the refreshes"
frr_has 'show bgp neighbors 10.99.3.2' 'BGP state = Established' || fail "session dropped after route refresh"
frr_has 'show bgp ipv4 unicast 10.0.0.0/8' '10.99.3.2' || fail "10.0.0.0/8 gone after route refresh"
grep -q 'rib: 10.100.0.0/16 removed' "$work/nva.log" && fail "NVA lost 10.100.0.0/16 during FRR's re-send"
echo "ok: route refresh both ways, session and routes stay"

kill -TERM "$nva_pid"
wait "$nva_pid" || fail "hairpin nva exited non-zero on SIGTERM"
nva_pid=""
wait_for 10 "FRR saw the NVA's Cease" frr_has 'show bgp neighbors 10.99.3.2' 'Administrative Shutdown'
echo "ok: SIGTERM sent Cease/Administrative Shutdown"
[[ -n ${VERBOSE:-} ]] && { echo "--- NVA log"; cat "$work/nva.log"; }
echo PASS
