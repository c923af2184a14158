#!/usr/bin/env bash
# Benchmark, not a test: the outage a steady ping flood through our NVA sees
# across `kill -9` of the NVA and its restart, in private namespaces (no lab, no
# lab lock). The same failure as in the seed lab, in three namespaces:
#
#   src (10.10.1.2, BIRD AS 65515: "the route server + site A")
#     | veth            learns 10.0.0.0/8 (and 10.200.0.0/16) from the NVA
#   nva (10.10.1.1 / 10.20.0.1, hairpin nva AS 65001, network 10.0.0.0/8 + blackhole)
#     | veth            learns 10.200.0.0/16 from dst: its own FIB forwards the flood
#   dst (10.20.0.2, BIRD AS 65200, VM 10.200.0.4 on lo; learns 10.0.0.0/8)
#
# kill -9 leaves the NVA's kernel routes in place, but src's BIRD sees the session
# close and withdraws 10.0.0.0/8 from src's kernel (as ARS withdraws the supernet
# from the sites): the flood stops until the restarted NVA has its sessions up
# and has sent its UPDATEs. Printed per round: lost echoes, the longest gap
# between replies, when (after the kill) src's session was Established again and
# 10.0.0.0/8 was back in src's kernel, and how long the NVA's own route to
# 10.200.0.0/16 was missing from its namespace (0: the restart kept it, as the
# stale-route rule says it must).
#
# EVENTS=peer (or "restart peer"): the same flood when one of two peers that
# announce 10.200.0.0/16 dies (kill -9 of the dst BIRD the NVA's best path came
# from; dst runs two, on 10.20.0.2 and 10.20.0.3, announcing the same route with the
# same next hop 10.20.0.2, as the two
# ARS instances hand out the same ERGW next hop). The NVA loses one path and keeps
# the other: nothing in its FIB needs to change. Printed: the gap, how long the
# NVA's route to 10.200.0.0/16 was missing, and which peer its best path came from
# before the kill (the one killed) with the number of paths.
#
# Namespaces hptest-fibperf-rs-*, removed on every exit path.
# Usage (root): tests/perf/fib/restart_netns.sh PATH/TO/hairpin
#   ROUNDS=N (default 3), INTERVAL=S the flood's interval (default 0.002),
#   EVENTS="restart peer" (default: both).
set -euo pipefail

