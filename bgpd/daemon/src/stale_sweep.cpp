// The restart's convergence decision (stale_sweep.hpp says the rule).

#include "hairpin/bgpd/daemon/stale_sweep.hpp"

namespace hairpin::bgpd {

SweepDecision decide_stale_sweep(const std::vector<PeerConvergence>& peers, bool timer_expired,
                                 int timeout_seconds) {
  if (timer_expired) return {true, "stale timer (" + std::to_string(timeout_seconds) + " s)"};
  std::string from;
  for (const auto& p : peers) {
    if (p.state == SessionState::OpenSent || p.state == SessionState::OpenConfirm) return {};
    if (p.state != SessionState::Established) continue;
    if (!p.end_of_rib) return {};
    from += (from.empty() ? "" : ", ") + p.address.to_string();
  }
  if (from.empty()) return {};  // nobody up yet: nothing has converged
  return {true, "End-of-RIB from " + from};
}

}  // namespace hairpin::bgpd
