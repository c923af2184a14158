#include "hairpin/verifier/report/report.hpp"

#include "hairpin/verifier/evidence/evidence_json.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace hairpin::verifier {

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::Pass: return "PASS";
    case Outcome::Fail: return "FAIL";
    case Outcome::CouldNotRun: return "COULD NOT RUN";
  }
  return "?";
}

int exit_code(Outcome outcome) {
  switch (outcome) {
    case Outcome::Pass: return 0;
    case Outcome::Fail: return 1;
    case Outcome::CouldNotRun: return 2;
  }
  return 2;
}

Outcome decide_outcome(const std::vector<CheckResult>& checks) {
  if (std::any_of(checks.begin(), checks.end(), [](const CheckResult& c) { return c.failed(); })) return Outcome::Fail;
  if (checks.empty() || std::any_of(checks.begin(), checks.end(), [](const CheckResult& c) { return c.verdict == Verdict::NotRun; }))
    return Outcome::CouldNotRun;
  return Outcome::Pass;
}

VerifyReport make_report(Scenario scenario, Evidence evidence, std::vector<CheckResult> checks, int rounds, bool converged,
                         double duration_ms) {
  VerifyReport r;
  r.diagnoses = diagnose(checks, evidence, scenario);
  r.outcome = decide_outcome(checks);
  r.scenario = std::move(scenario);
  r.evidence = std::move(evidence);
  r.checks = std::move(checks);
  r.rounds = rounds;
  r.converged = converged;
  r.duration_ms = duration_ms;
  r.started_unix_ns = r.evidence.started_unix_ns;
  r.hairpin_version = HAIRPIN_VERSION;
  return r;
}

VerifyReport could_not_run_report(Scenario scenario, Error error, double duration_ms) {
  VerifyReport r;
  r.scenario = std::move(scenario);
  r.evidence.scenario = r.scenario.name;
  r.could_not_run = std::move(error);
  r.outcome = Outcome::CouldNotRun;
  r.duration_ms = duration_ms;
  r.hairpin_version = HAIRPIN_VERSION;
  return r;
}

