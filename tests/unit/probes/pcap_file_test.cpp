// pcap / pcapng reading and classic pcap writing: byte tables, damaged files, and
// the fixtures written by other tools (editcap's pcapng, tcpdump's pcap).

#include "hairpin/probes/pcap_file.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>

namespace hp = hairpin::probes;

namespace {

std::vector<std::uint8_t> one_frame_file(bool nano) {
  auto f = hp::pcap_file_header(hp::kLinkEthernet, 65535, nano);
  const std::vector<std::uint8_t> frame = {1, 2, 3, 4, 5};
  auto r = hp::pcap_record(1'700'000'000'123'456'789, 60, frame, nano);
  f.insert(f.end(), r.begin(), r.end());
  return f;
}

std::string fixture(const std::string& name) { return std::string(HAIRPIN_FIXTURES_DIR) + "/pcap/" + name; }

}  // namespace

TEST(PcapWrite, HeaderIsLibpcapsClassicFormat) {
  const auto h = hp::pcap_file_header(hp::kLinkLinuxSll, 262144, false);
  ASSERT_EQ(h.size(), 24u);
  std::uint32_t magic, snaplen, link;
  std::uint16_t major, minor;
  std::memcpy(&magic, h.data(), 4);
  std::memcpy(&major, h.data() + 4, 2);
  std::memcpy(&minor, h.data() + 6, 2);
  std::memcpy(&snaplen, h.data() + 16, 4);
  std::memcpy(&link, h.data() + 20, 4);
  EXPECT_EQ(magic, 0xa1b2c3d4u);
  EXPECT_EQ(major, 2);
  EXPECT_EQ(minor, 4);
  EXPECT_EQ(snaplen, 262144u);
  EXPECT_EQ(link, 113u);
  std::memcpy(&magic, hp::pcap_file_header(1, 1, true).data(), 4);
  EXPECT_EQ(magic, 0xa1b23c4du);
}

TEST(PcapRead, RoundTrip_NanoKeepsNanoseconds_MicroRoundsDown) {
  for (bool nano : {true, false}) {
    auto f = hp::parse_pcap(one_frame_file(nano), "t");
    ASSERT_TRUE(f.ok());
    ASSERT_EQ(f->frames.size(), 1u);
    EXPECT_EQ(f->format, "pcap");
    EXPECT_EQ(f->nanosecond, nano);
    EXPECT_EQ(f->frames[0].ts_ns, nano ? 1'700'000'000'123'456'789 : 1'700'000'000'123'456'000);
    EXPECT_EQ(f->frames[0].orig_len, 60u);
    EXPECT_EQ(f->frames[0].bytes, (std::vector<std::uint8_t>{1, 2, 3, 4, 5}));
    EXPECT_EQ(f->issues.truncated_records + f->issues.corrupt_records, 0u);
  }
}

TEST(PcapRead, BigEndianFileIsRead) {
  // The same one-frame file as a big-endian machine writes it.
  const std::vector<std::uint8_t> be = {0xa1, 0xb2, 0xc3, 0xd4, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
                                        0, 0, 0, 1,  // link type 1
                                        0, 0, 0, 10, 0, 0, 0, 20, 0, 0, 0, 2, 0, 0, 0, 2, 0xaa, 0xbb};
  auto f = hp::parse_pcap(be, "be");
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(f->frames.size(), 1u);
  EXPECT_EQ(f->frames[0].ts_ns, 10'000'020'000);
  EXPECT_EQ(f->frames[0].link_type, 1u);
  EXPECT_EQ(f->frames[0].bytes, (std::vector<std::uint8_t>{0xaa, 0xbb}));
}

TEST(PcapRead, FileCutInsideARecord_KeepsWholeRecordsAndCountsTheCut) {
  auto bytes = one_frame_file(true);
  auto twice = bytes;
  twice.insert(twice.end(), bytes.begin() + 24, bytes.end());
  for (std::size_t cut = 1; cut < 21; ++cut) {  // every cut inside the second record
    std::vector<std::uint8_t> b(twice.begin(), twice.end() - static_cast<std::ptrdiff_t>(cut));
    auto f = hp::parse_pcap(b, "cut");
    ASSERT_TRUE(f.ok()) << cut;
    EXPECT_EQ(f->frames.size(), 1u) << cut;
    EXPECT_EQ(f->issues.truncated_records, 1u) << cut;
    EXPECT_NE(f->issues.first_problem.find("cut: byte 45"), std::string::npos) << f->issues.first_problem;
  }
}

TEST(PcapRead, NonsenseCaplen_StopsThereAndCounts) {
  auto b = one_frame_file(false);
  const std::uint32_t bogus = 0x7fffffff;
  std::memcpy(b.data() + 24 + 8, &bogus, 4);
  auto f = hp::parse_pcap(b, "bad");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->frames.size(), 0u);
  EXPECT_EQ(f->issues.corrupt_records, 1u);
}

