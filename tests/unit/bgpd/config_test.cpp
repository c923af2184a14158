// FRR-config subset parser and printer: the seed config verbatim, warnings with
// line numbers, errors with file:line and a fix, and the normalised output.

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "hairpin/bgpd/config/config.hpp"
#include "fixture_text.hpp"
#include "hex.hpp"

namespace hairpin::bgpd {
namespace {

using test::ip;
using test::pfx;

using test::line_of;
using test::read_fixture;

ParsedConfig parse_ok(const std::string& text) {
  auto parsed = parse_frr_config(text, "test.frr");
  EXPECT_TRUE(parsed.ok()) << parsed.error().to_string();
  return parsed.ok() ? parsed.value() : ParsedConfig{};
}

// ---- the seed config, verbatim ------------------------------------------------

TEST(SeedConfig, ParsesVerbatim) {
  auto parsed = parse_frr_config(read_fixture("configs/nva-seed.frr"), "nva-seed.frr");
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  const auto& cfg = parsed->config;
  EXPECT_EQ(cfg.frr_version, "8.3.1");
  EXPECT_EQ(cfg.hostname, "vm-hub00");
  ASSERT_EQ(cfg.static_routes.size(), 1u);
  EXPECT_EQ(cfg.static_routes[0].prefix, pfx("10.0.210.0/24"));
  EXPECT_EQ(cfg.static_routes[0].next_hop, ip("10.0.0.1"));
  ASSERT_EQ(cfg.interface_addresses.size(), 1u);
  EXPECT_EQ(cfg.interface_addresses[0].interface, "lo");
  ASSERT_TRUE(cfg.bgp.has_value());
  EXPECT_EQ(cfg.bgp->asn, 65001u);
  EXPECT_TRUE(cfg.bgp->ebgp_requires_policy);  // frr version 8.3.1
  ASSERT_EQ(cfg.bgp->networks.size(), 1u);
  EXPECT_EQ(cfg.bgp->networks[0].prefix, pfx("10.0.0.0/8"));
  ASSERT_EQ(cfg.bgp->neighbors.size(), 2u);
  for (const char* addr : {"10.0.210.4", "10.0.210.5"}) {
    const auto* n = cfg.bgp->neighbor(ip(addr));
    ASSERT_NE(n, nullptr) << addr;
    EXPECT_EQ(n->remote_as, 65515u);
    EXPECT_EQ(n->ebgp_multihop, 255);
    EXPECT_TRUE(n->soft_reconfiguration_inbound);
    EXPECT_EQ(n->route_map_in, "rmap-bogon-asns");
    EXPECT_EQ(n->route_map_out, "rmap-azure-asns");
  }
  EXPECT_EQ(cfg.policy.as_path_lists.at("bogon-asns").entries.size(), 5u);
  EXPECT_EQ(cfg.policy.route_maps.at("rmap-bogon-asns").entries.size(), 2u);
}

TEST(SeedConfig, OnlyWarningIsTheLoopbackTrap) {
  const std::string text = read_fixture("configs/nva-seed.frr");
  auto parsed = parse_ok(text);
  ASSERT_EQ(parsed.warnings.size(), 1u);
  EXPECT_EQ(parsed.warnings[0].line, line_of(text, "ip address 10.0.0.1/8"));
  EXPECT_NE(parsed.warnings[0].message.find("blackhole"), std::string::npos);
}

struct SeedRoute {
  std::vector<std::uint32_t> path;
  FilterAction in, out;
};

TEST(SeedConfig, PolicyFromFileDecidesLikeFrr) {
  auto cfg = parse_ok(read_fixture("configs/nva-seed.frr")).config;
  const auto P = FilterAction::Permit, D = FilterAction::Deny;
  const std::vector<SeedRoute> table = {
      {{65515, 12076, 65100}, P, D}, {{0}, D, P},     {{23456}, D, P},        {{131072}, P, P},
      {{131071}, D, P},              {{65100}, D, P}, {{64512, 65515}, P, D}, {{}, P, P},
  };
  for (const auto& row : table) {
    PathAttributes attrs;
    attrs.origin = Origin::Igp;
    attrs.as_path = AsPath{{AsSegment{SegmentType::AsSequence, row.path}}};
    if (row.path.empty()) attrs.as_path = AsPath{};
    attrs.next_hop = ip("10.0.200.12");
    auto in = apply_route_map(cfg.policy, "rmap-bogon-asns", pfx("10.100.0.0/16"), attrs, {});
    auto out = apply_route_map(cfg.policy, "rmap-azure-asns", pfx("10.100.0.0/16"), attrs, {});
    EXPECT_EQ(in.action, row.in) << "in '" << attrs.as_path->to_string() << "'";
    EXPECT_EQ(out.action, row.out) << "out '" << attrs.as_path->to_string() << "'";
  }
}

TEST(SeedConfig, NormalisedOutputMatchesGolden) {
  // Refresh with HAIRPIN_UPDATE_GOLDEN=1 after an intended change; review the diff.
  auto cfg = parse_ok(read_fixture("configs/nva-seed.frr")).config;
  std::string printed = print_frr_config(cfg);
  const std::string golden = std::string(HAIRPIN_FIXTURES_DIR) + "/bgp/nva-seed.normalised.frr";
  if (std::getenv("HAIRPIN_UPDATE_GOLDEN")) std::ofstream(golden) << printed;
  EXPECT_EQ(printed, read_fixture("bgp/nva-seed.normalised.frr"));
}

TEST(SeedConfig, NormalisedOutputParsesBackToTheSameConfig) {
  auto first = parse_ok(read_fixture("configs/nva-seed.frr"));
  std::string printed = print_frr_config(first.config);
  auto second = parse_ok(printed);
  EXPECT_EQ(print_frr_config(second.config), printed);
  for (const auto& w : second.warnings)
    EXPECT_EQ(w.message.find("outside the supported subset"), std::string::npos) << w.line << ": " << w.message;
}

TEST(FixedConfig, ParsesWithoutWarnings) {
  auto parsed = parse_ok(read_fixture("configs/nva-fixed.frr"));
  for (const auto& w : parsed.warnings) ADD_FAILURE() << w.line << ": " << w.message;
  ASSERT_EQ(parsed.config.static_routes.size(), 3u);
  EXPECT_TRUE(parsed.config.static_routes[0].blackhole);
}

// ---- warnings -------------------------------------------------------------------

TEST(ConfigWarnings, UnknownLine_WarnsWithLineNumber) {
  auto parsed = parse_ok("hostname a\n!\nagentx\n");
  ASSERT_EQ(parsed.warnings.size(), 1u);
  EXPECT_EQ(parsed.warnings[0].line, 3);
  EXPECT_NE(parsed.warnings[0].message.find("agentx"), std::string::npos);
}

TEST(ConfigWarnings, LineVtyBlockOfShowRunningConfig_AcceptedSilently) {
  auto parsed = parse_ok("hostname a\nline vty\n exec-timeout 0 0\n no login\n ip prefix-list p permit 10.0.0.0/8\n"
                         "agentx\n");
  ASSERT_EQ(parsed.warnings.size(), 1u);  // the positive control: agentx is still unknown
  EXPECT_EQ(parsed.warnings[0].line, 6);
  EXPECT_EQ(parsed.config.policy.prefix_lists.count("p"), 1u);  // a config command leaves the vty block
}

TEST(ConfigWarnings, OtherAddressFamily_EveryLineWarned) {
  auto parsed = parse_ok("router bgp 65001\n address-family ipv6 unicast\n  network 2001:db8::/32\n exit-address-family\n");
  ASSERT_EQ(parsed.warnings.size(), 2u);
  EXPECT_EQ(parsed.warnings[0].line, 2);
  EXPECT_EQ(parsed.warnings[1].line, 3);
}

TEST(ConfigWarnings, UndefinedRouteMap_SaysFrrDeniesEverything) {
  auto parsed = parse_ok("router bgp 65001\n neighbor 10.0.0.1 remote-as 65002\n"
                         " address-family ipv4 unicast\n  neighbor 10.0.0.1 route-map typo in\n"
                         "  neighbor 10.0.0.1 route-map typo out\n exit-address-family\n");
  ASSERT_GE(parsed.warnings.size(), 1u);
  EXPECT_EQ(parsed.warnings[0].line, 4);
  EXPECT_NE(parsed.warnings[0].message.find("denies every route"), std::string::npos);
}

TEST(ConfigWarnings, EbgpWithoutPolicy_Rfc8212) {
  auto parsed = parse_ok("router bgp 65001\n neighbor 10.0.0.1 remote-as 65002\n");
  ASSERT_EQ(parsed.warnings.size(), 1u);
  EXPECT_EQ(parsed.warnings[0].line, 2);
  EXPECT_NE(parsed.warnings[0].message.find("RFC 8212"), std::string::npos);
  auto relaxed = parse_ok("router bgp 65001\n no bgp ebgp-requires-policy\n neighbor 10.0.0.1 remote-as 65002\n");
  EXPECT_TRUE(relaxed.warnings.empty());
  auto old = parse_ok("frr version 7.2\nrouter bgp 65001\n neighbor 10.0.0.1 remote-as 65002\n");
  EXPECT_TRUE(old.warnings.empty());  // defaults before 7.4 did not require policy
}

TEST(ConfigWarnings, HostBitsInNetwork_MaskedWithWarning) {
  auto parsed = parse_ok("router bgp 65001\n address-family ipv4 unicast\n  network 10.0.0.1/8\n");
  ASSERT_EQ(parsed.config.bgp->networks.size(), 1u);
  EXPECT_EQ(parsed.config.bgp->networks[0].prefix, pfx("10.0.0.0/8"));
  ASSERT_EQ(parsed.warnings.size(), 1u);
  EXPECT_EQ(parsed.warnings[0].line, 3);
}

// ---- FRR's command-node walking ---------------------------------------------------

TEST(ConfigNodes, TopLevelCommandEndsRouteMapWithoutExit) {
  auto parsed = parse_ok("route-map m permit 10\n match as-path a\nbgp as-path access-list a permit ^65\n");
  EXPECT_TRUE(parsed.warnings.empty());
  EXPECT_EQ(parsed.config.policy.as_path_lists.count("a"), 1u);
  EXPECT_EQ(parsed.config.policy.route_maps.at("m").entries[0].matches.size(), 1u);
}

TEST(ConfigNodes, UnknownLineInsideABlock_KeepsTheBlockAsFrrDoes) {
  // An unknown line must not end its block: the neighbors after 'bgp graceful-restart'
  // belong to router bgp, the address after 'ipv6 address' to interface lo.
  auto parsed = parse_ok("interface lo\n ipv6 address fd00::1/128\n ip address 172.16.0.1/12\nexit\n"
                         "router bgp 65001\n bgp graceful-restart\n neighbor 10.0.210.4 remote-as 65515\n"
                         " address-family ipv4 unicast\n  neighbor 10.0.210.4 addpath-tx-all-paths\n"
                         "  network 172.16.0.0/12\n exit-address-family\nexit\n");
  ASSERT_EQ(parsed.config.interface_addresses.size(), 1u);
  EXPECT_EQ(parsed.config.interface_addresses[0].interface, "lo");
  ASSERT_TRUE(parsed.config.bgp);
  ASSERT_EQ(parsed.config.bgp->neighbors.size(), 1u);
  EXPECT_EQ(parsed.config.bgp->neighbors[0].remote_as, 65515u);
  ASSERT_EQ(parsed.config.bgp->networks.size(), 1u);
  EXPECT_EQ(parsed.config.bgp->networks[0].line, 10);
  std::vector<int> warned;
  for (const auto& w : parsed.warnings) warned.push_back(w.line);
  // 2 and 6 and 9 are unknown; 3 is the lo trap; 7 has no policy (RFC 8212). Nothing else.
  EXPECT_EQ(warned, (std::vector<int>{2, 3, 6, 7, 9}));
}

TEST(ConfigParse, AsdotAsNumbers_ReadAsRfc5396) {
  auto parsed = parse_ok("router bgp 1.10 as-notation dot\n neighbor 10.0.0.1 remote-as 0.65515\n"
                         " no bgp ebgp-requires-policy\nroute-map m permit 10\n set as-path prepend 1.10 65001\n");
  ASSERT_TRUE(parsed.config.bgp);
  EXPECT_EQ(parsed.config.bgp->asn, 65546u);
  EXPECT_EQ(parsed.config.bgp->neighbors.at(0).remote_as, 65515u);
  const auto& set = std::get<SetAsPathPrepend>(parsed.config.policy.route_maps.at("m").entries.at(0).sets.at(0));
  EXPECT_EQ(set.asns, (std::vector<std::uint32_t>{65546u, 65001u}));
}

TEST(ConfigNodes, AddressFamilyIpv4WithoutSafi_IsIpv4Unicast) {
  auto parsed = parse_ok("router bgp 65001\n neighbor 10.0.0.1 remote-as 65002\n address-family ipv4\n"
                         "  network 10.0.0.0/8\n  neighbor 10.0.0.1 route-map a in\n  neighbor 10.0.0.1 route-map a out\n"
                         " exit-address-family\n address-family ipv4 multicast\n  network 10.1.0.0/16\n exit-address-family\n"
                         "route-map a permit 10\n");
  ASSERT_EQ(parsed.config.bgp->networks.size(), 1u);
  EXPECT_EQ(parsed.config.bgp->networks[0].prefix, pfx("10.0.0.0/8"));
  EXPECT_EQ(parsed.config.bgp->neighbors[0].route_map_out, "a");
  ASSERT_EQ(parsed.warnings.size(), 2u);  // the positive control: multicast is still another address family
  EXPECT_EQ(parsed.warnings[0].line, 8);
  EXPECT_EQ(parsed.warnings[1].line, 9);
}

TEST(ConfigParse, NumberedCommunityLists_StandardUpTo99ExpandedFrom100) {
  auto parsed = parse_ok("bgp community-list 10 permit 65001:666\nbgp community-list 10 seq 10 deny 65001:1\n"
                         "bgp community-list 150 permit ^65001:\nroute-map m permit 10\n match community 10\n"
                         "route-map m permit 20\n match community 150\n");
  EXPECT_TRUE(parsed.warnings.empty()) << parsed.warnings.front().message;
  ASSERT_EQ(parsed.config.policy.community_lists.count("10"), 1u);
  EXPECT_FALSE(parsed.config.policy.community_lists.at("10").expanded);
  EXPECT_EQ(parsed.config.policy.community_lists.at("10").entries.size(), 2u);
  ASSERT_EQ(parsed.config.policy.community_lists.count("150"), 1u);
  EXPECT_TRUE(parsed.config.policy.community_lists.at("150").expanded);
  auto out_of_range = parse_ok("bgp community-list 501 permit 65001:666\n");
  EXPECT_EQ(out_of_range.warnings.size(), 1u);  // not a numbered list: outside the subset, as before
}

TEST(ConfigNodes, LegacyRouterLevelNeighborPolicy) {
  auto parsed = parse_ok("router bgp 65001\n neighbor 10.0.0.1 remote-as 65002\n neighbor 10.0.0.1 route-map a in\n"
                         " neighbor 10.0.0.1 route-map a out\nroute-map a permit 10\n");
  EXPECT_TRUE(parsed.warnings.empty());
  EXPECT_EQ(parsed.config.bgp->neighbors[0].route_map_in, "a");
}

TEST(ConfigNodes, SequenceNumbersDefaultToStepsOfFive) {
  auto parsed = parse_ok("bgp as-path access-list a permit ^65\nbgp as-path access-list a deny _0_\n"
                         "ip prefix-list p permit 10.0.0.0/8\nip prefix-list p permit 10.0.0.0/8 le 24\n");
  EXPECT_EQ(parsed.config.policy.as_path_lists.at("a").entries[1].seq, 10u);
  EXPECT_EQ(parsed.config.policy.prefix_lists.at("p").entries[1].seq, 10u);
}

TEST(ConfigParse, RouteMapClauses_AllKinds) {
  auto parsed = parse_ok(
      "route-map m permit 10\n match ip address prefix-list p\n match community c exact-match\n"
      " set as-path prepend 65001 65001\n set local-preference +20\n set metric 5\n"
      " set community 65001:1 no-export additive\n set ip next-hop peer-address\n call sub\n on-match goto 30\n"
      "route-map sub permit 10\nip prefix-list p seq 5 permit any\nbgp community-list standard c permit 65001:1\n");
  const auto& e = parsed.config.policy.route_maps.at("m").entries[0];
  EXPECT_EQ(e.matches.size(), 2u);
  EXPECT_EQ(e.sets.size(), 5u);
  EXPECT_EQ(e.call, "sub");
  EXPECT_EQ(e.exit_policy, ExitPolicy::Goto);
  EXPECT_EQ(e.goto_seq, 30u);
  // and it prints back to the same text
  EXPECT_EQ(print_frr_config(parse_ok(print_frr_config(parsed.config)).config), print_frr_config(parsed.config));
}

// ---- maximum-prefix, as FRR spells it ----------------------------------------------

const NeighborConfig& only_neighbor(const ParsedConfig& p) { return p.config.bgp->neighbors.at(0); }

std::string with_max_prefix(const std::string& args) {
  return "router bgp 65001\n neighbor 10.0.210.4 remote-as 65515\n address-family ipv4 unicast\n"
         "  neighbor 10.0.210.4 maximum-prefix " + args + "\n exit-address-family\nexit\n";
}

TEST(MaximumPrefix, LimitAlone_DefaultThreshold75NoRestart) {
  auto n = only_neighbor(parse_ok(with_max_prefix("1000")));
  EXPECT_EQ(n.maximum_prefix, 1000u);
  EXPECT_EQ(n.maximum_prefix_threshold, 75);
  EXPECT_FALSE(n.maximum_prefix_restart);
  EXPECT_FALSE(n.maximum_prefix_warning_only);
}

TEST(MaximumPrefix, ThresholdAndRestart) {
  auto n = only_neighbor(parse_ok(with_max_prefix("1000 90 restart 5")));
  EXPECT_EQ(n.maximum_prefix, 1000u);
  EXPECT_EQ(n.maximum_prefix_threshold, 90);
  EXPECT_EQ(n.maximum_prefix_restart, 5);
}

TEST(MaximumPrefix, WarningOnlyWithoutThreshold) {
  auto n = only_neighbor(parse_ok(with_max_prefix("1000 warning-only")));
  EXPECT_TRUE(n.maximum_prefix_warning_only);
  EXPECT_EQ(n.maximum_prefix_threshold, 75);
}

TEST(MaximumPrefix, PrintsLikeFrrRunningConfig) {
  // FRR omits the default threshold 75 and keeps N, threshold, warning-only, restart
  for (auto [in, printed] : std::vector<std::pair<std::string, std::string>>{
           {"1000", "maximum-prefix 1000\n"},
           {"1000 75 restart 5", "maximum-prefix 1000 restart 5\n"},
           {"1000 80 warning-only", "maximum-prefix 1000 80 warning-only\n"},
           {"900 restart 1", "maximum-prefix 900 restart 1\n"}}) {
    auto text = print_frr_config(parse_ok(with_max_prefix(in)).config);
    EXPECT_NE(text.find("  neighbor 10.0.210.4 " + printed), std::string::npos) << in << " printed as:\n" << text;
    EXPECT_EQ(print_frr_config(parse_ok(text).config), text) << in;
  }
}

TEST(NeighborTimers, ConnectRetry_ParsedAndPrintedLikeFrr) {
  auto parsed = parse_ok("router bgp 65001\n neighbor 10.0.0.1 remote-as 65002\n neighbor 10.0.0.1 timers 10 30\n"
                         " neighbor 10.0.0.1 timers connect 5\nexit\n");
  const auto& n = only_neighbor(parsed);
  EXPECT_EQ(n.connect_retry, 5);
  EXPECT_EQ(n.keepalive, 10);  // the other timers line stays as it was
  auto printed = print_frr_config(parsed.config);
  EXPECT_NE(printed.find(" neighbor 10.0.0.1 timers 10 30\n neighbor 10.0.0.1 timers connect 5\n"), std::string::npos)
      << printed;
}

// ---- peer-groups ------------------------------------------------------------------

// Everything a neighbor's session and policy depend on, for comparing configs.
std::string effective(const NeighborConfig& n) {
  std::ostringstream o;
  auto opt = [&](const auto& v) -> std::string {
    if (!v) return "-";
    std::ostringstream x;
    x << +*v;
    return x.str();
  };
  auto str = [](const std::optional<std::string>& v) { return v.value_or("-"); };
  o << n.address.to_string() << " as " << n.remote_as << " multihop " << opt(n.ebgp_multihop) << " source "
    << str(n.update_source) << " timers " << opt(n.keepalive) << '/' << opt(n.hold_time) << " shutdown " << n.shutdown
    << " activate " << n.activate << " soft " << n.soft_reconfiguration_inbound << " nhs " << n.next_hop_self
    << " rm " << str(n.route_map_in) << '/' << str(n.route_map_out) << " pl " << str(n.prefix_list_in) << '/'
    << str(n.prefix_list_out) << " max " << opt(n.maximum_prefix) << ' ' << +n.maximum_prefix_threshold << ' '
    << opt(n.maximum_prefix_restart) << ' ' << n.maximum_prefix_warning_only;
  return o.str();
}

TEST(PeerGroup, SeedWithAPeerGroup_SameNeighborsAsTheSeed) {
  auto plain = parse_ok(read_fixture("configs/nva-seed.frr")).config;
  auto grouped = parse_ok(read_fixture("configs/nva-seed-peer-group.frr")).config;
  ASSERT_EQ(grouped.bgp->neighbors.size(), plain.bgp->neighbors.size());
  for (std::size_t i = 0; i < plain.bgp->neighbors.size(); ++i) {
    EXPECT_EQ(effective(grouped.bgp->neighbors[i]), effective(plain.bgp->neighbors[i]));
    EXPECT_EQ(grouped.bgp->neighbors[i].peer_group, "ARS");
  }
}

TEST(PeerGroup, NormalisedOutputMatchesGolden) {
  // Refresh with HAIRPIN_UPDATE_GOLDEN=1 after an intended change; review the diff.
  auto printed = print_frr_config(parse_ok(read_fixture("configs/nva-seed-peer-group.frr")).config);
  const std::string golden = std::string(HAIRPIN_FIXTURES_DIR) + "/bgp/nva-seed-peer-group.normalised.frr";
  if (std::getenv("HAIRPIN_UPDATE_GOLDEN")) std::ofstream(golden) << printed;
  EXPECT_EQ(printed, read_fixture("bgp/nva-seed-peer-group.normalised.frr"));
  EXPECT_EQ(print_frr_config(parse_ok(printed).config), printed);  // and it reads back the same
}

const char* kGroupWithEverything = R"(router bgp 65001
 neighbor ARS peer-group
 neighbor ARS remote-as 65515
 neighbor ARS ebgp-multihop 255
 neighbor ARS update-source 10.0.0.4
 neighbor ARS timers 10 30
 neighbor 10.0.210.4 peer-group ARS
 neighbor 10.0.210.5 remote-as 65515
 neighbor 10.0.210.5 timers 20 60
 neighbor 10.0.210.5 peer-group ARS
 address-family ipv4 unicast
  neighbor ARS soft-reconfiguration inbound
  neighbor ARS route-map in-map in
  neighbor ARS route-map out-map out
  neighbor ARS prefix-list out-list out
  neighbor ARS maximum-prefix 1000 90 restart 5
  neighbor 10.0.210.5 route-map other-in in
  neighbor 10.0.210.5 maximum-prefix 500 warning-only
 exit-address-family
exit
)";

TEST(RemoteAs, ExternalAndInternal_AsFrrReadsThem_PrintedBackTheSame) {
  const std::string text =
      "router bgp 65001\n"
      " neighbor ARS peer-group\n"
      " neighbor ARS remote-as external\n"
      " neighbor 10.0.210.4 peer-group ARS\n"
      " neighbor 10.0.210.6 remote-as external\n"
      " neighbor 10.0.0.5 remote-as internal\n"
      "exit\n";
  auto parsed = parse_ok(text);
  const auto* member = parsed.config.bgp->neighbor(ip("10.0.210.4"));
  const auto* plain = parsed.config.bgp->neighbor(ip("10.0.210.6"));
  const auto* ibgp = parsed.config.bgp->neighbor(ip("10.0.0.5"));
  ASSERT_TRUE(member && plain && ibgp);
  EXPECT_TRUE(member->remote_as_external);
  EXPECT_TRUE(plain->remote_as_external);
  EXPECT_EQ(plain->remote_as, 0u);
  EXPECT_FALSE(ibgp->remote_as_external);
  EXPECT_EQ(ibgp->remote_as, 65001u);
  const std::string printed = print_frr_config(parsed.config);
  EXPECT_NE(printed.find(" neighbor ARS remote-as external\n"), std::string::npos) << printed;
  EXPECT_NE(printed.find(" neighbor 10.0.210.6 remote-as external\n"), std::string::npos) << printed;
  EXPECT_EQ(print_frr_config(parse_ok(printed).config), printed);
  // A member cannot override the group's external with a number (FRR refuses it too).
  auto refused = parse_frr_config(text + "router bgp 65001\n neighbor 10.0.210.4 remote-as 65515\nexit\n", "t.frr");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().what.find("peer-group ARS with remote-as external"), std::string::npos)
      << refused.error().to_string();
}

