// `hairpin lint` rules (bgpd/lint/config_lint.hpp): each rule with a config that
// triggers it and one that does not, both fixtures with every finding asserted,
// the parser's own warnings carried through once, and the report formats.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "hairpin/bgpd/lint/config_lint.hpp"
#include "fixture_text.hpp"

namespace hairpin::bgpd {
namespace {

using test::line_of;
using test::read_fixture;

// The design's config: supernet by blackhole, ARS and GatewaySubnet routed via the
// subnet gateway, 65515 denied outbound, both route servers alike.
const std::string kGood = R"(frr defaults traditional
hostname nva
ip route 10.0.0.0/8 blackhole
ip route 10.0.200.0/24 10.0.0.1
ip route 10.0.210.0/24 10.0.0.1
router bgp 65001
 neighbor 10.0.210.4 remote-as 65515
 neighbor 10.0.210.4 ebgp-multihop 255
 neighbor 10.0.210.5 remote-as 65515
 neighbor 10.0.210.5 ebgp-multihop 255
 address-family ipv4 unicast
  network 10.0.0.0/8
  neighbor 10.0.210.4 route-map rmap-in in
  neighbor 10.0.210.4 route-map rmap-out out
  neighbor 10.0.210.5 route-map rmap-in in
  neighbor 10.0.210.5 route-map rmap-out out
 exit-address-family
exit
bgp as-path access-list azure-asns seq 5 permit _65515_
route-map rmap-in permit 10
exit
route-map rmap-out deny 5
 match as-path azure-asns
exit
route-map rmap-out permit 10
exit
)";

std::string replace(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "no '" << from << "' to replace";
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

std::vector<Finding> lint(const std::string& text, const LintOptions& options = {}) {
  auto parsed = parse_frr_config(text, "test.frr");
  EXPECT_TRUE(parsed.ok()) << parsed.error().to_string();
  return parsed.ok() ? lint_config(parsed.value(), options) : std::vector<Finding>{};
}

std::vector<Finding> of_rule(const std::vector<Finding>& findings, const std::string& rule) {
  std::vector<Finding> out;
  for (const auto& f : findings)
    if (f.rule == rule) out.push_back(f);
  return out;
}

std::string dump(const std::vector<Finding>& findings) {
  return lint_report_text("test.frr", findings);
}

bool says(const Finding& f, const std::string& words) { return f.message().find(words) != std::string::npos; }

// ---- the baseline: the design's config is clean ------------------------------

TEST(LintConfig, DesignConfig_HasNoFindings) {
  auto findings = lint(kGood, LintOptions{.gateway_subnet = Ipv4Prefix::parse("10.0.200.0/24")});
  EXPECT_TRUE(findings.empty()) << dump(findings);
}

// ---- lo-prefix -------------------------------------------------------------------

TEST(LintLoPrefix, ShorterThan32OnLo_IsErrorWithBlackholeFix) {
  const std::string text = replace(kGood, "ip route 10.0.0.0/8 blackhole\n", "interface lo\n ip address 10.0.0.1/8\nexit\n");
  auto findings = lint(text);
  auto lo = of_rule(findings, "lo-prefix");
  ASSERT_EQ(lo.size(), 1u) << dump(findings);
  EXPECT_EQ(lo[0].severity, Severity::Error);
  EXPECT_EQ(lo[0].line, line_of(text, "ip address 10.0.0.1/8"));
  EXPECT_TRUE(says(lo[0], "local 10.0.0.0/8 dev lo")) << lo[0].message();
  EXPECT_TRUE(says(lo[0], "ip route 10.0.0.0/8 blackhole")) << lo[0].message();
  // The next hop of the static routes falls inside the local /8.
  EXPECT_TRUE(says(lo[0], "next hop 10.0.0.1")) << lo[0].message();
  // The parser's own lo warning is replaced, not repeated.
  int on_line = 0;
  for (const auto& f : findings) on_line += f.line == lo[0].line;
  EXPECT_EQ(on_line, 1) << dump(findings);
}

TEST(LintLoPrefix, Slash32OnLoOrShortPrefixElsewhere_IsClean) {
  const std::string text = replace(kGood, "hostname nva\n",
                                   "hostname nva\ninterface lo\n ip address 10.255.255.1/32\nexit\n"
                                   "interface eth0\n ip address 10.0.0.4/24\nexit\n");
  auto findings = lint(text);
  EXPECT_TRUE(of_rule(findings, "lo-prefix").empty()) << dump(findings);
  EXPECT_TRUE(findings.empty()) << dump(findings);
}

// ---- ebgp-no-policy -------------------------------------------------------------

TEST(LintEbgpNoPolicy, NoOutboundRouteMap_IsErrorOnce) {
  const std::string text = replace(kGood, "  neighbor 10.0.210.5 route-map rmap-out out\n", "");
  auto findings = lint(text);
  auto hits = of_rule(findings, "ebgp-no-policy");
  ASSERT_EQ(hits.size(), 1u) << dump(findings);
  EXPECT_EQ(hits[0].severity, Severity::Error);
  EXPECT_EQ(hits[0].line, line_of(text, "neighbor 10.0.210.5 remote-as"));
  EXPECT_TRUE(says(hits[0], "no outbound policy")) << hits[0].message();
  EXPECT_TRUE(says(hits[0], "RFC 8212")) << hits[0].message();
  EXPECT_TRUE(of_rule(findings, "config").empty()) << "the parser's RFC 8212 warning is repeated:\n" << dump(findings);
}

TEST(LintEbgpNoPolicy, NoInboundEvenWithoutRequiresPolicy_IsError) {
  std::string text = replace(kGood, "  neighbor 10.0.210.4 route-map rmap-in in\n", "");
  text = replace(text, "router bgp 65001\n", "router bgp 65001\n no bgp ebgp-requires-policy\n");
  auto hits = of_rule(lint(text), "ebgp-no-policy");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].line, line_of(text, "neighbor 10.0.210.4 remote-as"));
  EXPECT_TRUE(says(hits[0], "no inbound policy")) << hits[0].message();
  EXPECT_TRUE(says(hits[0], "with 'no bgp ebgp-requires-policy'")) << hits[0].message();
}

