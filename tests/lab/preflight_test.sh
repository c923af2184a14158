#!/usr/bin/env bash
# Live test of the forwarding preflight of `hairpin nva` (docs/bgpd.md, Forwarding
# preflight) in a private namespace hptest-preflight-<pid> (not the seed lab):
#
#   hptest-preflight-<pid>: lo, hp0 (10.77.9.1/24, up) -- veth -- hp1 (up, no address)
#   wrong on purpose: ip_forward=0, hp0.send_redirects=1, hp0.rp_filter=1
#   (all/default send_redirects=0 and all.rp_filter=0, so exactly three are wrong)
#
# 1. `hairpin nva` starts (its control socket answers `bgp show summary`) and has
#    logged exactly three sysctl warnings, each with its `sysctl -w` fix.
# 2. `--check` validates the file and checks no sysctls (its config printed).
# 3. `--apply-sysctls` as an unprivileged user: one line naming the key and the
#    fix, exit 2, values unchanged.
# 4. `--apply-sysctls` as root: one "set" line per value, no warning, the daemon
#    starts, and the values read back fixed.
# The root namespace's sysctls and addresses are compared before and after.
# Needs root; skips (exit 77) otherwise. Usage: HAIRPIN=/path/to/hairpin preflight_test.sh
set -euo pipefail
HAIRPIN=${HAIRPIN:?set HAIRPIN to the hairpin binary}
if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: needs root to create a network namespace and set its sysctls (run ctest -L lab as root)"
  exit 77
fi
for tool in ip sysctl setpriv; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed (scripts/setup)"; exit 77; }
done

NS=hptest-preflight-$$
DIR=$(mktemp -d /tmp/hptest-preflight.XXXXXX)
SOCK=$DIR/nva.sock
PIDS=()
ROOT_KEYS="net.ipv4.ip_forward net.ipv4.conf.all.send_redirects net.ipv4.conf.default.send_redirects net.ipv4.conf.all.rp_filter"
root_snapshot() { { sysctl -n $ROOT_KEYS; ip -o addr; ip route show table all; ip rule; } 2>/dev/null | sort; }
ROOT_BEFORE=$(root_snapshot)

