#pragma once
// When the routes an earlier run left in the kernel may go: the restart's
// convergence decision, pure (the daemon feeds it, the FIB sweeps).
//
// In:  each configured neighbor's session state and whether it has sent End-of-RIB
//      since this run started (RFC 4724 2); whether the stale timer has expired.
// Out: sweep now, or keep waiting, and why (for the log line).
//
// Rule (as zebra -r / BIRD `persist` plus graceful-restart's wait for EoR): the
// old routes keep forwarding until every neighbor that is Established has sent
// End-of-RIB, at least one has, and no neighbor is half-way through its OPEN
// exchange (OpenSent/OpenConfirm: its table is seconds away). A neighbor that
// never comes up does not block the sweep past the timer (`--stale-timeout`).

#include <string>
#include <vector>

#include "hairpin/bgpd/session/session_fsm.hpp"
#include "hairpin/common/ipv4.hpp"

namespace hairpin::bgpd {

struct PeerConvergence {
  Ipv4Address address;
  SessionState state = SessionState::Idle;
  bool end_of_rib = false;  // received in this run
};

struct SweepDecision {
  bool sweep = false;
  std::string why;  // "End-of-RIB from 10.0.0.1, 10.0.0.3" / "stale timer (120 s)"
};

SweepDecision decide_stale_sweep(const std::vector<PeerConvergence>& peers, bool timer_expired,
                                 int timeout_seconds);

}  // namespace hairpin::bgpd
