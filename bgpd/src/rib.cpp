// RIB processing: inbound policy -> Adj-RIB-In (post-policy) -> best path per
// prefix -> Loc-RIB and FIB changes -> outbound policy per peer -> Adj-RIB-Out
// diff -> packed UPDATEs. Every entry point collects the prefixes it touched and
// flushes them once, so one UPDATE in gives at most one round of UPDATEs out.

#include "hairpin/bgpd/rib.hpp"

#include <algorithm>

#include "hairpin/bgpd/message_codec.hpp"

namespace hairpin::bgpd {

namespace {
constexpr std::uint32_t kLocalWeight = 32768;  // FRR: weight of locally originated routes
using Dirty = std::map<Ipv4Address, std::vector<Ipv4Prefix>>;
}  // namespace

std::vector<Update> RibOutput::updates_for(Ipv4Address peer) const {
  std::vector<Update> out;
  for (const auto& o : send)
    if (o.peer == peer)
      if (const auto* u = std::get_if<Update>(&o.message)) out.push_back(*u);
  return out;
}

Rib::Rib(RibOptions options, PolicySet policy, std::vector<RibPeer> peers, NextHopResolver resolver)
    : options_(options), policy_(std::move(policy)), resolver_(std::move(resolver)) {
  for (auto& p : peers) peers_[p.address].config = p;
}

const std::map<Ipv4Prefix, AttrRef>* Rib::adj_rib_in(Ipv4Address peer) const {
  auto it = peers_.find(peer);
  return it == peers_.end() ? nullptr : &it->second.in;
}

const std::map<Ipv4Prefix, AttrRef>* Rib::adj_rib_out(Ipv4Address peer) const {
  auto it = peers_.find(peer);
  return it == peers_.end() ? nullptr : &it->second.out;
}

std::uint64_t Rib::announcements_sent(Ipv4Address peer) const {
  auto it = peers_.find(peer);
  return it == peers_.end() ? 0 : it->second.announced;
}

AttrRef Rib::share(PathAttributes attrs, AttrRef& last) {
  if (last && *last == attrs) return last;
  last = std::make_shared<const PathAttributes>(std::move(attrs));
  return last;
}

AttrRef Rib::inbound(const PeerState& p, const Ipv4Prefix& prefix, const AttrRef& attrs) {
  const AsPath path = attrs->as_path.value_or(AsPath{});
  // RFC 4271 9.1.2: a path that already contains our AS is a loop
  if (path.contains(options_.local_as)) return nullptr;
  if (external(p)) {
    // FRR enforce-first-as: an eBGP peer's path must start with its own AS
    if (options_.enforce_first_as && path.first_as() != p.config.peer_as) return nullptr;
    // RFC 8212 as FRR does it: no inbound policy on an eBGP session, nothing accepted
    if (options_.ebgp_requires_policy && !p.config.route_map_in && !p.config.prefix_list_in) return nullptr;
  }
  if (p.config.prefix_list_in) {
    auto it = policy_.prefix_lists.find(*p.config.prefix_list_in);
    // FRR: an undefined prefix-list on a neighbor denies
    if (it == policy_.prefix_lists.end() || it->second.evaluate(prefix) == FilterAction::Deny) return nullptr;
  }
  if (!p.config.route_map_in) return attrs;
  auto result = apply_route_map(policy_, *p.config.route_map_in, prefix, *attrs, PolicyContext{p.config.address});
  if (result.action == FilterAction::Deny) return nullptr;
  if (result.attributes == *attrs) return attrs;  // policy changed nothing: share the received copy
  return share(std::move(result.attributes), last_inbound_);
}

AttrRef Rib::outbound(const PeerState& to, const Ipv4Prefix& prefix) {
  auto it = loc_rib_.find(prefix);
  if (it == loc_rib_.end()) return nullptr;
  const LocRibEntry& e = it->second;
  if (e.from == to.config.address) return nullptr;  // FRR: never back to the sender
  bool to_external = external(to);
  bool from_internal = !e.local && !e.external;
  if (!to_external && from_internal) return nullptr;  // RFC 4271 9.2: no iBGP -> iBGP
  // RFC 8212: no outbound policy on an eBGP session, nothing advertised
  if (to_external && options_.ebgp_requires_policy && !to.config.route_map_out && !to.config.prefix_list_out)
    return nullptr;
  if (to.config.prefix_list_out) {
    auto pl = policy_.prefix_lists.find(*to.config.prefix_list_out);
    if (pl == policy_.prefix_lists.end() || pl->second.evaluate(prefix) == FilterAction::Deny) return nullptr;
  }
  PathAttributes attrs = *e.attributes;
  if (to_external) {
    // RFC 4271 5.1.4: MED is not passed on to other ASes; ours (local routes) is sent
    if (!e.local) attrs.med.reset();
    attrs.local_pref.reset();  // RFC 4271 5.1.5
  } else {
    attrs.local_pref = attrs.local_pref.value_or(options_.best_path.default_local_pref);
  }
  if (to.config.route_map_out) {
    auto result = apply_route_map(policy_, *to.config.route_map_out, prefix, attrs, PolicyContext{to.config.address});
    if (result.action == FilterAction::Deny) return nullptr;
    attrs = result.attributes;
  }
  if (to_external) {
    // RFC 4271 5.1.2: prepend our AS (after the outbound route-map, as FRR does)
    AsPath path = attrs.as_path.value_or(AsPath{});
    if (path.segments.empty() || path.segments.front().type != SegmentType::AsSequence ||
        path.segments.front().asns.size() >= 255)
      path.segments.insert(path.segments.begin(), AsSegment{SegmentType::AsSequence, {}});
    path.segments.front().asns.insert(path.segments.front().asns.begin(), options_.local_as);
    attrs.as_path = path;
    // RFC 4271 5.1.3: towards an external peer the NEXT_HOP is our session address
    // (a route-map `set ip next-hop` wins, as in FRR)
    bool set_by_policy = attrs.next_hop != e.attributes->next_hop;
    if (!set_by_policy) attrs.next_hop = to.config.local_address;
  } else if (e.local) {
    attrs.next_hop = to.config.local_address;
  }
  attrs.origin = attrs.origin.value_or(Origin::Igp);
  // Never announce 0.0.0.0 as a next hop: the peer would treat it as withdrawn
  // (RFC 7606 7.3) or drop it; better not to announce until the address is known.
  if (!attrs.next_hop || attrs.next_hop->value == 0) return nullptr;
  return share(std::move(attrs), last_outbound_);
}

void Rib::install(const Ipv4Prefix& prefix, std::optional<LocRibEntry> entry, RibOutput& out, Dirty& dirty) {
  auto old = loc_rib_.find(prefix);
  std::vector<Ipv4Address> old_hops = old == loc_rib_.end() ? std::vector<Ipv4Address>{} : old->second.next_hops;
  std::vector<Ipv4Address> new_hops = entry ? entry->next_hops : std::vector<Ipv4Address>{};
  if (entry) loc_rib_[prefix] = std::move(*entry);
  else if (old != loc_rib_.end()) loc_rib_.erase(old);
  if (new_hops != old_hops) out.fib.push_back(FibChange{prefix, std::move(new_hops)});
  for (auto& [address, p] : peers_)
    if (p.session) dirty[address].push_back(prefix);
}

void Rib::recompute(const Ipv4Prefix& prefix, RibOutput& out, Dirty& dirty) {
  // Fast path, the common case of a full table from one peer: with at most one
  // candidate there is nothing to compare, so no candidate copies are made.
  // Same result as the general path (OnlyCandidate, one next hop).
  if (!local_.count(prefix)) {
    int count = 0;
    const PeerState* only = nullptr;
    AttrRef attrs;
    for (const auto& [address, p] : peers_) {
      auto it = p.accepted.find(prefix);
      if (it == p.accepted.end()) continue;
      if (++count > 1) break;
      only = &p;
      attrs = it->second;
    }
    if (count == 0) return install(prefix, std::nullopt, out, dirty);
    if (count == 1) {
      if (!attrs->next_hop || !resolver_(*attrs->next_hop)) return install(prefix, std::nullopt, out, dirty);
      LocRibEntry e;
      e.attributes = attrs;
      e.external = external(*only);
      e.from = only->config.address;
      e.decided_by = BestPathStep::OnlyCandidate;
      e.next_hops = {*attrs->next_hop};
      return install(prefix, std::move(e), out, dirty);
    }
  }
  std::vector<PathCandidate> candidates;
  std::vector<Ipv4Address> from;
  if (auto local = local_.find(prefix); local != local_.end()) {
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
      from.push_back(Ipv4Address{});
    }
  }
  for (const auto& [address, p] : peers_) {
    auto it = p.accepted.find(prefix);
    if (it == p.accepted.end()) continue;
    PathCandidate c;
    c.attributes = *it->second;
    c.peer_address = address;
    c.peer_router_id = p.session ? p.session->peer_router_id : address;
    c.peer_as = p.config.peer_as;
    c.external = external(p);
    c.next_hop_resolvable = it->second->next_hop && resolver_(*it->second->next_hop);
    c.received_order = p.received_order.at(prefix);
    candidates.push_back(c);
    from.push_back(address);
  }

