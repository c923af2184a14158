// The forwarding core's decisions (see fib_planner.hpp).

#include "hairpin/bgpd/fib/fib_planner.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace hairpin::bgpd {

namespace {
template <class... F> struct Overloaded : F... { using F::operator()...; };
template <class... F> Overloaded(F...) -> Overloaded<F...>;

std::uint8_t bit(FibHoldReason reason) { return static_cast<std::uint8_t>(1u << static_cast<unsigned>(reason)); }

std::string join(const std::vector<Ipv4Address>& addresses) {
  std::string text;
  for (const Ipv4Address& a : addresses) text += (text.empty() ? "" : ", ") + a.to_string();
  return text;
}
}  // namespace

// A set of next hops that routes share: with nexthop objects (BGP only), one
// kernel group object; otherwise the resolution its plain routes carry.
struct FibPlanner::Group {
  bool statics = false;
  std::vector<Ipv4Address> next_hops;  // sorted, unique
  std::vector<KernelHop> hops;         // what they resolve to now (sorted, unique)
  bool object = false;
  std::uint32_t id = 0;
  bool in_kernel = false;
  std::vector<KernelHop> written;  // object: the hops of its members; plain: last planned
  std::size_t members = 0;         // routes that want it (Route::group)
  // Created since the last plan(): every member joined through set(), so is
  // queued already, and plan_group need not look for them.
  bool fresh = true;
  bool touch_members = false;  // plan(): queue every member
};

// A hop object (gateway + interface), shared by every group that has it.
struct FibPlanner::Leaf {
  std::uint32_t id = 0;
  std::size_t refs = 0;
  bool in_kernel = false;
};

// One per (prefix, source); a full table has a million, so it stays small:
// the interface of a static route, the config line and the gateways of a
// plain route are in side tables keyed the same way.
struct FibPlanner::Route {
  Route()
      : wanted(false), on_interface(false), blackhole(false), in_kernel(false), was_in_kernel(false),
        written_blackhole(false), dirty(false), is_held(false), held_reason(0), reported(0) {}
  // What is wanted.
  Group* group = nullptr;  // its next hops
  // What the kernel has.
  std::uint32_t written_id = 0;  // written_hops_ has its gateways when 0
  // Flags, packed: with the key, 24 bytes a route.
  bool wanted : 1;
  bool on_interface : 1;  // in interface_routes_
  bool blackhole : 1;     // the kind wanted (FibRouteKind::Blackhole, else Unicast)
  bool in_kernel : 1;
  bool was_in_kernel : 1;  // before the last write, if the kernel refuses it
  bool written_blackhole : 1;
  bool dirty : 1;  // in dirty_routes_
  bool is_held : 1;
  std::uint8_t held_reason : 2;  // FibHoldReason, when is_held
  std::uint8_t reported : 3;     // a bit per FibHoldReason already logged

  FibRouteKind kind() const { return blackhole ? FibRouteKind::Blackhole : FibRouteKind::Unicast; }
  FibRouteKind written_kind() const { return written_blackhole ? FibRouteKind::Blackhole : FibRouteKind::Unicast; }
  std::optional<FibHoldReason> held() const {
    return is_held ? std::optional<FibHoldReason>(static_cast<FibHoldReason>(held_reason)) : std::nullopt;
  }
};

FibPlanner::FibPlanner(FibKernelIds ids, bool nexthop_objects)
    : ids_(ids), nexthop_objects_(nexthop_objects), next_id_(ids.nexthop_id_base) {
  static_assert(sizeof(void*) != 8 || sizeof(Route) <= 16, "a full table has a million of them");
}
FibPlanner::~FibPlanner() = default;

