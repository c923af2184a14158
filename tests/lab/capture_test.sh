#!/usr/bin/env bash
# hairpin capture + analyze in the seed lab: during hairpin trace each way, a
# capture on the NVA's eth0 shows every probe that reached the destination entering
# and leaving the NVA (TTL one less) and its answer coming back through; the file
# is a valid pcap for tcpdump and tshark after SIGINT and SIGTERM. With
# nva-noforward the probes enter and never leave; with no-udr they never arrive.
# Also the capture's mistakes: missing interface, bad filter, full disk.
cd "$(dirname "$0")/../.."  # the repository: lab up finds fixtures/ from here, whatever the build dir
source tests/lab/lib.sh

WORK=$(mktemp -d)
cap_pid=""
trap '[ -n "$cap_pid" ] && kill "$cap_pid" 2>/dev/null; rm -rf "$WORK" "$LOG"; cleanup' EXIT
NVA_MAC=02:00:0a:00:00:04

# capture_during NAME SIGNAL SRC DST [trace args]: capture on the NVA with --probes
# while SRC traces DST; stop the capture with SIGNAL; leave $WORK/NAME.{pcap,json}.
capture_during() {
  local name=$1 sig=$2 src=$3 dst=$4; shift 4
  "$HAIRPIN" lab exec vm-hub00 -- "$HAIRPIN" capture -i "${CAP_IFACE:-eth0}" --probes -w "$WORK/$name.pcap" \
    2> "$WORK/$name.capture.log" &
  cap_pid=$!
  local ready=false
  for _ in $(seq 100); do  # bounded: the temporary file appears once the capture is active
    compgen -G "$WORK/.$name.pcap.hairpin-tmp.*" >/dev/null && { ready=true; break; }
    sleep 0.05
  done
  $ready || fail "$name: capture did not start: $(cat "$WORK/$name.capture.log")"
  # The trace exits 1 when it does not reach (the fault cases); the JSON must be there.
  "$HAIRPIN" lab exec "$src" -- "$HAIRPIN" trace -p 22 --json "$@" "$dst" > "$WORK/$name.json" || true
  python3 -c 'import json, sys; json.load(open(sys.argv[1]))["hops"]' "$WORK/$name.json" 2> /dev/null ||
    fail "$name: the trace from $src to $dst did not run: $(head -c 300 "$WORK/$name.json")"
  # CONTROL_DST: a second trace in the same capture, to a target the fault leaves
  # reachable through the NVA: the positive control for a "never arrives".
  if [ -n "${CONTROL_DST:-}" ]; then
    "$HAIRPIN" lab exec "$src" -- "$HAIRPIN" trace -p 22 --json "$CONTROL_DST" > "$WORK/$name.control.json" ||
      fail "$name: the control trace from $src to $CONTROL_DST failed"
  fi
  sleep 0.3  # the last answers cross the NVA after the trace has them
  kill "-$sig" "$cap_pid"
  wait "$cap_pid" || fail "$name: capture exited $? after SIG$sig: $(cat "$WORK/$name.capture.log")"
  cap_pid=""
  [ -f "$WORK/$name.pcap" ] || fail "$name: no file after SIG$sig"
  ! compgen -G "$WORK/.$name.pcap.hairpin-tmp.*" >/dev/null || fail "$name: temporary file left behind"
  tcpdump -nr "$WORK/$name.pcap" >/dev/null 2>&1 || fail "$name: tcpdump cannot read the file"
  local ours theirs
  ours=$(sed -n 's/^\([0-9]*\) packets captured$/\1/p' "$WORK/$name.capture.log")
  theirs=$(tshark -r "$WORK/$name.pcap" 2>/dev/null | wc -l)
  [ "$ours" = "$theirs" ] || fail "$name: capture says $ours packets, tshark reads $theirs"
  grep -q "^0 packets dropped by kernel$" "$WORK/$name.capture.log" || fail "$name: kernel drops: $(cat "$WORK/$name.capture.log")"
  pass "$name: valid pcap after SIG$sig ($ours packets, tshark agrees)"
}

