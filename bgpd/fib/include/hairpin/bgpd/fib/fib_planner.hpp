#pragma once
// FibPlanner: the forwarding core's decisions, with no I/O. NetlinkFib feeds
// it and writes what it plans; unit tests drive it directly.
//
// In:  the routes the daemon wants (set/remove, per prefix and source); what
//      the kernel held at start (start()), and every change since (route_added,
//      route_deleted, link_changed, reload after an overrun); the kernel's
//      refusals of planned requests.
// Out: plan(): the kernel requests that bring the kernel to what is wanted, in
//      an order the kernel takes (hop objects, groups, routes, then the deletes
//      nothing depends on); the next hops whose resolution changed; held routes
//      with their reasons; counters; log lines (a refusal once per prefix and
//      reason).
//
// Rules (docs/fib.md):
// - Coalescing: plan() compares what is wanted with what was written, so a
//   prefix set twice is written once, and a set then a remove of a route not in
//   the kernel writes nothing.
// - Next hops resolve recursively over KernelMirror (not over our BGP and
//   Network routes); a route is written with the resolved gateways. No hop
//   resolves -> held Unresolved, written when one does.
// - A prefix that has a connected route or another protocol's route is held
//   (OtherProtocol): learned routes never replace them.
// - With nexthop objects, every BGP route with the same next-hop set shares one
//   group object; a change of resolution replaces the group (and its hop
//   objects) in place, and the routes follow without being rewritten. Without
//   them, each route carries RTA_GATEWAY or RTA_MULTIPATH and is rewritten.
// - Our routes found at start are stale: they stay (and forward) until
//   plan_sweep(), which deletes those not written since; a write of the same
//   (prefix, metric) replaces the stale route in place.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>

#include "hairpin/bgpd/fib/fib.hpp"
#include "hairpin/bgpd/fib/kernel_mirror.hpp"
#include "hairpin/bgpd/fib/kernel_types.hpp"

namespace hairpin::bgpd {

class FibPlanner {
 public:
  FibPlanner(FibKernelIds ids, bool nexthop_objects);
  FibPlanner(const FibPlanner&) = delete;
  FibPlanner& operator=(const FibPlanner&) = delete;
  ~FibPlanner();

  // What the kernel held at start: our routes and nexthop objects become the
  // stale set, the rest the mirror.
  void start(const KernelSnapshot& snapshot);
  // Whether nexthop objects are used (the kernel has them and options allow).
  bool nexthop_objects() const { return nexthop_objects_; }
  void disable_nexthop_objects() { nexthop_objects_ = false; }

  void set(const FibRoute& route);
  void remove(const Ipv4Prefix& prefix, FibSource source);
  bool pending() const { return !dirty_routes_.empty() || !dirty_groups_.empty(); }
  // The requests that bring the kernel to what is wanted. They are assumed to
  // succeed; refused() corrects that for the ones the kernel refuses.
  std::vector<KernelRequest> plan();
  // The kernel answered `request` with errno `error` (positive), and `message`
  // (its extended ack text, may be empty).
  void refused(const KernelRequest& request, int error, const std::string& message);

  // The kernel's changes. Each returns the BGP next hops (those resolves() was
  // asked about or that routes use) whose resolution changed; routes that
  // depend on them are queued for plan().
  std::vector<Ipv4Address> route_added(const KernelRoute& route);
  std::vector<Ipv4Address> route_deleted(const KernelRoute& route);
  std::vector<Ipv4Address> nexthop_changed(const KernelNexthopObject& object, bool deleted);
  std::vector<Ipv4Address> link_changed(const KernelLink& link, bool deleted);
  // A fresh look at the kernel (after a notification overrun, or a link going
  // down or up, where the kernel drops routes without telling).
  std::vector<Ipv4Address> reload(const KernelSnapshot& snapshot);

  // For the RIB's NextHopResolver; the next hop is tracked from then on.
  bool resolves(Ipv4Address next_hop);
  std::vector<KernelHop> resolution(Ipv4Address next_hop) const;

  // Deletes the stale routes nobody wrote since start, and our stale nexthop
  // objects. `swept` = the routes it deletes.
  std::vector<KernelRequest> plan_sweep(std::size_t& swept);
  // Deletes every route and object of ours; the planner is empty afterwards.
  std::vector<KernelRequest> plan_withdraw_all();

