// RIB with the seed design's peers: the NVA (AS 65001) between two ARS instances
// (AS 65515) with the seed config's policy, plus a plain eBGP peer for transit.

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "hairpin/bgpd/config/config.hpp"
#include "hairpin/bgpd/wire/message_codec.hpp"
#include "hairpin/bgpd/rib/rib.hpp"
#include "hex.hpp"

namespace hairpin::bgpd {
namespace {

using test::ip;
using test::pfx;

const Ipv4Address kArs0 = test::ip("10.0.210.4");
const Ipv4Address kArs1 = test::ip("10.0.210.5");
const Ipv4Address kSite = test::ip("10.0.99.9");

PolicySet seed_policy() {
  std::ifstream in(HAIRPIN_FIXTURES_DIR "/configs/nva-seed.frr");
  std::stringstream text;
  text << in.rdbuf();
  auto policy = parse_frr_config(text.str(), "nva-seed.frr")->config.policy;
  policy.route_maps["all"] = RouteMap{"all", {RouteMapEntry{}}};  // permit 0, no match
  return policy;
}

RibPeer ars(Ipv4Address address) {
  RibPeer p;
  p.address = address;
  p.peer_as = 65515;
  p.local_address = ip("10.0.0.4");
  p.route_map_in = "rmap-bogon-asns";
  p.route_map_out = "rmap-azure-asns";
  return p;
}

RibPeer site() {
  RibPeer p;
  p.address = kSite;
  p.peer_as = 65100;
  p.local_address = ip("10.0.0.4");
  p.route_map_in = "all";
  p.route_map_out = "all";
  return p;
}

Negotiated session(Ipv4Address id, bool enhanced = true) {
  Negotiated n;
  n.peer_router_id = id;
  n.hold_time = 180;
  n.keepalive = 60;
  n.four_octet_as = true;
  n.route_refresh = true;
  n.enhanced_route_refresh = enhanced;
  return n;
}

RibOptions options() {
  RibOptions o;
  o.local_as = 65001;
  o.router_id = ip("10.0.0.4");
  return o;
}

Update announce(std::vector<std::uint32_t> path, std::vector<const char*> prefixes, const char* next_hop = "10.0.200.12") {
  Update u;
  u.attributes.origin = Origin::Igp;
  u.attributes.as_path = AsPath{{AsSegment{SegmentType::AsSequence, std::move(path)}}};
  u.attributes.next_hop = ip(next_hop);
  for (auto p : prefixes) u.nlri.push_back(pfx(p));
  return u;
}

Update withdraw(std::vector<const char*> prefixes) {
  Update u;
  for (auto p : prefixes) u.withdrawn.push_back(pfx(p));
  return u;
}

struct SeedRib : testing::Test {
  Rib rib{options(), seed_policy(), {ars(kArs0), ars(kArs1), site()}};
  void up_all() {
    rib.set_local_routes({LocalRoute{pfx("10.0.0.0/8"), std::nullopt}});
    rib.peer_up(kArs0, session(kArs0));
    rib.peer_up(kArs1, session(kArs1));
    rib.peer_up(kSite, session(kSite));
  }
};

TEST(RibRemoteAsExternal, ThePeersAsComesFromItsOpen_FirstAsEnforcedAgainstIt) {
  RibPeer external = ars(kArs0);
  external.peer_as = 0;  // `remote-as external`
  Rib rib{options(), seed_policy(), {external}};
  Negotiated up = session(kArs0);
  up.peer_as = 65515;
  up.external = true;
  rib.peer_up(kArs0, up);
  rib.receive(kArs0, announce({65515, 12076, 65100}, {"10.100.0.0/16"}));
  ASSERT_TRUE(rib.best(pfx("10.100.0.0/16")));  // its path starts with the AS its OPEN gave
  EXPECT_TRUE(rib.best(pfx("10.100.0.0/16"))->external);
  // enforce-first-as: a path that starts with another AS is not accepted.
  rib.receive(kArs0, announce({65100}, {"10.200.0.0/16"}));
  EXPECT_FALSE(rib.best(pfx("10.200.0.0/16")));
  EXPECT_EQ(rib.counts(kArs0)->received, 2u);  // positive control: both arrived
}

TEST_F(SeedRib, SupernetAdvertisedToEachArs_ThenEndOfRib) {
  rib.set_local_routes({LocalRoute{pfx("10.0.0.0/8"), std::nullopt}});
  for (auto peer : {kArs0, kArs1}) {
    auto out = rib.peer_up(peer, session(peer));
    auto updates = out.updates_for(peer);
    ASSERT_EQ(updates.size(), 2u);
    const auto& u = updates[0];
    EXPECT_EQ(u.nlri, std::vector<Ipv4Prefix>{pfx("10.0.0.0/8")});
    EXPECT_EQ(u.attributes.as_path->to_string(), "65001");
    EXPECT_EQ(u.attributes.next_hop, ip("10.0.0.4"));
    EXPECT_EQ(u.attributes.med, 0u);  // as FRR shows it: Metric 0
    EXPECT_EQ(u.attributes.origin, Origin::Igp);
    EXPECT_TRUE(updates[1].is_end_of_rib());
    EXPECT_EQ(rib.counts(peer)->advertised, 1u);
  }
}

TEST_F(SeedRib, SitePrefixFromArs_InstalledNeverSentBackToArs) {
  up_all();
  auto out = rib.receive(kArs0, announce({65515, 12076, 65100}, {"10.100.0.0/16"}));
  ASSERT_TRUE(rib.best(pfx("10.100.0.0/16")));
  EXPECT_EQ(out.fib, (std::vector<FibChange>{{pfx("10.100.0.0/16"), {ip("10.0.200.12")}}}));
  EXPECT_TRUE(out.updates_for(kArs0).empty());  // the sender
  EXPECT_TRUE(out.updates_for(kArs1).empty());  // rmap-azure-asns: 65515 in the path
  auto to_site = out.updates_for(kSite);
  ASSERT_EQ(to_site.size(), 1u);
  EXPECT_EQ(to_site[0].attributes.as_path->to_string(), "65001 65515 12076 65100");
  EXPECT_EQ(to_site[0].attributes.next_hop, ip("10.0.0.4"));
}

TEST_F(SeedRib, BogonPath_DroppedButKeptInAdjRibIn) {
  up_all();
  auto out = rib.receive(kArs0, announce({65515, 23456}, {"10.200.0.0/16"}));
  EXPECT_FALSE(rib.best(pfx("10.200.0.0/16")));
  EXPECT_TRUE(out.fib.empty());
  EXPECT_TRUE(rib.received(kArs0, pfx("10.200.0.0/16")));  // soft-reconfiguration inbound
}

TEST_F(SeedRib, PathNotStartingWithPeerAs_RejectedLikeFrrEnforceFirstAs) {
  up_all();
  rib.receive(kArs0, announce({65100}, {"10.200.0.0/16"}));
  EXPECT_FALSE(rib.best(pfx("10.200.0.0/16")));
}

TEST_F(SeedRib, OwnAsInPath_RejectedAsLoop) {
  up_all();
  rib.receive(kArs0, announce({65515, 65001}, {"10.200.0.0/16"}));
  EXPECT_FALSE(rib.best(pfx("10.200.0.0/16")));
}

TEST_F(SeedRib, UnchangedRoute_NeverReannounced) {
  up_all();
  auto first = rib.receive(kSite, announce({65100}, {"192.0.2.0/24"}, "10.0.99.9"));
  EXPECT_EQ(first.updates_for(kArs0).size(), 1u);
  auto again = rib.receive(kSite, announce({65100}, {"192.0.2.0/24"}, "10.0.99.9"));
  EXPECT_TRUE(again.send.empty());
  auto relocal = rib.set_local_routes({LocalRoute{pfx("10.0.0.0/8"), std::nullopt}});
  EXPECT_TRUE(relocal.send.empty());
  EXPECT_EQ(rib.counts(kArs0)->announcements, 2u);  // supernet + 192.0.2.0/24, once each
}

TEST_F(SeedRib, TransitRouteWithdrawn_WithdrawSentToArs) {
  up_all();
  rib.receive(kSite, announce({65100}, {"192.0.2.0/24"}, "10.0.99.9"));
  auto out = rib.receive(kSite, withdraw({"192.0.2.0/24"}));
  auto to_ars = out.updates_for(kArs0);
  ASSERT_EQ(to_ars.size(), 1u);
  EXPECT_EQ(to_ars[0].withdrawn, std::vector<Ipv4Prefix>{pfx("192.0.2.0/24")});
  EXPECT_EQ(out.fib, (std::vector<FibChange>{{pfx("192.0.2.0/24"), {}}}));
}

TEST_F(SeedRib, SameRouteFromBothArs_OlderPathWins) {
  up_all();
  rib.receive(kArs1, announce({65515, 12076, 65100}, {"10.100.0.0/16"}));
  rib.receive(kArs0, announce({65515, 12076, 65100}, {"10.100.0.0/16"}));
  const auto e = rib.best(pfx("10.100.0.0/16")).value();
  EXPECT_EQ(e.from, kArs1);
  EXPECT_EQ(e.decided_by, BestPathStep::OldestExternal);
}

TEST_F(SeedRib, BestPeerGoesDown_OtherArsTakesOver) {
  up_all();
  rib.receive(kArs0, announce({65515, 12076, 65100}, {"10.100.0.0/16"}, "10.0.200.12"));
  rib.receive(kArs1, announce({65515, 12076, 65100}, {"10.100.0.0/16"}, "10.0.200.13"));
  auto out = rib.peer_down(kArs0);
  EXPECT_EQ(rib.best(pfx("10.100.0.0/16"))->from, kArs1);
  EXPECT_EQ(out.fib, (std::vector<FibChange>{{pfx("10.100.0.0/16"), {ip("10.0.200.13")}}}));
  auto gone = rib.peer_down(kArs1);
  EXPECT_EQ(gone.fib, (std::vector<FibChange>{{pfx("10.100.0.0/16"), {}}}));
}

TEST(Rib, MaximumPaths_EcmpAcrossBothErgwInstances) {
  RibOptions o = options();
  o.maximum_paths = 2;
  Rib rib(o, seed_policy(), {ars(kArs0), ars(kArs1)});
  rib.peer_up(kArs0, session(kArs0));
  rib.peer_up(kArs1, session(kArs1));
  rib.receive(kArs0, announce({65515, 12076, 65100}, {"10.100.0.0/16"}, "10.0.200.12"));
  auto out = rib.receive(kArs1, announce({65515, 12076, 65100}, {"10.100.0.0/16"}, "10.0.200.13"));
  EXPECT_EQ(out.fib, (std::vector<FibChange>{{pfx("10.100.0.0/16"), {ip("10.0.200.12"), ip("10.0.200.13")}}}));
  // Same next hop from both instances: one FIB next hop.
  rib.receive(kArs1, announce({65515, 12076, 65100}, {"10.100.0.0/16"}, "10.0.200.12"));
  EXPECT_EQ(rib.best(pfx("10.100.0.0/16"))->next_hops, std::vector<Ipv4Address>{ip("10.0.200.12")});
}

TEST_F(SeedRib, RouteRefresh_FullResendBetweenBorrAndEorr) {
  up_all();
  auto before = rib.counts(kArs0)->announcements;
  auto out = rib.route_refresh(kArs0, RouteRefresh{AfiSafi{}, RouteRefreshSubtype::Normal});
  ASSERT_EQ(out.send.size(), 3u);
  EXPECT_EQ(std::get<RouteRefresh>(out.send[0].message).subtype, RouteRefreshSubtype::BeginningOfRouteRefresh);
  EXPECT_EQ(std::get<Update>(out.send[1].message).nlri, std::vector<Ipv4Prefix>{pfx("10.0.0.0/8")});
  EXPECT_EQ(std::get<RouteRefresh>(out.send[2].message).subtype, RouteRefreshSubtype::EndOfRouteRefresh);
  EXPECT_EQ(rib.counts(kArs0)->announcements, before + 1);
}

TEST(Rib, RouteRefreshWithoutEnhancedCapability_JustTheTable) {
  Rib rib(options(), seed_policy(), {ars(kArs0)});
  rib.set_local_routes({LocalRoute{pfx("10.0.0.0/8"), std::nullopt}});
  rib.peer_up(kArs0, session(kArs0, false));
  auto out = rib.route_refresh(kArs0, RouteRefresh{AfiSafi{}, RouteRefreshSubtype::Normal});
  ASSERT_EQ(out.send.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<Update>(out.send[0].message));
}

TEST(Rib, NoPolicyOnEbgpPeer_Rfc8212NothingInNothingOut) {
  RibPeer bare = ars(kArs0);
  bare.route_map_in.reset();
  bare.route_map_out.reset();
  Rib rib(options(), seed_policy(), {bare});
  rib.set_local_routes({LocalRoute{pfx("10.0.0.0/8"), std::nullopt}});
  auto up = rib.peer_up(kArs0, session(kArs0));
  ASSERT_EQ(up.updates_for(kArs0).size(), 1u);  // only End-of-RIB
  EXPECT_TRUE(up.updates_for(kArs0)[0].is_end_of_rib());
  rib.receive(kArs0, announce({65515}, {"10.100.0.0/16"}));
  EXPECT_FALSE(rib.best(pfx("10.100.0.0/16")));
  RibOptions relaxed = options();
  relaxed.ebgp_requires_policy = false;
  Rib open(relaxed, seed_policy(), {bare});
  open.peer_up(kArs0, session(kArs0));
  open.receive(kArs0, announce({65515}, {"10.100.0.0/16"}));
  EXPECT_TRUE(open.best(pfx("10.100.0.0/16")));
}

TEST(Rib, MaximumPrefixExceeded_Reported) {
  RibPeer limited = ars(kArs0);
  limited.maximum_prefix = 2;
  Rib rib(options(), seed_policy(), {limited});
  rib.peer_up(kArs0, session(kArs0));
  auto ok = rib.receive(kArs0, announce({65515}, {"10.100.0.0/16", "10.200.0.0/16"}));
  EXPECT_TRUE(ok.problems.empty());
  auto over = rib.receive(kArs0, announce({65515}, {"10.201.0.0/16"}));
  ASSERT_EQ(over.problems.size(), 1u);
  EXPECT_EQ(over.problems[0].kind, RibProblemKind::MaximumPrefixExceeded);
}

TEST(Rib, OutboundCountNearArsLimit_WarnedOnce) {
  RibOptions o = options();
  o.outbound_warning = 3;
  Rib rib(o, seed_policy(), {ars(kArs0)});
  rib.peer_up(kArs0, session(kArs0));
  std::vector<LocalRoute> routes;
  for (int i = 0; i < 3; ++i) routes.push_back(LocalRoute{pfx("10." + std::to_string(i) + ".0.0/16"), std::nullopt});
  auto out = rib.set_local_routes(routes);
  ASSERT_EQ(out.problems.size(), 1u);
  EXPECT_EQ(out.problems[0].kind, RibProblemKind::OutboundNearLimit);
  routes.push_back(LocalRoute{pfx("10.9.0.0/16"), std::nullopt});
  EXPECT_TRUE(rib.set_local_routes(routes).problems.empty());
}

TEST(Rib, ManyPrefixes_PackedIntoUpdatesUnder4096Octets) {
  Rib rib(options(), seed_policy(), {ars(kArs0)});
  rib.peer_up(kArs0, session(kArs0));
  std::vector<LocalRoute> routes;
  for (int i = 0; i < 2000; ++i)  // 2000 x 4 octets of NLRI: cannot fit one message
    routes.push_back(LocalRoute{Ipv4Prefix{Ipv4Address{0x0a000000u | (std::uint32_t(i) << 8)}, 24}, std::nullopt});
  auto out = rib.set_local_routes(routes);
  auto updates = out.updates_for(kArs0);
  ASSERT_GT(updates.size(), 1u);
  std::size_t total = 0;
  for (const auto& u : updates) {
    auto bytes = encode_message(u, CodecContext{});
    ASSERT_TRUE(bytes.ok());
    EXPECT_LE(bytes.value().size(), 4096u);
    total += u.nlri.size();
  }
  EXPECT_EQ(total, 2000u);
}

TEST_F(SeedRib, PolicyReload_ReappliedFromAdjRibIn) {
  up_all();
  rib.receive(kArs0, announce({65515, 12076, 65100}, {"10.100.0.0/16"}));
  PolicySet deny_all = seed_policy();
  deny_all.route_maps["rmap-bogon-asns"] = RouteMap{"rmap-bogon-asns", {[] {
                                                      RouteMapEntry e;
                                                      e.seq = 5;
                                                      e.action = FilterAction::Deny;
                                                      return e;
                                                    }()}};
  auto out = rib.replace_policy(deny_all, {ars(kArs0), ars(kArs1), site()});
  EXPECT_FALSE(rib.best(pfx("10.100.0.0/16")));
  EXPECT_EQ(out.fib, (std::vector<FibChange>{{pfx("10.100.0.0/16"), {}}}));
  auto back = rib.replace_policy(seed_policy(), {ars(kArs0), ars(kArs1), site()});
  EXPECT_TRUE(rib.best(pfx("10.100.0.0/16")));  // no ROUTE-REFRESH needed
}

TEST(Rib, UnresolvableNextHop_NotInstalled) {
  Rib rib(options(), seed_policy(), {ars(kArs0)}, [](Ipv4Address nh) { return nh != ip("10.0.200.12"); });
  rib.peer_up(kArs0, session(kArs0));
  rib.receive(kArs0, announce({65515}, {"10.100.0.0/16"}, "10.0.200.12"));
  EXPECT_FALSE(rib.best(pfx("10.100.0.0/16")));
}

}  // namespace
}  // namespace hairpin::bgpd

