#pragma once
// Packet headers decoded from captured bytes: the one header walk for the live
// trace matcher (probes/reply_match) and the offline pcap analysis
// (probes/pcap_packet).
//
// In:  a pcap link type and a captured frame, or the bytes of an IPv4 packet.
// Out: plain values, one layer at a time: the link layer (Ethernet with any
//      802.1Q/802.1ad tags up to kMaxVlanTags, Linux cooked SLL/SLL2, raw IP),
//      the IPv4 header, the transport fields that were captured (TCP, UDP ports,
//      ICMP) and the datagram an ICMP error quotes. A frame the bytes do not
//      hold is a DecodeError, never a guess.
// Pure: no sockets, no clock. Every read is checked against the captured length;
// a field past the capture is reported as not captured.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>

#include "hairpin/common/byte_io.hpp"
#include "hairpin/common/ipv4.hpp"

namespace hairpin {

// pcap LINKTYPE_ values (what files carry; libpcap's DLT_RAW 12/14 map to kLinkRaw).
inline constexpr std::uint32_t kLinkEthernet = 1;
inline constexpr std::uint32_t kLinkRaw = 101;
inline constexpr std::uint32_t kLinkLinuxSll = 113;
inline constexpr std::uint32_t kLinkIpv4 = 228;
inline constexpr std::uint32_t kLinkLinuxSll2 = 276;

inline constexpr std::uint16_t kEtherTypeIpv4 = 0x0800;
inline constexpr std::uint16_t kEtherTypeArp = 0x0806;
inline constexpr std::uint16_t kEtherTypeIpv6 = 0x86dd;
// IEEE 802.1Q C-tag, 802.1ad S-tag, and the pre-standard QinQ S-tag.
inline constexpr std::uint16_t kEtherTypeVlan = 0x8100;
inline constexpr std::uint16_t kEtherTypeQinQ = 0x88a8;
inline constexpr std::uint16_t kEtherTypeQinQLegacy = 0x9100;
// More tags than any real stack uses: a frame beyond this is malformed, not walked.
inline constexpr int kMaxVlanTags = 8;

inline constexpr std::uint8_t kIpProtoIcmp = 1;
inline constexpr std::uint8_t kIpProtoTcp = 6;
inline constexpr std::uint8_t kIpProtoUdp = 17;

inline constexpr std::uint8_t kTcpFin = 0x01, kTcpSyn = 0x02, kTcpRst = 0x04, kTcpAck = 0x10;
inline constexpr std::uint8_t kIcmpDestUnreachable = 3, kIcmpTimeExceeded = 11, kIcmpParameterProblem = 12;

enum class DecodeError {
  Truncated,    // the capture ends before the header it needs
  Malformed,    // a header that contradicts itself (bad version, length, too many tags)
  UnknownLink,  // a link type this decoder does not know
};
std::string_view to_string(DecodeError e);

using MacAddress = std::array<std::uint8_t, 6>;

struct LinkLayer {
  std::optional<MacAddress> src_mac, dst_mac;  // dst absent in cooked captures
  int vlan_tags = 0;                           // 802.1Q/802.1ad tags crossed
  std::optional<std::uint16_t> cooked_type;    // SLL/SLL2 packet type (0 host .. 4 outgoing)
  std::uint16_t ethertype = 0;                 // the network protocol that follows
  ByteView payload;                            // the network-layer bytes
};
std::variant<LinkLayer, DecodeError> decode_link(std::uint32_t link_type, ByteView frame);

struct Ipv4Header {
  std::uint8_t header_length = 20;  // bytes: IHL * 4; > 20 when options are present
  std::uint8_t tos = 0;
  std::uint16_t total_length = 0;
  std::uint16_t id = 0;
  bool dont_fragment = false, more_fragments = false;
  std::uint16_t fragment_offset = 0;  // in 8-byte units
  std::uint8_t ttl = 0, protocol = 0;
  Ipv4Address src, dst;
  ByteView options;        // header bytes 20 .. header_length
  ByteView payload;        // after the header, cut at total_length (drops link padding)
  bool cut_short = false;  // captured fewer bytes than total_length says
  // RFC 791: only the fragment at offset 0 carries the transport header.
  bool has_transport() const { return fragment_offset == 0; }
};
// Also decodes the datagram an ICMP error quotes: a quote is cut by design, so
// total_length there describes the original and cut_short is expected.
std::variant<Ipv4Header, DecodeError> decode_ipv4(ByteView bytes);

// TCP and UDP both open with the two ports (RFC 9293 3.1, RFC 768).
struct PortPair {
  std::uint16_t src = 0, dst = 0;
};
std::optional<PortPair> decode_ports(ByteView l4);

// The TCP header as far as it was captured: an ICMP quote holds 8 bytes (ports
// and sequence number, RFC 792), a short snaplen may hold fewer than 20.
struct TcpHeader {
  PortPair ports;
  std::uint32_t seq = 0, ack = 0;       // 0 unless captured
  std::uint8_t data_offset = 0;         // bytes (4 * the header's data offset field)
  std::uint8_t flags = 0;
  std::optional<std::uint16_t> mss;     // RFC 9293 3.2 option kind 2, if captured
  std::size_t captured = 0;             // bytes of the segment captured
  bool has_seq() const { return captured >= 8; }
  bool has_flags() const { return captured >= 14; }
  bool complete() const { return captured >= 20; }
};
// Nothing when even the ports are not captured.
std::optional<TcpHeader> decode_tcp(ByteView l4);

struct IcmpMessage {
  std::uint8_t type = 0, code = 0;
  std::uint16_t id = 0, seq = 0;  // bytes 4-7, as echo identifier / sequence (RFC 792)
  // RFC 4884 4: byte 5 of types 3, 11 and 12 is the original datagram's length in
  // 32-bit words; 0 means no extension structure follows.
  std::uint8_t original_words = 0;
  ByteView body;  // after the 8-byte header
  bool is_error() const {
    return type == kIcmpDestUnreachable || type == kIcmpTimeExceeded || type == kIcmpParameterProblem;
  }
};
std::variant<IcmpMessage, DecodeError> decode_icmp(ByteView l4);

// What an ICMP error quotes: our datagram (IPv4 header + at least 8 bytes, RFC 792 /
// RFC 1812 4.3.2.3) and, when RFC 4884's length says so, the extension structure.
struct IcmpQuote {
  ByteView datagram;
  ByteView extensions;  // empty when none
};
IcmpQuote split_icmp_quote(const IcmpMessage& icmp);

// The transport view of one IPv4 packet: what each of TCP/UDP/ICMP captured.
struct Transport {
  std::optional<PortPair> ports;  // TCP or UDP
  std::optional<TcpHeader> tcp;
  std::optional<IcmpMessage> icmp;
};
// Empty for a non-first fragment (RFC 791) or when too little was captured.
Transport decode_transport(const Ipv4Header& ip);

}  // namespace hairpin
