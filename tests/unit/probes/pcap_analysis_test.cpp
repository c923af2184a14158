// NVA analysis over fixture pcaps (fixtures/pcap/): the crafted story told in
// pcap_make_fixtures.cpp, its cooked/VLAN/IPv6/snaplen/damaged variants, and
// captures recorded on the seed lab's NVA during hairpin trace both ways.
// Frame counts are cross-checked against tshark.

#include "hairpin/probes/pcap_analysis.hpp"
#include "hairpin/probes/trace_format.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <random>

namespace hp = hairpin::probes;

namespace {

std::string fixture(const std::string& name) { return std::string(HAIRPIN_FIXTURES_DIR) + "/pcap/" + name; }

hp::TraceRunRef trace_fixture(const std::string& name) {
  std::ifstream in(fixture(name));
  auto doc = nlohmann::json::parse(in);
  auto t = hp::parse_trace_json(doc, name);
  EXPECT_TRUE(t.ok());
  return *t;
}

hp::Analysis analyze(const std::string& name, hp::AnalysisOptions o = {}) {
  auto f = hp::read_pcap_file(fixture(name));
  EXPECT_TRUE(f.ok()) << (f.ok() ? "" : f.error().to_string());
  auto a = hp::analyze_capture(*f, o, name);
  EXPECT_TRUE(a.ok()) << (a.ok() ? "" : a.error().to_string());
  return *a;
}

const hp::DirectionReport* find_dir(const hp::Analysis& a, const std::string& src, const std::string& dst) {
  for (const auto& d : a.directions) {
    if (d.src.to_string() == src && d.dst.to_string() == dst) return &d;
  }
  return nullptr;
}

hp::Mac nva_mac() { return *hp::parse_mac("02:00:0a:00:00:04"); }

// The crafted story's numbers, whatever the link layer.
void expect_story(const hp::Analysis& a) {
  const auto* ab = find_dir(a, "10.100.0.4", "10.200.0.4");
  ASSERT_NE(ab, nullptr);
  EXPECT_EQ(ab->flows_in, 1u);
  EXPECT_EQ(ab->flows_out, 1u);
  EXPECT_EQ(ab->packets_in, 3u);
  EXPECT_EQ(ab->packets_out, 2u);
  EXPECT_EQ(ab->unmatched, 0u);
  EXPECT_EQ(ab->ttl_expired, 1u);
  EXPECT_EQ(ab->ttl_in, (std::map<int, std::uint64_t>{{1, 1}, {2, 1}, {3, 1}}));
  EXPECT_EQ(ab->dwell.count, 2u);
  EXPECT_DOUBLE_EQ(ab->dwell.min_us, 15.0);
  EXPECT_DOUBLE_EQ(ab->dwell.median_us, 20.0);
  EXPECT_DOUBLE_EQ(ab->dwell.max_us, 25.0);
  EXPECT_TRUE(ab->rewrites.empty());

  const auto* ba = find_dir(a, "10.200.0.4", "10.100.0.4");
  ASSERT_NE(ba, nullptr);
  EXPECT_EQ(ba->packets_in, 1u);
  EXPECT_EQ(ba->packets_out, 1u);
  EXPECT_EQ(ba->ttl_in, (std::map<int, std::uint64_t>{{63, 1}}));
  EXPECT_DOUBLE_EQ(ba->dwell.median_us, 30.0);

  const auto* nat = find_dir(a, "10.100.0.5", "10.200.0.4");
  ASSERT_NE(nat, nullptr);
  EXPECT_EQ(nat->flows_in, 1u);
  EXPECT_EQ(nat->flows_out, 1u);
  EXPECT_EQ(nat->packets_in, 2u);
  EXPECT_EQ(nat->packets_out, 1u);
  EXPECT_EQ(nat->unmatched, 1u);
  ASSERT_EQ(nat->rewrites.size(), 3u);
  EXPECT_EQ(nat->rewrites[0].field, "dport");
  EXPECT_EQ(nat->rewrites[0].from, "22");
  EXPECT_EQ(nat->rewrites[0].to, "2222");
  EXPECT_EQ(nat->rewrites[1].field, "dscp");
  EXPECT_EQ(nat->rewrites[1].to, "46");
  EXPECT_EQ(nat->rewrites[2].field, "mss");
  EXPECT_EQ(nat->rewrites[2].from, "1460");
  EXPECT_EQ(nat->rewrites[2].to, "1360");

  EXPECT_EQ(a.directions.size(), 3u);
  EXPECT_EQ(a.frames.to_nva, 1u);
  EXPECT_EQ(a.frames.from_nva, 1u);  // the NVA's ICMP time exceeded
}

// What tshark's dissectors make of each frame: protocol stack, Ethernet source and
// destination, Linux cooked packet type (empty when absent).
struct TsharkFrame {
  std::string protocols, eth_src, eth_dst, sll_pkttype;
};
std::vector<TsharkFrame> tshark_frames(const std::string& file) {
  const std::string cmd = "tshark -n -r '" + file +
                          "' -T fields -E separator=/t -e frame.protocols -e eth.src -e eth.dst -e sll.pkttype 2>/dev/null";
  std::unique_ptr<FILE, int (*)(FILE*)> p(::popen(cmd.c_str(), "r"), ::pclose);
  std::vector<TsharkFrame> out;
  if (!p) return out;
  char buf[1024];
  while (std::fgets(buf, sizeof buf, p.get())) {
    std::string line(buf);
    if (!line.empty() && line.back() == '\n') line.pop_back();
    std::vector<std::string> f;
    std::size_t at = 0;
    for (;;) {
      const auto tab = line.find('\t', at);
      f.push_back(line.substr(at, tab == std::string::npos ? std::string::npos : tab - at));
      if (tab == std::string::npos) break;
      at = tab + 1;
    }
    f.resize(4);
    out.push_back({f[0], f[1], f[2], f[3]});
  }
  return out;
}

bool has_layer(const std::string& protocols, const std::string& layer) {
  const std::string s = ":" + protocols + ":";
  return s.find(":" + layer + ":") != std::string::npos;
}

bool have_tshark() { return std::system("command -v tshark >/dev/null 2>&1") == 0; }

}  // namespace