FibPlanner::RouteKey FibPlanner::key_of(const Ipv4Prefix& prefix, FibSource source) {
  return (std::uint64_t{prefix.address.value} << 16) | (std::uint64_t{prefix.length} << 8) |
         static_cast<std::uint64_t>(source);
}
Ipv4Prefix FibPlanner::prefix_of(RouteKey key) {
  return Ipv4Prefix{Ipv4Address{static_cast<std::uint32_t>(key >> 16)}, static_cast<std::uint8_t>((key >> 8) & 0xff)};
}
FibSource FibPlanner::source_of(RouteKey key) { return static_cast<FibSource>(key & 0xff); }
FibPlanner::StaleKey FibPlanner::stale_key(const Ipv4Prefix& prefix, std::uint8_t protocol,
                                           std::uint32_t metric) const {
  return {(std::uint64_t{prefix.address.value} << 16) | (std::uint64_t{prefix.length} << 8) | protocol, metric};
}

// ---- start and the kernel's changes ----------------------------------------

void FibPlanner::start(const KernelSnapshot& snapshot) {
  for (const KernelNexthopObject& object : snapshot.nexthops) {
    foreign_ids_.insert(object.id);  // never allocate an id that exists
    if (object.protocol == ids_.bgp_protocol) {
      stale_objects_.insert(object.id);
      if (!object.group.empty()) stale_groups_.insert(object.id);
    } else {
      mirror_.set_nexthop(object);
    }
  }
  for (const KernelRoute& route : snapshot.routes) {
    if (route.table != ids_.table) continue;
    const auto source = ids_.source_of(route.protocol);
    if (source) stale_[stale_key(route.prefix, route.protocol, route.metric)] = route.nexthop_id;
    // Our static routes forward like anyone's, so BGP next hops resolve over them.
    if (!source || *source == FibSource::Static) mirror_.add_route(route);
  }
  for (const KernelLink& link : snapshot.links) mirror_.set_link(link);
  stale_at_start_ = stale_.size();
}

std::vector<Ipv4Address> FibPlanner::route_added(const KernelRoute& route) {
  if (route.table != ids_.table || route.protocol == ids_.bgp_protocol || route.protocol == ids_.network_protocol)
    return {};
  if (!mirror_.add_route(route)) return {};
  if (route.protocol != ids_.static_protocol) mark_prefix(route.prefix);
  return recheck(route.prefix, false);
}

std::vector<Ipv4Address> FibPlanner::route_deleted(const KernelRoute& route) {
  if (route.table != ids_.table || route.protocol == ids_.bgp_protocol || route.protocol == ids_.network_protocol)
    return {};
  if (!mirror_.delete_route(route)) return {};
  if (route.protocol != ids_.static_protocol) mark_prefix(route.prefix);
  return recheck(route.prefix, false);
}

std::vector<Ipv4Address> FibPlanner::nexthop_changed(const KernelNexthopObject& object, bool deleted) {
  if (object.protocol == ids_.bgp_protocol) return {};
  foreign_ids_.insert(object.id);
  if (deleted) mirror_.delete_nexthop(object.id);
  else mirror_.set_nexthop(object);
  return recheck(Ipv4Prefix{}, true);
}

std::vector<Ipv4Address> FibPlanner::link_changed(const KernelLink& link, bool deleted) {
  if (deleted) mirror_.delete_link(link.ifindex);
  else mirror_.set_link(link);
  for (auto& [key, route] : interface_routes_) mark_dirty(key, routes_.at(key));
  return {};
}