hairpin=${1:?usage: restart_netns.sh PATH/TO/hairpin}
[[ $(id -u) -eq 0 ]] || { echo "restart_netns.sh: needs root (network namespaces); run it as root"; exit 2; }
[[ -x $hairpin ]] || { echo "restart_netns.sh: $hairpin is not an executable; build it (cmake --build build --target hairpin)"; exit 2; }
hairpin=$(realpath "$hairpin")
interval=${INTERVAL:-0.002}
rounds=${ROUNDS:-3}
events=(${EVENTS:-restart peer})
NS_SRC=hptest-fibperf-rs-src NS_NVA=hptest-fibperf-rs-nva NS_DST=hptest-fibperf-rs-dst
work=$(mktemp -d /tmp/hptest-fibperf-rs-XXXXXX)
chmod 755 "$work"
source "$(dirname "$0")/../../lib/netns_pair.sh"
nva_pid= ping_pid=
cleanup() {
  set +e
  stop_pids "$ping_pid" "$nva_pid" "$(pidfile_pid "$work/src.pid")" "$(pidfile_pid "$work/dst.pid")" \
    "$(pidfile_pid "$work/dst2.pid")"
  pair_down "$NS_SRC" "$NS_NVA" "$NS_DST"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
ms_since() { echo "($(now) - $1) * 1000" | bc -l | awk '{printf "%.0f", $1}'; }

pair_down "$NS_SRC" "$NS_NVA" "$NS_DST"
pair_up "$NS_SRC" veth-nva "$NS_NVA" veth-src
ip netns add "$NS_DST"
ip -n "$NS_NVA" link add veth-dst type veth peer name veth-nva netns "$NS_DST"
ip -n "$NS_DST" link set lo up
ip -n "$NS_NVA" link set veth-dst up
ip -n "$NS_DST" link set veth-nva up
ip -n "$NS_SRC" addr add 10.10.1.2/24 dev veth-nva
ip -n "$NS_NVA" addr add 10.10.1.1/24 dev veth-src
ip -n "$NS_NVA" addr add 10.20.0.1/24 dev veth-dst
ip -n "$NS_DST" addr add 10.20.0.2/24 dev veth-nva
ip -n "$NS_DST" addr add 10.20.0.3/24 dev veth-nva
ip -n "$NS_DST" addr add 10.200.0.4/32 dev lo

# The lab's BIRD timers (lab_plan.cpp kFastTimers), so the reconnect is paced the same.
timers="connect delay time 1; connect retry time 3; error wait time 1, 20;"
cat > "$work/src.conf" <<CFG
router id 10.10.1.2;
timeformat protocol iso long ms;
protocol device {}
protocol kernel { ipv4 { import none; export where proto = "nva"; }; }
protocol bgp nva { local 10.10.1.2 as 65515; neighbor 10.10.1.1 as 65001; $timers
  graceful restart off; ipv4 { import all; export none; }; }
CFG
cat > "$work/dst.conf" <<CFG
router id 10.20.0.2;
protocol device {}
protocol static site { ipv4; route 10.200.0.0/16 blackhole; }
protocol kernel { ipv4 { import none; export where proto = "nva"; }; }
protocol bgp nva { local 10.20.0.2 as 65200; neighbor 10.20.0.1 as 65001; $timers
  strict bind on; graceful restart off; ipv4 { import all; export where proto = "site"; }; }
CFG
# the second peer: same route, same next hop (two BIRDs in one namespace: each binds
# its own address)
cat > "$work/dst2.conf" <<CFG
router id 10.20.0.3;
timeformat protocol iso long ms;
protocol device {}
protocol static site2 { ipv4; route 10.200.0.0/16 blackhole; }
protocol bgp nva { local 10.20.0.3 as 65200; neighbor 10.20.0.1 as 65001; $timers
  strict bind on; graceful restart off;
  ipv4 { import none; export where proto = "site2"; next hop address 10.20.0.2; }; }
CFG
cat > "$work/nva.conf" <<CFG
ip route 10.0.0.0/8 blackhole
router bgp 65001
 bgp router-id 10.10.1.1
 neighbor 10.10.1.2 remote-as 65515
 neighbor 10.20.0.2 remote-as 65200
 neighbor 10.20.0.3 remote-as 65200
 address-family ipv4 unicast
  network 10.0.0.0/8
  neighbor 10.10.1.2 route-map all in
  neighbor 10.10.1.2 route-map all out
  neighbor 10.20.0.2 route-map all in
  neighbor 10.20.0.2 route-map all out
  neighbor 10.20.0.3 route-map all in
  neighbor 10.20.0.3 route-map none out
 exit-address-family
exit
route-map all permit 10
exit
route-map none deny 10
exit
CFG
ip netns exec "$NS_SRC" bird -c "$work/src.conf" -s "$work/src.ctl" -P "$work/src.pid"
ip netns exec "$NS_DST" bird -c "$work/dst.conf" -s "$work/dst.ctl" -P "$work/dst.pid"
ip netns exec "$NS_DST" bird -c "$work/dst2.conf" -s "$work/dst2.ctl" -P "$work/dst2.pid"
# both peers Established at the NVA's side (BIRD's view), bounded
peers_up() {
  birdc -s "$work/dst.ctl" show protocols nva 2>/dev/null | grep -q Established &&
    birdc -s "$work/dst2.ctl" show protocols nva 2>/dev/null | grep -q Established
}
start_nva() {
  ip netns exec "$NS_NVA" "$hairpin" nva --config "$work/nva.conf" --control-socket "$work/nva.sock" \
    --apply-sysctls >> "$work/nva.log" 2>&1 &
  nva_pid=$!
}
# when src's session last became Established (epoch s, BIRD's own ms timestamp), or 0
src_established_at() {
  local line
  line=$(birdc -s "$work/src.ctl" show protocols nva 2>/dev/null | grep Established) || { echo 0; return; }
  date -d "$(awk '{print $5, $6}' <<< "$line")" +%s.%N
}
supernet_at_src() { [[ -n $(ip -n "$NS_SRC" route show exact 10.0.0.0/8 2>/dev/null) ]]; }
nva_route() { [[ -n $(ip -n "$NS_NVA" route show exact 10.200.0.0/16 2>/dev/null) ]]; }
replies() { grep -c 'bytes from' "$work/ping.txt" || true; }

start_nva
ok=0
for _ in $(seq 600); do
  ip netns exec "$NS_SRC" ping -c 1 -W 0.2 10.200.0.4 > /dev/null 2>&1 && { ok=1; break; }
  sleep 0.1
done
[[ $ok -eq 1 ]] || { tail "$work/nva.log" >&2; echo "restart_netns.sh: no ping src -> 10.200.0.4 through the NVA within 60 s (NVA log above)" >&2; exit 1; }

# which peer the NVA's best path to 10.200.0.0/16 came from (FRR's JSON: peerId)
best_peer() {
  "$hairpin" bgp show routes --json --socket "$work/nva.sock" 2>/dev/null | python3 -c '
import json, sys
try: paths = json.load(sys.stdin).get("routes", {}).get("10.200.0.0/16", [])
except ValueError: paths = []
print(next((p.get("peerId", "?") for p in paths if p.get("bestpath")), "none"), len(paths))'
}
flood_start() {
  : > "$work/ping.txt"
  ip netns exec "$NS_SRC" ping -n -D -i "$interval" -w 90 10.200.0.4 > "$work/ping.txt" 2>&1 &
  ping_pid=$!
  local ok=0
  for _ in $(seq 100); do (($(replies) >= 100)) && { ok=1; break; }; sleep 0.05; done
  [[ $ok -eq 1 ]] || { echo "restart_netns.sh: no steady flood before the event" >&2; exit 1; }
}
flood_stop() {  # -> "sent lost gap_ms"
  kill -INT "$ping_pid"; wait "$ping_pid" 2>/dev/null || true; ping_pid=
  local gap sent
  gap=$(awk -F'[][]' '/bytes from/ {if (p) {d = $2 - p; if (d > m) m = d}; p = $2} END {printf "%.0f", m * 1000}' "$work/ping.txt")
  sent=$(awk '/packets transmitted/ {print $1}' "$work/ping.txt")
  echo "$sent $((sent - $(replies))) $gap"
}
flowing_for_1s() {
  local t=$1 recent
  recent=$(awk -F'[][]' -v from="$(echo "$t - 1" | bc -l)" '/bytes from/ && $2 > from {n++} END {print n + 0}' "$work/ping.txt")
  (($(echo "$recent * $interval >= 0.8" | bc -l)))
}

echo "private namespaces; flood interval $interval s; load $(cut -d' ' -f1-3 /proc/loadavg)"
for event in "${events[@]}"; do
  case $event in
    restart)
      echo "hairpin nva: kill -9, then started again at once"
      printf '%5s %7s %7s %9s %12s %12s %16s\n' round sent lost "gap ms" "sessions ms" "supernet ms" "NVA route gone ms" ;;
    peer)
      echo "one of the two peers announcing 10.200.0.0/16 dies (kill -9), the other stays"
      printf '%5s %7s %7s %9s %16s %18s\n' round sent lost "gap ms" "NVA route gone ms" "best before (paths)" ;;
    *) echo "restart_netns.sh: unknown event '$event'; valid: restart peer" >&2; exit 2 ;;
  esac
  for ((round = 1; round <= rounds; round++)); do
    ok=0
    for _ in $(seq 300); do peers_up && { ok=1; break; }; sleep 0.1; done
    [[ $ok -eq 1 ]] || { echo "restart_netns.sh: the dst peers are not both Established after 30 s" >&2; exit 1; }
    best=$(best_peer | tr ' ' '(')")"
    flood_start
    t0=$(now)
    if [[ $event == restart ]]; then
      kill -9 "$nva_pid"; wait "$nva_pid" 2>/dev/null || true
      start_nva
    else
      # the peer the best path came from dies: the NVA must fall back to the other
      case $best in 10.20.0.2*) victim=dst ;; 10.20.0.3*) victim=dst2 ;;
        *) echo "restart_netns.sh: the NVA has no best path to 10.200.0.0/16 from a dst peer ($best)" >&2; exit 1 ;; esac
      kill -9 "$(cat "$work/$victim.pid")"
    fi
    t_est=- t_sup=- sup_down=0 gone_ms=0 gone_since=
    deadline=$(echo "$t0 + 60" | bc -l)
    while :; do
      t=$(now)
      if [[ $event == restart ]]; then
        # the session flap can be shorter than one poll: BIRD's timestamp tells
        if [[ $t_est == - ]]; then
          e=$(src_established_at)
          (($(echo "$e > $t0" | bc -l))) && t_est=$(echo "($e - $t0) * 1000" | bc -l | awk '{printf "%.0f", $1}')
        fi
        if supernet_at_src; then [[ $sup_down == 1 && $t_sup == - ]] && t_sup=$(ms_since "$t0"); else sup_down=1; fi
        [[ $t_sup == - && $t_est != - && $sup_down == 0 ]] && t_sup=kept  # never seen missing
      fi
      if nva_route; then
        [[ -n $gone_since ]] && { gone_ms=$((gone_ms + $(ms_since "$gone_since"))); gone_since=; }
      else [[ -n $gone_since ]] || gone_since=$t; fi
      if [[ $event == peer || ( $t_est != - && $t_sup != - ) ]] && [[ -z $gone_since ]] &&
        (($(echo "$t > $t0 + 2" | bc -l))) && flowing_for_1s "$t"; then break; fi
      (($(echo "$t > $deadline" | bc -l))) && { echo "restart_netns.sh: $event round $round: no recovery 60 s after the kill" >&2; break; }
      sleep 0.02
    done
    read -r sent lost gap < <(flood_stop)
    if [[ $event == restart ]]; then
      printf '%5s %7s %7s %9s %12s %12s %16s\n' "$round" "$sent" "$lost" "$gap" "$t_est" "$t_sup" "$gone_ms"
    else
      printf '%5s %7s %7s %9s %16s %18s\n' "$round" "$sent" "$lost" "$gap" "$gone_ms" "$best"
      # the dead peer comes back for the next round
      ip netns exec "$NS_DST" bird -c "$work/$victim.conf" -s "$work/$victim.ctl" -P "$work/$victim.pid"
    fi
  done
done
