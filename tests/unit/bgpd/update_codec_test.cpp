// UPDATE and path attributes (RFC 4271 4.3, 5, 6.3), revised error handling
// (RFC 7606), AS 0 (RFC 7607), 4-octet AS transition (RFC 6793), communities
// (RFC 1997), large communities (RFC 8092), MP_REACH/MP_UNREACH (RFC 4760).

#include <gtest/gtest.h>

#include "hairpin/bgpd/wire/message_codec.hpp"
#include "hex.hpp"

namespace hairpin::bgpd {
namespace {

using test::hex;
using test::ip;
using test::pfx;

// Body = withdrawn length, withdrawn, attribute length, attributes, NLRI.
Bytes body(const std::string& attrs, const std::string& nlri = "080a", const std::string& withdrawn = "") {
  Bytes w = hex(withdrawn), a = hex(attrs), n = hex(nlri);
  Bytes out{static_cast<std::uint8_t>(w.size() >> 8), static_cast<std::uint8_t>(w.size())};
  out.insert(out.end(), w.begin(), w.end());
  out.push_back(static_cast<std::uint8_t>(a.size() >> 8));
  out.push_back(static_cast<std::uint8_t>(a.size()));
  out.insert(out.end(), a.begin(), a.end());
  out.insert(out.end(), n.begin(), n.end());
  return out;
}

const std::string kOrigin = "40 01 01 00";
const std::string kAsPath = "40 02 06 02 01 0000fde9";  // AS_SEQUENCE 65001
const std::string kNextHop = "40 03 04 0a000004";       // 10.0.0.4
const std::string kBase = kOrigin + kAsPath + kNextHop;

AsPath seq(std::vector<std::uint32_t> asns) { return AsPath{{AsSegment{SegmentType::AsSequence, std::move(asns)}}}; }

PathAttributes base_attrs() {
  PathAttributes a;
  a.origin = Origin::Igp;
  a.as_path = seq({65001});
  a.next_hop = ip("10.0.0.4");
  return a;
}

CodecContext ebgp4() { return CodecContext{true, true}; }
CodecContext ebgp2() { return CodecContext{false, true}; }
CodecContext ibgp4() { return CodecContext{true, false}; }

// ---- Bytes <-> values ---------------------------------------------------------

struct UpdateCase {
  const char* name;
  Bytes bytes;
  CodecContext ctx;
  Update value;
};
void PrintTo(const UpdateCase& c, std::ostream* os) { *os << c.name; }

std::vector<UpdateCase> update_table() {
  std::vector<UpdateCase> t;
  {
    Update u;
    u.attributes = base_attrs();
    u.attributes.med = 0;
    u.nlri = {pfx("10.0.0.0/8")};
    t.push_back({"SupernetFromNva", body(kBase + "80 04 04 00000000"), ebgp4(), u});
  }
  {
    Update u;
    u.withdrawn = {pfx("10.100.0.0/16")};
    t.push_back({"WithdrawOnly", body("", "", "10 0a64"), ebgp4(), u});
  }
  t.push_back({"EndOfRib", body("", ""), ebgp4(), Update{}});
  {
    Update u;
    u.attributes.origin = Origin::Incomplete;
    u.attributes.as_path = AsPath{{AsSegment{SegmentType::AsSequence, {65515}},
                                   AsSegment{SegmentType::AsSet, {65100, 65200}}}};
    u.attributes.next_hop = ip("10.0.200.12");
    u.attributes.communities = {0xFFFFFF01u /* NO_EXPORT */, (65001u << 16) | 100};
    u.attributes.large_communities = {LargeCommunity{65001, 1, 2}};
    u.nlri = {pfx("10.100.0.0/16")};
    t.push_back({"AsSetCommunitiesLargeCommunities",
                 body("40 01 01 02"
                      "40 02 10 02 01 0000ffeb 01 02 0000fe4c 0000feb0"
                      "40 03 04 0a00c80c"
                      "c0 08 08 ffffff01 fde90064"
                      "c0 20 0c 0000fde9 00000001 00000002",
                      "10 0a64"),
                 ebgp4(), u});
  }
  {
    Update u;
    u.attributes.unknown = {RawAttribute{0xe0, 0xfe, {0xab, 0xcd}}};
    t.push_back({"UnknownOptionalTransitiveCarriedPartial", body("e0 fe 02 abcd", ""), ebgp4(), u});
  }
  {
    // RFC 6793 4.2.2: to an old speaker, 131072 becomes AS_TRANS, the real path rides in AS4_PATH
    Update u;
    u.attributes.origin = Origin::Igp;
    u.attributes.as_path = seq({65001, 131072, 65100});
    u.attributes.next_hop = ip("10.0.210.4");
    u.nlri = {pfx("10.200.0.0/16")};
    t.push_back({"TwoOctetPeerAs4PathMerged",
                 body(kOrigin + "40 02 08 02 03 fde9 5ba0 fe4c" + "40 03 04 0a00d204" +
                          "c0 11 0e 02 03 0000fde9 00020000 0000fe4c",
                      "10 0ac8"),
                 ebgp2(), u});
  }
  {
    Update u;
    u.attributes.origin = Origin::Igp;
    u.attributes.as_path = seq({65001});
    u.attributes.next_hop = ip("10.0.0.4");
    u.attributes.atomic_aggregate = true;
    u.attributes.aggregator = Aggregator{131072, ip("10.0.0.4")};
    u.nlri = {pfx("10.0.0.0/8")};
    t.push_back({"TwoOctetPeerAs4AggregatorMerged",
                 body(kOrigin + "40 02 04 02 01 fde9" + kNextHop + "40 06 00" + "c0 07 06 5ba0 0a000004" +
                      "c0 12 08 00020000 0a000004"),
                 ebgp2(), u});
  }
  {
    Update u;
    u.attributes = base_attrs();
    u.attributes.aggregator = Aggregator{65001, ip("10.0.0.4")};
    u.nlri = {pfx("10.0.0.0/8")};
    t.push_back({"FourOctetAggregator", body(kBase + "c0 07 08 0000fde9 0a000004"), ebgp4(), u});
  }
  {
    Update u;
    u.attributes = base_attrs();
    u.attributes.local_pref = 200;
    u.nlri = {pfx("10.0.0.0/8")};
    t.push_back({"LocalPrefFromInternalPeer", body(kBase + "40 05 04 000000c8"), ibgp4(), u});
  }
  {
    Update u;
    u.attributes.origin = Origin::Igp;
    u.attributes.as_path = seq({65001});
    u.attributes.mp_reach = MpReach{AfiSafi{}, ip("10.0.0.4"), {pfx("10.0.0.0/8")}};
    // RFC 7606 5.1: the encoder puts MP_REACH_NLRI first
    t.push_back({"MpReachIpv4Unicast", body("80 0e 0b 0001 01 04 0a000004 00 080a" + kOrigin + kAsPath, ""),
                 ebgp4(), u});
  }
  {
    Update u;
    u.attributes.mp_unreach = MpUnreach{AfiSafi{}, {pfx("10.0.0.0/8")}};
    t.push_back({"MpUnreachIpv4Unicast", body("80 0f 05 0001 01 080a", ""), ebgp4(), u});
  }
  return t;
}

class UpdateTable : public testing::TestWithParam<UpdateCase> {};

TEST_P(UpdateTable, DecodesToValue) {
  auto decoded = decode_update(GetParam().bytes, GetParam().ctx);
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  EXPECT_TRUE(decoded.notes().empty()) << decoded.notes().front().to_string();
  EXPECT_EQ(decoded.value(), GetParam().value);
}

TEST_P(UpdateTable, EncodesToBytes) {
  EXPECT_EQ(test::to_hex(encode_update_body(GetParam().value, GetParam().ctx)),
            test::to_hex(GetParam().bytes));
}

INSTANTIATE_TEST_SUITE_P(Rfc4271, UpdateTable, testing::ValuesIn(update_table()),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(UpdateDecode, AsSetPath_PrintsLikeFrr) {
  auto decoded = decode_update(update_table()[3].bytes, ebgp4());
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->attributes.as_path->to_string(), "65515 {65100,65200}");
  EXPECT_EQ(decoded->attributes.as_path->path_length(), 2u);
}

TEST(UpdateDecode, EmptyUpdate_IsEndOfRib) {
  auto decoded = decode_update(body("", ""), ebgp4());
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->is_end_of_rib());
  EXPECT_FALSE(decode_update(body(kBase), ebgp4())->is_end_of_rib());
}

TEST(UpdateDecode, UnknownOptionalTransitive_GetsPartialBit) {
  auto decoded = decode_update(body("c0 fe 02 abcd", ""), ebgp4());
  ASSERT_TRUE(decoded.ok());
  ASSERT_EQ(decoded->attributes.unknown.size(), 1u);
  EXPECT_EQ(decoded->attributes.unknown[0].flags, 0xe0);  // RFC 4271 5: Partial set when passed on
}

TEST(UpdateDecode, UnknownOptionalNonTransitive_QuietlyIgnored) {
  auto decoded = decode_update(body(kBase + "80 fe 01 00"), ebgp4());
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded.notes().empty());
  EXPECT_TRUE(decoded->attributes.unknown.empty());
  EXPECT_EQ(decoded->nlri.size(), 1u);
}

