#!/usr/bin/env bash
# Benchmark, not a test: the outage a steady ping flood through the seed lab's
# hairpin sees when (ars0) one Azure Route Server instance dies (kill -9 of its
# BIRD: both its sessions close at once), and (nva) across an NVA kill -9 and
# `hairpin lab restart vm-hub00`. The flood runs from site A (hp-vm-hub100,
# 10.100.0.4) to site B's VM 10.200.0.4: every echo and every reply crosses the
# NVA (ERGW -> UDR -> NVA -> ERGW, both ways).
#
# Per event: lost packets, the longest gap between two replies (the outage, to
# the flood's interval), and for the restart when, after the kill, the ARS saw
# the NVA's sessions Established again and the supernet was back at site A: the
# issue's bound is "re-establishing the sessions plus one UPDATE round".
#
# Takes the lab lock itself (flock /tmp/hairpin-lab.lock, waits up to LOCK_WAIT
# seconds, default 900),
# brings the lab up (--force) for each event and takes it down on every exit path.
# Usage (root): tests/perf/fib/outage.sh PATH/TO/hairpin
#   NVA=builtin|frr  the NVA kind (default: the lab's default)
#   EVENTS="ars0 nva" (default), ROUNDS=N (default 1; every round is printed),
#   INTERVAL=S the flood's interval (default 0.002: 500 echoes a second).
set -euo pipefail

hairpin=${1:?usage: outage.sh PATH/TO/hairpin}
[[ $(id -u) -eq 0 ]] || { echo "outage.sh: needs root (the lab's namespaces); run it as root"; exit 2; }
[[ -x $hairpin ]] || { echo "outage.sh: $hairpin is not an executable; build it (cmake --build build --target hairpin)"; exit 2; }
interval=${INTERVAL:-0.002}
events=(${EVENTS:-ars0 nva})
rounds=${ROUNDS:-1}
run_dir=/run/hairpin/lab
SRC_NS=hp-vm-hub100 DST=10.200.0.4 NVA_NS=hp-vm-hub00

lock_wait=${LOCK_WAIT:-900}
exec 9> /tmp/hairpin-lab.lock
flock -w "$lock_wait" 9 || { echo "outage.sh: /tmp/hairpin-lab.lock stayed held for $lock_wait s; wait for the other lab run and retry (LOCK_WAIT=S waits longer)"; exit 2; }
echo "outage.sh: lab lock taken at $(date -u +%T)"

work=$(mktemp -d /tmp/hptest-fibperf-outage-XXXXXX)
ping_pid=
cleanup() {
  set +e
  [[ -n $ping_pid ]] && kill "$ping_pid" 2>/dev/null
  "$hairpin" lab down > /dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
later() { (($(echo "$1 > $2" | bc -l))); }  # later A B: A > B

lab_up() {
  "$hairpin" lab up --force ${NVA:+--nva "$NVA"} --timeout 90 > "$work/up.log" 2>&1 ||
    { cat "$work/up.log" >&2; echo "outage.sh: lab up ${NVA:+--nva $NVA} did not converge (above)" >&2; exit 1; }
}

# the epoch timestamp of the last reply the flood got so far, or 0
last_reply() { awk -F'[][]' '/bytes from/ {t = $2} END {printf "%.6f\n", t}' "$work/ping.txt"; }
replies() { grep -c 'bytes from' "$work/ping.txt" || true; }

# NVA daemons: the built-in NVA (hairpin) or FRR's (zebra, staticd, bgpd)
nva_pids() {
  local p
  for p in $(ip netns pids "$NVA_NS"); do
    case $(cat "/proc/$p/comm" 2>/dev/null) in hairpin | bgpd | zebra | staticd) echo "$p" ;; esac
  done
}
nva_established() {  # both ARS instances see the NVA's session Established
  local a
  for a in ars0 ars1; do
    birdc -s "$run_dir/$a/bird.ctl" show protocols vm_hub00 2>/dev/null | grep -q Established || return 1
  done
}
supernet_at_site() { [[ -n $(ip -n "$SRC_NS" route show exact 10.0.0.0/8 2>/dev/null) ]]; }

