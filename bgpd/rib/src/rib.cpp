// RIB processing: inbound policy -> Adj-RIB-In (post-policy) -> best path per
// prefix -> Loc-RIB and FIB changes -> outbound policy per peer -> Adj-RIB-Out
// diff -> packed UPDATEs. Every entry point collects the prefixes it touched and
// flushes them once, so one UPDATE in gives at most one round of UPDATEs out.
//
// Storage, built for a million prefixes:
//   AttributeTable  interned PathAttributes, reference-counted by 32-bit id;
//   Dest            one per prefix: the Loc-RIB best path and the heads of two
//                   lists, the paths received (one per peer, pre- and post-policy)
//                   and the adverts (one per peer: what it holds from us);
//   DestIndex       a flat hash set of Dest ids keyed by prefix.
// Per-peer views (received-routes, advertised-routes) walk the Dests; they are
// for `bgp show` and session changes, not the per-UPDATE path.

#include "hairpin/bgpd/rib/rib.hpp"

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>
#include <absl/hash/hash.h>

#include <algorithm>
#include <array>
#include <map>
#include <span>
#include <utility>

#include "hairpin/bgpd/rib/export_policy.hpp"
#include "hairpin/bgpd/wire/message_codec.hpp"
#include "chunked_vector.hpp"
#include "prefix_index.hpp"

namespace hairpin::bgpd {

namespace {

constexpr std::uint32_t kLocalWeight = 32768;  // FRR: weight of locally originated routes
constexpr std::uint32_t kNone = UINT32_MAX;    // no attribute set / end of a list
using AttrId = std::uint32_t;
using PeerIndex = std::uint16_t;
constexpr PeerIndex kLocalPeer = UINT16_MAX;        // the best path is a `network` statement
constexpr PeerIndex kUnknownPeer = UINT16_MAX - 1;  // peer_index(): not a configured peer

// A prefix as one integer; its order is Ipv4Prefix's order (address, then length).
using PrefixKey = std::uint64_t;
constexpr PrefixKey kFreeKey = UINT64_MAX;
PrefixKey key_of(const Ipv4Prefix& p) { return (PrefixKey{p.address.value} << 8) | p.length; }
Ipv4Prefix prefix_of(PrefixKey key) {
  return Ipv4Prefix{Ipv4Address{static_cast<std::uint32_t>(key >> 8)}, static_cast<std::uint8_t>(key & 0xff)};
}

// Equal attributes hash alike; rarely differing fields count by size only.
std::size_t hash_attributes(const PathAttributes& a) {
  std::size_t h = absl::HashOf(a.origin ? static_cast<int>(*a.origin) : -1,
                               a.next_hop ? std::int64_t{a.next_hop->value} : -1,
                               a.med ? std::int64_t{*a.med} : -1, a.local_pref ? std::int64_t{*a.local_pref} : -1,
                               a.atomic_aggregate, a.aggregator ? std::int64_t{a.aggregator->asn} : -1,
                               a.communities, a.large_communities.size(), a.unknown.size(), a.as_path.has_value());
  if (a.as_path)
    for (const auto& segment : a.as_path->segments) h = absl::HashOf(h, static_cast<int>(segment.type), segment.asns);
  return h;
}

// Interned, reference-counted attribute sets. Equal attributes get one id.
class AttributeTable {
 public:
  AttributeTable() : index_(0, Hash{this}, Eq{this}) {}
  AttributeTable(const AttributeTable&) = delete;
  AttributeTable& operator=(const AttributeTable&) = delete;

  // Each returns one new reference, to be given back with release().
  AttrId intern(PathAttributes&& attrs) {
    const std::size_t hash = hash_attributes(attrs);
    if (auto it = index_.find(Probe{&attrs, hash}); it != index_.end()) return retain(*it);
    return add(std::make_shared<const PathAttributes>(std::move(attrs)), hash);
  }
  AttrId retain(AttrId id) {
    ++slots_[id].refs;
    return id;
  }
  void release(AttrId id) {
    if (id == kNone || --slots_[id].refs > 0) return;
    index_.erase(id);
    slots_[id].attrs.reset();
    free_.push_back(id);
  }
  const AttrRef& ref(AttrId id) const { return slots_[id].attrs; }
  // Every live attribute set, by id.
  template <typename F>
  void for_each(F&& f) const {
    for (AttrId id = 0; id < slots_.size(); ++id)
      if (slots_[id].attrs) f(id, *slots_[id].attrs);
  }
  const PathAttributes& operator[](AttrId id) const { return *slots_[id].attrs; }

 private:
  struct Slot {
    AttrRef attrs;
    std::size_t hash = 0;
    std::uint32_t refs = 0;
  };
  struct Probe {
    const PathAttributes* attrs;
    std::size_t hash;
  };
  struct Hash {
    using is_transparent = void;
    const AttributeTable* table;
    std::size_t operator()(AttrId id) const { return table->slots_[id].hash; }
    std::size_t operator()(const Probe& p) const { return p.hash; }
  };
  struct Eq {
    using is_transparent = void;
    const AttributeTable* table;
    bool operator()(AttrId a, AttrId b) const { return a == b; }
    bool operator()(const Probe& p, AttrId id) const {
      const Slot& s = table->slots_[id];
      return s.hash == p.hash && *s.attrs == *p.attrs;
    }
    bool operator()(AttrId id, const Probe& p) const { return (*this)(p, id); }
  };

  AttrId add(AttrRef attrs, std::size_t hash) {
    AttrId id;
    if (!free_.empty()) {
      id = free_.back();
      free_.pop_back();
    } else {
      id = static_cast<AttrId>(slots_.size());
      slots_.emplace_back();
    }
    slots_[id] = Slot{std::move(attrs), hash, 1};
    index_.insert(id);
    return id;
  }

  std::vector<Slot> slots_;
  std::vector<AttrId> free_;
  absl::flat_hash_set<AttrId, Hash, Eq> index_;
};

// A vector of T with a free list threaded through T::next; ids stay valid until freed.
template <typename T>
class Pool {
 public:
  std::uint32_t add(T value) {
    std::uint32_t id;
    if (free_ != kNone) {
      id = free_;
      free_ = items_[id].next;
      items_[id] = std::move(value);
    } else {
      id = static_cast<std::uint32_t>(items_.size());
      items_.push_back(std::move(value));
    }
    return id;
  }
  void remove(std::uint32_t id) {
    items_[id] = T{};
    items_[id].next = free_;
    free_ = id;
  }
  T& operator[](std::uint32_t id) { return items_[id]; }
  const T& operator[](std::uint32_t id) const { return items_[id]; }

