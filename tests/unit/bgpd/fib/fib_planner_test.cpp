// FibPlanner: what it writes for what is wanted and what the kernel holds.
// Interfaces: 2 = the NVA's subnet 10.100.0.0/24 (gateway 10.100.0.1), 3 = a
// second link 10.101.0.0/24.

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>

#include "hairpin/bgpd/fib/fib_planner.hpp"
#include "test_values.hpp"

namespace hairpin::bgpd {
namespace {

using namespace fibtest;

const FibKernelIds kIds;

// The kernel of a plain NVA VM: two connected subnets, ARS's next hops
// 10.0.200.0/24 behind the subnet's gateway (an admin's static route).
KernelSnapshot nva_kernel() {
  KernelSnapshot k;
  k.routes = {connected("10.100.0.0/24", 2), connected("10.101.0.0/24", 3),
              via("10.0.200.0/24", "10.100.0.1", 2)};
  k.links = {KernelLink{1, "lo", true}, KernelLink{2, "eth0", true}, KernelLink{3, "eth1", true}};
  return k;
}

struct Planner : ::testing::Test {
  explicit Planner(bool objects = false) : fib(kIds, objects) { fib.start(nva_kernel()); }
  FibPlanner fib;
};
struct PlannerWithObjects : Planner {
  PlannerWithObjects() : Planner(true) {}
};

TEST_F(Planner, NextHopOffTheSubnet_ResolvesRecursivelyToTheGateway) {
  fib.set(bgp("10.1.0.0/16", {"10.0.200.12"}));
  const auto requests = fib.plan();
  ASSERT_EQ(requests.size(), 1u);
  const auto& w = std::get<RouteWrite>(requests[0]);
  EXPECT_EQ(w.prefix, pfx("10.1.0.0/16"));
  EXPECT_EQ(w.protocol, kIds.bgp_protocol);
  EXPECT_EQ(w.metric, kIds.bgp_metric);
  EXPECT_EQ(w.hops, (std::vector<KernelHop>{hop("10.100.0.1", 2)}));
  EXPECT_EQ(fib.counters().installed, 1u);
}

TEST_F(Planner, ConnectedNextHop_IsItsOwnGateway) {
  fib.set(bgp("10.1.0.0/16", {"10.101.0.7"}));
  const auto w = only<RouteWrite>(fib.plan());
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].hops, (std::vector<KernelHop>{hop("10.101.0.7", 3)}));
}

TEST_F(Planner, Ecmp_IsOneMultipathRoute) {
  fib.set(bgp("10.1.0.0/16", {"10.101.0.7", "10.0.200.12"}));
  const auto w = only<RouteWrite>(fib.plan());
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].hops, (std::vector<KernelHop>{hop("10.100.0.1", 2), hop("10.101.0.7", 3)}));
}

TEST(PlannerResolution, OurSupernetBlackholeNeverSwallowsNextHops_ButADefaultRouteResolves) {
  FibPlanner fib(kIds, false);
  KernelSnapshot k;
  k.routes = {connected("10.100.0.0/24", 2),
              // ours, from an earlier run, and echoed by the kernel: never used to resolve
              KernelRoute{pfx("10.0.0.0/8"), 254, kIds.network_protocol, KernelRouteType::Blackhole, 15, {}, 0},
              via("10.0.0.0/9", "10.100.0.9", 2, kIds.bgp_protocol, 20)};
  fib.start(k);
  fib.route_added(KernelRoute{pfx("10.0.0.0/8"), 254, kIds.network_protocol, KernelRouteType::Blackhole, 15, {}, 0});
  fib.set(bgp("10.1.0.0/16", {"10.0.200.12"}));
  EXPECT_TRUE(only<RouteWrite>(fib.plan()).empty());
  ASSERT_EQ(fib.held_routes().size(), 1u);
  EXPECT_EQ(fib.held_routes()[0].reason, FibHoldReason::Unresolved);
  EXPECT_EQ(fib.held_routes()[0].detail, "next hop 10.0.200.12 unresolved");
  EXPECT_FALSE(fib.resolves(ip("10.0.200.12")));

  // Positive control: a default route (resolve-via-default) makes it resolve and install.
  EXPECT_EQ(fib.route_added(via("0.0.0.0/0", "10.100.0.1", 2, 16 /*dhcp*/, 100)),
            (std::vector<Ipv4Address>{ip("10.0.200.12")}));
  const auto w = only<RouteWrite>(fib.plan());
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].hops, (std::vector<KernelHop>{hop("10.100.0.1", 2)}));
  EXPECT_TRUE(fib.held_routes().empty());
}

