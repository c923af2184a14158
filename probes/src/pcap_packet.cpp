// Frame decoding for the NVA analysis (see pcap_packet.hpp). Every read is bounds-
// checked against the captured bytes; a field past the capture is simply absent.

#include "hairpin/probes/pcap_packet.hpp"

#include <cstdio>

namespace hairpin::probes {

namespace {

using Bytes = std::span<const std::uint8_t>;

constexpr std::uint16_t kEtherIpv4 = 0x0800, kEtherArp = 0x0806, kEtherIpv6 = 0x86dd;
constexpr std::uint16_t kEtherVlan = 0x8100, kEtherQinQ = 0x88a8;
constexpr std::uint8_t kProtoIcmp = 1, kProtoTcp = 6, kProtoUdp = 17;

std::uint16_t be16(Bytes b, std::size_t at) { return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]); }
std::uint32_t be32(Bytes b, std::size_t at) {
  return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) | (std::uint32_t{b[at + 2]} << 8) | b[at + 3];
}
Mac mac_at(Bytes b, std::size_t at) {
  Mac m{};
  for (std::size_t i = 0; i < 6; ++i) m[i] = b[at + i];
  return m;
}

CookedDirection cooked_direction(unsigned pkttype) {
  switch (pkttype) {
    case 0: return CookedDirection::ToHost;
    case 1: return CookedDirection::Broadcast;
    case 2: return CookedDirection::Multicast;
    case 3: return CookedDirection::OtherHost;
    case 4: return CookedDirection::Outgoing;
    default: return CookedDirection::None;
  }
}

// TCP options (RFC 9293 3.1): the MSS option (kind 2, length 4), if captured.
std::optional<std::uint16_t> tcp_mss(Bytes options) {
  std::size_t at = 0;
  while (at < options.size()) {
    const std::uint8_t kind = options[at];
    if (kind == 0) break;         // end of option list
    if (kind == 1) { ++at; continue; }  // no-operation
    if (at + 1 >= options.size()) break;
    const std::uint8_t len = options[at + 1];
    if (len < 2 || at + len > options.size()) break;
    if (kind == 2 && len == 4) return be16(options, at + 2);
    at += len;
  }
  return std::nullopt;
}

void decode_arp(Bytes b, DecodedPacket& p) {
  // RFC 826 for Ethernet/IPv4: htype 1, ptype 0x0800, hlen 6, plen 4.
  if (b.size() < 28) { p.kind = PacketKind::Truncated; return; }
  if (be16(b, 0) != 1 || be16(b, 2) != kEtherIpv4 || b[4] != 6 || b[5] != 4) {
    p.kind = PacketKind::OtherNetwork;
    return;
  }
  p.kind = PacketKind::Arp;
  p.arp_sender_mac = mac_at(b, 8);
  p.arp_sender_ip = Ipv4Address{be32(b, 14)};
}

void decode_ipv4(Bytes b, DecodedPacket& p) {
  if (b.size() < 20) { p.kind = PacketKind::Truncated; return; }
  if ((b[0] >> 4) != 4) { p.kind = (b[0] >> 4) == 6 ? PacketKind::Ipv6 : PacketKind::Malformed; return; }
  const std::size_t ihl = std::size_t{b[0] & 0x0fu} * 4;
  const std::size_t total = be16(b, 2);
  if (ihl < 20 || total < ihl) { p.kind = PacketKind::Malformed; return; }
  if (b.size() < ihl) { p.kind = PacketKind::Truncated; return; }
  p.kind = PacketKind::Ipv4;
  p.tos = b[1];
  p.ip_id = be16(b, 4);
  p.fragment = (be16(b, 6) & 0x1fffu) != 0;  // RFC 791: only offset 0 has the transport header
  p.ttl = b[8];
  p.protocol = b[9];
  p.src = Ipv4Address{be32(b, 12)};
  p.dst = Ipv4Address{be32(b, 16)};
  p.snaplen_cut = b.size() < total;
  const Bytes l4 = b.subspan(ihl, std::min(b.size(), total) - ihl);  // drops Ethernet padding
  if (p.fragment) return;
  if ((p.protocol == kProtoTcp || p.protocol == kProtoUdp) && l4.size() >= 4) {
    p.has_ports = true;
    p.sport = be16(l4, 0);
    p.dport = be16(l4, 2);
  }
  if (p.protocol == kProtoTcp && l4.size() >= 14) {
    p.has_tcp = true;
    p.seq = be32(l4, 4);
    p.ack = be32(l4, 8);
    p.tcp_flags = l4[13];
    const std::size_t doff = static_cast<std::size_t>(l4[12] >> 4) * 4;
    if (doff > 20 && l4.size() > 20) p.mss = tcp_mss(l4.subspan(20, std::min(doff, l4.size()) - 20));
  }
  if (p.protocol == kProtoIcmp && l4.size() >= 8) {
    p.has_icmp = true;
    p.icmp_type = l4[0];
    p.icmp_code = l4[1];
    p.icmp_id = be16(l4, 4);
    p.icmp_seq = be16(l4, 6);
  }
}