TEST(UpdateDecode, ExtendedLengthAttribute_SameValue) {
  // FRR sends AS_PATH with the Extended Length bit even when short.
  auto decoded = decode_update(body(kOrigin + "50 02 0006 02 01 0000fde9" + kNextHop), ebgp4());
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->attributes, base_attrs());
}

TEST(UpdateDecode, HostBitsBeyondPrefixLength_Masked) {
  auto decoded = decode_update(body(kBase, "17 0a0001"), ebgp4());
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->nlri, std::vector<Ipv4Prefix>{pfx("10.0.0.0/23")});
}

TEST(UpdateDecode, As4PathShorterThanAsPath_KeepsLeadingAses) {
  // RFC 6793 4.2.3: AS_PATH 65001 65002 23456 65100 + AS4_PATH 131072 65100
  auto decoded = decode_update(body(kOrigin + "40 02 0a 02 04 fde9 fdea 5ba0 fe4c" + kNextHop +
                                    "c0 11 0a 02 02 00020000 0000fe4c"),
                               ebgp2());
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded.notes().empty());
  EXPECT_EQ(decoded->attributes.as_path->to_string(), "65001 65002 131072 65100");
}

TEST(UpdateDecode, As4PathLongerThanAsPath_Ignored) {
  auto decoded = decode_update(body(kOrigin + "40 02 04 02 01 5ba0" + kNextHop +
                                    "c0 11 0a 02 02 00020000 0000fe4c"),
                               ebgp2());
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->attributes.as_path->to_string(), "23456");
  ASSERT_EQ(decoded.notes().size(), 1u);
  EXPECT_EQ(decoded.notes()[0].action, ErrorAction::AttributeDiscard);
}

