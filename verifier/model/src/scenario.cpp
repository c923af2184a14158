#include "hairpin/verifier/model/scenario.hpp"

#include "hairpin/common/file_io.hpp"
#include "yaml_reader.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <set>

namespace hairpin::verifier {

std::string_view to_string(RunnerSpec::Kind kind) {
  switch (kind) {
    case RunnerSpec::Kind::Local: return "local";
    case RunnerSpec::Kind::Netns: return "netns";
    case RunnerSpec::Kind::Ssh: return "ssh";
  }
  return "?";
}

std::string RunnerSpec::to_string() const {
  switch (kind) {
    case Kind::Local: return "local";
    case Kind::Netns: return "netns " + netns;
    case Kind::Ssh: {
      std::string out = "ssh " + (user ? *user + "@" : std::string()) + host;
      if (port) out += ":" + std::to_string(*port);
      return out;
    }
  }
  return "?";
}

std::string_view to_string(NvaSoftware software) {
  return software == NvaSoftware::Builtin ? "builtin" : "frr";
}

const ScenarioSite* Scenario::find_site(std::string_view name) const {
  for (const auto& s : sites)
    if (s.name == name) return &s;
  return nullptr;
}

const ScenarioSite* Scenario::site_covering(Ipv4Address address) const {
  const ScenarioSite* best = nullptr;
  for (const auto& s : sites)
    if (s.prefix.contains(address) && (!best || s.prefix.length > best->prefix.length)) best = &s;
  return best;
}

std::size_t Scenario::route_limit_threshold() const {
  return route_server_limit * static_cast<std::size_t>(route_server_margin_pct) / 100;
}

namespace {

// Reads one YAML document into a Scenario, failing with file:line and a fix
// (the same shape as the topology reader: yaml-cpp marks give the lines).
class ScenarioReader : YamlReader {
 public:
  explicit ScenarioReader(std::string source) : YamlReader(std::move(source)) {}

  Result<Scenario> read(const YAML::Node& root) {
    return read_document([&] { return read_root(root); }, "scenario", "start from fixtures/scenarios/seed-lab.yaml");
  }

 private:
  std::string nonempty(const YAML::Node& v, std::string_view what) const {
    auto text = scalar(v, what);
    if (text.empty()) fail(v, std::string(what) + " is empty", "give it a value");
    return text;
  }

  long long integer(const YAML::Node& v, std::string_view what, long long lo, long long hi, std::string_view example) const {
    auto text = scalar(v, what);
    bool digits = !text.empty() && text.size() <= 12 &&
                  std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    long long n = digits ? std::stoll(text) : -1;
    if (!digits || n < lo || n > hi)
      fail(v, std::string(what) + " '" + text + "' is out of range",
           "use a whole number " + std::to_string(lo) + ".." + std::to_string(hi) + ", e.g. " + std::string(example));
    return n;
  }

  double seconds(const YAML::Node& v, std::string_view what) const {
    auto text = scalar(v, what);
    char* end = nullptr;
    double d = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0' || !(d > 0) || d > 3600)
      fail(v, std::string(what) + " '" + text + "' is not a time in seconds", "use a number in (0, 3600], e.g. 30");
    return d;
  }

  std::string name(const YAML::Node& v, std::string_view what) const {
    auto text = scalar(v, what);
    bool plain = !text.empty() && text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
             c == '.';
    });
    if (!plain) fail(v, std::string(what) + " '" + text + "' is not a valid name", "use 1-64 of A-Z, a-z, 0-9, '-', '_', '.'");
    return text;
  }

