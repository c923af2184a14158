#include "hairpin/verifier/model/scenario.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "seed_text.hpp"

using namespace hairpin;
using namespace hairpin::verifier;

namespace {

std::string scenario_path(const std::string& name) { return std::string(HAIRPIN_SOURCE_DIR) + "/fixtures/scenarios/" + name; }

std::string scenario_text(const std::string& name) {
  std::ifstream in(scenario_path(name));
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// The seed-lab example with the first `from` replaced by `to`.
std::string example_with(const std::string& from, const std::string& to) {
  auto text = scenario_text("seed-lab.yaml");
  auto at = text.find(from);
  if (at == std::string::npos) return "MISSING: " + from;
  return text.replace(at, from.size(), to);
}

int line_of(const std::string& text, const std::string& needle) {
  auto at = text.find(needle);
  if (at == std::string::npos) return -1;
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
}

}  // namespace

TEST(ScenarioFile, SeedLabExample_ParsesWithEveryField) {
  auto s = load_scenario(scenario_path("seed-lab.yaml"));
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(s->name, "seed-lab");
  EXPECT_EQ(s->supernet.to_string(), "10.0.0.0/8");
  EXPECT_EQ(s->port, 22);
  ASSERT_EQ(s->sites.size(), 2u);
  EXPECT_EQ(s->sites[0].prefix.to_string(), "10.100.0.0/16");
  EXPECT_EQ(s->sites[1].probe_host.to_string(), "10.200.0.4");
  EXPECT_EQ(s->sites[1].runner.to_string(), "netns hp-vm-hub200");
  EXPECT_EQ(s->nva.address.to_string(), "10.0.0.4");
  EXPECT_EQ(s->nva.software, NvaSoftware::Frr);
  EXPECT_EQ(s->nva.state.kind, StateAccess::Kind::Vtysh);
  EXPECT_EQ(s->nva.state.vty_socket_dir, "/run/hairpin/lab/vm-hub00/frr");
  ASSERT_EQ(s->route_servers.size(), 2u);
  EXPECT_EQ(s->route_servers[1].address.to_string(), "10.0.210.5");
  EXPECT_EQ(s->route_servers[1].asn, 65515u);
  EXPECT_EQ(s->route_server_limit, 1000u);
  EXPECT_EQ(s->route_limit_threshold(), 750u);
  ASSERT_EQ(s->paths.size(), 2u);  // every ordered pair of sites
  EXPECT_EQ(s->paths[0].from, "vm-hub100");
  EXPECT_EQ(s->paths[0].to, "vm-hub200");
  ASSERT_EQ(s->paths[1].hops_before_target.size(), 2u);
  EXPECT_EQ(s->paths[1].hops_before_target[1].to_string(), "10.0.0.4");
  EXPECT_EQ(s->timeouts.converge_s, 60);
  EXPECT_EQ(s->site_covering(*Ipv4Address::parse("10.200.9.9"))->name, "vm-hub200");
  EXPECT_EQ(s->site_covering(*Ipv4Address::parse("10.0.0.4")), nullptr);
}

TEST(ScenarioFile, SeedLabExample_EqualsTheLabDerivedScenario) {
  auto file = load_scenario(scenario_path("seed-lab.yaml"));
  auto topo = load_topology(seed_path());
  ASSERT_TRUE(file.ok() && topo.ok());
  const auto lab = scenario_from_topology(*topo);
  EXPECT_EQ(lab.supernet, file->supernet);
  EXPECT_EQ(lab.port, file->port);
  ASSERT_EQ(lab.sites.size(), file->sites.size());
  for (std::size_t i = 0; i < lab.sites.size(); ++i) {
    EXPECT_EQ(lab.sites[i].name, file->sites[i].name);
    EXPECT_EQ(lab.sites[i].prefix, file->sites[i].prefix);
    EXPECT_EQ(lab.sites[i].probe_host, file->sites[i].probe_host);
    EXPECT_EQ(lab.sites[i].runner, file->sites[i].runner);
  }
  EXPECT_EQ(lab.nva.name, file->nva.name);
  EXPECT_EQ(lab.nva.address, file->nva.address);
  EXPECT_EQ(lab.nva.interface, file->nva.interface);
  EXPECT_EQ(lab.nva.runner, file->nva.runner);
  EXPECT_EQ(lab.nva.state.vty_socket_dir, file->nva.state.vty_socket_dir);
  ASSERT_EQ(lab.route_servers.size(), file->route_servers.size());
  for (std::size_t i = 0; i < lab.route_servers.size(); ++i)
    EXPECT_EQ(lab.route_servers[i].address, file->route_servers[i].address);
  ASSERT_EQ(lab.paths.size(), file->paths.size());
  for (std::size_t i = 0; i < lab.paths.size(); ++i) {
    EXPECT_EQ(lab.paths[i].from, file->paths[i].from);
    EXPECT_EQ(lab.paths[i].hops_before_target, file->paths[i].hops_before_target);
  }
}

TEST(ScenarioFile, LabDerivedBuiltin_ReadsTheControlSocket) {
  auto topo = load_topology(seed_path());
  ASSERT_TRUE(topo.ok());
  const auto s = scenario_from_topology(*topo, {.software = NvaSoftware::Builtin, .state_dir = "/tmp/lab"});
  EXPECT_EQ(s.nva.state.kind, StateAccess::Kind::ControlSocket);
  EXPECT_EQ(s.nva.state.control_socket, "/tmp/lab/vm-hub00/nva.sock");
}

TEST(ScenarioFile, SshExample_HasSshRunnersWithUserPortAndOptions) {
  auto s = load_scenario(scenario_path("azure-ssh.yaml"));
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  const auto& r = s->sites[1].runner;
  EXPECT_EQ(r.kind, RunnerSpec::Kind::Ssh);
  EXPECT_EQ(r.host, "osaka-probe.example.net");
  EXPECT_EQ(r.user, "azureuser");
  EXPECT_EQ(r.port, 2222);
  ASSERT_EQ(r.options.size(), 2u);
  EXPECT_EQ(r.options[1], "ProxyJump=bastion.example.net");
  EXPECT_EQ(r.to_string(), "ssh azureuser@osaka-probe.example.net:2222");
  EXPECT_EQ(s->nva.runner.to_string(), "ssh azureuser@10.0.0.4");
  EXPECT_EQ(r.hairpin, std::nullopt);  // "hairpin" on the remote PATH
  EXPECT_EQ(s->nva.runner.hairpin, "/usr/local/bin/hairpin");
  EXPECT_TRUE(s->nva.state.vty_socket_dir.empty());
  ASSERT_EQ(s->paths.size(), 2u);
  EXPECT_EQ(s->paths[0].hops_before_target, std::vector<Ipv4Address>{*Ipv4Address::parse("10.0.0.4")});
  EXPECT_EQ(s->timeouts.converge_s, 120);
}

TEST(ScenarioFile, LocalRunnerAndBuiltinNva_Parse) {
  auto text = example_with("kind: frr", "kind: builtin");
  text = text.replace(text.find("    via: vtysh"), std::string("    via: vtysh").size(), "    via: control-socket");
  text = text.replace(text.find("    vty_socket: /run/hairpin/lab/vm-hub00/frr"),
                      std::string("    vty_socket: /run/hairpin/lab/vm-hub00/frr").size(), "    control_socket: /run/n.sock");
  text = text.replace(text.find("runner: {kind: netns, namespace: hp-vm-hub00}"),
                      std::string("runner: {kind: netns, namespace: hp-vm-hub00}").size(), "runner: {kind: local}");
  auto s = parse_scenario(text, "x.yaml");
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(s->nva.software, NvaSoftware::Builtin);
  EXPECT_EQ(s->nva.state.control_socket, "/run/n.sock");
  EXPECT_EQ(s->nva.runner.kind, RunnerSpec::Kind::Local);
  EXPECT_EQ(s->nva.runner.to_string(), "local");
}

struct BadScenario {
  const char* name;
  std::string from, to;
  std::string line_of;   // text whose line the error must name (in the edited file)
  std::string what;      // part of the message
  std::string fix;       // part of the fix
};

void PrintTo(const BadScenario& c, std::ostream* os) { *os << c.name; }

class ScenarioErrors : public ::testing::TestWithParam<BadScenario> {};

TEST_P(ScenarioErrors, NamesFileLineAndFix) {
  const auto& c = GetParam();
  auto text = example_with(c.from, c.to);
  ASSERT_EQ(text.find("MISSING"), std::string::npos) << c.from;
  auto s = parse_scenario(text, "bad.yaml");
  ASSERT_FALSE(s.ok()) << c.name;
  EXPECT_EQ(s.error().where, "bad.yaml:" + std::to_string(line_of(text, c.line_of))) << s.error().to_string();
  EXPECT_NE(s.error().what.find(c.what), std::string::npos) << s.error().to_string();
  EXPECT_NE(s.error().fix.find(c.fix), std::string::npos) << s.error().to_string();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ScenarioErrors,
    ::testing::Values(
        BadScenario{"UnknownTopKey", "port: 22", "prot: 22", "prot: 22", "unknown key 'prot'", "valid keys:"},
        BadScenario{"BadSupernet", "supernet: 10.0.0.0/8", "supernet: 10.0.0.1/8", "supernet: 10.0.0.1/8",
                    "not an IPv4 prefix", "10.100.0.0/16"},
        BadScenario{"ProbeHostOutsidePrefix", "probe_host: 10.100.0.4", "probe_host: 10.101.0.4",
                    "probe_host: 10.101.0.4", "outside its prefix", "inside the site prefix"},
        BadScenario{"SitePrefixNotUnderSupernet", "prefix: 10.100.0.0/16", "prefix: 11.100.0.0/16",
                    "prefix: 11.100.0.0/16", "not more specific than the supernet", "supernet must cover"},
        BadScenario{"DuplicateSite", "name: vm-hub200", "name: vm-hub100", "name: vm-hub100\n    prefix: 10.200",
                    "duplicate site name", "rename"},
        BadScenario{"UnknownRunnerKind", "runner: {kind: netns, namespace: hp-vm-hub100}", "runner: {kind: docker}",
                    "runner: {kind: docker}", "unknown runner kind 'docker'", "netns, local, ssh"},
        BadScenario{"NetnsWithoutNamespace", "runner: {kind: netns, namespace: hp-vm-hub100}", "runner: {kind: netns}",
                    "runner: {kind: netns}", "missing 'namespace'", "add 'namespace"},
        BadScenario{"SshHostWithUser", "runner: {kind: netns, namespace: hp-vm-hub100}",
                    "runner: {kind: ssh, host: root@10.1.1.1}", "runner: {kind: ssh", "not a host name", "'user:'"},
        BadScenario{"SshBadPort", "runner: {kind: netns, namespace: hp-vm-hub100}",
                    "runner: {kind: ssh, host: h, port: 70000}", "runner: {kind: ssh", "out of range", "1..65535"},
        BadScenario{"SshHairpinNotAbsolute", "runner: {kind: netns, namespace: hp-vm-hub100}",
                    "runner: {kind: ssh, host: h, hairpin: bin/hairpin}", "runner: {kind: ssh", "not an absolute path",
                    "/usr/local/bin/hairpin"},
        BadScenario{"SshOptionNotKeywordValue", "runner: {kind: netns, namespace: hp-vm-hub100}",
                    "runner: {kind: ssh, host: h, options: [-oProxyCommand]}", "runner: {kind: ssh", "not Keyword=value",
                    "ConnectTimeout=5"},
        BadScenario{"UnknownNvaKind", "kind: frr", "kind: quagga", "kind: quagga", "unknown nva kind", "builtin, frr"},
        BadScenario{"FrrWithControlSocket", "via: vtysh", "via: control-socket", "    via: control-socket",
                    "frr NVA has no hairpin control socket", "via: vtysh"},
        BadScenario{"RouteServerTwice", "  - address: 10.0.210.5", "  - address: 10.0.210.4", "10.0.210.4\n\nroute_server_limit",
                    "listed twice", "once"},
        BadScenario{"HopsWithoutNva", "hops: [10.0.200.12, 10.0.0.4]", "hops: [10.0.200.12]", "hops: [10.0.200.12]",
                    "do not include the NVA", "add 10.0.0.4"},
        BadScenario{"BadTimeout", "converge_s: 60", "converge_s: soon", "converge_s: soon", "not a time in seconds",
                    "e.g. 30"},
        BadScenario{"LimitZero", "route_server_limit: 1000", "route_server_limit: 0", "route_server_limit: 0",
                    "out of range", "1..100000"},
        BadScenario{"BadYaml", "name: seed-lab", "name: [seed-lab", "supernet: 10.0.0.0/8", "not valid YAML", "indentation"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ScenarioFile, PathToAnUnknownSite_NamesIt) {
  auto text = example_with("  timeouts:", "  paths:\n    - {from: vm-hub100, to: vm-hub300, hops: [10.0.0.4]}\n  timeouts:");
  auto s = parse_scenario(text, "bad.yaml");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().where, "bad.yaml:" + std::to_string(line_of(text, "{from: vm-hub100")));
  EXPECT_NE(s.error().what.find("'vm-hub300', which is no site"), std::string::npos) << s.error().to_string();
}

TEST(ScenarioFile, PathOverride_ReplacesTheDefaultHopsForThatDirectionOnly) {
  auto text = example_with("  timeouts:", "  paths:\n    - {from: vm-hub200, to: vm-hub100, hops: [10.0.0.4]}\n  timeouts:");
  auto s = parse_scenario(text, "x.yaml");
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  ASSERT_EQ(s->paths.size(), 2u);
  EXPECT_EQ(s->paths[0].hops_before_target.size(), 2u);  // default hops
  EXPECT_EQ(s->paths[1].from, "vm-hub200");
  EXPECT_EQ(s->paths[1].hops_before_target.size(), 1u);  // the override
}

TEST(ScenarioFile, MissingFile_NamesThePathAndTheExample) {
  auto s = load_scenario("/nonexistent/scenario.yaml");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().where, "/nonexistent/scenario.yaml");
  EXPECT_NE(s.error().fix.find("seed-lab.yaml"), std::string::npos);
}
