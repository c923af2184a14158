#pragma once
// The RFC 7606 / RFC 4271 6.1-6.3 case table: the one source of truth for how the
// NVA handles malformed BGP messages. Each row names the RFC rule, the attribute,
// the malformation, the exact message (built from the small builders below, so
// the bytes read like the RFC's field diagrams), the peer type it is sent from and
// the expected handling: a session reset with its NOTIFICATION code/subcode,
// treat-as-withdraw, attribute discard, accepted (nothing wrong, or ignored), or a
// plain withdrawal.
//
// In:  an Env (addresses and ASes of the NVA and of the raw peers, and the row's
//      marker prefix: every row announces one prefix of its own).
// Out: the rows. Two drivers read them: rfc7606_table_test.cpp (label `unit`,
//      through SessionFsm and the decoder, no sockets) and rfc7606_peer.cpp (label
//      `lab`, a raw BGP peer against a real `hairpin nva` in a namespace).
// Everything here is a pure function of its arguments.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "hairpin/common/byte_io.hpp"
#include "hairpin/common/ipv4.hpp"

namespace hairpin::conformance {

// ---- who sends it ---------------------------------------------------------------

enum class PeerKind {
  Ebgp,        // external, 4-octet AS capability both ways (RFC 6793 "NEW")
  Ibgp,        // internal (same AS as the NVA), 4-octet AS
  EbgpTwoOctet // external, sends no 4-octet AS capability: AS_PATH is 2-octet, AS4_* ride along
};
inline const char* to_string(PeerKind k) {
  switch (k) {
    case PeerKind::Ebgp: return "eBGP";
    case PeerKind::Ibgp: return "iBGP";
    case PeerKind::EbgpTwoOctet: return "eBGP/2-octet";
  }
  return "?";
}

struct Env {
  std::uint32_t nva_as = 65001;
  Ipv4Address nva_address{0x0a634c02};     // 10.99.76.2: our end of every session
  Ipv4Address nva_router_id{0x0a634c02};
  Ipv4Address ebgp_address{0x0a634c0b};    // 10.99.76.11
  Ipv4Address ibgp_address{0x0a634c0c};    // 10.99.76.12
  Ipv4Address ebgp2_address{0x0a634c0d};   // 10.99.76.13
  std::uint32_t ebgp_as = 65076;
  std::uint32_t ebgp2_as = 65077;
  Ipv4Prefix marker{Ipv4Address{0xac100000}, 24};   // 172.16.0.0/24, per row
  Ipv4Prefix second{Ipv4Address{0xac110000}, 24};   // 172.17.0.0/24: a second NLRI, per row

  Ipv4Address address_of(PeerKind k) const {
    return k == PeerKind::Ebgp ? ebgp_address : k == PeerKind::Ibgp ? ibgp_address : ebgp2_address;
  }
  std::uint32_t as_of(PeerKind k) const {
    return k == PeerKind::Ebgp ? ebgp_as : k == PeerKind::Ibgp ? nva_as : ebgp2_as;
  }
  bool four_octet(PeerKind k) const { return k != PeerKind::EbgpTwoOctet; }
  // The row's own prefixes: 172.16.N.0/24 and 172.17.N.0/24.
  Env for_row(std::size_t n) const {
    Env e = *this;
    e.marker = Ipv4Prefix{Ipv4Address{0xac100000u | static_cast<std::uint32_t>((n & 0xff) << 8)}, 24};
    e.second = Ipv4Prefix{Ipv4Address{0xac110000u | static_cast<std::uint32_t>((n & 0xff) << 8)}, 24};
    return e;
  }
};

// ---- what should happen ---------------------------------------------------------

enum class Handling {
  SessionReset,     // NOTIFICATION code/subcode sent, session down (RFC 7606 2)
  TreatAsWithdraw,  // session stays, the UPDATE's routes are withdrawn (RFC 7606 2)
  AttributeDiscard, // session stays, routes kept without the attribute (RFC 7606 2)
  Accepted,         // nothing wrong (or ignored as the RFC says): routes kept, nothing logged
  Withdrawn,        // a well-formed withdrawal: the marker goes, no error
};
inline const char* to_string(Handling h) {
  switch (h) {
    case Handling::SessionReset: return "session-reset";
    case Handling::TreatAsWithdraw: return "treat-as-withdraw";
    case Handling::AttributeDiscard: return "attribute-discard";
    case Handling::Accepted: return "accepted";
    case Handling::Withdrawn: return "withdrawn";
  }
  return "?";
}

// When the row's message is sent.
enum class When {
  Established,  // after the session is up and the marker was announced validly
  InsteadOfOpen // as the peer's OPEN (RFC 4271 6.2): the session never comes up
};

// What both drivers can see of the marker route once it is kept: the decoder's
// PathAttributes (unit) and `bgp show neighbors X received-routes` (lab).
struct Observed {
  std::string origin;  // "IGP", "EGP", "incomplete"
  std::string path;    // AsPath::to_string()
  std::string next_hop;
  std::optional<std::uint32_t> med;
  std::optional<std::uint32_t> local_pref;
};
// Returns "" when the route looks as the row expects, else what differs.
using Check = std::function<std::string(const Observed&)>;

struct Case {
  std::string name;          // stable row id, e.g. "7.1/origin-length-2"
  std::string rfc;           // "RFC 7606 7.1"
  std::string attribute;     // "ORIGIN", "header", "OPEN"...
  std::string malformation;  // one line for people
  PeerKind peer = PeerKind::Ebgp;
  When when = When::Established;
  Bytes message;             // the whole BGP message(s), header included
  Handling handling = Handling::TreatAsWithdraw;
  std::uint8_t code = 0, subcode = 0;  // SessionReset only
  Check check;               // AttributeDiscard / Accepted: the kept route (may be empty)
};

// ---- builders: RFC 4271 4.x field by field --------------------------------------

namespace build {

constexpr std::uint8_t kWellKnown = 0x40;       // Transitive, as RFC 4271 4.3 requires
constexpr std::uint8_t kOptional = 0x80;
constexpr std::uint8_t kOptionalTransitive = 0xc0;
constexpr std::uint8_t kExtended = 0x10;

inline Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) put_bytes(out, p);
  return out;
}
inline Bytes cat(const std::vector<Bytes>& parts) {
  Bytes out;
  for (const auto& p : parts) put_bytes(out, p);
  return out;
}
inline Bytes u8(std::uint8_t v) { return Bytes{v}; }
inline Bytes u16(std::uint16_t v) { return u16_bytes(v); }
inline Bytes u32(std::uint32_t v) {
  Bytes b;
  put_u32(b, v);
  return b;
}

