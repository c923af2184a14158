#include "hairpin/verifier/evidence/evidence_parsers.hpp"

#include <gtest/gtest.h>

#include "verify/recorded_evidence.hpp"

using namespace hairpin;
using namespace hairpin::verifier;
using namespace hairpin::verifier::testing;

TEST(FrrSummaryJson, SeedRecording_BothRouteServersEstablishedWithCounts) {
  auto s = parse_bgp_summary_json(Recording("seed").out("bgp-summary"));
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(s->router_id, ip("10.0.0.4"));
  EXPECT_EQ(s->local_as, 65001u);
  ASSERT_EQ(s->peers.size(), 2u);
  const auto* p = s->find_peer(ip("10.0.210.5"));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->remote_as, 65515u);
  EXPECT_TRUE(p->established());
  EXPECT_EQ(p->prefixes_received, 2u);
  EXPECT_EQ(p->prefixes_sent, 1u);
  EXPECT_TRUE(p->uptime_ms.has_value());
}

TEST(FrrSummaryJson, Ars0DownRecording_FirstPeerActive) {
  auto s = parse_bgp_summary_json(Recording("ars0-down").out("bgp-summary"));
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(s->find_peer(ip("10.0.210.4"))->state, "Active");
  EXPECT_TRUE(s->find_peer(ip("10.0.210.5"))->established());
}

TEST(FrrSummaryJson, WrappedInAddressFamily_ReadsTheSame) {
  // `show bgp summary json` wraps what `show bgp ipv4 unicast summary json` prints.
  const auto inner = Recording("seed").out("bgp-summary");
  auto wrapped = parse_bgp_summary_json("{\"ipv4Unicast\": " + inner + "}");
  auto plain = parse_bgp_summary_json(inner);
  ASSERT_TRUE(wrapped.ok() && plain.ok());
  EXPECT_EQ(wrapped->peers.size(), plain->peers.size());
  EXPECT_EQ(wrapped->peers[0].state, plain->peers[0].state);
}

TEST(FrrSummaryJson, VtyshErrorText_IsOneLineNamingTheTool) {
  // nva-down: vtysh prints this on stderr and nothing on stdout.
  auto s = parse_bgp_summary_json("Exiting: failed to connect to any daemons.\n");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().what.find("bgp summary json: output is not JSON"), std::string::npos) << s.error().to_string();
  auto no_peers = parse_bgp_summary_json("{}");
  ASSERT_FALSE(no_peers.ok());
  EXPECT_NE(no_peers.error().what.find("no 'peers'"), std::string::npos);
}

TEST(FrrPeerRoutesJson, SeedAdvertised_IsTheSupernetWithAnEmptyPathAndIgpOrigin) {
  auto r = parse_bgp_peer_routes_json(Recording("seed").out("advertised-10.0.210.4"));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].prefix, pfx("10.0.0.0/8"));
  EXPECT_TRUE((*r)[0].as_path.empty());
  EXPECT_EQ((*r)[0].origin, "IGP");  // from FRR 8.4's bgpOriginCode "i"
}

TEST(FrrPeerRoutesJson, SeedReceived_SitePrefixesWithMseePath) {
  auto r = parse_bgp_peer_routes_json(Recording("seed").out("received-10.0.210.4"));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].prefix, pfx("10.100.0.0/16"));
  EXPECT_EQ((*r)[0].as_path, (std::vector<std::uint32_t>{65515, 12076, 65100}));
  EXPECT_EQ((*r)[0].next_hop, ip("10.0.200.12"));
  EXPECT_TRUE((*r)[0].has_as(65515));
}

TEST(FrrPeerRoutesJson, PeerDownOrEmpty_IsNoRoutes) {
  auto down = parse_bgp_peer_routes_json(Recording("ars0-down").out("advertised-10.0.210.4"));
  ASSERT_TRUE(down.ok());
  EXPECT_TRUE(down->empty());
  EXPECT_TRUE(parse_bgp_peer_routes_json("").ok());
  EXPECT_TRUE(parse_bgp_peer_routes_json("{\"warning\": \"No such neighbor\"}")->empty());
}

