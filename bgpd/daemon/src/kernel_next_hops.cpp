// Next-hop lookups in the kernel's routing table (kernel_next_hops.hpp says how).

#include "hairpin/bgpd/daemon/kernel_next_hops.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace hairpin::bgpd {

bool kernel_has_route(Ipv4Address address) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;  // out of descriptors: say unreachable now, recheck() asks again
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(179);  // any port: connect() on UDP only looks the route up
  to.sin_addr.s_addr = htonl(address.value);
  const bool routed = ::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0;
  ::close(fd);
  return routed;
}

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
