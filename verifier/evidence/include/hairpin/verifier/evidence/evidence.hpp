#pragma once
// Evidence: everything `hairpin verify` saw, as plain values. Gathered by the
// runners (verifyrun), read by the checks and the diagnosis, written whole as
// JSON (evidence_json.hpp) into --evidence DIR and into fixtures/evidence/.
//
// In:  nothing: these are values. Parsers (evidence_parsers.hpp) fill them from
//      the tools' outputs; gatherers add how each item was gathered.
// Out: the NVA's BGP state (peers, routes per peer, its BGP table with next-hop
//      resolution, kernel routes it holds), per direction a trace and what the
//      capture on the NVA saw of it.
//
// Every item carries its Provenance: the command, the runner, whether it could
// be gathered (and why not), and when. An item that could not be gathered has
// no value; checks that need it say "not run" with that reason, never "pass".

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hairpin/common/ipv4.hpp"
#include "hairpin/common/result.hpp"

namespace hairpin::verifier {

// How one item was gathered.
struct Provenance {
  enum class Status { Ok, NotGathered };
  std::string command;                 // as run, for a person to re-run it ("vtysh -c 'show bgp summary json'")
  std::string runner;                  // RunnerSpec::to_string(): "netns hp-vm-hub00", "ssh nva1", "fixture"
  Status status = Status::Ok;
  std::string reason;                  // NotGathered: why, one line ("vtysh: failed to connect to any daemons")
  std::int64_t started_unix_ns = 0;
  std::int64_t finished_unix_ns = 0;
  std::string raw_file;                // the tool's output as kept under --evidence DIR (may be empty)

  bool ok() const { return status == Status::Ok; }
  static Provenance not_gathered(std::string command, std::string runner, std::string reason);
};

// One item and how it was gathered: a value only when status is Ok.
template <typename T>
struct Gathered {
  Provenance how;
  std::optional<T> value;

  bool ok() const { return how.ok() && value.has_value(); }
  // "not gathered: <reason>", or "gathered" (for messages).
  std::string reason() const { return how.ok() ? (value ? "" : "no value") : how.reason; }
};

// A parsed tool output as an item: the value, or (parse failed) NotGathered
// with the parser's one-line error as the reason.
template <typename T>
Gathered<T> gathered(Provenance how, Result<T> parsed) {
  Gathered<T> g{std::move(how), std::nullopt};
  if (!g.how.ok()) return g;
  if (parsed.ok()) {
    g.value = std::move(parsed).value();
  } else {
    g.how.status = Provenance::Status::NotGathered;
    g.how.reason = parsed.error().to_string();
  }
  return g;
}

// A route as a BGP speaker shows it for one peer (received or advertised).
struct BgpRoute {
  Ipv4Prefix prefix;
  std::vector<std::uint32_t> as_path;  // AS_SEQUENCE order, nearest AS first; sets flattened
  std::optional<Ipv4Address> next_hop;
  std::string origin;                  // "IGP", "EGP", "incomplete", "" when unknown

  bool has_as(std::uint32_t asn) const;
  std::string as_path_text() const;    // "65515 12076 65100", "" for a local route
  friend bool operator==(const BgpRoute&, const BgpRoute&) = default;
};

// One BGP neighbor of the NVA: its session and the routes each way.
struct PeerState {
  Ipv4Address address;
  std::uint32_t remote_as = 0;
  std::string state;                   // RFC 4271 8.2.2 names as FRR prints them: Idle, Connect, Active, OpenSent, OpenConfirm, Established
  std::optional<std::int64_t> uptime_ms;        // time in the current state, when the tool says
  std::optional<std::uint64_t> prefixes_received;  // FRR's pfxRcd (accepted after inbound policy)
  std::optional<std::uint64_t> prefixes_sent;      // FRR's pfxSnt
  std::optional<std::string> last_error;           // last NOTIFICATION / reset reason, when the tool says
  Gathered<std::vector<BgpRoute>> received;        // adj-RIB-in (pre-policy, FRR soft-reconfiguration)
  Gathered<std::vector<BgpRoute>> advertised;      // adj-RIB-out

  bool established() const { return state == "Established"; }
};

// The NVA's BGP summary: who it is and its neighbors.
struct BgpSummary {
  std::optional<Ipv4Address> router_id;
  std::uint32_t local_as = 0;
  std::vector<PeerState> peers;

  const PeerState* find_peer(Ipv4Address address) const;
  PeerState* find_peer(Ipv4Address address);
};

// Whether the NVA can use a learned route's next hop (RFC 4271 9.1.2.1).
enum class NextHopResolution { Resolved, Unresolved, Unknown };

// One path in the NVA's BGP table (FRR `show bgp ipv4 unicast json`, hairpin
// `bgp show routes --json`).
struct LearnedRoute {
  Ipv4Prefix prefix;
  std::vector<std::uint32_t> as_path;
  std::optional<Ipv4Address> next_hop;
  std::optional<Ipv4Address> from_peer;   // nullopt: originated by the NVA itself
  bool best = false;
  bool valid = false;
  NextHopResolution resolution = NextHopResolution::Unknown;
  std::string why;                        // Unresolved: what the tool said ("nexthop not accessible")

