// fuzz_reply_match: the trace reply matcher (probes/reply_match.hpp) on captured
// packets, with the run identity taken from the input.
//
// Input: octets 0-11 the run (source, target, target port, nonce; big-endian),
// octet 12 the number of flows F (1..4, taken mod 4 + 1), then F source ports;
// then one octet for the link layer (0: the rest is an IPv4 packet; 1-5: a frame of
// EN10MB, LINUX_SLL, LINUX_SLL2, RAW, IPV4 that network_layer() must strip).
// Invariants:
//  - classify_reply/classify_sent never throw, and match_reply/match_sent agree
//    with them;
//  - a match names a flow of the run, a quote no longer than the packet, and a
//    probe whose stamp (stamp_probe) maps back to the same index and flow;
//  - a sent probe's stamp is exactly what the packet carries (IP ID, TCP seq,
//    source port);
//  - network_layer returns bytes inside the frame.

#include <fstream>

#include "fuzz_target.hpp"
#include "hairpin/common/packet_decode.hpp"
#include "hairpin/probes/reply_match.hpp"

namespace hairpin::fuzz {
namespace {

using namespace hairpin::probes;

std::uint32_t be(std::span<const std::uint8_t> b, std::size_t at, std::size_t n) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v = v << 8 | b[at + i];
  return v;
}

Finding check_ip(std::span<const std::uint8_t> ip, const RunIdentity& run) {
  const auto reply = classify_reply(ip, run);
  const auto matched = match_reply(ip, run);
  if (const auto* m = std::get_if<Match>(&reply)) {
    HAIRPIN_FUZZ_CHECK(matched && matched->probe_index == m->probe_index && matched->flow == m->flow &&
                           matched->kind == m->kind,
                       "match_reply disagrees with classify_reply");
    HAIRPIN_FUZZ_CHECK(m->flow < run.source_ports.size(), "a reply matched to a flow the run does not have");
    HAIRPIN_FUZZ_CHECK(m->quote_length <= ip.size(), "a quote longer than the packet");
    HAIRPIN_FUZZ_CHECK(ip.size() >= 20 && m->responder.value == be(ip, 12, 4), "the responder is not the packet's source");
    const auto stamp = stamp_probe(run, ProbeSpec{m->sent_ttl.value_or(1), m->probe_index, m->flow});
    HAIRPIN_FUZZ_CHECK(index_from_seq(run, stamp.tcp_seq) == m->probe_index, "the matched probe's stamp maps elsewhere");
    (void)to_string(m->kind);
  } else {
    HAIRPIN_FUZZ_CHECK(!matched, "match_reply matched what classify_reply rejected");
    (void)to_string(std::get<Reject>(reply));
  }
  const auto sent = classify_sent(ip, run);
  const auto sent_matched = match_sent(ip, run);
  if (const auto* s = std::get_if<SentProbe>(&sent)) {
    HAIRPIN_FUZZ_CHECK(sent_matched && sent_matched->probe_index == s->probe_index && sent_matched->flow == s->flow &&
                           sent_matched->ttl == s->ttl,
                       "match_sent disagrees with classify_sent");
    HAIRPIN_FUZZ_CHECK(s->flow < run.source_ports.size(), "a sent probe on a flow the run does not have");
    const std::size_t ihl = std::size_t{ip[0] & 0x0fu} * 4;
    HAIRPIN_FUZZ_CHECK(ip.size() >= ihl + 8, "a sent probe without a TCP header");
    const auto stamp = stamp_probe(run, ProbeSpec{s->ttl, s->probe_index, s->flow});
    HAIRPIN_FUZZ_CHECK(stamp.ip_id == be(ip, 4, 2), "a sent probe whose IP ID is not its stamp");
    HAIRPIN_FUZZ_CHECK(stamp.source_port == be(ip, ihl, 2), "a sent probe whose source port is not its flow's");
    HAIRPIN_FUZZ_CHECK(stamp.tcp_seq == be(ip, ihl + 4, 4), "a sent probe whose sequence number is not its stamp");
  } else {
    HAIRPIN_FUZZ_CHECK(!sent_matched, "match_sent matched what classify_sent rejected");
  }
  return {};
}

}  // namespace

Finding fuzz_reply_match(std::span<const std::uint8_t> input) {
  if (input.size() < 13) return {};
  RunIdentity run;
  run.source = Ipv4Address{be(input, 0, 4)};
  run.target = Ipv4Address{be(input, 4, 4)};
  run.target_port = static_cast<std::uint16_t>(be(input, 8, 2));
  run.nonce = static_cast<std::uint16_t>(be(input, 10, 2));
  const std::size_t flows = input[12] % 4 + 1;
  if (input.size() < 13 + 2 * flows + 1) return {};
  for (std::size_t f = 0; f < flows; ++f) run.source_ports.push_back(static_cast<std::uint16_t>(be(input, 13 + 2 * f, 2)));
  const std::uint8_t link = input[13 + 2 * flows];
  const auto packet = input.subspan(14 + 2 * flows);
  if (link == 0) return check_ip(packet, run);
  static constexpr std::uint32_t kLinks[] = {kLinkEthernet, kLinkLinuxSll, kLinkLinuxSll2, kLinkRaw, kLinkIpv4};
  const int dlt = static_cast<int>(kLinks[(link - 1) % 5]);
  const auto ip = network_layer(dlt, packet);
  if (!ip) return {};
  HAIRPIN_FUZZ_CHECK(ip->data() >= packet.data() && ip->data() + ip->size() <= packet.data() + packet.size(),
                     "network_layer points outside the frame");
  return check_ip(*ip, run);
}

std::vector<Seed> seeds_reply_match(const std::string& fixtures) {
  // The run every replies.hex packet answers (tests/unit/probes/reply_match_test.cpp):
  // 10.100.0.4 -> 10.200.0.4:22, source port 40000, nonce 0xbeef.
  const Bytes run = {10, 100, 0, 4, 10, 200, 0, 4, 0, 22, 0xbe, 0xef, 0, 0x9c, 0x40, 0};
  std::vector<Seed> out;
  std::ifstream in(fixtures + "/probes/replies.hex");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.find(' ');
    if (space == std::string::npos) continue;
    out.push_back({line.substr(0, space), concat({run, from_hex(std::string_view(line).substr(space + 1))})});
  }
  // One in an Ethernet frame, for network_layer.
  if (!out.empty()) {
    Bytes frame = run;
    frame.back() = 1;
    const Bytes ether = {2, 0, 10, 100, 0, 4, 2, 0, 10, 0, 0, 4, 0x08, 0x00};
    frame.insert(frame.end(), ether.begin(), ether.end());
    frame.insert(frame.end(), out.front().bytes.begin() + static_cast<std::ptrdiff_t>(run.size()), out.front().bytes.end());
    out.push_back({"ethernet-" + out.front().name, frame});
  }
  return out;
}

}  // namespace hairpin::fuzz
