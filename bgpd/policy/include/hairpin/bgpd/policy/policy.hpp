#pragma once
// Routing policy with FRR's semantics: as-path access-lists, prefix-lists,
// community-lists and route-maps, evaluated as pure functions over codec values.
//
// In:  a PolicySet (built by the config parser, config.hpp), a route (prefix +
//      PathAttributes) and the peer it came from or goes to.
// Out: permit/deny, the attributes after the route-map's `set` clauses, and which
//      kinds of `set` clause ran (SetClauses), so a caller never has to guess
//      from the values whether a route-map changed something.
// Callers: the RIB (inbound policy before Adj-RIB-In -> Loc-RIB, outbound before
//      Adj-RIB-Out), `hairpin nva --check`, the differential tests against FRR.
//
// Where FRR's behaviour is surprising it is copied on purpose and the test names
// say so: first match wins, no match denies, an undefined list never matches, an
// undefined route-map denies, an empty prefix-list permits.

#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "hairpin/bgpd/wire/wire_types.hpp"
#include "hairpin/common/result.hpp"

namespace hairpin::bgpd {

enum class FilterAction { Permit, Deny };
const char* to_string(FilterAction action);

// ---- bgp as-path access-list -------------------------------------------------

// FRR's BGP regex (AS paths, expanded community-lists): `_` stands for a delimiter, start or end of the path, as
// FRR's bgp_regcomp expands it to "(^|[,{}() ]|$)"; the rest is POSIX extended.
// Matched against AsPath::to_string(), the same text FRR matches.
class BgpRegex {
 public:
  static Result<BgpRegex> compile(const std::string& pattern);
  bool matches(const std::string& path_text) const;
  const std::string& pattern() const { return pattern_; }

 private:
  std::string pattern_;
  std::shared_ptr<const void> compiled_;  // regex_t, freed with regfree
};

struct AsPathAccessListEntry {
  std::uint32_t seq = 0;
  FilterAction action = FilterAction::Permit;
  BgpRegex regex;
};

struct AsPathAccessList {
  std::string name;
  std::vector<AsPathAccessListEntry> entries;  // ascending seq
  // First matching entry's action; no match denies (FRR as_list_apply).
  FilterAction evaluate(const AsPath& path) const;
};

// ---- ip prefix-list ------------------------------------------------------------

struct PrefixListEntry {
  std::uint32_t seq = 0;
  FilterAction action = FilterAction::Permit;
  Ipv4Prefix prefix;
  std::optional<std::uint8_t> ge;
  std::optional<std::uint8_t> le;
  // Without ge/le the length must be equal; with ge, le defaults to 32; with le
  // alone, the range starts at the prefix's own length (FRR plist.c).
  bool matches(const Ipv4Prefix& route) const;
};

struct PrefixList {
  std::string name;
  std::vector<PrefixListEntry> entries;  // ascending seq
  // First match; no match denies; a list with no entries permits (FRR plist.c).
  FilterAction evaluate(const Ipv4Prefix& route) const;
};

// ---- bgp community-list --------------------------------------------------------

// Community text as FRR prints it: "65001:100 no-export".
std::string community_to_string(std::uint32_t community);
std::optional<std::uint32_t> parse_community(const std::string& text);
std::string communities_to_string(const std::vector<std::uint32_t>& communities);

struct CommunityListEntry {
  FilterAction action = FilterAction::Permit;
  // standard: every listed community must be present; expanded: regex on the text
  std::vector<std::uint32_t> communities;
  std::optional<BgpRegex> regex;  // set for expanded lists (plain POSIX, `_` as FRR)
};

struct CommunityList {
  std::string name;
  bool expanded = false;
  std::vector<CommunityListEntry> entries;  // config order (FRR has no seq here)
  bool matches(const std::vector<std::uint32_t>& communities, bool exact) const;
};

// ---- route-map -----------------------------------------------------------------

struct MatchAsPath { std::string list; };
struct MatchPrefixList { std::string list; };
struct MatchCommunity { std::string list; bool exact = false; };
using RouteMapMatch = std::variant<MatchAsPath, MatchPrefixList, MatchCommunity>;

struct SetAsPathPrepend { std::vector<std::uint32_t> asns; };
// Absolute value, or FRR's "+N" / "-N" relative forms.
struct SetLocalPreference { std::uint32_t value = 0; int sign = 0; };
struct SetMetric { std::uint32_t value = 0; int sign = 0; };
struct SetCommunity { std::vector<std::uint32_t> communities; bool additive = false; bool none = false; };
struct SetIpNextHop { std::optional<Ipv4Address> address; bool peer_address = false; };
using RouteMapSet = std::variant<SetAsPathPrepend, SetLocalPreference, SetMetric, SetCommunity, SetIpNextHop>;

enum class ExitPolicy { Exit, Next, Goto };

struct RouteMapEntry {
  std::uint32_t seq = 0;
  FilterAction action = FilterAction::Permit;
  std::vector<RouteMapMatch> matches;  // all must match; none = always matches
  std::vector<RouteMapSet> sets;       // config order
  std::optional<std::string> call;
  ExitPolicy exit_policy = ExitPolicy::Exit;
  std::uint32_t goto_seq = 0;
};

struct RouteMap {
  std::string name;
  std::vector<RouteMapEntry> entries;  // ascending seq
};

struct PolicySet {
  std::map<std::string, AsPathAccessList> as_path_lists;
  std::map<std::string, PrefixList> prefix_lists;
  std::map<std::string, CommunityList> community_lists;
  std::map<std::string, RouteMap> route_maps;
};

// Which kinds of `set` clause ran on a permitted route, whatever values they left:
// `set ip next-hop 10.0.0.1` on a route whose next hop was already 10.0.0.1 still
// counts as setting it (FRR's rmap_change_flags say the same).
enum class SetClause : std::uint8_t {
  AsPathPrepend = 1u << 0,
  LocalPreference = 1u << 1,
  Metric = 1u << 2,
  Community = 1u << 3,
  NextHop = 1u << 4,
};
class SetClauses {
 public:
  constexpr SetClauses() = default;
  constexpr SetClauses(std::initializer_list<SetClause> clauses) {
    for (auto c : clauses) add(c);
  }
  constexpr void add(SetClause c) { bits_ |= static_cast<std::uint8_t>(c); }
  constexpr bool has(SetClause c) const { return (bits_ & static_cast<std::uint8_t>(c)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }
  friend constexpr bool operator==(SetClauses, SetClauses) = default;

 private:
  std::uint8_t bits_ = 0;
};
// "next-hop metric" and so on, for test messages and logs.
std::string to_string(SetClauses clauses);

struct PolicyContext {
  Ipv4Address peer_address;  // for `set ip next-hop peer-address`
};

struct PolicyResult {
  FilterAction action = FilterAction::Deny;
  PathAttributes attributes;  // after `set`; meaningless when denied
  SetClauses applied;         // the `set` clauses that ran (through `call` too)
};

// Applies route-map `name`. An undefined or empty route-map denies (FRR
// route_map_apply_ext), as does recursion through `call` deeper than 10.
PolicyResult apply_route_map(const PolicySet& policy, const std::string& name,
                             const Ipv4Prefix& prefix, const PathAttributes& attributes,
                             const PolicyContext& context);

// Whether route-map `name` (through `call` too) can treat two routes with the same
// attributes differently because of their prefixes: it matches a prefix-list. When
// it does not, one evaluation serves every prefix of an UPDATE.
bool route_map_reads_prefix(const PolicySet& policy, const std::string& name);

}  // namespace hairpin::bgpd
