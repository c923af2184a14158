// `bgp community-list` standard and expanded (FRR bgpd/bgp_clist.c), and the
// community text form FRR prints and parses (bgpd/bgp_community.c).

#include <algorithm>
#include <charconv>

#include "hairpin/bgpd/policy/policy.hpp"

namespace hairpin::bgpd {

namespace {
struct WellKnown {
  std::uint32_t value;
  const char* name;
};
// RFC 1997 2, RFC 8326 (graceful-shutdown), RFC 7999 (blackhole), RFC 3765 (no-peer)
constexpr WellKnown kWellKnown[] = {
    {0xFFFFFF01u, "no-export"},   {0xFFFFFF02u, "no-advertise"}, {0xFFFFFF03u, "local-AS"},
    {0xFFFFFF04u, "no-peer"},     {0xFFFF0000u, "graceful-shutdown"},
    {0xFFFF029Au, "blackhole"},
};
}  // namespace

std::string community_to_string(std::uint32_t c) {
  for (const auto& wk : kWellKnown)
    if (wk.value == c) return wk.name;
  return std::to_string(c >> 16) + ":" + std::to_string(c & 0xffff);
}

std::optional<std::uint32_t> parse_community(const std::string& text) {
  for (const auto& wk : kWellKnown)
    if (text == wk.name) return wk.value;
  if (text == "local-as") return 0xFFFFFF03u;
  auto colon = text.find(':');
  if (colon == std::string::npos) return std::nullopt;
  unsigned hi = 0, lo = 0;
  auto [p1, e1] = std::from_chars(text.data(), text.data() + colon, hi);
  auto [p2, e2] = std::from_chars(text.data() + colon + 1, text.data() + text.size(), lo);
  if (e1 != std::errc{} || e2 != std::errc{} || p1 != text.data() + colon ||
      p2 != text.data() + text.size() || colon == 0 || hi > 0xffff || lo > 0xffff)
    return std::nullopt;
  return hi << 16 | lo;
}

std::string communities_to_string(const std::vector<std::uint32_t>& communities) {
  std::string out;
  for (auto c : communities) {
    if (!out.empty()) out += ' ';
    out += community_to_string(c);
  }
  return out;
}

bool CommunityList::matches(const std::vector<std::uint32_t>& communities, bool exact) const {
  auto has = [&](std::uint32_t c) {
    return std::find(communities.begin(), communities.end(), c) != communities.end();
  };
  const std::string text = communities_to_string(communities);
  for (const auto& entry : entries) {
    bool hit;
    if (entry.regex) {
      hit = entry.regex->matches(text);
    } else if (exact) {
      // FRR community_list_exact_match: the route's set equals the entry's set
      hit = std::all_of(entry.communities.begin(), entry.communities.end(), has) &&
            std::all_of(communities.begin(), communities.end(), [&](std::uint32_t c) {
              return std::find(entry.communities.begin(), entry.communities.end(), c) !=
                     entry.communities.end();
            });
    } else {
      // FRR community_match: every community of the entry is on the route
      hit = !communities.empty() && std::all_of(entry.communities.begin(), entry.communities.end(), has);
    }
    if (hit) return entry.action == FilterAction::Permit;
  }
  return false;
}

}  // namespace hairpin::bgpd
