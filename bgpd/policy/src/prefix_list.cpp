// `ip prefix-list` with FRR's matching rules (lib/plist.c).

#include "hairpin/bgpd/policy/policy.hpp"

namespace hairpin::bgpd {

bool PrefixListEntry::matches(const Ipv4Prefix& route) const {
  if (!prefix.contains(route)) return false;
  if (!ge && !le) return route.length == prefix.length;  // exact length
  std::uint8_t low = ge.value_or(prefix.length);
  std::uint8_t high = le.value_or(32);  // ge without le: up to /32
  return route.length >= low && route.length <= high;
}

FilterAction PrefixList::evaluate(const Ipv4Prefix& route) const {
  if (entries.empty()) return FilterAction::Permit;  // FRR prefix_list_apply: empty list permits
  for (const auto& entry : entries)
    if (entry.matches(route)) return entry.action;
  return FilterAction::Deny;  // implicit deny
}

}  // namespace hairpin::bgpd
