#pragma once
// NVA pcap analysis: did each packet that entered the NVA leave it again?
//
// In:  a PcapFile (pcap_file.hpp) captured on the NVA's one NIC (the Azure case:
//      traffic arrives from and leaves to the subnet gateway on the same NIC), the
//      NVA's MAC and IP if known, and optionally the probes of a `hairpin trace
//      --json` run.
// Out: an Analysis: per direction (source and destination address of what
//      entered) the flows in and out, packets that entered and never left, TTL at
//      arrival, time inside the NVA (from pcap timestamps) and any rewrite between
//      the two copies (address/port NAT, DSCP, TCP MSS); per trace probe, whether
//      it was seen entering and leaving; every frame that could not be analysed is
//      counted by reason. Text and JSON ("hairpin.analyze/1", docs/capture.md).
// Pure. Called by `hairpin analyze` (cli/capture_command.cpp) and the verifier.
//
// Pairing: a frame to the NVA's MAC (or, in a Linux cooked capture, "to us") is an
// ingress copy; a frame from the NVA's MAC ("outgoing") an egress copy. An egress
// copy belongs to an ingress copy when protocol, IP ID and the transport identity
// (TCP seq, ICMP id/seq) are equal, it is later, and its TTL is exactly one less
// (RFC 791: a router decrements TTL). Copies of the same flow are preferred, so a
// NAT rewrite still pairs and shows as a rewrite. Probe identity (nonce, index,
// flow) is decoded with probe_identity, the same code `hairpin trace` stamps with.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hairpin/common/result.hpp"
#include "hairpin/probes/pcap_file.hpp"
#include "hairpin/probes/pcap_packet.hpp"
#include "hairpin/probes/probe_identity.hpp"

namespace hairpin::probes {

// The probes of one `hairpin trace --json` run (schema hairpin.trace/1).
struct TraceProbeRef {
  std::uint16_t id = 0;
  std::uint16_t flow = 0;
  std::uint8_t ttl = 0;
  std::optional<std::string> reply;  // "syn-ack", "rst", "time-exceeded", ... or none
};
struct TraceRunRef {
  RunIdentity run;
  std::vector<TraceProbeRef> probes;
};
Result<TraceRunRef> parse_trace_json(const nlohmann::json& doc, const std::string& name);

struct AnalysisOptions {
  std::optional<Ipv4Address> nva_ip;
  std::optional<Mac> nva_mac;
  std::vector<TraceRunRef> traces;
};

struct DwellStats {
  std::uint64_t count = 0;
  double min_us = 0, median_us = 0, max_us = 0, mean_us = 0;
};

struct Rewrite {
  std::string field;  // "src", "dst", "sport", "dport", "dscp", "ecn", "mss"
  std::string from, to;
  std::uint64_t packets = 0;
};

struct FlowReport {
  std::uint8_t protocol = 0;
  std::uint16_t sport = 0, dport = 0;
  std::uint64_t packets_in = 0, packets_out = 0;
};

struct DirectionReport {
  Ipv4Address src, dst;                          // as the packets entered the NVA
  std::uint64_t flows_in = 0;             // distinct 5-tuples that entered
  std::uint64_t flows_out = 0;            // of those, the ones with a packet that left
  std::uint64_t packets_in = 0;           // ingress copies
  std::uint64_t packets_out = 0;          // ingress copies paired with an egress copy
  std::uint64_t unmatched = 0;            // entered with TTL > 1 and never left
  std::uint64_t ttl_expired = 0;          // entered with TTL <= 1: the NVA must not forward them
  std::uint64_t unmatched_out = 0;        // left without a matching ingress copy (capture started late?)
  std::map<int, std::uint64_t> ttl_in;    // TTL at arrival -> ingress copies
  DwellStats dwell;                       // paired copies only
  std::vector<Rewrite> rewrites;
  std::vector<FlowReport> flows;
};

struct ProbeReport {
  std::uint16_t id = 0, flow = 0;
  std::uint8_t ttl = 0;              // as sent
  std::optional<std::string> reply;  // from the trace
  bool entered = false, left = false;
  std::optional<int> ttl_in, ttl_out;
  std::optional<double> dwell_us;
  bool reply_entered = false, reply_left = false;  // the target's SYN-ACK/RST on its way back
};

struct TraceReport {
  Ipv4Address source, target;
  std::uint16_t port = 0, nonce = 0;
  std::vector<ProbeReport> probes;
  std::uint64_t reached = 0;         // probes the target answered (per the trace)
  std::uint64_t reached_proven = 0;  // of those, seen entering and leaving the NVA
};

struct FrameCounts {
  std::uint64_t total = 0;
  std::uint64_t ipv4 = 0, ipv6 = 0, arp = 0, other_network = 0, unknown_link = 0;
  std::uint64_t truncated = 0, malformed = 0;
  std::uint64_t snaplen_cut = 0;    // IPv4 analysed from a partial capture
  std::uint64_t fragments = 0;      // non-first fragments (no transport identity)
  std::uint64_t not_via_nva = 0;    // IPv4 neither to nor from the NVA's MAC
  std::uint64_t to_nva = 0;         // addressed to the NVA itself (BGP, probes to it)
  std::uint64_t from_nva = 0;       // sent by the NVA itself (BGP, ICMP errors)
};

struct Analysis {
  std::string file;
  std::string format;
  std::map<std::uint32_t, std::uint64_t> link_types;  // link type -> frames
  PcapReadIssues read_issues;
  FrameCounts frames;
  std::optional<Mac> nva_mac;
  std::string nva_mac_source;  // "given", "learned: ...", "cooked capture direction"
  std::optional<Ipv4Address> nva_ip;
  std::string nva_ip_source;
  std::vector<DirectionReport> directions;
  std::vector<TraceReport> traces;
  std::vector<std::string> notes;  // one line each: what could not be analysed and why
};

Result<Analysis> analyze_capture(const PcapFile& file, const AnalysisOptions& options, const std::string& name);

std::string format_analysis_text(const Analysis& a);
nlohmann::json format_analysis_json(const Analysis& a);

}  // namespace hairpin::probes
