#include "hairpin/verifier/report/report.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "verify/recorded_evidence.hpp"

using namespace hairpin;
using namespace hairpin::verifier;
using namespace hairpin::verifier::testing;
using nlohmann::json;

namespace {

VerifyReport report_for(const std::string& name) {
  auto s = seed_scenario();
  auto e = recorded_evidence(name, s);
  auto checks = carry_convergence({}, run_checks(e, s), 1234.5);
  return make_report(s, e, checks, 1, true, 1500);
}

// The subset of JSON Schema 2020-12 the hairpin.verify/1 schema uses: type,
// const, enum, required, properties, items, $ref (#/$defs/...). Returns the
// first violation as "PATH: what", or "" when the document conforms.
class MiniSchema {
 public:
  explicit MiniSchema(json schema) : root_(std::move(schema)) {}
  std::string validate(const json& doc) const { return check(root_, doc, "$"); }

 private:
  json root_;

  static bool is_type(const json& v, const std::string& t) {
    if (t == "object") return v.is_object();
    if (t == "array") return v.is_array();
    if (t == "string") return v.is_string();
    if (t == "integer") return v.is_number_integer();
    if (t == "number") return v.is_number();
    if (t == "boolean") return v.is_boolean();
    if (t == "null") return v.is_null();
    return false;
  }

  std::string check(const json& schema, const json& v, const std::string& path) const {
    if (schema.contains("$ref")) {
      auto ref = schema["$ref"].get<std::string>();
      const std::string prefix = "#/$defs/";
      if (ref.rfind(prefix, 0) != 0) return path + ": unsupported $ref " + ref;
      return check(root_["$defs"][ref.substr(prefix.size())], v, path);
    }
    if (schema.contains("const") && v != schema["const"]) return path + ": not " + schema["const"].dump();
    if (schema.contains("enum")) {
      bool any = false;
      for (const auto& e : schema["enum"]) any |= v == e;
      if (!any) return path + ": " + v.dump() + " not in " + schema["enum"].dump();
    }
    if (schema.contains("type")) {
      bool ok = false;
      if (schema["type"].is_array())
        for (const auto& t : schema["type"]) ok |= is_type(v, t.get<std::string>());
      else
        ok = is_type(v, schema["type"].get<std::string>());
      if (!ok) return path + ": " + v.dump().substr(0, 60) + " is not " + schema["type"].dump();
    }
    if (v.is_object()) {
      if (schema.contains("required"))
        for (const auto& k : schema["required"])
          if (!v.contains(k.get<std::string>())) return path + ": missing " + k.get<std::string>();
      if (schema.contains("properties"))
        for (const auto& [k, sub] : schema["properties"].items())
          if (v.contains(k))
            if (auto err = check(sub, v[k], path + "." + k); !err.empty()) return err;
    }
    if (v.is_array() && schema.contains("items"))
      for (std::size_t i = 0; i < v.size(); ++i)
        if (auto err = check(schema["items"], v[i], path + "[" + std::to_string(i) + "]"); !err.empty()) return err;
    return "";
  }
};

MiniSchema verify_schema() {
  return MiniSchema(json::parse(read_text(source_path("fixtures/schemas/hairpin.verify-1.schema.json"))));
}

// XML 1.0 well-formedness for what format_junit writes: one root, tags nest and
// close, attribute values quoted, no raw '<' or '&' outside markup or references.
std::string xml_problem(const std::string& x) {
  std::vector<std::string> open;
  std::size_t i = 0;
  int roots = 0;
  if (x.rfind("<?xml ", 0) == 0) i = x.find("?>") + 2;
  auto valid_reference = [&](std::size_t at) {
    auto semi = x.find(';', at);
    if (semi == std::string::npos || semi - at > 8) return false;
    const auto ref = x.substr(at + 1, semi - at - 1);
    if (ref == "amp" || ref == "lt" || ref == "gt" || ref == "quot" || ref == "apos") return true;
    return ref.size() > 1 && ref[0] == '#' && std::all_of(ref.begin() + 1, ref.end(), ::isdigit);
  };
  while (i < x.size()) {
    if (x[i] == '<') {
      auto end = x.find('>', i);
      if (end == std::string::npos) return "unclosed tag at " + std::to_string(i);
      std::string tag = x.substr(i + 1, end - i - 1);
      bool closing = !tag.empty() && tag[0] == '/';
      bool empty = !tag.empty() && tag.back() == '/';
      std::string name = tag.substr(closing ? 1 : 0, tag.find_first_of(" /", closing ? 1 : 0) - (closing ? 1 : 0));
      // attributes: name="value" with no '<' and valid references inside
      bool in_value = false;
      for (std::size_t k = i + 1; k < end; ++k) {
        if (x[k] == '"') in_value = !in_value;
        else if (in_value && x[k] == '<') return "'<' in an attribute at " + std::to_string(k);
        else if (in_value && x[k] == '&' && !valid_reference(k)) return "bad reference in an attribute at " + std::to_string(k);
      }
      if (in_value) return "unterminated attribute in <" + name + ">";
      if (closing) {
        if (open.empty() || open.back() != name) return "</" + name + "> closes " + (open.empty() ? "nothing" : open.back());
        open.pop_back();
      } else {
        if (open.empty()) ++roots;
        if (!empty) open.push_back(name);
      }
      i = end + 1;
    } else {
      if (x[i] == '&' && !valid_reference(i)) return "bad reference in text at " + std::to_string(i);
      if (x[i] == '>' ) return "raw '>' in text at " + std::to_string(i);
      if (open.empty() && !std::isspace(static_cast<unsigned char>(x[i]))) return "text outside the root";
      ++i;
    }
  }
  if (!open.empty()) return "<" + open.back() + "> never closed";
  if (roots != 1) return std::to_string(roots) + " root elements";
  return "";
}

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

const char* kCases[] = {"seed", "no-udr", "asymmetric-udr", "no-supernet", "nva-noforward", "ars0-down", "nva-down", "seed-verbatim"};

}  // namespace