  FibCounters counters() const;
  std::vector<FibHeldRoute> held_routes() const;
  std::vector<std::string> take_log() { return std::exchange(log_, {}); }
  const KernelMirror& mirror() const { return mirror_; }
  std::size_t stale_count() const { return stale_.size(); }

 private:
  struct Group;
  struct Leaf;
  struct Route;
  struct Tracked {
    std::vector<KernelHop> hops;
    std::vector<Group*> groups;
  };
  using RouteKey = std::uint64_t;
  using StaleKey = std::pair<std::uint64_t, std::uint32_t>;  // (prefix, protocol), metric

  static RouteKey key_of(const Ipv4Prefix& prefix, FibSource source);
  static Ipv4Prefix prefix_of(RouteKey key);
  static FibSource source_of(RouteKey key);
  StaleKey stale_key(const Ipv4Prefix& prefix, std::uint8_t protocol, std::uint32_t metric) const;

  Group* acquire_group(std::span<const Ipv4Address> next_hops, bool statics);
  void release_group(Group* group, RouteKey key);
  std::vector<KernelHop> group_hops(const Group& group) const;
  Tracked& track(Ipv4Address next_hop, bool statics);
  std::vector<Ipv4Address> recheck(const Ipv4Prefix& covering, bool everything);
  void mark_prefix(const Ipv4Prefix& prefix);
  std::uint32_t allocate_id();
  std::uint32_t leaf_acquire(const KernelHop& hop, std::vector<KernelRequest>& out);
  void leaf_release(const KernelHop& hop);
  void plan_group(Group& group, std::vector<KernelRequest>& leaf_writes,
                  std::vector<KernelRequest>& group_writes, std::vector<KernelRequest>& group_deletes,
                  std::set<std::uint32_t>& deleted_ids, std::set<std::uint32_t>& flushed_ids);
  void plan_route(RouteKey key, Route& route, std::vector<KernelRequest>& out,
                  const std::set<std::uint32_t>& deleted_ids);
  void hold(RouteKey key, Route& route, FibHoldReason reason, std::string detail);
  // Every change of Route::wanted and Route::held goes through these, so
  // counters() is O(1) (the daemon asks after every input batch).
  void set_wanted(Route& route, bool wanted);
  void set_held(Route& route, std::optional<FibHoldReason> held);
  void mark_dirty(RouteKey key, Route& route);
  // One pass over routes_ for what is kept per group as a count, not a set:
  // routes of groups marked touch_members are queued; routes written with a
  // nexthop id in `flushed` are no longer in the kernel.
  void touch_members(const std::set<std::uint32_t>& flushed);
  std::string hold_detail(RouteKey key, const Route& route) const;

  FibKernelIds ids_;
  bool nexthop_objects_;
  KernelMirror mirror_;
  // One compact record per (prefix, source), 24 bytes; what few routes need
  // beyond it lives in the side tables below.
  absl::flat_hash_map<RouteKey, Route> routes_;
  std::vector<RouteKey> dirty_routes_;  // each once (Route::dirty)
  std::set<Group*> dirty_groups_;
  absl::flat_hash_map<RouteKey, FibRoute> interface_routes_;  // static routes naming their interface
  absl::flat_hash_map<RouteKey, int> config_lines_;           // routes from a config line
  absl::flat_hash_map<RouteKey, std::vector<KernelHop>> written_hops_;  // plain routes with gateways
  std::map<std::pair<bool, std::vector<Ipv4Address>>, std::unique_ptr<Group>> groups_;
  Group* last_group_ = nullptr;  // acquire_group's last answer (a group of groups_)
  std::map<KernelHop, Leaf> leaves_;
  std::map<Ipv4Address, Tracked> tracked_bgp_;
  std::map<Ipv4Address, Tracked> tracked_static_;
  absl::flat_hash_map<StaleKey, std::uint32_t> stale_;  // -> the nexthop id it uses (0: none)
  std::set<std::uint32_t> stale_objects_;               // our nexthop objects found at start
  std::set<std::uint32_t> stale_groups_;                // of those, groups
  absl::flat_hash_map<RouteKey, std::string> refusals_;  // held KernelRefused: the kernel's words
  std::size_t installed_ = 0;
  std::size_t held_ = 0;  // routes wanted and held
  std::size_t refused_count_ = 0;
  std::size_t stale_at_start_ = 0;
  std::size_t swept_ = 0;
  std::uint32_t next_id_ = 0;
  std::set<std::uint32_t> foreign_ids_;
  std::vector<std::string> log_;
};

}  // namespace hairpin::bgpd
