#!/usr/bin/env bash
# Fault: the disk fills while hairpin writes a report, evidence or a capture.
# Each case runs in a private mount namespace (unshare -m, propagation private)
# with a 64 KiB tmpfs mounted there only; "full" is that tmpfs filled to the last
# page first. For each writer, the same command twice:
#   room (positive control): exit as usual, the file complete at its final name;
#   full: non-zero exit, one line naming what, where and the fix ("disk full"),
#         nothing at the final name and no temporary file left.
# Writers: `hairpin verify --junit FILE`, `hairpin verify --evidence DIR` (against
# an NVA that is not there: two private network namespaces hptest-faults-df-*, so
# verify runs its commands, fails its checks and writes its report), and
# `hairpin capture -c N -w FILE` with a ping flood between the namespaces.
# Usage (root): HAIRPIN=PATH tests/faults/disk_full_test.sh   (ctest: lab.fault.disk-full)
set -euo pipefail
HAIRPIN=${HAIRPIN:?set HAIRPIN to the hairpin binary}
HAIRPIN=$(realpath "$HAIRPIN")
source "$(dirname "$0")/../lib/netns_pair.sh"
skip_unless_root
fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "PASS: $*"; }
command -v unshare > /dev/null || fail "unshare not found (util-linux); install it with scripts/setup"