cleanup() {
  local rc=$?
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  # Anything still in the namespace was started by this test.
  for pid in $(ip netns pids "$NS" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$DIR"
  if [ "$(root_snapshot)" != "$ROOT_BEFORE" ]; then
    echo "FAIL: the root namespace changed (sysctls, addresses or routes)" >&2
    exit 1
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }
in_ns() { ip netns exec "$NS" "$@"; }
value() { in_ns sysctl -n "$1"; }
# count_lines TEXT PREFIX: lines of TEXT starting with PREFIX.
count_lines() { local n=0 line; while IFS= read -r line; do [[ $line == "$2"* ]] && n=$((n + 1)); done <<< "$1"; echo $n; }

ip netns add "$NS"
ip -n "$NS" link set lo up
# A veth pair inside the namespace (no dummy module needed): hp1 has no IPv4
# address, so the preflight checks hp0 alone, and nothing answers on the link.
ip -n "$NS" link add hp0 type veth peer name hp1
ip -n "$NS" addr add 10.77.9.1/24 dev hp0
ip -n "$NS" link set hp0 up
ip -n "$NS" link set hp1 up
in_ns sysctl -qw net.ipv4.ip_forward=0 \
  net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.default.send_redirects=0 net.ipv4.conf.hp0.send_redirects=1 \
  net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.hp0.rp_filter=1
[ "$(value net.ipv4.ip_forward)" = 0 ] && [ "$(value net.ipv4.conf.hp0.send_redirects)" = 1 ] &&
  [ "$(value net.ipv4.conf.hp0.rp_filter)" = 1 ] || fail "could not set the wrong sysctls in $NS"

# A valid config whose one neighbour (10.77.9.2: nothing on the link answers) never comes up.
# The directory and the binary copy are readable by an unprivileged user (step 3).
chmod 755 "$DIR"
cat > "$DIR/nva.frr" <<'EOF'
router bgp 65001
 bgp router-id 10.77.9.1
 no bgp ebgp-requires-policy
 neighbor 10.77.9.2 remote-as 65002
EOF
chmod 644 "$DIR/nva.frr"
install -m 755 "$HAIRPIN" "$DIR/hairpin"

# start_nva LOG [ARGS...]: hairpin nva in $NS in the background; waits (bounded)
# until its control socket answers `bgp show summary`, the proof that it started.
start_nva() {
  local log=$1; shift
  rm -f "$SOCK"
  # A simple command, not the in_ns function, so $! is the daemon itself (ip
  # netns exec execs it), not a subshell that SIGTERM would leave it behind.
  ip netns exec "$NS" "$DIR/hairpin" nva --config "$DIR/nva.frr" --port 17900 --control-socket "$SOCK" "$@" > "$log" 2>&1 &
  local pid=$! summary=""
  PIDS+=("$pid")
  local exe=""
  for _ in $(seq 1 50); do  # bounded: until the fork has exec'd ip, and ip the daemon
    exe=$(readlink "/proc/$pid/exe" 2>/dev/null || true)
    [ "$exe" = "$DIR/hairpin" ] && break
    sleep 0.02
  done
  [ "$exe" = "$DIR/hairpin" ] || { cat "$log"; fail "pid $pid is not the daemon (exe: ${exe:-gone})"; }
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || { cat "$log"; fail "hairpin nva $* exited before its control socket answered"; }
    if summary=$(in_ns "$DIR/hairpin" bgp show summary --control-socket "$SOCK" 2>&1) && [[ $summary == *10.77.9.2* ]]; then
      return 0
    fi
    sleep 0.1
  done
  cat "$log"
  fail "hairpin nva $*: control socket $SOCK did not answer within 10 s: $summary"
}
stop_nva() {
  local pid=${PIDS[-1]}
  kill -TERM "$pid"
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && fail "hairpin nva (pid $pid) still running 10 s after SIGTERM"
  wait "$pid" || true
}

# 1. Wrong values: the daemon starts and warns once per wrong value, with the fix.
start_nva "$DIR/warn.log"
stop_nva
LOG=$(cat "$DIR/warn.log")
n=$(count_lines "$LOG" "hairpin nva: warning: net.ipv4.")
[ "$n" -eq 3 ] || { echo "$LOG"; fail "expected 3 sysctl warnings, saw $n"; }
for want in "net.ipv4.ip_forward=0 (needs 1): " \
            "net.ipv4.conf.hp0.send_redirects=1 (needs 0): " \
            "net.ipv4.conf.hp0.rp_filter=1 (needs 2): "; do
  [[ $LOG == *"hairpin nva: warning: $want"* ]] || { echo "$LOG"; fail "no warning '$want'"; }
done
for fix in "fix: sysctl -w net.ipv4.ip_forward=1" "fix: sysctl -w net.ipv4.conf.hp0.send_redirects=0" \
           "fix: sysctl -w net.ipv4.conf.hp0.rp_filter=2"; do
  [[ $LOG == *"$fix"* ]] || { echo "$LOG"; fail "no '$fix'"; }
done
[ "$(value net.ipv4.ip_forward)" = 0 ] || fail "without --apply-sysctls ip_forward changed"
pass "three warnings with their fixes, the daemon started, nothing written"

# 2. --check validates the file only: no sysctl warnings (and the config printed).
OUT=$(in_ns "$DIR/hairpin" nva --config "$DIR/nva.frr" --check 2>&1) || fail "--check failed: $OUT"
[[ $OUT == *"router bgp 65001"* ]] || fail "--check did not print the config: $OUT"
[ "$(count_lines "$OUT" "hairpin nva: warning: net.ipv4.")" -eq 0 ] || fail "--check checked sysctls: $OUT"
pass "--check checks no sysctls"

# 3. --apply-sysctls without privilege: one line naming the key and the fix, exit 2.
rc=0
OUT=$(in_ns setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
  "$DIR/hairpin" nva --config "$DIR/nva.frr" --port 17900 --control-socket "$DIR/nobody.sock" --apply-sysctls 2>&1) || rc=$?
[ "$rc" -eq 2 ] || fail "unprivileged --apply-sysctls: exit $rc, expected 2: $OUT"
[[ $OUT == *"cannot write net.ipv4.ip_forward=1"*"run hairpin nva as root"* ]] || fail "unprivileged --apply-sysctls: $OUT"
[ "$(count_lines "$OUT" "hairpin nva: ")" -eq 1 ] || fail "unprivileged --apply-sysctls: more than one line: $OUT"
[ -e "$DIR/nobody.sock" ] && fail "unprivileged --apply-sysctls started the daemon anyway"
[ "$(value net.ipv4.ip_forward)" = 0 ] || fail "unprivileged --apply-sysctls changed ip_forward"
pass "unprivileged --apply-sysctls: $OUT"

# 4. --apply-sysctls as root: set, no warning, started, read back fixed.
start_nva "$DIR/apply.log" --apply-sysctls
stop_nva
LOG=$(cat "$DIR/apply.log")
n=$(count_lines "$LOG" "hairpin nva: set net.ipv4.")
[ "$n" -eq 3 ] || { echo "$LOG"; fail "expected 3 'set' lines, saw $n"; }
for want in "set net.ipv4.ip_forward=1 (was 0)" "set net.ipv4.conf.hp0.send_redirects=0 (was 1)" \
            "set net.ipv4.conf.hp0.rp_filter=2 (was 1)"; do
  [[ $LOG == *"hairpin nva: $want"* ]] || { echo "$LOG"; fail "no '$want'"; }
done
[ "$(count_lines "$LOG" "hairpin nva: warning: net.ipv4.")" -eq 0 ] || { echo "$LOG"; fail "warnings after --apply-sysctls"; }
[ "$(value net.ipv4.ip_forward)" = 1 ] || fail "ip_forward reads $(value net.ipv4.ip_forward) after --apply-sysctls"
[ "$(value net.ipv4.conf.hp0.send_redirects)" = 0 ] || fail "hp0.send_redirects not 0 after --apply-sysctls"
[ "$(value net.ipv4.conf.hp0.rp_filter)" = 2 ] || fail "hp0.rp_filter not 2 after --apply-sysctls"
pass "--apply-sysctls: three values set and read back, no warning, the daemon started"
