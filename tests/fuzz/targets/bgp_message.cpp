// fuzz_bgp_message: the BGP codec (bgpd/wire message_codec.hpp) on bytes from a peer.
//
// Input: octet 0 is the negotiated context (bit 0: 4-octet AS, RFC 6793; bit 1:
// external peer, RFC 7606 7.5), bit 2 stream mode; the rest is one message, or in
// stream mode a byte stream cut into messages by message_length() as the FSM cuts it.
// Invariants:
//  - a fatal error is SessionReset and its NOTIFICATION encodes and decodes back;
//  - notes are never SessionReset; a treat-as-withdraw UPDATE announces nothing;
//  - what decodes re-encodes (UPDATEs may exceed 4096 octets only when the decoded
//    one was near the limit), and the re-encoded bytes decode to the same value,
//    without notes (encode is the inverse of decode on what decode produces), but
//    for what RFC 4271 5 keeps from travelling on (unrecognised non-transitive
//    attributes) and what RFC 6793 4.2.3 makes a 2-octet peer ignore (AS4_PATH
//    next to an AGGREGATOR with a 2-octet AS);
//  - message_length agrees with decode_header.

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "fuzz_target.hpp"
#include "hairpin/bgpd/wire/message_codec.hpp"

namespace hairpin::fuzz {
namespace {

using namespace hairpin::bgpd;

bool is_treat_as_withdraw_shape(const Update& u) {
  PathAttributes rest = u.attributes;
  rest.mp_unreach.reset();
  return u.nlri.empty() && rest.empty();
}

// Which part of two messages differs, for the finding's line.
std::string difference(const Message& a, const Message& b) {
  if (a.index() != b.index()) return "message type";
  if (!std::holds_alternative<Update>(a)) return "body";
  const auto &x = std::get<Update>(a), &y = std::get<Update>(b);
  const auto &p = x.attributes, &q = y.attributes;
  std::string d;
  auto field = [&](bool same, const char* name) { if (!same) d += std::string(d.empty() ? "" : ", ") + name; };
  field(x.withdrawn == y.withdrawn, "withdrawn");
  field(x.nlri == y.nlri, "nlri");
  field(p.origin == q.origin, "origin");
  field(p.as_path == q.as_path, "as_path");
  field(p.next_hop == q.next_hop, "next_hop");
  field(p.med == q.med, "med");
  field(p.local_pref == q.local_pref, "local_pref");
  field(p.atomic_aggregate == q.atomic_aggregate, "atomic_aggregate");
  field(p.aggregator == q.aggregator, "aggregator");
  field(p.communities == q.communities, "communities");
  field(p.large_communities == q.large_communities, "large_communities");
  field(p.mp_reach == q.mp_reach, "mp_reach");
  field(p.mp_unreach == q.mp_unreach, "mp_unreach");
  field(p.unknown == q.unknown, "unknown attributes");
  auto raw = [](const std::vector<RawAttribute>& v) {
    std::string t;
    for (const auto& r : v)
      t += " " + std::to_string(r.flags) + "/" + std::to_string(r.type) + "/" + std::to_string(r.value.size());
    return t;
  };
  if (p.unknown != q.unknown) d += " (unknown" + raw(p.unknown) + " vs" + raw(q.unknown) + ")";
  return d;
}

// RFC 6793 4.2.3: towards a 2-octet peer, an AGGREGATOR that holds a real (2-octet)
// AS makes the receiver ignore AS4_PATH, so a path with 4-octet ASes and a 2-octet
// aggregator cannot travel intact: the RFC's semantics, not the codec's loss.
bool lossy_for_two_octet_peer(const Message& m, const CodecContext& ctx) {
  const auto* u = std::get_if<Update>(&m);
  if (ctx.four_octet_as || !u || !u->attributes.aggregator || u->attributes.aggregator->asn > 0xffff) return false;
  if (!u->attributes.as_path) return false;
  for (const auto& seg : u->attributes.as_path->segments)
    for (auto asn : seg.asns)
      if (asn > 0xffff) return true;
  return false;
}

Finding check_message(std::span<const std::uint8_t> bytes, const CodecContext& ctx) {
  const auto header = decode_header(bytes);
  const auto decoded = decode_message(bytes, ctx);
  if (!decoded) {
    const WireError& e = decoded.error();
    HAIRPIN_FUZZ_CHECK(e.action == ErrorAction::SessionReset, "a fatal decode error that does not reset: " + e.to_string());
    const Notification n = to_notification(e);
    const auto sent = encode_message(Message{n}, ctx);
    HAIRPIN_FUZZ_CHECK(sent.ok() || n.data.size() > 4096 - 21, "the NOTIFICATION for " + e.to_string() + " does not encode");
    if (sent) {
      const auto back = decode_message(*sent, ctx);
      HAIRPIN_FUZZ_CHECK(back.ok() && std::get<Notification>(back.value()) == n,
                         "the NOTIFICATION for " + e.to_string() + " does not decode back");
    }
    return {};
  }
  HAIRPIN_FUZZ_CHECK(header.ok(), "a message decoded although its header is invalid");
  bool withdraw = false;
  for (const WireError& note : decoded.notes()) {
    HAIRPIN_FUZZ_CHECK(note.action != ErrorAction::SessionReset, "a note that resets: " + note.to_string());
    withdraw |= note.action == ErrorAction::TreatAsWithdraw;
  }
  const Message& value = decoded.value();
  if (withdraw)
    HAIRPIN_FUZZ_CHECK(std::holds_alternative<Update>(value) && is_treat_as_withdraw_shape(std::get<Update>(value)),
                       "a treat-as-withdraw UPDATE still announces routes or carries attributes");

  // What the re-encoding is expected to carry: RFC 4271 5, an unrecognised
  // non-transitive attribute (other AFI/SAFI MP attributes among them) stays with the
  // receiver; the encoder writes attributes in type order, one of each type.
  Message expected = value;
  if (auto* u = std::get_if<Update>(&expected)) {
    auto& raw = u->attributes.unknown;
    std::erase_if(raw, [](const RawAttribute& r) { return !(r.flags & attr_flag::kTransitive); });
    std::stable_sort(raw.begin(), raw.end(), [](const RawAttribute& a, const RawAttribute& b) { return a.type < b.type; });
    raw.erase(std::unique(raw.begin(), raw.end(), [](const RawAttribute& a, const RawAttribute& b) { return a.type == b.type; }),
              raw.end());
  }
  const auto encoded = encode_message(value, ctx);
  if (!encoded) {
    // Re-encoding may grow an UPDATE (AS4_PATH regenerated, Partial bits), never past
    // the limit by much; anything else must encode.
    HAIRPIN_FUZZ_CHECK(std::holds_alternative<Update>(value) && bytes.size() > 3000,
                       "a decoded message does not encode: " + encoded.error().to_string());
    return {};
  }
  const auto again = decode_message(*encoded, ctx);
  if (lossy_for_two_octet_peer(value, ctx)) {
    HAIRPIN_FUZZ_CHECK(again.ok(), "our own encoding does not decode: " + (again.ok() ? "" : again.error().to_string()));
    return {};
  }
  HAIRPIN_FUZZ_CHECK(again.ok(), "our own encoding does not decode: " + (again.ok() ? "" : again.error().to_string()));
  HAIRPIN_FUZZ_CHECK(again.notes().empty(), "our own encoding decodes with notes: " + again.notes().front().to_string());
  HAIRPIN_FUZZ_CHECK(again.value() == expected, "decode(encode(x)) != x: " + difference(expected, again.value()));
  return {};
}

}  // namespace

Finding fuzz_bgp_message(std::span<const std::uint8_t> input) {
  if (input.empty()) return {};
  CodecContext ctx;
  ctx.four_octet_as = input[0] & 1;
  ctx.external_peer = input[0] & 2;
  const bool stream = input[0] & 4;
  auto rest = input.subspan(1);
  if (!stream) return check_message(rest, ctx);
  while (!rest.empty()) {
    const auto length = message_length(rest);
    const auto header = decode_header(rest);
    if (!length) {
      HAIRPIN_FUZZ_CHECK(!header.ok() && header.error() == length.error(), "message_length and decode_header disagree");
      return {};
    }
    if (!length.value()) {
      HAIRPIN_FUZZ_CHECK(rest.size() < 19, "message_length waits although a header is complete");
      return {};
    }
    HAIRPIN_FUZZ_CHECK(header.ok() && header->length == *length.value(), "message_length and decode_header disagree");
    if (*length.value() > rest.size()) return {};
    if (auto f = check_message(rest.first(*length.value()), ctx)) return f;
    rest = rest.subspan(*length.value());
  }
  return {};
}

std::vector<Seed> seeds_bgp_message(const std::string& fixtures) {
  std::vector<Seed> out;
  // Real messages: BIRD <-> FRR (fixtures/bgp/bird-frr.messages); 10.99.0.3 runs
  // with 'enable as4 off', so its session is 2-octet.
  std::ifstream in(fixtures + "/bgp/bird-frr.messages");
  std::string line;
  std::map<std::uint8_t, Bytes> streams;
  int n = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::string src, dst, hex;
    words >> src >> dst >> hex;
    const bool two_octet = src == "10.99.0.3" || dst == "10.99.0.3";
    const std::uint8_t ctx = (two_octet ? 0 : 1) | 2;
    const Bytes msg = from_hex(hex);
    out.push_back({"captured-" + std::to_string(n++), concat({std::span(&ctx, 1), msg})});
    auto& s = streams[ctx | 4];
    if (s.empty()) s.push_back(ctx | 4);
    s.insert(s.end(), msg.begin(), msg.end());
  }
  for (const auto& [ctx, s] : streams) out.push_back({"stream-" + std::to_string(ctx), s});