// RFC 4271 4.1: marker, length, type. `length` overrides the computed one.
inline Bytes header(std::uint8_t type, std::size_t body_size, std::optional<std::uint16_t> length = {}) {
  Bytes out(16, 0xff);
  put_u16(out, length ? *length : static_cast<std::uint16_t>(19 + body_size));
  put_u8(out, type);
  return out;
}
inline Bytes message(std::uint8_t type, const Bytes& body) { return cat({header(type, body.size()), body}); }

// RFC 4271 4.3: one path attribute; the Extended Length bit in `flags` picks a
// 2-octet length. `length` overrides the real one (for overruns).
inline Bytes attr(std::uint8_t flags, std::uint8_t type, const Bytes& value, std::optional<std::uint16_t> length = {}) {
  Bytes out{flags, type};
  std::uint16_t len = length ? *length : static_cast<std::uint16_t>(value.size());
  if (flags & kExtended) put_u16(out, len);
  else put_u8(out, static_cast<std::uint8_t>(len));
  put_bytes(out, value);
  return out;
}
// RFC 4271 4.3: Length in bits, then the prefix in ceil(bits/8) octets.
inline Bytes prefix(const Ipv4Prefix& p) {
  Bytes out{p.length};
  for (unsigned i = 0; i < (p.length + 7u) / 8; ++i) out.push_back(static_cast<std::uint8_t>(p.address.value >> (24 - 8 * i)));
  return out;
}
// RFC 4271 4.3 UPDATE body: lengths computed from the parts.
inline Bytes update_body(const Bytes& withdrawn, const Bytes& attributes, const Bytes& nlri) {
  return cat({u16(static_cast<std::uint16_t>(withdrawn.size())), withdrawn,
              u16(static_cast<std::uint16_t>(attributes.size())), attributes, nlri});
}
inline Bytes update(const Bytes& withdrawn, const Bytes& attributes, const Bytes& nlri) {
  return message(2, update_body(withdrawn, attributes, nlri));
}