namespace hairpin::bgpd {
namespace {

TEST_F(SeedRib, EnhancedRefreshFromPeer_RoutesNotRepeatedBeforeEorrWithdrawn) {
  up_all();
  rib.receive(kArs0, announce({65515, 12076, 65100}, {"10.100.0.0/16", "10.200.0.0/16"}));
  rib.route_refresh(kArs0, RouteRefresh{AfiSafi{}, RouteRefreshSubtype::BeginningOfRouteRefresh});
  rib.receive(kArs0, announce({65515, 12076, 65100}, {"10.100.0.0/16"}));
  auto out = rib.route_refresh(kArs0, RouteRefresh{AfiSafi{}, RouteRefreshSubtype::EndOfRouteRefresh});
  EXPECT_TRUE(rib.best(pfx("10.100.0.0/16")));
  EXPECT_FALSE(rib.best(pfx("10.200.0.0/16")));
  EXPECT_EQ(out.fib, (std::vector<FibChange>{{pfx("10.200.0.0/16"), {}}}));
}

TEST_F(SeedRib, EorrWithoutBorr_Ignored) {
  up_all();
  rib.receive(kArs0, announce({65515, 12076, 65100}, {"10.100.0.0/16"}));
  rib.route_refresh(kArs0, RouteRefresh{AfiSafi{}, RouteRefreshSubtype::EndOfRouteRefresh});
  EXPECT_TRUE(rib.best(pfx("10.100.0.0/16")));
}

}  // namespace
}  // namespace hairpin::bgpd

