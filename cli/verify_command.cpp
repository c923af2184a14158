// `hairpin verify [SCENARIO.yaml] [--json] [--junit FILE] [--evidence DIR]
//  [--converge-timeout S] [--port N] [--route-server-limit N]`.

#include "verify_command.hpp"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "hairpin/common/file_io.hpp"
#include "hairpin/verifier/gather/gather.hpp"
#include "hairpin/verifier/model/topology.hpp"
#include "paths.hpp"

namespace hairpin::cli {

namespace v = hairpin::verifier;

namespace {

const std::string kLabStateDir = "/run/hairpin/lab";

v::StopFlag g_stop{false};
static_assert(v::StopFlag::is_always_lock_free, "set from a signal handler");
extern "C" void on_verify_signal(int) { g_stop.store(true); }

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

Result<v::Scenario> verify_scenario_for(const VerifyArgs& a, const std::string& state_dir) {
  v::Scenario s;
  if (!a.scenario_file.empty()) {
    auto loaded = v::load_scenario(a.scenario_file);
    if (!loaded) return loaded.error();
    s = std::move(*loaded);
  } else {
    // The running lab: what `hairpin lab up` kept (state.json, topology.yaml).
    const std::string state_file = state_dir + "/state.json";
    if (!std::filesystem::exists(state_file))
      return Error{"no lab is up (" + state_dir + " has no state)", "",
                   "bring it up with hairpin lab up, or give a scenario file (fixtures/scenarios/)"};
    auto text = read_whole_file(state_file);
    if (!text) return text.error();
    auto state = nlohmann::json::parse(*text, nullptr, false);
    if (state.is_discarded() || !state.is_object())
      return Error{"the lab state is unreadable", state_file, "run hairpin lab down, then hairpin lab up"};
    auto topology = v::load_topology(state_dir + "/topology.yaml");
    if (!topology) return topology.error();
    v::LabScenarioOptions o;
    o.state_dir = state_dir;
    o.software = state.value("nva", "frr") == "builtin" ? v::NvaSoftware::Builtin : v::NvaSoftware::Frr;
    s = v::scenario_from_topology(*topology, o);
  }
  if (a.converge_timeout_s >= 0) s.timeouts.converge_s = a.converge_timeout_s;
  if (a.port > 0) s.port = static_cast<std::uint16_t>(a.port);
  if (a.route_server_limit > 0) s.route_server_limit = static_cast<std::size_t>(a.route_server_limit);
  return s;
}

v::VerifyReport run_verification(const v::Scenario& scenario, const VerifyRun& run) {
  const auto started = std::chrono::steady_clock::now();
  const auto started_unix = v::unix_now_ns();
  auto runners = v::make_runners(scenario, run.self_hairpin, run.stop);
  v::Gatherer gatherer(scenario, runners, {run.evidence_dir, run.stop});
  auto could_not_run = [&](const Error& e) {
    auto report = v::could_not_run_report(scenario, e, ms_since(started));
    report.started_unix_ns = started_unix;
    return report;
  };
  if (auto ready = gatherer.prepare(); !ready) return could_not_run(ready.error());
  auto converged = v::gather_until_converged(
      gatherer, scenario, std::chrono::milliseconds(static_cast<long long>(scenario.timeouts.converge_s * 1000)),
      run.stop, std::chrono::milliseconds(500), run.progress);
  gatherer.finish();
  if (!converged) return could_not_run(converged.error());
  auto report = v::make_report(scenario, std::move(converged->evidence), std::move(converged->checks),
                               converged->rounds, converged->converged, ms_since(started));
  report.started_unix_ns = started_unix;
  return report;
}

namespace {

int emit_reports(const VerifyArgs& a, const v::VerifyReport& report);

int run_verify_command(const VerifyArgs& a, const NegativeControls& negative_controls) {
  if (a.negative_controls) {
    if (!negative_controls)
      throw UserError{"--negative-controls is not part of this build yet; run hairpin lab up --fault NAME and "
                      "hairpin verify for each fault",
                      kExitUsage};
    return negative_controls(a);
  }
  auto scenario = verify_scenario_for(a, kLabStateDir);
  if (!scenario) {
    // Nothing ran. A CI job that asked for a report still gets one, saying why
    // (a gate that finds no JUnit file says nothing useful); the line and exit 2 stay.
    if (!a.json && a.junit.empty()) throw UserError{scenario.error().to_string(), kExitUsage};
    v::Scenario none;
    none.name = a.scenario_file.empty() ? "running lab" : a.scenario_file;
    auto report = v::could_not_run_report(none, scenario.error(), 0.0);
    report.started_unix_ns = v::unix_now_ns();
    return emit_reports(a, report);
  }

  // ^C: every wait wakes within 50 ms, the capture is stopped, what was kept stays.
  struct sigaction sa {};
  sa.sa_handler = on_verify_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  const bool err_tty = isatty(STDERR_FILENO) == 1;
  v::TextStyle progress_style{err_tty && !a.json, false};
  bool progress_shown = false;
  VerifyRun run;
  run.self_hairpin = self_executable();
  run.evidence_dir = a.evidence;
  run.stop = &g_stop;
  run.progress = [&](const std::vector<v::CheckResult>& checks, int round, double elapsed_ms) {
    auto line = v::format_progress(checks, round, elapsed_ms, progress_style);
    if (line.empty()) return;
    std::cerr << line << std::flush;
    progress_shown = true;
  };
  auto report = run_verification(*scenario, run);
  if (progress_shown) std::cerr << "\r\033[K" << std::flush;
  return emit_reports(a, report);
}

// The reports asked for, then the text; a run that could not run is its line and exit 2.
int emit_reports(const VerifyArgs& a, const v::VerifyReport& report) {
  // Written whole or not at all (AtomicFile: temp name, renamed when complete); a
  // full disk is one line with the path and the fix, exit 2, and no file.
  auto write_whole = [](const std::string& path, const std::string& noun, const std::string& content) {
    auto file = AtomicFile::create(path, noun);
    Status s = file ? file->write(content) : Status(file.error());
    if (s) s = file->commit();
    return s;
  };
  if (!a.junit.empty())
    if (auto s = write_whole(a.junit, "the JUnit report", v::format_junit(report)); !s)
      throw UserError{s.error().to_string(), kExitUsage};
  // The evidence directory's report.json last: its presence says the rest is whole.
  // When the run could not finish (the evidence itself may be what failed), that
  // first error is the line to show; the report is kept if it fits.
  if (!a.evidence.empty())
    if (auto s = write_whole(a.evidence + "/report.json", "the evidence report", v::format_json(report).dump(2) + "\n");
        !s && !report.could_not_run)
      throw UserError{s.error().to_string(), kExitUsage};
  if (a.json) std::cout << v::format_json(report).dump(2) << "\n" << std::flush;
  if (report.could_not_run) {
    std::string line = report.could_not_run->to_string();
    if (!a.evidence.empty() && g_stop.load()) line += " (evidence so far in " + a.evidence + ")";
    throw UserError{line, kExitUsage};
  }
  if (!a.json) std::cout << v::format_text(report, {isatty(STDOUT_FILENO) == 1, false}) << std::flush;
  return v::exit_code(report.outcome);
}

}  // namespace

void register_verify_commands(CLI::App& app, int& exit_code, NegativeControls negative_controls) {
  auto a = std::make_shared<VerifyArgs>();
  auto* cmd = app.add_subcommand(
      "verify", "one verdict with a diagnosis: BGP state, a capture on the NVA and a trace each way (exit 0/1/2)");
  cmd->add_option("scenario", a->scenario_file, "scenario YAML (fixtures/scenarios/); omitted: the running lab");
  cmd->add_flag("--json", a->json, "JSON report on stdout (schema hairpin.verify/1, docs/verify.md)");
  cmd->add_option("--junit", a->junit, "also write a JUnit XML report to FILE (one testcase per check)");
  cmd->add_option("--evidence", a->evidence,
                  "keep everything in DIR: each command with its argv, exit code and output, the pcaps, the evidence");
  cmd->add_option("--converge-timeout", a->converge_timeout_s,
                  "retry until every check passes, at most this many seconds")
      ->check(checked_by(CLI::NonNegativeNumber, "must be 0 or more seconds"))
      ->default_str("the scenario's, 60");
  cmd->add_option("--port", a->port, "the probes' TCP destination port")
      ->check(checked_by(CLI::Range(1, 65535), "must be 1-65535"))
      ->default_str("the scenario's, 22");
  cmd->add_option("--route-server-limit", a->route_server_limit, "the route servers' per-peer route limit")
      ->check(checked_by(CLI::Range(1L, 1000000L), "must be a positive number of routes"))
      ->default_str("the scenario's, 1000");
  cmd->add_flag("--negative-controls", a->negative_controls,
                "lab only: inject each fault in turn and check the verdict flips to FAIL with its diagnosis");
  cmd->callback([a, &exit_code, negative_controls] { exit_code = run_verify_command(*a, negative_controls); });
}

}  // namespace hairpin::cli