 private:
  ChunkedVector<T> items_;
  std::uint32_t free_ = kNone;
};

// One peer's route for a prefix: Adj-RIB-In (pre-policy) and its post-policy form.
struct Path {
  std::uint32_t next = kNone;
  AttrId in = kNone;        // as received; kNone once withdrawn
  AttrId accepted = kNone;  // after inbound policy; kNone: denied
  std::uint32_t order = 0;  // when it was accepted (FRR's oldest-path step)
  PeerIndex peer = 0;
  bool stale = false;  // between the peer's BoRR and EoRR (RFC 7313 4.2)
};

// What one peer holds from us for a prefix: Adj-RIB-Out.
struct Advert {
  std::uint32_t next = kNone;
  AttrId attrs = kNone;
  PeerIndex peer = 0;
};

enum DestFlags : std::uint8_t { kBestExternal = 1, kMultipath = 2 };

struct Dest {
  PrefixKey key = kFreeKey;
  std::uint32_t paths = kNone;    // Path list, one per peer
  std::uint32_t adverts = kNone;  // Advert list, one per peer
  AttrId best = kNone;            // Loc-RIB: attributes of the best path
  PeerIndex best_from = kLocalPeer;
  std::uint8_t decided_by = 0;  // BestPathStep
  std::uint8_t flags = 0;
  bool in_use() const { return key != kFreeKey; }
};
static_assert(sizeof(Dest) == 24, "a Dest is paid for once per prefix");
static_assert(sizeof(Path) == 20, "a Path is paid for once per prefix per peer");

// Prefix -> Dest id (prefix_index.hpp), keyed here by PrefixKey.
constexpr std::uint32_t kMaxDests = PrefixIndex::kMaxIds;
class DestIndex {
 public:
  std::uint32_t find(PrefixKey key) const {
    auto id = index_.find(address(key), length(key));
    return id == PrefixIndex::kNotFound ? kNone : id;
  }
  // The id already held for `key`, or `new_id` now.
  std::pair<std::uint32_t, bool> insert(PrefixKey key, std::uint32_t new_id) {
    return index_.insert(address(key), length(key), new_id);
  }
  void erase(PrefixKey key) { index_.erase(address(key), length(key)); }
  void prefetch(PrefixKey key) const { index_.prefetch(address(key), length(key)); }

 private:
  static std::uint32_t address(PrefixKey key) { return static_cast<std::uint32_t>(key >> 8); }
  static std::uint8_t length(PrefixKey key) { return static_cast<std::uint8_t>(key & 0xff); }
  PrefixIndex index_;
};

// The last policy evaluation, reused while the same attributes keep coming: every
// prefix of an UPDATE shares them. Holds a reference on both ids. `source` is
// what else the result depends on: outbound, where the best path came from
// (a BestSource: RFC 4271 9.2 depends on it); inbound, nothing (kInbound).
constexpr std::uint8_t kInbound = 0;
struct PolicyMemo {
  bool valid = false;
  PeerIndex peer = 0;
  AttrId input = kNone;
  std::uint8_t source = kInbound;
  AttrId result = kNone;
};

}  // namespace

std::vector<Update> RibOutput::updates_for(Ipv4Address peer) const {
  std::vector<Update> out;
  for (const auto& o : send)
    if (o.peer == peer)
      if (const auto* u = std::get_if<Update>(&o.message)) out.push_back(*u);
  return out;
}

class Rib::State {
 public:
  State(RibOptions options, PolicySet policy, std::vector<RibPeer> peers, NextHopResolver resolver)
      : options_(options), policy_(std::move(policy)), resolver_(std::move(resolver)) {
    for (auto& p : peers) configure(p);
    refresh_policy_shape();
  }
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  ~State() { clear_memos(); }

  RibOutput peer_up(Ipv4Address address, const Negotiated& negotiated, std::optional<Ipv4Address> local_address) {
    RibOutput out;
    auto pi = peer_index(address);
    if (pi == kUnknownPeer) return out;
    Peer& p = peers_[pi];
    p.session = negotiated;
    if (local_address) p.config.local_address = *local_address;
    clear_memos();  // outbound results depend on our session address
    drop_adverts(pi);
    p.announced = 0;
    std::vector<std::uint32_t> dirty = dests_with_best();
    flush(dirty, out, pi);
    // RFC 4724 2: End-of-RIB after the initial table, recommended even without GR
    out.send.push_back({address, Update{}});
    return out;
  }

  RibOutput peer_down(Ipv4Address address) {
    RibOutput out;
    auto pi = peer_index(address);
    if (pi == kUnknownPeer) return out;
    Peer& p = peers_[pi];
    p.session.reset();
    p.refreshing = false;
    drop_adverts(pi);
    std::vector<std::uint32_t> dirty, touched;
    for (std::uint32_t d = 0; d < dests_.size(); ++d) {
      if (!dests_[d].in_use()) continue;
      if (withdraw(pi, d, dirty)) touched.push_back(d);
    }
    p.received = p.accepted = 0;
    flush(dirty, out);
    collect(touched);
    return out;
  }

  RibOutput receive(Ipv4Address address, const Update& update) {
    RibOutput out;
    auto pi = peer_index(address);
    if (pi == kUnknownPeer || !peers_[pi].session) return out;
    std::vector<std::uint32_t> dirty, touched;
    auto withdraw_prefix = [&](const Ipv4Prefix& prefix) {
      auto d = index_.find(key_of(prefix));
      if (d != kNone && withdraw(pi, d, dirty)) touched.push_back(d);
    };
    for_each_prefetched(update.withdrawn, withdraw_prefix);
    if (update.attributes.mp_unreach) for_each_prefetched(update.attributes.mp_unreach->withdrawn, withdraw_prefix);

    const auto& mp = update.attributes.mp_reach;
    if (!update.nlri.empty() || (mp && !mp->nlri.empty())) {
      PathAttributes attrs = update.attributes;
      if (mp && !attrs.next_hop) attrs.next_hop = mp->next_hop;
      attrs.mp_reach.reset();
      attrs.mp_unreach.reset();
      const AttrId in = attrs_.intern(std::move(attrs));
      std::size_t dropped = 0;
      auto announce = [&](const Ipv4Prefix& prefix) {
        auto d = find_or_add_dest(prefix);
        if (d == kNone) ++dropped;
        else store(pi, d, in, dirty);
      };
      for_each_prefetched(update.nlri, announce);
      if (mp) for_each_prefetched(mp->nlri, announce);
      attrs_.release(in);
      if (dropped)
        out.problems.push_back({RibProblemKind::RibFull, address,
                                std::to_string(dropped) + " prefixes from " + address.to_string() +
                                    " dropped: the RIB holds at most " + std::to_string(kMaxDests) +
                                    " prefixes; set maximum-prefix on the neighbor"});
    }
    flush(dirty, out);
    collect(touched);
    const Peer& p = peers_[pi];
    if (p.config.maximum_prefix && p.accepted > *p.config.maximum_prefix)
      out.problems.push_back({RibProblemKind::MaximumPrefixExceeded, address,
                              address.to_string() + " sent " + std::to_string(p.accepted) +
                                  " prefixes, maximum-prefix is " + std::to_string(*p.config.maximum_prefix)});
    return out;
  }

