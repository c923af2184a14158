#include "hairpin/verifier/lab/lab_plan.hpp"
#include "hairpin/verifier/lab/lab_runner.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "seed_text.hpp"

using namespace hairpin;
using namespace hairpin::verifier;

namespace {

Topology seed() {
  auto t = load_topology(seed_path());
  EXPECT_TRUE(t.ok()) << t.error().to_string();
  return t.value();
}

LabOptions options(std::set<Fault> faults = {}) {
  LabOptions o;
  o.nva_config_text = "router bgp 65001\n address-family ipv4 unicast\n  network 10.0.0.0/8\n exit-address-family\n";
  o.faults = std::move(faults);
  return o;
}

// The MAC the fabric delivers `ip` to, from `subnet`, or "" when it drops it.
std::string delivered_to(const Topology& t, const std::string& subnet, const std::string& ip,
                         const std::set<Fault>& faults = {}) {
  auto a = *Ipv4Address::parse(ip);
  for (const auto& r : effective_routes(t, *t.find_subnet(subnet), faults))
    if (r.first <= a && a <= r.last) return r.mac;
  return "";
}

bool has_command(const LabPlan& plan, const std::string& text) {
  return std::any_of(plan.network.begin(), plan.network.end(),
                     [&](const Command& c) { return c.to_string().find(text) != std::string::npos; });
}

const GeneratedFile* file_ending(const LabPlan& plan, const std::string& suffix) {
  for (const auto& f : plan.files)
    if (f.path.size() >= suffix.size() && f.path.compare(f.path.size() - suffix.size(), suffix.size(), suffix) == 0)
      return &f;
  return nullptr;
}

const std::string kNva = "02:00:0a:00:00:04";
const std::string kErgw = "02:00:0a:00:c8:0c";

}  // namespace

TEST(Faults, ParseEveryNameAndRejectUnknownWithTheList) {
  for (auto f : all_faults()) EXPECT_EQ(*parse_fault(to_string(f)), f);
  auto bad = parse_fault("no-ud");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().fix.find("no-udr, asymmetric-udr, no-supernet, nva-noforward, ars0-down, nva-down, seed-verbatim"),
            std::string::npos);
}

TEST(Fabric, GatewaySubnetUdr_SendsSiteTrafficToTheNva) {
  auto t = seed();
  EXPECT_EQ(delivered_to(t, "GatewaySubnet", "10.200.0.4"), kNva);
  EXPECT_EQ(delivered_to(t, "GatewaySubnet", "10.100.0.4"), kNva);
  EXPECT_EQ(delivered_to(t, "GatewaySubnet", "10.0.210.4"), "02:00:0a:00:d2:04");
}

TEST(Fabric, NvaSubnet_SendsSiteTrafficToTheGateway) {
  auto t = seed();
  EXPECT_EQ(delivered_to(t, "NvaSubnet", "10.200.0.4"), kErgw);
  EXPECT_EQ(delivered_to(t, "NvaSubnet", "10.0.200.12"), kErgw);
  EXPECT_EQ(delivered_to(t, "NvaSubnet", "10.0.0.4"), kNva);
}

TEST(Fabric, AddressesWithoutAnEffectiveRoute_AreDropped) {
  auto t = seed();
  EXPECT_EQ(delivered_to(t, "NvaSubnet", "10.0.0.5"), "");
  EXPECT_EQ(delivered_to(t, "NvaSubnet", "192.0.2.1"), "");
}

TEST(Fabric, NoUdr_LeavesGatewaySubnetTrafficUndelivered) {
  auto t = seed();
  EXPECT_EQ(delivered_to(t, "GatewaySubnet", "10.200.0.4", {Fault::NoUdr}), "");
}

TEST(Fabric, AsymmetricUdr_KeepsOnlyTheFirstSitePrefix) {
  auto t = seed();
  EXPECT_EQ(delivered_to(t, "GatewaySubnet", "10.100.0.4", {Fault::AsymmetricUdr}), kNva);
  EXPECT_EQ(delivered_to(t, "GatewaySubnet", "10.200.0.4", {Fault::AsymmetricUdr}), "");
}

TEST(Fabric, RangesAreDisjointAndSorted) {
  auto t = seed();
  for (const auto& s : t.subnets) {
    auto ranges = effective_routes(t, s, {});
    for (std::size_t i = 0; i < ranges.size(); ++i) {
      EXPECT_LE(ranges[i].first, ranges[i].last);
      if (i) { EXPECT_LT(ranges[i - 1].last, ranges[i].first); }
    }
  }
}

