// `hairpin trace DST`: TCP SYN traceroute with Ethr's `-t tr` / `-t mtr` output.
// Parses options, runs the probes engine, prints text or JSON, sets the exit code:
// 0 target reached (and, with --expect-via, the expected hop seen before it),
// 1 not, 2 could not run (usage, privileges, unknown host, no route). Once its
// sockets are open it keeps only CAP_NET_RAW (common/privileges.hpp).

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "hairpin/common/privileges.hpp"
#include "hairpin/probes/trace_engine.hpp"
#include "hairpin/probes/trace_format.hpp"

namespace hairpin::cli {

namespace {

struct TraceArgs {
  std::string target;
  int port = 80;
  int probes = -1;  // -1: the mode's default (1 for tr, 3 for mtr)
  int max_hops = 30;
  int flows = 1;
  int gap_limit = 5;
  int tos = 0;
  std::string wait = "2";  // MAX[,HERE[,NEAR]] as traceroute -w
  double interval_s = 1.0;
  bool json = false;
  bool mtr = false;
  bool resolve = false;
  std::string expect_via;
};

int run(const TraceArgs& a) {
  probes::WaitPolicy wait;
  {
    // MAX[,HERE[,NEAR]]: every part a positive number, nothing else.
    std::vector<double> parts;
    std::size_t at = 0;
    bool good = true;
    while (good && at <= a.wait.size()) {
      const std::size_t comma = std::min(a.wait.find(',', at), a.wait.size());
      const std::string part = a.wait.substr(at, comma - at);
      char* end = nullptr;
      const double v = std::strtod(part.c_str(), &end);
      good = !part.empty() && end == part.c_str() + part.size() && v > 0;
      parts.push_back(v);
      at = comma + 1;
    }
    if (!good || parts.size() > 3) {
      throw UserError{"--wait '" + a.wait + "': give MAX[,HERE[,NEAR]] as positive numbers, e.g. 2 or 2,3,2",
                      kExitUsage};
    }
    wait.max_wait_ns = static_cast<std::int64_t>(parts[0] * 1e9);
    if (parts.size() > 1) wait.here = parts[1];
    if (parts.size() > 2) wait.near = parts[2];
  }
  std::optional<Ipv4Address> via;
  if (!a.expect_via.empty()) {
    via = Ipv4Address::parse(a.expect_via);
    if (!via) throw UserError{"--expect-via '" + a.expect_via + "' is not an IPv4 address", kExitUsage};
  }

  probes::TraceOptions o;
  o.target = a.target;
  o.port = static_cast<std::uint16_t>(a.port);
  o.mode = a.mtr ? probes::TraceMode::Mtr : probes::TraceMode::Tr;
  o.probes = a.probes != -1 ? a.probes : (a.mtr ? 3 : 1);  // -q 0 is refused by validate()
  o.max_hops = a.max_hops;
  o.flows = a.flows;
  o.gap_limit = a.gap_limit;
  o.tos = static_cast<std::uint8_t>(a.tos);
  o.wait = wait;
  o.interval_ns = static_cast<std::int64_t>(a.interval_s * 1e9);
  o.resolve = a.resolve;
  // Its raw, packet and TCP sockets are open: from here on the trace only sends
  // and reads on them (no capability needed), resolves names and prints. Only
  // CAP_NET_RAW stays, as the issue asks (docs/security.md, lab.privileges).
  o.after_sockets_open = [] { return drop_to({Capability::NetRaw}); };

  auto result = probes::run_trace(o);
  if (!result) throw UserError{result.error().to_string(), kExitUsage};

  std::optional<int> via_at;
  if (via) via_at = probes::via_ttl(*result, *via);
  const bool reached = probes::target_reached(*result);

  if (a.json) {
    auto doc = probes::format_json(*result);
    if (via) {
      doc["expect_via"] = {{"ip", via->to_string()},
                           {"ttl", via_at ? nlohmann::json(*via_at) : nlohmann::json(nullptr)},
                           {"ok", via_at.has_value()}};
    }
    std::cout << doc.dump(2) << "\n";
  } else {
    std::cout << probes::format_text(*result);
  }
  std::cout.flush();

  if (via) {
    if (!via_at) {
      throw UserError{via->to_string() + " did not answer at a hop before " +
                          result->run.target.to_string() + (reached ? "" : " (the target did not answer)") +
                          "; check the path with --json",
                      kExitFail};
    }
    return kExitOk;
  }
  return reached ? kExitOk : kExitFail;
}

}  // namespace

void register_trace_commands(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<TraceArgs>();
  CLI::App* cmd = app.add_subcommand("trace", "TCP SYN traceroute with Ethr -t tr output (--json, --mtr)");
  cmd->add_option("target", args->target, "destination host name or IPv4 address")->required();
  cmd->add_option("-p,--port", args->port, "destination TCP port")
      ->check(checked_by(CLI::Range(1, 65535),
                         [](const std::string& v) { return "bad port " + v + ": give a TCP port 1-65535 with -p"; }))
      ->capture_default_str();
  cmd->add_option("-q,--queries", args->probes,
                  "probes per hop (default 1); with --mtr, rounds of one probe per hop (default 3)");
  cmd->add_option("-m,--max-hops", args->max_hops, "largest TTL probed")->capture_default_str();
  cmd->add_option("--flows", args->flows, "source ports to use, to explore ECMP paths")->capture_default_str();
  cmd->add_option("--gap-limit", args->gap_limit, "silent hops after the last answer that end the trace")
      ->capture_default_str();
  cmd->add_option("-w,--wait", args->wait,
                  "MAX[,HERE[,NEAR]]: wait at most MAX s for an answer, or HERE x the RTT of another answer "
                  "from the same hop, or NEAR x the RTT of an answer from a farther hop")
      ->capture_default_str();
  cmd->add_option("--interval", args->interval_s, "--mtr: seconds between rounds")
      ->check(checked_by(CLI::PositiveNumber, "must be positive"))
      ->capture_default_str();
  cmd->add_option("--tos", args->tos, "IP TOS byte of the probes")
      ->check(checked_by(CLI::Range(0, 255), "must be 0-255"))
      ->capture_default_str();
  cmd->add_option("--expect-via", args->expect_via, "exit 0 only if this IPv4 answers at a hop before the target");
  cmd->add_flag("--json", args->json, "JSON output (schema hairpin.trace/1, docs/trace.md)");
  cmd->add_flag("--mtr", args->mtr, "mtr mode: rounds of probes, then Sent/Recv/Last/Avg/Best/Wrst per hop");
  cmd->add_flag("--resolve", args->resolve, "reverse-resolve responders (Ethr's [name])");
  cmd->callback([args, &exit_code] {
    exit_code = run(*args);
  });
}

}  // namespace hairpin::cli
