#pragma once
// The real tools' outputs -> Evidence parts. Pure: text in, a value or an Error
// out; no process, no clock. The runners (verifyrun) run the commands and wrap
// each result in a Gathered<> with its Provenance.
//
// In:  the stdout of
//   - the built-in NVA: `hairpin bgp show summary|routes --json`,
//     `hairpin bgp show neighbors A.B.C.D advertised-routes|received-routes --json` (docs/bgpd.md);
//   - FRR 8.4 vtysh: `show bgp ipv4 unicast summary json`, `show bgp ipv4 unicast json`,
//     `show bgp ipv4 unicast neighbors A.B.C.D advertised-routes json` / `received-routes json`;
//   - iproute2: `ip -j route show table all`;
//   - `hairpin trace --json` (hairpin.trace/1, docs/trace.md);
//   - `hairpin analyze --json --trace ...` (hairpin.analyze/1, docs/capture.md).
// Out: BgpSummary (without per-peer routes), route lists, LearnedRoute lists,
//      FibRoute lists, Trace, CaptureDirection per trace.
//
// Each parser names the tool in its errors ("vtysh show bgp summary json: no
// 'ipv4Unicast' object; is bgpd running and the address family configured?").

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hairpin/common/result.hpp"
#include "hairpin/verifier/evidence/evidence.hpp"

namespace hairpin::verifier {

// `hairpin bgp show summary --json` and FRR's `show bgp [ipv4 unicast] summary json`
// share field names (ipv4Unicast.peers.ADDR.{remoteAs,state,pfxRcd,pfxSnt,...});
// FRR adds peerUptimeMsec. Either wrapping (with or without "ipv4Unicast") is read.
Result<BgpSummary> parse_bgp_summary_json(std::string_view text);

// Advertised / received routes to one peer: FRR's
// {"advertisedRoutes"|"receivedRoutes": {PREFIX: {addrPrefix, prefixLen, nextHop, path, origin}}}
// and hairpin's same-named answer. A peer that is not Established makes FRR
// answer with an empty object or a "warning": both read as no routes.
Result<std::vector<BgpRoute>> parse_bgp_peer_routes_json(std::string_view text);

// The BGP table: FRR's `show bgp ipv4 unicast json` ({"routes": {PREFIX: [path...]}},
// path: valid, bestpath, path, nexthops[{ip, accessible}], peerId) and
// hairpin's `bgp show routes --json` (the same shape). A path whose next hop
// is not accessible (FRR) or not valid is Unresolved, with the reason.
Result<std::vector<LearnedRoute>> parse_bgp_table_json(std::string_view text);

// `ip -j route show table all`: IPv4 routes (default route as 0.0.0.0/0).
Result<std::vector<FibRoute>> parse_ip_route_json(std::string_view text);

// `hairpin trace --json` (schema hairpin.trace/1).
Result<Trace> parse_trace_json(std::string_view text);
// A trace that could not send: `hairpin trace`'s one error line on stderr
// ("hairpin trace: ...: Network is unreachable; ...") as a Trace with send_error.
Trace trace_send_failure(Ipv4Address source, Ipv4Address target, std::uint16_t port, std::string error_line);
// Whether `hairpin trace`'s stderr (exit 2) says the probe host has no route to
// the target: a fact about the network (send_error), not a gathering failure.
// Returns that line, or nullopt for any other error (permissions, bad option...).
std::optional<std::string> trace_no_route_error(std::string_view stderr_text);

// `hairpin analyze --json` (schema hairpin.analyze/1) run with every trace of
// this round: one CaptureDirection per trace in it, with the (source, target)
// direction's packet counts merged in.
Result<std::vector<CaptureDirection>> parse_analyze_json(std::string_view text);

}  // namespace hairpin::verifier