TEST(LintEbgpNoPolicy, BeforeFrr74_SaysTheDefaultNotALineTheConfigLacks) {
  std::string text = replace(kGood, "  neighbor 10.0.210.4 route-map rmap-in in\n", "");
  text = "frr version 7.2\n" + text;
  auto hits = of_rule(lint(text), "ebgp-no-policy");
  ASSERT_EQ(hits.size(), 1u) << dump(lint(text));
  EXPECT_TRUE(says(hits[0], "off by default before FRR 7.4; this config says frr version 7.2")) << hits[0].message();
  EXPECT_FALSE(says(hits[0], "'no bgp ebgp-requires-policy'")) << hits[0].message();
}

TEST(LintEbgpNoPolicy, ShutDownNeighborWithoutPolicy_IsAWarningNotAnError) {
  std::string text = replace(kGood, "  neighbor 10.0.210.5 route-map rmap-out out\n", "");
  text = replace(text, " neighbor 10.0.210.5 ebgp-multihop 255\n",
                 " neighbor 10.0.210.5 ebgp-multihop 255\n neighbor 10.0.210.5 shutdown\n");
  auto hits = of_rule(lint(text), "ebgp-no-policy");
  ASSERT_EQ(hits.size(), 1u) << dump(lint(text));
  EXPECT_EQ(hits[0].severity, Severity::Warning);
  EXPECT_TRUE(says(hits[0], "(shut down) has no outbound policy")) << hits[0].message();
  EXPECT_TRUE(says(hits[0], "once enabled, with ebgp-requires-policy")) << hits[0].message();
}

TEST(LintEbgpNoPolicy, PrefixListsBothWaysOrIbgpPeer_IsClean) {
  std::string text = replace(kGood, "  neighbor 10.0.210.5 route-map rmap-in in\n",
                             "  neighbor 10.0.210.5 prefix-list any in\n");
  text = replace(text, " neighbor 10.0.210.5 ebgp-multihop 255\n",
                 " neighbor 10.0.210.5 ebgp-multihop 255\n neighbor 10.0.0.5 remote-as 65001\n");
  text += "ip prefix-list any seq 5 permit any\n";
  auto findings = lint(text);
  EXPECT_TRUE(of_rule(findings, "ebgp-no-policy").empty()) << dump(findings);
}

