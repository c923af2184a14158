#include "hairpin/common/ipv4.hpp"

#include <gtest/gtest.h>

namespace hairpin {
namespace {

TEST(Ipv4AddressParse, DottedQuadRoundTrips) {
  auto a = Ipv4Address::parse("10.0.200.12");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->value, 0x0a00c80cu);
  EXPECT_EQ(a->to_string(), "10.0.200.12");
  EXPECT_EQ(Ipv4Address::parse("255.255.255.255")->value, 0xffffffffu);
  EXPECT_EQ(Ipv4Address::parse("0.0.0.0")->value, 0u);
}

TEST(Ipv4AddressParse, RejectsWhatInetPtonRejects) {
  for (const char* bad : {"", "10", "10.1", "10.0.0", "10.0.0.0.1", "256.0.0.1", "10.0.0.-1",
                          "10.0.0.01", "10..0.1", " 10.0.0.1", "10.0.0.1 ", "10.0.0.1/8", "a.b.c.d"})
    EXPECT_FALSE(Ipv4Address::parse(bad)) << bad;
}

TEST(Ipv4PrefixParse, RejectsHostBitsAndBadLengths) {
  EXPECT_EQ(Ipv4Prefix::parse("10.0.0.0/8")->to_string(), "10.0.0.0/8");
  EXPECT_EQ(Ipv4Prefix::parse("0.0.0.0/0")->length, 0);
  EXPECT_EQ(Ipv4Prefix::parse("10.0.0.4/32")->length, 32);
  for (const char* bad : {"10.0.0.1/8", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0", "10.0.0.0/-1",
                          "10.0.0.0/08x", "10.0.0.0/8/8"})
    EXPECT_FALSE(Ipv4Prefix::parse(bad)) << bad;
}

TEST(Ipv4Prefix, MaskAndContainment) {
  EXPECT_EQ(prefix_mask(0), 0u);
  EXPECT_EQ(prefix_mask(8), 0xff000000u);
  EXPECT_EQ(prefix_mask(31), 0xfffffffeu);
  EXPECT_EQ(prefix_mask(32), 0xffffffffu);
  const auto supernet = *Ipv4Prefix::parse("10.0.0.0/8");
  EXPECT_TRUE(supernet.contains(*Ipv4Prefix::parse("10.200.0.0/16")));
  EXPECT_FALSE(supernet.contains(*Ipv4Prefix::parse("0.0.0.0/0")));
  EXPECT_TRUE(supernet.contains(*Ipv4Address::parse("10.255.1.2")));
  EXPECT_FALSE(supernet.contains(*Ipv4Address::parse("11.0.0.0")));
  EXPECT_TRUE(Ipv4Prefix::parse("0.0.0.0/0")->contains(*Ipv4Address::parse("192.0.2.1")));
}

TEST(Ipv4Interface, KeepsHostBitsAndNamesItsNetwork) {
  const auto nic = Ipv4Interface::parse("10.0.0.4/24");
  ASSERT_TRUE(nic);
  EXPECT_EQ(nic->to_string(), "10.0.0.4/24");
  EXPECT_EQ(nic->network().to_string(), "10.0.0.0/24");
  EXPECT_EQ(Ipv4Prefix::covering(*Ipv4Address::parse("10.1.2.3"), 0).to_string(), "0.0.0.0/0");
}

}  // namespace
}  // namespace hairpin
