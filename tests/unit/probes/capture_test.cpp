// The pure parts of hairpin capture: the --probes filter (compiled by libpcap
// offline and run against the crafted fixtures), filter combination, ring names,
// and the checks made before capturing starts. Live capture is in
// tests/lab/capture_test.sh.

#include "hairpin/probes/capture.hpp"

#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include "hairpin/probes/pcap_file.hpp"

namespace hp = hairpin::probes;

namespace {

std::string fixture(const std::string& name) { return std::string(HAIRPIN_FIXTURES_DIR) + "/pcap/" + name; }

// How many frames of a fixture the BPF program passes (libpcap's offline filter).
int passes(const std::string& filter, const std::string& name, int link = DLT_EN10MB) {
  pcap_t* dead = pcap_open_dead(link, 262144);
  bpf_program prog{};
  const int rc = pcap_compile(dead, &prog, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN);
  EXPECT_EQ(rc, 0) << pcap_geterr(dead);
  int n = 0;
  auto f = hp::read_pcap_file(fixture(name));
  EXPECT_TRUE(f.ok());
  for (const auto& fr : f->frames) {
    pcap_pkthdr h{};
    h.caplen = static_cast<bpf_u_int32>(fr.bytes.size());
    h.len = fr.orig_len;
    if (pcap_offline_filter(&prog, &h, fr.bytes.data())) ++n;
  }
  pcap_freecode(&prog);
  pcap_close(dead);
  return n;
}

}  // namespace

TEST(CaptureFilter, Probes_PassesSynsAnswersAndIcmpErrors_NotBgpOrArp) {
  // crafted_hairpin: 3 probe SYNs in + 2 out, SYN-ACK in + out, NAT SYN in + out + the
  // lost one, the NVA's time exceeded = 11; ARP, BGP ACK/PSH and the other ACK fail.
  EXPECT_EQ(passes(hp::probes_filter(), "crafted_hairpin.pcap"), 11);
  EXPECT_EQ(passes(hp::probes_filter(), "crafted_cooked.pcap", DLT_LINUX_SLL), 11);
}

TEST(CaptureFilter, ProbesAndUserFilter_BothMustMatch) {
  EXPECT_EQ(hp::combine_filters(false, "tcp port 22"), "tcp port 22");
  EXPECT_EQ(hp::combine_filters(true, ""), hp::probes_filter());
  const auto both = hp::combine_filters(true, "host 10.100.0.5");
  EXPECT_EQ(passes(both, "crafted_hairpin.pcap"), 3);  // the NAT'd flow's SYNs only
}

TEST(CaptureRing, FileNamesCarryTheIndexBeforeTheExtension) {
  EXPECT_EQ(hp::ring_file_name("cap.pcap", 0), "cap.0.pcap");
  EXPECT_EQ(hp::ring_file_name("/tmp/x.y/cap.pcap", 3), "/tmp/x.y/cap.3.pcap");
  EXPECT_EQ(hp::ring_file_name("/tmp/x.y/cap", 2), "/tmp/x.y/cap.2");
  EXPECT_EQ(hp::ring_file_name(".hidden", 1), ".hidden.1");
}

TEST(CaptureOutput, UnwritablePlaces_RefusedBeforeCapturing) {
  auto missing = hp::check_writable("/nonexistent-dir/cap.pcap");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().where, "/nonexistent-dir");
  auto dir = hp::check_writable("/tmp");
  ASSERT_FALSE(dir.ok());
  EXPECT_NE(dir.error().what.find("directory"), std::string::npos);
  EXPECT_FALSE(hp::check_writable("").ok());
  EXPECT_TRUE(hp::check_writable("/tmp/hairpin-capture-test.pcap").ok());
}

TEST(CaptureSizing, AnyGetsSmallerSlotsAndABiggerRing) {
  // Immediate mode: snaplen-sized ring slots; "any" has no MTU to cap them.
  const auto any = hp::default_sizing("any");
  EXPECT_EQ(any.snaplen, 65535);
  EXPECT_GE(std::int64_t{any.buffer_kib} * 1024 / any.snaplen, 512);
  const auto eth = hp::default_sizing("eth0");
  EXPECT_EQ(eth.snaplen, 262144);  // tcpdump's default; the MTU caps the slots
  EXPECT_EQ(eth.buffer_kib, 8192);
}
