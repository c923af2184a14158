#!/usr/bin/env bash
# The built-in NVA's kernel routes in the seed lab, read with iproute2 in its
# namespace: the site prefixes it learned from the route servers under its BGP
# protocol (220), the config's `ip route` lines (the supernet's blackhole among
# them) under its static protocol (222) (ids: docs/fib.md);
# no `local 10.0.0.0/8` in table local; and a clean stop (SIGTERM) takes every
# route of its protocols out again.
source "$(dirname "$0")/lib.sh"
[ "$NVA" = builtin ] || { echo "SKIP: fib_test is for the built-in NVA"; exit 77; }
lab_up

proto() {  # proto ID: `ip route show proto ID` on the NVA, one route a line
  in_node vm-hub00 ip route show proto "$1"
  echo "$NODE_OUT"
}
has_line() {  # has_line TEXT REGEX WHAT
  grep -Eq "$2" <<< "$1" || fail "$3: not in: $1"
}
bgp=$(proto 220); network=$(proto 221); static=$(proto 222)
echo "proto 220 (bgp):"; echo "$bgp"; echo "proto 221 (network):"; echo "$network"; echo "proto 222 (static):"; echo "$static"
# ARS hands out the ERGW 10.0.200.12 as next hop; it resolves through the gateway.
has_line "$bgp" "^10\.100\.0\.0/16 (nhid [0-9]+ )?via 10\.0\.0\.1 dev eth0 .*metric 20" "site A's prefix under proto 220"
has_line "$bgp" "^10\.200\.0\.0/16 (nhid [0-9]+ )?via 10\.0\.0\.1 dev eth0 .*metric 20" "site B's prefix under proto 220"
# nva-fixed.frr has `ip route 10.0.0.0/8 blackhole`, so `network 10.0.0.0/8` needs
# no blackhole of its own (docs/bgpd.md); seed-verbatim, which has no such line,
# checks proto 221 (lab.builtin.fault.seed-verbatim).
[ -z "$network" ] || fail "proto 221 holds routes although the config's static blackhole backs the network: $network"
has_line "$static" "^10\.0\.200\.0/24 via 10\.0\.0\.1 dev eth0 .*metric 10" "ip route 10.0.200.0/24 under proto 222"
has_line "$static" "^10\.0\.210\.0/24 via 10\.0\.0\.1 dev eth0 .*metric 10" "ip route 10.0.210.0/24 under proto 222"
has_line "$static" "^blackhole 10\.0\.0\.0/8 .*metric 10" "ip route 10.0.0.0/8 blackhole under proto 222"
[ "$(wc -l <<< "$bgp")" -eq 2 ] || fail "proto 220 holds more than the two site prefixes"
pass "kernel routes under the NVA's protocols 220/221/222"

# The kernel forwards the hairpin on those routes: a lookup for site B from the NVA.
in_node vm-hub00 ip route get 10.200.0.4
[[ $NODE_OUT == "10.200.0.4 via 10.0.0.1 dev eth0 "* ]] || fail "route get 10.200.0.4 on the NVA: $NODE_OUT"
# The kernel refuses a lookup that ends in a blackhole (EINVAL), or prints it.
out=$("$HAIRPIN" lab exec vm-hub00 -- ip route get 10.77.0.1 2>&1) || true
[[ $out == *"RTNETLINK answers: Invalid argument"* || $out == "blackhole 10.77.0.1"* ]] ||
  fail "10.77.0.1 (in the supernet, no more specific route) is not dropped by the blackhole: $out"
pass "10.200.0.4 forwards via the gateway; the rest of 10/8 hits the blackhole"

in_node vm-hub00 ip route show table local
# Positive control: the local table was read and holds the NIC's own address.
[[ $NODE_OUT =~ (^|$'\n')"local 10.0.0.4 dev eth0" ]] || fail "no local 10.0.0.4 in the NVA's local table: $NODE_OUT"
[[ $NODE_OUT =~ (^|$'\n')"local 10.0.0.0/8" ]] && fail "local 10.0.0.0/8 in the NVA's local table: $NODE_OUT"
pass "no local 10.0.0.0/8 in table local"

# A clean stop withdraws: SIGTERM, and no route of 220-222 is left.
pid=$(cat $LAB/vm-hub00/nva.pid)
kill -TERM "$pid"
for _ in $(seq 200); do alive "$pid" || break; sleep 0.05; done
alive "$pid" && fail "hairpin nva still runs 10 s after SIGTERM"
for id in 220 221 222; do
  left=$(proto $id)
  [ -z "$left" ] || fail "after SIGTERM, proto $id still has: $left"
done
# Positive control: the table is still read (the connected route is there).
in_node vm-hub00 ip route show
[[ $NODE_OUT == *"10.0.0.0/24 dev eth0 proto kernel"* ]] || fail "the NVA's main table lost its connected route: $NODE_OUT"
pass "SIGTERM: every route of protocols 220-222 withdrawn, the connected route stays"