TEST_F(Planner, BlackholeUnreachableProhibit_MeanUnresolved) {
  for (KernelRouteType type : {KernelRouteType::Blackhole, KernelRouteType::Unreachable, KernelRouteType::Prohibit}) {
    FibPlanner p(kIds, false);
    KernelSnapshot k = nva_kernel();
    k.routes.push_back(typed("10.0.200.12/32", type));
    p.start(k);
    EXPECT_FALSE(p.resolves(ip("10.0.200.12")));
    EXPECT_TRUE(p.resolves(ip("10.0.200.13")));  // the /24 via the gateway still covers it
  }
}

TEST_F(Planner, DeadHops_ArePassedOverForTheLessSpecificRoute) {
  // A route whose only hop is dead or linkdown arrives with no hops (the codec drops them).
  fib.route_added(KernelRoute{pfx("10.0.200.0/25"), 254, kStatic, KernelRouteType::Unicast, 0, {}, 0});
  EXPECT_EQ(fib.resolution(ip("10.0.200.12")), (std::vector<KernelHop>{hop("10.100.0.1", 2)}));
}

TEST_F(Planner, PrefixSetTwiceBeforeFlush_IsWrittenOnceWithTheLastValue) {
  fib.set(bgp("10.1.0.0/16", {"10.0.200.12"}));
  fib.set(bgp("10.1.0.0/16", {"10.101.0.7"}));
  const auto requests = fib.plan();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(std::get<RouteWrite>(requests[0]).hops, (std::vector<KernelHop>{hop("10.101.0.7", 3)}));
}

TEST_F(Planner, SetThenRemoveBeforeFlush_WritesNothing) {
  fib.set(bgp("10.1.0.0/16", {"10.0.200.12"}));
  fib.set(bgp("10.2.0.0/16", {"10.0.200.12"}));  // positive control
  fib.remove(pfx("10.1.0.0/16"), FibSource::Bgp);
  const auto w = only<RouteWrite>(fib.plan());
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].prefix, pfx("10.2.0.0/16"));
  EXPECT_TRUE(only<RouteDelete>(fib.plan()).empty());
}

TEST_F(Planner, UnchangedSetAfterWrite_WritesNothing_RemoveDeletes) {
  fib.set(bgp("10.1.0.0/16", {"10.0.200.12"}));
  ASSERT_EQ(fib.plan().size(), 1u);
  fib.set(bgp("10.1.0.0/16", {"10.0.200.12"}));
  EXPECT_TRUE(fib.plan().empty());
  fib.remove(pfx("10.1.0.0/16"), FibSource::Bgp);
  const auto requests = fib.plan();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(std::get<RouteDelete>(requests[0]),
            (RouteDelete{pfx("10.1.0.0/16"), kIds.bgp_protocol, kIds.bgp_metric, 254}));
  EXPECT_EQ(fib.counters().installed, 0u);
}

