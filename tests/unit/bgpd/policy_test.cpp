// Policy with FRR semantics: regex dialect, as-path lists (incl. the seed's bogon
// list), prefix-lists, community-lists and route-map control flow.

#include <gtest/gtest.h>

#include "hairpin/bgpd/policy/policy.hpp"
#include "hex.hpp"

namespace hairpin::bgpd {
namespace {

using test::ip;
using test::pfx;

BgpRegex re(const std::string& pattern) {
  auto r = BgpRegex::compile(pattern);
  EXPECT_TRUE(r.ok()) << pattern;
  return r.value();
}

// "65515 12076 {65100,65200}" -> AsPath, the inverse of AsPath::to_string for tests.
AsPath path(const std::string& text) {
  AsPath p;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == ' ') { ++i; continue; }
    if (text[i] == '{') {
      auto close = text.find('}', i);
      AsSegment seg{SegmentType::AsSet, {}};
      std::string inner = text.substr(i + 1, close - i - 1);
      std::size_t start = 0;
      while (start < inner.size()) {
        auto comma = inner.find(',', start);
        if (comma == std::string::npos) comma = inner.size();
        seg.asns.push_back(std::stoul(inner.substr(start, comma - start)));
        start = comma + 1;
      }
      p.segments.push_back(seg);
      i = close + 1;
      continue;
    }
    auto end = text.find(' ', i);
    if (end == std::string::npos) end = text.size();
    auto asn = static_cast<std::uint32_t>(std::stoul(text.substr(i, end - i)));
    if (p.segments.empty() || p.segments.back().type != SegmentType::AsSequence)
      p.segments.push_back(AsSegment{SegmentType::AsSequence, {}});
    p.segments.back().asns.push_back(asn);
    i = end;
  }
  return p;
}

// ---- regex dialect ------------------------------------------------------------

struct RegexCase {
  std::string pattern;
  std::string path;
  bool matches;
};
void PrintTo(const RegexCase& c, std::ostream* os) { *os << "'" << c.pattern << "' on '" << c.path << "'"; }

class FrrRegex : public testing::TestWithParam<RegexCase> {};

TEST_P(FrrRegex, UnderscoreExpandsLikeFrr) {
  EXPECT_EQ(re(GetParam().pattern).matches(GetParam().path), GetParam().matches)
      << "'" << GetParam().pattern << "' on '" << GetParam().path << "'";
}

INSTANTIATE_TEST_SUITE_P(
    BgpRegcomp, FrrRegex,
    testing::Values(
        RegexCase{"_65515_", "65515", true}, RegexCase{"_65515_", "65515 12076", true},
        RegexCase{"_65515_", "12076 65515", true}, RegexCase{"_65515_", "165515", false},
        RegexCase{"_65515_", "655150", false}, RegexCase{"_65515_", "{65100,65515}", true},
        RegexCase{"_65515_", "(65515) 65001", true}, RegexCase{"_65515_", "", false},
        RegexCase{"^65", "65100", true}, RegexCase{"^65", "64512 65515", false},
        RegexCase{"^65", "165", false}, RegexCase{"_0_", "0", true}, RegexCase{"_0_", "12076 0", true},
        RegexCase{"_0_", "0 65001", true}, RegexCase{"_0_", "100", false}, RegexCase{"_0_", "65100", false},
        RegexCase{"_23456_", "23456", true}, RegexCase{"_23456_", "123456", false},
        RegexCase{"_1310[0-6][0-9]_|_13107[0-1]_", "131000", true},
        RegexCase{"_1310[0-6][0-9]_|_13107[0-1]_", "131069", true},
        RegexCase{"_1310[0-6][0-9]_|_13107[0-1]_", "131070", true},
        RegexCase{"_1310[0-6][0-9]_|_13107[0-1]_", "131071", true},
        RegexCase{"_1310[0-6][0-9]_|_13107[0-1]_", "131072", false},
        RegexCase{"_1310[0-6][0-9]_|_13107[0-1]_", "65001 131050", true},
        RegexCase{"_1310[0-6][0-9]_|_13107[0-1]_", "1310000", false},
        RegexCase{"^$", "", true}, RegexCase{"^$", "65001", false},
        RegexCase{"^65001$", "65001", true}, RegexCase{"^65001$", "65001 65002", false}));