TEST(PeerGroup, MembersInheritEveryGroupSetting) {
  auto cfg = parse_ok(kGroupWithEverything).config;
  const auto* n = cfg.bgp->neighbor(ip("10.0.210.4"));
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->remote_as, 65515u);
  EXPECT_EQ(n->ebgp_multihop, 255);
  EXPECT_EQ(n->update_source, "10.0.0.4");
  EXPECT_EQ(n->keepalive, 10);
  EXPECT_EQ(n->hold_time, 30);
  EXPECT_TRUE(n->soft_reconfiguration_inbound);
  EXPECT_EQ(n->route_map_in, "in-map");
  EXPECT_EQ(n->route_map_out, "out-map");
  EXPECT_EQ(n->prefix_list_out, "out-list");
  EXPECT_EQ(n->maximum_prefix, 1000u);
  EXPECT_EQ(n->maximum_prefix_threshold, 90);
  EXPECT_EQ(n->maximum_prefix_restart, 5);
  EXPECT_TRUE(n->activate);
}

TEST(PeerGroup, MemberOverridesWin_GivenBeforeOrAfterTheGroupSetting) {
  auto cfg = parse_ok(kGroupWithEverything).config;
  const auto* n = cfg.bgp->neighbor(ip("10.0.210.5"));
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->keepalive, 20);  // set on the member before it joined
  EXPECT_EQ(n->hold_time, 60);
  EXPECT_EQ(n->route_map_in, "other-in");  // set after the group's
  EXPECT_EQ(n->route_map_out, "out-map");  // not overridden: the group's
  EXPECT_EQ(n->maximum_prefix, 500u);      // maximum-prefix overrides as a whole
  EXPECT_EQ(n->maximum_prefix_threshold, 75);
  EXPECT_FALSE(n->maximum_prefix_restart);
  EXPECT_TRUE(n->maximum_prefix_warning_only);
  EXPECT_EQ(n->ebgp_multihop, 255);  // inherited
}