namespace {

using nlohmann::json;

std::string seconds(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", ms / 1000.0);
  return buf;
}

struct Counts {
  std::size_t pass = 0, fail = 0, not_run = 0;
};
Counts count(const std::vector<CheckResult>& checks) {
  Counts c;
  for (const auto& x : checks) {
    if (x.verdict == Verdict::Pass) ++c.pass;
    else if (x.verdict == Verdict::Fail) ++c.fail;
    else ++c.not_run;
  }
  return c;
}

// ANSI SGR, only for a terminal.
struct Paint {
  bool on;
  std::string operator()(std::string_view code, const std::string& text) const {
    return on ? "\033[" + std::string(code) + "m" + text + "\033[0m" : text;
  }
};

std::string verdict_word(Verdict v, const Paint& paint) {
  switch (v) {
    case Verdict::Pass: return paint("32", "pass   ");
    case Verdict::Fail: return paint("1;31", "FAIL   ");
    case Verdict::NotRun: return paint("33", "not run");
  }
  return "?";
}

std::string outcome_word(Outcome o, const Paint& paint) {
  const std::string w(to_string(o));
  return o == Outcome::Pass ? paint("1;32", w) : o == Outcome::Fail ? paint("1;31", w) : paint("1;33", w);
}

std::string trace_line(const Trace& t) {
  if (t.send_error) return "could not send: " + *t.send_error;
  std::string out;
  for (const auto& h : t.hops) {
    std::string hop = std::to_string(h.ttl) + ". " + (h.responder ? h.responder->to_string() : "???");
    if (h.rtt_ms) {
      char buf[32];
      std::snprintf(buf, sizeof buf, " %.3fms", *h.rtt_ms);
      hop += buf;
    }
    out += (out.empty() ? "" : "  ") + hop;
  }
  return (out.empty() ? "no hops" : out) + (t.reached ? "" : "  (not reached)");
}

std::string iso8601(std::int64_t unix_ns) {
  std::time_t secs = static_cast<std::time_t>(unix_ns / 1000000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}

std::string junit_time(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", std::max(0.0, ms) / 1000.0);
  return buf;
}

json runner_json(const RunnerSpec& r) {
  json j = {{"kind", to_string(r.kind)}, {"display", r.to_string()}};
  if (r.kind == RunnerSpec::Kind::Netns) j["namespace"] = r.netns;
  if (r.kind == RunnerSpec::Kind::Ssh) {
    j["host"] = r.host;
    j["user"] = r.user ? json(*r.user) : json(nullptr);
    j["port"] = r.port ? json(*r.port) : json(nullptr);
    j["options"] = r.options;
  }
  return j;
}

}  // namespace

std::string format_text(const VerifyReport& r, const TextStyle& style) {
  const Paint paint{style.tty};
  std::string out;
  out += "hairpin verify: " + r.scenario.name + (r.scenario.source.empty() ? "" : " (" + r.scenario.source + ")") + "\n";
  if (r.could_not_run) {
    out += outcome_word(r.outcome, paint) + ": " + r.could_not_run->to_string() + "\n";
    return out;
  }
  out += "\n";
  for (const auto& c : r.checks) {
    std::string line = "  " + verdict_word(c.verdict, paint) + "  " + c.key() + ": " + c.detail;
    if (c.passed_after_ms) line += paint("2", "  [after " + seconds(*c.passed_after_ms) + "]");
    out += line + "\n";
    if (style.verbose)
      for (const auto& e : c.evidence) out += "             " + e + "\n";
  }
  if (!r.diagnoses.empty()) {
    out += "\nDiagnosis:\n";
    int i = 0;
    for (const auto& d : r.diagnoses) {
      out += "  " + std::to_string(++i) + ". " + paint("1", d.summary) + "  [" + d.id() + "]\n";
      for (const auto& e : d.evidence) out += "     - " + e + "\n";
      if (!d.next_command.empty()) out += "     next: " + d.next_command + "\n";
    }
  }
  bool any_trace = false;
  for (const auto& d : r.evidence.directions)
    if (d.trace.ok()) {
      if (!any_trace) out += "\nTraces:\n";
      any_trace = true;
      out += "  " + d.from + " -> " + d.to + ": " + trace_line(*d.trace.value) + "\n";
    }
  const auto n = count(r.checks);
  out += "\n" + outcome_word(r.outcome, paint) + ": " + std::to_string(n.pass) + " passed, " + std::to_string(n.fail) +
         " failed, " + std::to_string(n.not_run) + " not run; " + std::to_string(r.rounds) +
         (r.rounds == 1 ? " round, " : " rounds, ") + seconds(r.duration_ms) + (r.converged ? "" : " (did not converge)") + "\n";
  return out;
}

std::string format_progress(const std::vector<CheckResult>& checks, int round, double elapsed_ms, const TextStyle& style) {
  if (!style.tty) return "";
  const auto n = count(checks);
  return "\r\033[K round " + std::to_string(round) + ": " + std::to_string(n.pass) + "/" + std::to_string(checks.size()) +
         " checks pass, " + seconds(elapsed_ms);
}

json format_json(const VerifyReport& r) {
  json sites = json::array();
  for (const auto& s : r.scenario.sites)
    sites.push_back({{"name", s.name}, {"prefix", s.prefix.to_string()}, {"probe_host", s.probe_host.to_string()},
                     {"runner", runner_json(s.runner)}});
  json servers = json::array();
  for (const auto& p : r.scenario.route_servers) servers.push_back({{"address", p.address.to_string()}, {"asn", p.asn}});
  json checks = json::array();
  for (const auto& c : r.checks) {
    const auto* d = diagnosis_for(r.diagnoses, c);
    checks.push_back({{"id", c.id},
                      {"subject", c.subject},
                      {"key", c.key()},
                      {"title", c.title},
                      {"verdict", to_string(c.verdict)},
                      {"detail", c.detail},
                      {"evidence", c.evidence},
                      {"passed_after_ms", c.passed_after_ms ? json(*c.passed_after_ms) : json(nullptr)},
                      {"diagnosis", d ? json(d->id()) : json(nullptr)}});
  }
  json diagnoses = json::array();
  for (const auto& d : r.diagnoses)
    diagnoses.push_back({{"cause", d.id()},
                         {"subject", d.subject},
                         {"summary", d.summary},
                         {"evidence", d.evidence},
                         {"next_command", d.next_command},
                         {"explains", d.explains},
                         {"traffic_passes", d.traffic_passes}});
  const auto n = count(r.checks);
  const char* outcome = r.outcome == Outcome::Pass ? "pass" : r.outcome == Outcome::Fail ? "fail" : "could-not-run";
  return {{"schema", kVerifySchema},
          {"hairpin_version", r.hairpin_version},
          {"scenario",
           {{"name", r.scenario.name},
            {"source", r.scenario.source},
            {"supernet", r.scenario.supernet.to_string()},
            {"port", r.scenario.port},
            {"sites", sites},
            {"nva",
             {{"name", r.scenario.nva.name},
              {"address", r.scenario.nva.address.to_string()},
              {"software", to_string(r.scenario.nva.software)},
              {"runner", runner_json(r.scenario.nva.runner)}}},
            {"route_servers", servers},
            {"route_server_limit", r.scenario.route_server_limit}}},
          {"outcome", outcome},
          {"exit_code", exit_code(r.outcome)},
          {"error", r.could_not_run ? json{{"what", r.could_not_run->what},
                                           {"where", r.could_not_run->where},
                                           {"fix", r.could_not_run->fix},
                                           {"line", r.could_not_run->to_string()}}
                                    : json(nullptr)},
          {"converged", r.converged},
          {"rounds", r.rounds},
          {"started_unix_ns", r.started_unix_ns},
          {"duration_ms", r.duration_ms},
          {"summary", {{"total", r.checks.size()}, {"pass", n.pass}, {"fail", n.fail}, {"not_run", n.not_run}}},
          {"checks", checks},
          {"diagnoses", diagnoses},
          {"evidence", evidence_to_json(r.evidence)}};
}

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      // Attribute values normalise raw newlines and tabs to spaces: keep them as character references.
      case '\n': out += "&#10;"; break;
      case '\r': out += "&#13;"; break;
      case '\t': out += "&#9;"; break;
      default:
        // XML 1.0 2.2: C0 controls other than tab, LF, CR are not characters at all.
        if (c < 0x20 || c == 0x7f) out += "\xEF\xBF\xBD";
        else out += static_cast<char>(c);
    }
  }
  return out;
}

