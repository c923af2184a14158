#include "hairpin/common/ipv4.hpp"

#include <charconv>

namespace hairpin {

namespace {

// One decimal field of `max` or less: digits only, at most 3, no leading zero
// ("010" is octal to some parsers, so inet_pton refuses it, and so do we).
std::optional<unsigned> parse_decimal(std::string_view text, unsigned max) {
  if (text.empty() || text.size() > 3 || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size() || value > max) return std::nullopt;
  return value;
}

// "A.B.C.D/LEN" split at the slash; host bits are the caller's business.
std::optional<std::pair<Ipv4Address, std::uint8_t>> split_slash(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const auto address = Ipv4Address::parse(text.substr(0, slash));
  const auto length = parse_decimal(text.substr(slash + 1), 32);
  if (!address || !length) return std::nullopt;
  return std::pair{*address, static_cast<std::uint8_t>(*length)};
}

}  // namespace

std::optional<Ipv4Address> Ipv4Address::parse(std::string_view text) {
  std::uint32_t value = 0;
  for (int octet = 0; octet < 4; ++octet) {
    const auto dot = octet < 3 ? text.find('.') : text.size();
    if (dot == std::string_view::npos) return std::nullopt;
    const auto field = parse_decimal(text.substr(0, dot), 255);
    if (!field) return std::nullopt;
    value = value << 8 | *field;
    text.remove_prefix(octet < 3 ? dot + 1 : dot);
  }
  return Ipv4Address{value};
}

std::string Ipv4Address::to_string() const {
  return std::to_string(value >> 24) + "." + std::to_string((value >> 16) & 0xff) + "." +
         std::to_string((value >> 8) & 0xff) + "." + std::to_string(value & 0xff);
}

std::optional<Ipv4Prefix> Ipv4Prefix::parse(std::string_view text) {
  const auto parts = split_slash(text);
  if (!parts || (parts->first.value & ~prefix_mask(parts->second)) != 0) return std::nullopt;
  return Ipv4Prefix{parts->first, parts->second};
}

Ipv4Prefix Ipv4Prefix::covering(Ipv4Address address, std::uint8_t length) {
  return Ipv4Prefix{Ipv4Address{address.value & prefix_mask(length)}, length};
}

std::string Ipv4Prefix::to_string() const {
  return address.to_string() + "/" + std::to_string(length);
}

std::optional<Ipv4Interface> Ipv4Interface::parse(std::string_view text) {
  const auto parts = split_slash(text);
  if (!parts) return std::nullopt;
  return Ipv4Interface{parts->first, parts->second};
}

std::string Ipv4Interface::to_string() const {
  return address.to_string() + "/" + std::to_string(length);
}

}  // namespace hairpin