  auto best = select_best_path(candidates, options_.best_path);
  if (!best) return install(prefix, std::nullopt, out, dirty);
  {
    LocRibEntry e;
    const PathCandidate& winner = candidates[best->index];
    e.from = from[best->index];
    e.local = winner.local;
    e.external = winner.external;
    e.weight = winner.weight;
    if (winner.local) {
      e.attributes = share(winner.attributes, last_local_);
    } else {
      e.attributes = peers_.at(e.from).accepted.at(prefix);  // shared, not copied
    }
    e.decided_by = best->decided_by;
    for (auto i : select_multipath(candidates, *best, options_.best_path, options_.maximum_paths)) {
      if (candidates[i].local) continue;  // local routes are not forwarded by BGP
      auto nh = *candidates[i].attributes.next_hop;
      if (std::find(e.next_hops.begin(), e.next_hops.end(), nh) == e.next_hops.end()) e.next_hops.push_back(nh);
    }
    install(prefix, std::move(e), out, dirty);
  }
}

void Rib::flush(Dirty& dirty, RibOutput& out, bool force) {
  for (auto& [address, prefixes] : dirty) {
    auto& p = peers_.at(address);
    if (!p.session) continue;
    std::sort(prefixes.begin(), prefixes.end());
    prefixes.erase(std::unique(prefixes.begin(), prefixes.end()), prefixes.end());
    std::vector<std::pair<Ipv4Prefix, AttrRef>> changes;
    for (const auto& prefix : prefixes) {
      auto want = outbound(p, prefix);
      auto have = p.out.find(prefix);
      bool had = have != p.out.end();
      if (!want) {
        if (had) {
          p.out.erase(have);
          changes.emplace_back(prefix, nullptr);
        }
        continue;
      }
      // Duplicate suppression: ARS counts every announcement (DESIGN.md)
      if (had && (have->second == want || *have->second == *want) && !force) continue;
      p.out[prefix] = want;
      changes.emplace_back(prefix, want);
    }
    pack(p, changes, out);
    if (p.out.size() >= options_.outbound_warning && !p.warned_near_limit) {
      p.warned_near_limit = true;
      out.problems.push_back({RibProblemKind::OutboundNearLimit, address,
                              std::to_string(p.out.size()) + " routes advertised to " + address.to_string() +
                                  ": Azure Route Server tears the session down above 1,000"});
    }
    if (p.out.size() < options_.outbound_warning) p.warned_near_limit = false;
  }
  dirty.clear();
}