std::vector<Ipv4Address> FibPlanner::reload(const KernelSnapshot& snapshot) {
  std::vector<Ipv4Prefix> touched = mirror_.prefixes();
  mirror_.clear();
  std::set<std::uint32_t> present;
  for (const KernelNexthopObject& object : snapshot.nexthops) {
    if (object.protocol == ids_.bgp_protocol) {
      present.insert(object.id);
    } else {
      foreign_ids_.insert(object.id);
      mirror_.set_nexthop(object);
    }
  }
  for (const KernelRoute& route : snapshot.routes) {
    if (route.table != ids_.table || route.protocol == ids_.bgp_protocol || route.protocol == ids_.network_protocol)
      continue;
    mirror_.add_route(route);
    touched.push_back(route.prefix);
  }
  for (const KernelLink& link : snapshot.links) mirror_.set_link(link);
  for (const Ipv4Prefix& prefix : touched) mark_prefix(prefix);
  for (auto& [key, route] : interface_routes_) mark_dirty(key, routes_.at(key));

  // Objects of ours the kernel dropped without telling (their interface went
  // down or away: net/ipv4/nexthop.c nexthop_flush_dev), and the routes with them.
  if (nexthop_objects_) {
    std::set<KernelHop> lost;
    std::set<std::uint32_t> flushed;
    for (auto& [hop, leaf] : leaves_)
      if (leaf.in_kernel && !present.count(leaf.id)) { leaf.in_kernel = false; lost.insert(hop); }
    for (auto& [k, group] : groups_) {
      Group& g = *group;
      if (!g.object || !g.in_kernel) continue;
      const bool gone = !present.count(g.id);
      const bool lost_member = std::any_of(g.written.begin(), g.written.end(),
                                           [&](const KernelHop& h) { return lost.count(h) > 0; });
      if (!gone && !lost_member) continue;
      for (const KernelHop& hop : g.written) leaf_release(hop);
      g.written.clear();
      if (gone) {
        g.in_kernel = false;
        flushed.insert(g.id);
      }
      dirty_groups_.insert(&g);
    }
    if (!flushed.empty()) touch_members(flushed);
  }
  return recheck(Ipv4Prefix{}, true);
}

void FibPlanner::mark_prefix(const Ipv4Prefix& prefix) {
  for (FibSource source : {FibSource::Bgp, FibSource::Network, FibSource::Static}) {
    const RouteKey key = key_of(prefix, source);
    auto it = routes_.find(key);
    if (it != routes_.end()) mark_dirty(key, it->second);
  }
}

std::vector<Ipv4Address> FibPlanner::recheck(const Ipv4Prefix& covering, bool everything) {
  std::vector<Ipv4Address> changed;
  for (bool statics : {false, true}) {
    auto& tracked = statics ? tracked_static_ : tracked_bgp_;
    const std::optional<std::uint8_t> excluded =
        statics ? std::optional<std::uint8_t>(ids_.static_protocol) : std::nullopt;
    auto it = everything ? tracked.begin() : tracked.lower_bound(covering.address);
    const std::uint32_t last = covering.address.value | ~covering.mask();
    for (; it != tracked.end() && (everything || it->first.value <= last); ++it) {
      std::vector<KernelHop> now = mirror_.resolve(it->first, excluded);
      if (now == it->second.hops) continue;
      it->second.hops = std::move(now);
      if (!statics) changed.push_back(it->first);
      for (Group* g : it->second.groups) {
        std::vector<KernelHop> hops = group_hops(*g);
        if (hops != g->hops) { g->hops = std::move(hops); dirty_groups_.insert(g); }
      }
    }
  }
  return changed;
}

FibPlanner::Tracked& FibPlanner::track(Ipv4Address next_hop, bool statics) {
  auto& tracked = statics ? tracked_static_ : tracked_bgp_;
  auto it = tracked.find(next_hop);
  if (it == tracked.end()) {
    Tracked t;
    t.hops = mirror_.resolve(next_hop, statics ? std::optional<std::uint8_t>(ids_.static_protocol) : std::nullopt);
    it = tracked.emplace(next_hop, std::move(t)).first;
  }
  return it->second;
}

bool FibPlanner::resolves(Ipv4Address next_hop) { return !track(next_hop, false).hops.empty(); }

std::vector<KernelHop> FibPlanner::resolution(Ipv4Address next_hop) const {
  auto it = tracked_bgp_.find(next_hop);
  return it != tracked_bgp_.end() ? it->second.hops : mirror_.resolve(next_hop);
}

// ---- what is wanted --------------------------------------------------------

