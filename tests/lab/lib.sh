# Shared helpers for lab tests (label `lab`). Each test brings the lab up with
# what it needs, checks with independent tools (Debian traceroute, iproute2),
# and takes the lab down on every exit path.
set -euo pipefail

HAIRPIN=${HAIRPIN:?set HAIRPIN to the hairpin binary}

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

lab_up() {  # lab_up [hairpin lab up args...]: must converge
  "$HAIRPIN" lab up --force "$@" > "$LOG" 2>&1 || { cat "$LOG"; fail "lab up $* did not converge"; }
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
