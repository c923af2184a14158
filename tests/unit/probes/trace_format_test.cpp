// Trace output: Ethr's text to the byte (checked against the seed's own traces in
// fixtures/probes/seed_ethr_tr_*.txt), Ethr's duration strings, the mtr table and
// the JSON schema.

#include "hairpin/probes/trace_format.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace hairpin::probes {
namespace {

constexpr std::int64_t kMs = 1'000'000;

std::string read_fixture(const std::string& name) {
  std::ifstream in(std::string(HAIRPIN_FIXTURES_DIR) + "/probes/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

ProbeRecord rec(int ttl, std::uint16_t index, std::optional<ReplyKind> kind, Ipv4Address from, std::int64_t rtt_ns,
                int round = 0) {
  ProbeRecord p;
  p.spec = ProbeSpec{static_cast<std::uint8_t>(ttl), index, 0};
  p.round = round;
  p.sent_host_ns = 1'000'000'000;
  p.sent_wire_ns = 1'000'000'000;
  if (kind) {
    Match m;
    m.kind = *kind;
    m.probe_index = index;
    m.responder = from;
    if (*kind == ReplyKind::TimeExceeded) {
      m.icmp_type = 11;
      m.quoted_ttl = 1;
      m.quoted_tos = 0;
      m.sent_ttl = static_cast<std::uint8_t>(ttl);
      m.quote_length = 52;
    }
    p.reply = m;
    p.reply_wire_ns = 1'000'000'000 + rtt_ns;
  }
  return p;
}

// One seed direction: ERGW, NVA, silence, target, with the seed's RTTs.
TraceResult seed(const std::string& dst, Ipv4Address target, std::int64_t rtt1, std::int64_t rtt2, std::int64_t rtt4) {
  TraceResult r;
  r.run = RunIdentity{Ipv4Address{0x0a640004}, target, 22, {40000}, 0xbeef};
  r.params.target_name = dst;
  r.params.max_hops = 30;
  const Ipv4Address ergw{0x0a00c80c}, nva{0x0a000004};
  r.probes = {rec(1, 0, ReplyKind::TimeExceeded, ergw, rtt1), rec(2, 1, ReplyKind::TimeExceeded, nva, rtt2),
              rec(3, 2, std::nullopt, {}, 0), rec(4, 3, ReplyKind::SynAck, target, rtt4),
              rec(5, 4, ReplyKind::SynAck, target, rtt4 + 1)};
  return r;
}

TEST(EthrText, SeedTrace100To200_ByteIdenticalToEthr) {
  const auto r = seed("10.200.0.4", Ipv4Address{0x0ac80004}, 92'622'000, 97'924'000, 184'002'000);
  EXPECT_EQ(format_text(r), read_fixture("seed_ethr_tr_100_to_200.txt"));
}

TEST(EthrText, SeedTrace200To100_ByteIdenticalToEthr) {
  const auto r = seed("10.100.0.4", Ipv4Address{0x0a640004}, 90'838'000, 88'059'000, 188'711'000);
  EXPECT_EQ(format_text(r), read_fixture("seed_ethr_tr_200_to_100.txt"));
}

TEST(EthrDuration, TableOfDurations_AsEthrPrintsThem) {
  const std::pair<std::int64_t, const char*> rows[] = {
      {0, "0.000ns"},
      {999, "999.000ns"},
      {1'000, "1.000us"},
      {60'976, "60.976us"},
      {999'999, "999.999us"},
      {1'000'000, "1.000ms"},
      {92'622'000, "92.622ms"},
      {92'622'400, "92.622ms"},
      {92'622'600, "92.623ms"},
      {999'999'000, "999.999ms"},
      {1'500'000'000, "1.500s"},
      {60'000'000'000, "1m0s"},
      {61'500'000'000, "1m1.5s"},
      {3'723'000'000'000, "1h2m3s"},
  };
  for (auto [ns, text] : rows) EXPECT_EQ(ethr_duration(ns), text) << ns;
}

TEST(EthrHopLine, AddressPaddedTo70_ThenRtt) {
  const std::string line = ethr_hop_line(1, "10.0.200.12", "", 92'622'000);
  EXPECT_EQ(line.size(), 6u + 70u + 1u + 8u);
  EXPECT_EQ(line.substr(0, 20), " 1.|--10.0.200.12 []");
  EXPECT_EQ(line.substr(76), " 92.622ms");
  EXPECT_EQ(ethr_hop_line(3, std::nullopt, "", std::nullopt), " 3.|--???");
  EXPECT_EQ(ethr_hop_line(12, "10.0.0.4", "nva.example", 1'000'000).substr(0, 31), "12.|--10.0.0.4 [nva.example]   ");
}

TEST(EthrHopLine, Unreachable_MarkerAfterTheRtt) {
  EXPECT_EQ(ethr_hop_line(2, "10.0.0.4", "", 1'000'000, "!H").substr(76), " 1.000ms !H");
}

TEST(EthrText, TargetSilent_EndsWithEthrsTwoLines) {
  TraceResult r;
  r.run = RunIdentity{Ipv4Address{0x0a640004}, Ipv4Address{0x0ac80004}, 22, {40000}, 1};
  r.params.target_name = "10.200.0.4";
  r.params.gap_limit = 2;
  r.probes = {rec(1, 0, ReplyKind::TimeExceeded, Ipv4Address{0x0a00c80c}, kMs), rec(2, 1, std::nullopt, {}, 0),
              rec(3, 2, std::nullopt, {}, 0), rec(4, 3, std::nullopt, {}, 0)};
  const std::string text = format_text(r);
  const std::string tail = " 2.|--???\n 3.|--???\nDestination 10.200.0.4 is not responding to TCP connection.\n"
                           "Terminating tracing...\n";
  ASSERT_GE(text.size(), tail.size());
  EXPECT_EQ(text.substr(text.size() - tail.size()), tail);
}

TEST(MtrText, TwoRounds_DiscoveryLinesThenEthrTable) {
  auto r = seed("10.200.0.4", Ipv4Address{0x0ac80004}, 92'622'000, 97'924'000, 184'002'000);
  r.params.mode = TraceMode::Mtr;
  r.probes.resize(4);  // drop the TTL 5 probe: round 2 only probes up to the target
  const Ipv4Address ergw{0x0a00c80c}, nva{0x0a000004}, target{0x0ac80004};
  r.probes.push_back(rec(1, 4, ReplyKind::TimeExceeded, ergw, 90 * kMs, 1));
  r.probes.push_back(rec(2, 5, std::nullopt, nva, 0, 1));
  r.probes.push_back(rec(3, 6, std::nullopt, {}, 0, 1));
  r.probes.push_back(rec(4, 7, ReplyKind::SynAck, target, 186 * kMs, 1));
  const std::string expected =
      "Using destination: 10.200.0.4, ip: 10.200.0.4, port: 22\n"
      "Tracing route to 10.200.0.4 over 30 hops:\n"
      " 1.|--10.0.200.12 []\n"
      " 2.|--10.0.0.4 []\n"
      " 3.|--???\n"
      " 4.|--10.200.0.4 []\n"
      "- - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - \n"
      "Host: 10.200.0.4                                  Sent    Recv        Last         Avg        Best        Wrst\n"
      " 1.|--10.0.200.12                                    2       2    90.000ms    91.311ms    90.000ms    92.622ms\n"
      " 2.|--10.0.0.4                                       2       1    97.924ms    97.924ms    97.924ms    97.924ms\n"
      " 3.|--???                                            -       -           -           -           -           -\n"
      " 4.|--10.200.0.4                                     2       2   186.000ms   185.001ms   184.002ms   186.000ms\n";
  EXPECT_EQ(format_text(r), expected);
}

TEST(TraceJson, SeedTrace_SchemaFieldsAndPerProbeDetail) {
  const auto r = seed("10.200.0.4", Ipv4Address{0x0ac80004}, 92'622'000, 97'924'000, 184'002'000);
  const auto j = format_json(r);
  EXPECT_EQ(j["schema"], "hairpin.trace/1");
  EXPECT_EQ(j["target_ip"], "10.200.0.4");
  EXPECT_EQ(j["port"], 22);
  EXPECT_EQ(j["mode"], "tr");
  EXPECT_EQ(j["reached"], true);
  EXPECT_EQ(j["final_ttl"], 4);
  EXPECT_EQ(j["nonce"], 0xbeef);
  ASSERT_EQ(j["hops"].size(), 4u);
  const auto& h1 = j["hops"][0];
  EXPECT_EQ(h1["ttl"], 1);
  EXPECT_EQ(h1["responder"], "10.0.200.12");
  EXPECT_DOUBLE_EQ(h1["rtt_ms"]["last"].get<double>(), 92.622);
  const auto& p1 = h1["probes"][0];
  EXPECT_EQ(p1["id"], 0);
  EXPECT_EQ(p1["reply"], "time-exceeded");
  EXPECT_EQ(p1["tcp_seq"], 0xbeef0000u);
  EXPECT_EQ(p1["ip_id"], 0x0100);
  EXPECT_EQ(p1["quoted_ttl"], 1);
  EXPECT_EQ(p1["quoted_tos"], 0);
  EXPECT_EQ(p1["icmp"]["type"], 11);
  EXPECT_EQ(p1["send_time_source"], "wire");
  const auto& h3 = j["hops"][2];
  EXPECT_TRUE(h3["responder"].is_null());
  EXPECT_TRUE(h3["probes"][0]["reply"].is_null());
  EXPECT_TRUE(h3["probes"][0]["rtt_ms"].is_null());
  EXPECT_EQ(h3["loss_pct"], 100.0);
  EXPECT_EQ(j["hops"][3]["probes"][0]["reply"], "syn-ack");
}

TEST(TraceJson, ResolvedName_AppearsInTextAndJson) {
  auto r = seed("10.200.0.4", Ipv4Address{0x0ac80004}, 92'622'000, 97'924'000, 184'002'000);
  r.names[0x0a000004] = "vm-hub00";
  EXPECT_NE(format_text(r).find(" 2.|--10.0.0.4 [vm-hub00]  "), std::string::npos);
  EXPECT_EQ(format_json(r)["hops"][1]["name"], "vm-hub00");
}

TEST(EthrText, SecondAddressAtAHop_ListedUnderTheFirstWithoutHopNumber) {
  TraceResult r;
  r.run = RunIdentity{Ipv4Address{0x0a640004}, Ipv4Address{0x0ac80004}, 22, {40000, 40001}, 1};
  r.params.target_name = "10.200.0.4";
  auto second = rec(1, 1, ReplyKind::TimeExceeded, Ipv4Address{0x0a00c80d}, 3 * kMs);
  second.spec.flow = 1;
  r.probes = {rec(1, 0, ReplyKind::TimeExceeded, Ipv4Address{0x0a00c80c}, 2 * kMs), second,
              rec(2, 2, ReplyKind::Rst, Ipv4Address{0x0ac80004}, 4 * kMs)};
  const std::string text = format_text(r);
  const std::string want = std::string(" 1.|--10.0.200.12 []") + std::string(56, ' ') + " 2.000ms\n" +
                           "   |--10.0.200.13 []" + std::string(56, ' ') + " 3.000ms\n" + " 2.|--10.200.0.4 []";
  EXPECT_NE(text.find(want), std::string::npos) << text;
}

}  // namespace
}  // namespace hairpin::probes
