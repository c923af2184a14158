#include "hairpin/verifier/model/expectations.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "seed_text.hpp"

using namespace hairpin::verifier;

namespace {

Expectations seed_expectations() {
  auto t = load_topology(seed_path());
  EXPECT_TRUE(t.ok()) << t.error().to_string();
  return deployment_expectations(t.value());
}

bool has_session(const Expectations& e, const std::string& a, const std::string& b) {
  return std::any_of(e.sessions.begin(), e.sessions.end(),
                     [&](const SessionExpectation& s) { return s.a == a && s.b == b; });
}

int routes_at(const Expectations& e, const std::string& node, const std::string& prefix) {
  return static_cast<int>(std::count_if(e.routes.begin(), e.routes.end(), [&](const RouteExpectation& r) {
    return r.node == node && r.prefix.to_string() == prefix;
  }));
}

}  // namespace

TEST(Expectations, Seed_EverySessionOfTheDesign) {
  auto e = seed_expectations();
  EXPECT_EQ(e.sessions.size(), 6u);
  EXPECT_TRUE(has_session(e, "ergw", "vm-hub100"));
  EXPECT_TRUE(has_session(e, "ergw", "vm-hub200"));
  EXPECT_TRUE(has_session(e, "ergw", "ars0"));
  EXPECT_TRUE(has_session(e, "ergw", "ars1"));
  EXPECT_TRUE(has_session(e, "ars0", "vm-hub00"));
  EXPECT_TRUE(has_session(e, "ars1", "vm-hub00"));
  EXPECT_FALSE(has_session(e, "vm-hub100", "vm-hub200"));  // no site peers another
}

TEST(Expectations, Seed_SupernetAndVnetAtBothSites_SitePrefixesAtTheNva) {
  auto e = seed_expectations();
  for (const auto* site : {"vm-hub100", "vm-hub200"}) {
    EXPECT_EQ(routes_at(e, site, "10.0.0.0/8"), 1) << site;
    EXPECT_EQ(routes_at(e, site, "10.0.0.0/16"), 1) << site;
  }
  EXPECT_EQ(routes_at(e, "vm-hub00", "10.100.0.0/16"), 1);
  EXPECT_EQ(routes_at(e, "vm-hub00", "10.200.0.0/16"), 1);
  // No transit: a site is never expected to hold the other site's prefix.
  EXPECT_EQ(routes_at(e, "vm-hub100", "10.200.0.0/16"), 0);
  EXPECT_EQ(e.routes.size(), 6u);
}

TEST(Expectations, Seed_HopPatternBothWays_IsTheSeedsEthrTrace) {
  auto e = seed_expectations();
  ASSERT_EQ(e.paths.size(), 2u);
  EXPECT_EQ(e.paths[0].from, "vm-hub100");
  EXPECT_EQ(e.paths[0].to, "vm-hub200");
  EXPECT_EQ(e.paths[0].destination.to_string(), "10.200.0.4");
  EXPECT_EQ(e.paths[0].to_string(), "10.0.200.12 10.0.0.4 * 10.200.0.4");
  EXPECT_EQ(e.paths[1].from, "vm-hub200");
  EXPECT_EQ(e.paths[1].to_string(), "10.0.200.12 10.0.0.4 * 10.100.0.4");
}

TEST(Expectations, FollowTheTopology_NotTheSeedsNumbers) {
  // The NVA moved to 10.0.0.9, and the UDRs with it.
  auto text = seed_text();
  for (auto at = text.find("10.0.0.4}"); at != std::string::npos; at = text.find("10.0.0.4}", at))
    text.replace(at, 9, "10.0.0.9}");
  auto t = parse_topology(text, "moved-nva.yaml");
  ASSERT_TRUE(t.ok()) << t.error().to_string();
  auto e = deployment_expectations(t.value());
  ASSERT_FALSE(e.paths.empty());
  EXPECT_EQ(e.paths[0].to_string(), "10.0.200.12 10.0.0.9 * 10.200.0.4");
}
