// Forwarding preflight: which sysctl values a hairpinning NVA refuses, judged as
// the kernel judges them (send_redirects: all OR iface; rp_filter: max(all, iface)),
// each with the command that fixes it; and the runner's warn / apply paths over a
// fake /proc/sys.

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>

#include "hairpin/bgpd/forwarding/forwarding_preflight.hpp"
#include "hairpin/bgpd/forwarding/proc_sysctl.hpp"

namespace hairpin::bgpd {
namespace {

const std::vector<std::string> kEth0{"eth0"};

// A single-NIC NVA set up right: forwarding on, no redirects, loose rp_filter.
SysctlValues good() {
  return {{"net.ipv4.ip_forward", 1},
          {"net.ipv4.conf.all.send_redirects", 0},
          {"net.ipv4.conf.default.send_redirects", 0},
          {"net.ipv4.conf.eth0.send_redirects", 0},
          {"net.ipv4.conf.all.rp_filter", 0},
          {"net.ipv4.conf.eth0.rp_filter", 2}};
}

SysctlValues with(SysctlValues values, const std::string& key, int value) {
  values[key] = value;
  return values;
}

TEST(ForwardingPreflight, AllGood_NoFindings) {
  EXPECT_TRUE(check_forwarding(good(), kEth0).empty());
  // rp_filter off everywhere is as good as loose.
  EXPECT_TRUE(check_forwarding(with(good(), "net.ipv4.conf.eth0.rp_filter", 0), kEth0).empty());
}

struct OneWrong {
  const char* key;
  int value;
  int required;
  const char* why_mentions;
};

// Each wrong value alone: exactly that finding, with its fix.
TEST(ForwardingPreflight, EachWrongValueAlone_ExactlyThatFindingWithItsFix) {
  const OneWrong table[] = {
      {"net.ipv4.ip_forward", 0, 1, "forwarding is off"},
      {"net.ipv4.conf.all.send_redirects", 1, 0, "bypassing the NVA"},
      {"net.ipv4.conf.default.send_redirects", 1, 0, "added later"},
      {"net.ipv4.conf.eth0.send_redirects", 1, 0, "send_redirects=1 on eth0: the NVA would tell the ERGW"},
      {"net.ipv4.conf.eth0.rp_filter", 1, 2, "rp_filter=1 on eth0: strict"},
  };
  for (const auto& row : table) {
    SCOPED_TRACE(row.key);
    auto findings = check_forwarding(with(good(), row.key, row.value), kEth0);
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].key, row.key);
    EXPECT_EQ(findings[0].current, row.value);
    EXPECT_EQ(findings[0].required, row.required);
    EXPECT_NE(findings[0].why.find(row.why_mentions), std::string::npos) << findings[0].why;
    EXPECT_EQ(findings[0].fix(), "sysctl -w " + std::string(row.key) + "=" + std::to_string(row.required));
  }
}

TEST(ForwardingPreflight, Warning_NamesKeyValueWhyAndFix) {
  auto findings = check_forwarding(with(good(), "net.ipv4.conf.eth0.send_redirects", 1), kEth0);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].to_string(),
            "net.ipv4.conf.eth0.send_redirects=1 (needs 0): send_redirects=1 on eth0: the NVA would tell the ERGW "
            "to send the hairpinned traffic straight to the other site, bypassing the NVA; "
            "fix: sysctl -w net.ipv4.conf.eth0.send_redirects=0");
}

// IN_DEV_MAXCONF: conf.all=1 makes eth0 strict although eth0 says 0; the fix is
// eth0=2 (it outranks all=1), not touching conf.all.
TEST(ForwardingPreflight, RpFilterAllStrictIfaceOff_EffectiveStrict_FixedOnTheInterface) {
  auto values = with(with(good(), "net.ipv4.conf.all.rp_filter", 1), "net.ipv4.conf.eth0.rp_filter", 0);
  auto findings = check_forwarding(values, kEth0);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].key, "net.ipv4.conf.eth0.rp_filter");
  EXPECT_EQ(findings[0].current, 0);
  EXPECT_EQ(findings[0].required, 2);
  EXPECT_NE(findings[0].why.find("conf.all.rp_filter=1"), std::string::npos) << findings[0].why;
  EXPECT_EQ(findings[0].fix(), "sysctl -w net.ipv4.conf.eth0.rp_filter=2");
  // The fix, applied, is judged good: max(1, 2) is loose.
  EXPECT_TRUE(check_forwarding(with(values, "net.ipv4.conf.eth0.rp_filter", 2), kEth0).empty());
}

