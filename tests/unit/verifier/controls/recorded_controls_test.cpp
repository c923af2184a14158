// Negative controls judged on real verify reports: each lab recording
// (fixtures/evidence/raw, fixtures/evidence/record.sh) through the real checks,
// diagnosis and JSON report, then read and judged as its control would be.
// Each recording satisfies its own control and no other fault's.

#include <gtest/gtest.h>

#include <algorithm>

#include "hairpin/verifier/controls/negative_controls.hpp"
#include "hairpin/verifier/report/report.hpp"
#include "verify/recorded_evidence.hpp"

namespace hairpin::verifier {
namespace {

ObservedVerdict observed_for(const std::string& recording) {
  auto s = testing::seed_scenario();
  auto e = testing::recorded_evidence(recording, s);
  auto report = make_report(s, e, carry_convergence({}, run_checks(e, s), 100), 1, true, 200);
  auto v = read_verify_report(format_json(report).dump(), exit_code(report.outcome));
  EXPECT_TRUE(v.ok()) << (v.ok() ? "" : v.error().to_string());
  return v.ok() ? *v : ObservedVerdict{};
}

// The recording that shows a control's lab: the fault's own, "seed" for the
// baseline. (FRR's: the built-in NVA's recording holds no traces.)
std::string recording_of(const NegativeControl& c) { return c.faults.empty() ? "seed" : c.faults.front(); }

std::vector<NegativeControl> frr_controls() { return negative_controls({"frr", false, true}); }

TEST(RecordedControls, EachLabRecording_SatisfiesItsOwnControl) {
  for (const auto& c : frr_controls()) {
    auto r = judge(c, observed_for(recording_of(c)), 1);
    EXPECT_TRUE(r.ok) << c.name << ": " << r.why;
  }
}

TEST(RecordedControls, EachFaultRecording_FailsEveryOtherFaultsControl) {
  auto controls = frr_controls();
  for (const auto& expected : controls) {
    if (expected.faults.empty()) continue;
    for (const auto& other : controls) {
      if (&other == &expected) continue;
      auto r = judge(expected, observed_for(recording_of(other)), 1);
      EXPECT_FALSE(r.ok) << "control " << expected.name << " accepted the recording of " << recording_of(other);
    }
  }
}

TEST(RecordedControls, Ars0Down_TableSaysSessionDiagnosisAndOk) {
  auto controls = frr_controls();
  auto it = std::find_if(controls.begin(), controls.end(), [](const auto& c) { return c.name == "ars0-down"; });
  ASSERT_NE(it, controls.end());
  auto table = format_controls_table({judge(*it, observed_for("ars0-down"), 4.2)});
  EXPECT_NE(table.find("ars0-down"), std::string::npos) << table;
  EXPECT_NE(table.find("route-server-session-down"), std::string::npos) << table;
  EXPECT_NE(table.find("all 1 ok"), std::string::npos) << table;
}

}  // namespace
}  // namespace hairpin::verifier
