// `hairpin verify --negative-controls`: the lab I/O around verifier/controls.
// Every step is a bounded subprocess of this same binary (`hairpin lab up`,
// `hairpin verify --json`), so each control exercises exactly what a user runs.

#include "verify_controls.hpp"

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "hairpin/common/file_io.hpp"
#include "hairpin/verifier/controls/negative_controls.hpp"
#include "hairpin/verifier/lab/lab_plan.hpp"
#include "hairpin/verifier/lab/lab_runner.hpp"
#include "hairpin/verifier/model/topology.hpp"
#include "hairpin/verifier/runner/subprocess.hpp"
#include "paths.hpp"

namespace hairpin::cli {

namespace v = hairpin::verifier;
using namespace std::chrono_literals;

namespace {

const std::string kLabStateDir = "/run/hairpin/lab";
constexpr double kDefaultConvergeS = 5;          // per verification; lab up already waited for BGP
constexpr int kLabUpTimeoutS = 60;               // a converging lab returns as soon as it has
constexpr int kNonConvergingLabUpTimeoutS = 10;  // seed-verbatim on FRR never converges: waits this

v::StopFlag g_stop{false};
extern "C" void on_controls_signal(int) { g_stop.store(true); }

// The lab as `hairpin lab up` left it (state.json), to put it back afterwards.
struct LabAsFound {
  bool up = false;
  std::string topology_source;
  std::string nva;
  std::string nva_config_source;
  std::vector<std::string> faults;
  std::optional<double> delay_ms;
};

LabAsFound lab_as_found() {
  LabAsFound l;
  auto text = read_whole_file(kLabStateDir + "/state.json");
  if (!text) return l;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return l;
  l.up = true;
  l.topology_source = j.value("topology_source", "");
  l.nva = j.value("nva", "");
  l.nva_config_source = j.value("nva_config_source", "");
  if (j.contains("faults") && j["faults"].is_array())
    for (const auto& f : j["faults"]) l.faults.push_back(f.get<std::string>());
  if (j.contains("delay_ms") && j["delay_ms"].is_number()) l.delay_ms = j["delay_ms"].get<double>();
  return l;
}

std::string seconds_text(double s) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(s < 10 ? 3 : 1) << s;
  return o.str();
}

// `hairpin lab up` for one control, on the topology and delay the lab was found with.
std::vector<std::string> lab_up_argv(const std::string& self, const LabAsFound& found,
                                     const std::vector<std::string>& faults, const std::string& nva, int timeout_s) {
  std::vector<std::string> argv{self, "lab", "up", "--force", "--timeout", std::to_string(timeout_s)};
  if (!found.topology_source.empty()) argv.insert(argv.end(), {"--topology", found.topology_source});
  if (found.delay_ms) argv.insert(argv.end(), {"--delay", seconds_text(*found.delay_ms)});
  if (!nva.empty()) argv.insert(argv.end(), {"--nva", nva});
  for (const auto& f : faults) argv.insert(argv.end(), {"--fault", f});
  return argv;
}

std::string last_line(const v::RunOutput& out) {
  auto line = out.last_line();
  return line.empty() ? "exit " + std::to_string(out.exit_code) : line;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

struct ControlsRun {
  std::string self;
  LabAsFound found;
  double converge_s = kDefaultConvergeS;
  std::string evidence_dir;  // empty: keep nothing
};

// One control: lab up with its fault, verify, judge. `index` names its evidence.
v::ControlResult run_control(const ControlsRun& run, const v::NegativeControl& c, std::size_t index,
                             bool pass_nva, std::string* lab_nva) {
  const auto started = std::chrono::steady_clock::now();
  v::ObservedVerdict none;
  none.exit_code = kExitUsage;
  // N-NAME-NVA; the baseline runs on the lab's default NVA, known only afterwards.
  const std::string tag = std::to_string(index) + "-" + c.name + "-" + (pass_nva ? c.nva : "default");
  const int up_timeout = c.verdict == v::ExpectedVerdict::Fail && c.diagnosis == "lo-trap"
                             ? kNonConvergingLabUpTimeoutS : kLabUpTimeoutS;
  auto up = v::run_subprocess(lab_up_argv(run.self, run.found, c.faults, pass_nva ? c.nva : "", up_timeout),
                              std::chrono::seconds(up_timeout + 60), &g_stop);
  if (!run.evidence_dir.empty() && up)
    (void)write_file_atomically(run.evidence_dir + "/" + tag + ".lab-up.log", up->out + up->err);
  // lab up: 0 converged, 1 up but not converged (the lab stays up: verify tells
  // what is missing), 2 could not build it.
  if (!up || up->ending != v::Ending::Exited || (up->exit_code != 0 && up->exit_code != 1)) {
    none.error = "hairpin lab up failed: " + (up ? last_line(*up) : up.error().to_string());
    return v::judge(c, none, seconds_since(started));
  }
  if (lab_nva) *lab_nva = lab_as_found().nva;

  std::vector<std::string> verify{run.self, "verify", "--json", "--converge-timeout", seconds_text(run.converge_s)};
  if (!run.evidence_dir.empty()) verify.insert(verify.end(), {"--evidence", run.evidence_dir + "/" + tag});
  auto out = v::run_subprocess(verify, std::chrono::milliseconds(static_cast<long long>(run.converge_s * 1000)) + 120s,
                               &g_stop);
  if (!out || out->ending != v::Ending::Exited) {
    none.error = "hairpin verify " + (out ? v::to_string(out->ending) : out.error().to_string());
    return v::judge(c, none, seconds_since(started));
  }
  auto observed = v::read_verify_report(out->out, out->exit_code);
  if (!observed) {
    none.error = observed.error().to_string() + " (" + last_line(*out) + ")";
    return v::judge(c, none, seconds_since(started));
  }
  return v::judge(c, *observed, seconds_since(started));
}

// Puts the lab back as it was found: down, or up with its topology, NVA, config,
// faults and delay. Not interruptible: a half-restored lab is worse than a wait.
Status restore_lab(const ControlsRun& run) {
  const auto& f = run.found;
  if (!f.up) {
    auto down = v::run_subprocess({run.self, "lab", "down"}, 60s);
    if (!down || !down->succeeded())
      return Error{"the lab could not be taken down after the controls", down ? last_line(*down) : down.error().to_string(),
                   "run hairpin lab down"};
    return Ok{};
  }
  auto argv = lab_up_argv(run.self, f, f.faults, f.nva, kLabUpTimeoutS);
  const bool seed_verbatim = std::find(f.faults.begin(), f.faults.end(), "seed-verbatim") != f.faults.end();
  if (!f.nva_config_source.empty() && !seed_verbatim) argv.insert(argv.end(), {"--nva-config", f.nva_config_source});
  auto up = v::run_subprocess(argv, std::chrono::seconds(kLabUpTimeoutS + 60));
  if (!up || up->ending != v::Ending::Exited || (up->exit_code != 0 && up->exit_code != 1))
    return Error{"the lab could not be brought back as it was found", up ? last_line(*up) : up.error().to_string(),
                 "bring it up again with hairpin lab up"};
  return Ok{};
}

// Whether the built-in NVA can run this lab: the lab's own plan says (it refuses
// --nva builtin until the forwarding core exists).
bool builtin_can_run_lab(const LabAsFound& found) {
  std::string topology_path = found.topology_source;
  if (topology_path.empty()) {
    auto p = find_data_file("fixtures/topologies/seed.yaml", this_binary_lookup());
    if (!p) return false;
    topology_path = *p;
  }
  auto topology = v::load_topology(topology_path);
  auto config = find_data_file("fixtures/configs/nva-seed.frr", this_binary_lookup());
  if (!topology || !config) return false;
  auto text = read_whole_file(*config);
  if (!text) return false;
  v::LabOptions o;
  o.nva = v::NvaKind::Builtin;
  o.nva_config_text = *text;
  o.nva_config_source = *config;
  o.faults.insert(v::Fault::SeedVerbatim);
  return make_lab_plan(*topology, o).ok();
}

// The lab's route servers in topology order, for ars0-down's expectation ({} when the
// topology does not load: the plan then expects the seed's).
std::vector<std::string> lab_route_servers(const LabAsFound& found) {
  std::string path = found.topology_source;
  if (path.empty()) {
    auto p = find_data_file("fixtures/topologies/seed.yaml", this_binary_lookup());
    if (!p) return {};
    path = *p;
  }
  auto topology = v::load_topology(path);
  if (!topology) return {};
  std::vector<std::string> out;
  for (const auto* rs : topology->nodes_with_role(v::Role::Ars)) out.push_back(rs->address.address.to_string());
  return out;
}

}  // namespace

int run_negative_controls(const VerifyArgs& a) {
  if (!a.scenario_file.empty())
    throw UserError{a.scenario_file + ": --negative-controls runs on the lab only (it injects the lab's faults); "
                    "drop the scenario file",
                    kExitUsage};
  if (auto s = v::check_lab_privileges(); !s) throw UserError{s.error().to_string(), kExitUsage};

  struct sigaction sa {}, old_int {}, old_term {};
  sa.sa_handler = on_controls_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);

