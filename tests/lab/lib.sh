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

# hops SRC DST [MAX]: the responding address per TTL ('*' for none), space separated,
# from Debian's traceroute -T on port 22, as the seed's Ethr run did.
hops() {
  "$HAIRPIN" lab exec "$1" -- traceroute -T -n -q 1 -p 22 -w 1 -m "${3:-8}" "$2" 2>&1 |
    awk 'NR > 1 { print $2 }' | paste -sd' ' -
}

# expect_hops SRC DST "PATTERN" [MAX]: poll (bounded) until the hop list equals PATTERN.
expect_hops() {
  local got=""
  for _ in 1 2 3; do
    got=$(hops "$1" "$2" "${4:-8}")
    [ "$got" = "$3" ] && { pass "$1 -> $2: $got"; return 0; }
  done
  fail "$1 -> $2: hops '$got', expected '$3'"
}
