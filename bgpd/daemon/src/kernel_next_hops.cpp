// Next-hop lookups in the kernel's routing table (kernel_next_hops.hpp says how).

#include "hairpin/bgpd/daemon/kernel_next_hops.hpp"

#include "hairpin/common/route_lookup.hpp"

namespace hairpin::bgpd {

// Out of descriptors also reads as unreachable for now; recheck() asks again.
bool kernel_has_route(Ipv4Address address) { return kernel_route_source(address, 179).ok(); }

bool KernelNextHops::reachable(Ipv4Address next_hop) {
  auto it = known_.find(next_hop);
  if (it == known_.end()) it = known_.emplace(next_hop, lookup_(next_hop)).first;
  return it->second;
}

std::vector<Ipv4Address> KernelNextHops::recheck() {
  std::vector<Ipv4Address> changed;
  for (auto& [next_hop, reachable] : known_) {
    const bool now = lookup_(next_hop);
    if (now != reachable) changed.push_back(next_hop);
    reachable = now;
  }
  return changed;
}

}  // namespace hairpin::bgpd
