// fuzz_topology: the lab topology reader (verifier/model topology.hpp), YAML in.
//
// Input: YAML text.
// Invariants:
//  - parse_topology returns a result, never throws (yaml-cpp's exceptions are its
//    to catch);
//  - a validated topology has exactly one NVA and one ERGW (nva(), ergw() hold),
//    every node is found by its name, and every site has its prefix and circuit;
//  - the lab scenario derived from it (scenario_from_topology) is built without
//    throwing and has one site per site node.

#include "fuzz_target.hpp"
#include "hairpin/verifier/model/scenario.hpp"
#include "hairpin/verifier/model/topology.hpp"

namespace hairpin::fuzz {

Finding fuzz_topology(std::span<const std::uint8_t> input) {
  const std::string_view text(reinterpret_cast<const char*>(input.data()), input.size());
  const auto parsed = verifier::parse_topology(text, "fuzz.yaml");
  if (!parsed) {
    HAIRPIN_FUZZ_CHECK(!parsed.error().what.empty(), "an error without a message");
    return {};
  }
  const verifier::Topology& t = *parsed;
  HAIRPIN_FUZZ_CHECK(t.nodes_with_role(verifier::Role::Nva).size() == 1, "a topology without exactly one NVA");
  HAIRPIN_FUZZ_CHECK(t.nodes_with_role(verifier::Role::Ergw).size() == 1, "a topology without exactly one ERGW");
  (void)t.nva();
  (void)t.ergw();
  (void)t.node_names();
  std::size_t sites = 0;
  for (const auto& n : t.nodes) {
    HAIRPIN_FUZZ_CHECK(t.find_node(n.name) != nullptr, "a node not found by its own name: " + n.name);
    if (n.role == verifier::Role::Site) {
      ++sites;
      HAIRPIN_FUZZ_CHECK(n.site_prefix.has_value(), "a site without a prefix: " + n.name);
      HAIRPIN_FUZZ_CHECK(t.circuit_of_site(n.name) != nullptr, "a site without a circuit: " + n.name);
    }
  }
  const auto scenario = verifier::scenario_from_topology(t);
  HAIRPIN_FUZZ_CHECK(scenario.sites.size() == sites, "the lab scenario lost or invented a site");
  return {};
}

std::vector<Seed> seeds_topology(const std::string& fixtures) {
  std::vector<Seed> out;
  for (const auto& f : files_in(fixtures + "/topologies"))
    out.push_back({f.substr(f.rfind('/') + 1), read_bytes(f)});
  return out;
}

}  // namespace hairpin::fuzz
