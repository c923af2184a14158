#!/usr/bin/env bash
# Differential (label `lab`): FRR bgpd and our NVA, given the same config file and
# fed the same routes by the same peer, must end with the same accepted and the
# same advertised sets.
#
# Two identical pairs of private namespaces, hptest-bgp-df-{bird,frr} and
# hptest-bgp-df-{bird2,nva}, with the same addresses on each link, so FRR and the
# NVA read byte-identical configs and BIRD peers with identical configs. In each
# pair BIRD plays two peers of the NVA (AS 65001, the seed's as-path lists and
# route-maps, verbatim from fixtures/configs/nva-seed.frr):
#   ars  (AS 65515): 172.16.N.0/24 on (172.16.0.0/14) with AS path "65515 <path N>": judged by
#        rmap-bogon-asns in. Accepted = in the receiver's BGP table.
#   site (AS 65100): 172.20.N.0/24 on (172.20.0.0/14) with AS path "65100 <path N>": accepted, then
#        judged by rmap-azure-asns out towards ars. Advertised = what BIRD's ars
#        protocol received (the peer's view), with its AS path and next hop.
# The paths: the seed's bogon edge cases plus 300 generated ones (AS 0, AS_TRANS,
# the 2-octet and 4-octet private and reserved ranges, 65515 anywhere, repeats),
# fixed by a seed so a failure reproduces.
# Usage: interop/frr_policy_live_test.sh PATH/TO/hairpin   (root; exits 77 = skipped otherwise)
set -euo pipefail

hairpin=${1:?usage: interop/frr_policy_live_test.sh PATH/TO/hairpin}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/netns_pair.sh"
skip_unless_root
[[ -x /usr/lib/frr/bgpd ]] || { echo "SKIP: FRR bgpd not installed (scripts/setup)"; exit 77; }
command -v bird > /dev/null || { echo "SKIP: BIRD not installed (scripts/setup)"; exit 77; }

