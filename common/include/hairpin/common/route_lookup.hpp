#pragma once
// Asks the kernel's routing table of the current network namespace, without
// sending anything: connect() on a UDP socket only looks the route up. Used by
// trace (which source address the probes leave from) and by the NVA's next-hop
// resolver (is a BGP next hop routed at all).

#include <cstdint>

#include "hairpin/common/ipv4.hpp"
#include "hairpin/common/result.hpp"

namespace hairpin {

// The source address the kernel would use towards `destination`. No route (or a
// blackhole, unreachable or prohibit route) is an Error whose `what` is the
// errno text ("Network is unreachable", "Invalid argument"); the caller adds
// what it was looking for and the fix.
Result<Ipv4Address> kernel_route_source(Ipv4Address destination, std::uint16_t port = 9);

}  // namespace hairpin
