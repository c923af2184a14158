// OPEN and capabilities (RFC 4271 4.2, RFC 5492, 4760, 6793, 2918, 7313, 9072).

#include <gtest/gtest.h>

#include "hairpin/bgpd/wire/message_codec.hpp"
#include "hex.hpp"

namespace hairpin::bgpd {
namespace {

using test::hex;
using test::ip;

struct OpenCase {
  const char* name;
  std::string body;
  Open value;
};
void PrintTo(const OpenCase& c, std::ostream* os) { *os << c.name; }

Open open_with(std::uint16_t my_as, std::uint16_t hold, const char* id, Capabilities caps) {
  Open o;
  o.my_as = my_as;
  o.hold_time = hold;
  o.bgp_identifier = ip(id);
  o.capabilities = std::move(caps);
  return o;
}

class OpenTable : public testing::TestWithParam<OpenCase> {};

TEST_P(OpenTable, DecodesToValue) {
  auto decoded = decode_open(hex(GetParam().body));
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  EXPECT_EQ(decoded.value(), GetParam().value);
}

TEST_P(OpenTable, EncodesToBytes) {
  EXPECT_EQ(test::to_hex(encode_open_body(GetParam().value)), test::to_hex(hex(GetParam().body)));
}

INSTANTIATE_TEST_SUITE_P(
    Capabilities, OpenTable,
    testing::Values(
        OpenCase{"NoCapabilities", "04 fde9 00b4 0a000004 00", open_with(65001, 180, "10.0.0.4", {})},
        OpenCase{"NvaToArs",
                 // MP IPv4 unicast, route refresh, 4-octet AS 65001, enhanced RR; one per parameter
                 "04 fde9 00b4 0a000004 18"
                 "02 06 01 04 0001 00 01"
                 "02 02 02 00"
                 "02 06 41 04 0000fde9"
                 "02 02 46 00",
                 open_with(65001, 180, "10.0.0.4",
                           Capabilities{{AfiSafi{}}, true, 65001, true, {}})},
        OpenCase{"FourOctetAsBehindAsTrans",
                 "04 5ba0 005a c0000201 08 02 06 41 04 fa56ea00",
                 open_with(23456, 90, "192.0.2.1", Capabilities{{}, false, 4200000000u, false, {}})},
        OpenCase{"UnknownCapabilityKept",
                 "04 fde9 0000 0a000004 06 02 04 40 02 c0 78",
                 open_with(65001, 0, "10.0.0.4",
                           Capabilities{{}, false, std::nullopt, false, {RawCapability{0x40, {0xc0, 0x78}}}})}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(OpenDecode, FourOctetCapability_IsTheSpeakerAs) {
  auto decoded = decode_open(hex("04 5ba0 005a c0000201 08 02 06 41 04 fa56ea00"));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->speaker_as(), 4200000000u);
}

TEST(OpenDecode, AllCapabilitiesInOneParameter_LikeBird) {
  auto decoded = decode_open(hex("04 fde9 00f0 0a000004 0c 02 0a 01 04 0001 00 01 02 00 46 00"));
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  EXPECT_EQ(decoded->capabilities.multiprotocol, std::vector<AfiSafi>{AfiSafi{}});
  EXPECT_TRUE(decoded->capabilities.route_refresh);
  EXPECT_TRUE(decoded->capabilities.enhanced_route_refresh);
}

TEST(OpenDecode, ExtendedOptionalParameters_Rfc9072) {
  // Opt Parm Len 255, type 255, 2-octet length 9, then a parameter with 2-octet length 6.
  auto decoded = decode_open(hex("04 fde9 00b4 0a000004 ff ff 0009 02 0006 41 04 0000fde9"));
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  EXPECT_EQ(decoded->capabilities.four_octet_as, 65001u);
}

struct OpenErrorCase {
  const char* name;
  std::string body;
  OpenSubcode subcode;
  std::string data;
};
void PrintTo(const OpenErrorCase& c, std::ostream* os) { *os << c.name; }

class OpenErrors : public testing::TestWithParam<OpenErrorCase> {};

TEST_P(OpenErrors, RejectsWithOpenMessageError) {
  auto decoded = decode_open(hex(GetParam().body));
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, ErrorCode::OpenMessageError);
  EXPECT_EQ(decoded.error().subcode, static_cast<std::uint8_t>(GetParam().subcode))
      << decoded.error().to_string();
  EXPECT_EQ(test::to_hex(decoded.error().data), test::to_hex(hex(GetParam().data)));
  EXPECT_EQ(decoded.error().action, ErrorAction::SessionReset);
}

INSTANTIATE_TEST_SUITE_P(
    Rfc4271Section62, OpenErrors,
    testing::Values(
        OpenErrorCase{"Version3", "03 fde9 00b4 0a000004 00", OpenSubcode::UnsupportedVersionNumber, "0004"},
        OpenErrorCase{"PeerAs0_Rfc7607", "04 0000 00b4 0a000004 00", OpenSubcode::BadPeerAs, "0000"},
        OpenErrorCase{"FourOctetCapabilityAs0_Rfc7607", "04 fde9 00b4 0a000004 08 02 06 41 04 00000000",
                      OpenSubcode::BadPeerAs, "00000000"},
        OpenErrorCase{"HoldTime2", "04 fde9 0002 0a000004 00", OpenSubcode::UnacceptableHoldTime, ""},
        OpenErrorCase{"IdentifierZero", "04 fde9 00b4 00000000 00", OpenSubcode::BadBgpIdentifier, ""},
        OpenErrorCase{"AuthenticationParameter", "04 fde9 00b4 0a000004 03 01 01 00",
                      OpenSubcode::UnsupportedOptionalParameter, ""},
        OpenErrorCase{"MultiprotocolLength3", "04 fde9 00b4 0a000004 07 02 05 01 03 0001 00",
                      OpenSubcode::Unspecific, ""},
        OpenErrorCase{"ParameterOverrunsOpen", "04 fde9 00b4 0a000004 04 02 08 41 04",
                      OpenSubcode::Unspecific, ""},
        OpenErrorCase{"OptLenDisagreesWithBody", "04 fde9 00b4 0a000004 09 02 02 02 00",
                      OpenSubcode::Unspecific, ""}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(OpenDecode, HoldTimeZeroOrThree_Accepted) {
  EXPECT_TRUE(decode_open(hex("04 fde9 0000 0a000004 00")).ok());
  EXPECT_TRUE(decode_open(hex("04 fde9 0003 0a000004 00")).ok());
}

TEST(OpenEncode, ManyCapabilities_RoundTrip) {
  Open o = open_with(65001, 180, "10.0.0.4", {});
  for (int i = 0; i < 70; ++i) o.capabilities.other.push_back(RawCapability{200, {1, 2}});
  auto body = encode_open_body(o);  // 70 * 6 octets > 255: RFC 9072 form
  auto decoded = decode_open(body);
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  EXPECT_EQ(decoded.value(), o);
}

}  // namespace
}  // namespace hairpin::bgpd
