#!/usr/bin/env bash
# Interop (label `lab`): our NVA daemon against ExaBGP playing the odd peers a
# real deployment may meet, one ExaBGP process with four sessions:
#   .11 AS 65020, 2-octet only (no 4-octet capability): its 4-octet path and
#       aggregator come as AS_TRANS 23456 plus AS4_PATH / AS4_AGGREGATOR, and what
#       we send it must too;
#   .12 AS 4200000012 (4-octet, AS_TRANS in its OPEN), offering capabilities we do
#       not implement (add-path, graceful-restart, extended message, operational,
#       AIGP, extended next hop): we must ignore them and come up (ExaBGP refuses
#       any peer without multi-session once it offers it, NOTIFICATION 2/9
#       "Grouping Required", so that one is not offered); it sends communities,
#       large communities and an unknown optional transitive attribute (type
#       245) that we must carry through;
#   .13 AS 65030, hold time 0: no keepalives either way, the session stays;
#   .14 AS 65040, hold time 3 s: we must keepalive every second, the session stays;
#   .15 AS 65050, sends malformed attributes through ExaBGP's generic attribute
#       syntax: RFC 7606 says which are treat-as-withdraw (the route goes, the
#       session stays), attribute discard, or carried on (unknown transitive).
# Private namespaces hptest-bgp-io-nva / hptest-bgp-io-exabgp joined by a veth; the
# root namespace is never touched. ExaBGP's API process writes every event it sees
# (state changes, parsed UPDATEs, NOTIFICATIONs) to a file: that is the peers' view.
# Also checked: ROUTE-REFRESH from a peer re-sends our table; a peer's teardown
# (Cease) is followed by recovery and re-advertisement.
# Usage: interop/exabgp_test.sh PATH/TO/hairpin    (root; exits 77 = skipped otherwise)
set -euo pipefail

hairpin=${1:?usage: interop/exabgp_test.sh PATH/TO/hairpin}
source "$(dirname "$0")/../lib/netns_pair.sh"
skip_unless_root
command -v exabgp >/dev/null || { echo "SKIP: exabgp not installed (scripts/setup installs it)"; exit 77; }

