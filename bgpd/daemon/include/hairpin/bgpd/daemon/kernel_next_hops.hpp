#pragma once
// Next-hop reachability from the kernel's routing table, for the RIB's
// NextHopResolver, until the FIB (the forwarding-core issue) replaces this with
// netlink route tracking that tells us when a route comes or goes.
//
// In:  the next hops the RIB asks about (reachable()); recheck() from the
//      daemon's timer.
// Out: reachable or not; from recheck(), the next hops whose answer changed
//      since they were last looked up, for Rib::next_hops_changed.
//
// How: connect() on a UDP socket makes the kernel look the address up in the
// routing table of the daemon's network namespace; nothing is sent. Success
// means the kernel has a route to it: a connected subnet, a static or kernel
// route, or a default route (as FRR with `ip nht resolve-via-default`). A
// failure (ENETUNREACH, EHOSTUNREACH; EINVAL for a blackhole route, EACCES for
// prohibit) means unreachable. Routes we learn by BGP are not in the kernel yet
// (no FIB), so no next hop resolves through BGP itself.
//
// Answers are cached: the RIB asks once per prefix, the kernel is asked once per
// next hop, and again for each on recheck().

#include <functional>
#include <map>
#include <vector>

#include "hairpin/bgpd/rib/rib.hpp"
#include "hairpin/common/ipv4.hpp"

namespace hairpin::bgpd {

// The kernel's answer, uncached: is there a route to `address`?
bool kernel_has_route(Ipv4Address address);

class KernelNextHops {
 public:
  using Lookup = std::function<bool(Ipv4Address)>;
  explicit KernelNextHops(Lookup lookup = kernel_has_route) : lookup_(std::move(lookup)) {}
  KernelNextHops(const KernelNextHops&) = delete;
  KernelNextHops& operator=(const KernelNextHops&) = delete;

  bool reachable(Ipv4Address next_hop);
  // Looks every known next hop up again; returns those whose answer changed.
  std::vector<Ipv4Address> recheck();
  // For Rib's constructor; refers to this object, which must outlive the Rib.
  NextHopResolver resolver() {
    return [this](Ipv4Address next_hop) { return reachable(next_hop); };
  }

 private:
  Lookup lookup_;
  std::map<Ipv4Address, bool> known_;
};

}  // namespace hairpin::bgpd
