// NOTIFICATION (RFC 4271 4.5) and ROUTE-REFRESH (RFC 2918 3, RFC 7313 3) bodies.
// KEEPALIVE has no body (RFC 4271 4.4) and is handled in message_codec.cpp.

#include "hairpin/bgpd/wire/message_codec.hpp"

namespace hairpin::bgpd {


/*
 * RFC 4271 4.5 NOTIFICATION Message Format
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | Error code    | Error subcode |   Data (variable)             |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
Decoded<Notification> decode_notification(std::span<const std::uint8_t> body) {
  ByteReader r(body);
  auto code = r.u8();
  auto subcode = r.u8();
  if (!subcode)  // RFC 4271 6.1: NOTIFICATION minimum length 21
    return WireError{ErrorCode::MessageHeaderError,
                     static_cast<std::uint8_t>(HeaderSubcode::BadMessageLength),
                     u16_bytes(static_cast<std::uint16_t>(body.size() + kHeaderLength)),
                     ErrorAction::SessionReset, "NOTIFICATION shorter than 21 octets"};
  // Unknown codes are still a NOTIFICATION: the session closes either way (RFC 4271 6.4).
  return Notification{static_cast<ErrorCode>(*code), *subcode, to_bytes(r.rest())};
}

Bytes encode_notification_body(const Notification& n) {
  Bytes out;
  put_u8(out, static_cast<std::uint8_t>(n.code));
  put_u8(out, n.subcode);
  put_bytes(out, n.data);
  return out;
}

/*
 * RFC 2918 3 / RFC 7313 3 ROUTE-REFRESH Message Format
 *
 *   0       7      15      23      31
 *   +-------+-------+-------+-------+
 *   |      AFI      | Subtyp| SAFI  |
 *   +-------+-------+-------+-------+
 *
 *   Subtype (RFC 7313; "Reserved" in RFC 2918): 0 normal request,
 *   1 Beginning of Route Refresh (BoRR), 2 End of Route Refresh (EoRR).
 */
Decoded<RouteRefresh> decode_route_refresh(std::span<const std::uint8_t> body) {
  ByteReader r(body);
  auto afi = r.u16();
  auto subtype = r.u8();
  auto safi = r.u8();
  if (!safi)
    return WireError{ErrorCode::MessageHeaderError,
                     static_cast<std::uint8_t>(HeaderSubcode::BadMessageLength),
                     u16_bytes(static_cast<std::uint16_t>(body.size() + kHeaderLength)),
                     ErrorAction::SessionReset, "ROUTE-REFRESH shorter than 23 octets"};
  // RFC 7313 5: BoRR/EoRR whose body is not exactly 4 octets -> Invalid Message Length,
  // data is the whole message.
  if ((*subtype == 1 || *subtype == 2) && body.size() != 4) {
    Bytes whole(16, 0xff);
    put_u16(whole, static_cast<std::uint16_t>(body.size() + kHeaderLength));
    put_u8(whole, static_cast<std::uint8_t>(MessageType::RouteRefresh));
    put_bytes(whole, body);
    return WireError{ErrorCode::RouteRefreshMessageError,
                     static_cast<std::uint8_t>(RouteRefreshSubcode::InvalidMessageLength),
                     std::move(whole), ErrorAction::SessionReset,
                     "ROUTE-REFRESH subtype " + std::to_string(*subtype) + " with " +
                         std::to_string(body.size()) + "-octet body, want 4"};
  }
  // Subtype 0 may be followed by ORF entries (RFC 5291), which we do not negotiate:
  // they are ignored. Subtypes above 2 decode as-is; the FSM ignores them (RFC 7313 5).
  return RouteRefresh{AfiSafi{static_cast<Afi>(*afi), static_cast<Safi>(*safi)},
                      static_cast<RouteRefreshSubtype>(*subtype)};
}

Bytes encode_route_refresh_body(const RouteRefresh& rr) {
  Bytes out;
  put_u16(out, static_cast<std::uint16_t>(rr.afi_safi.afi));
  put_u8(out, static_cast<std::uint8_t>(rr.subtype));
  put_u8(out, static_cast<std::uint8_t>(rr.afi_safi.safi));
  return out;
}

}  // namespace hairpin::bgpd
