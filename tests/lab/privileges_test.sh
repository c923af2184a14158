#!/usr/bin/env bash
# Least privilege and exposure, checked on running processes (label `lab`, root).
#
# Private namespaces hptest-privs-a / hptest-privs-b joined by a veth (the root
# namespace is never touched). In A, `hairpin nva` (10.99.42.2, AS 65001) with two
# neighbours: 10.99.42.1, another `hairpin nva` in B (AS 65002, originating
# 10.98.0.0/16), and 10.99.42.3, configured but with no speaker behind it. B also
# holds 10.99.42.3 and 10.99.42.4 (a stranger).
#
# For each command, /proc/PID/status of every thread (CapInh, CapPrm, CapEff,
# CapBnd, CapAmb, NoNewPrivs), with the positive control that the process is
# doing its job then:
#   - nva: CAP_NET_ADMIN, CAP_NET_RAW, CAP_NET_BIND_SERVICE (0x3400) alone, while
#     its session is Established and the route it learned is in A's kernel; after
#     the drop SIGHUP still reloads, SIGTERM still removes its routes and socket;
#     B, started with a bounding set of CAP_NET_ADMIN and CAP_NET_BIND_SERVICE only
#     (a service's CapabilityBoundingSet), runs and keeps just those (0x1400);
#   - trace: CAP_NET_RAW (0x2000) alone, and the trace reaches 10.99.42.2:179;
#   - capture: CAP_NET_RAW alone, and it counts the pings it was given; it still
#     writes under the usual places (a root-owned dir, /tmp, /var/tmp), and a
#     directory root may not write without CAP_DAC_OVERRIDE is refused at once,
#     with no file left; a ring of files (-C/-W) rotates.
# Exposure: the control socket is a socket, mode 600, owner root; a connection
# from the configured 10.99.42.3 is sent an OPEN (positive control), one from
# 10.99.42.4 is closed with zero bytes, and three such knocks are logged once.
# About 20 s. Usage: tests/lab/privileges_test.sh (HAIRPIN=path/to/hairpin)
set -euo pipefail

hairpin=${HAIRPIN:?set HAIRPIN to the hairpin binary}
source "$(dirname "$0")/../lib/netns_pair.sh"
skip_unless_root

NS_A=hptest-privs-a
NS_B=hptest-privs-b
work=$(mktemp -d /tmp/hptest-privs-XXXXXX)
nva_a="" nva_b="" pinger="" tmp_pcap=/tmp/hptest-privs-$$.pcap var_pcap=/var/tmp/hptest-privs-$$.pcap
cleanup() {
  set +e
  stop_pids "$nva_a" "$nva_b" "$pinger"
  pair_down "$NS_A" "$NS_B"
  rm -rf "$work" "$tmp_pcap" "$var_pcap"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  for f in a.log b.log; do [[ -f $work/$f ]] && { echo "--- $f"; cat "$work/$f"; }; done
  exit 1
}

pair_up "$NS_A" veth-a "$NS_B" veth-b
ip -n "$NS_A" addr add 10.99.42.2/24 dev veth-a
for host in 1 3 4; do ip -n "$NS_B" addr add 10.99.42.$host/24 dev veth-b; done

cat > "$work/a.frr" <<'CFG'
router bgp 65001
 bgp router-id 10.99.42.2
 no bgp ebgp-requires-policy
 neighbor 10.99.42.1 remote-as 65002
 neighbor 10.99.42.3 remote-as 65003
exit
CFG
cat > "$work/b.frr" <<'CFG'
router bgp 65002
 bgp router-id 10.99.42.1
 no bgp ebgp-requires-policy
 neighbor 10.99.42.2 remote-as 65001
 neighbor 10.99.42.2 update-source 10.99.42.1
 address-family ipv4 unicast
  network 10.98.0.0/16
 exit-address-family
exit
CFG

ip netns exec "$NS_A" "$hairpin" nva --config "$work/a.frr" --control-socket "$work/a.sock" --apply-sysctls \
  > /dev/null 2> "$work/a.log" &
nva_a=$!
# B as a service started with fewer capabilities (systemd's CapabilityBoundingSet):
# no CAP_NET_RAW and no CAP_SETPCAP to start with; it keeps what it has of the three.
ip netns exec "$NS_B" setpriv --bounding-set -all,+net_admin,+net_bind_service -- \
  "$hairpin" nva --config "$work/b.frr" --control-socket "$work/b.sock" > /dev/null 2> "$work/b.log" &
nva_b=$!

