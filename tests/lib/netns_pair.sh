# Two private namespaces joined by one veth, for tests and benchmarks that need a
# real BGP peer next to ours. Source it; the caller owns the names (hptest-*) and
# calls pair_down from its cleanup trap.
#
# Also what every such test polls with: wait_for, receiver_processed, and the GoBGP
# peer helpers.

# skip_unless_root: ends the test as skipped (exit 77, ctest SKIP_RETURN_CODE) with
# one line saying why, unless it runs as root.
skip_unless_root() {
  [[ $(id -u) -eq 0 ]] && return 0
  echo "SKIP: needs root for network namespaces (run as root or with CAP_NET_ADMIN)"
  exit 77
}

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

# bird_feeder_conf ROUTER_ID N LINE...: a BIRD 2 config that originates N distinct
# /24s (20.0.0.0/24 upwards) as static blackholes, timestamps to the millisecond (to
# read when a session went Established), then the caller's lines: its BGP protocol,
# which exports them.
bird_feeder_conf() {
  local id=$1 n=$2
  shift 2
  echo "router id $id;"
  echo "timeformat protocol iso long ms;"
  echo "protocol device {}"
  echo "protocol static feed { ipv4;"
  awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++)
    printf "  route %d.%d.%d.0/24 blackhole;\n", 20 + int(i / 65536), int(i / 256) % 256, i % 256 }'
  echo "}"
  printf '%s\n' "$@"
}

# fib_anchor NS: starts a process that lives in NS for the caller's whole run and
# sets `anchor` to its pid (the caller stops it on exit), so that fib_count reads
# NS's kernel FIB through /proc/$anchor/net without a fork into NS per poll.
# fib_count: the prefixes in that trie, as the kernel counts them (main and local
# share one trie until a policy rule splits them; take a baseline first). 42 ms at
# 1M routes, where `ip route show | wc -l` takes seconds (docs/perf-fib.md).
fib_anchor() {
  ip netns exec "$1" sleep 100000 &
  anchor=$!
}
fib_count() { awk '/^Main:/ {m = 1} m && /Prefixes:/ {print $2; exit}' "/proc/$anchor/net/fib_triestat"; }

# pidfile_pid FILE: the pid it holds, or nothing.
pidfile_pid() { [[ -s $1 ]] && cat "$1" || true; }

# pair_down NS...: delete the namespaces that exist.
pair_down() {
  local ns
  for ns in "$@"; do [[ -e /run/netns/$ns ]] && ip netns del "$ns"; done
  return 0
}

# wait_for SECONDS DESCRIPTION COMMAND...: runs COMMAND every 0.2 s until it
# succeeds; after SECONDS, calls the caller's `fail DESCRIPTION` (bounded, never a
# blind sleep).
wait_for() {
  local limit=$1 what=$2
  shift 2
  for _ in $(seq $((limit * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  fail "$what"
}

# GoBGP as the peer: gobgpd_up NS CONFIG LOG starts gobgpd in NS (its gRPC API on
# that namespace's own loopback), sets gobgpd_pid and waits until the API answers;
# gobgp_in NS ARGS... runs the gobgp CLI against it.
gobgp_in() {
  local ns=$1
  shift
  ip netns exec "$ns" gobgp -u 127.0.0.1 -p 50051 "$@"
}
gobgpd_up() {
  ip netns exec "$1" gobgpd -f "$2" --api-hosts 127.0.0.1:50051 --pprof-disable -p > "$3" 2>&1 &
  gobgpd_pid=$!
  wait_for 10 "gobgpd answers on its API" gobgp_in "$1" global
}

# receiver_processed DIR N_ARS N_SITE ARS SITE: the proof that a BGP speaker (FRR or
# our NVA) has processed every route its two BIRD peers sent, read from files its
# show commands wrote into DIR (FRR's JSON shapes, which `hairpin bgp show --json`
# follows): adj_in (neighbor ARS received-routes: the pre-policy Adj-RIB-In, so
# soft-reconfiguration inbound), summary, routes, adj_out (neighbor ARS
# advertised-routes), and bird (what BIRD's ars protocol holds from the speaker,
# one route a line). Prints one line of counts; exit 0 once the Adj-RIB-In from ARS
# holds N_ARS routes, SITE's N_SITE routes are all accepted (N_*: what was sent,
# less what the RFCs make treat-as-withdraw, e.g. AS 0 in the path, RFC 7607), every accepted
# prefix has a best path, and BIRD holds exactly as many routes as the Adj-RIB-Out
# towards it (and not none). "Unchanged for a while" alone proves nothing: FRR reads
# UPDATEs in one thread and judges them later in another, so its tables can sit
# empty and still for seconds while its input queue is full.
receiver_processed() {
  python3 - "$@" <<'PY'
import json, os, sys
d, n_ars, n_site, ars, site = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
def load(name):
    try:
        with open(os.path.join(d, name)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}
adj_in = load("adj_in").get("totalPrefixCounter", 0)
summary = load("summary")
peers = summary.get("ipv4Unicast", summary).get("peers", {})  # FRR: flat for `show bgp ipv4 unicast summary`
ars_rcd = peers.get(ars, {}).get("pfxRcd", 0)
site_rcd = peers.get(site, {}).get("pfxRcd", 0)
routes = load("routes").get("routes", {})
best = sum(1 for paths in routes.values() if any(p.get("bestpath") for p in paths))
adj_out = load("adj_out").get("totalPrefixCounter", 0)
try:
    with open(os.path.join(d, "bird")) as f:
        bird = sum(1 for line in f if line.strip())
except OSError:
    bird = 0
print(f"ARS routes in the Adj-RIB-In {adj_in}/{n_ars}, site routes accepted {site_rcd}/{n_site},"
      f" best paths {best} for {len(routes)} prefixes ({ars_rcd + site_rcd} accepted),"
      f" Adj-RIB-Out to ARS {adj_out}, ARS holds {bird}")
done = (adj_in == n_ars and site_rcd == n_site and best == len(routes) == ars_rcd + site_rcd
        and 0 < adj_out == bird)
sys.exit(0 if done else 1)
PY
}

# without_as0 PATH...: how many of the AS paths hold no AS 0. A path with AS 0 is
# malformed (RFC 7607) and so treat-as-withdraw at FRR and at our NVA alike: it
# never reaches the Adj-RIB-In.
without_as0() { local n=0 p; for p in "$@"; do [[ " $p " == *" 0 "* ]] || n=$((n + 1)); done; echo "$n"; }
