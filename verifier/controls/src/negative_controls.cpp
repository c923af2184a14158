// Negative controls: the plan, the judgement and the table (pure).

#include "hairpin/verifier/controls/negative_controls.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include <nlohmann/json.hpp>

#include "hairpin/verifier/report/report.hpp"

namespace hairpin::verifier {

using nlohmann::json;

std::string_view to_string(ExpectedVerdict verdict) { return verdict == ExpectedVerdict::Pass ? "pass" : "fail"; }

namespace {

// Each lab fault (verifier/lab: Fault) and the diagnosis the catalog must give
// for it (verifier/diagnosis: Cause ids). One row per fault, in the lab's order.
struct FaultExpectation {
  const char* fault;
  const char* diagnosis;
  const char* check;           // the check that must fail with it ("" = any)
  const char* text;            // the diagnosis must mention this ("" = no constraint)
  std::vector<std::string> must_pass;
  const char* why;
};
const FaultExpectation kFaultExpectations[] = {
    {"no-udr", "udr-missing", "", "", {}, "no UDR: neither direction is sent to the NVA"},
    {"asymmetric-udr", "udr-one-site-only", "", "", {}, "UDR for one site only: one direction skips the NVA"},
    {"no-supernet", "supernet-not-originated", "", "", {}, "the NVA does not originate the supernet"},
    {"nva-noforward", "nva-not-forwarding", "", "", {}, "probes enter the NVA and never leave"},
    // The hairpin still works through ars1: only the session check fails. The
    // addresses are the lab's (ControlPlanOptions::route_servers), these the seed's.
    {"ars0-down", "route-server-session-down", "bgp.session-established", "10.0.210.4",
     {"path.reaches-via-nva", "capture.crosses-nva"},
     "route server 10.0.210.4 down; the hairpin still works through 10.0.210.5"},
    {"nva-down", "nva-down", "", "", {}, "the NVA's BGP daemon is not running"},
};

}  // namespace

std::vector<NegativeControl> negative_controls(const ControlPlanOptions& o) {
  std::vector<NegativeControl> out;
  out.push_back({"baseline", {}, o.default_nva, ExpectedVerdict::Pass, "", "", "", {},
                 "the seed lab with no fault passes (positive control)"});
  for (const auto& f : kFaultExpectations) {
    NegativeControl c{f.fault, {f.fault}, o.default_nva, ExpectedVerdict::Fail, f.diagnosis, f.check, f.text,
                      f.must_pass, f.why};
    if (c.name == "ars0-down" && !o.route_servers.empty()) {
      if (o.route_servers.size() < 2) continue;
      c.diagnosis_text = o.route_servers[0];
      c.why = "route server " + o.route_servers[0] + " down; the hairpin still works through " + o.route_servers[1];
    }
    out.push_back(std::move(c));
  }
  // The lo trap is FRR's: `interface lo / ip address 10.0.0.1/8` makes the kernel
  // add `local 10.0.0.0/8 dev lo` (DESIGN.md, Traps). The built-in NVA originates
  // the supernet without touching lo, so the same config must pass there.
  if (o.frr_available)
    out.push_back({"seed-verbatim", {"seed-verbatim"}, "frr", ExpectedVerdict::Fail, "lo-trap", "", "", {},
                   "FRR applies the seed's 10.0.0.1/8 on lo: all of 10/8 is local"});
  if (o.builtin_available)
    out.push_back({"seed-verbatim", {"seed-verbatim"}, "builtin", ExpectedVerdict::Pass, "", "", "", {},
                   "the built-in NVA runs the seed's config without the lo trap"});
  return out;
}

Result<ObservedVerdict> read_verify_report(std::string_view text, int exit_code) {
  ObservedVerdict v;
  v.exit_code = exit_code;
  json j;
  try {
    j = json::parse(text);
  } catch (const std::exception& e) {
    return Error{std::string("hairpin verify --json printed no JSON report: ") + e.what(), "hairpin verify --json",
                 "run it by hand to see why"};
  }
  try {
    if (j.value("schema", "") != "hairpin.verify/1")
      return Error{"not a hairpin.verify/1 report (schema '" + j.value("schema", "") + "')", "hairpin verify --json",
                   "use the hairpin binary these controls belong to"};
    // docs/verify.md, JSON: outcome; checks[] with their diagnosis (cause id or
    // null); diagnoses[] with cause, summary and the check keys they explain.
    v.verdict = j.at("outcome").get<std::string>();
    const json& diagnoses = j.contains("diagnoses") ? j.at("diagnoses") : json::array();
    if (!diagnoses.empty()) v.primary_diagnosis = diagnoses.front().value("cause", "");
    if (j.contains("error") && j.at("error").is_object()) v.error = j.at("error").value("line", "");
    for (const auto& c : j.at("checks")) {
      const std::string verdict = c.at("verdict").get<std::string>();
      if (verdict == "pass") v.passed.push_back(c.at("id").get<std::string>());
      if (verdict != "fail") continue;
      FailedCheck f;
      f.id = c.at("id").get<std::string>();
      if (c.contains("diagnosis") && c.at("diagnosis").is_string()) f.diagnosis = c.at("diagnosis").get<std::string>();
      const std::string key = c.at("key").get<std::string>();
      for (const auto& d : diagnoses) {
        const auto& explains = d.value("explains", json::array());
        if (std::find(explains.begin(), explains.end(), key) == explains.end()) continue;
        f.diagnosis_text = d.value("summary", "");
        break;
      }
      v.failed.push_back(std::move(f));
    }
  } catch (const std::exception& e) {
    return Error{std::string("hairpin.verify/1 report not as documented: ") + e.what(), "hairpin verify --json",
                 "see docs/verify.md for the schema"};
  }
  return v;
}

ControlResult judge(const NegativeControl& c, const ObservedVerdict& o, double seconds) {
  ControlResult r{c, o, false, "", seconds};
  if (o.verdict.empty()) {
    r.why = "verify did not run: " + o.error;
    return r;
  }
  if (c.verdict == ExpectedVerdict::Pass) {
    r.ok = o.verdict == "pass" && o.exit_code == 0;
    r.why = r.ok ? "passed" : "expected PASS, got " + o.verdict + " (exit " + std::to_string(o.exit_code) + ")";
    return r;
  }
  if (o.verdict != "fail" || o.exit_code != 1) {
    r.why = "expected FAIL, got " + o.verdict + " (exit " + std::to_string(o.exit_code) + ")";
    return r;
  }
  for (const auto& id : c.must_pass) {
    const bool passed = std::find(o.passed.begin(), o.passed.end(), id) != o.passed.end();
    const bool failed = std::any_of(o.failed.begin(), o.failed.end(), [&](const auto& f) { return f.id == id; });
    if (!passed || failed) {
      r.why = "check '" + id + "' should still pass with this fault, but " + (failed ? "failed" : "did not pass");
      return r;
    }
  }
  for (const auto& f : o.failed) {
    if (f.diagnosis != c.diagnosis) continue;
    if (!c.check.empty() && f.id != c.check) continue;
    if (!c.diagnosis_text.empty() && f.diagnosis_text.find(c.diagnosis_text) == std::string::npos) continue;
    r.ok = true;
    r.why = f.id + ": " + f.diagnosis_text;
    return r;
  }
  std::string seen;
  for (const auto& f : o.failed)
    seen += (seen.empty() ? "" : ", ") + f.id + "=" + (f.diagnosis.empty() ? "(none)" : f.diagnosis);
  r.why = "no failed check " + (c.check.empty() ? std::string() : "'" + c.check + "' ") + "diagnosed '" +
          c.diagnosis + "'" + (c.diagnosis_text.empty() ? "" : " (" + c.diagnosis_text + ")") +
          "; failed: " + (seen.empty() ? "none" : seen);
  return r;
}

namespace {

// "no-udr (builtin)": the NVA always shown, since seed-verbatim runs on both.
std::string label(const NegativeControl& c) { return c.name + " (" + c.nva + ")"; }

std::string expected(const NegativeControl& c) {
  if (c.verdict == ExpectedVerdict::Pass) return "PASS";
  std::string e = "FAIL " + c.diagnosis;
  if (!c.diagnosis_text.empty()) e += " (" + c.diagnosis_text + ")";
  return e;
}

std::string observed_diagnosis(const ControlResult& r) {
  if (r.observed.verdict.empty()) return "-";
  if (r.ok && r.control.verdict == ExpectedVerdict::Fail) {
    for (const auto& f : r.observed.failed)
      if (f.diagnosis == r.control.diagnosis) return f.diagnosis;
  }
  return r.observed.primary_diagnosis.empty() ? "-" : r.observed.primary_diagnosis;
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), ::toupper);
  return s;
}

}  // namespace

