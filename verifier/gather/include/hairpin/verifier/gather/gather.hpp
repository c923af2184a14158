#pragma once
// Gathering: one round of evidence for a Scenario, run on its hosts' runners,
// concurrently where it can be, and rounds until the checks pass or time runs out.
//
// In:  a Scenario, a Runner for the NVA and one per site (make_runners), a local
//      runner (for the analysis), GatherOptions (evidence dir, stop flag).
// Out: per round an Evidence value (verifycore's parsers over the tools' outputs,
//      each item with its Provenance); over rounds the final Evidence and the
//      checks with the time each first passed. An Error only when verify cannot
//      run at all: a runner unreachable (which host and why), evidence that cannot
//      be kept, or SIGINT ("interrupted"): never half a verdict.
// Who: `hairpin verify`; the gathering tests (recorded outputs, a fake Runner).
//
// One round:
//   NVA    BGP summary, table, kernel routes, per route server advertised and
//          received routes: all at once, while the rest runs.
//   NVA    capture (`hairpin capture --probes -w PCAP`), started before the traces
//          and awaited until it says it is listening.
//   sites  one `hairpin trace --json` per direction, all at once.
//   NVA    capture stopped (SIGINT: it drains what the kernel holds, then closes
//          the file), the pcap fetched here, `hairpin analyze --json` run here
//          against the round's traces.
// A step that ran and failed (vtysh cannot reach bgpd) is not an Error: its item
// is "not gathered" with the tool's reason, and the checks that need it do not run.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hairpin/common/result.hpp"
#include "hairpin/verifier/checks/checks.hpp"
#include "hairpin/verifier/evidence/evidence.hpp"
#include "hairpin/verifier/gather/evidence_log.hpp"
#include "hairpin/verifier/model/scenario.hpp"
#include "hairpin/verifier/runner/runner.hpp"

namespace hairpin::verifier {

struct ScenarioRunners {
  std::unique_ptr<Runner> nva;
  std::map<std::string, std::unique_ptr<Runner>> sites;  // by site name
  std::unique_ptr<Runner> local;                         // here: the analysis of the fetched pcap
};

// ProcessRunners for the scenario's hosts. `self_hairpin`: this binary (local and
// netns runners use it); `stop`: the SIGINT flag.
ScenarioRunners make_runners(const Scenario& scenario, const std::string& self_hairpin, const StopFlag* stop);

struct GatherOptions {
  std::string evidence_dir;        // --evidence DIR; empty: a private temp dir, removed by finish()
  const StopFlag* stop = nullptr;  // set by SIGINT: the round ends, what was kept stays
};

class Gatherer {
 public:
  Gatherer(const Scenario& scenario, const ScenarioRunners& runners, GatherOptions options);
  ~Gatherer();
  Gatherer(const Gatherer&) = delete;
  Gatherer& operator=(const Gatherer&) = delete;

  // Every runner answers (concurrently): a missing namespace, an ssh failure, a
  // missing hairpin -> one Error naming the host. Then the evidence dir and a
  // temp dir on the NVA for the capture.
  Status prepare();
  // One round of evidence (numbered from 1).
  Result<Evidence> round(int number);
  // Removes the NVA's temp dir (and the private local dir); safe to call twice.
  void finish();

  EvidenceLog& log() { return *log_; }

 private:
  struct Step;
  Result<RunOutput> run_logged(const Runner& runner, const std::string& runner_text, int round,
                               const std::string& label, const std::vector<std::string>& argv,
                               std::chrono::milliseconds timeout, Provenance& how);

  const Scenario& scenario_;
  const ScenarioRunners& runners_;
  GatherOptions options_;
  std::unique_ptr<EvidenceLog> log_;
  std::string local_dir_;   // where fetched pcaps and trace files are (the evidence dir, or a temp dir)
  bool private_dir_ = false;
  std::string remote_dir_;  // on the NVA: where the capture writes
};

struct Converged {
  Evidence evidence;                // the last round
  std::vector<CheckResult> checks;  // with passed_after_ms
  int rounds = 0;
  bool converged = false;
  double duration_ms = 0;
};

// Rounds until every check passes or `converge_timeout` would be passed by
// another round (bounded), a pause of at most `pause` between rounds.
// `on_round` sees each round's checks (the CLI's progress line).
Result<Converged> gather_until_converged(
    Gatherer& gatherer, const Scenario& scenario, std::chrono::milliseconds converge_timeout,
    const StopFlag* stop, std::chrono::milliseconds pause = std::chrono::milliseconds(500),
    const std::function<void(const std::vector<CheckResult>&, int, double)>& on_round = {});

}  // namespace hairpin::verifier
