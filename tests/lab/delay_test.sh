#!/usr/bin/env bash
# --delay 45 makes RTTs look like the seed's: about 90 ms to the ERGW, about 180 ms
# to the other site (both circuits, both ways). The bounds are wide on purpose:
# this checks the emulation works (netem or the delay line), not its precision.
source "$(dirname "$0")/lib.sh"
lab_up --delay 45
grep -Eq "circuit delay each way: 45 ms, by (netem|hairpin's userspace delay line)" "$LOG" ||
  { cat "$LOG"; fail "lab up does not say how it delays"; }
# Three probes per hop, and each hop's fastest: the emulated delay is a floor that a
# busy machine (or a sanitized build's delay line) only adds to, so the minimum is
# the delay itself; one probe alone measured +17 to +60 ms under a parallel build.
out=$("$HAIRPIN" lab exec vm-hub100 -- traceroute -T -n -q 3 -p 22 -w 2 -m 6 10.200.0.4)
echo "$out"
rtt() {
  echo "$out" | awk -v hop="$1" '$1 == hop { for (i = 3; i <= NF; i++) if ($(i) == "ms" && (min == "" || $(i-1) < min)) min = $(i-1) + 0 }
                                 END { if (min != "") print int(min) }'
}
in_range() { [ -n "$1" ] && [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }
in_range "$(rtt 1)" 88 100 || fail "RTT to the ERGW is $(rtt 1) ms, expected about 90"
in_range "$(rtt 4)" 178 195 || fail "RTT to the other site is $(rtt 4) ms, expected about 180"
pass "RTTs: ERGW $(rtt 1) ms, other site $(rtt 4) ms"
