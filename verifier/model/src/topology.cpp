#include "hairpin/verifier/model/topology.hpp"

#include "hairpin/common/file_io.hpp"
#include "yaml_reader.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace hairpin::verifier {

std::string_view to_string(Role role) {
  switch (role) {
    case Role::Site: return "site";
    case Role::Ergw: return "ergw";
    case Role::Ars: return "ars";
    case Role::Nva: return "nva";
  }
  return "?";
}

const Node* Topology::find_node(std::string_view name) const {
  for (const auto& n : nodes)
    if (n.name == name) return &n;
  return nullptr;
}

const Subnet* Topology::find_subnet(std::string_view name) const {
  for (const auto& s : subnets)
    if (s.name == name) return &s;
  return nullptr;
}

const Subnet* Topology::subnet_of(const Node& node) const { return find_subnet(node.subnet); }

const Circuit* Topology::circuit_of_site(std::string_view site) const {
  for (const auto& c : circuits)
    if (c.site == site) return &c;
  return nullptr;
}

std::vector<const Node*> Topology::nodes_with_role(Role role) const {
  std::vector<const Node*> out;
  for (const auto& n : nodes)
    if (n.role == role) out.push_back(&n);
  return out;
}

const Node& Topology::nva() const { return *nodes_with_role(Role::Nva).front(); }
const Node& Topology::ergw() const { return *nodes_with_role(Role::Ergw).front(); }

std::string Topology::node_names() const {
  std::string out;
  for (const auto& n : nodes) out += (out.empty() ? "" : ", ") + n.name;
  return out;
}

namespace {

// Reads one YAML document into a Topology, failing with file:line and a fix.
class Reader : YamlReader {
 public:
  explicit Reader(std::string source) : YamlReader(std::move(source)) {}

  Result<Topology> read(const YAML::Node& root) {
    return read_document([&] { return read_root(root); }, "topology", "start from fixtures/topologies/seed.yaml");
  }

 private:
  Ipv4Interface iface(const YAML::Node& v, std::string_view what) const {
    auto text = scalar(v, what);
    auto parsed = Ipv4Interface::parse(text);
    if (!parsed) fail(v, std::string(what) + " '" + text + "' is not an address/length", "write it like 172.16.1.1/30");
    return *parsed;
  }

  std::uint32_t asn(const YAML::Node& v, std::string_view what) const {
    auto text = scalar(v, what);
    unsigned long long n = 0;
    bool digits = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (digits && text.size() <= 10) n = std::stoull(text);
    // RFC 7607: AS 0 is reserved and never a valid peer AS.
    if (!digits || n == 0 || n > 0xffffffffULL)
      fail(v, std::string(what) + " '" + text + "' is not a valid AS number", "use 1..4294967295, e.g. 65001");
    return static_cast<std::uint32_t>(n);
  }

  std::string name(const YAML::Node& v, std::string_view what) const {
    auto text = scalar(v, what);
    // Names become namespace and interface names: keep them short and plain.
    bool plain = !text.empty() && text.size() <= 12 &&
                 std::all_of(text.begin(), text.end(), [](char c) {
                   return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
                 });
    if (!plain) fail(v, std::string(what) + " '" + text + "' is not a valid name", "use 1-12 of a-z, 0-9, '-'");
    return text;
  }

  Topology read_root(const YAML::Node& root) {
    if (!root.IsMap()) fail(root, "the topology must be a mapping", "start from fixtures/topologies/seed.yaml");
    expect_keys(root, "the topology", {"name", "supernet", "vnet", "nodes", "circuits"});
    Topology t;
    t.source = source();
    t.name = scalar(required(root, "name", "the topology"), "name");
    t.supernet = prefix(required(root, "supernet", "the topology"), "supernet");
    read_vnet(required(root, "vnet", "the topology"), t);
    auto nodes = required(root, "nodes", "the topology");
    if (!nodes.IsSequence()) fail(nodes, "'nodes' must be a list", "write each node as '- name: ...'");
    for (const auto& n : nodes) t.nodes.push_back(read_node(n, t));
    auto circuits = required(root, "circuits", "the topology");
    if (!circuits.IsSequence()) fail(circuits, "'circuits' must be a list", "write each circuit as '- name: ...'");
    for (const auto& c : circuits) t.circuits.push_back(read_circuit(c, t));
    check_whole(root, nodes, t);
    return t;
  }