// ---- undefined-reference -------------------------------------------------------

TEST(LintUndefinedReference, RouteMapAsPathAndPrefixList_AreErrorsOnTheirLines) {
  std::string text = replace(kGood, "  neighbor 10.0.210.5 route-map rmap-out out\n",
                             "  neighbor 10.0.210.5 route-map rmap-0ut out\n  neighbor 10.0.210.5 prefix-list nope out\n");
  text = replace(text, " match as-path azure-asns\n", " match as-path azure-asn\n");
  auto findings = lint(text);
  auto hits = of_rule(findings, "undefined-reference");
  ASSERT_EQ(hits.size(), 3u) << dump(findings);
  EXPECT_EQ(hits[0].line, line_of(text, "rmap-0ut"));
  EXPECT_TRUE(says(hits[0], "route-map rmap-0ut")) << hits[0].message();
  EXPECT_TRUE(says(hits[0], "denies every route")) << hits[0].message();
  EXPECT_EQ(hits[1].line, line_of(text, "prefix-list nope"));
  EXPECT_EQ(hits[2].line, line_of(text, "match as-path azure-asn"));
  EXPECT_TRUE(says(hits[2], "as-path access-list azure-asn")) << hits[2].message();
  for (const auto& h : hits) EXPECT_EQ(h.severity, Severity::Error);
  EXPECT_TRUE(of_rule(findings, "config").empty()) << "the parser's warning is repeated:\n" << dump(findings);
}

TEST(LintUndefinedReference, EveryNameDefined_IsClean) {
  EXPECT_TRUE(of_rule(lint(kGood), "undefined-reference").empty());
}

// ---- ars-65515-out ---------------------------------------------------------------

TEST(LintArs65515Out, OutboundPermitsEverything_IsError) {
  const std::string text = replace(kGood, "route-map rmap-out deny 5\n match as-path azure-asns\nexit\n", "");
  auto findings = lint(text);
  auto hits = of_rule(findings, "ars-65515-out");
  ASSERT_EQ(hits.size(), 2u) << dump(findings);  // both route servers
  EXPECT_EQ(hits[0].severity, Severity::Error);
  EXPECT_EQ(hits[0].line, line_of(text, "neighbor 10.0.210.4 remote-as"));
  EXPECT_TRUE(says(hits[0], "AS path 65515")) << hits[0].message();
}

TEST(LintArs65515Out, PrefixListWiderThanOwnRoutes_LetsAzurePathsOut_IsError) {
  std::string text = replace(kGood, "route-map rmap-out out", "prefix-list supernet out");
  text = replace(text, "route-map rmap-out out", "prefix-list supernet out");
  text += "ip prefix-list supernet seq 5 permit 10.0.0.0/8 le 16\n";
  auto hits = of_rule(lint(text), "ars-65515-out");
  ASSERT_EQ(hits.size(), 2u);
  // A VNet /16 that ARS sent goes back to ARS.
  EXPECT_TRUE(says(hits[0], "/16 with AS path 65515")) << hits[0].message();
}

TEST(LintArs65515Out, PrefixListOfOwnRoutesOnly_IsClean) {
  // Only the supernet goes out, and for it the NVA's own route is always the best
  // path (local weight), so no learned path with 65515 is ever sent.
  std::string text = replace(kGood, "route-map rmap-out out", "prefix-list supernet out");
  text = replace(text, "route-map rmap-out out", "prefix-list supernet out");
  text += "ip prefix-list supernet seq 5 permit 10.0.0.0/8\n";
  auto findings = lint(text);
  EXPECT_TRUE(findings.empty()) << dump(findings);
}

