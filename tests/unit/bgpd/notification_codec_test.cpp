// NOTIFICATION (RFC 4271 4.5) and ROUTE-REFRESH (RFC 2918, RFC 7313).

#include <gtest/gtest.h>

#include "hairpin/bgpd/wire/message_codec.hpp"
#include "hex.hpp"

namespace hairpin::bgpd {
namespace {

using test::hex;

TEST(NotificationCodec, CeaseWithShutdownText_BothDirections) {
  // RFC 9003: Cease/Administrative Shutdown, data = length + UTF-8 "bye"
  Bytes body = hex("06 02 03 627965");
  Notification value{ErrorCode::Cease, 2, hex("03 627965")};
  auto decoded = decode_notification(body);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded.value(), value);
  EXPECT_EQ(encode_notification_body(value), body);
  EXPECT_EQ(value.to_string(), "Cease/Administrative Shutdown");
}

TEST(NotificationCodec, HoldTimerExpired_NoData) {
  auto decoded = decode_message(test::message(MessageType::Notification, hex("04 00")), CodecContext{});
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(std::get<Notification>(decoded.value()), (Notification{ErrorCode::HoldTimerExpired, 0, {}}));
}

TEST(NotificationCodec, UnknownErrorCode_StillDecodes) {
  auto decoded = decode_notification(hex("2a 01"));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(static_cast<int>(decoded->code), 42);
}

struct RefreshCase {
  const char* name;
  std::string body;
  RouteRefresh value;
};
void PrintTo(const RefreshCase& c, std::ostream* os) { *os << c.name; }

class RouteRefreshTable : public testing::TestWithParam<RefreshCase> {};

TEST_P(RouteRefreshTable, BothDirections) {
  auto decoded = decode_route_refresh(hex(GetParam().body));
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  EXPECT_EQ(decoded.value(), GetParam().value);
  EXPECT_EQ(encode_route_refresh_body(GetParam().value), hex(GetParam().body));
}

INSTANTIATE_TEST_SUITE_P(
    Rfc7313, RouteRefreshTable,
    testing::Values(
        RefreshCase{"Normal", "0001 00 01", RouteRefresh{AfiSafi{}, RouteRefreshSubtype::Normal}},
        RefreshCase{"BeginningOfRouteRefresh", "0001 01 01",
                    RouteRefresh{AfiSafi{}, RouteRefreshSubtype::BeginningOfRouteRefresh}},
        RefreshCase{"EndOfRouteRefresh", "0001 02 01",
                    RouteRefresh{AfiSafi{}, RouteRefreshSubtype::EndOfRouteRefresh}},
        RefreshCase{"Ipv6Unicast", "0002 00 01",
                    RouteRefresh{AfiSafi{Afi::Ipv6, Safi::Unicast}, RouteRefreshSubtype::Normal}}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(RouteRefreshDecode, BorrWithExtraOctet_InvalidMessageLengthWithWholeMessage) {
  Bytes whole = test::message(MessageType::RouteRefresh, hex("0001 01 01 00"));
  auto decoded = decode_message(whole, CodecContext{});
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, ErrorCode::RouteRefreshMessageError);
  EXPECT_EQ(decoded.error().subcode, 1);
  EXPECT_EQ(decoded.error().data, whole);  // RFC 7313 5: data is the complete message
}

TEST(RouteRefreshDecode, UnknownSubtype_DecodesForTheFsmToIgnore) {
  auto decoded = decode_route_refresh(hex("0001 07 01"));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(static_cast<int>(decoded->subtype), 7);
}

TEST(RouteRefreshDecode, NormalWithOrfEntries_Accepted) {
  auto decoded = decode_route_refresh(hex("0001 00 01 01 0040 00"));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->subtype, RouteRefreshSubtype::Normal);
}

}  // namespace
}  // namespace hairpin::bgpd
