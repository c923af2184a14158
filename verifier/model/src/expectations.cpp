#include "hairpin/verifier/model/expectations.hpp"

namespace hairpin::verifier {

std::string HopExpectation::to_string() const {
  std::string out;
  for (const auto& hop : hops) out += (out.empty() ? "" : " ") + (hop ? hop->to_string() : std::string("*"));
  return out;
}

Expectations deployment_expectations(const Topology& t) {
  Expectations e;
  const Node& ergw = t.ergw();
  const Node& nva = t.nva();
  const auto sites = t.nodes_with_role(Role::Site);

  for (const auto& c : t.circuits) e.sessions.push_back({ergw.name, c.site});
  for (const auto* ars : t.nodes_with_role(Role::Ars)) {
    e.sessions.push_back({ergw.name, ars->name});
    e.sessions.push_back({ars->name, nva.name});
  }

  // The routes that make the design: the supernet drawn into both sites, both
  // site prefixes learned by the NVA.
  for (const auto* s : sites) {
    e.routes.push_back({s->name, t.vnet, "the hub VNet, from the ExpressRoute gateway"});
    e.routes.push_back({s->name, t.supernet, "the supernet drawn in from the NVA"});
  }
  for (const auto* s : sites) e.routes.push_back({nva.name, *s->site_prefix, "site prefix learned from Route Server"});

  // Site to site: in at the gateway, hairpinned by the UDR to the NVA, back to the
  // gateway (which forwards but does not answer on its way out), then the VM.
  for (const auto* from : sites)
    for (const auto* to : sites)
      if (from != to)
        e.paths.push_back({from->name, to->name, to->address.address,
                           {ergw.address.address, nva.address.address, std::nullopt, to->address.address}});
  return e;
}

}  // namespace hairpin::verifier