run_event() {  # run_event EVENT ROUND -> one line of results
  local event=$1
  lab_up
  : > "$work/ping.txt"
  ip netns exec "$SRC_NS" ping -n -D -i "$interval" -w 90 "$DST" > "$work/ping.txt" 2>&1 &
  ping_pid=$!
  local ok=0
  for _ in $(seq 100); do (($(replies) >= 100)) && { ok=1; break; }; sleep 0.05; done
  [[ $ok -eq 1 ]] || { echo "outage.sh: no steady ping $SRC_NS -> $DST before the event; see the lab (hairpin lab status)" >&2; return 1; }
  local t_est=- t_sup=- t0 restart_ms=- sess_down=0 sup_down=0 restart_pid=
  t0=$(now)
  case $event in
    ars0) kill -9 "$(cat "$run_dir/ars0/bird.pid")" ;;
    nva)
      local victims; victims=$(nva_pids)
      [[ -n $victims ]] || { echo "outage.sh: no NVA daemon found in $NVA_NS" >&2; return 1; }
      kill -9 $victims
      # kill -9 is immediate, but the process is gone only once reaped by its parent
      for _ in $(seq 200); do [[ -z $(nva_pids) ]] && break; sleep 0.01; done
      # in the background: it returns once BGP has converged again, and the
      # sessions and the supernet are to be timed while it waits
      "$hairpin" lab restart vm-hub00 > "$work/restart.log" 2>&1 &
      restart_pid=$!
      ;;
  esac
  # poll (bounded, 60 s) until the flood has flowed again for 1 s after the event,
  # noting when the sessions and the supernet came back
  local deadline; deadline=$(echo "$t0 + 60" | bc -l)
  while :; do
    local t; t=$(now)
    local up=1
    if [[ -n $restart_pid ]]; then
      if kill -0 "$restart_pid" 2>/dev/null; then up=0
      else
        wait "$restart_pid" ||
          { cat "$work/restart.log" >&2; echo "outage.sh: hairpin lab restart vm-hub00 failed (above)" >&2; return 1; }
        restart_ms=$(echo "($t - $t0) * 1000" | bc -l | awk '{printf "%.0f", $1}')
        restart_pid=
      fi
    fi
    if [[ $event == nva ]]; then
      # a time is noted only once the loss was seen: right after the kill the ARS
      # may not have read the close yet, and the site keeps the supernet a while
      if nva_established; then
        [[ $sess_down == 1 && $t_est == - ]] && t_est=$(echo "($t - $t0) * 1000" | bc -l | awk '{printf "%.0f", $1}')
      else sess_down=1; up=0; fi
      if supernet_at_site; then
        [[ $sup_down == 1 && $t_sup == - ]] && t_sup=$(echo "($t - $t0) * 1000" | bc -l | awk '{printf "%.0f", $1}')
      else sup_down=1; up=0; fi
    fi
    local lr; lr=$(last_reply)
    if ((up)) && later "$t" "$(echo "$t0 + 2" | bc -l)" && later "$lr" "$(echo "$t - 0.1" | bc -l)"; then
      # flowing now: was it flowing for the last second without a gap?
      local recent; recent=$(awk -F'[][]' -v from="$(echo "$t - 1" | bc -l)" '/bytes from/ && $2 > from {n++} END {print n + 0}' "$work/ping.txt")
      (( $(echo "$recent * $interval >= 0.8" | bc -l) )) && break
    fi
    later "$t" "$deadline" && { echo "outage.sh: $event: the flood had not recovered 60 s after the event" >&2; break; }
    sleep 0.02
  done
  kill -INT "$ping_pid"; wait "$ping_pid" 2>/dev/null || true; ping_pid=
  # the longest gap between consecutive replies, and what was lost
  local gap lost sent
  gap=$(awk -F'[][]' '/bytes from/ {if (p) {d = $2 - p; if (d > m) m = d}; p = $2} END {printf "%.0f", m * 1000}' "$work/ping.txt")
  sent=$(awk '/packets transmitted/ {print $1}' "$work/ping.txt")
  lost=$((sent - $(replies)))
  "$hairpin" lab down > /dev/null 2>&1
  printf '%-6s %5s %7s %7s %9s %12s %12s %12s\n' "$event" "$2" "$sent" "$lost" "$gap" "$restart_ms" "$t_est" "$t_sup"
}

echo "NVA: ${NVA:-lab default}; flood interval ${interval} s; load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-6s %5s %7s %7s %9s %12s %12s %12s\n' event round sent lost "gap ms" "restart ms" "sessions ms" "supernet ms"
for event in "${events[@]}"; do
  for ((round = 1; round <= rounds; round++)); do run_event "$event" "$round" || true; done
done
