// Probe packets: the bytes build_probe() produces, field by field, and that the
// capture side recognises them as this run's own SYNs.

#include "hairpin/probes/probe_packet.hpp"

#include <gtest/gtest.h>

#include "hairpin/probes/reply_match.hpp"

namespace hairpin::probes {
namespace {

RunIdentity run() { return RunIdentity{Ipv4Address{0x0a640004}, Ipv4Address{0x0ac80004}, 22, {40000, 40001}, 0xbeef}; }

std::uint16_t be16(const std::vector<std::uint8_t>& b, std::size_t at) {
  return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}
std::uint32_t be32(const std::vector<std::uint8_t>& b, std::size_t at) {
  return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) | (std::uint32_t{b[at + 2]} << 8) | b[at + 3];
}
// RFC 1071 one's complement sum; a correct header sums to 0xffff.
std::uint32_t ones_sum(const std::uint8_t* p, std::size_t n, std::uint32_t s = 0) {
  for (std::size_t i = 0; i + 1 < n; i += 2) s += (p[i] << 8) | p[i + 1];
  if (n % 2) s += p[n - 1] << 8;
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return s;
}

TEST(ProbePacket, SynAtTtl2Index3_HasStampedFields) {
  const auto b = build_probe(run(), ProbeSpec{2, 3, 1}, 0x10);
  ASSERT_GE(b.size(), 40u);
  EXPECT_EQ(b[0], 0x45);                 // IPv4, 20-byte header
  EXPECT_EQ(b[1], 0x10);                 // TOS
  EXPECT_EQ(be16(b, 2), b.size());       // total length
  EXPECT_EQ(be16(b, 4), 0x0203);         // IP ID = ttl | index
  EXPECT_EQ(be16(b, 6), 0x4000);         // DF, offset 0
  EXPECT_EQ(b[8], 2);                    // TTL
  EXPECT_EQ(b[9], 6);                    // TCP
  EXPECT_EQ(be32(b, 12), 0x0a640004u);   // 10.100.0.4
  EXPECT_EQ(be32(b, 16), 0x0ac80004u);   // 10.200.0.4
  EXPECT_EQ(be16(b, 20), 40001);         // flow 1's source port
  EXPECT_EQ(be16(b, 22), 22);
  EXPECT_EQ(be32(b, 24), 0xbeef0003u);   // seq = nonce | index
  EXPECT_EQ(be32(b, 28), 0u);            // no ACK
  EXPECT_EQ(b[33], 0x02);                // SYN only
  EXPECT_EQ(be16(b, 34), kProbeWindow);
  // Options: MSS 1460 comes first.
  EXPECT_GT(b[32] >> 4, 5);
  EXPECT_EQ(b[40], 2);
  EXPECT_EQ(b[41], 4);
  EXPECT_EQ(be16(b, 42), kProbeMss);
}

TEST(ProbePacket, Checksums_AreValid) {
  const auto b = build_probe(run(), ProbeSpec{7, 300, 0});
  EXPECT_EQ(ones_sum(b.data(), 20), 0xffffu);
  const std::size_t tcp_len = b.size() - 20;
  std::uint8_t pseudo[12] = {b[12], b[13], b[14], b[15], b[16], b[17], b[18], b[19], 0, 6,
                             static_cast<std::uint8_t>(tcp_len >> 8), static_cast<std::uint8_t>(tcp_len)};
  EXPECT_EQ(ones_sum(b.data() + 20, tcp_len, ones_sum(pseudo, 12)), 0xffffu);
}

TEST(ProbePacket, OwnSyn_IsRecognisedAsSentProbe) {
  for (std::uint8_t ttl : {1, 2, 30, 255}) {
    const auto b = build_probe(run(), ProbeSpec{ttl, static_cast<std::uint16_t>(ttl * 3), 1});
    const auto sent = match_sent(b, run());
    ASSERT_TRUE(sent.has_value());
    EXPECT_EQ(sent->ttl, ttl);
    EXPECT_EQ(sent->probe_index, ttl * 3);
    EXPECT_EQ(sent->flow, 1);
  }
}

TEST(ProbePacket, SynOfAnotherRun_IsRejectedWithWrongNonce) {
  RunIdentity other = run();
  other.nonce = 0x1234;
  const auto b = build_probe(other, ProbeSpec{3, 5, 0});
  const auto r = classify_sent(b, run());
  ASSERT_TRUE(std::holds_alternative<Reject>(r));
  EXPECT_EQ(std::get<Reject>(r), Reject::WrongNonce);
}

TEST(ProbePacket, SynWhoseTtlWasRewritten_IsRejected) {
  auto b = build_probe(run(), ProbeSpec{3, 5, 0});
  b[8] = 4;  // TTL no longer what the IP ID says it left with
  const auto r = classify_sent(b, run());
  ASSERT_TRUE(std::holds_alternative<Reject>(r));
  EXPECT_EQ(std::get<Reject>(r), Reject::IdMismatch);
}

}  // namespace
}  // namespace hairpin::probes
