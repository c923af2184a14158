#include "hairpin/verifier/gather/gather.hpp"

#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <future>
#include <thread>

#include "hairpin/common/shell_quote.hpp"
#include "hairpin/verifier/evidence/evidence_json.hpp"
#include "hairpin/verifier/evidence/evidence_parsers.hpp"
#include "hairpin/verifier/gather/gather_plan.hpp"

namespace hairpin::verifier {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

milliseconds seconds(double s) { return milliseconds(static_cast<long long>(std::llround(s * 1000))); }

bool stopped(const StopFlag* stop) { return stop && stop->load(); }

Error interrupted() {
  return Error{"interrupted", "", "the evidence kept so far stays in --evidence DIR"};
}

// What one step came to: its output when it ran, or an Error (unreachable, interrupted).
struct StepResult {
  Result<RunOutput> output = Error{"not run", "", ""};
  Provenance how;
};

// The step ran but its output is not usable: the reason, one line. nullopt: usable.
std::optional<std::string> unusable(const RunOutput& r, std::initializer_list<int> good_codes = {0}) {
  if (r.ending == Ending::TimedOut)
    return "no answer within " + std::to_string(r.duration.count()) + " ms (killed)";
  if (std::find(good_codes.begin(), good_codes.end(), r.exit_code) == good_codes.end())
    return "exit " + std::to_string(r.exit_code) + (r.last_line().empty() ? "" : ": " + r.last_line());
  return std::nullopt;
}

// Output + parser -> a Gathered item: the value, or "not gathered" with the reason.
template <typename T, typename Parse>
Gathered<T> gathered(const StepResult& s, Parse parse, std::initializer_list<int> good_codes = {0}) {
  Gathered<T> g;
  g.how = s.how;
  if (!s.output) {
    g.how.status = Provenance::Status::NotGathered;
    g.how.reason = s.output.error().to_string();
    return g;
  }
  if (auto why = unusable(*s.output, good_codes)) {
    g.how.status = Provenance::Status::NotGathered;
    g.how.reason = *why;
    return g;
  }
  auto parsed = parse(s.output->out);
  if (!parsed) {
    g.how.status = Provenance::Status::NotGathered;
    g.how.reason = parsed.error().to_string();
    return g;
  }
  g.value = std::move(parsed.value());
  return g;
}

// A transport failure or ^C in any step ends the round: which host, and why.
std::optional<Error> fatal(const StepResult& s) {
  if (!s.output) return s.output.error();
  if (s.output->ending == Ending::Interrupted) return interrupted();
  return std::nullopt;
}

}  // namespace

ScenarioRunners make_runners(const Scenario& s, const std::string& self, const StopFlag* stop) {
  const auto connect = std::chrono::seconds(std::max<long long>(1, std::llround(std::min(s.timeouts.step_s, 10.0))));
  ScenarioRunners r;
  r.nva = std::make_unique<ProcessRunner>(runner_target(s.nva.runner, "nva " + s.nva.name, connect), self, stop);
  for (const auto& site : s.sites)
    r.sites[site.name] =
        std::make_unique<ProcessRunner>(runner_target(site.runner, "site " + site.name, connect), self, stop);
  RunnerTarget here;
  here.name = "this host";
  r.local = std::make_unique<ProcessRunner>(here, self, stop);
  return r;
}

Gatherer::Gatherer(const Scenario& scenario, const ScenarioRunners& runners, GatherOptions options)
    : scenario_(scenario), runners_(runners), options_(std::move(options)) {}

Gatherer::~Gatherer() { finish(); }

