// Negative controls, pure: the plan, reading verify's JSON report, the judgement.

#include "hairpin/verifier/controls/negative_controls.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace hairpin::verifier {
namespace {

// A hairpin.verify/1 report (docs/verify.md) with the given checks and diagnoses
// (cause, subject, summary, the check keys it explains); each failed check names
// the cause that explains it, as verify's report does.
struct Check { std::string id, subject, verdict; };
struct Diag { std::string id, subject, summary; std::vector<std::string> explains; };
std::string report(const std::string& verdict, const std::vector<Check>& checks, const std::vector<Diag>& diags) {
  std::string j = R"({"schema": "hairpin.verify/1", "outcome": ")" + verdict + R"(", "checks": [)";
  for (std::size_t i = 0; i < checks.size(); ++i) {
    const auto& c = checks[i];
    const std::string key = c.subject.empty() ? c.id : c.id + " " + c.subject;
    std::string cause = "null";
    for (const auto& d : diags)
      if (std::find(d.explains.begin(), d.explains.end(), key) != d.explains.end()) cause = "\"" + d.id + "\"";
    j += std::string(i ? "," : "") + R"({"id": ")" + c.id + R"(", "subject": ")" + c.subject + R"(", "key": ")" +
         key + R"(", "verdict": ")" + c.verdict + R"(", "diagnosis": )" + cause + "}";
  }
  j += R"(], "diagnoses": [)";
  for (std::size_t i = 0; i < diags.size(); ++i) {
    const auto& d = diags[i];
    std::string explains;
    for (const auto& k : d.explains) explains += (explains.empty() ? "\"" : ", \"") + k + "\"";
    j += std::string(i ? "," : "") + R"({"cause": ")" + d.id + R"(", "subject": ")" + d.subject + R"(", "summary": ")" +
         d.summary + R"(", "explains": [)" + explains + "]}";
  }
  return j + "]}";
}

const NegativeControl& find(const std::vector<NegativeControl>& controls, const std::string& name,
                            const std::string& nva) {
  auto it = std::find_if(controls.begin(), controls.end(),
                         [&](const auto& c) { return c.name == name && c.nva == nva; });
  EXPECT_NE(it, controls.end()) << name << " " << nva;
  return *it;
}

ObservedVerdict read(const std::string& json, int exit_code) {
  auto v = read_verify_report(json, exit_code);
  EXPECT_TRUE(v.ok()) << (v.ok() ? "" : v.error().to_string());
  return v.ok() ? *v : ObservedVerdict{};
}

TEST(NegativeControlPlan, BaselineFirst_ThenEveryLabFault_SeedVerbatimBothWays) {
  auto controls = negative_controls({"frr", true, true});
  ASSERT_EQ(controls.size(), 9u);
  EXPECT_EQ(controls[0].name, "baseline");
  EXPECT_EQ(controls[0].verdict, ExpectedVerdict::Pass);
  EXPECT_TRUE(controls[0].faults.empty());
  std::vector<std::string> faults;
  for (const auto& c : controls)
    if (!c.faults.empty()) faults.push_back(c.faults.front());
  EXPECT_EQ(faults, (std::vector<std::string>{"no-udr", "asymmetric-udr", "no-supernet", "nva-noforward", "ars0-down",
                                              "nva-down", "seed-verbatim", "seed-verbatim"}));
  EXPECT_EQ(find(controls, "seed-verbatim", "frr").diagnosis, "lo-trap");
  EXPECT_EQ(find(controls, "seed-verbatim", "builtin").verdict, ExpectedVerdict::Pass);
}

TEST(NegativeControlPlan, WithoutTheBuiltinNva_SeedVerbatimRunsOnFrrOnly) {
  auto controls = negative_controls({"frr", false, true});
  EXPECT_EQ(std::count_if(controls.begin(), controls.end(), [](const auto& c) { return c.nva == "builtin"; }), 0);
  EXPECT_EQ(find(controls, "seed-verbatim", "frr").verdict, ExpectedVerdict::Fail);
}

TEST(NegativeControlPlan, FaultsRunOnTheLabsDefaultNva_TheLoTrapAlwaysOnFrr) {
  auto controls = negative_controls({"builtin", true, true});
  EXPECT_EQ(find(controls, "no-udr", "builtin").diagnosis, "udr-missing");
  EXPECT_EQ(find(controls, "baseline", "builtin").verdict, ExpectedVerdict::Pass);
  EXPECT_EQ(find(controls, "seed-verbatim", "frr").diagnosis, "lo-trap");
}

