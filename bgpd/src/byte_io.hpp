#pragma once
// Network-order readers and writers over byte spans; bounds-checked reads return
// nullopt instead of running off the end, so every caller decides which RFC error
// a short field is.

#include <cstdint>
#include <optional>
#include <span>

#include "hairpin/bgpd/wire_types.hpp"

namespace hairpin::bgpd::wire {

class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
  std::size_t remaining() const { return bytes_.size() - pos_; }
  std::size_t position() const { return pos_; }
  bool empty() const { return remaining() == 0; }
  std::optional<std::uint8_t> u8() {
    if (remaining() < 1) return std::nullopt;
    return bytes_[pos_++];
  }
  std::optional<std::uint16_t> u16() {
    if (remaining() < 2) return std::nullopt;
    std::uint16_t v = static_cast<std::uint16_t>(bytes_[pos_] << 8 | bytes_[pos_ + 1]);
    pos_ += 2;
    return v;
  }
  std::optional<std::uint32_t> u32() {
    if (remaining() < 4) return std::nullopt;
    std::uint32_t v = std::uint32_t{bytes_[pos_]} << 24 | std::uint32_t{bytes_[pos_ + 1]} << 16 |
                      std::uint32_t{bytes_[pos_ + 2]} << 8 | std::uint32_t{bytes_[pos_ + 3]};
    pos_ += 4;
    return v;
  }
  std::optional<std::span<const std::uint8_t>> take(std::size_t n) {
    if (remaining() < n) return std::nullopt;
    auto s = bytes_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  std::span<const std::uint8_t> rest() { return *take(remaining()); }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t pos_ = 0;
};

inline void put_u8(Bytes& out, std::uint8_t v) { out.push_back(v); }
inline void put_u16(Bytes& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}
inline void put_u32(Bytes& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}
inline void put_bytes(Bytes& out, std::span<const std::uint8_t> v) {
  out.insert(out.end(), v.begin(), v.end());
}
inline Bytes to_bytes(std::span<const std::uint8_t> v) { return Bytes(v.begin(), v.end()); }
inline Bytes u16_bytes(std::uint16_t v) {
  Bytes b;
  put_u16(b, v);
  return b;
}

}  // namespace hairpin::bgpd::wire
