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
# RECEIVERS="nva frr bird" (default) picks the receivers; ROUNDS=N repeats each
# (medians are printed). Seconds: from the sender's Established timestamp to the
# first poll (every 50 ms, every 5 ms past 90%) that sees N routes held. CPU s: the receiver's user +
# system time over the same run, which the sender's pace does not blur.
# PROFILE=1 records our NVA with `perf record -g` into /tmp/hairpin-nva-N.perf.
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
# CPU seconds (user + system) the process has used so far
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"; }
now() { date +%s.%N; }

start_sender() {  # start_sender N (the config is written once per N)
  local n=$1 conf="$work/src-$1.conf"
  [[ -s $conf ]] || bird_feeder_conf 10.99.4.1 "$n" \
    "protocol bgp rcv { local 10.99.4.1 as 65515; neighbor 10.99.4.2 as 65001;" \
    "  connect delay time 1; ipv4 { import none; export all; }; }" > "$conf"
  ip netns exec "$NS_S" bird -c "$conf" -s "$work/src.ctl" -P "$work/src.pid"
}
stop_sender() { kill "$(cat "$work/src.pid")"; sleep 1; : > "$work/src.pid"; }

# Waits for the session, then prints when it became Established (epoch seconds),
# as the sender logged it: the start of the ingest, to the millisecond.
wait_established() {
  local line
  for _ in $(seq 600); do
    line=$(birdc -s "$work/src.ctl" show protocols rcv 2>/dev/null | grep Established) &&
      { date -d "$(awk '{print $5, $6}' <<< "$line")" +%s.%N; return 0; }
    sleep 0.05
  done
  echo "session never came up" >&2; exit 1
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
  local cpu0; cpu0=$(cpu_s "$pid")
  local profiler=
  if [[ $name == nva && ${PROFILE:-0} == 1 ]]; then
    perf record -g -o "/tmp/hairpin-nva-$n.perf" -p "$pid" > /dev/null 2>&1 &
    profiler=$!
  fi
  start_sender "$n"
  local t0; t0=$(wait_established)
  local c=0 deadline=$((SECONDS + 300))
  while ((SECONDS < deadline)); do
    # BIRD 2's event loop can sit up to 3 s on a last queued export batch; a CLI
    # request wakes it. Poked every poll, the sender's pace is the same for all.
    birdc -s "$work/src.ctl" show status > /dev/null 2>&1 || true
    c=$("count_$name" || true)
    [[ ${c:-0} -ge $n ]] && break
    # every 50 ms, then every 5 ms over the last tenth, where the end is decided
    if (( ${c:-0} * 10 >= n * 9 )); then sleep 0.005; else sleep 0.05; fi
  done
  local t1; t1=$(now)
  [[ ${c:-0} -ge $n ]] || { echo "$name: only ${c:-0} of $n routes after 300 s" >&2; }
  local rss; rss=$(rss_kb "$pid")
  local cpu; cpu=$(echo "$(cpu_s "$pid") - $cpu0" | bc -l)
  [[ -z $profiler ]] || { kill -INT "$profiler"; wait "$profiler" 2>/dev/null || true; }
  kill "$pid"; wait "$pid" 2>/dev/null || true
  stop_sender
  echo "$(echo "$t1 - $t0" | bc -l) $(( (rss - base) * 1000 / n )) $cpu"
}

median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
ratio() { echo "$1 / $2" | bc -l | awk '{printf "%.2f", $1}'; }

receivers=(${RECEIVERS:-nva frr bird})
rounds=${ROUNDS:-1}
echo "receivers: ${receivers[*]}; rounds: $rounds (medians shown); sender: BIRD $(bird --version 2>&1 | awk '{print $NF}')"
printf '%-8s %10s %12s %16s %10s\n' routes speaker seconds "RSS KiB/1000rt" "CPU s"
for n in "${sizes[@]}"; do
  declare -A secs=() kib=() cpu=()
  for ((round = 0; round < rounds; round++)); do
    for r in "${receivers[@]}"; do
      read -r s k c < <(run_receiver "$r" "$n")
      secs[$r]+="$s "; kib[$r]+="$k "; cpu[$r]+="$c "
    done
  done
  for r in "${receivers[@]}"; do
    secs[$r]=$(tr ' ' '\n' <<< "${secs[$r]}" | grep . | median)
    kib[$r]=$(tr ' ' '\n' <<< "${kib[$r]}" | grep . | median)
    cpu[$r]=$(tr ' ' '\n' <<< "${cpu[$r]}" | grep . | median)
    printf '%-8s %10s %12.2f %16s %10.2f\n' "$n" "$r" "${secs[$r]}" "${kib[$r]}" "${cpu[$r]}"
  done
  [[ -n ${secs[nva]:-} ]] || continue
  for other in frr bird; do
    [[ -n ${secs[$other]:-} ]] || continue
    printf '%-8s %10s %12s %16s %10s\n' "$n" "nva/$other" "$(ratio "${secs[nva]}" "${secs[$other]}")" \
      "$(ratio "${kib[nva]}" "${kib[$other]}")" "$(ratio "${cpu[nva]}" "${cpu[$other]}")"
  done
done