  RibOutput route_refresh(Ipv4Address address, const RouteRefresh& request) {
    RibOutput out;
    auto pi = peer_index(address);
    if (pi == kUnknownPeer || !peers_[pi].session) return out;
    if (request.afi_safi != AfiSafi{}) return out;
    Peer& p = peers_[pi];
    if (request.subtype == RouteRefreshSubtype::BeginningOfRouteRefresh) {
      // RFC 7313 4.2: the peer re-sends its table; what it does not repeat before
      // EoRR is stale and goes away then.
      for_each_path_of(pi, [](std::uint32_t, Path& path) { path.stale = true; });
      p.refreshing = true;
      return out;
    }
    if (request.subtype == RouteRefreshSubtype::EndOfRouteRefresh) {
      if (!p.refreshing) return out;
      p.refreshing = false;
      std::vector<std::uint32_t> stale, dirty;
      for_each_path_of(pi, [&](std::uint32_t d, Path& path) {
        if (path.stale) stale.push_back(d);
      });
      for (auto d : stale) withdraw(pi, d, dirty);
      flush(dirty, out);
      collect(stale);
      return out;
    }
    if (request.subtype != RouteRefreshSubtype::Normal) return out;
    // RFC 2918 4: re-send the whole Adj-RIB-Out; RFC 7313 4: wrapped in BoRR/EoRR
    // when the peer supports enhanced route refresh.
    bool enhanced = p.session->enhanced_route_refresh;
    if (enhanced) out.send.push_back({address, RouteRefresh{AfiSafi{}, RouteRefreshSubtype::BeginningOfRouteRefresh}});
    std::vector<std::uint32_t> dirty = dests_with_best();
    flush(dirty, out, pi, /*force=*/true);
    if (enhanced) out.send.push_back({address, RouteRefresh{AfiSafi{}, RouteRefreshSubtype::EndOfRouteRefresh}});
    return out;
  }

  RibOutput set_local_routes(std::vector<LocalRoute> routes) {
    RibOutput out;
    std::vector<Ipv4Prefix> touched_prefixes;
    for (const auto& [prefix, map] : local_) touched_prefixes.push_back(prefix);
    local_.clear();
    for (const auto& r : routes) {
      touched_prefixes.push_back(r.prefix);
      local_[r.prefix] = r.route_map;
    }
    std::vector<std::uint32_t> dirty, touched;
    for (const auto& prefix : touched_prefixes) {
      auto d = find_or_add_dest(prefix);
      if (d == kNone) continue;  // full: a handful of `network` routes cannot get here first
      touched.push_back(d);
      recompute(d, dirty);
    }
    flush(dirty, out);
    collect(touched);
    return out;
  }

  RibOutput replace_policy(PolicySet policy, std::vector<RibPeer> peers) {
    RibOutput out;
    clear_memos();
    policy_ = std::move(policy);
    for (auto& cfg : peers) {
      auto pi = peer_index(cfg.address);
      if (pi == kUnknownPeer) {
        configure(cfg);
        continue;
      }
      // Our end of a live session is learned from the socket, not the config.
      Peer& p = peers_[pi];
      Ipv4Address local = p.config.local_address;
      p.config = cfg;
      if (p.session && cfg.local_address == Ipv4Address{}) p.config.local_address = local;
    }
    refresh_policy_shape();
    std::vector<std::uint32_t> dirty;
    for (std::uint32_t d = 0; d < dests_.size(); ++d) {
      if (!dests_[d].in_use()) continue;
      bool changed = false;
      for (auto pi = dests_[d].paths; pi != kNone; pi = paths_[pi].next) changed |= reaccept(paths_[pi], d);
      if (changed) recompute(d, dirty);
      // Outbound policy may have changed too: every prefix we hold or advertise.
      if (dests_[d].best != kNone || dests_[d].adverts != kNone) dirty.push_back(d);
    }
    flush(dirty, out);
    return out;
  }

  RibOutput next_hops_changed(std::span<const Ipv4Address> changed) {
    RibOutput out;
    std::vector<Ipv4Address> hops(changed.begin(), changed.end());
    std::sort(hops.begin(), hops.end());
    // The attribute sets that carry one of them: a few thousand at most, where the
    // prefixes are a million; only paths with one of these are looked at again.
    absl::flat_hash_set<AttrId> affected;
    attrs_.for_each([&](AttrId id, const PathAttributes& a) {
      if (a.next_hop && std::binary_search(hops.begin(), hops.end(), *a.next_hop)) affected.insert(id);
    });
    if (affected.empty()) return out;
    std::vector<std::uint32_t> dirty;
    for (std::uint32_t d = 0; d < dests_.size(); ++d) {
      if (!dests_[d].in_use()) continue;
      for (auto i = dests_[d].paths; i != kNone; i = paths_[i].next)
        if (paths_[i].accepted != kNone && affected.contains(paths_[i].accepted)) {
          recompute(d, dirty);
          break;
        }
    }
    flush(dirty, out);
    return out;
  }

  // ---- queries ----

  std::optional<LocRibEntry> best(const Ipv4Prefix& prefix) const {
    auto d = index_.find(key_of(prefix));
    if (d == kNone || dests_[d].best == kNone) return std::nullopt;
    return entry_of(d);
  }

  std::size_t loc_rib_size() const { return best_count_; }

  void for_each_best(const LocRibVisitor& visit) const {
    for (auto d : sorted(dests_with_best())) visit(prefix_of(dests_[d].key), entry_of(d));
  }