# caps_are PID MASK: every thread of PID shows exactly MASK in CapPrm, CapEff and
# CapBnd, nothing inheritable or ambient, and NoNewPrivs 1.
caps_are() {
  local pid=$1 want=$2 status task
  for task in /proc/"$pid"/task/*; do
    status=$(cat "$task/status") || return 1
    for field in CapPrm CapEff CapBnd; do
      [[ $(awk -v f="$field:" '$1 == f {print $2}' <<<"$status") == "$want" ]] ||
        { echo "$task: $(grep -E '^(Cap|NoNewPrivs)' <<<"$status" | tr '\n' ' ')"; return 1; }
    done
    for field in CapInh CapAmb; do
      [[ $(awk -v f="$field:" '$1 == f {print $2}' <<<"$status") == 0000000000000000 ]] || return 1
    done
    [[ $(awk '$1 == "NoNewPrivs:" {print $2}' <<<"$status") == 1 ]] || return 1
  done
}
no_new_privs() { [[ $(awk '$1 == "NoNewPrivs:" {print $2}' "/proc/$1/status" 2>/dev/null) == 1 ]]; }
is_command() { tr '\0' ' ' < "/proc/$1/cmdline" | grep -c -- " $2 " >/dev/null; }

# ---- nva -------------------------------------------------------------------------
established() {
  "$hairpin" bgp show summary --json --control-socket "$work/a.sock" > "$work/summary.json" 2>/dev/null || return 1
  python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["ipv4Unicast"]["peers"]; sys.exit(p["10.99.42.1"]["state"] != "Established")' "$work/summary.json"
}
learned_route() { [[ -n $(ip -n "$NS_A" route show 10.98.0.0/16 proto 220) ]]; }
wait_for 30 "A's session with B Established" established
wait_for 10 "10.98.0.0/16 from B in A's kernel (rtnetlink after the drop)" learned_route
is_command "$nva_a" nva || fail "pid $nva_a is not hairpin nva"
# The FIB's writer thread (started after the drop) is among the threads checked.
grep -lx hairpin-fib /proc/"$nva_a"/task/*/comm > /dev/null || fail "nva: no hairpin-fib writer thread among its threads"
caps_are "$nva_a" 0000000000003400 || fail "nva: not exactly CAP_NET_ADMIN, CAP_NET_RAW, CAP_NET_BIND_SERVICE"
echo "ok: nva Established, route installed; every thread (the FIB writer's too): CapPrm=CapEff=CapBnd=0x3400, CapInh=CapAmb=0, NoNewPrivs 1"
is_command "$nva_b" nva || fail "pid $nva_b is not hairpin nva"
caps_are "$nva_b" 0000000000001400 || fail "nva started without CAP_NET_RAW: not exactly CAP_NET_ADMIN, CAP_NET_BIND_SERVICE"
echo "ok: nva started with fewer capabilities runs and keeps only what it had of the three (0x1400)"

[[ $(stat -c '%F %a %U' "$work/a.sock") == "socket 600 root" ]] ||
  fail "control socket is $(stat -c '%F %a %U' "$work/a.sock"), not 'socket 600 root'"
echo "ok: control socket: socket, mode 600, owner root"

# knock FROM: connects from FROM to A's port 179; prints BYTES TYPE END.
knock() {
  ip netns exec "$NS_B" python3 - "$1" <<'PY'
import socket, sys
s = socket.socket()
s.settimeout(5)
s.bind((sys.argv[1], 0))
s.connect(("10.99.42.2", 179))
data, end = b"", "timeout"
try:
    while len(data) < 19:
        chunk = s.recv(4096)
        if not chunk:
            end = "eof"
            break
        data += chunk
    else:
        end = "open" if data[18] == 1 else "other"
except socket.timeout:
    pass
print(len(data), end)
PY
}
got=$(knock 10.99.42.3)
[[ $got == *" open" ]] || fail "the configured neighbour 10.99.42.3 got '$got', not an OPEN"
for _ in 1 2 3; do
  got=$(knock 10.99.42.4)
  [[ $got == "0 eof" ]] || fail "the stranger 10.99.42.4 got '$got', not '0 eof'"
done
refused=$(grep -c 'connection from 10.99.42.4 refused: not a configured neighbor' "$work/a.log" || true)
[[ $refused -eq 1 ]] || fail "3 refusals logged $refused times, not once"
echo "ok: configured 10.99.42.3 gets an OPEN; stranger 10.99.42.4: closed, 0 bytes, 3 knocks logged once"

kill -HUP "$nva_a"
wait_for 10 "A reloaded its config after the drop" grep -q 'config reloaded' "$work/a.log"
echo "ok: SIGHUP reload after the drop"

# ---- trace -----------------------------------------------------------------------
ip netns exec "$NS_B" "$hairpin" trace --json --mtr -q 6 --interval 0.5 -p 179 10.99.42.2 > "$work/trace.json" &
trace=$!
for _ in $(seq 100); do no_new_privs "$trace" && break; kill -0 "$trace" 2>/dev/null || break; sleep 0.02; done
is_command "$trace" trace || fail "pid $trace is not hairpin trace (ended before it was seen?)"
caps_are "$trace" 0000000000002000 || fail "trace: not exactly CAP_NET_RAW"
wait "$trace" || fail "trace did not reach 10.99.42.2 (exit $?)"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if "10.99.42.2" in json.dumps(d["hops"]) else 1)' \
  "$work/trace.json" || fail "trace output does not show 10.99.42.2: $(head -c 400 "$work/trace.json")"
