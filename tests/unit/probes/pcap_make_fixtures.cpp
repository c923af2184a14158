// Writes the crafted pcap fixtures under fixtures/pcap/ (not a test; run it to
// rebuild them: build/tests/unit/probes/pcap_make_fixtures fixtures/pcap).
//
// Packets are built with libtins; trace probes are stamped with probe_identity, the
// code `hairpin trace` stamps with. The story (the seed lab's NVA, one NIC):
//   NVA 10.0.0.4 / 02:00:0a:00:00:04, Azure's gateway MAC 12:34:56:78:9a:bc.
//   Trace 10.100.0.4:40001 -> 10.200.0.4:22, nonce 0x1234, TTL 1..4: TTL 1 dies at the
//   ERGW (never seen), TTL 2 arrives with 1 and expires (the NVA answers ICMP time
//   exceeded), TTL 3 arrives with 2 and leaves with 1, TTL 4 arrives with 3 and
//   leaves with 2; the SYN-ACK comes back through (63 in, 62 out).
//   A NAT'd flow 10.100.0.5:40100 -> 10.200.0.4:22 leaves as dport 2222, DSCP 46,
//   MSS 1360 (from 1460); a second SYN of it never leaves.
//   BGP from ARS to the NVA (to_nva), an ARP reply from the NVA, and a frame between
//   two other MACs (not via the NVA).
// Expected counts are asserted in pcap_analysis_test.cpp and cross-checked with tshark.

#include <cstdint>
#include <cstring>
#include <fstream>
#include <optional>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <tins/tins.h>

#include "hairpin/probes/pcap_file.hpp"
#include "hairpin/probes/probe_identity.hpp"

namespace hp = hairpin::probes;

