#include "hairpin/verifier/diagnosis/diagnosis.hpp"

#include <gtest/gtest.h>

#include "verify/recorded_evidence.hpp"

using namespace hairpin;
using namespace hairpin::verifier;
using namespace hairpin::verifier::testing;

namespace {


std::vector<Diagnosis> diagnose_evidence(const Evidence& e, const Scenario& s) { return diagnose(run_checks(e, s), e, s); }

std::string causes(const std::vector<Diagnosis>& d) {
  std::string out;
  for (const auto& x : d) out += (out.empty() ? "" : ", ") + x.id() + (x.subject.empty() ? "" : "(" + x.subject + ")");
  return out;
}

// Every failed check is explained by exactly one diagnosis.
void expect_every_failure_explained(const std::vector<CheckResult>& checks, const std::vector<Diagnosis>& d) {
  for (const auto& c : checks) {
    int n = 0;
    for (const auto& x : d) n += static_cast<int>(std::count(x.explains.begin(), x.explains.end(), c.key()));
    if (c.failed()) {
      EXPECT_EQ(n, 1) << c.key() << " explained " << n << " times";
    }
    if (c.passed()) {
      EXPECT_EQ(n, 0) << c.key() << " passed but is explained";
    }
  }
}

struct FaultCase {
  const char* name;
  Cause cause;
  std::string subject;
  std::string summary_has;
  std::string next_has;
};

void PrintTo(const FaultCase& c, std::ostream* os) { *os << c.name; }

class DiagnosisOnRecordings : public ::testing::TestWithParam<FaultCase> {};

TEST_P(DiagnosisOnRecordings, OneCauseWithEvidenceAndNextCommand) {
  const auto& c = GetParam();
  const auto s = seed_scenario();
  const auto e = recorded_evidence(c.name, s);
  const auto checks = run_checks(e, s);
  const auto d = diagnose(checks, e, s);
  ASSERT_EQ(d.size(), 1u) << c.name << ": " << causes(d);
  EXPECT_EQ(d[0].id(), std::string(to_string(c.cause))) << c.name << ": " << d[0].summary;
  EXPECT_EQ(d[0].subject, c.subject);
  EXPECT_NE(d[0].summary.find(c.summary_has), std::string::npos) << d[0].summary;
  EXPECT_NE(d[0].next_command.find(c.next_has), std::string::npos) << d[0].next_command;
  EXPECT_FALSE(d[0].evidence.empty());
  expect_every_failure_explained(checks, d);
}

INSTANTIATE_TEST_SUITE_P(
    LabFaults, DiagnosisOnRecordings,
    ::testing::Values(
        FaultCase{"no-udr", Cause::UdrMissing, "", "neither direction reaches 10.0.0.4", "route-table route list"},
        FaultCase{"asymmetric-udr", Cause::UdrOneSiteOnly, "10.200.0.0/16", "traffic for 10.200.0.0/16 is not sent to the NVA",
                  "route-table route list"},
        FaultCase{"no-supernet", Cause::SupernetNotOriginated, "", "does not originate the supernet 10.0.0.0/8",
                  "ip netns exec hp-vm-hub00 vtysh --vty_socket /run/hairpin/lab/vm-hub00/frr -c 'show bgp ipv4 unicast 10.0.0.0/8'"},
        FaultCase{"nva-noforward", Cause::NvaNotForwarding, "vm-hub00", "is not forwarding", "ip netns exec hp-vm-hub00 sysctl net.ipv4.ip_forward"},
        FaultCase{"ars0-down", Cause::RouteServerSessionDown, "10.0.210.4", "route server 10.0.210.4 session down",
                  "show bgp ipv4 unicast neighbors 10.0.210.4"},
        FaultCase{"nva-down", Cause::NvaDown, "vm-hub00", "is down", "ip netns exec hp-vm-hub00 pgrep"},
        FaultCase{"seed-verbatim", Cause::LoTrap, "vm-hub00", "lo trap", "ip route show table local 10.0.0.0/8"}),
    [](const auto& info) {
      std::string n = info.param.name;
      std::replace(n.begin(), n.end(), '-', '_');
      return n;
    });

}  // namespace

TEST(Diagnosis, SeedLab_NothingToDiagnose) {
  const auto s = seed_scenario();
  EXPECT_TRUE(diagnose_evidence(recorded_evidence("seed", s), s).empty());
}

