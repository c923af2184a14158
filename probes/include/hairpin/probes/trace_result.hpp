#pragma once
// Trace results: what was sent, what came back, and what that means per hop.
//
// In:  the engine's probe records (one per SYN sent: spec, round, send times, the
//      matched reply and its capture time).
// Out: per-hop summaries (responder, sent/received, last/avg/best/worst RTT,
//      unreachable marker), where the trace ends and whether the target answered,
//      the --expect-via verdict, and the waiting rules the engine follows
//      (adaptive deadlines, gap limit, when a round is complete).
// Pure: times are plain nanosecond counts passed in; nothing reads a clock.
// Called by the engine (to decide when to stop) and the formatters (to print).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hairpin/probes/probe_identity.hpp"
#include "hairpin/probes/reply_match.hpp"

namespace hairpin::probes {

struct ProbeRecord {
  ProbeSpec spec;
  int round = 0;
  std::int64_t sent_host_ns = 0;                // CLOCK_REALTIME just before sendto()
  std::optional<std::int64_t> sent_wire_ns;     // capture timestamp of our own SYN
  std::optional<Match> reply;
  std::optional<std::int64_t> reply_wire_ns;    // capture timestamp of the reply

  std::int64_t sent_ns() const { return sent_wire_ns.value_or(sent_host_ns); }
  // Reply time minus send time; both from the capture when it saw our SYN.
  std::optional<std::int64_t> rtt_ns() const;
};

enum class TraceMode { Tr, Mtr };

struct TraceParams {
  std::string target_name;     // as the user typed it
  int max_hops = 30;
  int probes_per_hop = 1;      // tr: probes per hop; mtr: rounds (one probe per hop each)
  int gap_limit = 5;           // consecutive silent hops that end an unanswered trace
  TraceMode mode = TraceMode::Tr;
  std::uint8_t tos = 0;
};

struct TraceResult {
  RunIdentity run;
  TraceParams params;
  std::vector<ProbeRecord> probes;               // index == ProbeSpec::index
  std::map<std::uint32_t, std::string> names;    // reverse DNS, filled only with --resolve
  std::int64_t started_ns = 0;
  std::int64_t finished_ns = 0;
};

// The first TTL whose probe got a final answer (SYN-ACK, RST, or ICMP destination
// unreachable), i.e. where the path ends; nothing while no probe has one.
std::optional<int> final_ttl(const std::vector<ProbeRecord>& probes);

// True when the final answer came from the target (SYN-ACK/RST, or an ICMP
// unreachable the target itself sent, e.g. port unreachable from a firewall).
bool target_reached(const TraceResult& result);

struct HopSummary {
  int ttl = 0;
  std::optional<Ipv4Address> responder;   // first address that answered at this TTL
  std::vector<Ipv4Address> others;        // further addresses (ECMP with --flows, or changes)
  int sent = 0;
  int received = 0;
  std::optional<std::int64_t> last_ns, avg_ns, best_ns, worst_ns;
  std::string unreachable;         // "!H", "!N", ... when an ICMP unreachable answered
};

// Hops to print: 1..final TTL when the path ended; otherwise up to the last
// answering hop plus `gap_limit` silent ones, never beyond max_hops.
std::vector<HopSummary> summarize_hops(const TraceResult& result);

// traceroute(8)'s annotations for ICMP destination unreachable codes (RFC 792,
// RFC 1122 3.2.2.1, RFC 1812 5.2.7.1); empty for port unreachable, the normal end.
std::string unreachable_marker(std::uint8_t code);

// --expect-via: the TTL where `via` answered before the target, if the target was
// reached and `via` answered at a smaller TTL.
std::optional<int> via_ttl(const TraceResult& result, Ipv4Address via);

// How long to wait for a probe. traceroute(8)'s -w MAX,HERE,NEAR idea: never past
// `max_wait_ns`; when this hop already answered another probe, `here` times that
// RTT; when a farther hop answered, `near` times its RTT (nearer hops answer
// first, so silence past that means no answer is coming); never below `floor_ns`.
struct WaitPolicy {
  std::int64_t max_wait_ns = 2'000'000'000;  // Ethr waits 2 s for the ICMP reply
  double here = 3.0;
  double near = 2.0;
  std::int64_t floor_ns = 10'000'000;
};

std::int64_t probe_deadline_ns(const ProbeRecord& probe, const std::vector<ProbeRecord>& all,
                               const WaitPolicy& policy);

// A round is complete when every probe of it that can still matter (TTL below the
// final TTL, or every TTL while there is none) is answered or past its deadline,
// or when `gap_limit` consecutive TTLs past the last answering one are all past
// their deadlines.
bool round_complete(const std::vector<ProbeRecord>& probes, int round, std::int64_t now_ns,
                    const WaitPolicy& policy, int gap_limit);

// The next moment a probe of `round` that is still unanswered reaches its deadline
// (after `now_ns`), so the engine sleeps exactly until something can change.
std::optional<std::int64_t> next_deadline_ns(const std::vector<ProbeRecord>& probes, int round,
                                             std::int64_t now_ns, const WaitPolicy& policy);

}  // namespace hairpin::probes
