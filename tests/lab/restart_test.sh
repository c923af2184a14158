#!/usr/bin/env bash
# Restart of the built-in NVA under a steady ping flow (every 10 ms) through the
# hairpin from site A to site B: kill -9 of `hairpin nva`, then
# `hairpin lab restart vm-hub00`. The routes it installed stay in the kernel while
# it is dead; the flow stops while the route servers withdraw the supernet (the
# sessions dropped) and resumes once it is back. Prints the loss and the gap.
# Also a restart of a running NVA (SIGTERM, then start) converges.
source "$(dirname "$0")/lib.sh"
[ "$NVA" = builtin ] || { echo "SKIP: restart_test is for the built-in NVA"; exit 77; }
WORK=$(mktemp -d)
trap 'stop_ping_quietly; rm -rf "$WORK" "$LOG"; cleanup' EXIT
A=vm-hub100
nva_pid() { cat $LAB/vm-hub00/nva.pid; }
site_route() { in_node vm-hub00 ip route show exact 10.200.0.0/16; echo "$NODE_OUT"; }

lab_up
expect_hops $A 10.200.0.4 "10.0.200.12 10.0.0.4 * 10.200.0.4"
route_before=$(site_route)
[ -n "$route_before" ] || fail "no 10.200.0.0/16 on the NVA before the kill"

ping_start "$WORK/ping" $A 10.200.0.4 6000
wait_replies "$WORK/ping" 200 20
before=$(replies "$WORK/ping")
old=$(nva_pid)
kill -9 "$old"
t_kill=$(date +%s.%N)
for _ in $(seq 100); do alive "$old" || break; sleep 0.02; done
alive "$old" && fail "hairpin nva (pid $old) survived kill -9"
# kill -9 leaves the routes it installed: they forward until the new run sweeps.
[ "$(site_route)" = "$route_before" ] || fail "10.200.0.0/16 changed on the NVA right after kill -9: $(site_route)"
pass "after kill -9 the NVA's route stays: $route_before"
# A route only the old run had: as if it had learned 10.77.0.0/16 before it died
# (our protocol 220, via the subnet gateway). The new run must keep it until every
# peer sent End-of-RIB, then sweep it; 10.200.0.0/16, which the new run learns
# again, must stay throughout.
in_node vm-hub00 ip route add 10.77.0.0/16 via 10.0.0.1 proto 220
in_node vm-hub00 ip route show exact 10.77.0.0/16 proto 220
[ -n "$NODE_OUT" ] || fail "could not plant the old run's route 10.77.0.0/16"
log_lines_before=$(wc -l < $LAB/vm-hub00/nva.log)
status=$("$HAIRPIN" lab status) || true  # exit 1: not converged while the NVA is down
grep -Eq "^  vm-hub00 +hairpin-nva +NOT running .*hairpin lab restart vm-hub00 starts it" <<< "$status" ||
  { echo "$status"; fail "lab status does not say the NVA is down"; }

rc=0; "$HAIRPIN" lab restart vm-hub00 > "$LOG" 2>&1 || rc=$?
t_restarted=$(date +%s.%N)
[ $rc -eq 0 ] || { cat "$LOG"; fail "lab restart vm-hub00 exited $rc"; }
grep -q "^hairpin-nva on vm-hub00 is not running; starting it$" "$LOG" || { cat "$LOG"; fail "restart does not say it started a dead NVA"; }
[ "$(nva_pid)" != "$old" ] || fail "the pidfile still names the killed NVA"
# The new run's log: it found the old routes, and swept only after End-of-RIB from
# both route servers, after both sessions were Established.
tail -n +$((log_lines_before + 1)) $LAB/vm-hub00/nva.log > "$WORK/run2.log"
grep -Eq "fib: [0-9]+ routes? of ours left in the kernel by an earlier run" "$WORK/run2.log" ||
  { cat "$WORK/run2.log"; fail "the restarted NVA did not report the routes the earlier run left"; }