  void read_vnet(const YAML::Node& v, Topology& t) {
    expect_keys(v, "vnet", {"prefix", "gateway_mac", "subnets"});
    t.vnet = prefix(required(v, "prefix", "vnet"), "vnet prefix");
    if (v["gateway_mac"]) {
      t.gateway_mac = scalar(v["gateway_mac"], "gateway_mac");
      unsigned b[6];
      char extra;
      if (std::sscanf(t.gateway_mac.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
                      &extra) != 6)
        fail(v["gateway_mac"], "gateway_mac '" + t.gateway_mac + "' is not a MAC address",
             "Azure's is \"12:34:56:78:9a:bc\" (quote it)");
    }
    auto subnets = required(v, "subnets", "vnet");
    if (!subnets.IsSequence()) fail(subnets, "'subnets' must be a list", "write each subnet as '- name: ...'");
    for (const auto& s : subnets) {
      expect_keys(s, "a subnet", {"name", "prefix", "udrs"});
      Subnet subnet;
      subnet.name = scalar(required(s, "name", "a subnet"), "subnet name");
      subnet.prefix = prefix(required(s, "prefix", "subnet " + subnet.name), "subnet prefix");
      if (!t.vnet.contains(subnet.prefix))
        fail(s["prefix"], "subnet " + subnet.name + " " + subnet.prefix.to_string() + " is outside the VNet " +
                              t.vnet.to_string(), "pick a prefix inside " + t.vnet.to_string());
      if (subnet.prefix.length > 29)
        fail(s["prefix"], "subnet " + subnet.name + " is smaller than /29", "Azure subnets are /29 or larger");
      for (const auto& other : t.subnets)
        if (other.name == subnet.name) fail(s["name"], "duplicate subnet name '" + subnet.name + "'", "rename one");
      if (auto udrs = s["udrs"]; udrs.IsDefined() && !udrs.IsNull()) {
        if (!udrs.IsSequence()) fail(udrs, "'udrs' must be a list", "write each as '- {prefix: ..., next_hop: ...}'");
        for (const auto& u : udrs) {
          expect_keys(u, "a UDR", {"prefix", "next_hop"});
          subnet.udrs.push_back(Udr{prefix(required(u, "prefix", "a UDR"), "UDR prefix"),
                                    ip(required(u, "next_hop", "a UDR"), "UDR next_hop"), u.Mark().line + 1});
        }
      }
      t.subnets.push_back(std::move(subnet));
    }
  }

  Node read_node(const YAML::Node& n, const Topology& t) {
    expect_keys(n, "a node", {"name", "role", "asn", "address", "prefix"});
    Node node;
    node.line = n.Mark().line + 1;
    node.name = name(required(n, "name", "a node"), "node name");
    if (t.find_node(node.name)) fail(n["name"], "duplicate node name '" + node.name + "'", "rename one");
    auto role_text = scalar(required(n, "role", "node " + node.name), "role");
    static const std::map<std::string, Role> roles{
        {"site", Role::Site}, {"ergw", Role::Ergw}, {"ars", Role::Ars}, {"nva", Role::Nva}};
    auto r = roles.find(role_text);
    if (r == roles.end()) fail(n["role"], "unknown role '" + role_text + "' for node " + node.name, "valid roles: site, ergw, ars, nva");
    node.role = r->second;
    node.asn = asn(required(n, "asn", "node " + node.name), "asn");
    auto addr = required(n, "address", "node " + node.name);
    if (node.role == Role::Site) {
      node.address = iface(addr, "site address");
      node.site_prefix = prefix(required(n, "prefix", "site " + node.name), "site prefix");
      if (!node.site_prefix->contains(node.address.address))
        fail(addr, "site " + node.name + " address " + node.address.address.to_string() + " is outside its prefix " +
                       node.site_prefix->to_string(), "put the VM inside the site prefix");
      if (t.vnet.contains(*node.site_prefix) || node.site_prefix->contains(t.vnet))
        fail(n["prefix"], "site prefix " + node.site_prefix->to_string() + " overlaps the VNet " + t.vnet.to_string(),
             "sites and the hub VNet must not overlap");
    } else {
      if (n["prefix"]) fail(n["prefix"], "only sites have a 'prefix'", "remove it from node " + node.name);
      auto a = ip(addr, "address");
      for (const auto& s : t.subnets)
        if (s.prefix.contains(a)) node.subnet = s.name;
      if (node.subnet.empty())
        fail(addr, "node " + node.name + " address " + a.to_string() + " is in no VNet subnet",
             "add a subnet for it under vnet.subnets or fix the address");
      const auto& subnet = *t.find_subnet(node.subnet);
      if (a == subnet.prefix.address || a == subnet.gateway() || a.value < subnet.prefix.address.value + 4)
        fail(addr, "node " + node.name + " address " + a.to_string() + " is reserved by Azure in " + subnet.prefix.to_string(),
             "use .4 or above (Azure reserves .0-.3)");
      node.address = Ipv4Interface{a, subnet.prefix.length};
    }
    for (const auto& other : t.nodes)
      if (other.address.address == node.address.address)
        fail(addr, "address " + node.address.address.to_string() + " is used by " + other.name + " too", "give each node its own address");
    return node;
  }