Status Gatherer::prepare() {
  // Every host at once: each check is one `hairpin --help` there.
  const auto limit = seconds(scenario_.timeouts.step_s);
  std::vector<std::future<Status>> checks;
  checks.push_back(std::async(std::launch::async, [&] { return runners_.nva->check(limit); }));
  for (const auto& [name, runner] : runners_.sites)
    checks.push_back(std::async(std::launch::async, [&, r = runner.get()] { return r->check(limit); }));
  std::optional<Error> first;
  for (auto& c : checks) {
    auto s = c.get();
    if (!s && !first) first = s.error();
  }
  if (stopped(options_.stop)) return interrupted();
  if (first) return *first;

  if (options_.evidence_dir.empty()) {
    std::string templ = (std::filesystem::temp_directory_path() / "hairpin-verify.XXXXXX").string();
    if (!mkdtemp(templ.data()))
      return Error{"cannot create a temp directory", templ, "check that the temp directory is writable"};
    local_dir_ = templ;
    private_dir_ = true;
  } else {
    local_dir_ = options_.evidence_dir;
    std::error_code ec;
    std::filesystem::create_directories(local_dir_, ec);
    if (ec)
      return Error{"cannot create the evidence directory: " + ec.message(), local_dir_,
                   "give --evidence a directory you can write"};
  }
  log_ = std::make_unique<EvidenceLog>(local_dir_);

  // The capture's file lives on the NVA until it is fetched.
  auto made = runners_.nva->run({"mktemp", "-d", "/tmp/hairpin-verify.XXXXXX"}, limit);
  if (!made) return made.error();
  if (!made->succeeded())
    return Error{"cannot make a temp directory on the NVA: " + made->last_line(), runners_.nva->describe(),
                 "check that /tmp is writable there"};
  remote_dir_ = made->out.substr(0, made->out.find('\n'));
  return Ok{};
}

void Gatherer::finish() {
  if (!remote_dir_.empty()) {
    (void)runners_.nva->run_cleanup({"rm", "-rf", "--", remote_dir_}, milliseconds(10000));
    remote_dir_.clear();
  }
  if (private_dir_ && !local_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(local_dir_, ec);
    private_dir_ = false;
  }
}

Result<RunOutput> Gatherer::run_logged(const Runner& runner, const std::string& runner_text, int round,
                                       const std::string& label, const std::vector<std::string>& argv,
                                       milliseconds timeout, Provenance& how) {
  how.command = shell_words(argv);
  how.runner = runner_text;
  how.started_unix_ns = unix_now_ns();
  auto r = runner.run(argv, timeout);
  how.finished_unix_ns = unix_now_ns();
  auto kept = log_->record(round, label, runner_text, argv, r, how.started_unix_ns);
  if (!kept) return kept.error();
  how.raw_file = *kept;
  return r;
}

