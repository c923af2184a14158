#include "hairpin/verifier/gather/gather_plan.hpp"

#include <cmath>
#include <sstream>

#include "hairpin/common/shell_quote.hpp"

namespace hairpin::verifier {

namespace {

std::string seconds_text(double s) {
  std::ostringstream o;
  o << std::ceil(s);
  return o.str();
}

// FRR 8.4 vtysh: one `-c` per process, so each answer is one JSON document.
std::vector<std::string> vtysh(const StateAccess& state, const std::string& command) {
  std::vector<std::string> argv{"vtysh"};
  if (!state.vty_socket_dir.empty()) argv.insert(argv.end(), {"--vty_socket", state.vty_socket_dir});
  argv.insert(argv.end(), {"-c", command});
  return argv;
}

// hairpin bgp show ... --json --control-socket P (docs/bgpd.md).
std::vector<std::string> bgp_show(const std::string& hairpin, const StateAccess& state,
                                  std::vector<std::string> words) {
  std::vector<std::string> argv{hairpin, "bgp", "show"};
  argv.insert(argv.end(), words.begin(), words.end());
  argv.push_back("--json");
  if (!state.control_socket.empty()) argv.insert(argv.end(), {"--control-socket", state.control_socket});
  return argv;
}

}  // namespace

std::vector<NvaStateStep> nva_state_steps(const Scenario& s, const std::string& hairpin) {
  const auto& state = s.nva.state;
  const bool frr = state.kind == StateAccess::Kind::Vtysh;
  std::vector<NvaStateStep> steps;
  steps.push_back({"bgp-summary", NvaStateItem::Summary, std::nullopt,
                   frr ? vtysh(state, "show bgp ipv4 unicast summary json") : bgp_show(hairpin, state, {"summary"})});
  steps.push_back({"bgp-table", NvaStateItem::Table, std::nullopt,
                   frr ? vtysh(state, "show bgp ipv4 unicast json") : bgp_show(hairpin, state, {"routes"})});
  // Every table: the lo trap is a `local` route in table local (DESIGN.md, Traps).
  steps.push_back({"ip-route", NvaStateItem::Fib, std::nullopt, {"ip", "-4", "-j", "route", "show", "table", "all"}});
  for (const auto& rs : s.route_servers) {
    const std::string a = rs.address.to_string();
    for (auto [item, which] : {std::pair{NvaStateItem::Advertised, "advertised-routes"},
                               std::pair{NvaStateItem::Received, "received-routes"}}) {
      steps.push_back(
          {std::string(item == NvaStateItem::Advertised ? "advertised-" : "received-") + a, item, rs.address,
           frr ? vtysh(state, "show bgp ipv4 unicast neighbors " + a + " " + which + " json")
               : bgp_show(hairpin, state, {"neighbors", a, which})});
    }
  }
  return steps;
}

std::vector<std::string> trace_argv(const std::string& hairpin, Ipv4Address target, std::uint16_t port) {
  return {hairpin, "trace", target.to_string(), "--json", "-p", std::to_string(port)};
}

std::vector<TraceStep> trace_steps(const Scenario& s, const std::string& hairpin) {
  std::vector<TraceStep> out;
  for (const auto& p : s.paths) {
    const auto* from = s.find_site(p.from);
    const auto* to = s.find_site(p.to);
    if (!from || !to) continue;  // the scenario parser already refused this
    out.push_back({"trace-" + p.from + "-" + p.to, p.from, p.to, from->probe_host, to->probe_host,
                   trace_argv(hairpin.empty() ? "hairpin" : hairpin, to->probe_host, s.port)});
  }
  return out;
}

std::vector<std::string> capture_argv(const Scenario& s, const std::string& hairpin, const std::string& pcap,
                                      double limit_s) {
  return {hairpin, "capture", "-i", s.nva.interface, "--probes", "-w", pcap, "-d", seconds_text(limit_s)};
}

std::vector<std::string> analyze_argv(const std::string& hairpin, const std::string& pcap,
                                      const std::vector<std::string>& traces, Ipv4Address nva_ip) {
  std::vector<std::string> argv{hairpin, "analyze", pcap, "--json", "--nva-ip", nva_ip.to_string()};
  for (const auto& t : traces) argv.insert(argv.end(), {"--trace", t});
  return argv;
}

RunnerTarget runner_target(const RunnerSpec& spec, const std::string& name, std::chrono::seconds connect_timeout) {
  RunnerTarget t;
  t.name = name;
  t.connect_timeout = connect_timeout;
  switch (spec.kind) {
    case RunnerSpec::Kind::Local: t.kind = RunnerKind::Local; break;
    case RunnerSpec::Kind::Netns:
      t.kind = RunnerKind::Netns;
      t.netns = spec.netns;
      break;
    case RunnerSpec::Kind::Ssh:
      t.kind = RunnerKind::Ssh;
      t.ssh_destination = spec.user ? *spec.user + "@" + spec.host : spec.host;
      if (spec.port) t.ssh_port = *spec.port;
      t.ssh_options = spec.options;
      if (spec.hairpin) t.hairpin = *spec.hairpin;
      break;
  }
  return t;
}

}  // namespace hairpin::verifier