# check PY_EXPR NAME: evaluate a Python expression over the analysis `a` and trace `t`.
check() {
  python3 - "$WORK/$2.analysis.json" "$WORK/$2.json" "$1" <<'EOF' || fail "$2: $1"
import json, sys
a = json.load(open(sys.argv[1]))
t = json.load(open(sys.argv[2]))
tr = a["traces"][0]
d = {(x["src"], x["dst"]): x for x in a["directions"]}
src, dst = t["source_ip"], t["target_ip"]
ok = eval(sys.argv[3])
if not ok:
    print(json.dumps(a, indent=1)[:3000], file=sys.stderr)
sys.exit(0 if ok else 1)
EOF
}

analyze() {  # analyze NAME: --json analysis with the trace, exit code kept in $WORK/NAME.rc
  local rc=0
  "$HAIRPIN" analyze --nva-mac "$NVA_MAC" --trace "$WORK/$1.json" --json "$WORK/$1.pcap" > "$WORK/$1.analysis.json" || rc=$?
  echo "$rc" > "$WORK/$1.rc"
}

lab_up
for dir in "a_to_b vm-hub100 10.200.0.4 INT" "b_to_a vm-hub200 10.100.0.4 TERM"; do
  set -- $dir
  capture_during "$1" "$4" "$2" "$3"
  analyze "$1"
  [ "$(cat "$WORK/$1.rc")" = 0 ] || fail "$1: analyze exited $(cat "$WORK/$1.rc")"
  check 'tr["reached"] >= 1 and tr["reached_proven"] == tr["reached"]' "$1"
  check 'all(p["entered"] and p["left"] and p["ttl_out"] == p["ttl_in"] - 1 and p["reply_entered"] and p["reply_left"]
             for p in tr["probes"] if p["reply"] in ("syn-ack", "rst"))' "$1"
  check 'd[(src, dst)]["flows_in"] == 1 and d[(src, dst)]["flows_out"] == 1 and d[(src, dst)]["unmatched"] == 0' "$1"
  check 'd[(dst, src)]["flows_out"] == 1' "$1"  # the answers come back through the NVA
  pass "$1: every probe that reached $3 entered and left the NVA, TTL one less, and its answer too"
  # Learned without --nva-mac: the only MAC that forwards.
  text=$("$HAIRPIN" analyze "$WORK/$1.pcap") || fail "$1: analyze without --nva-mac failed: $text"
  grep -q "^NVA: MAC $NVA_MAC (learned" <<< "$text" || fail "$1: NVA MAC not learned: $text"
done
# On "any" (Linux cooked capture, two copies per forwarded packet on eth0): the same
# proof from the kernel's packet direction, and no kernel drops (ring slots sized for it).
CAP_IFACE=any capture_during any_a_to_b INT vm-hub100 10.200.0.4
analyze any_a_to_b
check 'tr["reached"] >= 1 and tr["reached_proven"] == tr["reached"] and d[(src, dst)]["unmatched"] == 0' any_a_to_b
check 'a["link_types"] == {"113": a["frames"]["total"]}' any_a_to_b
pass "-i any: every probe that reached 10.200.0.4 entered and left the NVA (cooked capture)"

# Text output names the direction and the probes.
text=$("$HAIRPIN" analyze --trace "$WORK/a_to_b.json" "$WORK/a_to_b.pcap") || fail "analyze text output failed: $text"
grep -q "^10.100.0.4 -> 10.200.0.4:$" <<< "$text" || fail "text output lacks the direction: $text"
pass "analyze text output"

