#!/usr/bin/env bash
# Lab (label `lab`): `hairpin nva` driving the kernel's routing table, against
# BIRD 2 playing a route server that hands out next hops off the NVA's subnet.
#
# Private namespaces hptest-nvafib-nva / hptest-nvafib-ars joined by a veth; the
# root namespace is never touched. The NVA (10.0.0.4/24) peers with BIRD
# (10.0.0.5); 10.0.0.1 on BIRD's side is the subnet gateway. Checked:
#   - no CAP_NET_ADMIN: exit non-zero, one line naming it;
#   - learned routes in `ip route show proto 220` with the resolved gateway
#     (10.100.0.0/16, next hop 10.0.200.12, via the config's static route to
#     10.0.200.0/24 via 10.0.0.1), the supernet's blackhole (proto 221), the
#     static route (proto 222);
#   - a next hop that never resolves: route held, not in the kernel, and
#     `bgp show` says why;
#   - `interface lo / ip address 10.0.0.1/8` not applied: no `local 10.0.0.0/8`
#     (positive control: `local 10.0.0.4` is in the same table), a warning with
#     the line;
#   - SIGTERM removes every route of ours; --retain keeps them;
#   - kill -9, a route the peer no longer sends, restart: the old routes forward
#     while the new run has no session (positive control), then the stale one is
#     swept after End-of-RIB and the others stay.
# Usage: interop/nva_fib_test.sh PATH/TO/hairpin    (root; exits 77 = skipped otherwise)
set -euo pipefail

hairpin=${1:?usage: interop/nva_fib_test.sh PATH/TO/hairpin}
source "$(dirname "$0")/../lib/netns_pair.sh"
skip_unless_root
command -v bird >/dev/null || { echo "SKIP: bird not installed"; exit 77; }

work=$(mktemp -d /tmp/hptest-nvafib-XXXXXX)
NS_N=hptest-nvafib-nva
NS_A=hptest-nvafib-ars
nva_pid=""
cleanup() {
  set +e
  stop_pids "$nva_pid" "$(pidfile_pid "$work/bird.pid")"
  pair_down "$NS_N" "$NS_A"
  rm -rf "$work"
}
trap cleanup EXIT

pair_up "$NS_N" veth-nva "$NS_A" veth-ars
ip -n "$NS_N" addr add 10.0.0.4/24 dev veth-nva
ip -n "$NS_A" addr add 10.0.0.5/24 dev veth-ars
ip -n "$NS_A" addr add 10.0.0.1/24 dev veth-ars  # the subnet gateway

cat > "$work/nva.frr" <<'FRR'
frr defaults traditional
ip route 10.0.200.0/24 10.0.0.1
interface lo
 ip address 10.0.0.1/8
exit
router bgp 65001
 bgp router-id 10.0.0.4
 no bgp ebgp-requires-policy
 neighbor 10.0.0.5 remote-as 65515
 neighbor 10.0.0.5 ebgp-multihop 255
 address-family ipv4 unicast
  network 10.0.0.0/8
 exit-address-family
exit
FRR

cat > "$work/bird.conf" <<BIRD
router id 10.0.0.5;
log "$work/bird.log" all;
protocol device {}
protocol static sites { ipv4;
  route 10.100.0.0/16 blackhole;
  route 10.101.0.0/16 blackhole;
  route 10.102.0.0/16 blackhole;
}
protocol static gone { ipv4; route 10.103.0.0/16 blackhole; }
filter to_nva {
  if net = 10.100.0.0/16 then bgp_next_hop = 10.0.200.12;  # an ERGW instance: off the subnet
  if net = 10.101.0.0/16 then bgp_next_hop = 10.0.0.5;
  if net = 10.102.0.0/16 then bgp_next_hop = 192.0.2.77;   # never resolves
  if net = 10.103.0.0/16 then bgp_next_hop = 10.0.0.5;
  accept;
}
protocol bgp nva {
  local 10.0.0.5 as 65515;
  neighbor 10.0.0.4 as 65001;
  multihop;
  ipv4 { import all; export filter to_nva; };
}
BIRD
ip netns exec "$NS_A" bird -c "$work/bird.conf" -s "$work/bird.ctl" -P "$work/bird.pid"

