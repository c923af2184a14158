#pragma once
// One captured frame decoded into the fields the NVA analysis needs.
//
// In:  a PcapFrame (pcap_file.hpp): link type and bytes.
// Out: a DecodedPacket: link-layer facts (MACs, 802.1Q tags, the Linux cooked
//      capture's packet direction), the IPv4 header fields, the transport fields
//      that identify a packet (TCP seq/ack/flags/MSS, UDP ports, ICMP id/seq), or
//      the reason it could not be analysed (IPv6, ARP, another link type, cut by
//      the snaplen, malformed). ARP is decoded enough to learn who owns an address.
// Pure. Called by pcap_analysis for every frame.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hairpin/probes/pcap_file.hpp"
#include "hairpin/probes/probe_identity.hpp"

namespace hairpin::probes {

using Mac = hairpin::MacAddress;
std::string to_string(const Mac& mac);
std::optional<Mac> parse_mac(const std::string& text);

enum class PacketKind {
  Ipv4,          // analysed
  Ipv6,          // counted, not analysed (the hairpin is IPv4)
  Arp,           // used to learn MACs
  OtherNetwork,  // another ethertype / cooked protocol
  UnknownLink,   // a link type this analysis does not decode
  Truncated,     // cut (snaplen or damage) before the headers we need
  Malformed,     // headers that contradict themselves
};
std::string_view to_string(PacketKind kind);

// Linux cooked capture (SLL/SLL2) packet type: which way the frame went.
enum class CookedDirection { None, ToHost, Broadcast, Multicast, OtherHost, Outgoing };

struct DecodedPacket {
  PacketKind kind = PacketKind::Malformed;
  std::int64_t ts_ns = 0;
  // Link layer.
  std::optional<Mac> src_mac, dst_mac;  // dst_mac absent in cooked captures
  int vlan_tags = 0;
  CookedDirection cooked = CookedDirection::None;
  // IPv4.
  Ipv4Address src, dst;
  std::uint8_t ttl = 0, tos = 0, protocol = 0;
  std::uint16_t ip_id = 0;
  bool fragment = false;  // not the first fragment: no transport header
  // Transport (present when captured).
  bool has_ports = false;
  std::uint16_t sport = 0, dport = 0;
  bool has_tcp = false;
  std::uint32_t seq = 0, ack = 0;
  std::uint8_t tcp_flags = 0;
  std::optional<std::uint16_t> mss;
  bool has_icmp = false;
  std::uint8_t icmp_type = 0, icmp_code = 0;
  std::uint16_t icmp_id = 0, icmp_seq = 0;
  bool snaplen_cut = false;  // captured fewer bytes than the IP total length says
  // ARP (kind == Arp): sender's protocol and hardware address.
  Ipv4Address arp_sender_ip;
  Mac arp_sender_mac{};
};

DecodedPacket decode_frame(const PcapFrame& frame);

}  // namespace hairpin::probes
