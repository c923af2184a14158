#!/usr/bin/env bash
# hairpin trace in the seed lab (--delay 45, the seed's RTTs): the seed's Ethr
# pattern both ways, the same hops as Debian's traceroute -T, RTTs within 1 ms of
# the injected delay, --expect-via, and two concurrent runs that do not mix.
source "$(dirname "$0")/lib.sh"
lab_up --delay 45

# ethr_hops SRC DST: the responder per hop from hairpin's Ethr text ('???' -> '*').
trace() { "$HAIRPIN" lab exec "$1" -- "$HAIRPIN" trace -p 22 "$2"; }
ethr_hops() { awk -F'--' '/\.\|--/ { split($2, a, " "); print a[1] == "???" ? "*" : a[1] }' | paste -sd' ' -; }

for dir in "vm-hub100 10.200.0.4" "vm-hub200 10.100.0.4"; do
  set -- $dir
  out=$(trace "$1" "$2")
  echo "$out"
  [ "$(echo "$out" | ethr_hops)" = "10.0.200.12 10.0.0.4 * $2" ] || fail "$1 -> $2: not the seed pattern"
  [ "$(echo "$out" | grep -c "^Tracing route to $2 over 30 hops:$")" = 1 ] || fail "no Ethr header"
  pass "$1 -> $2: the seed pattern"
  [ "$(echo "$out" | ethr_hops)" = "$(hops "$1" "$2" 8)" ] || fail "$1 -> $2: hops differ from traceroute -T"
  pass "$1 -> $2: same hops as traceroute -T"
  "$HAIRPIN" lab exec "$1" -- "$HAIRPIN" trace -p 22 --expect-via 10.0.0.4 "$2" >/dev/null || fail "--expect-via the NVA failed"
  rc=0; "$HAIRPIN" lab exec "$1" -- "$HAIRPIN" trace -p 22 -m 6 --expect-via 10.0.0.99 "$2" >/dev/null || rc=$?
  [ $rc -eq 1 ] || fail "--expect-via an address not on the path exited $rc, expected 1"
  pass "$1 -> $2: --expect-via"
done

# RTT truth: 2 circuit crossings (90 ms) to the ERGW and the NVA, 4 (180 ms) to the
# other site. Bounded retries absorb a busy machine; one clean run must be exact.
within_1ms() {
  awk '/\.\|--[0-9]/ { hop=$1+0; rtt=$NF; sub(/ms$/, "", rtt); truth = (hop == 4) ? 180 : 90;
        d = rtt - truth; if (d < 0) d = -d; if (d > 1.0) bad = 1 } END { exit bad }'
}
ok=false
for _ in 1 2 3; do
  out=$(trace vm-hub100 10.200.0.4)
  if echo "$out" | within_1ms; then ok=true; break; fi
done
$ok || { echo "$out"; fail "an RTT is more than 1 ms from the injected delay"; }
pass "every hop's RTT within 1 ms of the injected delay"

# Two runs at once from one host, to two targets: each sees only its own replies.
a=$(mktemp); b=$(mktemp)
trace vm-hub100 10.200.0.4 > "$a" & pa=$!
"$HAIRPIN" lab exec vm-hub100 -- "$HAIRPIN" trace -p 22 10.0.0.4 > "$b" & pb=$!
wait $pa; wait $pb
[ "$(ethr_hops < "$a")" = "10.0.200.12 10.0.0.4 * 10.200.0.4" ] || { cat "$a"; fail "concurrent run A mixed"; }
[ "$(ethr_hops < "$b")" = "10.0.200.12 10.0.0.4" ] || { cat "$b"; fail "concurrent run B mixed"; }
rm -f "$a" "$b"
pass "two concurrent runs do not mix"