Result<Evidence> Gatherer::round(int number) {
  if (!log_) return Error{"gatherer not prepared", "hairpin verify", "call prepare() first"};
  const auto step_limit = seconds(scenario_.timeouts.step_s);
  const auto trace_limit = seconds(scenario_.timeouts.trace_s);
  const std::string nva_text = scenario_.nva.runner.to_string();
  const std::string rdir = EvidenceLog::round_dir(number);

  Evidence ev;
  ev.scenario = scenario_.name;
  ev.attempt = number;
  ev.started_unix_ns = unix_now_ns();

  // 1. The NVA's state, all at once, while the capture and traces run.
  const auto state_steps = nva_state_steps(scenario_, runners_.nva->hairpin());
  std::vector<std::future<StepResult>> state;
  for (const auto& step : state_steps)
    state.push_back(std::async(std::launch::async, [&, step] {
      StepResult s;
      s.output = run_logged(*runners_.nva, nva_text, number, step.label, step.argv, step_limit, s.how);
      return s;
    }));

  // 2. The capture, on before any probe leaves.
  const std::string remote_pcap = remote_dir_ + "/" + rdir + ".pcap";
  const auto cap_argv = capture_argv(scenario_, runners_.nva->hairpin(), remote_pcap,
                                     scenario_.timeouts.trace_s + 2 * scenario_.timeouts.step_s);
  Provenance cap_how;
  cap_how.command = shell_words(cap_argv);
  cap_how.runner = nva_text;
  cap_how.started_unix_ns = unix_now_ns();
  auto capture = runners_.nva->start(cap_argv, kCaptureReady, step_limit);
  std::optional<std::string> capture_failed;
  if (!capture) capture_failed = capture.error().to_string();

  // 3. One trace per direction, all at once, each from its source site.
  const auto traces = trace_steps(scenario_);
  std::vector<std::future<StepResult>> traced;
  if (!stopped(options_.stop))
    for (const auto& t : traces)
      traced.push_back(std::async(std::launch::async, [&, t] {
        const auto* site = scenario_.find_site(t.from);
        const Runner& r = *runners_.sites.at(t.from);
        StepResult s;
        s.output = run_logged(r, site->runner.to_string(), number, t.label,
                              trace_argv(r.hairpin(), t.target, scenario_.port), trace_limit, s.how);
        return s;
      }));
  std::vector<StepResult> trace_results;
  for (auto& f : traced) trace_results.push_back(f.get());

  // 4. Capture off (SIGINT: it drains the kernel's queue and closes the file), fetched, analysed here.
  std::optional<std::string> local_pcap;
  if (capture) {
    auto out = (*capture)->stop(milliseconds(2000));
    cap_how.finished_unix_ns = unix_now_ns();
    auto kept = log_->record(number, "capture", nva_text, cap_argv, Result<RunOutput>(out), cap_how.started_unix_ns);
    if (!kept) return kept.error();
    if (auto why = unusable(out)) {
      capture_failed = "hairpin capture: " + *why;
    } else {
      const std::string path = local_dir_ + "/" + rdir + "/capture.pcap";
      auto fetched = runners_.nva->fetch(remote_pcap, path, step_limit);
      if (fetched) {
        local_pcap = path;
        cap_how.raw_file = path;
      } else {
        capture_failed = fetched.error().to_string();
      }
    }
  }

  // Everything started has ended; now a transport failure or ^C ends the round.
  std::vector<StepResult> state_results;
  for (auto& f : state) state_results.push_back(f.get());
  for (const auto* group : {&state_results, &trace_results})
    for (const auto& s : *group)
      if (auto e = fatal(s)) return *e;
  if (stopped(options_.stop)) return interrupted();

  // The traces, as Evidence; the files of those that parsed go to the analysis.
  std::vector<std::string> trace_files;
  for (std::size_t i = 0; i < traces.size(); ++i) {
    const auto& t = traces[i];
    const auto& s = trace_results[i];
    DirectionEvidence d;
    d.from = t.from;
    d.to = t.to;
    // hairpin trace: 0 reached, 1 not reached (both print the JSON), 2 could not run.
    d.trace = gathered<Trace>(s, [](const std::string& out) { return parse_trace_json(out); }, {0, 1});
    if (!d.trace.ok() && s.output && s.output->ending == Ending::Exited && s.output->exit_code == 2) {
      const std::string line = s.output->last_line();
      // A trace that could not send because the site has no route: a fact about the network.
      if (line.find("no route to") != std::string::npos || line.find("unreachable") != std::string::npos) {
        d.trace.how.status = Provenance::Status::Ok;
        d.trace.how.reason.clear();
        d.trace.value = trace_send_failure(t.source, t.target, scenario_.port, line);
      }
    }
    if (d.trace.ok() && !d.trace.value->send_error) trace_files.push_back(s.how.raw_file);
    ev.directions.push_back(std::move(d));
  }

  // The analysis of the capture against this round's traces.
  if (local_pcap && !trace_files.empty()) {
    StepResult s;
    s.output = run_logged(*runners_.local, "local", number, "analyze",
                          analyze_argv(runners_.local->hairpin(), *local_pcap, trace_files, scenario_.nva.address),
                          step_limit, s.how);
    if (auto e = fatal(s)) return *e;
    // hairpin analyze --trace: 0 every reached probe crossed, 1 some did not (JSON either way).
    auto analysed =
        gathered<std::vector<CaptureDirection>>(s, [](const std::string& out) { return parse_analyze_json(out); },
                                                {0, 1});
    for (auto& d : ev.directions) {
      d.capture.how = analysed.how;
      d.capture.how.command = cap_how.command + " ; " + analysed.how.command;
      if (!analysed.ok()) continue;
      const Trace* t = d.trace.value ? &*d.trace.value : nullptr;
      for (const auto& c : *analysed.value)
        if (t && c.source == t->source && c.target == t->target) d.capture.value = c;
      if (!d.capture.value) {
        d.capture.how.status = Provenance::Status::NotGathered;
        d.capture.how.reason = "the analysis has no entry for this direction's trace";
      }
    }
  } else {
    const std::string why = capture_failed ? *capture_failed
                            : local_pcap   ? "no trace to analyse the capture against"
                                           : "no capture";
    for (auto& d : ev.directions) d.capture.how = Provenance::not_gathered(cap_how.command, nva_text, why);
  }
  for (auto& d : ev.directions)
    if (!d.capture.ok() && d.capture.how.ok()) {  // a trace without a usable file
      d.capture.how.status = Provenance::Status::NotGathered;
      if (d.capture.how.reason.empty()) d.capture.how.reason = "this direction's trace did not run";
    }

  // The NVA's state, as Evidence.
  for (std::size_t i = 0; i < state_steps.size(); ++i) {
    const auto& step = state_steps[i];
    const auto& s = state_results[i];
    switch (step.item) {
      case NvaStateItem::Summary:
        ev.nva.summary = gathered<BgpSummary>(s, [](const std::string& o) { return parse_bgp_summary_json(o); });
        break;
      case NvaStateItem::Table:
        ev.nva.table = gathered<std::vector<LearnedRoute>>(s, [](const std::string& o) { return parse_bgp_table_json(o); });
        break;
      case NvaStateItem::Fib:
        ev.nva.fib = gathered<std::vector<FibRoute>>(s, [](const std::string& o) { return parse_ip_route_json(o); });
        break;
      case NvaStateItem::Advertised:
      case NvaStateItem::Received:
        break;  // below, once the summary has its peers
    }
  }
  for (std::size_t i = 0; i < state_steps.size(); ++i) {
    const auto& step = state_steps[i];
    if (!step.peer || !ev.nva.summary.value) continue;
    PeerState* peer = ev.nva.summary.value->find_peer(*step.peer);
    if (!peer) continue;  // not a neighbor of the NVA: the session check says so
    auto routes = gathered<std::vector<BgpRoute>>(state_results[i],
                                                  [](const std::string& o) { return parse_bgp_peer_routes_json(o); });
    (step.item == NvaStateItem::Advertised ? peer->advertised : peer->received) = std::move(routes);
  }

  ev.finished_unix_ns = unix_now_ns();
  if (auto kept = log_->write(rdir + "/evidence.json", evidence_to_json(ev).dump(2) + "\n"); !kept)
    return kept.error();
  return ev;
}