TEST(PcapRead, NotACapture_IsAnErrorThatSaysSo) {
  const std::string text = "hello, this is not a capture";
  auto f = hp::parse_pcap(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()), "x.txt");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().where, "x.txt");
  EXPECT_NE(f.error().what.find("not a pcap"), std::string::npos);
  EXPECT_FALSE(hp::parse_pcap({}, "empty").ok());
  const std::vector<std::uint8_t> header_only = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0};
  EXPECT_FALSE(hp::parse_pcap(header_only, "short").ok());
  EXPECT_FALSE(hp::read_pcap_file("/nonexistent/file.pcap").ok());
  auto dir = hp::read_pcap_file(HAIRPIN_FIXTURES_DIR);
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.error().what, "is a directory");
}

TEST(PcapRead, EveryPrefixOfAFixture_NeverCrashes) {
  auto whole = hp::read_pcap_file(fixture("crafted_hairpin.pcap"));
  ASSERT_TRUE(whole.ok());
  std::ifstream in(fixture("crafted_hairpin.pcap"), std::ios::binary);
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t last = 0;
  for (std::size_t n = 0; n <= bytes.size(); ++n) {
    auto f = hp::parse_pcap(std::span(bytes.data(), n), "prefix");
    if (!f.ok()) { EXPECT_LT(n, 24u); continue; }
    EXPECT_GE(f->frames.size(), last);  // more bytes never lose a frame
    last = f->frames.size();
  }
  EXPECT_EQ(last, whole->frames.size());
}

TEST(PcapRead, PcapngFromEditcap_SameFramesAsThePcap) {
  auto a = hp::read_pcap_file(fixture("crafted_hairpin.pcap"));
  auto b = hp::read_pcap_file(fixture("crafted_hairpin.pcapng"));
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok()) << b.error().to_string();
  EXPECT_EQ(b->format, "pcapng");
  ASSERT_EQ(a->frames.size(), b->frames.size());
  for (std::size_t i = 0; i < a->frames.size(); ++i) {
    EXPECT_EQ(a->frames[i].bytes, b->frames[i].bytes) << i;
    EXPECT_EQ(a->frames[i].ts_ns, b->frames[i].ts_ns) << i;
    EXPECT_EQ(a->frames[i].link_type, b->frames[i].link_type) << i;
  }
}

TEST(PcapRead, PcapngCutShort_KeepsWholeBlocks) {
  std::ifstream in(fixture("crafted_hairpin.pcapng"), std::ios::binary);
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 100u);
  auto f = hp::parse_pcap(std::span(bytes.data(), bytes.size() - 7), "cut.pcapng");
  ASSERT_TRUE(f.ok());
  EXPECT_GE(f->issues.truncated_records, 1u);
  auto whole = hp::parse_pcap(bytes, "whole.pcapng");
  ASSERT_TRUE(whole.ok());
  EXPECT_LT(f->frames.size(), whole->frames.size());
}
