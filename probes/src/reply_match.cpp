// Reply matching over raw bytes (see reply_match.hpp). Every read is bounds-checked
// against what was captured; nothing here trusts a length field it has not checked.

#include "hairpin/probes/reply_match.hpp"

namespace hairpin::probes {

namespace {

constexpr std::uint8_t kProtoIcmp = 1;
constexpr std::uint8_t kProtoTcp = 6;
constexpr std::uint8_t kIcmpDestUnreachable = 3;
constexpr std::uint8_t kIcmpTimeExceeded = 11;
constexpr std::uint8_t kTcpFin = 0x01, kTcpSyn = 0x02, kTcpRst = 0x04, kTcpAck = 0x10;

using Bytes = std::span<const std::uint8_t>;

std::uint16_t be16(Bytes b, std::size_t at) { return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]); }
std::uint32_t be32(Bytes b, std::size_t at) {
  return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) | (std::uint32_t{b[at + 2]} << 8) | b[at + 3];
}

// An IPv4 header and the payload it carries, cut to what was both sent and captured.
struct Ipv4View {
  std::uint8_t tos = 0, ttl = 0, protocol = 0;
  std::uint16_t id = 0;
  Ipv4Address src, dst;
  Bytes payload;
};

// `quoted` relaxes the total-length check: a quote is cut short by design (RFC 792:
// header + 8 bytes), so its total length describes the original, not the quote.
std::variant<Ipv4View, Reject> parse_ipv4(Bytes b, bool quoted) {
  if (b.size() < 20) return Reject::Truncated;
  if ((b[0] >> 4) != 4) return Reject::Malformed;
  const std::size_t ihl = std::size_t{b[0] & 0x0fu} * 4;
  if (ihl < 20) return Reject::Malformed;
  if (b.size() < ihl) return Reject::Truncated;
  const std::size_t total = be16(b, 2);
  if (total < ihl) return Reject::Malformed;
  // RFC 791: only the first fragment carries the transport header we match on.
  if ((be16(b, 6) & 0x1fffu) != 0) return Reject::Malformed;
  std::size_t end = b.size();
  if (!quoted) {
    if (total > b.size()) {
      // Captured short (snaplen): keep what we have; fields past it are checked below.
    } else {
      end = total;  // drop link-layer padding (Ethernet pads short frames)
    }
  } else if (total < end) {
    end = total;
  }
  Ipv4View v;
  v.tos = b[1];
  v.id = be16(b, 4);
  v.ttl = b[8];
  v.protocol = b[9];
  v.src = Ipv4Address{be32(b, 12)};
  v.dst = Ipv4Address{be32(b, 16)};
  v.payload = b.subspan(ihl, end - ihl);
  return v;
}

// RFC 4884 7 / RFC 4950: read MPLS label stack objects from an extension structure.
void parse_extensions(Bytes ext, Match& m) {
  // RFC 4884 7: 4-byte header, version 2 in the top nibble.
  if (ext.size() < 4 || (ext[0] >> 4) != 2) return;
  m.has_extensions = true;
  std::size_t at = 4;
  while (at + 4 <= ext.size()) {
    const std::size_t len = be16(ext, at);
    const std::uint8_t class_num = ext[at + 2], c_type = ext[at + 3];
    if (len < 4 || at + len > ext.size()) return;  // RFC 4884 7: malformed object ends parsing
    if (class_num == 1 && c_type == 1) {            // RFC 4950 7: MPLS Label Stack, incoming
      for (std::size_t e = at + 4; e + 4 <= at + len; e += 4) {
        const std::uint32_t w = be32(ext, e);
        m.mpls.push_back(MplsEntry{w >> 12, static_cast<std::uint8_t>((w >> 9) & 0x7u),
                                   ((w >> 8) & 0x1u) != 0, static_cast<std::uint8_t>(w & 0xffu)});
      }
    }
    at += len;
  }
}

std::variant<Match, Reject> classify_icmp(const Ipv4View& outer, const RunIdentity& run) {
  const Bytes icmp = outer.payload;
  if (icmp.size() < 8) return Reject::Truncated;
  const std::uint8_t type = icmp[0], code = icmp[1];
  Match m;
  if (type == kIcmpTimeExceeded && code == 0) {  // RFC 792: code 0 = TTL exceeded in transit
    m.kind = ReplyKind::TimeExceeded;
  } else if (type == kIcmpDestUnreachable) {
    m.kind = ReplyKind::DestUnreachable;
  } else {
    return Reject::NotAReply;
  }
  m.icmp_type = type;
  m.icmp_code = code;
  m.responder = outer.src;
  m.reply_ttl = outer.ttl;

  Bytes quote = icmp.subspan(8);
  // RFC 4884 4/5.1: byte 5 of a type 3/11 message is the length of the original
  // datagram in 32-bit words; non-zero means an extension structure may follow it.
  const std::size_t words = icmp[5];
  if (words != 0) {
    const std::size_t orig_len = words * 4;
    if (orig_len <= quote.size()) {
      parse_extensions(quote.subspan(orig_len), m);
      quote = quote.first(orig_len);
    }
  }

  auto inner_or = parse_ipv4(quote, /*quoted=*/true);
  if (auto* r = std::get_if<Reject>(&inner_or)) return *r;
  const Ipv4View& inner = std::get<Ipv4View>(inner_or);
  if (inner.protocol != kProtoTcp) return Reject::ForeignFlow;
  if (inner.src != run.source || inner.dst != run.target) return Reject::ForeignFlow;
  // RFC 792 / RFC 1812 4.3.2.3: at least 8 bytes of the transport header are quoted;
  // ports are bytes 0-3, the sequence number bytes 4-7.
  if (inner.payload.size() < 8) return Reject::Truncated;
  const std::uint16_t sport = be16(inner.payload, 0), dport = be16(inner.payload, 2);
  const auto flow = flow_of_port(run, sport);
  if (!flow || dport != run.target_port) return Reject::ForeignFlow;
  const auto index = index_from_seq(run, be32(inner.payload, 4));
  if (!index) return Reject::WrongNonce;
  const auto sent_ttl = ttl_from_ip_id(inner.id, *index);
  if (!sent_ttl) return Reject::IdMismatch;

  m.probe_index = *index;
  m.flow = *flow;
  m.sent_ttl = sent_ttl;
  m.quoted_ttl = inner.ttl;
  m.quoted_tos = inner.tos;
  m.quote_length = quote.size();
  return m;
}