TEST(Diagnosis, Ars0Down_TrafficStillPasses) {
  const auto s = seed_scenario();
  const auto d = diagnose_evidence(recorded_evidence("ars0-down", s), s);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_TRUE(d[0].traffic_passes);
  EXPECT_NE(d[0].summary.find("traffic still hairpins"), std::string::npos);
  EXPECT_EQ(d[0].explains.size(), 3u);  // its session, the supernet to it, the same routes to both
}

TEST(Diagnosis, SeedVerbatimWithoutKernelRoutes_StillTheLoTrapFromTheSwallowedProbes) {
  const auto s = seed_scenario();
  auto e = recorded_evidence("seed-verbatim", s);
  e.nva.fib = {Provenance::not_gathered("ip -4 -j route show table all", "ssh nva", "not permitted"), std::nullopt};
  const auto d = diagnose_evidence(e, s);
  ASSERT_EQ(d.size(), 1u) << causes(d);
  EXPECT_EQ(d[0].cause, Cause::LoTrap);
  EXPECT_NE(d[0].summary.find("answers nothing, not even time-exceeded"), std::string::npos);
  // Positive control: nva-noforward's NVA does answer time-exceeded, so it is not the lo trap.
  auto nf = recorded_evidence("nva-noforward", s);
  nf.nva.fib = e.nva.fib;
  EXPECT_EQ(diagnose_evidence(nf, s)[0].cause, Cause::NvaNotForwarding);
}

TEST(Diagnosis, SupernetInTableNotAdvertised_FilteredByPolicy) {
  const auto s = seed_scenario();
  auto e = recorded_evidence("no-supernet", s);
  LearnedRoute own;
  own.prefix = pfx("10.0.0.0/8");
  own.next_hop = ip("0.0.0.0");
  own.best = own.valid = true;
  own.resolution = NextHopResolution::Resolved;
  e.nva.table.value->push_back(own);
  const auto d = diagnose_evidence(e, s);
  ASSERT_EQ(d.size(), 1u) << causes(d);
  EXPECT_EQ(d[0].cause, Cause::SupernetFilteredByPolicy);
  EXPECT_NE(d[0].summary.find("outbound policy filters it"), std::string::npos);
}

TEST(Diagnosis, Leak65515_WhileTrafficPasses) {
  const auto s = seed_scenario();
  auto e = recorded_evidence("seed", s);
  for (auto& p : e.nva.summary.value->peers)
    p.advertised.value->push_back({pfx("10.100.0.0/16"), {65515, 12076, 65100}, ip("10.0.0.4"), "IGP"});
  const auto d = diagnose_evidence(e, s);
  ASSERT_EQ(d.size(), 1u) << causes(d);
  EXPECT_EQ(d[0].cause, Cause::As65515Leak);
  EXPECT_NE(d[0].next_command.find("advertised-routes"), std::string::npos);
}

TEST(Diagnosis, TooManyRoutes_NamesTheRouteServer) {
  const auto s = seed_scenario();
  auto e = recorded_evidence("seed", s);
  for (auto& p : e.nva.summary.value->peers)
    for (std::uint32_t i = 0; i < 1200; ++i)
      p.advertised.value->push_back({Ipv4Prefix::covering(Ipv4Address{0x0b000000u + (i << 8)}, 24), {}, {}, "IGP"});
  const auto d = diagnose_evidence(e, s);
  ASSERT_EQ(d.size(), 2u) << causes(d);
  EXPECT_EQ(d[0].cause, Cause::RouteLimitExceeded);
  EXPECT_EQ(d[0].subject, "10.0.210.4");
  EXPECT_EQ(d[1].subject, "10.0.210.5");
  EXPECT_NE(d[0].summary.find("over the route server's limit of 1000"), std::string::npos);
}

TEST(Diagnosis, UnresolvedNextHop_SaysWhichAndHowToCheck) {
  const auto s = seed_scenario();
  auto e = recorded_evidence("seed", s);
  for (auto& l : *e.nva.table.value)
    if (l.prefix == pfx("10.100.0.0/16")) {
      l.valid = false;
      l.resolution = NextHopResolution::Unresolved;
      l.why = "path not valid: next hop 10.0.200.12 not resolved";
    }
  const auto d = diagnose_evidence(e, s);
  ASSERT_EQ(d.size(), 1u) << causes(d);
  EXPECT_EQ(d[0].cause, Cause::NextHopUnresolved);
  EXPECT_EQ(d[0].subject, "vm-hub100");
  EXPECT_EQ(d[0].next_command, "ip netns exec hp-vm-hub00 ip route get 10.0.200.12");
}

