// Text forms of wire values, in the notation FRR prints, so `show` output and logs
// read like vtysh.

#include "hairpin/bgpd/wire_types.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace hairpin::bgpd {

std::string Ipv4Address::to_string() const {
  return std::to_string(value >> 24) + "." + std::to_string((value >> 16) & 0xff) + "." +
         std::to_string((value >> 8) & 0xff) + "." + std::to_string(value & 0xff);
}

std::optional<Ipv4Address> Ipv4Address::parse(const std::string& text) {
  in_addr addr{};
  // inet_pton accepts only dotted quads (no "10.1" shorthand), as FRR's parser does.
  if (inet_pton(AF_INET, text.c_str(), &addr) != 1) return std::nullopt;
  return Ipv4Address{ntohl(addr.s_addr)};
}

namespace {
std::uint32_t mask_of(std::uint8_t length) {
  return length == 0 ? 0 : ~std::uint32_t{0} << (32 - length);
}
}  // namespace

std::string Ipv4Prefix::to_string() const {
  return address.to_string() + "/" + std::to_string(length);
}

std::optional<Ipv4Prefix> Ipv4Prefix::parse(const std::string& text) {
  auto slash = text.find('/');
  if (slash == std::string::npos) return std::nullopt;
  auto addr = Ipv4Address::parse(text.substr(0, slash));
  if (!addr) return std::nullopt;
  unsigned len = 0;
  const char* first = text.data() + slash + 1;
  const char* last = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(first, last, len);
  if (ec != std::errc{} || ptr != last || first == last || len > 32) return std::nullopt;
  if ((addr->value & ~mask_of(static_cast<std::uint8_t>(len))) != 0) return std::nullopt;
  return Ipv4Prefix{*addr, static_cast<std::uint8_t>(len)};
}

bool Ipv4Prefix::contains(const Ipv4Prefix& other) const {
  return other.length >= length && (other.address.value & mask_of(length)) == address.value;
}

std::string AsPath::to_string() const {
  std::string out;
  for (const auto& seg : segments) {
    if (!out.empty()) out += ' ';
    const char* open = "";
    const char* close = "";
    char sep = ' ';
    switch (seg.type) {
      case SegmentType::AsSequence: break;
      case SegmentType::AsSet: open = "{"; close = "}"; sep = ','; break;
      case SegmentType::AsConfedSequence: open = "("; close = ")"; break;
      case SegmentType::AsConfedSet: open = "["; close = "]"; sep = ','; break;
    }
    out += open;
    for (std::size_t i = 0; i < seg.asns.size(); ++i) {
      if (i) out += sep;
      out += std::to_string(seg.asns[i]);
    }
    out += close;
  }
  return out;
}

std::size_t AsPath::path_length() const {
  std::size_t n = 0;
  for (const auto& seg : segments) {
    if (seg.type == SegmentType::AsSequence) n += seg.asns.size();
    else if (seg.type == SegmentType::AsSet) n += 1;  // RFC 4271 9.1.2.2 a
  }
  return n;
}

bool AsPath::contains(std::uint32_t asn) const {
  for (const auto& seg : segments)
    for (auto a : seg.asns)
      if (a == asn) return true;
  return false;
}

std::optional<std::uint32_t> AsPath::first_as() const {
  if (segments.empty() || segments.front().type != SegmentType::AsSequence ||
      segments.front().asns.empty())
    return std::nullopt;
  return segments.front().asns.front();
}

std::string LargeCommunity::to_string() const {
  return std::to_string(global_administrator) + ":" + std::to_string(local_data_1) + ":" +
         std::to_string(local_data_2);
}

const char* to_string(ErrorAction action) {
  switch (action) {
    case ErrorAction::SessionReset: return "session-reset";
    case ErrorAction::TreatAsWithdraw: return "treat-as-withdraw";
    case ErrorAction::AttributeDiscard: return "attribute-discard";
  }
  return "?";
}

namespace {
std::string code_name(ErrorCode code, std::uint8_t subcode) {
  static const char* header[] = {"Unspecific", "Connection Not Synchronized", "Bad Message Length",
                                 "Bad Message Type"};
  static const char* open[] = {"Unspecific", "Unsupported Version Number", "Bad Peer AS",
                               "Bad BGP Identifier", "Unsupported Optional Parameter",
                               "Authentication Failure", "Unacceptable Hold Time",
                               "Unsupported Capability"};
  static const char* update[] = {"Unspecific", "Malformed Attribute List",
                                 "Unrecognized Well-known Attribute", "Missing Well-known Attribute",
                                 "Attribute Flags Error", "Attribute Length Error",
                                 "Invalid ORIGIN Attribute", "AS Routing Loop",
                                 "Invalid NEXT_HOP Attribute", "Optional Attribute Error",
                                 "Invalid Network Field", "Malformed AS_PATH"};
  // RFC 4486 3
  static const char* cease[] = {"Unspecific", "Maximum Number of Prefixes Reached",
                                "Administrative Shutdown", "Peer De-configured",
                                "Administrative Reset", "Connection Rejected",
                                "Other Configuration Change", "Connection Collision Resolution",
                                "Out of Resources"};
  auto pick = [subcode](const char* const* names, std::size_t n) -> std::string {
    return subcode < n ? names[subcode] : "subcode " + std::to_string(subcode);
  };
  switch (code) {
    case ErrorCode::MessageHeaderError: return "Message Header Error/" + pick(header, 4);
    case ErrorCode::OpenMessageError: return "OPEN Message Error/" + pick(open, 8);
    case ErrorCode::UpdateMessageError: return "UPDATE Message Error/" + pick(update, 12);
    case ErrorCode::HoldTimerExpired: return "Hold Timer Expired";
    case ErrorCode::FiniteStateMachineError: return "Finite State Machine Error";
    case ErrorCode::Cease: return "Cease/" + pick(cease, 9);
    case ErrorCode::RouteRefreshMessageError:
      return subcode == 1 ? "ROUTE-REFRESH Message Error/Invalid Message Length"
                          : "ROUTE-REFRESH Message Error/subcode " + std::to_string(subcode);
  }
  return "error code " + std::to_string(static_cast<int>(code));
}
}  // namespace

std::string Notification::to_string() const { return code_name(code, subcode); }

std::string WireError::to_string() const {
  return what + " [" + code_name(code, subcode) + ", " + hairpin::bgpd::to_string(action) + "]";
}

}  // namespace hairpin::bgpd
