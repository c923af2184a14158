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
status=$("$HAIRPIN" lab status) || true  # exit 1: not converged while the NVA is down
grep -Eq "^  vm-hub00 +hairpin-nva +NOT running .*hairpin lab restart vm-hub00 starts it" <<< "$status" ||
  { echo "$status"; fail "lab status does not say the NVA is down"; }

rc=0; "$HAIRPIN" lab restart vm-hub00 > "$LOG" 2>&1 || rc=$?
t_restarted=$(date +%s.%N)
[ $rc -eq 0 ] || { cat "$LOG"; fail "lab restart vm-hub00 exited $rc"; }
grep -q "^hairpin-nva on vm-hub00 is not running; starting it$" "$LOG" || { cat "$LOG"; fail "restart does not say it started a dead NVA"; }
[ "$(nva_pid)" != "$old" ] || fail "the pidfile still names the killed NVA"
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