TEST(PcapAnalysis, CraftedHairpin_GivenMac_PairsEachDirection) {
  hp::AnalysisOptions o;
  o.nva_mac = nva_mac();
  const auto a = analyze("crafted_hairpin.pcap", o);
  EXPECT_EQ(a.nva_mac_source, "given");
  ASSERT_TRUE(a.nva_ip.has_value());
  EXPECT_EQ(a.nva_ip->to_string(), "10.0.0.4");  // from the NVA's ARP reply
  expect_story(a);
  EXPECT_EQ(a.frames.not_via_nva, 1u);
}

TEST(PcapAnalysis, CraftedHairpin_LearnsTheMacFromForwardedCopies) {
  const auto a = analyze("crafted_hairpin.pcap");
  ASSERT_TRUE(a.nva_mac.has_value());
  EXPECT_EQ(hp::to_string(*a.nva_mac), "02:00:0a:00:00:04");
  EXPECT_NE(a.nva_mac_source.find("learned"), std::string::npos);
  expect_story(a);
}

TEST(PcapAnalysis, NvaIpGiven_LearnsTheMacFromArp) {
  hp::AnalysisOptions o;
  o.nva_ip = hairpin::Ipv4Address::parse("10.0.0.4");
  const auto a = analyze("crafted_hairpin.pcap", o);
  EXPECT_EQ(a.nva_mac_source, "learned from ARP for 10.0.0.4");
  expect_story(a);
}

TEST(PcapAnalysis, PcapngFromEditcap_SameReport) {
  hp::AnalysisOptions o;
  o.nva_mac = nva_mac();
  auto a = hp::format_analysis_json(analyze("crafted_hairpin.pcap", o));
  auto b = hp::format_analysis_json(analyze("crafted_hairpin.pcapng", o));
  EXPECT_EQ(a["directions"], b["directions"]);
  EXPECT_EQ(a["frames"], b["frames"]);
}