TEST(FrrTableJson, SeedRecording_OwnSupernetAndBothSitesFromBothServersResolved) {
  auto t = parse_bgp_table_json(Recording("seed").out("bgp-table"));
  ASSERT_TRUE(t.ok()) << t.error().to_string();
  ASSERT_EQ(t->size(), 5u);  // the supernet, and each site prefix from both route servers
  EXPECT_EQ((*t)[0].prefix, pfx("10.0.0.0/8"));
  EXPECT_TRUE((*t)[0].local());
  EXPECT_TRUE((*t)[0].best);
  for (const auto& r : *t)
    if (!r.local()) {
      EXPECT_EQ(r.resolution, NextHopResolution::Resolved) << r.prefix.to_string();
      EXPECT_EQ(r.next_hop, ip("10.0.200.12"));
    }
}

TEST(FrrTableJson, PathWithoutValid_IsUnresolvedWithTheReason) {
  // FRR leaves "valid" out of a path whose next hop it cannot resolve; the
  // detail view says "accessible": false.
  auto t = parse_bgp_table_json(R"({"routes": {"10.100.0.0/16": [
      {"pathFrom":"external","peerId":"10.0.210.4","path":"65515 12076 65100","nexthops":[{"ip":"10.0.200.12","afi":"ipv4","used":true}]},
      {"valid":true,"peerId":"10.0.210.5","path":"65515 12076 65100","nexthops":[{"ip":"10.0.200.13","accessible":false}]}]}})");
  ASSERT_TRUE(t.ok()) << t.error().to_string();
  ASSERT_EQ(t->size(), 2u);
  EXPECT_EQ((*t)[0].resolution, NextHopResolution::Unresolved);
  EXPECT_NE((*t)[0].why.find("10.0.200.12 not resolved"), std::string::npos) << (*t)[0].why;
  EXPECT_EQ((*t)[1].resolution, NextHopResolution::Unresolved);
  EXPECT_NE((*t)[1].why.find("not accessible"), std::string::npos);
}

TEST(FrrTableJson, NoSupernetRecording_HasNoOwnRoute) {
  auto t = parse_bgp_table_json(Recording("no-supernet").out("bgp-table"));
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t->empty());  // positive control: the site prefixes are there
  for (const auto& r : *t) EXPECT_FALSE(r.local()) << r.prefix.to_string();
}

TEST(HairpinBgpShowJson, BuiltinRecordings_ReadLikeFrrs) {
  Recording r("builtin");
  ASSERT_TRUE(r.exists("bgp-summary.out")) << "fixtures/evidence/raw/builtin: run record_builtin.sh";
  auto s = parse_bgp_summary_json(r.out("bgp-summary"));
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  ASSERT_EQ(s->peers.size(), 2u);
  EXPECT_TRUE(s->find_peer(ip("10.0.210.4"))->established());
  auto adv = parse_bgp_peer_routes_json(r.out("advertised-10.0.210.4"));
  ASSERT_TRUE(adv.ok()) << adv.error().to_string();
  ASSERT_EQ(adv->size(), 1u);
  EXPECT_EQ((*adv)[0].prefix, pfx("10.0.0.0/8"));
  auto recv = parse_bgp_peer_routes_json(r.out("received-10.0.210.5"));
  ASSERT_TRUE(recv.ok());
  EXPECT_EQ(recv->size(), 2u);
  auto table = parse_bgp_table_json(r.out("bgp-table"));
  ASSERT_TRUE(table.ok()) << table.error().to_string();
  bool site = false;
  for (const auto& l : *table)
    if (l.prefix == pfx("10.100.0.0/16") && l.from_peer) site = true;
  EXPECT_TRUE(site);
}

