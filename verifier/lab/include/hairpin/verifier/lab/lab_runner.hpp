#pragma once
// Lab runner: carries out a LabPlan on this machine and reads the lab back.
//
// In:  a Topology and LabOptions (via `hairpin lab up`), or the saved state.
// Out: namespaces, links, daemons; status (sessions, routes); a clean `down`.
// Who: the `hairpin lab` commands and lab tests. Only this file (and the delay
// line) touch the system: everything it does happens inside the lab's own
// namespaces, never in the root namespace.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "hairpin/common/result.hpp"
#include "hairpin/verifier/lab/lab_plan.hpp"
#include "hairpin/verifier/model/topology.hpp"

namespace hairpin::verifier {

// Root or CAP_NET_ADMIN + CAP_SYS_ADMIN (namespaces and mounts) is needed.
Status check_lab_privileges();

// The binaries the plan needs, each with the package that provides it.
Status check_lab_tools(const LabOptions& options);

// True when this kernel can run `tc ... netem` (checked in a throwaway namespace).
bool netem_available();

struct UpRequest {
  std::string topology_path;
  LabOptions options;
  std::string nva_config_path;
  bool force = false;
  std::chrono::seconds timeout{60};
};

struct SessionState {
  ExpectedSession expected;
  std::string state;       // BIRD's: "Established", "Active", "Connect", "down", ...
  bool established = false;
};

struct RouteState {
  ExpectedRoute expected;
  bool present = false;
  std::string detail;      // the kernel's line for it, or why it is missing
};

struct NodeState {
  std::string name;
  std::string role;
  std::string ns;
  bool namespace_present = false;
  std::vector<std::string> processes;  // "bird 1234"
};

// A daemon of the plan (BIRD, the NVA of either kind, a delay line): running is
// every pidfile naming a live process. One that is down is started again by
// `hairpin lab restart NODE`.
struct DaemonState {
  std::string node;
  std::string kind;               // "bird", "hairpin-nva", "frr", "delay-line"
  bool running = false;
  std::vector<int> pids;          // the live ones
  std::string log;
  std::string control_socket;     // hairpin-nva: for `hairpin bgp show --control-socket`
};

struct LabStatus {
  bool up = false;
  std::string topology;
  std::string nva;
  std::vector<std::string> faults;
  std::string delay;
  std::vector<NodeState> nodes;
  std::vector<DaemonState> daemons;
  std::vector<SessionState> sessions;
  std::vector<RouteState> routes;
  bool converged() const;
  std::vector<std::string> missing() const;  // one line per session or route not there
};

// Brings the lab up and waits (bounded) for convergence. On timeout the lab is
// left up for inspection and the returned status is not converged(): its
// missing() lines say which sessions and routes never came. An Error means the
// lab could not be built (and what was built has been removed).
Result<LabStatus> lab_up(const UpRequest& request, std::ostream& progress);

// Removes every namespace, process and file of the lab; safe to run any time.
Status lab_down(const std::string& state_dir, std::ostream& progress);

struct RestartRequest {
  std::string state_dir = "/run/hairpin/lab";
  std::string node;                        // a node (or a circuit with a delay line)
  std::string hairpin_binary = "hairpin";  // runs the built-in NVA / delay line again
  std::chrono::seconds timeout{60};
};

// Starts one node's daemon again in its existing namespace, rebuilding nothing:
// a daemon that is down is started; one that is up is stopped first (SIGTERM,
// then SIGKILL after 10 s; the built-in NVA withdraws its kernel routes on
// SIGTERM) and started. Then waits (bounded) for convergence, like lab_up.
// Errors: the lab is not up; an unknown node (listing the valid ones); a node
// that runs no daemon (a fault stopped it); its namespace is gone.
Result<LabStatus> lab_restart(const RestartRequest& request, std::ostream& progress);

// Reads the lab's state. Error when the lab is not up.
Result<LabStatus> lab_status(const std::string& state_dir);

// The namespace of a node (or circuit / fabric), or an error listing the valid ones.
Result<std::string> lab_namespace_of(const std::string& state_dir, const std::string& node);

std::string format_status_text(const LabStatus& status);
std::string format_status_json(const LabStatus& status);

}  // namespace hairpin::verifier
