#!/usr/bin/env bash
# Live test of NetlinkFib (docs/fib.md) in two private namespaces, never the lab's:
#
#   hptest-fib-<pid>:       lo, fa 10.77.1.1/24 -- veth -- fb 10.77.1.2/24 + 10.77.1.3/24 (hptest-fib-<pid>-peer)
#                           10.0.200.0/24 via 10.77.1.2 (ARS's next hops behind a gateway; protocol static)
#
# 1. install: 10.1/16 via BGP next hop 10.0.200.12 goes out via 10.77.1.2 (recursive);
#    10.2/16 over 10.77.1.2 + 10.77.1.3 is one ECMP route (a group of two); the
#    supernet 10.0.0.0/8 is a blackhole under the network protocol; the connected
#    10.77.1.0/24 keeps its kernel route (ours held, OtherProtocol); 10.3/16 via
#    192.0.2.1 is held Unresolved; the static 10.4/16 is under the static protocol.
# 2. restart: a new process finds those routes stale, sets two of them again,
#    sweeps the rest; our objects of the first run are gone.
# 3. follow: the static route to 10.0.200.0/24 moves to 10.77.1.3 (the running
#    FIB reports 10.0.200.12 and replaces its object in place: same nhid), is
#    deleted (10.1/16 leaves the kernel, held Unresolved), comes back (10.1/16 too).
# 4. plain (no nexthop objects): gateway route and RTA_MULTIPATH route.
# 5. withdraw: nothing of ours is left (routes of protocols 220..222, objects).
# 6. 100k routes (both modes): all in the kernel (counted), all gone after
#    their removal; the times are printed, not asserted.
# The root namespace's addresses and routes are compared before and after.
# Needs root; skips (exit 77) otherwise. Usage: fib_netns_test.sh FIB_NETNS_TOOL
set -euo pipefail
TOOL=${1:?usage: fib_netns_test.sh FIB_NETNS_TOOL}
if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: needs root to create network namespaces and write their routes (run ctest -L lab as root)"
  exit 77
fi
for tool in ip jq timeout; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed (scripts/setup)"; exit 77; }
done

NS=hptest-fib-$$
PEER=hptest-fib-$$-peer
DIR=$(mktemp -d /tmp/hptest-fib.XXXXXX)
BG=""
root_snapshot() { { ip -o addr; ip route show table all; ip nexthop show 2>/dev/null; ip rule; } | sort; }
ROOT_BEFORE=$(root_snapshot)

cleanup() {
  local rc=$?
  [ -n "$BG" ] && kill "$BG" 2>/dev/null || true
  [ -n "$BG" ] && wait "$BG" 2>/dev/null || true
  for ns in "$NS" "$PEER"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf "$DIR"
  if [ "$(root_snapshot)" != "$ROOT_BEFORE" ]; then
    echo "FAIL: the root namespace changed (addresses, routes or nexthops)" >&2
    exit 1
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }
in_ns() { ip netns exec "$NS" "$@"; }
# run_tool ARGS...: the tool in the namespace, its output in $DIR/out (and shown).
run_tool() {
  in_ns timeout 300 "$TOOL" "$@" > "$DIR/out" 2>&1 || { cat "$DIR/out"; fail "fib_netns_tool $* failed"; }
  sed 's/^/  | /' "$DIR/out"
}
has_line() { local line; while IFS= read -r line; do [[ $line == "$1" ]] && return 0; done < "$DIR/out"; return 1; }
routes() { ip -n "$NS" -j route show proto "$1"; }
route_json() { ip -n "$NS" -j route show proto "$1" "$2"; }
count_routes() { ip -n "$NS" route show proto "$1" | wc -l; }
count_objects() { ip -n "$NS" -j nexthop show protocol 220 | jq length; }
gateway_for() { ip -n "$NS" -j route get "$1" | jq -r '.[0].gateway // "none"'; }

ip netns add "$NS"
ip netns add "$PEER"
ip -n "$NS" link add fa type veth peer name fb netns "$PEER"
ip -n "$NS" addr add 10.77.1.1/24 dev fa
ip -n "$PEER" addr add 10.77.1.2/24 dev fb
ip -n "$PEER" addr add 10.77.1.3/24 dev fb
for ns in "$NS" "$PEER"; do ip -n "$ns" link set lo up; done
ip -n "$NS" link set fa up
ip -n "$PEER" link set fb up
for _ in $(seq 100); do
  [ "$(ip -n "$NS" -j link show fa | jq -r '.[0].operstate')" = UP ] && break
  sleep 0.05
done
[ "$(ip -n "$NS" -j link show fa | jq -r '.[0].operstate')" = UP ] || fail "veth fa did not come up"
ip -n "$NS" route add 10.0.200.0/24 via 10.77.1.2 proto static