TEST_F(Planner, ConnectedOrOtherProtocolPrefix_IsHeldNotReplaced_AndLoggedOnce) {
  fib.route_added(via("10.5.0.0/16", "10.100.0.1", 2, kZebra, 20));
  fib.set(bgp("10.100.0.0/24", {"10.0.200.12"}));
  fib.set(bgp("10.5.0.0/16", {"10.0.200.12"}));
  fib.set(bgp("10.6.0.0/16", {"10.0.200.12"}));  // positive control
  const auto w = only<RouteWrite>(fib.plan());
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].prefix, pfx("10.6.0.0/16"));
  const auto held = fib.held_routes();
  ASSERT_EQ(held.size(), 2u);
  EXPECT_EQ(held[0].prefix, pfx("10.5.0.0/16"));
  EXPECT_EQ(held[0].reason, FibHoldReason::OtherProtocol);
  EXPECT_EQ(held[0].detail, "the kernel has a zebra route (protocol 11, metric 20) for it");
  EXPECT_EQ(held[1].detail, "the kernel has a connected route for it");
  EXPECT_EQ(fib.take_log().size(), 2u);
  fib.set(bgp("10.5.0.0/16", {"10.101.0.7"}));
  EXPECT_TRUE(fib.plan().empty());
  EXPECT_TRUE(fib.take_log().empty());  // once per prefix and reason

  // The other route goes: ours is written.
  fib.route_deleted(via("10.5.0.0/16", "10.100.0.1", 2, kZebra, 20));
  const auto later = only<RouteWrite>(fib.plan());
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].prefix, pfx("10.5.0.0/16"));
}

TEST_F(Planner, OtherProtocolAppearingLater_TakesOursOut) {
  fib.set(bgp("10.5.0.0/16", {"10.0.200.12"}));
  ASSERT_EQ(only<RouteWrite>(fib.plan()).size(), 1u);
  fib.route_added(via("10.5.0.0/16", "10.100.0.1", 2, kStatic, 0));
  const auto d = only<RouteDelete>(fib.plan());
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].prefix, pfx("10.5.0.0/16"));
  EXPECT_EQ(fib.held_routes().at(0).reason, FibHoldReason::OtherProtocol);
}

TEST_F(Planner, UnresolvedRoute_IsHeldThenInstalledWhenItResolves) {
  fib.set(bgp("10.1.0.0/16", {"192.0.2.1"}));
  EXPECT_TRUE(fib.plan().empty());
  EXPECT_EQ(fib.counters().held, 1u);
  EXPECT_EQ(fib.route_added(via("192.0.2.0/24", "10.100.0.1", 2)), (std::vector<Ipv4Address>{ip("192.0.2.1")}));
  const auto w = only<RouteWrite>(fib.plan());
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].prefix, pfx("10.1.0.0/16"));
  EXPECT_EQ(fib.counters().held, 0u);
}

TEST_F(Planner, ResolverUpdates_NameExactlyTheNextHopsWhoseResolutionChanged) {
  EXPECT_TRUE(fib.resolves(ip("10.0.200.12")));
  EXPECT_TRUE(fib.resolves(ip("10.0.200.200")));
  EXPECT_TRUE(fib.resolves(ip("10.101.0.7")));
  EXPECT_FALSE(fib.resolves(ip("192.0.2.1")));
  // A more specific route for .12 only, through another gateway.
  EXPECT_EQ(fib.route_added(via("10.0.200.0/28", "10.100.0.2", 2)), (std::vector<Ipv4Address>{ip("10.0.200.12")}));
  // Same gateway as what .200 resolves to already: nothing changes.
  EXPECT_TRUE(fib.route_added(via("10.0.200.128/25", "10.100.0.1", 2)).empty());
  // Our own BGP routes are not in the mirror at all.
  EXPECT_TRUE(fib.route_added(via("192.0.2.0/24", "10.100.0.1", 2, kIds.bgp_protocol, 20)).empty());
  EXPECT_FALSE(fib.resolves(ip("192.0.2.1")));
  // The /24 goes: .12 still resolves via the /28; .200 via the /25: nothing changed.
  EXPECT_TRUE(fib.route_deleted(via("10.0.200.0/24", "10.100.0.1", 2)).empty());
  // The connected subnet of eth1 goes: 10.101.0.7 stops resolving.
  EXPECT_EQ(fib.route_deleted(connected("10.101.0.0/24", 3)), (std::vector<Ipv4Address>{ip("10.101.0.7")}));
  EXPECT_FALSE(fib.resolves(ip("10.101.0.7")));
}

