// UPDATE message (RFC 4271 4.3) and its path attributes, with the revised error
// handling of RFC 7606: each malformed attribute gets the least drastic action the
// RFC allows, and the most severe action over the whole message wins (RFC 7606 3).
// AS4_PATH / AS4_AGGREGATOR (RFC 6793) are merged on decode and regenerated on
// encode when the session is 2-octet.

#include <algorithm>
#include <map>

#include "hairpin/bgpd/wire/message_codec.hpp"

namespace hairpin::bgpd {


namespace {

constexpr std::uint8_t kOptional = attr_flag::kOptional;
constexpr std::uint8_t kTransitive = attr_flag::kTransitive;
constexpr std::uint8_t kPartial = attr_flag::kPartial;
constexpr std::uint8_t kExtendedLength = attr_flag::kExtendedLength;

std::uint8_t sub(UpdateSubcode s) { return static_cast<std::uint8_t>(s); }

WireError update_error(UpdateSubcode subcode, ErrorAction action, std::string what,
                       Bytes data = {}) {
  return WireError{ErrorCode::UpdateMessageError, sub(subcode), std::move(data), action,
                   std::move(what)};
}

/*
 * RFC 4271 4.3: IPv4 prefixes in Withdrawn Routes and NLRI
 *
 *   +---------------------------+
 *   |   Length (1 octet)        |
 *   +---------------------------+
 *   |   Prefix (variable)       |
 *   +---------------------------+
 */
std::optional<std::vector<Ipv4Prefix>> decode_prefixes(std::span<const std::uint8_t> bytes) {
  std::vector<Ipv4Prefix> out;
  ByteReader r(bytes);
  while (!r.empty()) {
    auto len = *r.u8();
    if (len > 32) return std::nullopt;  // RFC 7606 5.3: prefix length beyond 32
    auto octets = r.take((len + 7) / 8);
    if (!octets) return std::nullopt;  // RFC 7606 5.3: prefix overruns the field
    std::uint32_t addr = 0;
    for (std::size_t i = 0; i < octets->size(); ++i) addr |= std::uint32_t{(*octets)[i]} << (24 - 8 * i);
    // RFC 4271 4.3: trailing bits are irrelevant; keep the prefix canonical.
    out.push_back(Ipv4Prefix::covering(Ipv4Address{addr}, len));
  }
  return out;
}

void encode_prefixes(Bytes& out, const std::vector<Ipv4Prefix>& prefixes) {
  for (const auto& p : prefixes) {
    put_u8(out, p.length);
    for (unsigned i = 0; i < (p.length + 7u) / 8; ++i)
      put_u8(out, static_cast<std::uint8_t>(p.address.value >> (24 - 8 * i)));
  }
}

/*
 * RFC 4271 4.3 / RFC 6793 3: AS_PATH (and AS4_PATH) value, a run of segments
 *
 *   +--------------+--------------+----------------------------------+
 *   | segment type | segment len  | segment value: len ASes, each    |
 *   |  (1 octet)   |  (1 octet)   | 2 octets (AS_PATH, old speakers) |
 *   |              | (ASes, not   | or 4 octets (AS4_PATH, or new    |
 *   |              |  octets)     | speakers on both sides)          |
 *   +--------------+--------------+----------------------------------+
 */
std::optional<std::string> decode_as_path(std::span<const std::uint8_t> bytes, unsigned as_size,
                                          AsPath& path) {
  ByteReader r(bytes);
  while (!r.empty()) {
    // RFC 7606 7.2: a single octet left cannot hold a segment header
    if (r.remaining() < 2) return "AS_PATH ends in a truncated segment header";
    auto type = *r.u8();
    auto count = *r.u8();
    if (type < 1 || type > 4)  // RFC 7606 7.2: unrecognized segment type
      return "AS_PATH segment type " + std::to_string(type);
    if (count == 0)  // RFC 7606 7.2: segment length zero
      return "AS_PATH segment of length 0";
    if (r.remaining() < std::size_t{count} * as_size)  // RFC 7606 7.2: segment overruns
      return "AS_PATH segment overruns the attribute";
    AsSegment seg{static_cast<SegmentType>(type), {}};
    for (unsigned i = 0; i < count; ++i) seg.asns.push_back(as_size == 4 ? *r.u32() : *r.u16());
    path.segments.push_back(std::move(seg));
  }
  return std::nullopt;
}

void encode_as_path(Bytes& out, const AsPath& path, bool four_octet) {
  for (const auto& seg : path.segments) {
    // RFC 4271 4.3: a segment holds at most 255 ASes; longer runs split.
    for (std::size_t start = 0; start < seg.asns.size(); start += 255) {
      std::size_t n = std::min<std::size_t>(255, seg.asns.size() - start);
      put_u8(out, static_cast<std::uint8_t>(seg.type));
      put_u8(out, static_cast<std::uint8_t>(n));
      for (std::size_t i = start; i < start + n; ++i) {
        std::uint32_t asn = seg.asns[i];
        if (four_octet) put_u32(out, asn);
        else put_u16(out, asn > 0xffff ? kAsTrans : static_cast<std::uint16_t>(asn));  // RFC 6793 4.2.2
      }
    }
  }
}

// RFC 6793 4.2.3: rebuild the real path from AS_PATH and AS4_PATH.
AsPath merge_as4_path(const AsPath& as_path, const AsPath& as4_path) {
  std::size_t n_as = as_path.path_length();
  std::size_t n_as4 = as4_path.path_length();
  if (n_as < n_as4) return as_path;  // RFC 6793 4.2.3: AS4_PATH longer -> ignore it
  // Keep the first (n_as - n_as4) ASes of AS_PATH (confed segments do not count
  // but are kept), then append AS4_PATH.
  std::size_t keep = n_as - n_as4;
  AsPath merged;
  for (const auto& seg : as_path.segments) {
    if (seg.is_confederation()) {
      if (keep > 0) merged.segments.push_back(seg);
      continue;
    }
    if (keep == 0) break;
    if (seg.type == SegmentType::AsSet) {
      merged.segments.push_back(seg);
      --keep;
    } else {
      std::size_t take = std::min(keep, seg.asns.size());
      merged.segments.push_back(AsSegment{seg.type, {seg.asns.begin(), seg.asns.begin() + take}});
      keep -= take;
    }
  }
  for (const auto& seg : as4_path.segments) {
    if (!merged.segments.empty() && seg.type == SegmentType::AsSequence &&
        merged.segments.back().type == SegmentType::AsSequence) {
      auto& tail = merged.segments.back().asns;
      tail.insert(tail.end(), seg.asns.begin(), seg.asns.end());
    } else {
      merged.segments.push_back(seg);
    }
  }
  return merged;
}

bool needs_four_octets(const AsPath& path) {
  for (const auto& seg : path.segments)
    for (auto asn : seg.asns)
      if (asn > 0xffff) return true;
  return false;
}

// Expected Optional/Transitive bits for the attributes we understand.
struct Known {
  std::uint8_t flags;
  const char* name;
};
std::optional<Known> known_attribute(std::uint8_t type) {
  switch (static_cast<AttrType>(type)) {
    case AttrType::Origin: return Known{kTransitive, "ORIGIN"};
    case AttrType::AsPath: return Known{kTransitive, "AS_PATH"};
    case AttrType::NextHop: return Known{kTransitive, "NEXT_HOP"};
    case AttrType::MultiExitDisc: return Known{kOptional, "MULTI_EXIT_DISC"};
    case AttrType::LocalPref: return Known{kTransitive, "LOCAL_PREF"};
    case AttrType::AtomicAggregate: return Known{kTransitive, "ATOMIC_AGGREGATE"};
    case AttrType::Aggregator: return Known{kOptional | kTransitive, "AGGREGATOR"};
    case AttrType::Communities: return Known{kOptional | kTransitive, "COMMUNITIES"};
    case AttrType::OriginatorId: return Known{kOptional, "ORIGINATOR_ID"};  // RFC 4456 8
    case AttrType::ClusterList: return Known{kOptional, "CLUSTER_LIST"};    // RFC 4456 8
    case AttrType::MpReachNlri: return Known{kOptional, "MP_REACH_NLRI"};
    case AttrType::MpUnreachNlri: return Known{kOptional, "MP_UNREACH_NLRI"};
    case AttrType::As4Path: return Known{kOptional | kTransitive, "AS4_PATH"};
    case AttrType::As4Aggregator: return Known{kOptional | kTransitive, "AS4_AGGREGATOR"};
    case AttrType::LargeCommunity: return Known{kOptional | kTransitive, "LARGE_COMMUNITY"};
  }
  return std::nullopt;
}

// RFC 4271 6.3: the data field of most UPDATE errors is the whole attribute.
Bytes attribute_bytes(std::uint8_t flags, std::uint8_t type, std::span<const std::uint8_t> value) {
  Bytes out{flags, type};
  if (flags & kExtendedLength) put_u16(out, static_cast<std::uint16_t>(value.size()));
  else put_u8(out, static_cast<std::uint8_t>(value.size()));
  put_bytes(out, value);
  return out;
}

// Not a unicast address anyone could forward to: never a valid next hop.
bool is_martian_next_hop(Ipv4Address nh) {
  std::uint32_t a = nh.value;
  return a == 0 ||                    // 0.0.0.0
         (a >> 24) == 127 ||          // loopback
         (a >> 28) >= 0xe;            // multicast and class E, incl. broadcast
}

class UpdateDecoder {
 public:
  UpdateDecoder(const CodecContext& ctx) : ctx_(ctx) {}

