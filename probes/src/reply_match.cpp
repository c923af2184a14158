// Reply matching over raw bytes (see reply_match.hpp). The header walk is common's
// packet decoder, the one the offline pcap analysis uses too; this file holds only
// the rules that make a packet a reply to one of our probes.

#include "hairpin/probes/reply_match.hpp"

#include "hairpin/common/packet_decode.hpp"

namespace hairpin::probes {

namespace {

Reject reject_of(DecodeError e) {
  return e == DecodeError::Truncated ? Reject::Truncated : Reject::Malformed;
}

// The IPv4 header we match on: RFC 791, only the first fragment carries the
// transport header, so a later fragment cannot be matched.
std::variant<Ipv4Header, Reject> first_fragment(ByteView b) {
  auto ip = decode_ipv4(b);
  if (auto* e = std::get_if<DecodeError>(&ip)) return reject_of(*e);
  if (!std::get<Ipv4Header>(ip).has_transport()) return Reject::Malformed;
  return std::get<Ipv4Header>(ip);
}

// RFC 4884 7 / RFC 4950: read MPLS label stack objects from an extension structure.
void parse_extensions(ByteView ext, Match& m) {
  // RFC 4884 7: 4-byte header, version 2 in the top nibble.
  if (ext.size() < 4 || (ext[0] >> 4) != 2) return;
  m.has_extensions = true;
  std::size_t at = 4;
  while (at + 4 <= ext.size()) {
    const std::size_t len = load_be16(ext, at);
    const std::uint8_t class_num = ext[at + 2], c_type = ext[at + 3];
    if (len < 4 || at + len > ext.size()) return;  // RFC 4884 7: malformed object ends parsing
    if (class_num == 1 && c_type == 1) {            // RFC 4950 7: MPLS Label Stack, incoming
      for (std::size_t e = at + 4; e + 4 <= at + len; e += 4) {
        const std::uint32_t w = load_be32(ext, e);
        m.mpls.push_back(MplsEntry{w >> 12, static_cast<std::uint8_t>((w >> 9) & 0x7u),
                                   ((w >> 8) & 0x1u) != 0, static_cast<std::uint8_t>(w & 0xffu)});
      }
    }
    at += len;
  }
}

std::variant<Match, Reject> classify_icmp(const Ipv4Header& outer, const RunIdentity& run) {
  const auto icmp_or = decode_icmp(outer.payload);
  if (std::holds_alternative<DecodeError>(icmp_or)) return Reject::Truncated;
  const IcmpMessage& icmp = std::get<IcmpMessage>(icmp_or);
  Match m;
  if (icmp.type == kIcmpTimeExceeded && icmp.code == 0) {  // RFC 792: code 0 = TTL exceeded in transit
    m.kind = ReplyKind::TimeExceeded;
  } else if (icmp.type == kIcmpDestUnreachable) {
    m.kind = ReplyKind::DestUnreachable;
  } else {
    return Reject::NotAReply;
  }
  m.icmp_type = icmp.type;
  m.icmp_code = icmp.code;
  m.responder = outer.src;
  m.reply_ttl = outer.ttl;

  // RFC 4884 4/5.1: the original datagram, then any extension structure.
  const IcmpQuote quote = split_icmp_quote(icmp);
  if (icmp.original_words != 0) parse_extensions(quote.extensions, m);

  auto inner_or = first_fragment(quote.datagram);
  if (auto* r = std::get_if<Reject>(&inner_or)) return *r;
  const Ipv4Header& inner = std::get<Ipv4Header>(inner_or);
  if (inner.protocol != kIpProtoTcp) return Reject::ForeignFlow;
  if (inner.src != run.source || inner.dst != run.target) return Reject::ForeignFlow;
  // RFC 792 / RFC 1812 4.3.2.3: at least 8 bytes of the transport header are quoted;
  // ports are bytes 0-3, the sequence number bytes 4-7.
  const auto tcp = decode_tcp(inner.payload);
  if (!tcp || !tcp->has_seq()) return Reject::Truncated;
  const auto flow = flow_of_port(run, tcp->ports.src);
  if (!flow || tcp->ports.dst != run.target_port) return Reject::ForeignFlow;
  const auto index = index_from_seq(run, tcp->seq);
  if (!index) return Reject::WrongNonce;
  const auto sent_ttl = ttl_from_ip_id(inner.id, *index);
  if (!sent_ttl) return Reject::IdMismatch;

  m.probe_index = *index;
  m.flow = *flow;
  m.sent_ttl = sent_ttl;
  m.quoted_ttl = inner.ttl;
  m.quoted_tos = inner.tos;
  m.quote_length = quote.datagram.size();
  return m;
}

std::variant<Match, Reject> classify_tcp(const Ipv4Header& outer, const RunIdentity& run) {
  const auto tcp = decode_tcp(outer.payload);
  if (!tcp || !tcp->complete()) return Reject::Truncated;
  if (outer.src != run.target) return Reject::ForeignFlow;
  const auto flow = flow_of_port(run, tcp->ports.dst);
  if (tcp->ports.src != run.target_port || !flow) return Reject::ForeignFlow;
  const std::uint8_t flags = tcp->flags;
  Match m;
  if ((flags & (kTcpSyn | kTcpAck | kTcpRst | kTcpFin)) == (kTcpSyn | kTcpAck)) {
    m.kind = ReplyKind::SynAck;
  } else if ((flags & (kTcpRst | kTcpAck)) == (kTcpRst | kTcpAck)) {
    // RFC 9293 3.10.7.1: a RST answering a segment without ACK (our SYN) carries
    // ACK with SEG.SEQ + SEG.LEN; without ACK it cannot name a probe.
    m.kind = ReplyKind::Rst;
  } else {
    return Reject::NotAReply;
  }
  // A SYN occupies one sequence number: the answer acks seq + 1.
  const auto index = index_from_seq(run, tcp->ack - 1u);
  if (!index) return Reject::WrongNonce;
  m.probe_index = *index;
  m.flow = *flow;
  m.responder = outer.src;
  m.reply_ttl = outer.ttl;
  return m;
}

}  // namespace

std::string_view to_string(ReplyKind kind) {
  switch (kind) {
    case ReplyKind::TimeExceeded: return "time-exceeded";
    case ReplyKind::DestUnreachable: return "dest-unreachable";
    case ReplyKind::SynAck: return "syn-ack";
    case ReplyKind::Rst: return "rst";
  }
  return "?";
}

std::string_view to_string(Reject reason) {
  switch (reason) {
    case Reject::Truncated: return "truncated";
    case Reject::Malformed: return "malformed";
    case Reject::NotForUs: return "not-for-us";
    case Reject::NotAReply: return "not-a-reply";
    case Reject::ForeignFlow: return "foreign-flow";
    case Reject::WrongNonce: return "wrong-nonce";
    case Reject::IdMismatch: return "id-mismatch";
  }
  return "?";
}

std::variant<Match, Reject> classify_reply(std::span<const std::uint8_t> ip, const RunIdentity& run) {
  auto outer_or = first_fragment(ip);
  if (auto* r = std::get_if<Reject>(&outer_or)) return *r;
  const Ipv4Header& outer = std::get<Ipv4Header>(outer_or);
  if (outer.dst != run.source) return Reject::NotForUs;
  if (outer.protocol == kIpProtoIcmp) return classify_icmp(outer, run);
  if (outer.protocol == kIpProtoTcp) return classify_tcp(outer, run);
  return Reject::ForeignFlow;
}

std::optional<Match> match_reply(std::span<const std::uint8_t> ip, const RunIdentity& run) {
  auto r = classify_reply(ip, run);
  if (auto* m = std::get_if<Match>(&r)) return std::move(*m);
  return std::nullopt;
}

std::variant<SentProbe, Reject> classify_sent(std::span<const std::uint8_t> ip, const RunIdentity& run) {
  auto v_or = first_fragment(ip);
  if (auto* r = std::get_if<Reject>(&v_or)) return *r;
  const Ipv4Header& v = std::get<Ipv4Header>(v_or);
  if (v.protocol != kIpProtoTcp || v.src != run.source || v.dst != run.target) return Reject::ForeignFlow;
  const auto tcp = decode_tcp(v.payload);
  if (!tcp || !tcp->complete()) return Reject::Truncated;
  const auto flow = flow_of_port(run, tcp->ports.src);
  if (!flow || tcp->ports.dst != run.target_port) return Reject::ForeignFlow;
  if ((tcp->flags & (kTcpSyn | kTcpAck | kTcpRst)) != kTcpSyn) return Reject::NotAReply;
  const auto index = index_from_seq(run, tcp->seq);
  if (!index) return Reject::WrongNonce;
  const auto ttl = ttl_from_ip_id(v.id, *index);
  if (!ttl || *ttl != v.ttl) return Reject::IdMismatch;
  return SentProbe{*index, *flow, v.ttl};
}

std::optional<SentProbe> match_sent(std::span<const std::uint8_t> ip, const RunIdentity& run) {
  auto r = classify_sent(ip, run);
  if (auto* s = std::get_if<SentProbe>(&r)) return *s;
  return std::nullopt;
}

std::optional<std::span<const std::uint8_t>> network_layer(int dlt, std::span<const std::uint8_t> frame) {
  // libpcap's DLT numbers equal the file's LINKTYPE numbers except raw IP.
  constexpr int kDltRaw = 12, kDltRawBsd = 14;
  const std::uint32_t link_type = dlt == kDltRaw || dlt == kDltRawBsd ? kLinkRaw : static_cast<std::uint32_t>(dlt);
  const auto link = decode_link(link_type, frame);
  const auto* l = std::get_if<LinkLayer>(&link);
  if (!l || l->ethertype != kEtherTypeIpv4) return std::nullopt;
  if (!l->payload.empty() && (l->payload[0] >> 4) != 4) return std::nullopt;  // not an IPv4 header
  return l->payload;
}

}  // namespace hairpin::probes
