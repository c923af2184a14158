// The decision process: one function, the RFC 4271 9.1 steps as numbered
// comments, each step keeping only the candidates that are best at it.

#include "hairpin/bgpd/rib/best_path.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <vector>

namespace hairpin::bgpd {

const char* to_string(BestPathStep step) {
  switch (step) {
    case BestPathStep::OnlyCandidate: return "only candidate";
    case BestPathStep::Weight: return "weight";
    case BestPathStep::LocalPreference: return "local preference";
    case BestPathStep::LocalRoute: return "locally originated";
    case BestPathStep::AsPathLength: return "AS path length";
    case BestPathStep::Origin: return "origin";
    case BestPathStep::Med: return "MED";
    case BestPathStep::ExternalOverInternal: return "eBGP over iBGP";
    case BestPathStep::IgpMetric: return "IGP metric";
    case BestPathStep::OldestExternal: return "older eBGP path";
    case BestPathStep::RouterId: return "router ID";
    case BestPathStep::PeerAddress: return "peer address";
  }
  return "?";
}

std::optional<BestPath> select_best_path(std::span<const PathCandidate> candidates, const BestPathOptions& opt) {
  std::vector<std::size_t> set;
  // RFC 4271 9.1.2: routes whose NEXT_HOP cannot be resolved are excluded
  for (std::size_t i = 0; i < candidates.size(); ++i)
    if (candidates[i].next_hop_resolvable) set.push_back(i);
  if (set.empty()) return std::nullopt;
  if (set.size() == 1) return BestPath{set[0], BestPathStep::OnlyCandidate};

  // Keep the candidates with the smallest key; report the step if it decided.
  std::optional<BestPath> decided;
  auto keep_min = [&](BestPathStep step, const std::function<std::uint64_t(const PathCandidate&)>& key) {
    if (decided) return;
    std::uint64_t best = UINT64_MAX;
    for (auto i : set) best = std::min(best, key(candidates[i]));
    std::erase_if(set, [&](std::size_t i) { return key(candidates[i]) != best; });
    if (set.size() == 1) decided = BestPath{set[0], step};
  };
  auto local_pref = [&](const PathCandidate& c) {
    return std::uint64_t{c.attributes.local_pref.value_or(opt.default_local_pref)};
  };
  auto med = [&](const PathCandidate& c) -> std::uint64_t {
    // RFC 4271 9.1.2.2 c: a missing MED is the lowest value (FRR option: the worst)
    return c.attributes.med ? *c.attributes.med : (opt.med_missing_as_worst ? UINT32_MAX : 0);
  };
  auto neighbour_as = [&](const PathCandidate& c) -> std::uint32_t {
    // RFC 4271 9.1.2.2 c: the neighbouring AS is the first AS of the AS_PATH
    if (c.local || !c.attributes.as_path) return 0;
    return c.attributes.as_path->first_as().value_or(0);
  };

  // 0. (FRR) highest weight
  keep_min(BestPathStep::Weight, [](const PathCandidate& c) { return UINT32_MAX - std::uint64_t{c.weight}; });
  // 1. RFC 4271 9.1.2 / 9.1.1: highest degree of preference (LOCAL_PREF)
  keep_min(BestPathStep::LocalPreference, [&](const PathCandidate& c) { return UINT32_MAX - local_pref(c); });
  // 2. (FRR) locally originated routes over learned ones
  keep_min(BestPathStep::LocalRoute, [](const PathCandidate& c) { return c.local ? 0 : 1; });
  // 3. RFC 4271 9.1.2.2 a: shortest AS_PATH (AS_SET counts 1)
  keep_min(BestPathStep::AsPathLength, [](const PathCandidate& c) {
    return c.attributes.as_path ? c.attributes.as_path->path_length() : 0;
  });
  // 4. RFC 4271 9.1.2.2 b: lowest ORIGIN (IGP < EGP < INCOMPLETE)
  keep_min(BestPathStep::Origin, [](const PathCandidate& c) {
    return static_cast<std::uint64_t>(c.attributes.origin.value_or(Origin::Incomplete));
  });
  // 5. RFC 4271 9.1.2.2 c: lowest MED among paths from the same neighbouring AS
  if (!decided) {
    if (opt.always_compare_med) {
      keep_min(BestPathStep::Med, med);
    } else {
      std::map<std::uint32_t, std::uint64_t> lowest;  // neighbour AS -> lowest MED
      for (auto i : set) {
        auto as = neighbour_as(candidates[i]);
        auto it = lowest.find(as);
        if (it == lowest.end() || med(candidates[i]) < it->second) lowest[as] = med(candidates[i]);
      }
      std::erase_if(set, [&](std::size_t i) { return med(candidates[i]) != lowest[neighbour_as(candidates[i])]; });
      if (set.size() == 1) decided = BestPath{set[0], BestPathStep::Med};
    }
  }
  // 6. RFC 4271 9.1.2.2 d: eBGP-learned over iBGP-learned
  keep_min(BestPathStep::ExternalOverInternal, [](const PathCandidate& c) { return c.external ? 0 : 1; });
  // 7. RFC 4271 9.1.2.2 e: lowest interior cost to the NEXT_HOP
  keep_min(BestPathStep::IgpMetric, [](const PathCandidate& c) { return std::uint64_t{c.igp_metric}; });
  // 8. (FRR) when all remaining paths are external, keep the one received first;
  //    skipped with compare-routerid. Minimises churn between equal ARS paths.
  if (!decided && !opt.compare_router_id &&
      std::all_of(set.begin(), set.end(), [&](std::size_t i) { return candidates[i].external; }))
    keep_min(BestPathStep::OldestExternal, [](const PathCandidate& c) { return c.received_order; });
  // 9. RFC 4271 9.1.2.2 f: lowest BGP Identifier
  keep_min(BestPathStep::RouterId, [](const PathCandidate& c) { return std::uint64_t{c.peer_router_id.value}; });
  // 10. RFC 4271 9.1.2.2 g: lowest peer address
  keep_min(BestPathStep::PeerAddress, [](const PathCandidate& c) { return std::uint64_t{c.peer_address.value}; });

  if (decided) return decided;
  // Identical in every respect (the same path twice): the lowest index, stable.
  return BestPath{*std::min_element(set.begin(), set.end()), BestPathStep::PeerAddress};
}

std::vector<std::size_t> select_multipath(std::span<const PathCandidate> candidates, const BestPath& best,
                                          const BestPathOptions& opt, std::size_t maximum_paths) {
  const PathCandidate& b = candidates[best.index];
  auto same = [&](const PathCandidate& c) {
    return c.next_hop_resolvable && c.weight == b.weight &&
           c.attributes.local_pref.value_or(opt.default_local_pref) ==
               b.attributes.local_pref.value_or(opt.default_local_pref) &&
           c.local == b.local && c.attributes.as_path == b.attributes.as_path &&
           c.attributes.origin == b.attributes.origin && c.attributes.med == b.attributes.med &&
           c.external == b.external && c.igp_metric == b.igp_metric;
  };
  std::vector<std::size_t> others;
  for (std::size_t i = 0; i < candidates.size(); ++i)
    if (i != best.index && same(candidates[i])) others.push_back(i);
  std::sort(others.begin(), others.end(), [&](std::size_t x, std::size_t y) {
    return candidates[x].peer_address.value < candidates[y].peer_address.value;
  });
  std::vector<std::size_t> out{best.index};
  for (auto i : others) {
    if (out.size() >= maximum_paths) break;
    out.push_back(i);
  }
  return out;
}

}  // namespace hairpin::bgpd