TEST(ReportOutcome, ExitCodes_PassFailCouldNotRun) {
  EXPECT_EQ(exit_code(report_for("seed").outcome), 0);
  EXPECT_EQ(exit_code(report_for("ars0-down").outcome), 1);
  EXPECT_EQ(exit_code(report_for("nva-down").outcome), 1);  // failures outweigh not-run checks
  auto s = seed_scenario();
  EXPECT_EQ(exit_code(could_not_run_report(s, Error{"cannot reach host", "ssh nva1", "check ssh nva1"}, 10).outcome), 2);
  // Nothing failed but something could not run: never a pass.
  auto e = recorded_evidence("seed", s);
  e.nva.summary = {Provenance::not_gathered("vtysh", "ssh nva", "Permission denied"), std::nullopt};
  EXPECT_EQ(decide_outcome(run_checks(e, s)), Outcome::CouldNotRun);
  EXPECT_EQ(decide_outcome({}), Outcome::CouldNotRun);
}

TEST(ReportJson, EveryRecording_ConformsToTheSchemaFile) {
  const auto schema = verify_schema();
  for (const char* name : kCases) {
    const auto doc = format_json(report_for(name));
    EXPECT_EQ(schema.validate(doc), "") << name;
  }
  const auto cnr = format_json(could_not_run_report(seed_scenario(), Error{"namespace hp-x missing", "netns hp-x", "ip netns list"}, 5));
  EXPECT_EQ(schema.validate(cnr), "");
  EXPECT_EQ(cnr["outcome"], "could-not-run");
  EXPECT_EQ(cnr["exit_code"], 2);
  EXPECT_EQ(cnr["error"]["line"], "netns hp-x: namespace hp-x missing; ip netns list");
  // Positive control: the validator rejects what the schema forbids.
  auto bad = format_json(report_for("seed"));
  bad["checks"][0]["verdict"] = "passed";
  EXPECT_NE(schema.validate(bad), "");
  bad = format_json(report_for("seed"));
  bad.erase("diagnoses");
  EXPECT_EQ(schema.validate(bad), "$: missing diagnoses");
}

TEST(ReportJson, Ars0Down_FieldsCarryTheVerdictDiagnosisAndTiming) {
  const auto doc = format_json(report_for("ars0-down"));
  EXPECT_EQ(doc["schema"], "hairpin.verify/1");
  EXPECT_EQ(doc["outcome"], "fail");
  EXPECT_EQ(doc["exit_code"], 1);
  EXPECT_EQ(doc["summary"]["fail"], 3);
  EXPECT_EQ(doc["diagnoses"][0]["cause"], "route-server-session-down");
  EXPECT_EQ(doc["diagnoses"][0]["subject"], "10.0.210.4");
  EXPECT_EQ(doc["diagnoses"][0]["traffic_passes"], true);
  EXPECT_EQ(doc["checks"][0]["key"], "bgp.session-established 10.0.210.4");
  EXPECT_EQ(doc["checks"][0]["diagnosis"], "route-server-session-down");
  EXPECT_TRUE(doc["checks"][0]["passed_after_ms"].is_null());
  EXPECT_EQ(doc["checks"][1]["passed_after_ms"], 1234.5);
  EXPECT_EQ(doc["evidence"]["schema"], "hairpin.evidence/1");
}

TEST(ReportJunit, EveryRecording_WellFormedOneTestcasePerCheck) {
  for (const char* name : kCases) {
    const auto r = report_for(name);
    const auto xml = format_junit(r);
    EXPECT_EQ(xml_problem(xml), "") << name << "\n" << xml;
    EXPECT_EQ(count_of(xml, "<testcase "), r.checks.size()) << name;
    std::size_t failed = 0, not_run = 0;
    for (const auto& c : r.checks) failed += c.failed(), not_run += c.verdict == Verdict::NotRun;
    EXPECT_EQ(count_of(xml, "<failure "), failed) << name;
    EXPECT_EQ(count_of(xml, "<skipped "), not_run) << name;
  }
  EXPECT_NE(xml_problem("<a><b></a></b>"), "");  // positive control for the checker
  EXPECT_NE(xml_problem("<a x=\"1 & 2\"/>"), "");
}