  RunnerSpec runner(const YAML::Node& v, std::string_view owner) const {
    RunnerSpec r;
    r.line = line_of(v);
    const std::string what = "the runner of " + std::string(owner);
    if (!v.IsMap()) fail(v, what + " must be a mapping", "write it like {kind: netns, namespace: hp-vm-hub100}");
    auto kind = scalar(required(v, "kind", what), "runner kind");
    if (kind == "local") {
      expect_keys(v, what, {"kind"});
      r.kind = RunnerSpec::Kind::Local;
    } else if (kind == "netns") {
      expect_keys(v, what, {"kind", "namespace"});
      r.kind = RunnerSpec::Kind::Netns;
      r.netns = nonempty(required(v, "namespace", what), "namespace");
      // iproute2 keeps namespaces as files under /run/netns: a plain file name.
      if (r.netns.find('/') != std::string::npos || r.netns == "." || r.netns == ".." || r.netns.size() > 255)
        fail(v["namespace"], "namespace '" + r.netns + "' is not a namespace name", "use the name 'ip netns list' shows");
    } else if (kind == "ssh") {
      expect_keys(v, what, {"kind", "host", "user", "port", "options", "hairpin"});
      r.kind = RunnerSpec::Kind::Ssh;
      r.host = nonempty(required(v, "host", what), "ssh host");
      if (r.host.front() == '-' || r.host.find_first_of(" \t\n@") != std::string::npos)
        fail(v["host"], "ssh host '" + r.host + "' is not a host name or address",
             "write the user under 'user:', the host alone under 'host:'");
      if (present(v, "user")) {
        r.user = nonempty(v["user"], "ssh user");
        if (r.user->front() == '-' || r.user->find_first_of(" \t\n@") != std::string::npos)
          fail(v["user"], "ssh user '" + *r.user + "' is not a login name", "use the remote login, e.g. azureuser");
      }
      if (present(v, "port")) r.port = static_cast<std::uint16_t>(integer(v["port"], "ssh port", 1, 65535, "22"));
      if (present(v, "hairpin")) {
        r.hairpin = nonempty(v["hairpin"], "the remote hairpin binary");
        if (r.hairpin->front() != '/')
          fail(v["hairpin"], "the remote hairpin binary '" + *r.hairpin + "' is not an absolute path",
               "give its full path there, e.g. /usr/local/bin/hairpin (or omit it: hairpin on the remote PATH)");
      }
      if (present(v, "options")) {
        auto opts = v["options"];
        if (!opts.IsSequence()) fail(opts, "ssh options must be a list", "write each as '- ConnectTimeout=5'");
        for (const auto& o : opts) {
          auto text = nonempty(o, "ssh option");
          // Each becomes one `-o` argument: ssh_config's "Keyword=value".
          if (text.find('=') == std::string::npos || text.front() == '-')
            fail(o, "ssh option '" + text + "' is not Keyword=value", "write it as ssh_config(5) does, e.g. ConnectTimeout=5");
          r.options.push_back(text);
        }
      }
    } else {
      fail(v["kind"], "unknown runner kind '" + kind + "' for " + std::string(owner), "valid kinds: netns, local, ssh");
    }
    return r;
  }

  Scenario read_root(const YAML::Node& root) {
    if (!root.IsMap()) fail(root, "the scenario must be a mapping", "start from fixtures/scenarios/seed-lab.yaml");
    expect_keys(root, "the scenario",
                {"name", "supernet", "port", "sites", "nva", "route_servers", "route_server_limit",
                 "route_server_margin_pct", "expectations"});
    Scenario s;
    s.source = source();
    s.name = name(required(root, "name", "the scenario"), "scenario name");
    s.supernet = prefix(required(root, "supernet", "the scenario"), "supernet");
    if (present(root, "port")) s.port = static_cast<std::uint16_t>(integer(root["port"], "port", 1, 65535, "22"));

    auto sites = required(root, "sites", "the scenario");
    if (!sites.IsSequence()) fail(sites, "'sites' must be a list", "write each site as '- name: ...'");
    for (const auto& n : sites) s.sites.push_back(read_site(n, s));
    if (s.sites.size() < 2) fail(sites, "the scenario needs at least two sites", "the hairpin joins two sites");

    s.nva = read_nva(required(root, "nva", "the scenario"), s);

    auto servers = required(root, "route_servers", "the scenario");
    if (!servers.IsSequence() || servers.size() == 0)
      fail(servers, "'route_servers' must be a list of at least one", "write each as '- address: 10.0.210.4'");
    for (const auto& n : servers) {
      RouteServerPeer p;
      p.line = line_of(n);
      if (n.IsScalar()) {
        p.address = ip(n, "route server address");
      } else {
        expect_keys(n, "a route server", {"address", "asn"});
        p.address = ip(required(n, "address", "a route server"), "route server address");
        if (present(n, "asn")) p.asn = static_cast<std::uint32_t>(integer(n["asn"], "route server asn", 1, 4294967295LL, "65515"));
      }
      for (const auto& other : s.route_servers)
        if (other.address == p.address) fail(n, "route server " + p.address.to_string() + " is listed twice", "list each once");
      if (p.address == s.nva.address) fail(n, "route server " + p.address.to_string() + " is the NVA's own address", "list the Route Server's instances");
      s.route_servers.push_back(p);
    }
    if (present(root, "route_server_limit"))
      s.route_server_limit = static_cast<std::size_t>(integer(root["route_server_limit"], "route_server_limit", 1, 100000, "1000"));
    if (present(root, "route_server_margin_pct"))
      s.route_server_margin_pct = static_cast<int>(integer(root["route_server_margin_pct"], "route_server_margin_pct", 1, 100, "75"));

    read_expectations(root["expectations"], s);
    return s;
  }