TEST(LintArs65515Out, PrependOf65515OnOwnRoutes_IsError) {
  const std::string text = replace(kGood, "route-map rmap-out permit 10\n", "route-map rmap-out permit 10\n set as-path prepend 65515\n");
  auto hits = of_rule(lint(text), "ars-65515-out");
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_TRUE(says(hits[0], "its own 10.0.0.0/8 with AS path 65515")) << hits[0].message();
}

TEST(LintArs65515Out, DenyFirstOrNoPolicyUnderRfc8212_IsClean) {
  EXPECT_TRUE(of_rule(lint(kGood), "ars-65515-out").empty());
  // Under RFC 8212 a peer without outbound policy gets nothing at all (ebgp-no-policy says so).
  const std::string text = replace(kGood, "  neighbor 10.0.210.5 route-map rmap-out out\n", "");
  auto findings = lint(text);
  EXPECT_TRUE(of_rule(findings, "ars-65515-out").empty()) << dump(findings);
  EXPECT_EQ(of_rule(findings, "ebgp-no-policy").size(), 1u);
}

// ---- ars-route-limit -------------------------------------------------------------

std::string with_networks(int count) {
  std::string networks;
  for (int i = 0; i < count; ++i)
    networks += "  network 10." + std::to_string(1 + i / 256) + "." + std::to_string(i % 256) + ".0/24\n";
  return replace(kGood, "  network 10.0.0.0/8\n", networks);
}

TEST(LintArsRouteLimit, OverTheLimit_IsErrorPerRouteServer) {
  const std::string text = with_networks(1001);
  auto hits = of_rule(lint(text), "ars-route-limit");
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].severity, Severity::Error);
  EXPECT_EQ(hits[0].line, line_of(text, "neighbor 10.0.210.4 remote-as"));
  EXPECT_TRUE(says(hits[0], "1001 prefixes")) << hits[0].message();
  EXPECT_TRUE(says(hits[0], "cannot be known")) << hits[0].message();
}

TEST(LintArsRouteLimit, OverHalf_IsWarningBecauseReannouncingCountsTwice) {
  auto hits = of_rule(lint(with_networks(501)), "ars-route-limit");
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].severity, Severity::Warning);
  EXPECT_TRUE(says(hits[0], "twice")) << hits[0].message();
}

TEST(LintArsRouteLimit, LimitOption_IsHonoured) {
  auto hits = of_rule(lint(with_networks(300), LintOptions{.ars_route_limit = 250, .gateway_subnet = {}}), "ars-route-limit");
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].severity, Severity::Error);
  EXPECT_TRUE(of_rule(lint(with_networks(300), LintOptions{.ars_route_limit = 4000, .gateway_subnet = {}}), "ars-route-limit").empty());
}

TEST(LintArsRouteLimit, HalfOrUnderOrFilteredOut_IsClean) {
  EXPECT_TRUE(of_rule(lint(with_networks(500)), "ars-route-limit").empty());
  // 1001 networks, but the outbound policy passes none of them
  std::string text = replace(with_networks(1001), "route-map rmap-out permit 10\n",
                             "route-map rmap-out permit 10\n match ip address prefix-list supernet\n");
  text += "ip prefix-list supernet seq 5 permit 10.0.0.0/8\n";
  auto findings = lint(text);
  EXPECT_TRUE(of_rule(findings, "ars-route-limit").empty()) << dump(findings);
}

// ---- ars-asymmetric --------------------------------------------------------------

TEST(LintArsAsymmetric, OneRouteServerFilteredDifferently_IsError) {
  std::string text = replace(kGood, "  neighbor 10.0.210.5 route-map rmap-out out\n",
                             "  neighbor 10.0.210.5 route-map rmap-out out\n  neighbor 10.0.210.5 prefix-list no-super out\n");
  text += "ip prefix-list no-super seq 5 deny 10.0.0.0/8\nip prefix-list no-super seq 10 permit any\n";
  auto hits = of_rule(lint(text), "ars-asymmetric");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].severity, Severity::Error);
  EXPECT_EQ(hits[0].line, line_of(text, "neighbor 10.0.210.5 remote-as"));
  EXPECT_TRUE(says(hits[0], "its own 10.0.0.0/8 is sent to 10.0.210.4 only")) << hits[0].message();
}

