// The restart's convergence rule (stale_sweep.hpp): when the routes an earlier run
// left in the kernel may be swept.

#include <gtest/gtest.h>

#include "hairpin/bgpd/daemon/stale_sweep.hpp"
#include "hex.hpp"

namespace hairpin::bgpd {
namespace {

using test::ip;
using S = SessionState;

PeerConvergence peer(const char* address, SessionState state, bool eor) { return {ip(address), state, eor}; }

TEST(StaleSweep, NobodyUpYet_Waits) {
  EXPECT_FALSE(decide_stale_sweep({peer("10.0.210.4", S::Active, false), peer("10.0.210.5", S::Connect, false)},
                                  false, 120)
                   .sweep);
}

TEST(StaleSweep, OneEstablishedPeerStillSendingItsTable_Waits) {
  EXPECT_FALSE(decide_stale_sweep({peer("10.0.210.4", S::Established, true), peer("10.0.210.5", S::Established, false)},
                                  false, 120)
                   .sweep);
}

TEST(StaleSweep, EndOfRibFromEveryEstablishedPeer_Sweeps) {
  auto d = decide_stale_sweep({peer("10.0.210.4", S::Established, true), peer("10.0.210.5", S::Established, true)},
                              false, 120);
  EXPECT_TRUE(d.sweep);
  EXPECT_EQ(d.why, "End-of-RIB from 10.0.210.4, 10.0.210.5");
}

TEST(StaleSweep, APeerThatNeverComesUp_DoesNotBlockOnceTheOthersConverged) {
  auto d = decide_stale_sweep({peer("10.0.210.4", S::Established, true), peer("10.0.210.5", S::Active, false)},
                              false, 120);
  EXPECT_TRUE(d.sweep);
  EXPECT_EQ(d.why, "End-of-RIB from 10.0.210.4");
}

TEST(StaleSweep, APeerHalfWayThroughItsOpenExchange_IsWaitedFor) {
  for (auto state : {S::OpenSent, S::OpenConfirm})
    EXPECT_FALSE(decide_stale_sweep({peer("10.0.210.4", S::Established, true), peer("10.0.210.5", state, false)},
                                    false, 120)
                     .sweep)
        << to_string(state);
}

TEST(StaleSweep, TheTimer_SweepsWhateverTheSessionsDo) {
  auto d = decide_stale_sweep({peer("10.0.210.4", S::Established, false)}, true, 120);
  EXPECT_TRUE(d.sweep);
  EXPECT_EQ(d.why, "stale timer (120 s)");
}

}  // namespace
}  // namespace hairpin::bgpd