TEST(FabricNft, RewritesBothMacsAndDropsEverythingElse) {
  auto nft = fabric_nft(seed(), {});
  EXPECT_NE(nft.find("table bridge hairpin_vnet"), std::string::npos);
  EXPECT_NE(nft.find("policy drop"), std::string::npos);
  EXPECT_NE(nft.find("iifname \"n-ergw\" ether type ip jump from_GatewaySubnet"), std::string::npos);
  EXPECT_NE(nft.find("10.100.0.0-10.100.255.255 : " + kNva), std::string::npos);
  EXPECT_NE(nft.find("ether saddr set 12:34:56:78:9a:bc"), std::string::npos);
}

TEST(ErgwNft, DropsCircuitToCircuitAndSilencesTheSecondPass) {
  auto nft = ergw_nft(seed());
  EXPECT_NE(nft.find("iifname { \"er-a\", \"er-b\" } oifname { \"er-a\", \"er-b\" } drop"), std::string::npos);
  EXPECT_NE(nft.find("iifname \"eth0\" ip ttl <= 1 fib daddr type != local drop"), std::string::npos);
}

TEST(BirdConfig, ErgwNeverExportsOneCircuitsRoutesToAnother) {
  auto t = seed();
  auto conf = bird_config(t, t.ergw(), options());
  EXPECT_NE(conf.find("if proto ~ \"site_*\" then reject;"), std::string::npos);
  EXPECT_NE(conf.find("protocol bgp site_vm_hub100"), std::string::npos);
  EXPECT_NE(conf.find("bgp_path.prepend(12076)"), std::string::npos);
  EXPECT_NE(conf.find("protocol bgp ars_ars1"), std::string::npos);
}

TEST(BirdConfig, ArsHoldsAzureTimersAndDropsItsOwnAsn) {
  auto t = seed();
  auto conf = bird_config(t, *t.find_node("ars0"), options());
  EXPECT_NE(conf.find("hold time 180; keepalive time 60;"), std::string::npos);
  EXPECT_NE(conf.find("if bgp_path ~ [= * 65515 * =] then reject;"), std::string::npos);
  EXPECT_NE(conf.find("receive limit 1000"), std::string::npos);
  EXPECT_NE(conf.find("neighbor 10.0.0.4 as 65001;"), std::string::npos);
  EXPECT_NE(conf.find("multihop;"), std::string::npos);
}

TEST(NvaConfig, NoSupernet_RemovesOnlyTheOriginatingLine) {
  auto t = seed();
  auto with = nva_frr_config(t, options());
  auto without = nva_frr_config(t, options({Fault::NoSupernet}));
  EXPECT_NE(with.find("network 10.0.0.0/8"), std::string::npos);
  EXPECT_EQ(without.find("network 10.0.0.0/8"), std::string::npos);
  EXPECT_NE(without.find("router bgp 65001"), std::string::npos);
}

TEST(LabPlan, Seed_ExpectsEverySessionAndTheSupernetAtBothSites) {
  auto plan = make_lab_plan(seed(), options());
  ASSERT_TRUE(plan.ok()) << plan.error().to_string();
  EXPECT_EQ(plan->sessions.size(), 6u);
  auto routes_at = [&](const std::string& node, const std::string& prefix) {
    return std::count_if(plan->routes.begin(), plan->routes.end(), [&](const ExpectedRoute& r) {
      return r.node == node && r.prefix.to_string() == prefix;
    });
  };
  EXPECT_EQ(routes_at("vm-hub100", "10.0.0.0/8"), 1);
  EXPECT_EQ(routes_at("vm-hub200", "10.0.0.0/8"), 1);
  EXPECT_EQ(routes_at("vm-hub00", "10.200.0.0/16"), 1);
  EXPECT_TRUE(has_command(*plan, "ip -n hp-ergw rule add iif er-a lookup 100"));
  EXPECT_TRUE(has_command(*plan, "ip -n hp-ergw route add 10.200.0.0/16 via 10.0.0.4 dev eth0 onlink table 100"));
  EXPECT_TRUE(has_command(*plan, "net.ipv4.conf.all.send_redirects=0"));
  EXPECT_EQ(plan->delay_summary, "no circuit delay");
}

TEST(LabPlan, EveryCommandStaysInsideALabNamespace) {
  auto plan = make_lab_plan(seed(), options());
  ASSERT_TRUE(plan.ok());
  for (const auto& c : plan->network) {
    const auto& a = c.argv;
    bool scoped = (a.size() > 2 && a[1] == "-n" && a[2].rfind("hp-", 0) == 0) ||                      // ip/bridge -n
                  (a.size() > 3 && a[1] == "netns" && (a[2] == "add" || a[2] == "exec") && a[3].rfind("hp-", 0) == 0);
    EXPECT_TRUE(scoped) << c.to_string();
  }
}

