#pragma once
// The lab NVA's config against the topology it runs in.
//
// In:  a Topology, and what an NVA config says (NvaConfigFacts: the caller parses
//      it, since the verifier never includes bgpd; the cli uses the NVA's parser).
// Out: what in the config does not fit the topology (its ASN, a route server
//      without a neighbor, no `network` for the supernet); the config of the fixed
//      design written for any topology; which config `hairpin lab up` runs.
// Who: `hairpin lab up`. Pure: no I/O.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hairpin/verifier/model/topology.hpp"

namespace hairpin::verifier {

struct NvaConfigFacts {
  std::optional<std::string> parse_error;  // the parser's file:line; the rest is empty then
  std::optional<std::uint32_t> asn;        // router bgp
  struct Neighbor {
    Ipv4Address address;
    std::uint32_t remote_as = 0;
    bool shutdown = false;
    bool remote_as_external = false;  // `remote-as external`: any AS but the NVA's
  };
  std::vector<Neighbor> neighbors;         // resolved (peer-groups applied)
  std::vector<Ipv4Prefix> networks;
};

// One line per misfit, empty when the config fits.
std::vector<std::string> nva_config_misfits(const Topology& t, const NvaConfigFacts& facts);

// nva-fixed.frr's design for `t`: the supernet originated with `network` and backed by
// `ip route SUPERNET blackhole`; every hub subnet but the NVA's reached through the NVA
// subnet's gateway (the route servers, and the ERGW next hops ARS hands out); one
// neighbor per route server with ebgp-multihop, inbound bogon filter, outbound deny of
// paths with 65515. For the seed topology it reads as nva-fixed.frr does
// (NvaConfigFit.SeedTopology_GivesTheFixedConfig).
std::string nva_config_for_topology(const Topology& t);

// The seed's own config (nva-seed.frr) for `t`: the supernet as an address on lo
// (`interface lo / ip address FIRST-HOST/LEN`, DESIGN.md, Traps) instead of the
// blackhole, and a route for the route servers' subnet only, none for the GatewaySubnet.
// What --fault seed-verbatim runs on a topology nva-seed.frr does not fit; for the seed
// it reads as nva-seed.frr (NvaConfigFit.SeedTopology_LoTrapIsTheSeedsOwnConfig).
std::string nva_config_with_lo_trap(const Topology& t);

struct NvaConfigChoice {
  std::string text;
  std::string source;              // a file, or "" when written from the topology
  std::vector<std::string> notes;  // for lab up's output, one line each
};

// What `hairpin lab up` runs. Given by the user (--nva-config): that, as given, with a
// warning per misfit (a wrong config may be the point). Not given: the default
// (nva-fixed.frr, or nva-seed.frr for --fault seed-verbatim) when it fits the topology,
// else nva_config_for_topology (or nva_config_with_lo_trap for seed-verbatim), saying so.
// A config the parser refuses is returned as given, without a note (its refusal is
// said once, elsewhere).
NvaConfigChoice choose_nva_config(const Topology& t, const std::string& text, const std::string& source,
                                  bool given_by_user, bool seed_verbatim, const NvaConfigFacts& facts);

}  // namespace hairpin::verifier
