#!/usr/bin/env bash
# Benchmark, not a test: how fast each BGP speaker puts a full table into the
# kernel FIB and takes it out again, and how much memory it holds meanwhile.
# One BIRD 2 sender (AS 65515, N /24 routes, no graceful restart) feeds, one after
# the other, our NVA (`hairpin nva`), BIRD 2 (bgp + kernel protocol) and FRR
# (bgpd + zebra), each alone in the receiving namespace. For each:
#   in   seconds from the sender's Established timestamp (BIRD logs it to the ms)
#        until the receiver namespace's kernel FIB holds all N routes;
#   out  seconds from the sender's death (kill -9: the receiver sees the TCP
#        session close at once) until all N are gone from that FIB again;
#   RSS  the receiver's resident memory with the full table (FRR: bgpd + zebra);
#   CPU  the receiver's user + system seconds in each phase (the kernel's work on
#        its netlink requests is charged to it);
#   nh   nexthop objects (RTM_NEWNEXTHOP) in the kernel at full table: how it
#        installed the routes (0: plain routes).
# Printed side by side, with our figures as ratios to BIRD's and FRR's.
#
# The FIB is counted from /proc/net/fib_triestat of the receiver namespace (read
# through /proc/PID/net of a process that lives there): the kernel counts its own
# trie, ~30 ms at 1M routes, where `ip route show | wc -l` takes seconds.
#
# Private namespaces hptest-fibperf-*; the root namespace is never touched.
# Usage (root): tests/perf/fib/fib_bench.sh PATH/TO/hairpin [N ...]  (default N: 100000 1000000)
# RECEIVERS="nva bird frr" (default) picks the receivers; ROUNDS=N repeats each
# (default 1; medians are printed); PHASE_TIMEOUT=S bounds each phase (default
# 60 s + 1 s per 2000 routes: 560 s at 1M); a phase that hits it is printed as
# its limit with a "+" (the true time is longer; ratios then get "<" or ">"). PROFILE=1 records our NVA with `perf record -g`
# into /tmp/hairpin-fibperf-nva-N.perf. TIMESTAMPS=1 also prints, per receiver
# and phase, the FIB count every poll (to see where the time goes).
set -euo pipefail

hairpin=${1:?usage: fib_bench.sh PATH/TO/hairpin [N ...]}
shift
sizes=("${@:-100000 1000000}")
read -r -a sizes <<< "${sizes[*]}"
[[ $(id -u) -eq 0 ]] || { echo "fib_bench.sh: needs root (network namespaces); run it as root"; exit 2; }
[[ -x $hairpin ]] || { echo "fib_bench.sh: $hairpin is not an executable; build it (cmake --build build --target hairpin)"; exit 2; }
for tool in bird birdc /usr/lib/frr/zebra /usr/lib/frr/bgpd vtysh bc; do
  command -v "$tool" > /dev/null || { echo "fib_bench.sh: $tool not found; install it with scripts/setup"; exit 2; }
done

