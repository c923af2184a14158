// fixtures/schemas/junit.xsd against the JUnit hairpin writes, without a lab:
// verify's report for every lab recording and the negative controls' report
// validate with `xmllint --schema`; a broken document does not (the validator's
// own control). Skips when xmllint (Debian libxml2-utils) is missing.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "hairpin/verifier/controls/negative_controls.hpp"
#include "hairpin/verifier/report/report.hpp"
#include "verify/recorded_evidence.hpp"

namespace hairpin::verifier {
namespace {

bool have_xmllint() { return std::system("command -v xmllint >/dev/null 2>&1") == 0; }

// xmllint's verdict on `xml` against junit.xsd: true when it validates.
bool validates(const std::string& xml, const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("hairpin-junit-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto file = dir / (name + ".xml");
  std::ofstream(file) << xml;
  const std::string cmd = "xmllint --noout --schema '" + testing::source_path("fixtures/schemas/junit.xsd") + "' '" +
                          file.string() + "' >/dev/null 2>&1";
  const int rc = std::system(cmd.c_str());
  std::filesystem::remove_all(dir);
  return rc == 0;
}

std::string junit_for(const std::string& recording) {
  auto s = testing::seed_scenario();
  auto e = testing::recorded_evidence(recording, s);
  return format_junit(make_report(s, e, carry_convergence({}, run_checks(e, s), 100), 1, true, 200));
}

TEST(JunitSchema, VerifyReportOfEveryLabRecording_Validates) {
  if (!have_xmllint()) GTEST_SKIP() << "xmllint missing (Debian libxml2-utils; scripts/setup)";
  for (const char* r : {"seed", "no-udr", "asymmetric-udr", "no-supernet", "nva-noforward", "ars0-down", "nva-down",
                        "seed-verbatim"})
    EXPECT_TRUE(validates(junit_for(r), r)) << r;
}

TEST(JunitSchema, CouldNotRunReport_Validates) {
  if (!have_xmllint()) GTEST_SKIP() << "xmllint missing";
  auto report = could_not_run_report(testing::seed_scenario(), Error{"ssh: connect refused", "site vm-hub100", "start sshd"}, 12);
  EXPECT_TRUE(validates(format_junit(report), "could-not-run"));
}

TEST(JunitSchema, NegativeControlsReport_Validates) {
  if (!have_xmllint()) GTEST_SKIP() << "xmllint missing";
  auto plan = negative_controls({"builtin", true, true});
  ObservedVerdict pass;
  pass.verdict = "pass";
  std::vector<ControlResult> results;
  for (const auto& c : plan) results.push_back(judge(c, pass, 1.5));  // the faults' are not ok: failures
  auto xml = format_controls_junit(results, 12.5);
  EXPECT_NE(xml.find("<failure"), std::string::npos);
  EXPECT_TRUE(validates(xml, "controls"));
}

TEST(JunitSchema, BrokenDocuments_DoNotValidate) {
  if (!have_xmllint()) GTEST_SKIP() << "xmllint missing";
  auto good = junit_for("no-udr");
  ASSERT_TRUE(validates(good, "good"));
  auto no_name = good;  // a testcase without its (required) name
  auto pos = no_name.find(" name=\"", no_name.find("<testcase "));
  no_name.erase(pos, no_name.find('"', pos + 7) + 1 - pos);
  EXPECT_FALSE(validates(no_name, "no-name"));
  auto bad_count = good;
  pos = bad_count.find("tests=\"");
  bad_count.replace(pos, 7, "tests=\"-");
  EXPECT_FALSE(validates(bad_count, "bad-count"));
}

}  // namespace
}  // namespace hairpin::verifier

namespace hairpin::verifier {
namespace {

// The same for --json: every recording's hairpin.verify/1 report against its JSON
// Schema with python3-jsonschema (a full draft 2020-12 validator), and a report
// with an outcome outside the schema's rejected.
bool json_validates(const std::string& doc, const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("hairpin-json-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto file = dir / (name + ".json");
  std::ofstream(file) << doc;
  const std::string cmd =
      "python3 -c 'import json,sys,jsonschema; s=json.load(open(sys.argv[1])); "
      "c=jsonschema.validators.validator_for(s); c.check_schema(s); c(s).validate(json.load(open(sys.argv[2])))' '" +
      testing::source_path("fixtures/schemas/hairpin.verify-1.schema.json") + "' '" + file.string() + "' >/dev/null 2>&1";
  const int rc = std::system(cmd.c_str());
  std::filesystem::remove_all(dir);
  return rc == 0;
}

bool have_jsonschema() { return std::system("python3 -c 'import jsonschema' >/dev/null 2>&1") == 0; }

TEST(JsonSchema, VerifyReportOfEveryLabRecording_ValidatesWithJsonschema_AndABrokenOneDoesNot) {
  if (!have_jsonschema()) GTEST_SKIP() << "python3-jsonschema missing (scripts/setup)";
  for (const char* r : {"seed", "no-udr", "asymmetric-udr", "no-supernet", "nva-noforward", "ars0-down", "nva-down",
                        "seed-verbatim"}) {
    auto s = testing::seed_scenario();
    auto e = testing::recorded_evidence(r, s);
    auto j = format_json(make_report(s, e, carry_convergence({}, run_checks(e, s), 100), 1, true, 200));
    EXPECT_TRUE(json_validates(j.dump(), r)) << r;
    if (std::string(r) == "seed") {
      j["outcome"] = "maybe";
      EXPECT_FALSE(json_validates(j.dump(), "broken"));
    }
  }
}

}  // namespace
}  // namespace hairpin::verifier