FibPlanner::Group* FibPlanner::acquire_group(std::span<const Ipv4Address> wanted, bool statics) {
  // A table arrives with long runs of the same next hops: the group of the
  // last call, without building a key.
  if (last_group_ && last_group_->statics == statics &&
      std::equal(wanted.begin(), wanted.end(), last_group_->next_hops.begin(), last_group_->next_hops.end()))
    return last_group_;
  std::vector<Ipv4Address> next_hops(wanted.begin(), wanted.end());
  std::sort(next_hops.begin(), next_hops.end());
  next_hops.erase(std::unique(next_hops.begin(), next_hops.end()), next_hops.end());
  auto& slot = groups_[{statics, next_hops}];
  if (!slot) {
    slot = std::make_unique<Group>();
    slot->statics = statics;
    slot->next_hops = next_hops;
    slot->object = nexthop_objects_ && !statics;
    if (slot->object) slot->id = allocate_id();
    for (Ipv4Address nh : next_hops) track(nh, statics).groups.push_back(slot.get());
    slot->hops = group_hops(*slot);
    dirty_groups_.insert(slot.get());
  }
  last_group_ = slot.get();
  return slot.get();
}

void FibPlanner::release_group(Group* group, RouteKey) {
  if (--group->members == 0) dirty_groups_.insert(group);
}

void FibPlanner::set_wanted(Route& r, bool wanted) {
  if (r.is_held) held_ = held_ - (r.wanted ? 1 : 0) + (wanted ? 1 : 0);
  r.wanted = wanted;
}

void FibPlanner::set_held(Route& r, std::optional<FibHoldReason> held) {
  if (r.wanted) held_ = held_ - (r.is_held ? 1 : 0) + (held ? 1 : 0);
  r.is_held = held.has_value();
  r.held_reason = held ? static_cast<std::uint8_t>(*held) : 0;
}

void FibPlanner::mark_dirty(RouteKey key, Route& r) {
  if (r.dirty) return;
  r.dirty = true;
  dirty_routes_.push_back(key);
}

void FibPlanner::touch_members(const std::set<std::uint32_t>& flushed) {
  for (auto& [key, r] : routes_) {
    if (r.in_kernel && r.written_id != 0 && flushed.count(r.written_id)) {
      r.in_kernel = false;
      --installed_;
      mark_dirty(key, r);
    }
    if (r.group && r.group->touch_members) mark_dirty(key, r);
  }
}

std::vector<KernelHop> FibPlanner::group_hops(const Group& group) const {
  const auto& tracked = group.statics ? tracked_static_ : tracked_bgp_;
  std::vector<KernelHop> hops;
  for (Ipv4Address nh : group.next_hops) {
    auto it = tracked.find(nh);
    if (it != tracked.end()) hops.insert(hops.end(), it->second.hops.begin(), it->second.hops.end());
  }
  std::sort(hops.begin(), hops.end());
  hops.erase(std::unique(hops.begin(), hops.end()), hops.end());
  return hops;
}

void FibPlanner::set(const FibRoute& route) {
  const RouteKey key = key_of(route.prefix, route.source);
  Route& r = routes_[key];
  Group* group = nullptr;
  if (r.on_interface) interface_routes_.erase(key);
  r.on_interface = false;
  if (route.kind == FibRouteKind::Unicast) {
    if (route.interface) {
      interface_routes_.insert_or_assign(key, route);
      r.on_interface = true;
    } else if (!route.next_hops.empty()) {
      group = acquire_group(route.next_hops, route.source == FibSource::Static);
    }
  }
  if (r.group != group) {
    if (r.group) release_group(r.group, key);
    r.group = group;
    if (group) ++group->members;
  }
  set_wanted(r, true);
  r.blackhole = route.kind == FibRouteKind::Blackhole;
  if (route.config_line > 0) config_lines_.insert_or_assign(key, route.config_line);
  else if (!config_lines_.empty()) config_lines_.erase(key);
  mark_dirty(key, r);
}

