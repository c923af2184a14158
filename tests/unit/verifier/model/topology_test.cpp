#include "hairpin/verifier/model/topology.hpp"

#include <gtest/gtest.h>

#include "seed_text.hpp"

using namespace hairpin;
using namespace hairpin::verifier;

TEST(TopologyParse, Seed_HasTheSeedsNodesAndAddresses) {
  auto t = load_topology(seed_path());
  ASSERT_TRUE(t.ok()) << t.error().to_string();
  EXPECT_EQ(t->name, "seed");
  EXPECT_EQ(t->supernet.to_string(), "10.0.0.0/8");
  EXPECT_EQ(t->nva().name, "vm-hub00");
  EXPECT_EQ(t->nva().address.to_string(), "10.0.0.4/24");
  EXPECT_EQ(t->nva().asn, 65001u);
  EXPECT_EQ(t->ergw().address.address.to_string(), "10.0.200.12");
  ASSERT_EQ(t->nodes_with_role(Role::Ars).size(), 2u);
  EXPECT_EQ(t->nodes_with_role(Role::Ars)[1]->address.address.to_string(), "10.0.210.5");
  const Node* a = t->find_node("vm-hub100");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->site_prefix->to_string(), "10.100.0.0/16");
  EXPECT_EQ(a->namespace_name(), "hp-vm-hub100");
  EXPECT_EQ(t->circuit_of_site("vm-hub200")->ergw_address.to_string(), "172.16.2.2/30");
  const Subnet* gw = t->find_subnet("GatewaySubnet");
  ASSERT_NE(gw, nullptr);
  ASSERT_EQ(gw->udrs.size(), 2u);
  EXPECT_EQ(gw->udrs[1].prefix.to_string(), "10.200.0.0/16");
  EXPECT_EQ(gw->udrs[1].next_hop.to_string(), "10.0.0.4");
  EXPECT_EQ(gw->gateway().to_string(), "10.0.200.1");
}

TEST(TopologyParse, MissingFile_NamesThePath) {
  auto t = load_topology("/nonexistent/topo.yaml");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().where, "/nonexistent/topo.yaml");
}

struct BadTopology {
  const char* from;
  const char* to;
  int line;               // the line the error must point at
  const char* what_part;  // a phrase the message must contain
};

class TopologyParseBad : public ::testing::TestWithParam<BadTopology> {};

TEST_P(TopologyParseBad, FailsWithFileLineAndFix) {
  const auto& bad = GetParam();
  auto t = parse_topology(seed_with(bad.from, bad.to), "bad.yaml");
  ASSERT_FALSE(t.ok()) << "accepted: " << bad.to;
  EXPECT_EQ(t.error().where, "bad.yaml:" + std::to_string(bad.line)) << t.error().to_string();
  EXPECT_NE(t.error().what.find(bad.what_part), std::string::npos) << t.error().to_string();
  EXPECT_FALSE(t.error().fix.empty()) << t.error().to_string();
}

// Line numbers are those of fixtures/topologies/seed.yaml.
INSTANTIATE_TEST_SUITE_P(
    Cases, TopologyParseBad,
    ::testing::Values(
        BadTopology{"supernet: 10.0.0.0/8", "supernet: 10.0.0.1/8", 5, "zero host bits"},
        BadTopology{"supernet: 10.0.0.0/8", "supernet: 10.100.0.0/16", 5, "does not cover the VNet"},
        BadTopology{"name: seed", "name: seed\nextra: 1", 5, "unknown key 'extra'"},
        BadTopology{"role: nva,  asn: 65001", "role: nvaa, asn: 65001", 22, "unknown role 'nvaa'"},
        BadTopology{"asn: 65001", "asn: 0", 22, "not a valid AS number"},
        BadTopology{"asn: 65001", "asn: 4294967296", 22, "not a valid AS number"},
        BadTopology{"address: 10.0.0.4}", "address: 10.0.0.400}", 22, "not an IPv4 address"},
        BadTopology{"address: 10.0.0.4}", "address: 10.0.1.4}", 22, "is in no VNet subnet"},
        BadTopology{"address: 10.0.0.4}", "address: 10.0.0.1}", 22, "reserved by Azure"},
        BadTopology{"address: 10.0.210.5}", "address: 10.0.210.4}", 25, "used by ars0 too"},
        BadTopology{"name: ars1,", "name: ars0,", 25, "duplicate node name"},
        BadTopology{"name: vm-hub200, role: site", "name: vm_hub200, role: site", 27, "not a valid name"},
        BadTopology{"address: 10.100.0.4/24, prefix", "address: 10.101.0.4/24, prefix", 26, "outside its prefix"},
        BadTopology{"site: vm-hub100,", "site: ars0,", 31, "not a site node"},
        BadTopology{"ergw_address: 172.16.1.2/30", "ergw_address: 172.16.9.2/30", 31, "not two addresses of one subnet"},
        BadTopology{"delay_ms: 0}", "delay_ms: fast}", 31, "not a delay"},
        BadTopology{"next_hop: 10.0.0.4}", "next_hop: 10.0.0.9}", 16, "which is no hub node"},
        BadTopology{"  - {name: ergw,      role: ergw, asn: 65515, address: 10.0.200.12}\n", "", 22,
                    "exactly one node with role ergw"},
        BadTopology{"    - name: NvaSubnet\n      prefix: 10.0.0.0/24", "    - name: NvaSubnet\n     prefix: 10.0.0.0/24",
                    12, "not valid YAML"}));

TEST(Ipv4Prefix, ContainsAndFormat) {
  auto p = Ipv4Prefix::parse("10.0.0.0/8");
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->contains(*Ipv4Address::parse("10.200.0.4")));
  EXPECT_FALSE(p->contains(*Ipv4Address::parse("11.0.0.1")));
  EXPECT_TRUE(p->contains(*Ipv4Prefix::parse("10.100.0.0/16")));
  EXPECT_FALSE(Ipv4Prefix::parse("10.100.0.0/16")->contains(*p));
  EXPECT_FALSE(Ipv4Prefix::parse("10.0.0.0/33"));
  EXPECT_FALSE(Ipv4Prefix::parse("10.0.0.0"));
  EXPECT_EQ(Ipv4Prefix::parse("0.0.0.0/0")->to_string(), "0.0.0.0/0");
}