namespace hairpin::bgpd {
namespace {

TEST(Rib, PolicyReloadWithoutAddresses_KeepsSessionNextHop) {
  Rib rib(options(), seed_policy(), {ars(kArs0)});
  rib.set_local_routes({LocalRoute{pfx("10.0.0.0/8"), std::nullopt}});
  rib.peer_up(kArs0, session(kArs0), ip("10.0.0.4"));
  RibPeer from_config = ars(kArs0);
  from_config.local_address = Ipv4Address{};  // the config does not know it
  auto out = rib.replace_policy(seed_policy(), {from_config});
  EXPECT_TRUE(out.send.empty());  // nothing changed, nothing re-announced
  EXPECT_EQ(rib.advertised(kArs0, pfx("10.0.0.0/8"))->next_hop, ip("10.0.0.4"));
}

}  // namespace
}  // namespace hairpin::bgpd

namespace hairpin::bgpd {
namespace {

TEST(Rib, UnknownLocalAddress_NeverAnnouncesNextHopZero) {
  RibPeer unknown = ars(kArs0);
  unknown.local_address = Ipv4Address{};
  Rib rib(options(), seed_policy(), {unknown});
  rib.set_local_routes({LocalRoute{pfx("10.0.0.0/8"), std::nullopt}});
  auto out = rib.peer_up(kArs0, session(kArs0));
  ASSERT_EQ(out.updates_for(kArs0).size(), 1u);
  EXPECT_TRUE(out.updates_for(kArs0)[0].is_end_of_rib());
}

}  // namespace
}  // namespace hairpin::bgpd