TEST(LintArsAsymmetric, DifferentAttributes_IsError) {
  std::string text = replace(kGood, "  neighbor 10.0.210.5 route-map rmap-out out\n",
                             "  neighbor 10.0.210.5 route-map rmap-out-5 out\n");
  text += "route-map rmap-out-5 deny 5\n match as-path azure-asns\nexit\nroute-map rmap-out-5 permit 10\n set metric 50\nexit\n";
  auto hits = of_rule(lint(text), "ars-asymmetric");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].severity, Severity::Error);
  EXPECT_TRUE(says(hits[0], "different attributes")) << hits[0].message();
}

TEST(LintArsAsymmetric, SameResultUnderTwoNames_IsWarning) {
  std::string text = replace(kGood, "  neighbor 10.0.210.5 route-map rmap-out out\n",
                             "  neighbor 10.0.210.5 route-map rmap-out-5 out\n");
  text += "route-map rmap-out-5 deny 5\n match as-path azure-asns\nexit\nroute-map rmap-out-5 permit 10\nexit\n";
  auto hits = of_rule(lint(text), "ars-asymmetric");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].severity, Severity::Warning);
}

TEST(LintArsAsymmetric, SamePolicyForBoth_IsClean) {
  EXPECT_TRUE(of_rule(lint(kGood), "ars-asymmetric").empty());
}

// ---- blackhole-covers-ars --------------------------------------------------------

TEST(LintBlackholeCoversArs, NoRouteToTheRouteServers_IsErrorOnTheBlackhole) {
  const std::string text = replace(kGood, "ip route 10.0.210.0/24 10.0.0.1\n", "");
  auto findings = lint(text);
  auto hits = of_rule(findings, "blackhole-covers-ars");
  ASSERT_EQ(hits.size(), 2u) << dump(findings);  // one per route server
  EXPECT_EQ(hits[0].severity, Severity::Error);
  EXPECT_EQ(hits[0].line, line_of(text, "ip route 10.0.0.0/8 blackhole"));
  EXPECT_TRUE(says(hits[0], "route server 10.0.210.4")) << hits[0].message();
}

TEST(LintBlackholeCoversArs, NetworkBackedByBlackholeCoversGatewaySubnet_IsError) {
  std::string text = replace(kGood, "ip route 10.0.0.0/8 blackhole\n", "");
  text = replace(text, "ip route 10.0.200.0/24 10.0.0.1\n", "");
  const LintOptions options{.gateway_subnet = Ipv4Prefix::parse("10.0.200.0/24")};
  auto hits = of_rule(lint(text, options), "blackhole-covers-ars");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].line, line_of(text, "network 10.0.0.0/8"));
  EXPECT_TRUE(says(hits[0], "GatewaySubnet 10.0.200.0/24")) << hits[0].message();
  // Unknown GatewaySubnet: only the route servers are checked, and they are routed.
  EXPECT_TRUE(of_rule(lint(text), "blackhole-covers-ars").empty());
}

TEST(LintBlackholeCoversArs, MoreSpecificRoutesInPieces_IsClean) {
  const std::string text = replace(kGood, "ip route 10.0.200.0/24 10.0.0.1\n",
                                   "ip route 10.0.200.0/25 10.0.0.1\nip route 10.0.200.128/25 10.0.0.1\n");
  const LintOptions options{.gateway_subnet = Ipv4Prefix::parse("10.0.200.0/24")};
  auto findings = lint(text, options);
  EXPECT_TRUE(of_rule(findings, "blackhole-covers-ars").empty()) << dump(findings);
  // Half of it is not enough.
  const std::string half = replace(kGood, "ip route 10.0.200.0/24 10.0.0.1\n", "ip route 10.0.200.0/25 10.0.0.1\n");
  EXPECT_EQ(of_rule(lint(half, options), "blackhole-covers-ars").size(), 1u);
}

TEST(LintBlackholeCoversArs, MoreSpecificBlackholeDoesNotHelp) {
  const std::string text = replace(kGood, "ip route 10.0.210.0/24 10.0.0.1\n", "ip route 10.0.210.0/24 blackhole\n");
  auto hits = of_rule(lint(text), "blackhole-covers-ars");
  // the /8 and the /24 each cover both route servers
  EXPECT_EQ(hits.size(), 4u) << dump(hits);
}