TEST(NegativeControlJudge, Ars0Down_SessionCheckFailsWithItsDiagnosis_AndTheHairpinStillPasses_IsOk) {
  auto controls = negative_controls({"frr", false, true});
  const auto& ars0 = find(controls, "ars0-down", "frr");
  auto json = report("fail",
                     {{"bgp.session-established", "10.0.210.4", "fail"},
                      {"bgp.session-established", "10.0.210.5", "pass"},
                      {"path.reaches-via-nva", "vm-hub100 -> vm-hub200", "pass"},
                      {"capture.crosses-nva", "vm-hub100 -> vm-hub200", "pass"}},
                     {{"route-server-session-down", "10.0.210.4", "route server session down (10.0.210.4)",
                       {"bgp.session-established 10.0.210.4"}}});
  auto r = judge(ars0, read(json, 1), 3.0);
  EXPECT_TRUE(r.ok) << r.why;
}

TEST(NegativeControlJudge, Ars0Down_WhenThePathAlsoFails_IsNotOk) {
  auto controls = negative_controls({"frr", false, true});
  auto json = report("fail",
                     {{"bgp.session-established", "10.0.210.4", "fail"},
                      {"path.reaches-via-nva", "vm-hub100 -> vm-hub200", "fail"},
                      {"capture.crosses-nva", "vm-hub100 -> vm-hub200", "pass"}},
                     {{"route-server-session-down", "10.0.210.4", "route server session down (10.0.210.4)",
                       {"bgp.session-established 10.0.210.4", "path.reaches-via-nva vm-hub100 -> vm-hub200"}}});
  auto r = judge(find(controls, "ars0-down", "frr"), read(json, 1), 3.0);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.why.find("path.reaches-via-nva"), std::string::npos) << r.why;
}

TEST(NegativeControlJudge, Ars0Down_TheOtherRouteServerNamed_IsNotOk) {
  auto controls = negative_controls({"frr", false, true});
  auto json = report("fail",
                     {{"bgp.session-established", "10.0.210.5", "fail"},
                      {"path.reaches-via-nva", "vm-hub100 -> vm-hub200", "pass"},
                      {"capture.crosses-nva", "vm-hub100 -> vm-hub200", "pass"}},
                     {{"route-server-session-down", "10.0.210.5", "route server session down (10.0.210.5)",
                       {"bgp.session-established 10.0.210.5"}}});
  EXPECT_FALSE(judge(find(controls, "ars0-down", "frr"), read(json, 1), 1.0).ok);
}

TEST(NegativeControlPlan, Ars0Down_ExpectsTheLabsFirstRouteServer) {
  ControlPlanOptions o{"builtin", true, true};
  o.route_servers = {"172.18.0.68", "172.18.0.69"};
  auto controls = negative_controls(o);
  const auto& ars0 = find(controls, "ars0-down", "builtin");
  EXPECT_EQ(ars0.diagnosis_text, "172.18.0.68");
  EXPECT_NE(ars0.why.find("through 172.18.0.69"), std::string::npos) << ars0.why;
  auto json = report("fail",
                     {{"bgp.session-established", "172.18.0.68", "fail"},
                      {"bgp.session-established", "172.18.0.69", "pass"},
                      {"path.reaches-via-nva", "branch-west -> branch-east", "pass"},
                      {"capture.crosses-nva", "branch-west -> branch-east", "pass"}},
                     {{"route-server-session-down", "172.18.0.68", "route server 172.18.0.68 session down",
                       {"bgp.session-established 172.18.0.68"}}});
  auto r = judge(ars0, read(json, 1), 3.0);
  EXPECT_TRUE(r.ok) << r.why;
  // The positive control: the seed's expectation does not accept this lab's report.
  EXPECT_FALSE(judge(find(negative_controls({"builtin", true, true}), "ars0-down", "builtin"), read(json, 1), 3.0).ok);
  // One route server: nothing would carry the hairpin, so no ars0-down control.
  o.route_servers = {"172.18.0.68"};
  auto single = negative_controls(o);
  EXPECT_EQ(std::count_if(single.begin(), single.end(), [](const auto& c) { return c.name == "ars0-down"; }), 0);
  EXPECT_EQ(single.size(), controls.size() - 1);
}