  ScenarioSite read_site(const YAML::Node& n, const Scenario& s) {
    expect_keys(n, "a site", {"name", "prefix", "probe_host", "runner"});
    ScenarioSite site;
    site.line = line_of(n);
    site.name = name(required(n, "name", "a site"), "site name");
    if (s.find_site(site.name)) fail(n["name"], "duplicate site name '" + site.name + "'", "rename one");
    site.prefix = prefix(required(n, "prefix", "site " + site.name), "site prefix");
    if (!s.supernet.contains(site.prefix) || site.prefix.length <= s.supernet.length)
      fail(n["prefix"], "site prefix " + site.prefix.to_string() + " is not more specific than the supernet " +
                            s.supernet.to_string(),
           "the supernet must cover every site prefix with a shorter length");
    site.probe_host = ip(required(n, "probe_host", "site " + site.name), "probe_host");
    if (!site.prefix.contains(site.probe_host))
      fail(n["probe_host"], "site " + site.name + " probe_host " + site.probe_host.to_string() +
                                " is outside its prefix " + site.prefix.to_string(),
           "put the probe host inside the site prefix");
    for (const auto& other : s.sites)
      if (other.prefix.contains(site.prefix) || site.prefix.contains(other.prefix))
        fail(n["prefix"], "site prefix " + site.prefix.to_string() + " overlaps site " + other.name + "'s " +
                              other.prefix.to_string(), "give each site its own prefix");
    site.runner = runner(required(n, "runner", "site " + site.name), "site " + site.name);
    return site;
  }