  void for_each_prefix_paths(const PathsVisitor& visit) const {
    std::vector<std::uint32_t> ds;
    for (std::uint32_t d = 0; d < dests_.size(); ++d)
      if (dests_[d].in_use() && (dests_[d].best != kNone || has_accepted_path(d))) ds.push_back(d);
    std::vector<std::pair<std::uint32_t, RibPath>> by_arrival;  // Path::order, path
    std::vector<RibPath> paths;
    for (auto d : sorted(std::move(ds))) {
      const Dest& dest = dests_[d];
      const auto hops = next_hops(d);
      std::optional<LocRibEntry> best;
      if (dest.best != kNone) best = entry_of(d);
      by_arrival.clear();
      for (auto i = dest.paths; i != kNone; i = paths_[i].next) {
        const Path& path = paths_[i];
        if (path.accepted == kNone) continue;
        const auto& nh = attrs_[path.accepted].next_hop;
        RibPath p;
        p.attributes = attrs_.ref(path.accepted);
        p.from = peers_[path.peer].config.address;
        p.valid = nh && resolver_(*nh);
        p.best = dest.best != kNone && dest.best_from == path.peer;
        p.multipath = (dest.flags & kMultipath) && nh && std::ranges::find(hops, *nh) != hops.end();
        by_arrival.emplace_back(path.order, std::move(p));
      }
      // Best first, then the others in the order they were accepted.
      std::ranges::sort(by_arrival, [](const auto& a, const auto& b) {
        return a.second.best != b.second.best ? a.second.best : a.first < b.first;
      });
      paths.clear();
      if (best && best->local) paths.push_back(RibPath{best->attributes, true, Ipv4Address{}, true, true, false});
      for (auto& [order, p] : by_arrival) paths.push_back(std::move(p));
      visit(prefix_of(dest.key), paths, best ? &*best : nullptr);
    }
  }

  std::optional<RibPeerCounts> counts(Ipv4Address address) const {
    auto pi = peer_index(address);
    if (pi == kUnknownPeer) return std::nullopt;
    const Peer& p = peers_[pi];
    return RibPeerCounts{p.received, p.accepted, p.advertised, p.announced};
  }

  AttrRef received(Ipv4Address address, const Ipv4Prefix& prefix) const {
    return one_of_peer(address, prefix, &State::received_attrs);
  }
  AttrRef advertised(Ipv4Address address, const Ipv4Prefix& prefix) const {
    return one_of_peer(address, prefix, &State::advertised_attrs);
  }
  bool for_each_received(Ipv4Address address, const RouteVisitor& visit) const {
    return each_of_peer(address, visit, &State::received_attrs);
  }
  bool for_each_advertised(Ipv4Address address, const RouteVisitor& visit) const {
    return each_of_peer(address, visit, &State::advertised_attrs);
  }

 private:
  struct Peer {
    RibPeer config;
    std::optional<Negotiated> session;
    bool inbound_reads_prefix = true;   // policy must run per prefix, not per attribute set
    bool outbound_reads_prefix = true;
    std::size_t received = 0, accepted = 0, advertised = 0;
    std::uint64_t announced = 0;
    bool warned_near_limit = false;
    bool refreshing = false;
  };

  // The peer's AS: the configured one, or (`remote-as external`, configured as 0)
  // its OPEN's once the session is up. A configured AS is what the OPEN had: the
  // session refuses any other (Bad Peer AS).
  static std::uint32_t peer_as(const Peer& p) {
    return p.config.peer_as != 0 || !p.session ? p.config.peer_as : p.session->peer_as;
  }
  bool external(const Peer& p) const { return peer_as(p) != options_.local_as; }

  void configure(const RibPeer& cfg) {
    by_address_[cfg.address] = static_cast<PeerIndex>(peers_.size());
    Peer p;
    p.config = cfg;
    peers_.push_back(std::move(p));
  }

  PeerIndex peer_index(Ipv4Address address) const {
    auto it = by_address_.find(address);
    return it == by_address_.end() ? kUnknownPeer : it->second;
  }

  void refresh_policy_shape() {
    for (auto& p : peers_) {
      p.inbound_reads_prefix = p.config.prefix_list_in.has_value() ||
                               (p.config.route_map_in && route_map_reads_prefix(policy_, *p.config.route_map_in));
      p.outbound_reads_prefix = p.config.prefix_list_out.has_value() ||
                                (p.config.route_map_out && route_map_reads_prefix(policy_, *p.config.route_map_out));
    }
  }

  // ---- tables ----

  // Calls f on each prefix, with the index's memory for a prefix a few places on
  // already on its way into the cache.
  template <typename F>
  void for_each_prefetched(const std::vector<Ipv4Prefix>& prefixes, F&& f) {
    constexpr std::size_t kAhead = 8;
    for (std::size_t i = 0; i < prefixes.size(); ++i) {
      if (i + kAhead < prefixes.size()) index_.prefetch(key_of(prefixes[i + kAhead]));
      f(prefixes[i]);
    }
  }

  // kNone when the table is full (kMaxDests).
  std::uint32_t find_or_add_dest(const Ipv4Prefix& prefix) {
    const PrefixKey key = key_of(prefix);
    const bool reuse = !free_dests_.empty();
    const std::uint32_t next = reuse ? free_dests_.back() : static_cast<std::uint32_t>(dests_.size());
    if (next >= kMaxDests) return index_.find(key);
    auto [d, added] = index_.insert(key, next);
    if (!added) return d;
    if (reuse) free_dests_.pop_back();
    else dests_.push_back(Dest{});
    dests_[d] = Dest{};
    dests_[d].key = key;
    return d;
  }

  // Frees the Dests among `ds` that hold nothing any more.
  void collect(const std::vector<std::uint32_t>& ds) {
    for (auto d : ds) {
      Dest& dest = dests_[d];
      if (!dest.in_use() || dest.paths != kNone || dest.adverts != kNone || dest.best != kNone) continue;
      if (!local_.empty() && local_.count(prefix_of(dest.key))) continue;
      index_.erase(dest.key);
      multipath_.erase(d);
      dest = Dest{};
      free_dests_.push_back(d);
    }
  }

  std::uint32_t find_path(std::uint32_t d, PeerIndex pi) const {
    for (auto i = dests_[d].paths; i != kNone; i = paths_[i].next)
      if (paths_[i].peer == pi) return i;
    return kNone;
  }

  std::uint32_t find_advert(std::uint32_t d, PeerIndex pi) const {
    for (auto i = dests_[d].adverts; i != kNone; i = adverts_[i].next)
      if (adverts_[i].peer == pi) return i;
    return kNone;
  }