work=$(mktemp -d /tmp/hptest-fibperf-XXXXXX)
chmod 755 "$work"
NS_S=hptest-fibperf-src
NS_R=hptest-fibperf-rcv
anchor=
source "$(dirname "$0")/../../lib/netns_pair.sh"
cleanup() {
  set +e
  # receivers run in $(...) subshells: their pids are kept in a file
  stop_pids $(cat "$work/pids" 2>/dev/null) "$(pidfile_pid "$work/src.pid")" "$anchor"
  pair_down "$NS_S" "$NS_R"
  if [[ -e $work/failed ]]; then echo "fib_bench.sh: logs of the failed runs kept in $work" >&2
  else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pair_down "$NS_S" "$NS_R"  # left over from a run that was killed -9
pair_up "$NS_S" veth-src "$NS_R" veth-rcv
ip -n "$NS_S" addr add 10.99.5.1/30 dev veth-src
ip -n "$NS_R" addr add 10.99.5.2/30 dev veth-rcv
fib_anchor "$NS_R"  # fib_count reads the receiver's FIB (tests/lib/netns_pair.sh)

rss_kb() { local s=0 p; for p in "$@"; do s=$((s + $(awk '/^VmRSS/ {print $2}' "/proc/$p/status"))); done; echo $s; }
cpu_s() {  # CPU seconds (user + system) the processes have used so far
  local p; for p in "$@"; do awk '{print $14 + $15}' "/proc/$p/stat"; done |
    awk -v hz="$(getconf CLK_TCK)" '{s += $1} END {print s / hz}'
}
now() { date +%s.%N; }

start_sender() {  # start_sender N (the config is written once per N)
  local n=$1 conf="$work/src-$1.conf"
  # no graceful restart: the receivers would otherwise keep the routes as stale
  # (RFC 4724 helper) when the sender dies, and the "out" phase would measure
  # their restart timers
  [[ -s $conf ]] || bird_feeder_conf 10.99.5.1 "$n" \
    "protocol bgp rcv { local 10.99.5.1 as 65515; neighbor 10.99.5.2 as 65001;" \
    "  graceful restart off; connect delay time 1; ipv4 { import none; export all; }; }" > "$conf"
  ip netns exec "$NS_S" bird -c "$conf" -s "$work/src.ctl" -P "$work/src.pid"
}

# Waits (bounded) for the session, then prints when it became Established (epoch
# seconds), as the sender logged it: the start of the ingest, to the millisecond.
wait_established() {
  local line
  for _ in $(seq 1200); do
    line=$(birdc -s "$work/src.ctl" show protocols rcv 2>/dev/null | grep Established) &&
      { date -d "$(awk '{print $5, $6}' <<< "$line")" +%s.%N; return 0; }
    sleep 0.05
  done
  echo "fib_bench.sh: the session to the receiver never came up in 60 s; see $work" >&2
  return 1
}

# Receivers. Equal settings for all three: accept everything from the sender,
# send nothing back, main table, one path per prefix (one peer: ECMP does not
# arise), no graceful restart. Everything else is each tool's default.
# The BGP part both our NVA and FRR's bgpd read: the same text, so "equal" is literal.
receiver_bgp_config() {
  cat <<CFG
router bgp 65001
 bgp router-id 10.99.5.2
 neighbor 10.99.5.1 remote-as 65515
 address-family ipv4 unicast
  neighbor 10.99.5.1 route-map all in
  neighbor 10.99.5.1 route-map none out
 exit-address-family
exit
route-map all permit 10
exit
route-map none deny 10
exit
CFG
}
start_nva() {
  receiver_bgp_config > "$work/nva.frr"
  ip netns exec "$NS_R" "$hairpin" nva --config "$work/nva.frr" --control-socket "$work/nva.sock" \
    > "$work/nva.out" 2> "$work/nva.log" &
  rcv_pids=($!)
}
start_bird() {
  cat > "$work/rcv.conf" <<CFG
router id 10.99.5.2;
protocol device {}
protocol kernel { ipv4 { import none; export all; }; }
protocol bgp upstream { local 10.99.5.2 as 65001; neighbor 10.99.5.1 as 65515; connect delay time 1;
  ipv4 { import all; export none; }; }
CFG
  ip netns exec "$NS_R" bird -f -c "$work/rcv.conf" -s "$work/rcv.ctl" -P "$work/rcv.pid" \
    > "$work/bird.log" 2>&1 &
  rcv_pids=($!)
}
start_frr() {
  cat > "$work/zebra.conf" <<CFG
hostname rcv
CFG
  { printf 'frr defaults traditional\nhostname rcv\n'; receiver_bgp_config; } > "$work/bgpd.conf"
  chown -R frr:frr "$work"
  ip netns exec "$NS_R" /usr/lib/frr/zebra -f "$work/zebra.conf" -i "$work/zebra.pid" \
    -z "$work/zserv.api" --vty_socket "$work" > "$work/zebra.log" 2>&1 &
  local zpid=$!
  local ok=0
  for _ in $(seq 100); do [[ -S $work/zserv.api ]] && { ok=1; break; }; sleep 0.05; done
  [[ $ok -eq 1 ]] || { echo "fib_bench.sh: zebra did not open $work/zserv.api in 5 s; see $work/zebra.log" >&2; return 1; }
  ip netns exec "$NS_R" /usr/lib/frr/bgpd -f "$work/bgpd.conf" -i "$work/bgpd.pid" \
    -z "$work/zserv.api" --vty_socket "$work" > "$work/bgpd.log" 2>&1 &
  rcv_pids=($zpid $!)
}

# poll_until WHAT LIMIT_S: polls the FIB (every 20 ms, every 5 ms within the last
# tenth) until WHAT holds (full: base + n routes; empty: base), poking the sender's
# CLI while it lives (BIRD 2's loop can sit up to 3 s on a last export batch;
# a CLI request wakes it: see docs/bgpd.md, Benchmark). Returns 1 on the limit.
poll_until() {
  local what=$1 limit=$2 c left deadline
  deadline=$(echo "$(now) + $limit" | bc -l)
  while :; do
    [[ $what == full ]] && { birdc -s "$work/src.ctl" show status > /dev/null 2>&1 || true; }
    c=$(fib_count)
    [[ ${TIMESTAMPS:-0} == 1 ]] && echo "  $(now) $what $((c - base))" >&2
    if [[ $what == full ]]; then left=$((base + n - c)); else left=$((c - base)); fi
    ((left <= 0)) && return 0
    (($(echo "$(now) > $deadline" | bc -l))) && {
      echo "fib_bench.sh: $name: $((c - base)) of $n routes in the FIB after ${limit} s ($what phase); see $work" >&2
      : > "$work/failed"
      return 1; }
    if ((left * 10 <= n)); then sleep 0.005; else sleep 0.02; fi
  done
}

run_receiver() {  # run_receiver NAME N -> prints "in_s out_s rss_kb cpu_s nh_objects"
  name=$1 n=$2
  local limit=${PHASE_TIMEOUT:-$((60 + n / 2000))}
  "start_$name"
  echo "${rcv_pids[@]}" >> "$work/pids"
  sleep 0.5
  for p in "${rcv_pids[@]}"; do kill -0 "$p" 2>/dev/null ||
    { echo "fib_bench.sh: $name exited at start; see its log in $work" >&2; : > "$work/failed"; return 1; }; done
  base=$(fib_count)
  local cpu0; cpu0=$(cpu_s "${rcv_pids[@]}")
  local profiler=
  if [[ $name == nva && ${PROFILE:-0} == 1 ]]; then
    perf record -g -o "/tmp/hairpin-fibperf-nva-$n.perf" -p "${rcv_pids[0]}" > /dev/null 2>&1 &
    profiler=$!
    echo "$profiler" >> "$work/pids"
  fi
  start_sender "$n"
  local t0; t0=$(wait_established)
  local in_ok=1 out_ok=1
  poll_until full "$limit" || { in_ok=0; out_ok=0; }  # then "out" starts from fewer routes
  local t1; t1=$(now)
  local cpu_in; cpu_in=$(echo "$(cpu_s "${rcv_pids[@]}") - $cpu0" | bc -l)
  local rss; rss=$(rss_kb "${rcv_pids[@]}")
  local nh; nh=$(ip -n "$NS_R" nexthop show 2>/dev/null | wc -l)
  local t2; t2=$(now)
  kill -9 "$(cat "$work/src.pid")"
  poll_until empty "$limit" || out_ok=0
  local t3; t3=$(now)
  local cpu; cpu=$(echo "$(cpu_s "${rcv_pids[@]}") - $cpu0" | bc -l)
  [[ -z $profiler ]] || { kill -INT "$profiler"; wait "$profiler" 2>/dev/null || true; }
  stop_pids "${rcv_pids[@]}"
  : > "$work/src.pid"
  rm -f "$work/src.ctl"
  # the receiver's exit must leave nothing behind for the next one
  local left; left=$(($(fib_count) - base))
  ((left == 0)) || {
    echo "fib_bench.sh: $name left $left routes in the FIB at exit (stopped with SIGKILL after 5 s); flushing them" >&2
    # the sender's prefixes are 20.0.0.0-35.255.255.0: only they go, not the link's route
    ip -n "$NS_R" route flush root 16.0.0.0/4 2>/dev/null || true
    ip -n "$NS_R" route flush root 32.0.0.0/4 2>/dev/null || true
    ip -n "$NS_R" nexthop flush > /dev/null 2>&1 || true; }
  local objects; objects=$(ip -n "$NS_R" nexthop show 2>/dev/null | wc -l)
  ((objects == 0)) || {
    echo "fib_bench.sh: $name left $objects nexthop objects at exit; flushing them" >&2
    ip -n "$NS_R" nexthop flush > /dev/null 2>&1 || true; }
  # a phase that hit its limit reports the limit, marked (the true time is longer)
  echo "$(echo "$t1 - $t0" | bc -l) $(echo "$t3 - $t2" | bc -l) $rss $cpu_in $(echo "$cpu - $cpu_in" | bc -l) $nh $in_ok$out_ok"
}

median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
# A ratio against a zero (a CPU time too short to measure) is "n/a", not a bc error.
ratio() { if [ "$(echo "$2 == 0" | bc -l)" = 1 ]; then echo n/a; else echo "$1 / $2" | bc -l | awk '{printf "%.2f", $1}'; fi; }
# bound MARK_A MARK_B: a ratio A/B where A hit its limit is a lower bound (">"),
# where B did an upper bound ("<"); both: unknown ("?")
bound() { case "$1$2" in "") ;; ++) printf '?' ;; *) [[ -n $1 ]] && printf '>' || printf '<' ;; esac; }

