#pragma once
// Negative controls: proof that `hairpin verify` can fail. Each lab fault is
// brought up in turn, verified, and must flip the verdict to FAIL with the
// diagnosis that names it; the lab without faults (and the seed's config with
// the built-in NVA, which has no lo trap) must PASS in the same run, so a
// verifier that fails everything does not pass its controls either.
//
// In:  which NVA kinds the lab can run; for each control, the report of the
//      `hairpin verify --json` run on the lab with its fault (hairpin.verify/1),
//      or why it could not run.
// Out: the plan (which lab, which verdict and diagnosis are expected), the
//      judgement of each control (ok or not, and why), the table people read
//      and its JSON.
// Who: `hairpin verify --negative-controls` (cli/verify_controls.cpp) does the
//      I/O (lab up with the fault, verify, restore); everything here is pure.
//      It reads verify's JSON report (the documented hairpin.verify/1), never
//      its internals; it uses the report layer only for XML escaping.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hairpin/common/result.hpp"

namespace hairpin::verifier {

enum class ExpectedVerdict { Pass, Fail };
std::string_view to_string(ExpectedVerdict verdict);

// One control: how to bring the lab up, and what verify must then say.
struct NegativeControl {
  std::string name;                   // "no-udr", "seed-verbatim (builtin)", "baseline"
  std::vector<std::string> faults;    // lab fault names (verifier/lab), empty for a baseline
  std::string nva;                    // "frr" or "builtin": `hairpin lab up --nva`
  ExpectedVerdict verdict = ExpectedVerdict::Fail;
  std::string diagnosis;              // Fail: the catalog id the failed checks must name
  std::string check;                  // Fail, optional: the check id that must fail with it
  std::string diagnosis_text;         // Fail, optional: the text the diagnosis must contain
  std::vector<std::string> must_pass; // check ids that must still pass (ars0-down: the hairpin works)
  std::string why;                    // one line: what the control shows
};

struct ControlPlanOptions {
  std::string default_nva = "frr";    // the lab's default NVA (the baseline runs on it)
  bool builtin_available = false;     // the built-in NVA can run the lab (forwarding core)
  bool frr_available = true;
  // The lab's route servers, in topology order (ars0-down takes the first down); empty:
  // the seed's, 10.0.210.4 and 10.0.210.5. With only one there is no ars0-down control
  // (nothing would carry the hairpin).
  std::vector<std::string> route_servers;
};

// Every control, in order: the baseline first (a positive control), then each
// lab fault, and seed-verbatim both ways (FRR: lo trap; built-in: must pass).
std::vector<NegativeControl> negative_controls(const ControlPlanOptions& options);

// What one `hairpin verify --json` run said, as the controls read it.
struct FailedCheck {
  std::string id;                     // the check's id
  std::string diagnosis;              // its diagnosis id ("" when none)
  std::string diagnosis_text;         // its diagnosis, one line
};
struct ObservedVerdict {
  std::string verdict;                // "pass", "fail", or "" when verify could not run
  int exit_code = 0;
  std::vector<FailedCheck> failed;
  std::vector<std::string> passed;    // ids of the checks that passed (one per subject)
  std::string primary_diagnosis;      // the report's headline diagnosis id, if it names one
  std::string error;                  // could not run: why (verify's stderr, lab up's output)
};

// Reads a hairpin.verify/1 report into what the controls need.
Result<ObservedVerdict> read_verify_report(std::string_view json_text, int exit_code);

struct ControlResult {
  NegativeControl control;
  ObservedVerdict observed;
  bool ok = false;
  std::string why;                    // why not ok (or what matched)
  double seconds = 0;                 // lab up + verify
};

// A control is ok when verify ran, the verdict is the expected one with the
// matching exit code (0 pass, 1 fail), and, for FAIL, a failed check names the
// expected diagnosis (and, when given, is the expected check, with the text),
// and every check in must_pass passed (at least once, and never failed).
ControlResult judge(const NegativeControl& control, const ObservedVerdict& observed, double seconds);

// The table: fault, verdict, diagnosis, expected, ok; then one summary line.
std::string format_controls_table(const std::vector<ControlResult>& results);
std::string format_controls_json(const std::vector<ControlResult>& results);
// JUnit XML: one <testsuite name="hairpin verify --negative-controls">, one
// <testcase classname="hairpin.verify.controls" name="FAULT (NVA)"> per control,
// <failure message=WHY type=EXPECTED> for one that is not ok.
std::string format_controls_junit(const std::vector<ControlResult>& results, double seconds);

// True when every control is ok (exit 0), else exit 1.
bool all_ok(const std::vector<ControlResult>& results);

}  // namespace hairpin::verifier
