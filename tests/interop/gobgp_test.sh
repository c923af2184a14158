#!/usr/bin/env bash
# Interop (label `lab`): our NVA daemon against GoBGP (gobgpd) playing an ARS
# instance, a BGP implementation the seed design never used.
#
# Private namespaces hptest-bgp-io-nva / hptest-bgp-io-gobgp joined by a veth; the
# root namespace is never touched (gobgpd's gRPC API listens on the namespace's own
# loopback). Checked from GoBGP's side (`gobgp neighbor X adj-in`) and ours:
#   - Established, both sides; hold time 180 / keepalive 60 as ARS uses;
#   - GoBGP holds 10.0.0.0/8 with AS path 65001 and next hop the NVA;
#   - the NVA accepts the site prefixes with GoBGP's path, community and large
#     community intact, and drops the bogon path;
#   - nothing with 65515 in its path comes back to GoBGP;
#   - a route GoBGP withdraws leaves our RIB;
#   - `softresetout` (GoBGP re-sends its table) keeps the session and the routes
#     (GoBGP's CLI never sends ROUTE-REFRESH; see below);
#   - `gobgp neighbor X reset` (GoBGP drops the session) is followed by recovery
#     and re-advertisement; stopping the NVA shows as a Cease at GoBGP.
# Usage: interop/gobgp_test.sh PATH/TO/hairpin    (root; exits 77 = skipped otherwise)
set -euo pipefail

hairpin=${1:?usage: interop/gobgp_test.sh PATH/TO/hairpin}
source "$(dirname "$0")/../lib/netns_pair.sh"
skip_unless_root
command -v gobgpd >/dev/null && command -v gobgp >/dev/null ||
  { echo "SKIP: gobgpd/gobgp not installed (scripts/setup installs them)"; exit 77; }

work=$(mktemp -d /tmp/hptest-bgp-io-XXXXXX)
NS_N=hptest-bgp-io-nva
NS_G=hptest-bgp-io-gobgp
nva_pid=""
gobgpd_pid=""
cleanup() {
  set +e
  stop_pids "$nva_pid" "$gobgpd_pid"
  pair_down "$NS_N" "$NS_G"
  rm -rf "$work"
}
trap cleanup EXIT

pair_up "$NS_N" veth-nva "$NS_G" veth-gobgp
ip -n "$NS_N" addr add 10.99.4.2/30 dev veth-nva
ip -n "$NS_G" addr add 10.99.4.1/30 dev veth-gobgp

here=$(cd "$(dirname "$0")" && pwd)
cat > "$work/nva.frr" <<'CFG'
frr defaults traditional
ip route 10.0.0.0/8 blackhole
router bgp 65001
 bgp router-id 10.99.4.2
 neighbor 10.99.4.1 remote-as 65515
 neighbor 10.99.4.1 ebgp-multihop 255
 address-family ipv4 unicast
  network 10.0.0.0/8
  neighbor 10.99.4.1 soft-reconfiguration inbound
  neighbor 10.99.4.1 route-map rmap-bogon-asns in
  neighbor 10.99.4.1 route-map rmap-azure-asns out
 exit-address-family
exit
CFG
sed -n '/^bgp as-path access-list/p; /^route-map/,/^exit/p' "$here/../../fixtures/configs/nva-seed.frr" >> "$work/nva.frr"

cat > "$work/gobgpd.toml" <<'TOML'
[global.config]
  as = 65515
  router-id = "10.99.4.1"
  local-address-list = ["10.99.4.1"]
