#pragma once
// IPv4 addresses and prefixes as plain values, for topologies and lab plans.

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hairpin::verifier {

struct Ipv4 {
  std::uint32_t value = 0;  // host byte order

  static std::optional<Ipv4> parse(std::string_view text);
  std::string to_string() const;
  auto operator<=>(const Ipv4&) const = default;
};

struct Ipv4Prefix {
  Ipv4 address;  // network address (host bits zero)
  int length = 0;

  // "10.0.0.0/8"; host bits must be zero.
  static std::optional<Ipv4Prefix> parse(std::string_view text);
  std::string to_string() const;
  bool contains(Ipv4 ip) const;
  bool contains(const Ipv4Prefix& other) const;
  auto operator<=>(const Ipv4Prefix&) const = default;
};

// An interface address: "10.100.0.4/24" (host bits allowed).
struct Ipv4Interface {
  Ipv4 address;
  int length = 32;

  static std::optional<Ipv4Interface> parse(std::string_view text);
  Ipv4Prefix network() const;
  std::string to_string() const;
  auto operator<=>(const Ipv4Interface&) const = default;
};

std::uint32_t prefix_mask(int length);

}  // namespace hairpin::verifier
