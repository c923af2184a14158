// Route-map evaluation, following FRR's lib/routemap.c route_map_apply_ext:
//
//   ret starts as permit; for each entry in seq order:
//     no match            -> ret = deny, try the next entry
//     match, deny entry   -> deny, stop
//     match, permit entry -> ret = permit, run `set`s, then `call` (a deny there
//                            stops with deny; an undefined target is skipped),
//                            then on-match: exit (stop), next (continue),
//                            goto N (continue at the first entry with seq >= N)
//   falling off the end returns ret: deny unless the last decision was a permit.
// Undefined or empty route-maps deny; `call` deeper than 10 levels denies.

#include <algorithm>

#include "hairpin/bgpd/policy/policy.hpp"

namespace hairpin::bgpd {

namespace {

constexpr int kRecursionLimit = 10;  // FRR RMAP_RECURSION_LIMIT

bool match_one(const PolicySet& policy, const RouteMapMatch& match, const Ipv4Prefix& prefix,
               const PathAttributes& attrs) {
  return std::visit(
      [&](const auto& m) -> bool {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, MatchAsPath>) {
          auto it = policy.as_path_lists.find(m.list);
          if (it == policy.as_path_lists.end()) return false;  // undefined list: no match
          return it->second.evaluate(attrs.as_path.value_or(AsPath{})) == FilterAction::Permit;
        } else if constexpr (std::is_same_v<T, MatchPrefixList>) {
          auto it = policy.prefix_lists.find(m.list);
          if (it == policy.prefix_lists.end()) return false;
          return it->second.evaluate(prefix) == FilterAction::Permit;
        } else {
          auto it = policy.community_lists.find(m.list);
          if (it == policy.community_lists.end()) return false;
          return it->second.matches(attrs.communities, m.exact);
        }
      },
      match);
}

std::uint32_t adjust(std::uint32_t current, std::uint32_t value, int sign) {
  if (sign > 0) return current > UINT32_MAX - value ? UINT32_MAX : current + value;
  if (sign < 0) return current < value ? 0 : current - value;
  return value;
}

void apply_set(const RouteMapSet& set, PathAttributes& attrs, const PolicyContext& ctx, SetClauses& applied) {
  std::visit(
      [&](const auto& s) {
        using T = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<T, SetAsPathPrepend>) {
          applied.add(SetClause::AsPathPrepend);
          AsPath path = attrs.as_path.value_or(AsPath{});
          if (path.segments.empty() || path.segments.front().type != SegmentType::AsSequence)
            path.segments.insert(path.segments.begin(), AsSegment{SegmentType::AsSequence, {}});
          auto& front = path.segments.front().asns;
          front.insert(front.begin(), s.asns.begin(), s.asns.end());
          attrs.as_path = std::move(path);
        } else if constexpr (std::is_same_v<T, SetLocalPreference>) {
          applied.add(SetClause::LocalPreference);
          // FRR: relative forms start from the current value, or the default 100
          attrs.local_pref = adjust(attrs.local_pref.value_or(100), s.value, s.sign);
        } else if constexpr (std::is_same_v<T, SetMetric>) {
          applied.add(SetClause::Metric);
          attrs.med = adjust(attrs.med.value_or(0), s.value, s.sign);
        } else if constexpr (std::is_same_v<T, SetCommunity>) {
          applied.add(SetClause::Community);
          if (s.none) {
            attrs.communities.clear();
            return;
          }
          std::vector<std::uint32_t> out = s.additive ? attrs.communities : std::vector<std::uint32_t>{};
          out.insert(out.end(), s.communities.begin(), s.communities.end());
          // FRR keeps communities sorted and unique (community_uniq_sort)
          std::sort(out.begin(), out.end());
          out.erase(std::unique(out.begin(), out.end()), out.end());
          attrs.communities = std::move(out);
        } else {
          applied.add(SetClause::NextHop);
          attrs.next_hop = s.peer_address ? ctx.peer_address : *s.address;
        }
      },
      set);
}

FilterAction apply(const PolicySet& policy, const std::string& name, const Ipv4Prefix& prefix,
                   PathAttributes& attrs, const PolicyContext& ctx, SetClauses& applied, int depth) {
  if (depth > kRecursionLimit) return FilterAction::Deny;
  auto it = policy.route_maps.find(name);
  if (it == policy.route_maps.end() || it->second.entries.empty()) return FilterAction::Deny;
  const auto& entries = it->second.entries;

  FilterAction ret = FilterAction::Permit;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& entry = entries[i];
    bool matched = std::all_of(entry.matches.begin(), entry.matches.end(),
                               [&](const RouteMapMatch& m) { return match_one(policy, m, prefix, attrs); });
    if (!matched) {
      ret = FilterAction::Deny;
      continue;
    }
    if (entry.action == FilterAction::Deny) return FilterAction::Deny;
    ret = FilterAction::Permit;
    for (const auto& set : entry.sets) apply_set(set, attrs, ctx, applied);
    if (entry.call && policy.route_maps.count(*entry.call)) {
      ret = apply(policy, *entry.call, prefix, attrs, ctx, applied, depth + 1);
      if (ret == FilterAction::Deny) return FilterAction::Deny;
    }
    switch (entry.exit_policy) {
      case ExitPolicy::Exit: return ret;
      case ExitPolicy::Next: continue;
      case ExitPolicy::Goto: {
        std::size_t j = i + 1;
        while (j < entries.size() && entries[j].seq < entry.goto_seq) ++j;
        if (j == entries.size()) return ret;  // nothing at or after the target
        i = j - 1;  // the loop's ++i lands on entry j
        continue;
      }
    }
  }
  return ret;
}

}  // namespace

PolicyResult apply_route_map(const PolicySet& policy, const std::string& name, const Ipv4Prefix& prefix,
                             const PathAttributes& attributes, const PolicyContext& context) {
  PolicyResult result;
  result.attributes = attributes;
  result.action = apply(policy, name, prefix, result.attributes, context, result.applied, 0);
  return result;
}

std::string to_string(SetClauses clauses) {
  static constexpr std::pair<SetClause, const char*> kNames[] = {
      {SetClause::AsPathPrepend, "as-path-prepend"}, {SetClause::LocalPreference, "local-preference"},
      {SetClause::Metric, "metric"}, {SetClause::Community, "community"}, {SetClause::NextHop, "next-hop"}};
  std::string out;
  for (const auto& [clause, name] : kNames)
    if (clauses.has(clause)) out += (out.empty() ? "" : " ") + std::string(name);
  return out.empty() ? "none" : out;
}

namespace {
bool reads_prefix(const PolicySet& policy, const std::string& name, int depth) {
  // Past the recursion limit the map denies whatever the prefix.
  if (depth > kRecursionLimit) return false;
  auto it = policy.route_maps.find(name);
  if (it == policy.route_maps.end()) return false;
  for (const auto& entry : it->second.entries) {
    for (const auto& match : entry.matches)
      if (std::holds_alternative<MatchPrefixList>(match)) return true;
    if (entry.call && reads_prefix(policy, *entry.call, depth + 1)) return true;
  }
  return false;
}
}  // namespace

bool route_map_reads_prefix(const PolicySet& policy, const std::string& name) {
  return reads_prefix(policy, name, 0);
}

}  // namespace hairpin::bgpd