  // Per-peer views: Adj-RIB-In (as received) and Adj-RIB-Out, kNone where empty.
  using PeerTable = AttrId (State::*)(std::uint32_t, PeerIndex) const;
  AttrId received_attrs(std::uint32_t d, PeerIndex pi) const {
    auto i = find_path(d, pi);
    return i == kNone ? kNone : paths_[i].in;
  }
  AttrId advertised_attrs(std::uint32_t d, PeerIndex pi) const {
    auto i = find_advert(d, pi);
    return i == kNone ? kNone : adverts_[i].attrs;
  }

  AttrRef one_of_peer(Ipv4Address address, const Ipv4Prefix& prefix, PeerTable table) const {
    auto pi = peer_index(address);
    auto d = pi == kUnknownPeer ? kNone : index_.find(key_of(prefix));
    auto id = d == kNone ? kNone : (this->*table)(d, pi);
    return id == kNone ? nullptr : attrs_.ref(id);
  }

  // Visits the peer's entries in prefix order; false when it is not configured.
  bool each_of_peer(Ipv4Address address, const RouteVisitor& visit, PeerTable table) const {
    auto pi = peer_index(address);
    if (pi == kUnknownPeer) return false;
    std::vector<std::uint32_t> dests;
    for (std::uint32_t d = 0; d < dests_.size(); ++d)
      if (dests_[d].in_use() && (this->*table)(d, pi) != kNone) dests.push_back(d);
    for (auto d : sorted(std::move(dests))) visit(prefix_of(dests_[d].key), attrs_.ref((this->*table)(d, pi)));
    return true;
  }

  template <typename F>
  void for_each_path_of(PeerIndex pi, F f) {
    for (std::uint32_t d = 0; d < dests_.size(); ++d) {
      if (!dests_[d].in_use()) continue;
      auto i = find_path(d, pi);
      if (i != kNone) f(d, paths_[i]);
    }
  }

  bool has_accepted_path(std::uint32_t d) const {
    for (auto i = dests_[d].paths; i != kNone; i = paths_[i].next)
      if (paths_[i].accepted != kNone) return true;
    return false;
  }

  std::vector<std::uint32_t> dests_with_best() const {
    std::vector<std::uint32_t> out;
    out.reserve(best_count_);
    for (std::uint32_t d = 0; d < dests_.size(); ++d)
      if (dests_[d].in_use() && dests_[d].best != kNone) out.push_back(d);
    return out;
  }

  std::vector<std::uint32_t> sorted(std::vector<std::uint32_t> ds) const {
    std::sort(ds.begin(), ds.end(), [&](auto a, auto b) { return dests_[a].key < dests_[b].key; });
    ds.erase(std::unique(ds.begin(), ds.end()), ds.end());
    return ds;
  }

  void drop_adverts(PeerIndex pi) {
    for (std::uint32_t d = 0; d < dests_.size(); ++d)
      if (dests_[d].in_use()) set_advert(d, pi, kNone);
  }

  // Sets (or with kNone removes) what peer `pi` holds from us for `d`; takes over
  // the caller's reference on `attrs`.
  void set_advert(std::uint32_t d, PeerIndex pi, AttrId attrs) {
    std::uint32_t* link = &dests_[d].adverts;
    while (*link != kNone && adverts_[*link].peer != pi) link = &adverts_[*link].next;
    Peer& p = peers_[pi];
    if (*link == kNone) {
      if (attrs == kNone) return;
      auto id = adverts_.add(Advert{dests_[d].adverts, attrs, pi});  // may move the pool: `link` is stale
      dests_[d].adverts = id;
      ++p.advertised;
      return;
    }
    Advert& a = adverts_[*link];
    attrs_.release(a.attrs);
    if (attrs != kNone) {
      a.attrs = attrs;
      return;
    }
    auto gone = *link;
    *link = a.next;
    adverts_.remove(gone);
    --p.advertised;
  }

  // ---- Adj-RIB-In ----

  // The peer announced `d` with attributes `in`.
  void store(PeerIndex pi, std::uint32_t d, AttrId in, std::vector<std::uint32_t>& dirty) {
    auto i = find_path(d, pi);
    if (i == kNone) {
      i = paths_.add(Path{dests_[d].paths, kNone, kNone, 0, pi, false});
      dests_[d].paths = i;
      ++peers_[pi].received;
    }
    Path& path = paths_[i];
    path.stale = false;
    // The same attributes again change nothing: the policy that judged them has
    // not changed since (a new policy re-runs everything, replace_policy).
    if (path.in == in) return;
    attrs_.release(path.in);
    path.in = attrs_.retain(in);
    if (reaccept(path, d)) recompute(d, dirty);
  }

  // The peer's route for `d` is gone (withdrawn, session down, stale at EoRR).
  // Returns whether it had one.
  bool withdraw(PeerIndex pi, std::uint32_t d, std::vector<std::uint32_t>& dirty) {
    std::uint32_t* link = &dests_[d].paths;
    while (*link != kNone && paths_[*link].peer != pi) link = &paths_[*link].next;
    if (*link == kNone) return false;
    auto i = *link;
    Path& path = paths_[i];
    bool was_accepted = path.accepted != kNone;
    attrs_.release(path.in);
    if (was_accepted) {
      attrs_.release(path.accepted);
      --peers_[pi].accepted;
    }
    *link = path.next;
    paths_.remove(i);
    --peers_[pi].received;
    if (was_accepted) recompute(d, dirty);
    return true;
  }

  // Runs inbound policy on the path's received attributes; returns whether the
  // accepted form changed.
  bool reaccept(Path& path, std::uint32_t d) {
    AttrId post = path.in == kNone ? kNone : inbound(path.peer, prefix_of(dests_[d].key), path.in);
    if (post == path.accepted) {
      attrs_.release(post);
      return false;
    }
    Peer& p = peers_[path.peer];
    if (path.accepted == kNone) {
      path.order = next_order();
      ++p.accepted;
    } else {
      attrs_.release(path.accepted);
    }
    if (post == kNone) --p.accepted;
    path.accepted = post;
    return true;
  }

  std::uint32_t next_order() {
    if (order_ == UINT32_MAX) renumber_orders();
    return ++order_;
  }

  // After four billion acceptances: the same relative order, numbered from 1.
  void renumber_orders() {
    std::vector<std::uint32_t> accepted;
    for (std::uint32_t d = 0; d < dests_.size(); ++d)
      for (auto i = dests_[d].in_use() ? dests_[d].paths : kNone; i != kNone; i = paths_[i].next)
        if (paths_[i].accepted != kNone) accepted.push_back(i);
    std::sort(accepted.begin(), accepted.end(), [&](auto a, auto b) { return paths_[a].order < paths_[b].order; });
    order_ = 0;
    for (auto i : accepted) paths_[i].order = ++order_;
  }

