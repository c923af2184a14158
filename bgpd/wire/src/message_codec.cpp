// Message framing: the common header (RFC 4271 4.1) and dispatch to the per-type
// codecs. Body codecs live in open_codec.cpp, update_codec.cpp and
// notification_codec.cpp.

#include "hairpin/bgpd/wire/message_codec.hpp"


namespace hairpin::bgpd {


/*
 * RFC 4271 4.1 Message Header Format
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                                                               |
 *  +                                                               +
 *  |                                                               |
 *  +                                                               +
 *  |                           Marker                              |
 *  +                                                               +
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          Length               |      Type     |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
Decoded<Header> decode_header(std::span<const std::uint8_t> bytes) {
  auto bad_length = [](std::uint16_t length) {
    return WireError{ErrorCode::MessageHeaderError,
                     static_cast<std::uint8_t>(HeaderSubcode::BadMessageLength),
                     u16_bytes(length), ErrorAction::SessionReset,
                     "bad message length " + std::to_string(length)};
  };
  if (bytes.size() < kHeaderLength)
    return bad_length(static_cast<std::uint16_t>(bytes.size()));
  for (std::size_t i = 0; i < 16; ++i) {
    if (bytes[i] != 0xff)  // RFC 4271 6.1: marker not all ones
      return WireError{ErrorCode::MessageHeaderError,
                       static_cast<std::uint8_t>(HeaderSubcode::ConnectionNotSynchronized),
                       {}, ErrorAction::SessionReset, "marker is not all ones"};
  }
  const std::uint16_t length = load_be16(bytes, 16);
  std::uint8_t type = bytes[18];
  // RFC 4271 6.1: length outside 19..4096
  if (length < kHeaderLength || length > kMaxMessageLength) return bad_length(length);
  std::size_t body = length - kHeaderLength;
  switch (static_cast<MessageType>(type)) {
    case MessageType::Open:
      if (body < 10) return bad_length(length);  // RFC 4271 6.1: OPEN minimum 29
      break;
    case MessageType::Update:
      if (body < 4) return bad_length(length);  // RFC 4271 6.1: UPDATE minimum 23
      break;
    case MessageType::Notification:
      if (body < 2) return bad_length(length);  // RFC 4271 6.1: NOTIFICATION minimum 21
      break;
    case MessageType::Keepalive:
      if (body != 0) return bad_length(length);  // RFC 4271 6.1: KEEPALIVE exactly 19
      break;
    case MessageType::RouteRefresh:
      if (body < 4) return bad_length(length);  // RFC 2918 3: AFI, Res, SAFI
      break;
    default:  // RFC 4271 6.1: unrecognized type; data is the type octet
      return WireError{ErrorCode::MessageHeaderError,
                       static_cast<std::uint8_t>(HeaderSubcode::BadMessageType),
                       {type}, ErrorAction::SessionReset,
                       "unknown message type " + std::to_string(type)};
  }
  return Header{length, static_cast<MessageType>(type)};
}

Decoded<std::optional<std::size_t>> message_length(std::span<const std::uint8_t> stream) {
  if (stream.size() < kHeaderLength) return std::optional<std::size_t>{};
  auto header = decode_header(stream.first(kHeaderLength));
  if (!header) return header.error();
  return std::optional<std::size_t>{header->length};
}

Decoded<Message> decode_message(std::span<const std::uint8_t> bytes, const CodecContext& ctx) {
  auto header = decode_header(bytes);
  if (!header) return header.error();
  if (bytes.size() != header->length)
    return WireError{ErrorCode::MessageHeaderError,
                     static_cast<std::uint8_t>(HeaderSubcode::BadMessageLength),
                     u16_bytes(header->length), ErrorAction::SessionReset,
                     "header length " + std::to_string(header->length) + " but " +
                         std::to_string(bytes.size()) + " octets framed"};
  auto body = bytes.subspan(kHeaderLength);
  auto lift = [](auto decoded) -> Decoded<Message> {
    if (!decoded) return decoded.error();
    auto notes = decoded.notes();
    return Decoded<Message>(Message{std::move(decoded).value()}, std::move(notes));
  };
  switch (header->type) {
    case MessageType::Open: return lift(decode_open(body));
    case MessageType::Update: return lift(decode_update(body, ctx));
    case MessageType::Notification: return lift(decode_notification(body));
    case MessageType::Keepalive: return Message{Keepalive{}};
    case MessageType::RouteRefresh: return lift(decode_route_refresh(body));
  }
  return WireError{};  // unreachable: decode_header rejected unknown types
}

Result<Bytes> encode_message(const Message& message, const CodecContext& ctx) {
  Bytes body;
  MessageType type = MessageType::Keepalive;
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, Open>) {
          type = MessageType::Open;
          body = encode_open_body(m);
        } else if constexpr (std::is_same_v<T, Update>) {
          type = MessageType::Update;
          body = encode_update_body(m, ctx);
        } else if constexpr (std::is_same_v<T, Notification>) {
          type = MessageType::Notification;
          body = encode_notification_body(m);
        } else if constexpr (std::is_same_v<T, Keepalive>) {
          type = MessageType::Keepalive;
        } else {
          type = MessageType::RouteRefresh;
          body = encode_route_refresh_body(m);
        }
      },
      message);
  std::size_t total = kHeaderLength + body.size();
  if (total > kMaxMessageLength)  // RFC 4271 4.1: maximum message size 4096
    return Error{"BGP message would be " + std::to_string(total) + " octets", "",
                 "split the UPDATE: at most 4096 octets per message (RFC 4271 4.1)"};
  Bytes out(16, 0xff);
  put_u16(out, static_cast<std::uint16_t>(total));
  put_u8(out, static_cast<std::uint8_t>(type));
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

Notification to_notification(const WireError& error) {
  return Notification{error.code, error.subcode, error.data};
}

}  // namespace hairpin::bgpd
