// NetlinkFib over a fake kernel (fake_kernel.hpp): what reaches the kernel, in
// how many sendmsg calls, how refusals find their prefix, and how the kernel's
// notifications move routes. Every test runs twice: writing inline, and on the
// writer thread the daemon uses (each step then settles before it looks), with
// the same outcome.

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <set>
#include <thread>

#include "fake_kernel.hpp"
#include "hairpin/bgpd/fib/netlink_fib.hpp"
#include "test_values.hpp"

namespace hairpin::bgpd {
namespace {

using namespace fibtest;

const FibKernelIds kIds;

std::shared_ptr<FakeKernelState> nva_kernel() {
  auto k = std::make_shared<FakeKernelState>();
  for (const KernelRoute& r : {connected("10.100.0.0/24", 2), connected("10.101.0.0/24", 3),
                               via("10.0.200.0/24", "10.100.0.1", 2)})
    k->routes[{r.prefix, r.metric}] = r;
  k->links = {KernelLink{1, "lo", true}, KernelLink{2, "eth0", true}, KernelLink{3, "eth1", true}};
  return k;
}

struct Opened {
  std::unique_ptr<NetlinkFib> fib;
  std::vector<std::string> log;
  std::vector<std::vector<Ipv4Address>> changes;
};

// The mode of the running test (its parameter).
bool g_writer_thread = false;

class FibMode : public testing::TestWithParam<bool> {
 protected:
  void SetUp() override { g_writer_thread = GetParam(); }
};
std::string mode_name(const testing::TestParamInfo<bool>& info) { return info.param ? "WriterThread" : "Inline"; }
#define FIB_SUITE(Suite)                 \
  class Suite : public FibMode {};       \
  INSTANTIATE_TEST_SUITE_P(Modes, Suite, testing::Bool(), mode_name)
FIB_SUITE(NetlinkFibOpen);
FIB_SUITE(NetlinkFibBatching);
FIB_SUITE(NetlinkFibErrors);
FIB_SUITE(NetlinkFibObjects);
FIB_SUITE(NetlinkFibNotifications);
FIB_SUITE(NetlinkFibStale);

std::unique_ptr<Opened> open_fib(std::shared_ptr<FakeKernelState> kernel, NetlinkFibOptions options = {}) {
  options.writer_thread = g_writer_thread;
  auto o = std::make_unique<Opened>();
  FibEvents events;
  events.log = [p = o.get()](const std::string& line) { p->log.push_back(line); };
  events.next_hops_changed = [p = o.get()](std::vector<Ipv4Address> nhs) { p->changes.push_back(std::move(nhs)); };
  auto fib = NetlinkFib::open_on(std::make_unique<FakeKernel>(kernel), events, options);
  EXPECT_TRUE(fib.ok()) << (fib.ok() ? "" : fib.error().to_string());
  if (fib.ok()) o->fib = std::move(fib.value());
  if (o->fib) o->fib->start_writer_thread();
  return o;
}

// Each step as the test sees it: done once the kernel has answered.
void written(Opened& o) {
  o.fib->flush();
  o.fib->settle();
}
void notified(Opened& o, std::span<const std::uint8_t> bytes) {
  o.fib->on_notifications(bytes);
  o.fib->settle();
}
void overran(Opened& o) {
  o.fib->overrun();
  o.fib->settle();
}
std::size_t swept(Opened& o) {
  const std::size_t n = o.fib->sweep_stale();
  o.fib->settle();
  return n;
}

FibRoute nth(std::size_t i, const char* next_hop = "10.0.200.12") {
  FibRoute r;
  r.prefix = Ipv4Prefix{Ipv4Address{0x14000000u + static_cast<std::uint32_t>(i << 8)}, 24};  // 20.0.0.0/24 ...
  r.next_hops = {ip(next_hop)};
  return r;
}

TEST_P(NetlinkFibOpen, WithoutCapNetAdmin_OneLineNamingItAndTheFix) {
  auto kernel = nva_kernel();
  kernel->eperm = true;
  auto fib = NetlinkFib::open_on(std::make_unique<FakeKernel>(kernel), {}, {});
  ASSERT_FALSE(fib.ok());
  const std::string line = fib.error().to_string();
  EXPECT_NE(line.find("CAP_NET_ADMIN"), std::string::npos) << line;
  EXPECT_NE(line.find("run hairpin nva as root"), std::string::npos) << line;
  EXPECT_EQ(line.find('\n'), std::string::npos);
  // Positive control: the same kernel with the capability opens.
  kernel->eperm = false;
  EXPECT_TRUE(NetlinkFib::open_on(std::make_unique<FakeKernel>(kernel), {}, {}).ok());
}

TEST_P(NetlinkFibOpen, DumpInterruptedByAChange_IsReadAgain_NeverTrustedHalfRead) {
  auto kernel = nva_kernel();
  kernel->interrupted_route_dumps = 1;  // that dump misses 10.101.0.0/24, the connected route
  auto o = open_fib(kernel);
  EXPECT_EQ(kernel->route_dumps, 2u);
  EXPECT_TRUE(o->fib->resolves(ip("10.101.0.7")));
  EXPECT_TRUE(o->log.empty());
  // A table that never holds still: after five dumps the last is used, and said.
  auto busy = nva_kernel();
  busy->interrupted_route_dumps = 5;
  auto b = open_fib(busy);
  EXPECT_EQ(busy->route_dumps, 5u);
  EXPECT_FALSE(b->fib->resolves(ip("10.101.0.7")));
  ASSERT_EQ(b->log.size(), 1u);
  EXPECT_NE(b->log[0].find("kept changing during 5 dumps"), std::string::npos) << b->log[0];
}

TEST_P(NetlinkFibBatching, NRequests_GoInCeilNOverKSendmsgCalls) {
  for (std::size_t n : {1u, 99u, 100u, 101u, 1050u}) {
    auto kernel = nva_kernel();
    NetlinkFibOptions options;
    options.requests_per_batch = 100;
    options.nexthop_objects = false;
    auto o = open_fib(kernel, options);
    for (std::size_t i = 0; i < n; ++i) o->fib->set(nth(i));
    const std::size_t sends_before = kernel->sends;
    written(*o);
    EXPECT_EQ(kernel->sends - sends_before, (n + 99) / 100) << n;
    EXPECT_EQ(o->fib->counters().batches, (n + 99) / 100);
    EXPECT_EQ(o->fib->counters().requests, n);
    EXPECT_EQ(kernel->routes_of(kIds.bgp_protocol), n);
  }
}

TEST(NetlinkFibWriterThread, FlushReturnsWhileTheKernelIsBusy_SettleWaitsForAllOfIt) {
  auto kernel = nva_kernel();
  NetlinkFibOptions options;
  options.requests_per_batch = 10;
  options.batches_in_flight = 8;
  g_writer_thread = true;
  auto o = open_fib(kernel, options);
  kernel->close_gate();
  for (std::size_t i = 0; i < 50; ++i) o->fib->set(nth(i));  // 5 route batches + the objects'
  o->fib->flush();  // returns: the writer thread holds the sendmsg, not us
  ASSERT_TRUE(kernel->wait_for_sender(std::chrono::seconds(10)));
  EXPECT_EQ(kernel->routes_of(kIds.bgp_protocol), 0u);
  kernel->open_gate();
  o->fib->settle();
  EXPECT_EQ(kernel->routes_of(kIds.bgp_protocol), 50u);
  EXPECT_EQ(o->fib->counters().requests, 52u);  // 50 routes, one hop object, one group
}

TEST(NetlinkFibWriterThread, RefusalsFromTheWriter_ReachTheCallerAndAreLoggedOnce) {
  auto kernel = nva_kernel();
  NetlinkFibOptions options;
  options.requests_per_batch = 16;
  g_writer_thread = true;
  auto o = open_fib(kernel, options);
  kernel->refuse.insert(nth(40).prefix);
  for (std::size_t i = 0; i < 64; ++i) o->fib->set(nth(i));
  written(*o);
  ASSERT_EQ(o->fib->held_routes().size(), 1u);
  EXPECT_EQ(o->fib->held_routes()[0].prefix, nth(40).prefix);
  EXPECT_EQ(o->fib->counters().installed, 63u);
  EXPECT_EQ(o->log, (std::vector<std::string>{"fib: " + nth(40).prefix.to_string() +
                                               " (bgp) not installed: kernel: Invalid argument"}));
  // Destroying the FIB with writes queued writes them first (the kernel keeps
  // the last word we planned, as with --retain).
  kernel->close_gate();
  o->fib->set(nth(100));
  o->fib->flush();
  ASSERT_TRUE(kernel->wait_for_sender(std::chrono::seconds(10)));
  std::thread opener([&] { kernel->open_gate(); });
  o->fib.reset();
  opener.join();
  EXPECT_NE(kernel->route(nth(100).prefix, kIds.bgp_metric), nullptr);
}

TEST_P(NetlinkFibErrors, EachRefusalIsAttributedToItsPrefixBySeq_AcrossBatches) {
  auto kernel = nva_kernel();
  NetlinkFibOptions options;
  options.requests_per_batch = 64;
  auto o = open_fib(kernel, options);
  const std::vector<std::size_t> refused_at = {5, 130, 299};
  for (std::size_t i : refused_at) kernel->refuse.insert(nth(i).prefix);
  for (std::size_t i = 0; i < 300; ++i) o->fib->set(nth(i));
  written(*o);
  const auto held = o->fib->held_routes();
  ASSERT_EQ(held.size(), 3u);
  for (std::size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(held[k].prefix, nth(refused_at[k]).prefix);
    EXPECT_EQ(held[k].reason, FibHoldReason::KernelRefused);
    EXPECT_EQ(held[k].detail, "kernel: Invalid argument");
  }
  EXPECT_EQ(kernel->routes_of(kIds.bgp_protocol), 297u);
  EXPECT_EQ(o->fib->counters().refused, 3u);
  EXPECT_EQ(o->fib->counters().installed, 297u);
  std::set<std::string> expected;
  for (std::size_t i : refused_at)
    expected.insert("fib: " + nth(i).prefix.to_string() + " (bgp) not installed: kernel: Invalid argument");
  EXPECT_EQ(std::set<std::string>(o->log.begin(), o->log.end()), expected);
  EXPECT_EQ(o->log.size(), 3u);
}

TEST_P(NetlinkFibObjects, KernelRefusingNexthopObjects_FallsBackToGatewayRoutes) {
  auto kernel = nva_kernel();
  kernel->refuse_new_nexthop = true;
  auto o = open_fib(kernel);
  EXPECT_FALSE(o->fib->counters().nexthop_objects);
  ASSERT_EQ(o->log.size(), 1u);
  EXPECT_NE(o->log[0].find("refuses nexthop objects"), std::string::npos);
  o->fib->set(nth(0));
  written(*o);
  const KernelRoute* r = kernel->route(nth(0).prefix, kIds.bgp_metric);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->nexthop_id, 0u);
  EXPECT_EQ(r->hops, (std::vector<KernelHop>{hop("10.100.0.1", 2)}));
  // Positive control: a kernel that takes them gets one group for both routes.
  auto modern = nva_kernel();
  auto m = open_fib(modern);
  EXPECT_TRUE(m->fib->counters().nexthop_objects);
  m->fib->set(nth(0));
  m->fib->set(nth(1));
  written(*m);
  const KernelRoute* a = modern->route(nth(0).prefix, kIds.bgp_metric);
  const KernelRoute* b = modern->route(nth(1).prefix, kIds.bgp_metric);
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->nexthop_id, 0u);
  EXPECT_EQ(a->nexthop_id, b->nexthop_id);
  EXPECT_EQ(modern->nexthops.size(), 2u);  // the hop and the group
}