  // ---- policy ----

  void clear_memos() {
    for (PolicyMemo* m : {&inbound_memo_, &outbound_memo_}) {
      if (m->valid) {
        attrs_.release(m->input);
        attrs_.release(m->result);
      }
      *m = PolicyMemo{};
    }
  }

  static bool memo_hit(const PolicyMemo& m, PeerIndex pi, AttrId input, std::uint8_t source) {
    return m.valid && m.peer == pi && m.input == input && m.source == source;
  }

  void remember(PolicyMemo& m, PeerIndex pi, AttrId input, std::uint8_t source, AttrId result) {
    if (m.valid) {
      attrs_.release(m.input);
      attrs_.release(m.result);
    }
    m = PolicyMemo{true, pi, attrs_.retain(input), source, result == kNone ? kNone : attrs_.retain(result)};
  }

  // Inbound policy; returns a new reference to the accepted attributes, or kNone.
  AttrId inbound(PeerIndex pi, const Ipv4Prefix& prefix, AttrId in) {
    const Peer& p = peers_[pi];
    if (!p.inbound_reads_prefix && memo_hit(inbound_memo_, pi, in, kInbound))
      return inbound_memo_.result == kNone ? kNone : attrs_.retain(inbound_memo_.result);
    AttrId result = evaluate_inbound(p, prefix, in);
    if (!p.inbound_reads_prefix) remember(inbound_memo_, pi, in, kInbound, result);
    return result;
  }

  AttrId evaluate_inbound(const Peer& p, const Ipv4Prefix& prefix, AttrId in) {
    const PathAttributes& attrs = attrs_[in];
    static const AsPath kEmptyPath;
    const AsPath& path = attrs.as_path ? *attrs.as_path : kEmptyPath;
    // RFC 4271 9.1.2: a path that already contains our AS is a loop
    if (path.contains(options_.local_as)) return kNone;
    if (external(p)) {
      // FRR enforce-first-as: an eBGP peer's path must start with its own AS
      if (options_.enforce_first_as && path.first_as() != peer_as(p)) return kNone;
      // RFC 8212 as FRR does it: no inbound policy on an eBGP session, nothing accepted
      if (options_.ebgp_requires_policy && !p.config.route_map_in && !p.config.prefix_list_in) return kNone;
    }
    if (p.config.prefix_list_in) {
      auto it = policy_.prefix_lists.find(*p.config.prefix_list_in);
      // FRR: an undefined prefix-list on a neighbor denies
      if (it == policy_.prefix_lists.end() || it->second.evaluate(prefix) == FilterAction::Deny) return kNone;
    }
    if (!p.config.route_map_in) return attrs_.retain(in);
    auto result = apply_route_map(policy_, *p.config.route_map_in, prefix, attrs, PolicyContext{p.config.address});
    if (result.action == FilterAction::Deny) return kNone;
    if (result.attributes == attrs) return attrs_.retain(in);  // policy changed nothing
    return attrs_.intern(std::move(result.attributes));
  }

  // Outbound policy for peer `to`; returns a new reference to the attributes to
  // advertise, or kNone.
  AttrId outbound(PeerIndex to, std::uint32_t d) {
    const Dest& dest = dests_[d];
    if (dest.best == kNone) return kNone;
    const BestSource source = best_source(dest);
    // The memo is keyed by attributes, not by sender, so split horizon goes first.
    if (split_horizon(source, dest.best_from == to)) return kNone;
    const Peer& p = peers_[to];
    const auto memo_source = static_cast<std::uint8_t>(source);
    if (!p.outbound_reads_prefix && memo_hit(outbound_memo_, to, dest.best, memo_source))
      return outbound_memo_.result == kNone ? kNone : attrs_.retain(outbound_memo_.result);
    AttrId result = evaluate_outbound(p, dest, source);
    if (!p.outbound_reads_prefix) remember(outbound_memo_, to, dest.best, memo_source, result);
    return result;
  }

  static BestSource best_source(const Dest& dest) {
    if (dest.best_from == kLocalPeer) return BestSource::Local;
    return (dest.flags & kBestExternal) ? BestSource::External : BestSource::Internal;
  }

  AttrId evaluate_outbound(const Peer& p, const Dest& dest, BestSource source) {
    ExportDecision decision = export_route(ExportInput{
        .policy = policy_,
        .local_as = options_.local_as,
        .default_local_pref = options_.best_path.default_local_pref,
        .ebgp_requires_policy = options_.ebgp_requires_policy,
        .prefix = prefix_of(dest.key),
        .best = attrs_[dest.best],
        .source = source,
        .from_this_peer = false,  // split horizon was asked above
        .to = ExportPeer{.external = external(p),
                         .local_address = p.config.local_address,
                         .next_hop_self = p.config.next_hop_self,
                         .prefix_list_out = p.config.prefix_list_out ? &*p.config.prefix_list_out : nullptr,
                         .route_map_out = p.config.route_map_out ? &*p.config.route_map_out : nullptr},
    });
    if (!decision.advertised()) return kNone;
    return attrs_.intern(std::move(*decision.attributes));
  }

  // ---- Loc-RIB ----

  // The installed next hops, without copying them: the best path's own NEXT_HOP
  // (in its interned attributes) or the ECMP set.
  std::span<const Ipv4Address> next_hops(std::uint32_t d) const {
    const Dest& dest = dests_[d];
    if (dest.best == kNone || dest.best_from == kLocalPeer) return {};  // local routes are not forwarded by BGP
    if (dest.flags & kMultipath) return multipath_.at(d);
    const auto& nh = attrs_[dest.best].next_hop;
    return nh ? std::span<const Ipv4Address>(&*nh, 1) : std::span<const Ipv4Address>{};
  }

  LocRibEntry entry_of(std::uint32_t d) const {
    const Dest& dest = dests_[d];
    LocRibEntry e;
    e.attributes = attrs_.ref(dest.best);
    e.local = dest.best_from == kLocalPeer;
    e.external = !e.local && (dest.flags & kBestExternal);
    e.weight = e.local ? kLocalWeight : 0;
    e.from = e.local ? Ipv4Address{} : peers_[dest.best_from].config.address;
    e.decided_by = static_cast<BestPathStep>(dest.decided_by);
    const auto hops = next_hops(d);
    e.next_hops.assign(hops.begin(), hops.end());
    return e;
  }