  bool local() const { return !from_peer.has_value(); }
};

// A kernel route on the NVA (`ip -j route show table all`), where the FIB is
// known: the lo trap is a `local` route covering the supernet.
struct FibRoute {
  Ipv4Prefix prefix;
  std::string type;                        // "unicast", "local", "blackhole", "unreachable", ...
  std::string table;                       // "main", "local", a number
  std::string device;                      // "lo", "eth0", "" for blackhole
  std::optional<Ipv4Address> gateway;
  std::string protocol;                    // "kernel", "bgp", "static", "zebra", ...
};

struct NvaState {
  Gathered<BgpSummary> summary;                 // peers, their states and per-peer routes
  Gathered<std::vector<LearnedRoute>> table;    // the BGP table with next-hop validity
  Gathered<std::vector<FibRoute>> fib;          // kernel routes, when the runner can read them
};

// One TTL of a trace (hairpin.trace/1 hop).
struct TraceHop {
  int ttl = 0;
  std::optional<Ipv4Address> responder;          // first that answered; nullopt = "???"
  std::vector<Ipv4Address> other_responders;
  std::optional<double> rtt_ms;                  // best RTT over the answered probes
  int sent = 0;
  int received = 0;
  std::string reply;                             // first answer's kind: "time-exceeded", "dest-unreachable", "syn-ack", "rst", "" = none
  std::optional<std::string> unreachable;        // "!H", "!N", ... when an ICMP unreachable answered

  bool answered() const { return responder.has_value(); }
};

// One `hairpin trace --json` run from a site's probe host.
struct Trace {
  Ipv4Address source;
  Ipv4Address target;
  std::uint16_t port = 0;
  std::uint16_t nonce = 0;
  std::vector<std::uint16_t> source_ports;
  bool reached = false;                          // the target itself (SYN-ACK / RST) or its unreachable answered
  std::optional<int> final_ttl;
  std::vector<TraceHop> hops;
  // The trace could not send at all and said why ("connect: Network is
  // unreachable": the site has no route to the far site). A fact about the
  // network, not a gathering failure.
  std::optional<std::string> send_error;

  // The first TTL whose responder is `address`, if any.
  std::optional<int> ttl_of(Ipv4Address address) const;
  // The answer at final_ttl: who gave it and its kind.
  const TraceHop* final_hop() const;
};

// One trace probe as the capture on the NVA saw it (hairpin.analyze/1 trace probe).
struct ProbeCrossing {
  int id = 0;
  int ttl = 0;                                   // as sent
  std::string reply;                             // from the trace
  bool entered = false;
  bool left = false;
  std::optional<int> ttl_in;
  std::optional<int> ttl_out;
  bool reply_entered = false;
  bool reply_left = false;
};

// What the capture on the NVA shows of one direction's trace.
struct CaptureDirection {
  Ipv4Address source;                            // the trace's source and target
  Ipv4Address target;
  std::string nva_mac;                           // as the analysis identified it
  std::uint64_t probes_sent = 0;                 // probes of this trace
  std::uint64_t probes_entered = 0;              // seen arriving at the NVA
  std::uint64_t probes_left = 0;                 // of those, seen leaving with TTL exactly one less (RFC 791)
  std::uint64_t reached = 0;                     // probes the target answered (per the trace)
  std::uint64_t reached_proven = 0;              // of those, entered and left the NVA
  std::uint64_t replies_entered = 0;             // the target's answers coming back through the NVA
  std::uint64_t replies_left = 0;
  // The (source, target) direction of all packets, not only the trace's:
  std::uint64_t packets_in = 0;
  std::uint64_t packets_out = 0;
  std::uint64_t unmatched = 0;                   // entered with TTL > 1 and never left
  std::uint64_t ttl_expired = 0;                 // entered with TTL <= 1
  std::vector<ProbeCrossing> probes;
};

// One direction: a trace from `from` to `to`, and the capture's view of it.
struct DirectionEvidence {
  std::string from;                              // site names
  std::string to;
  Gathered<Trace> trace;
  Gathered<CaptureDirection> capture;
};

struct Evidence {
  std::string scenario;                          // the scenario's name
  std::int64_t started_unix_ns = 0;
  std::int64_t finished_unix_ns = 0;
  int attempt = 1;                               // convergence retries: which round this is
  NvaState nva;
  std::vector<DirectionEvidence> directions;

  const DirectionEvidence* find_direction(std::string_view from, std::string_view to) const;
};

}  // namespace hairpin::verifier