TEST(LabPlan, Ars0Down_DropsItsDaemonAndSessions) {
  auto plan = make_lab_plan(seed(), options({Fault::Ars0Down}));
  ASSERT_TRUE(plan.ok());
  for (const auto& d : plan->daemons) EXPECT_NE(d.node, "ars0");
  for (const auto& s : plan->sessions) {
    EXPECT_NE(s.observer, "ars0");
    EXPECT_NE(s.peer, "ars0");
  }
  EXPECT_EQ(plan->sessions.size(), 4u);
}

TEST(LabPlan, NoUdr_HasNoPolicyRouting) {
  auto plan = make_lab_plan(seed(), options({Fault::NoUdr}));
  ASSERT_TRUE(plan.ok());
  EXPECT_FALSE(has_command(*plan, "rule add"));
}

TEST(LabPlan, NvaDown_StartsNoNvaAndExpectsNoSupernet) {
  auto plan = make_lab_plan(seed(), options({Fault::NvaDown}));
  ASSERT_TRUE(plan.ok());
  for (const auto& d : plan->daemons) EXPECT_NE(d.node, "vm-hub00");
  for (const auto& r : plan->routes) EXPECT_NE(r.prefix.to_string(), "10.0.0.0/8");
}

TEST(LabPlan, NvaNoforward_DropsForwardedTrafficOnTheNva) {
  auto plan = make_lab_plan(seed(), options({Fault::NvaNoforward}));
  ASSERT_TRUE(plan.ok());
  auto* f = file_ending(*plan, "/nft/vm-hub00.nft");
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->content.find("hook forward priority 0; policy drop;"), std::string::npos);
}

TEST(LabPlan, DelayWithoutNetem_UsesTheDelayLine) {
  auto o = options();
  o.delay_ms = 45;
  o.netem_available = false;
  auto plan = make_lab_plan(seed(), o);
  ASSERT_TRUE(plan.ok());
  auto lines = std::count_if(plan->daemons.begin(), plan->daemons.end(), [](const Daemon& d) { return d.kind == "delay-line"; });
  EXPECT_EQ(lines, 2);
  EXPECT_NE(plan->delay_summary.find("userspace delay line"), std::string::npos);
  o.netem_available = true;
  auto netem = make_lab_plan(seed(), o);
  EXPECT_TRUE(has_command(*netem, "tc qdisc add dev site root netem delay 45ms"));
}

const Daemon* daemon_of(const LabPlan& plan, const std::string& node) {
  for (const auto& d : plan.daemons)
    if (d.node == node) return &d;
  return nullptr;
}

TEST(LabPlan, BuiltinNva_IsTheDefault_ThisBinaryInTheNvaNamespaceWithItsFilesInTheRunDir) {
  auto o = options();
  o.hairpin_binary = "/opt/x/bin/hairpin";
  ASSERT_EQ(o.nva, NvaKind::Builtin);
  auto plan = make_lab_plan(seed(), o);
  ASSERT_TRUE(plan.ok()) << plan.error().to_string();
  const Daemon* d = daemon_of(*plan, "vm-hub00");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->kind, "hairpin-nva");
  ASSERT_EQ(d->start.size(), 1u);
  const auto& run = d->start.front();
  EXPECT_EQ(run.to_string(),
            "ip netns exec hp-vm-hub00 /opt/x/bin/hairpin nva --config /run/hairpin/lab/vm-hub00/nva.conf "
            "--control-socket /run/hairpin/lab/vm-hub00/nva.sock --apply-sysctls");
  EXPECT_TRUE(run.background);
  EXPECT_EQ(run.log, "/run/hairpin/lab/vm-hub00/nva.log");
  EXPECT_EQ(run.pidfile, "/run/hairpin/lab/vm-hub00/nva.pid");
  EXPECT_EQ(d->ready, std::vector<std::string>{"/run/hairpin/lab/vm-hub00/nva.sock"});
  // A restart after kill -9 must not take the dead run's socket for readiness.
  EXPECT_NE(std::find(d->runtime_files.begin(), d->runtime_files.end(), "/run/hairpin/lab/vm-hub00/nva.sock"),
            d->runtime_files.end());
  auto* conf = file_ending(*plan, "/vm-hub00/nva.conf");
  ASSERT_NE(conf, nullptr);
  EXPECT_EQ(conf->content, o.nva_config_text);
  EXPECT_EQ(file_ending(*plan, "/frr/frr.conf"), nullptr);
}

