#include "hairpin/verifier/lab/nva_config_fit.hpp"

#include <algorithm>
#include <sstream>


namespace hairpin::verifier {

std::vector<std::string> nva_config_misfits(const Topology& t, const NvaConfigFacts& facts) {
  if (facts.parse_error) return {"the NVA's parser refuses it: " + *facts.parse_error};
  const Node& nva = t.nva();
  if (!facts.asn) return {"it has no 'router bgp' (the topology's NVA " + nva.name + " has AS " + std::to_string(nva.asn) + ")"};
  std::vector<std::string> misfits;
  if (*facts.asn != nva.asn)
    misfits.push_back("'router bgp " + std::to_string(*facts.asn) + "', but the topology's NVA " + nva.name + " has AS " +
                      std::to_string(nva.asn));
  for (const auto* rs : t.nodes_with_role(Role::Ars)) {
    auto n = std::find_if(facts.neighbors.begin(), facts.neighbors.end(),
                          [&](const NvaConfigFacts::Neighbor& x) { return x.address == rs->address.address; });
    if (n == facts.neighbors.end() || n->shutdown)
      misfits.push_back("no neighbor for route server " + rs->name + " (" + rs->address.address.to_string() + ")");
    else if (n->remote_as_external ? rs->asn == nva.asn : n->remote_as != rs->asn)
      misfits.push_back("neighbor " + rs->address.address.to_string() + " has remote-as " + std::to_string(n->remote_as) +
                        ", route server " + rs->name + " has AS " + std::to_string(rs->asn));
  }
  if (std::find(facts.networks.begin(), facts.networks.end(), t.supernet) == facts.networks.end())
    misfits.push_back("no 'network " + t.supernet.to_string() + "' (the topology's supernet)");
  return misfits;
}

NvaConfigChoice choose_nva_config(const Topology& t, const std::string& text, const std::string& source,
                                  bool given_by_user, bool seed_verbatim, const NvaConfigFacts& facts) {
  NvaConfigChoice c{text, source, {}};
  // A config the parser refuses is said once, by whoever refuses it (lab up for the
  // built-in NVA, with its file:line; FRR's own log otherwise).
  if (facts.parse_error) return c;
  const auto misfits = nva_config_misfits(t, facts);
  if (misfits.empty()) return c;
  if (given_by_user) {
    for (const auto& m : misfits)
      c.notes.push_back("warning: NVA config " + source + " does not fit topology '" + t.name + "': " + m);
    return c;
  }
  c.text = seed_verbatim ? nva_config_with_lo_trap(t) : nva_config_for_topology(t);
  c.source = "";
  c.notes.push_back("NVA config: " + source + " is the seed's and does not fit topology '" + t.name + "' (" +
                    misfits.front() + "); running " + (seed_verbatim ? "the same trap, " : "the same design, ") +
                    "written for this topology (saved as nva.conf in the lab's directory)");
  return c;
}

namespace {

// Everything but the supernet's origin, which differs between the fixed design and the trap.
// `all_subnets`: a route for every hub subnet but the NVA's (the fixed design); else
// only for the route servers' subnets, as the seed's own config has.
std::string config_text(const Topology& t, const std::string& origin, bool all_subnets) {
  const Node& nva = t.nva();
  const Subnet* own = t.subnet_of(nva);
  std::ostringstream o;
  o << "! Written by hairpin lab up for topology '" << t.name << "' (" << t.source << "):\n"
    << "! the design of fixtures/configs/nva-fixed.frr for this topology's addresses.\n"
    << "frr defaults traditional\n"
    << "hostname " << nva.name << "\n"
    << "log syslog informational\n"
    << "no ipv6 forwarding\n"
    << "service integrated-vtysh-config\n"
    << "!\n"
    << origin;
  // The route servers and the ERGW's next hops are behind the subnet gateway, not on
  // the NVA's link (lint rule blackhole-covers-ars).
  for (const auto& s : t.subnets) {
    bool route_servers = false;
    for (const auto* rs : t.nodes_with_role(Role::Ars)) route_servers |= t.subnet_of(*rs) == &s;
    if (&s != own && (all_subnets || route_servers))
      o << "ip route " << s.prefix.to_string() << " " << own->gateway().to_string() << "\n";
  }
  o << "!\n"
    << "router bgp " << nva.asn << "\n";
  const auto servers = t.nodes_with_role(Role::Ars);
  for (const auto* rs : servers) {
    const auto a = rs->address.address.to_string();
    o << " neighbor " << a << " remote-as " << rs->asn << "\n"
      << " neighbor " << a << " ebgp-multihop 255\n";
  }
  o << " !\n"
    << " address-family ipv4 unicast\n"
    << "  network " << t.supernet.to_string() << "\n";
  for (const auto* rs : servers) {
    const auto a = rs->address.address.to_string();
    o << "  neighbor " << a << " soft-reconfiguration inbound\n"
      << "  neighbor " << a << " route-map rmap-bogon-asns in\n"
      << "  neighbor " << a << " route-map rmap-azure-asns out\n";
  }
  o << " exit-address-family\n"
    << "exit\n"
    << "!\n"
    << "bgp as-path access-list azure-asns seq 5 permit _65515_\n"
    << "bgp as-path access-list bogon-asns seq 5 permit _0_\n"
    << "bgp as-path access-list bogon-asns seq 10 permit _23456_\n"
    << "bgp as-path access-list bogon-asns seq 15 permit _1310[0-6][0-9]_|_13107[0-1]_\n"
    << "bgp as-path access-list bogon-asns seq 20 deny _65515_\n"
    << "bgp as-path access-list bogon-asns seq 25 permit ^65\n"
    << "!\n"
    << "route-map rmap-bogon-asns deny 5\n"
    << " match as-path bogon-asns\n"
    << "exit\n"
    << "!\n"
    << "route-map rmap-bogon-asns permit 10\n"
    << "exit\n"
    << "!\n"
    << "route-map rmap-azure-asns deny 5\n"
    << " match as-path azure-asns\n"
    << "exit\n"
    << "!\n"
    << "route-map rmap-azure-asns permit 10\n"
    << "exit\n"
    << "!\n"
    << "end\n";
  return o.str();
}

}  // namespace

std::string nva_config_for_topology(const Topology& t) {
  return config_text(t, "ip route " + t.supernet.to_string() + " blackhole\n", true);
}

std::string nva_config_with_lo_trap(const Topology& t) {
  const Ipv4Address first_host{t.supernet.address.value + 1};
  return config_text(t, "interface lo\n ip address " + first_host.to_string() + "/" +
                            std::to_string(t.supernet.length) + "\nexit\n!\n",
                     false);
}

}  // namespace hairpin::verifier
