#!/usr/bin/env bash
# One fault per run (the first argument); each must show its effect.
source "$(dirname "$0")/lib.sh"
fault=$1
A=vm-hub100; B=vm-hub200
case "$fault" in
  no-udr)
    lab_up --fault no-udr
    # The circuits' traffic is never sent to the NVA: it dies at the gateway.
    expect_hops $A 10.200.0.4 "10.0.200.12 * * * * *" 6
    expect_hops $B 10.100.0.4 "10.0.200.12 * * * * *" 6 ;;
  asymmetric-udr)
    lab_up --fault asymmetric-udr
    # Only the UDR for 10.100.0.0/16 is left: B -> A is drawn through the NVA, but
    # A's replies (and anything A sends to B) skip it and are dropped at the gateway.
    expect_hops $A 10.200.0.4 "10.0.200.12 * * * * *" 6
    expect_hops $B 10.100.0.4 "10.0.200.12 10.0.0.4 * * * *" 6 ;;
  no-supernet)
    lab_up --fault no-supernet
    # Positive control first: each site's table is read and holds the hub VNet route.
    has_route $A 10.0.0.0/16 || fail "site A lost the hub VNet route"
    has_route $B 10.0.0.0/16 || fail "site B lost the hub VNet route"
    no_route_to $A 10.200.0.4 || fail "site A has a route to 10.200.0.4"
    no_route_to $B 10.100.0.4 || fail "site B has a route to 10.100.0.4"
    pass "no-supernet: neither site has a route to the other, both still reach the hub" ;;
  nva-noforward)
    lab_up --fault nva-noforward
    expect_hops $A 10.200.0.4 "10.0.200.12 10.0.0.4 * * * *" 6
    expect_hops $B 10.100.0.4 "10.0.200.12 10.0.0.4 * * * *" 6 ;;
  ars0-down)
    lab_up --fault ars0-down
    [ -e /run/netns/hp-ars0 ] || fail "no namespace hp-ars0: the fault must stop ARS 0, not remove it"
    pids=$(ip netns pids hp-ars0) || fail "cannot list the processes in hp-ars0"
    [ -z "$pids" ] || fail "processes run in hp-ars0: $pids"
    expect_hops $A 10.200.0.4 "10.0.200.12 10.0.0.4 * 10.200.0.4"
    expect_hops $B 10.100.0.4 "10.0.200.12 10.0.0.4 * 10.100.0.4"
    # restart rebuilds nothing: a node the fault keeps down has no daemon to start.
    rc=0; "$HAIRPIN" lab restart ars0 > "$LOG" 2>&1 || rc=$?
    [ $rc -eq 2 ] && [ "$(wc -l < "$LOG")" -eq 1 ] && grep -q "ars0 runs no daemon in this lab (faults: ars0-down)" "$LOG" ||
      { cat "$LOG"; fail "lab restart ars0 under ars0-down: rc $rc"; }
    pass "lab restart ars0 under ars0-down: $(cat "$LOG")" ;;
  nva-down)
    lab_up --fault nva-down
    has_route $A 10.0.0.0/16 || fail "site A lost the hub VNet route"
    has_route $B 10.0.0.0/16 || fail "site B lost the hub VNet route"
    no_route_to $A 10.200.0.4 || fail "site A has a route to 10.200.0.4"
    no_route_to $B 10.100.0.4 || fail "site B has a route to 10.100.0.4"
    pids=$(ip netns pids hp-vm-hub00) || fail "cannot list the processes in hp-vm-hub00"
    [ -z "$pids" ] || fail "processes run in hp-vm-hub00: $pids"
    pass "nva-down: the supernet is gone with the NVA (both sites), the hub still reachable" ;;
  seed-verbatim)
    if [ "$NVA" = builtin ]; then
      # The built-in NVA does not apply `interface lo / ip address 10.0.0.1/8`: it
      # warns (with the line) and originates the supernet behind a blackhole, so the
      # seed's config converges and hairpins (DESIGN.md, Traps).
      lab_up --fault seed-verbatim
      expect_hops $A 10.200.0.4 "10.0.200.12 10.0.0.4 * 10.200.0.4"
      expect_hops $B 10.100.0.4 "10.0.200.12 10.0.0.4 * 10.100.0.4"
      conf=$(cd "$(dirname "$0")/../.." && pwd)/fixtures/configs/nva-seed.frr
      line=$(grep -n "ip address 10.0.0.1/8" "$conf" | cut -d: -f1)
      [ -n "$line" ] || fail "no lo address line in $conf"
      warning="config line $line: 'interface lo' address 10.0.0.1/8 not applied: "
      warned=$(grep -F "$warning" "$LAB/vm-hub00/nva.log" || true)  # captured, then matched (no `| grep -q` under pipefail)
      [[ $warned == *"instead 'network 10.0.0.0/8' is originated and backed by a blackhole"* ]] ||
        { cat "$LAB/vm-hub00/nva.log"; fail "no warning about line $line (the lo address) in the NVA's log"; }
      pass "seed-verbatim: the NVA's log says: $(grep -F "$warning" "$LAB/vm-hub00/nva.log" | head -1)"
      in_node vm-hub00 ip route show table local
      # Positive control: the local table was read and holds the NIC's own address.
      [[ $NODE_OUT =~ (^|$'\n')"local 10.0.0.4 dev eth0" ]] || fail "no local 10.0.0.4 in the NVA's local table: $NODE_OUT"
      [[ $NODE_OUT =~ (^|$'\n')"local 10.0.0.0/8" ]] && fail "the NVA has local 10.0.0.0/8 (the trap): $NODE_OUT"
      # The seed has no `ip route 10.0.0.0/8 blackhole`: the NVA backs the network itself (proto 221).
      in_node vm-hub00 ip route show proto 221
      [[ $NODE_OUT =~ (^|$'\n')"blackhole 10.0.0.0/8 metric 15" ]] || fail "no blackhole 10.0.0.0/8 under proto 221: $NODE_OUT"
      in_node vm-hub00 ip -o addr show dev lo
      [[ $NODE_OUT == *10.0.0.1/8* ]] && fail "10.0.0.1/8 was applied to lo: $NODE_OUT"
      pass "seed-verbatim (builtin): converges and hairpins both ways; no local 10.0.0.0/8, nothing added to lo"
    else
      # FRR applies the seed's config as written: 10.0.0.1/8 on lo makes all of 10/8
      # local, so the NVA cannot reach ARS through the gateway 10.0.0.1 and no
      # session comes up.
      rc=0; "$HAIRPIN" lab up --force --nva frr --fault seed-verbatim --timeout 20 > "$LOG" 2>&1 || rc=$?
      [ $rc -eq 1 ] || { cat "$LOG"; fail "lab up with seed-verbatim exited $rc, expected 1"; }
      grep -q "BGP session ars0 <-> vm-hub00 is" "$LOG" || { cat "$LOG"; fail "the missing session is not named"; }
      grep -q "route 10.0.0.0/8 missing on vm-hub100" "$LOG" || fail "the missing supernet is not named"
      in_node vm-hub00 ip route show table local
      [[ $NODE_OUT =~ (^|$'\n')"local 10.0.0.0/8 dev lo" ]] || fail "the NVA has no local 10.0.0.0/8 on lo: $NODE_OUT"
      pass "seed-verbatim (frr): sessions and routes reported missing; local 10.0.0.0/8 on lo"
    fi ;;
  *) fail "unknown fault $fault" ;;
esac
