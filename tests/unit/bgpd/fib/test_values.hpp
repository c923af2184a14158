#pragma once
// Small constructors for the FIB tests: addresses, prefixes, kernel routes.

#include <string>

#include "hairpin/bgpd/fib/fib.hpp"
#include "hairpin/bgpd/fib/kernel_types.hpp"

namespace hairpin::bgpd::fibtest {

inline Ipv4Address ip(const char* text) { return *Ipv4Address::parse(text); }
inline Ipv4Prefix pfx(const char* text) { return *Ipv4Prefix::parse(text); }

constexpr std::uint8_t kKernel = 2;  // RTPROT_KERNEL: connected routes
constexpr std::uint8_t kStatic = 4;  // RTPROT_STATIC: `ip route add` by an admin
constexpr std::uint8_t kZebra = 11;

inline KernelRoute connected(const char* prefix, std::uint32_t ifindex) {
  return KernelRoute{pfx(prefix), 254, kKernel, KernelRouteType::Unicast, 0, {KernelHop{{}, ifindex}}, 0};
}
inline KernelRoute via(const char* prefix, const char* gateway, std::uint32_t ifindex,
                       std::uint8_t protocol = kStatic, std::uint32_t metric = 0) {
  return KernelRoute{pfx(prefix), 254, protocol, KernelRouteType::Unicast, metric, {KernelHop{ip(gateway), ifindex}}, 0};
}
inline KernelRoute typed(const char* prefix, KernelRouteType type, std::uint8_t protocol = kStatic,
                         std::uint32_t metric = 0) {
  return KernelRoute{pfx(prefix), 254, protocol, type, metric, {}, 0};
}
inline FibRoute bgp(const char* prefix, std::vector<const char*> next_hops) {
  FibRoute r;
  r.prefix = pfx(prefix);
  r.source = FibSource::Bgp;
  for (const char* nh : next_hops) r.next_hops.push_back(ip(nh));
  return r;
}
inline FibRoute blackhole(const char* prefix, FibSource source = FibSource::Network) {
  FibRoute r;
  r.prefix = pfx(prefix);
  r.source = source;
  r.kind = FibRouteKind::Blackhole;
  return r;
}
inline KernelHop hop(const char* gateway, std::uint32_t ifindex) { return KernelHop{ip(gateway), ifindex}; }

template <class T>
std::vector<T> only(const std::vector<KernelRequest>& requests) {
  std::vector<T> out;
  for (const KernelRequest& r : requests)
    if (auto* t = std::get_if<T>(&r)) out.push_back(*t);
  return out;
}

}  // namespace hairpin::bgpd::fibtest