void Rib::pack(PeerState& p, const std::vector<std::pair<Ipv4Prefix, AttrRef>>& changes,
               RibOutput& out) {
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
    if (!(u.*field).empty()) out.send.push_back({p.config.address, u});
  };
  // Withdrawals first.
  std::vector<Ipv4Prefix> withdrawn;
  for (const auto& [prefix, attrs] : changes)
    if (!attrs) withdrawn.push_back(prefix);
  emit(Update{}, &Update::withdrawn, withdrawn);
  // Announcements grouped by identical attributes, in prefix order within a group.
  std::vector<std::pair<AttrRef, std::vector<Ipv4Prefix>>> groups;
  for (const auto& [prefix, attrs] : changes) {
    if (!attrs) continue;
    auto g = std::find_if(groups.begin(), groups.end(),
                          [&](const auto& x) { return x.first == attrs || *x.first == *attrs; });
    if (g == groups.end()) {
      groups.emplace_back(attrs, std::vector<Ipv4Prefix>{});
      g = groups.end() - 1;
    }
    g->second.push_back(prefix);
  }
  for (const auto& [attrs, prefixes] : groups) {
    emit(Update{{}, *attrs, {}}, &Update::nlri, prefixes);
    p.announced += prefixes.size();
  }
}

void Rib::accept(PeerState& p, const Ipv4Prefix& prefix, RibOutput& out, Dirty& dirty) {
  auto in = p.in.find(prefix);
  AttrRef post = in == p.in.end() ? nullptr : inbound(p, prefix, in->second);
  auto had = p.accepted.find(prefix);
  if (!post) {
    if (had == p.accepted.end()) return;
    p.accepted.erase(had);
    p.received_order.erase(prefix);
  } else {
    if (had != p.accepted.end() && (had->second == post || *had->second == *post)) return;
    if (had == p.accepted.end()) p.received_order[prefix] = ++received_counter_;
    p.accepted[prefix] = post;
  }
  recompute(prefix, out, dirty);
}