TEST_F(Planner, PlainRoutes_AreRewrittenWhenTheirNextHopMoves) {
  fib.set(bgp("10.1.0.0/16", {"10.0.200.12"}));
  fib.set(bgp("10.2.0.0/16", {"10.0.200.12"}));
  ASSERT_EQ(fib.plan().size(), 2u);
  fib.route_added(via("10.0.200.0/24", "10.100.0.2", 2));  // same metric: replaces
  const auto w = only<RouteWrite>(fib.plan());
  ASSERT_EQ(w.size(), 2u);
  for (const RouteWrite& r : w) EXPECT_EQ(r.hops, (std::vector<KernelHop>{hop("10.100.0.2", 2)}));
}

TEST_F(PlannerWithObjects, RoutesWithTheSameNextHopSet_ShareOneGroupObject) {
  for (const char* p : {"10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16"}) fib.set(bgp(p, {"10.0.200.12"}));
  for (const char* p : {"10.4.0.0/16", "10.5.0.0/16"}) fib.set(bgp(p, {"10.101.0.7", "10.0.200.12"}));
  const auto requests = fib.plan();
  const auto nh = only<NexthopWrite>(requests);
  ASSERT_EQ(nh.size(), 4u);  // two hop objects, two groups
  EXPECT_EQ(nh[0].hop, hop("10.100.0.1", 2));
  EXPECT_EQ(nh[1].hop, hop("10.101.0.7", 3));
  const auto groups = std::vector<NexthopWrite>(nh.begin() + 2, nh.end());
  for (const NexthopWrite& g : groups) EXPECT_FALSE(g.replace);
  // Objects come before the routes that use them.
  EXPECT_TRUE(std::holds_alternative<NexthopWrite>(requests[3]));
  const auto routes = only<RouteWrite>(requests);
  ASSERT_EQ(routes.size(), 5u);
  std::map<Ipv4Prefix, std::uint32_t> id;
  for (const RouteWrite& r : routes) {
    EXPECT_TRUE(r.hops.empty());
    id[r.prefix] = r.nexthop_id;
  }
  EXPECT_EQ(id[pfx("10.1.0.0/16")], id[pfx("10.2.0.0/16")]);
  EXPECT_EQ(id[pfx("10.1.0.0/16")], id[pfx("10.3.0.0/16")]);
  EXPECT_EQ(id[pfx("10.4.0.0/16")], id[pfx("10.5.0.0/16")]);
  EXPECT_NE(id[pfx("10.1.0.0/16")], id[pfx("10.4.0.0/16")]);
  std::set<std::uint32_t> group_ids{groups[0].id, groups[1].id};
  EXPECT_TRUE(group_ids.count(id[pfx("10.1.0.0/16")]) && group_ids.count(id[pfx("10.4.0.0/16")]));
  const auto& ecmp = groups[0].id == id[pfx("10.4.0.0/16")] ? groups[0] : groups[1];
  EXPECT_EQ(ecmp.group, (std::vector<std::uint32_t>{nh[0].id, nh[1].id}));
  EXPECT_TRUE(fib.counters().nexthop_objects);
}

TEST_F(PlannerWithObjects, ResolutionChange_ReplacesTheObjectsInPlace_RoutesNotRewritten) {
  for (const char* p : {"10.1.0.0/16", "10.2.0.0/16"}) fib.set(bgp(p, {"10.0.200.12"}));
  fib.set(bgp("10.4.0.0/16", {"10.101.0.7", "10.0.200.12"}));
  const auto first = only<NexthopWrite>(fib.plan());
  const std::uint32_t old_leaf = first[0].id;
  EXPECT_EQ(fib.route_added(via("10.0.200.0/24", "10.100.0.2", 2)), (std::vector<Ipv4Address>{ip("10.0.200.12")}));
  const auto requests = fib.plan();
  EXPECT_TRUE(only<RouteWrite>(requests).empty());
  EXPECT_TRUE(only<RouteDelete>(requests).empty());
  const auto nh = only<NexthopWrite>(requests);
  ASSERT_EQ(nh.size(), 3u);  // the new hop object, both groups replaced
  EXPECT_EQ(nh[0].hop, hop("10.100.0.2", 2));
  EXPECT_FALSE(nh[0].replace);
  EXPECT_TRUE(nh[1].replace);
  EXPECT_TRUE(nh[2].replace);
  EXPECT_EQ(only<NexthopDelete>(requests), (std::vector<NexthopDelete>{{old_leaf}}));  // after the groups
  EXPECT_TRUE(std::holds_alternative<NexthopDelete>(requests.back()));
}

