#pragma once
// `hairpin lint`: the known traps of an FRR-style NVA config in the hairpin design
// (DESIGN.md, "ARS facts" and "Traps"), found without running anything.
//
// In:  a ParsedConfig (config.hpp: the NvaConfig, the parser's warnings and the
//      policy names it references, all with line numbers) and LintOptions (the
//      route server's route limit, the GatewaySubnet when known).
// Out: Findings, sorted by line: severity, line, rule id, and what is wrong, why
//      it matters in this design, and the fix. The parser's own warnings come
//      through as findings of rule "config", except those a lint rule replaces
//      (lo address, undefined names, eBGP without policy), so nothing is said twice.
// Callers: `hairpin lint FILE` (cli/lint_command.cpp), tests. Pure: outbound
//      policy is judged by running the real policy engine (policy.hpp) on
//      representative routes, the way the RIB's export path runs it.
//
// Rules, with the test that shows each (tests/unit/bgpd/config_lint_test.cpp) and
// docs/bgpd.md "Lint": lo-prefix, ebgp-no-policy, undefined-reference,
// ars-65515-out, ars-route-limit, ars-asymmetric, blackhole-covers-ars,
// reserved-asn, ars-multihop, network-no-route.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hairpin/bgpd/config/config.hpp"

namespace hairpin::bgpd {

// The route server's own AS; every peer with this remote-as is taken as an ARS instance.
inline constexpr std::uint32_t kArsAsn = 65515;

struct LintOptions {
  // ARS tears a session down past 1,000 routes from one NVA peer (raisable to 4,000).
  std::uint32_t ars_route_limit = 1000;
  // Where the ExpressRoute gateway instances (the next hops ARS hands out) live.
  std::optional<Ipv4Prefix> gateway_subnet;
};

enum class Severity { Warning, Error };
const char* to_string(Severity severity);  // "warning", "error"

struct Finding {
  Severity severity = Severity::Error;
  int line = 0;      // 0: the file as a whole
  std::string rule;  // "lo-prefix", ..., "config" for the parser's own warnings
  std::string what;  // what is wrong, naming the line's subject
  std::string why;   // why it matters in this design (empty for parser warnings)
  std::string fix;   // the change that removes it (empty when `what` says it)
  // "what: why. Fix: fix", the one-line form
  std::string message() const;
};

// Sorted by line, errors before warnings on the same line.
std::vector<Finding> lint_config(const ParsedConfig& parsed, const LintOptions& options = {});

// One line per finding, "FILE:LINE: error|warning: [rule] message", then a
// summary line ("FILE: 2 errors, 1 warning" / "FILE: no findings").
std::string lint_report_text(const std::string& file_name, const std::vector<Finding>& findings);

// A JSON array, one object per finding, in the order given (docs/bgpd.md "Lint"):
// {"file", "line", "severity", "rule", "message", "what", "why", "fix"}.
std::string lint_report_json(const std::string& file_name, const std::vector<Finding>& findings);

bool has_errors(const std::vector<Finding>& findings);

}  // namespace hairpin::bgpd
