#include "hairpin/verifier/lab/lab_plan.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace hairpin::verifier {

// ---------------------------------------------------------------- faults

namespace {
struct FaultInfo {
  Fault fault;
  const char* name;
  const char* description;
};
constexpr FaultInfo kFaults[] = {
    {Fault::NoUdr, "no-udr", "no UDR on the GatewaySubnet: circuit traffic is never sent to the NVA"},
    {Fault::AsymmetricUdr, "asymmetric-udr", "UDR for the first site prefix only: traffic to the other site skips the NVA and is dropped at the gateway"},
    {Fault::NoSupernet, "no-supernet", "the NVA does not originate the supernet: the sites never learn each other"},
    {Fault::NvaNoforward, "nva-noforward", "the NVA receives but does not forward (traffic stops at the NVA)"},
    {Fault::Ars0Down, "ars0-down", "the first Route Server instance is down (the other must carry the design)"},
    {Fault::NvaDown, "nva-down", "the NVA is not running"},
    {Fault::SeedVerbatim, "seed-verbatim", "the NVA runs the seed's FRR config exactly as written (lo /8 trap)"},
};
}  // namespace

std::string to_string(Fault fault) {
  for (const auto& f : kFaults)
    if (f.fault == fault) return f.name;
  return "?";
}

std::string describe(Fault fault) {
  for (const auto& f : kFaults)
    if (f.fault == fault) return f.description;
  return "?";
}

const std::vector<Fault>& all_faults() {
  static const std::vector<Fault> faults = [] {
    std::vector<Fault> v;
    for (const auto& f : kFaults) v.push_back(f.fault);
    return v;
  }();
  return faults;
}

Result<Fault> parse_fault(const std::string& name) {
  for (const auto& f : kFaults)
    if (name == f.name) return f.fault;
  std::string valid;
  for (const auto& f : kFaults) valid += (valid.empty() ? "" : ", ") + std::string(f.name);
  return Error{"unknown fault '" + name + "'", "--fault", "valid faults: " + valid};
}

std::string to_string(NvaKind kind) { return kind == NvaKind::Frr ? "frr" : "builtin"; }

Result<NvaKind> parse_nva_kind(const std::string& name) {
  if (name == "builtin") return NvaKind::Builtin;
  if (name == "frr") return NvaKind::Frr;
  return Error{"unknown NVA '" + name + "'", "--nva", "use builtin (hairpin nva, the default) or frr"};
}

std::string Command::to_string() const {
  std::string out;
  for (const auto& a : argv) out += (out.empty() ? "" : " ") + a;
  return out;
}

// ---------------------------------------------------------------- helpers

namespace {

std::string bird_name(std::string name) {  // BIRD symbols: letters, digits, '_'
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

bool has(const std::set<Fault>& faults, Fault f) { return faults.contains(f); }

Command ip(const std::string& ns, std::vector<std::string> args) {
  std::vector<std::string> argv{"ip", "-n", ns};
  argv.insert(argv.end(), args.begin(), args.end());
  return Command{std::move(argv)};
}

Command in_ns(const std::string& ns, std::vector<std::string> args) {
  std::vector<std::string> argv{"ip", "netns", "exec", ns};
  argv.insert(argv.end(), args.begin(), args.end());
  return Command{std::move(argv)};
}

Command sysctl(const std::string& ns, const std::string& key, const std::string& value) {
  return in_ns(ns, {"sysctl", "-qw", key + "=" + value});
}

std::string fmt_ms(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", ms);
  return buf;
}

const Node* first_ars(const Topology& t) {
  auto ars = t.nodes_with_role(Role::Ars);
  return ars.empty() ? nullptr : ars.front();
}

bool node_down(const Topology& t, const Node& n, const std::set<Fault>& faults) {
  if (n.role == Role::Nva) return has(faults, Fault::NvaDown);
  if (n.role == Role::Ars) return has(faults, Fault::Ars0Down) && &n == first_ars(t);
  return false;
}

std::string node_dir(const LabOptions& o, const std::string& node) { return o.state_dir + "/" + node; }

double circuit_delay(const Circuit& c, const LabOptions& o) { return o.delay_ms.value_or(c.delay_ms); }

}  // namespace

std::string nic_mac(Ipv4Address address) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "02:00:%02x:%02x:%02x:%02x", (address.value >> 24) & 0xff,
                (address.value >> 16) & 0xff, (address.value >> 8) & 0xff, address.value & 0xff);
  return buf;
}