TEST(Diagnosis, BothSessionsDown_AllRouteServersNotEach) {
  const auto s = seed_scenario();
  auto e = recorded_evidence("no-supernet", s);
  for (auto& p : e.nva.summary.value->peers) p.state = "Active";
  const auto d = diagnose_evidence(e, s);
  ASSERT_EQ(d.size(), 1u) << causes(d);
  EXPECT_EQ(d[0].cause, Cause::AllRouteServerSessionsDown);
}

TEST(Diagnosis, StateUnreadableButTrafficPasses_NotNvaDown) {
  const auto s = seed_scenario();
  auto e = recorded_evidence("seed", s);
  e.nva.summary = {Provenance::not_gathered("vtysh -c x", "ssh nva", "Permission denied (publickey)"), std::nullopt};
  e.nva.table = {e.nva.summary.how, std::nullopt};
  const auto checks = run_checks(e, s);
  const auto d = diagnose(checks, e, s);
  ASSERT_EQ(d.size(), 1u) << causes(d);
  EXPECT_EQ(d[0].cause, Cause::NvaStateUnreadable);
  EXPECT_TRUE(d[0].traffic_passes);
  for (const auto& c : checks)
    if (c.id.rfind("bgp.", 0) == 0) {
      EXPECT_EQ(c.verdict, Verdict::NotRun) << c.key();
    }
}

TEST(Diagnosis, ReachedWithoutNva_Bypass) {
  const auto s = seed_scenario();
  auto e = recorded_evidence("seed", s);
  for (auto& d : e.directions) {
    auto& t = *d.trace.value;
    t.hops.erase(t.hops.begin() + 1);
    for (std::size_t i = 0; i < t.hops.size(); ++i) t.hops[i].ttl = static_cast<int>(i) + 1;
    t.final_ttl = 3;
  }
  const auto d = diagnose_evidence(e, s);
  ASSERT_FALSE(d.empty());
  EXPECT_EQ(d[0].cause, Cause::Bypass) << causes(d);
}

// The seed's trace from `from`, as it looks when the far host never answers: the
// ERGW and the NVA answer, every probe beyond goes unanswered, and the capture
// shows the probes crossing the NVA with no answer coming back.
void far_host_silent(Evidence& e, const std::string& from) {
  for (auto& d : e.directions) {
    if (d.from != from) continue;
    auto& t = *d.trace.value;
    while (!t.hops.empty() && t.hops.back().ttl > 2) t.hops.pop_back();
    for (int ttl = 3; ttl <= 6; ++ttl) t.hops.push_back(TraceHop{ttl, std::nullopt, {}, std::nullopt, 1, 0, "", std::nullopt});
    t.reached = false;
    t.final_ttl.reset();
    if (d.capture.ok()) {
      auto& c = *d.capture.value;
      c.reached = c.reached_proven = c.replies_entered = c.replies_left = 0;
    }
  }
}

TEST(Diagnosis, FarHostSilentWhileTheOtherWayWorks_TargetNotAnswering_NotTheReturnPath) {
  const auto s = seed_scenario();
  auto e = recorded_evidence("seed", s);
  far_host_silent(e, "vm-hub100");
  const auto checks = run_checks(e, s);
  const auto d = diagnose(checks, e, s);
  ASSERT_EQ(d.size(), 1u) << causes(d);
  EXPECT_EQ(d[0].cause, Cause::TargetNotAnswering) << causes(d);
  EXPECT_EQ(d[0].id(), "target-not-answering");
  EXPECT_EQ(d[0].subject, "vm-hub200");
  EXPECT_NE(d[0].summary.find("10.200.0.4 itself does not answer TCP port 22"), std::string::npos) << d[0].summary;
  EXPECT_EQ(d[0].next_command, "ip netns exec hp-vm-hub200 ip -brief address");
  expect_every_failure_explained(checks, d);
}

TEST(Diagnosis, NoBgpDaemonAnswers_ButTheNvaForwards_NotNvaDown_AndTheSilentHostNamed) {
  // The scenario says kind frr where the built-in NVA runs (vtysh finds no daemon),
  // and one far host is silent: the NVA is not down, it forwards B -> A.
  const auto s = seed_scenario();
  auto e = recorded_evidence("seed", s);
  e.nva.summary = {Provenance::not_gathered("vtysh -c x", "netns hp-vm-hub00",
                                            "exit 1: Exiting: failed to connect to any daemons."),
                   std::nullopt};
  e.nva.table = {e.nva.summary.how, std::nullopt};
  far_host_silent(e, "vm-hub100");
  const auto checks = run_checks(e, s);
  const auto d = diagnose(checks, e, s);
  ASSERT_EQ(d.size(), 2u) << causes(d);
  EXPECT_EQ(d[0].cause, Cause::NvaStateUnreadable) << causes(d);
  EXPECT_NE(d[0].summary.find("though the NVA forwards"), std::string::npos) << d[0].summary;
  EXPECT_EQ(d[1].cause, Cause::TargetNotAnswering) << causes(d);
  expect_every_failure_explained(checks, d);
  // Positive control: with nothing crossing the NVA, the same unanswered daemon is "down".
  auto down = recorded_evidence("nva-down", s);
  down.nva.summary = e.nva.summary;
  down.nva.table = e.nva.table;
  EXPECT_EQ(diagnose_evidence(down, s)[0].cause, Cause::NvaDown);
}

