// The export path as a table: one best path, one peer, what that peer is sent.
// We are AS 65001 at 10.0.0.4. The best path is one of three kinds:
//   ebgp   learned from an eBGP peer: AS path "65515 12076", next hop 10.0.200.12, MED 50
//   ibgp   learned from an iBGP peer: the same, plus LOCAL_PREF 120
//   local  a `network` statement: empty AS path, next hop 0.0.0.0, MED 0

#include <gtest/gtest.h>

#include "hairpin/bgpd/rib/export_policy.hpp"
#include "hex.hpp"

namespace hairpin::bgpd {
namespace {

using test::ip;
using test::pfx;

constexpr auto P = FilterAction::Permit;
constexpr auto D = FilterAction::Deny;

RouteMap one_entry(std::string name, FilterAction action, std::vector<RouteMapSet> sets = {}) {
  RouteMapEntry e;
  e.seq = 10;
  e.action = action;
  e.sets = std::move(sets);
  return RouteMap{std::move(name), {std::move(e)}};
}

PolicySet policy() {
  PolicySet p;
  for (auto m : {one_entry("all", P), one_entry("deny", D),
                 one_entry("set-nh", P, {SetIpNextHop{ip("192.0.2.1"), false}}),
                 one_entry("set-nh-as-received", P, {SetIpNextHop{ip("10.0.200.12"), false}}),
                 one_entry("set-nh-peer-address", P, {SetIpNextHop{std::nullopt, true}}),
                 one_entry("set-med", P, {SetMetric{77, 0}}), one_entry("set-lp", P, {SetLocalPreference{300, 0}}),
                 one_entry("prepend", P, {SetAsPathPrepend{{65001, 65001}}})})
    p.route_maps[m.name] = m;
  PrefixListEntry sites;
  sites.seq = 5;
  sites.prefix = pfx("10.100.0.0/16");
  p.prefix_lists["sites"] = PrefixList{"sites", {sites}};
  return p;
}

PathAttributes best_of(BestSource source) {
  PathAttributes a;
  a.origin = Origin::Igp;
  if (source == BestSource::Local) {
    a.as_path = AsPath{};
    a.next_hop = Ipv4Address{};
    a.med = 0;
    return a;
  }
  a.as_path = AsPath{{AsSegment{SegmentType::AsSequence, {65515, 12076}}}};
  a.next_hop = ip("10.0.200.12");
  a.med = 50;
  if (source == BestSource::Internal) a.local_pref = 120;
  return a;
}

struct ExportCase {
  const char* name;
  BestSource source;
  bool to_external;
  const char* route_map_out = nullptr;
  const char* prefix_list_out = nullptr;
  bool next_hop_self = false;
  bool from_this_peer = false;
  const char* prefix = "10.100.0.0/16";
  bool ebgp_requires_policy = true;
  const char* local_address = "10.0.0.4";
  // expected
  ExportVerdict verdict = ExportVerdict::Advertise;
  const char* next_hop = "";  // when advertised
  std::optional<std::uint32_t> med = std::nullopt;
  std::optional<std::uint32_t> local_pref = std::nullopt;
  const char* as_path = "";
};

std::ostream& operator<<(std::ostream& os, const ExportCase& c) { return os << c.name; }

class ExportTable : public testing::TestWithParam<ExportCase> {};

TEST_P(ExportTable, AttributesOrTheRuleThatStopsTheRoute) {
  const ExportCase& c = GetParam();
  const PolicySet pol = policy();
  const PathAttributes best = best_of(c.source);
  const std::string route_map = c.route_map_out ? c.route_map_out : "";
  const std::string prefix_list = c.prefix_list_out ? c.prefix_list_out : "";
  ExportDecision d = export_route(ExportInput{
      .policy = pol,
      .local_as = 65001,
      .default_local_pref = 100,
      .ebgp_requires_policy = c.ebgp_requires_policy,
      .prefix = pfx(c.prefix),
      .best = best,
      .source = c.source,
      .from_this_peer = c.from_this_peer,
      .to = ExportPeer{.external = c.to_external,
                       .local_address = ip(c.local_address),
                       .next_hop_self = c.next_hop_self,
                       .prefix_list_out = c.prefix_list_out ? &prefix_list : nullptr,
                       .route_map_out = c.route_map_out ? &route_map : nullptr},
  });
  ASSERT_EQ(to_string(d.verdict), std::string(to_string(c.verdict)));
  ASSERT_EQ(d.attributes.has_value(), d.advertised());
  if (!d.advertised()) return;
  const PathAttributes& a = *d.attributes;
  EXPECT_EQ(a.next_hop, ip(c.next_hop));
  EXPECT_EQ(a.med, c.med);
  EXPECT_EQ(a.local_pref, c.local_pref);
  EXPECT_EQ(a.as_path.value_or(AsPath{}).to_string(), c.as_path);
  EXPECT_EQ(a.origin, Origin::Igp);
}

using S = BestSource;
using V = ExportVerdict;
constexpr bool kEbgp = true, kIbgp = false;

// Designated initialisers keep each row readable; rows read "best path, peer, policy -> result".
INSTANTIATE_TEST_SUITE_P(
    Export, ExportTable,
    testing::Values(
        // split horizon
        ExportCase{.name = "SplitHorizon_NeverBackToTheSender", .source = S::External, .to_external = kEbgp,
                   .route_map_out = "all", .from_this_peer = true, .verdict = V::SplitHorizon},
        ExportCase{.name = "SplitHorizon_IbgpSenderToo", .source = S::Internal, .to_external = kIbgp,
                   .from_this_peer = true, .verdict = V::SplitHorizon},
        // RFC 4271 9.2
        ExportCase{.name = "IbgpLearned_NotToAnotherIbgpPeer", .source = S::Internal, .to_external = kIbgp,
                   .route_map_out = "all", .verdict = V::IbgpToIbgp},
        ExportCase{.name = "IbgpLearned_NotEvenWithNextHopSelf", .source = S::Internal, .to_external = kIbgp,
                   .next_hop_self = true, .verdict = V::IbgpToIbgp},
        ExportCase{.name = "IbgpLearned_ToEbgp", .source = S::Internal, .to_external = kEbgp,
                   .route_map_out = "all", .next_hop = "10.0.0.4", .as_path = "65001 65515 12076"},
        // RFC 8212
        ExportCase{.name = "Rfc8212_EbgpWithoutOutboundPolicy_NothingSent", .source = S::External,
                   .to_external = kEbgp, .verdict = V::NoOutboundPolicy},
        ExportCase{.name = "Rfc8212_OurOwnRoutesToo", .source = S::Local, .to_external = kEbgp,
                   .verdict = V::NoOutboundPolicy},
        ExportCase{.name = "Rfc8212_Off_EbgpWithoutPolicy_Sent", .source = S::External, .to_external = kEbgp,
                   .ebgp_requires_policy = false, .next_hop = "10.0.0.4", .as_path = "65001 65515 12076"},
        ExportCase{.name = "Rfc8212_IbgpNeedsNoPolicy", .source = S::External, .to_external = kIbgp,
                   .next_hop = "10.0.200.12", .med = 50, .local_pref = 100, .as_path = "65515 12076"},
        ExportCase{.name = "Rfc8212_APrefixListAloneIsAPolicy", .source = S::External, .to_external = kEbgp,
                   .prefix_list_out = "sites", .next_hop = "10.0.0.4", .as_path = "65001 65515 12076"},
        // prefix-list and route-map out
        ExportCase{.name = "PrefixListOut_Denies", .source = S::External, .to_external = kEbgp,
                   .prefix_list_out = "sites", .prefix = "10.200.0.0/16", .verdict = V::PrefixListDenied},
        ExportCase{.name = "UndefinedPrefixListOut_DeniesLikeFrr", .source = S::External, .to_external = kEbgp,
                   .prefix_list_out = "typo", .verdict = V::PrefixListDenied},
        ExportCase{.name = "RouteMapOut_Denies", .source = S::External, .to_external = kEbgp,
                   .route_map_out = "deny", .verdict = V::RouteMapDenied},
        ExportCase{.name = "UndefinedRouteMapOut_DeniesLikeFrr", .source = S::External, .to_external = kIbgp,
                   .route_map_out = "typo", .verdict = V::RouteMapDenied},
        // MED
        ExportCase{.name = "Med_LearnedFromAPeer_NotPassedToEbgp", .source = S::External, .to_external = kEbgp,
                   .route_map_out = "all", .next_hop = "10.0.0.4", .as_path = "65001 65515 12076"},
        ExportCase{.name = "Med_OursSentToEbgp", .source = S::Local, .to_external = kEbgp, .route_map_out = "all",
                   .next_hop = "10.0.0.4", .med = 0, .as_path = "65001"},
        ExportCase{.name = "Med_SetByRouteMap_SentToEbgp", .source = S::External, .to_external = kEbgp,
                   .route_map_out = "set-med", .next_hop = "10.0.0.4", .med = 77, .as_path = "65001 65515 12076"},
        ExportCase{.name = "Med_PassedToIbgp", .source = S::External, .to_external = kIbgp,
                   .next_hop = "10.0.200.12", .med = 50, .local_pref = 100, .as_path = "65515 12076"},
        // LOCAL_PREF
        ExportCase{.name = "LocalPref_NeverSentToEbgp", .source = S::Internal, .to_external = kEbgp,
                   .route_map_out = "all", .next_hop = "10.0.0.4", .as_path = "65001 65515 12076"},
        ExportCase{.name = "LocalPref_SetByRouteMap_StillNotSentToEbgp", .source = S::External,
                   .to_external = kEbgp, .route_map_out = "set-lp", .next_hop = "10.0.0.4",
                   .as_path = "65001 65515 12076"},
        ExportCase{.name = "LocalPref_DefaultAddedTowardsIbgp", .source = S::Local, .to_external = kIbgp,
                   .next_hop = "10.0.0.4", .med = 0, .local_pref = 100, .as_path = ""},
        ExportCase{.name = "LocalPref_SetByRouteMap_SentToIbgp", .source = S::External, .to_external = kIbgp,
                   .route_map_out = "set-lp", .next_hop = "10.0.200.12", .med = 50, .local_pref = 300,
                   .as_path = "65515 12076"},
        // AS_PATH
        ExportCase{.name = "AsPath_OursPrependedTowardsEbgp", .source = S::Local, .to_external = kEbgp,
                   .route_map_out = "all", .next_hop = "10.0.0.4", .med = 0, .as_path = "65001"},
        ExportCase{.name = "AsPath_RouteMapPrependThenOurs", .source = S::External, .to_external = kEbgp,
                   .route_map_out = "prepend", .next_hop = "10.0.0.4", .as_path = "65001 65001 65001 65515 12076"},
        ExportCase{.name = "AsPath_UnchangedTowardsIbgp", .source = S::External, .to_external = kIbgp,
                   .route_map_out = "all", .next_hop = "10.0.200.12", .med = 50, .local_pref = 100,
                   .as_path = "65515 12076"},
        // NEXT_HOP
        ExportCase{.name = "NextHop_OurAddressTowardsEbgp", .source = S::External, .to_external = kEbgp,
                   .route_map_out = "all", .next_hop = "10.0.0.4", .as_path = "65001 65515 12076"},
        ExportCase{.name = "NextHop_NextHopSelfTowardsEbgp_OurAddressAnyway", .source = S::External,
                   .to_external = kEbgp, .route_map_out = "all", .next_hop_self = true, .next_hop = "10.0.0.4",
                   .as_path = "65001 65515 12076"},
        ExportCase{.name = "NextHop_SetByRouteMap_WinsTowardsEbgp", .source = S::External, .to_external = kEbgp,
                   .route_map_out = "set-nh", .next_hop = "192.0.2.1", .as_path = "65001 65515 12076"},
        // The old guess (differs from the received next hop?) sent 10.0.0.4 here.
        ExportCase{.name = "NextHop_SetByRouteMapToTheReceivedValue_Kept", .source = S::External,
                   .to_external = kEbgp, .route_map_out = "set-nh-as-received", .next_hop = "10.0.200.12",
                   .as_path = "65001 65515 12076"},
        ExportCase{.name = "NextHop_RouteMapPeerAddressOutbound_IsOurAddress", .source = S::External,
                   .to_external = kEbgp, .route_map_out = "set-nh-peer-address", .next_hop = "10.0.0.4",
                   .as_path = "65001 65515 12076"},
        ExportCase{.name = "NextHop_EbgpLearnedTowardsIbgp_Unchanged", .source = S::External,
                   .to_external = kIbgp, .next_hop = "10.0.200.12", .med = 50, .local_pref = 100,
                   .as_path = "65515 12076"},
        ExportCase{.name = "NextHop_NextHopSelfTowardsIbgp_OurAddress", .source = S::External,
                   .to_external = kIbgp, .next_hop_self = true, .next_hop = "10.0.0.4", .med = 50,
                   .local_pref = 100, .as_path = "65515 12076"},
        ExportCase{.name = "NextHop_NextHopSelfTowardsIbgp_RouteMapStillWins", .source = S::External,
                   .to_external = kIbgp, .route_map_out = "set-nh", .next_hop_self = true,
                   .next_hop = "192.0.2.1", .med = 50, .local_pref = 100, .as_path = "65515 12076"},
        ExportCase{.name = "NextHop_OurRouteTowardsIbgp_OurAddress", .source = S::Local, .to_external = kIbgp,
                   .next_hop = "10.0.0.4", .med = 0, .local_pref = 100, .as_path = ""},
        ExportCase{.name = "NextHop_OurRouteTowardsIbgp_RouteMapWins", .source = S::Local, .to_external = kIbgp,
                   .route_map_out = "set-nh", .next_hop = "192.0.2.1", .med = 0, .local_pref = 100,
                   .as_path = ""},
        ExportCase{.name = "NextHop_OurAddressUnknown_NotSentRatherThanZero", .source = S::External,
                   .to_external = kEbgp, .route_map_out = "all", .local_address = "0.0.0.0",
                   .verdict = V::NoNextHop},
        ExportCase{.name = "NextHop_OurAddressUnknown_OurRouteToIbgpNotSent", .source = S::Local,
                   .to_external = kIbgp, .local_address = "0.0.0.0", .verdict = V::NoNextHop}),
    [](const testing::TestParamInfo<ExportCase>& info) { return std::string(info.param.name); });

TEST(Export, RouteMapSets_ReportedWithTheDecision) {
  const PolicySet pol = policy();
  const PathAttributes best = best_of(BestSource::External);
  const std::string map = "set-nh-as-received";
  auto d = export_route(ExportInput{.policy = pol, .local_as = 65001, .prefix = pfx("10.100.0.0/16"), .best = best,
                                    .to = ExportPeer{.local_address = ip("10.0.0.4"), .route_map_out = &map}});
  ASSERT_TRUE(d.advertised());
  EXPECT_TRUE(d.route_map_sets.has(SetClause::NextHop));
  EXPECT_FALSE(d.route_map_sets.has(SetClause::Metric));
}

}  // namespace
}  // namespace hairpin::bgpd
