// Differential check against real FRR: fixtures/bgp/frr-seed-policy.tsv holds
// what FRR 8.4 decided for each AS path with the seed config's as-path lists and
// route-maps (recorded by fixtures/bgp/frr_policy_diff.sh with BIRD as the
// peers). Our policy, parsed from the same seed config, must decide the same.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "hairpin/bgpd/config/config.hpp"
#include "hairpin/bgpd/wire/message_codec.hpp"
#include "hex.hpp"

namespace hairpin::bgpd {
namespace {

struct Recorded {
  std::string direction, path, verdict;
};

std::vector<Recorded> load() {
  std::ifstream in(HAIRPIN_FIXTURES_DIR "/bgp/frr-seed-policy.tsv");
  EXPECT_TRUE(in.good());
  std::vector<Recorded> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    Recorded r;
    std::getline(fields, r.direction, '\t');
    std::getline(fields, r.path, '\t');
    std::getline(fields, r.verdict, '\t');
    out.push_back(r);
  }
  return out;
}

NvaConfig seed() {
  std::ifstream in(HAIRPIN_FIXTURES_DIR "/configs/nva-seed.frr");
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = parse_frr_config(text.str(), "nva-seed.frr");
  EXPECT_TRUE(parsed.ok());
  return parsed->config;
}

// The route as our NVA would see it: encoded as the peer would send it and
// decoded by the codec, so RFC 7607 (AS 0) applies exactly as on the wire.
std::optional<PathAttributes> received(const std::string& path_text) {
  AsPath path{{AsSegment{SegmentType::AsSequence, {}}}};
  std::istringstream words(path_text);
  std::uint64_t asn;
  while (words >> asn) path.segments[0].asns.push_back(static_cast<std::uint32_t>(asn));
  Update u;
  u.attributes.origin = Origin::Igp;
  u.attributes.as_path = path;
  u.attributes.next_hop = test::ip("10.99.1.1");
  u.nlri = {test::pfx("172.16.0.0/24")};
  auto decoded = decode_update(encode_update_body(u, CodecContext{}), CodecContext{});
  if (!decoded.ok() || decoded->nlri.empty()) return std::nullopt;  // treat-as-withdraw
  return decoded->attributes;
}

TEST(FrrRecordedVerdicts, SeedPolicy_SameVerdictAsFrrForEveryRecordedPath) {
  auto cfg = seed();
  auto rows = load();
  ASSERT_GT(rows.size(), 20u);
  for (const auto& row : rows) {
    auto attrs = received(row.path);
    std::string ours = "deny";
    if (attrs) {
      const char* map = row.direction == "in" ? "rmap-bogon-asns" : "rmap-azure-asns";
      auto result = apply_route_map(cfg.policy, map, test::pfx("172.16.0.0/24"), *attrs, {});
      ours = result.action == FilterAction::Permit ? "permit" : "deny";
    }
    EXPECT_EQ(ours, row.verdict) << row.direction << " '" << row.path << "'";
  }
}

TEST(FrrRecordedVerdicts, RecordingCoversBothVerdictsBothWays) {
  int in_permit = 0, in_deny = 0, out_permit = 0, out_deny = 0;
  for (const auto& r : load()) {
    bool permit = r.verdict == "permit";
    if (r.direction == "in") (permit ? in_permit : in_deny)++;
    else (permit ? out_permit : out_deny)++;
  }
  EXPECT_GT(in_permit, 0);
  EXPECT_GT(in_deny, 0);
  EXPECT_GT(out_permit, 0);
  EXPECT_GT(out_deny, 0);
}

}  // namespace
}  // namespace hairpin::bgpd
