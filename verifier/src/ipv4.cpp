#include "hairpin/verifier/ipv4.hpp"

#include <arpa/inet.h>

namespace hairpin::verifier {

std::uint32_t prefix_mask(int length) {
  return length <= 0 ? 0u : length >= 32 ? 0xffffffffu : ~((1u << (32 - length)) - 1u);
}

std::optional<Ipv4> Ipv4::parse(std::string_view text) {
  std::string s(text);
  in_addr a{};
  if (inet_pton(AF_INET, s.c_str(), &a) != 1) return std::nullopt;
  return Ipv4{ntohl(a.s_addr)};
}

std::string Ipv4::to_string() const {
  in_addr a{htonl(value)};
  char buf[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &a, buf, sizeof buf);
  return buf;
}

static std::optional<std::pair<Ipv4, int>> split_slash(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto ip = Ipv4::parse(text.substr(0, slash));
  auto len_text = text.substr(slash + 1);
  if (!ip || len_text.empty() || len_text.size() > 2) return std::nullopt;
  int len = 0;
  for (char c : len_text) {
    if (c < '0' || c > '9') return std::nullopt;
    len = len * 10 + (c - '0');
  }
  if (len > 32) return std::nullopt;
  return std::pair{*ip, len};
}

std::optional<Ipv4Prefix> Ipv4Prefix::parse(std::string_view text) {
  auto parts = split_slash(text);
  if (!parts) return std::nullopt;
  if ((parts->first.value & ~prefix_mask(parts->second)) != 0) return std::nullopt;
  return Ipv4Prefix{parts->first, parts->second};
}

std::string Ipv4Prefix::to_string() const { return address.to_string() + "/" + std::to_string(length); }

bool Ipv4Prefix::contains(Ipv4 ip) const {
  return (ip.value & prefix_mask(length)) == address.value;
}

bool Ipv4Prefix::contains(const Ipv4Prefix& other) const {
  return other.length >= length && contains(other.address);
}

std::optional<Ipv4Interface> Ipv4Interface::parse(std::string_view text) {
  auto parts = split_slash(text);
  if (!parts) return std::nullopt;
  return Ipv4Interface{parts->first, parts->second};
}

Ipv4Prefix Ipv4Interface::network() const {
  return Ipv4Prefix{Ipv4{address.value & prefix_mask(length)}, length};
}

std::string Ipv4Interface::to_string() const { return address.to_string() + "/" + std::to_string(length); }

}  // namespace hairpin::verifier
