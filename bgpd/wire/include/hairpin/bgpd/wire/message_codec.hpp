#pragma once
// BGP-4 wire codec: bytes in, values out, and back. Pure: no sockets, no clock, no
// globals; what the session negotiated travels in a CodecContext.
//
// In:  one complete message (header included), as cut from the stream by
//      message_length(); the FSM calls decode_message() per message.
// Out: a Message value, or the WireError whose NOTIFICATION the FSM must send.
//      UPDATE errors that RFC 7606 lets the session survive come back as
//      `notes` next to the value: attribute-discard notes mean the attribute is
//      already gone; a treat-as-withdraw note means the UPDATE's NLRI has already
//      been moved into `withdrawn` and its attributes cleared.
// Callers: the session FSM (decode), the Adj-RIB-Out packer (encode).

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "hairpin/bgpd/wire/wire_types.hpp"
#include "hairpin/common/result.hpp"

namespace hairpin::bgpd {

// A decoded value plus non-fatal notes, or the fatal error (always SessionReset).
template <typename T>
class Decoded {
 public:
  Decoded(T value, std::vector<WireError> notes = {})
      : value_(std::move(value)), notes_(std::move(notes)) {}
  Decoded(WireError fatal) : fatal_(std::move(fatal)) {}

  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  const T* operator->() const { return &*value_; }
  const WireError& error() const { return *fatal_; }
  const std::vector<WireError>& notes() const { return notes_; }

 private:
  std::optional<T> value_;
  std::optional<WireError> fatal_;
  std::vector<WireError> notes_;
};

struct Header {
  std::uint16_t length = 0;
  MessageType type = MessageType::Keepalive;
};

// Validates the 19-octet header (RFC 4271 6.1). `bytes` may be longer.
Decoded<Header> decode_header(std::span<const std::uint8_t> bytes);

// For stream framing: the length of the first message if its header is complete
// and valid, nullopt if fewer than 19 octets have arrived, or the header error.
Decoded<std::optional<std::size_t>> message_length(std::span<const std::uint8_t> stream);

// One whole message, header included.
Decoded<Message> decode_message(std::span<const std::uint8_t> bytes, const CodecContext& ctx);

// Bodies without the header, for tests and for callers that framed already.
Decoded<Open> decode_open(std::span<const std::uint8_t> body);
Decoded<Update> decode_update(std::span<const std::uint8_t> body, const CodecContext& ctx);
Decoded<Notification> decode_notification(std::span<const std::uint8_t> body);
Decoded<RouteRefresh> decode_route_refresh(std::span<const std::uint8_t> body);

// A whole message, header included. Fails only when the result would exceed
// 4096 octets (RFC 4271 4.1): the caller must split its UPDATEs.
Result<Bytes> encode_message(const Message& message, const CodecContext& ctx);

Bytes encode_open_body(const Open& open);
Bytes encode_update_body(const Update& update, const CodecContext& ctx);
Bytes encode_notification_body(const Notification& notification);
Bytes encode_route_refresh_body(const RouteRefresh& refresh);

// The NOTIFICATION that reports a fatal decode error.
Notification to_notification(const WireError& error);

}  // namespace hairpin::bgpd