TEST(NegativeControlJudge, FaultThatDoesNotFlip_IsNotOk) {
  auto controls = negative_controls({"frr", false, true});
  auto r = judge(find(controls, "no-udr", "frr"), read(report("pass", {{"path.reaches-via-nva", "a -> b", "pass"}}, {}), 0), 1);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.why.find("expected FAIL, got pass"), std::string::npos) << r.why;
}

TEST(NegativeControlJudge, FailWithAnotherDiagnosis_IsNotOk_AndSaysWhatItSaw) {
  auto controls = negative_controls({"frr", false, true});
  auto json = report("fail", {{"path.reaches-via-nva", "a -> b", "fail"}},
                     {{"nva-not-forwarding", "", "the NVA does not forward", {"path.reaches-via-nva a -> b"}}});
  auto r = judge(find(controls, "no-udr", "frr"), read(json, 1), 1);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.why.find("path.reaches-via-nva=nva-not-forwarding"), std::string::npos) << r.why;
}

TEST(NegativeControlJudge, FailWithTheExpectedDiagnosis_IsOk) {
  auto controls = negative_controls({"frr", false, true});
  auto json = report("fail", {{"path.reaches-via-nva", "a -> b", "fail"}, {"path.reaches-via-nva", "b -> a", "fail"}},
                     {{"udr-missing", "", "no UDR on the GatewaySubnet",
                       {"path.reaches-via-nva a -> b", "path.reaches-via-nva b -> a"}}});
  EXPECT_TRUE(judge(find(controls, "no-udr", "frr"), read(json, 1), 1).ok);
}

TEST(NegativeControlJudge, FailVerdictWithExitCodeOtherThanOne_IsNotOk) {
  auto controls = negative_controls({"frr", false, true});
  auto json = report("fail", {{"path.reaches-via-nva", "a -> b", "fail"}},
                     {{"udr-missing", "", "no UDR", {"path.reaches-via-nva a -> b"}}});
  EXPECT_FALSE(judge(find(controls, "no-udr", "frr"), read(json, 2), 1).ok);
}

TEST(NegativeControlJudge, BaselineMustPassWithExitZero) {
  auto controls = negative_controls({"frr", false, true});
  const auto& baseline = controls.front();
  EXPECT_TRUE(judge(baseline, read(report("pass", {{"path.reaches-via-nva", "a -> b", "pass"}}, {}), 0), 1).ok);
  EXPECT_FALSE(judge(baseline, read(report("fail", {{"path.reaches-via-nva", "a -> b", "fail"}}, {}), 1), 1).ok);
}

TEST(NegativeControlJudge, VerifyThatCouldNotRun_IsNotOk) {
  auto controls = negative_controls({"frr", false, true});
  ObservedVerdict none;
  none.exit_code = 2;
  none.error = "lab up failed";
  auto r = judge(find(controls, "no-udr", "frr"), none, 1);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.why.find("lab up failed"), std::string::npos);
}

TEST(VerifyReportRead, NotJsonOrAnotherSchema_IsAnError) {
  EXPECT_FALSE(read_verify_report("hairpin verify: no lab", 2).ok());
  EXPECT_FALSE(read_verify_report(R"({"schema": "hairpin.trace/1"})", 0).ok());
}

TEST(ControlsTable, OneRowPerControl_NotOkRowsExplained_SummaryLast) {
  auto controls = negative_controls({"frr", false, true});
  std::vector<ControlResult> results;
  results.push_back(judge(controls[0], read(report("pass", {{"path.reaches-via-nva", "a -> b", "pass"}}, {}), 0), 2));
  results.push_back(judge(find(controls, "no-udr", "frr"),
                          read(report("pass", {{"path.reaches-via-nva", "a -> b", "pass"}}, {}), 0), 2));
  auto table = format_controls_table(results);
  EXPECT_NE(table.find("fault"), std::string::npos);
  EXPECT_NE(table.find("baseline (frr)"), std::string::npos);
  EXPECT_NE(table.find("FAIL udr-missing"), std::string::npos);
  EXPECT_NE(table.find("NOT OK no-udr (frr): expected FAIL, got pass"), std::string::npos) << table;
  EXPECT_NE(table.find("negative controls: 1 of 2 not ok"), std::string::npos) << table;
  EXPECT_FALSE(all_ok(results));
  EXPECT_TRUE(all_ok({results[0]}));
  EXPECT_FALSE(all_ok({}));
}

}  // namespace
}  // namespace hairpin::verifier
