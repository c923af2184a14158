// FakeFib keeps the contract's observable rules, so daemon tests over it mean
// what they would over NetlinkFib.

#include <gtest/gtest.h>

#include "hairpin/bgpd/fib/fake_fib.hpp"
#include "test_values.hpp"

namespace hairpin::bgpd {
namespace {

using namespace fibtest;

TEST(FakeFib, NothingBeforeFlush_LastChangeWins_UnresolvedHeld_ResolutionReported) {
  std::vector<Ipv4Address> changed;
  FibEvents events;
  events.next_hops_changed = [&](std::vector<Ipv4Address> nhs) { changed = nhs; };
  FakeFib fib(events);
  fib.set_resolvable(ip("10.0.200.12"), true);
  changed.clear();
  fib.set(bgp("10.1.0.0/16", {"192.0.2.1"}));
  fib.set(bgp("10.1.0.0/16", {"10.0.200.12"}));
  fib.set(bgp("10.2.0.0/16", {"192.0.2.1"}));
  EXPECT_TRUE(fib.installed().empty());
  fib.flush();
  ASSERT_EQ(fib.installed().size(), 1u);
  EXPECT_EQ(fib.installed().begin()->second.next_hops, (std::vector<Ipv4Address>{ip("10.0.200.12")}));
  ASSERT_EQ(fib.held_routes().size(), 1u);
  EXPECT_EQ(fib.held_routes()[0].detail, "next hop 192.0.2.1 unresolved");
  fib.set_resolvable(ip("192.0.2.1"), true);
  EXPECT_EQ(changed, (std::vector<Ipv4Address>{ip("192.0.2.1")}));
  EXPECT_EQ(fib.installed().size(), 2u);
}

TEST(FakeFib, StaleRoutesStayUntilSweep_ThenTheUnsetGo) {
  FakeFib fib;
  fib.set_resolvable(ip("10.0.200.12"), true);
  fib.add_stale(bgp("10.1.0.0/16", {"10.0.200.12"}));
  fib.add_stale(bgp("10.2.0.0/16", {"10.0.200.12"}));
  fib.set(bgp("10.1.0.0/16", {"10.0.200.12"}));
  fib.flush();
  EXPECT_EQ(fib.installed().size(), 2u);
  EXPECT_EQ(fib.sweep_stale(), 1u);
  EXPECT_EQ(fib.installed().size(), 1u);
  EXPECT_EQ(fib.counters().stale_at_start, 2u);
  fib.withdraw_all();
  EXPECT_TRUE(fib.installed().empty());
}

}  // namespace
}  // namespace hairpin::bgpd