TEST(ForwardingPreflight, LooseRpFilter_Accepted_WhereverItComesFrom) {
  // Loose on the interface, strict in all: max is 2.
  EXPECT_TRUE(check_forwarding(with(good(), "net.ipv4.conf.all.rp_filter", 1), kEth0).empty());
  // Loose in all, strict on the interface: max is 2 again.
  auto values = with(with(good(), "net.ipv4.conf.all.rp_filter", 2), "net.ipv4.conf.eth0.rp_filter", 1);
  EXPECT_TRUE(check_forwarding(values, kEth0).empty());
}

// IN_DEV_ORCONF: conf.all=1 turns redirects on for eth0 although eth0 says 0.
TEST(ForwardingPreflight, SendRedirectsAllOffIfaceOn_EffectiveOn) {
  auto findings = check_forwarding(with(good(), "net.ipv4.conf.eth0.send_redirects", 1), kEth0);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].key, "net.ipv4.conf.eth0.send_redirects");
}

TEST(ForwardingPreflight, SendRedirectsAllOnIfaceOff_EffectiveOn_FixedInAll) {
  auto findings = check_forwarding(with(good(), "net.ipv4.conf.all.send_redirects", 1), kEth0);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].key, "net.ipv4.conf.all.send_redirects");
  EXPECT_EQ(findings[0].fix(), "sysctl -w net.ipv4.conf.all.send_redirects=0");
}

// A stock Debian host: forwarding off, redirects on everywhere, rp_filter 0 (or 2 via systemd).
TEST(ForwardingPreflight, StockHost_OneFindingPerWrongKeyInOrder) {
  SysctlValues stock{{"net.ipv4.ip_forward", 0},
                     {"net.ipv4.conf.all.send_redirects", 1},
                     {"net.ipv4.conf.default.send_redirects", 1},
                     {"net.ipv4.conf.eth0.send_redirects", 1},
                     {"net.ipv4.conf.eth1.send_redirects", 1},
                     {"net.ipv4.conf.all.rp_filter", 1},
                     {"net.ipv4.conf.eth0.rp_filter", 1},
                     {"net.ipv4.conf.eth1.rp_filter", 2}};
  std::vector<std::string> keys;
  for (const auto& f : check_forwarding(stock, {"eth0", "eth1"})) keys.push_back(f.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"net.ipv4.ip_forward", "net.ipv4.conf.all.send_redirects",
                                            "net.ipv4.conf.default.send_redirects", "net.ipv4.conf.eth0.send_redirects",
                                            "net.ipv4.conf.eth1.send_redirects", "net.ipv4.conf.eth0.rp_filter"}));
}

TEST(ForwardingPreflight, UnreadableKeys_NotJudged) {
  EXPECT_TRUE(check_forwarding({}, kEth0).empty());
  // Positive control: the same check over the one key it can read still judges it.
  EXPECT_EQ(check_forwarding({{"net.ipv4.ip_forward", 0}}, kEth0).size(), 1u);
}

TEST(ForwardingPreflight, KeysAndPaths_SpellDottedInterfacesAsSysctlDoes) {
  EXPECT_EQ(conf_key("eth0.100", "rp_filter"), "net.ipv4.conf.eth0/100.rp_filter");
  EXPECT_EQ(proc_sys_path("net.ipv4.conf.eth0/100.rp_filter"), "/proc/sys/net/ipv4/conf/eth0.100/rp_filter");
  EXPECT_EQ(proc_sys_path("net.ipv4.ip_forward"), "/proc/sys/net/ipv4/ip_forward");
  EXPECT_EQ(preflight_keys({"eth0"}),
            (std::vector<std::string>{"net.ipv4.ip_forward", "net.ipv4.conf.all.send_redirects",
                                      "net.ipv4.conf.default.send_redirects", "net.ipv4.conf.eth0.send_redirects",
                                      "net.ipv4.conf.all.rp_filter", "net.ipv4.conf.eth0.rp_filter"}));
}