TEST(FrrRegex, InvalidPattern_ErrorSaysHowToFix) {
  auto r = BgpRegex::compile("_65515(_");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().what.find("_65515(_"), std::string::npos);
  EXPECT_FALSE(r.error().fix.empty());
}

// glibc's regcomp copies what every '+' and {m,n} repeats: 33 '+' in a row asked for
// gigabytes (tests/fuzz/regressions/frr_config/as-path-regex-repeated-plus), and
// glibc's closures over "a****..." took seconds (as-path-regex-many-stars).
TEST(FrrRegex, RepetitionOfRepetition_RefusedBeforeRegcomp) {
  for (const char* p : {"_65515s+++++++++++++++++++++++++++++++++_", "((((a{100}){100}){100}){100})",
                        "(((((((((((((((((((((a+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)", "_0_**", "a+*", "a*{2}"}) {
    auto r = BgpRegex::compile(p);
    ASSERT_FALSE(r.ok()) << p;
    EXPECT_NE(r.error().what.find("repeats a repetition"), std::string::npos) << p;
  }
  // Each '_' costs glibc's regcomp cubically (as-path-regex-many-underscores).
  EXPECT_FALSE(BgpRegex::compile(std::string(33, '_')).ok());
  EXPECT_TRUE(BgpRegex::compile(std::string(32, '_')).ok());
  // Positive control: ordinary repetitions still compile.
  for (const char* p : {"_65515_", "^(65100|65200)+$", "_6551[0-9]{1,3}_", "^([0-9]+_){2,5}$", "[+{]+"})
    EXPECT_TRUE(BgpRegex::compile(p).ok()) << p;
}

// ---- the seed's lists, built by hand (config_test.cpp builds them from the file) --

PolicySet seed_policy() {
  PolicySet p;
  auto list = [&](const std::string& name, std::vector<std::tuple<std::uint32_t, FilterAction, std::string>> rows) {
    AsPathAccessList l{name, {}};
    for (auto& [seq, action, pattern] : rows) l.entries.push_back({seq, action, re(pattern)});
    p.as_path_lists[name] = l;
  };
  list("azure-asns", {{5, FilterAction::Permit, "_65515_"}});
  list("bogon-asns", {{5, FilterAction::Permit, "_0_"},
                      {10, FilterAction::Permit, "_23456_"},
                      {15, FilterAction::Permit, "_1310[0-6][0-9]_|_13107[0-1]_"},
                      {20, FilterAction::Deny, "_65515_"},
                      {25, FilterAction::Permit, "^65"}});
  auto deny_then_permit = [&](const std::string& name, const std::string& as_list) {
    RouteMap m{name, {}};
    RouteMapEntry deny;
    deny.seq = 5;
    deny.action = FilterAction::Deny;
    deny.matches = {MatchAsPath{as_list}};
    RouteMapEntry permit;
    permit.seq = 10;
    m.entries = {deny, permit};
    p.route_maps[name] = m;
  };
  deny_then_permit("rmap-bogon-asns", "bogon-asns");
  deny_then_permit("rmap-azure-asns", "azure-asns");
  return p;
}

PathAttributes with_path(const std::string& text) {
  PathAttributes a;
  a.origin = Origin::Igp;
  a.as_path = path(text);
  a.next_hop = ip("10.0.210.4");
  return a;
}

struct SeedCase {
  std::string path;
  FilterAction list_result;   // bogon-asns itself
  FilterAction inbound;       // rmap-bogon-asns
  FilterAction outbound;      // rmap-azure-asns
};
void PrintTo(const SeedCase& c, std::ostream* os) { *os << "'" << c.path << "'"; }