TEST(PcapAnalysis, LinuxCookedCapture_DirectionFromPacketType) {
  const auto a = analyze("crafted_cooked.pcap");
  EXPECT_FALSE(a.nva_mac.has_value());
  EXPECT_NE(a.nva_mac_source.find("cooked"), std::string::npos);
  EXPECT_EQ(a.link_types.at(hp::kLinkLinuxSll), 13u);
  expect_story(a);
}

TEST(PcapAnalysis, TwoMacsForward_AmbiguousWithAClearMessage) {
  auto f = hp::read_pcap_file(fixture("crafted_two_forwarders.pcap"));
  ASSERT_TRUE(f.ok());
  auto a = hp::analyze_capture(*f, {}, "two.pcap");
  ASSERT_FALSE(a.ok());
  const auto line = a.error().to_string();
  EXPECT_NE(line.find("02:00:0a:00:00:04 (1 packets)"), std::string::npos) << line;
  EXPECT_NE(line.find("02:00:0a:00:00:0c (1 packets)"), std::string::npos) << line;
  EXPECT_NE(line.find("--nva-mac"), std::string::npos) << line;
  hp::AnalysisOptions o;
  o.nva_mac = nva_mac();
  auto given = hp::analyze_capture(*f, o, "two.pcap");
  ASSERT_TRUE(given.ok());
  EXPECT_EQ(given->frames.not_via_nva, 2u);
}

TEST(PcapAnalysis, VlanIpv6Snaplen_AnalysedWherePossibleRestCounted) {
  hp::AnalysisOptions o;
  o.nva_mac = nva_mac();
  const auto a = analyze("crafted_vlan_ipv6_snaplen.pcap", o);
  EXPECT_EQ(a.frames.total, 7u);
  EXPECT_EQ(a.frames.ipv6, 2u);
  EXPECT_EQ(a.frames.truncated, 1u);    // cut inside the IPv4 header
  EXPECT_EQ(a.frames.snaplen_cut, 2u);  // the SYN-ACK pair, cut after the TCP header
  const auto* ab = find_dir(a, "10.100.0.4", "10.200.0.4");
  ASSERT_NE(ab, nullptr);  // behind an 802.1Q tag
  EXPECT_EQ(ab->packets_out, 1u);
  const auto* ba = find_dir(a, "10.200.0.4", "10.100.0.4");
  ASSERT_NE(ba, nullptr);  // paired from the headers that were captured
  EXPECT_EQ(ba->packets_out, 1u);
  EXPECT_TRUE(ba->rewrites.empty());  // the MSS was cut off on both copies: not a rewrite
  EXPECT_EQ(a.notes.size(), 3u);
}

TEST(PcapAnalysis, UnknownLinkType_CountedNotCrashed) {
  const auto a = analyze("crafted_radiotap.pcap");
  EXPECT_EQ(a.frames.unknown_link, 2u);
  EXPECT_TRUE(a.directions.empty());
  ASSERT_FALSE(a.notes.empty());
  EXPECT_NE(a.notes[0].find("link type 127"), std::string::npos);
}

TEST(PcapAnalysis, TruncatedFile_FramesBeforeTheCutAnalysed) {
  hp::AnalysisOptions o;
  o.nva_mac = nva_mac();
  const auto a = analyze("crafted_truncated.pcap", o);
  EXPECT_EQ(a.read_issues.truncated_records, 1u);
  EXPECT_EQ(a.frames.total, 13u);
  expect_story(a);  // the lost last frame is the unrelated one
}

TEST(PcapAnalysis, CorruptRecord_StopsThereAndSaysWhere) {
  hp::AnalysisOptions o;
  o.nva_mac = nva_mac();
  const auto a = analyze("crafted_corrupt.pcap", o);
  EXPECT_EQ(a.read_issues.corrupt_records, 1u);
  EXPECT_EQ(a.frames.total, 5u);
  ASSERT_FALSE(a.notes.empty());
  EXPECT_NE(a.notes[0].find("record header is not valid"), std::string::npos) << a.notes[0];
  const auto* ab = find_dir(a, "10.100.0.4", "10.200.0.4");
  ASSERT_NE(ab, nullptr);
  EXPECT_EQ(ab->packets_in, 2u);  // the third probe's ingress copy was the damaged record
  EXPECT_EQ(ab->packets_out, 1u);
  EXPECT_EQ(ab->ttl_expired, 1u);
}

