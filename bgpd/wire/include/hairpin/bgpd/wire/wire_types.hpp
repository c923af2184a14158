#pragma once
// BGP-4 message values: what the wire codec (message_codec.hpp) produces from bytes
// and turns back into bytes. Plain values, no I/O; the FSM, RIB and policy see only
// these types. Numbers are host order; AS numbers are always 4-octet values here
// (RFC 6793): the codec maps them to and from 2-octet wire forms using the context.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "hairpin/common/byte_io.hpp"
#include "hairpin/common/ipv4.hpp"

namespace hairpin::bgpd {

using Bytes = hairpin::Bytes;

inline constexpr std::uint32_t kAsTrans = 23456;             // RFC 6793 9
inline constexpr std::size_t kHeaderLength = 19;             // RFC 4271 4.1
inline constexpr std::size_t kMaxMessageLength = 4096;       // RFC 4271 4.1

// IPv4 values are the project's one definition (common/ipv4.hpp).
using Ipv4Address = hairpin::Ipv4Address;
using Ipv4Prefix = hairpin::Ipv4Prefix;

enum class Afi : std::uint16_t { Ipv4 = 1, Ipv6 = 2 };
enum class Safi : std::uint8_t { Unicast = 1, Multicast = 2 };

struct AfiSafi {
  Afi afi = Afi::Ipv4;
  Safi safi = Safi::Unicast;
  friend bool operator==(const AfiSafi&, const AfiSafi&) = default;
};

// ---- Errors -------------------------------------------------------------------

// RFC 4271 4.5 error codes, RFC 7313 5 for ROUTE-REFRESH.
enum class ErrorCode : std::uint8_t {
  MessageHeaderError = 1,
  OpenMessageError = 2,
  UpdateMessageError = 3,
  HoldTimerExpired = 4,
  FiniteStateMachineError = 5,
  Cease = 6,
  RouteRefreshMessageError = 7,
};

// RFC 4271 6.1
enum class HeaderSubcode : std::uint8_t {
  ConnectionNotSynchronized = 1,
  BadMessageLength = 2,
  BadMessageType = 3,
};

// RFC 4271 6.2, RFC 5492 3 (UnsupportedCapability)
enum class OpenSubcode : std::uint8_t {
  Unspecific = 0,
  UnsupportedVersionNumber = 1,
  BadPeerAs = 2,
  BadBgpIdentifier = 3,
  UnsupportedOptionalParameter = 4,
  UnacceptableHoldTime = 6,
  UnsupportedCapability = 7,
};

// RFC 4271 6.3
enum class UpdateSubcode : std::uint8_t {
  MalformedAttributeList = 1,
  UnrecognizedWellKnownAttribute = 2,
  MissingWellKnownAttribute = 3,
  AttributeFlagsError = 4,
  AttributeLengthError = 5,
  InvalidOriginAttribute = 6,
  InvalidNextHopAttribute = 8,
  OptionalAttributeError = 9,
  InvalidNetworkField = 10,
  MalformedAsPath = 11,
};

// RFC 7313 5
enum class RouteRefreshSubcode : std::uint8_t { InvalidMessageLength = 1 };

// RFC 7606 2: what the receiver does about an error, most severe first.
enum class ErrorAction : std::uint8_t {
  SessionReset = 0,     // send NOTIFICATION, drop the session
  TreatAsWithdraw = 1,  // the UPDATE's routes are withdrawn, session stays
  AttributeDiscard = 2, // the attribute is dropped, routes stay
};

const char* to_string(ErrorAction action);

// One problem found while decoding. For SessionReset, code/subcode/data are the
// NOTIFICATION to send; otherwise they name the error for the log (RFC 7606 2:
// "the error SHOULD be logged").
struct WireError {
  ErrorCode code = ErrorCode::MessageHeaderError;
  std::uint8_t subcode = 0;
  Bytes data;
  ErrorAction action = ErrorAction::SessionReset;
  std::string what;  // one line for people: "AS_PATH segment length 0 (RFC 7606 7.2)"
  friend bool operator==(const WireError&, const WireError&) = default;
  std::string to_string() const;
};

// ---- Messages -----------------------------------------------------------------

enum class MessageType : std::uint8_t {
  Open = 1,
  Update = 2,
  Notification = 3,
  Keepalive = 4,
  RouteRefresh = 5,  // RFC 2918 3
};

struct RawCapability {
  std::uint8_t code = 0;
  Bytes value;
  friend bool operator==(const RawCapability&, const RawCapability&) = default;
};

// RFC 5492 capability codes we understand.
enum class CapabilityCode : std::uint8_t {
  Multiprotocol = 1,          // RFC 4760 8
  RouteRefresh = 2,           // RFC 2918 2
  FourOctetAs = 65,           // RFC 6793 3
  EnhancedRouteRefresh = 70,  // RFC 7313 3
};

struct Capabilities {
  std::vector<AfiSafi> multiprotocol;
  bool route_refresh = false;
  std::optional<std::uint32_t> four_octet_as;
  bool enhanced_route_refresh = false;
  std::vector<RawCapability> other;  // understood by someone else; kept, never acted on
  friend bool operator==(const Capabilities&, const Capabilities&) = default;
};

struct Open {
  std::uint8_t version = 4;
  std::uint16_t my_as = 0;  // wire field: AS_TRANS when the real AS needs 4 octets
  std::uint16_t hold_time = 0;
  Ipv4Address bgp_identifier;
  Capabilities capabilities;
  friend bool operator==(const Open&, const Open&) = default;
  // RFC 6793 4.1: the 4-octet AS capability, when present, is the speaker's AS.
  std::uint32_t speaker_as() const {
    return capabilities.four_octet_as.value_or(my_as);
  }
};

enum class Origin : std::uint8_t { Igp = 0, Egp = 1, Incomplete = 2 };

enum class SegmentType : std::uint8_t {
  AsSet = 1,
  AsSequence = 2,
  AsConfedSequence = 3,  // RFC 5065 3
  AsConfedSet = 4,
};

struct AsSegment {
  SegmentType type = SegmentType::AsSequence;
  std::vector<std::uint32_t> asns;
  friend bool operator==(const AsSegment&, const AsSegment&) = default;
  // AS_CONFED_SEQUENCE or AS_CONFED_SET (RFC 5065 3).
  bool is_confederation() const { return type == SegmentType::AsConfedSequence || type == SegmentType::AsConfedSet; }
};

struct AsPath {
  std::vector<AsSegment> segments;
  friend bool operator==(const AsPath&, const AsPath&) = default;
  // FRR's text form: "65515 12076 {65100,65200}" (sets in braces, confed in parens).
  std::string to_string() const;
  // RFC 4271 9.1.2.2 a: an AS_SET counts as 1, confederation segments as 0.
  std::size_t path_length() const;
  bool contains(std::uint32_t asn) const;
  std::optional<std::uint32_t> first_as() const;
};

struct Aggregator {
  std::uint32_t asn = 0;
  Ipv4Address address;
  friend bool operator==(const Aggregator&, const Aggregator&) = default;
};

struct LargeCommunity {  // RFC 8092 3
  std::uint32_t global_administrator = 0;
  std::uint32_t local_data_1 = 0;
  std::uint32_t local_data_2 = 0;
  friend bool operator==(const LargeCommunity&, const LargeCommunity&) = default;
  std::string to_string() const;
};

// An attribute this codec does not interpret: optional transitive ones are carried
// on with the Partial bit set (RFC 4271 5).
struct RawAttribute {
  std::uint8_t flags = 0;
  std::uint8_t type = 0;
  Bytes value;
  friend bool operator==(const RawAttribute&, const RawAttribute&) = default;
};

struct MpReach {  // RFC 4760 3, IPv4 unicast only; other AFI/SAFI stay raw
  AfiSafi afi_safi;
  Ipv4Address next_hop;
  std::vector<Ipv4Prefix> nlri;
  friend bool operator==(const MpReach&, const MpReach&) = default;
};

struct MpUnreach {  // RFC 4760 4
  AfiSafi afi_safi;
  std::vector<Ipv4Prefix> withdrawn;
  friend bool operator==(const MpUnreach&, const MpUnreach&) = default;
};

namespace attr_flag {
inline constexpr std::uint8_t kOptional = 0x80;
inline constexpr std::uint8_t kTransitive = 0x40;
inline constexpr std::uint8_t kPartial = 0x20;
inline constexpr std::uint8_t kExtendedLength = 0x10;
}  // namespace attr_flag

enum class AttrType : std::uint8_t {
  Origin = 1,
  AsPath = 2,
  NextHop = 3,
  MultiExitDisc = 4,
  LocalPref = 5,
  AtomicAggregate = 6,
  Aggregator = 7,
  Communities = 8,
  OriginatorId = 9,   // RFC 4456 8
  ClusterList = 10,   // RFC 4456 8
  MpReachNlri = 14,
  MpUnreachNlri = 15,
  As4Path = 17,
  As4Aggregator = 18,
  LargeCommunity = 32,
};

// Path attributes as values. AS4_PATH / AS4_AGGREGATOR never appear here: from a
// 2-octet peer they are merged into as_path / aggregator (RFC 6793 4.2.3), and the
// encoder regenerates them for 2-octet peers (RFC 6793 4.2.2).
struct PathAttributes {
  std::optional<Origin> origin;
  std::optional<AsPath> as_path;
  std::optional<Ipv4Address> next_hop;
  std::optional<std::uint32_t> med;
  std::optional<std::uint32_t> local_pref;
  bool atomic_aggregate = false;
  std::optional<Aggregator> aggregator;
  std::vector<std::uint32_t> communities;          // RFC 1997; empty = absent
  std::vector<LargeCommunity> large_communities;   // RFC 8092; empty = absent
  std::optional<MpReach> mp_reach;
  std::optional<MpUnreach> mp_unreach;
  std::vector<RawAttribute> unknown;               // in type order
  friend bool operator==(const PathAttributes&, const PathAttributes&) = default;
  bool empty() const { return *this == PathAttributes{}; }
};

struct Update {
  std::vector<Ipv4Prefix> withdrawn;
  PathAttributes attributes;
  std::vector<Ipv4Prefix> nlri;
  friend bool operator==(const Update&, const Update&) = default;
  // RFC 4724 2: an UPDATE with nothing in it is the IPv4 unicast End-of-RIB marker.
  bool is_end_of_rib() const { return withdrawn.empty() && nlri.empty() && attributes.empty(); }
};

struct Notification {
  ErrorCode code = ErrorCode::Cease;
  std::uint8_t subcode = 0;
  Bytes data;
  friend bool operator==(const Notification&, const Notification&) = default;
  std::string to_string() const;  // "Cease/Administrative Shutdown"
};

struct Keepalive {
  friend bool operator==(const Keepalive&, const Keepalive&) = default;
};

enum class RouteRefreshSubtype : std::uint8_t {  // RFC 7313 3
  Normal = 0,
  BeginningOfRouteRefresh = 1,
  EndOfRouteRefresh = 2,
};

struct RouteRefresh {
  AfiSafi afi_safi;
  // Any value other than the three above must be ignored by the receiver (RFC 7313 5).
  RouteRefreshSubtype subtype = RouteRefreshSubtype::Normal;
  friend bool operator==(const RouteRefresh&, const RouteRefresh&) = default;
};

using Message = std::variant<Open, Update, Notification, Keepalive, RouteRefresh>;

// What the session negotiated, handed to every decode/encode (no global state).
struct CodecContext {
  // RFC 6793: both sides sent the 4-octet AS capability. False means AS_PATH and
  // AGGREGATOR carry 2-octet ASes and AS4_PATH / AS4_AGGREGATOR ride along.
  bool four_octet_as = true;
  // eBGP peer: LOCAL_PREF, ORIGINATOR_ID and CLUSTER_LIST are discarded (RFC 7606
  // 7.5, 7.9, 7.10); iBGP: LOCAL_PREF is mandatory (RFC 4271 5.1.5).
  bool external_peer = true;
  // Our own end of the session, once the TCP connection is up: a NEXT_HOP equal to
  // it is semantically incorrect (RFC 4271 6.3 a), the route is ignored.
  std::optional<Ipv4Address> local_address = std::nullopt;
};

}  // namespace hairpin::bgpd