void FibPlanner::remove(const Ipv4Prefix& prefix, FibSource source) {
  const RouteKey key = key_of(prefix, source);
  auto it = routes_.find(key);
  if (it == routes_.end()) return;
  Route& r = it->second;
  if (r.group) release_group(r.group, key);
  r.group = nullptr;
  if (r.on_interface) interface_routes_.erase(key);
  r.on_interface = false;
  set_wanted(r, false);
  mark_dirty(key, r);
}

// ---- planning ----------------------------------------------------------------

std::uint32_t FibPlanner::allocate_id() {
  while (next_id_ == 0 || foreign_ids_.count(next_id_)) ++next_id_;
  return next_id_++;
}

std::uint32_t FibPlanner::leaf_acquire(const KernelHop& hop, std::vector<KernelRequest>& out) {
  Leaf& leaf = leaves_[hop];
  if (leaf.id == 0) leaf.id = allocate_id();
  if (!leaf.in_kernel) {
    out.push_back(NexthopWrite{leaf.id, ids_.bgp_protocol, false, hop, {}});
    leaf.in_kernel = true;
  }
  ++leaf.refs;
  return leaf.id;
}

void FibPlanner::leaf_release(const KernelHop& hop) {
  auto it = leaves_.find(hop);
  if (it != leaves_.end() && it->second.refs > 0) --it->second.refs;
}

void FibPlanner::plan_group(Group& g, std::vector<KernelRequest>& leaf_writes,
                            std::vector<KernelRequest>& group_writes, std::vector<KernelRequest>& group_deletes,
                            std::set<std::uint32_t>& deleted_ids, std::set<std::uint32_t>& flushed_ids) {
  auto delete_object = [&] {
    group_deletes.push_back(NexthopDelete{g.id});
    deleted_ids.insert(g.id);
    for (const KernelHop& hop : g.written) leaf_release(hop);
    g.written.clear();
    g.in_kernel = false;
  };
  // A fresh group's members are all queued already (set() joined them).
  auto touch = [&] { if (!g.fresh) g.touch_members = true; };
  if (g.members == 0) {
    if (g.object && g.in_kernel) delete_object();
    return;
  }
  if (!g.object) {
    if (g.hops != g.written) {
      g.written = g.hops;
      touch();
    }
    return;
  }
  if (g.hops.empty()) {
    if (g.in_kernel) {
      // Deleting the group takes every route that uses it out of the kernel
      // (one request instead of one per route); they are held Unresolved.
      delete_object();
      flushed_ids.insert(g.id);
    }
    touch();
    return;
  }
  if (g.in_kernel && g.hops == g.written) return;
  std::vector<std::uint32_t> members;
  for (const KernelHop& hop : g.hops) members.push_back(leaf_acquire(hop, leaf_writes));
  for (const KernelHop& hop : g.written) leaf_release(hop);
  // Always a group, even of one hop: the kernel does not turn a single hop
  // object into a group on replace, and ECMP may come later.
  group_writes.push_back(NexthopWrite{g.id, ids_.bgp_protocol, g.in_kernel, std::nullopt, members});
  const bool created = !g.in_kernel;
  g.in_kernel = true;
  g.written = g.hops;
  if (created) touch();
}

void FibPlanner::hold(RouteKey key, Route& r, FibHoldReason reason, std::string detail) {
  set_held(r, reason);
  if (reason == FibHoldReason::Unresolved || (r.reported & bit(reason))) return;
  r.reported |= bit(reason);
  std::string where = prefix_of(key).to_string() + " (" + to_string(source_of(key));
  auto line = config_lines_.find(key);
  if (line != config_lines_.end()) where += ", config line " + std::to_string(line->second);
  log_.push_back("fib: " + where + ") not installed: " + detail);
}