work=$(mktemp -d /tmp/hptest-bgp-io-XXXXXX)
NS_N=hptest-bgp-io-nva
NS_E=hptest-bgp-io-exabgp
nva_pid=""
exabgp_pid=""
cleanup() {
  set +e
  stop_pids "$nva_pid" "$exabgp_pid"
  pair_down "$NS_N" "$NS_E"
  [[ -n ${KEEP:-} ]] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT

pair_up "$NS_N" veth-nva "$NS_E" veth-exabgp
ip -n "$NS_N" addr add 10.99.5.2/24 dev veth-nva
for a in 11 12 13 14 15; do ip -n "$NS_E" addr add 10.99.5.$a/24 dev veth-exabgp; done

cat > "$work/nva.frr" <<'CFG'
frr defaults traditional
ip route 10.0.0.0/8 blackhole
router bgp 65001
 bgp router-id 10.99.5.2
 no bgp ebgp-requires-policy
 neighbor 10.99.5.11 remote-as 65020
 neighbor 10.99.5.12 remote-as 4200000012
 neighbor 10.99.5.13 remote-as 65030
 neighbor 10.99.5.14 remote-as 65040
 neighbor 10.99.5.15 remote-as 65050
 address-family ipv4 unicast
  network 10.0.0.0/8
 exit-address-family
exit
CFG

# The API process: ExaBGP's events (JSON, one per line) to exabgp.events; lines
# appended to exabgp.cmd become API commands.
cat > "$work/api.py" <<'PY'
import sys, threading, time
work = sys.argv[1]
def commands():
    pos, pending = 0, ""
    while True:
        try:
            with open(work + "/exabgp.cmd") as f:
                f.seek(pos); pending += f.read(); pos = f.tell()
        except FileNotFoundError:
            pass
        *lines, pending = pending.split("\n")
        for line in lines:
            sys.stdout.write(line + "\n"); sys.stdout.flush()
        time.sleep(0.1)
threading.Thread(target=commands, daemon=True).start()
with open(work + "/exabgp.events", "a", buffering=1) as out:
    for line in sys.stdin:
        out.write(line)
PY

neighbor() {  # neighbor LAST-OCTET LOCAL-AS HOLD CAPABILITIES ROUTE
  cat <<EXA
neighbor 10.99.5.2 {
  router-id 10.99.5.$1;
  local-address 10.99.5.$1;
  local-as $2;
  peer-as 65001;
  hold-time $3;
  capability { $4 }
  family { ipv4 unicast; }
  static { $5 }
  api { processes [ ctl ]; neighbor-changes; receive { parsed; update; notification; open; } }
}
EXA
}
{
  echo "process ctl { run /usr/bin/python3 $work/api.py $work; encoder json; }"
  neighbor 11 65020 180 'asn4 disable; route-refresh enable;' \
    'route 10.51.0.0/16 next-hop self as-path [ 65020 4200000001 ] aggregator ( 4200000001:10.0.0.1 );'
  neighbor 12 4200000012 180 'route-refresh enable; add-path send/receive; graceful-restart 120; extended-message enable; multi-session disable; operational enable; aigp enable; nexthop enable;' \
    'route 10.52.0.0/16 next-hop self as-path [ 4200000012 4200000002 ] community [ 65012:1 65012:2 ] large-community [ 4200000012:1:2 ] attribute [ 0xf5 0xc0 0x0102030405 ];'
  neighbor 13 65030 0 'route-refresh enable;' 'route 10.53.0.0/16 next-hop self as-path [ 65030 ];'
  neighbor 14 65040 3 'route-refresh enable;' 'route 10.54.0.0/16 next-hop self as-path [ 65040 ];'
  neighbor 15 65050 180 'route-refresh enable;' ''
} > "$work/exabgp.conf"

ip netns exec "$NS_N" "$hairpin" nva --config "$work/nva.frr" --control-socket "$work/nva.sock" > "$work/nva.out" 2> "$work/nva.log" &
nva_pid=$!
ip netns exec "$NS_E" env exabgp.daemon.drop=false exabgp.daemon.daemonize=false exabgp.api.ack=false \
  exabgp.tcp.bind= exabgp "$work/exabgp.conf" > "$work/exabgp.out" 2>&1 &
exabgp_pid=$!

fail() {
  echo "FAIL: $*"
  echo "--- NVA log"; cat "$work/nva.log"
  echo "--- ExaBGP"; grep -v "cli\|welcome\|version\|interpreter\|os  \|installation" "$work/exabgp.out" | tail -30
  exit 1
}
# peer_view CHECK [ARGS]: evaluates the peers' view (exabgp.events) in Python; see
# the functions below. Exit 0 when the check holds.
peer_view() { python3 - "$work/exabgp.events" "$@" <<'PY'
import json, sys
events = []
for line in open(sys.argv[1]):
    try:
        events.append(json.loads(line))
    except ValueError:
        pass
check, args = sys.argv[2], sys.argv[3:]
def local(e):
    return e.get("neighbor", {}).get("address", {}).get("local")
def state(peer):  # the last state ExaBGP reported for the session from 10.99.5.<peer>
    s = [e["neighbor"].get("state") for e in events if e.get("type") == "state" and local(e) == "10.99.5." + peer]
    return s[-1] if s else None
def announces(peer, prefix):  # every announcement of prefix this peer received
    out = []
    for e in events:
        if e.get("type") != "update" or local(e) != "10.99.5." + peer:
            continue
        u = e["neighbor"]["message"].get("update", {})  # End-of-RIB has none
        for nh, nlri in u.get("announce", {}).get("ipv4 unicast", {}).items():
            for n in nlri:
                if n.get("nlri") == prefix:
                    out.append(dict(u.get("attribute", {}), next_hop=nh))
    return out
if check == "up":
    sys.exit(0 if state(args[0]) == "up" else 1)
if check == "count":  # count PEER PREFIX: print how many times it was announced
    print(len(announces(args[0], args[1])))
    sys.exit(0)
if check == "route":  # route PEER PREFIX KEY=JSON...: the last announcement matches
    got = announces(args[0], args[1])
    if not got:
        sys.exit(1)
    for kv in args[2:]:
        k, v = kv.split("=", 1)
        if got[-1].get(k) != json.loads(v):
            print(f"{k}: {got[-1].get(k)!r}, expected {v}", file=sys.stderr)
            sys.exit(1)
    sys.exit(0)
sys.exit(2)
PY
}
export -f peer_view
export work
cmd() { echo "$*" >> "$work/exabgp.cmd"; }
show() { "$hairpin" bgp show "$@" --socket "$work/nva.sock"; }

for p in 11 12 13 14 15; do
  wait_for 30 "session with 10.99.5.$p up (ExaBGP's view)" peer_view up $p
done
summary=$(show summary --json)
[[ $(grep -c '"state": "Established"' <<<"$summary") -eq 5 ]] || fail "bgp show summary: not 5 Established: $summary"
grep -q '10.99.5.13: Established (AS 65030, hold 0 s' "$work/nva.log" || fail "hold time 0 was not negotiated with .13"
grep -q '10.99.5.14: Established (AS 65040, hold 3 s' "$work/nva.log" || fail "hold time 3 was not negotiated with .14"
grep -q '10.99.5.12: Established (AS 4200000012' "$work/nva.log" || fail "4-octet AS 4200000012 not negotiated"
echo "ok: 5 sessions Established (2-octet peer, unknown capabilities, hold 0, hold 3, malformed sender)"

# Every peer receives the supernet with our AS alone, next hop the NVA.
for p in 11 12 13 14; do
  wait_for 10 "10.99.5.$p received 10.0.0.0/8" peer_view route $p 10.0.0.0/8
  peer_view route $p 10.0.0.0/8 'as-path=[65001]' 'next_hop="10.99.5.2"' || fail "10.0.0.0/8 at 10.99.5.$p: wrong path or next hop"
done
echo "ok: every peer holds 10.0.0.0/8 via 10.99.5.2, path 65001"

# The 2-octet peer's 4-octet path (AS_PATH 65020 23456 + AS4_PATH) is merged by us
# (RFC 6793 4.2.3) and goes on to the 4-octet peer as one 4-octet AS_PATH.
wait_for 10 "NVA accepted 10.51.0.0/16" grep -q 'rib: 10.51.0.0/16 via 10.99.5.11' "$work/nva.log"
show routes --json | grep -c '65020 4200000001' >/dev/null || fail "our RIB does not hold the merged path 65020 4200000001: $(show routes --json)"
wait_for 10 ".12 received 10.51.0.0/16" peer_view route 12 10.51.0.0/16
peer_view route 12 10.51.0.0/16 'as-path=[65001, 65020, 4200000001]' 'aggregator="4200000001:10.0.0.1"' ||
  fail "10.51.0.0/16 at .12: AS4_PATH or AS4_AGGREGATOR not merged"
echo "ok: AS4_PATH and AS4_AGGREGATOR from the 2-octet peer merged, sent on as 65001 65020 4200000001, aggregator 4200000001"

# The other way: the 4-octet path with communities reaches the 2-octet peer as
# AS_TRANS + AS4_PATH (ExaBGP merges them back), communities intact.
wait_for 10 ".11 received 10.52.0.0/16" peer_view route 11 10.52.0.0/16
peer_view route 11 10.52.0.0/16 'as-path=[65001, 4200000012, 4200000002]' \
  'community=[[65012, 1], [65012, 2]]' 'large-community=[[4200000012, 1, 2]]' \
  'attribute-0xF5-0xE0="0x0102030405"' ||
  fail "10.52.0.0/16 at the 2-octet peer: path, communities or the unknown transitive attribute not carried through"
echo "ok: 4-octet path reached the 2-octet peer via AS_TRANS/AS4_PATH; communities, large communities and an unknown transitive attribute (type 245) carried"

# Hold 3 s: we keepalive every second; hold 0: nobody does. Both stay up past
# several hold times (observed for 8 s, checked every 0.5 s).
for _ in $(seq 16); do
  peer_view up 14 && peer_view up 13 || fail "a session with hold time 0 or 3 s went down"
  sleep 0.5
done
grep -q '10.99.5.1[34]: left Established' "$work/nva.log" && fail "the NVA dropped a hold 0 / 3 s session"
echo "ok: hold 3 s and hold 0 sessions stay up"

# ROUTE-REFRESH from .13: we re-send our table to it.
before=$(peer_view count 13 10.0.0.0/8)
cmd "neighbor 10.99.5.2 local-ip 10.99.5.13 announce route-refresh ipv4 unicast"
wait_for 10 "NVA answered .13's route refresh" grep -q '10.99.5.13: route refresh requested' "$work/nva.log"
wait_for 10 ".13 received 10.0.0.0/8 again after its route refresh" \
  bash -c "[[ \$(peer_view count 13 10.0.0.0/8) -gt $before ]]"
echo "ok: route refresh from a peer re-sends our table"

# .11 tears the session down (Cease): we see it, ExaBGP reconnects, routes return.
before=$(peer_view count 11 10.0.0.0/8)
cmd "neighbor 10.99.5.2 local-ip 10.99.5.11 teardown 2"
wait_for 10 "NVA saw .11 go down" grep -q '10.99.5.11: left Established' "$work/nva.log"
wait_for 10 "10.51.0.0/16 removed with .11's session" grep -q 'rib: 10.51.0.0/16 removed' "$work/nva.log"
wait_for 60 ".11 re-established" bash -c "[[ \$(grep -c '10.99.5.11: Established' '$work/nva.log') -ge 2 ]]"
wait_for 10 "10.0.0.0/8 re-advertised to .11" bash -c "[[ \$(peer_view count 11 10.0.0.0/8) -gt $before ]]"
wait_for 10 "NVA re-learned 10.51.0.0/16" bash -c "[[ \$(grep -c 'rib: 10.51.0.0/16 via 10.99.5.11' '$work/nva.log') -ge 2 ]]"
echo "ok: peer teardown, session recovered, routes both ways again"

# RFC 7606 from .15, each UPDATE one prefix with one thing wrong. The session must
# stay up through all of them (no NOTIFICATION), and:
#   treat-as-withdraw: COMMUNITIES of 3 octets (7.8), MED of 3 octets (7.4), AS 0
#     in AS_PATH (RFC 7607): the prefix is not installed; announced first with good
#     attributes, a malformed re-announcement withdraws it;
#   attribute discard: ATOMIC_AGGREGATE of 1 octet (7.6): installed without it;
#   unknown optional transitive attribute 0xF0: installed and passed on to .12
#     with the Partial bit set (RFC 4271 5).
announce15() { cmd "neighbor 10.99.5.2 local-ip 10.99.5.15 announce route $1 next-hop self $2"; }
in_rib() { grep -q "\"$1\"" <<< "$(show routes --json)"; }  # no pipe: grep -q cannot SIGPIPE the writer
not_in_rib() { ! in_rib "$1"; }
announce15 10.55.1.0/24 'as-path [ 65050 ]'
wait_for 10 "10.55.1.0/24 installed before its malformed re-announcement" in_rib 10.55.1.0/24
announce15 10.55.1.0/24 'as-path [ 65050 ] attribute [ 0x08 0xc0 0x010203 ]'
announce15 10.55.2.0/24 'as-path [ 65050 ] attribute [ 0x04 0x80 0x000001 ]'
announce15 10.55.3.0/24 'as-path [ 65050 0 65051 ]'
announce15 10.55.4.0/24 'as-path [ 65050 ] attribute [ 0x06 0x40 0x00 ]'
announce15 10.55.5.0/24 'as-path [ 65050 ] attribute [ 0xf0 0xc0 0xcafe ]'
wait_for 10 "10.55.5.0/24 (unknown transitive attribute) installed" in_rib 10.55.5.0/24
# Positive control for every "not installed" below: the NVA's own log names the
# prefix, the RFC 7606 action it took and why, so each malformed UPDATE is known to
# have arrived and been judged (not merely not yet seen).
nva_action() {  # nva_action PREFIX ACTION: the NVA logged ACTION for the UPDATE carrying PREFIX
  local hits
  hits=$(grep -cE "10\.99\.5\.15: .*, $2\]; UPDATE for( [0-9./]+)* ${1//./\\.}( |\$)" "$work/nva.log" || true)
  ((hits > 0))
}
wait_for 10 "NVA logged treat-as-withdraw for 10.55.1.0/24 (COMMUNITIES of 3 octets)" nva_action 10.55.1.0/24 treat-as-withdraw
wait_for 10 "NVA logged treat-as-withdraw for 10.55.2.0/24 (MED of 3 octets)" nva_action 10.55.2.0/24 treat-as-withdraw
wait_for 10 "NVA logged treat-as-withdraw for 10.55.3.0/24 (AS 0 in AS_PATH)" nva_action 10.55.3.0/24 treat-as-withdraw
wait_for 10 "NVA logged attribute-discard for 10.55.4.0/24 (ATOMIC_AGGREGATE of 1 octet)" nva_action 10.55.4.0/24 attribute-discard
grep -c 'COMMUNITIES.*treat-as-withdraw\]; UPDATE for 10\.55\.1\.0/24' "$work/nva.log" > /dev/null ||
  fail "the treat-as-withdraw logged for 10.55.1.0/24 does not name COMMUNITIES"
grep -cE 'AS 0.*treat-as-withdraw\]; UPDATE for 10\.55\.3\.0/24' "$work/nva.log" > /dev/null ||
  fail "the treat-as-withdraw logged for 10.55.3.0/24 does not name AS 0"
echo "ok: the NVA logged each malformed UPDATE with its prefix and RFC 7606 action"
wait_for 10 "10.55.1.0/24 withdrawn by its malformed COMMUNITIES" not_in_rib 10.55.1.0/24
in_rib 10.55.2.0/24 && fail "10.55.2.0/24 with a 3-octet MED was installed (RFC 7606 7.4: treat-as-withdraw)"
in_rib 10.55.3.0/24 && fail "10.55.3.0/24 with AS 0 in its path was installed (RFC 7607: treat-as-withdraw)"
in_rib 10.55.4.0/24 || fail "10.55.4.0/24 with a bad ATOMIC_AGGREGATE was dropped (RFC 7606 7.6: attribute discard)"
peer_view up 15 || fail "a malformed attribute reset the session with .15 (RFC 7606: no reset for these)"
grep -q '10.99.5.15: left Established' "$work/nva.log" && fail "the NVA dropped .15 over a malformed attribute"
wait_for 10 ".12 received 10.55.5.0/24" peer_view route 12 10.55.5.0/24
python3 - "$work/exabgp.events" <<'PY' || fail "10.55.5.0/24 reached .12 without attribute 0xF0 marked Partial"
import json, sys
for line in open(sys.argv[1]):
    if "10.55.5.0/24" in line and '"10.99.5.12"' in line:
        attrs = json.loads(line)["neighbor"]["message"]["update"].get("attribute", {})
        # ExaBGP names a generic attribute by code and flags: 0xE0 = optional, transitive, partial
        sys.exit(0 if any(k.lower().startswith("attribute-0xf0-0xe0") for k in attrs) else 1)
sys.exit(1)
PY
echo "ok: RFC 7606: treat-as-withdraw, attribute discard and an unknown transitive attribute, session kept"

kill -TERM "$nva_pid"
wait "$nva_pid" || fail "hairpin nva exited non-zero on SIGTERM"
nva_pid=""
wait_for 10 "ExaBGP saw our Cease" grep -qi 'cease\|administrative' "$work/exabgp.events"
echo "ok: SIGTERM sent Cease"
[[ -n ${VERBOSE:-} ]] && { echo "--- NVA log"; cat "$work/nva.log"; }
echo PASS