// ---- storage: interning, counts, freeing and reusing per-prefix entries ----

namespace hairpin::bgpd {
namespace {

RibPeer ibgp(const char* address) {
  RibPeer p;
  p.address = ip(address);
  p.peer_as = 65001;
  p.local_address = ip("10.0.0.4");
  p.route_map_in = "all";
  p.route_map_out = "all";
  return p;
}

TEST_F(SeedRib, EqualAttributesFromTwoUpdates_AreOneSharedCopy) {
  up_all();
  rib.receive(kArs0, announce({65515, 65100}, {"10.100.0.0/16"}));
  rib.receive(kArs0, announce({65515, 65100}, {"10.101.0.0/16"}));
  rib.receive(kArs0, announce({65515, 65200}, {"10.200.0.0/16"}));
  auto a = rib.received(kArs0, pfx("10.100.0.0/16"));
  auto b = rib.received(kArs0, pfx("10.101.0.0/16"));
  auto c = rib.received(kArs0, pfx("10.200.0.0/16"));
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a.get(), b.get());
  EXPECT_NE(a.get(), c.get());
  EXPECT_EQ(rib.best(pfx("10.100.0.0/16"))->attributes.get(), a.get());  // policy changed nothing
}

TEST_F(SeedRib, Counts_ReceivedBeforePolicy_AcceptedAfter) {
  up_all();
  rib.receive(kArs0, announce({65515, 65100}, {"10.100.0.0/16", "10.101.0.0/16"}));
  rib.receive(kArs0, announce({65515, 23456}, {"10.200.0.0/16"}));  // AS_TRANS: a bogon, denied
  auto counts = rib.counts(kArs0);
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->received, 3u);
  EXPECT_EQ(counts->accepted, 2u);
  EXPECT_FALSE(rib.best(pfx("10.200.0.0/16")));
  EXPECT_FALSE(rib.counts(ip("192.0.2.1")));  // not a configured peer
}