TEST(UpdateDecode, AggregatorWithRealTwoOctetAs_As4PathIgnored) {
  // RFC 6793 4.2.3: AGGREGATOR not AS_TRANS -> AS4_PATH and AS4_AGGREGATOR ignored
  auto decoded = decode_update(body(kOrigin + "40 02 04 02 01 5ba0" + kNextHop + "c0 07 06 fde9 0a000004" +
                                    "c0 11 06 02 01 00020000"),
                               ebgp2());
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->attributes.as_path->to_string(), "23456");
  EXPECT_EQ(decoded->attributes.aggregator->asn, 65001u);
}

TEST(UpdateDecode, TwoOctetAsPathOnFourOctetSession_TreatsAsWithdraw) {
  // A peer that forgot what it negotiated: 2-octet ASes do not parse as 4-octet ones.
  auto decoded = decode_update(body(kOrigin + "40 02 04 02 01 fde9" + kNextHop), ebgp4());
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->nlri.empty());
  EXPECT_EQ(decoded->withdrawn, std::vector<Ipv4Prefix>{pfx("10.0.0.0/8")});
}

// ---- RFC 7606: treat-as-withdraw -------------------------------------------------

struct ErrorCase {
  const char* name;
  std::string attrs;
  UpdateSubcode subcode;
  CodecContext ctx = ebgp4();
  std::string data = "-";  // "-" = do not check
};
void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }

class TreatAsWithdraw : public testing::TestWithParam<ErrorCase> {};

TEST_P(TreatAsWithdraw, RoutesWithdrawnSessionKept) {
  const auto& c = GetParam();
  auto decoded = decode_update(body(c.attrs, "080a 10 0a64"), c.ctx);
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  EXPECT_TRUE(decoded->nlri.empty());
  EXPECT_EQ(decoded->withdrawn, (std::vector<Ipv4Prefix>{pfx("10.0.0.0/8"), pfx("10.100.0.0/16")}));
  EXPECT_TRUE(decoded->attributes.empty());
  ASSERT_FALSE(decoded.notes().empty());
  bool found = false;
  for (const auto& n : decoded.notes()) {
    if (n.action != ErrorAction::TreatAsWithdraw) continue;
    found = true;
    EXPECT_EQ(n.code, ErrorCode::UpdateMessageError);
    EXPECT_EQ(n.subcode, static_cast<std::uint8_t>(c.subcode)) << n.to_string();
    if (c.data != "-") {
      EXPECT_EQ(test::to_hex(n.data), test::to_hex(hex(c.data)));
    }
  }
  EXPECT_TRUE(found);
}

INSTANTIATE_TEST_SUITE_P(
    Rfc7606, TreatAsWithdraw,
    testing::Values(
        ErrorCase{"MalformedAsPath_SegmentLengthZero", kOrigin + "40 02 02 02 00" + kNextHop, UpdateSubcode::MalformedAsPath},
        ErrorCase{"MalformedAsPath_SegmentOverrun", kOrigin + "40 02 06 02 02 0000fde9" + kNextHop, UpdateSubcode::MalformedAsPath},
        ErrorCase{"MalformedAsPath_TruncatedSegmentHeader", kOrigin + "40 02 07 02 01 0000fde9 02" + kNextHop, UpdateSubcode::MalformedAsPath},
        ErrorCase{"MalformedAsPath_UnknownSegmentType", kOrigin + "40 02 06 05 01 0000fde9" + kNextHop, UpdateSubcode::MalformedAsPath},
        ErrorCase{"AsPathContainsAs0_Rfc7607", kOrigin + "40 02 0a 02 02 0000fde9 00000000" + kNextHop, UpdateSubcode::MalformedAsPath},
        ErrorCase{"OriginValue3", "40 01 01 03" + kAsPath + kNextHop, UpdateSubcode::InvalidOriginAttribute},
        ErrorCase{"OriginLength2", "40 01 02 0000" + kAsPath + kNextHop, UpdateSubcode::AttributeLengthError},
        ErrorCase{"OriginFlaggedOptional", "c0 01 01 00" + kAsPath + kNextHop, UpdateSubcode::AttributeFlagsError, ebgp4(), "c0 01 01 00"},
        ErrorCase{"NextHopLength5", kOrigin + kAsPath + "40 03 05 0a00000400", UpdateSubcode::AttributeLengthError},
        ErrorCase{"NextHopZero", kOrigin + kAsPath + "40 03 04 00000000", UpdateSubcode::InvalidNextHopAttribute},
        ErrorCase{"NextHopMulticast", kOrigin + kAsPath + "40 03 04 e0000001", UpdateSubcode::InvalidNextHopAttribute},
        ErrorCase{"NextHopLoopback", kOrigin + kAsPath + "40 03 04 7f000001", UpdateSubcode::InvalidNextHopAttribute},
        ErrorCase{"MedLength3", kBase + "80 04 03 000000", UpdateSubcode::AttributeLengthError},
        ErrorCase{"LocalPrefLength3FromInternalPeer", kBase + "40 05 03 000064", UpdateSubcode::AttributeLengthError, ibgp4()},
        ErrorCase{"CommunitiesLength5", kBase + "c0 08 05 0000000000", UpdateSubcode::OptionalAttributeError},
        ErrorCase{"CommunitiesLength0", kBase + "c0 08 00", UpdateSubcode::OptionalAttributeError},
        ErrorCase{"LargeCommunityLength13", kBase + "c0 20 0d 00000001 00000002 00000003 00", UpdateSubcode::OptionalAttributeError},
        ErrorCase{"MissingOrigin", kAsPath + kNextHop, UpdateSubcode::MissingWellKnownAttribute, ebgp4(), "01"},
        ErrorCase{"MissingAsPath", kOrigin + kNextHop, UpdateSubcode::MissingWellKnownAttribute, ebgp4(), "02"},
        ErrorCase{"MissingNextHop", kOrigin + kAsPath, UpdateSubcode::MissingWellKnownAttribute, ebgp4(), "03"},
        ErrorCase{"MissingLocalPrefFromInternalPeer", kBase, UpdateSubcode::MissingWellKnownAttribute, ibgp4(), "05"},
        ErrorCase{"AttributeOverrunsList", kBase + "c0 08 08 00000001", UpdateSubcode::AttributeLengthError},
        ErrorCase{"TruncatedAttributeHeader", kBase + "c0 08", UpdateSubcode::MalformedAttributeList},
        ErrorCase{"NoAttributesButNlri", "", UpdateSubcode::MissingWellKnownAttribute}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(UpdateDecode, MalformedAsPath_TreatsAsWithdraw) {
  // The headline case, spelled out: one broken AS_PATH withdraws, never resets.
  auto decoded = decode_update(body(kOrigin + "40 02 02 02 00" + kNextHop), ebgp4());
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->withdrawn, std::vector<Ipv4Prefix>{pfx("10.0.0.0/8")});
  ASSERT_EQ(decoded.notes().size(), 1u);
  EXPECT_EQ(decoded.notes()[0].action, ErrorAction::TreatAsWithdraw);
  EXPECT_EQ(decoded.notes()[0].subcode, static_cast<std::uint8_t>(UpdateSubcode::MalformedAsPath));
}

TEST(UpdateDecode, MpReachWithMalformedAttribute_WithdrawsMpRoutes) {
  auto decoded = decode_update(body("40 01 01 07" + kAsPath + "80 0e 0b 0001 01 04 0a000004 00 080a", ""), ebgp4());
  ASSERT_TRUE(decoded.ok());
  ASSERT_TRUE(decoded->attributes.mp_unreach.has_value());
  EXPECT_EQ(decoded->attributes.mp_unreach->withdrawn, std::vector<Ipv4Prefix>{pfx("10.0.0.0/8")});
  EXPECT_FALSE(decoded->attributes.mp_reach.has_value());
}

TEST(UpdateDecode, DiscardAndWithdrawTogether_MostSevereWins) {
  auto decoded = decode_update(body(kBase + "40 06 01 00" + "80 04 03 000000"), ebgp4());
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->nlri.empty());
  ASSERT_EQ(decoded.notes().size(), 2u);
  EXPECT_EQ(decoded.notes()[0].action, ErrorAction::AttributeDiscard);
  EXPECT_EQ(decoded.notes()[1].action, ErrorAction::TreatAsWithdraw);
}

