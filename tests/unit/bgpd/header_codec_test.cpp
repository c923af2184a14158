// Message header (RFC 4271 4.1, 6.1) and stream framing.

#include <gtest/gtest.h>

#include "hairpin/bgpd/wire/message_codec.hpp"
#include "hex.hpp"

namespace hairpin::bgpd {
namespace {

using test::hex;

const std::string kMarker = "ffffffff ffffffff ffffffff ffffffff";

TEST(HeaderCodec, Keepalive_BothDirections) {
  Bytes bytes = hex(kMarker + "0013 04");
  auto decoded = decode_message(bytes, CodecContext{});
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  EXPECT_TRUE(std::holds_alternative<Keepalive>(decoded.value()));
  auto encoded = encode_message(Keepalive{}, CodecContext{});
  ASSERT_TRUE(encoded.ok());
  EXPECT_EQ(encoded.value(), bytes);
}

struct HeaderErrorCase {
  const char* name;
  std::string bytes;
  HeaderSubcode subcode;
  std::string data;
};
void PrintTo(const HeaderErrorCase& c, std::ostream* os) { *os << c.name; }

class HeaderErrors : public testing::TestWithParam<HeaderErrorCase> {};

TEST_P(HeaderErrors, RejectsWithNotification) {
  const auto& c = GetParam();
  auto decoded = decode_header(hex(c.bytes));
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, ErrorCode::MessageHeaderError);
  EXPECT_EQ(decoded.error().subcode, static_cast<std::uint8_t>(c.subcode));
  EXPECT_EQ(decoded.error().data, hex(c.data));
  EXPECT_EQ(decoded.error().action, ErrorAction::SessionReset);
}

INSTANTIATE_TEST_SUITE_P(
    Rfc4271Section61, HeaderErrors,
    testing::Values(
        HeaderErrorCase{"MarkerNotAllOnes", "ffffffff ffffffff ffffffff fffffffe 0013 04",
                        HeaderSubcode::ConnectionNotSynchronized, ""},
        HeaderErrorCase{"LengthBelow19", kMarker + "0012 04", HeaderSubcode::BadMessageLength, "0012"},
        HeaderErrorCase{"LengthAbove4096", kMarker + "1001 02", HeaderSubcode::BadMessageLength, "1001"},
        HeaderErrorCase{"KeepaliveWithBody", kMarker + "0014 04", HeaderSubcode::BadMessageLength, "0014"},
        HeaderErrorCase{"OpenShorterThan29", kMarker + "001c 01", HeaderSubcode::BadMessageLength, "001c"},
        HeaderErrorCase{"UpdateShorterThan23", kMarker + "0016 02", HeaderSubcode::BadMessageLength, "0016"},
        HeaderErrorCase{"NotificationShorterThan21", kMarker + "0014 03", HeaderSubcode::BadMessageLength, "0014"},
        HeaderErrorCase{"RouteRefreshShorterThan23", kMarker + "0016 05", HeaderSubcode::BadMessageLength, "0016"},
        HeaderErrorCase{"UnknownType", kMarker + "0013 09", HeaderSubcode::BadMessageType, "09"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(MessageLength, FewerThan19Octets_AsksForMore) {
  auto length = message_length(hex("ffffffff ffffffff"));
  ASSERT_TRUE(length.ok());
  EXPECT_FALSE(length.value().has_value());
}

TEST(MessageLength, CompleteHeader_GivesLengthBeforeBodyArrives) {
  auto length = message_length(hex(kMarker + "0017 02 0000"));
  ASSERT_TRUE(length.ok());
  EXPECT_EQ(length.value(), std::optional<std::size_t>{23});
}

TEST(MessageLength, BadHeader_IsAnError) {
  EXPECT_FALSE(message_length(hex(kMarker + "0013 07")).ok());
}

TEST(MessageDecode, FramedLengthDisagreesWithHeader_BadMessageLength) {
  auto decoded = decode_message(hex(kMarker + "0013 04 00"), CodecContext{});
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().subcode, static_cast<std::uint8_t>(HeaderSubcode::BadMessageLength));
}

TEST(MessageEncode, UpdateOver4096Octets_IsRefused) {
  Update update;
  for (std::uint32_t i = 0; i < 1100; ++i)
    update.withdrawn.push_back(Ipv4Prefix{Ipv4Address{0x0a000000u | (i << 8)}, 24});
  auto encoded = encode_message(update, CodecContext{});
  ASSERT_FALSE(encoded.ok());
  EXPECT_NE(encoded.error().fix.find("4096"), std::string::npos);
}

TEST(NotificationFromError, CarriesCodeSubcodeAndData) {
  WireError e{ErrorCode::UpdateMessageError, 11, {1, 2}, ErrorAction::SessionReset, "x"};
  EXPECT_EQ(to_notification(e), (Notification{ErrorCode::UpdateMessageError, 11, {1, 2}}));
}

}  // namespace
}  // namespace hairpin::bgpd
