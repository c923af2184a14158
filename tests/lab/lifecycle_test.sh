#!/usr/bin/env bash
# up/down leave nothing behind (also after a failed up), down is idempotent,
# and user mistakes get one clear line and exit 2. Run once per NVA kind.
source "$(dirname "$0")/lib.sh"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK" "$LOG"; cleanup' EXIT
FIXED=$(cd "$(dirname "$0")/../.." && pwd)/fixtures/configs/nva-fixed.frr

nothing_left() {
  local ns procs rc=0
  ns=$(ip netns list) || fail "ip netns list failed"
  [[ $ns =~ (^|$'\n')hp- ]] && fail "namespaces left: $(grep '^hp-' <<< "$ns" | paste -sd' ')"
  # Every lab daemon runs with its files under /run/hairpin/lab (pgrep: 1 = none).
  procs=$(pgrep -a -f /run/hairpin/lab) || rc=$?
  [ $rc -le 1 ] || fail "pgrep failed (rc $rc)"
  [ -z "$procs" ] || fail "lab processes left: $procs"
  [ -e /run/hairpin/lab ] && fail "/run/hairpin/lab left"
  return 0
}

"$HAIRPIN" lab down >/dev/null; "$HAIRPIN" lab down >/dev/null || fail "a second down failed"
nothing_left; pass "down is idempotent"

rc=0; "$HAIRPIN" lab restart vm-hub00 > "$LOG" 2>&1 || rc=$?
[ $rc -eq 2 ] && [ "$(wc -l < "$LOG")" -eq 1 ] && grep -q "the lab is not up" "$LOG" || { cat "$LOG"; fail "restart with no lab: rc $rc"; }
pass "restart with no lab: $(cat "$LOG")"
nothing_left

lab_up --delay 5
rc=0; "$HAIRPIN" lab up > "$LOG" 2>&1 || rc=$?
[ $rc -eq 2 ] && grep -q "already up" "$LOG" || { cat "$LOG"; fail "second up: rc $rc"; }
pass "lab up on a running lab: $(cat "$LOG")"

rc=0; "$HAIRPIN" lab exec no-such-node -- true > "$LOG" 2>&1 || rc=$?
[ $rc -eq 2 ] && grep -q "valid nodes: .*vm-hub100" "$LOG" || { cat "$LOG"; fail "exec unknown node: rc $rc"; }
pass "unknown node: $(cat "$LOG")"

rc=0; "$HAIRPIN" lab restart no-such-node > "$LOG" 2>&1 || rc=$?
[ $rc -eq 2 ] && [ "$(wc -l < "$LOG")" -eq 1 ] && grep -q "unknown node 'no-such-node'.*valid nodes: vm-hub00, ergw, ars0, ars1, vm-hub100, vm-hub200" "$LOG" ||
  { cat "$LOG"; fail "restart unknown node: rc $rc"; }
pass "restart unknown node: $(cat "$LOG")"

# lab status names the NVA's kind and its process.
status=$("$HAIRPIN" lab status) || fail "lab status: $status"
case $NVA in builtin) proc=hairpin kind=hairpin-nva ;; frr) proc=bgpd kind=frr ;; esac
grep -q "NVA $NVA," <<< "$status" && grep -Eq "^  vm-hub00 +nva +hp-vm-hub00 +.*$proc [0-9]+" <<< "$status" &&
  grep -Eq "^  vm-hub00 +$kind +running \(pid [0-9 ]+\) +log $LAB/vm-hub00/" <<< "$status" ||
  { echo "$status"; fail "lab status does not show the $NVA NVA running"; }
pass "lab status: NVA $NVA, $proc on vm-hub00, its daemon running"

"$HAIRPIN" lab down >/dev/null
nothing_left; pass "nothing left after up/down"

# A failed up (sessions that never come: the NVA peers with addresses nobody has)
# must clean up just the same.
sed 's/10\.0\.210\.\([45]\)/10.0.210.4\1/g' "$FIXED" > "$WORK/wrong-peers.frr"
rc=0; "$HAIRPIN" lab up --nva "$NVA" --nva-config "$WORK/wrong-peers.frr" --timeout 3 > "$LOG" 2>&1 || rc=$?
[ $rc -eq 1 ] && grep -q "BGP session ars0 <-> vm-hub00 is" "$LOG" || { cat "$LOG"; fail "up that cannot converge: rc $rc"; }
"$HAIRPIN" lab down >/dev/null
nothing_left; pass "nothing left after an up that did not converge"

if [ "$NVA" = builtin ]; then
  # A config the built-in NVA refuses: one line with file:line, before anything is built.
  printf 'router bgp 65001\n neighbor 10.0.210.4 remote-as\n' > "$WORK/bad.frr"
  rc=0; "$HAIRPIN" lab up --nva builtin --nva-config "$WORK/bad.frr" > "$LOG" 2>&1 || rc=$?
  [ $rc -eq 2 ] && [ "$(wc -l < "$LOG")" -eq 1 ] && grep -q "bad.frr:2" "$LOG" || { cat "$LOG"; fail "bad config: rc $rc"; }
  nothing_left; pass "a config the NVA refuses: $(cat "$LOG"), nothing built"
fi

rc=0; "$HAIRPIN" lab up --fault no-ud > "$LOG" 2>&1 || rc=$?
[ $rc -eq 2 ] && grep -q "valid faults: no-udr" "$LOG" || { cat "$LOG"; fail "unknown fault: rc $rc"; }
pass "unknown fault: $(cat "$LOG")"

rc=0; setpriv --reuid=65534 --regid=65534 --clear-groups "$HAIRPIN" lab up > "$LOG" 2>&1 || rc=$?
[ $rc -eq 2 ] && grep -q "needs root" "$LOG" || { cat "$LOG"; fail "not root: rc $rc"; }
pass "not root: $(cat "$LOG")"
nothing_left
