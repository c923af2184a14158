#pragma once
// Test helpers: byte tables written as hex ("ff ff 00 13 04"), whitespace ignored.

#include <cctype>
#include <stdexcept>
#include <string>

#include "hairpin/bgpd/wire/wire_types.hpp"

namespace hairpin::bgpd::test {

inline Bytes hex(const std::string& text) {
  Bytes out;
  int hi = -1;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    int v = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : std::tolower(c) - 'a' + 10;
    if (v < 0 || v > 15) throw std::invalid_argument("bad hex digit in test table");
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(hi << 4 | v));
      hi = -1;
    }
  }
  if (hi >= 0) throw std::invalid_argument("odd number of hex digits in test table");
  return out;
}

inline std::string to_hex(const Bytes& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i) out += ' ';
    out += digits[bytes[i] >> 4];
    out += digits[bytes[i] & 15];
  }
  return out;
}

// A whole message: marker, length, type, then the body.
inline Bytes message(MessageType type, const Bytes& body) {
  Bytes out(16, 0xff);
  std::size_t len = 19 + body.size();
  out.push_back(static_cast<std::uint8_t>(len >> 8));
  out.push_back(static_cast<std::uint8_t>(len));
  out.push_back(static_cast<std::uint8_t>(type));
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

inline Ipv4Address ip(const std::string& text) { return *Ipv4Address::parse(text); }
inline Ipv4Prefix pfx(const std::string& text) { return *Ipv4Prefix::parse(text); }

}  // namespace hairpin::bgpd::test