TEST(PcapAnalysis, EveryByteFlipped_NeverCrashes) {
  std::ifstream in(fixture("crafted_hairpin.pcap"), std::ios::binary);
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t analysed = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    auto b = bytes;
    b[i] ^= 0xff;
    auto f = hp::parse_pcap(b, "flip");
    if (!f.ok()) continue;
    hp::AnalysisOptions o;
    o.nva_mac = nva_mac();
    auto a = hp::analyze_capture(*f, o, "flip");
    if (a.ok()) {
      ++analysed;
      (void)hp::format_analysis_text(*a);
    }
  }
  EXPECT_GT(analysed, bytes.size() / 2);
}

TEST(PcapAnalysis, EgressCopyMoreThanASecondLater_IsNotTheSamePacket) {
  auto f = hp::read_pcap_file(fixture("crafted_hairpin.pcap"));
  ASSERT_TRUE(f.ok());
  f->frames[6].ts_ns += 1'000'000'000;  // the third probe's egress copy, now 1 s + 25 us after it entered
  hp::AnalysisOptions o;
  o.nva_mac = nva_mac();
  auto a = hp::analyze_capture(*f, o, "late");
  ASSERT_TRUE(a.ok());
  const auto* ab = find_dir(*a, "10.100.0.4", "10.200.0.4");
  ASSERT_NE(ab, nullptr);
  EXPECT_EQ(ab->packets_out, 1u);
  EXPECT_EQ(ab->unmatched, 1u);
  EXPECT_EQ(ab->unmatched_out, 1u);
  f->frames[6].ts_ns -= 25'001;  // 1 s - 1 ns after it entered: the same packet
  auto b = hp::analyze_capture(*f, o, "in time");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(find_dir(*b, "10.100.0.4", "10.200.0.4")->packets_out, 2u);
}

TEST(PcapAnalysis, RandomFramesOfEveryLinkType_NeverCrash) {
  // Deterministic noise: random lengths and bytes, with the version nibble, ethertypes
  // and cooked headers often right so the decoder gets deep into the headers.
  std::mt19937 rng(20261125);
  hp::PcapFile f;
  f.format = "pcap";
  const std::uint32_t links[] = {hp::kLinkEthernet, hp::kLinkLinuxSll, hp::kLinkLinuxSll2, hp::kLinkRaw,
                                 hp::kLinkIpv4, 127};
  for (int i = 0; i < 20000; ++i) {
    hp::PcapFrame fr;
    fr.link_type = links[rng() % 6];
    fr.ts_ns = static_cast<std::int64_t>(rng());
    fr.bytes.resize(rng() % 96);
    for (auto& b : fr.bytes) b = static_cast<std::uint8_t>(rng());
    const std::size_t l3 = fr.link_type == hp::kLinkEthernet ? 14 : fr.link_type == hp::kLinkLinuxSll ? 16
                           : fr.link_type == hp::kLinkLinuxSll2 ? 20 : 0;
    if (fr.bytes.size() > l3 + 1 && rng() % 2) {
      if (fr.link_type == hp::kLinkEthernet) { fr.bytes[12] = 0x08; fr.bytes[13] = 0x00; }
      if (fr.link_type == hp::kLinkLinuxSll) { fr.bytes[14] = 0x08; fr.bytes[15] = 0x00; }
      if (fr.link_type == hp::kLinkLinuxSll2) { fr.bytes[0] = 0x08; fr.bytes[1] = 0x00; }
      fr.bytes[l3] = static_cast<std::uint8_t>(0x40 | (rng() % 16));
    }
    fr.orig_len = static_cast<std::uint32_t>(fr.bytes.size());
    f.frames.push_back(std::move(fr));
  }
  hp::AnalysisOptions o;
  o.nva_mac = nva_mac();
  auto a = hp::analyze_capture(f, o, "noise");
  ASSERT_TRUE(a.ok());
  const auto& c = a->frames;
  EXPECT_EQ(c.total, 20000u);
  EXPECT_EQ(c.ipv4 + c.ipv6 + c.arp + c.other_network + c.unknown_link + c.truncated + c.malformed, c.total);
  EXPECT_GT(c.ipv4, 0u);
  EXPECT_GT(c.unknown_link, 0u);
  (void)hp::format_analysis_text(*a);
  (void)hp::format_analysis_json(*a).dump();
}

