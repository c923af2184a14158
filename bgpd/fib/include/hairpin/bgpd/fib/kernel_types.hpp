#pragma once
// Values that pass between the planner (fib_planner.hpp), the netlink codec
// (netlink_codec.hpp) and a kernel port (kernel_port.hpp): what the kernel holds
// (routes, nexthop objects, links, addresses) and what we ask it to write. No
// netlink here: the codec turns these into nlmsg bytes and back.

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "hairpin/bgpd/fib/fib.hpp"
#include "hairpin/common/ipv4.hpp"

namespace hairpin::bgpd {

// The NVA's kernel protocol ids (rtm_protocol) and metrics (RTA_PRIORITY).
// Protocol ids: 220..222 are named by no iproute2 rt_protos file, by FRR
// (186..198: bgp 186, static 196), by BIRD (12), keepalived (18), babel (42),
// Open/R (99) or the kernel/boot/static/dhcp/ra ids (2, 3, 4, 16, 9) that
// systemd-networkd and NetworkManager use. One per source, so `ip route show
// proto 220` lists exactly the learned routes and a restart finds its own.
// Metrics: the kernel keys a route by (table, prefix, tos, priority), not by
// protocol, so each source has its own metric and a static route, a network
// blackhole and a learned route of one prefix coexist; the lowest wins, in the
// order FRR's administrative distances give (static 1 < eBGP 20): static 10,
// network blackhole 15, BGP 20 (the metric FRR's zebra installs with).
struct FibKernelIds {
  std::uint8_t bgp_protocol = 220;
  std::uint8_t network_protocol = 221;
  std::uint8_t static_protocol = 222;
  std::uint32_t bgp_metric = 20;
  std::uint32_t network_metric = 15;
  std::uint32_t static_metric = 10;
  std::uint32_t table = 254;  // RT_TABLE_MAIN
  // Our nexthop object ids start here (FRR's zebra allocates from low ids).
  std::uint32_t nexthop_id_base = 0x48500000;

  std::uint8_t protocol(FibSource source) const;
  std::uint32_t metric(FibSource source) const;
  std::optional<FibSource> source_of(std::uint8_t protocol) const;
  bool ours(std::uint8_t protocol) const { return source_of(protocol).has_value(); }
};

// One way out: a gateway on an interface. A zero gateway is a route straight
// onto the link (a dev route).
struct KernelHop {
  Ipv4Address gateway;
  std::uint32_t ifindex = 0;
  friend bool operator==(const KernelHop&, const KernelHop&) = default;
  friend auto operator<=>(const KernelHop&, const KernelHop&) = default;
};

enum class KernelRouteType : std::uint8_t { Unicast, Blackhole, Unreachable, Prohibit, Other };

// An IPv4 route as the kernel reports it (RTM_NEWROUTE dump or notification).
struct KernelRoute {
  Ipv4Prefix prefix;
  std::uint32_t table = 254;
  std::uint8_t protocol = 0;
  KernelRouteType type = KernelRouteType::Unicast;
  std::uint32_t metric = 0;
  // RTA_GATEWAY + RTA_OIF, or RTA_MULTIPATH; hops the kernel marks dead or
  // linkdown (RTNH_F_DEAD, RTNH_F_LINKDOWN) are left out.
  std::vector<KernelHop> hops;
  std::uint32_t nexthop_id = 0;  // RTA_NH_ID: the hops are in that object
  friend bool operator==(const KernelRoute&, const KernelRoute&) = default;
};

// A nexthop object (RTM_NEWNEXTHOP): one hop, a group of other objects, or a blackhole.
struct KernelNexthopObject {
  std::uint32_t id = 0;
  std::uint8_t protocol = 0;
  std::optional<KernelHop> hop;
  std::vector<std::uint32_t> group;
  bool blackhole = false;
  friend bool operator==(const KernelNexthopObject&, const KernelNexthopObject&) = default;
};

struct KernelLink {
  std::uint32_t ifindex = 0;
  std::string name;
  bool up = false;  // IFF_UP and IFF_RUNNING (carrier)
  friend bool operator==(const KernelLink&, const KernelLink&) = default;
};

struct KernelAddress {
  std::uint32_t ifindex = 0;
  Ipv4Interface address;
  friend bool operator==(const KernelAddress&, const KernelAddress&) = default;
};

// What the kernel held when we looked (the dumps at start, or again after a
// notification overrun or a link/address change).
struct KernelSnapshot {
  std::vector<KernelRoute> routes;  // main table, every protocol, ours included
  std::vector<KernelNexthopObject> nexthops;
  std::vector<KernelLink> links;
  std::vector<KernelAddress> addresses;
};

// ---- requests -------------------------------------------------------------

// RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE: creates the route or replaces the
// one with the same (table, prefix, metric).
struct RouteWrite {
  Ipv4Prefix prefix;
  std::uint8_t protocol = 0;
  std::uint32_t metric = 0;
  std::uint32_t table = 254;
  FibRouteKind kind = FibRouteKind::Unicast;
  std::uint32_t nexthop_id = 0;  // nonzero: RTA_NH_ID, hops empty
  std::vector<KernelHop> hops;   // one: RTA_GATEWAY/RTA_OIF; more: RTA_MULTIPATH
  friend bool operator==(const RouteWrite&, const RouteWrite&) = default;
};

// RTM_DELROUTE of (table, prefix, metric, protocol).
struct RouteDelete {
  Ipv4Prefix prefix;
  std::uint8_t protocol = 0;
  std::uint32_t metric = 0;
  std::uint32_t table = 254;
  friend bool operator==(const RouteDelete&, const RouteDelete&) = default;
};

// RTM_NEWNEXTHOP: a hop object, or a group of hop objects (ECMP, equal weight).
// replace: NLM_F_REPLACE, the routes using the id follow at once.
struct NexthopWrite {
  std::uint32_t id = 0;
  std::uint8_t protocol = 0;
  bool replace = false;
  std::optional<KernelHop> hop;
  std::vector<std::uint32_t> group;
  friend bool operator==(const NexthopWrite&, const NexthopWrite&) = default;
};

// RTM_DELNEXTHOP. The kernel also removes every route that uses the object
// (net/ipv4/nexthop.c remove_nexthop -> __remove_nexthop_fib).
struct NexthopDelete {
  std::uint32_t id = 0;
  friend bool operator==(const NexthopDelete&, const NexthopDelete&) = default;
};

using KernelRequest = std::variant<RouteWrite, RouteDelete, NexthopWrite, NexthopDelete>;
std::string to_string(const KernelRequest& request);

}  // namespace hairpin::bgpd