void FibPlanner::plan_route(RouteKey key, Route& r, std::vector<KernelRequest>& out,
                            const std::set<std::uint32_t>& deleted_ids) {
  const Ipv4Prefix prefix = prefix_of(key);
  const FibSource source = source_of(key);
  const std::uint8_t protocol = ids_.protocol(source);
  const std::uint32_t metric = ids_.metric(source);
  auto take_out = [&] {
    if (!r.in_kernel) return;
    // A group deleted in this plan takes its routes along.
    if (r.written_id == 0 || !deleted_ids.count(r.written_id))
      out.push_back(RouteDelete{prefix, protocol, metric, ids_.table});
    r.in_kernel = false;
    --installed_;
  };
  if (!r.wanted) {
    take_out();
    set_held(r, std::nullopt);
    return;
  }
  if (const KernelRoute* other = mirror_.other_route_on(prefix, ids_.static_protocol)) {
    take_out();
    hold(key, r, FibHoldReason::OtherProtocol, "the kernel has " + describe_route(*other) + " for it");
    return;
  }
  RouteWrite w{prefix, protocol, metric, ids_.table, r.kind(), 0, {}};
  if (!r.blackhole) {
    if (r.on_interface) {
      const FibRoute& wanted = interface_routes_.at(key);
      const auto ifindex = mirror_.ifindex_of(*wanted.interface);
      if (!ifindex) {
        take_out();
        hold(key, r, FibHoldReason::Unresolved, "interface " + *wanted.interface + " not found");
        return;
      }
      const Ipv4Address gateway = wanted.next_hops.empty() ? Ipv4Address{} : wanted.next_hops[0];
      w.hops = {KernelHop{gateway, *ifindex}};
    } else if (!r.group || r.group->hops.empty()) {
      take_out();
      hold(key, r, FibHoldReason::Unresolved, "");
      return;
    } else if (r.group->object) {
      w.nexthop_id = r.group->id;
    } else {
      w.hops = r.group->hops;
    }
  }
  set_held(r, std::nullopt);
  auto written = written_hops_.find(key);
  const bool same_hops = written == written_hops_.end() ? w.hops.empty() : written->second == w.hops;
  if (r.in_kernel && r.written_kind() == w.kind && r.written_id == w.nexthop_id && same_hops) return;
  r.was_in_kernel = r.in_kernel;
  if (!r.in_kernel) ++installed_;
  r.in_kernel = true;
  r.written_blackhole = w.kind == FibRouteKind::Blackhole;
  r.written_id = w.nexthop_id;
  if (!w.hops.empty()) {
    if (written != written_hops_.end()) written->second = w.hops;
    else written_hops_.emplace(key, w.hops);
  } else if (written != written_hops_.end()) {
    written_hops_.erase(written);
  }
  // Same (table, prefix, metric): the write replaces the stale route in place.
  stale_.erase(stale_key(prefix, protocol, metric));
  out.push_back(std::move(w));
}

