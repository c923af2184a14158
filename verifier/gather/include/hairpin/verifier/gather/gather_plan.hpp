#pragma once
// Gather plan: the commands one round of `hairpin verify` runs, as plain values.
//
// In:  a Scenario, the hairpin binary on each side.
// Out: argv vectors (never shell strings) with a label and the runner they run
//      on: the NVA's BGP state (builtin: `hairpin bgp show ... --json
//      --control-socket P`; frr: `vtysh --vty_socket DIR -c 'show bgp ipv4
//      unicast ... json'`), its kernel routes (`ip -4 -j route show table all`:
//      the lo trap is a `local` route there), the capture on the NVA
//      (`hairpin capture --probes`, to a file), one trace per direction from the
//      source site's probe host, and the analysis of the capture against them.
//      Also the RunnerTarget each RunnerSpec of the scenario names.
// Who: gather.cpp runs them; the unit tests read them. Nothing here runs anything.

#include <string>
#include <vector>

#include "hairpin/verifier/model/scenario.hpp"
#include "hairpin/verifier/runner/runner.hpp"

namespace hairpin::verifier {

// Which piece of NVA state a step reads.
enum class NvaStateItem { Summary, Table, Fib, Advertised, Received };

struct NvaStateStep {
  std::string label;               // file name in --evidence DIR: "bgp-summary", "advertised-10.0.210.4"
  NvaStateItem item = NvaStateItem::Summary;
  std::optional<Ipv4Address> peer; // Advertised / Received: the route server
  std::vector<std::string> argv;
};

// The NVA state steps, in a fixed order: summary, table, kernel routes, then per
// route server advertised and received routes.
std::vector<NvaStateStep> nva_state_steps(const Scenario& scenario, const std::string& nva_hairpin);

struct TraceStep {
  std::string label;               // "trace-vm-hub100-vm-hub200"
  std::string from, to;            // site names
  Ipv4Address source, target;      // their probe hosts
  std::vector<std::string> argv;   // runs on the `from` site's runner
};
std::vector<TraceStep> trace_steps(const Scenario& scenario, const std::string& site_hairpin_placeholder = "");
// The argv of one trace with the hairpin of the runner that runs it.
std::vector<std::string> trace_argv(const std::string& hairpin, Ipv4Address target, std::uint16_t port);

// `hairpin capture -i IFACE --probes -w PCAP -d LIMIT`: LIMIT bounds it even if
// nothing ever stops it (a lost ssh connection).
std::vector<std::string> capture_argv(const Scenario& scenario, const std::string& nva_hairpin,
                                      const std::string& pcap_path, double limit_s);
// What hairpin capture prints on stderr once the capture is really on.
inline const std::string kCaptureReady = "listening on";

// `hairpin analyze PCAP --json --nva-ip NVA --trace T...` (run here, on the fetched pcap).
std::vector<std::string> analyze_argv(const std::string& hairpin, const std::string& pcap_path,
                                      const std::vector<std::string>& trace_files, Ipv4Address nva_ip);

// The runner target a scenario's RunnerSpec names; `name` labels it in messages.
RunnerTarget runner_target(const RunnerSpec& spec, const std::string& name, std::chrono::seconds connect_timeout);


}  // namespace hairpin::verifier