// ---- reserved-asn ----------------------------------------------------------------

TEST(LintReservedAsn, AzureIanaAndFourOctet_AreErrors) {
  for (const char* asn : {"8074", "8075", "12076", "65515", "65517", "65520", "23456", "64496", "64511", "65535",
                          "65536", "65551", "65552", "4200000000"}) {
    const std::string text = replace(kGood, "router bgp 65001", std::string("router bgp ") + asn);
    auto hits = of_rule(lint(text), "reserved-asn");
    ASSERT_EQ(hits.size(), 1u) << asn;
    EXPECT_EQ(hits[0].severity, Severity::Error);
    EXPECT_EQ(hits[0].line, line_of(text, "router bgp"));
    EXPECT_TRUE(says(hits[0], asn)) << hits[0].message();
  }
}

TEST(LintReservedAsn, OrdinaryTwoOctet_IsClean) {
  for (const char* asn : {"65001", "64512", "65514", "65516", "65521", "65534", "64495", "8073", "23457"}) {
    auto hits = of_rule(lint(replace(kGood, "router bgp 65001", std::string("router bgp ") + asn)), "reserved-asn");
    EXPECT_TRUE(hits.empty()) << asn << ": " << dump(hits);
  }
}

// ---- ars-multihop ----------------------------------------------------------------

TEST(LintArsMultihop, RouteServerWithoutMultihop_IsWarning) {
  const std::string text = replace(kGood, " neighbor 10.0.210.5 ebgp-multihop 255\n", "");
  auto findings = lint(text);
  auto hits = of_rule(findings, "ars-multihop");
  ASSERT_EQ(hits.size(), 1u) << dump(findings);
  EXPECT_EQ(hits[0].severity, Severity::Warning);
  EXPECT_EQ(hits[0].line, line_of(text, "neighbor 10.0.210.5 remote-as"));
  EXPECT_FALSE(has_errors(findings)) << dump(findings);
}

TEST(LintArsMultihop, OtherPeerWithoutMultihop_IsClean) {
  std::string text = replace(kGood, " neighbor 10.0.210.5 ebgp-multihop 255\n",
                             " neighbor 10.0.210.5 ebgp-multihop 255\n neighbor 10.0.0.9 remote-as 65100\n");
  text = replace(text, "  network 10.0.0.0/8\n",
                 "  network 10.0.0.0/8\n  neighbor 10.0.0.9 route-map rmap-in in\n  neighbor 10.0.0.9 route-map rmap-out out\n");
  auto findings = lint(text);
  EXPECT_TRUE(of_rule(findings, "ars-multihop").empty()) << dump(findings);
  EXPECT_TRUE(findings.empty()) << dump(findings);
}

// ---- remote-as-external ----------------------------------------------------------

TEST(LintRemoteAsExternal, RouteServerWrittenAsExternal_SaysWhatWasNotChecked) {
  const std::string text = replace(kGood, " neighbor 10.0.210.5 remote-as 65515\n",
                                   " neighbor 10.0.210.5 remote-as external\n");
  auto findings = lint(text);
  auto hits = of_rule(findings, "remote-as-external");
  ASSERT_EQ(hits.size(), 1u) << dump(findings);
  EXPECT_EQ(hits[0].severity, Severity::Warning);
  EXPECT_EQ(hits[0].line, line_of(text, "neighbor 10.0.210.5 remote-as external"));
  EXPECT_TRUE(says(hits[0], "route-server rules")) << hits[0].message();
  EXPECT_FALSE(has_errors(findings)) << dump(findings);
  // Positive control: the same neighbor as 65515 gives no such finding.
  EXPECT_TRUE(of_rule(lint(kGood), "remote-as-external").empty());
}

// ---- network-no-route ------------------------------------------------------------

