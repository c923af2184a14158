#pragma once
// Reply matching: is this captured packet one of our probes, or a reply to one?
//
// In:  the bytes of one captured packet (from the IPv4 header on; see
//      network_layer() to strip a pcap link header) and the run's identity.
// Out: for a reply, which probe it answers (index, flow), what kind of reply, who
//      sent it and what the quote says (TTL/TOS as they reached the responder,
//      RFC 4884 extensions such as MPLS labels); for our own outgoing SYN, its
//      index and TTL (the wire send time comes from the capture, not from here).
//      Anything else is rejected with a reason, never guessed at.
// Pure: no sockets, no clock. The trace engine calls it for every captured packet;
// offline analysis can call it on a pcap file.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "hairpin/probes/probe_identity.hpp"

namespace hairpin::probes {

enum class ReplyKind {
  TimeExceeded,     // ICMP type 11 code 0 from a router on the path
  DestUnreachable,  // ICMP type 3 (any code) from a router or the target
  SynAck,           // the target's port is open
  Rst,              // the target's port is closed (still: the target answered)
};
std::string_view to_string(ReplyKind kind);

// RFC 4950: one MPLS label stack entry, as an ICMP extension carries it.
struct MplsEntry {
  std::uint32_t label = 0;
  std::uint8_t exp = 0;
  bool bottom_of_stack = false;
  std::uint8_t ttl = 0;
  friend bool operator==(const MplsEntry&, const MplsEntry&) = default;
};

struct Match {
  ReplyKind kind = ReplyKind::TimeExceeded;
  std::uint16_t probe_index = 0;
  std::uint16_t flow = 0;
  Ipv4Address responder;                  // outer IPv4 source
  std::uint8_t reply_ttl = 0;      // outer TTL as received
  std::uint8_t icmp_type = 0;      // ICMP only
  std::uint8_t icmp_code = 0;      // ICMP only
  std::optional<std::uint8_t> sent_ttl;    // from the quoted IP ID (ICMP only)
  std::optional<std::uint8_t> quoted_ttl;  // TTL of our probe when it was quoted
  std::optional<std::uint8_t> quoted_tos;  // TOS of our probe when it was quoted
  std::size_t quote_length = 0;            // bytes of our datagram quoted back
  bool has_extensions = false;             // RFC 4884 extension structure present
  std::vector<MplsEntry> mpls;             // RFC 4950 label stack, if any
};

// Why a packet is not a reply to this run. Tests assert the reason, so a packet
// rejected for the wrong reason fails them.
enum class Reject {
  Truncated,       // shorter than its headers say, or too short to decide
  Malformed,       // not IPv4, bad header length, a non-first fragment
  NotForUs,        // not addressed to the run's source address
  NotAReply,       // ICMP type/code or TCP flags that do not answer a SYN probe
  ForeignFlow,     // addresses/ports/protocol of someone else's flow
  WrongNonce,      // our 5-tuple, another run's (or a stale) sequence number
  IdMismatch,      // quoted IP ID disagrees with the sequence number
};
std::string_view to_string(Reject reason);

std::variant<Match, Reject> classify_reply(std::span<const std::uint8_t> ip, const RunIdentity& run);
std::optional<Match> match_reply(std::span<const std::uint8_t> ip, const RunIdentity& run);

// One of our own outgoing SYNs, seen by the capture.
struct SentProbe {
  std::uint16_t probe_index = 0;
  std::uint16_t flow = 0;
  std::uint8_t ttl = 0;
};
std::variant<SentProbe, Reject> classify_sent(std::span<const std::uint8_t> ip, const RunIdentity& run);
std::optional<SentProbe> match_sent(std::span<const std::uint8_t> ip, const RunIdentity& run);

// The IPv4 packet inside a captured frame of pcap link type `dlt` (EN10MB with any
// 802.1Q/802.1ad tags up to kMaxVlanTags, LINUX_SLL, LINUX_SLL2, RAW, IPV4), as
// common's decode_link walks it for the offline analysis too; nothing for other
// link types or non-IPv4 frames.
std::optional<std::span<const std::uint8_t>> network_layer(int dlt, std::span<const std::uint8_t> frame);

}  // namespace hairpin::probes