birdc() { command birdc -s "$work/bird.ctl" "$@"; }
fail() {
  echo "FAIL: $*"
  for f in "$work"/nva*.log; do echo "--- $f"; cat "$f"; done
  echo "--- kernel routes in $NS_N"; ip -n "$NS_N" route show
  exit 1
}
# Captured, then matched (no `cmd | grep -q` under pipefail).
bird_has() { [[ $(birdc "${@:2}") == *"$1"* ]]; }
routes() { ip -n "$NS_N" route show "$@"; }
has_route() { local want=$1; shift; [[ $(routes "$@") =~ $want ]]; }   # has_route REGEX [ip route show ARGS]
lacks_route() { ! has_route "$@"; }
show() { "$hairpin" bgp show "$@" --socket "$work/nva.sock"; }
ours() { routes proto 220; routes proto 221; routes proto 222; }
none_of_ours() { [[ -z $(ours) ]]; }

start_nva() {  # start_nva LOG [ARGS...]
  local log=$1
  shift
  ip netns exec "$NS_N" "$hairpin" nva --config "$work/nva.frr" --control-socket "$work/nva.sock" \
    --apply-sysctls "$@" > /dev/null 2> "$work/$log" &
  nva_pid=$!
}
# Exited: gone, or a zombie until `wait` (kill -0 still succeeds on a zombie).
nva_gone() { [[ ! -e /proc/$nva_pid ]] || [[ $(cut -d' ' -f3 "/proc/$nva_pid/stat" 2>/dev/null) == Z ]]; }
stop_nva() {  # SIGTERM, and a clean exit within 10 s
  kill -TERM "$nva_pid"
  wait_for 10 "hairpin nva exits after SIGTERM" nva_gone
  wait "$nva_pid" || fail "hairpin nva exited non-zero on SIGTERM"
  nva_pid=""
}
log_has() { grep -c -- "$2" "$work/$1" > /dev/null; }  # log_has LOG TEXT

# --- no CAP_NET_ADMIN: one line naming it, non-zero exit --------------------------
set +e
ip netns exec "$NS_N" setpriv --inh-caps=-net_admin --bounding-set=-net_admin \
  "$hairpin" nva --config "$work/nva.frr" --control-socket "$work/nocap.sock" > /dev/null 2> "$work/nva-nocap.log"
rc=$?
set -e
[[ $rc -ne 0 ]] || fail "hairpin nva without CAP_NET_ADMIN exited 0"
[[ $(grep -c CAP_NET_ADMIN "$work/nva-nocap.log") -eq 1 ]] || fail "no single line naming CAP_NET_ADMIN"
echo "ok: without CAP_NET_ADMIN: exit $rc, $(grep CAP_NET_ADMIN "$work/nva-nocap.log")"

# --- run 1: the kernel routes ------------------------------------------------------
start_nva nva1.log --stale-timeout 30
wait_for 30 "session Established (BIRD's view)" bird_has Established show protocols nva
wait_for 10 "10.100.0.0/16 in the kernel via the resolved gateway 10.0.0.1" \
  has_route '10\.100\.0\.0/16 .*via 10\.0\.0\.1 dev veth-nva' proto 220
wait_for 10 "10.101.0.0/16 via 10.0.0.5" has_route '10\.101\.0\.0/16 .*via 10\.0\.0\.5 dev veth-nva' proto 220
wait_for 10 "10.103.0.0/16 via 10.0.0.5" has_route '10\.103\.0\.0/16 .*via 10\.0\.0\.5 dev veth-nva' proto 220
echo "ok: learned routes under proto 220 with their resolved gateways:"; routes proto 220 | sed 's/^/    /'
has_route 'blackhole 10\.0\.0\.0/8' proto 221 || fail "no supernet blackhole under proto 221"
has_route '10\.0\.200\.0/24 via 10\.0\.0\.1' proto 222 || fail "no static route 10.0.200.0/24 under proto 222"
echo "ok: supernet blackhole (proto 221) and the config's static route (proto 222)"

# A next hop that never resolves: held. Positive control: the NVA has the route.
has_prefix() { [[ $(show routes --json) == *"\"$1\""* ]]; }
wait_for 10 "the NVA received 10.102.0.0/16" has_prefix 10.102.0.0/16
lacks_route 10.102 || fail "10.102.0.0/16 is in the kernel, its next hop 192.0.2.77 does not resolve"
text=$(show routes)
[[ $text == *"not installed: next hop 192.0.2.77 unresolved"* ]] || fail "bgp show routes does not say why: $text"
summary=$(show summary --json)
held=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["ipv4Unicast"]["fib"]["held"])' <<<"$summary")
[[ $held -ge 1 ]] || fail "bgp show summary: fib held $held: $summary"
echo "ok: 10.102.0.0/16 held: $(grep 'not installed' <<<"$text" | sed 's/^ *//'); fib held $held"

