#pragma once
// Best path selection (RFC 4271 9.1.2, with FRR's additions: weight, locally
// originated first, oldest eBGP path), as one pure function over candidates.
//
// In:  every usable path for one prefix (Adj-RIB-In after inbound policy, plus
//      locally originated routes) and the selection options.
// Out: which candidate is best and which step decided it (for `show bgp`).
// Caller: the Loc-RIB, whenever a prefix's candidate set changes.
//
// Selection narrows the whole set step by step, as RFC 4271 9.1.2.2 describes,
// instead of comparing pairs: with MED only comparable between paths from the
// same neighbouring AS, pairwise comparison depends on the order paths arrived
// in; set elimination does not (FRR gets the same with deterministic-med).

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "hairpin/bgpd/wire/wire_types.hpp"

namespace hairpin::bgpd {

struct PathCandidate {
  PathAttributes attributes;
  Ipv4Address peer_address;    // 0.0.0.0 for locally originated
  Ipv4Address peer_router_id;
  std::uint32_t peer_as = 0;
  bool external = true;        // learned over eBGP
  bool local = false;          // originated here (network statement)
  std::uint32_t weight = 0;    // FRR: 32768 for local routes, 0 otherwise
  bool next_hop_resolvable = true;
  std::uint32_t igp_metric = 0;     // cost to the next hop
  std::uint64_t received_order = 0; // smaller = received earlier
};

struct BestPathOptions {
  std::uint32_t default_local_pref = 100;  // bgp default local-preference
  bool compare_router_id = false;          // bgp bestpath compare-routerid
  bool always_compare_med = false;         // bgp always-compare-med
  bool med_missing_as_worst = false;       // bgp bestpath med missing-as-worst
};

enum class BestPathStep {
  OnlyCandidate,
  Weight,
  LocalPreference,
  LocalRoute,
  AsPathLength,
  Origin,
  Med,
  ExternalOverInternal,
  IgpMetric,
  OldestExternal,
  RouterId,
  PeerAddress,
};
const char* to_string(BestPathStep step);

struct BestPath {
  std::size_t index = 0;  // into the candidate span
  BestPathStep decided_by = BestPathStep::OnlyCandidate;
};

// nullopt when no candidate is usable (all next hops unresolvable, or none).
std::optional<BestPath> select_best_path(std::span<const PathCandidate> candidates, const BestPathOptions& options);

// ECMP (FRR `maximum-paths`): the best path first, then candidates equal to it in
// every step up to the IGP metric, with the same AS_PATH (FRR without
// as-path multipath-relax); at most `maximum_paths`, ordered by peer address.
std::vector<std::size_t> select_multipath(std::span<const PathCandidate> candidates, const BestPath& best,
                                          const BestPathOptions& options, std::size_t maximum_paths);

}  // namespace hairpin::bgpd