// ---- RFC 7606: attribute discard --------------------------------------------------

struct DiscardCase {
  const char* name;
  std::string extra;  // appended to a valid ORIGIN/AS_PATH/NEXT_HOP
  CodecContext ctx;
  PathAttributes expected;  // what survives
};
void PrintTo(const DiscardCase& c, std::ostream* os) { *os << c.name; }

class AttributeDiscard : public testing::TestWithParam<DiscardCase> {};

TEST_P(AttributeDiscard, AttributeDroppedRoutesKept) {
  // A 2-octet session needs a 2-octet AS_PATH in front of the attribute under test.
  const std::string base = GetParam().ctx.four_octet_as ? kBase : kOrigin + "40 02 04 02 01 fde9" + kNextHop;
  auto decoded = decode_update(body(base + GetParam().extra), GetParam().ctx);
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  EXPECT_EQ(decoded->nlri, std::vector<Ipv4Prefix>{pfx("10.0.0.0/8")});
  EXPECT_EQ(decoded->attributes, GetParam().expected);
  ASSERT_EQ(decoded.notes().size(), 1u);
  EXPECT_EQ(decoded.notes()[0].action, ErrorAction::AttributeDiscard) << decoded.notes()[0].to_string();
}

PathAttributes with_med(std::uint32_t med) {
  auto a = base_attrs();
  a.med = med;
  return a;
}