  Decoded<Update> run(std::span<const std::uint8_t> body);

 private:
  void note(WireError e) { notes_.push_back(std::move(e)); }
  // Returns a fatal error for session-reset cases; otherwise records notes.
  std::optional<WireError> attribute(std::uint8_t flags, std::uint8_t type,
                                     std::span<const std::uint8_t> value);
  std::optional<WireError> mp_reach(std::span<const std::uint8_t> value, const Bytes& whole);
  std::optional<WireError> mp_unreach(std::span<const std::uint8_t> value, const Bytes& whole);

  const CodecContext& ctx_;
  PathAttributes attrs_;
  std::optional<AsPath> as4_path_;
  std::optional<Aggregator> as4_aggregator_;
  std::vector<std::uint8_t> seen_;
  // RFC 7606 5.2: an UPDATE that carries path attributes other than MP_UNREACH_NLRI
  // but no reachable NLRI cannot be treat-as-withdraw: nothing proves the NLRI parsed.
  bool attributes_beyond_mp_unreach_ = false;
  bool foreign_reach_ = false;  // MP_REACH_NLRI of an AFI/SAFI we do not decode
  std::vector<WireError> notes_;
};

std::optional<WireError> UpdateDecoder::mp_reach(std::span<const std::uint8_t> value,
                                                 const Bytes& whole) {
  /*
   * RFC 4760 3
   *   +---------------------------------------------------------+
   *   | Address Family Identifier (2 octets)                    |
   *   | Subsequent Address Family Identifier (1 octet)          |
   *   | Length of Next Hop Network Address (1 octet)            |
   *   | Network Address of Next Hop (variable)                  |
   *   | Reserved (1 octet)                                      |
   *   | Network Layer Reachability Information (variable)       |
   *   +---------------------------------------------------------+
   */
  auto reset = [&](std::string what) {  // RFC 7606 7.11: MP_REACH_NLRI unparseable -> reset
    return update_error(UpdateSubcode::OptionalAttributeError, ErrorAction::SessionReset,
                        std::move(what), whole);
  };
  ByteReader r(value);
  auto afi = r.u16();
  auto safi = r.u8();
  auto nh_len = r.u8();
  if (!nh_len) return reset("MP_REACH_NLRI shorter than its fixed part");
  auto nh = r.take(*nh_len);
  auto reserved = r.u8();
  if (!nh || !reserved) return reset("MP_REACH_NLRI next hop overruns the attribute");
  AfiSafi as{static_cast<Afi>(*afi), static_cast<Safi>(*safi)};
  if (as != AfiSafi{}) {  // not ours: carried as an unknown non-transitive (never re-sent)
    foreign_reach_ = true;
    attrs_.unknown.push_back(RawAttribute{kOptional, static_cast<std::uint8_t>(AttrType::MpReachNlri),
                                          to_bytes(value)});
    return std::nullopt;
  }
  if (*nh_len != 4) return reset("MP_REACH_NLRI IPv4 next hop of " + std::to_string(*nh_len) + " octets");
  auto prefixes = decode_prefixes(r.rest());
  if (!prefixes) return reset("MP_REACH_NLRI holds a malformed IPv4 prefix");
  ByteReader n(*nh);
  Ipv4Address next_hop{*n.u32()};
  attrs_.mp_reach = MpReach{as, next_hop, std::move(*prefixes)};
  // RFC 4271 6.3 (semantic NEXT_HOP checks), applied to the MP next hop: the NLRI
  // parsed, so its routes are ignored (treat-as-withdraw), no NOTIFICATION.
  if (is_martian_next_hop(next_hop))
    note(update_error(UpdateSubcode::InvalidNextHopAttribute, ErrorAction::TreatAsWithdraw,
                      "MP_REACH_NLRI next hop " + next_hop.to_string() + " is not a unicast address", whole));
  else if (ctx_.local_address && next_hop == *ctx_.local_address)
    note(update_error(UpdateSubcode::InvalidNextHopAttribute, ErrorAction::TreatAsWithdraw,
                      "MP_REACH_NLRI next hop " + next_hop.to_string() + " is our own address", whole));
  return std::nullopt;
}

std::optional<WireError> UpdateDecoder::mp_unreach(std::span<const std::uint8_t> value,
                                                   const Bytes& whole) {
  // RFC 4760 4: AFI (2) | SAFI (1) | Withdrawn Routes (variable)
  ByteReader r(value);
  auto afi = r.u16();
  auto safi = r.u8();
  if (!safi)  // RFC 7606 7.11: unparseable -> session reset
    return update_error(UpdateSubcode::OptionalAttributeError, ErrorAction::SessionReset,
                        "MP_UNREACH_NLRI shorter than 3 octets", whole);
  AfiSafi as{static_cast<Afi>(*afi), static_cast<Safi>(*safi)};
  if (as != AfiSafi{}) {
    attrs_.unknown.push_back(RawAttribute{kOptional, static_cast<std::uint8_t>(AttrType::MpUnreachNlri),
                                          to_bytes(value)});
    return std::nullopt;
  }
  auto prefixes = decode_prefixes(r.rest());
  if (!prefixes)
    return update_error(UpdateSubcode::OptionalAttributeError, ErrorAction::SessionReset,
                        "MP_UNREACH_NLRI holds a malformed IPv4 prefix", whole);
  attrs_.mp_unreach = MpUnreach{as, std::move(*prefixes)};
  return std::nullopt;
}

std::optional<WireError> UpdateDecoder::attribute(std::uint8_t flags, std::uint8_t type,
                                                  std::span<const std::uint8_t> value) {
  const Bytes whole = attribute_bytes(flags, type, value);
  auto known = known_attribute(type);
  const std::string name = known ? known->name : "attribute type " + std::to_string(type);
  const bool is_mp = type == static_cast<std::uint8_t>(AttrType::MpReachNlri) ||
                     type == static_cast<std::uint8_t>(AttrType::MpUnreachNlri);
  if (std::find(seen_.begin(), seen_.end(), type) != seen_.end()) {
    if (is_mp)  // RFC 7606 3 g: MP_(UN)REACH_NLRI more than once -> session reset
      return update_error(UpdateSubcode::MalformedAttributeList, ErrorAction::SessionReset,
                          name + " appears more than once");
    // RFC 7606 3 g: any other attribute, recognized or not, more than once ->
    // every copy but the first is discarded, before it is even looked at
    note(update_error(UpdateSubcode::MalformedAttributeList, ErrorAction::AttributeDiscard,
                      name + " appears more than once; later copies discarded"));
    return std::nullopt;
  }
  seen_.push_back(type);
  if (!known) {
    if (!(flags & kOptional))  // RFC 4271 6.3: unrecognized well-known attribute
      return update_error(UpdateSubcode::UnrecognizedWellKnownAttribute, ErrorAction::SessionReset,
                          "unrecognized well-known attribute type " + std::to_string(type), whole);
    if (flags & kTransitive)  // RFC 4271 5: pass it on, marked Partial
      attrs_.unknown.push_back(RawAttribute{static_cast<std::uint8_t>((flags | kPartial) & ~kExtendedLength),
                                            type, to_bytes(value)});
    // RFC 4271 5: unrecognized optional non-transitive is quietly ignored
    return std::nullopt;
  }
  const AttrType t = static_cast<AttrType>(type);
  const bool is_as4 = t == AttrType::As4Path || t == AttrType::As4Aggregator;
  const bool is_aggregation = t == AttrType::AtomicAggregate || t == AttrType::Aggregator;
  const bool internal_only = t == AttrType::LocalPref || t == AttrType::OriginatorId || t == AttrType::ClusterList;

  if (internal_only && ctx_.external_peer) {
    // RFC 7606 7.5 / 7.9 / 7.10: LOCAL_PREF, ORIGINATOR_ID and CLUSTER_LIST from an
    // external peer are discarded, whatever their flags, length or value
    note(update_error(t == AttrType::LocalPref ? UpdateSubcode::AttributeLengthError
                                               : UpdateSubcode::OptionalAttributeError,
                      ErrorAction::AttributeDiscard, name + " from an external peer; discarded", whole));
    return std::nullopt;
  }

  if ((flags & (kOptional | kTransitive)) != known->flags) {
    if (is_mp)  // RFC 7606 5.3 / 7.11: MP flags inconsistent with RFC 4760 -> session reset
      return update_error(UpdateSubcode::AttributeFlagsError, ErrorAction::SessionReset,
                          name + " has wrong attribute flags", whole);
    // RFC 6793 6 (RFC 7606 3 c "unless the specification ... mandates"): AS4_* -> discard;
    // RFC 7606 3 f: ATOMIC_AGGREGATE / AGGREGATOR errors -> attribute discard;
    // RFC 7606 3 c: otherwise Optional/Transitive bits in conflict -> treat-as-withdraw
    note(update_error(UpdateSubcode::AttributeFlagsError,
                      is_as4 || is_aggregation ? ErrorAction::AttributeDiscard : ErrorAction::TreatAsWithdraw,
                      name + " has wrong attribute flags", whole));
    return std::nullopt;
  }

  auto withdraw = [&](UpdateSubcode subcode, std::string what) {
    note(update_error(subcode, ErrorAction::TreatAsWithdraw, std::move(what), whole));
    return std::nullopt;
  };
  auto discard = [&](UpdateSubcode subcode, std::string what) {
    note(update_error(subcode, ErrorAction::AttributeDiscard, std::move(what), whole));
    return std::nullopt;
  };
  ByteReader r(value);
  switch (static_cast<AttrType>(type)) {
    case AttrType::Origin: {
      // RFC 7606 7.1: wrong length or undefined value -> treat-as-withdraw
      if (value.size() != 1) return withdraw(UpdateSubcode::AttributeLengthError, "ORIGIN length " + std::to_string(value.size()));
      if (value[0] > 2) return withdraw(UpdateSubcode::InvalidOriginAttribute, "ORIGIN value " + std::to_string(value[0]));
      attrs_.origin = static_cast<Origin>(value[0]);
      return std::nullopt;
    }
    case AttrType::AsPath: {
      AsPath path;
      // RFC 7606 7.2: malformed AS_PATH -> treat-as-withdraw
      if (auto err = decode_as_path(value, ctx_.four_octet_as ? 4 : 2, path))
        return withdraw(UpdateSubcode::MalformedAsPath, *err);
      if (path.contains(0))  // RFC 7607 2: AS 0 in AS_PATH is malformed (-> RFC 7606 7.2)
        return withdraw(UpdateSubcode::MalformedAsPath, "AS_PATH contains AS 0");
      for (const auto& seg : path.segments)
        if (seg.is_confederation())
          // RFC 5065 5: AS_CONFED_* from a peer outside our confederation is a malformed
          // AS_PATH (RFC 7606 7.2, 3 e: treat-as-withdraw). We are in no confederation,
          // so every peer is outside one.
          return withdraw(UpdateSubcode::MalformedAsPath, "AS_PATH holds a confederation segment from a peer outside our confederation");
      attrs_.as_path = std::move(path);
      return std::nullopt;
    }
    case AttrType::NextHop: {
      // RFC 7606 7.3: length other than 4 -> treat-as-withdraw
      if (value.size() != 4) return withdraw(UpdateSubcode::AttributeLengthError, "NEXT_HOP length " + std::to_string(value.size()));
      Ipv4Address nh{*r.u32()};
      // RFC 4271 6.3 / RFC 7606 7.3: semantically invalid next hop -> treat-as-withdraw
      if (is_martian_next_hop(nh))
        return withdraw(UpdateSubcode::InvalidNextHopAttribute, "NEXT_HOP " + nh.to_string() + " is not a unicast address");
      // RFC 4271 6.3 a: the NEXT_HOP MUST NOT be the receiving speaker's address;
      // semantic error: the route is ignored, no NOTIFICATION (treat-as-withdraw)
      if (ctx_.local_address && nh == *ctx_.local_address)
        return withdraw(UpdateSubcode::InvalidNextHopAttribute, "NEXT_HOP " + nh.to_string() + " is our own address");
      attrs_.next_hop = nh;
      return std::nullopt;
    }
    case AttrType::MultiExitDisc:
      // RFC 7606 7.4: length other than 4 -> treat-as-withdraw
      if (value.size() != 4) return withdraw(UpdateSubcode::AttributeLengthError, "MULTI_EXIT_DISC length " + std::to_string(value.size()));
      attrs_.med = *r.u32();
      return std::nullopt;
    case AttrType::LocalPref:
      // RFC 7606 7.5: internal peer, length other than 4 -> treat-as-withdraw
      if (value.size() != 4) return withdraw(UpdateSubcode::AttributeLengthError, "LOCAL_PREF length " + std::to_string(value.size()));
      attrs_.local_pref = *r.u32();
      return std::nullopt;
    case AttrType::AtomicAggregate:
      // RFC 7606 7.6: length other than 0 -> attribute discard
      if (!value.empty()) return discard(UpdateSubcode::AttributeLengthError, "ATOMIC_AGGREGATE length " + std::to_string(value.size()));
      attrs_.atomic_aggregate = true;
      return std::nullopt;
    case AttrType::Aggregator: {
      std::size_t want = ctx_.four_octet_as ? 8 : 6;
      // RFC 7606 7.7: length other than 6 (2-octet) or 8 (4-octet) -> attribute discard
      if (value.size() != want) return discard(UpdateSubcode::AttributeLengthError, "AGGREGATOR length " + std::to_string(value.size()));
      Aggregator agg;
      agg.asn = ctx_.four_octet_as ? *r.u32() : *r.u16();
      agg.address = Ipv4Address{*r.u32()};
      // RFC 7607 2: AS 0 in AGGREGATOR is malformed -> RFC 7606 7.7 attribute discard
      if (agg.asn == 0) return discard(UpdateSubcode::OptionalAttributeError, "AGGREGATOR AS 0");
      attrs_.aggregator = agg;
      return std::nullopt;
    }
    case AttrType::Communities:
      // RFC 7606 7.8: length not a non-zero multiple of 4 -> treat-as-withdraw
      if (value.empty() || value.size() % 4) return withdraw(UpdateSubcode::OptionalAttributeError, "COMMUNITIES length " + std::to_string(value.size()));
      while (!r.empty()) attrs_.communities.push_back(*r.u32());
      return std::nullopt;
    case AttrType::LargeCommunity:
      // RFC 8092 6: length not a non-zero multiple of 12 -> treat-as-withdraw
      if (value.empty() || value.size() % 12) return withdraw(UpdateSubcode::OptionalAttributeError, "LARGE_COMMUNITY length " + std::to_string(value.size()));
      while (!r.empty()) attrs_.large_communities.push_back(LargeCommunity{*r.u32(), *r.u32(), *r.u32()});
      return std::nullopt;
    case AttrType::OriginatorId:
      // RFC 7606 7.9: from an internal peer, length other than 4 -> treat-as-withdraw.
      // Valid, it is not kept: it only matters to a route reflector (RFC 4456 8),
      // and we reflect nothing.
      if (value.size() != 4) return withdraw(UpdateSubcode::AttributeLengthError, "ORIGINATOR_ID length " + std::to_string(value.size()));
      return std::nullopt;
    case AttrType::ClusterList:
      // RFC 7606 7.10: from an internal peer, length not a non-zero multiple of 4 -> treat-as-withdraw
      if (value.empty() || value.size() % 4) return withdraw(UpdateSubcode::AttributeLengthError, "CLUSTER_LIST length " + std::to_string(value.size()));
      return std::nullopt;
    case AttrType::MpReachNlri: return mp_reach(value, whole);
    case AttrType::MpUnreachNlri: return mp_unreach(value, whole);
    case AttrType::As4Path: {
      // RFC 6793 4.1: a NEW speaker ignores AS4_PATH from another NEW speaker
      if (ctx_.four_octet_as) return discard(UpdateSubcode::OptionalAttributeError, "AS4_PATH on a 4-octet session");
      // RFC 6793 6: length not a multiple of 2, or too short (< 6) for one AS -> discard
      if (value.size() % 2 || value.size() < 6)
        return discard(UpdateSubcode::MalformedAsPath, "AS4_PATH length " + std::to_string(value.size()));
      AsPath path;
      // RFC 6793 6: malformed AS4_PATH -> attribute discard
      if (auto err = decode_as_path(value, 4, path)) return discard(UpdateSubcode::MalformedAsPath, "AS4_PATH: " + *err);
      auto confed = [](const AsSegment& seg) { return seg.is_confederation(); };
      if (std::any_of(path.segments.begin(), path.segments.end(), confed)) {
        // RFC 6793 6: AS_CONFED_* segments in AS4_PATH: those segments are discarded,
        // the rest of the attribute is used
        std::erase_if(path.segments, confed);
        note(update_error(UpdateSubcode::MalformedAsPath, ErrorAction::AttributeDiscard,
                          "AS4_PATH confederation segments discarded", whole));
      }
      // RFC 7607 2: AS 0 in AS4_PATH -> handled per RFC 6793: attribute discard
      if (path.contains(0)) return discard(UpdateSubcode::MalformedAsPath, "AS4_PATH contains AS 0");
      as4_path_ = std::move(path);
      return std::nullopt;
    }
    case AttrType::As4Aggregator: {
      if (ctx_.four_octet_as) return discard(UpdateSubcode::OptionalAttributeError, "AS4_AGGREGATOR on a 4-octet session");
      // RFC 6793 6: length other than 8 -> attribute discard
      if (value.size() != 8) return discard(UpdateSubcode::AttributeLengthError, "AS4_AGGREGATOR length " + std::to_string(value.size()));
      Aggregator agg{*r.u32(), Ipv4Address{*r.u32()}};
      // RFC 7607 2: AS 0 in AS4_AGGREGATOR -> attribute discard
      if (agg.asn == 0) return discard(UpdateSubcode::OptionalAttributeError, "AS4_AGGREGATOR AS 0");
      as4_aggregator_ = agg;
      return std::nullopt;
    }
  }
  return std::nullopt;
}

/*
 * RFC 4271 4.3 UPDATE Message Format
 *
 *   +-----------------------------------------------------+
 *   |   Withdrawn Routes Length (2 octets)                |
 *   +-----------------------------------------------------+
 *   |   Withdrawn Routes (variable)                       |
 *   +-----------------------------------------------------+
 *   |   Total Path Attribute Length (2 octets)            |
 *   +-----------------------------------------------------+
 *   |   Path Attributes (variable)                        |
 *   +-----------------------------------------------------+
 *   |   Network Layer Reachability Information (variable) |
 *   +-----------------------------------------------------+
 *
 * Each path attribute:
 *
 *   0                   1
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
 *   +---------------+---------------+------------------------+---------------+
 *   |  Attr. Flags  |Attr. Type Code| Length (1, or 2 if the | Value         |
 *   |O|T|P|E|0 0 0 0|               | Extended Length bit)   | (variable)    |
 *   +---------------+---------------+------------------------+---------------+
 */
Decoded<Update> UpdateDecoder::run(std::span<const std::uint8_t> body) {
  auto malformed_list = [](std::string what) {
    return update_error(UpdateSubcode::MalformedAttributeList, ErrorAction::SessionReset, std::move(what));
  };
  ByteReader r(body);
  auto withdrawn_len = r.u16();
  if (!withdrawn_len) return malformed_list("UPDATE shorter than 4 octets");
  auto withdrawn_bytes = r.take(*withdrawn_len);
  auto attrs_len = r.u16();
  // RFC 4271 6.3: Withdrawn Routes Length + Total Attribute Length + 23 > message length
  if (!withdrawn_bytes || !attrs_len || r.remaining() < *attrs_len)
    return malformed_list("withdrawn routes and path attribute lengths exceed the UPDATE");
  auto attr_bytes = *r.take(*attrs_len);
  auto nlri_bytes = r.rest();

  Update update;
  auto withdrawn = decode_prefixes(*withdrawn_bytes);
  // RFC 7606 5.3: a prefix that cannot be parsed leaves nothing to withdraw -> reset
  if (!withdrawn)
    return update_error(UpdateSubcode::InvalidNetworkField, ErrorAction::SessionReset,
                        "malformed prefix in Withdrawn Routes");
  update.withdrawn = std::move(*withdrawn);
  auto nlri = decode_prefixes(nlri_bytes);
  if (!nlri)  // RFC 7606 5.3 (RFC 4271 6.3 Invalid Network Field)
    return update_error(UpdateSubcode::InvalidNetworkField, ErrorAction::SessionReset,
                        "malformed prefix in NLRI");
  update.nlri = std::move(*nlri);

  ByteReader a(attr_bytes);
  while (!a.empty()) {
    if (a.remaining() < 3) {  // RFC 7606 4: too short for an attribute header -> treat-as-withdraw
      attributes_beyond_mp_unreach_ = true;
      note(update_error(UpdateSubcode::MalformedAttributeList, ErrorAction::TreatAsWithdraw,
                        "truncated path attribute header"));
      break;
    }
    std::uint8_t flags = *a.u8();
    std::uint8_t type = *a.u8();
    if (type != static_cast<std::uint8_t>(AttrType::MpUnreachNlri)) attributes_beyond_mp_unreach_ = true;
    std::optional<std::uint16_t> len;
    if (flags & kExtendedLength) len = a.u16();
    else if (auto l = a.u8()) len = *l;
    std::optional<std::span<const std::uint8_t>> value;
    if (len) value = a.take(*len);
    if (!value) {  // RFC 7606 4: attribute length overruns Total Attribute Length -> treat-as-withdraw
      // (RFC 7606 4: also fewer than 4 octets left when the Extended Length bit is set)
      attributes_beyond_mp_unreach_ = true;
      note(update_error(UpdateSubcode::AttributeLengthError, ErrorAction::TreatAsWithdraw,
                        "path attribute type " + std::to_string(type) + " overruns the attribute list"));
      break;
    }
    if (auto fatal = attribute(flags, type, *value)) return *fatal;
  }

  // RFC 6793 4.2.3: a 2-octet peer's real path is AS_PATH merged with AS4_PATH.
  if (!ctx_.four_octet_as) {
    if (attrs_.aggregator && attrs_.aggregator->asn != kAsTrans) {
      // RFC 6793 4.2.3: AGGREGATOR holds a real AS -> AS4_AGGREGATOR and AS4_PATH ignored
      if (as4_aggregator_ || as4_path_)
        note(update_error(UpdateSubcode::OptionalAttributeError, ErrorAction::AttributeDiscard,
                          "AS4_PATH/AS4_AGGREGATOR ignored: AGGREGATOR holds a 2-octet AS"));
    } else {
      if (attrs_.aggregator && as4_aggregator_) attrs_.aggregator = as4_aggregator_;
      if (as4_path_ && attrs_.as_path) {
        if (as4_path_->path_length() > attrs_.as_path->path_length())
          note(update_error(UpdateSubcode::MalformedAsPath, ErrorAction::AttributeDiscard,
                            "AS4_PATH longer than AS_PATH; ignored (RFC 6793 4.2.3)"));
        attrs_.as_path = merge_as4_path(*attrs_.as_path, *as4_path_);
      }
    }
  }

  // RFC 7606 3 d: NLRI present but a well-known mandatory attribute missing -> treat-as-withdraw
  bool has_reach = !update.nlri.empty() || attrs_.mp_reach.has_value();
  bool withdrawing = std::any_of(notes_.begin(), notes_.end(), [](const WireError& e) {
    return e.action == ErrorAction::TreatAsWithdraw;
  });
  if (has_reach && !withdrawing) {
    auto missing = [&](AttrType t, const char* name) {
      note(update_error(UpdateSubcode::MissingWellKnownAttribute, ErrorAction::TreatAsWithdraw,
                        std::string("missing well-known attribute ") + name,
                        {static_cast<std::uint8_t>(t)}));
    };
    if (!attrs_.origin) missing(AttrType::Origin, "ORIGIN");
    if (!attrs_.as_path) missing(AttrType::AsPath, "AS_PATH");
    // RFC 4760 3: NEXT_HOP is needed only for routes in the classic NLRI field
    if (!update.nlri.empty() && !attrs_.next_hop) missing(AttrType::NextHop, "NEXT_HOP");
    // RFC 4271 5.1.5: LOCAL_PREF is mandatory towards internal peers
    if (!ctx_.external_peer && !attrs_.local_pref) missing(AttrType::LocalPref, "LOCAL_PREF");
  }

  auto first_withdraw = std::find_if(notes_.begin(), notes_.end(), [](const WireError& e) {
    return e.action == ErrorAction::TreatAsWithdraw;
  });
  withdrawing = first_withdraw != notes_.end();
  if (withdrawing && !has_reach && !foreign_reach_ && attributes_beyond_mp_unreach_) {
    // RFC 7606 5.2: path attributes but no reachable NLRI, and an error stronger
    // than attribute discard: session reset, with that error's NOTIFICATION
    WireError fatal = *first_withdraw;
    fatal.action = ErrorAction::SessionReset;
    fatal.what += " in an UPDATE without reachable NLRI (RFC 7606 5.2)";
    return fatal;
  }
  if (withdrawing) {
    // RFC 7606 2: treat-as-withdraw: every route the UPDATE announces is withdrawn.
    for (auto& p : update.nlri) update.withdrawn.push_back(p);
    update.nlri.clear();
    PathAttributes kept;
    if (attrs_.mp_reach) {
      kept.mp_unreach = attrs_.mp_unreach.value_or(MpUnreach{attrs_.mp_reach->afi_safi, {}});
      for (auto& p : attrs_.mp_reach->nlri) kept.mp_unreach->withdrawn.push_back(p);
    } else {
      kept.mp_unreach = attrs_.mp_unreach;
    }
    update.attributes = std::move(kept);
  } else {
    update.attributes = std::move(attrs_);
  }
  return Decoded<Update>(std::move(update), std::move(notes_));
}

void put_attribute(Bytes& out, std::uint8_t flags, AttrType type, const Bytes& value) {
  std::uint8_t f = flags & ~kExtendedLength;
  if (value.size() > 255) f |= kExtendedLength;
  put_u8(out, f);
  put_u8(out, static_cast<std::uint8_t>(type));
  if (f & kExtendedLength) put_u16(out, static_cast<std::uint16_t>(value.size()));
  else put_u8(out, static_cast<std::uint8_t>(value.size()));
  put_bytes(out, value);
}

}  // namespace

Decoded<Update> decode_update(std::span<const std::uint8_t> body, const CodecContext& ctx) {
  return UpdateDecoder(ctx).run(body);
}

Bytes encode_update_body(const Update& update, const CodecContext& ctx) {
  const PathAttributes& at = update.attributes;
  // Attributes in type-code order, unknown ones merged in by their codes.
  std::map<std::uint8_t, Bytes> encoded;
  auto add = [&](std::uint8_t flags, AttrType type, const Bytes& value) {
    Bytes one;
    put_attribute(one, flags, type, value);
    encoded[static_cast<std::uint8_t>(type)] = std::move(one);
  };
  if (at.origin) add(kTransitive, AttrType::Origin, {static_cast<std::uint8_t>(*at.origin)});
  if (at.as_path) {
    Bytes v;
    encode_as_path(v, *at.as_path, ctx.four_octet_as);
    add(kTransitive, AttrType::AsPath, v);
    // RFC 6793 4.2.2: to a 2-octet peer, ASes above 65535 travel in AS4_PATH too
    if (!ctx.four_octet_as && needs_four_octets(*at.as_path)) {
      AsPath as4;
      for (const auto& seg : at.as_path->segments)
        if (seg.type == SegmentType::AsSequence || seg.type == SegmentType::AsSet)
          as4.segments.push_back(seg);  // RFC 6793 4.2.2: no confederation segments
      Bytes v4;
      encode_as_path(v4, as4, true);
      add(kOptional | kTransitive, AttrType::As4Path, v4);
    }
  }
  if (at.next_hop) {
    Bytes v;
    put_u32(v, at.next_hop->value);
    add(kTransitive, AttrType::NextHop, v);
  }
  if (at.med) {
    Bytes v;
    put_u32(v, *at.med);
    add(kOptional, AttrType::MultiExitDisc, v);
  }
  // RFC 4271 5.1.5: LOCAL_PREF is never sent to external peers
  if (at.local_pref && !ctx.external_peer) {
    Bytes v;
    put_u32(v, *at.local_pref);
    add(kTransitive, AttrType::LocalPref, v);
  }
  if (at.atomic_aggregate) add(kTransitive, AttrType::AtomicAggregate, {});
  if (at.aggregator) {
    Bytes v;
    if (ctx.four_octet_as) {
      put_u32(v, at.aggregator->asn);
    } else {
      bool big = at.aggregator->asn > 0xffff;
      put_u16(v, big ? kAsTrans : static_cast<std::uint16_t>(at.aggregator->asn));
      if (big) {  // RFC 6793 4.2.2: real aggregator AS in AS4_AGGREGATOR
        Bytes v4;
        put_u32(v4, at.aggregator->asn);
        put_u32(v4, at.aggregator->address.value);
        add(kOptional | kTransitive, AttrType::As4Aggregator, v4);
      }
    }
    put_u32(v, at.aggregator->address.value);
    add(kOptional | kTransitive, AttrType::Aggregator, v);
  }
  if (!at.communities.empty()) {
    Bytes v;
    for (auto c : at.communities) put_u32(v, c);
    add(kOptional | kTransitive, AttrType::Communities, v);
  }
  if (at.mp_reach) {
    Bytes v;
    put_u16(v, static_cast<std::uint16_t>(at.mp_reach->afi_safi.afi));
    put_u8(v, static_cast<std::uint8_t>(at.mp_reach->afi_safi.safi));
    put_u8(v, 4);
    put_u32(v, at.mp_reach->next_hop.value);
    put_u8(v, 0);
    encode_prefixes(v, at.mp_reach->nlri);
    add(kOptional, AttrType::MpReachNlri, v);
  }
  if (at.mp_unreach) {
    Bytes v;
    put_u16(v, static_cast<std::uint16_t>(at.mp_unreach->afi_safi.afi));
    put_u8(v, static_cast<std::uint8_t>(at.mp_unreach->afi_safi.safi));
    encode_prefixes(v, at.mp_unreach->withdrawn);
    add(kOptional, AttrType::MpUnreachNlri, v);
  }
  if (!at.large_communities.empty()) {
    Bytes v;
    for (const auto& c : at.large_communities) {
      put_u32(v, c.global_administrator);
      put_u32(v, c.local_data_1);
      put_u32(v, c.local_data_2);
    }
    add(kOptional | kTransitive, AttrType::LargeCommunity, v);
  }
  for (const auto& raw : at.unknown) {
    // RFC 4271 5: only optional transitive attributes travel on to other peers;
    // non-transitive ones (other AFI/SAFI MP attributes) stay with the receiver.
    if (!(raw.flags & kTransitive)) continue;
    if (encoded.count(raw.type)) continue;
    Bytes one;
    put_attribute(one, raw.flags, static_cast<AttrType>(raw.type), raw.value);
    encoded[raw.type] = std::move(one);
  }

  Bytes withdrawn;
  encode_prefixes(withdrawn, update.withdrawn);
  Bytes attrs;
  // RFC 7606 5.1: MP_REACH_NLRI / MP_UNREACH_NLRI, if present, SHALL be the very
  // first path attribute; the rest follow in type-code order.
  for (auto first : {AttrType::MpReachNlri, AttrType::MpUnreachNlri})
    if (auto it = encoded.find(static_cast<std::uint8_t>(first)); it != encoded.end()) {
      put_bytes(attrs, it->second);
      encoded.erase(it);
    }
  for (const auto& [type, bytes] : encoded) put_bytes(attrs, bytes);
  Bytes out;
  put_u16(out, static_cast<std::uint16_t>(withdrawn.size()));
  put_bytes(out, withdrawn);
  put_u16(out, static_cast<std::uint16_t>(attrs.size()));
  put_bytes(out, attrs);
  encode_prefixes(out, update.nlri);
  return out;
}

}  // namespace hairpin::bgpd