TEST(LintNetworkNoRoute, NetworkWithoutExactRouteUnderImportCheck_IsWarning) {
  const std::string text = replace(kGood, "ip route 10.0.0.0/8 blackhole\n", "ip route 10.0.0.0/9 blackhole\n");
  auto findings = lint(text);
  auto hits = of_rule(findings, "network-no-route");
  ASSERT_EQ(hits.size(), 1u) << dump(findings);
  EXPECT_EQ(hits[0].severity, Severity::Warning);
  EXPECT_EQ(hits[0].line, line_of(text, "network 10.0.0.0/8"));
  EXPECT_TRUE(says(hits[0], "ip route 10.0.0.0/8 blackhole")) << hits[0].message();
}

TEST(LintNetworkNoRoute, ExactRouteOrNoImportCheck_IsClean) {
  EXPECT_TRUE(of_rule(lint(kGood), "network-no-route").empty());
  const std::string no_route = replace(kGood, "ip route 10.0.0.0/8 blackhole\n", "");
  EXPECT_EQ(of_rule(lint(no_route), "network-no-route").size(), 1u) << "positive control";
  const std::string text = replace(no_route, "router bgp 65001\n", "router bgp 65001\n no bgp network import-check\n");
  auto findings = lint(text);
  EXPECT_TRUE(findings.empty()) << dump(findings);
}

// ---- the parser's warnings -------------------------------------------------------

TEST(LintConfig, ParserWarnings_ComeThroughAsConfigWarnings) {
  const std::string text = replace(kGood, "hostname nva\n", "hostname nva\nagentx\n");
  auto findings = lint(text);
  auto hits = of_rule(findings, "config");
  ASSERT_EQ(hits.size(), 1u) << dump(findings);
  EXPECT_EQ(hits[0].severity, Severity::Warning);
  EXPECT_EQ(hits[0].line, line_of(text, "agentx"));
  EXPECT_FALSE(has_errors(findings));
}

// ---- the fixtures ----------------------------------------------------------------

TEST(LintFixtures, SeedVerbatim_FlagsTheLoTrapOnly) {
  const std::string text = read_fixture("configs/nva-seed.frr");
  auto parsed = parse_frr_config(text, "nva-seed.frr");
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  auto findings = lint_config(parsed.value());
  ASSERT_EQ(findings.size(), 1u) << dump(findings);
  EXPECT_EQ(findings[0].rule, "lo-prefix");
  EXPECT_EQ(findings[0].severity, Severity::Error);
  EXPECT_EQ(findings[0].line, 12);
  EXPECT_TRUE(says(findings[0], "next hop 10.0.0.1 of line 9")) << findings[0].message();
  // Knowing the GatewaySubnet: the supernet (the built-in NVA backs it with a
  // blackhole) covers it, and the seed has no route for it.
  auto with_gateway = lint_config(parsed.value(), LintOptions{.gateway_subnet = Ipv4Prefix::parse("10.0.200.0/24")});
  ASSERT_EQ(with_gateway.size(), 2u) << dump(with_gateway);
  EXPECT_EQ(with_gateway[1].rule, "blackhole-covers-ars");
  EXPECT_EQ(with_gateway[1].line, 22);
}

TEST(LintFixtures, FixedConfig_HasNoFindings) {
  auto parsed = parse_frr_config(read_fixture("configs/nva-fixed.frr"), "nva-fixed.frr");
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  auto findings = lint_config(parsed.value(), LintOptions{.gateway_subnet = Ipv4Prefix::parse("10.0.200.0/24")});
  EXPECT_TRUE(findings.empty()) << dump(findings);
  EXPECT_TRUE(lint_config(parsed.value()).empty());
}

TEST(LintFixtures, SeedPeerGroup_FlagsTheLoTrapOnly) {
  auto parsed = parse_frr_config(read_fixture("configs/nva-seed-peer-group.frr"), "nva-seed-peer-group.frr");
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  auto findings = lint_config(parsed.value());
  ASSERT_EQ(findings.size(), 1u) << dump(findings);
  EXPECT_EQ(findings[0].rule, "lo-prefix");
}

