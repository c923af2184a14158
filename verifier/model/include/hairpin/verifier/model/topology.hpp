#pragma once
// Topology: the lab's description of an Azure hairpin design, read from YAML.
//
// In:  a YAML document (fixtures/topologies/seed.yaml is the reference).
// Out: a validated Topology value, or one Error naming file:line and the fix.
// Who: `hairpin lab` (to build the namespaces) and the lab plan (pure), tests.
//
// Roles: `site` is a branch VM together with its edge BGP speaker (one
// namespace, so the edge never shows in a trace, like the MSEEs); `ergw` is the
// hub's ExpressRoute gateway instance; `ars` is one Azure Route Server instance;
// `nva` is the hub NVA. Hub nodes (ergw, ars, nva) sit in VNet subnets; sites
// reach the ERGW over circuits.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hairpin/common/result.hpp"
#include "hairpin/common/ipv4.hpp"

namespace hairpin::verifier {

enum class Role { Site, Ergw, Ars, Nva };
std::string_view to_string(Role role);

struct Udr {
  Ipv4Prefix prefix;
  Ipv4Address next_hop;
  int line = 0;  // where it was defined, for messages
};

struct Subnet {
  std::string name;
  Ipv4Prefix prefix;
  std::vector<Udr> udrs;  // the route table associated with the subnet

  Ipv4Address gateway() const { return Ipv4Address{prefix.address.value + 1}; }  // Azure: .1
};

struct Node {
  std::string name;
  Role role = Role::Site;
  std::uint32_t asn = 0;
  Ipv4Interface address;          // the VM's NIC address (hub nodes: subnet length)
  std::optional<Ipv4Prefix> site_prefix;  // sites only: what the site advertises
  std::string subnet;             // hub nodes only: the VNet subnet it sits in
  int line = 0;                   // where it was defined, for messages

  std::string namespace_name() const { return "hp-" + name; }
};

struct Circuit {
  std::string name;
  std::string site;               // a node of role site
  Ipv4Interface site_address;     // the site edge's end of the peering link
  Ipv4Interface ergw_address;     // the ERGW's end
  std::uint32_t msee_asn = 12076; // prepended by the ERGW, as Microsoft's edge does
  double delay_ms = 0;            // one-way, each direction
};

struct Topology {
  std::string name;
  std::string source;             // file it came from
  Ipv4Prefix vnet;
  std::string gateway_mac = "12:34:56:78:9a:bc";
  Ipv4Prefix supernet;
  std::vector<Subnet> subnets;
  std::vector<Node> nodes;
  std::vector<Circuit> circuits;

  const Node* find_node(std::string_view name) const;
  const Subnet* find_subnet(std::string_view name) const;
  const Subnet* subnet_of(const Node& node) const;
  const Circuit* circuit_of_site(std::string_view site) const;
  std::vector<const Node*> nodes_with_role(Role role) const;
  const Node& nva() const;   // exactly one, validated
  const Node& ergw() const;  // exactly one, validated
  std::string node_names() const;  // "a, b, c" for messages
};

// Parses and validates. `source` names the file in messages.
Result<Topology> parse_topology(std::string_view yaml_text, std::string source);
Result<Topology> load_topology(const std::string& path);

}  // namespace hairpin::verifier