echo "ok: trace: CAP_NET_RAW alone (every thread, NoNewPrivs 1) and it reached 10.99.42.2"

# ---- capture ---------------------------------------------------------------------
ip netns exec "$NS_B" ping -q -i 0.1 10.99.42.2 > /dev/null 2>&1 &
pinger=$!
mkdir "$work/root-owned"
ip netns exec "$NS_A" "$hairpin" capture -i veth-a -f icmp -d 3 --json -w "$work/root-owned/a.pcap" > "$work/capture.json" 2> "$work/capture.err" &
capture=$!
for _ in $(seq 100); do no_new_privs "$capture" && break; kill -0 "$capture" 2>/dev/null || break; sleep 0.02; done
is_command "$capture" capture || fail "pid $capture is not hairpin capture: $(cat "$work/capture.err")"
caps_are "$capture" 0000000000002000 || fail "capture: not exactly CAP_NET_RAW"
wait "$capture" || fail "capture failed: $(cat "$work/capture.err")"
captured=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["packets_captured"])' "$work/capture.json")
[[ $captured -gt 0 && -s $work/root-owned/a.pcap ]] || fail "capture counted $captured packets"
echo "ok: capture: CAP_NET_RAW alone (every thread, NoNewPrivs 1), $captured packets into a root-owned dir"

for out in "$tmp_pcap" "$var_pcap"; do
  ip netns exec "$NS_A" "$hairpin" capture -i veth-a -f icmp -c 2 -w "$out" 2> "$work/capture.err" ||
    fail "capture to $out: $(cat "$work/capture.err")"
  [[ -s $out ]] || fail "no file at $out"
done
echo "ok: capture writes into /tmp and /var/tmp after the drop"

# A ring of files (-C/-W) creates and removes files after the drop too.
ip netns exec "$NS_A" "$hairpin" capture -i veth-a -f icmp -c 40 -C 0.002 -W 2 --json -w "$work/root-owned/ring.pcap" \
  > "$work/ring.json" 2> "$work/capture.err" || fail "ring capture: $(cat "$work/capture.err")"
files=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["files"]))' "$work/ring.json")
[[ $files -eq 2 ]] || fail "ring capture kept $files files, not 2: $(cat "$work/ring.json")"
echo "ok: a ring capture rotates its files after the drop ($files kept)"

# Root without CAP_DAC_OVERRIDE may not write a directory of another user's 0755.
mkdir "$work/nobodys"
chown nobody "$work/nobodys"
chmod 755 "$work/nobodys"
set +e
ip netns exec "$NS_A" "$hairpin" capture -i veth-a -f icmp -c 2 -w "$work/nobodys/a.pcap" 2> "$work/capture.err"
rc=$?
set -e
[[ $rc -eq 2 ]] || fail "capture into nobody's dir: exit $rc, not 2"
grep -q 'cannot write this directory (owner uid [0-9]*, mode 0755)' "$work/capture.err" ||
  fail "no clear message: $(cat "$work/capture.err")"
[[ -z $(ls -A "$work/nobodys") ]] || fail "files left in nobody's dir: $(ls -A "$work/nobodys")"
echo "ok: a dir root cannot write without CAP_DAC_OVERRIDE: exit 2, one line ($(tail -1 "$work/capture.err" | cut -c1-80)...), no file"

# ---- nva stops cleanly without its other capabilities ------------------------------
kill "$nva_a"
wait "$nva_a" || fail "nva exited $? after SIGTERM"
nva_a=""
[[ ! -e $work/a.sock ]] || fail "control socket left behind"
grep -q 'our routes removed from the kernel' "$work/a.log" || fail "no route removal logged"
learned_route && fail "10.98.0.0/16 still in A's kernel after SIGTERM"
echo "ok: SIGTERM after the drop: exit 0, routes removed over rtnetlink, control socket unlinked"
echo PASS
