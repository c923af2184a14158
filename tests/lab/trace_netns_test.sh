#!/usr/bin/env bash
# Live test of `hairpin trace` in private namespaces (not the lab): needs root.
#
#   hptest-trace-<pid>-a 10.77.1.2 -- .1 r1 10.77.2.1 -- .2 r2 10.77.3.1 -- .2 b
#
# r1 answers TTL expiry, r2 forwards but never sends time-exceeded (the seed's
# silent hop), b is the target. Only these namespaces are touched, only their
# addresses are probed, and they are deleted on every exit path.
# Usage: trace_netns_test.sh /path/to/hairpin
set -u
HAIRPIN=${1:?usage: trace_netns_test.sh /path/to/hairpin}
SKIP=77
if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: needs root to create network namespaces and raw sockets (run ctest -L lab as root)"
  exit $SKIP
fi
for tool in ip nft python3 setpriv traceroute; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed (scripts/setup)"; exit $SKIP; }
done

P=hptest-trace-$$
A=$P-a R1=$P-r1 R2=$P-r2 B=$P-b
EA=$P-ea ER=$P-er EX=$P-ex EY=$P-ey EB=$P-eb  # the ECMP path, test 11
LISTENER_PID="" CAPTURE_PID="" MADE_ETC_NETNS=""
cleanup() {
  [ -n "$LISTENER_PID" ] && kill "$LISTENER_PID" 2>/dev/null
  [ -n "$CAPTURE_PID" ] && kill "$CAPTURE_PID" 2>/dev/null
  for ns in $A $R1 $R2 $B $EA $ER $EX $EY $EB; do ip netns del "$ns" 2>/dev/null; done
  rm -rf "/etc/netns/$A"
  [ -n "$MADE_ETC_NETNS" ] && rmdir /etc/netns 2>/dev/null
  rm -f "/tmp/$P.listener" "/tmp/$P.tcpdump" "/tmp/$P.j1" "/tmp/$P.j2"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }
in_a() { ip netns exec "$A" "$@"; }

setup() {
  for ns in $A $R1 $R2 $B; do ip netns add "$ns" || return 1; ip -n "$ns" link set lo up; done
  # ip netns exec bind-mounts /etc/netns/NS/* over /etc: a's names come from this
  # hosts file, and its resolver is a closed local port, so no lookup leaves a.
  [ -d /etc/netns ] || MADE_ETC_NETNS=1
  mkdir -p "/etc/netns/$A"
  printf '10.77.1.1 r1.hptest.invalid\n' > "/etc/netns/$A/hosts"
  printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' > "/etc/netns/$A/resolv.conf"
  ip -n "$A" link add a0 type veth peer name r1a netns "$R1" || return 1
  ip -n "$R1" link add r1b type veth peer name r2a netns "$R2" || return 1
  ip -n "$R2" link add r2b type veth peer name b0 netns "$B" || return 1
  ip -n "$A" addr add 10.77.1.2/24 dev a0
  ip -n "$R1" addr add 10.77.1.1/24 dev r1a
  ip -n "$R1" addr add 10.77.2.1/24 dev r1b
  ip -n "$R2" addr add 10.77.2.2/24 dev r2a
  ip -n "$R2" addr add 10.77.3.1/24 dev r2b
  ip -n "$B" addr add 10.77.3.2/24 dev b0
  ip -n "$A" link set a0 up; ip -n "$R1" link set r1a up; ip -n "$R1" link set r1b up
  ip -n "$R2" link set r2a up; ip -n "$R2" link set r2b up; ip -n "$B" link set b0 up
  ip -n "$A" route add default via 10.77.1.1
  ip -n "$R1" route add 10.77.3.0/24 via 10.77.2.2
  ip -n "$R2" route add 10.77.1.0/24 via 10.77.2.1
  ip -n "$B" route add default via 10.77.3.1
  ip netns exec "$R1" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.icmp_ratelimit=0
  ip netns exec "$R2" sysctl -qw net.ipv4.ip_forward=1
  # r2 is the silent hop: it forwards, but its time-exceeded never leaves.
  ip netns exec "$R2" nft -f - <<'NFT' || return 1
table ip hptest {
  chain out { type filter hook output priority 0; icmp type time-exceeded drop; }
}
NFT
  # Bounded poll: the path is up when every veth end reports carrier.
  local ends="$A:a0 $R1:r1a $R1:r1b $R2:r2a $R2:r2b $B:b0" up
  for _ in $(seq 1 50); do
    up=0
    for e in $ends; do [[ $(ip -n "${e%%:*}" -o link show dev "${e#*:}") == *LOWER_UP* ]] && up=$((up + 1)); done
    [ "$up" -eq 6 ] && return 0
    sleep 0.1
  done
  return 1
}