  ScenarioNva read_nva(const YAML::Node& n, const Scenario& s) {
    expect_keys(n, "nva", {"name", "address", "interface", "kind", "state", "runner"});
    ScenarioNva nva;
    nva.line = line_of(n);
    if (present(n, "name")) nva.name = name(n["name"], "nva name");
    nva.address = ip(required(n, "address", "nva"), "nva address");
    for (const auto& site : s.sites)
      if (site.prefix.contains(nva.address))
        fail(n["address"], "nva address " + nva.address.to_string() + " is inside site " + site.name + "'s prefix",
             "give the NVA's hub address (the UDR's next hop)");
    if (present(n, "interface")) nva.interface = nonempty(n["interface"], "nva interface");
    auto kind = scalar(required(n, "kind", "nva"), "nva kind");
    if (kind == "builtin") nva.software = NvaSoftware::Builtin;
    else if (kind == "frr") nva.software = NvaSoftware::Frr;
    else fail(n["kind"], "unknown nva kind '" + kind + "'", "valid kinds: builtin, frr");

    // Default state access follows the software: the built-in NVA answers on its
    // control socket, FRR through vtysh.
    nva.state.kind = nva.software == NvaSoftware::Builtin ? StateAccess::Kind::ControlSocket : StateAccess::Kind::Vtysh;
    if (nva.software == NvaSoftware::Builtin) nva.state.control_socket = "/run/hairpin/nva.sock";
    if (present(n, "state")) {
      auto st = n["state"];
      expect_keys(st, "nva state", {"via", "control_socket", "vty_socket"});
      if (present(st, "via")) {
        auto via = scalar(st["via"], "nva state via");
        if (via == "control-socket") nva.state.kind = StateAccess::Kind::ControlSocket;
        else if (via == "vtysh") nva.state.kind = StateAccess::Kind::Vtysh;
        else fail(st["via"], "unknown state access '" + via + "'", "valid: control-socket (builtin), vtysh (frr)");
      }
      if (nva.software == NvaSoftware::Frr && nva.state.kind == StateAccess::Kind::ControlSocket)
        fail(st, "an frr NVA has no hairpin control socket", "use 'via: vtysh' (or kind: builtin)");
      if (nva.software == NvaSoftware::Builtin && nva.state.kind == StateAccess::Kind::Vtysh)
        fail(st, "the builtin NVA does not answer vtysh", "use 'via: control-socket' (or kind: frr)");
      if (present(st, "control_socket")) {
        if (nva.state.kind != StateAccess::Kind::ControlSocket)
          fail(st["control_socket"], "control_socket is for the builtin NVA", "use vty_socket with vtysh");
        nva.state.control_socket = nonempty(st["control_socket"], "control_socket");
      }
      if (present(st, "vty_socket")) {
        if (nva.state.kind != StateAccess::Kind::Vtysh)
          fail(st["vty_socket"], "vty_socket is for an frr NVA (vtysh)", "use control_socket with the builtin NVA");
        nva.state.vty_socket_dir = nonempty(st["vty_socket"], "vty_socket");
      }
    }
    nva.runner = runner(required(n, "runner", "nva"), "the nva");
    return nva;
  }

  std::vector<Ipv4Address> hop_list(const YAML::Node& v, std::string_view what) const {
    if (!v.IsSequence() || v.size() == 0)
      fail(v, std::string(what) + " must be a list of addresses", "write it like [10.0.200.12, 10.0.0.4]");
    std::vector<Ipv4Address> out;
    for (const auto& h : v) out.push_back(ip(h, "hop"));
    return out;
  }

  void read_expectations(const YAML::Node& e, Scenario& s) {
    std::vector<Ipv4Address> hops{s.nva.address};
    YAML::Node hops_at;
    if (e.IsDefined() && !e.IsNull()) {
      expect_keys(e, "expectations", {"hops", "paths", "timeouts"});
      if (present(e, "hops")) {
        hops_at = e["hops"];
        hops = hop_list(e["hops"], "expectations.hops");
      }
      if (present(e, "timeouts")) {
        auto t = e["timeouts"];
        expect_keys(t, "expectations.timeouts", {"converge_s", "step_s", "trace_s"});
        if (present(t, "converge_s")) s.timeouts.converge_s = seconds(t["converge_s"], "converge_s");
        if (present(t, "step_s")) s.timeouts.step_s = seconds(t["step_s"], "step_s");
        if (present(t, "trace_s")) s.timeouts.trace_s = seconds(t["trace_s"], "trace_s");
      }
      if (present(e, "paths")) {
        auto paths = e["paths"];
        if (!paths.IsSequence()) fail(paths, "'paths' must be a list", "write each as '- {from: A, to: B, hops: [...]}'");
        for (const auto& p : paths) {
          expect_keys(p, "a path", {"from", "to", "hops"});
          PathExpectation pe;
          pe.from = scalar(required(p, "from", "a path"), "from");
          pe.to = scalar(required(p, "to", "a path"), "to");
          for (const auto* end : {&pe.from, &pe.to})
            if (!s.find_site(*end)) fail(p, "path names '" + *end + "', which is no site", "use one of the site names");
          if (pe.from == pe.to) fail(p, "a path from " + pe.from + " to itself", "name two different sites");
          for (const auto& other : s.paths)
            if (other.from == pe.from && other.to == pe.to) fail(p, "path " + pe.from + " -> " + pe.to + " is listed twice", "list it once");
          pe.hops_before_target = hop_list(required(p, "hops", "a path"), "path hops");
          s.paths.push_back(pe);
        }
      }
    }
    // The NVA must be among the hops: that is the design (DESIGN.md, Evidence).
    auto needs_nva = [&](const std::vector<Ipv4Address>& h, const YAML::Node& at) {
      if (std::find(h.begin(), h.end(), s.nva.address) == h.end())
        fail(at, "the expected hops do not include the NVA " + s.nva.address.to_string(),
             "add " + s.nva.address.to_string() + " to the hops (the hairpin goes through it)");
    };
    if (hops_at.IsDefined()) needs_nva(hops, hops_at);
    for (std::size_t i = 0; i < s.paths.size(); ++i) needs_nva(s.paths[i].hops_before_target, e["paths"][i]["hops"]);
    // Every ordered pair of sites is a direction; those not listed get `hops`.
    std::vector<PathExpectation> all;
    for (const auto& from : s.sites)
      for (const auto& to : s.sites) {
        if (from.name == to.name) continue;
        auto it = std::find_if(s.paths.begin(), s.paths.end(),
                               [&](const PathExpectation& p) { return p.from == from.name && p.to == to.name; });
        all.push_back(it != s.paths.end() ? *it : PathExpectation{from.name, to.name, hops});
      }
    s.paths = std::move(all);
  }
};

}  // namespace