std::variant<Match, Reject> classify_tcp(const Ipv4View& outer, const RunIdentity& run) {
  const Bytes tcp = outer.payload;
  if (tcp.size() < 20) return Reject::Truncated;
  if (outer.src != run.target) return Reject::ForeignFlow;
  const std::uint16_t sport = be16(tcp, 0), dport = be16(tcp, 2);
  const auto flow = flow_of_port(run, dport);
  if (sport != run.target_port || !flow) return Reject::ForeignFlow;
  const std::uint8_t flags = tcp[13];
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
  const auto index = index_from_seq(run, be32(tcp, 8) - 1u);
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
  auto outer_or = parse_ipv4(ip, /*quoted=*/false);
  if (auto* r = std::get_if<Reject>(&outer_or)) return *r;
  const Ipv4View& outer = std::get<Ipv4View>(outer_or);
  if (outer.dst != run.source) return Reject::NotForUs;
  if (outer.protocol == kProtoIcmp) return classify_icmp(outer, run);
  if (outer.protocol == kProtoTcp) return classify_tcp(outer, run);
  return Reject::ForeignFlow;
}

std::optional<Match> match_reply(std::span<const std::uint8_t> ip, const RunIdentity& run) {
  auto r = classify_reply(ip, run);
  if (auto* m = std::get_if<Match>(&r)) return std::move(*m);
  return std::nullopt;
}

std::variant<SentProbe, Reject> classify_sent(std::span<const std::uint8_t> ip, const RunIdentity& run) {
  auto v_or = parse_ipv4(ip, /*quoted=*/false);
  if (auto* r = std::get_if<Reject>(&v_or)) return *r;
  const Ipv4View& v = std::get<Ipv4View>(v_or);
  if (v.protocol != kProtoTcp || v.src != run.source || v.dst != run.target) return Reject::ForeignFlow;
  if (v.payload.size() < 20) return Reject::Truncated;
  const auto flow = flow_of_port(run, be16(v.payload, 0));
  if (!flow || be16(v.payload, 2) != run.target_port) return Reject::ForeignFlow;
  const std::uint8_t flags = v.payload[13];
  if ((flags & (kTcpSyn | kTcpAck | kTcpRst)) != kTcpSyn) return Reject::NotAReply;
  const auto index = index_from_seq(run, be32(v.payload, 4));
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
  constexpr int kDltEn10mb = 1, kDltRaw = 12, kDltRawBsd = 14, kLinktypeRaw = 101, kDltLinuxSll = 113,
                kDltIpv4 = 228, kDltLinuxSll2 = 276;
  constexpr std::uint16_t kEtherIpv4 = 0x0800, kEtherVlan = 0x8100;
  switch (dlt) {
    case kDltEn10mb: {
      if (frame.size() < 14) return std::nullopt;
      std::size_t at = 12;
      std::uint16_t type = be16(frame, at);
      if (type == kEtherVlan) {  // IEEE 802.1Q: one tag
        if (frame.size() < 18) return std::nullopt;
        at += 4;
        type = be16(frame, at);
      }
      if (type != kEtherIpv4) return std::nullopt;
      return frame.subspan(at + 2);
    }
    case kDltLinuxSll:  // 16-byte cooked header, protocol in the last two bytes
      if (frame.size() < 16 || be16(frame, 14) != kEtherIpv4) return std::nullopt;
      return frame.subspan(16);
    case kDltLinuxSll2:  // 20-byte cooked header, protocol in the first two bytes
      if (frame.size() < 20 || be16(frame, 0) != kEtherIpv4) return std::nullopt;
      return frame.subspan(20);
    case kDltRaw:
    case kDltRawBsd:
    case kLinktypeRaw:
    case kDltIpv4:
      if (frame.empty() || (frame[0] >> 4) != 4) return std::nullopt;
      return frame;
    default:
      return std::nullopt;
  }
}

}  // namespace hairpin::probes