setup || { echo "FAIL: could not build the test namespaces"; exit 1; }

# 1. Ethr text, closed port: r1, the silent r2, then b's RST.
out=$(in_a "$HAIRPIN" trace 10.77.3.2 -p 22); rc=$?
expected_re=$'^Using destination: 10\\.77\\.3\\.2, ip: 10\\.77\\.3\\.2, port: 22\nTracing route to 10\\.77\\.3\\.2 over 30 hops:\n 1\\.\\|--10\\.77\\.1\\.1 \\[\\] {59}[0-9]+\\.[0-9]{3}(ns|us|ms)\n 2\\.\\|--\\?\\?\\?\n 3\\.\\|--10\\.77\\.3\\.2 \\[\\] {59}[0-9]+\\.[0-9]{3}(ns|us|ms)$'
if [ $rc -eq 0 ] && [[ "$out" =~ $expected_re ]]; then pass "text output, RST target"; else fail "text output (rc=$rc):"$'\n'"$out"; fi

# 2. JSON, open port: SYN-ACK, and the listener never sees a connection.
ip netns exec "$B" python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.77.3.2", 22)); s.listen(16); s.settimeout(8)
print("listening", flush=True)
try:
    c, a = s.accept(); print("ACCEPTED", a, flush=True)
except socket.timeout:
    print("no connection", flush=True)
' >"/tmp/$P.listener" 2>&1 &
LISTENER_PID=$!
for _ in $(seq 1 50); do grep -q listening "/tmp/$P.listener" 2>/dev/null && break; sleep 0.1; done
# HAIRPIN_TRACE_CAPTURE=dir also records this run (pcap on a's veth + the JSON it
# printed) as the real-capture fixture of reply_match_test: dir/netns_synack.*.
CAPTURE_PID=""
if [ -n "${HAIRPIN_TRACE_CAPTURE:-}" ]; then
  in_a tcpdump -i a0 -U -s 512 -w "$HAIRPIN_TRACE_CAPTURE/netns_synack.pcap" 'tcp or icmp' 2>"/tmp/$P.tcpdump" &
  CAPTURE_PID=$!
  for _ in $(seq 1 50); do grep -q "listening on" "/tmp/$P.tcpdump" 2>/dev/null && break; sleep 0.1; done
fi
json=$(in_a "$HAIRPIN" trace 10.77.3.2 -p 22 -q 3 --json); rc=$?
if [ -n "$CAPTURE_PID" ]; then
  sleep 0.2; kill -TERM "$CAPTURE_PID"; wait "$CAPTURE_PID"; CAPTURE_PID=""; rm -f "/tmp/$P.tcpdump"
  printf '%s\n' "$json" > "$HAIRPIN_TRACE_CAPTURE/netns_synack.json"