  struct Winner {
    AttrId attrs = kNone;  // a new reference
    PeerIndex from = kLocalPeer;
    bool external = false;
    BestPathStep decided_by = BestPathStep::OnlyCandidate;
    std::vector<Ipv4Address> hops;
  };

  void recompute(std::uint32_t d, std::vector<std::uint32_t>& dirty) {
    const Ipv4Prefix prefix = prefix_of(dests_[d].key);
    auto local = local_.empty() ? local_.end() : local_.find(prefix);
    // Fast path, the common case of a full table from one peer: with at most one
    // candidate there is nothing to compare, so no candidate copies are made.
    // Same result as the general path (OnlyCandidate, one next hop).
    if (local == local_.end()) {
      std::uint32_t only = kNone;
      int count = 0;
      for (auto i = dests_[d].paths; i != kNone && count < 2; i = paths_[i].next)
        if (paths_[i].accepted != kNone) {
          only = i;
          ++count;
        }
      if (count == 0) return install(d, std::nullopt, dirty);
      if (count == 1) {
        const Path& path = paths_[only];
        const auto& nh = attrs_[path.accepted].next_hop;
        if (!nh || !resolver_(*nh)) return install(d, std::nullopt, dirty);
        return install(d, Winner{attrs_.retain(path.accepted), path.peer, external(peers_[path.peer]),
                                 BestPathStep::OnlyCandidate, {*nh}},
                       dirty);
      }
    }
    std::vector<PathCandidate> candidates;
    std::vector<PeerIndex> from;
    std::vector<AttrId> ids;
    AttrId local_attrs = kNone;
    if (local != local_.end()) {
      PathAttributes attrs;
      attrs.origin = Origin::Igp;  // FRR: `network` routes are IGP with MED from the route (0)
      attrs.as_path = AsPath{};
      attrs.next_hop = Ipv4Address{};
      attrs.med = 0;
      bool permitted = true;
      if (local->second) {
        auto r = apply_route_map(policy_, *local->second, prefix, attrs, {});
        permitted = r.action == FilterAction::Permit;
        attrs = r.attributes;
      }
      if (permitted) {
        PathCandidate c;
        c.attributes = attrs;
        c.local = true;
        c.external = false;
        c.weight = kLocalWeight;
        c.peer_router_id = options_.router_id;
        candidates.push_back(c);
        from.push_back(kLocalPeer);
        local_attrs = attrs_.intern(std::move(attrs));
        ids.push_back(local_attrs);
      }
    }
    for (auto i = dests_[d].paths; i != kNone; i = paths_[i].next) {
      const Path& path = paths_[i];
      if (path.accepted == kNone) continue;
      const Peer& p = peers_[path.peer];
      const PathAttributes& attrs = attrs_[path.accepted];
      PathCandidate c;
      c.attributes = attrs;
      c.peer_address = p.config.address;
      c.peer_router_id = p.session ? p.session->peer_router_id : p.config.address;
      c.peer_as = peer_as(p);
      c.external = external(p);
      c.next_hop_resolvable = attrs.next_hop && resolver_(*attrs.next_hop);
      c.received_order = path.order;
      candidates.push_back(c);
      from.push_back(path.peer);
      ids.push_back(path.accepted);
    }

    auto best = select_best_path(candidates, options_.best_path);
    if (!best) {
      attrs_.release(local_attrs);
      return install(d, std::nullopt, dirty);
    }
    const PathCandidate& winner = candidates[best->index];
    Winner w{attrs_.retain(ids[best->index]), from[best->index], winner.external, best->decided_by, {}};
    attrs_.release(local_attrs);
    for (auto i : select_multipath(candidates, *best, options_.best_path, options_.maximum_paths)) {
      if (candidates[i].local) continue;  // local routes are not forwarded by BGP
      auto nh = *candidates[i].attributes.next_hop;
      if (std::find(w.hops.begin(), w.hops.end(), nh) == w.hops.end()) w.hops.push_back(nh);
    }
    install(d, std::move(w), dirty);
  }

  void install(std::uint32_t d, std::optional<Winner> w, std::vector<std::uint32_t>& dirty) {
    static const std::vector<Ipv4Address> kNoHops;
    const bool fib_changes = !std::ranges::equal(next_hops(d), w ? w->hops : kNoHops);
    Dest& dest = dests_[d];
    if (dest.best != kNone) --best_count_;
    attrs_.release(dest.best);
    dest.best = kNone;
    if (dest.flags & kMultipath) multipath_.erase(d);
    dest.flags = 0;
    std::vector<Ipv4Address> new_hops;
    if (w) {
      ++best_count_;
      dest.best = w->attrs;
      dest.best_from = w->from;
      dest.decided_by = static_cast<std::uint8_t>(w->decided_by);
      if (w->external) dest.flags |= kBestExternal;
      if (w->hops.size() > 1) {
        dest.flags |= kMultipath;
        multipath_[d] = w->hops;
      }
      new_hops = std::move(w->hops);
    }
    if (fib_changes) pending_fib_.push_back(FibChange{prefix_of(dest.key), std::move(new_hops)});
    dirty.push_back(d);
  }

  // ---- Adj-RIB-Out ----

