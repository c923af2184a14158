// The lab NVA's config against its topology: the shipped configs fit the seed only;
// on any other topology `hairpin lab up` writes the same design for it, which the
// NVA's parser reads cleanly and lint finds nothing in.

#include <gtest/gtest.h>

#include "hairpin/bgpd/config/config.hpp"
#include "hairpin/bgpd/lint/config_lint.hpp"
#include "hairpin/common/file_io.hpp"
#include "hairpin/verifier/lab/nva_config_fit.hpp"
#include "seed_text.hpp"

namespace hairpin::verifier {
namespace {

std::string fixture(const std::string& relative) {
  auto text = read_whole_file(std::string(HAIRPIN_SOURCE_DIR) + "/fixtures/" + relative);
  EXPECT_TRUE(text.ok()) << relative;
  return text.ok() ? *text : "";
}

Topology topology(const std::string& relative) {
  auto t = parse_topology(fixture(relative), relative);
  EXPECT_TRUE(t.ok()) << t.error().to_string();
  return t.ok() ? *t : Topology{};
}

bgpd::ParsedConfig parsed(const std::string& text) {
  auto p = bgpd::parse_frr_config(text, "nva.conf");
  EXPECT_TRUE(p.ok()) << p.error().to_string() << "\n" << text;
  return p.ok() ? *p : bgpd::ParsedConfig{};
}

// As `hairpin lab up` reads a config (cli/lab_command.cpp, nva_config_facts).
NvaConfigFacts facts(const std::string& text) {
  NvaConfigFacts f;
  auto p = bgpd::parse_frr_config(text, "nva.conf");
  if (!p) {
    f.parse_error = p.error().to_string();
    return f;
  }
  if (const auto& bgp = p->config.bgp) {
    f.asn = bgp->asn;
    for (const auto& n : bgp->neighbors) f.neighbors.push_back({n.address, n.remote_as, n.shutdown});
    for (const auto& n : bgp->networks) f.networks.push_back(n.prefix);
  }
  return f;
}

bool any_says(const std::vector<std::string>& lines, const std::string& words) {
  for (const auto& l : lines)
    if (l.find(words) != std::string::npos) return true;
  return false;
}

TEST(NvaConfigFit, SeedTopology_GivesTheFixedConfig) {
  const auto written = nva_config_for_topology(topology("topologies/seed.yaml"));
  EXPECT_EQ(bgpd::print_frr_config(parsed(written).config),
            bgpd::print_frr_config(parsed(fixture("configs/nva-fixed.frr")).config));
}

TEST(NvaConfigFit, SeedTopology_LoTrapIsTheSeedsOwnConfig) {
  auto written = parsed(nva_config_with_lo_trap(topology("topologies/seed.yaml"))).config;
  auto seed = parsed(fixture("configs/nva-seed.frr")).config;
  EXPECT_EQ(seed.frr_version, "8.3.1");  // the one difference: the written config names no version
  seed.frr_version.reset();
  EXPECT_EQ(bgpd::print_frr_config(written), bgpd::print_frr_config(seed));
}

TEST(NvaConfigFit, ShippedConfigsFitTheSeedOnly) {
  const auto seed = topology("topologies/seed.yaml");
  const auto unseen = topology("topologies/unseen.yaml");
  EXPECT_TRUE(nva_config_misfits(seed, facts(fixture("configs/nva-fixed.frr"))).empty());
  EXPECT_TRUE(nva_config_misfits(seed, facts(fixture("configs/nva-seed.frr"))).empty());
  const auto misfits = nva_config_misfits(unseen, facts(fixture("configs/nva-fixed.frr")));
  EXPECT_TRUE(any_says(misfits, "'router bgp 65001', but the topology's NVA fw1 has AS 65010")) << misfits.front();
  EXPECT_TRUE(any_says(misfits, "no neighbor for route server rs-a (172.18.0.68)"));
  EXPECT_TRUE(any_says(misfits, "no neighbor for route server rs-b (172.18.0.69)"));
  EXPECT_TRUE(any_says(misfits, "no 'network 172.16.0.0/12'"));
  EXPECT_EQ(misfits.size(), 4u);
  // A hand-written config for the unseen topology (a peer-group, Null0) fits it.
  EXPECT_TRUE(nva_config_misfits(unseen, facts(fixture("configs/unseen-fw1.frr"))).empty());
  auto refused = nva_config_misfits(unseen, facts("router bgp 65010\n neighbor 172.18.0.68 route-map x in\n"));
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_TRUE(any_says(refused, "nva.conf:2")) << refused.front();
}

TEST(NvaConfigFit, WrittenForAnotherTopology_FitsItParsesCleanAndLintsClean) {
  const auto unseen = topology("topologies/unseen.yaml");
  const auto written = nva_config_for_topology(unseen);
  EXPECT_TRUE(nva_config_misfits(unseen, facts(written)).empty());
  const auto p = parsed(written);
  EXPECT_TRUE(p.warnings.empty()) << p.warnings.front().message;
  ASSERT_TRUE(p.config.bgp);
  EXPECT_EQ(p.config.bgp->neighbors.size(), 2u);
  const auto findings = bgpd::lint_config(p, {.gateway_subnet = unseen.find_subnet("GatewaySubnet")->prefix});
  EXPECT_TRUE(findings.empty()) << bgpd::lint_report_text("nva.conf", findings);
  // The positive control: lint does find the blackhole over the GatewaySubnet once
  // the route to it is gone.
  std::string without = written;
  without.erase(without.find("ip route 172.18.0.0/27"), std::string("ip route 172.18.0.0/27 172.18.1.1\n").size());
  const auto broken = bgpd::lint_config(parsed(without), {.gateway_subnet = unseen.find_subnet("GatewaySubnet")->prefix});
  ASSERT_EQ(broken.size(), 1u) << bgpd::lint_report_text("nva.conf", broken);
  EXPECT_EQ(broken[0].rule, "blackhole-covers-ars");
}

TEST(NvaConfigFit, LoTrapForAnotherTopology_IsTheSeedsMistakeThere) {
  const auto unseen = topology("topologies/unseen.yaml");
  const auto trap = nva_config_with_lo_trap(unseen);
  EXPECT_TRUE(nva_config_misfits(unseen, facts(trap)).empty());
  const auto findings = bgpd::lint_config(parsed(trap));
  ASSERT_EQ(findings.size(), 1u) << bgpd::lint_report_text("nva.conf", findings);
  EXPECT_EQ(findings[0].rule, "lo-prefix");
  EXPECT_NE(findings[0].what.find("172.16.0.1/12"), std::string::npos) << findings[0].what;
  EXPECT_EQ(trap.find("ip route 172.18.0.0/27"), std::string::npos) << trap;  // no GatewaySubnet route, as the seed
  EXPECT_NE(trap.find("ip route 172.18.0.64/27 172.18.1.1"), std::string::npos) << trap;
}

TEST(NvaConfigFit, Choice_DefaultIsWrittenForTheTopologyAUsersConfigRunsAsGivenWithWarnings) {
  const auto seed = topology("topologies/seed.yaml");
  const auto unseen = topology("topologies/unseen.yaml");
  const auto fixed = fixture("configs/nva-fixed.frr");
  // The seed with the default: the shipped file, nothing said.
  auto on_seed = choose_nva_config(seed, fixed, "fixtures/configs/nva-fixed.frr", false, false, facts(fixed));
  EXPECT_EQ(on_seed.text, fixed);
  EXPECT_EQ(on_seed.source, "fixtures/configs/nva-fixed.frr");
  EXPECT_TRUE(on_seed.notes.empty());
  // Another topology with the default: written for it, and said once.
  auto on_unseen = choose_nva_config(unseen, fixed, "fixtures/configs/nva-fixed.frr", false, false, facts(fixed));
  EXPECT_EQ(on_unseen.text, nva_config_for_topology(unseen));
  EXPECT_EQ(on_unseen.source, "");
  ASSERT_EQ(on_unseen.notes.size(), 1u);
  EXPECT_NE(on_unseen.notes[0].find("does not fit topology 'unseen'"), std::string::npos) << on_unseen.notes[0];
  const auto seed_config = fixture("configs/nva-seed.frr");
  auto trap = choose_nva_config(unseen, seed_config, "fixtures/configs/nva-seed.frr", false, true, facts(seed_config));
  EXPECT_EQ(trap.text, nva_config_with_lo_trap(unseen));
  // The user's own config: run as given, one warning per misfit.
  auto given = choose_nva_config(unseen, fixed, "mine.frr", true, false, facts(fixed));
  EXPECT_EQ(given.text, fixed);
  EXPECT_EQ(given.source, "mine.frr");
  EXPECT_EQ(given.notes.size(), 4u);
  EXPECT_NE(given.notes[0].find("warning: NVA config mine.frr does not fit topology 'unseen'"), std::string::npos);
  // One the parser refuses: as given, nothing said here (lab up says the refusal once).
  const std::string bad = "router bgp 65010\n neighbor 172.18.0.68 route-map x in\n";
  auto refused = choose_nva_config(unseen, bad, "bad.frr", true, false, facts(bad));
  EXPECT_EQ(refused.text, bad);
  EXPECT_TRUE(refused.notes.empty());
}

}  // namespace
}  // namespace hairpin::verifier