TEST_F(PlannerWithObjects, NextHopLost_OneGroupDeleteTakesItsRoutes_HeldUntilItResolves) {
  for (const char* p : {"10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16"}) fib.set(bgp(p, {"10.0.200.12"}));
  fib.set(bgp("10.4.0.0/16", {"10.101.0.7", "10.0.200.12"}));
  const auto first = fib.plan();
  // Requests come in hash order: find 10.1.0.0/16's write, whose group is the single-hop one.
  std::uint32_t group = 0;
  for (const auto& w : only<RouteWrite>(first))
    if (w.prefix == pfx("10.1.0.0/16")) group = w.nexthop_id;
  ASSERT_NE(group, 0u);
  EXPECT_EQ(fib.route_deleted(via("10.0.200.0/24", "10.100.0.1", 2)), (std::vector<Ipv4Address>{ip("10.0.200.12")}));
  const auto requests = fib.plan();
  EXPECT_TRUE(only<RouteDelete>(requests).empty());  // the kernel drops routes with their object
  const auto deletes = only<NexthopDelete>(requests);
  ASSERT_FALSE(deletes.empty());
  EXPECT_EQ(deletes[0].id, group);
  const auto replaced = only<NexthopWrite>(requests);  // the ECMP group keeps its live member
  ASSERT_EQ(replaced.size(), 1u);
  EXPECT_TRUE(replaced[0].replace);
  EXPECT_EQ(replaced[0].group.size(), 1u);
  EXPECT_EQ(fib.counters().held, 3u);
  EXPECT_EQ(fib.counters().installed, 1u);
  // It resolves again: the group is made anew and its three routes written.
  fib.route_added(via("10.0.200.0/24", "10.100.0.1", 2));
  const auto back = fib.plan();
  EXPECT_EQ(only<RouteWrite>(back).size(), 3u);
  EXPECT_EQ(fib.counters().held, 0u);
  EXPECT_EQ(fib.counters().installed, 4u);
}

// counters() is kept up to date as routes change (the daemon asks after every
// batch), not counted: it agrees with held_routes() at every step.
TEST_F(PlannerWithObjects, HeldCounter_AgreesWithHeldRoutes_ThroughSetRemoveResolveAndLoss) {
  auto agree = [&](std::size_t held) {
    EXPECT_EQ(fib.counters().held, held);
    EXPECT_EQ(fib.held_routes().size(), held);
  };
  for (const char* p : {"10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16"}) fib.set(bgp(p, {"192.0.2.1"}));
  fib.set(bgp("10.4.0.0/16", {"10.101.0.7"}));
  (void)fib.plan();
  agree(3);
  fib.remove(pfx("10.3.0.0/16"), FibSource::Bgp);  // a held route withdrawn: not held, before any plan
  agree(2);
  (void)fib.plan();
  agree(2);
  fib.set(bgp("10.2.0.0/16", {"10.101.0.7"}));  // moves to a resolving next hop
  (void)fib.plan();
  agree(1);
  fib.route_added(via("192.0.2.0/24", "10.100.0.1", 2));
  EXPECT_EQ(only<RouteWrite>(fib.plan()).size(), 1u);
  agree(0);
  EXPECT_EQ(fib.counters().installed, 3u);
  fib.route_deleted(via("192.0.2.0/24", "10.100.0.1", 2));  // its group's object goes, the route is held
  EXPECT_TRUE(only<RouteDelete>(fib.plan()).empty());
  agree(1);
  EXPECT_EQ(fib.counters().installed, 2u);
  (void)fib.plan_withdraw_all();
  agree(0);
}

