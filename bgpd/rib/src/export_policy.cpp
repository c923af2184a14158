// The export rules, in FRR's order (export_policy.hpp lists them).

#include "hairpin/bgpd/rib/export_policy.hpp"

namespace hairpin::bgpd {

const char* to_string(ExportVerdict verdict) {
  switch (verdict) {
    case ExportVerdict::Advertise: return "advertise";
    case ExportVerdict::SplitHorizon: return "split horizon";
    case ExportVerdict::IbgpToIbgp: return "iBGP to iBGP";
    case ExportVerdict::NoOutboundPolicy: return "no outbound policy (RFC 8212)";
    case ExportVerdict::PrefixListDenied: return "prefix-list out denies";
    case ExportVerdict::RouteMapDenied: return "route-map out denies";
    case ExportVerdict::NoNextHop: return "no next hop";
  }
  return "?";
}

namespace {

void prepend(PathAttributes& attrs, std::uint32_t asn) {
  AsPath& path = attrs.as_path ? *attrs.as_path : attrs.as_path.emplace();  // in place: no copy per route
  if (path.segments.empty() || path.segments.front().type != SegmentType::AsSequence ||
      path.segments.front().asns.size() >= 255)
    path.segments.insert(path.segments.begin(), AsSegment{SegmentType::AsSequence, {}});
  path.segments.front().asns.insert(path.segments.front().asns.begin(), asn);
}

}  // namespace

ExportDecision export_route(const ExportInput& in) {
  // One object returned from every exit, so it is built in place in the caller's
  // (named return value), attributes included: this runs once per prefix when
  // the peer's outbound policy reads prefixes.
  ExportDecision out;
  auto stop = [&out](ExportVerdict verdict) {
    out.verdict = verdict;
    out.attributes.reset();
  };
  const ExportPeer& to = in.to;
  const bool local = in.source == BestSource::Local;
  if (split_horizon(in.source, in.from_this_peer)) {
    stop(ExportVerdict::SplitHorizon);
    return out;
  }
  if (!to.external && in.source == BestSource::Internal) {  // RFC 4271 9.2
    stop(ExportVerdict::IbgpToIbgp);
    return out;
  }
  // RFC 8212 as FRR does it: no outbound policy on an eBGP session, nothing advertised
  if (to.external && in.ebgp_requires_policy && !to.route_map_out && !to.prefix_list_out) {
    stop(ExportVerdict::NoOutboundPolicy);
    return out;
  }
  if (to.prefix_list_out) {
    auto pl = in.policy.prefix_lists.find(*to.prefix_list_out);
    // FRR: an undefined prefix-list on a neighbor denies
    if (pl == in.policy.prefix_lists.end() || pl->second.evaluate(in.prefix) == FilterAction::Deny) {
      stop(ExportVerdict::PrefixListDenied);
      return out;
    }
  }

  PathAttributes& attrs = out.attributes.emplace(in.best);  // built in place: no copy on the way out
  if (to.external) {
    if (!local) attrs.med.reset();  // RFC 4271 5.1.4: a peer's MED stays in our AS; ours is sent
  } else {
    attrs.local_pref = attrs.local_pref.value_or(in.default_local_pref);
  }
  if (to.route_map_out) {
    // Outbound, FRR's `set ip next-hop peer-address` means our end of the session.
    auto result = apply_route_map(in.policy, *to.route_map_out, in.prefix, attrs, PolicyContext{to.local_address});
    out.route_map_sets = result.applied;
    if (result.action == FilterAction::Deny) {
      stop(ExportVerdict::RouteMapDenied);
      return out;
    }
    attrs = std::move(result.attributes);
  }
  const bool next_hop_by_policy = out.route_map_sets.has(SetClause::NextHop);
  if (to.external) {
    attrs.local_pref.reset();  // RFC 4271 5.1.5: LOCAL_PREF is never sent to eBGP, route-map or not
    prepend(attrs, in.local_as);  // RFC 4271 5.1.2, after the route-map as in FRR
    // RFC 4271 5.1.3: towards an external peer the NEXT_HOP is our session address
    if (!next_hop_by_policy) attrs.next_hop = to.local_address;
  } else if (!next_hop_by_policy && (local || to.next_hop_self)) {
    // Our own routes carry 0.0.0.0 (or a `network` route-map's value) until sent;
    // next-hop-self: eBGP-learned routes go to iBGP peers with our address (FRR).
    attrs.next_hop = to.local_address;
  }
  attrs.origin = attrs.origin.value_or(Origin::Igp);
  // Never announce 0.0.0.0 as a next hop: the peer would treat it as withdrawn
  // (RFC 7606 7.3) or drop it; better not to announce until the address is known.
  if (!attrs.next_hop || attrs.next_hop->value == 0) stop(ExportVerdict::NoNextHop);
  return out;
}

}  // namespace hairpin::bgpd
