#pragma once
// Evidence assembled from the lab recordings in fixtures/evidence/raw/CASE/
// (fixtures/evidence/record.sh) with the real parsers, as verify's gatherers
// assemble it: a command that failed is NotGathered with its stderr as the
// reason; a trace that could not send is a Trace with send_error.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "hairpin/common/file_io.hpp"
#include "hairpin/verifier/evidence/evidence.hpp"
#include "hairpin/verifier/evidence/evidence_parsers.hpp"
#include "hairpin/verifier/model/scenario.hpp"

namespace hairpin::verifier::testing {

inline Ipv4Address ip(const char* text) { return *Ipv4Address::parse(text); }
inline Ipv4Prefix pfx(const char* text) { return *Ipv4Prefix::parse(text); }

inline std::string source_path(const std::string& relative) { return std::string(HAIRPIN_SOURCE_DIR) + "/" + relative; }

inline std::string read_text(const std::string& path) {
  auto text = read_whole_file(path);
  if (!text) ADD_FAILURE() << "cannot read " << path;
  return text ? text.value() : std::string();
}

inline Scenario seed_scenario() {
  auto s = load_scenario(source_path("fixtures/scenarios/seed-lab.yaml"));
  if (!s) ADD_FAILURE() << s.error().to_string();
  return s ? s.value() : Scenario{};
}

// One recording: NAME.out / NAME.err / NAME.rc and the command line from commands.txt.
class Recording {
 public:
  explicit Recording(std::string name) : name_(std::move(name)), dir_(source_path("fixtures/evidence/raw/" + name_)) {
    std::ifstream in(dir_ + "/commands.txt");
    std::string line;
    while (std::getline(in, line)) {
      auto colon = line.find(": ");
      if (colon != std::string::npos) commands_[line.substr(0, colon)] = line.substr(colon + 2);
    }
  }
  bool exists(const std::string& file) const { return std::filesystem::exists(dir_ + "/" + file); }
  std::string out(const std::string& file) const { return read_text(dir_ + "/" + file + ".out"); }
  std::string err(const std::string& file) const { return exists(file + ".err") ? read_text(dir_ + "/" + file + ".err") : ""; }
  int rc(const std::string& file) const {
    if (!exists(file + ".rc")) return 0;
    return std::stoi(read_text(dir_ + "/" + file + ".rc"));
  }
  // "[vm-hub00] vtysh ..." -> command "vtysh ...", runner "netns hp-vm-hub00".
  Provenance how(const std::string& file) const {
    Provenance p;
    auto it = commands_.find(file);
    std::string c = it == commands_.end() ? file : it->second;
    if (c.size() > 1 && c.front() == '[') {
      auto close = c.find("] ");
      p.runner = "netns hp-" + c.substr(1, close - 1);
      c = c.substr(close + 2);
    } else {
      p.runner = "local";
    }
    p.command = c;
    p.raw_file = name_ + "/" + file + ".out";
    if (rc(file) != 0 && file.rfind("trace-", 0) != 0) {
      p.status = Provenance::Status::NotGathered;
      std::string e = err(file);
      while (!e.empty() && (e.back() == '\n' || e.back() == ' ')) e.pop_back();
      p.reason = e.empty() ? "exit " + std::to_string(rc(file)) : e;
    }
    return p;
  }
  const std::string& name() const { return name_; }

 private:
  std::string name_, dir_;
  std::map<std::string, std::string> commands_;
};

template <typename T>
Gathered<T> gather(const Recording& r, const std::string& file, Result<T> (*parse)(std::string_view)) {
  Gathered<T> g;
  g.how = r.how(file);
  if (!g.how.ok()) return g;
  auto parsed = parse(r.out(file));
  if (!parsed) {
    ADD_FAILURE() << r.name() << "/" << file << ": " << parsed.error().to_string();
    g.how.status = Provenance::Status::NotGathered;
    g.how.reason = parsed.error().to_string();
    return g;
  }
  g.value = std::move(parsed.value());
  return g;
}

inline Evidence recorded_evidence(const std::string& name, const Scenario& scenario) {
  Recording r(name);
  Evidence e;
  e.scenario = scenario.name;
  e.nva.summary = gather<BgpSummary>(r, "bgp-summary", parse_bgp_summary_json);
  if (e.nva.summary.ok())
    for (auto& p : e.nva.summary.value->peers) {
      const auto a = p.address.to_string();
      p.advertised = gather<std::vector<BgpRoute>>(r, "advertised-" + a, parse_bgp_peer_routes_json);
      p.received = gather<std::vector<BgpRoute>>(r, "received-" + a, parse_bgp_peer_routes_json);
    }
  e.nva.table = gather<std::vector<LearnedRoute>>(r, "bgp-table", parse_bgp_table_json);
  if (r.exists("ip-route.out")) e.nva.fib = gather<std::vector<FibRoute>>(r, "ip-route", parse_ip_route_json);
  else e.nva.fib.how = Provenance::not_gathered("ip -4 -j route show table all", "", "not recorded");

  std::vector<CaptureDirection> captures;
  if (r.exists("analyze.out") && r.rc("analyze") != 2) {
    auto parsed = parse_analyze_json(r.out("analyze"));
    if (!parsed) ADD_FAILURE() << name << "/analyze: " << parsed.error().to_string();
    else captures = parsed.value();
  }
  for (const auto& path : scenario.paths) {
    DirectionEvidence d;
    d.from = path.from;
    d.to = path.to;
    const auto file = "trace-" + path.from + "-" + path.to;
    d.trace.how = r.how(file);
    const auto* from = scenario.find_site(path.from);
    const auto* to = scenario.find_site(path.to);
    if (r.exists(file + ".out")) {
      if (r.rc(file) == 2) {
        auto no_route = trace_no_route_error(r.err(file));
        if (no_route) d.trace.value = trace_send_failure(from->probe_host, to->probe_host, scenario.port, *no_route);
        else d.trace.how = Provenance::not_gathered(d.trace.how.command, d.trace.how.runner, r.err(file));
      } else {
        auto parsed = parse_trace_json(r.out(file));
        if (!parsed) ADD_FAILURE() << name << "/" << file << ": " << parsed.error().to_string();
        else d.trace.value = parsed.value();
      }
    } else {
      d.trace.how = Provenance::not_gathered("hairpin trace", "", "not recorded");
    }
    d.capture.how = r.how("analyze");
    bool found = false;
    for (const auto& c : captures)
      if (c.source == from->probe_host && c.target == to->probe_host) {
        d.capture.value = c;
        found = true;
      }
    if (!found) {
      d.capture.how.status = Provenance::Status::NotGathered;
      d.capture.how.reason = "no trace of this direction in the capture analysis (the trace sent nothing)";
    }
    e.directions.push_back(std::move(d));
  }
  return e;
}

}  // namespace hairpin::verifier::testing
