#!/usr/bin/env bash
# up/down leave nothing behind (also after a failed up), down is idempotent,
# and user mistakes get one clear line and exit 2.
source "$(dirname "$0")/lib.sh"

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

lab_up --delay 5
rc=0; "$HAIRPIN" lab up > "$LOG" 2>&1 || rc=$?
[ $rc -eq 2 ] && grep -q "already up" "$LOG" || { cat "$LOG"; fail "second up: rc $rc"; }
pass "lab up on a running lab: $(cat "$LOG")"

rc=0; "$HAIRPIN" lab exec no-such-node -- true > "$LOG" 2>&1 || rc=$?
[ $rc -eq 2 ] && grep -q "valid nodes: .*vm-hub100" "$LOG" || { cat "$LOG"; fail "exec unknown node: rc $rc"; }
pass "unknown node: $(cat "$LOG")"

"$HAIRPIN" lab down >/dev/null
nothing_left; pass "nothing left after up/down"

# A failed up (the seed config never converges) must clean up just the same.
"$HAIRPIN" lab up --fault seed-verbatim --timeout 3 >/dev/null 2>&1 || true
"$HAIRPIN" lab down >/dev/null
nothing_left; pass "nothing left after a failed up"

rc=0; "$HAIRPIN" lab up --fault no-ud > "$LOG" 2>&1 || rc=$?
[ $rc -eq 2 ] && grep -q "valid faults: no-udr" "$LOG" || { cat "$LOG"; fail "unknown fault: rc $rc"; }
pass "unknown fault: $(cat "$LOG")"

rc=0; setpriv --reuid=65534 --regid=65534 --clear-groups "$HAIRPIN" lab up > "$LOG" 2>&1 || rc=$?
[ $rc -eq 2 ] && grep -q "needs root" "$LOG" || { cat "$LOG"; fail "not root: rc $rc"; }
pass "not root: $(cat "$LOG")"
nothing_left
