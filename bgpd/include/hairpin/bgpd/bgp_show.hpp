#pragma once
// `hairpin bgp show ...`: the NVA's state as JSON (FRR's field names where they
// fit, so the verifier reads our NVA and FRR the same way) and as vtysh-like text
// made from that JSON. Pure functions; the daemon answers control-socket requests
// with them, the CLI prints them.
//
// Requests (one line on the control socket, JSON back):
//   summary | routes | neighbors A.B.C.D advertised-routes | neighbors A.B.C.D received-routes

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hairpin/bgpd/nva_daemon.hpp"
#include "hairpin/bgpd/rib.hpp"

namespace hairpin::bgpd {

struct ShowContext {
  Ipv4Address router_id;
  std::uint32_t local_as = 0;
  std::vector<NeighborStatus> neighbors;
  const Rib* rib = nullptr;
};

// {"error": "..."} for unknown requests or neighbors.
nlohmann::json answer_show_request(const std::string& request, const ShowContext& context);

// Text like vtysh's for each answer kind; the request decides the layout.
std::string show_text(const std::string& request, const nlohmann::json& answer);

// Client side: sends one request to the daemon's control socket, returns its JSON.
Result<nlohmann::json> query_control_socket(const std::string& path, const std::string& request);

}  // namespace hairpin::bgpd
