#pragma once
// Reports of `hairpin verify`: text for people, JSON (schema hairpin.verify/1,
// docs/verify.md, fixtures/schemas/hairpin.verify-1.schema.json), JUnit XML,
// and the exit code. Pure: a VerifyReport in, text out.
//
// In:  a VerifyReport (scenario summary, final checks, diagnoses, evidence).
// Out: strings; the CLI writes them (JUnit through AtomicFile).
// Who: `hairpin verify`, `--negative-controls` (per-control verdicts).
//
// Colour and the live progress line only when the caller says the output is a
// terminal (TextStyle::tty); pipes and CI logs get plain text with no ANSI codes.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hairpin/common/result.hpp"
#include "hairpin/verifier/checks/checks.hpp"
#include "hairpin/verifier/diagnosis/diagnosis.hpp"
#include "hairpin/verifier/evidence/evidence.hpp"
#include "hairpin/verifier/model/scenario.hpp"

namespace hairpin::verifier {

inline constexpr std::string_view kVerifySchema = "hairpin.verify/1";

enum class Outcome { Pass, Fail, CouldNotRun };
std::string_view to_string(Outcome outcome);  // "PASS", "FAIL", "COULD NOT RUN"
// 0 pass, 1 fail, 2 could not run.
int exit_code(Outcome outcome);
// Any Fail -> Fail; else any NotRun (or no checks) -> CouldNotRun; else Pass.
Outcome decide_outcome(const std::vector<CheckResult>& checks);

struct VerifyReport {
  Scenario scenario;
  Evidence evidence;                      // the final round
  std::vector<CheckResult> checks;
  std::vector<Diagnosis> diagnoses;
  Outcome outcome = Outcome::CouldNotRun;
  std::optional<Error> could_not_run;     // a runner or setup failure: no checks at all
  int rounds = 1;                         // gathering rounds until converged or timed out
  bool converged = false;
  double duration_ms = 0;
  std::int64_t started_unix_ns = 0;
  std::string hairpin_version;            // the project version (CMake PROJECT_VERSION), set by make_report
};

// Builds the report's verdict and diagnoses from a final round.
VerifyReport make_report(Scenario scenario, Evidence evidence, std::vector<CheckResult> checks, int rounds,
                         bool converged, double duration_ms);
// A run that could not start or gather (unreachable runner...): exit 2, no half verdict.
VerifyReport could_not_run_report(Scenario scenario, Error error, double duration_ms);

struct TextStyle {
  bool tty = false;     // colour (ANSI SGR) and the progress line only when true
  bool verbose = false; // also each check's evidence lines
};

// The person's report: verdict, one line per check (with its time to pass),
// each diagnosis with its evidence and next command, the traces both ways.
std::string format_text(const VerifyReport& report, const TextStyle& style);
// The live progress line for a TTY ("\r\033[K" + "round 3, 12/16 checks pass, 4.2 s"),
// empty when !style.tty.
std::string format_progress(const std::vector<CheckResult>& checks, int round, double elapsed_ms,
                            const TextStyle& style);

nlohmann::json format_json(const VerifyReport& report);
// JUnit XML: one <testsuite name="hairpin verify SCENARIO">, one <testcase> per
// check (classname = check id, name = key), <failure message=DIAGNOSIS> for a
// failed check, <skipped message=REASON> for a not-run one; XML-escaped.
std::string format_junit(const VerifyReport& report);
// XML 1.0 attribute/text escaping; characters XML 1.0 forbids become U+FFFD.
std::string xml_escape(std::string_view text);

}  // namespace hairpin::verifier