RibOutput Rib::peer_up(Ipv4Address peer, const Negotiated& negotiated, std::optional<Ipv4Address> local_address) {
  RibOutput out;
  auto it = peers_.find(peer);
  if (it == peers_.end()) return out;
  auto& p = it->second;
  p.session = negotiated;
  if (local_address) p.config.local_address = *local_address;
  p.out.clear();
  p.announced = 0;
  Dirty dirty;
  for (const auto& [prefix, entry] : loc_rib_) dirty[peer].push_back(prefix);
  flush(dirty, out);
  // RFC 4724 2: End-of-RIB after the initial table, recommended even without GR
  out.send.push_back({peer, Update{}});
  return out;
}

RibOutput Rib::peer_down(Ipv4Address peer) {
  RibOutput out;
  auto it = peers_.find(peer);
  if (it == peers_.end()) return out;
  auto& p = it->second;
  p.session.reset();
  p.out.clear();
  p.in.clear();
  p.stale.clear();
  p.refreshing = false;
  std::vector<Ipv4Prefix> gone;
  for (const auto& [prefix, attrs] : p.accepted) gone.push_back(prefix);
  p.accepted.clear();
  p.received_order.clear();
  Dirty dirty;
  for (const auto& prefix : gone) recompute(prefix, out, dirty);
  flush(dirty, out);
  return out;
}

RibOutput Rib::receive(Ipv4Address peer, const Update& update) {
  RibOutput out;
  auto it = peers_.find(peer);
  if (it == peers_.end() || !it->second.session) return out;
  auto& p = it->second;
  Dirty dirty;
  std::vector<Ipv4Prefix> withdrawn = update.withdrawn;
  if (update.attributes.mp_unreach)
    withdrawn.insert(withdrawn.end(), update.attributes.mp_unreach->withdrawn.begin(),
                     update.attributes.mp_unreach->withdrawn.end());
  for (const auto& prefix : withdrawn) {
    p.stale.erase(prefix);
    p.in.erase(prefix);
    accept(p, prefix, out, dirty);
  }
  PathAttributes attrs = update.attributes;
  std::vector<Ipv4Prefix> nlri = update.nlri;
  if (attrs.mp_reach) {
    nlri.insert(nlri.end(), attrs.mp_reach->nlri.begin(), attrs.mp_reach->nlri.end());
    if (!attrs.next_hop) attrs.next_hop = attrs.mp_reach->next_hop;
  }
  attrs.mp_reach.reset();
  attrs.mp_unreach.reset();
  const AttrRef shared = std::make_shared<const PathAttributes>(std::move(attrs));
  for (const auto& prefix : nlri) {
    p.stale.erase(prefix);
    p.in[prefix] = shared;
    accept(p, prefix, out, dirty);
  }
  flush(dirty, out);
  if (p.config.maximum_prefix && p.accepted.size() > *p.config.maximum_prefix)
    out.problems.push_back({RibProblemKind::MaximumPrefixExceeded, peer,
                            peer.to_string() + " sent " + std::to_string(p.accepted.size()) +
                                " prefixes, maximum-prefix is " + std::to_string(*p.config.maximum_prefix)});
  return out;
}