A=hptest-faults-df-site B=hptest-faults-df-nva
work=$(mktemp -d /tmp/hptest-faults-df-XXXXXX)
ping_pid=
cleanup() {
  set +e
  stop_pids "$ping_pid"
  pair_down "$A" "$B"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The mount point is ours; the tmpfs exists only inside each `in_tmpfs` call.
mkdir "$work/mnt"
# in_tmpfs room|small|full CMD...: CMD in a private mount namespace with a tmpfs on
# $work/mnt: 16 MiB (room), 64 KiB (small), 64 KiB filled to the last page (full);
# then lists what is left on it into
# $work/left and copies it to $work/kept (the namespace, and with it the tmpfs, goes
# when CMD ends).
in_tmpfs() {
  local fill=$1
  shift
  unshare -m --propagation private bash -c '
    set -u
    size=64k; [ "$1" = room ] && size=16m
    mount -t tmpfs -o size=$size hptest-faults-df "$0/mnt" || exit 99
    if [ "$1" = full ]; then head -c 1M /dev/zero > "$0/mnt/filler" 2> /dev/null; fi
    shift
    rc=0; "$@" || rc=$?
    rm -f "$0/mnt/filler"
    find "$0/mnt" -mindepth 1 -printf "%P %s\n" | sort > "$0/left"
    rm -rf "$0/kept" && cp -a "$0/mnt" "$0/kept"
    exit $rc' "$work" "$fill" "$@"
}
# one_line FILE: the file holds exactly one line
one_line() { (($(wc -l < "$1") == 1)); }

pair_down "$A" "$B"
pair_up "$A" veth-nva "$B" veth-site
ip -n "$A" addr add 10.99.8.1/30 dev veth-nva
ip -n "$B" addr add 10.99.8.2/30 dev veth-site
ip -n "$A" addr add 10.100.0.4/32 dev lo
ip -n "$A" addr add 10.200.0.4/32 dev lo
cat > "$work/scenario.yaml" <<YAML
name: disk-full
supernet: 10.0.0.0/8
port: 22
sites:
  - name: site-a
    prefix: 10.100.0.0/16
    probe_host: 10.100.0.4
    runner: {kind: netns, namespace: $A}
  - name: site-b
    prefix: 10.200.0.0/16
    probe_host: 10.200.0.4
    runner: {kind: netns, namespace: $A}
nva:
  name: nva
  address: 10.99.8.2
  interface: veth-site
  kind: builtin
  state: {via: control-socket, control_socket: $work/no-nva.sock}
  runner: {kind: netns, namespace: $B}
route_servers:
  - address: 10.99.8.9
expectations:
  hops: [10.99.8.2]
  timeouts: {converge_s: 1, step_s: 10, trace_s: 5}
YAML
verify() { "$HAIRPIN" verify "$work/scenario.yaml" --converge-timeout 0 "$@"; }
export HAIRPIN work A B
export -f verify

# ---- verify --junit ---------------------------------------------------------------
rc=0; in_tmpfs room verify --junit "$work/mnt/report.xml" > /dev/null 2> "$work/err" || rc=$?
((rc == 1)) || fail "verify --junit with room: exit $rc, expected 1 (checks fail: no NVA): $(cat "$work/err")"
grep -q "^report.xml [0-9]" "$work/left" || fail "verify --junit with room wrote no report.xml: $(cat "$work/left")"
python3 -c 'import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); sys.exit(0 if any(True for _ in r.iter("testcase")) else 1)' \
  "$work/kept/report.xml" || fail "verify --junit with room: report.xml is not whole XML"
pass "verify --junit with room: exit 1 (no NVA there), report.xml written whole ($(cat "$work/left"))"
rc=0; in_tmpfs full verify --junit "$work/mnt/report.xml" > /dev/null 2> "$work/err" || rc=$?
((rc == 2)) || fail "verify --junit on a full disk: exit $rc, expected 2: $(cat "$work/err")"
one_line "$work/err" || fail "verify --junit on a full disk: more than one line: $(cat "$work/err")"
grep -q "report.xml.*No space left on device.*disk full" "$work/err" || fail "verify --junit on a full disk: the line does not say where, what and the fix: $(cat "$work/err")"
[[ ! -s $work/left ]] || fail "verify --junit on a full disk left files: $(cat "$work/left")"
pass "verify --junit on a full disk: exit 2, $(cat "$work/err"); nothing left"

# ---- verify --evidence ------------------------------------------------------------
rc=0; in_tmpfs room verify --evidence "$work/mnt/ev" > /dev/null 2> "$work/err" || rc=$?
((rc == 1)) || fail "verify --evidence with room: exit $rc, expected 1: $(cat "$work/err")"
grep -q "^ev/report.json [0-9]" "$work/left" || fail "verify --evidence with room: no ev/report.json: $(cat "$work/left")"
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$work/kept/ev/report.json" ||
  fail "verify --evidence with room: ev/report.json is not whole JSON"
pass "verify --evidence with room: exit 1, $(wc -l < "$work/left") entries kept, ev/report.json among them"
rc=0; in_tmpfs full verify --evidence "$work/mnt/ev" > /dev/null 2> "$work/err" || rc=$?
((rc == 2)) || fail "verify --evidence on a full disk: exit $rc, expected 2: $(cat "$work/err")"
one_line "$work/err" || fail "verify --evidence on a full disk: more than one line: $(cat "$work/err")"
grep -q "ev/.*No space left on device.*disk full" "$work/err" || fail "verify --evidence on a full disk: the line does not say where, what and the fix: $(cat "$work/err")"
grep -q "report.json\|hairpin-tmp" "$work/left" && fail "verify --evidence on a full disk left a report or a temp file: $(cat "$work/left")"
pass "verify --evidence on a full disk: exit 2, $(cat "$work/err"); no report.json, no temp file"

# ---- capture -w -------------------------------------------------------------------
ip netns exec "$A" ping -n -i 0.002 -w 120 10.99.8.2 > "$work/ping.txt" 2>&1 &
ping_pid=$!
capture() { ip netns exec "$B" "$HAIRPIN" capture -i veth-site -f icmp -c "$1" -w "$work/mnt/c.pcap"; }
export -f capture
rc=0; in_tmpfs small capture 1000 2> "$work/err" || rc=$?
# 1000 echo requests and replies of 98 bytes: 114 kB with record headers, more than
# the tmpfs holds; -c 200 (23 kB) fits.
((rc == 2)) || fail "capture -c 1000 on a 64 KiB tmpfs: exit $rc, expected 2 (it cannot fit): $(cat "$work/err")"
grep -q "c.pcap.*No space left on device.*disk full" "$work/err" || fail "capture on a full disk: $(cat "$work/err")"
[[ $(grep -vc "^hairpin capture: listening on" "$work/err") == 1 ]] || fail "capture on a full disk: not one error line: $(cat "$work/err")"
[[ ! -s $work/left ]] || fail "capture on a full disk left files: $(cat "$work/left")"
pass "capture of 1000 packets onto 64 KiB: exit 2, $(grep -v 'listening on' "$work/err"); nothing left"
rc=0; in_tmpfs small capture 200 2> "$work/err" || rc=$?
((rc == 0)) || fail "capture -c 200 on 64 KiB: exit $rc: $(cat "$work/err")"
grep -q "^c.pcap [0-9]" "$work/left" || fail "capture -c 200 on 64 KiB: no c.pcap: $(cat "$work/left")"
n=$(tcpdump -n -r "$work/kept/c.pcap" 2> /dev/null | wc -l)
((n == 200)) || fail "capture -c 200 on 64 KiB: tcpdump reads $n packets, not 200"
pass "capture of 200 packets onto 64 KiB: exit 0, $(cat "$work/left"), tcpdump reads 200"