# The lo trap: not applied.
local_table=$(routes table local)
[[ $local_table == *"local 10.0.0.4 "* ]] || fail "positive control: no 'local 10.0.0.4' in table local: $local_table"
[[ $local_table == *"10.0.0.0/8"* ]] && fail "table local holds 10.0.0.0/8: $local_table"
[[ $(ip -n "$NS_N" addr show dev lo) == *10.0.0.1* ]] && fail "10.0.0.1 was put on lo"
log_has nva1.log "config line 4: 'interface lo' address 10.0.0.1/8 not applied" || fail "no warning for the lo line"
echo "ok: no local 10.0.0.0/8; $(grep -o "config line 4: 'interface lo' address 10.0.0.1/8 not applied[^;]*" "$work/nva1.log")"

# --- SIGTERM removes them ----------------------------------------------------------
stop_nva
wait_for 10 "our routes gone after SIGTERM" none_of_ours
echo "ok: SIGTERM removed every route of ours (proto 220-222 empty)"

# --- run 2: --retain keeps them ----------------------------------------------------
start_nva nva2.log --retain
wait_for 30 "run 2: 10.100.0.0/16 back in the kernel" has_route '10\.100\.0\.0/16 .*via 10\.0\.0\.1' proto 220
stop_nva
has_route '10\.100\.0\.0/16 .*via 10\.0\.0\.1' proto 220 || fail "--retain: 10.100.0.0/16 gone after SIGTERM"
has_route 'blackhole 10\.0\.0\.0/8' proto 221 || fail "--retain: supernet blackhole gone after SIGTERM"
echo "ok: --retain kept $(ours | wc -l) routes after SIGTERM"

# --- run 3, kill -9, a route withdrawn meanwhile, run 4 ----------------------------
start_nva nva3.log
wait_for 30 "run 3 swept after convergence" log_has nva3.log "fib: swept"
echo "ok: run 3 found the retained routes: $(grep -o 'fib: swept.*' "$work/nva3.log")"
kill -9 "$nva_pid"
wait "$nva_pid" 2>/dev/null || true
nva_pid=""
has_route '10\.103\.0\.0/16' proto 220 || fail "kill -9 took 10.103.0.0/16 with it"
birdc disable gone > /dev/null   # BIRD no longer has 10.103.0.0/16 to send
birdc disable nva > /dev/null    # and no session until we say so
start_nva nva4.log --stale-timeout 60
wait_for 10 "run 4 found the old routes" log_has nva4.log "left in the kernel by an earlier run"
# Positive control: the new run is up, has no session, and the old routes forward.
has_route '10\.100\.0\.0/16 .*via 10\.0\.0\.1' proto 220 || fail "restart: 10.100.0.0/16 gone before convergence"
has_route '10\.103\.0\.0/16' proto 220 || fail "restart: stale 10.103.0.0/16 gone before convergence"
log_has nva4.log "fib: swept" && fail "swept before any session came up"
echo "ok: during the restart the old routes stay ($(routes proto 220 | wc -l) under proto 220)"
birdc enable nva > /dev/null
wait_for 30 "run 4 swept after End-of-RIB" log_has nva4.log "fib: swept"
sweep=$(grep -o 'fib: swept.*' "$work/nva4.log")
[[ $sweep == *"after End-of-RIB from 10.0.0.5"* ]] || fail "the sweep was not triggered by End-of-RIB: $sweep"
wait_for 5 "stale 10.103.0.0/16 swept" lacks_route '10\.103\.0\.0/16' proto 220
has_route '10\.100\.0\.0/16 .*via 10\.0\.0\.1' proto 220 || fail "10.100.0.0/16 swept with the stale route"
has_route 'blackhole 10\.0\.0\.0/8' proto 221 || fail "supernet blackhole swept"
echo "ok: $sweep; 10.103.0.0/16 gone, 10.100.0.0/16 and the blackhole stay"
stop_nva
wait_for 10 "our routes gone after the last SIGTERM" none_of_ours
[[ -n ${VERBOSE:-} ]] && for f in "$work"/nva*.log; do echo "--- $f"; cat "$f"; done
echo PASS
