#!/usr/bin/env bash
# Failover: a steady ping flow (every 10 ms) through the hairpin from site A to
# site B while the first Route Server instance dies (kill -9 of BIRD on ars0).
# The flow must go on through ars1: replies before the kill (positive control)
# and after it, and few packets lost. Then `hairpin lab restart ars0` brings it
# back and the lab converges again. Prints the loss and the longest gap.
source "$(dirname "$0")/lib.sh"
WORK=$(mktemp -d)
trap 'stop_ping_quietly; rm -rf "$WORK" "$LOG"; cleanup' EXIT
A=vm-hub100; B=vm-hub200
# ergw_session PROTOCOL: the ERGW's BIRD state for one of its sessions.
ergw_session() {
  in_node ergw birdc -s $LAB/ergw/bird.ctl show protocols "$1"
  awk -v p="$1" '$1 == p { print $6 }' <<< "$NODE_OUT"
}

lab_up
expect_hops $A 10.200.0.4 "10.0.200.12 10.0.0.4 * 10.200.0.4"
[ "$(ergw_session ars_ars0)" = Established ] || fail "ERGW <-> ars0 not Established before the kill"

ping_start "$WORK/ping" $A 10.200.0.4 3000
wait_replies "$WORK/ping" 200 20
before=$(replies "$WORK/ping")
ars0=$(cat $LAB/ars0/bird.pid)
kill -9 "$ars0"
t_kill=$(date +%s.%N)
# The kill is real: BIRD on ars0 is gone and the ERGW's session to it is down.
for _ in $(seq 100); do [ "$(ergw_session ars_ars0)" != Established ] && break; sleep 0.05; done
state=$(ergw_session ars_ars0)
[ "$state" != Established ] || fail "the ERGW still has ars0 Established 5 s after kill -9 of its BIRD"
alive "$ars0" && fail "BIRD on ars0 (pid $ars0) survived kill -9"
# The flow goes on: 200 more replies, all of them sent after the kill.
wait_replies "$WORK/ping" $((before + 300)) 30
ping_stop "$WORK/ping"
read -r sent received lost gap <<< "$(ping_numbers "$WORK/ping")"
after=$(awk -F'[][]' -v t="$t_kill" '/ bytes from / && $2 + 0 > t + 0.5 { n++ } END { print n + 0 }' "$WORK/ping")
echo "failover ($NVA): ars0 killed after $before replies; $sent sent, $received received, $lost lost, longest gap between replies $gap ms; $after replies more than 0.5 s after the kill"
[ "$before" -ge 200 ] || fail "positive control: only $before replies before the kill"
[ "$after" -ge 100 ] || fail "only $after replies after the kill: the flow did not go on through ars1"
# Generous bound: a second of the flow. ars1 holds the same routes, so none should be lost.
[ "$lost" -le 100 ] || fail "$lost packets lost when ars0 died (more than 100, 1 s of the flow)"
pass "failover: the flow went on through ars1 ($lost of $sent lost, gap $gap ms)"
expect_hops $B 10.100.0.4 "10.0.200.12 10.0.0.4 * 10.100.0.4"

rc=0; "$HAIRPIN" lab restart ars0 > "$LOG" 2>&1 || rc=$?
[ $rc -eq 0 ] || { cat "$LOG"; fail "lab restart ars0 exited $rc"; }
grep -q "^bird on ars0 is not running; starting it$" "$LOG" || { cat "$LOG"; fail "restart does not say it started a stopped BIRD"; }
grep -q "^converged: every expected session and route is there$" "$LOG" || { cat "$LOG"; fail "not converged after restart"; }
[ "$(ergw_session ars_ars0)" = Established ] || fail "ERGW <-> ars0 not Established after lab restart ars0"
[ "$(cat $LAB/ars0/bird.pid)" != "$ars0" ] || fail "ars0's pidfile still names the killed BIRD"
# The restarted instance is a route server again: it holds the NVA's supernet
# and hands out the site routes, and the hairpin works both ways.
# (bounded: FRR's bgpd sends its UPDATE to the new session a little later)
ars0_supernet() {  # birdc exits 1 on "Network not found"
  local out
  out=$("$HAIRPIN" lab exec ars0 -- birdc -s $LAB/ars0/bird.ctl show route 10.0.0.0/8 protocol vm_hub00 2>&1) || return 1
  grep -q "^10.0.0.0/8 " <<< "$out"
}
ok=0; for _ in $(seq 150); do ars0_supernet && { ok=1; break; }; sleep 0.2; done
[ $ok -eq 1 ] || fail "ars0 does not hold the NVA's supernet 30 s after its restart"
pass "lab restart ars0: BIRD started again in hp-ars0, converged, holds 10.0.0.0/8 again"
expect_hops $A 10.200.0.4 "10.0.200.12 10.0.0.4 * 10.200.0.4"
expect_hops $B 10.100.0.4 "10.0.200.12 10.0.0.4 * 10.100.0.4"
pass "after ars0's restart the hairpin works both ways"
