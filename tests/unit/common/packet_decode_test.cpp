// The one packet decoder: tables of captured bytes and the values they decode to.
// The frames are spelled out byte by byte (no encoder of ours builds them), so a
// decoder that misreads an offset fails here.

#include "hairpin/common/packet_decode.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hairpin {
namespace {

// 10.100.0.4 -> 10.200.0.4, TCP, id 0x0100, TTL 64, total length 40: a SYN probe.
const Bytes kIpTcp = {
    0x45, 0x00, 0x00, 0x28, 0x01, 0x00, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00,  // ver/ihl .. checksum
    0x0a, 0x64, 0x00, 0x04, 0x0a, 0xc8, 0x00, 0x04,                          // src, dst
    0x9c, 0x40, 0x00, 0x16,                                                  // ports 40000 -> 22
    0xbe, 0xef, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,                          // seq, ack
    0x50, 0x02, 0xfa, 0xf0, 0x00, 0x00, 0x00, 0x00};                         // off 5, SYN
const Bytes kMacs = {0x02, 0x00, 0x0a, 0x00, 0x00, 0x04, 0x02, 0x00, 0x0a, 0x64, 0x00, 0x04};

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
Bytes first(const Bytes& b, std::size_t n) { return Bytes(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(n)); }

struct LinkRow {
  std::string name;
  std::uint32_t link_type;
  Bytes frame;
  int vlan_tags;
  std::optional<std::uint16_t> cooked_type;
  bool has_dst_mac;
};

TEST(PacketDecode, LinkLayers_ReachTheSameIpv4Header) {
  const Bytes vlan = {0x81, 0x00, 0x00, 0x64};        // 802.1Q, VLAN 100
  const Bytes s_tag = {0x88, 0xa8, 0x00, 0xc8};       // 802.1ad S-tag, VLAN 200
  const Bytes legacy_tag = {0x91, 0x00, 0x01, 0x2c};  // pre-standard QinQ
  const Bytes ipv4 = {0x08, 0x00};
  // SLL: pkttype 4 (outgoing), ARPHRD_ETHER, 6-byte address, padded to 8, protocol.
  const Bytes sll = {0x00, 0x04, 0x00, 0x01, 0x00, 0x06, 0x02, 0x00, 0x0a, 0x64, 0x00, 0x04, 0x00, 0x00, 0x08, 0x00};
  // SLL2: protocol, reserved, ifindex 2, ARPHRD_ETHER, pkttype 0, address length 6, address.
  const Bytes sll2 = {0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 0x00, 0x06,
                      0x02, 0x00, 0x0a, 0x64, 0x00, 0x04, 0x00, 0x00};
  const std::vector<LinkRow> rows = {
      {"ethernet", kLinkEthernet, cat({kMacs, ipv4, kIpTcp}), 0, std::nullopt, true},
      {"one vlan", kLinkEthernet, cat({kMacs, vlan, ipv4, kIpTcp}), 1, std::nullopt, true},
      {"qinq", kLinkEthernet, cat({kMacs, s_tag, vlan, ipv4, kIpTcp}), 2, std::nullopt, true},
      {"legacy qinq, three deep", kLinkEthernet, cat({kMacs, legacy_tag, s_tag, vlan, ipv4, kIpTcp}), 3,
       std::nullopt, true},
      {"sll", kLinkLinuxSll, cat({sll, kIpTcp}), 0, 4, false},
      {"sll with a vlan tag", kLinkLinuxSll, cat({first(sll, 14), vlan, ipv4, kIpTcp}), 1, 4, false},
      {"sll2", kLinkLinuxSll2, cat({sll2, kIpTcp}), 0, 0, false},
      {"raw", kLinkRaw, kIpTcp, 0, std::nullopt, false},
      {"ipv4", kLinkIpv4, kIpTcp, 0, std::nullopt, false},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    const auto link_or = decode_link(row.link_type, row.frame);
    ASSERT_TRUE(std::holds_alternative<LinkLayer>(link_or));
    const auto& link = std::get<LinkLayer>(link_or);
    EXPECT_EQ(link.ethertype, kEtherTypeIpv4);
    EXPECT_EQ(link.vlan_tags, row.vlan_tags);
    EXPECT_EQ(link.cooked_type, row.cooked_type);
    EXPECT_EQ(link.dst_mac.has_value(), row.has_dst_mac);
    if (row.link_type != kLinkRaw && row.link_type != kLinkIpv4) {
      ASSERT_TRUE(link.src_mac.has_value());
      EXPECT_EQ(*link.src_mac, (MacAddress{0x02, 0x00, 0x0a, 0x64, 0x00, 0x04}));
    }
    EXPECT_EQ(Bytes(link.payload.begin(), link.payload.end()), kIpTcp);
  }
}

TEST(PacketDecode, Ipv4AndTcp_FieldsAtTheirOffsets) {
  const auto ip_or = decode_ipv4(kIpTcp);
  ASSERT_TRUE(std::holds_alternative<Ipv4Header>(ip_or));
  const auto& ip = std::get<Ipv4Header>(ip_or);
  EXPECT_EQ(ip.header_length, 20);
  EXPECT_EQ(ip.total_length, 40);
  EXPECT_EQ(ip.id, 0x0100);
  EXPECT_TRUE(ip.dont_fragment);
  EXPECT_FALSE(ip.more_fragments);
  EXPECT_EQ(ip.ttl, 64);
  EXPECT_EQ(ip.protocol, kIpProtoTcp);
  EXPECT_EQ(ip.src.to_string(), "10.100.0.4");
  EXPECT_EQ(ip.dst.to_string(), "10.200.0.4");
  EXPECT_FALSE(ip.cut_short);
  EXPECT_TRUE(ip.options.empty());
  const Transport t = decode_transport(ip);
  ASSERT_TRUE(t.tcp.has_value());
  EXPECT_TRUE(t.tcp->complete());
  EXPECT_EQ(t.tcp->ports.src, 40000);
  EXPECT_EQ(t.tcp->ports.dst, 22);
  EXPECT_EQ(t.tcp->seq, 0xbeef0000u);
  EXPECT_EQ(t.tcp->flags, kTcpSyn);
  EXPECT_EQ(t.tcp->data_offset, 20);
  EXPECT_FALSE(t.tcp->mss.has_value());
  EXPECT_FALSE(t.icmp.has_value());
}

TEST(PacketDecode, Ipv4Options_PayloadStartsAfterIhl) {
  // IHL 6: one 4-byte option (NOP, NOP, NOP, EOL) before the TCP header; total 44.
  Bytes b = first(kIpTcp, 20);
  b[0] = 0x46;
  b[3] = 44;
  b = cat({b, {0x01, 0x01, 0x01, 0x00}, Bytes(kIpTcp.begin() + 20, kIpTcp.end())});
  const auto ip = std::get<Ipv4Header>(decode_ipv4(b));
  EXPECT_EQ(ip.header_length, 24);
  EXPECT_EQ(Bytes(ip.options.begin(), ip.options.end()), (Bytes{0x01, 0x01, 0x01, 0x00}));
  const auto t = decode_transport(ip);
  ASSERT_TRUE(t.tcp.has_value());
  EXPECT_EQ(t.tcp->ports.src, 40000);
  EXPECT_EQ(t.tcp->seq, 0xbeef0000u);
}

TEST(PacketDecode, TcpMssOption_IsRead) {
  // Data offset 6: MSS 1460 (kind 2, length 4).
  Bytes b = cat({kIpTcp, {0x02, 0x04, 0x05, 0xb4}});
  b[3] = 44;
  b[32] = 0x60;
  const auto t = decode_transport(std::get<Ipv4Header>(decode_ipv4(b)));
  ASSERT_TRUE(t.tcp && t.tcp->mss);
  EXPECT_EQ(*t.tcp->mss, 1460);
}

TEST(PacketDecode, Fragments_OnlyOffsetZeroHasATransportHeader) {
  struct Row {
    std::uint8_t flags_hi, offset_lo;
    bool more, has_transport;
  } rows[] = {
      {0x20, 0x00, true, true},    // first fragment, MF set: ports are there
      {0x20, 0xb9, true, false},   // offset 185 (1480 bytes): RFC 791, no transport header
      {0x00, 0x01, false, false},  // last fragment at offset 1 (8 bytes)
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(int(row.offset_lo));
    Bytes b = kIpTcp;
    b[6] = row.flags_hi;
    b[7] = row.offset_lo;
    const auto ip = std::get<Ipv4Header>(decode_ipv4(b));
    EXPECT_EQ(ip.more_fragments, row.more);
    EXPECT_EQ(ip.has_transport(), row.has_transport);
    const auto t = decode_transport(ip);
    EXPECT_EQ(t.tcp.has_value(), row.has_transport);
    EXPECT_EQ(t.ports.has_value(), row.has_transport);
  }
}

TEST(PacketDecode, Truncated_AtEachLayer) {
  const Bytes vlan_frame = cat({kMacs, {0x81, 0x00, 0x00, 0x64, 0x08, 0x00}, kIpTcp});
  struct Row {
    std::string name;
    std::uint32_t link_type;
    Bytes frame;
  } link_rows[] = {
      {"ethernet header", kLinkEthernet, first(cat({kMacs, {0x08, 0x00}}), 13)},  // one byte of the EtherType
      {"inside the vlan tag", kLinkEthernet, first(vlan_frame, 17)},
      {"sll header", kLinkLinuxSll, Bytes(15, 0)},
      {"sll2 header", kLinkLinuxSll2, Bytes(19, 0)},
      {"raw, empty", kLinkRaw, {}},
  };
  for (const auto& row : link_rows) {
    SCOPED_TRACE(row.name);
    const auto link = decode_link(row.link_type, row.frame);
    ASSERT_TRUE(std::holds_alternative<DecodeError>(link));
    EXPECT_EQ(std::get<DecodeError>(link), DecodeError::Truncated);
  }
  // The IPv4 header cut: fewer than 20 bytes, or fewer than IHL says.
  EXPECT_EQ(std::get<DecodeError>(decode_ipv4(first(kIpTcp, 19))), DecodeError::Truncated);
  Bytes with_options = kIpTcp;
  with_options[0] = 0x46;
  EXPECT_EQ(std::get<DecodeError>(decode_ipv4(first(with_options, 22))), DecodeError::Truncated);
  // Cut inside TCP: the IPv4 header decodes, says it was cut, and TCP reports how far it got.
  const Bytes cut_in_tcp = first(kIpTcp, 30);  // kept: the header views these bytes
  const auto ip = std::get<Ipv4Header>(decode_ipv4(cut_in_tcp));
  EXPECT_TRUE(ip.cut_short);
  const auto t = decode_transport(ip);
  ASSERT_TRUE(t.tcp.has_value());
  EXPECT_TRUE(t.tcp->has_seq());
  EXPECT_FALSE(t.tcp->has_flags());
  EXPECT_FALSE(t.tcp->complete());
  EXPECT_FALSE(decode_tcp(ByteView(kIpTcp).subspan(20, 3)).has_value());  // not even the ports
  EXPECT_EQ(std::get<DecodeError>(decode_icmp(Bytes(7, 0))), DecodeError::Truncated);
}

TEST(PacketDecode, Malformed_AndUnknown) {
  Bytes v6 = kIpTcp;
  v6[0] = 0x65;
  EXPECT_EQ(std::get<DecodeError>(decode_ipv4(v6)), DecodeError::Malformed);  // version 6
  Bytes ihl4 = kIpTcp;
  ihl4[0] = 0x44;
  EXPECT_EQ(std::get<DecodeError>(decode_ipv4(ihl4)), DecodeError::Malformed);  // IHL < 5
  Bytes short_total = kIpTcp;
  short_total[3] = 19;
  EXPECT_EQ(std::get<DecodeError>(decode_ipv4(short_total)), DecodeError::Malformed);  // total < IHL
  EXPECT_EQ(std::get<DecodeError>(decode_link(9999, kIpTcp)), DecodeError::UnknownLink);
  // More tags than kMaxVlanTags: refused, not walked.
  Bytes deep = kMacs;
  for (int i = 0; i <= kMaxVlanTags; ++i) deep = cat({deep, {0x81, 0x00, 0x00, 0x01}});
  deep = cat({deep, {0x08, 0x00}, kIpTcp});
  EXPECT_EQ(std::get<DecodeError>(decode_link(kLinkEthernet, deep)), DecodeError::Malformed);
  // Positive control: exactly kMaxVlanTags is walked.
  Bytes max = kMacs;
  for (int i = 0; i < kMaxVlanTags; ++i) max = cat({max, {0x81, 0x00, 0x00, 0x01}});
  max = cat({max, {0x08, 0x00}, kIpTcp});
  ASSERT_TRUE(std::holds_alternative<LinkLayer>(decode_link(kLinkEthernet, max)));
  EXPECT_EQ(std::get<LinkLayer>(decode_link(kLinkEthernet, max)).vlan_tags, kMaxVlanTags);
}

TEST(PacketDecode, EthernetPadding_IsNotPayload) {
  // A 40-byte packet padded to Ethernet's 46-byte minimum payload.
  const Bytes padded = cat({kIpTcp, Bytes(6, 0)});
  const auto ip = std::get<Ipv4Header>(decode_ipv4(padded));
  EXPECT_EQ(ip.payload.size(), 20u);
  EXPECT_FALSE(ip.cut_short);
}

TEST(PacketDecode, IcmpTimeExceeded_QuotesOurIpv4AndTcp) {
  // From 10.0.0.4 to 10.100.0.4: type 11 code 0, RFC 4884 length 7 words (28 bytes:
  // the quoted IPv4 header and 8 bytes of TCP), then an extension structure.
  const Bytes outer = {0x45, 0xc0, 0x00, 0x44, 0x12, 0x34, 0x00, 0x00, 0x40, 0x01, 0x00, 0x00,
                       0x0a, 0x00, 0x00, 0x04, 0x0a, 0x64, 0x00, 0x04};
  const Bytes icmp_header = {0x0b, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00};
  Bytes quoted = first(kIpTcp, 28);
  quoted[8] = 1;  // the probe's TTL when the router quoted it
  // RFC 4884 7: version 2 header, then one RFC 4950 MPLS object (label 16, S, TTL 1).
  const Bytes extensions = {0x20, 0x00, 0x00, 0x00, 0x00, 0x08, 0x01, 0x01, 0x00, 0x01, 0x01, 0x01};
  const Bytes packet = cat({outer, icmp_header, quoted, extensions});
  ASSERT_EQ(packet.size(), 0x44u);

  const auto ip = std::get<Ipv4Header>(decode_ipv4(packet));
  EXPECT_EQ(ip.protocol, kIpProtoIcmp);
  EXPECT_EQ(ip.src.to_string(), "10.0.0.4");
  const auto t = decode_transport(ip);
  ASSERT_TRUE(t.icmp.has_value());
  EXPECT_EQ(t.icmp->type, kIcmpTimeExceeded);
  EXPECT_EQ(t.icmp->code, 0);
  EXPECT_EQ(t.icmp->original_words, 7);
  EXPECT_FALSE(t.ports.has_value());

  const IcmpQuote q = split_icmp_quote(*t.icmp);
  EXPECT_EQ(Bytes(q.datagram.begin(), q.datagram.end()), quoted);
  EXPECT_EQ(Bytes(q.extensions.begin(), q.extensions.end()), extensions);
  const auto inner = std::get<Ipv4Header>(decode_ipv4(q.datagram));
  EXPECT_TRUE(inner.cut_short);  // a quote is cut by design
  EXPECT_EQ(inner.ttl, 1);
  EXPECT_EQ(inner.id, 0x0100);
  EXPECT_EQ(inner.dst.to_string(), "10.200.0.4");
  const auto tcp = decode_tcp(inner.payload);
  ASSERT_TRUE(tcp.has_value());
  EXPECT_TRUE(tcp->has_seq());
  EXPECT_FALSE(tcp->has_flags());
  EXPECT_EQ(tcp->ports.src, 40000);
  EXPECT_EQ(tcp->seq, 0xbeef0000u);
}

TEST(PacketDecode, IcmpWithoutRfc4884Length_QuotesEverything) {
  // Classic RFC 792 message (length byte 0), and an echo reply whose byte 5 is part
  // of its identifier, not a length.
  Bytes unreachable = {0x03, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  unreachable = cat({unreachable, first(kIpTcp, 28)});
  const auto m = std::get<IcmpMessage>(decode_icmp(unreachable));
  const auto q = split_icmp_quote(m);
  EXPECT_EQ(q.datagram.size(), 28u);
  EXPECT_TRUE(q.extensions.empty());
  const Bytes echo = {0x00, 0x00, 0x00, 0x00, 0x12, 0x07, 0x00, 0x2a, 0xaa, 0xbb, 0xcc, 0xdd};
  const auto e = std::get<IcmpMessage>(decode_icmp(echo));
  EXPECT_EQ(e.id, 0x1207);
  EXPECT_EQ(e.seq, 42);
  EXPECT_EQ(e.original_words, 0);
  EXPECT_EQ(split_icmp_quote(e).datagram.size(), 4u);
}

}  // namespace
}  // namespace hairpin
