#!/usr/bin/env bash
# conformance.rfc7606 (label `lab`, root): the RFC 7606 / RFC 4271 6.1-6.3 case
# table (cases.hpp) sent by a raw BGP peer (rfc7606_peer) to a real `hairpin nva`,
# row by row, each row printed with its result.
#
# Two private namespaces, hptest-rfc7606-nva (the NVA, 10.99.76.2, AS 65001) and
# hptest-rfc7606-peer (the raw peer: 10.99.76.11 eBGP AS 65076, .12 iBGP AS 65001,
# .13 eBGP AS 65077 without the 4-octet AS capability), joined by one veth; both
# removed on every exit path. The root namespace is never touched.
# Usage: live_test.sh PATH/TO/hairpin PATH/TO/rfc7606_peer [ROW]   (exit 77 unless root)
set -euo pipefail

hairpin=${1:?usage: live_test.sh PATH/TO/hairpin PATH/TO/rfc7606_peer [ROW]}
peer=${2:?usage: live_test.sh PATH/TO/hairpin PATH/TO/rfc7606_peer [ROW]}
only=${3:-}
source "$(dirname "$0")/../../lib/netns_pair.sh"
skip_unless_root

fail() { echo "FAIL: $*"; [[ -s ${work:-}/nva.log ]] && tail -n 40 "$work/nva.log"; exit 1; }

work=$(mktemp -d /tmp/hptest-rfc7606-XXXXXX)
NS_N=hptest-rfc7606-nva
NS_P=hptest-rfc7606-peer
nva_pid=""
cleanup() {
  set +e
  stop_pids "$nva_pid"
  pair_down "$NS_N" "$NS_P"
  [[ -n ${KEEP:-} ]] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT

pair_down "$NS_N" "$NS_P"  # a run killed before its trap left them behind
pair_up "$NS_N" veth-nva "$NS_P" veth-peer
ip -n "$NS_N" addr add 10.99.76.2/24 dev veth-nva
for a in 11 12 13; do ip -n "$NS_P" addr add 10.99.76.$a/24 dev veth-peer; done

# Short timers: nothing in a row waits for one, but a stray session dies quickly.
cat > "$work/nva.frr" <<'CFG'
frr defaults traditional
router bgp 65001
 bgp router-id 10.99.76.2
 no bgp ebgp-requires-policy
 neighbor 10.99.76.11 remote-as 65076
 neighbor 10.99.76.11 timers connect 5
 neighbor 10.99.76.12 remote-as 65001
 neighbor 10.99.76.12 timers connect 5
 neighbor 10.99.76.13 remote-as 65077
 neighbor 10.99.76.13 timers connect 5
exit
CFG

ip netns exec "$NS_N" "$hairpin" nva --config "$work/nva.frr" --control-socket "$work/nva.sock" \
  > "$work/nva.out" 2> "$work/nva.log" &
nva_pid=$!
wait_for 10 "the NVA answers on its control socket" "$hairpin" bgp show summary --control-socket "$work/nva.sock"
wait_for 10 "the NVA listens on 10.99.76.2:179" ip netns exec "$NS_N" bash -c "exec 3<>/dev/tcp/10.99.76.2/179"
# (that probe connection came from the NVA's own namespace, not a configured
# neighbour: the NVA closes it)

args=(--nva 10.99.76.2 --control-socket "$work/nva.sock")
[[ -n $only ]] && args+=(--only "$only")
status=0
ip netns exec "$NS_P" "$peer" "${args[@]}" | tee "$work/rows.txt" || status=$?
kill -0 "$nva_pid" 2>/dev/null || fail "hairpin nva died during the table"
if [[ $status -ne 0 ]]; then
  echo "--- NVA log (tail)"
  tail -n 60 "$work/nva.log"
  exit 1
fi
echo PASS