TEST_F(SeedRib, WithdrawEverything_ThenAnnounceAgain_TablesStartOver) {
  up_all();
  std::vector<std::string> names;
  for (int i = 0; i < 3000; ++i) names.push_back("10.1" + std::to_string(i / 256 % 10) + "." + std::to_string(i % 256) + ".0/24");
  Update all = announce({65515, 65100}, {});
  for (const auto& n : names) all.nlri.push_back(pfx(n.c_str()));
  std::sort(all.nlri.begin(), all.nlri.end());
  all.nlri.erase(std::unique(all.nlri.begin(), all.nlri.end()), all.nlri.end());
  const std::size_t n = all.nlri.size();
  const std::size_t before = rib.loc_rib_size();  // the supernet

  rib.receive(kArs0, all);
  EXPECT_EQ(rib.loc_rib_size(), before + n);
  Update gone;
  gone.withdrawn = all.nlri;
  auto out = rib.receive(kArs0, gone);
  EXPECT_EQ(rib.loc_rib_size(), before);
  EXPECT_EQ(rib.counts(kArs0)->received, 0u);
  EXPECT_EQ(out.fib.size(), n);  // every prefix left the FIB
  rib.receive(kArs0, all);
  EXPECT_EQ(rib.loc_rib_size(), before + n);
  EXPECT_EQ(rib.best(all.nlri.back())->from, kArs0);
}