class SeedBogonPolicy : public testing::TestWithParam<SeedCase> {};

TEST_P(SeedBogonPolicy, MatchesFrr) {
  const auto& c = GetParam();
  auto policy = seed_policy();
  EXPECT_EQ(policy.as_path_lists.at("bogon-asns").evaluate(path(c.path)), c.list_result) << c.path;
  EXPECT_EQ(apply_route_map(policy, "rmap-bogon-asns", pfx("10.100.0.0/16"), with_path(c.path), {}).action,
            c.inbound) << "inbound '" << c.path << "'";
  EXPECT_EQ(apply_route_map(policy, "rmap-azure-asns", pfx("10.100.0.0/16"), with_path(c.path), {}).action,
            c.outbound) << "outbound '" << c.path << "'";
}

constexpr auto P = FilterAction::Permit;
constexpr auto D = FilterAction::Deny;

INSTANTIATE_TEST_SUITE_P(
    SeedConfig, SeedBogonPolicy,
    testing::Values(
        // ARS path to a site: seq 20's explicit deny hides ^65 -> accepted
        SeedCase{"65515 12076 65100", D, P, D},
        SeedCase{"0", P, D, P},          // seq 5
        SeedCase{"23456", P, D, P},      // seq 10: AS_TRANS leaked
        SeedCase{"131072", D, P, P},     // just past the regex's range: implicit deny
        SeedCase{"131071", P, D, P},     // seq 15 second branch
        SeedCase{"131000", P, D, P},     // seq 15 first branch
        SeedCase{"65100", P, D, P},      // seq 25: any path starting 65 is dropped
        SeedCase{"64512 65515", D, P, D},// seq 20 deny before seq 25 could look
        SeedCase{"65515 23456", P, D, D},// seq 10 comes before seq 20
        SeedCase{"65515 0", P, D, D},
        SeedCase{"12076 65100", D, P, P},// ^65 anchors at the start only
        SeedCase{"", D, P, P},           // locally originated: empty path
        SeedCase{"65515 {65100,65200}", D, P, D},
        SeedCase{"12076 {23456,65001}", P, D, P}));

// ---- prefix-list -------------------------------------------------------------

PrefixListEntry ple(std::uint32_t seq, FilterAction a, const char* prefix, std::optional<std::uint8_t> ge = {},
                    std::optional<std::uint8_t> le = {}) {
  return PrefixListEntry{seq, a, pfx(prefix), ge, le};
}

struct PrefixCase {
  const char* name;
  PrefixListEntry entry;
  const char* route;
  bool matches;
};
void PrintTo(const PrefixCase& c, std::ostream* os) { *os << c.name; }

class PrefixListEntryMatch : public testing::TestWithParam<PrefixCase> {};

TEST_P(PrefixListEntryMatch, GeLeLikeFrr) {
  EXPECT_EQ(GetParam().entry.matches(pfx(GetParam().route)), GetParam().matches);
}