std::vector<KernelRequest> FibPlanner::plan() {
  std::vector<KernelRequest> leaf_writes, group_writes, route_requests, group_deletes;
  std::set<std::uint32_t> deleted_ids, flushed_ids;
  const std::set<Group*> groups = std::exchange(dirty_groups_, {});
  for (Group* g : groups) plan_group(*g, leaf_writes, group_writes, group_deletes, deleted_ids, flushed_ids);
  bool touch = !flushed_ids.empty();
  for (Group* g : groups) touch = touch || g->touch_members;
  if (touch) touch_members(flushed_ids);
  for (Group* g : groups) g->touch_members = false;
  for (auto& [k, g] : groups_) g->fresh = false;
  const auto dirty = std::exchange(dirty_routes_, {});
  route_requests.reserve(dirty.size());
  for (RouteKey key : dirty) {
    auto it = routes_.find(key);
    if (it == routes_.end()) continue;
    it->second.dirty = false;
    plan_route(key, it->second, route_requests, deleted_ids);
    if (!it->second.wanted && !it->second.in_kernel) {
      if (!written_hops_.empty()) written_hops_.erase(key);
      if (!config_lines_.empty()) config_lines_.erase(key);
      if (!refusals_.empty()) refusals_.erase(key);
      routes_.erase(it);
    }
  }
  for (Group* g : groups) {
    if (g->members != 0) continue;
    auto& tracked = g->statics ? tracked_static_ : tracked_bgp_;
    for (Ipv4Address nh : g->next_hops) {
      auto& list = tracked[nh].groups;
      list.erase(std::remove(list.begin(), list.end(), g), list.end());
    }
    if (last_group_ == g) last_group_ = nullptr;
    groups_.erase({g->statics, g->next_hops});
  }
  std::vector<KernelRequest> leaf_deletes;
  for (auto it = leaves_.begin(); it != leaves_.end();) {
    if (it->second.refs > 0) { ++it; continue; }
    if (it->second.in_kernel) leaf_deletes.push_back(NexthopDelete{it->second.id});
    it = leaves_.erase(it);
  }
  std::vector<KernelRequest> out;
  out.reserve(leaf_writes.size() + group_writes.size() + route_requests.size() + group_deletes.size() +
              leaf_deletes.size());
  for (auto* part : {&leaf_writes, &group_writes, &route_requests, &group_deletes, &leaf_deletes})
    std::move(part->begin(), part->end(), std::back_inserter(out));
  return out;
}

void FibPlanner::refused(const KernelRequest& request, int error, const std::string& message) {
  std::string text = std::string("kernel: ") + std::strerror(error);
  if (!message.empty()) text += " (" + message + ")";
  std::visit(Overloaded{
                 [&](const RouteWrite& w) {
                   ++refused_count_;
                   const auto source = ids_.source_of(w.protocol);
                   if (!source) return;
                   const RouteKey key = key_of(w.prefix, *source);
                   auto it = routes_.find(key);
                   if (it == routes_.end()) return;
                   Route& r = it->second;
                   if (r.in_kernel && !r.was_in_kernel) --installed_;
                   r.in_kernel = r.was_in_kernel;  // a refused replace leaves the old route
                   r.written_id = 0;
                   written_hops_.erase(key);
                   refusals_[key] = text;
                   hold(key, r, FibHoldReason::KernelRefused, text);
                 },
                 [&](const RouteDelete& d) {
                   if (error == ESRCH) return;  // gone already (the kernel flushed it with its interface)
                   ++refused_count_;
                   log_.push_back("fib: deleting " + d.prefix.to_string() + " refused: " + text);
                 },
                 [&](const NexthopWrite& n) {
                   ++refused_count_;
                   log_.push_back("fib: nexthop object " + std::to_string(n.id) + " refused: " + text);
                   for (auto& [hop, leaf] : leaves_)
                     if (leaf.id == n.id) {
                       leaf.in_kernel = false;
                       if (error == EEXIST) leaf.id = allocate_id();  // another daemon's id
                     }
                   for (auto& [k, group] : groups_)
                     if (group->id == n.id) {
                       for (const KernelHop& hop : group->written) leaf_release(hop);
                       group->written.clear();
                       group->in_kernel = false;
                       if (error == EEXIST) group->id = allocate_id();
                       dirty_groups_.insert(group.get());
                     }
                 },
                 [&](const NexthopDelete& n) {
                   if (error == ENOENT) return;  // gone already
                   ++refused_count_;
                   log_.push_back("fib: deleting nexthop object " + std::to_string(n.id) + " refused: " + text);
                 },
             },
             request);
}

// ---- stale routes and the end ---------------------------------------------

