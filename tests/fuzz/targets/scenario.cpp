// fuzz_scenario: the verify scenario reader (verifier/model scenario.hpp), YAML in.
//
// Input: YAML text.
// Invariants:
//  - parse_scenario returns a result, never throws;
//  - a validated scenario has two or more sites, each found by its name and
//    covering its own probe host, one or more route servers, and a path
//    expectation per ordered pair of sites;
//  - the route-limit threshold is within the limit.

#include "fuzz_target.hpp"
#include "hairpin/verifier/model/scenario.hpp"

namespace hairpin::fuzz {

Finding fuzz_scenario(std::span<const std::uint8_t> input) {
  const std::string_view text(reinterpret_cast<const char*>(input.data()), input.size());
  const auto parsed = verifier::parse_scenario(text, "fuzz.yaml");
  if (!parsed) {
    HAIRPIN_FUZZ_CHECK(!parsed.error().what.empty(), "an error without a message");
    return {};
  }
  const verifier::Scenario& s = *parsed;
  HAIRPIN_FUZZ_CHECK(s.sites.size() >= 2, "a scenario with fewer than two sites");
  HAIRPIN_FUZZ_CHECK(!s.route_servers.empty(), "a scenario without a route server");
  for (const auto& site : s.sites) {
    HAIRPIN_FUZZ_CHECK(s.find_site(site.name) != nullptr, "a site not found by its own name: " + site.name);
    HAIRPIN_FUZZ_CHECK(s.site_covering(site.probe_host) != nullptr, "no site covers the probe host of " + site.name);
    (void)site.runner.to_string();
  }
  (void)s.nva.runner.to_string();
  HAIRPIN_FUZZ_CHECK(s.paths.size() == s.sites.size() * (s.sites.size() - 1),
                     "not one path expectation per ordered pair of sites");
  HAIRPIN_FUZZ_CHECK(s.route_limit_threshold() <= s.route_server_limit || s.route_server_margin_pct > 100,
                     "the route-limit threshold exceeds the limit");
  return {};
}

std::vector<Seed> seeds_scenario(const std::string& fixtures) {
  std::vector<Seed> out;
  for (const auto& f : files_in(fixtures + "/scenarios"))
    out.push_back({f.substr(f.rfind('/') + 1), read_bytes(f)});
  return out;
}

}  // namespace hairpin::fuzz
