#pragma once
// KernelMirror: what the kernel's main table holds besides the NVA's BGP and
// origination routes, kept from the dumps and the notifications, and the
// recursive next-hop resolution over it.
//
// In:  kernel routes (other protocols', connected ones, our static routes),
//      nexthop objects of other daemons, links.
// Out: resolve(next hop) -> the gateways and interfaces it resolves to; the
//      other protocol's route on a prefix, if any.
//
// The resolution rule (docs/fib.md, Resolution): longest-prefix match over the
// mirror, never over our own BGP and Network routes (they are not kept here),
// so the supernet blackhole 10.0.0.0/8 we originate never swallows the BGP next
// hops 10.0.x.y it should forward to, and a learned route never resolves over
// itself. A default route counts (FRR's `ip nht resolve-via-default`). Among
// routes of one prefix the lowest metric wins, as in the kernel. A blackhole,
// unreachable or prohibit route means unresolved; a route whose hops are all
// dead or linkdown is passed over, as the kernel's fib lookup passes over it; a
// connected route (no gateway) means the next hop is itself the gateway.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hairpin/bgpd/fib/kernel_types.hpp"

namespace hairpin::bgpd {

class KernelMirror {
 public:
  // The caller never passes our BGP and Network routes (FibPlanner keeps those).
  void clear();
  // RTM_NEWROUTE: adds or replaces the route of (prefix, metric). Returns
  // whether anything changed.
  bool add_route(const KernelRoute& route);
  // RTM_DELROUTE: removes the route of (prefix, metric). Returns whether it was there.
  bool delete_route(const KernelRoute& route);
  void set_nexthop(const KernelNexthopObject& object);
  void delete_nexthop(std::uint32_t id);
  void set_link(const KernelLink& link);
  void delete_link(std::uint32_t ifindex);

  // The hops `next_hop` resolves to, sorted, or none. `excluded_protocol`
  // (our static protocol, for a static route's own next hops) is passed over
  // too, so a static route never resolves over a static route of ours.
  std::vector<KernelHop> resolve(Ipv4Address next_hop,
                                 std::optional<std::uint8_t> excluded_protocol = std::nullopt) const;

  // The lowest-metric route on exactly `prefix` that is not our static
  // protocol's: a connected route or another protocol's.
  const KernelRoute* other_route_on(const Ipv4Prefix& prefix, std::uint8_t our_static) const;
  std::optional<std::uint32_t> ifindex_of(const std::string& name) const;
  const KernelLink* link(std::uint32_t ifindex) const;
  std::size_t route_count() const;
  // Every prefix that has a route here (for a reload's re-check).
  std::vector<Ipv4Prefix> prefixes() const;

 private:
  std::map<Ipv4Prefix, std::vector<KernelRoute>> routes_;
  std::map<std::uint32_t, KernelNexthopObject> nexthops_;
  std::map<std::uint32_t, KernelLink> links_;
};

// "a connected route", "a kernel route", "a zebra route (protocol 11)": for hold details.
std::string describe_route(const KernelRoute& route);

}  // namespace hairpin::bgpd