TEST(PcapAnalysis, TraceProbes_MarkedEnteredAndLeft) {
  hp::AnalysisOptions o;
  o.traces.push_back(trace_fixture("crafted_hairpin.trace.json"));
  const auto a = analyze("crafted_hairpin.pcap", o);
  ASSERT_EQ(a.traces.size(), 1u);
  const auto& t = a.traces[0];
  ASSERT_EQ(t.probes.size(), 4u);
  EXPECT_FALSE(t.probes[0].entered);  // TTL 1 died at the ERGW
  EXPECT_TRUE(t.probes[1].entered);   // TTL 2 expired at the NVA
  EXPECT_FALSE(t.probes[1].left);
  EXPECT_EQ(t.probes[1].ttl_in, 1);
  EXPECT_TRUE(t.probes[2].entered);
  EXPECT_TRUE(t.probes[2].left);
  EXPECT_EQ(t.probes[3].ttl_in, 3);
  EXPECT_EQ(t.probes[3].ttl_out, 2);
  EXPECT_DOUBLE_EQ(*t.probes[3].dwell_us, 25.0);
  EXPECT_TRUE(t.probes[3].reply_entered);  // the SYN-ACK acknowledging probe 3's seq + 1
  EXPECT_TRUE(t.probes[3].reply_left);
  EXPECT_EQ(t.reached, 1u);
  EXPECT_EQ(t.reached_proven, 1u);
}

TEST(PcapAnalysis, TraceOfAnotherRun_MatchesNothing) {
  auto t = trace_fixture("crafted_hairpin.trace.json");
  t.run.nonce ^= 1;  // another run on the same 5-tuple
  hp::AnalysisOptions o;
  o.traces.push_back(t);
  const auto a = analyze("crafted_hairpin.pcap", o);
  for (const auto& p : a.traces[0].probes) EXPECT_FALSE(p.entered);
  EXPECT_EQ(a.traces[0].reached_proven, 0u);
}