Result<Converged> gather_until_converged(Gatherer& g, const Scenario& s, milliseconds converge_timeout,
                                         const StopFlag* stop, milliseconds pause,
                                         const std::function<void(const std::vector<CheckResult>&, int, double)>& on_round) {
  const auto started = Clock::now();
  auto elapsed_ms = [&] { return std::chrono::duration<double, std::milli>(Clock::now() - started).count(); };
  Converged c;
  std::vector<CheckResult> previous;
  double longest_round_ms = 0;
  for (int n = 1;; ++n) {
    const double round_start = elapsed_ms();
    auto ev = g.round(n);
    if (!ev) return ev.error();
    const double now = elapsed_ms();
    longest_round_ms = std::max(longest_round_ms, now - round_start);
    c.checks = carry_convergence(previous, run_checks(*ev, s), now);
    c.evidence = std::move(*ev);
    c.rounds = n;
    if (on_round) on_round(c.checks, n, now);
    if (all_passed(c.checks)) {
      c.converged = true;
      break;
    }
    // Another round only if it can finish in time (bounded: never past the limit by more than a pause).
    if (now + pause.count() + longest_round_ms > static_cast<double>(converge_timeout.count())) break;
    const auto wake = Clock::now() + pause;
    while (Clock::now() < wake && !stopped(stop)) std::this_thread::sleep_for(milliseconds(20));
    if (stopped(stop)) return interrupted();
    previous = c.checks;
  }
  c.duration_ms = elapsed_ms();
  if (auto kept = g.log().write("evidence.json", evidence_to_json(c.evidence).dump(2) + "\n"); !kept)
    return kept.error();
  return c;
}

}  // namespace hairpin::verifier
