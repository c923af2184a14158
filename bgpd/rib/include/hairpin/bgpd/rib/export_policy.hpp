#pragma once
// The export path: what one peer is sent for one prefix, as a pure function.
//
// In:  the Loc-RIB best path (its attributes and where it came from), the peer it
//      would go to (eBGP or iBGP, our end of the session, next-hop-self, its
//      outbound prefix-list and route-map), the policy set and our AS.
// Out: the attributes to advertise, or the rule that stops the route, and which
//      `set` clauses the outbound route-map ran.
// Callers: the RIB (rib.cpp), once per attribute set and peer (memoised there)
//      or once per prefix when the peer's outbound policy reads prefixes.
//
// The rules, in the order they are applied (FRR's subgroup_announce_check):
//   split horizon      never back to the peer the best path came from
//   RFC 4271 9.2       nothing learned over iBGP goes to another iBGP peer
//   RFC 8212           no outbound policy on an eBGP session: nothing advertised
//   prefix-list out    then route-map out (a deny stops the route)
//   MED                RFC 4271 5.1.4: a MED learned from a peer is not passed to
//                      eBGP; our own (`network` routes) is; a route-map
//                      `set metric` towards eBGP is sent
//   LOCAL_PREF         RFC 4271 5.1.5: never sent to eBGP (even when a route-map
//                      sets it); towards iBGP the received value or the default
//   AS_PATH            RFC 4271 5.1.2: our AS prepended towards eBGP, after the
//                      route-map (its `set as-path prepend` comes second)
//   NEXT_HOP           a route-map `set ip next-hop` wins (FRR: the route-map's
//                      change is never reset); otherwise towards eBGP our session
//                      address (RFC 4271 5.1.3); towards iBGP our address for our
//                      own routes and, with next-hop-self, for eBGP-learned ones;
//                      else the received next hop, unchanged
//   never 0.0.0.0      no next hop known yet (our address unknown): not sent

#include <cstdint>
#include <optional>
#include <string>

#include "hairpin/bgpd/policy/policy.hpp"
#include "hairpin/bgpd/wire/wire_types.hpp"

namespace hairpin::bgpd {

// Where the best path came from, as far as export cares.
enum class BestSource : std::uint8_t {
  Local,     // a `network` statement
  Internal,  // an iBGP peer
  External,  // an eBGP peer
};

// The peer the route would be sent to. Pointers, not copies: this is built once per
// evaluation on the RIB's hot path; null means "not configured".
struct ExportPeer {
  bool external = true;
  Ipv4Address local_address;  // our end of the session
  bool next_hop_self = false;
  const std::string* prefix_list_out = nullptr;
  const std::string* route_map_out = nullptr;
};

struct ExportInput {
  const PolicySet& policy;
  std::uint32_t local_as = 0;
  std::uint32_t default_local_pref = 100;
  bool ebgp_requires_policy = true;  // RFC 8212, FRR's default
  Ipv4Prefix prefix;
  const PathAttributes& best;  // the Loc-RIB best path's attributes
  BestSource source = BestSource::External;
  bool from_this_peer = false;  // the best path was learned from `to`
  ExportPeer to;
};

enum class ExportVerdict : std::uint8_t {
  Advertise,
  SplitHorizon,      // the best path came from this peer
  IbgpToIbgp,        // RFC 4271 9.2
  NoOutboundPolicy,  // RFC 8212
  PrefixListDenied,
  RouteMapDenied,
  NoNextHop,  // our session address is not known yet
};
const char* to_string(ExportVerdict verdict);

struct ExportDecision {
  ExportVerdict verdict = ExportVerdict::Advertise;
  std::optional<PathAttributes> attributes;  // set exactly when advertised
  SetClauses route_map_sets;                 // what route-map out ran
  bool advertised() const { return verdict == ExportVerdict::Advertise; }
};

ExportDecision export_route(const ExportInput& input);

// The first rule on its own, inline: the RIB asks it for every prefix and peer
// before it builds an ExportInput (the sender's whole table stops here).
inline bool split_horizon(BestSource source, bool from_this_peer) {
  return source != BestSource::Local && from_this_peer;  // FRR: never back to the sender
}

}  // namespace hairpin::bgpd