  Circuit read_circuit(const YAML::Node& c, const Topology& t) {
    expect_keys(c, "a circuit", {"name", "site", "site_address", "ergw_address", "msee_asn", "delay_ms"});
    Circuit circuit;
    circuit.name = name(required(c, "name", "a circuit"), "circuit name");
    circuit.site = scalar(required(c, "site", "circuit " + circuit.name), "site");
    const Node* site = t.find_node(circuit.site);
    if (!site || site->role != Role::Site)
      fail(c["site"], "circuit " + circuit.name + " names '" + circuit.site + "', which is not a site node",
           "use one of the nodes with role: site");
    if (t.circuit_of_site(circuit.site))
      fail(c["site"], "site " + circuit.site + " has two circuits", "give each site exactly one circuit");
    circuit.site_address = iface(required(c, "site_address", "circuit " + circuit.name), "site_address");
    circuit.ergw_address = iface(required(c, "ergw_address", "circuit " + circuit.name), "ergw_address");
    if (circuit.site_address.network() != circuit.ergw_address.network() ||
        circuit.site_address.address == circuit.ergw_address.address)
      fail(c["ergw_address"], "circuit " + circuit.name + " ends are not two addresses of one subnet",
           "use a /30 like 172.16.1.1/30 and 172.16.1.2/30");
    if (c["msee_asn"]) circuit.msee_asn = asn(c["msee_asn"], "msee_asn");
    if (c["delay_ms"]) {
      auto text = scalar(c["delay_ms"], "delay_ms");
      char* end = nullptr;
      double d = std::strtod(text.c_str(), &end);
      if (end == text.c_str() || *end != '\0' || d < 0 || d > 10000)
        fail(c["delay_ms"], "delay_ms '" + text + "' is not a delay in milliseconds", "use 0..10000, e.g. 45");
      circuit.delay_ms = d;
    }
    return circuit;
  }

  void check_whole(const YAML::Node& root, const YAML::Node& nodes, const Topology& t) {
    auto count = [&](Role r) { return t.nodes_with_role(r).size(); };
    if (count(Role::Nva) != 1) fail(nodes, "the topology needs exactly one node with role nva", "add or remove nva nodes");
    if (count(Role::Ergw) != 1) fail(nodes, "the topology needs exactly one node with role ergw", "add or remove ergw nodes");
    if (count(Role::Ars) < 1) fail(nodes, "the topology needs at least one node with role ars", "add an ars node");
    if (count(Role::Site) != 2) fail(nodes, "the topology needs exactly two site nodes", "the hairpin joins two sites");
    for (const auto* s : t.nodes_with_role(Role::Site))
      if (!t.circuit_of_site(s->name))
        fail(root["circuits"], "site " + s->name + " has no circuit", "add a circuit with 'site: " + s->name + "'");
    if (!t.supernet.contains(t.vnet))
      fail(root["supernet"], "supernet " + t.supernet.to_string() + " does not cover the VNet " + t.vnet.to_string(),
           "the supernet must be less specific than the VNet and both site prefixes");
    for (const auto* s : t.nodes_with_role(Role::Site))
      if (!t.supernet.contains(*s->site_prefix) || s->site_prefix->length <= t.supernet.length)
        fail(root["supernet"], "supernet " + t.supernet.to_string() + " is not less specific than site prefix " +
                                   s->site_prefix->to_string(),
             "the supernet must cover both site prefixes with a shorter length");
    for (const auto& subnet : t.subnets)
      for (const auto& udr : subnet.udrs) {
        bool hub_node = false;
        for (const auto& n : t.nodes) hub_node |= n.role != Role::Site && n.address.address == udr.next_hop;
        if (!hub_node)
          fail_at(udr.line, "UDR " + udr.prefix.to_string() + " in subnet " + subnet.name + " points at " +
                                 udr.next_hop.to_string() + ", which is no hub node",
               "point it at the NVA (" + t.nva().address.address.to_string() + ")");
      }
  }
};

}  // namespace

Result<Topology> parse_topology(std::string_view yaml_text, std::string source) {
  auto root = load_yaml(yaml_text, source);
  if (!root) return root.error();
  return Reader(std::move(source)).read(root.value());
}

Result<Topology> load_topology(const std::string& path) {
  auto text = read_whole_file(path);
  if (!text) return Error{"cannot read topology file", path, "check the path (the seed is fixtures/topologies/seed.yaml)"};
  return parse_topology(text.value(), path);
}

}  // namespace hairpin::verifier
