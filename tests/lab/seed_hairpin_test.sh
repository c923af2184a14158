#!/usr/bin/env bash
# The seed design both ways: ERGW, NVA, a silent hop (the ERGW again, on the way
# back out), the destination - the pattern of the seed's Ethr traces.
source "$(dirname "$0")/lib.sh"
lab_up
expect_hops vm-hub100 10.200.0.4 "10.0.200.12 10.0.0.4 * 10.200.0.4"
expect_hops vm-hub200 10.100.0.4 "10.0.200.12 10.0.0.4 * 10.100.0.4"
"$HAIRPIN" lab status --json | grep -q '"converged": true' || fail "status does not say converged"
# No transit in BGP: the ERGW never gives one site the other's prefix.
"$HAIRPIN" lab exec vm-hub100 -- ip route show exact 10.200.0.0/16 | grep -q . && fail "site A learned 10.200.0.0/16"
pass "no transit in BGP"
