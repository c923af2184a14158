// Real sessions between BIRD 2 and FRR (fixtures/bgp/bird-frr.messages, cut from
// bird-frr.pcap): every message must decode cleanly under the capabilities its
// session negotiated, survive encode->decode unchanged, and carry what the
// capture script configured.

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "hairpin/bgpd/wire/message_codec.hpp"
#include "hex.hpp"

namespace hairpin::bgpd {
namespace {

struct Captured {
  std::string from, to;
  Bytes bytes;
  CodecContext ctx;
};

// Reads the fixture and works out each session's 4-octet AS state from its OPENs.
std::vector<Captured> load() {
  std::ifstream in(HAIRPIN_FIXTURES_DIR "/bgp/bird-frr.messages");
  EXPECT_TRUE(in.good()) << "missing fixtures/bgp/bird-frr.messages";
  std::vector<Captured> out;
  std::map<std::string, std::vector<bool>> four_octet;  // session -> per-OPEN capability
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    Captured c;
    std::string hex_text;
    fields >> c.from >> c.to >> hex_text;
    c.bytes = test::hex(hex_text);
    out.push_back(std::move(c));
  }
  auto session = [](const Captured& c) { return std::min(c.from, c.to) + "-" + std::max(c.from, c.to); };
  for (const auto& c : out) {
    auto decoded = decode_message(c.bytes, CodecContext{});
    if (decoded.ok() && std::holds_alternative<Open>(decoded.value()))
      four_octet[session(c)].push_back(std::get<Open>(decoded.value()).capabilities.four_octet_as.has_value());
  }
  for (auto& c : out) {
    const auto& opens = four_octet[session(c)];
    // RFC 6793 3: 4-octet ASes only when both sides announced the capability
    c.ctx.four_octet_as = opens.size() == 2 && opens[0] && opens[1];
    c.ctx.external_peer = true;
  }
  return out;
}

template <typename T>
std::vector<std::pair<Captured, T>> of_type(const std::vector<Captured>& all, const std::string& from) {
  std::vector<std::pair<Captured, T>> out;
  for (const auto& c : all) {
    if (c.from != from) continue;
    auto decoded = decode_message(c.bytes, c.ctx);
    if (decoded.ok() && std::holds_alternative<T>(decoded.value()))
      out.emplace_back(c, std::get<T>(decoded.value()));
  }
  return out;
}

std::optional<Update> announcing(const std::vector<Captured>& all, const std::string& from, const char* prefix) {
  for (auto& [c, u] : of_type<Update>(all, from))
    for (const auto& p : u.nlri)
      if (p == test::pfx(prefix)) return u;
  return std::nullopt;
}

TEST(CapturedMessages, EveryMessageDecodesWithoutErrors) {
  auto all = load();
  ASSERT_GT(all.size(), 40u);
  for (const auto& c : all) {
    auto decoded = decode_message(c.bytes, c.ctx);
    ASSERT_TRUE(decoded.ok()) << c.from << " -> " << c.to << ": " << decoded.error().to_string();
    EXPECT_TRUE(decoded.notes().empty()) << c.from << " -> " << c.to << ": " << decoded.notes()[0].to_string();
  }
}

TEST(CapturedMessages, ReencodedMessagesDecodeToTheSameValues) {
  for (const auto& c : load()) {
    auto first = decode_message(c.bytes, c.ctx);
    ASSERT_TRUE(first.ok());
    auto bytes = encode_message(first.value(), c.ctx);
    ASSERT_TRUE(bytes.ok());
    auto second = decode_message(bytes.value(), c.ctx);
    ASSERT_TRUE(second.ok()) << second.error().to_string();
    EXPECT_EQ(second.value(), first.value()) << c.from << " -> " << c.to;
  }
}

TEST(CapturedMessages, SessionsNegotiatedAsConfigured) {
  auto all = load();
  int four = 0, two = 0;
  for (const auto& c : all) (c.ctx.four_octet_as ? four : two)++;
  EXPECT_GT(four, 0);
  EXPECT_GT(two, 0);  // the "enable as4 off" session
}

TEST(CapturedMessages, FrrOpen_AdvertisesArsRelevantCapabilities) {
  auto opens = of_type<Open>(load(), "10.99.0.2");
  ASSERT_EQ(opens.size(), 1u);
  const Open& o = opens[0].second;
  EXPECT_EQ(o.speaker_as(), 65001u);
  EXPECT_EQ(o.hold_time, 180);
  EXPECT_TRUE(o.capabilities.route_refresh);
  EXPECT_TRUE(o.capabilities.enhanced_route_refresh);
  EXPECT_EQ(o.capabilities.multiprotocol, std::vector<AfiSafi>{AfiSafi{}});
  EXPECT_FALSE(o.capabilities.other.empty());  // extended message, graceful restart, add-path, FQDN...
}

TEST(CapturedMessages, BirdOldSpeakerOpen_HasNoFourOctetCapability) {
  auto opens = of_type<Open>(load(), "10.99.0.3");
  ASSERT_EQ(opens.size(), 1u);
  EXPECT_FALSE(opens[0].second.capabilities.four_octet_as.has_value());
  EXPECT_EQ(opens[0].second.my_as, 65516);
}

TEST(CapturedMessages, BirdUpdate_CarriesCommunitiesAndLargeCommunities) {
  auto u = announcing(load(), "10.99.0.1", "10.100.0.0/16");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->attributes.as_path->to_string(), "65515");
  EXPECT_EQ(u->attributes.communities, (std::vector<std::uint32_t>{(65515u << 16) | 100, 0xFFFFFF01u}));
  EXPECT_EQ(u->attributes.large_communities, std::vector<LargeCommunity>{(LargeCommunity{65515, 1, 2})});
  EXPECT_EQ(u->attributes.next_hop, test::ip("10.99.0.1"));
}

