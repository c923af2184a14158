// Frame decoding for the NVA analysis (see pcap_packet.hpp): common's packet
// decoder walks the headers (the same walk the live trace matcher uses); this file
// only maps its values onto the analysis' DecodedPacket and decodes ARP.

#include "hairpin/probes/pcap_packet.hpp"

#include <algorithm>
#include <cstdio>

namespace hairpin::probes {

namespace {

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

PacketKind kind_of(DecodeError e) {
  switch (e) {
    case DecodeError::Truncated: return PacketKind::Truncated;
    case DecodeError::Malformed: return PacketKind::Malformed;
    case DecodeError::UnknownLink: return PacketKind::UnknownLink;
  }
  return PacketKind::Malformed;
}

void decode_arp(ByteView b, DecodedPacket& p) {
  // RFC 826 for Ethernet/IPv4: htype 1, ptype 0x0800, hlen 6, plen 4.
  if (b.size() < 28) { p.kind = PacketKind::Truncated; return; }
  if (load_be16(b, 0) != 1 || load_be16(b, 2) != kEtherTypeIpv4 || b[4] != 6 || b[5] != 4) {
    p.kind = PacketKind::OtherNetwork;
    return;
  }
  p.kind = PacketKind::Arp;
  std::copy_n(b.begin() + 8, 6, p.arp_sender_mac.begin());
  p.arp_sender_ip = Ipv4Address{load_be32(b, 14)};
}

void decode_ipv4_packet(ByteView b, DecodedPacket& p) {
  const auto ip_or = decode_ipv4(b);
  if (const auto* e = std::get_if<DecodeError>(&ip_or)) {
    // Version 6 behind an IPv4 link type (LINKTYPE_IPV4 carrying IPv6) is still IPv6.
    p.kind = *e == DecodeError::Malformed && (b[0] >> 4) == 6 ? PacketKind::Ipv6 : kind_of(*e);
    return;
  }
  const Ipv4Header& ip = std::get<Ipv4Header>(ip_or);
  p.kind = PacketKind::Ipv4;
  p.tos = ip.tos;
  p.ip_id = ip.id;
  p.fragment = !ip.has_transport();
  p.ttl = ip.ttl;
  p.protocol = ip.protocol;
  p.src = ip.src;
  p.dst = ip.dst;
  p.snaplen_cut = ip.cut_short;
  const Transport t = decode_transport(ip);
  if (t.ports) {
    p.has_ports = true;
    p.sport = t.ports->src;
    p.dport = t.ports->dst;
  }
  if (t.tcp && t.tcp->has_flags()) {
    p.has_tcp = true;
    p.seq = t.tcp->seq;
    p.ack = t.tcp->ack;
    p.tcp_flags = t.tcp->flags;
    p.mss = t.tcp->mss;
  }
  if (t.icmp) {
    p.has_icmp = true;
    p.icmp_type = t.icmp->type;
    p.icmp_code = t.icmp->code;
    p.icmp_id = t.icmp->id;
    p.icmp_seq = t.icmp->seq;
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
  const auto link_or = decode_link(frame.link_type, ByteView(frame.bytes));
  if (const auto* e = std::get_if<DecodeError>(&link_or)) {
    p.kind = kind_of(*e);
    return p;
  }
  const LinkLayer& link = std::get<LinkLayer>(link_or);
  p.src_mac = link.src_mac;
  p.dst_mac = link.dst_mac;
  p.vlan_tags = link.vlan_tags;
  if (link.cooked_type) p.cooked = cooked_direction(*link.cooked_type);
  switch (link.ethertype) {
    case kEtherTypeIpv4: decode_ipv4_packet(link.payload, p); break;
    case kEtherTypeIpv6: p.kind = PacketKind::Ipv6; break;
    case kEtherTypeArp: decode_arp(link.payload, p); break;
    default: p.kind = PacketKind::OtherNetwork; break;
  }
  return p;
}

}  // namespace hairpin::probes