echo "== 1. install"
run_tool install
has_line "resolves 10.0.200.12=1 192.0.2.1=0" || fail "resolution of 10.0.200.12 / 192.0.2.1"
[ "$(gateway_for 10.1.2.3)" = 10.77.1.2 ] || fail "10.1.0.0/16 not via the resolved gateway 10.77.1.2"
nhid=$(route_json 220 10.1.0.0/16 | jq -r '.[0].nhid // empty')
[ -n "$nhid" ] || fail "10.1.0.0/16 has no nexthop object: $(route_json 220 10.1.0.0/16)"
pass "10.1.0.0/16 via BGP next hop 10.0.200.12 -> gateway 10.77.1.2 (nhid $nhid)"
ecmp=$(route_json 220 10.2.0.0/16 | jq -r '.[0].nhid')
[ "$(ip -n "$NS" -j nexthop show id "$ecmp" | jq '.[0].group | length')" = 2 ] || fail "10.2.0.0/16 is not a group of two"
gws=$(for m in $(ip -n "$NS" -j nexthop show id "$ecmp" | jq -r '.[0].group[].id'); do
  ip -n "$NS" -j nexthop show id "$m" | jq -r '.[0].gateway'; done | sort | tr '\n' ' ')
[ "$gws" = "10.77.1.2 10.77.1.3 " ] || fail "ECMP members: $gws"
pass "10.2.0.0/16 is one route over a group of 10.77.1.2 and 10.77.1.3"
[ "$(route_json 221 10.0.0.0/8 | jq -r '.[0].type')" = blackhole ] || fail "no blackhole 10.0.0.0/8 under protocol 221"
pass "10.0.0.0/8 blackhole under protocol 221"
[ "$(route_json 220 10.77.1.0/24 | jq length)" = 0 ] || fail "our route replaced or joined the connected prefix"
[ "$(ip -n "$NS" -j route show 10.77.1.0/24 | jq -r '.[0].protocol')" = kernel ] || fail "connected route gone"
has_line "held 10.77.1.0/24 bgp OtherProtocol: the kernel has a connected route for it" || fail "connected prefix not held"
pass "connected 10.77.1.0/24 kept, ours held (OtherProtocol)"
[ "$(route_json 220 10.3.0.0/16 | jq length)" = 0 ] || fail "unresolved 10.3.0.0/16 installed"
has_line "held 10.3.0.0/16 bgp Unresolved: next hop 192.0.2.1 unresolved" || fail "10.3.0.0/16 not held Unresolved"
pass "10.3.0.0/16 via 192.0.2.1 held Unresolved"
[ "$(route_json 222 10.4.0.0/16 | jq -r '.[0].gateway')" = 10.77.1.2 ] || fail "static 10.4.0.0/16 missing"
pass "static 10.4.0.0/16 under protocol 222"
objects_first=$(ip -n "$NS" -j nexthop show protocol 220 | jq -r '.[].id' | sort | tr '\n' ' ')

echo "== 2. restart and sweep"
run_tool restart
has_line "counters installed=4 held=0 refused=0 stale_at_start=4 swept=0 batches=0 requests=0 nexthop_objects=1" ||
  fail "stale routes at start not 4"
has_line "swept 2" || fail "sweep did not remove exactly 10.2.0.0/16 and 10.4.0.0/16"
[ "$(count_routes 220)" = 1 ] && [ "$(route_json 220 10.1.0.0/16 | jq length)" = 1 ] || fail "BGP routes after sweep: $(routes 220)"
[ "$(count_routes 221)" = 1 ] && [ "$(count_routes 222)" = 0 ] || fail "network/static routes after sweep"
objects_now=$(ip -n "$NS" -j nexthop show protocol 220 | jq -r '.[].id' | sort | tr '\n' ' ')
for id in $objects_first; do [[ " $objects_now" == *" $id "* ]] && fail "object $id of the first run left behind"; done
[ "$(count_objects)" = 2 ] || fail "objects after restart: $objects_now"
pass "restart: 4 stale, 2 set again, 2 swept, the first run's objects gone"