INSTANTIATE_TEST_SUITE_P(
    Rfc7606, AttributeDiscard,
    testing::Values(
        DiscardCase{"LocalPrefFromExternalPeer", "40 05 04 00000064", ebgp4(), base_attrs()},
        DiscardCase{"AtomicAggregateLength1", "40 06 01 00", ebgp4(), base_attrs()},
        DiscardCase{"AggregatorLength7", "c0 07 07 0000fde9 0a0000", ebgp4(), base_attrs()},
        DiscardCase{"AggregatorAs0_Rfc7607", "c0 07 08 00000000 0a000004", ebgp4(), base_attrs()},
        DiscardCase{"DuplicateMed_KeepsFirst", "80 04 04 00000001 80 04 04 00000002", ebgp4(), with_med(1)},
        DiscardCase{"As4PathOnFourOctetSession", "c0 11 06 02 01 00020000", ebgp4(), base_attrs()},
        DiscardCase{"As4PathWithConfedSegment", "c0 11 06 03 01 00020000", CodecContext{false, true},
                    [] { auto a = base_attrs(); a.as_path = seq({65001}); return a; }()},
        DiscardCase{"As4PathContainsAs0", "c0 11 06 02 01 00000000", CodecContext{false, true}, base_attrs()},
        DiscardCase{"As4AggregatorLength6", "c0 12 06 0002 0a000004", CodecContext{false, true}, base_attrs()},
        DiscardCase{"As4PathFlaggedWellKnown", "40 11 06 02 01 00020000", CodecContext{false, true}, base_attrs()}),
    [](const auto& info) { return std::string(info.param.name); });

// ---- Session reset ----------------------------------------------------------------

struct ResetCase {
  const char* name;
  Bytes bytes;
  UpdateSubcode subcode;
};
void PrintTo(const ResetCase& c, std::ostream* os) { *os << c.name; }

class SessionReset : public testing::TestWithParam<ResetCase> {};

TEST_P(SessionReset, FatalWithNotification) {
  auto decoded = decode_update(GetParam().bytes, ebgp4());
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, ErrorCode::UpdateMessageError);
  EXPECT_EQ(decoded.error().subcode, static_cast<std::uint8_t>(GetParam().subcode)) << decoded.error().to_string();
  EXPECT_EQ(decoded.error().action, ErrorAction::SessionReset);
}

const std::string kMpReach = "80 0e 0b 0001 01 04 0a000004 00 080a";