Result<Scenario> parse_scenario(std::string_view yaml_text, std::string source) {
  auto root = load_yaml(yaml_text, source);
  if (!root) return root.error();
  return ScenarioReader(std::move(source)).read(root.value());
}

Result<Scenario> load_scenario(const std::string& path) {
  auto text = read_whole_file(path);
  if (!text)
    return Error{"cannot read scenario file", path, "check the path (an example: fixtures/scenarios/seed-lab.yaml)"};
  return parse_scenario(text.value(), path);
}

namespace {
RunnerSpec netns_runner(std::string ns) {
  RunnerSpec r;
  r.kind = RunnerSpec::Kind::Netns;
  r.netns = std::move(ns);
  return r;
}
}  // namespace

Scenario scenario_from_topology(const Topology& t, const LabScenarioOptions& o) {
  Scenario s;
  s.name = t.name.empty() ? "lab" : "lab-" + t.name;
  s.source = "lab topology " + t.source;
  s.supernet = t.supernet;
  s.port = o.port;
  for (const auto* n : t.nodes_with_role(Role::Site))
    s.sites.push_back({n->name, *n->site_prefix, n->address.address,
                       netns_runner(n->namespace_name()), n->line});
  const Node& nva = t.nva();
  s.nva.name = nva.name;
  s.nva.address = nva.address.address;
  s.nva.interface = "eth0";  // every hub NIC is eth0 (README, The lab)
  s.nva.software = o.software;
  s.nva.line = nva.line;
  s.nva.runner = netns_runner(nva.namespace_name());
  if (o.software == NvaSoftware::Frr) {
    s.nva.state = {StateAccess::Kind::Vtysh, "", o.state_dir + "/" + nva.name + "/frr"};
  } else {
    s.nva.state = {StateAccess::Kind::ControlSocket, o.state_dir + "/" + nva.name + "/nva.sock", ""};
  }
  for (const auto* ars : t.nodes_with_role(Role::Ars)) s.route_servers.push_back({ars->address.address, 65515, ars->line});
  // The lab's hop pattern (expectations.hpp): the ERGW, then the NVA, before the target.
  const auto ergw = t.ergw().address.address;
  for (const auto& from : s.sites)
    for (const auto& to : s.sites)
      if (from.name != to.name) s.paths.push_back({from.name, to.name, {ergw, nva.address.address}});
  return s;
}

}  // namespace hairpin::verifier