  // Re-runs outbound policy on `dirty` for every peer with a session (or only
  // `only`), and packs the differences into UPDATEs.
  void flush(std::vector<std::uint32_t>& dirty, RibOutput& out, std::optional<PeerIndex> only = std::nullopt,
             bool force = false) {
    // Handed over, capacity and all: a peer's whole table withdrawn at once fills
    // this with one change per prefix, and a clear() kept that capacity for good
    // (1M routes: +34 MB after the first flap, tests/faults/flaps_test.sh).
    if (out.fib.empty()) {
      out.fib = std::exchange(pending_fib_, {});
    } else {
      out.fib.insert(out.fib.end(), std::make_move_iterator(pending_fib_.begin()),
                     std::make_move_iterator(pending_fib_.end()));
      pending_fib_ = {};
    }
    std::sort(dirty.begin(), dirty.end());  // by id: only to drop repeats
    dirty.erase(std::unique(dirty.begin(), dirty.end()), dirty.end());
    for (PeerIndex pi = 0; pi < peers_.size(); ++pi) {
      if (only && pi != *only) continue;
      Peer& p = peers_[pi];
      if (!p.session) continue;
      std::vector<std::pair<Ipv4Prefix, AttrId>> changes;
      for (auto d : dirty) {
        AttrId want = outbound(pi, d);
        auto have = find_advert(d, pi);
        // Duplicate suppression: ARS counts every announcement (DESIGN.md)
        if (have != kNone && adverts_[have].attrs == want && !force) {
          attrs_.release(want);
          continue;
        }
        if (have == kNone && want == kNone) continue;
        changes.emplace_back(prefix_of(dests_[d].key), want);
        set_advert(d, pi, want);  // takes our reference; the advert keeps `want` alive
      }
      std::sort(changes.begin(), changes.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      pack(p, changes, out);
      if (p.advertised >= options_.outbound_warning && !p.warned_near_limit) {
        p.warned_near_limit = true;
        out.problems.push_back({RibProblemKind::OutboundNearLimit, p.config.address,
                                std::to_string(p.advertised) + " routes advertised to " +
                                    p.config.address.to_string() +
                                    ": Azure Route Server tears the session down above 1,000"});
      }
      if (p.advertised < options_.outbound_warning) p.warned_near_limit = false;
    }
    collect(dirty);
  }

  void pack(Peer& p, const std::vector<std::pair<Ipv4Prefix, AttrId>>& changes, RibOutput& out) {
    const CodecContext ctx = p.session->codec();
    // Sizes add up: header + the UPDATE without prefixes + 1 + ceil(len/8) per prefix
    // (RFC 4271 4.3), so each message is filled to at most 4096 octets in one pass.
    auto prefix_size = [](const Ipv4Prefix& x) { return std::size_t{1} + (x.length + 7u) / 8; };
    auto emit = [&](Update u, std::vector<Ipv4Prefix> Update::*field, const std::vector<Ipv4Prefix>& prefixes) {
      const std::size_t base = kHeaderLength + encode_update_body(u, ctx).size();
      std::size_t size = base;
      for (const auto& prefix : prefixes) {
        if (size + prefix_size(prefix) > kMaxMessageLength) {
          out.send.push_back({p.config.address, u});
          (u.*field).clear();
          size = base;
        }
        (u.*field).push_back(prefix);
        size += prefix_size(prefix);
      }
      if (!(u.*field).empty()) out.send.push_back({p.config.address, std::move(u)});
    };
    // Withdrawals first.
    std::vector<Ipv4Prefix> withdrawn;
    for (const auto& [prefix, attrs] : changes)
      if (attrs == kNone) withdrawn.push_back(prefix);
    emit(Update{}, &Update::withdrawn, withdrawn);
    // Announcements grouped by attribute set (interned: equal sets, equal ids), in
    // prefix order within a group, groups in order of first appearance.
    std::vector<std::pair<AttrId, std::vector<Ipv4Prefix>>> groups;
    absl::flat_hash_map<AttrId, std::size_t> group_of;
    for (const auto& [prefix, attrs] : changes) {
      if (attrs == kNone) continue;
      auto [it, added] = group_of.try_emplace(attrs, groups.size());
      if (added) groups.emplace_back(attrs, std::vector<Ipv4Prefix>{});
      groups[it->second].second.push_back(prefix);
    }
    for (const auto& [attrs, prefixes] : groups) {
      emit(Update{{}, attrs_[attrs], {}}, &Update::nlri, prefixes);
      p.announced += prefixes.size();
    }
  }

  RibOptions options_;
  PolicySet policy_;
  NextHopResolver resolver_;
  std::vector<Peer> peers_;
  std::map<Ipv4Address, PeerIndex> by_address_;
  std::map<Ipv4Prefix, std::optional<std::string>> local_;  // prefix -> network route-map

  AttributeTable attrs_;
  ChunkedVector<Dest> dests_;
  std::vector<std::uint32_t> free_dests_;
  DestIndex index_;  // prefix -> index into dests_
  Pool<Path> paths_;
  Pool<Advert> adverts_;
  absl::flat_hash_map<std::uint32_t, std::vector<Ipv4Address>> multipath_;  // ECMP next hops, when > 1
  std::size_t best_count_ = 0;
  std::uint32_t order_ = 0;  // acceptance order across all peers
  PolicyMemo inbound_memo_, outbound_memo_;
  std::vector<FibChange> pending_fib_;
};

// ---- Rib: the public face ----

Rib::Rib(RibOptions options, PolicySet policy, std::vector<RibPeer> peers, NextHopResolver resolver)
    : state_(std::make_unique<State>(options, std::move(policy), std::move(peers), std::move(resolver))) {}
Rib::~Rib() = default;
Rib::Rib(Rib&&) noexcept = default;
Rib& Rib::operator=(Rib&&) noexcept = default;

RibOutput Rib::peer_up(Ipv4Address peer, const Negotiated& negotiated, std::optional<Ipv4Address> local_address) {
  return state_->peer_up(peer, negotiated, local_address);
}
RibOutput Rib::peer_down(Ipv4Address peer) { return state_->peer_down(peer); }
RibOutput Rib::receive(Ipv4Address peer, const Update& update) { return state_->receive(peer, update); }
RibOutput Rib::route_refresh(Ipv4Address peer, const RouteRefresh& request) {
  return state_->route_refresh(peer, request);
}
RibOutput Rib::set_local_routes(std::vector<LocalRoute> routes) { return state_->set_local_routes(std::move(routes)); }
RibOutput Rib::next_hops_changed(std::span<const Ipv4Address> next_hops) {
  return state_->next_hops_changed(next_hops);
}
RibOutput Rib::replace_policy(PolicySet policy, std::vector<RibPeer> peers) {
  return state_->replace_policy(std::move(policy), std::move(peers));
}

std::optional<LocRibEntry> Rib::best(const Ipv4Prefix& prefix) const { return state_->best(prefix); }
std::size_t Rib::loc_rib_size() const { return state_->loc_rib_size(); }
void Rib::for_each_best(const LocRibVisitor& visit) const { state_->for_each_best(visit); }
void Rib::for_each_prefix_paths(const PathsVisitor& visit) const { state_->for_each_prefix_paths(visit); }
std::optional<RibPeerCounts> Rib::counts(Ipv4Address peer) const { return state_->counts(peer); }
AttrRef Rib::received(Ipv4Address peer, const Ipv4Prefix& prefix) const { return state_->received(peer, prefix); }
bool Rib::for_each_received(Ipv4Address peer, const RouteVisitor& visit) const {
  return state_->for_each_received(peer, visit);
}
AttrRef Rib::advertised(Ipv4Address peer, const Ipv4Prefix& prefix) const {
  return state_->advertised(peer, prefix);
}
bool Rib::for_each_advertised(Ipv4Address peer, const RouteVisitor& visit) const {
  return state_->for_each_advertised(peer, visit);
}

}  // namespace hairpin::bgpd