std::string format_controls_table(const std::vector<ControlResult>& results) {
  struct Row { std::string fault, verdict, diagnosis, expected, ok, seconds; };
  std::vector<Row> rows{{"fault", "verdict", "diagnosis", "expected", "ok", "time"}};
  for (const auto& r : results) {
    char secs[32];
    std::snprintf(secs, sizeof secs, "%.1f s", r.seconds);
    rows.push_back({label(r.control), r.observed.verdict.empty() ? "COULD NOT RUN" : upper(r.observed.verdict),
                    observed_diagnosis(r), expected(r.control), r.ok ? "ok" : "NOT OK", secs});
  }
  std::size_t w[5] = {0, 0, 0, 0, 0};
  for (const auto& row : rows) {
    w[0] = std::max(w[0], row.fault.size());
    w[1] = std::max(w[1], row.verdict.size());
    w[2] = std::max(w[2], row.diagnosis.size());
    w[3] = std::max(w[3], row.expected.size());
    w[4] = std::max(w[4], row.ok.size());
  }
  auto pad = [](const std::string& s, std::size_t n) { return s + std::string(n - s.size() + 2, ' '); };
  std::ostringstream out;
  for (const auto& row : rows)
    out << pad(row.fault, w[0]) << pad(row.verdict, w[1]) << pad(row.diagnosis, w[2]) << pad(row.expected, w[3])
        << pad(row.ok, w[4]) << row.seconds << "\n";
  std::size_t bad = 0;
  for (const auto& r : results) {
    if (r.ok) continue;
    ++bad;
    out << "NOT OK " << label(r.control) << ": " << r.why << "\n";
  }
  out << (bad == 0 ? "negative controls: all " + std::to_string(results.size()) + " ok\n"
                   : "negative controls: " + std::to_string(bad) + " of " + std::to_string(results.size()) +
                         " not ok\n");
  return out.str();
}

