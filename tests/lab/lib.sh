# Shared helpers for lab tests (label `lab`). Each test brings the lab up with
# what it needs, checks with independent tools (Debian traceroute, iproute2),
# and takes the lab down on every exit path.
set -euo pipefail

HAIRPIN=${HAIRPIN:?set HAIRPIN to the hairpin binary}
# Which NVA the lab runs: builtin (hairpin nva) or frr. ctest runs every lab test
# once per kind (lab.builtin.*, lab.frr.*) and sets this; lab_up passes it on.
NVA=${HAIRPIN_LAB_NVA:-builtin}
case "$NVA" in builtin|frr) ;; *) echo "FAIL: HAIRPIN_LAB_NVA=$NVA: use builtin or frr" >&2; exit 1 ;; esac
LAB=/run/hairpin/lab

if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: lab tests need root (network namespaces); run scripts/test as root"
  exit 77
fi

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "PASS: $*"; }

# The root namespace must look the same after the test as before it.
root_snapshot() { { ip -o addr; ip route show table all; ip rule; nft list ruleset; } 2>/dev/null | sort; }
ROOT_BEFORE=$(root_snapshot)

cleanup() {
  "$HAIRPIN" lab down >/dev/null 2>&1 || true
  [ "$(root_snapshot)" = "$ROOT_BEFORE" ] || { echo "FAIL: the root namespace changed" >&2; exit 1; }
}
trap cleanup EXIT

lab_up() {  # lab_up [hairpin lab up args...]: must converge, with the NVA of $NVA
  "$HAIRPIN" lab up --force --nva "$NVA" "$@" > "$LOG" 2>&1 || { cat "$LOG"; fail "lab up --nva $NVA $* did not converge"; }
}
LOG=$(mktemp)
trap 'rm -f "$LOG"; cleanup' EXIT

# in_node NODE CMD...: runs CMD inside NODE and leaves its output (stdout and
# stderr) in NODE_OUT. A failing `lab exec` or CMD fails the test right here, in
# any context (also under `||`/`&&`, where set -e is off): an exec that did not run
# never satisfies a negative check.
in_node() {
  local rc=0
  NODE_OUT=$("$HAIRPIN" lab exec "$1" -- "${@:2}" 2>&1) || rc=$?
  [ $rc -eq 0 ] || fail "lab exec $1 -- ${*:2} failed (rc $rc): $NODE_OUT"
}

# no_route_to NODE DST: true when `ip route get DST` ran in NODE and the kernel
# answered that it has no route; false when it has one. Anything else (lab exec
# failed, the namespace is gone) fails the test instead of counting as "no route".
no_route_to() {
  local out rc=0
  out=$("$HAIRPIN" lab exec "$1" -- ip route get "$2" 2>&1) || rc=$?
  [ $rc -eq 0 ] && return 1
  [[ $out == *"Network is unreachable"* ]] || fail "lab exec $1 -- ip route get $2 failed (rc $rc), not for want of a route: $out"
}

# has_route NODE PREFIX: NODE's kernel table holds exactly PREFIX (a failing exec
# fails the test).
has_route() {
  in_node "$1" ip route show exact "$2"
  [ -n "$NODE_OUT" ]
}

# hops SRC DST [MAX]: the responding address per TTL ('*' for none), space separated,
# from Debian's traceroute -T on port 22, as the seed's Ethr run did. A traceroute
# that did not run (lab exec failed, no header line) fails the test, so its silence
# never reads as a row of '*'. Run as $(hops ...): a failure exits non-zero.
hops() {
  in_node "$1" traceroute -T -n -q 1 -p 22 -w 1 -m "${3:-8}" "$2"
  [[ $NODE_OUT == "traceroute to $2 "* ]] || fail "traceroute from $1 to $2 did not run: $NODE_OUT"
  awk 'NR > 1 { print $2 }' <<< "$NODE_OUT" | paste -sd' ' -
}

# expect_hops SRC DST "PATTERN" [MAX]: poll (bounded) until the hop list equals PATTERN.
expect_hops() {
  local got=""
  for _ in 1 2 3; do
    got=$(hops "$1" "$2" "${4:-8}") || fail "$1 -> $2: no traceroute (see above)"
    [ "$got" = "$3" ] && { pass "$1 -> $2: $got"; return 0; }
  done
  fail "$1 -> $2: hops '$got', expected '$3'"
}

# alive PID: the process runs (a zombie nobody has reaped yet does not count).
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat:0:1}" != Z ]
}

# ---------------------------------------------------------------- ping floods
# ping_start FILE SRC DST COUNT: a steady flow (every 10 ms, numeric, timestamped)
# from SRC to DST in the background, its output in FILE, its pid in PING_PID (lab
# exec and ip netns exec both exec, so this is ping itself).
ping_start() {
  "$HAIRPIN" lab exec "$2" -- ping -D -n -i 0.01 -W 1 -c "$4" "$3" > "$1" 2>&1 &
  PING_PID=$!
}
stop_ping_quietly() {  # for traps: never fails (set -e holds in traps too)
  if [ -n "${PING_PID:-}" ]; then kill "$PING_PID" 2>/dev/null || true; fi
}
replies() { local n; n=$(grep -c " bytes from " "$1") || true; echo "${n:-0}"; }
# wait_replies FILE N SECONDS: bounded poll until FILE holds at least N replies.
wait_replies() {
  local deadline=$((SECONDS + $3))
  while [ "$(replies "$1")" -lt "$2" ]; do
    [ $SECONDS -lt $deadline ] || { tail -5 "$1"; fail "fewer than $2 ping replies in $1 after $3 s"; }
    alive "$PING_PID" || { tail -5 "$1"; fail "ping ended with fewer than $2 replies"; }
    sleep 0.05
  done
}
# ping_stop FILE: SIGINT (ping prints its summary), then wait for it.
ping_stop() {
  kill -INT "$PING_PID" 2>/dev/null || true
  wait "$PING_PID" || true
  grep -q " packets transmitted, " "$1" || { tail -5 "$1"; fail "ping printed no summary"; }
}
# ping_numbers FILE: "SENT RECEIVED LOST GAP_MS": ping's own summary counts, and
# the longest time between two consecutive replies (its -D timestamps).
ping_numbers() {
  local sent received
  sent=$(sed -n 's/^\([0-9]*\) packets transmitted, .*/\1/p' "$1")
  received=$(sed -n 's/^[0-9]* packets transmitted, \([0-9]*\) received.*/\1/p' "$1")
  [ -n "$sent" ] && [ -n "$received" ] || fail "no ping summary in $1"
  local gap
  gap=$(awk -F'[][]' '/ bytes from / { t = $2 + 0; if (seen && (t - last) * 1000 > max) max = (t - last) * 1000;
                                         last = t; seen = 1 } END { printf "%d", max }' "$1")
  echo "$sent $received $((sent - received)) $gap"
}
