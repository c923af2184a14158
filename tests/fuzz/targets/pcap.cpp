// fuzz_pcap: the capture reader and the NVA analysis (probes/pcap_file.hpp,
// pcap_analysis.hpp), from memory: parse_pcap takes the file's bytes.
//
// Input: octet 0 options: bit 0 the NVA's IP is given (10.0.0.4), bit 1 its MAC
// (02:00:0a:00:00:04, the crafted fixtures'), bit 2 a trace follows: octets 1-2 its
// length N (big-endian), then N octets of `hairpin trace --json` (parse_trace_json
// is fuzzed with it); the rest is the capture file.
// Invariants:
//  - parse_pcap and analyze_capture return results, never throw;
//  - a classic-pcap rewrite of what was read (one link type, timestamps a pcap
//    record can hold) reads back to the same frames, with no issues;
//  - the analysis counts every frame once, pairs no more copies than entered and
//    reports one probe line per trace probe;
//  - both reports (text, JSON) are made and the JSON serialises (no invalid UTF-8
//    from the file reaching a JSON string).

#include <nlohmann/json.hpp>

#include "fuzz_target.hpp"
#include "hairpin/probes/pcap_analysis.hpp"
#include "hairpin/probes/pcap_file.hpp"

namespace hairpin::fuzz {
namespace {

using namespace hairpin::probes;

Finding check_rewrite(const PcapFile& f) {
  if (f.frames.empty()) return {};
  const std::uint32_t link = f.frames[0].link_type;
  for (const auto& fr : f.frames) {
    if (fr.link_type != link || link > 0x0fffffff || fr.ts_ns < 0 ||
        fr.ts_ns / 1'000'000'000 > std::int64_t{0xffffffff} || fr.bytes.size() > 262144)
      return {};  // not representable in one classic pcap file
  }
  Bytes out = pcap_file_header(link, 262144, true);
  for (const auto& fr : f.frames) {
    auto r = pcap_record(fr.ts_ns, fr.orig_len, fr.bytes, true);
    out.insert(out.end(), r.begin(), r.end());
  }
  const auto back = parse_pcap(out, "rewritten.pcap");
  HAIRPIN_FUZZ_CHECK(back.ok(), "our own pcap does not read back");
  HAIRPIN_FUZZ_CHECK(back->issues.truncated_records == 0 && back->issues.corrupt_records == 0,
                     "our own pcap reads back with issues: " + back->issues.first_problem);
  HAIRPIN_FUZZ_CHECK(back->frames.size() == f.frames.size(), "our own pcap reads back a different frame count");
  for (std::size_t i = 0; i < f.frames.size(); ++i) {
    const auto &a = f.frames[i], &b = back->frames[i];
    HAIRPIN_FUZZ_CHECK(a.link_type == b.link_type && a.ts_ns == b.ts_ns && a.orig_len == b.orig_len && a.bytes == b.bytes,
                       "frame " + std::to_string(i) + " differs after a rewrite");
  }
  return {};
}

}  // namespace

Finding fuzz_pcap(std::span<const std::uint8_t> input) {
  if (input.empty()) return {};
  const std::uint8_t opts = input[0];
  auto rest = input.subspan(1);
  AnalysisOptions o;
  if (opts & 1) o.nva_ip = Ipv4Address::parse("10.0.0.4");
  if (opts & 2) o.nva_mac = parse_mac("02:00:0a:00:00:04");
  if (opts & 4) {
    if (rest.size() < 2) return {};
    const std::size_t n = std::size_t{rest[0]} << 8 | rest[1];
    if (rest.size() - 2 < n) return {};
    const auto doc = nlohmann::json::parse(rest.begin() + 2, rest.begin() + 2 + static_cast<std::ptrdiff_t>(n), nullptr,
                                           /*allow_exceptions=*/false);
    rest = rest.subspan(2 + n);
    if (!doc.is_discarded()) {
      auto trace = parse_trace_json(doc, "fuzz.trace.json");
      if (trace) o.traces.push_back(std::move(*trace));
    }
  }
  const auto file = parse_pcap(rest, "fuzz.pcap");
  if (!file) return {};
  if (auto f = check_rewrite(*file)) return f;
  const auto a = analyze_capture(*file, o, "fuzz.pcap");
  if (!a) return {};
  HAIRPIN_FUZZ_CHECK(a->frames.total == file->frames.size(), "the analysis did not count every frame");
  std::uint64_t by_link = 0;
  for (const auto& [link, n] : a->link_types) by_link += n;
  HAIRPIN_FUZZ_CHECK(by_link == a->frames.total, "frames by link type do not add up");
  for (const auto& d : a->directions) {
    HAIRPIN_FUZZ_CHECK(d.packets_out <= d.packets_in, "more copies paired than entered");
    HAIRPIN_FUZZ_CHECK(d.flows_out <= d.flows_in, "more flows left than entered");
  }
  HAIRPIN_FUZZ_CHECK(a->traces.size() == o.traces.size(), "not one trace report per trace");
  for (std::size_t i = 0; i < a->traces.size(); ++i) {
    HAIRPIN_FUZZ_CHECK(a->traces[i].probes.size() == o.traces[i].probes.size(), "not one report per probe");
    HAIRPIN_FUZZ_CHECK(a->traces[i].reached_proven <= a->traces[i].reached, "more probes proven than reached");
  }
  (void)format_analysis_text(*a);
  (void)format_analysis_json(*a).dump();
  return {};
}

std::vector<Seed> seeds_pcap(const std::string& fixtures) {
  std::vector<Seed> out;
  std::vector<std::string> files = files_in(fixtures + "/pcap");
  for (const auto& f : files_in(fixtures + "/probes")) files.push_back(f);
  files.push_back(fixtures + "/bgp/bird-frr.pcap");
  files.push_back(fixtures + "/gather/seed-frr/capture.pcap");
  for (const auto& f : files) {
    if (!f.ends_with(".pcap") && !f.ends_with(".pcapng")) continue;
    const Bytes pcap = read_bytes(f);
    if (pcap.empty()) continue;
    const std::string name = f.substr(f.rfind('/') + 1);
    const std::uint8_t plain = 0, given = 3;
    out.push_back({name, concat({std::span(&plain, 1), pcap})});
    out.push_back({name + "-given", concat({std::span(&given, 1), pcap})});
    // With its trace, where the fixture has one (crafted_hairpin.trace.json...).
    std::string trace_path = f.substr(0, f.rfind('.')) + ".trace.json";
    if (f.ends_with(".pcap") && f.find("netns_synack") != std::string::npos) trace_path = f.substr(0, f.rfind('.')) + ".json";
    const Bytes trace = read_bytes(trace_path);
    if (!trace.empty() && trace.size() < 65536) {
      const std::uint8_t opts[3] = {7, static_cast<std::uint8_t>(trace.size() >> 8),
                                    static_cast<std::uint8_t>(trace.size() & 0xff)};
      out.push_back({name + "-trace", concat({opts, trace, pcap})});
    }
  }
  return out;
}

}  // namespace hairpin::fuzz