TEST(LabPlan, BothNvaKinds_RunTheSameConfigAfterFaults) {
  auto builtin = options({Fault::NoSupernet});
  auto frr = builtin;
  frr.nva = NvaKind::Frr;
  auto b = make_lab_plan(seed(), builtin);
  auto f = make_lab_plan(seed(), frr);
  ASSERT_TRUE(b.ok() && f.ok());
  auto* bc = file_ending(*b, "/vm-hub00/nva.conf");
  auto* fc = file_ending(*f, "/frr/frr.conf");
  ASSERT_NE(bc, nullptr);
  ASSERT_NE(fc, nullptr);
  EXPECT_EQ(bc->content, fc->content);
  EXPECT_EQ(bc->content.find("network 10.0.0.0/8"), std::string::npos);
  EXPECT_EQ(daemon_of(*f, "vm-hub00")->kind, "frr");
  EXPECT_EQ(b->sessions.size(), f->sessions.size());
  EXPECT_EQ(b->routes.size(), f->routes.size());
}

TEST(LabPlan, NvaDown_StartsNeitherKind) {
  for (auto kind : {NvaKind::Builtin, NvaKind::Frr}) {
    auto o = options({Fault::NvaDown});
    o.nva = kind;
    auto plan = make_lab_plan(seed(), o);
    ASSERT_TRUE(plan.ok());
    EXPECT_EQ(daemon_of(*plan, "vm-hub00"), nullptr) << to_string(kind);
  }
}

TEST(LabPlan, EveryDaemon_SaysWhenItIsUpAndWhatARestartClears) {
  for (auto kind : {NvaKind::Builtin, NvaKind::Frr}) {
    auto o = options();
    o.nva = kind;
    auto plan = make_lab_plan(seed(), o);
    ASSERT_TRUE(plan.ok());
    for (const auto& d : plan->daemons) {
      EXPECT_FALSE(d.pidfiles.empty()) << d.node;
      EXPECT_FALSE(d.log.empty()) << d.node;
      for (const auto& p : d.pidfiles)
        EXPECT_NE(std::find(d.runtime_files.begin(), d.runtime_files.end(), p), d.runtime_files.end()) << p;
    }
  }
}

TEST(NvaKind, ParsesBothNamesAndRefusesOthersWithTheValidOnes) {
  EXPECT_EQ(*parse_nva_kind("builtin"), NvaKind::Builtin);
  EXPECT_EQ(*parse_nva_kind("frr"), NvaKind::Frr);
  auto bad = parse_nva_kind("bird");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().fix.find("builtin"), std::string::npos);
  EXPECT_NE(bad.error().fix.find("frr"), std::string::npos);
}

namespace hairpin::verifier {
namespace {

// Node names may have 12 characters (branch-west), namespaces 15: every column of
// `lab status` stays aligned.
TEST(LabStatusText, LongNodeNames_KeepTheColumnsAligned) {
  LabStatus s;
  s.up = true;
  s.nodes = {{"gw", "ergw", "hp-gw", true, {"bird 1"}}, {"branch-west", "site", "hp-branch-west", true, {"bird 2"}}};
  DaemonState gw{"gw", "bird", true, {1}, "/run/hairpin/lab/gw/bird.log", ""};
  DaemonState west{"branch-west", "bird", true, {2}, "/run/hairpin/lab/branch-west/bird.log", ""};
  s.daemons = {gw, west};
  const auto text = format_status_text(s);
  auto column_of = [&](const std::string& line_start, const std::string& word, const std::string& section = "nodes:") {
    auto at = text.find(line_start, text.find(section));
    EXPECT_NE(at, std::string::npos) << line_start << "\n" << text;
    auto end = text.find('\n', at);
    auto col = text.substr(at, end - at).find(word);
    EXPECT_NE(col, std::string::npos) << word << " in " << text.substr(at, end - at);
    return col;
  };
  EXPECT_EQ(column_of("  gw ", "ergw"), column_of("  branch-west ", "site")) << text;
  EXPECT_EQ(column_of("  gw ", "bird 1"), column_of("  branch-west ", "bird 2")) << text;
  EXPECT_EQ(column_of("  gw ", "bird", "daemons:"), column_of("  branch-west ", "bird", "daemons:")) << text;
  EXPECT_EQ(column_of("  gw ", "running", "daemons:"), column_of("  branch-west ", "running", "daemons:")) << text;
}

}  // namespace
}  // namespace hairpin::verifier