std::vector<std::string> lab_namespaces(const Topology& t) {
  std::vector<std::string> out{"hp-vnet"};
  for (const auto& c : t.circuits) out.push_back("hp-" + c.name);
  for (const auto& n : t.nodes) out.push_back(n.namespace_name());
  return out;
}

// ---------------------------------------------------------------- fabric

std::vector<Udr> udrs_in_force(const Subnet& subnet, const std::set<Fault>& faults) {
  if (has(faults, Fault::NoUdr)) return {};
  std::vector<Udr> udrs = subnet.udrs;
  if (has(faults, Fault::AsymmetricUdr) && udrs.size() > 1) udrs.resize(1);
  return udrs;
}

std::vector<FabricRange> effective_routes(const Topology& t, const Subnet& subnet, const std::set<Fault>& faults) {
  // Azure's effective routes for a subnet, longest prefix first:
  //   every NIC in the VNet (delivered straight to it),
  //   site prefixes learned over ExpressRoute -> the gateway (not from the
  //   GatewaySubnet itself: the gateway sends those down its circuits),
  //   the subnet's UDRs, which override the learned routes.
  struct Route {
    Ipv4Prefix prefix;
    std::string mac;
  };
  std::vector<Route> routes;
  const Node& ergw = t.ergw();
  for (const auto& n : t.nodes)
    if (n.role != Role::Site) routes.push_back({Ipv4Prefix{n.address.address, 32}, nic_mac(n.address.address)});
  auto udrs = udrs_in_force(subnet, faults);
  auto is_udr = [&](const Ipv4Prefix& p) {
    return std::any_of(udrs.begin(), udrs.end(), [&](const Udr& u) { return u.prefix == p; });
  };
  if (subnet.name != ergw.subnet)
    for (const auto* s : t.nodes_with_role(Role::Site))
      if (!is_udr(*s->site_prefix)) routes.push_back({*s->site_prefix, nic_mac(ergw.address.address)});
  for (const auto& u : udrs) routes.push_back({u.prefix, nic_mac(u.next_hop)});

  // nftables interval maps need disjoint ranges: cut the address space at every
  // prefix boundary and give each piece its longest matching route.
  std::vector<std::uint64_t> cuts;
  for (const auto& r : routes) {
    std::uint64_t first = r.prefix.address.value;
    cuts.push_back(first);
    cuts.push_back(first + (std::uint64_t{1} << (32 - r.prefix.length)));
  }
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  std::vector<FabricRange> out;
  for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
    Ipv4Address first{static_cast<std::uint32_t>(cuts[i])};
    const Route* best = nullptr;
    for (const auto& r : routes)
      if (r.prefix.contains(first) && (!best || r.prefix.length > best->prefix.length)) best = &r;
    if (!best) continue;
    Ipv4Address last{static_cast<std::uint32_t>(cuts[i + 1] - 1)};
    if (!out.empty() && out.back().mac == best->mac && out.back().last.value + 1 == first.value)
      out.back().last = last;
    else
      out.push_back({first, last, best->mac});
  }
  return out;
}