namespace {

const Tins::HWAddress<6> kNva("02:00:0a:00:00:04");
const Tins::HWAddress<6> kGw("12:34:56:78:9a:bc");
const Tins::HWAddress<6> kOther1("02:00:0a:00:d2:04");
const Tins::HWAddress<6> kOther2("02:00:0a:00:d2:05");
const Tins::HWAddress<6> kSecondRouter("02:00:0a:00:00:0c");
constexpr std::int64_t kT0 = 1'764'000'000'000'000'000;  // 2025-11-24, ns

enum class Way { In, Out, Neither };

struct Pkt {
  std::int64_t ts_ns;
  Way way;
  std::vector<std::uint8_t> l3;  // from the IP header (or ARP) on
  std::uint16_t ethertype = 0x0800;
  std::uint32_t cut = 0;        // captured length of the whole frame (0 = all)
  Tins::HWAddress<6> src_mac = kGw, dst_mac = kNva;  // for Way::Neither / custom
};

std::vector<std::uint8_t> tcp_syn(const std::string& src, const std::string& dst, std::uint16_t sport,
                                  std::uint16_t dport, std::uint8_t ttl, std::uint16_t ip_id, std::uint32_t seq,
                                  std::uint8_t tos, std::optional<std::uint16_t> mss, std::uint8_t flags = Tins::TCP::SYN,
                                  std::uint32_t ack = 0) {
  Tins::IP ip(dst, src);
  ip.ttl(ttl);
  ip.id(ip_id);
  ip.tos(tos);
  ip.flags(Tins::IP::DONT_FRAGMENT);
  Tins::TCP tcp(dport, sport);
  tcp.seq(seq);
  tcp.ack_seq(ack);
  tcp.flags(flags);
  tcp.window(64240);
  if (mss) tcp.mss(*mss);
  auto pkt = ip / tcp;
  return pkt.serialize();
}

std::vector<std::uint8_t> icmp_time_exceeded(const std::string& src, const std::string& dst,
                                             const std::vector<std::uint8_t>& quoted) {
  Tins::IP ip(dst, src);
  ip.ttl(64);
  ip.id(0x4242);
  Tins::ICMP icmp(Tins::ICMP::TIME_EXCEEDED);
  std::vector<std::uint8_t> q(quoted.begin(), quoted.begin() + std::min<std::size_t>(28, quoted.size()));
  auto pkt = ip / icmp / Tins::RawPDU(q);
  return pkt.serialize();
}

std::vector<std::uint8_t> with_ttl(std::vector<std::uint8_t> ip, std::uint8_t ttl) {
  Tins::IP p(ip.data(), static_cast<std::uint32_t>(ip.size()));
  p.ttl(ttl);
  return p.serialize();  // libtins recomputes the header checksum
}

std::vector<std::uint8_t> ethernet(const Pkt& p) {
  Tins::HWAddress<6> src = p.src_mac, dst = p.dst_mac;
  if (p.way == Way::In) { src = kGw; dst = kNva; }
  if (p.way == Way::Out) { src = kNva; dst = kGw; }
  std::vector<std::uint8_t> f;
  f.reserve(14 + p.l3.size());
  for (auto b : dst) f.push_back(b);
  for (auto b : src) f.push_back(b);
  f.push_back(static_cast<std::uint8_t>(p.ethertype >> 8));
  f.push_back(static_cast<std::uint8_t>(p.ethertype & 0xff));
  f.insert(f.end(), p.l3.begin(), p.l3.end());
  return f;
}

std::vector<std::uint8_t> ethernet_vlan(const Pkt& p, std::uint16_t vid) {
  auto f = ethernet(p);
  const std::uint8_t tag[4] = {0x81, 0x00, static_cast<std::uint8_t>(vid >> 8), static_cast<std::uint8_t>(vid & 0xff)};
  f.insert(f.begin() + 12, tag, tag + 4);
  return f;
}

// Linux cooked capture v1 (LINKTYPE_LINUX_SLL): 16 bytes, written by hand because
// libtins' SLL takes its protocol field from the PDU inside (none for raw bytes).
std::vector<std::uint8_t> cooked(const Pkt& p) {
  const std::uint16_t pkttype = p.way == Way::Out ? 4 : 0;  // PACKET_OUTGOING / PACKET_HOST
  const auto& mac = p.way == Way::Out ? kNva : kGw;
  std::vector<std::uint8_t> f = {0, static_cast<std::uint8_t>(pkttype), 0, 1 /* ARPHRD_ETHER */, 0, 6};
  f.insert(f.end(), mac.begin(), mac.end());
  f.push_back(0);
  f.push_back(0);
  f.push_back(static_cast<std::uint8_t>(p.ethertype >> 8));
  f.push_back(static_cast<std::uint8_t>(p.ethertype & 0xff));
  f.insert(f.end(), p.l3.begin(), p.l3.end());
  return f;
}

void write_file(const std::string& path, std::uint32_t link, std::uint32_t snaplen, bool nano,
                const std::vector<std::pair<std::int64_t, std::vector<std::uint8_t>>>& frames,
                const std::vector<std::uint32_t>& cuts = {}) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  auto h = hp::pcap_file_header(link, snaplen, nano);
  out.write(reinterpret_cast<const char*>(h.data()), static_cast<std::streamsize>(h.size()));
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const auto& [ts, bytes] = frames[i];
    std::size_t caplen = bytes.size();
    if (i < cuts.size() && cuts[i]) caplen = std::min<std::size_t>(caplen, cuts[i]);
    auto r = hp::pcap_record(ts, static_cast<std::uint32_t>(bytes.size()),
                             std::span<const std::uint8_t>(bytes.data(), caplen), nano);
    out.write(reinterpret_cast<const char*>(r.data()), static_cast<std::streamsize>(r.size()));
  }
  if (!out) throw std::runtime_error("cannot write " + path);
  std::cout << "wrote " << path << " (" << frames.size() << " frames)\n";
}

