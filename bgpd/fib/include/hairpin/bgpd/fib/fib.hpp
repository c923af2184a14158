#pragma once
// The forwarding core's contract: what the NVA wants in the kernel's routing
// table, and what the kernel tells it back.
//
// In:  routes the daemon wants (best paths from the RIB's FibChange, blackholes
//      backing `network` prefixes, the config's `ip route` lines); flush() to
//      write what was queued; sweep_stale() once the sessions have converged;
//      withdraw_all() on a clean stop without --retain.
// Out: kernel routes under the NVA's own protocol ids; whether a BGP next hop
//      resolves (for the RIB's NextHopResolver) and, through the callback, which
//      next hops started or stopped resolving; per-route refusals (logged once,
//      counted); counters for `bgp show`.
//
// Implementations: NetlinkFib (netlink_fib.hpp, rtnetlink over libmnl) and
// FakeFib (tests/unit/bgpd/fake_fib.hpp, in memory, for unit tests of the daemon).
//
// Rules every implementation keeps:
// - A BGP next hop (e.g. 10.0.200.12, not on the NVA's subnet) is resolved
//   recursively against the kernel's table, ignoring the NVA's own BGP and
//   origination routes (so the supernet's blackhole never swallows the next hops
//   it should forward to); the route is installed with the resolved gateway(s)
//   and interface. ECMP: one multipath route.
// - Learned routes never replace connected routes or routes of other protocols:
//   such a prefix is held, not installed, and says why.
// - The last change of a prefix queued before flush() is the one written.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "hairpin/common/ipv4.hpp"
#include "hairpin/common/result.hpp"

namespace hairpin::bgpd {

// Who wants a route; each is installed under its own kernel protocol id, so
// `ip route show proto …` tells them apart and a restart finds its own.
enum class FibSource : std::uint8_t {
  Bgp,      // a Loc-RIB best path (with its multipaths)
  Network,  // the blackhole behind a `network` prefix
  Static,   // an `ip route` line of the config
};
std::string to_string(FibSource source);

enum class FibRouteKind : std::uint8_t { Unicast, Blackhole };

struct FibRoute {
  Ipv4Prefix prefix;
  FibSource source = FibSource::Bgp;
  FibRouteKind kind = FibRouteKind::Unicast;
  std::vector<Ipv4Address> next_hops;   // Unicast: BGP or static next hops, unresolved
  std::optional<std::string> interface;  // static `ip route P IFNAME` / `P NH IFNAME`
  int config_line = 0;                   // Static/Network: for messages
  friend bool operator==(const FibRoute&, const FibRoute&) = default;
};

// Why a wanted route is not in the kernel.
enum class FibHoldReason : std::uint8_t {
  Unresolved,      // no next hop resolves (the route is kept and retried)
  OtherProtocol,   // a connected route or another protocol's route has the prefix
  KernelRefused,   // the kernel answered the request with an error
};

struct FibHeldRoute {
  Ipv4Prefix prefix;
  FibSource source = FibSource::Bgp;
  FibHoldReason reason = FibHoldReason::Unresolved;
  std::string detail;  // "next hop 10.0.200.12 unresolved", "kernel: Network is unreachable"
};

struct FibCounters {
  std::size_t installed = 0;       // routes of ours in the kernel now
  std::size_t held = 0;            // wanted, not installed (held_routes())
  std::size_t refused = 0;         // kernel errors since start
  std::size_t stale_at_start = 0;  // routes of our protocols found at start
  std::size_t swept = 0;           // of those, removed by sweep_stale()
  std::size_t batches = 0;         // sendmsg calls that carried requests
  std::size_t requests = 0;        // route and nexthop requests written
  bool nexthop_objects = false;    // the kernel has RTM_NEWNEXTHOP and we use it
};

struct FibEvents {
  // Next hops whose resolution changed (resolved <-> not, or a different
  // gateway): the daemon passes them to Rib::next_hops_changed.
  std::function<void(std::vector<Ipv4Address>)> next_hops_changed;
  // One line per problem worth a log line (a refusal is reported once per
  // prefix and reason, not on every retry).
  std::function<void(const std::string&)> log;
};

class Fib {
 public:
  virtual ~Fib() = default;

  // Queue a route (replacing what was queued or installed for its prefix and
  // source) or its removal; nothing reaches the kernel before flush().
  virtual void set(const FibRoute& route) = 0;
  virtual void remove(const Ipv4Prefix& prefix, FibSource source) = 0;
  // Writes what was queued, many requests per sendmsg. It may return before
  // the kernel has taken them (NetlinkFib writes on a thread of its own);
  // settle() waits for that.
  virtual void flush() = 0;
  // Returns once everything flushed so far has been answered by the kernel
  // and its refusals are in counters() and held_routes().
  virtual void settle() {}
  // From now on flush() may hand its writes to a thread of the FIB's own.
  // Called once the process has dropped the privileges it drops: Linux keeps
  // capabilities per thread, so a thread started before would keep them all
  // (and common/privileges' drop_to refuses to run with a second thread).
  virtual void start_writer_thread() {}

  // For the RIB's NextHopResolver.
  virtual bool resolves(Ipv4Address next_hop) = 0;

  // Routes of our protocols found in the kernel at start (a kill -9, or
  // --retain) stay and forward until this is called, after convergence; then
  // those nobody set() since start are removed. Returns how many.
  virtual std::size_t sweep_stale() = 0;
  // Removes every route of ours (clean stop without --retain).
  virtual void withdraw_all() = 0;

  virtual FibCounters counters() const = 0;
  virtual std::vector<FibHeldRoute> held_routes() const = 0;
};

}  // namespace hairpin::bgpd