receivers=(${RECEIVERS:-nva bird frr})
rounds=${ROUNDS:-1}
frr_version=$(/usr/lib/frr/zebra --version 2>/dev/null | awk '/version/ {print $NF; exit}')
echo "receivers: ${receivers[*]}; rounds: $rounds (medians shown); load $(cut -d" " -f1-3 /proc/loadavg); BIRD $(bird --version 2>&1 | awk '{print $NF}'); FRR $frr_version; kernel $(uname -r); $(nproc) CPUs"
printf '%-8s %-10s %9s %9s %9s %8s %8s %8s\n' routes receiver "in s" "out s" "RSS MiB" "CPU in" "CPU out" "nh obj"
for n in "${sizes[@]}"; do
  declare -A tin=() tout=() rss=() cpu=() cpuo=() nh=() mark_in=() mark_out=()
  for ((round = 0; round < rounds; round++)); do
    for r in "${receivers[@]}"; do
      if out=$(run_receiver "$r" "$n"); then
        read -r a b c d g e f <<< "$out"
        tin[$r]+="$a "; tout[$r]+="$b "; rss[$r]+="$c "; cpu[$r]+="$d "; cpuo[$r]+="$g "; nh[$r]=$e
        [[ ${f:0:1} == 1 ]] || mark_in[$r]=+
        [[ ${f:1:1} == 1 ]] || mark_out[$r]=+
      fi
    done
  done
  for r in "${receivers[@]}"; do
    [[ -n ${tin[$r]:-} ]] || { printf '%-8s %-10s %9s\n' "$n" "$r" "failed"; continue; }
    for v in tin tout rss cpu cpuo; do
      declare -n arr=$v
      arr[$r]=$(tr ' ' '\n' <<< "${arr[$r]}" | grep . | median)
      unset -n arr
    done
    printf '%-8s %-10s %9s %9s %9.1f %8.2f %8.2f %8s\n' "$n" "$r" "$(printf %.2f "${tin[$r]}")${mark_in[$r]:-}" \
      "$(printf %.2f "${tout[$r]}")${mark_out[$r]:-}" "$(echo "${rss[$r]} / 1024" | bc -l)" "${cpu[$r]}" "${cpuo[$r]}" "${nh[$r]}"
  done
  [[ -n ${tin[nva]:-} ]] || continue
  for other in bird frr; do
    [[ -n ${tin[$other]:-} ]] || continue
    printf '%-8s %-10s %9s %9s %9s %8s %8s\n' "$n" "nva/$other" \
      "$(bound "${mark_in[nva]:-}" "${mark_in[$other]:-}")$(ratio "${tin[nva]}" "${tin[$other]}")" \
      "$(bound "${mark_out[nva]:-}" "${mark_out[$other]:-}")$(ratio "${tout[nva]}" "${tout[$other]}")" \
      "$(ratio "${rss[nva]}" "${rss[$other]}")" "$(ratio "${cpu[nva]}" "${cpu[$other]}")" "$(ratio "${cpuo[nva]}" "${cpuo[$other]}")"
    printf '%-8s %-10s %9s %9s %9s %8s %8s\n' "$n" "$other/nva" \
      "$(bound "${mark_in[$other]:-}" "${mark_in[nva]:-}")$(ratio "${tin[$other]}" "${tin[nva]}")" \
      "$(bound "${mark_out[$other]:-}" "${mark_out[nva]:-}")$(ratio "${tout[$other]}" "${tout[nva]}")" \
      "$(ratio "${rss[$other]}" "${rss[nva]}")" "$(ratio "${cpu[$other]}" "${cpu[nva]}")" "$(ratio "${cpuo[$other]}" "${cpuo[nva]}")"
  done
done