std::string fabric_nft(const Topology& t, const std::set<Fault>& faults) {
  std::ostringstream o;
  o << "# The hub VNet fabric (hp-vnet): Azure-like delivery by destination IP.\n"
    << "# Every NIC sends to the gateway MAC " << t.gateway_mac << "; each frame's destination\n"
    << "# MAC is rewritten to the NIC its sending subnet's effective routes choose, and its\n"
    << "# source MAC to the gateway's. Bridged, so no TTL is decremented.\n"
    << "table bridge hairpin_vnet {\n";
  for (const auto& s : t.subnets) {
    o << "  map routes_" << bird_name(s.name) << " {\n"
      << "    type ipv4_addr : ether_addr; flags interval;\n";
    auto ranges = effective_routes(t, s, faults);
    if (!ranges.empty()) {
      o << "    elements = {";
      for (std::size_t i = 0; i < ranges.size(); ++i) {
        const auto& r = ranges[i];
        o << (i ? ",\n                " : " ") << r.first.to_string();
        if (r.last != r.first) o << "-" << r.last.to_string();
        o << " : " << r.mac;
      }
      o << " }\n";
    }
    o << "  }\n";
  }
  o << "  chain prerouting {\n"
    << "    type filter hook prerouting priority 0; policy drop;\n";
  for (const auto& n : t.nodes)
    if (n.role != Role::Site)
      o << "    iifname \"n-" << n.name << "\" ether type ip jump from_" << bird_name(n.subnet) << "\n";
  o << "  }\n";
  for (const auto& s : t.subnets) {
    o << "  chain from_" << bird_name(s.name) << " {\n"
      << "    ether daddr != " << t.gateway_mac << " drop\n"
      << "    ether daddr set ip daddr map @routes_" << bird_name(s.name) << " accept\n"
      << "  }\n";
  }
  o << "  chain postrouting {\n"
    << "    type filter hook postrouting priority 0; policy accept;\n"
    << "    ether saddr set " << t.gateway_mac << "\n"
    << "  }\n"
    << "}\n";
  return o.str();
}

std::string ergw_nft(const Topology& t) {
  std::string circuits;
  for (const auto& c : t.circuits) circuits += (circuits.empty() ? "\"" : ", \"") + c.name + "\"";
  std::ostringstream o;
  o << "# The ExpressRoute gateway's forwarding rules.\n"
    << "table inet hairpin_ergw {\n"
    << "  chain prerouting {\n"
    << "    type filter hook prerouting priority 0; policy accept;\n"
    << "    # On the way back out to a circuit, a probe that expires here gets no\n"
    << "    # answer: the seed's silent third hop.\n"
    << "    iifname \"eth0\" ip ttl <= 1 fib daddr type != local drop\n"
    << "  }\n"
    << "  chain forward {\n"
    << "    type filter hook forward priority 0; policy accept;\n"
    << "    # ExpressRoute does not transit between circuits on one gateway.\n"
    << "    iifname { " << circuits << " } oifname { " << circuits << " } drop\n"
    << "  }\n"
    << "}\n";
  return o.str();
}

// ---------------------------------------------------------------- BIRD