std::string format_junit(const VerifyReport& r) {
  const auto n = count(r.checks);
  const std::size_t errors = r.could_not_run ? 1 : 0;
  const std::size_t tests = r.checks.size() + errors;
  const std::string suite = "hairpin verify " + r.scenario.name;
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  // <testsuites> carries no `skipped` in the Jenkins xunit schema (junit-10.xsd); <testsuite> does.
  out += "<testsuites name=\"" + xml_escape("hairpin verify") + "\" tests=\"" + std::to_string(tests) + "\" failures=\"" +
         std::to_string(n.fail) + "\" errors=\"" + std::to_string(errors) + "\" time=\"" + junit_time(r.duration_ms) + "\">\n";
  out += "  <testsuite name=\"" + xml_escape(suite) + "\" tests=\"" + std::to_string(tests) + "\" failures=\"" +
         std::to_string(n.fail) + "\" errors=\"" + std::to_string(errors) + "\" skipped=\"" + std::to_string(n.not_run) +
         "\" time=\"" + junit_time(r.duration_ms) + "\" timestamp=\"" + iso8601(r.started_unix_ns) + "\">\n";
  if (r.could_not_run) {
    out += "    <testcase classname=\"hairpin.verify\" name=\"hairpin verify\" time=\"" + junit_time(r.duration_ms) + "\">\n";
    out += "      <error message=\"" + xml_escape(r.could_not_run->to_string()) + "\" type=\"could-not-run\">" +
           xml_escape(r.could_not_run->to_string()) + "</error>\n";
    out += "    </testcase>\n";
  }
  for (const auto& c : r.checks) {
    out += "    <testcase classname=\"" + xml_escape("hairpin.verify." + c.id) + "\" name=\"" + xml_escape(c.key()) +
           "\" time=\"" + junit_time(c.passed_after_ms.value_or(0)) + "\"";
    if (c.passed()) {
      out += "/>\n";
      continue;
    }
    out += ">\n";
    std::string body = c.title + "\n" + c.detail + "\n";
    for (const auto& e : c.evidence) body += "- " + e + "\n";
    if (c.failed()) {
      const auto* d = diagnosis_for(r.diagnoses, c);
      const std::string message = d ? d->summary : c.detail;
      if (d) {
        body += "\ndiagnosis: " + d->summary + " [" + d->id() + "]\n";
        for (const auto& e : d->evidence) body += "- " + e + "\n";
        if (!d->next_command.empty()) body += "next: " + d->next_command + "\n";
      }
      out += "      <failure message=\"" + xml_escape(message) + "\" type=\"" + xml_escape(d ? d->id() : "unknown") + "\">" +
             xml_escape(body) + "</failure>\n";
    } else {
      out += "      <skipped message=\"" + xml_escape(c.detail) + "\"/>\n";
    }
    out += "    </testcase>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace hairpin::verifier