TEST_P(NetlinkFibObjects, NoNexthopDump_MeansAnOldKernel_PlainRoutes) {
  auto kernel = nva_kernel();
  kernel->no_nexthop_dump = true;
  auto o = open_fib(kernel);
  EXPECT_FALSE(o->fib->counters().nexthop_objects);
}

TEST_P(NetlinkFibNotifications, NextHopMoves_GroupReplacedInPlace_RoutesUntouched_NextHopReported) {
  auto kernel = nva_kernel();
  auto o = open_fib(kernel);
  EXPECT_TRUE(o->fib->resolves(ip("10.101.0.7")));  // tracked, and must not be reported
  for (std::size_t i = 0; i < 3; ++i) o->fib->set(nth(i));
  written(*o);
  const std::uint32_t group = kernel->route(nth(0).prefix, kIds.bgp_metric)->nexthop_id;
  const std::size_t writes = kernel->route_writes;
  // Someone moves ARS's subnet to another gateway (same metric: a replace).
  const KernelRoute moved = via("10.0.200.0/24", "10.100.0.2", 2);
  kernel->routes[{moved.prefix, 0}] = moved;
  notified(*o, encode_kernel_route(moved));
  ASSERT_EQ(o->changes.size(), 1u);
  EXPECT_EQ(o->changes[0], (std::vector<Ipv4Address>{ip("10.0.200.12")}));
  EXPECT_EQ(kernel->route_writes, writes);  // no route rewritten
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(kernel->route(nth(i).prefix, kIds.bgp_metric)->nexthop_id, group);
  const auto& members = kernel->nexthops.at(group).group;
  ASSERT_EQ(members.size(), 1u);
  EXPECT_EQ(kernel->nexthops.at(members[0]).hop, hop("10.100.0.2", 2));
  EXPECT_EQ(kernel->nexthops.size(), 2u);  // the old hop object is gone
}

