#include "hairpin/verifier/checks/checks.hpp"

#include <gtest/gtest.h>

#include <map>

#include "verify/recorded_evidence.hpp"

using namespace hairpin;
using namespace hairpin::verifier;
using namespace hairpin::verifier::testing;

namespace {


using Verdicts = std::map<std::string, Verdict>;

Verdicts verdicts_of(const std::vector<CheckResult>& results) {
  Verdicts out;
  for (const auto& r : results) out[r.key()] = r.verdict;
  return out;
}

const Verdict P = Verdict::Pass, F = Verdict::Fail, N = Verdict::NotRun;

// The full table for the seed scenario: every check, in run order.
Verdicts table(Verdict s4, Verdict s5, Verdict sn4, Verdict sn5, Verdict same, Verdict l100, Verdict l200, Verdict leak,
               Verdict c4, Verdict c5, Verdict nh100, Verdict nh200, Verdict r12, Verdict r21, Verdict cap12, Verdict cap21,
               Verdict o12, Verdict o21) {
  return {{"bgp.session-established 10.0.210.4", s4}, {"bgp.session-established 10.0.210.5", s5},
          {"bgp.supernet-advertised 10.0.210.4", sn4}, {"bgp.supernet-advertised 10.0.210.5", sn5},
          {"bgp.same-routes-to-all", same},           {"bgp.site-prefix-learned vm-hub100", l100},
          {"bgp.site-prefix-learned vm-hub200", l200}, {"bgp.no-65515-advertised", leak},
          {"bgp.route-count-under-limit 10.0.210.4", c4}, {"bgp.route-count-under-limit 10.0.210.5", c5},
          {"bgp.next-hop-resolved vm-hub100", nh100},  {"bgp.next-hop-resolved vm-hub200", nh200},
          {"path.reaches-via-nva vm-hub100 -> vm-hub200", r12}, {"path.reaches-via-nva vm-hub200 -> vm-hub100", r21},
          {"capture.crosses-nva vm-hub100 -> vm-hub200", cap12}, {"capture.crosses-nva vm-hub200 -> vm-hub100", cap21},
          {"path.only-target-answers vm-hub100 -> vm-hub200", o12}, {"path.only-target-answers vm-hub200 -> vm-hub100", o21}};
}

struct RecordedCase {
  const char* name;
  Verdicts expected;
};

void PrintTo(const RecordedCase& c, std::ostream* os) { *os << c.name; }

class ChecksOnRecordings : public ::testing::TestWithParam<RecordedCase> {};

TEST_P(ChecksOnRecordings, VerdictPerCheckAsTheFaultMakesIt) {
  const auto s = seed_scenario();
  const auto results = run_checks(recorded_evidence(GetParam().name, s), s);
  const auto got = verdicts_of(results);
  ASSERT_EQ(results.size(), GetParam().expected.size());
  for (const auto& [key, want] : GetParam().expected) {
    auto it = got.find(key);
    ASSERT_NE(it, got.end()) << key;
    const auto& r = *std::find_if(results.begin(), results.end(), [&key = key](const CheckResult& c) { return c.key() == key; });
    EXPECT_EQ(to_string(it->second), to_string(want)) << GetParam().name << ": " << key << ": " << r.detail;
    EXPECT_FALSE(r.detail.empty()) << key;
    if (r.verdict != Verdict::NotRun) {
      EXPECT_FALSE(r.evidence.empty()) << key << " used no evidence";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    LabFaults, ChecksOnRecordings,
    ::testing::Values(
        RecordedCase{"seed", table(P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P)},
        // ars0-down still hairpins: only the first instance's session and what it should get fail.
        RecordedCase{"ars0-down", table(F, P, F, P, F, P, P, P, P, P, P, P, P, P, P, P, P, P)},
        RecordedCase{"no-udr", table(P, P, P, P, P, P, P, P, P, P, P, P, F, F, F, F, P, P)},
        // B->A reaches the NVA and crosses it; A->B never does.
        RecordedCase{"asymmetric-udr", table(P, P, P, P, P, P, P, P, P, P, P, P, F, F, F, P, P, P)},
        RecordedCase{"no-supernet", table(P, P, F, F, P, P, P, P, P, P, P, P, F, F, N, N, N, N)},
        RecordedCase{"nva-noforward", table(P, P, P, P, P, P, P, P, P, P, P, P, F, F, F, F, P, P)},
        // The NVA's state cannot be read: every BGP check is "not run", never "pass".
        RecordedCase{"nva-down", table(N, N, N, N, N, N, N, N, N, N, N, N, F, F, N, N, N, N)},
        RecordedCase{"seed-verbatim", table(P, P, P, P, P, P, P, P, P, P, P, P, F, F, F, F, P, P)}),
    [](const auto& info) {
      std::string n = info.param.name;
      std::replace(n.begin(), n.end(), '-', '_');
      return n;
    });

Evidence seed_evidence() { return recorded_evidence("seed", seed_scenario()); }

const CheckResult& only(const std::vector<CheckResult>& v, const std::string& subject = "") {
  for (const auto& r : v)
    if (r.subject == subject) return r;
  static CheckResult none;
  ADD_FAILURE() << "no result for '" << subject << "'";
  return none;
}

}  // namespace

TEST(Checks, SessionDown_SaysTheStateSeen) {
  const auto s = seed_scenario();
  const auto r = check_sessions_established(recorded_evidence("ars0-down", s), s);
  EXPECT_EQ(only(r, "10.0.210.4").detail, "state Active, not Established");
  EXPECT_EQ(only(r, "10.0.210.5").verdict, Verdict::Pass);
}

TEST(Checks, RouteServerNotANeighbor_Fails) {
  auto s = seed_scenario();
  s.route_servers.push_back({ip("10.0.210.6"), 65515, 0});
  const auto r = check_sessions_established(seed_evidence(), s);
  EXPECT_EQ(only(r, "10.0.210.6").verdict, Verdict::Fail);
  EXPECT_NE(only(r, "10.0.210.6").detail.find("not a neighbor"), std::string::npos);
  EXPECT_EQ(only(r, "10.0.210.4").verdict, Verdict::Pass);
}

TEST(Checks, AdvertisedRoutesNotGathered_SupernetCheckNotRunWithTheReason) {
  const auto s = seed_scenario();
  auto e = seed_evidence();
  auto& p = *e.nva.summary.value->find_peer(ip("10.0.210.5"));
  p.advertised = {Provenance::not_gathered("vtysh -c x", "netns hp-vm-hub00", "timed out after 20 s"), std::nullopt};
  const auto r = check_supernet_advertised(e, s);
  EXPECT_EQ(only(r, "10.0.210.5").verdict, Verdict::NotRun);
  EXPECT_NE(only(r, "10.0.210.5").detail.find("timed out after 20 s"), std::string::npos);
  EXPECT_EQ(only(r, "10.0.210.4").verdict, Verdict::Pass);
  EXPECT_EQ(check_same_routes_to_all(e, s).verdict, Verdict::NotRun);
  EXPECT_EQ(check_no_65515_advertised(e, s).verdict, Verdict::NotRun);
}

TEST(Checks, DifferentRoutesToEachInstance_NamesTheDifference) {
  const auto s = seed_scenario();
  auto e = seed_evidence();
  e.nva.summary.value->find_peer(ip("10.0.210.5"))->advertised.value->push_back({pfx("10.50.0.0/16"), {65050}, {}, "IGP"});
  const auto r = check_same_routes_to_all(e, s);
  EXPECT_EQ(r.verdict, Verdict::Fail);
  EXPECT_EQ(r.detail, "10.0.210.4 lacks 10.50.0.0/16 that 10.0.210.5 gets");
  EXPECT_EQ(check_same_routes_to_all(seed_evidence(), s).verdict, Verdict::Pass);
}

TEST(Checks, Leak65515_FailsListingTheRoute) {
  const auto s = seed_scenario();
  auto e = seed_evidence();
  e.nva.summary.value->find_peer(ip("10.0.210.4"))->advertised.value->push_back({pfx("10.100.0.0/16"), {65515, 12076, 65100}, ip("10.0.0.4"), "IGP"});
  const auto r = check_no_65515_advertised(e, s);
  EXPECT_EQ(r.verdict, Verdict::Fail);
  ASSERT_EQ(r.evidence.size(), 3u);  // the leak, then what was inspected
  EXPECT_EQ(r.evidence[0], "to 10.0.210.4: 10.100.0.0/16 path [65515 12076 65100]");
  EXPECT_EQ(r.detail, "1 advertised route(s) with 65515 in the AS path");
  EXPECT_EQ(check_no_65515_advertised(seed_evidence(), s).verdict, Verdict::Pass);
}

TEST(Checks, RouteCount_PassesAtTheMarginFailsAboveItAndAboveTheLimit) {
  auto s = seed_scenario();
  auto with = [&](std::size_t n) {
    auto e = seed_evidence();
    auto& adv = *e.nva.summary.value->find_peer(ip("10.0.210.4"))->advertised.value;
    adv.clear();
    for (std::size_t i = 0; i < n; ++i)
      adv.push_back({Ipv4Prefix::covering(Ipv4Address{0x0a000000u + static_cast<std::uint32_t>(i << 8)}, 24), {}, {}, "IGP"});
    return only(check_route_count_under_limit(e, s), "10.0.210.4");
  };
  EXPECT_EQ(with(750).verdict, Verdict::Pass);
  EXPECT_EQ(with(751).verdict, Verdict::Fail);
  EXPECT_NE(with(751).detail.find("over 75% of the limit 1000"), std::string::npos);
  EXPECT_NE(with(1001).detail.find("over the route server's limit of 1000"), std::string::npos);
  s.route_server_limit = 4000;  // raised, as ARS allows
  EXPECT_EQ(with(1001).verdict, Verdict::Pass);
}

TEST(Checks, UnresolvedNextHop_FailsWithTheReasonNotLearnedIsNotRun) {
  const auto s = seed_scenario();
  auto e = seed_evidence();
  for (auto& l : *e.nva.table.value)
    if (l.prefix == pfx("10.200.0.0/16")) {
      l.valid = false;
      l.resolution = NextHopResolution::Unresolved;
      l.why = "path not valid: next hop 10.0.200.12 not resolved";
    }
  auto r = check_next_hops_resolved(e, s);
  EXPECT_EQ(only(r, "vm-hub200").verdict, Verdict::Fail);
  EXPECT_EQ(only(r, "vm-hub200").detail, "path not valid: next hop 10.0.200.12 not resolved");
  EXPECT_EQ(only(r, "vm-hub100").verdict, Verdict::Pass);
  std::erase_if(*e.nva.table.value, [](const LearnedRoute& l) { return l.prefix == pfx("10.100.0.0/16"); });
  r = check_next_hops_resolved(e, s);
  EXPECT_EQ(only(r, "vm-hub100").verdict, Verdict::NotRun);
  EXPECT_EQ(only(check_site_prefixes_learned(e, s), "vm-hub100").verdict, Verdict::Fail);
}

TEST(Checks, NoBgpTable_SitePrefixFromReceivedRoutes) {
  const auto s = seed_scenario();
  auto e = seed_evidence();
  e.nva.table = {Provenance::not_gathered("vtysh -c 'show bgp ipv4 unicast json'", "netns hp-vm-hub00", "timed out"), std::nullopt};
  auto r = check_site_prefixes_learned(e, s);
  EXPECT_EQ(only(r, "vm-hub100").verdict, Verdict::Pass);
  EXPECT_NE(only(r, "vm-hub100").detail.find("the BGP table was not read: timed out"), std::string::npos);
  EXPECT_EQ(only(check_next_hops_resolved(e, s), "vm-hub100").verdict, Verdict::NotRun);
}

TEST(Checks, ExpectedHopsOutOfOrder_Fail) {
  auto s = seed_scenario();
  for (auto& p : s.paths) p.hops_before_target = {ip("10.0.0.4"), ip("10.0.200.12")};  // NVA before the ERGW: wrong
  const auto r = check_reaches_via_nva(seed_evidence(), s);
  EXPECT_EQ(only(r, "vm-hub100 -> vm-hub200").verdict, Verdict::Fail);
  EXPECT_NE(only(r, "vm-hub100 -> vm-hub200").detail.find("without 10.0.200.12"), std::string::npos);
  EXPECT_EQ(only(check_reaches_via_nva(seed_evidence(), seed_scenario()), "vm-hub100 -> vm-hub200").verdict, Verdict::Pass);
}

TEST(Checks, ReachedWithoutTheNva_BypassFailsOnlyTargetAnswers) {
  const auto s = seed_scenario();
  auto e = seed_evidence();
  auto& t = *e.directions[0].trace.value;
  t.hops.erase(t.hops.begin() + 1);  // no NVA hop: the far site reached some other way
  for (auto& h : t.hops) h.ttl = static_cast<int>(&h - &t.hops[0]) + 1;
  t.final_ttl = 3;
  const auto r = check_only_target_answers(e, s);
  EXPECT_EQ(only(r, "vm-hub100 -> vm-hub200").verdict, Verdict::Fail);
  EXPECT_NE(only(r, "vm-hub100 -> vm-hub200").detail.find("bypasses"), std::string::npos);
  EXPECT_EQ(only(r, "vm-hub200 -> vm-hub100").verdict, Verdict::Pass);
}

TEST(Checks, NvaAnswersAsTheFarSite_FailsOnlyTargetAnswers) {
  const auto s = seed_scenario();
  auto e = seed_evidence();
  auto& t = *e.directions[0].trace.value;
  t.hops[3].responder = ip("10.0.0.4");  // the final answer from the NVA, not 10.200.0.4
  const auto r = check_only_target_answers(e, s);
  EXPECT_EQ(only(r, "vm-hub100 -> vm-hub200").verdict, Verdict::Fail);
  EXPECT_NE(only(r, "vm-hub100 -> vm-hub200").detail.find("10.0.0.4 gave the final answer"), std::string::npos);
}

TEST(Checks, CaptureNotGathered_NotRunWithTheReason) {
  const auto s = seed_scenario();
  auto e = seed_evidence();
  e.directions[1].capture = {Provenance::not_gathered("hairpin capture -i eth0", "netns hp-vm-hub00", "no such interface eth0"),
                             std::nullopt};
  const auto r = check_capture_crosses_nva(e, s);
  EXPECT_EQ(only(r, "vm-hub200 -> vm-hub100").verdict, Verdict::NotRun);
  EXPECT_NE(only(r, "vm-hub200 -> vm-hub100").detail.find("no such interface eth0"), std::string::npos);
  EXPECT_EQ(only(r, "vm-hub100 -> vm-hub200").verdict, Verdict::Pass);
}

TEST(Convergence, FirstPassIsKeptFailureForgetsIt) {
  CheckResult a;
  a.id = "x";
  a.verdict = Verdict::Fail;
  auto round1 = carry_convergence({}, {a}, 100);
  EXPECT_FALSE(round1[0].passed_after_ms.has_value());
  a.verdict = Verdict::Pass;
  auto round2 = carry_convergence(round1, {a}, 900);
  EXPECT_EQ(round2[0].passed_after_ms, 900);
  auto round3 = carry_convergence(round2, {a}, 1800);
  EXPECT_EQ(round3[0].passed_after_ms, 900);
  a.verdict = Verdict::Fail;
  auto round4 = carry_convergence(round3, {a}, 2700);
  EXPECT_FALSE(round4[0].passed_after_ms.has_value());
  EXPECT_FALSE(all_passed(round4));
  EXPECT_TRUE(all_passed(round3));
  EXPECT_FALSE(all_passed({}));
}

TEST(Checks, BuiltinNvaRecording_EveryBgpCheckPasses) {
  // The built-in NVA's `hairpin bgp show --json` answers, recorded against the
  // lab's BIRD route servers (fixtures/evidence/record_builtin.sh).
  Recording builtin("builtin");
  ASSERT_TRUE(builtin.exists("bgp-summary.out"));
  const auto s = seed_scenario();
  const auto e = recorded_evidence("builtin", s);  // no traces recorded: forwarding checks not run
  for (const auto& r : run_checks(e, s)) {
    if (r.id.rfind("bgp.", 0) == 0) {
      EXPECT_EQ(r.verdict, Verdict::Pass) << r.key() << ": " << r.detail;
    } else {
      EXPECT_EQ(r.verdict, Verdict::NotRun) << r.key();
    }
  }
}
