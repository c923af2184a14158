#!/usr/bin/env bash
# Fault: `hairpin capture` stopped by SIGTERM or by SIGINT while traffic flows
# leaves a valid file. Two private namespaces (hptest-faults-cap-a, -b) joined by
# a veth; a ping flood from a to b; `hairpin capture -i veth-a` in b. For each
# signal: while the capture runs, the final name does not exist (the file is
# written under a temporary name); after the signal, exit 0, "N packets captured"
# with N > 0 (positive: traffic was flowing), the file at the final name, no
# temporary file left, our reader (`hairpin analyze --json`) reads N frames with
# no truncated or corrupt record, and tcpdump and tshark (scripts/setup) read N
# packets too. Then SIGKILL (negative, with the signals above as its control): no
# file ever appears at the final name.
# Usage (root): HAIRPIN=PATH tests/faults/capture_signal_test.sh   (ctest: lab.fault.capture-signal)
set -euo pipefail
HAIRPIN=${HAIRPIN:?set HAIRPIN to the hairpin binary}
source "$(dirname "$0")/../lib/netns_pair.sh"
skip_unless_root
fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "PASS: $*"; }
for tool in tcpdump tshark python3; do
  command -v "$tool" > /dev/null || fail "$tool not found; install it with scripts/setup"
done

A=hptest-faults-cap-a B=hptest-faults-cap-b
work=$(mktemp -d /tmp/hptest-faults-cap-XXXXXX)
ping_pid= cap_pid=
cleanup() {
  set +e
  stop_pids "$ping_pid" "$cap_pid"
  pair_down "$A" "$B"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pair_down "$A" "$B"
pair_up "$A" veth-b "$B" veth-a
ip -n "$A" addr add 10.99.7.1/30 dev veth-b
ip -n "$B" addr add 10.99.7.2/30 dev veth-a
ip netns exec "$A" ping -n -i 0.002 -w 120 10.99.7.2 > "$work/ping.txt" 2>&1 &
ping_pid=$!
replies() { grep -c 'bytes from' "$work/ping.txt" || true; }
replies_at_least() { (($(replies) >= $1)); }
wait_for 10 "no ping replies from $B" replies_at_least 10

# the capturing side's MAC: analyze wants to know which NIC is "the NVA's"
mac=$(ip netns exec "$B" cat /sys/class/net/veth-a/address)
temp_files() { find "$work" -name ".*.hairpin-tmp.*" | wc -l; }

capture_until() {  # capture_until SIGNAL FILE: starts a capture, signals it once traffic was captured
  local sig=$1 file=$2 err=$work/$1.err
  ip netns exec "$B" "$HAIRPIN" capture -i veth-a -f icmp -w "$file" 2> "$err" &
  cap_pid=$!
  wait_for 10 "capture ($sig) never said it was listening: $(cat "$err")" grep -q "listening on veth-a" "$err"
  local r0; r0=$(replies)
  # traffic while capturing: 200 more replies (each one an echo and a reply on veth-a)
  wait_for 20 "ping stalled while capturing" replies_at_least $((r0 + 200))
  [[ ! -e $file ]] || fail "$sig: $file exists while the capture still runs (it must be written under a temporary name)"
  (($(temp_files) == 1)) || fail "$sig: expected one temporary file while capturing, found $(temp_files)"
  kill -"$sig" "$cap_pid"
  local rc=0
  wait "$cap_pid" || rc=$?
  cap_pid=
  ((rc == 0)) || fail "capture stopped by SIG$sig exited $rc: $(cat "$err")"
}

for sig in TERM INT; do
  f=$work/cap-$sig.pcap
  capture_until "$sig" "$f"
  n=$(awk '/ packets captured$/ {print $1}' "$work/$sig.err")
  [[ -n $n ]] && ((n > 0)) || fail "SIG$sig: no packets captured (stderr: $(cat "$work/$sig.err"))"
  [[ -s $f ]] || fail "SIG$sig: no file at $f after the capture ended"
  (($(temp_files) == 0)) || fail "SIG$sig: $(temp_files) temporary files left: $(find "$work" -name '.*.hairpin-tmp.*')"
  "$HAIRPIN" analyze --json --nva-ip 10.99.7.2 --nva-mac "$mac" "$f" > "$work/$sig.json" || fail "SIG$sig: hairpin analyze could not read $f"
  read -r total trunc corrupt < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(d["frames"]["total"], d["read_issues"]["truncated_records"], d["read_issues"]["corrupt_records"])' "$work/$sig.json")
  ((total == n)) || fail "SIG$sig: our reader found $total frames, the capture said $n"
  ((trunc == 0 && corrupt == 0)) || fail "SIG$sig: $trunc truncated and $corrupt corrupt records in $f"
  td=$(tcpdump -n -r "$f" 2> "$work/$sig.tcpdump" | wc -l)
  grep -qi "truncated\|bogus" "$work/$sig.tcpdump" && fail "SIG$sig: tcpdump: $(cat "$work/$sig.tcpdump")"
  ((td == n)) || fail "SIG$sig: tcpdump read $td packets, the capture said $n"
  ts=$(tshark -r "$f" 2> "$work/$sig.tshark" | wc -l)
  grep -qi "cut short\|appears to be damaged" "$work/$sig.tshark" && fail "SIG$sig: tshark: $(cat "$work/$sig.tshark")"
  ((ts == n)) || fail "SIG$sig: tshark read $ts packets, the capture said $n"
  pass "SIG$sig: $n packets captured; $f whole: hairpin analyze $total frames (0 truncated), tcpdump $td, tshark $ts; no temporary file left"
done

# SIGKILL: nothing gets the final name (the temporary file stays: nobody was left
# to remove it), unlike TERM and INT above.
f=$work/cap-KILL.pcap
ip netns exec "$B" "$HAIRPIN" capture -i veth-a -f icmp -w "$f" 2> "$work/KILL.err" &
cap_pid=$!
wait_for 10 "capture (KILL) never said it was listening" grep -q "listening on veth-a" "$work/KILL.err"
r0=$(replies)
wait_for 20 "ping stalled while capturing" replies_at_least $((r0 + 200))
kill -KILL "$cap_pid"
wait "$cap_pid" 2>/dev/null || true
cap_pid=
[[ ! -e $f ]] || fail "SIGKILL: $f exists: a killed capture must not leave a file that looks complete"
(($(temp_files) == 1)) || fail "SIGKILL: expected the one temporary file the killed capture held, found $(temp_files)"
pass "SIGKILL: no file at the final name (only the temporary one, named .cap-KILL.pcap.hairpin-tmp.*)"