namespace {

constexpr const char* kFastTimers =
    "  connect delay time 1; connect retry time 3; error wait time 1, 20;\n";

std::string bird_header(const Node& n, const LabOptions& o, const std::string& role) {
  std::ostringstream c;
  c << "# " << n.name << ": " << role << " (AS " << n.asn << "), played by BIRD 2.\n"
    << "# Generated by hairpin lab; do not edit.\n"
    << "log \"" << node_dir(o, n.name) << "/bird.log\" all;\n"
    << "router id " << n.address.address.to_string() << ";\n"
    << "timeformat protocol \"%T\";   # one token, for hairpin lab status\n"
    << "protocol device {}\n";
  return c.str();
}

std::string ars_config(const Topology& t, const Node& n, const LabOptions& o) {
  const Node& nva = t.nva();
  const Node& ergw = t.ergw();
  const Subnet& subnet = *t.subnet_of(n);
  std::ostringstream c;
  c << bird_header(n, o, "Azure Route Server instance")
    << "# The VNet is reached through the subnet gateway; this resolves the next hops\n"
    << "# of the multihop sessions the way Azure's fabric does.\n"
    << "protocol static vnet { ipv4; route " << t.vnet.to_string() << " via " << subnet.gateway().to_string()
    << "; }\n\n"
    << "filter from_nva {\n"
    << "  # ARS drops any route whose AS path contains its own ASN.\n"
    << "  if bgp_path ~ [= * " << n.asn << " * =] then reject;\n"
    << "  accept;\n"
    << "}\n\n"
    << "protocol bgp " << bird_name(nva.name) << " {\n"
    << "  description \"NVA " << nva.name << "\";\n"
    << "  local " << n.address.address.to_string() << " as " << n.asn << ";\n"
    << "  neighbor " << nva.address.address.to_string() << " as " << nva.asn << ";\n"
    << "  multihop;\n"
    << "  hold time 180; keepalive time 60;   # ARS: keepalive 60 s, hold 180 s\n"
    << kFastTimers
    << "  ipv4 {\n"
    << "    receive limit 1000 action restart;  # ARS: at most 1,000 routes per NVA peer\n"
    << "    import filter from_nva;\n"
    << "    export where source = RTS_BGP && proto = \"ergw\";\n"
    << "    next hop keep;                      # ARS hands out the gateway's own next hops\n"
    << "  };\n"
    << "}\n\n"
    << "protocol bgp ergw {\n"
    << "  description \"ExpressRoute gateway " << ergw.name << "\";\n"
    << "  local " << n.address.address.to_string() << " as " << n.asn << ";\n"
    << "  neighbor " << ergw.address.address.to_string() << " as " << ergw.asn << ";\n"
    << kFastTimers
    << "  ipv4 {\n"
    << "    import all;\n"
    << "    export where source = RTS_BGP && proto != \"ergw\";  # branch-to-branch: NVA routes to the gateway\n"
    << "    next hop keep;\n"
    << "  };\n"
    << "}\n";
  return c.str();
}

std::string ergw_config(const Topology& t, const Node& n, const LabOptions& o) {
  const Subnet& subnet = *t.subnet_of(n);
  std::ostringstream c;
  c << bird_header(n, o, "ExpressRoute gateway instance")
    << "protocol static vnet { ipv4; route " << t.vnet.to_string() << " via " << subnet.gateway().to_string()
    << "; }\n\n"
    << "# Site routes go to the kernel, answered from the gateway's own address.\n"
    << "protocol kernel {\n"
    << "  ipv4 {\n"
    << "    import none;\n"
    << "    export filter { if proto ~ \"site_*\" then { krt_prefsrc = " << n.address.address.to_string()
    << "; accept; } reject; };\n"
    << "  };\n"
    << "}\n\n"
    << "# No transit: what one circuit taught us never goes down another.\n"
    << "filter to_circuit {\n"
    << "  if proto ~ \"site_*\" then reject;\n"
    << "  if proto = \"vnet\" || proto ~ \"ars_*\" then accept;\n"
    << "  reject;\n"
    << "}\n\n";
  for (const auto& circuit : t.circuits) {
    const Node& site = *t.find_node(circuit.site);
    c << "protocol bgp site_" << bird_name(site.name) << " {\n"
      << "  description \"circuit " << circuit.name << " to " << site.name << "\";\n"
      << "  local " << circuit.ergw_address.address.to_string() << " as " << n.asn << ";\n"
      << "  neighbor " << circuit.site_address.address.to_string() << " as " << site.asn << ";\n"
      << kFastTimers
      << "  ipv4 {\n"
      << "    import filter { bgp_path.prepend(" << circuit.msee_asn << "); accept; };  # the MSEE's ASN\n"
      << "    export filter to_circuit;\n"
      << "  };\n"
      << "}\n\n";
  }
  for (const auto* ars : t.nodes_with_role(Role::Ars)) {
    c << "protocol bgp ars_" << bird_name(ars->name) << " {\n"
      << "  description \"Route Server " << ars->name << "\";\n"
      << "  local " << n.address.address.to_string() << " as " << n.asn << ";\n"
      << "  neighbor " << ars->address.address.to_string() << " as " << ars->asn << ";\n"
      << kFastTimers
      << "  ipv4 {\n"
      << "    import all;\n"
      << "    export where proto ~ \"site_*\";\n"
      << "    next hop self;\n"
      << "  };\n"
      << "}\n\n";
  }
  return c.str();
}

std::string site_config(const Topology& t, const Node& n, const LabOptions& o) {
  const Circuit& circuit = *t.circuit_of_site(n.name);
  const Node& ergw = t.ergw();
  std::ostringstream c;
  c << bird_header(n, o, "branch site (VM and its edge BGP speaker)")
    << "protocol static site_prefix { ipv4; route " << n.site_prefix->to_string() << " blackhole; }\n\n"
    << "protocol kernel {\n"
    << "  ipv4 {\n"
    << "    import none;\n"
    << "    export filter { if proto = \"ergw\" then { krt_prefsrc = " << n.address.address.to_string()
    << "; accept; } reject; };\n"
    << "  };\n"
    << "}\n\n"
    << "protocol bgp ergw {\n"
    << "  description \"circuit " << circuit.name << " to the hub gateway\";\n"
    << "  local " << circuit.site_address.address.to_string() << " as " << n.asn << ";\n"
    << "  neighbor " << circuit.ergw_address.address.to_string() << " as " << ergw.asn << ";\n"
    << kFastTimers
    << "  ipv4 {\n"
    << "    import all;\n"
    << "    export where proto = \"site_prefix\";\n"
    << "  };\n"
    << "}\n";
  return c.str();
}

}  // namespace

