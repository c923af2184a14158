// Header decoding over captured bytes (see packet_decode.hpp). Each layer checks
// its own length before it reads; nothing trusts a length field it has not checked.

#include "hairpin/common/packet_decode.hpp"

#include <algorithm>

namespace hairpin {

namespace {

MacAddress mac_at(ByteView b, std::size_t at) {
  MacAddress m{};
  std::copy_n(b.begin() + static_cast<std::ptrdiff_t>(at), 6, m.begin());
  return m;
}

bool is_vlan_tpid(std::uint16_t type) {
  return type == kEtherTypeVlan || type == kEtherTypeQinQ || type == kEtherTypeQinQLegacy;
}

// `at` is the offset of an ethertype field. IEEE 802.1Q / 802.1ad: while it names a
// tag, the tag's 2-byte TCI follows and then the next ethertype. The payload starts
// after the last ethertype.
std::variant<LinkLayer, DecodeError> walk_ethertypes(ByteView b, std::size_t at, LinkLayer link) {
  std::uint16_t type = load_be16(b, at);
  while (is_vlan_tpid(type)) {
    if (link.vlan_tags == kMaxVlanTags) return DecodeError::Malformed;
    if (b.size() < at + 6) return DecodeError::Truncated;
    ++link.vlan_tags;
    at += 4;
    type = load_be16(b, at);
  }
  link.ethertype = type;
  link.payload = b.subspan(at + 2);
  return link;
}

// RFC 9293 3.2: the MSS option (kind 2, length 4), if captured.
std::optional<std::uint16_t> tcp_mss(ByteView options) {
  std::size_t at = 0;
  while (at < options.size()) {
    const std::uint8_t kind = options[at];
    if (kind == 0) break;                // end of option list
    if (kind == 1) { ++at; continue; }   // no-operation
    if (at + 1 >= options.size()) break;
    const std::uint8_t len = options[at + 1];
    if (len < 2 || at + len > options.size()) break;
    if (kind == 2 && len == 4) return load_be16(options, at + 2);
    at += len;
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(DecodeError e) {
  switch (e) {
    case DecodeError::Truncated: return "truncated";
    case DecodeError::Malformed: return "malformed";
    case DecodeError::UnknownLink: return "unknown-link-type";
  }
  return "?";
}

std::variant<LinkLayer, DecodeError> decode_link(std::uint32_t link_type, ByteView b) {
  LinkLayer link;
  switch (link_type) {
    case kLinkEthernet:  // dst(6) src(6) ethertype(2)
      if (b.size() < 14) return DecodeError::Truncated;
      link.dst_mac = mac_at(b, 0);
      link.src_mac = mac_at(b, 6);
      return walk_ethertypes(b, 12, link);
    case kLinkLinuxSll:  // 16 bytes: pkttype, arphrd, addr len, addr[8], protocol
      if (b.size() < 16) return DecodeError::Truncated;
      link.cooked_type = load_be16(b, 0);
      if (load_be16(b, 2) == 1 && load_be16(b, 4) == 6) link.src_mac = mac_at(b, 6);
      // libpcap puts a VLAN tag it took from the kernel's metadata back at the
      // protocol field, as in Ethernet.
      return walk_ethertypes(b, 14, link);
    case kLinkLinuxSll2:  // 20 bytes: protocol, reserved, ifindex, arphrd, pkttype, addr len, addr[8]
      if (b.size() < 20) return DecodeError::Truncated;
      link.cooked_type = b[10];
      if (load_be16(b, 8) == 1 && b[11] == 6) link.src_mac = mac_at(b, 12);
      link.ethertype = load_be16(b, 0);
      link.payload = b.subspan(20);
      return link;
    case kLinkRaw:   // IPv4 or IPv6, told apart by the version nibble
    case kLinkIpv4:  // IPv4 only
      if (b.empty()) return DecodeError::Truncated;
      link.ethertype = link_type == kLinkRaw && (b[0] >> 4) == 6 ? kEtherTypeIpv6 : kEtherTypeIpv4;
      link.payload = b;
      return link;
    default:
      return DecodeError::UnknownLink;
  }
}

/*  RFC 791 3.1
    0                   1                   2                   3
    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   |Version|  IHL  |Type of Service|          Total Length         |
   |         Identification        |Flags|      Fragment Offset    |
   |  Time to Live |    Protocol   |         Header Checksum       |
   |                       Source Address                          |
   |                    Destination Address                        |
   |                    Options                    |    Padding    |  */
std::variant<Ipv4Header, DecodeError> decode_ipv4(ByteView b) {
  if (b.size() < 20) return DecodeError::Truncated;
  if ((b[0] >> 4) != 4) return DecodeError::Malformed;
  const std::size_t ihl = std::size_t{b[0] & 0x0fu} * 4;
  const std::size_t total = load_be16(b, 2);
  if (ihl < 20 || total < ihl) return DecodeError::Malformed;  // RFC 791: IHL >= 5 words
  if (b.size() < ihl) return DecodeError::Truncated;
  Ipv4Header h;
  h.header_length = static_cast<std::uint8_t>(ihl);
  h.tos = b[1];
  h.total_length = static_cast<std::uint16_t>(total);
  h.id = load_be16(b, 4);
  const std::uint16_t frag = load_be16(b, 6);
  h.dont_fragment = (frag & 0x4000u) != 0;
  h.more_fragments = (frag & 0x2000u) != 0;
  h.fragment_offset = frag & 0x1fffu;
  h.ttl = b[8];
  h.protocol = b[9];
  h.src = Ipv4Address{load_be32(b, 12)};
  h.dst = Ipv4Address{load_be32(b, 16)};
  h.options = b.subspan(20, ihl - 20);
  h.cut_short = b.size() < total;
  h.payload = b.subspan(ihl, std::min(b.size(), total) - ihl);  // drops Ethernet padding
  return h;
}

std::optional<PortPair> decode_ports(ByteView l4) {
  if (l4.size() < 4) return std::nullopt;
  return PortPair{load_be16(l4, 0), load_be16(l4, 2)};
}

std::optional<TcpHeader> decode_tcp(ByteView l4) {
  const auto ports = decode_ports(l4);
  if (!ports) return std::nullopt;
  TcpHeader t;
  t.ports = *ports;
  t.captured = l4.size();
  if (t.has_seq()) t.seq = load_be32(l4, 4);
  if (t.has_flags()) {
    t.ack = load_be32(l4, 8);
    t.data_offset = static_cast<std::uint8_t>((l4[12] >> 4) * 4);
    t.flags = l4[13];
  }
  if (t.data_offset > 20 && l4.size() > 20) {
    t.mss = tcp_mss(l4.subspan(20, std::min<std::size_t>(t.data_offset, l4.size()) - 20));
  }
  return t;
}

std::variant<IcmpMessage, DecodeError> decode_icmp(ByteView l4) {
  if (l4.size() < 8) return DecodeError::Truncated;
  IcmpMessage m;
  m.type = l4[0];
  m.code = l4[1];
  m.id = load_be16(l4, 4);
  m.seq = load_be16(l4, 6);
  m.original_words = m.is_error() ? l4[5] : 0;
  m.body = l4.subspan(8);
  return m;
}

IcmpQuote split_icmp_quote(const IcmpMessage& icmp) {
  IcmpQuote q{icmp.body, {}};
  // RFC 4884 5.1: a non-zero length marks where the original datagram ends and the
  // extension structure begins; a length past the message is ignored (RFC 4884 5.2:
  // treat it as a message without extensions).
  const std::size_t orig_len = std::size_t{icmp.original_words} * 4;
  if (orig_len != 0 && orig_len <= q.datagram.size()) {
    q.extensions = q.datagram.subspan(orig_len);
    q.datagram = q.datagram.first(orig_len);
  }
  return q;
}

Transport decode_transport(const Ipv4Header& ip) {
  Transport t;
  if (!ip.has_transport()) return t;  // RFC 791: a later fragment holds no transport header
  const ByteView l4 = ip.payload;
  if (ip.protocol == kIpProtoTcp || ip.protocol == kIpProtoUdp) t.ports = decode_ports(l4);
  if (ip.protocol == kIpProtoTcp) t.tcp = decode_tcp(l4);
  if (ip.protocol == kIpProtoIcmp) {
    auto icmp = decode_icmp(l4);
    if (auto* m = std::get_if<IcmpMessage>(&icmp)) t.icmp = *m;
  }
  return t;
}

}  // namespace hairpin