inline Bytes origin(std::uint8_t v = 0, std::uint8_t flags = kWellKnown) { return attr(flags, 1, {v}); }
// One AS_PATH / AS4_PATH segment: type, count of ASes, the ASes (2 or 4 octets).
inline Bytes segment(std::uint8_t type, const std::vector<std::uint32_t>& asns, bool four, std::optional<std::uint8_t> count = {}) {
  Bytes out{type, count ? *count : static_cast<std::uint8_t>(asns.size())};
  for (auto a : asns) {
    if (four) put_u32(out, a);
    else put_u16(out, static_cast<std::uint16_t>(a));
  }
  return out;
}
constexpr std::uint8_t kAsSet = 1, kAsSequence = 2, kAsConfedSequence = 3, kAsConfedSet = 4;
inline Bytes as_path(const Bytes& segments, std::uint8_t flags = kWellKnown) { return attr(flags, 2, segments); }
inline Bytes next_hop(Ipv4Address a, std::uint8_t flags = kWellKnown) { return attr(flags, 3, u32(a.value)); }
inline Bytes med(std::uint32_t v, std::uint8_t flags = kOptional) { return attr(flags, 4, u32(v)); }
inline Bytes local_pref(std::uint32_t v, std::uint8_t flags = kWellKnown) { return attr(flags, 5, u32(v)); }
inline Bytes atomic_aggregate(std::uint8_t flags = kWellKnown) { return attr(flags, 6, {}); }
inline Bytes aggregator(std::uint32_t asn, Ipv4Address a, bool four, std::uint8_t flags = kOptionalTransitive) {
  return attr(flags, 7, cat({four ? u32(asn) : u16(static_cast<std::uint16_t>(asn)), u32(a.value)}));
}
inline Bytes communities(const std::vector<std::uint32_t>& c, std::uint8_t flags = kOptionalTransitive) {
  Bytes v;
  for (auto x : c) put_u32(v, x);
  return attr(flags, 8, v);
}
inline Bytes originator_id(Ipv4Address a, std::uint8_t flags = kOptional) { return attr(flags, 9, u32(a.value)); }
inline Bytes cluster_list(const std::vector<std::uint32_t>& ids, std::uint8_t flags = kOptional) {
  Bytes v;
  for (auto x : ids) put_u32(v, x);
  return attr(flags, 10, v);
}
// RFC 4760 3: AFI 1, SAFI 1, next hop length and address, reserved, NLRI.
inline Bytes mp_reach_value(Ipv4Address nh, const Bytes& nlri, std::uint8_t nh_len = 4) {
  Bytes v = cat({u16(1), u8(1), u8(nh_len), u32(nh.value)});
  for (std::uint8_t i = 4; i < nh_len; ++i) v.push_back(0);
  return cat({v, u8(0), nlri});
}
inline Bytes mp_reach(const Bytes& value, std::uint8_t flags = kOptional) { return attr(flags, 14, value); }
// RFC 4760 4: AFI 1, SAFI 1, withdrawn routes.
inline Bytes mp_unreach(const Bytes& withdrawn, std::uint8_t flags = kOptional) {
  return attr(flags, 15, cat({u16(1), u8(1), withdrawn}));
}
inline Bytes as4_path(const Bytes& segments, std::uint8_t flags = kOptionalTransitive) { return attr(flags, 17, segments); }
inline Bytes as4_aggregator(std::uint32_t asn, Ipv4Address a, std::uint8_t flags = kOptionalTransitive) {
  return attr(flags, 18, cat({u32(asn), u32(a.value)}));
}
inline Bytes large_community(std::uint32_t g, std::uint32_t l1, std::uint32_t l2, std::uint8_t flags = kOptionalTransitive) {
  return attr(flags, 32, cat({u32(g), u32(l1), u32(l2)}));
}

// RFC 4271 4.2 OPEN with RFC 5492 capabilities (one per optional parameter).
struct OpenFields {
  std::uint8_t version = 4;
  std::uint16_t my_as = 0;
  std::uint16_t hold_time = 90;
  std::uint32_t bgp_identifier = 0;
  std::vector<Bytes> parameters;  // whole optional parameters
  std::optional<std::uint8_t> opt_len;  // overrides the computed Opt Parm Len
};
inline Bytes capability(std::uint8_t code, const Bytes& value) {
  return cat({u8(2), u8(static_cast<std::uint8_t>(value.size() + 2)), u8(code), u8(static_cast<std::uint8_t>(value.size())), value});
}
inline Bytes cap_multiprotocol(std::uint16_t afi, std::uint8_t safi) { return capability(1, cat({u16(afi), u8(0), u8(safi)})); }
inline Bytes cap_four_octet_as(std::uint32_t asn) { return capability(65, u32(asn)); }
inline Bytes cap_route_refresh() { return capability(2, {}); }
inline Bytes open(const OpenFields& f) {
  Bytes params = cat(f.parameters);
  Bytes body = cat({u8(f.version), u16(f.my_as), u16(f.hold_time), u32(f.bgp_identifier),
                    u8(f.opt_len ? *f.opt_len : static_cast<std::uint8_t>(params.size())), params});
  return message(1, body);
}
inline Bytes keepalive() { return header(4, 0); }

}  // namespace build

// The peer's valid OPEN for a kind of peer (hold time 90 s, IPv4 unicast,
// route refresh, the 4-octet AS capability unless the kind is 2-octet).
inline build::OpenFields peer_open_fields(const Env& env, PeerKind kind) {
  using namespace build;
  OpenFields f;
  std::uint32_t asn = env.as_of(kind);
  f.my_as = asn > 0xffff ? 23456 : static_cast<std::uint16_t>(asn);
  f.bgp_identifier = env.address_of(kind).value;
  f.parameters = {cap_multiprotocol(1, 1), cap_route_refresh()};
  if (env.four_octet(kind)) f.parameters.push_back(cap_four_octet_as(asn));
  return f;
}

// The marker's valid announcement from this kind of peer: the positive control
// every Established row starts with.
Bytes valid_announcement(const Env& env, PeerKind kind);

// Every row, for this environment (call per row with env.for_row(n) so each row
// has its own marker prefix; the rows come back in the same order every time).
std::vector<Case> rfc7606_cases(const Env& env);

// The table as Markdown, one line per row (docs/rfc7606.md holds exactly this
// between its "table:begin" and "table:end" markers; a unit test keeps it so).
std::string markdown_table();

}  // namespace hairpin::conformance