void decode_network(std::uint16_t ethertype, Bytes b, DecodedPacket& p) {
  switch (ethertype) {
    case kEtherIpv4: decode_ipv4(b, p); return;
    case kEtherIpv6: p.kind = PacketKind::Ipv6; return;
    case kEtherArp: decode_arp(b, p); return;
    default: p.kind = PacketKind::OtherNetwork; return;
  }
}

}  // namespace

std::string to_string(const Mac& mac) {
  char s[18];
  std::snprintf(s, sizeof s, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
  return s;
}

std::optional<Mac> parse_mac(const std::string& text) {
  Mac m{};
  unsigned v[6];
  char tail = 0;
  if (std::sscanf(text.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6 ||
      text.size() != 17) {
    return std::nullopt;
  }
  for (int i = 0; i < 6; ++i) m[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v[i]);
  return m;
}

std::string_view to_string(PacketKind kind) {
  switch (kind) {
    case PacketKind::Ipv4: return "ipv4";
    case PacketKind::Ipv6: return "ipv6";
    case PacketKind::Arp: return "arp";
    case PacketKind::OtherNetwork: return "other-network";
    case PacketKind::UnknownLink: return "unknown-link-type";
    case PacketKind::Truncated: return "truncated";
    case PacketKind::Malformed: return "malformed";
  }
  return "?";
}

DecodedPacket decode_frame(const PcapFrame& frame) {
  DecodedPacket p;
  p.ts_ns = frame.ts_ns;
  const Bytes b(frame.bytes);
  switch (frame.link_type) {
    case kLinkEthernet: {
      if (b.size() < 14) { p.kind = PacketKind::Truncated; return p; }
      p.dst_mac = mac_at(b, 0);
      p.src_mac = mac_at(b, 6);
      std::size_t at = 12;
      std::uint16_t type = be16(b, at);
      while (type == kEtherVlan || type == kEtherQinQ) {  // IEEE 802.1Q / 802.1ad, any depth
        if (b.size() < at + 6) { p.kind = PacketKind::Truncated; return p; }
        ++p.vlan_tags;
        at += 4;
        type = be16(b, at);
      }
      decode_network(type, b.subspan(at + 2), p);
      return p;
    }
    case kLinkLinuxSll: {  // 16 bytes: pkttype, arphrd, addr len, addr[8], protocol
      if (b.size() < 16) { p.kind = PacketKind::Truncated; return p; }
      p.cooked = cooked_direction(be16(b, 0));
      if (be16(b, 2) == 1 && be16(b, 4) == 6) p.src_mac = mac_at(b, 6);
      decode_network(be16(b, 14), b.subspan(16), p);
      return p;
    }
    case kLinkLinuxSll2: {  // 20 bytes: protocol, reserved, ifindex, arphrd, pkttype, addr len, addr[8]
      if (b.size() < 20) { p.kind = PacketKind::Truncated; return p; }
      p.cooked = cooked_direction(b[10]);
      if (be16(b, 8) == 1 && b[11] == 6) p.src_mac = mac_at(b, 12);
      decode_network(be16(b, 0), b.subspan(20), p);
      return p;
    }
    case kLinkRaw:
    case kLinkIpv4:
      decode_ipv4(b, p);
      return p;
    default:
      p.kind = PacketKind::UnknownLink;
      return p;
  }
}

}  // namespace hairpin::probes
