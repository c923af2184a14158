// OPEN message (RFC 4271 4.2) with Capabilities (RFC 5492) and extended optional
// parameters length (RFC 9072, decode only when the peer uses it).

#include "hairpin/bgpd/wire/message_codec.hpp"

namespace hairpin::bgpd {


namespace {

constexpr std::uint8_t kParamCapabilities = 2;  // RFC 5492 4
constexpr std::uint8_t kParamExtendedLength = 255;  // RFC 9072 2

WireError open_error(OpenSubcode subcode, std::string what, Bytes data = {}) {
  return WireError{ErrorCode::OpenMessageError, static_cast<std::uint8_t>(subcode),
                   std::move(data), ErrorAction::SessionReset, std::move(what)};
}

/*
 * RFC 5492 4: each capability inside an optional parameter of type 2
 *
 *  +------------------------------+
 *  | Capability Code (1 octet)    |
 *  +------------------------------+
 *  | Capability Length (1 octet)  |
 *  +------------------------------+
 *  | Capability Value (variable)  |
 *  ~                              ~
 *  +------------------------------+
 */
std::optional<WireError> decode_capabilities(std::span<const std::uint8_t> value,
                                             Capabilities& caps) {
  ByteReader r(value);
  while (!r.empty()) {
    auto code = r.u8();
    auto len = r.u8();
    if (!code || !len) return open_error(OpenSubcode::Unspecific, "truncated capability header");
    auto body = r.take(*len);
    if (!body)  // RFC 4271 6.2: recognized parameter, malformed -> subcode 0
      return open_error(OpenSubcode::Unspecific,
                        "capability " + std::to_string(*code) + " overruns its parameter");
    ByteReader v(*body);
    switch (static_cast<CapabilityCode>(*code)) {
      case CapabilityCode::Multiprotocol: {
        /*
         * RFC 4760 8
         *  0       7      15      23      31
         *  +-------+-------+-------+-------+
         *  |      AFI      | Res.  | SAFI  |
         *  +-------+-------+-------+-------+
         */
        if (*len != 4)
          return open_error(OpenSubcode::Unspecific,
                            "multiprotocol capability length " + std::to_string(*len) + ", want 4");
        auto afi = v.u16();
        v.u8();  // reserved: sender sets 0, receiver ignores (RFC 4760 8)
        auto safi = v.u8();
        caps.multiprotocol.push_back(AfiSafi{static_cast<Afi>(*afi), static_cast<Safi>(*safi)});
        break;
      }
      case CapabilityCode::RouteRefresh:
        if (*len != 0)  // RFC 2918 2: capability length 0
          return open_error(OpenSubcode::Unspecific, "route-refresh capability with a value");
        caps.route_refresh = true;
        break;
      case CapabilityCode::FourOctetAs: {
        if (*len != 4)  // RFC 6793 3: value is the 4-octet AS
          return open_error(OpenSubcode::Unspecific,
                            "4-octet AS capability length " + std::to_string(*len) + ", want 4");
        auto asn = *v.u32();
        if (asn == 0)  // RFC 7607 2: AS 0 in the capability -> Bad Peer AS
          return open_error(OpenSubcode::BadPeerAs, "peer AS 0 in the 4-octet AS capability",
                            to_bytes(*body));
        caps.four_octet_as = asn;
        break;
      }
      case CapabilityCode::EnhancedRouteRefresh:
        if (*len != 0)  // RFC 7313 3: capability length 0
          return open_error(OpenSubcode::Unspecific, "enhanced route-refresh capability with a value");
        caps.enhanced_route_refresh = true;
        break;
      default:  // RFC 5492 3: unknown capabilities are ignored (kept for `show`)
        caps.other.push_back(RawCapability{*code, to_bytes(*body)});
    }
  }
  return std::nullopt;
}

}  // namespace

/*
 * RFC 4271 4.2 OPEN Message Format
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+
 *   |    Version    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |     My Autonomous System      |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |           Hold Time           |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                         BGP Identifier                        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | Opt Parm Len  |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |             Optional Parameters (variable)                    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *   Optional parameter: Parm. Type (1) | Parm. Length (1) | Parameter Value
 */
Decoded<Open> decode_open(std::span<const std::uint8_t> body) {
  ByteReader r(body);
  auto version = r.u8();
  auto my_as = r.u16();
  auto hold = r.u16();
  auto id = r.u32();
  auto opt_len = r.u8();
  if (!opt_len)
    return WireError{ErrorCode::MessageHeaderError,
                     static_cast<std::uint8_t>(HeaderSubcode::BadMessageLength),
                     u16_bytes(static_cast<std::uint16_t>(body.size() + kHeaderLength)),
                     ErrorAction::SessionReset, "OPEN shorter than 29 octets"};
  if (*version != 4)  // RFC 4271 6.2: data is the largest version we support
    return open_error(OpenSubcode::UnsupportedVersionNumber,
                      "BGP version " + std::to_string(*version) + ", only 4 is supported",
                      u16_bytes(4));
  if (*my_as == 0)  // RFC 7607 2: peer AS 0 -> Bad Peer AS
    return open_error(OpenSubcode::BadPeerAs, "peer AS 0 in OPEN", u16_bytes(0));
  if (*hold == 1 || *hold == 2)  // RFC 4271 6.2: hold time must be 0 or at least 3
    return open_error(OpenSubcode::UnacceptableHoldTime,
                      "hold time " + std::to_string(*hold) + " s (must be 0 or >= 3)");
  if (*id == 0)  // RFC 6286 2.2: identifier is a non-zero 4-octet value
    return open_error(OpenSubcode::BadBgpIdentifier, "BGP identifier 0.0.0.0");

  Open open;
  open.version = *version;
  open.my_as = *my_as;
  open.hold_time = *hold;
  open.bgp_identifier = Ipv4Address{*id};

  bool extended = false;
  std::size_t params_len = *opt_len;
  // RFC 9072 2: Opt Parm Len 255 followed by type 255 means a 2-octet length follows.
  if (*opt_len == kParamExtendedLength && r.remaining() >= 3 && body[10] == kParamExtendedLength) {
    r.u8();
    params_len = *r.u16();
    extended = true;
  }
  if (params_len != r.remaining())
    return open_error(OpenSubcode::Unspecific,
                      "optional parameters length " + std::to_string(params_len) + " but " +
                          std::to_string(r.remaining()) + " octets follow");
  while (!r.empty()) {
    auto type = r.u8();
    std::optional<std::size_t> len;
    if (extended) {
      if (auto l = r.u16()) len = *l;
    } else if (auto l = r.u8()) {
      len = *l;
    }
    if (!type || !len) return open_error(OpenSubcode::Unspecific, "truncated optional parameter");
    auto value = r.take(*len);
    if (!value) return open_error(OpenSubcode::Unspecific, "optional parameter overruns OPEN");
    if (*type != kParamCapabilities)  // RFC 4271 6.2 (RFC 5492 removed type 1 auth)
      return open_error(OpenSubcode::UnsupportedOptionalParameter,
                        "unsupported optional parameter type " + std::to_string(*type));
    if (auto err = decode_capabilities(*value, open.capabilities)) return *err;
  }
  return open;
}

Bytes encode_open_body(const Open& open) {
  struct Cap {
    std::uint8_t code;
    Bytes value;
  };
  std::vector<Cap> caps;
  for (const auto& mp : open.capabilities.multiprotocol) {
    Bytes v;
    put_u16(v, static_cast<std::uint16_t>(mp.afi));
    put_u8(v, 0);
    put_u8(v, static_cast<std::uint8_t>(mp.safi));
    caps.push_back({static_cast<std::uint8_t>(CapabilityCode::Multiprotocol), v});
  }
  if (open.capabilities.route_refresh)
    caps.push_back({static_cast<std::uint8_t>(CapabilityCode::RouteRefresh), {}});
  if (open.capabilities.four_octet_as) {
    Bytes v;
    put_u32(v, *open.capabilities.four_octet_as);
    caps.push_back({static_cast<std::uint8_t>(CapabilityCode::FourOctetAs), v});
  }
  if (open.capabilities.enhanced_route_refresh)
    caps.push_back({static_cast<std::uint8_t>(CapabilityCode::EnhancedRouteRefresh), {}});
  for (const auto& raw : open.capabilities.other) caps.push_back({raw.code, raw.value});
  // Known capabilities first, then the others in the order received, so a decoded
  // OPEN re-encodes to an equal value. One capability per optional parameter, as
  // FRR does: both forms are allowed (RFC 5492 4).
  Bytes params;
  for (const auto& cap : caps) {
    put_u8(params, kParamCapabilities);
    put_u8(params, static_cast<std::uint8_t>(cap.value.size() + 2));
    put_u8(params, cap.code);
    put_u8(params, static_cast<std::uint8_t>(cap.value.size()));
    put_bytes(params, cap.value);
  }
  Bytes out;
  put_u8(out, open.version);
  put_u16(out, open.my_as);
  put_u16(out, open.hold_time);
  put_u32(out, open.bgp_identifier.value);
  if (params.size() < kParamExtendedLength) {
    put_u8(out, static_cast<std::uint8_t>(params.size()));
  } else {  // RFC 9072 2: non-extended length 255, type 255, 2-octet length
    put_u8(out, kParamExtendedLength);
    put_u8(out, kParamExtendedLength);
    put_u16(out, static_cast<std::uint16_t>(params.size()));
    // RFC 9072 requires 2-octet parameter lengths too: re-encode them.
    Bytes ext;
    for (const auto& cap : caps) {
      put_u8(ext, kParamCapabilities);
      put_u16(ext, static_cast<std::uint16_t>(cap.value.size() + 2));
      put_u8(ext, cap.code);
      put_u8(ext, static_cast<std::uint8_t>(cap.value.size()));
      put_bytes(ext, cap.value);
    }
    out.resize(out.size() - 2);
    put_u16(out, static_cast<std::uint16_t>(ext.size()));
    params = std::move(ext);
  }
  put_bytes(out, params);
  return out;
}

}  // namespace hairpin::bgpd
