#pragma once
// What two speakers agreed in their OPEN exchange (RFC 4271 4.2, RFC 5492): the
// codec's context for the rest of the session. The FSM produces it when the
// session comes up; the RIB and the daemon read it.

#include <cstdint>

#include "hairpin/bgpd/wire/message_codec.hpp"
#include "hairpin/bgpd/wire/wire_types.hpp"

namespace hairpin::bgpd {

struct Negotiated {
  std::uint32_t peer_as = 0;
  Ipv4Address peer_router_id;
  std::uint16_t hold_time = 0;  // 0: no hold or keepalive timers
  std::uint16_t keepalive = 0;
  bool four_octet_as = false;
  bool external = true;  // peer AS differs from ours (RFC 4271 5.1.5, RFC 7606 7.5/7.9/7.10)
  bool route_refresh = false;
  bool enhanced_route_refresh = false;
  Capabilities peer_capabilities;
  CodecContext codec() const { return CodecContext{four_octet_as, external, std::nullopt}; }
  friend bool operator==(const Negotiated&, const Negotiated&) = default;
};

}  // namespace hairpin::bgpd
