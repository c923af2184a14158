// `bgp show` answers: FRR-style JSON from the RIB, and vtysh-like text from it.

#include <gtest/gtest.h>

#include "hairpin/bgpd/show/bgp_show.hpp"
#include "hex.hpp"

namespace hairpin::bgpd {
namespace {

using test::ip;
using test::pfx;

struct ShowFixture : testing::Test {
  ShowFixture() {
    PolicySet policy;
    policy.route_maps["all"] = RouteMap{"all", {RouteMapEntry{}}};
    RibPeer ars;
    ars.address = ip("10.0.210.4");
    ars.peer_as = 65515;
    ars.local_address = ip("10.0.0.4");
    ars.route_map_in = "all";
    ars.route_map_out = "all";
    RibOptions o;
    o.local_as = 65001;
    o.router_id = ip("10.0.0.4");
    rib = std::make_unique<Rib>(o, policy, std::vector<RibPeer>{ars});
    rib->set_local_routes({LocalRoute{pfx("10.0.0.0/8"), std::nullopt}});
    Negotiated n;
    n.peer_router_id = ip("10.0.210.4");
    n.four_octet_as = true;
    rib->peer_up(ars.address, n);
    Update u;
    u.attributes.origin = Origin::Igp;
    u.attributes.as_path = AsPath{{AsSegment{SegmentType::AsSequence, {65515, 12076, 65100}}}};
    u.attributes.next_hop = ip("10.0.200.12");
    u.attributes.communities = {(65515u << 16) | 100};
    u.attributes.large_communities = {LargeCommunity{65515, 1, 2}};
    u.nlri = {pfx("10.100.0.0/16")};
    rib->receive(ars.address, u);
    // Received but not accepted: our own AS in the path (RFC 4271 9.1.2).
    Update looped = u;
    looped.attributes.as_path = AsPath{{AsSegment{SegmentType::AsSequence, {65515, 65001}}}};
    looped.nlri = {pfx("10.98.0.0/16")};
    rib->receive(ars.address, looped);
    // The same site route announced again: ARS counts every announcement.
    rib->receive(ars.address, u);
    ctx.router_id = ip("10.0.0.4");
    ctx.local_as = 65001;
    ctx.rib = rib.get();
    NeighborStatus s;
    s.address = ars.address;
    s.remote_as = 65515;
    s.state = SessionState::Established;
    ctx.neighbors = {s};
  }
  std::unique_ptr<Rib> rib;
  ShowContext ctx;
};

TEST_F(ShowFixture, Summary_FrrFieldNamesAndTheRibsCounts) {
  auto j = answer_show_request("summary", ctx);
  const auto& peer = j["ipv4Unicast"]["peers"]["10.0.210.4"];
  EXPECT_EQ(j["ipv4Unicast"]["routerId"], "10.0.0.4");
  EXPECT_EQ(peer["remoteAs"], 65515);
  EXPECT_EQ(peer["state"], "Established");
  EXPECT_EQ(peer["pfxRcd"], 1);   // 2 received, the looped one is not accepted
  EXPECT_EQ(peer["pfxSnt"], 1);   // the supernet; the site route came from this peer
  EXPECT_EQ(peer["announcementsSent"], 1);
  auto text = show_text("summary", j);
  EXPECT_NE(text.find("BGP router identifier 10.0.0.4, local AS number 65001"), std::string::npos) << text;
  EXPECT_NE(text.find("10.0.210.4"), std::string::npos);
}

TEST_F(ShowFixture, Routes_BestPathsWithReason) {
  auto j = answer_show_request("routes", ctx);
  const auto& site = j["routes"]["10.100.0.0/16"][0];
  EXPECT_EQ(site["path"], "65515 12076 65100");
  EXPECT_EQ(site["nexthops"][0]["ip"], "10.0.200.12");
  EXPECT_EQ(site["peerId"], "10.0.210.4");
  EXPECT_EQ(site["communities"], "65515:100");
  EXPECT_EQ(site["largeCommunities"], "65515:1:2");
  const auto& local = j["routes"]["10.0.0.0/8"][0];
  EXPECT_EQ(local["weight"], 32768);
  EXPECT_EQ(local["nexthops"][0]["ip"], "0.0.0.0");
  auto text = show_text("routes", j);
  EXPECT_NE(text.find("*> 10.0.0.0/8       0.0.0.0                  0         32768 i"), std::string::npos) << text;
  EXPECT_NE(text.find("65515 12076 65100 i"), std::string::npos) << text;
}

// Two route servers hand out the same site prefix; a third path's next hop does
// not resolve. FRR lists every path: the best one marked, the ineligible one not
// "valid".
TEST(ShowRoutes, EveryPathListed_BestMarked_UnresolvedNotValid) {
  PolicySet policy;
  policy.route_maps["all"] = RouteMap{"all", {RouteMapEntry{}}};
  std::vector<RibPeer> peers;
  for (const char* address : {"10.0.210.4", "10.0.210.5", "10.0.210.6"}) {
    RibPeer p;
    p.address = ip(address);
    p.peer_as = 65515;
    p.local_address = ip("10.0.0.4");
    p.route_map_in = "all";
    p.route_map_out = "all";
    peers.push_back(p);
  }
  RibOptions o;
  o.local_as = 65001;
  o.router_id = ip("10.0.0.4");
  const auto unresolved = ip("192.0.2.1");
  Rib rib(o, policy, peers, [&](Ipv4Address nh) { return nh != unresolved; });
  const char* next_hops[] = {"10.0.200.12", "10.0.200.13", "192.0.2.1"};
  for (std::size_t i = 0; i < peers.size(); ++i) {
    Negotiated n;
    n.peer_router_id = peers[i].address;
    n.four_octet_as = true;
    rib.peer_up(peers[i].address, n);
    Update u;
    u.attributes.origin = Origin::Igp;
    u.attributes.as_path = AsPath{{AsSegment{SegmentType::AsSequence, {65515, 12076, 65100}}}};
    u.attributes.next_hop = ip(next_hops[i]);
    u.nlri = {pfx("10.100.0.0/16")};
    rib.receive(peers[i].address, u);
  }
  ShowContext ctx;
  ctx.router_id = o.router_id;
  ctx.local_as = o.local_as;
  ctx.rib = &rib;
  auto j = answer_show_request("routes", ctx);
  const auto& paths = j["routes"]["10.100.0.0/16"];
  ASSERT_EQ(paths.size(), 3u) << j.dump();
  int best = 0, valid = 0;
  for (const auto& p : paths) {
    best += p.value("bestpath", false);
    valid += p.value("valid", false);
  }
  EXPECT_EQ(best, 1);
  EXPECT_EQ(valid, 2);
  EXPECT_TRUE(paths[0].value("bestpath", false)) << "best path first";
  EXPECT_TRUE(paths[0].contains("bestReason"));
  EXPECT_EQ(paths[0]["peerId"], "10.0.210.4");  // same attributes: the oldest path (FRR) or lowest router-id
  EXPECT_FALSE(paths[1].contains("bestReason"));
  EXPECT_FALSE(paths[2].contains("valid"));
  EXPECT_EQ(paths[2]["nexthops"][0]["ip"], "192.0.2.1");
  const auto text = show_text("routes", j);
  EXPECT_NE(text.find("*> 10.100.0.0/16    10.0.200.12"), std::string::npos) << text;
  EXPECT_NE(text.find("*                   10.0.200.13"), std::string::npos) << text;
  EXPECT_NE(text.find("                    192.0.2.1"), std::string::npos) << text;
  EXPECT_NE(text.find("Displayed 1 routes and 3 total paths"), std::string::npos) << text;
}

TEST_F(ShowFixture, AdvertisedRoutes_LikeTheSeedsVtyshOutput) {
  auto j = answer_show_request("neighbors 10.0.210.4 advertised-routes", ctx);
  ASSERT_TRUE(j.contains("advertisedRoutes")) << j.dump();
  EXPECT_EQ(j["totalPrefixCounter"], 1);  // the supernet; the site route came from this peer
  const auto& r = j["advertisedRoutes"]["10.0.0.0/8"];
  EXPECT_EQ(r["path"], "65001");
  EXPECT_EQ(r["nextHop"], "10.0.0.4");
  EXPECT_EQ(r["metric"], 0);
  auto text = show_text("neighbors 10.0.210.4 advertised-routes", j);
  EXPECT_NE(text.find("Total number of prefixes 1"), std::string::npos) << text;
}

TEST_F(ShowFixture, ReceivedRoutes_PrePolicy) {
  auto j = answer_show_request("neighbors 10.0.210.4 received-routes", ctx);
  EXPECT_EQ(j["receivedRoutes"]["10.100.0.0/16"]["path"], "65515 12076 65100");
}

TEST_F(ShowFixture, UnknownNeighborOrRequest_ErrorWithUsage) {
  EXPECT_TRUE(answer_show_request("neighbors 10.9.9.9 advertised-routes", ctx).contains("error"));
  auto j = answer_show_request("bogus", ctx);
  ASSERT_TRUE(j.contains("error"));
  EXPECT_NE(j["error"].get<std::string>().find("summary"), std::string::npos);
}

}  // namespace
}  // namespace hairpin::bgpd