TEST_F(PlannerWithObjects, LastRouteOfAGroupRemoved_DeletesTheGroupNotEachRoute) {
  for (const char* p : {"10.1.0.0/16", "10.2.0.0/16"}) fib.set(bgp(p, {"10.0.200.12"}));
  fib.set(bgp("10.9.0.0/16", {"10.101.0.7"}));
  (void)fib.plan();
  fib.remove(pfx("10.1.0.0/16"), FibSource::Bgp);
  fib.remove(pfx("10.2.0.0/16"), FibSource::Bgp);
  const auto requests = fib.plan();
  EXPECT_TRUE(only<RouteDelete>(requests).empty());
  EXPECT_EQ(only<NexthopDelete>(requests).size(), 2u);  // the group, then its hop object
  EXPECT_EQ(fib.counters().installed, 1u);
  // Positive control: removing one of two routes of a group deletes that route.
  fib.set(bgp("10.8.0.0/16", {"10.101.0.7"}));
  (void)fib.plan();
  fib.remove(pfx("10.9.0.0/16"), FibSource::Bgp);
  EXPECT_EQ(only<RouteDelete>(fib.plan()).size(), 1u);
}

TEST_F(Planner, NetworkBlackholeAndStaticRoutes_ArePlainRoutesOfTheirOwnProtocolAndMetric) {
  fib.set(blackhole("10.0.0.0/8"));
  FibRoute on_link;
  on_link.prefix = pfx("10.50.0.0/16");
  on_link.source = FibSource::Static;
  on_link.interface = "eth1";
  fib.set(on_link);
  FibRoute missing = on_link;
  missing.prefix = pfx("10.51.0.0/16");
  missing.interface = "eth9";
  fib.set(missing);
  const auto w = only<RouteWrite>(fib.plan());
  ASSERT_EQ(w.size(), 2u);
  const auto& bh = w[0].prefix == pfx("10.0.0.0/8") ? w[0] : w[1];
  const auto& st = w[0].prefix == pfx("10.0.0.0/8") ? w[1] : w[0];
  EXPECT_EQ(bh.kind, FibRouteKind::Blackhole);
  EXPECT_EQ(bh.protocol, kIds.network_protocol);
  EXPECT_EQ(bh.metric, kIds.network_metric);
  EXPECT_EQ(st.protocol, kIds.static_protocol);
  EXPECT_EQ(st.hops, (std::vector<KernelHop>{KernelHop{{}, 3}}));
  ASSERT_EQ(fib.held_routes().size(), 1u);
  EXPECT_EQ(fib.held_routes()[0].detail, "interface eth9 not found");
}

TEST_F(Planner, StaticNextHop_NeverResolvesOverOurOwnStaticRoutes) {
  // Our static 192.0.2.0/24 (echoed by the kernel) lets BGP next hops resolve,
  // but not another static route's next hop.
  fib.route_added(via("192.0.2.0/24", "10.100.0.1", 2, kIds.static_protocol, kIds.static_metric));
  EXPECT_TRUE(fib.resolves(ip("192.0.2.1")));
  FibRoute s;
  s.prefix = pfx("10.60.0.0/16");
  s.source = FibSource::Static;
  s.next_hops = {ip("192.0.2.1")};
  fib.set(s);
  EXPECT_TRUE(fib.plan().empty());
  EXPECT_EQ(fib.held_routes().at(0).reason, FibHoldReason::Unresolved);
}