TEST_P(NetlinkFibObjects, IdTakenByAnotherDaemonSinceStart_NewIdInTheSameFlush) {
  auto kernel = nva_kernel();
  auto o = open_fib(kernel);
  // Someone creates objects with the ids we would allocate next.
  for (std::uint32_t id = kIds.nexthop_id_base; id < kIds.nexthop_id_base + 2; ++id)
    kernel->nexthops[id] = KernelNexthopObject{id, kZebra, hop("10.100.0.1", 2), {}, false};
  o->fib->set(nth(0));
  written(*o);
  const KernelRoute* r = kernel->route(nth(0).prefix, kIds.bgp_metric);
  ASSERT_NE(r, nullptr);
  EXPECT_GE(r->nexthop_id, kIds.nexthop_id_base + 2);
  EXPECT_EQ(kernel->nexthops.at(kIds.nexthop_id_base).protocol, kZebra);  // theirs untouched
  EXPECT_TRUE(o->fib->held_routes().empty());
  EXPECT_EQ(o->fib->counters().installed, 1u);
}

TEST_P(NetlinkFibNotifications, Overrun_RereadsTheKernel_AndReportsWhatWasMissed) {
  auto kernel = nva_kernel();
  auto o = open_fib(kernel);
  o->fib->set(nth(0));
  written(*o);
  // The notifications of this change were lost (ENOBUFS).
  const KernelRoute moved = via("10.0.200.0/24", "10.100.0.2", 2);
  kernel->routes[{moved.prefix, 0}] = moved;
  EXPECT_TRUE(o->changes.empty());
  overran(*o);
  EXPECT_EQ(o->changes, (std::vector<std::vector<Ipv4Address>>{{ip("10.0.200.12")}}));
  const std::uint32_t group = kernel->route(nth(0).prefix, kIds.bgp_metric)->nexthop_id;
  EXPECT_EQ(kernel->nexthops.at(kernel->nexthops.at(group).group.at(0)).hop, hop("10.100.0.2", 2));
}

