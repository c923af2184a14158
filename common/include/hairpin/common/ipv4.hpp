#pragma once
// IPv4 addresses, prefixes and interface addresses as plain values: the one
// definition every module uses (BGP NLRI, probe identity, topologies, lab plans,
// FIB routes). Host byte order throughout; text forms are dotted quads, as FRR,
// iproute2 and BIRD print them.

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hairpin {

// The netmask of a prefix length, host order: 8 -> 0xff000000. Lengths outside
// 0..32 are clamped.
constexpr std::uint32_t prefix_mask(int length) {
  return length <= 0 ? 0u : length >= 32 ? 0xffffffffu : ~((1u << (32 - length)) - 1u);
}

struct Ipv4Address {
  std::uint32_t value = 0;  // host order: 10.0.0.4 == 0x0a000004

  // Dotted quad only (no "10.1" shorthand), as FRR's parser accepts.
  static std::optional<Ipv4Address> parse(std::string_view text);
  std::string to_string() const;
  friend bool operator==(const Ipv4Address&, const Ipv4Address&) = default;
  friend auto operator<=>(const Ipv4Address&, const Ipv4Address&) = default;
};

struct Ipv4Prefix {
  Ipv4Address address;  // host bits beyond `length` are always zero
  std::uint8_t length = 0;

  // "10.0.0.0/8"; rejects host bits set ("10.0.0.1/8") so configs stay unambiguous.
  static std::optional<Ipv4Prefix> parse(std::string_view text);
  // The prefix `length` bits of `address` span, host bits cleared.
  static Ipv4Prefix covering(Ipv4Address address, std::uint8_t length);
  std::string to_string() const;
  std::uint32_t mask() const { return prefix_mask(length); }
  bool contains(Ipv4Address ip) const { return (ip.value & mask()) == address.value; }
  bool contains(const Ipv4Prefix& other) const {
    return other.length >= length && contains(other.address);
  }
  friend bool operator==(const Ipv4Prefix&, const Ipv4Prefix&) = default;
  friend auto operator<=>(const Ipv4Prefix&, const Ipv4Prefix&) = default;
};

// An address on an interface, "10.100.0.4/24": host bits allowed.
struct Ipv4Interface {
  Ipv4Address address;
  std::uint8_t length = 32;

  static std::optional<Ipv4Interface> parse(std::string_view text);
  Ipv4Prefix network() const { return Ipv4Prefix::covering(address, length); }
  std::string to_string() const;
  friend bool operator==(const Ipv4Interface&, const Ipv4Interface&) = default;
  friend auto operator<=>(const Ipv4Interface&, const Ipv4Interface&) = default;
};

}  // namespace hairpin
