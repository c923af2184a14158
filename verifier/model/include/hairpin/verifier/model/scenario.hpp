#pragma once
// Scenario: what `hairpin verify` checks and where it reaches each piece, for a
// lab or a real deployment, read from YAML (fixtures/scenarios/seed-lab.yaml is
// the annotated reference) or derived from a lab Topology.
//
// In:  a YAML document, or a validated Topology (the running lab).
// Out: a validated Scenario value, or one Error naming file:line and the fix.
// Who: `hairpin verify` (its runners read `runner`, its gatherers the NVA's state
//      access), the checks (expectations, limits) and the reports (names).
//
// The scenario holds no lab knowledge: a real deployment has the same fields,
// reached over ssh instead of network namespaces.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hairpin/common/ipv4.hpp"
#include "hairpin/common/result.hpp"
#include "hairpin/verifier/model/topology.hpp"

namespace hairpin::verifier {

// Where a command runs. netns: `ip netns exec NAME ...` on this host (any
// namespace, not only the lab's); local: this host as it is; ssh: the system's
// OpenSSH client to `[user@]host` (port and `-o` options as given).
struct RunnerSpec {
  enum class Kind { Local, Netns, Ssh };
  Kind kind = Kind::Local;
  std::string netns;                     // Netns: the namespace name
  std::string host;                      // Ssh: host name or address
  std::optional<std::string> user;       // Ssh: login, else ssh_config's
  std::optional<std::uint16_t> port;     // Ssh: port, else ssh_config's
  std::vector<std::string> options;      // Ssh: each one `-o` value, e.g. "ConnectTimeout=5"
  std::optional<std::string> hairpin;    // Ssh: the hairpin binary there, else "hairpin" on its PATH
  int line = 0;                          // where it was defined, for messages

  // "local", "netns hp-vm-hub00", "ssh azureuser@10.1.2.3:2222": for reports.
  std::string to_string() const;
  // Same place to run (where it was written does not matter).
  friend bool operator==(const RunnerSpec& a, const RunnerSpec& b) {
    return a.kind == b.kind && a.netns == b.netns && a.host == b.host && a.user == b.user && a.port == b.port &&
           a.options == b.options && a.hairpin == b.hairpin;
  }
};
std::string_view to_string(RunnerSpec::Kind kind);

// One branch site: its prefix and the host that sends and answers the probes.
struct ScenarioSite {
  std::string name;             // e.g. "vm-hub100"
  Ipv4Prefix prefix;            // what the site advertises, e.g. 10.100.0.0/16
  Ipv4Address probe_host;       // the VM traces start from and are aimed at
  RunnerSpec runner;            // where `hairpin trace` runs for this site
  int line = 0;
};

// The NVA's software, which decides how its BGP state is read.
enum class NvaSoftware { Builtin, Frr };
std::string_view to_string(NvaSoftware software);

// How to read the NVA's BGP state: the built-in NVA's control socket
// (`hairpin bgp show ... --json --control-socket PATH`), or FRR's vtysh
// (`vtysh [--vty_socket DIR] -c 'show ... json'`).
struct StateAccess {
  enum class Kind { ControlSocket, Vtysh };
  Kind kind = Kind::Vtysh;
  std::string control_socket;   // ControlSocket: path on the NVA host
  std::string vty_socket_dir;   // Vtysh: --vty_socket DIR; empty = vtysh's default
};

struct ScenarioNva {
  std::string name = "nva";     // for reports
  Ipv4Address address;          // the NVA's NIC address (the UDR's next hop)
  std::string interface = "eth0";  // where the capture runs
  NvaSoftware software = NvaSoftware::Frr;
  StateAccess state;
  RunnerSpec runner;            // where its state commands and the capture run
  int line = 0;
};

// One Azure Route Server instance the NVA must peer with.
struct RouteServerPeer {
  Ipv4Address address;
  std::uint32_t asn = 65515;    // Azure's, fixed (DESIGN.md, ARS facts)
  int line = 0;
};

// What a trace from one site to another must show: these hops, in this order,
// answering before the target (by default only the NVA; the lab also names
// its gateway, so a trace that dies right after it is read as "no UDR").
struct PathExpectation {
  std::string from;             // site name
  std::string to;               // site name
  std::vector<Ipv4Address> hops_before_target;
};

struct Timeouts {
  double converge_s = 60;       // --converge-timeout: retry checks until all pass or this
  double step_s = 20;           // each remote step (one command over a runner)
  double trace_s = 15;          // one `hairpin trace`
};

struct Scenario {
  std::string name;
  std::string source;           // the file it came from, or "lab topology FILE"
  Ipv4Prefix supernet;          // what the NVA must advertise, e.g. 10.0.0.0/8
  std::uint16_t port = 22;      // the probes' TCP destination port
  std::vector<ScenarioSite> sites;     // two or more; every ordered pair is a direction
  ScenarioNva nva;
  std::vector<RouteServerPeer> route_servers;  // one or more
  // ARS accepts at most this many routes per NVA peer (raisable to 4,000) and
  // counts held + incoming, so a re-announcement can cross it: the check wants
  // the count at or under route_server_limit * route_server_margin_pct / 100.
  std::size_t route_server_limit = 1000;
  int route_server_margin_pct = 75;    // FRR's maximum-prefix warning threshold
  std::vector<PathExpectation> paths;  // one per ordered pair of sites, filled in when omitted
  Timeouts timeouts;

  const ScenarioSite* find_site(std::string_view name) const;
  const ScenarioSite* site_covering(Ipv4Address address) const;  // longest prefix
  std::size_t route_limit_threshold() const;  // limit * margin / 100
};

// Parses and validates. `source` names the file in messages ("file:line: what; fix").
Result<Scenario> parse_scenario(std::string_view yaml_text, std::string source);
Result<Scenario> load_scenario(const std::string& path);

// The running lab as a scenario: sites and the NVA in their hp-* namespaces,
// the ARS instances as route-server peers, the ERGW and the NVA as the hops
// each direction must show. `state_dir` is the lab's (/run/hairpin/lab): FRR's
// vty sockets sit in STATE_DIR/NVA/frr, the built-in NVA's control socket at
// STATE_DIR/NVA/nva.sock.
struct LabScenarioOptions {
  NvaSoftware software = NvaSoftware::Frr;
  std::string state_dir = "/run/hairpin/lab";
  std::uint16_t port = 22;
};
Scenario scenario_from_topology(const Topology& topology, const LabScenarioOptions& options = {});

}  // namespace hairpin::verifier