TEST(CapturedMessages, BirdUpdate_MedAndPrependedPath) {
  auto u = announcing(load(), "10.99.0.1", "192.0.2.0/24");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->attributes.med, 50u);
  EXPECT_EQ(u->attributes.as_path->to_string(), "65515 65100");
}

TEST(CapturedMessages, FourOctetAsThroughTwoOctetSession_MergedFromAs4Path) {
  auto all = load();
  // BIRD -> FRR over the 2-octet session: AS_PATH has AS_TRANS, AS4_PATH the truth.
  auto from_bird = announcing(all, "10.99.0.3", "10.200.0.0/16");
  ASSERT_TRUE(from_bird.has_value());
  EXPECT_EQ(from_bird->attributes.as_path->to_string(), "65516 12076 131072");
  // FRR -> BIRD over the same session, the other direction.
  auto from_frr = announcing(all, "10.99.0.4", "10.200.0.0/16");
  ASSERT_TRUE(from_frr.has_value());
  EXPECT_EQ(from_frr->attributes.as_path->to_string(), "65001 65515 12076 131072");
}

TEST(CapturedMessages, FrrAdvertisesSupernetToArs) {
  auto u = announcing(load(), "10.99.0.2", "10.0.0.0/8");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->attributes.as_path->to_string(), "65001");
  EXPECT_EQ(u->attributes.origin, Origin::Igp);
  EXPECT_EQ(u->attributes.med, 0u);
}

TEST(CapturedMessages, RouteRefresh_NormalRequestAndEnhancedDemarcation) {
  auto all = load();
  auto from_frr = of_type<RouteRefresh>(all, "10.99.0.2");
  auto from_bird = of_type<RouteRefresh>(all, "10.99.0.1");
  auto has = [](const auto& list, RouteRefreshSubtype s) {
    for (const auto& [c, rr] : list)
      if (rr.subtype == s && rr.afi_safi == AfiSafi{}) return true;
    return false;
  };
  EXPECT_TRUE(has(from_frr, RouteRefreshSubtype::Normal));
  EXPECT_TRUE(has(from_bird, RouteRefreshSubtype::Normal));
  EXPECT_TRUE(has(from_bird, RouteRefreshSubtype::BeginningOfRouteRefresh));
  EXPECT_TRUE(has(from_bird, RouteRefreshSubtype::EndOfRouteRefresh));
}

TEST(CapturedMessages, BirdWithdrawal_And_EndOfRib) {
  auto updates = of_type<Update>(load(), "10.99.0.1");
  bool withdrew = false, eor = false;
  for (const auto& [c, u] : updates) {
    if (u.withdrawn == std::vector<Ipv4Prefix>{test::pfx("198.51.100.0/24")}) withdrew = true;
    if (u.is_end_of_rib()) eor = true;
  }
  EXPECT_TRUE(withdrew);
  EXPECT_TRUE(eor);
}

TEST(CapturedMessages, BirdShutdown_CeaseWithMessage) {
  auto notifications = of_type<Notification>(load(), "10.99.0.1");
  ASSERT_EQ(notifications.size(), 1u);
  const auto& n = notifications[0].second;
  EXPECT_EQ(n.code, ErrorCode::Cease);
  EXPECT_EQ(n.subcode, 2);  // Administrative Shutdown
  // RFC 9003 2: length octet, then the UTF-8 message
  EXPECT_EQ(std::string(n.data.begin() + 1, n.data.end()), "maintenance");
}

}  // namespace
}  // namespace hairpin::bgpd