fi
verdict=$(python3 -c '
import json, sys
d = json.loads(sys.argv[1])
hops = [(h["ttl"], h["responder"]) for h in d["hops"]]
assert hops == [(1, "10.77.1.1"), (2, None), (3, "10.77.3.2")], hops
assert d["reached"] and d["final_ttl"] == 3 and d["schema"] == "hairpin.trace/1"
h1, h3 = d["hops"][0], d["hops"][2]
assert h1["sent"] == 3 and h1["received"] == 3, h1
assert all(p["reply"] == "time-exceeded" and p["icmp"]["type"] == 11 and p["quoted_ttl"] in (0, 1) for p in h1["probes"]), h1
assert all(p["reply"] == "syn-ack" for p in h3["probes"]), h3
assert all(p["send_time_source"] == "wire" and p["rtt_ms"] > 0 for h in (h1, h3) for p in h["probes"])
print("good")
' "$json" 2>&1)
if [ $rc -eq 0 ] && [ "$verdict" = good ]; then pass "json output, SYN-ACK target"; else fail "json (rc=$rc): $verdict"; fi
wait "$LISTENER_PID"; LISTENER_PID=""
if grep -q "no connection" "/tmp/$P.listener"; then pass "no handshake completed"; else fail "listener: $(cat /tmp/$P.listener)"; fi
rm -f "/tmp/$P.listener"

# 3. --expect-via: r1 answers before b (0); r2 never answers (1).
in_a "$HAIRPIN" trace 10.77.3.2 -p 22 --expect-via 10.77.1.1 >/dev/null; rc=$?
[ $rc -eq 0 ] && pass "--expect-via seen hop" || fail "--expect-via 10.77.1.1 exit $rc"
in_a "$HAIRPIN" trace 10.77.3.2 -p 22 --expect-via 10.77.2.2 >/dev/null 2>&1; rc=$?
[ $rc -eq 1 ] && pass "--expect-via silent hop" || fail "--expect-via 10.77.2.2 exit $rc (want 1)"

# 4. Two concurrent runs from one host do not take each other's replies.
in_a "$HAIRPIN" trace 10.77.3.2 -p 22 -q 5 --json >"/tmp/$P.j1" & j1=$!
in_a "$HAIRPIN" trace 10.77.3.2 -p 22 -q 5 --json >"/tmp/$P.j2" & j2=$!
wait $j1; r1=$?; wait $j2; r2=$?
verdict=$(python3 -c '
import json, sys
runs = [json.load(open(f)) for f in sys.argv[1:]]
assert runs[0]["nonce"] != runs[1]["nonce"] and runs[0]["source_ports"] != runs[1]["source_ports"]
for d in runs:
    hops = [(h["ttl"], h["responder"], h["sent"], h["received"]) for h in d["hops"]]
    assert hops == [(1, "10.77.1.1", 5, 5), (2, None, 5, 0), (3, "10.77.3.2", 5, 5)], hops
    for h in d["hops"]:
        for p in h["probes"]:
            assert p["source_port"] in d["source_ports"]
print("good")
' "/tmp/$P.j1" "/tmp/$P.j2" 2>&1)
rm -f "/tmp/$P.j1" "/tmp/$P.j2"
if [ $r1 -eq 0 ] && [ $r2 -eq 0 ] && [ "$verdict" = good ]; then pass "concurrent runs"; else fail "concurrent runs ($r1/$r2): $verdict"; fi

# 5. ICMP net unreachable from r1 ends the trace with !N, exit 1. A firewall reject,
# not a missing route: Linux rate-limits route errors per peer (ip_error, 1/s),
# while icmp_send() honours icmp_ratelimit=0. TTL 1 still expires at r1 first.
ip -n "$R1" route add 10.77.9.0/24 via 10.77.2.2
ip netns exec "$R1" nft -f - <<'NFT'
table ip hptest {
  chain reject_9 { type filter hook forward priority 0; ip daddr 10.77.9.0/24 reject with icmp type net-unreachable; }
}
NFT
out=$(in_a "$HAIRPIN" trace 10.77.9.9 -p 22 --wait 0.5); rc=$?
if [ $rc -eq 1 ] && [[ "$out" == *$'\n 1.|--10.77.1.1 []'*$'\n 2.|--10.77.1.1 []'*' !N'$'\n'"Destination 10.77.9.9 is not responding to TCP connection."* ]]; then
  pass "net unreachable"; else fail "net unreachable (rc=$rc):"$'\n'"$out"; fi

# 6. A silent target: ??? up to the gap limit, Ethr's closing lines, exit 1.
ip netns exec "$B" nft -f - <<'NFT'
table ip hptest {
  chain in { type filter hook input priority 0; tcp dport 23 drop; }
}
NFT
out=$(in_a "$HAIRPIN" trace 10.77.3.2 -p 23 --wait 0.3 --gap-limit 3); rc=$?
want=$' 2.|--???\n 3.|--???\n 4.|--???\nDestination 10.77.3.2 is not responding to TCP connection.\nTerminating tracing...'
if [ $rc -eq 1 ] && [[ "$out" == *"$want" ]] && [ "$(printf '%s\n' "$out" | grep -c '|--')" -eq 4 ]; then
  pass "silent target, gap limit"; else fail "silent target (rc=$rc):"$'\n'"$out"; fi

# 7. mtr mode: discovery lines, then the statistics table.
out=$(in_a "$HAIRPIN" trace 10.77.3.2 -p 22 --mtr -q 2 --interval 0.2); rc=$?
if [ $rc -eq 0 ] && [[ "$out" == *"Host: 10.77.3.2"*"Sent    Recv"* ]] && grep -Eq '^ 2\.\|--\?\?\? +- +- +- +- +- +-$' <<< "$out" \
   && grep -Eq '^ 1\.\|--10\.77\.1\.1 +2 +2 ' <<< "$out"; then
  pass "mtr mode"; else fail "mtr (rc=$rc):"$'\n'"$out"; fi

# 8. The hop list equals Debian traceroute -T's on the same path.
ref=$(in_a traceroute -T -n -q 1 -w 1 -p 22 10.77.3.2 2>/dev/null | awk 'NR > 1 { print $1, ($2 == "*" ? "-" : $2) }')
ours=$(in_a "$HAIRPIN" trace 10.77.3.2 -p 22 --json | python3 -c '
import json, sys
for h in json.load(sys.stdin)["hops"]:
    print(h["ttl"], h["responder"] or "-")')
if [ -n "$ref" ] && [ "$ref" = "$ours" ]; then pass "hops equal traceroute -T"; else
  fail "hops differ from traceroute -T:"$'\n'"traceroute: $ref"$'\n'"hairpin: $ours"; fi

# 9. --flows 3: three source ports, every hop probed on each, all on the one path.
json=$(in_a "$HAIRPIN" trace 10.77.3.2 -p 22 --flows 3 --json); rc=$?
verdict=$(python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert len(set(d["source_ports"])) == 3, d["source_ports"]
for h in d["hops"]:
    assert sorted(p["flow"] for p in h["probes"]) == [0, 1, 2], h
    assert len({p["source_port"] for p in h["probes"]}) == 3
assert [h["responder"] for h in d["hops"]] == ["10.77.1.1", None, "10.77.3.2"]
assert all(h["received"] == 3 for h in d["hops"] if h["responder"])
print("good")
' "$json" 2>&1)
if [ $rc -eq 0 ] && [ "$verdict" = good ]; then pass "--flows 3"; else fail "--flows (rc=$rc): $verdict"; fi

# 10. --resolve: Ethr's [name] from reverse lookup (a's /etc/hosts, see setup).
out=$(in_a "$HAIRPIN" trace 10.77.3.2 -p 22 --resolve); rc=$?
if [ $rc -eq 0 ] && grep -Eq '^ 1\.\|--10\.77\.1\.1 \[r1\.hptest\.invalid\] +[0-9.]+(ns|us|ms)$' <<< "$out" \
   && grep -Eq '^ 3\.\|--10\.77\.3\.2 \[\] +[0-9.]+(ns|us|ms)$' <<< "$out"; then
  pass "--resolve"; else fail "--resolve (rc=$rc):"$'\n'"$out"; fi

# 11. ECMP: ea -- er ==(x | y)== eb (target 10.88.9.9 on eb's lo). er hashes on
# the 5-tuple (fib_multipath_hash_policy=1). One flow: every probe of every TTL
# takes one branch (Paris-style: the 5-tuple never changes). --flows 8: both
# branches show up, and each flow stays on its own branch.
setup_ecmp() {
  for ns in $EA $ER $EX $EY $EB; do ip netns add "$ns" || return 1; ip -n "$ns" link set lo up; done
  ip -n "$EA" link add a0 type veth peer name ra netns "$ER" || return 1
  ip -n "$ER" link add rx type veth peer name xr netns "$EX" || return 1
  ip -n "$ER" link add ry type veth peer name yr netns "$EY" || return 1
  ip -n "$EX" link add xb type veth peer name bx netns "$EB" || return 1
  ip -n "$EY" link add yb type veth peer name by netns "$EB" || return 1
  ip -n "$EA" addr add 10.88.1.2/24 dev a0; ip -n "$ER" addr add 10.88.1.1/24 dev ra
  ip -n "$ER" addr add 10.88.2.1/24 dev rx; ip -n "$EX" addr add 10.88.2.2/24 dev xr
  ip -n "$ER" addr add 10.88.3.1/24 dev ry; ip -n "$EY" addr add 10.88.3.2/24 dev yr
  ip -n "$EX" addr add 10.88.5.1/24 dev xb; ip -n "$EB" addr add 10.88.5.2/24 dev bx
  ip -n "$EY" addr add 10.88.6.1/24 dev yb; ip -n "$EB" addr add 10.88.6.2/24 dev by
  ip -n "$EB" addr add 10.88.9.9/32 dev lo
  local l
  for l in "$EA a0" "$ER ra" "$ER rx" "$ER ry" "$EX xr" "$EX xb" "$EY yr" "$EY yb" "$EB bx" "$EB by"; do
    set -- $l; ip -n "$1" link set "$2" up
  done
  ip -n "$EA" route add default via 10.88.1.1
  ip netns exec "$ER" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.fib_multipath_hash_policy=1 net.ipv4.icmp_ratelimit=0
  ip -n "$ER" route add 10.88.9.9/32 nexthop via 10.88.2.2 nexthop via 10.88.3.2 || return 1
  for ns in $EX $EY; do
    ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.icmp_ratelimit=0
    ip -n "$ns" route add 10.88.1.0/24 via "10.88.$([ "$ns" = "$EX" ] && echo 2 || echo 3).1"
  done
  ip -n "$EX" route add 10.88.9.9/32 via 10.88.5.2
  ip -n "$EY" route add 10.88.9.9/32 via 10.88.6.2
  ip -n "$EB" route add default via 10.88.5.1
  for ns in $EB $ER $EX $EY; do ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0; done
  local up
  for _ in $(seq 1 50); do
    up=$(for ns in $EA $ER $EX $EY $EB; do ip -n "$ns" -o link show; done | grep -c LOWER_UP)
    [ "$up" -ge 15 ] && return 0   # 10 veth ends + 5 lo
    sleep 0.1
  done
  return 1
}
ecmp_check() {  # ecmp_check FLOWS: prints "good" or why not
  ip netns exec "$EA" "$HAIRPIN" trace 10.88.9.9 -p 22 -q 10 --flows "$1" --json | python3 -c '
import json, sys
flows = int(sys.argv[1])
d = json.load(sys.stdin)
assert d["reached"] and d["final_ttl"] == 3, (d["reached"], d["final_ttl"])
hop2 = d["hops"][1]
seen = {p["responder"] for p in hop2["probes"] if p["reply"]}
per_flow = {}
for p in hop2["probes"]:
    if p["reply"]:
        per_flow.setdefault(p["flow"], set()).add(p["responder"])
assert all(len(r) == 1 for r in per_flow.values()), ("a flow changed branch", per_flow)
if flows == 1:
    assert len(seen) == 1 and hop2["other_responders"] == [], ("one flow, several branches", seen)
else:
    assert seen == {"10.88.2.2", "10.88.3.2"}, ("not both branches", seen)
print("good")
' "$1" 2>&1
}
if setup_ecmp; then
  verdict=$(ecmp_check 1)
  [ "$verdict" = good ] && pass "one flow stays on one ECMP branch (Paris)" || fail "ECMP, one flow: $verdict"
  # Eight flows miss a branch with probability 2/256; three tries make a flake ~1e-6.
  for _ in 1 2 3; do verdict=$(ecmp_check 8); [ "$verdict" = good ] && break; done
  [ "$verdict" = good ] && pass "--flows 8 sees both ECMP branches" || fail "ECMP, 8 flows: $verdict"
else
  fail "could not build the ECMP namespaces"
fi

# 12. Could not run: exit 2 with one line.
check_usage() {
  local name=$1; shift
  local err; err=$("$@" 2>&1 >/dev/null); local rc=$?
  if [ $rc -eq 2 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ]; then pass "$name"; else fail "$name (rc=$rc): $err"; fi
}
check_usage "-q 0" in_a "$HAIRPIN" trace 10.77.3.2 -q 0
check_usage "bad port" in_a "$HAIRPIN" trace 10.77.3.2 -p 70000
check_usage "unknown host" in_a "$HAIRPIN" trace no-such-host.invalid
ip -n "$A" route del default
check_usage "no route" in_a "$HAIRPIN" trace 10.77.3.2
ip -n "$A" route add default via 10.77.1.1
check_usage "not root" in_a setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$HAIRPIN" trace 10.77.3.2
# ... while CAP_NET_RAW alone (no root, no CAP_NET_ADMIN) is enough to trace.
out=$(in_a setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all,+net_raw --ambient-caps=+net_raw \
      "$HAIRPIN" trace 10.77.3.2 -p 22); rc=$?
if [ $rc -eq 0 ] && [[ "$out" =~ $expected_re ]]; then pass "CAP_NET_RAW is enough"; else fail "CAP_NET_RAW only (rc=$rc):"$'\n'"$out"; fi

if [ $failures -ne 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "all trace namespace checks passed"