TEST(ReportJunit, FailureMessageIsTheDiagnosis) {
  const auto xml = format_junit(report_for("asymmetric-udr"));
  EXPECT_NE(xml.find("<failure message=\"the UDR covers one site only: traffic for 10.200.0.0/16 is not sent to the NVA"),
            std::string::npos) << xml;
  EXPECT_NE(xml.find("type=\"udr-one-site-only\""), std::string::npos);
}

TEST(ReportJunit, HostileStringsAreEscaped) {
  auto r = report_for("no-udr");
  r.scenario.name = "a<b>&\"c'\x01";
  r.checks[12].detail = "</failure><x>&amp;\n]]>";
  r.diagnoses[0].summary = "\"quoted\" & <tagged>\ttab";
  const auto xml = format_junit(r);
  EXPECT_EQ(xml_problem(xml), "") << xml;
  EXPECT_NE(xml.find("a&lt;b&gt;&amp;&quot;c&apos;\xEF\xBF\xBD"), std::string::npos);
  EXPECT_NE(xml.find("message=\"&quot;quoted&quot; &amp; &lt;tagged&gt;&#9;tab\""), std::string::npos);
  EXPECT_EQ(xml_escape("x\ny"), "x&#10;y");
}

TEST(ReportJunit, CouldNotRun_IsOneErrorTestcase) {
  const auto xml = format_junit(could_not_run_report(seed_scenario(), Error{"ssh: connect to host nva1 port 22: Connection refused", "ssh nva1", ""}, 3));
  EXPECT_EQ(xml_problem(xml), "");
  EXPECT_EQ(count_of(xml, "<testcase "), 1u);
  EXPECT_NE(xml.find("<error message=\"ssh nva1: ssh: connect to host nva1 port 22: Connection refused\""), std::string::npos);
}

TEST(ReportText, NotATty_NoAnsiCodesTtyHasThem) {
  const auto r = report_for("ars0-down");
  const auto plain = format_text(r, {.tty = false});
  EXPECT_EQ(plain.find('\033'), std::string::npos);
  EXPECT_EQ(format_progress(r.checks, 2, 1000, {.tty = false}), "");
  const auto tty = format_text(r, {.tty = true});
  EXPECT_NE(tty.find("\033["), std::string::npos);  // positive control
  EXPECT_NE(format_progress(r.checks, 2, 1000, {.tty = true}).find("\r\033[K"), std::string::npos);
}

TEST(ReportText, Ars0Down_VerdictChecksDiagnosisAndTraces) {
  const auto text = format_text(report_for("ars0-down"), {.tty = false});
  EXPECT_NE(text.find("hairpin verify: seed-lab"), std::string::npos);
  EXPECT_NE(text.find("FAIL     bgp.session-established 10.0.210.4: state Active, not Established"), std::string::npos) << text;
  EXPECT_NE(text.find("pass     bgp.session-established 10.0.210.5: Established  [after 1.2 s]"), std::string::npos) << text;
  EXPECT_NE(text.find("1. route server 10.0.210.4 session down"), std::string::npos);
  EXPECT_NE(text.find("next: ip netns exec hp-vm-hub00 vtysh"), std::string::npos);
  EXPECT_NE(text.find("vm-hub100 -> vm-hub200: 1. 10.0.200.12"), std::string::npos);
  EXPECT_NE(text.find("4. 10.200.0.4"), std::string::npos);
  EXPECT_NE(text.find("\nFAIL: 15 passed, 3 failed, 0 not run; 1 round, 1.5 s\n"), std::string::npos) << text;
}

TEST(ReportText, SeedLab_Passes) {
  const auto text = format_text(report_for("seed"), {.tty = false});
  EXPECT_NE(text.find("\nPASS: 18 passed, 0 failed, 0 not run"), std::string::npos) << text;
  EXPECT_EQ(text.find("Diagnosis"), std::string::npos);
}

TEST(ReportJunit, AttributesAsTheJenkinsXunitSchemaAllows) {
  // junit-10.xsd (jenkinsci/xunit-plugin): <testsuites> takes name, time, tests,
  // failures, errors only; <testsuite> requires name, tests, failures, errors.
  const auto xml = format_junit(report_for("nva-down"));
  const auto suites = xml.substr(xml.find("<testsuites "), xml.find('>', xml.find("<testsuites ")) - xml.find("<testsuites "));
  EXPECT_EQ(suites.find("skipped="), std::string::npos) << suites;
  const auto suite_at = xml.find("<testsuite ");
  const auto suite = xml.substr(suite_at, xml.find('>', suite_at) - suite_at);
  for (const char* a : {"name=\"", "tests=\"", "failures=\"", "errors=\"", "skipped=\"", "time=\"", "timestamp=\""})
    EXPECT_NE(suite.find(std::string(" ") + a), std::string::npos) << a;
  EXPECT_NE(suite.find("skipped=\"16\""), std::string::npos) << suite;  // nva-down: 12 BGP checks, 2 capture, 2 answer checks not run
}

TEST(ReportJson, CarriesTheProjectVersion) {
  EXPECT_FALSE(format_json(report_for("seed"))["hairpin_version"].get<std::string>().empty());
}