TEST_P(NetlinkFibNotifications, EchoesOfOurOwnBgpRoutes_NeverResolveNextHops) {
  auto kernel = nva_kernel();
  auto o = open_fib(kernel);
  EXPECT_FALSE(o->fib->resolves(ip("192.0.2.1")));
  notified(*o, encode_kernel_route(via("192.0.2.0/24", "10.100.0.1", 2, kIds.bgp_protocol, 20)));
  notified(*o, encode_kernel_route(typed("192.0.0.0/8", KernelRouteType::Blackhole, kIds.network_protocol, 15)));
  EXPECT_FALSE(o->fib->resolves(ip("192.0.2.1")));
  EXPECT_TRUE(o->changes.empty());
  // Positive control: the same route of another protocol does.
  notified(*o, encode_kernel_route(via("192.0.2.0/24", "10.100.0.1", 2, kStatic, 0)));
  EXPECT_TRUE(o->fib->resolves(ip("192.0.2.1")));
  EXPECT_EQ(o->changes, (std::vector<std::vector<Ipv4Address>>{{ip("192.0.2.1")}}));
}

TEST_P(NetlinkFibNotifications, LinkDown_RereadsTheKernel_RoutesThroughItGoUnresolved) {
  auto kernel = nva_kernel();
  auto o = open_fib(kernel);
  o->fib->set(nth(0, "10.101.0.7"));
  o->fib->set(nth(1, "10.0.200.12"));  // positive control: another link
  written(*o);
  ASSERT_EQ(kernel->routes_of(kIds.bgp_protocol), 2u);
  const std::size_t dumps = kernel->dumps;
  // The kernel drops the connected route of a link that goes down without a
  // route notification; only the link's own notification comes.
  kernel->routes.erase({pfx("10.101.0.0/24"), 0});
  kernel->links[2].up = false;
  notified(*o, encode_kernel_link(kernel->links[2]));
  EXPECT_GT(kernel->dumps, dumps);
  EXPECT_EQ(o->changes, (std::vector<std::vector<Ipv4Address>>{{ip("10.101.0.7")}}));
  EXPECT_EQ(kernel->route(nth(0).prefix, kIds.bgp_metric), nullptr);
  EXPECT_NE(kernel->route(nth(1).prefix, kIds.bgp_metric), nullptr);
  ASSERT_EQ(o->fib->held_routes().size(), 1u);
  EXPECT_EQ(o->fib->held_routes()[0].detail, "next hop 10.101.0.7 unresolved");
}