TEST(PeerGroup, GroupSettingAfterMembersJoined_StillApplies) {
  auto cfg = parse_ok("router bgp 65001\n neighbor G peer-group\n neighbor G remote-as 65515\n"
                      " neighbor 10.0.0.1 peer-group G\n neighbor G ebgp-multihop 5\n neighbor G timers connect 7\nexit\n").config;
  EXPECT_EQ(cfg.bgp->neighbor(ip("10.0.0.1"))->ebgp_multihop, 5);
  EXPECT_EQ(cfg.bgp->neighbor(ip("10.0.0.1"))->connect_retry, 7);
}

TEST(PeerGroup, ActivateFollowsTheGroupUnlessTheMemberSaysOtherwise) {
  auto cfg = parse_ok("router bgp 65001\n neighbor G peer-group\n neighbor G remote-as 65515\n"
                      " neighbor 10.0.0.1 peer-group G\n neighbor 10.0.0.2 peer-group G\n"
                      " address-family ipv4 unicast\n  no neighbor G activate\n  neighbor 10.0.0.2 activate\n"
                      " exit-address-family\nexit\n").config;
  EXPECT_FALSE(cfg.bgp->neighbor(ip("10.0.0.1"))->activate);
  EXPECT_TRUE(cfg.bgp->neighbor(ip("10.0.0.2"))->activate);
  auto printed = print_frr_config(cfg);
  EXPECT_NE(printed.find("  no neighbor G activate\n  neighbor 10.0.0.2 activate\n"), std::string::npos) << printed;
  EXPECT_EQ(printed.find("no neighbor 10.0.0.1 activate"), std::string::npos) << printed;
}

