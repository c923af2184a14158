#pragma once
// The client side of the NVA's control socket: one request line out, one JSON
// answer back. `hairpin bgp show` and the verifier's NVA reader use it; the daemon
// uses it at start to tell whether another NVA already owns the socket.

#include <nlohmann/json.hpp>
#include <string>

#include "hairpin/common/result.hpp"

namespace hairpin::bgpd {

// Sends `request` (see show/bgp_show.hpp) to the control socket at `path` and
// returns the daemon's JSON answer. Errors say whether the daemon is missing, the
// socket refused us (mode 0600: not root) or the answer was not JSON.
Result<nlohmann::json> query_control_socket(const std::string& path, const std::string& request);

}  // namespace hairpin::bgpd