# Mistakes: one line each, exit 2.
out=$("$HAIRPIN" lab exec vm-hub00 -- "$HAIRPIN" capture -i eth7 -w "$WORK/x.pcap" 2>&1) && fail "missing interface accepted"
grep -q "eth7: no such interface; interfaces here: .*eth0" <<< "$out" || fail "missing interface: $out"
out=$("$HAIRPIN" lab exec vm-hub00 -- "$HAIRPIN" capture -i eth0 -f "tcp prot 22" -w "$WORK/x.pcap" 2>&1) && fail "bad filter accepted"
grep -q "filter 'tcp prot 22': bad filter: " <<< "$out" || fail "bad filter: $out"
out=$("$HAIRPIN" lab exec vm-hub00 -- "$HAIRPIN" capture -i eth0 -w "$WORK/no/such/dir/x.pcap" 2>&1) && fail "unwritable path accepted"
grep -q "directory does not exist" <<< "$out" || fail "unwritable path: $out"
out=$("$HAIRPIN" lab exec vm-hub00 -- setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
      "$HAIRPIN" capture -i eth0 -w /tmp/hairpin-capture-notroot.pcap 2>&1) && fail "not root accepted"
grep -q "capturing needs root (or CAP_NET_RAW" <<< "$out" || fail "not root: $out"
[ ! -e /tmp/hairpin-capture-notroot.pcap ] || fail "not root left a file"
# Full disk: a 16 KiB tmpfs in a private mount namespace (the root's mounts are untouched).
mkdir "$WORK/full"
out=$(unshare -m --propagation private sh -c "mount -t tmpfs -o size=16k tmpfs '$WORK/full' &&
  { '$HAIRPIN' lab exec vm-hub00 -- '$HAIRPIN' capture -i eth0 -w '$WORK/full/x.pcap' -d 4 & c=\$!;
    '$HAIRPIN' lab exec vm-hub100 -- ping -c 40 -i 0.05 -s 1000 -q 10.200.0.4 >/dev/null; wait \$c; echo rc=\$?;
    echo files=\$(ls -A '$WORK/full'); }" 2>&1) || true
grep -q "No space left on device; no file written" <<< "$out" || fail "full disk: $out"
grep -q "^rc=2$" <<< "$out" || fail "full disk: exit code: $out"
grep -q "^files=$" <<< "$out" || fail "full disk left a file: $out"
pass "missing interface, bad filter, unwritable path, not root, full disk: one line, exit 2, no file"

# nva-noforward: the probes enter the NVA and never leave.
lab_up --fault nva-noforward
capture_during noforward INT vm-hub100 10.200.0.4 -m 6
analyze noforward
# Positive control: the probes that must not leave did arrive (entered), at least 4 of them.
check 'len([p for p in tr["probes"] if p["ttl"] >= 2]) >= 4' noforward
check 'tr["reached"] == 0 and all(p["entered"] and not p["left"] for p in tr["probes"] if p["ttl"] >= 2)' noforward
check 'd[(src, dst)]["flows_in"] == 1 and d[(src, dst)]["flows_out"] == 0 and d[(src, dst)]["unmatched"] >= 4' noforward
pass "nva-noforward: probes enter the NVA and never leave"

# no-udr: the probes never reach the NVA.
lab_up --fault no-udr
# Positive control in the same capture: a trace to the NVA itself (no UDR needed)
# does arrive, so the capture was watching; and the probes were sent.
CONTROL_DST=10.0.0.4 capture_during noudr INT vm-hub100 10.200.0.4 -m 6
analyze noudr
check 'len(tr["probes"]) >= 5' noudr
check 'not any(p["entered"] for p in tr["probes"]) and (src, dst) not in d' noudr
"$HAIRPIN" analyze --nva-mac "$NVA_MAC" --trace "$WORK/noudr.control.json" --json "$WORK/noudr.pcap" \
  > "$WORK/noudr_control.analysis.json" || true
cp "$WORK/noudr.control.json" "$WORK/noudr_control.json"
check 'any(p["entered"] for p in tr["probes"])' noudr_control
pass "no-udr: no probe arrives at the NVA (while probes to the NVA itself, in the same capture, do)"
