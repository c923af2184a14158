#!/usr/bin/env bash
# An installed hairpin finds its own data: `cmake --install` to a fresh prefix,
# then from / (no fixtures/ there, no build tree) `lab up` converges on the
# installed seed topology and config, and `lab down` leaves nothing behind.
# Usage: installed_test.sh BUILD_DIR
source "$(dirname "$0")/lib.sh"
BUILD=${1:?usage: installed_test.sh BUILD_DIR}
PREFIX=$(mktemp -d)
trap 'rm -f "$LOG"; cleanup; rm -rf "$PREFIX"' EXIT

cmake --install "$BUILD" --prefix "$PREFIX" > "$LOG" 2>&1 || { cat "$LOG"; fail "cmake --install failed"; }
[ -x "$PREFIX/bin/hairpin" ] || fail "no $PREFIX/bin/hairpin"
for f in fixtures/topologies/seed.yaml fixtures/configs/nva-fixed.frr fixtures/configs/nva-seed.frr; do
  [ -f "$PREFIX/share/hairpin/$f" ] || fail "not installed: share/hairpin/$f"
done
pass "installed to $PREFIX"

HAIRPIN=$PREFIX/bin/hairpin  # cleanup (lab down) uses it too
cd /

# A data dir that does not hold the data: one line saying where it looked, exit 2.
rc=0; HAIRPIN_DATA_DIR=/nonexistent "$HAIRPIN" lab up > "$LOG" 2>&1 || rc=$?
[ $rc -eq 2 ] && [ "$(wc -l < "$LOG")" -eq 1 ] && grep -q "looked in /nonexistent/fixtures/" "$LOG" ||
  { cat "$LOG"; fail "HAIRPIN_DATA_DIR=/nonexistent: rc $rc"; }
pass "bad HAIRPIN_DATA_DIR: $(cat "$LOG")"

lab_up
status=$("$HAIRPIN" lab status --json)
grep -q '"converged": true' <<< "$status" || { echo "$status"; fail "status does not say converged"; }
grep -q "\"topology\": \"$PREFIX/share/hairpin/fixtures/topologies/seed.yaml\"" <<< "$status" ||
  { echo "$status"; fail "the lab did not use the installed topology"; }
pass "lab up from / converged on $PREFIX/share/hairpin"

"$HAIRPIN" lab down > /dev/null || fail "lab down failed"
[ -z "$(ip netns list | grep '^hp-' || true)" ] || fail "namespaces left: $(ip netns list | grep '^hp-' | paste -sd' ')"
[ ! -e /run/hairpin/lab ] || fail "/run/hairpin/lab left"
pass "lab down: nothing left"