// Configs written the way FRR users write them, not derived from the seed: each has a
// line outside the subset inside a block, before the lines lint must see.
TEST(LintFixtures, UnseenShowRunningConfig_PeerGroupNull0LineVty_OnlyTheUnknownLine) {
  auto parsed = parse_frr_config(read_fixture("configs/unseen-show-run.frr"), "unseen-show-run.frr");
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  ASSERT_EQ(parsed->config.bgp->neighbors.size(), 2u);  // both members, after 'bgp bestpath' on line 13
  auto findings = lint_config(parsed.value(), LintOptions{.gateway_subnet = Ipv4Prefix::parse("10.0.200.0/24")});
  ASSERT_EQ(findings.size(), 1u) << dump(findings);
  EXPECT_EQ(findings[0].rule, "config");
  EXPECT_EQ(findings[0].line, 13);
  EXPECT_EQ(findings[0].severity, Severity::Warning);
}

TEST(LintFixtures, UnseenLoSupernetAfterAnIpv6Address_IsLoPrefixOnItsLine) {
  const std::string text = read_fixture("configs/unseen-lo-supernet.frr");
  auto findings = lint(text);
  auto lo = of_rule(findings, "lo-prefix");
  ASSERT_EQ(lo.size(), 1u) << dump(findings);
  EXPECT_EQ(lo[0].line, line_of(text, "ip address 172.16.0.1/12"));
  EXPECT_TRUE(says(lo[0], "172.16.0.0/12")) << lo[0].message();
  EXPECT_EQ(findings.size(), 2u) << dump(findings);  // and the ipv6 address, as a config warning
}

TEST(LintFixtures, UnseenTypos_UndefinedNamesAndTheirEffectAfterAnUnknownLine) {
  const std::string text = read_fixture("configs/unseen-typos.frr");
  auto findings = lint(text);
  auto undefined = of_rule(findings, "undefined-reference");
  ASSERT_EQ(undefined.size(), 2u) << dump(findings);
  EXPECT_EQ(undefined[0].line, line_of(text, "route-map ARS-INN in"));
  EXPECT_EQ(undefined[1].line, line_of(text, "match as-path azz"));
  // 'azz' never matches, so 'deny 5' denies nothing and Azure's paths go back out.
  auto out = of_rule(findings, "ars-65515-out");
  ASSERT_EQ(out.size(), 1u) << dump(findings);
  EXPECT_EQ(out[0].line, line_of(text, "neighbor 10.0.210.4 remote-as 65515"));
  EXPECT_EQ(findings.size(), 4u) << dump(findings);  // and 'bgp graceful-restart', a config warning
}

// ---- reports ---------------------------------------------------------------------

TEST(LintReport, Text_OneLinePerFindingAndASummary) {
  const std::vector<Finding> findings = {
      {Severity::Error, 12, "lo-prefix", "what", "why", "fix"},
      {Severity::Warning, 20, "ars-multihop", "w", "", ""},
  };
  EXPECT_EQ(lint_report_text("f.frr", findings),
            "f.frr:12: error: [lo-prefix] what: why. Fix: fix\n"
            "f.frr:20: warning: [ars-multihop] w\n"
            "f.frr: 1 error, 1 warning\n");
  EXPECT_EQ(lint_report_text("f.frr", {}), "f.frr: no findings\n");
}

TEST(LintReport, Json_ArrayOfFindingsWithEveryField) {
  const std::vector<Finding> findings = {{Severity::Error, 12, "lo-prefix", "what", "why", "fix"}};
  auto json = nlohmann::json::parse(lint_report_json("f.frr", findings));
  ASSERT_TRUE(json.is_array());
  ASSERT_EQ(json.size(), 1u);
  EXPECT_EQ(json[0]["file"], "f.frr");
  EXPECT_EQ(json[0]["line"], 12);
  EXPECT_EQ(json[0]["severity"], "error");
  EXPECT_EQ(json[0]["rule"], "lo-prefix");
  EXPECT_EQ(json[0]["message"], "what: why. Fix: fix");
  EXPECT_EQ(json[0]["why"], "why");
  EXPECT_EQ(nlohmann::json::parse(lint_report_json("f.frr", {})), nlohmann::json::array());
}

}  // namespace
}  // namespace hairpin::bgpd