TEST(ForwardingPreflight, Interfaces_UpNonLoopbackWithIpv4_EachOnceSorted) {
  std::vector<InterfaceEntry> addresses{
      {"lo", true, true, true},        // loopback
      {"eth1", true, false, true},
      {"eth0", true, false, false},    // eth0's IPv6 or link entry...
      {"eth0", true, false, true},     // ...and its IPv4 address
      {"eth0", true, false, true},     // a second IPv4 address
      {"eth2", false, false, true},    // down
      {"eth3", true, false, false},    // up, no IPv4
  };
  EXPECT_EQ(select_forwarding_interfaces(addresses), (std::vector<std::string>{"eth0", "eth1"}));
}

// The runner over a fake /proc/sys.
struct FakeProc {
  explicit FakeProc(SysctlValues v, int refuse = 0) : values(std::move(v)), refuse_errno(refuse) {}
  SysctlValues values;
  int refuse_errno = 0;  // every write fails with this, when set
  std::vector<std::string> written;
  SysctlAccess access() {
    return {[this](const std::string& key) -> Result<int> {
              if (!values.count(key)) return Error{"cannot read " + key, proc_sys_path(key), ""};
              return values.at(key);
            },
            [this](const std::string& key, int value) -> Status {
              if (refuse_errno) return sysctl_write_error(key, value, refuse_errno);
              written.push_back(key + "=" + std::to_string(value));
              values[key] = value;
              return Ok{};
            }};
  }
};

SysctlValues wrong_three() {
  auto v = good();
  v["net.ipv4.ip_forward"] = 0;
  v["net.ipv4.conf.eth0.send_redirects"] = 1;
  v["net.ipv4.conf.eth0.rp_filter"] = 1;
  return v;
}

int count_lines(const std::string& text, const std::string& start) {
  int n = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) n += line.rfind(start, 0) == 0;
  return n;
}

TEST(ForwardingPreflightRun, WithoutApply_OneWarningPerWrongValue_NothingWritten) {
  FakeProc proc{wrong_three()};
  std::ostringstream log;
  ASSERT_TRUE(run_forwarding_preflight({kEth0, false}, log, proc.access()));
  EXPECT_EQ(count_lines(log.str(), "hairpin nva: warning: "), 3) << log.str();
  EXPECT_NE(log.str().find("fix: sysctl -w net.ipv4.ip_forward=1\n"), std::string::npos) << log.str();
  EXPECT_NE(log.str().find("fix: sysctl -w net.ipv4.conf.eth0.send_redirects=0\n"), std::string::npos);
  EXPECT_NE(log.str().find("fix: sysctl -w net.ipv4.conf.eth0.rp_filter=2\n"), std::string::npos);
  EXPECT_TRUE(proc.written.empty());
}

TEST(ForwardingPreflightRun, Apply_WritesRequiredValues_OneLinePerChange_NoWarning) {
  FakeProc proc{wrong_three()};
  std::ostringstream log;
  ASSERT_TRUE(run_forwarding_preflight({kEth0, true}, log, proc.access()));
  EXPECT_EQ(proc.written, (std::vector<std::string>{"net.ipv4.ip_forward=1", "net.ipv4.conf.eth0.send_redirects=0",
                                                    "net.ipv4.conf.eth0.rp_filter=2"}));
  EXPECT_EQ(log.str(),
            "hairpin nva: set net.ipv4.ip_forward=1 (was 0)\n"
            "hairpin nva: set net.ipv4.conf.eth0.send_redirects=0 (was 1)\n"
            "hairpin nva: set net.ipv4.conf.eth0.rp_filter=2 (was 1)\n");
  EXPECT_TRUE(check_forwarding(proc.values, kEth0).empty());
}

TEST(ForwardingPreflightRun, ApplyWhenAllGood_WritesNothing) {
  FakeProc proc{good()};
  std::ostringstream log;
  ASSERT_TRUE(run_forwarding_preflight({kEth0, true}, log, proc.access()));
  EXPECT_TRUE(proc.written.empty());
  EXPECT_EQ(log.str(), "");
}

