// Best path: every case is checked in every insertion order of its candidates
// (OpenBGPD's rde_decide_test habit); the winner and the deciding step must not
// depend on the order.

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "hairpin/bgpd/rib/best_path.hpp"
#include "hex.hpp"

namespace hairpin::bgpd {
namespace {

using test::ip;

struct Named {
  std::string name;
  PathCandidate path;
};

// An eBGP path from ARS-like peer `peer` with AS path `asns`.
Named ebgp(std::string name, const char* peer, std::vector<std::uint32_t> asns, std::uint64_t order = 0) {
  PathCandidate c;
  c.attributes.origin = Origin::Igp;
  c.attributes.as_path = AsPath{{AsSegment{SegmentType::AsSequence, std::move(asns)}}};
  c.attributes.next_hop = ip("10.0.200.12");
  c.peer_address = ip(peer);
  c.peer_router_id = ip(peer);
  c.peer_as = c.attributes.as_path->first_as().value_or(0);
  c.received_order = order;
  return Named{std::move(name), c};
}

template <typename F>
Named with(Named n, F change) {
  change(n.path);
  return n;
}

struct Case {
  const char* name;
  std::vector<Named> candidates;
  std::string winner;
  BestPathStep step;
  BestPathOptions options = {};
};
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class BestPathEveryOrder : public testing::TestWithParam<Case> {};

TEST_P(BestPathEveryOrder, SameWinnerWhateverTheOrder) {
  const auto& c = GetParam();
  std::vector<std::size_t> order(c.candidates.size());
  std::iota(order.begin(), order.end(), 0);
  int permutations = 0;
  do {
    std::vector<PathCandidate> input;
    for (auto i : order) input.push_back(c.candidates[i].path);
    auto best = select_best_path(input, c.options);
    ASSERT_TRUE(best.has_value());
    EXPECT_EQ(c.candidates[order[best->index]].name, c.winner) << "order #" << permutations;
    EXPECT_EQ(best->decided_by, c.step) << to_string(best->decided_by) << ", order #" << permutations;
    ++permutations;
  } while (std::next_permutation(order.begin(), order.end()));
  // Every order of n candidates is n! orders; a case with one candidate proves nothing.
  ASSERT_GE(c.candidates.size(), 2u) << "a case needs at least two candidates";
  int expected = 1;
  for (std::size_t k = 2; k <= c.candidates.size(); ++k) expected *= static_cast<int>(k);
  EXPECT_EQ(permutations, expected);
}

INSTANTIATE_TEST_SUITE_P(
    Rfc4271Section912, BestPathEveryOrder,
    testing::Values(
        Case{"Weight",
             {ebgp("a", "10.0.210.4", {65515}), with(ebgp("b", "10.0.210.5", {65515, 1, 2}), [](auto& p) { p.weight = 100; })},
             "b", BestPathStep::Weight},
        Case{"LocalPreference",
             {ebgp("a", "10.0.210.4", {65515}),
              with(ebgp("b", "10.0.210.5", {65515, 1}), [](auto& p) { p.attributes.local_pref = 200; }),
              with(ebgp("c", "10.0.210.6", {65515}), [](auto& p) { p.attributes.local_pref = 50; })},
             "b", BestPathStep::LocalPreference},
        Case{"MissingLocalPrefIsTheDefault",
             {with(ebgp("a", "10.0.210.4", {65515}), [](auto& p) { p.attributes.local_pref = 99; }),
              ebgp("b", "10.0.210.5", {65515, 1})},
             "b", BestPathStep::LocalPreference},
        Case{"LocallyOriginatedFirst",
             {ebgp("learned", "10.0.210.4", {}),
              with(ebgp("network", "0.0.0.0", {}), [](auto& p) { p.local = true; p.external = false; })},
             "network", BestPathStep::LocalRoute},
        Case{"ShorterAsPath",
             {ebgp("long", "10.0.210.4", {65515, 12076, 65100}), ebgp("short", "10.0.210.5", {65515, 65100})},
             "short", BestPathStep::AsPathLength},
        Case{"AsSetCountsOne",
             {ebgp("seq", "10.0.210.4", {65515, 1, 2}),
              with(ebgp("set", "10.0.210.5", {65515}), [](auto& p) {
                p.attributes.as_path->segments.push_back(AsSegment{SegmentType::AsSet, {1, 2, 3, 4}});
              })},
             "set", BestPathStep::AsPathLength},
        Case{"LowerOrigin",
             {with(ebgp("incomplete", "10.0.210.4", {65515}), [](auto& p) { p.attributes.origin = Origin::Incomplete; }),
              with(ebgp("egp", "10.0.210.5", {65515}), [](auto& p) { p.attributes.origin = Origin::Egp; }),
              with(ebgp("igp", "10.0.210.6", {65515}), [](auto& p) { p.attributes.origin = Origin::Igp; })},
             "igp", BestPathStep::Origin},
        Case{"MedFromSameNeighbourAs",
             {with(ebgp("med50", "10.0.210.4", {65515}), [](auto& p) { p.attributes.med = 50; }),
              with(ebgp("med10", "10.0.210.5", {65515}), [](auto& p) { p.attributes.med = 10; })},
             "med10", BestPathStep::Med},
        Case{"MissingMedIsBest",
             {with(ebgp("med10", "10.0.210.4", {65515}), [](auto& p) { p.attributes.med = 10; }),
              ebgp("none", "10.0.210.5", {65515})},
             "none", BestPathStep::Med},
        Case{"MissingMedAsWorst",
             {with(ebgp("med10", "10.0.210.4", {65515}), [](auto& p) { p.attributes.med = 10; }),
              ebgp("none", "10.0.210.5", {65515})},
             "med10", BestPathStep::Med, BestPathOptions{100, false, false, true}},
        // The classic MED intransitivity: pairwise comparison picks a or c
        // depending on arrival order; set elimination always drops b first.
        Case{"MedIntransitivity_OrderIndependent",
             {with(ebgp("a", "10.0.0.3", {65100}), [](auto& p) { p.attributes.med = 50; }),
              with(ebgp("b", "10.0.0.1", {65100}), [](auto& p) { p.attributes.med = 100; }),
              with(ebgp("c", "10.0.0.2", {65200}), [](auto& p) { p.attributes.med = 0; })},
             "c", BestPathStep::RouterId, BestPathOptions{100, true, false, false}},
        Case{"AlwaysCompareMed",
             {with(ebgp("a", "10.0.0.3", {65100}), [](auto& p) { p.attributes.med = 50; }),
              with(ebgp("c", "10.0.0.2", {65200}), [](auto& p) { p.attributes.med = 70; })},
             "a", BestPathStep::Med, BestPathOptions{100, false, true, false}},
        Case{"ExternalOverInternal",
             {with(ebgp("ibgp", "10.0.0.9", {65515}), [](auto& p) { p.external = false; }),
              ebgp("ebgp", "10.0.210.5", {65515})},
             "ebgp", BestPathStep::ExternalOverInternal},
        Case{"LowerIgpMetric",
             {with(ebgp("far", "10.0.210.4", {65515}), [](auto& p) { p.igp_metric = 20; }),
              with(ebgp("near", "10.0.210.5", {65515}), [](auto& p) { p.igp_metric = 10; })},
             "near", BestPathStep::IgpMetric},
        // The two ARS instances hand out the same route: FRR keeps the older one.
        Case{"BothArsInstances_OlderPathStays",
             {ebgp("ars1", "10.0.210.5", {65515, 12076, 65100}, 1), ebgp("ars0", "10.0.210.4", {65515, 12076, 65100}, 2)},
             "ars1", BestPathStep::OldestExternal},
        Case{"BothArsInstances_CompareRouterId",
             {ebgp("ars1", "10.0.210.5", {65515, 12076, 65100}, 1), ebgp("ars0", "10.0.210.4", {65515, 12076, 65100}, 2)},
             "ars0", BestPathStep::RouterId, BestPathOptions{100, true, false, false}},
        Case{"SameRouterIdDifferentPeers_LowerAddress",
             {with(ebgp("hi", "10.0.210.5", {65515}), [](auto& p) { p.peer_router_id = ip("1.1.1.1"); }),
              with(ebgp("lo", "10.0.210.4", {65515}), [](auto& p) { p.peer_router_id = ip("1.1.1.1"); })},
             "lo", BestPathStep::PeerAddress, BestPathOptions{100, true, false, false}},
        Case{"UnresolvableNextHopExcluded",
             {with(ebgp("short-but-unreachable", "10.0.210.4", {65515}), [](auto& p) { p.next_hop_resolvable = false; }),
              ebgp("long", "10.0.210.5", {65515, 1, 2, 3})},
             "long", BestPathStep::OnlyCandidate},
        Case{"ManyStepsTogether",
             {with(ebgp("lp", "10.0.0.1", {65515}), [](auto& p) { p.attributes.local_pref = 90; }),
              ebgp("path", "10.0.0.2", {65515, 1, 2}),
              with(ebgp("origin", "10.0.0.3", {65515, 1}), [](auto& p) { p.attributes.origin = Origin::Egp; }),
              with(ebgp("med", "10.0.0.4", {65515, 1}), [](auto& p) { p.attributes.med = 5; }),
              ebgp("winner", "10.0.0.5", {65515, 2})},
             "winner", BestPathStep::Med}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(BestPath, NoCandidates_None) {
  EXPECT_FALSE(select_best_path({}, {}).has_value());
}

TEST(BestPath, AllNextHopsUnresolvable_None) {
  auto a = with(ebgp("a", "10.0.210.4", {65515}), [](auto& p) { p.next_hop_resolvable = false; });
  std::vector<PathCandidate> v{a.path};
  EXPECT_FALSE(select_best_path(v, {}).has_value());
}

}  // namespace
}  // namespace hairpin::bgpd
