// When a peer that stopped reading gets its session closed (output_queue.hpp).

#include "hairpin/bgpd/daemon/output_queue.hpp"

#include <gtest/gtest.h>

namespace hairpin::bgpd {
namespace {

using std::chrono::milliseconds;

TEST(OutputQueue, Empty_NeverCloses_HoweverLongSinceTheLastWrite) {
  EXPECT_FALSE(judge_output_queue({0, milliseconds{3'600'000}, 3}).close);
}

TEST(OutputQueue, Stuck_ForTheHoldTime_Stays_JustPast_Closes) {
  EXPECT_FALSE(judge_output_queue({4096, milliseconds{9'000}, 9}).close);
  auto v = judge_output_queue({4096, milliseconds{9'001}, 9});
  EXPECT_TRUE(v.close);
  EXPECT_EQ(v.why, "4096 bytes queued and nothing written for 9 s (hold time 9 s)");
}

TEST(OutputQueue, SlowButMoving_StaysUp_EvenWithMuchQueued) {
  // A full table on its way to a slow reader: written 100 ms ago, 100 MiB waiting.
  EXPECT_FALSE(judge_output_queue({100ull << 20, milliseconds{100}, 180}).close);
}

TEST(OutputQueue, OverTheByteCap_ClosesAtOnce) {
  OutputQueueLimits limits;
  limits.max_bytes = 1 << 20;
  EXPECT_FALSE(judge_output_queue({1 << 20, milliseconds{0}, 180}, limits).close);
  auto v = judge_output_queue({(1 << 20) + 1, milliseconds{0}, 180}, limits);
  EXPECT_TRUE(v.close);
  EXPECT_EQ(v.why, "1048577 bytes queued, more than the limit of 1048576");
}

TEST(OutputQueue, NoHoldTime_UsesTheFallbackLimit) {
  // RFC 4271 4.2: hold time 0 means no keepalives; the stall limit is then 180 s.
  EXPECT_FALSE(judge_output_queue({10, milliseconds{179'000}, 0}).close);
  auto v = judge_output_queue({10, milliseconds{181'000}, 0});
  EXPECT_TRUE(v.close);
  EXPECT_EQ(v.why, "10 bytes queued and nothing written for 181 s (no hold time; limit 180 s)");
}

}  // namespace
}  // namespace hairpin::bgpd
