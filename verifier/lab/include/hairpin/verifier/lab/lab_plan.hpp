#pragma once
// Lab plan: everything `hairpin lab up` will create, computed as plain values.
//
// In:  a Topology and LabOptions (NVA kind and config, faults, delay).
// Out: a LabPlan: namespaces, files (BIRD/FRR/NVA configs, nft rulesets), the
//      commands that build links/addresses/routes/sysctls, the daemons to start
//      (and how to tell each is up, and what a restart must clear first),
//      and what "converged" means: the model's deployment expectations, less
//      what the faults take away, each session tied to the BIRD protocol that sees it.
// Who: lab_runner executes it; unit tests read it. Nothing here touches the system.
//
// The emulation (DESIGN.md, The lab):
//   hp-vnet       the hub VNet fabric: a bridge whose nftables (bridge family)
//                 rewrite each frame's destination MAC by destination IP, per the
//                 sending subnet's effective routes (UDRs included), and its
//                 source MAC to Azure's gateway MAC. No TTL decrement: invisible.
//   hp-<circuit>  an ExpressRoute circuit: a bridge (optionally netem), or the
//                 userspace delay line when the kernel has no sch_netem.
//   hp-<node>     one namespace per node; hub NICs are eth0 with their own /24
//                 and default via .1; sites hold the branch VM and its edge BGP
//                 speaker (BIRD), so the edge never shows in a trace.
//   ERGW          BIRD; no transit between circuits in BGP (export filter) and in
//                 forwarding (nft); the GatewaySubnet UDR is policy routing on
//                 traffic arriving from the circuits.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "hairpin/common/result.hpp"
#include "hairpin/verifier/model/expectations.hpp"
#include "hairpin/verifier/model/topology.hpp"

namespace hairpin::verifier {

enum class Fault { NoUdr, AsymmetricUdr, NoSupernet, NvaNoforward, Ars0Down, NvaDown, SeedVerbatim };

std::string to_string(Fault fault);
std::string describe(Fault fault);  // one line for help and status
const std::vector<Fault>& all_faults();
Result<Fault> parse_fault(const std::string& name);

// Builtin: `hairpin nva` (the default); Frr: zebra + staticd + bgpd. Both run the
// same FRR-style config.
enum class NvaKind { Builtin, Frr };
std::string to_string(NvaKind kind);
Result<NvaKind> parse_nva_kind(const std::string& name);

struct LabOptions {
  NvaKind nva = NvaKind::Builtin;
  std::string nva_config_text;        // the NVA's FRR-style config (either kind)
  std::string nva_config_source;      // its file name, for messages
  std::set<Fault> faults;
  std::optional<double> delay_ms;     // overrides every circuit's delay_ms
  bool netem_available = true;        // false: use the userspace delay line
  std::string state_dir = "/run/hairpin/lab";
  std::string hairpin_binary = "hairpin";  // runs the delay line and the built-in NVA
};

struct Command {
  std::vector<std::string> argv;
  std::vector<std::string> wait_for{};  // paths that must exist before it runs (bounded wait)
  bool background = false;            // detach (a daemon that does not fork itself)
  std::string log{};                  // background: its stdout/stderr, appended
  std::string pidfile{};              // background: written by the lab with its pid
  std::string to_string() const;
};

struct GeneratedFile {
  std::string path;
  std::string content;
};

struct Daemon {
  std::string node;                            // for messages
  std::string ns;
  std::string kind;                            // "bird", "frr", "hairpin-nva", "delay-line"
  std::vector<Command> start;                  // run in order; each returns once started
  std::vector<std::string> pidfiles;
  std::vector<std::string> ready{};            // paths that exist once it serves (bounded wait)
  std::vector<std::string> runtime_files{};    // left by a run that died: removed before a restart
  std::string log{};                           // where to look when it does not start
};

// A BGP session that must reach Established, observed from a BIRD speaker.
struct ExpectedSession {
  std::string observer;    // node running BIRD
  std::string protocol;    // BIRD protocol name
  std::string peer;        // node at the other end
};

// A route that must be in a node's kernel FIB: the model's, as the lab checks it.
using ExpectedRoute = RouteExpectation;

struct LabPlan {
  std::vector<std::string> namespaces;
  std::vector<GeneratedFile> files;
  std::vector<Command> network;
  std::vector<Daemon> daemons;
  std::vector<ExpectedSession> sessions;
  std::vector<ExpectedRoute> routes;
  std::string delay_summary;  // "no delay", "45 ms each way per circuit (netem)", ...
};

// Effective routes of one VNet subnet, resolved to the NIC MAC each range goes to.
struct FabricRange {
  Ipv4Address first;
  Ipv4Address last;
  std::string mac;
};
std::vector<FabricRange> effective_routes(const Topology& topology, const Subnet& subnet,
                                          const std::set<Fault>& faults);

// The deterministic MAC of a hub node's NIC: 02:00 followed by its IPv4 address.
std::string nic_mac(Ipv4Address address);

// UDR prefixes in force for a subnet after faults.
std::vector<Udr> udrs_in_force(const Subnet& subnet, const std::set<Fault>& faults);

std::string bird_config(const Topology& topology, const Node& node, const LabOptions& options);
std::string fabric_nft(const Topology& topology, const std::set<Fault>& faults);
std::string ergw_nft(const Topology& topology);

// The config the NVA runs (FRR or built-in), after faults (no-supernet drops
// `network <supernet>`).
std::string nva_frr_config(const Topology& topology, const LabOptions& options);

// Where the built-in NVA keeps its files in the lab: config, control socket
// (`hairpin bgp show --control-socket`), log, pidfile.
struct BuiltinNvaFiles {
  std::string config, control_socket, log, pidfile;
};
BuiltinNvaFiles builtin_nva_files(const Topology& topology, const LabOptions& options);

Result<LabPlan> make_lab_plan(const Topology& topology, const LabOptions& options);

// Namespaces the lab owns for a topology (nodes, circuits, fabric).
std::vector<std::string> lab_namespaces(const Topology& topology);

}  // namespace hairpin::verifier