TEST_P(NetlinkFibStale, RoutesOfAnEarlierRun_ForwardUntilSweep_ThenTheUnsetGo_WithdrawLeavesNothingOfOurs) {
  auto kernel = nva_kernel();
  // An earlier run (kill -9) left a group with two routes, a plain route and a blackhole.
  kernel->nexthops[50] = KernelNexthopObject{50, kIds.bgp_protocol, hop("10.100.0.1", 2), {}, false};
  kernel->nexthops[51] = KernelNexthopObject{51, kIds.bgp_protocol, std::nullopt, {50}, false};
  for (std::size_t i = 0; i < 2; ++i) {
    KernelRoute r{nth(i).prefix, 254, kIds.bgp_protocol, KernelRouteType::Unicast, kIds.bgp_metric, {}, 51};
    kernel->routes[{r.prefix, r.metric}] = r;
  }
  KernelRoute plain{nth(2).prefix, 254, kIds.bgp_protocol, KernelRouteType::Unicast, kIds.bgp_metric, {hop("10.100.0.1", 2)}, 0};
  kernel->routes[{plain.prefix, plain.metric}] = plain;
  KernelRoute bh{pfx("10.0.0.0/8"), 254, kIds.network_protocol, KernelRouteType::Blackhole, kIds.network_metric, {}, 0};
  kernel->routes[{bh.prefix, bh.metric}] = bh;

  auto o = open_fib(kernel);
  EXPECT_EQ(o->fib->counters().stale_at_start, 4u);
  o->fib->set(nth(0));
  FibRoute supernet;
  supernet.prefix = pfx("10.0.0.0/8");
  supernet.source = FibSource::Network;
  supernet.kind = FibRouteKind::Blackhole;
  o->fib->set(supernet);
  written(*o);
  EXPECT_EQ(kernel->routes_of(kIds.bgp_protocol), 3u);  // all still forwarding
  EXPECT_EQ(swept(*o), 2u);
  EXPECT_NE(kernel->route(nth(0).prefix, kIds.bgp_metric), nullptr);
  EXPECT_EQ(kernel->route(nth(1).prefix, kIds.bgp_metric), nullptr);
  EXPECT_EQ(kernel->route(nth(2).prefix, kIds.bgp_metric), nullptr);
  EXPECT_NE(kernel->route(pfx("10.0.0.0/8"), kIds.network_metric), nullptr);
  EXPECT_FALSE(kernel->nexthops.count(50) || kernel->nexthops.count(51));
  EXPECT_EQ(o->fib->counters().swept, 2u);

  o->fib->withdraw_all();
  EXPECT_EQ(kernel->routes_of(kIds.bgp_protocol) + kernel->routes_of(kIds.network_protocol), 0u);
  EXPECT_TRUE(kernel->nexthops.empty());
  EXPECT_EQ(kernel->routes.size(), 3u);  // the connected and static routes of others stay
}

}  // namespace
}  // namespace hairpin::bgpd
