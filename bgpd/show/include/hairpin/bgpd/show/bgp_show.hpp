#pragma once
// `hairpin bgp show ...`: the NVA's state as JSON (FRR's field names where they
// fit, so the verifier reads our NVA and FRR the same way) and as vtysh-like text
// made from that JSON. Pure functions over the RIB's views and the neighbors'
// status and the FIB's counters and held routes: the daemon answers
// control-socket requests with them (daemon/control_socket), the CLI prints them.
//
// Why a route is not in the kernel is said where the route is shown: a path whose
// next hop does not resolve (FRR: "inaccessible") and a best path the FIB holds
// (another protocol has the prefix, the kernel refused it) carry the reason.
//
// Requests (one line on the control socket, JSON back):
//   summary | routes | neighbors A.B.C.D advertised-routes | neighbors A.B.C.D received-routes

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hairpin/bgpd/fib/fib.hpp"
#include "hairpin/bgpd/rib/rib.hpp"
#include "hairpin/bgpd/session/session_fsm.hpp"

namespace hairpin::bgpd {

// One neighbor as the daemon reports it (FRR's summary fields).
struct NeighborStatus {
  Ipv4Address address;
  std::uint32_t remote_as = 0;
  SessionState state = SessionState::Idle;
  std::optional<std::string> last_notification;
};

struct ShowContext {
  Ipv4Address router_id;
  std::uint32_t local_as = 0;
  std::vector<NeighborStatus> neighbors;
  const Rib* rib = nullptr;
  std::optional<FibCounters> fib;      // none: no FIB (some tests)
  std::vector<FibHeldRoute> fib_held;  // Fib::held_routes()
};

// {"error": "..."} for unknown requests or neighbors.
nlohmann::json answer_show_request(const std::string& request, const ShowContext& context);

// The control socket's reply to one request line, as the daemon writes it back:
// answer_show_request serialised. Pure; tests/fuzz feeds it any bytes.
std::string answer_control_request(const std::string& request, const ShowContext& context);

// Text like vtysh's for each answer kind; the request decides the layout.
std::string show_text(const std::string& request, const nlohmann::json& answer);

}  // namespace hairpin::bgpd