INSTANTIATE_TEST_SUITE_P(
    Rfc7606, SessionReset,
    testing::Values(
        ResetCase{"WithdrawnLengthOverrunsMessage", hex("0010 0000"), UpdateSubcode::MalformedAttributeList},
        ResetCase{"AttributeLengthOverrunsMessage", hex("0000 0010 400101"), UpdateSubcode::MalformedAttributeList},
        ResetCase{"NlriPrefixLength33", body(kBase, "21 0a000000 00"), UpdateSubcode::InvalidNetworkField},
        ResetCase{"NlriPrefixTruncated", body(kBase, "18 0a00"), UpdateSubcode::InvalidNetworkField},
        ResetCase{"WithdrawnPrefixLength40", body("", "", "28 0a00000000"), UpdateSubcode::InvalidNetworkField},
        ResetCase{"UnrecognizedWellKnownAttribute", body(kBase + "40 63 01 00"), UpdateSubcode::UnrecognizedWellKnownAttribute},
        ResetCase{"DuplicateMpReach", body(kOrigin + kAsPath + kMpReach + kMpReach, ""), UpdateSubcode::MalformedAttributeList},
        ResetCase{"MpReachFlaggedTransitive", body(kOrigin + kAsPath + "c0 0e 0b 0001 01 04 0a000004 00 080a", ""),
                  UpdateSubcode::AttributeFlagsError},
        ResetCase{"MpReachNlriMalformed", body(kOrigin + kAsPath + "80 0e 0b 0001 01 04 0a000004 00 210a", ""),
                  UpdateSubcode::OptionalAttributeError},
        ResetCase{"MpUnreachTooShort", body("80 0f 02 0001", ""), UpdateSubcode::OptionalAttributeError}),
    [](const auto& info) { return std::string(info.param.name); });

// ---- Encode-only rules ------------------------------------------------------------

TEST(UpdateEncode, LocalPrefNeverSentToExternalPeer) {
  Update u;
  u.attributes = base_attrs();
  u.attributes.local_pref = 100;
  u.nlri = {pfx("10.0.0.0/8")};
  EXPECT_EQ(encode_update_body(u, ebgp4()), body(kBase));
  EXPECT_EQ(encode_update_body(u, ibgp4()), body(kBase + "40 05 04 00000064"));
}

TEST(UpdateEncode, LongSegmentSplitsAt255Ases) {
  Update u;
  u.attributes = base_attrs();
  std::vector<std::uint32_t> asns(300, 65001);
  u.attributes.as_path = seq(asns);
  u.nlri = {pfx("10.0.0.0/8")};
  auto decoded = decode_update(encode_update_body(u, ebgp4()), ebgp4());
  ASSERT_TRUE(decoded.ok());
  ASSERT_EQ(decoded->attributes.as_path->segments.size(), 2u);
  EXPECT_EQ(decoded->attributes.as_path->path_length(), 300u);
}

TEST(UpdateEncode, MpReachAndMpUnreach_AreTheVeryFirstAttributes) {
  // RFC 7606 5.1: MP_REACH_NLRI or MP_UNREACH_NLRI SHALL be the very first path attribute.
  Update reach;
  reach.attributes = base_attrs();
  reach.attributes.next_hop.reset();
  reach.attributes.med = 5;
  reach.attributes.communities = {1};
  reach.attributes.mp_reach = MpReach{AfiSafi{}, ip("10.0.0.4"), {pfx("10.0.0.0/8")}};
  Bytes b = encode_update_body(reach, ebgp4());
  ASSERT_GT(b.size(), 6u);
  EXPECT_EQ(b[4], 0x80);  // withdrawn length (2), attribute length (2), then flags, type
  EXPECT_EQ(b[5], static_cast<std::uint8_t>(AttrType::MpReachNlri));
  auto decoded = decode_update(b, ebgp4());
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded.value(), reach);

  Update unreach;
  unreach.attributes.mp_unreach = MpUnreach{AfiSafi{}, {pfx("10.0.0.0/8")}};
  unreach.attributes.unknown = {RawAttribute{0xe0, 0x01 + 0xf0, {1}}};
  b = encode_update_body(unreach, ebgp4());
  EXPECT_EQ(b[5], static_cast<std::uint8_t>(AttrType::MpUnreachNlri));
}

TEST(UpdateEncode, NonTransitiveUnknownAttribute_NotPropagated) {
  Update u;
  u.attributes.unknown = {RawAttribute{0x80, 0x0e, {0, 2, 1}}};
  EXPECT_EQ(encode_update_body(u, ebgp4()), body("", ""));
}

}  // namespace
}  // namespace hairpin::bgpd