TEST(PeerGroup, PrintsLikeFrrGroupThenMembersWithOnlyTheirOverrides) {
  auto printed = print_frr_config(parse_ok(kGroupWithEverything).config);
  const char* expected_router = R"(router bgp 65001
 neighbor ARS peer-group
 neighbor ARS remote-as 65515
 neighbor ARS ebgp-multihop 255
 neighbor ARS update-source 10.0.0.4
 neighbor ARS timers 10 30
 neighbor 10.0.210.4 peer-group ARS
 neighbor 10.0.210.5 peer-group ARS
 neighbor 10.0.210.5 timers 20 60
 !
 address-family ipv4 unicast
  neighbor ARS soft-reconfiguration inbound
  neighbor ARS prefix-list out-list out
  neighbor ARS route-map in-map in
  neighbor ARS route-map out-map out
  neighbor ARS maximum-prefix 1000 90 restart 5
  neighbor 10.0.210.5 route-map other-in in
  neighbor 10.0.210.5 maximum-prefix 500 warning-only
 exit-address-family
exit
)";
  EXPECT_NE(printed.find(expected_router), std::string::npos) << printed;
  EXPECT_EQ(print_frr_config(parse_ok(printed).config), printed);
}

TEST(PeerGroup, MemberRemoteAsPrintedWhenTheGroupHasNone) {
  auto printed = print_frr_config(parse_ok("router bgp 65001\n neighbor G peer-group\n"
                                           " neighbor 10.0.0.1 remote-as 65002\n neighbor 10.0.0.1 peer-group G\n"
                                           " neighbor G ebgp-multihop 3\nexit\n").config);
  EXPECT_NE(printed.find(" neighbor G peer-group\n neighbor G ebgp-multihop 3\n neighbor 10.0.0.1 remote-as 65002\n"
                         " neighbor 10.0.0.1 peer-group G\n"),
            std::string::npos)
      << printed;
}