std::vector<KernelRequest> FibPlanner::plan_sweep(std::size_t& swept) {
  std::vector<KernelRequest> out;
  swept = stale_.size();
  swept_ += swept;
  for (const auto& [key, nexthop_id] : stale_) {
    if (nexthop_id != 0 && stale_objects_.count(nexthop_id)) continue;  // the object's delete takes it
    const Ipv4Prefix prefix{Ipv4Address{static_cast<std::uint32_t>(key.first >> 16)},
                            static_cast<std::uint8_t>((key.first >> 8) & 0xff)};
    out.push_back(RouteDelete{prefix, static_cast<std::uint8_t>(key.first & 0xff), key.second, ids_.table});
  }
  stale_.clear();
  for (std::uint32_t id : stale_groups_) out.push_back(NexthopDelete{id});  // groups before their members
  for (std::uint32_t id : stale_objects_)
    if (!stale_groups_.count(id)) out.push_back(NexthopDelete{id});
  stale_objects_.clear();
  stale_groups_.clear();
  return out;
}

std::vector<KernelRequest> FibPlanner::plan_withdraw_all() {
  std::size_t swept = 0;
  std::vector<KernelRequest> stale = plan_sweep(swept);
  std::vector<KernelRequest> out;
  for (const auto& [key, r] : routes_) {
    if (!r.in_kernel || r.written_id != 0) continue;  // object routes go with their group
    out.push_back(RouteDelete{prefix_of(key), ids_.protocol(source_of(key)), ids_.metric(source_of(key)), ids_.table});
  }
  for (KernelRequest& request : stale)
    if (std::holds_alternative<RouteDelete>(request)) out.push_back(std::move(request));
  for (const auto& [k, g] : groups_)
    if (g->object && g->in_kernel) out.push_back(NexthopDelete{g->id});
  for (const KernelRequest& request : stale)
    if (std::holds_alternative<NexthopDelete>(request)) out.push_back(request);
  for (const auto& [hop, leaf] : leaves_)
    if (leaf.in_kernel) out.push_back(NexthopDelete{leaf.id});
  routes_.clear();
  dirty_routes_.clear();
  dirty_groups_.clear();
  interface_routes_.clear();
  config_lines_.clear();
  written_hops_.clear();
  groups_.clear();
  last_group_ = nullptr;
  leaves_.clear();
  for (auto* tracked : {&tracked_bgp_, &tracked_static_})
    for (auto& [nh, t] : *tracked) t.groups.clear();
  refusals_.clear();
  installed_ = 0;
  held_ = 0;
  return out;
}

FibCounters FibPlanner::counters() const {
  FibCounters c;
  c.installed = installed_ + stale_.size();
  c.held = held_;
  c.refused = refused_count_;
  c.stale_at_start = stale_at_start_;
  c.swept = swept_;
  c.nexthop_objects = nexthop_objects_;
  return c;
}

std::string FibPlanner::hold_detail(RouteKey key, const Route& r) const {
  switch (*r.held()) {
    case FibHoldReason::Unresolved:
      if (r.on_interface) return "interface " + *interface_routes_.at(key).interface + " not found";
      if (!r.group) return "no next hop";
      return (r.group->next_hops.size() == 1 ? "next hop " : "next hops ") + join(r.group->next_hops) + " unresolved";
    case FibHoldReason::OtherProtocol: {
      const KernelRoute* other = mirror_.other_route_on(prefix_of(key), ids_.static_protocol);
      return other ? "the kernel has " + describe_route(*other) + " for it" : "another protocol's route";
    }
    case FibHoldReason::KernelRefused: {
      auto it = refusals_.find(key);
      return it != refusals_.end() ? it->second : "kernel refused";
    }
  }
  return "";
}

std::vector<FibHeldRoute> FibPlanner::held_routes() const {
  std::vector<FibHeldRoute> out;
  for (const auto& [key, r] : routes_)
    if (r.wanted && r.is_held) out.push_back(FibHeldRoute{prefix_of(key), source_of(key), *r.held(), hold_detail(key, r)});
  std::sort(out.begin(), out.end(), [](const FibHeldRoute& a, const FibHeldRoute& b) {
    return std::tie(a.prefix, a.source) < std::tie(b.prefix, b.source);
  });
  return out;
}

}  // namespace hairpin::bgpd
