// The engine's pure parts: option validation, and the capture filter compiled by
// libpcap and run offline over packets (no root, no capture device).

#include "hairpin/probes/trace_engine.hpp"

#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include "fixture_bytes.hpp"
#include "hairpin/probes/probe_packet.hpp"

namespace hairpin::probes {
namespace {

// The run replies.hex answers.
RunIdentity run() { return RunIdentity{Ipv4Address{0x0a640004}, Ipv4Address{0x0ac80004}, 22, {40000}, 0xbeef}; }

class CaptureFilter : public ::testing::Test {
 protected:
  void SetUp() override {
    pcap_ = pcap_open_dead(DLT_RAW, 65535);
    ASSERT_NE(pcap_, nullptr);
    ASSERT_EQ(pcap_compile(pcap_, &prog_, capture_filter(run()).c_str(), 1, PCAP_NETMASK_UNKNOWN), 0)
        << pcap_geterr(pcap_);
  }
  void TearDown() override {
    pcap_freecode(&prog_);
    pcap_close(pcap_);
  }
  bool passes(const std::vector<std::uint8_t>& ip) {
    pcap_pkthdr h{};
    h.caplen = h.len = static_cast<bpf_u_int32>(ip.size());
    return pcap_offline_filter(&prog_, &h, ip.data()) != 0;
  }
  pcap_t* pcap_ = nullptr;
  bpf_program prog_{};
  std::map<std::string, std::vector<std::uint8_t>> fx_ = test::load_hex_fixtures("replies.hex");
};

TEST_F(CaptureFilter, OurSynsAndEveryReplyKind_Pass) {
  EXPECT_TRUE(passes(build_probe(run(), ProbeSpec{1, 0, 0})));
  for (const char* name : {"te_quote28", "te_quote_full", "te_rfc4884_mpls", "unreach_admin_prohibited",
                           "unreach_port_from_target", "synack", "rst_ack"}) {
    EXPECT_TRUE(passes(fx_.at(name))) << name;
  }
}

TEST_F(CaptureFilter, OtherTraffic_IsDroppedInTheKernel) {
  RunIdentity other_port = run();
  other_port.source_ports = {40001};
  RunIdentity other_dport = run();
  other_dport.target_port = 80;
  EXPECT_FALSE(passes(build_probe(other_port, ProbeSpec{1, 0, 0})));   // another run's SYN
  EXPECT_FALSE(passes(build_probe(other_dport, ProbeSpec{1, 0, 0})));  // a SYN to another port
  EXPECT_FALSE(passes(fx_.at("te_for_other_host")));
  EXPECT_FALSE(passes(fx_.at("synack_from_other_host")));
  EXPECT_FALSE(passes(fx_.at("echo_reply")));
  // The kernel's RST to the target's SYN-ACK goes out on our flow but is not a SYN.
  auto rst = build_probe(run(), ProbeSpec{64, 0, 0});
  rst[33] = 0x04;
  EXPECT_FALSE(passes(rst));
}

struct BadOptionRow {
  const char* what;
  TraceOptions options;
};

TEST(TraceOptionsValidate, OutOfRangeOptions_AreRefusedBeforeAnySocket) {
  auto with = [](auto change) {
    TraceOptions o;
    change(o);
    return o;
  };
  const BadOptionRow rows[] = {
      {"port 0", with([](TraceOptions& o) { o.port = 0; })},
      {"-q 0", with([](TraceOptions& o) { o.probes = 0; })},
      {"max hops 0", with([](TraceOptions& o) { o.max_hops = 0; })},
      {"max hops 256", with([](TraceOptions& o) { o.max_hops = 256; })},
      {"flows 0", with([](TraceOptions& o) { o.flows = 0; })},
      {"flows 65", with([](TraceOptions& o) { o.flows = 65; })},
      {"gap limit 0", with([](TraceOptions& o) { o.gap_limit = 0; })},
      {"index space", with([](TraceOptions& o) { o.max_hops = 255; o.probes = 10; o.flows = 30; })},
  };
  for (const auto& r : rows) {
    const auto s = validate(r.options);
    EXPECT_FALSE(s.ok()) << r.what;
    if (!s.ok()) {
      EXPECT_FALSE(s.error().fix.empty()) << r.what;
    }
  }
  EXPECT_TRUE(validate(TraceOptions{}).ok());
}

}  // namespace
}  // namespace hairpin::probes