RibOutput Rib::route_refresh(Ipv4Address peer, const RouteRefresh& request) {
  RibOutput out;
  auto it = peers_.find(peer);
  if (it == peers_.end() || !it->second.session) return out;
  if (request.afi_safi != AfiSafi{}) return out;
  auto& p = it->second;
  if (request.subtype == RouteRefreshSubtype::BeginningOfRouteRefresh) {
    // RFC 7313 4.2: the peer re-sends its table; what it does not repeat before
    // EoRR is stale and goes away then.
    p.stale.clear();
    for (const auto& [prefix, attrs] : p.in) p.stale.insert(prefix);
    p.refreshing = true;
    return out;
  }
  if (request.subtype == RouteRefreshSubtype::EndOfRouteRefresh) {
    if (!p.refreshing) return out;
    p.refreshing = false;
    Dirty dirty;
    for (const auto& prefix : p.stale) {
      p.in.erase(prefix);
      accept(p, prefix, out, dirty);
    }
    p.stale.clear();
    flush(dirty, out);
    return out;
  }
  if (request.subtype != RouteRefreshSubtype::Normal) return out;
  // RFC 2918 4: re-send the whole Adj-RIB-Out; RFC 7313 4: wrapped in BoRR/EoRR
  // when the peer supports enhanced route refresh.
  bool enhanced = p.session->enhanced_route_refresh;
  if (enhanced) out.send.push_back({peer, RouteRefresh{AfiSafi{}, RouteRefreshSubtype::BeginningOfRouteRefresh}});
  Dirty dirty;
  for (const auto& [prefix, entry] : loc_rib_) dirty[peer].push_back(prefix);
  flush(dirty, out, /*force=*/true);
  if (enhanced) out.send.push_back({peer, RouteRefresh{AfiSafi{}, RouteRefreshSubtype::EndOfRouteRefresh}});
  return out;
}

RibOutput Rib::set_local_routes(std::vector<LocalRoute> routes) {
  RibOutput out;
  std::vector<Ipv4Prefix> touched;
  for (const auto& [prefix, map] : local_) touched.push_back(prefix);
  local_.clear();
  for (const auto& r : routes) {
    touched.push_back(r.prefix);
    local_[r.prefix] = r.route_map;
  }
  Dirty dirty;
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  for (const auto& prefix : touched) recompute(prefix, out, dirty);
  flush(dirty, out);
  return out;
}

RibOutput Rib::replace_policy(PolicySet policy, std::vector<RibPeer> peers) {
  RibOutput out;
  policy_ = std::move(policy);
  for (auto& cfg : peers) {
    auto it = peers_.find(cfg.address);
    if (it == peers_.end()) {
      peers_[cfg.address].config = cfg;
      continue;
    }
    // Our end of a live session is learned from the socket, not the config.
    Ipv4Address local = it->second.config.local_address;
    it->second.config = cfg;
    if (it->second.session && cfg.local_address == Ipv4Address{}) it->second.config.local_address = local;
  }
  Dirty dirty;
  for (auto& [address, p] : peers_) {
    std::vector<Ipv4Prefix> prefixes;
    for (const auto& [prefix, attrs] : p.in) prefixes.push_back(prefix);
    for (const auto& [prefix, attrs] : p.accepted) prefixes.push_back(prefix);
    for (const auto& prefix : prefixes) accept(p, prefix, out, dirty);
  }
  // Outbound policy may have changed too: every Loc-RIB prefix, every peer.
  for (auto& [address, p] : peers_) {
    if (!p.session) continue;
    for (const auto& [prefix, e] : loc_rib_) dirty[address].push_back(prefix);
    for (const auto& [prefix, attrs] : p.out) dirty[address].push_back(prefix);
  }
  flush(dirty, out);
  return out;
}

}  // namespace hairpin::bgpd