[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.99.4.2"
    peer-as = 65001
  [neighbors.timers.config]
    connect-retry = 5
    hold-time = 180
    keepalive-interval = 60
  [neighbors.ebgp-multihop.config]
    enabled = true
    multihop-ttl = 255
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
TOML

gobgp() { gobgp_in "$NS_G" "$@"; }
export -f gobgp gobgp_in
export NS_G
fail() {
  echo "FAIL: $*"
  echo "--- NVA log"; cat "$work/nva.log"
  echo "--- GoBGP"; gobgp neighbor 10.99.4.2 2>&1 | head -30; tail -20 "$work/gobgpd.log"
  exit 1
}
# grep -c, not -q: -q stops reading early, and with pipefail the writer's SIGPIPE
# would make a present match look absent.
established() { gobgp neighbor 10.99.4.2 | grep -ic 'BGP state = established' >/dev/null; }
export -f established
adj_in() { gobgp neighbor 10.99.4.2 adj-in "$@"; }
gobgp_has() { [[ $(adj_in "$1") == *"$1"* ]]; }  # GoBGP's Adj-RIB-In from us holds PREFIX
nva_log_has() { grep -c -- "$1" "$work/nva.log" > /dev/null; }
show() { "$hairpin" bgp show "$@" --socket "$work/nva.sock"; }
nva_has() { [[ $(show routes --json) == *"\"$1\""* ]]; }  # our RIB holds PREFIX

gobgpd_up "$NS_G" "$work/gobgpd.toml" "$work/gobgpd.log"
ip netns exec "$NS_N" "$hairpin" nva --config "$work/nva.frr" --control-socket "$work/nva.sock" > "$work/nva.out" 2> "$work/nva.log" &
nva_pid=$!
gobgp global rib add -a ipv4 10.100.0.0/16 aspath 12076,65100 nexthop 10.99.4.1 \
  community 65515:100 large-community 65515:1:2
gobgp global rib add -a ipv4 10.200.0.0/16 aspath 12076,65200 nexthop 10.99.4.1
gobgp global rib add -a ipv4 192.0.2.0/24 aspath 23456 nexthop 10.99.4.1

wait_for 30 "session Established (GoBGP's view)" established
info=$(gobgp neighbor 10.99.4.2)
grep -q 'Hold time is 180, keepalive interval is 60 seconds' <<<"$info" || fail "hold time is not 180: $info"
echo "ok: session Established, hold time 180"

wait_for 10 "GoBGP received 10.0.0.0/8" gobgp_has 10.0.0.0/8
route=$(adj_in 10.0.0.0/8 -j)
python3 - "$route" <<'PY' || fail "10.0.0.0/8 at GoBGP: wrong path or next hop: $route"
import json, sys
paths = json.loads(sys.argv[1])
paths = paths.get("10.0.0.0/8", paths) if isinstance(paths, dict) else paths
p = paths[0]
attrs = {a["type"]: a for a in p["attrs"]}
segs = attrs[2]["as_paths"]
assert [a for s in segs for a in s["asns"]] == [65001], segs
assert attrs[3]["nexthop"] == "10.99.4.2", attrs[3]
PY
echo "ok: GoBGP has 10.0.0.0/8 via 10.99.4.2, path 65001"

wait_for 10 "NVA accepted 10.100.0.0/16" nva_log_has 'rib: 10.100.0.0/16 via 10.99.4.1'
wait_for 10 "NVA accepted 10.200.0.0/16" nva_log_has 'rib: 10.200.0.0/16 via 10.99.4.1'
# Positive control for "dropped": the bogon route arrived (it is in the NVA's
# pre-policy Adj-RIB-In) before we look for it in the RIB.
received_bogon() { [[ $(show neighbors 10.99.4.1 received-routes --json) == *'"192.0.2.0/24"'* ]]; }
wait_for 10 "NVA received the bogon route 192.0.2.0/24 (pre-policy)" received_bogon
nva_log_has 'rib: 192.0.2.0/24' && fail "NVA accepted the bogon path 65515 23456"
nva_has 192.0.2.0/24 && fail "bgp show routes holds the bogon route"
show routes | grep -c 10.100.0.0/16 >/dev/null || fail "bgp show routes lacks 10.100.0.0/16: $(show routes)"
received=$(show neighbors 10.99.4.1 received-routes --json)
python3 - "$received" <<'PY' || fail "10.100.0.0/16 as received from GoBGP lost its path or communities: $received"
import json, sys
r = json.loads(sys.argv[1])["receivedRoutes"]["10.100.0.0/16"]
assert r["path"] == "65515 12076 65100", r
assert r["communities"] == "65515:100", r
assert r["largeCommunities"] == "65515:1:2", r
PY
echo "ok: NVA accepted both site prefixes (path, community, large community intact) and dropped the bogon path"

n=$(adj_in | grep -c '/' || true)
[[ $n -eq 1 ]] || fail "GoBGP holds $n routes from the NVA, expected only 10.0.0.0/8: $(adj_in)"
echo "ok: nothing with 65515 came back"

# A withdrawal from GoBGP leaves our RIB.
gobgp global rib del -a ipv4 10.200.0.0/16
wait_for 10 "NVA removed the withdrawn 10.200.0.0/16" nva_log_has 'rib: 10.200.0.0/16 removed'
echo "ok: GoBGP's withdrawal removed 10.200.0.0/16"

# GoBGP keeps its Adj-RIB-In, so `softresetin` never sends ROUTE-REFRESH (measured
# with gobgp 3.10: its Route Refresh counter stays 0; BIRD, FRR and ExaBGP cover
# refresh requests to us). `softresetout` re-sends GoBGP's table: we must take it
# without a flap and keep our routes.
updates_before=$(gobgp neighbor 10.99.4.2 | awk '/Updates:/ {print $2}')
gobgp neighbor 10.99.4.2 softresetout
wait_for 10 "GoBGP re-sent its table" bash -c "[[ \$(gobgp neighbor 10.99.4.2 | awk '/Updates:/ {print \$2}') -gt $updates_before ]]"
established || fail "session dropped after GoBGP re-sent its table"
nva_log_has 'left Established' && fail "the NVA flapped on GoBGP's soft reset out"
adj_in 10.0.0.0/8 | grep -c 10.0.0.0/8 >/dev/null || fail "10.0.0.0/8 gone after GoBGP's soft reset"
show routes | grep -c 10.100.0.0/16 >/dev/null || fail "10.100.0.0/16 gone after GoBGP re-sent its table"
echo "ok: GoBGP's soft reset out taken without a flap; routes stay"

# GoBGP resets the session: the NVA sees it go down, then both come back.
gobgp neighbor 10.99.4.2 reset
wait_for 10 "NVA saw the session go down" nva_log_has 'left Established'
wait_for 60 "session re-established after GoBGP's reset" established
wait_for 10 "10.0.0.0/8 re-advertised after the reset" gobgp_has 10.0.0.0/8
wait_for 10 "NVA re-learned 10.100.0.0/16" nva_has 10.100.0.0/16
echo "ok: peer reset, session recovered, routes both ways again"

kill -TERM "$nva_pid"
wait "$nva_pid" || fail "hairpin nva exited non-zero on SIGTERM"
nva_pid=""
wait_for 10 "GoBGP left Established after the NVA stopped" bash -c '! established'
grep -qi 'cease\|administrative\|notification' "$work/gobgpd.log" || fail "GoBGP did not log our Cease"
echo "ok: SIGTERM sent Cease, GoBGP saw the session end"
[[ -n ${VERBOSE:-} ]] && { echo "--- NVA log"; cat "$work/nva.log"; }
echo PASS