TEST_F(SeedRib, LocRibInPrefixOrder) {
  up_all();
  rib.receive(kArs0, announce({65515, 65100}, {"10.200.0.0/16", "10.100.0.0/16", "10.100.0.0/24"}));
  std::vector<std::string> seen;
  rib.for_each_best([&](const Ipv4Prefix& p, const LocRibEntry&) { seen.push_back(p.to_string()); });
  EXPECT_EQ(seen, (std::vector<std::string>{"10.0.0.0/8", "10.100.0.0/16", "10.100.0.0/24", "10.200.0.0/16"}));
}

// One outbound evaluation serves many prefixes with the same attributes, but only
// when nothing else about the route matters: an iBGP-learned route must not go to
// an iBGP peer even right after an eBGP-learned one with equal attributes did.
TEST(Rib, SameAttributesFromEbgpAndIbgp_OnlyTheEbgpOneGoesToIbgp) {
  auto o = options();
  o.ebgp_requires_policy = false;
  o.enforce_first_as = false;
  Rib rib(o, seed_policy(), {site(), ibgp("10.0.0.5"), ibgp("10.0.0.6")});
  for (auto peer : {kSite, ip("10.0.0.5")}) rib.peer_up(peer, session(peer));
  auto same = [](const char* prefix) {
    Update u = announce({65100}, {prefix}, "10.0.99.1");
    u.attributes.local_pref = 100;
    return u;
  };
  rib.receive(kSite, same("10.100.0.0/16"));
  rib.receive(ip("10.0.0.5"), same("10.101.0.0/16"));
  // One table sent to the new peer: both prefixes evaluated back to back.
  rib.peer_up(ip("10.0.0.6"), session(ip("10.0.0.6")));
  EXPECT_TRUE(rib.advertised(ip("10.0.0.6"), pfx("10.100.0.0/16")));
  EXPECT_FALSE(rib.advertised(ip("10.0.0.6"), pfx("10.101.0.0/16")));  // RFC 4271 9.2
  EXPECT_TRUE(rib.advertised(kSite, pfx("10.101.0.0/16")));
}