fixtures=$here/../../fixtures
work=$(mktemp -d /tmp/hptest-bgp-df-XXXXXX)
chmod 755 "$work"
NS_BF=hptest-bgp-df-bird NS_F=hptest-bgp-df-frr
NS_BN=hptest-bgp-df-bird2 NS_N=hptest-bgp-df-nva
nva_pid=""
cleanup() {
  set +e
  stop_pids "$nva_pid" "$(pidfile_pid "$work/bgpd.pid")" \
    "$(pidfile_pid "$work/bird-frr.pid")" "$(pidfile_pid "$work/bird-nva.pid")"
  pair_down "$NS_BF" "$NS_F" "$NS_BN" "$NS_N"
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

for pair in "$NS_BF $NS_F" "$NS_BN $NS_N"; do
  read -r b r <<< "$pair"
  pair_up "$b" veth-bird "$r" veth-nva
  ip -n "$b" addr add 10.99.7.1/29 dev veth-bird
  ip -n "$b" addr add 10.99.7.3/29 dev veth-bird
  ip -n "$r" addr add 10.99.7.2/29 dev veth-nva
  ip -n "$r" addr add 10.99.7.4/29 dev veth-nva
done

# The AS paths after the peer's own AS, one per line; line N becomes prefix N.
python3 - "$work/in.paths" "$work/out.paths" <<'PY'
import random, sys
seed_in = ["", "12076 65100", "23456", "131072", "131071", "131000", "131069", "131070", "65100",
           "64512", "12076 23456", "1 2 3", "4200000000", "165515", "65515", "12076 65515 65100",
           "6510", "10 65100", "12076 0 5"]
seed_out = ["", "65515", "12076 65515", "165515", "655150", "65515 12076 65100", "23456", "12076",
            "64512 65100"]
interesting = [0, 1, 12076, 23456, 64495, 64496, 64511, 64512, 65099, 65100, 65200, 65500, 65515,
               65534, 65535, 65536, 65551, 131069, 131070, 131071, 131072, 4199999999, 4200000000,
               4294967294, 4294967295, 6551, 65, 655, 15515, 165515]
rng = random.Random(6)
def generated(n):
    out = []
    for _ in range(n):
        length = rng.randint(1, 5)
        out.append(" ".join(str(rng.choice(interesting) if rng.random() < 0.8 else rng.randint(1, 4294967295))
                            for _ in range(length)))
    return out
with open(sys.argv[1], "w") as f: f.write("\n".join(seed_in + generated(300)) + "\n")
with open(sys.argv[2], "w") as f: f.write("\n".join(seed_out + generated(300)) + "\n")
PY
mapfile -t inbound < "$work/in.paths"
mapfile -t outbound < "$work/out.paths"

prepends() {  # "a b c" -> BIRD statements that make the path "a b c" after the peer's own AS
  local words=($1) out="" i
  for ((i = ${#words[@]} - 1; i >= 0; i--)); do out+="bgp_path.prepend(${words[i]}); "; done
  echo "$out"
}
net() { echo "172.$(($1 + $2 / 256)).$(($2 % 256)).0/24"; }  # net 16 N: 172.16.N.0/24, on into 172.17...

bird_conf() {  # bird_conf NAME
  echo "router id 10.99.7.1;"
  echo "log \"$work/$1.log\" all;"
  echo "protocol device {}"
  echo "protocol static in_routes { ipv4;"
  for i in "${!inbound[@]}"; do echo "  route $(net 16 "$i") blackhole;"; done
  echo "}"
  echo "protocol static out_routes { ipv4;"
  for i in "${!outbound[@]}"; do echo "  route $(net 20 "$i") blackhole;"; done
  echo "}"
  echo "filter to_ars {"
  echo "  if ! (net ~ [172.16.0.0/14+]) then reject;"
  for i in "${!inbound[@]}"; do echo "  if net = $(net 16 "$i") then { $(prepends "${inbound[i]}") }"; done
  echo "  accept; }"
  echo "filter to_site {"
  echo "  if ! (net ~ [172.20.0.0/14+]) then reject;"
  for i in "${!outbound[@]}"; do echo "  if net = $(net 20 "$i") then { $(prepends "${outbound[i]}") }"; done
  echo "  accept; }"
  echo "protocol bgp ars { local 10.99.7.1 as 65515; neighbor 10.99.7.2 as 65001; allow local as;"
  echo "  ipv4 { import all; export filter to_ars; }; }"
  echo "protocol bgp site { local 10.99.7.3 as 65100; neighbor 10.99.7.4 as 65001; allow local as;"
  echo "  ipv4 { import none; export filter to_site; }; }"
}
bird_conf bird-frr > "$work/bird-frr.conf"
bird_conf bird-nva > "$work/bird-nva.conf"

# One config for both: the seed's policy verbatim, this harness's neighbors.
{
  echo "frr defaults traditional"
  echo "hostname hptest-nva"
  echo "router bgp 65001"
  echo " bgp router-id 10.99.7.2"
  echo " no bgp network import-check"
  echo " neighbor 10.99.7.1 remote-as 65515"
  echo " neighbor 10.99.7.3 remote-as 65100"
  echo " neighbor 10.99.7.3 update-source 10.99.7.4"
  echo " address-family ipv4 unicast"
  echo "  neighbor 10.99.7.1 soft-reconfiguration inbound"
  echo "  neighbor 10.99.7.1 route-map rmap-bogon-asns in"
  echo "  neighbor 10.99.7.1 route-map rmap-azure-asns out"
  echo "  neighbor 10.99.7.3 route-map hptest-all in"
  echo "  neighbor 10.99.7.3 route-map hptest-all out"
  echo " exit-address-family"
  echo "exit"
  echo "route-map hptest-all permit 10"
  echo "exit"
  sed -n '/^bgp as-path access-list/p; /^route-map/,/^exit/p' "$fixtures/configs/nva-seed.frr"
} > "$work/nva.conf"
cp "$work/nva.conf" "$work/bgpd.conf"
"$hairpin" nva --config "$work/nva.conf" --check > /dev/null || fail "our NVA rejects the shared config"

chown frr:frr "$work"
ip netns exec "$NS_BF" bird -c "$work/bird-frr.conf" -s "$work/bird-frr.ctl" -P "$work/bird-frr.pid"
ip netns exec "$NS_BN" bird -c "$work/bird-nva.conf" -s "$work/bird-nva.ctl" -P "$work/bird-nva.pid"
ip netns exec "$NS_F" /usr/lib/frr/bgpd -d -Z -f "$work/bgpd.conf" -i "$work/bgpd.pid" --vty_socket "$work"
ip netns exec "$NS_N" "$hairpin" nva --config "$work/nva.conf" --control-socket "$work/nva.sock" \
  > /dev/null 2> "$work/nva.log" &
nva_pid=$!

# Snapshots, each as sorted "prefix<TAB>as-path[<TAB>next-hop]" lines.
frr_accepted() {
  vtysh --vty_socket "$work" -c 'show bgp ipv4 unicast json' | python3 -c '
import json, sys
for prefix, paths in json.load(sys.stdin).get("routes", {}).items():
    for p in paths:
        if p.get("bestpath"): print(prefix + "\t" + p.get("path", ""))' | sort
}
nva_accepted() {
  "$hairpin" bgp show routes --json --socket "$work/nva.sock" | python3 -c '
import json, sys
for prefix, paths in json.load(sys.stdin).get("routes", {}).items():
    for p in paths:
        if p.get("bestpath"): print(prefix + "\t" + p.get("path", ""))' | sort
}
advertised() {  # advertised bird-frr|bird-nva: what BIRD's ars protocol holds from the receiver
  birdc -s "$work/$1.ctl" show route protocol ars all | awk '
    /^[0-9]/ { if (net) print net "\t" path "\t" hop; net = $1; path = ""; hop = "" }
    /BGP.as_path:/ { sub(/.*BGP.as_path: */, ""); path = $0 }
    /BGP.next_hop:/ { hop = $2 }
    END { if (net) print net "\t" path "\t" hop }' | sort
}

# Bounded waits, each for a positive condition: all four sessions up; then each
# receiver has processed every route BIRD sent and BIRD holds everything the
# receiver advertised (receiver_processed: FRR can sit with empty, unchanged tables
# for seconds while its input queue is full); only then every view unchanged for
# 3 polls.
established() { birdc -s "$work/$1.ctl" show protocols | grep -c 'Established' || true; }
# (Every wait here is bounded by time, and all of them together stay inside ctest's
# TIMEOUT, so a failure reports itself instead of being killed without cleanup.)
deadline=$((SECONDS + 60))
while ((SECONDS < deadline)); do
  [[ $(established bird-frr) -eq 2 && $(established bird-nva) -eq 2 ]] && break
  sleep 0.5
done
[[ $(established bird-frr) -eq 2 ]] || fail "BIRD <-> FRR sessions did not come up"
[[ $(established bird-nva) -eq 2 ]] || fail "BIRD <-> our NVA sessions did not come up: $(tail -3 "$work/nva.log")"

# progress frr|nva: the receiver's show output into $work/progress-SIDE, then
# receiver_processed (tests/lib/netns_pair.sh) on it.
progress() {
  local d=$work/progress-$1
  mkdir -p "$d"
  if [[ $1 == frr ]]; then
    q() { vtysh --vty_socket "$work" -c "$1 json" 2> /dev/null || true; }
    q 'show bgp ipv4 unicast neighbors 10.99.7.1 received-routes' > "$d/adj_in"
    q 'show bgp ipv4 unicast summary' > "$d/summary"
    q 'show bgp ipv4 unicast' > "$d/routes"
    q 'show bgp ipv4 unicast neighbors 10.99.7.1 advertised-routes' > "$d/adj_out"
  else
    q() { "$hairpin" bgp show $1 --json --socket "$work/nva.sock" 2> /dev/null || true; }
    q 'neighbors 10.99.7.1 received-routes' > "$d/adj_in"
    q 'summary' > "$d/summary"
    q 'routes' > "$d/routes"
    q 'neighbors 10.99.7.1 advertised-routes' > "$d/adj_out"
  fi
  advertised "bird-$1" > "$d/bird"
  receiver_processed "$d" "$in_kept" "$out_kept" 10.99.7.1 10.99.7.3
}
# What each receiver keeps: every route sent except those whose path holds AS 0
# (without_as0, tests/lib/netns_pair.sh).
in_kept=$(without_as0 "${inbound[@]}")
out_kept=$(without_as0 "${outbound[@]}")
deadline=$((SECONDS + 100))
for side in frr nva; do
  next_note=$((SECONDS + 15)) done=false
  while ((SECONDS < deadline)); do
    progress "$side" > "$work/progress-$side.txt" && { done=true; break; }
    ((SECONDS >= next_note)) && { echo "waiting for $side: $(cat "$work/progress-$side.txt")"; next_note=$((SECONDS + 15)); }
    sleep 0.5
  done
  $done || fail "$side did not finish processing what BIRD sent within 100 s: $(cat "$work/progress-$side.txt")"
  echo "processed ($side): $(cat "$work/progress-$side.txt")"
done
last="" stable=0 deadline=$((SECONDS + 40))
while ((SECONDS < deadline)); do
  now="$(frr_accepted | md5sum) $(nva_accepted | md5sum) $(advertised bird-frr | md5sum) $(advertised bird-nva | md5sum)"
  if [[ $now == "$last" ]]; then
    stable=$((stable + 1))
    ((stable >= 3)) && break
  else
    stable=0
  fi
  last=$now
  sleep 0.5
done
((stable >= 3)) || fail "the tables kept changing for 40 s after both receivers had processed every route"
# Still true after the stable window (nothing withdrew or went missing meanwhile).
progress frr > /dev/null || fail "FRR's counts changed after settling: $(progress frr)"
progress nva > /dev/null || fail "our NVA's counts changed after settling: $(progress nva)"

frr_accepted > "$work/frr.accepted"
nva_accepted > "$work/nva.accepted"
advertised bird-frr > "$work/frr.advertised"
advertised bird-nva > "$work/nva.advertised"

in_ok=$(grep -cE '^172\.1[6-9]\.' "$work/frr.accepted" || true)
out_ok=$(grep -cE '^172\.2[0-3]\.' "$work/frr.advertised" || true)
# Guard against a vacuous pass: the seed policy must both accept and deny here.
((in_ok > 0 && in_ok < ${#inbound[@]})) || fail "FRR accepted $in_ok of ${#inbound[@]} ARS paths: the check would prove nothing"
((out_ok > 0 && out_ok < ${#outbound[@]})) || fail "FRR advertised $out_ok of ${#outbound[@]} site paths: the check would prove nothing"

diff -u "$work/frr.accepted" "$work/nva.accepted" > "$work/accepted.diff" ||
  fail "accepted sets differ (FRR -, ours +):
$(head -40 "$work/accepted.diff")"
diff -u "$work/frr.advertised" "$work/nva.advertised" > "$work/advertised.diff" ||
  fail "advertised sets differ as ARS sees them (FRR -, ours +):
$(head -40 "$work/advertised.diff")"
echo "ok: same accepted set ($in_ok of ${#inbound[@]} ARS paths, plus the site's) and same advertised set" \
  "($out_ok of ${#outbound[@]} site paths, with AS path and next hop) as FRR $(/usr/lib/frr/bgpd --version | awk 'NR==1{print $3}')"