echo "== 3. follow a next hop that moves, goes and comes back"
in_ns timeout 90 "$TOOL" follow 3 > "$DIR/follow" 2>&1 &
BG=$!
# wait_for LINE: bounded poll of the follower's output.
wait_for() {
  for _ in $(seq 400); do
    grep -qx "$1" "$DIR/follow" && return 0
    kill -0 "$BG" 2>/dev/null || break
    sleep 0.05
  done
  grep -qx "$1" "$DIR/follow" || { cat "$DIR/follow"; fail "follow: no '$1'"; }
}
wait_for ready
nhid=$(route_json 220 10.1.0.0/16 | jq -r '.[0].nhid')
[ "$(gateway_for 10.1.2.3)" = 10.77.1.2 ] || fail "before the move: not via 10.77.1.2"
ip -n "$NS" route replace 10.0.200.0/24 via 10.77.1.3 proto static
wait_for "change 1"
[ "$(gateway_for 10.1.2.3)" = 10.77.1.3 ] || fail "10.1.0.0/16 did not follow to 10.77.1.3"
[ "$(route_json 220 10.1.0.0/16 | jq -r '.[0].nhid')" = "$nhid" ] || fail "the route was rewritten, not its object"
pass "10.0.200.12 moved to 10.77.1.3: object $nhid replaced in place"
ip -n "$NS" route del 10.0.200.0/24 via 10.77.1.3 proto static
wait_for "change 2"
[ "$(route_json 220 10.1.0.0/16 | jq length)" = 0 ] || fail "10.1.0.0/16 still installed without a route to 10.0.200.12"
grep -qx "held 10.1.0.0/16 bgp Unresolved: next hop 10.0.200.12 unresolved" "$DIR/follow" || fail "not held Unresolved"
[ "$(route_json 221 10.0.0.0/8 | jq -r '.[0].type')" = blackhole ] || fail "our supernet blackhole is gone"
pass "10.0.200.12 unreachable (only our blackhole 10.0.0.0/8 covers it): 10.1.0.0/16 out of the kernel, held Unresolved"
ip -n "$NS" route add 10.0.200.0/24 via 10.77.1.3 proto static
wait_for "change 3"
rc=0; wait "$BG" || rc=$?; BG=""
sed 's/^/  | /' "$DIR/follow"
[ $rc -eq 0 ] || fail "follow failed"
[ "$(grep -cx "changed 10.0.200.12" "$DIR/follow")" = 3 ] || fail "10.0.200.12 not reported three times"
[ "$(gateway_for 10.1.2.3)" = 10.77.1.3 ] || fail "10.1.0.0/16 not back via 10.77.1.3"
pass "10.0.200.12 reachable again: 10.1.0.0/16 back; each change reported"

echo "== 4. withdraw"
[ "$(count_routes 220)" -gt 0 ] && [ "$(count_objects)" -gt 0 ] || fail "nothing to withdraw (positive control)"
run_tool withdraw
for p in 220 221 222; do [ "$(count_routes $p)" = 0 ] || fail "routes of protocol $p left: $(routes $p)"; done
[ "$(count_objects)" = 0 ] || fail "objects left"
[ "$(ip -n "$NS" -j route show 10.0.200.0/24 | jq length)" = 1 ] || fail "someone else's route removed"
pass "withdraw_all: no route of 220..222 and no object of ours left; others' routes kept"

echo "== 5. plain routes (no nexthop objects)"
run_tool install --plain
[ "$(route_json 220 10.1.0.0/16 | jq -r '.[0].gateway')" = 10.77.1.3 ] || fail "plain 10.1.0.0/16: $(route_json 220 10.1.0.0/16)"
[ "$(route_json 220 10.2.0.0/16 | jq '.[0].nexthops | length')" = 2 ] || fail "plain ECMP: $(route_json 220 10.2.0.0/16)"
[ "$(count_objects)" = 0 ] || fail "objects in plain mode"
pass "plain: gateway route and one RTA_MULTIPATH route, no objects"
run_tool withdraw --plain
for p in 220 221 222; do [ "$(count_routes $p)" = 0 ] || fail "plain: routes of protocol $p left"; done

echo "== 6. 100k routes"
N=${FIB_BULK:-100000}
for mode in objects plain; do
  flag=""; [ $mode = plain ] && flag=--plain
  coproc BULK { ip netns exec "$NS" timeout 600 "$TOOL" bulk "$N" $flag 2>&1; }
  BG=$BULK_PID
  # Bash unsets BULK[] as soon as the coprocess exits, which it does right
  # after "go" (CI read BULK[0] after that: "unbound variable"). Our own copies
  # of its pipes stay open until we close them.
  exec {bulk_out}<&"${BULK[0]}" {bulk_in}>&"${BULK[1]}"
  line=""
  while IFS= read -r -t 300 line <&"$bulk_out"; do
    echo "  | $line"
    [[ $line == counters* ]] && break
  done
  [[ $line == counters* ]] || fail "bulk $mode: no install report"
  got=$(count_routes 220)
  [ "$got" = "$N" ] || fail "bulk $mode: $got routes of protocol 220 in the kernel, not $N"
  pass "bulk $mode: $N routes in the kernel (counted)"
  echo go >&"$bulk_in"
  while IFS= read -r -t 300 line <&"$bulk_out"; do echo "  | $line"; done
  exec {bulk_out}<&- {bulk_in}>&-
  wait "$BG" || fail "bulk $mode failed"
  BG=""
  [ "$(count_routes 220)" = 0 ] || fail "bulk $mode: routes left after removal"
  [ "$(count_objects)" = 0 ] || fail "bulk $mode: objects left after removal"
  pass "bulk $mode: all removed"
done
echo "PASS: fib_netns"