// A route-map that matches a prefix-list decides per prefix, whatever the
// attributes: no reuse of the verdict across one UPDATE's prefixes.
TEST(Rib, PrefixListInRouteMap_DecidesEachPrefixOfOneUpdate) {
  auto policy = seed_policy();
  PrefixList sites{"sites", {}};
  sites.entries.push_back(PrefixListEntry{5, FilterAction::Permit, pfx("10.100.0.0/16"), std::nullopt, std::nullopt});
  policy.prefix_lists["sites"] = sites;
  RouteMapEntry only_sites;
  only_sites.matches.push_back(MatchPrefixList{"sites"});
  policy.route_maps["only-sites"] = RouteMap{"only-sites", {only_sites}};
  RibPeer peer = site();
  peer.route_map_in = "only-sites";
  Rib rib(options(), policy, {peer});
  rib.peer_up(kSite, session(kSite));
  rib.receive(kSite, announce({65100}, {"10.100.0.0/16", "10.200.0.0/16", "10.100.0.0/16"}, "10.0.99.1"));
  EXPECT_TRUE(rib.best(pfx("10.100.0.0/16")));
  EXPECT_FALSE(rib.best(pfx("10.200.0.0/16")));
  EXPECT_EQ(rib.counts(kSite)->received, 2u);
  EXPECT_EQ(rib.counts(kSite)->accepted, 1u);
}

}  // namespace
}  // namespace hairpin::bgpd

// ---- next-hop resolution: the resolver's answers change, the RIB follows ----