TEST(PcapAnalysis, TraceJson_WrongSchemaRejected) {
  auto r = hp::parse_trace_json(nlohmann::json{{"schema", "other"}}, "x.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().fix.find("hairpin trace --json"), std::string::npos);
  EXPECT_FALSE(hp::parse_trace_json(nlohmann::json::array(), "x.json").ok());
}

TEST(PcapAnalysis, JsonSchema_HasTheDocumentedFields) {
  const auto j = hp::format_analysis_json(analyze("crafted_hairpin.pcap"));
  EXPECT_EQ(j["schema"], "hairpin.analyze/1");
  ASSERT_EQ(j["directions"].size(), 3u);
  for (const auto& d : j["directions"]) {
    for (const char* k : {"src", "dst", "flows_in", "flows_out", "unmatched", "ttl_in", "dwell_us", "rewrites"}) {
      EXPECT_TRUE(d.contains(k)) << k;
    }
  }
  EXPECT_EQ(j["directions"][0]["ttl_in"]["3"], 1);
  EXPECT_EQ(j["directions"][0]["dwell_us"]["median"], 20.0);
}

// Frame counts agree with tshark on every fixture: total, IPv4 (with a layer after
// the IPv4 header, i.e. a whole header), IPv6, ARP, and the copies to and from the NVA.
TEST(PcapAnalysis, CountsAgreeWithTshark) {
  if (!have_tshark()) GTEST_SKIP() << "tshark not installed (scripts/setup installs it)";
  for (const char* name : {"crafted_hairpin.pcap", "crafted_hairpin.pcapng", "crafted_cooked.pcap",
                           "crafted_vlan_ipv6_snaplen.pcap", "crafted_truncated.pcap", "crafted_corrupt.pcap",
                           "crafted_radiotap.pcap", "crafted_two_forwarders.pcap", "seed_100_to_200.pcap",
                           "seed_200_to_100.pcap"}) {
    SCOPED_TRACE(name);
    auto f = hp::read_pcap_file(fixture(name));
    ASSERT_TRUE(f.ok());
    hp::AnalysisOptions o;
    o.nva_mac = nva_mac();
    auto a = hp::analyze_capture(*f, o, name);
    ASSERT_TRUE(a.ok());
    const auto ts = tshark_frames(fixture(name));
    long ipv4 = 0, ipv6 = 0, arp = 0, in = 0, out = 0;
    const std::string nva = "02:00:0a:00:00:04";
    for (const auto& t : ts) {
      const bool ip = t.protocols.find(":ip:") != std::string::npos;
      ipv4 += ip;
      ipv6 += has_layer(t.protocols, "ipv6");
      arp += has_layer(t.protocols, "arp");
      if (ip && (t.eth_dst == nva || t.sll_pkttype == "0")) ++in;
      if (ip && (t.eth_src == nva || t.sll_pkttype == "4")) ++out;
    }
    EXPECT_EQ(static_cast<long>(ts.size()), static_cast<long>(a->frames.total));
    EXPECT_EQ(ipv4, static_cast<long>(a->frames.ipv4));
    EXPECT_EQ(ipv6, static_cast<long>(a->frames.ipv6));
    EXPECT_EQ(arp, static_cast<long>(a->frames.arp));
    std::uint64_t our_in = a->frames.to_nva, our_out = a->frames.from_nva;
    for (const auto& d : a->directions) {
      our_in += d.packets_in;
      our_out += d.packets_out + d.unmatched_out;
    }
    EXPECT_EQ(in, static_cast<long>(our_in));
    EXPECT_EQ(out, static_cast<long>(our_out));
  }
}

// Recorded on the seed lab's NVA (eth0) with hairpin capture --probes during
// hairpin trace -p 22 each way; the trace's own --json beside each.
TEST(PcapAnalysis, SeedLabRecordings_EveryProbeThatReachedEnteredAndLeft) {
  for (const char* dir : {"100_to_200", "200_to_100"}) {
    SCOPED_TRACE(dir);
    hp::AnalysisOptions o;
    o.traces.push_back(trace_fixture(std::string("seed_") + dir + ".trace.json"));
    const auto a = analyze(std::string("seed_") + dir + ".pcap", o);
    ASSERT_TRUE(a.nva_mac.has_value());
    EXPECT_EQ(hp::to_string(*a.nva_mac), "02:00:0a:00:00:04");
    const auto& t = a.traces[0];
    EXPECT_GE(t.reached, 1u);
    EXPECT_EQ(t.reached_proven, t.reached);
    for (const auto& p : t.probes) {
      if (p.ttl == 1) {
        EXPECT_FALSE(p.entered) << "TTL 1 dies at the ERGW";
      }
      if (p.ttl == 2) {
        EXPECT_TRUE(p.entered);
        EXPECT_FALSE(p.left) << "TTL 2 expires at the NVA";
      }
      if (p.ttl >= 3) {
        EXPECT_TRUE(p.entered);
        EXPECT_TRUE(p.left);
        EXPECT_EQ(*p.ttl_out + 1, *p.ttl_in);
      }
    }
    const auto src = t.source.to_string(), dst = t.target.to_string();
    const auto* d = find_dir(a, src, dst);
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->flows_in, 1u);
    EXPECT_EQ(d->flows_out, 1u);
    EXPECT_EQ(d->unmatched, 0u);
    EXPECT_TRUE(d->rewrites.empty());
  }
}