  ControlsRun run;
  run.self = self_executable();
  run.found = lab_as_found();
  if (a.converge_timeout_s >= 0) run.converge_s = a.converge_timeout_s;
  run.evidence_dir = a.evidence;
  if (!run.evidence_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(run.evidence_dir, ec);
    if (ec) throw UserError{"cannot create the evidence directory " + run.evidence_dir + ": " + ec.message(), kExitUsage};
  }

  const auto started = std::chrono::steady_clock::now();
  v::ControlPlanOptions plan_options;
  plan_options.builtin_available = builtin_can_run_lab(run.found);
  plan_options.route_servers = lab_route_servers(run.found);
  // The baseline runs on the lab's default NVA (no --nva): learn which it is.
  auto plan = v::negative_controls(plan_options);
  std::vector<v::ControlResult> results;
  std::string default_nva;
  auto report_progress = [&](const v::ControlResult& r, std::size_t n, std::size_t of) {
    std::cerr << "[" << n << "/" << of << "] " << r.control.name << " (" << r.control.nva << "): "
              << (r.observed.verdict.empty() ? "could not run" : r.observed.verdict)
              << (r.ok ? ", ok" : ", NOT OK: " + r.why) << " (" << seconds_text(r.seconds) << " s)\n"
              << std::flush;
  };
  {
    auto baseline = plan.front();
    auto r = run_control(run, baseline, 1, false, &default_nva);
    if (!default_nva.empty()) {
      plan_options.default_nva = default_nva;
      plan = v::negative_controls(plan_options);
      r.control = plan.front();
    }
    results.push_back(r);
    report_progress(r, 1, plan.size());
  }
  for (std::size_t i = 1; i < plan.size() && !g_stop.load(); ++i) {
    results.push_back(run_control(run, plan[i], i + 1, true, nullptr));
    report_progress(results.back(), i + 1, plan.size());
  }
  const bool interrupted = g_stop.load();
  auto restored = restore_lab(run);
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);

  if (!run.evidence_dir.empty())
    (void)write_file_atomically(run.evidence_dir + "/controls.json", v::format_controls_json(results));
  if (!a.junit.empty())
    if (auto s = write_file_atomically(a.junit, v::format_controls_junit(results, seconds_since(started))); !s)
      throw UserError{"cannot write the JUnit report: " + s.error().to_string(), kExitUsage};
  std::cout << (a.json ? v::format_controls_json(results) : v::format_controls_table(results));
  if (!plan_options.builtin_available && !a.json)
    std::cout << "(the built-in NVA cannot run the lab in this build: its seed-verbatim control was not run)\n";
  std::cout << std::flush;
  if (interrupted)
    throw UserError{"interrupted after " + std::to_string(results.size()) + " of " + std::to_string(plan.size()) +
                        " controls; the lab was put back as it was found",
                    kExitUsage};
  if (!restored) throw UserError{restored.error().to_string(), kExitUsage};
  return v::all_ok(results) ? kExitOk : kExitFail;
}

}  // namespace hairpin::cli