TEST(ForwardingPreflightRun, ApplyNotRoot_OneErrorNamingKeyAndFix) {
  FakeProc proc{wrong_three(), EACCES};
  std::ostringstream log;
  auto result = run_forwarding_preflight({kEth0, true}, log, proc.access());
  ASSERT_FALSE(result);
  const auto line = result.error().to_string();
  EXPECT_NE(line.find("cannot write net.ipv4.ip_forward=1"), std::string::npos) << line;
  EXPECT_NE(line.find("/proc/sys/net/ipv4/ip_forward"), std::string::npos) << line;
  EXPECT_NE(line.find("run hairpin nva as root"), std::string::npos) << line;
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(ForwardingPreflightRun, ApplyReadOnlyProc_SaysSoAndHowToSetItFromOutside) {
  auto line = sysctl_write_error("net.ipv4.ip_forward", 1, EROFS).to_string();
  EXPECT_NE(line.find("read-only"), std::string::npos) << line;
  EXPECT_NE(line.find("--sysctl net.ipv4.ip_forward=1"), std::string::npos) << line;
}

TEST(ForwardingPreflightRun, WriteNotKept_IsAnError) {
  FakeProc proc{wrong_three()};
  auto access = proc.access();
  access.write = [](const std::string&, int) -> Status { return Ok{}; };  // accepted, not kept
  std::ostringstream log;
  auto result = run_forwarding_preflight({kEth0, true}, log, access);
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().to_string().find("still net.ipv4.ip_forward=0 after writing 1"), std::string::npos)
      << result.error().to_string();
}

TEST(ForwardingPreflightRun, UnreadableGlobalKey_WarnsNotChecked_RestStillJudged) {
  auto values = wrong_three();
  values.erase("net.ipv4.ip_forward");
  FakeProc proc{values};
  std::ostringstream log;
  ASSERT_TRUE(run_forwarding_preflight({kEth0, false}, log, proc.access()));
  EXPECT_EQ(count_lines(log.str(), "hairpin nva: warning: /proc/sys/net/ipv4/ip_forward: cannot read net.ipv4.ip_forward"), 1)
      << log.str();
  EXPECT_EQ(count_lines(log.str(), "hairpin nva: warning: net.ipv4.conf.eth0."), 2) << log.str();
}

TEST(ForwardingPreflightRun, NamedInterfaceMissing_IsAnError) {
  FakeProc proc{good()};
  std::ostringstream log;
  auto result = run_forwarding_preflight({{"eth0", "eth9"}, false}, log, proc.access());
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().to_string().find("net.ipv4.conf.eth9."), std::string::npos) << result.error().to_string();
  // Positive control: the named interface that exists passes.
  EXPECT_TRUE(run_forwarding_preflight({kEth0, false}, log, proc.access()));
}

// The real /proc/sys, read only (no root needed): the reader parses what the
// kernel writes, and a key that is not there is an error, not a value.
TEST(ProcSysctl, ReadsThisNamespacesValues_MissingKeyIsAnError) {
  std::ifstream file("/proc/sys/net/ipv4/ip_forward");
  int expected = -1;
  ASSERT_TRUE(file >> expected) << "no /proc/sys here";
  auto read = read_sysctl("net.ipv4.ip_forward");
  ASSERT_TRUE(read) << read.error().to_string();
  EXPECT_EQ(read.value(), expected);
  auto missing = read_sysctl(conf_key("hptest-no-such-if", "rp_filter"));
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().to_string().find("/proc/sys/net/ipv4/conf/hptest-no-such-if/rp_filter"), std::string::npos)
      << missing.error().to_string();
}

TEST(ProcSysctl, ForwardingInterfaces_NeverLoopback_EachHasItsConfDirectory) {
  const auto names = forwarding_interfaces();
  EXPECT_EQ(std::count(names.begin(), names.end(), "lo"), 0);
  for (const auto& n : names) EXPECT_TRUE(read_sysctl(conf_key(n, "rp_filter"))) << n;
}

}  // namespace
}  // namespace hairpin::bgpd
