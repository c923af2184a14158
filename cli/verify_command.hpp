#pragma once
// `hairpin verify`: one verdict with a diagnosis, for the running lab or a
// scenario file. Parses options, builds the scenario (file, or the lab's
// topology), gathers evidence through the runners until the checks pass or
// --converge-timeout, prints verifycore's report, writes --junit and
// --evidence, and sets the exit code: 0 pass, 1 fail, 2 could not run.

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

#include "hairpin/common/result.hpp"
#include "hairpin/verifier/model/scenario.hpp"
#include "hairpin/verifier/report/report.hpp"
#include "hairpin/verifier/runner/subprocess.hpp"

namespace hairpin::cli {

struct VerifyArgs {
  std::string scenario_file;        // empty: the running lab
  bool json = false;
  std::string junit;                // --junit FILE
  std::string evidence;             // --evidence DIR
  double converge_timeout_s = -1;   // < 0: the scenario's
  int port = 0;                     // 0: the scenario's
  long route_server_limit = 0;      // 0: the scenario's
  bool negative_controls = false;   // verifylab's (see register_verify_commands)
};

// The scenario verify checks: the file's, or the running lab's (STATE_DIR holds
// its topology and NVA kind), with the command-line overrides applied. Error:
// file:line and the fix, or "no lab is up".
Result<verifier::Scenario> verify_scenario_for(const VerifyArgs& args, const std::string& lab_state_dir);

// One whole verification: runners checked, rounds until converged, the report.
// Never throws; a runner that cannot be reached or ^C gives a could-not-run
// report (exit 2). `stop`: the SIGINT flag. `progress`: called per round.
struct VerifyRun {
  std::string self_hairpin;
  std::string evidence_dir;
  const verifier::StopFlag* stop = nullptr;
  std::function<void(const std::vector<verifier::CheckResult>&, int, double)> progress;
};
verifier::VerifyReport run_verification(const verifier::Scenario& scenario, const VerifyRun& run);

// --negative-controls runs `negative_controls(args)` (verifylab's; main.cpp
// passes it) and exits with what it returns; without one the flag says so, exit 2.
using NegativeControls = std::function<int(const VerifyArgs&)>;
void register_verify_commands(CLI::App& app, int& exit_code, NegativeControls negative_controls = {});

}  // namespace hairpin::cli