TEST(Diagnosis, BothWaysCrossTheNvaUnanswered_ReturnPathBypassesNva) {
  const auto s = seed_scenario();
  auto e = recorded_evidence("seed", s);
  far_host_silent(e, "vm-hub100");
  far_host_silent(e, "vm-hub200");
  const auto checks = run_checks(e, s);
  const auto d = diagnose(checks, e, s);
  ASSERT_EQ(d.size(), 1u) << causes(d);
  EXPECT_EQ(d[0].cause, Cause::ReturnPathBypassesNva) << causes(d);
  expect_every_failure_explained(checks, d);
}

TEST(Diagnosis, UnknownPattern_SaysSoInsteadOfGuessing) {
  auto s = seed_scenario();
  for (auto& p : s.paths) p.hops_before_target = {ip("10.0.0.4"), ip("10.0.200.12")};  // a hop order no fault makes
  const auto e = recorded_evidence("seed", s);
  const auto checks = run_checks(e, s);
  const auto d = diagnose(checks, e, s);
  ASSERT_EQ(d.size(), 1u) << causes(d);
  EXPECT_EQ(d[0].cause, Cause::Unknown);
  EXPECT_NE(d[0].summary.find("match no known pattern"), std::string::npos);
  expect_every_failure_explained(checks, d);
}

TEST(Diagnosis, SshRunner_NextCommandQuotedForTheRemoteShell) {
  auto s = seed_scenario();
  s.nva.runner = RunnerSpec{};
  s.nva.runner.kind = RunnerSpec::Kind::Ssh;
  s.nva.runner.host = "nva1";
  s.nva.runner.user = "azureuser";
  s.nva.runner.port = 2222;
  const auto e = recorded_evidence("ars0-down", s);
  const auto d = diagnose_evidence(e, s);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].next_command,
            "ssh -p 2222 azureuser@nva1 'vtysh --vty_socket /run/hairpin/lab/vm-hub00/frr -c '\\''show bgp ipv4 unicast neighbors 10.0.210.4'\\'''");
}

TEST(Diagnosis, NextCommandIsQuotedWordByWord_AStrangeSocketPathSurvivesTheShell) {
  auto s = seed_scenario();
  s.nva.state.vty_socket_dir = "/run/my frr/it's here";
  const auto e = recorded_evidence("ars0-down", s);
  const auto d = diagnose_evidence(e, s);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].next_command,
            "ip netns exec hp-vm-hub00 vtysh --vty_socket '/run/my frr/it'\\''s here' -c 'show bgp ipv4 unicast neighbors 10.0.210.4'");
}

TEST(Diagnosis, WithoutTheCapture_EachFaultStillNamedFromTracesAndState) {
  // `hairpin analyze` cannot always tell which MAC is the NVA (nothing forwarded
  // and no ARP in the capture): the traces and the BGP/kernel state suffice.
  const auto s = seed_scenario();
  const std::vector<std::pair<const char*, Cause>> cases{
      {"no-udr", Cause::UdrMissing},          {"asymmetric-udr", Cause::UdrOneSiteOnly},
      {"no-supernet", Cause::SupernetNotOriginated}, {"nva-noforward", Cause::NvaNotForwarding},
      {"ars0-down", Cause::RouteServerSessionDown},  {"nva-down", Cause::NvaDown},
      {"seed-verbatim", Cause::LoTrap}};
  for (const auto& [name, cause] : cases) {
    auto e = recorded_evidence(name, s);
    for (auto& d : e.directions)
      d.capture = {Provenance::not_gathered("hairpin analyze", "local", "the NVA could not be identified"), std::nullopt};
    const auto d = diagnose_evidence(e, s);
    ASSERT_FALSE(d.empty()) << name;
    EXPECT_EQ(d[0].id(), std::string(to_string(cause))) << name << ": " << causes(d);
  }
}
