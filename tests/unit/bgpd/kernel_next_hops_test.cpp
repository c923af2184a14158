// The daemon's next-hop resolver until the FIB: cached kernel lookups, and
// recheck() reporting exactly the next hops whose answer changed.

#include <gtest/gtest.h>

#include <map>

#include "hairpin/bgpd/daemon/kernel_next_hops.hpp"
#include "hex.hpp"

namespace hairpin::bgpd {
namespace {

using test::ip;

// A routing table the test edits, counting how often it is asked.
struct FakeKernel {
  std::map<Ipv4Address, bool> routes;
  int lookups = 0;
  KernelNextHops::Lookup lookup() {
    return [this](Ipv4Address a) {
      ++lookups;
      return routes.count(a) ? routes.at(a) : false;
    };
  }
};

TEST(KernelNextHops, AskedPerPrefix_KernelAskedOncePerNextHop) {
  FakeKernel kernel{{{ip("10.0.200.12"), true}}};
  KernelNextHops hops(kernel.lookup());
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(hops.reachable(ip("10.0.200.12")));
  EXPECT_FALSE(hops.reachable(ip("10.0.200.13")));
  EXPECT_EQ(kernel.lookups, 2);
}

TEST(KernelNextHops, Recheck_ReportsOnlyTheNextHopsWhoseAnswerChanged) {
  FakeKernel kernel{{{ip("10.0.200.12"), true}, {ip("10.0.200.13"), false}, {ip("10.0.200.14"), true}}};
  KernelNextHops hops(kernel.lookup());
  auto resolve = hops.resolver();
  for (auto a : {"10.0.200.12", "10.0.200.13", "10.0.200.14"}) resolve(ip(a));
  EXPECT_TRUE(hops.recheck().empty());  // nothing changed yet

  kernel.routes[ip("10.0.200.12")] = false;  // route gone
  kernel.routes[ip("10.0.200.13")] = true;   // route came
  EXPECT_EQ(hops.recheck(), (std::vector<Ipv4Address>{ip("10.0.200.12"), ip("10.0.200.13")}));
  EXPECT_FALSE(resolve(ip("10.0.200.12")));
  EXPECT_TRUE(resolve(ip("10.0.200.13")));
  EXPECT_TRUE(resolve(ip("10.0.200.14")));
  EXPECT_TRUE(hops.recheck().empty());  // reported once, not again
}

TEST(KernelHasRoute, LoopbackRouted_RefusedConnectReadsUnreachable) {
  // The local table always routes 127.0.0.0/8, on any Linux machine.
  EXPECT_TRUE(kernel_has_route(ip("127.0.0.1")));
  // The kernel refuses a UDP connect() to the limited broadcast address without
  // SO_BROADCAST (EACCES), whatever the routes: a failed lookup must read as
  // unreachable, never as reachable.
  EXPECT_FALSE(kernel_has_route(ip("255.255.255.255")));
}

}  // namespace
}  // namespace hairpin::bgpd