std::vector<std::uint8_t> read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::vector<std::uint8_t>& b) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  std::cout << "wrote " << path << " (" << b.size() << " bytes)\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: pcap_make_fixtures DIR (fixtures/pcap)\n";
    return 2;
  }
  const std::string dir = argv[1];

  // The trace run, stamped exactly as hairpin trace stamps it.
  hp::RunIdentity run;
  run.source = hairpin::Ipv4Address{0x0a640004};
  run.target = hairpin::Ipv4Address{0x0ac80004};
  run.target_port = 22;
  run.source_ports = {40001};
  run.nonce = 0x1234;
  auto probe = [&](std::uint8_t ttl_sent, std::uint16_t index, std::uint8_t ttl_now) {
    const auto s = hp::stamp_probe(run, hp::ProbeSpec{ttl_sent, index, 0});
    return tcp_syn("10.100.0.4", "10.200.0.4", s.source_port, 22, ttl_now, s.ip_id, s.tcp_seq, 0, 1460);
  };
  const auto p1_in = probe(2, 1, 1);  // expires at the NVA
  const auto p2_in = probe(3, 2, 2);
  const auto p3_in = probe(4, 3, 3);
  const auto s3 = hp::stamp_probe(run, hp::ProbeSpec{4, 3, 0});
  const auto synack_in = tcp_syn("10.200.0.4", "10.100.0.4", 22, 40001, 63, 0, 0xabcd0000, 0, 1460,
                                 Tins::TCP::SYN | Tins::TCP::ACK, s3.tcp_seq + 1);
  const auto nat_in = tcp_syn("10.100.0.5", "10.200.0.4", 40100, 22, 62, 0x5151, 0x01020304, 0, 1460);
  const auto nat_out = tcp_syn("10.100.0.5", "10.200.0.4", 40100, 2222, 61, 0x5151, 0x01020304, 46 << 2, 1360);
  const auto lost_in = tcp_syn("10.100.0.5", "10.200.0.4", 40100, 22, 62, 0x5152, 0x01020304, 0, 1460);
  const auto bgp_in = tcp_syn("10.0.210.4", "10.0.0.4", 179, 33000, 64, 0x7777, 99, 0xc0, std::nullopt,
                              Tins::TCP::ACK | Tins::TCP::PSH, 1000);
  const auto other = tcp_syn("10.0.210.4", "10.0.210.5", 179, 33001, 64, 0x7778, 100, 0xc0, std::nullopt,
                             Tins::TCP::ACK, 1);
  auto arp = Tins::ARP::make_arp_reply("10.0.0.1", "10.0.0.4", kGw, kNva);
  const auto arp_bytes = arp.rfind_pdu<Tins::ARP>().serialize();

  std::vector<Pkt> story = {
      {kT0 + 0, Way::Out, arp_bytes, 0x0806},
      {kT0 + 1'000'000, Way::In, p1_in},
      {kT0 + 1'040'000, Way::Out, icmp_time_exceeded("10.0.0.4", "10.100.0.4", p1_in)},
      {kT0 + 1'100'000, Way::In, p2_in},
      {kT0 + 1'115'000, Way::Out, with_ttl(p2_in, 1)},  // 15 us inside
      {kT0 + 1'200'000, Way::In, p3_in},
      {kT0 + 1'225'000, Way::Out, with_ttl(p3_in, 2)},  // 25 us inside
      {kT0 + 2'000'000, Way::In, synack_in},
      {kT0 + 2'030'000, Way::Out, with_ttl(synack_in, 62)},  // 30 us inside
      {kT0 + 3'000'000, Way::In, nat_in},
      {kT0 + 3'050'000, Way::Out, nat_out},  // 50 us inside, rewritten
      {kT0 + 3'500'000, Way::In, lost_in},
      {kT0 + 4'000'000, Way::In, bgp_in},
      {kT0 + 4'100'000, Way::Neither, other, 0x0800, 0, kOther1, kOther2},
  };

  std::vector<std::pair<std::int64_t, std::vector<std::uint8_t>>> eth, sll;
  for (const auto& p : story) {
    eth.emplace_back(p.ts_ns, ethernet(p));
    if (p.way != Way::Neither) sll.emplace_back(p.ts_ns, cooked(p));
  }
  const std::string hairpin = dir + "/crafted_hairpin.pcap";
  write_file(hairpin, hp::kLinkEthernet, 262144, true, eth);
  write_file(dir + "/crafted_cooked.pcap", hp::kLinkLinuxSll, 262144, false, sll);

  // The trace's own JSON, as hairpin trace --json writes it (the fields analysis reads).
  nlohmann::json hops = nlohmann::json::array();
  const char* replies[] = {"time-exceeded", "time-exceeded", nullptr, "syn-ack"};
  for (int ttl = 1; ttl <= 4; ++ttl) {
    const auto s = hp::stamp_probe(run, hp::ProbeSpec{static_cast<std::uint8_t>(ttl), static_cast<std::uint16_t>(ttl - 1), 0});
    nlohmann::json pr{{"id", ttl - 1}, {"round", 0}, {"flow", 0}, {"source_port", 40001}, {"tcp_seq", s.tcp_seq},
                      {"ip_id", s.ip_id}, {"reply", replies[ttl - 1] ? nlohmann::json(replies[ttl - 1]) : nlohmann::json(nullptr)}};
    hops.push_back({{"ttl", ttl}, {"probes", nlohmann::json::array({pr})}});
  }
  nlohmann::json trace{{"schema", "hairpin.trace/1"}, {"target", "10.200.0.4"}, {"target_ip", "10.200.0.4"},
                       {"port", 22}, {"source_ip", "10.100.0.4"}, {"source_ports", {40001}},
                       {"nonce", run.nonce}, {"mode", "tr"}, {"reached", true}, {"final_ttl", 4}, {"hops", hops}};
  std::ofstream(dir + "/crafted_hairpin.trace.json") << trace.dump(2) << "\n";

  // 802.1Q tags, IPv6, snaplen-cut and cut-short frames; file snaplen 96.
  std::vector<std::pair<std::int64_t, std::vector<std::uint8_t>>> mixed;
  std::vector<std::uint32_t> cuts;
  mixed.emplace_back(kT0 + 1'200'000, ethernet_vlan(story[5], 100));  // tagged pair
  mixed.emplace_back(kT0 + 1'225'000, ethernet_vlan(story[6], 100));
  cuts.push_back(0);
  cuts.push_back(0);
  {
    Tins::IPv6 v6("fd00::2", "fd00::1");
    auto v6pkt = v6 / Tins::TCP(22, 40002);
    Pkt p{kT0 + 1'300'000, Way::In, v6pkt.serialize(), 0x86dd};
    mixed.emplace_back(p.ts_ns, ethernet(p));
    p.way = Way::Out;
    p.ts_ns += 10'000;
    mixed.emplace_back(p.ts_ns, ethernet(p));
    cuts.push_back(0);
    cuts.push_back(0);
  }
  mixed.emplace_back(kT0 + 2'000'000, ethernet(story[7]));  // SYN-ACK pair, cut after the TCP header
  mixed.emplace_back(kT0 + 2'030'000, ethernet(story[8]));
  cuts.push_back(14 + 20 + 20);
  cuts.push_back(14 + 20 + 20);
  mixed.emplace_back(kT0 + 2'500'000, ethernet(story[9]));  // cut inside the IPv4 header
  cuts.push_back(14 + 12);
  write_file(dir + "/crafted_vlan_ipv6_snaplen.pcap", hp::kLinkEthernet, 96, true, mixed, cuts);

  // A link type this analysis does not decode (802.11 radiotap): counted, no crash.
  std::vector<std::pair<std::int64_t, std::vector<std::uint8_t>>> radio;
  radio.emplace_back(kT0, std::vector<std::uint8_t>{0, 0, 8, 0, 0, 0, 0, 0, 0x80, 0});
  radio.emplace_back(kT0 + 1000, std::vector<std::uint8_t>{0, 0, 8, 0, 0, 0, 0, 0, 0x40, 0});
  write_file(dir + "/crafted_radiotap.pcap", 127, 65535, false, radio);

  // Two different MACs forward: the NVA cannot be learned, the user must say which.
  std::vector<std::pair<std::int64_t, std::vector<std::uint8_t>>> two;
  for (std::size_t i : {5u, 6u}) two.emplace_back(story[i].ts_ns, ethernet(story[i]));
  {
    Pkt in{kT0 + 5'000'000, Way::Neither, nat_in, 0x0800, 0, kGw, kSecondRouter};
    Pkt out{kT0 + 5'010'000, Way::Neither, with_ttl(nat_in, 61), 0x0800, 0, kSecondRouter, kGw};
    two.emplace_back(in.ts_ns, ethernet(in));
    two.emplace_back(out.ts_ns, ethernet(out));
  }
  write_file(dir + "/crafted_two_forwarders.pcap", hp::kLinkEthernet, 262144, true, two);

  // Damage: the hairpin file cut inside its last record, and one with a record header
  // whose caplen is nonsense (the 6th record).
  auto whole = read_all(hairpin);
  write_bytes(dir + "/crafted_truncated.pcap", std::vector<std::uint8_t>(whole.begin(), whole.end() - 10));
  std::size_t at = 24;
  for (int i = 0; i < 5; ++i) {
    std::uint32_t caplen;
    std::memcpy(&caplen, whole.data() + at + 8, 4);
    at += 16 + caplen;
  }
  const std::uint32_t bogus = 0x00ffffff;
  std::memcpy(whole.data() + at + 8, &bogus, 4);
  write_bytes(dir + "/crafted_corrupt.pcap", whole);
  return 0;
}