INSTANTIATE_TEST_SUITE_P(
    Plist, PrefixListEntryMatch,
    testing::Values(
        PrefixCase{"ExactSame", ple(5, P, "10.0.0.0/8"), "10.0.0.0/8", true},
        PrefixCase{"ExactLonger", ple(5, P, "10.0.0.0/8"), "10.1.0.0/16", false},
        PrefixCase{"LeIncludesOwnLength", ple(5, P, "10.0.0.0/8", {}, 24), "10.0.0.0/8", true},
        PrefixCase{"LeWithin", ple(5, P, "10.0.0.0/8", {}, 24), "10.1.1.0/24", true},
        PrefixCase{"LeBeyond", ple(5, P, "10.0.0.0/8", {}, 24), "10.1.1.0/25", false},
        PrefixCase{"GeExcludesOwnLength", ple(5, P, "10.0.0.0/8", 16), "10.0.0.0/8", false},
        PrefixCase{"GeUpTo32", ple(5, P, "10.0.0.0/8", 16), "10.1.1.1/32", true},
        PrefixCase{"GeLeWindowLow", ple(5, P, "10.0.0.0/8", 16, 24), "10.1.0.0/16", true},
        PrefixCase{"GeLeWindowHigh", ple(5, P, "10.0.0.0/8", 16, 24), "10.1.1.0/25", false},
        PrefixCase{"AnyMatchesDefault", ple(5, P, "0.0.0.0/0", {}, 32), "0.0.0.0/0", true},
        PrefixCase{"AnyMatchesHost", ple(5, P, "0.0.0.0/0", {}, 32), "192.0.2.1/32", true},
        PrefixCase{"OutsideNeverMatches", ple(5, P, "10.0.0.0/8", {}, 32), "11.0.0.0/8", false},
        PrefixCase{"ShorterNeverMatches", ple(5, P, "10.0.0.0/16", {}, 32), "10.0.0.0/8", false}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(PrefixList, FirstMatchWins) {
  PrefixList l{"sites", {ple(5, D, "10.100.0.0/16"), ple(10, P, "10.0.0.0/8", {}, 32)}};
  EXPECT_EQ(l.evaluate(pfx("10.100.0.0/16")), D);
  EXPECT_EQ(l.evaluate(pfx("10.200.0.0/16")), P);
}

TEST(PrefixList, NoEntryMatches_ImplicitDeny) {
  PrefixList l{"sites", {ple(5, P, "10.100.0.0/16")}};
  EXPECT_EQ(l.evaluate(pfx("10.200.0.0/16")), D);
}

TEST(PrefixList, EmptyList_PermitsLikeFrr) {
  EXPECT_EQ((PrefixList{"empty", {}}).evaluate(pfx("10.200.0.0/16")), P);
}

// ---- route-map control flow ------------------------------------------------------

RouteMapEntry entry(std::uint32_t seq, FilterAction action, std::vector<RouteMapMatch> matches = {},
                    std::vector<RouteMapSet> sets = {}) {
  RouteMapEntry e;
  e.seq = seq;
  e.action = action;
  e.matches = std::move(matches);
  e.sets = std::move(sets);
  return e;
}

RouteMapEntry next(RouteMapEntry e) { e.exit_policy = ExitPolicy::Next; return e; }
RouteMapEntry go(RouteMapEntry e, std::uint32_t to) { e.exit_policy = ExitPolicy::Goto; e.goto_seq = to; return e; }
RouteMapEntry call(RouteMapEntry e, std::string target) { e.call = std::move(target); return e; }

PolicySet with_maps(std::vector<RouteMap> maps) {
  PolicySet p = seed_policy();
  p.prefix_lists["sites"] = PrefixList{"sites", {ple(5, P, "10.100.0.0/16"), ple(10, P, "10.200.0.0/16")}};
  p.prefix_lists["nothing"] = PrefixList{"nothing", {ple(5, P, "192.0.2.0/24")}};
  for (auto& m : maps) p.route_maps[m.name] = m;
  return p;
}

PolicyResult run(const PolicySet& p, const std::string& name, const std::string& as_path = "65515 12076") {
  return apply_route_map(p, name, pfx("10.100.0.0/16"), with_path(as_path), PolicyContext{ip("10.0.210.4")});
}

TEST(RouteMap, UndefinedRouteMap_Denies) {
  EXPECT_EQ(run(with_maps({}), "no-such-map").action, D);
}

TEST(RouteMap, EmptyRouteMap_Denies) {
  EXPECT_EQ(run(with_maps({RouteMap{"empty", {}}}), "empty").action, D);
}

TEST(RouteMap, NoEntryMatches_ImplicitDeny) {
  auto p = with_maps({RouteMap{"m", {entry(10, P, {MatchPrefixList{"nothing"}})}}});
  EXPECT_EQ(run(p, "m").action, D);
}

TEST(RouteMap, EntryWithoutMatch_MatchesEverything) {
  auto p = with_maps({RouteMap{"m", {entry(10, P)}}});
  EXPECT_EQ(run(p, "m").action, P);
}

TEST(RouteMap, MatchUndefinedList_NeverMatches) {
  auto p = with_maps({RouteMap{"m", {entry(5, D, {MatchAsPath{"typo"}}), entry(10, P)}}});
  EXPECT_EQ(run(p, "m").action, P);  // the deny entry is skipped, not applied
  auto q = with_maps({RouteMap{"m", {entry(5, P, {MatchPrefixList{"typo"}})}}});
  EXPECT_EQ(run(q, "m").action, D);
}

TEST(RouteMap, AllMatchClausesMustMatch) {
  auto p = with_maps({RouteMap{"m", {entry(10, P, {MatchPrefixList{"sites"}, MatchAsPath{"azure-asns"}})}}});
  EXPECT_EQ(run(p, "m", "65515 12076").action, P);
  EXPECT_EQ(run(p, "m", "12076").action, D);
}

TEST(RouteMap, PermitAppliesSetsInOrder) {
  auto p = with_maps({RouteMap{"m", {entry(10, P, {MatchPrefixList{"sites"}},
                                           {SetLocalPreference{200, 0}, SetMetric{50, 0},
                                            SetAsPathPrepend{{65001, 65001}},
                                            SetCommunity{{(65001u << 16) | 200, (65001u << 16) | 100}, false, false},
                                            SetIpNextHop{ip("10.0.0.4"), false}})}}});
  auto r = run(p, "m");
  ASSERT_EQ(r.action, P);
  EXPECT_EQ(r.attributes.local_pref, 200u);
  EXPECT_EQ(r.attributes.med, 50u);
  EXPECT_EQ(r.attributes.as_path->to_string(), "65001 65001 65515 12076");
  EXPECT_EQ(communities_to_string(r.attributes.communities), "65001:100 65001:200");  // sorted, as FRR
  EXPECT_EQ(r.attributes.next_hop, ip("10.0.0.4"));
}

TEST(RouteMap, DenyEntry_StopsWithoutApplyingLaterSets) {
  auto p = with_maps({RouteMap{"m", {entry(5, D, {MatchPrefixList{"sites"}}), entry(10, P, {}, {SetMetric{1, 0}})}}});
  EXPECT_EQ(run(p, "m").action, D);
}

TEST(RouteMap, OnMatchNext_LaterPermitAddsItsSets) {
  auto p = with_maps({RouteMap{"m", {next(entry(10, P, {}, {SetMetric{5, 0}})),
                                     entry(20, P, {}, {SetLocalPreference{200, 0}})}}});
  auto r = run(p, "m");
  EXPECT_EQ(r.action, P);
  EXPECT_EQ(r.attributes.med, 5u);
  EXPECT_EQ(r.attributes.local_pref, 200u);
}

TEST(RouteMap, OnMatchNext_ThenNoMatch_DeniesLikeFrr) {
  // FRR route_map_apply_ext: a NOMATCH after on-match next turns the result to deny.
  auto p = with_maps({RouteMap{"m", {next(entry(10, P, {}, {SetMetric{5, 0}})),
                                     entry(20, P, {MatchPrefixList{"nothing"}})}}});
  EXPECT_EQ(run(p, "m").action, D);
}

TEST(RouteMap, OnMatchNext_AsLastEntry_Permits) {
  auto p = with_maps({RouteMap{"m", {next(entry(10, P, {}, {SetMetric{5, 0}}))}}});
  EXPECT_EQ(run(p, "m").action, P);
}

TEST(RouteMap, OnMatchGoto_SkipsEntriesBeforeTarget) {
  auto p = with_maps({RouteMap{"m", {go(entry(10, P), 30), entry(20, D), entry(30, P, {}, {SetMetric{7, 0}})}}});
  auto r = run(p, "m");
  EXPECT_EQ(r.action, P);
  EXPECT_EQ(r.attributes.med, 7u);
}

TEST(RouteMap, OnMatchGoto_MissingTargetLandsOnNextHigher) {
  auto p = with_maps({RouteMap{"m", {go(entry(10, P), 25), entry(20, D), entry(30, P, {}, {SetMetric{7, 0}})}}});
  EXPECT_EQ(run(p, "m").attributes.med, 7u);
}

TEST(RouteMap, OnMatchGoto_PastTheEnd_Permits) {
  auto p = with_maps({RouteMap{"m", {go(entry(10, P), 100), entry(20, D)}}});
  EXPECT_EQ(run(p, "m").action, P);
}

TEST(RouteMap, Call_DenyInCalledMap_Denies) {
  auto p = with_maps({RouteMap{"m", {call(entry(10, P, {}, {SetMetric{5, 0}}), "sub")}},
                      RouteMap{"sub", {entry(10, D)}}});
  EXPECT_EQ(run(p, "m").action, D);
}

TEST(RouteMap, Call_PermitKeepsSetsFromBoth) {
  auto p = with_maps({RouteMap{"m", {call(entry(10, P, {}, {SetMetric{5, 0}}), "sub")}},
                      RouteMap{"sub", {entry(10, P, {}, {SetLocalPreference{300, 0}})}}});
  auto r = run(p, "m");
  EXPECT_EQ(r.action, P);
  EXPECT_EQ(r.attributes.med, 5u);
  EXPECT_EQ(r.attributes.local_pref, 300u);
}

TEST(RouteMap, Call_UndefinedTarget_IgnoredLikeFrr) {
  auto p = with_maps({RouteMap{"m", {call(entry(10, P), "missing")}}});
  EXPECT_EQ(run(p, "m").action, P);
}

TEST(RouteMap, Call_Recursion_DeniesAtDepthLimit) {
  auto p = with_maps({RouteMap{"loop", {call(entry(10, P), "loop")}}});
  EXPECT_EQ(run(p, "loop").action, D);
}

TEST(RouteMap, RelativeLocalPrefAndMetric) {
  auto p = with_maps({RouteMap{"m", {entry(10, P, {}, {SetLocalPreference{50, +1}, SetMetric{10, -1}})}}});
  auto r = run(p, "m");
  EXPECT_EQ(r.attributes.local_pref, 150u);  // from the default 100
  EXPECT_EQ(r.attributes.med, 0u);           // never below zero
}

TEST(RouteMap, SetCommunityAdditiveAndNone) {
  auto p = with_maps({RouteMap{"add", {entry(10, P, {}, {SetCommunity{{(65001u << 16) | 1}, true, false}})}},
                      RouteMap{"none", {entry(10, P, {}, {SetCommunity{{}, false, true}})}}});
  auto attrs = with_path("65515");
  attrs.communities = {(65515u << 16) | 100, 0xFFFFFF01u};
  auto added = apply_route_map(p, "add", pfx("10.100.0.0/16"), attrs, {});
  EXPECT_EQ(communities_to_string(added.attributes.communities), "65001:1 65515:100 no-export");
  auto none = apply_route_map(p, "none", pfx("10.100.0.0/16"), attrs, {});
  EXPECT_TRUE(none.attributes.communities.empty());
}

TEST(RouteMap, PrependBeforeAsSet_StartsNewSequence) {
  auto p = with_maps({RouteMap{"m", {entry(10, P, {}, {SetAsPathPrepend{{65001}}})}}});
  auto r = run(p, "m", "{65100,65200}");
  EXPECT_EQ(r.attributes.as_path->to_string(), "65001 {65100,65200}");
}

TEST(RouteMap, SetNextHopPeerAddress) {
  auto p = with_maps({RouteMap{"m", {entry(10, P, {}, {SetIpNextHop{std::nullopt, true}})}}});
  auto r = apply_route_map(p, "m", pfx("10.100.0.0/16"), with_path("65515"), PolicyContext{ip("10.0.210.5")});
  EXPECT_EQ(r.attributes.next_hop, ip("10.0.210.5"));
}

TEST(RouteMap, DeniedRoute_InputAttributesUntouched) {
  auto p = with_maps({RouteMap{"m", {next(entry(10, P, {}, {SetMetric{5, 0}})), entry(20, D)}}});
  auto attrs = with_path("65515");
  auto r = apply_route_map(p, "m", pfx("10.100.0.0/16"), attrs, {});
  EXPECT_EQ(r.action, D);
  EXPECT_FALSE(attrs.med.has_value());
}

// ---- which `set` clauses fired -------------------------------------------------
// The producer says what it did (SetClauses), so the RIB need not guess from the
// values; a set that leaves a value as it was still counts.

struct AppliedCase {
  const char* name;
  std::vector<RouteMap> maps;
  FilterAction action;
  SetClauses applied;
};

class SetClausesApplied : public testing::TestWithParam<AppliedCase> {};

TEST_P(SetClausesApplied, ReportsEveryClauseThatRan) {
  const auto& c = GetParam();
  auto attrs = with_path("65515 12076");
  attrs.next_hop = ip("10.0.200.12");
  auto r = apply_route_map(with_maps(c.maps), "m", pfx("10.100.0.0/16"), attrs, PolicyContext{ip("10.0.210.4")});
  EXPECT_EQ(r.action, c.action);
  EXPECT_EQ(to_string(r.applied), to_string(c.applied));
}

using SC = SetClause;
INSTANTIATE_TEST_SUITE_P(
    RouteMap, SetClausesApplied,
    testing::Values(
        AppliedCase{"PermitWithoutSets_NoneApplied", {RouteMap{"m", {entry(10, P)}}}, P, {}},
        AppliedCase{"EverySetKind_AllApplied",
                    {RouteMap{"m", {entry(10, P, {},
                                          {SetLocalPreference{200, 0}, SetMetric{50, 0}, SetAsPathPrepend{{65001}},
                                           SetCommunity{{(65001u << 16) | 1}, false, false},
                                           SetIpNextHop{ip("10.0.0.4"), false}})}}},
                    P,
                    {SC::LocalPreference, SC::Metric, SC::AsPathPrepend, SC::Community, SC::NextHop}},
        // The old guess (next hop differs from the received one) missed this one.
        AppliedCase{"NextHopSetToTheValueItHad_StillApplied",
                    {RouteMap{"m", {entry(10, P, {}, {SetIpNextHop{ip("10.0.200.12"), false}})}}},
                    P,
                    {SC::NextHop}},
        AppliedCase{"NextHopPeerAddress_Applied",
                    {RouteMap{"m", {entry(10, P, {}, {SetIpNextHop{std::nullopt, true}})}}}, P, {SC::NextHop}},
        AppliedCase{"MetricSetToZeroOnARouteWithoutMed_Applied",
                    {RouteMap{"m", {entry(10, P, {}, {SetMetric{0, 0}})}}}, P, {SC::Metric}},
        AppliedCase{"CommunityNone_Applied",
                    {RouteMap{"m", {entry(10, P, {}, {SetCommunity{{}, false, true}})}}}, P, {SC::Community}},
        AppliedCase{"EntryThatDidNotMatch_ItsSetsNotApplied",
                    {RouteMap{"m", {entry(5, P, {MatchPrefixList{"nothing"}}, {SetIpNextHop{ip("10.0.0.4"), false}}),
                                    entry(10, P, {}, {SetMetric{1, 0}})}}},
                    P,
                    {SC::Metric}},
        AppliedCase{"OnMatchNext_SetsOfBothEntries",
                    {RouteMap{"m", {next(entry(10, P, {}, {SetMetric{5, 0}})),
                                    entry(20, P, {}, {SetIpNextHop{ip("10.0.0.4"), false}})}}},
                    P,
                    {SC::Metric, SC::NextHop}},
        AppliedCase{"Call_SetsOfTheCalledMapToo",
                    {RouteMap{"m", {call(entry(10, P, {}, {SetMetric{5, 0}}), "sub")}},
                     RouteMap{"sub", {entry(10, P, {}, {SetAsPathPrepend{{65001}}})}}},
                    P,
                    {SC::Metric, SC::AsPathPrepend}},
        AppliedCase{"GotoSkipsAnEntry_ItsSetsNotApplied",
                    {RouteMap{"m", {go(entry(10, P), 30), entry(20, P, {}, {SetIpNextHop{ip("10.0.0.4"), false}}),
                                    entry(30, P, {}, {SetLocalPreference{10, 0}})}}},
                    P,
                    {SC::LocalPreference}}),
    [](const testing::TestParamInfo<AppliedCase>& info) { return std::string(info.param.name); });

TEST(RouteMap, ReadsPrefix_OnlyThroughAPrefixListMatch_DirectOrCalled) {
  auto p = with_maps({RouteMap{"by-path", {entry(10, D, {MatchAsPath{"bogon-asns"}})}},
                      RouteMap{"by-prefix", {entry(10, P, {MatchPrefixList{"sites"}})}},
                      RouteMap{"calls", {call(entry(10, P), "by-prefix")}}});
  EXPECT_FALSE(route_map_reads_prefix(p, "by-path"));
  EXPECT_TRUE(route_map_reads_prefix(p, "by-prefix"));
  EXPECT_TRUE(route_map_reads_prefix(p, "calls"));
  EXPECT_FALSE(route_map_reads_prefix(p, "undefined"));  // denies every prefix alike
}

// ---- community-list -----------------------------------------------------------

TEST(CommunityList, StandardNeedsEveryListedCommunity) {
  CommunityList l{"c", false, {CommunityListEntry{P, {(65515u << 16) | 100, 0xFFFFFF01u}, std::nullopt}}};
  EXPECT_TRUE(l.matches({(65515u << 16) | 100, 0xFFFFFF01u, 7}, false));
  EXPECT_FALSE(l.matches({(65515u << 16) | 100}, false));
  EXPECT_FALSE(l.matches({(65515u << 16) | 100, 0xFFFFFF01u, 7}, true));  // exact-match
  EXPECT_TRUE(l.matches({0xFFFFFF01u, (65515u << 16) | 100}, true));
}

TEST(CommunityList, DenyEntryMatches_NoMatch) {
  CommunityList l{"c", false,
                  {CommunityListEntry{D, {0xFFFFFF01u}, std::nullopt},
                   CommunityListEntry{P, {(65515u << 16) | 100}, std::nullopt}}};
  EXPECT_FALSE(l.matches({(65515u << 16) | 100, 0xFFFFFF01u}, false));
  EXPECT_TRUE(l.matches({(65515u << 16) | 100}, false));
}

TEST(CommunityList, ExpandedMatchesFrrText) {
  CommunityList l{"c", true, {CommunityListEntry{P, {}, re("^65515:.*no-export$")}}};
  EXPECT_TRUE(l.matches({(65515u << 16) | 100, 0xFFFFFF01u}, false));
  EXPECT_FALSE(l.matches({(65001u << 16) | 100}, false));
}

TEST(CommunityText, ParsesAndPrintsLikeFrr) {
  EXPECT_EQ(parse_community("65001:100"), (65001u << 16) | 100);
  EXPECT_EQ(parse_community("no-export"), 0xFFFFFF01u);
  EXPECT_EQ(parse_community("65536:1"), std::nullopt);
  EXPECT_EQ(parse_community("1:"), std::nullopt);
  EXPECT_EQ(community_to_string(0xFFFF029Au), "blackhole");
}

}  // namespace
}  // namespace hairpin::bgpd