std::string format_controls_json(const std::vector<ControlResult>& results) {
  json j{{"schema", "hairpin.verify-controls/1"}, {"ok", all_ok(results)}, {"controls", json::array()}};
  for (const auto& r : results) {
    json failed = json::array();
    for (const auto& f : r.observed.failed)
      failed.push_back({{"check", f.id}, {"diagnosis", f.diagnosis}, {"summary", f.diagnosis_text}});
    j["controls"].push_back({{"name", r.control.name},
                             {"faults", r.control.faults},
                             {"nva", r.control.nva},
                             {"expected", {{"verdict", to_string(r.control.verdict)},
                                           {"diagnosis", r.control.diagnosis},
                                           {"check", r.control.check},
                                           {"mentions", r.control.diagnosis_text}}},
                             {"verdict", r.observed.verdict.empty() ? "could-not-run" : r.observed.verdict},
                             {"exit_code", r.observed.exit_code},
                             {"failed", failed},
                             {"error", r.observed.error},
                             {"ok", r.ok},
                             {"why", r.why},
                             {"seconds", r.seconds}});
  }
  return j.dump(2) + "\n";
}

std::string format_controls_junit(const std::vector<ControlResult>& results, double seconds) {
  std::size_t failures = 0;
  for (const auto& r : results) failures += r.ok ? 0 : 1;
  auto secs = [](double s) {
    char b[32];
    std::snprintf(b, sizeof b, "%.3f", s < 0 ? 0 : s);
    return std::string(b);
  };
  std::ostringstream x;
  x << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    << "<testsuites name=\"hairpin verify --negative-controls\" tests=\"" << results.size() << "\" failures=\""
    << failures << "\" errors=\"0\" time=\"" << secs(seconds) << "\">\n"
    << "  <testsuite name=\"hairpin verify --negative-controls\" tests=\"" << results.size() << "\" failures=\""
    << failures << "\" errors=\"0\" skipped=\"0\" time=\"" << secs(seconds) << "\">\n";
  for (const auto& r : results) {
    x << "    <testcase classname=\"hairpin.verify.controls\" name=\"" << xml_escape(label(r.control))
      << "\" time=\"" << secs(r.seconds) << "\"";
    if (r.ok) {
      x << "/>\n";
      continue;
    }
    x << ">\n      <failure message=\"" << xml_escape(r.why) << "\" type=\"" << xml_escape(expected(r.control))
      << "\">" << xml_escape(r.control.why + "\nobserved: " +
                               (r.observed.verdict.empty() ? "could not run: " + r.observed.error : r.observed.verdict))
      << "</failure>\n    </testcase>\n";
  }
  x << "  </testsuite>\n</testsuites>\n";
  return x.str();
}

bool all_ok(const std::vector<ControlResult>& results) {
  return !results.empty() && std::all_of(results.begin(), results.end(), [](const auto& r) { return r.ok; });
}

}  // namespace hairpin::verifier
