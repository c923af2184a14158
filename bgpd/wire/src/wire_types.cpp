// Text forms of wire values, in the notation FRR prints, so `show` output and logs
// read like vtysh.

#include "hairpin/bgpd/wire/wire_types.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace hairpin::bgpd {

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