namespace hairpin::bgpd {
namespace {

// A resolver the test switches: next hops in `reachable` resolve.
struct SwitchedResolver {
  std::set<Ipv4Address> reachable;
  NextHopResolver resolver() {
    return [this](Ipv4Address nh) { return reachable.count(nh) > 0; };
  }
};

std::vector<Ipv4Prefix> announced_in(const std::vector<Update>& updates) {
  std::vector<Ipv4Prefix> out;
  for (const auto& u : updates) out.insert(out.end(), u.nlri.begin(), u.nlri.end());
  return out;
}
std::vector<Ipv4Prefix> withdrawn_in(const std::vector<Update>& updates) {
  std::vector<Ipv4Prefix> out;
  for (const auto& u : updates) out.insert(out.end(), u.withdrawn.begin(), u.withdrawn.end());
  return out;
}

TEST(RibNextHops, UnreachableNextHop_NotBest_AdvertisedOnceReachable_WithdrawnWhenGone) {
  SwitchedResolver nh{{ip("10.0.200.13")}};
  Rib rib(options(), seed_policy(), {ars(kArs0), site()}, nh.resolver());
  rib.peer_up(kArs0, session(kArs0));
  rib.peer_up(kSite, session(kSite));
  auto out = rib.receive(kArs0, announce({65515, 12076, 65100}, {"10.100.0.0/16"}, "10.0.200.12"));
  out = rib.receive(kArs0, announce({65515, 12076, 65200}, {"10.200.0.0/16"}, "10.0.200.13"));
  // positive control: the reachable one is installed and advertised
  ASSERT_TRUE(rib.best(pfx("10.200.0.0/16")));
  EXPECT_TRUE(rib.advertised(kSite, pfx("10.200.0.0/16")));
  EXPECT_FALSE(rib.best(pfx("10.100.0.0/16")));
  EXPECT_FALSE(rib.advertised(kSite, pfx("10.100.0.0/16")));

  nh.reachable.insert(ip("10.0.200.12"));
  const std::vector<Ipv4Address> changed{ip("10.0.200.12")};
  out = rib.next_hops_changed(changed);
  ASSERT_TRUE(rib.best(pfx("10.100.0.0/16")));
  EXPECT_EQ(out.fib, (std::vector<FibChange>{{pfx("10.100.0.0/16"), {ip("10.0.200.12")}}}));
  EXPECT_EQ(announced_in(out.updates_for(kSite)), std::vector<Ipv4Prefix>{pfx("10.100.0.0/16")});  // only it
  EXPECT_TRUE(withdrawn_in(out.updates_for(kSite)).empty());
  EXPECT_TRUE(out.updates_for(kArs0).empty());  // split horizon still holds

  nh.reachable.erase(ip("10.0.200.12"));
  out = rib.next_hops_changed(changed);
  EXPECT_FALSE(rib.best(pfx("10.100.0.0/16")));
  EXPECT_EQ(out.fib, (std::vector<FibChange>{{pfx("10.100.0.0/16"), {}}}));
  EXPECT_EQ(withdrawn_in(out.updates_for(kSite)), std::vector<Ipv4Prefix>{pfx("10.100.0.0/16")});
  EXPECT_TRUE(announced_in(out.updates_for(kSite)).empty());
  EXPECT_TRUE(rib.advertised(kSite, pfx("10.200.0.0/16")));  // untouched
}

TEST(RibNextHops, BestPathsNextHopGoes_OtherPathTakesOver) {
  SwitchedResolver nh{{ip("10.0.200.12"), ip("10.0.200.13")}};
  Rib rib(options(), seed_policy(), {ars(kArs0), ars(kArs1), site()}, nh.resolver());
  for (auto p : {kArs0, kArs1, kSite}) rib.peer_up(p, session(p));
  rib.receive(kArs0, announce({65515, 12076, 65100}, {"10.100.0.0/16"}, "10.0.200.12"));
  rib.receive(kArs1, announce({65515, 12076, 65100}, {"10.100.0.0/16"}, "10.0.200.13"));
  ASSERT_EQ(rib.best(pfx("10.100.0.0/16"))->from, kArs0);  // the older path

  nh.reachable.erase(ip("10.0.200.12"));
  const std::vector<Ipv4Address> changed{ip("10.0.200.12")};
  auto out = rib.next_hops_changed(changed);
  ASSERT_TRUE(rib.best(pfx("10.100.0.0/16")));
  EXPECT_EQ(rib.best(pfx("10.100.0.0/16"))->from, kArs1);
  EXPECT_EQ(out.fib, (std::vector<FibChange>{{pfx("10.100.0.0/16"), {ip("10.0.200.13")}}}));
  // the site sees the same attributes as before (our next hop, same path): nothing re-sent
  EXPECT_TRUE(out.updates_for(kSite).empty());
  EXPECT_TRUE(rib.advertised(kSite, pfx("10.100.0.0/16")));
}

TEST(RibNextHops, NextHopNoPathUses_NothingTouched) {
  SwitchedResolver nh{{ip("10.0.200.12")}};
  Rib rib(options(), seed_policy(), {ars(kArs0), site()}, nh.resolver());
  rib.peer_up(kArs0, session(kArs0));
  rib.peer_up(kSite, session(kSite));
  rib.receive(kArs0, announce({65515, 12076, 65100}, {"10.100.0.0/16"}, "10.0.200.12"));
  ASSERT_TRUE(rib.best(pfx("10.100.0.0/16")));
  nh.reachable.insert(ip("192.0.2.1"));
  const std::vector<Ipv4Address> changed{ip("192.0.2.1")};
  auto out = rib.next_hops_changed(changed);
  EXPECT_TRUE(out.send.empty());
  EXPECT_TRUE(out.fib.empty());
  EXPECT_TRUE(rib.best(pfx("10.100.0.0/16")));
}

// ---- next-hop-self and a route-map's next hop, through the RIB ----

TEST(RibExport, NextHopSelf_IbgpPeerGetsOurAddress_OtherIbgpPeerTheReceivedOne) {
  RibPeer self = ibgp("10.0.1.1");
  self.next_hop_self = true;
  Rib rib(options(), seed_policy(), {site(), self, ibgp("10.0.1.2")});
  for (auto p : {kSite, ip("10.0.1.1"), ip("10.0.1.2")}) rib.peer_up(p, session(p));
  rib.receive(kSite, announce({65100}, {"10.100.0.0/16"}, "10.0.99.9"));
  EXPECT_EQ(rib.advertised(ip("10.0.1.1"), pfx("10.100.0.0/16"))->next_hop, ip("10.0.0.4"));
  EXPECT_EQ(rib.advertised(ip("10.0.1.2"), pfx("10.100.0.0/16"))->next_hop, ip("10.0.99.9"));
}

TEST(RibExport, RouteMapSetsNextHopToTheReceivedValue_SentAsSet) {
  PolicySet policy = seed_policy();
  RouteMapEntry keep;
  keep.seq = 10;
  keep.sets = {SetIpNextHop{ip("10.0.200.12"), false}};
  policy.route_maps["keep-nh"] = RouteMap{"keep-nh", {keep}};
  RibPeer to = site();
  to.route_map_out = "keep-nh";
  Rib rib(options(), policy, {ars(kArs0), to});
  rib.peer_up(kArs0, session(kArs0));
  rib.peer_up(kSite, session(kSite));
  rib.receive(kArs0, announce({65515, 12076, 65100}, {"10.100.0.0/16"}, "10.0.200.12"));
  // The old guess ("equal to the received next hop, so not set") sent 10.0.0.4.
  EXPECT_EQ(rib.advertised(kSite, pfx("10.100.0.0/16"))->next_hop, ip("10.0.200.12"));
}

}  // namespace
}  // namespace hairpin::bgpd
