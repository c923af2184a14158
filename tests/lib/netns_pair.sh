# Two private namespaces joined by one veth, for tests and benchmarks that need a
# real BGP peer next to ours. Source it; the caller owns the names (hptest-*) and
# calls pair_down from its cleanup trap.

# pair_up NS1 IF1 NS2 IF2: both namespaces, the veth between them, lo and links up.
pair_up() {
  ip netns add "$1"
  ip netns add "$3"
  ip -n "$1" link add "$2" type veth peer name "$4" netns "$3"
  ip -n "$1" link set lo up
  ip -n "$3" link set lo up
  ip -n "$1" link set "$2" up
  ip -n "$3" link set "$4" up
}

# stop_pids PID...: SIGTERM, wait (bounded, 5 s) until they are gone, then SIGKILL.
stop_pids() {
  local pid alive
  for pid in "$@"; do [[ -n $pid ]] && kill "$pid" 2>/dev/null; done
  for _ in $(seq 50); do
    alive=0
    for pid in "$@"; do [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && alive=1; done
    [[ $alive -eq 0 ]] && return 0
    sleep 0.1
  done
  for pid in "$@"; do [[ -n $pid ]] && kill -9 "$pid" 2>/dev/null; done
  return 0
}

# pidfile_pid FILE: the pid it holds, or nothing.
pidfile_pid() { [[ -s $1 ]] && cat "$1" || true; }

# pair_down NS...: delete the namespaces that exist.
pair_down() {
  local ns
  for ns in "$@"; do [[ -e /run/netns/$ns ]] && ip netns del "$ns"; done
  return 0
}
