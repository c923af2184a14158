#!/usr/bin/env bash
# The seed design both ways: ERGW, NVA, a silent hop (the ERGW again, on the way
# back out), the destination - the pattern of the seed's Ethr traces.
source "$(dirname "$0")/lib.sh"
lab_up
expect_hops vm-hub100 10.200.0.4 "10.0.200.12 10.0.0.4 * 10.200.0.4"
expect_hops vm-hub200 10.100.0.4 "10.0.200.12 10.0.0.4 * 10.100.0.4"
status=$("$HAIRPIN" lab status --json) || fail "lab status failed: $status"
[[ $status == *'"converged": true'* ]] || fail "status does not say converged: $status"
# No transit in BGP: the ERGW never gives one site the other's prefix, on either
# site. Positive control on each: the site's table is read and holds the supernet
# the ERGW passed on from the NVA (so BGP routes do reach it), and the ERGW itself
# holds the other site's prefix in BGP (so it had something to transit).
ergw_bgp() {  # ergw_bgp PREFIX: the ERGW's BIRD has a route for PREFIX
  in_node ergw birdc -s /run/hairpin/lab/ergw/bird.ctl show route "$1"
  [[ $NODE_OUT == *"$1 "*"unicast ["*"via "* ]]
}
for site in "vm-hub100 10.100.0.0/16 10.200.0.0/16" "vm-hub200 10.200.0.0/16 10.100.0.0/16"; do
  read -r node own other <<< "$site"
  has_route "$node" 10.0.0.0/8 || fail "$node has no 10.0.0.0/8: the no-transit check would prove nothing"
  ergw_bgp "$other" || fail "the ERGW has no BGP route for $other: $NODE_OUT"
  has_route "$node" "$other" && fail "$node learned $other (transit through the ERGW): $NODE_OUT"
  pass "no transit in BGP: $node has 10.0.0.0/8 but not $other, which the ERGW holds"
done
