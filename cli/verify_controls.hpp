#pragma once
// `hairpin verify --negative-controls` (lab only): each lab fault in turn, brought
// up with `hairpin lab up --fault NAME`, verified with `hairpin verify --json`,
// judged against the diagnosis it must produce (verifier/controls); the baseline
// and the built-in NVA on the seed's config must pass in the same run. Prints the
// table (or --json), writes --junit (one testcase per control), keeps each run's
// evidence under --evidence DIR, and leaves the lab as it found it.
//
// In:  verify's arguments (scenario file refused: the faults are the lab's);
//      --converge-timeout per verification (default 5 s: lab up has converged).
// Out: exit 0 when every control is ok, 1 when any is not, 2 when the controls
//      could not run (not root, interrupted, the lab could not be restored).

#include "verify_command.hpp"

namespace hairpin::cli {

int run_negative_controls(const VerifyArgs& args);

}  // namespace hairpin::cli