  // Encoder output: every attribute the codec knows, for both AS widths and iBGP.
  Update u;
  u.withdrawn = {*Ipv4Prefix::parse("10.1.0.0/16")};
  u.attributes.origin = Origin::Egp;
  u.attributes.as_path = AsPath{{AsSegment{SegmentType::AsSequence, {65515, 4200000000u, 12076}},
                                 AsSegment{SegmentType::AsSet, {65100, 65200}}}};
  u.attributes.next_hop = *Ipv4Address::parse("10.0.0.4");
  u.attributes.med = 50;
  u.attributes.local_pref = 200;
  u.attributes.atomic_aggregate = true;
  u.attributes.aggregator = Aggregator{4200000001u, *Ipv4Address::parse("10.0.0.5")};
  u.attributes.communities = {(65515u << 16) | 100, 0xFFFFFF01};
  u.attributes.large_communities = {LargeCommunity{65515, 1, 2}};
  u.attributes.mp_reach = MpReach{AfiSafi{Afi::Ipv4, Safi::Unicast}, *Ipv4Address::parse("10.0.0.6"),
                                  {*Ipv4Prefix::parse("10.200.0.0/16")}};
  u.attributes.mp_unreach = MpUnreach{AfiSafi{Afi::Ipv4, Safi::Unicast}, {*Ipv4Prefix::parse("10.3.0.0/24")}};
  u.attributes.unknown = {RawAttribute{0xC0, 99, {1, 2, 3}}};
  u.nlri = {*Ipv4Prefix::parse("10.100.0.0/16"), *Ipv4Prefix::parse("0.0.0.0/0"), *Ipv4Prefix::parse("10.2.3.4/32")};
  Open open;
  open.my_as = 23456;
  open.hold_time = 90;
  open.bgp_identifier = *Ipv4Address::parse("10.0.0.4");
  open.capabilities.multiprotocol = {AfiSafi{Afi::Ipv4, Safi::Unicast}};
  open.capabilities.route_refresh = true;
  open.capabilities.four_octet_as = 4200000000u;
  open.capabilities.enhanced_route_refresh = true;
  open.capabilities.other = {RawCapability{64, {0x40, 0x78}}};
  const std::vector<std::pair<std::string, Message>> values = {
      {"update", u},
      {"open", open},
      {"notification", Notification{ErrorCode::UpdateMessageError, 11, {1, 2}}},
      {"route-refresh", RouteRefresh{AfiSafi{Afi::Ipv4, Safi::Unicast}, RouteRefreshSubtype::BeginningOfRouteRefresh}},
      {"keepalive", Keepalive{}},
  };
  for (std::uint8_t ctx = 0; ctx < 4; ++ctx) {
    CodecContext c{(ctx & 1) != 0, (ctx & 2) != 0};
    for (const auto& [name, m] : values) {
      auto bytes = encode_message(m, c);
      if (bytes) out.push_back({"encoded-" + name + "-" + std::to_string(ctx), concat({std::span(&ctx, 1), *bytes})});
    }
  }
  return out;
}

}  // namespace hairpin::fuzz
