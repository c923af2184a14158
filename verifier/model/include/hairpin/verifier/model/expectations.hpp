#pragma once
// Expectations: what a deployment of a Topology must show when the design works,
// as plain values computed from the Topology alone.
//
// In:  a validated Topology.
// Out: the BGP sessions that must be Established, the routes each node must
//      hold, and the hop pattern a trace must show in each direction.
// Who: the lab plan (which drops what its faults take away and says which BIRD
//      protocol observes each session), and `verify` against a real deployment,
//      which needs no lab to know what to look for.

#include <optional>
#include <string>
#include <vector>

#include "hairpin/common/ipv4.hpp"
#include "hairpin/verifier/model/topology.hpp"

namespace hairpin::verifier {

// A BGP session between two nodes that must reach Established.
struct SessionExpectation {
  std::string a;  // the Azure side of the session: ERGW, or a Route Server
  std::string b;  // the other end: a site edge, a Route Server, the NVA
};

// A route that must be in a node's forwarding table.
struct RouteExpectation {
  std::string node;
  Ipv4Prefix prefix;
  std::string why;  // e.g. "the supernet drawn in from the NVA"
};

// What a trace from one site's VM to another's must show, hop by hop: the
// responder per TTL, std::nullopt where the design makes a hop silent.
struct HopExpectation {
  std::string from;  // site node
  std::string to;    // site node
  Ipv4Address destination;
  std::vector<std::optional<Ipv4Address>> hops;
  std::string to_string() const;  // "10.0.200.12 10.0.0.4 * 10.200.0.4", as tests/lab prints it
};

struct Expectations {
  std::vector<SessionExpectation> sessions;
  std::vector<RouteExpectation> routes;
  std::vector<HopExpectation> paths;  // one per ordered pair of sites
};

// Sessions: ERGW with each site edge (one per circuit), ERGW with each Route
// Server, each Route Server with the NVA. Routes: at every site the hub VNet
// (from the gateway) and the supernet (from the NVA); at the NVA every site
// prefix. Hops, site to site: the ERGW, the NVA, the ERGW again on its way out
// to the other circuit (silent: DESIGN.md, The lab, 6), the destination.
Expectations deployment_expectations(const Topology& topology);

}  // namespace hairpin::verifier