std::string bird_config(const Topology& t, const Node& n, const LabOptions& o) {
  switch (n.role) {
    case Role::Ars: return ars_config(t, n, o);
    case Role::Ergw: return ergw_config(t, n, o);
    case Role::Site: return site_config(t, n, o);
    case Role::Nva: break;
  }
  return {};
}

// ---------------------------------------------------------------- NVA

std::string nva_frr_config(const Topology& t, const LabOptions& o) {
  if (!has(o.faults, Fault::NoSupernet)) return o.nva_config_text;
  // no-supernet: the same config without the line that originates the supernet.
  std::istringstream in(o.nva_config_text);
  std::ostringstream out;
  const std::string origin = "network " + t.supernet.to_string();
  for (std::string line; std::getline(in, line);) {
    auto first = line.find_first_not_of(" \t");
    auto last = line.find_last_not_of(" \t\r");
    if (first != std::string::npos && line.substr(first, last - first + 1) == origin) continue;
    out << line << "\n";
  }
  return out.str();
}

BuiltinNvaFiles builtin_nva_files(const Topology& t, const LabOptions& o) {
  const auto dir = node_dir(o, t.nva().name);
  return {dir + "/nva.conf", dir + "/nva.sock", dir + "/nva.log", dir + "/nva.pid"};
}

// ---------------------------------------------------------------- the plan

