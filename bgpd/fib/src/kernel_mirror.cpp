// The kernel's table as the FIB sees it, and next-hop resolution over it
// (see kernel_mirror.hpp).

#include "hairpin/bgpd/fib/kernel_mirror.hpp"

#include <algorithm>

namespace hairpin::bgpd {

void KernelMirror::clear() {
  routes_.clear();
  nexthops_.clear();
  links_.clear();
}

bool KernelMirror::add_route(const KernelRoute& route) {
  auto& list = routes_[route.prefix];
  for (KernelRoute& existing : list) {
    if (existing.metric == route.metric) {
      if (existing == route) return false;
      existing = route;
      return true;
    }
  }
  list.push_back(route);
  std::sort(list.begin(), list.end(), [](const KernelRoute& a, const KernelRoute& b) { return a.metric < b.metric; });
  return true;
}

bool KernelMirror::delete_route(const KernelRoute& route) {
  auto it = routes_.find(route.prefix);
  if (it == routes_.end()) return false;
  auto& list = it->second;
  auto gone = std::remove_if(list.begin(), list.end(),
                             [&](const KernelRoute& r) { return r.metric == route.metric; });
  const bool changed = gone != list.end();
  list.erase(gone, list.end());
  if (list.empty()) routes_.erase(it);
  return changed;
}

void KernelMirror::set_nexthop(const KernelNexthopObject& object) { nexthops_[object.id] = object; }
void KernelMirror::delete_nexthop(std::uint32_t id) { nexthops_.erase(id); }
void KernelMirror::set_link(const KernelLink& link) { links_[link.ifindex] = link; }
void KernelMirror::delete_link(std::uint32_t ifindex) { links_.erase(ifindex); }

std::vector<KernelHop> KernelMirror::resolve(Ipv4Address next_hop,
                                             std::optional<std::uint8_t> excluded_protocol) const {
  // A hop without a gateway (a connected or dev route) reaches the next hop
  // directly: the next hop is the gateway.
  auto via = [&](KernelHop hop) {
    if (hop.gateway.value == 0) hop.gateway = next_hop;
    return hop;
  };
  for (int length = 32; length >= 0; --length) {
    auto it = routes_.find(Ipv4Prefix::covering(next_hop, static_cast<std::uint8_t>(length)));
    if (it == routes_.end()) continue;
    for (const KernelRoute& route : it->second) {  // lowest metric first, as the kernel picks
      if (excluded_protocol && route.protocol == *excluded_protocol) continue;
      if (route.type != KernelRouteType::Unicast) return {};  // blackhole, unreachable, prohibit
      std::vector<KernelHop> hops;
      if (route.nexthop_id != 0) {
        auto object = nexthops_.find(route.nexthop_id);
        if (object == nexthops_.end() || object->second.blackhole) return {};
        if (object->second.hop) hops.push_back(via(*object->second.hop));
        for (std::uint32_t member : object->second.group) {
          auto m = nexthops_.find(member);
          if (m != nexthops_.end() && m->second.hop) hops.push_back(via(*m->second.hop));
        }
      } else {
        for (const KernelHop& hop : route.hops) hops.push_back(via(hop));
      }
      // A route whose hops are all dead is passed over, as the kernel's lookup does.
      if (hops.empty()) continue;
      std::sort(hops.begin(), hops.end());
      hops.erase(std::unique(hops.begin(), hops.end()), hops.end());
      return hops;
    }
  }
  return {};
}

const KernelRoute* KernelMirror::other_route_on(const Ipv4Prefix& prefix, std::uint8_t our_static) const {
  auto it = routes_.find(prefix);
  if (it == routes_.end()) return nullptr;
  for (const KernelRoute& route : it->second)
    if (route.protocol != our_static) return &route;
  return nullptr;
}

std::optional<std::uint32_t> KernelMirror::ifindex_of(const std::string& name) const {
  for (const auto& [index, link] : links_)
    if (link.name == name) return index;
  return std::nullopt;
}

const KernelLink* KernelMirror::link(std::uint32_t ifindex) const {
  auto it = links_.find(ifindex);
  return it == links_.end() ? nullptr : &it->second;
}

std::size_t KernelMirror::route_count() const {
  std::size_t n = 0;
  for (const auto& [prefix, list] : routes_) n += list.size();
  return n;
}

std::vector<Ipv4Prefix> KernelMirror::prefixes() const {
  std::vector<Ipv4Prefix> out;
  out.reserve(routes_.size());
  for (const auto& [prefix, list] : routes_) out.push_back(prefix);
  return out;
}

std::string describe_route(const KernelRoute& route) {
  // RTPROT_KERNEL (2) with no gateway: the route the kernel adds for an address.
  const bool connected = route.protocol == 2 && route.nexthop_id == 0 &&
                         std::all_of(route.hops.begin(), route.hops.end(),
                                     [](const KernelHop& h) { return h.gateway.value == 0; });
  if (connected) return "a connected route";
  const char* name = nullptr;
  switch (route.protocol) {
    case 2: name = "kernel"; break;
    case 3: name = "boot"; break;
    case 4: name = "static"; break;
    case 11: name = "zebra"; break;
    case 12: name = "bird"; break;
    case 16: name = "dhcp"; break;
    case 186: name = "FRR bgp"; break;
    case 196: name = "FRR static"; break;
    default: break;
  }
  std::string text = name ? std::string("a ") + name + " route" : "a route";
  return text + " (protocol " + std::to_string(route.protocol) + ", metric " + std::to_string(route.metric) + ")";
}

}  // namespace hairpin::bgpd
