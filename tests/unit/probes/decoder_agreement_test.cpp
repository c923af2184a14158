// The live trace matcher (reply_match's network_layer + classify_reply) and the
// offline analysis (pcap_packet's decode_frame) walk headers with one decoder, so a
// frame one of them reads the other reads alike. Before, the matcher took at most
// one 802.1Q tag and dropped QinQ frames that the analysis decoded.

#include <gtest/gtest.h>

#include "hairpin/probes/pcap_packet.hpp"
#include "hairpin/probes/reply_match.hpp"

namespace hairpin::probes {
namespace {

RunIdentity run() {
  return RunIdentity{Ipv4Address{0x0a640004}, Ipv4Address{0x0ac80004}, 22, {40000}, 0xbeef};
}

// Ethernet, then `tags`, then IPv4: 10.0.0.4 -> 10.100.0.4, ICMP time exceeded quoting
// probe 0 (TTL 1: IP ID 0x0100, seq 0xbeef0000) toward 10.200.0.4:22.
Bytes time_exceeded_frame(const Bytes& tags) {
  Bytes f = {0x02, 0x00, 0x0a, 0x64, 0x00, 0x04, 0x02, 0x00, 0x0a, 0x00, 0x00, 0x04};
  f.insert(f.end(), tags.begin(), tags.end());
  const Bytes rest = {
      0x08, 0x00,                                                              // IPv4
      0x45, 0x00, 0x00, 0x38, 0x12, 0x34, 0x00, 0x00, 0x3f, 0x01, 0x00, 0x00,  // outer IPv4, ICMP
      0x0a, 0x00, 0x00, 0x04, 0x0a, 0x64, 0x00, 0x04,                          // 10.0.0.4 -> 10.100.0.4
      0x0b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,                          // type 11 code 0
      0x45, 0x00, 0x00, 0x28, 0x01, 0x00, 0x40, 0x00, 0x01, 0x06, 0x00, 0x00,  // quoted IPv4, TTL 1
      0x0a, 0x64, 0x00, 0x04, 0x0a, 0xc8, 0x00, 0x04,                          // 10.100.0.4 -> 10.200.0.4
      0x9c, 0x40, 0x00, 0x16, 0xbe, 0xef, 0x00, 0x00};                         // 40000 -> 22, seq
  f.insert(f.end(), rest.begin(), rest.end());
  return f;
}

TEST(SharedDecoder, QinQFrame_MatchedLiveAndDecodedOffline) {
  struct Row {
    std::string name;
    Bytes tags;
    int vlan_tags;
  } rows[] = {
      {"untagged (positive control)", {}, 0},
      {"802.1Q", {0x81, 0x00, 0x00, 0x64}, 1},
      {"QinQ 802.1ad", {0x88, 0xa8, 0x00, 0xc8, 0x81, 0x00, 0x00, 0x64}, 2},
      {"QinQ 0x9100", {0x91, 0x00, 0x00, 0xc8, 0x81, 0x00, 0x00, 0x64}, 2},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    const Bytes frame = time_exceeded_frame(row.tags);

    // Live: the trace engine strips the link layer, then matches.
    const auto ip = network_layer(static_cast<int>(kLinkEthernet), frame);
    ASSERT_TRUE(ip.has_value());
    const auto verdict = classify_reply(*ip, run());
    ASSERT_TRUE(std::holds_alternative<Match>(verdict)) << to_string(std::get<Reject>(verdict));
    const auto& m = std::get<Match>(verdict);
    EXPECT_EQ(m.kind, ReplyKind::TimeExceeded);
    EXPECT_EQ(m.probe_index, 0);
    EXPECT_EQ(m.sent_ttl, 1);
    EXPECT_EQ(m.responder.to_string(), "10.0.0.4");

    // Offline: the analysis decodes the same frame to the same packet.
    const DecodedPacket p = decode_frame(PcapFrame{kLinkEthernet, 0, static_cast<std::uint32_t>(frame.size()), frame});
    EXPECT_EQ(p.kind, PacketKind::Ipv4);
    EXPECT_EQ(p.vlan_tags, row.vlan_tags);
    EXPECT_EQ(p.src, m.responder);
    EXPECT_EQ(p.ttl, m.reply_ttl);
    EXPECT_TRUE(p.has_icmp);
    EXPECT_EQ(p.icmp_type, m.icmp_type);
  }
}

}  // namespace
}  // namespace hairpin::probes