Result<LabPlan> make_lab_plan(const Topology& t, const LabOptions& o) {
  if (o.nva_config_text.empty() && !has(o.faults, Fault::NvaDown))
    return Error{"no NVA config given", "--nva-config", "pass an FRR-style config, e.g. fixtures/configs/nva-fixed.frr"};

  LabPlan plan;
  plan.namespaces = lab_namespaces(t);
  const auto& faults = o.faults;
  auto& net = plan.network;
  const std::string vnet_ns = "hp-vnet";

  for (const auto& ns : plan.namespaces) {
    net.push_back(Command{{"ip", "netns", "add", ns}});
    net.push_back(ip(ns, {"link", "set", "lo", "up"}));
    // Kernel defaults for a new namespace, stated so the lab does not depend on them.
    net.push_back(sysctl(ns, "net.ipv4.conf.all.rp_filter", "0"));
    net.push_back(sysctl(ns, "net.ipv4.conf.default.rp_filter", "0"));
  }

  // The VNet fabric: a bridge with one port per hub NIC, static FDB, no learning.
  net.push_back(ip(vnet_ns, {"link", "add", "vnet0", "type", "bridge"}));
  net.push_back(ip(vnet_ns, {"link", "set", "vnet0", "up"}));
  for (const auto& n : t.nodes) {
    if (n.role == Role::Site) continue;
    const auto ns = n.namespace_name();
    const auto port = "n-" + n.name;
    const auto mac = nic_mac(n.address.address);
    const Subnet& subnet = *t.subnet_of(n);
    net.push_back(ip(ns, {"link", "add", "eth0", "address", mac, "type", "veth", "peer", "name", port, "netns", vnet_ns}));
    net.push_back(ip(vnet_ns, {"link", "set", port, "master", "vnet0"}));
    net.push_back(Command{{"bridge", "-n", vnet_ns, "link", "set", "dev", port, "learning", "off", "flood", "off"}});
    net.push_back(Command{{"bridge", "-n", vnet_ns, "fdb", "add", mac, "dev", port, "master", "static"}});
    net.push_back(ip(vnet_ns, {"link", "set", port, "up"}));
    net.push_back(ip(ns, {"addr", "add", n.address.to_string(), "dev", "eth0"}));
    net.push_back(ip(ns, {"link", "set", "eth0", "up"}));
    // Azure answers every address with the gateway MAC.
    std::vector<Ipv4Address> resolved{subnet.gateway()};
    for (const auto& other : t.nodes)
      if (&other != &n && other.role != Role::Site && other.subnet == n.subnet) resolved.push_back(other.address.address);
    if (n.role == Role::Ergw)
      for (const auto& udr : subnet.udrs) resolved.push_back(udr.next_hop);
    std::sort(resolved.begin(), resolved.end());
    resolved.erase(std::unique(resolved.begin(), resolved.end()), resolved.end());
    for (auto a : resolved)
      net.push_back(ip(ns, {"neigh", "replace", a.to_string(), "lladdr", t.gateway_mac, "dev", "eth0", "nud", "permanent"}));
    if (n.role == Role::Ergw)
      net.push_back(ip(ns, {"route", "add", t.vnet.to_string(), "via", subnet.gateway().to_string(), "dev", "eth0"}));
    else
      net.push_back(ip(ns, {"route", "add", "default", "via", subnet.gateway().to_string(), "dev", "eth0"}));
  }

  // Circuits: site eth0 <-> hp-<circuit> <-> ERGW interface named after the circuit.
  const Node& ergw = t.ergw();
  bool any_delay = false;
  bool delay_line = false;
  for (const auto& c : t.circuits) {
    const Node& site = *t.find_node(c.site);
    const auto cns = "hp-" + c.name;
    const auto sns = site.namespace_name();
    const auto gns = ergw.namespace_name();
    net.push_back(ip(sns, {"link", "add", "eth0", "type", "veth", "peer", "name", "site", "netns", cns}));
    net.push_back(ip(gns, {"link", "add", c.name, "type", "veth", "peer", "name", "ergw", "netns", cns}));
    // Checksums and segments are completed in the sender, so a frame can cross the
    // circuit through a bridge or the userspace delay line alike.
    for (auto [ns, dev] : {std::pair{sns, std::string("eth0")}, {gns, c.name}, {cns, "site"}, {cns, "ergw"}})
      net.push_back(in_ns(ns, {"ethtool", "-K", dev, "tx", "off", "tso", "off", "gso", "off", "gro", "off"}));
    double delay = circuit_delay(c, o);
    any_delay |= delay > 0;
    bool use_line = delay > 0 && !o.netem_available;
    delay_line |= use_line;
    for (const auto* dev : {"site", "ergw"}) net.push_back(ip(cns, {"link", "set", dev, "up"}));
    if (!use_line) {
      net.push_back(ip(cns, {"link", "add", "br0", "type", "bridge"}));
      for (const auto* dev : {"site", "ergw"}) net.push_back(ip(cns, {"link", "set", dev, "master", "br0"}));
      net.push_back(ip(cns, {"link", "set", "br0", "up"}));
      if (delay > 0)
        for (const auto* dev : {"site", "ergw"})
          net.push_back(in_ns(cns, {"tc", "qdisc", "add", "dev", dev, "root", "netem", "delay", fmt_ms(delay) + "ms",
                                    "limit", "100000"}));
    } else {
      const auto dir = node_dir(o, c.name);
      Daemon d{c.name, cns, "delay-line", {}, {dir + "/delay-line.pid"}};
      d.runtime_files = {dir + "/delay-line.pid"};
      d.log = dir + "/delay-line.log";
      Command run = in_ns(cns, {o.hairpin_binary, "lab", "delay-line", "--a", "site", "--b", "ergw", "--delay-ms",
                                fmt_ms(delay), "--pidfile", dir + "/delay-line.pid", "--log", dir + "/delay-line.log"});
      run.background = true;
      d.start.push_back(Command{{"mkdir", "-p", dir}});
      d.start.push_back(run);
      plan.daemons.push_back(std::move(d));
    }
    net.push_back(ip(sns, {"addr", "add", site.address.to_string(), "dev", "eth0"}));
    net.push_back(ip(sns, {"addr", "add", c.site_address.to_string(), "dev", "eth0"}));
    net.push_back(ip(sns, {"link", "set", "eth0", "up"}));
    net.push_back(ip(gns, {"addr", "add", c.ergw_address.to_string(), "dev", c.name}));
    net.push_back(ip(gns, {"link", "set", c.name, "up"}));
  }
  if (!any_delay)
    plan.delay_summary = "no circuit delay";
  else
    plan.delay_summary = std::string("circuit delay each way: ") +
                         (o.delay_ms ? fmt_ms(*o.delay_ms) + " ms" : std::string("per topology")) +
                         (delay_line ? ", by hairpin's userspace delay line (this kernel has no sch_netem)" : ", by netem");

  // Forwarding nodes. ICMP rate limits are off so repeated traces answer every probe.
  const Node& nva = t.nva();
  for (const Node* n : {&ergw, &nva}) {
    const auto ns = n->namespace_name();
    net.push_back(sysctl(ns, "net.ipv4.ip_forward", "1"));
    net.push_back(sysctl(ns, "net.ipv4.icmp_ratelimit", "0"));
    // A single-NIC router forwards out the interface it received on: no redirects.
    for (const auto* scope : {"all", "default", "eth0"})
      net.push_back(sysctl(ns, std::string("net.ipv4.conf.") + scope + ".send_redirects", "0"));
    net.push_back(sysctl(ns, "net.ipv4.conf.eth0.rp_filter", "0"));
  }

  // GatewaySubnet UDR: policy routing for traffic arriving from the circuits.
  const Subnet& gateway_subnet = *t.subnet_of(ergw);
  auto udrs = udrs_in_force(gateway_subnet, faults);
  if (!udrs.empty()) {
    for (const auto& c : t.circuits)
      net.push_back(ip(ergw.namespace_name(), {"rule", "add", "iif", c.name, "lookup", "100", "pref", "1000"}));
    for (const auto& u : udrs)
      net.push_back(ip(ergw.namespace_name(), {"route", "add", u.prefix.to_string(), "via", u.next_hop.to_string(),
                                               "dev", "eth0", "onlink", "table", "100"}));
  }

  // Files and firewall rules.
  auto add_nft = [&](const std::string& ns, const std::string& name, std::string ruleset) {
    auto path = o.state_dir + "/nft/" + name + ".nft";
    plan.files.push_back({path, std::move(ruleset)});
    net.push_back(in_ns(ns, {"nft", "-f", path}));
  };
  add_nft(vnet_ns, "vnet", fabric_nft(t, faults));
  add_nft(ergw.namespace_name(), ergw.name, ergw_nft(t));
  if (has(faults, Fault::NvaNoforward))
    add_nft(nva.namespace_name(), nva.name,
            "# Fault nva-noforward: the NVA takes the traffic in and forwards none of it.\n"
            "table inet hairpin_fault {\n"
            "  chain forward { type filter hook forward priority 0; policy drop; }\n"
            "}\n");

  // Daemons: the Azure side (BIRD) first, then the NVA.
  for (const auto& n : t.nodes) {
    if (n.role == Role::Nva || node_down(t, n, faults)) continue;
    const auto dir = node_dir(o, n.name);
    plan.files.push_back({dir + "/bird.conf", bird_config(t, n, o)});
    Daemon d{n.name, n.namespace_name(), "bird", {}, {dir + "/bird.pid"}};
    d.ready = {dir + "/bird.ctl"};
    d.runtime_files = {dir + "/bird.pid", dir + "/bird.ctl"};
    d.log = dir + "/bird.log";
    d.start.push_back(in_ns(n.namespace_name(), {"bird", "-c", dir + "/bird.conf", "-s", dir + "/bird.ctl", "-P",
                                                 dir + "/bird.pid"}));
    plan.daemons.push_back(std::move(d));
  }
  if (!has(faults, Fault::NvaDown) && o.nva == NvaKind::Builtin) {
    // The built-in NVA: the same config, the same namespace, this very binary.
    // It sets its own forwarding sysctls (--apply-sysctls) and is up once its
    // control socket answers.
    const auto f = builtin_nva_files(t, o);
    plan.files.push_back({f.config, nva_frr_config(t, o)});
    Daemon d{nva.name, nva.namespace_name(), "hairpin-nva", {}, {f.pidfile}};
    Command run = in_ns(nva.namespace_name(), {o.hairpin_binary, "nva", "--config", f.config, "--control-socket",
                                               f.control_socket, "--apply-sysctls"});
    run.background = true;
    run.log = f.log;
    run.pidfile = f.pidfile;
    d.start.push_back(run);
    d.ready = {f.control_socket};
    d.runtime_files = {f.pidfile, f.control_socket};
    d.log = f.log;
    plan.daemons.push_back(std::move(d));
  } else if (!has(faults, Fault::NvaDown)) {
    const auto dir = node_dir(o, nva.name) + "/frr";
    plan.files.push_back({dir + "/frr.conf", nva_frr_config(t, o)});
    plan.files.push_back({dir + "/vtysh.conf", "! vtysh settings for the lab NVA (none)\n"});
    Daemon d{nva.name, nva.namespace_name(), "frr", {}, {}};
    d.start.push_back(Command{{"chown", "-R", "frr:frr", dir}});
    for (const auto* daemon : {"zebra", "staticd", "bgpd"}) {
      d.start.push_back(in_ns(nva.namespace_name(),
                              {std::string("/usr/lib/frr/") + daemon, "-d", "-u", "frr", "-g", "frr", "--vty_socket",
                               dir, "-z", dir + "/zserv.api", "-i", dir + "/" + daemon + ".pid", "--log",
                               "file:" + dir + "/" + daemon + ".log"}));
      d.pidfiles.push_back(dir + "/" + daemon + ".pid");
      d.runtime_files.push_back(dir + "/" + daemon + ".pid");
      d.runtime_files.push_back(dir + "/" + daemon + ".vty");
    }
    d.runtime_files.push_back(dir + "/zserv.api");
    Command apply = in_ns(nva.namespace_name(), {"vtysh", "--vty_socket", dir, "--config_dir", dir, "-b"});
    for (const auto* daemon : {"zebra", "staticd", "bgpd"}) apply.wait_for.push_back(dir + "/" + daemon + ".vty");
    d.start.push_back(apply);
    d.log = dir + "/bgpd.log";
    plan.daemons.push_back(std::move(d));
  }

  // Convergence: the deployment's expectations, less what the faults take away,
  // each session seen from the Azure side (the BIRD protocol that runs it).
  const auto expected = deployment_expectations(t);
  auto down = [&](const std::string& name) { return node_down(t, *t.find_node(name), faults); };
  for (const auto& s : expected.sessions) {
    if (down(s.a) || down(s.b)) continue;
    const Node& peer = *t.find_node(s.b);
    std::string protocol = peer.role == Role::Site ? "site_" + bird_name(peer.name)
                           : peer.role == Role::Ars ? "ars_" + bird_name(peer.name)
                                                    : bird_name(peer.name);
    plan.sessions.push_back({s.a, protocol, s.b});
  }
  const bool supernet_expected = !has(faults, Fault::NoSupernet) && !has(faults, Fault::NvaDown);
  for (const auto& r : expected.routes) {
    if (r.node == nva.name && has(faults, Fault::NvaDown)) continue;
    if (r.prefix == t.supernet && !supernet_expected) continue;
    plan.routes.push_back(r);
  }
  return plan;
}

}  // namespace hairpin::verifier