TEST(PlannerStale, OurRoutesFoundAtStart_StayUntilSweep_ThenOnlyTheUnsetGo) {
  FibPlanner fib(kIds, true);
  KernelSnapshot k = nva_kernel();
  k.nexthops = {KernelNexthopObject{7, kIds.bgp_protocol, hop("10.100.0.1", 2), {}, false},
                KernelNexthopObject{8, kIds.bgp_protocol, std::nullopt, {7}, false},
                KernelNexthopObject{kIds.nexthop_id_base, kZebra, hop("10.100.0.1", 2), {}, false}};
  auto ours = [&](const char* p, std::uint32_t nhid) {
    KernelRoute r{pfx(p), 254, kIds.bgp_protocol, KernelRouteType::Unicast, kIds.bgp_metric, {}, nhid};
    if (nhid == 0) r.hops = {hop("10.100.0.1", 2)};
    return r;
  };
  k.routes.push_back(ours("10.1.0.0/16", 8));
  k.routes.push_back(ours("10.2.0.0/16", 8));
  k.routes.push_back(ours("10.3.0.0/16", 0));
  k.routes.push_back(KernelRoute{pfx("10.0.0.0/8"), 254, kIds.network_protocol, KernelRouteType::Blackhole,
                                 kIds.network_metric, {}, 0});
  fib.start(k);
  EXPECT_EQ(fib.counters().stale_at_start, 4u);
  EXPECT_EQ(fib.counters().installed, 4u);
  fib.set(bgp("10.1.0.0/16", {"10.0.200.12"}));
  fib.set(blackhole("10.0.0.0/8"));
  const auto written = fib.plan();
  for (const NexthopWrite& n : only<NexthopWrite>(written))
    EXPECT_TRUE(n.id != 7 && n.id != 8 && n.id != kIds.nexthop_id_base);  // never an id in use
  EXPECT_EQ(only<RouteWrite>(written).size(), 2u);  // replace the stale ones in place
  EXPECT_TRUE(only<RouteDelete>(written).empty());
  EXPECT_EQ(fib.counters().installed, 4u);
  std::size_t swept = 0;
  const auto sweep = fib.plan_sweep(swept);
  EXPECT_EQ(swept, 2u);
  // 10.3/16 (a plain route) is deleted; 10.2/16 goes with our stale group 8,
  // deleted before its member 7; zebra's object is not touched.
  EXPECT_EQ(sweep, (std::vector<KernelRequest>{
                       RouteDelete{pfx("10.3.0.0/16"), kIds.bgp_protocol, kIds.bgp_metric, 254},
                       NexthopDelete{8}, NexthopDelete{7}}));
  EXPECT_EQ(fib.counters().swept, 2u);
  EXPECT_EQ(fib.counters().installed, 2u);
}

TEST_F(Planner, KernelRefusal_HoldsTheRoute_CountsEveryTime_LogsOncePerPrefixAndReason) {
  fib.set(bgp("10.1.0.0/16", {"10.0.200.12"}));
  auto requests = fib.plan();
  fib.refused(requests[0], EINVAL, "Nexthop has invalid gateway");
  ASSERT_EQ(fib.held_routes().size(), 1u);
  EXPECT_EQ(fib.held_routes()[0].reason, FibHoldReason::KernelRefused);
  EXPECT_EQ(fib.held_routes()[0].detail, "kernel: Invalid argument (Nexthop has invalid gateway)");
  EXPECT_EQ(fib.counters().installed, 0u);
  EXPECT_EQ(fib.take_log(),
            (std::vector<std::string>{"fib: 10.1.0.0/16 (bgp) not installed: kernel: Invalid argument (Nexthop has "
                                      "invalid gateway)"}));
  fib.set(bgp("10.1.0.0/16", {"10.0.200.12"}));
  requests = fib.plan();
  ASSERT_EQ(requests.size(), 1u);  // retried on the next set
  fib.refused(requests[0], EINVAL, "Nexthop has invalid gateway");
  EXPECT_TRUE(fib.take_log().empty());
  EXPECT_EQ(fib.counters().refused, 2u);
}

TEST_F(PlannerWithObjects, WithdrawAll_DeletesPlainRoutesAndObjects_NotEachObjectRoute) {
  for (const char* p : {"10.1.0.0/16", "10.2.0.0/16"}) fib.set(bgp(p, {"10.0.200.12"}));
  fib.set(blackhole("10.0.0.0/8"));
  (void)fib.plan();
  const auto requests = fib.plan_withdraw_all();
  EXPECT_EQ(only<RouteDelete>(requests),
            (std::vector<RouteDelete>{{pfx("10.0.0.0/8"), kIds.network_protocol, kIds.network_metric, 254}}));
  EXPECT_EQ(only<NexthopDelete>(requests).size(), 2u);
  EXPECT_EQ(fib.counters().installed, 0u);
  EXPECT_TRUE(fib.plan().empty());
}

}  // namespace
}  // namespace hairpin::bgpd
