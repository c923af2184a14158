#!/usr/bin/env bash
# Benchmark, not a test: how fast and how lean each BGP speaker takes in a full
# table from one BIRD peer. The same BIRD sender (AS 65515, N /24 routes) feeds,
# one after the other, our NVA (`hairpin nva`), FRR bgpd and BIRD, each alone in
# the receiving namespace. For each: seconds from Established to N routes held,
# and the receiver's RSS growth per route. Printed side by side, with our figures
# as ratios to FRR's and BIRD's.
#
# Private namespaces hptest-bgp-pf-*; the root namespace is never touched.
# Usage (root): tests/perf/bgp/ingest_bench.sh PATH/TO/hairpin [N ...]   (default N: 100000)
set -euo pipefail

hairpin=${1:?usage: ingest_bench.sh PATH/TO/hairpin [N ...]}
shift
sizes=("${@:-100000}")
[[ $(id -u) -eq 0 ]] || { echo "needs root (network namespaces)"; exit 2; }

work=$(mktemp -d /tmp/hptest-bgp-pf-XXXXXX)
chmod 755 "$work"
NS_S=hptest-bgp-pf-src
NS_R=hptest-bgp-pf-rcv
pids=()
source "$(dirname "$0")/../../lib/netns_pair.sh"
cleanup() {
  set +e
  stop_pids "${pids[@]}" "$(pidfile_pid "$work/src.pid")"
  pair_down "$NS_S" "$NS_R"
  rm -rf "$work"
}
trap cleanup EXIT

pair_up "$NS_S" veth-src "$NS_R" veth-rcv
ip -n "$NS_S" addr add 10.99.4.1/30 dev veth-src
ip -n "$NS_R" addr add 10.99.4.2/30 dev veth-rcv

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
now() { date +%s.%N; }

start_sender() {  # start_sender N
  local n=$1 i
  {
    echo "router id 10.99.4.1;"
    echo "protocol device {}"
    echo "protocol static feed { ipv4;"
    for ((i = 0; i < n; i++)); do
      echo "  route $((20 + i / 65536)).$(((i / 256) % 256)).$((i % 256)).0/24 blackhole;"
    done
    echo "}"
    echo "protocol bgp rcv { local 10.99.4.1 as 65515; neighbor 10.99.4.2 as 65001;"
    echo "  connect delay time 1; ipv4 { import none; export all; }; }"
  } > "$work/src.conf"
  ip netns exec "$NS_S" bird -c "$work/src.conf" -s "$work/src.ctl" -P "$work/src.pid"
}
stop_sender() { kill "$(cat "$work/src.pid")"; sleep 1; : > "$work/src.pid"; }

wait_established() {
  for _ in $(seq 600); do
    birdc -s "$work/src.ctl" show protocols rcv 2>/dev/null | grep -q Established && return 0
    sleep 0.05
  done
  echo "session never came up"; exit 1
}

# count_<receiver>: routes the receiver holds from the sender
pfx_rcd() { grep -o '"pfxRcd": *[0-9]*' | head -1 | grep -o '[0-9]*$'; }
count_nva() { "$hairpin" bgp show summary --json --socket "$work/nva.sock" 2>/dev/null | pfx_rcd; }
count_frr() { vtysh --vty_socket "$work" -c 'show bgp ipv4 unicast summary json' 2>/dev/null | pfx_rcd; }
count_bird() { birdc -s "$work/rcv.ctl" show protocols all upstream 2>/dev/null |
  awk '/Routes:/ {print $2; exit}'; }

run_receiver() {  # run_receiver NAME N -> prints "seconds rss_kb_per_1000_routes"
  local name=$1 n=$2 pid
  case $name in
    nva)
      cat > "$work/nva.frr" <<CFG
router bgp 65001
 bgp router-id 10.99.4.2
 neighbor 10.99.4.1 remote-as 65515
 address-family ipv4 unicast
  neighbor 10.99.4.1 route-map all in
  neighbor 10.99.4.1 route-map all out
 exit-address-family
exit
route-map all permit 10
exit
CFG
      ip netns exec "$NS_R" "$hairpin" nva --config "$work/nva.frr" --control-socket "$work/nva.sock" \
        > /dev/null 2> "$work/nva.log" &
      pid=$! ;;
    frr)
      cat > "$work/bgpd.conf" <<CFG
frr defaults traditional
router bgp 65001
 bgp router-id 10.99.4.2
 no bgp ebgp-requires-policy
 neighbor 10.99.4.1 remote-as 65515
CFG
      chown frr:frr "$work"
      ip netns exec "$NS_R" /usr/lib/frr/bgpd -Z -f "$work/bgpd.conf" -i "$work/bgpd.pid" --vty_socket "$work" \
        > /dev/null 2>&1 &
      pid=$! ;;
    bird)
      cat > "$work/rcv.conf" <<CFG
router id 10.99.4.2;
protocol device {}
protocol bgp upstream { local 10.99.4.2 as 65001; neighbor 10.99.4.1 as 65515; connect delay time 1;
  ipv4 { import all; export none; }; }
CFG
      ip netns exec "$NS_R" bird -f -c "$work/rcv.conf" -s "$work/rcv.ctl" -P "$work/rcv.pid" &
      pid=$! ;;
  esac
  pids+=("$pid")
  sleep 0.5
  local base; base=$(rss_kb "$pid")
  start_sender "$n"
  wait_established
  local t0; t0=$(now)
  local c=0
  for _ in $(seq 6000); do
    c=$("count_$name" || true)
    [[ ${c:-0} -ge $n ]] && break
    sleep 0.05
  done
  local t1; t1=$(now)
  [[ ${c:-0} -ge $n ]] || { echo "$name: only ${c:-0} of $n routes after 300 s" >&2; }
  local rss; rss=$(rss_kb "$pid")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  stop_sender
  echo "$(echo "$t1 - $t0" | bc -l) $(( (rss - base) * 1000 / n ))"
}

printf '%-8s %10s %12s %16s\n' routes speaker seconds "RSS KiB/1000rt"
for n in "${sizes[@]}"; do
  declare -A secs kib
  for r in nva frr bird; do
    read -r secs[$r] kib[$r] < <(run_receiver "$r" "$n")
    printf '%-8s %10s %12.2f %16s\n' "$n" "$r" "${secs[$r]}" "${kib[$r]}"
  done
  printf '%-8s %10s %12s %16s\n' "$n" "nva/frr" "$(echo "${secs[nva]} / ${secs[frr]}" | bc -l | cut -c1-5)" \
    "$(echo "${kib[nva]} / ${kib[frr]}" | bc -l | cut -c1-5)"
  printf '%-8s %10s %12s %16s\n' "$n" "nva/bird" "$(echo "${secs[nva]} / ${secs[bird]}" | bc -l | cut -c1-5)" \
    "$(echo "${kib[nva]} / ${kib[bird]}" | bc -l | cut -c1-5)"
done
