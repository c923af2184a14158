// common/privileges: /proc/PID/status read back as masks, and drop_to in a
// forked child (the test process keeps its own capabilities). As root the child
// ends with exactly what it kept, in every set, and no_new_privs; as another user
// with nothing (it never gains a capability). A second thread makes it refuse.

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "hairpin/common/privileges.hpp"

namespace hairpin {
namespace {

constexpr const char* kStatus =
    "Name:\thairpin\nUmask:\t0022\nState:\tS (sleeping)\n"
    "CapInh:\t0000000000000000\nCapPrm:\t0000000000003400\nCapEff:\t0000000000003400\n"
    "CapBnd:\t0000000000003400\nCapAmb:\t0000000000000000\nNoNewPrivs:\t1\nSeccomp:\t0\n";

TEST(ProcStatus, CapabilityMasksAndNoNewPrivsAreRead) {
  auto p = parse_proc_status(kStatus);
  ASSERT_TRUE(p.ok()) << p.error().to_string();
  const std::uint64_t nva = capability_bit(Capability::NetAdmin) | capability_bit(Capability::NetRaw) |
                            capability_bit(Capability::NetBindService);
  EXPECT_EQ(nva, 0x3400u) << "CAP_NET_BIND_SERVICE 10, CAP_NET_ADMIN 12, CAP_NET_RAW 13";
  EXPECT_EQ(p->effective, nva);
  EXPECT_EQ(p->permitted, nva);
  EXPECT_EQ(p->bounding, nva);
  EXPECT_EQ(p->inheritable, 0u);
  EXPECT_EQ(p->ambient, 0u);
  EXPECT_TRUE(p->no_new_privs);
}

TEST(ProcStatus, MissingLinesAreAnError) {
  auto p = parse_proc_status("Name:\tx\nCapEff:\t0000000000003400\n");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().fix.find("Linux 4.10"), std::string::npos);
}

// Runs `body` in a forked child; its exit code (0 = every check passed there).
template <typename F>
int in_child(F body) {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(body());
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

TEST(DropTo, KeepsExactlyWhatItIsGiven_InEverySet) {
  const bool root = ::geteuid() == 0;
  const int rc = in_child([root] {
    auto before = current_privileges();
    if (!before) return 10;
    if (root && before->effective == capability_bit(Capability::NetRaw)) return 11;  // positive control: it had more
    if (auto dropped = drop_to({Capability::NetRaw}); !dropped) return 12;
    auto after = current_privileges();
    if (!after) return 13;
    const auto raw = root ? capability_bit(Capability::NetRaw) : 0;  // not root: nothing held, nothing kept
    if (after->effective != raw || after->permitted != raw) return 14;
    if (root && after->bounding != raw) return 15;
    if (after->inheritable != 0 || after->ambient != 0 || !after->no_new_privs) return 16;
    return 0;
  });
  EXPECT_EQ(rc, 0) << (::geteuid() == 0 ? "as root" : "as non-root");
}

TEST(DropTo, NeverGainsWhatTheProcessNoLongerHolds) {
  const int rc = in_child([] {
    if (::geteuid() == 0 && !drop_to({Capability::NetRaw}).ok()) return 10;  // first down to CAP_NET_RAW
    const auto held = current_privileges();
    if (!held) return 11;
    if (auto again = drop_to({Capability::NetAdmin, Capability::NetRaw}); !again) return 12;
    auto after = current_privileges();
    if (!after) return 13;
    if (after->effective != held->effective || after->permitted != held->permitted) return 14;
    if (after->effective & capability_bit(Capability::NetAdmin)) return 15;
    return 0;
  });
  EXPECT_EQ(rc, 0);
}

TEST(DropTo, RefusesOnceASecondThreadRuns) {
  const int rc = in_child([] {
    std::atomic<bool> done{false};
    std::thread other([&] {
      while (!done) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    });
    auto dropped = drop_to({Capability::NetRaw});
    done = true;
    other.join();
    return !dropped.ok() && dropped.error().what.find("2 threads") != std::string::npos ? 0 : 1;
  });
  EXPECT_EQ(rc, 0);
}

}  // namespace
}  // namespace hairpin
