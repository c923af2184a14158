#!/usr/bin/env bash
# Interop (label `lab`): `neighbor X maximum-prefix N [THRESHOLD] [restart M |
# warning-only]` against GoBGP, checked from GoBGP's side and in our log.
#
# Private namespaces hptest-bgp-io-nva / hptest-bgp-io-gobgp joined by a veth; the
# root namespace is never touched. The NVA runs `maximum-prefix 4 50 restart 1`:
#   - 3 prefixes: over 50% of 4, one threshold warning, the session stays;
#   - 5 prefixes: GoBGP receives Cease / Maximum Number of Prefixes Reached
#     (RFC 4486 subcode 1, data AFI 1, SAFI 1, limit 4);
#   - GoBGP redials every second, but the NVA refuses it and does not dial: the
#     session stays down (observed for 20 s);
#   - after the restart minute the NVA reconnects (GoBGP now sends 3 prefixes);
#   - SIGHUP to `maximum-prefix 4 warning-only`, 5 prefixes again: one warning,
#     the session stays up.
# About 90 s (the restart timer counts in minutes, as FRR's does).
# Usage: interop/maxprefix_test.sh PATH/TO/hairpin    (root; exits 77 = skipped otherwise)
set -euo pipefail

hairpin=${1:?usage: interop/maxprefix_test.sh PATH/TO/hairpin}
source "$(dirname "$0")/../lib/netns_pair.sh"
skip_unless_root
command -v gobgpd >/dev/null && command -v gobgp >/dev/null ||
  { echo "SKIP: gobgpd/gobgp not installed (scripts/setup installs them)"; exit 77; }

work=$(mktemp -d /tmp/hptest-bgp-io-XXXXXX)
NS_N=hptest-bgp-io-nva
NS_G=hptest-bgp-io-gobgp
nva_pid=""
gobgpd_pid=""
cleanup() {
  set +e
  stop_pids "$nva_pid" "$gobgpd_pid"
  pair_down "$NS_N" "$NS_G"
  rm -rf "$work"
}
trap cleanup EXIT

pair_up "$NS_N" veth-nva "$NS_G" veth-gobgp
ip -n "$NS_N" addr add 10.99.7.2/30 dev veth-nva
ip -n "$NS_G" addr add 10.99.7.1/30 dev veth-gobgp

nva_config() {  # nva_config MAXIMUM-PREFIX-ARGS
  cat > "$work/nva.frr" <<CFG
frr defaults traditional
router bgp 65001
 bgp router-id 10.99.7.2
 no bgp ebgp-requires-policy
 neighbor 10.99.7.1 remote-as 65515
 address-family ipv4 unicast
  neighbor 10.99.7.1 maximum-prefix $1
 exit-address-family
exit
CFG
}
nva_config "4 50 restart 1"

cat > "$work/gobgpd.toml" <<'TOML'
[global.config]
  as = 65515
  router-id = "10.99.7.1"
  local-address-list = ["10.99.7.1"]
[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.99.7.2"
    peer-as = 65001
  [neighbors.timers.config]
    connect-retry = 1
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
TOML

gobgp() { gobgp_in "$NS_G" "$@"; }
fail() {
  echo "FAIL: $*"
  echo "--- NVA log"; cat "$work/nva.log"
  echo "--- GoBGP"; gobgp neighbor 10.99.7.2 2>&1 | head -12; grep -i notification "$work/gobgpd.log" | tail -5
  exit 1
}
# grep -c, not -q: -q stops reading early, and with pipefail the writer's SIGPIPE
# would make a present match look absent.
established() { gobgp neighbor 10.99.7.2 | grep -ic 'BGP state = established' >/dev/null; }
not_established() { ! established; }
announce() { local i; for i in "$@"; do gobgp global rib add -a ipv4 10.60.$i.0/24 aspath 65515 nexthop 10.99.7.1; done; }
withdraw() { local i; for i in "$@"; do gobgp global rib del -a ipv4 10.60.$i.0/24; done; }
logged() { grep -c -- "$1" "$work/nva.log" || true; }

gobgpd_up "$NS_G" "$work/gobgpd.toml" "$work/gobgpd.log"
announce 1 2 3
ip netns exec "$NS_N" "$hairpin" nva --config "$work/nva.frr" --control-socket "$work/nva.sock" > "$work/nva.out" 2> "$work/nva.log" &
nva_pid=$!

wait_for 30 "session Established (GoBGP's view)" established
wait_for 10 "NVA accepted 3 prefixes" grep -q 'rib: 10.60.3.0/24 via' "$work/nva.log"
wait_for 5 "threshold warning (3 > 50% of 4)" grep -q '3 prefixes received, 50% of maximum-prefix 4 reached' "$work/nva.log"
established || fail "the session went down under the limit"
echo "ok: 3 of 4 prefixes: one threshold warning, session up"

announce 4 5
wait_for 10 "NVA sent Cease (maximum-prefix)" grep -q 'sending Cease/Maximum Number of Prefixes Reached' "$work/nva.log"
wait_for 10 "GoBGP left Established" not_established
# GoBGP logs the NOTIFICATION it received: code 6 (Cease), subcode 1, data AFI 1 SAFI 1 limit 4
notification=$(grep 'msg="received notification"' "$work/gobgpd.log" | tail -1)
grep -q 'Code=6' <<<"$notification" && grep -q 'Subcode=1' <<<"$notification" ||
  fail "GoBGP did not receive Cease subcode 1: $notification"
grep -Eq 'Data="?\[0 1 1 0 0 0 4\]' <<<"$notification" || fail "NOTIFICATION data is not AFI 1, SAFI 1, limit 4: $notification"
echo "ok: 5 of 4 prefixes: Cease/Maximum Number of Prefixes Reached, data AFI/SAFI/limit (GoBGP's view)"

withdraw 4 5  # what GoBGP will send when the session comes back
for _ in $(seq 40); do  # stays down: 20 s, while GoBGP redials every second
  established && fail "the session came back before the restart timer"
  sleep 0.5
done
[[ $(logged 'refused: maximum-prefix exceeded') -ge 1 ]] || fail "GoBGP's redials were not refused"
grep -q 'Established (AS 65515' <(sed -n '/sending Cease\/Maximum/,$p' "$work/nva.log") &&
  fail "the NVA re-established before its restart timer"
echo "ok: session held down, GoBGP's redials refused ($(logged 'refused: maximum-prefix exceeded') times)"

wait_for 70 "the NVA reconnected after the restart minute" grep -q 'maximum-prefix restart timer expired' "$work/nva.log"
wait_for 20 "session re-established after restart" established
[[ $(logged 'Established (AS 65515') -eq 2 ]] || fail "expected exactly 2 Established in the NVA log"
echo "ok: restart 1: reconnected after a minute"

nva_config "4 warning-only"
kill -HUP "$nva_pid"
wait_for 10 "NVA reloaded its config" grep -q 'config reloaded' "$work/nva.log"
announce 4 5
wait_for 10 "warning-only logged the excess" grep -q 'warning-only: the session stays up' "$work/nva.log"
for _ in $(seq 10); do established || fail "warning-only dropped the session"; sleep 0.5; done
[[ $(logged 'warning-only: the session stays up') -eq 1 ]] || fail "warning-only logged more than once"
echo "ok: warning-only: logged once, session stays up"

[[ -n ${VERBOSE:-} ]] && { echo "--- NVA log"; cat "$work/nva.log"; }
echo PASS