// ---- errors: file:line and a fix ----------------------------------------------------

struct ErrorCase {
  const char* name;
  std::string text;
  int line;
  std::string what_contains;
};
void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }

class ConfigErrors : public testing::TestWithParam<ErrorCase> {};

TEST_P(ConfigErrors, FileLineAndFix) {
  auto parsed = parse_frr_config(GetParam().text, "test.frr");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().where, "test.frr:" + std::to_string(GetParam().line));
  EXPECT_NE(parsed.error().what.find(GetParam().what_contains), std::string::npos) << parsed.error().what;
  EXPECT_FALSE(parsed.error().fix.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Subset, ConfigErrors,
    testing::Values(
        ErrorCase{"AsZero", "!\nrouter bgp 0\n", 2, "AS number"},
        ErrorCase{"AsdotHalfTooBig", "router bgp 1.65536\n", 1, "AS number"},
        ErrorCase{"AsdotZero", "router bgp 0.0\n", 1, "AS number"},
        ErrorCase{"RouterBgpVrf", "router bgp 65001 vrf blue\n", 1, "VRFs"},
        ErrorCase{"BadRegex", "bgp as-path access-list x permit _655(15_\n", 1, "regular expression"},
        ErrorCase{"GeNotAboveLength", "ip prefix-list p seq 5 permit 10.0.0.0/8 ge 8\n", 1, "prefix range"},
        ErrorCase{"LeBelowLength", "ip prefix-list p seq 5 permit 10.0.0.0/16 le 8\n", 1, "prefix range"},
        ErrorCase{"DuplicateSeq", "ip prefix-list p seq 5 permit 10.0.0.0/8\nip prefix-list p seq 5 deny 10.0.0.0/8\n", 2, "twice"},
        ErrorCase{"NeighborBeforeRemoteAs", "router bgp 65001\n neighbor 10.0.0.1 route-map x in\n", 2, "before its remote-as"},
        ErrorCase{"PeerGroupUndefined", "router bgp 65001\n neighbor 10.0.0.1 peer-group ARS\n", 2, "peer-group ARS is not defined"},
        ErrorCase{"PeerGroupNamedLikeAnAddress", "router bgp 65001\n neighbor 10.0.0.1 peer-group\n", 2, "needs a name"},
        ErrorCase{"UnknownNeighborName", "router bgp 65001\n neighbor ARS remote-as 65515\n", 2, "neither an IPv4 address nor a peer-group"},
        ErrorCase{"PeerGroupWithoutRemoteAs",
                  "router bgp 65001\n neighbor ARS peer-group\n neighbor 10.0.0.1 peer-group ARS\n", 3, "neither has a remote-as"},
        ErrorCase{"MemberOverridesGroupRemoteAs",
                  "router bgp 65001\n neighbor ARS peer-group\n neighbor ARS remote-as 65515\n"
                  " neighbor 10.0.0.1 peer-group ARS\n neighbor 10.0.0.1 remote-as 65002\n", 5, "with remote-as 65515"},
        ErrorCase{"JoinWithOtherRemoteAs",
                  "router bgp 65001\n neighbor ARS peer-group\n neighbor ARS remote-as 65515\n"
                  " neighbor 10.0.0.1 remote-as 65002\n neighbor 10.0.0.1 peer-group ARS\n", 5, "has remote-as 65002"},
        ErrorCase{"TwoPeerGroups",
                  "router bgp 65001\n neighbor A peer-group\n neighbor A remote-as 65515\n neighbor B peer-group\n"
                  " neighbor B remote-as 65515\n neighbor 10.0.0.1 peer-group A\n neighbor 10.0.0.1 peer-group B\n", 7,
                  "already in peer-group A"},
        ErrorCase{"UnsupportedMatch", "route-map m permit 10\n match ip next-hop 1.1.1.1\n", 2, "not supported"},
        ErrorCase{"UnsupportedSet", "route-map m permit 10\n set weight 100\n", 2, "not supported"},
        ErrorCase{"GotoBackwards", "route-map m permit 10\n on-match goto 5\n", 2, "does not go forward"},
        ErrorCase{"RouteMapSeqTooBig", "route-map m permit 70000\n", 1, "1-65535"},
        ErrorCase{"FilterList", "router bgp 65001\n neighbor 10.0.0.1 remote-as 65002\n neighbor 10.0.0.1 filter-list x in\n", 3, "filter-list"},
        ErrorCase{"BadHoldTime", "router bgp 65001\n timers bgp 1 2\n", 2, "timers"},
        ErrorCase{"CiscoNetworkMask", "router bgp 65001\n network 10.0.0.0 mask 255.0.0.0\n", 2, "Cisco"},
        ErrorCase{"BadCommunity", "bgp community-list standard c permit 65536:1\n", 1, "community"},
        ErrorCase{"MaxPrefixZero", with_max_prefix("0"), 4, "is not 1-4294967295"},
        ErrorCase{"MaxPrefixThresholdOver100", with_max_prefix("1000 101"), 4, "threshold"},
        ErrorCase{"MaxPrefixRestartWithoutMinutes", with_max_prefix("1000 restart"), 4, "restart needs minutes"},
        ErrorCase{"MaxPrefixRestartAndWarningOnly", with_max_prefix("1000 warning-only restart 5"), 4, "unexpected 'restart 5'"},
        ErrorCase{"MaxPrefixForce", with_max_prefix("1000 force"), 4, "force"},
        ErrorCase{"NextHopSelfForce",
                  "router bgp 65001\n neighbor 10.0.0.1 remote-as 65001\n neighbor 10.0.0.1 next-hop-self force\n", 3,
                  "only plain next-hop-self"},
        ErrorCase{"ConnectTimerZero", "router bgp 65001\n neighbor 10.0.0.1 remote-as 65002\n neighbor 10.0.0.1 timers connect 0\n", 3, "connect timer"},
        ErrorCase{"TwoBgpInstances", "router bgp 65001\nexit\nrouter bgp 65002\n", 3, "second"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace hairpin::bgpd