TEST(IpRouteJson, SeedVerbatim_HasTheLocalSlash8OnLo) {
  auto f = parse_ip_route_json(Recording("seed-verbatim").out("ip-route"));
  ASSERT_TRUE(f.ok()) << f.error().to_string();
  bool trap = false;
  for (const auto& r : *f) trap |= r.type == "local" && r.prefix == pfx("10.0.0.0/8") && r.table == "local";
  EXPECT_TRUE(trap);
  auto fixed = parse_ip_route_json(Recording("seed").out("ip-route"));
  ASSERT_TRUE(fixed.ok());
  bool blackhole = false, trap_fixed = false, default_route = false;
  for (const auto& r : *fixed) {
    blackhole |= r.type == "blackhole" && r.prefix == pfx("10.0.0.0/8");
    trap_fixed |= r.type == "local" && r.prefix == pfx("10.0.0.0/8");
    default_route |= r.prefix == pfx("0.0.0.0/0") && r.gateway == ip("10.0.0.1") && r.table == "main";
  }
  EXPECT_TRUE(blackhole);
  EXPECT_TRUE(default_route);
  EXPECT_FALSE(trap_fixed);
}

TEST(TraceJson, SeedRecording_HopsAsEthrShowsThem) {
  auto t = parse_trace_json(Recording("seed").out("trace-vm-hub100-vm-hub200"));
  ASSERT_TRUE(t.ok()) << t.error().to_string();
  EXPECT_EQ(t->source, ip("10.100.0.4"));
  EXPECT_EQ(t->target, ip("10.200.0.4"));
  EXPECT_EQ(t->port, 22);
  EXPECT_TRUE(t->reached);
  EXPECT_EQ(t->final_ttl, 4);
  ASSERT_EQ(t->hops.size(), 4u);
  EXPECT_EQ(t->hops[0].responder, ip("10.0.200.12"));
  EXPECT_EQ(t->hops[0].reply, "time-exceeded");
  EXPECT_EQ(t->hops[1].responder, ip("10.0.0.4"));
  EXPECT_FALSE(t->hops[2].answered());
  EXPECT_EQ(t->hops[3].reply, "rst");
  EXPECT_EQ(t->ttl_of(ip("10.0.0.4")), 2);
  EXPECT_EQ(t->final_hop()->responder, ip("10.200.0.4"));
  EXPECT_TRUE(t->hops[0].rtt_ms.has_value());
}

TEST(TraceJson, NotATrace_SaysWhatToUse) {
  auto t = parse_trace_json(R"({"schema": "hairpin.analyze/1"})");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().what.find("not a hairpin.trace/1 document"), std::string::npos);
}

TEST(TraceNoRoute, NoSupernetStderr_IsASendErrorOtherErrorsAreNot) {
  auto line = trace_no_route_error(Recording("no-supernet").err("trace-vm-hub100-vm-hub200"));
  ASSERT_TRUE(line.has_value());
  EXPECT_NE(line->find("no route to 10.200.0.4"), std::string::npos);
  EXPECT_FALSE(trace_no_route_error("hairpin trace: raw socket: Operation not permitted; run as root").has_value());
}

TEST(AnalyzeJson, SeedRecording_EachDirectionsAnsweredProbeCrossedWithTtlOneLess) {
  auto a = parse_analyze_json(Recording("seed").out("analyze"));
  ASSERT_TRUE(a.ok()) << a.error().to_string();
  ASSERT_EQ(a->size(), 2u);
  for (const auto& c : *a) {
    EXPECT_EQ(c.nva_mac, "02:00:0a:00:00:04");
    EXPECT_EQ(c.reached, 1u);
    EXPECT_EQ(c.reached_proven, 1u);
    EXPECT_EQ(c.probes_sent, 4u);
    EXPECT_EQ(c.probes_entered, 3u);  // TTL 1 dies at the ERGW
    EXPECT_EQ(c.probes_left, 2u);     // TTL 2 expires at the NVA
    EXPECT_EQ(c.unmatched, 0u);
    EXPECT_GT(c.packets_in, 0u);
  }
}

TEST(AnalyzeJson, NvaNoforwardRecording_EnteredNoneLeft) {
  auto a = parse_analyze_json(Recording("nva-noforward").out("analyze"));
  ASSERT_TRUE(a.ok()) << a.error().to_string();
  ASSERT_EQ(a->size(), 2u);
  EXPECT_GT((*a)[0].probes_entered, 0u);
  EXPECT_EQ((*a)[0].probes_left, 0u);
  EXPECT_GT((*a)[0].unmatched, 0u);
}