for _ in $(seq 100); do grep -q "fib: swept" "$WORK/run2.log" && break; sleep 0.1
  tail -n +$((log_lines_before + 1)) $LAB/vm-hub00/nva.log > "$WORK/run2.log"; done
sweep=$(grep -n "fib: swept" "$WORK/run2.log") || { cat "$WORK/run2.log"; fail "no stale sweep 10 s after the restart converged"; }
echo "restart: ${sweep#*:}"
grep -q "after End-of-RIB from .*10.0.210.4" <<< "$sweep" && grep -q "after End-of-RIB from .*10.0.210.5" <<< "$sweep" ||
  fail "the sweep did not wait for End-of-RIB from both route servers: $sweep"
for rs in 10.0.210.4 10.0.210.5; do
  up=$(grep -n "neighbor $rs: Established" "$WORK/run2.log" | head -1 | cut -d: -f1)
  [ -n "$up" ] && [ "$up" -lt "${sweep%%:*}" ] || fail "the sweep (log line ${sweep%%:*}) came before $rs was Established (line ${up:-none})"
done
in_node vm-hub00 ip route show exact 10.77.0.0/16 proto 220
[ -z "$NODE_OUT" ] || fail "the old run's 10.77.0.0/16 was not swept: $NODE_OUT"
[ -n "$(site_route)" ] || fail "10.200.0.0/16 is gone from the NVA after the sweep"
pass "stale sweep after End-of-RIB from both route servers: the old run's 10.77.0.0/16 gone, 10.200.0.0/16 kept"
wait_replies "$WORK/ping" $((before + 300)) 30
ping_stop "$WORK/ping"
read -r sent received lost gap <<< "$(ping_numbers "$WORK/ping")"
after=$(awk -F'[][]' -v t="$t_restarted" '/ bytes from / && $2 + 0 > t + 0 { n++ } END { print n + 0 }' "$WORK/ping")
restart_s=$(awk -v a="$t_kill" -v b="$t_restarted" 'BEGIN { printf "%.2f", b - a }')
echo "restart (kill -9, lab restart vm-hub00): $sent sent, $received received, $lost lost, gap $gap ms; lab restart returned (converged) $restart_s s after the kill; $after replies after"
[ "$before" -ge 200 ] || fail "positive control: only $before replies before the kill"
[ "$after" -ge 100 ] || fail "only $after replies after the restart: the hairpin did not come back"
# The gap is the sessions coming back plus one UPDATE round; 30 s is a generous bound.
[ "$gap" -le 30000 ] || fail "the flow stopped for $gap ms"
pass "restart: the flow came back after a gap of $gap ms ($lost of $sent lost)"
expect_hops $A 10.200.0.4 "10.0.200.12 10.0.0.4 * 10.200.0.4"
expect_hops vm-hub200 10.100.0.4 "10.0.200.12 10.0.0.4 * 10.100.0.4"

# A restart of a running NVA: SIGTERM (it withdraws its routes), then start.
old=$(nva_pid)
rc=0; "$HAIRPIN" lab restart vm-hub00 > "$LOG" 2>&1 || rc=$?
[ $rc -eq 0 ] || { cat "$LOG"; fail "lab restart of a running NVA exited $rc"; }
grep -Eq "^hairpin-nva on vm-hub00 was running; stopped it \(SIGTERM, [0-9]+ ms\); starting it$" "$LOG" ||
  { cat "$LOG"; fail "restart of a running NVA does not say it stopped it"; }
alive "$old" && fail "the old NVA (pid $old) still runs"
grep -q "^converged: " "$LOG" || { cat "$LOG"; fail "not converged after restarting a running NVA"; }
expect_hops $A 10.200.0.4 "10.0.200.12 10.0.0.4 * 10.200.0.4"
pass "restart of a running NVA: $(grep 'was running' "$LOG")"
