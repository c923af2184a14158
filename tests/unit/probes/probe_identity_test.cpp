// Probe identity: stamps <-> (ttl, index, flow), both directions, and what a
// foreign run or a corrupted field does to the reverse mapping.

#include "hairpin/probes/probe_identity.hpp"

#include <gtest/gtest.h>

namespace hairpin::probes {
namespace {

RunIdentity run() {
  return RunIdentity{Ipv4Address{0x0a640004}, Ipv4Address{0x0ac80004}, 22, {40000, 40001, 51234}, 0xbeef};
}

struct StampRow {
  ProbeSpec spec;
  std::uint16_t ip_id;
  std::uint32_t seq;
  std::uint16_t sport;
};

TEST(ProbeStamp, TableOfSpecs_StampsIpIdSeqAndPort) {
  const StampRow rows[] = {
      {{1, 0, 0}, 0x0100, 0xbeef0000, 40000},
      {{2, 3, 0}, 0x0203, 0xbeef0003, 40000},
      {{30, 29, 1}, 0x1e1d, 0xbeef001d, 40001},
      {{255, 0x1234, 2}, 0xff34, 0xbeef1234, 51234},
      {{4, 0xffff, 0}, 0x04ff, 0xbeefffff, 40000},
  };
  for (const auto& r : rows) {
    const ProbeStamp s = stamp_probe(run(), r.spec);
    EXPECT_EQ(s.ip_id, r.ip_id) << int(r.spec.ttl) << "/" << r.spec.index;
    EXPECT_EQ(s.tcp_seq, r.seq);
    EXPECT_EQ(s.source_port, r.sport);
    // And back: seq -> index, IP ID -> ttl, port -> flow.
    EXPECT_EQ(index_from_seq(run(), r.seq), r.spec.index);
    EXPECT_EQ(ttl_from_ip_id(r.ip_id, r.spec.index), r.spec.ttl);
    EXPECT_EQ(flow_of_port(run(), r.sport), r.spec.flow);
  }
}

TEST(ProbeStamp, IpIdNeverZero_SoTheKernelKeepsIt) {
  // Linux fills in IP ID 0 on IP_HDRINCL sockets; TTL >= 1 keeps the high byte set.
  for (int ttl = 1; ttl <= 255; ++ttl) {
    EXPECT_NE(stamp_probe(run(), ProbeSpec{static_cast<std::uint8_t>(ttl), 0, 0}).ip_id, 0);
  }
}

TEST(ProbeIdentity, SeqFromAnotherRun_IsNotOurs) {
  EXPECT_FALSE(index_from_seq(run(), 0x12340003).has_value());
  EXPECT_FALSE(index_from_seq(run(), 0).has_value());
}

TEST(ProbeIdentity, IpIdDisagreeingWithIndex_GivesNoTtl) {
  EXPECT_FALSE(ttl_from_ip_id(0x0207, 3).has_value());
  EXPECT_EQ(ttl_from_ip_id(0x0203, 0x0103), 2);  // only the low byte is carried
}

TEST(ProbeIdentity, PortOfAnotherRun_HasNoFlow) {
  EXPECT_FALSE(flow_of_port(run(), 40002).has_value());
}

TEST(ProbeIdentity, RandomNonce_IsNeverZero) {
  for (int i = 0; i < 1000; ++i) EXPECT_NE(random_nonce(), 0);
}

}  // namespace
}  // namespace hairpin::probes
