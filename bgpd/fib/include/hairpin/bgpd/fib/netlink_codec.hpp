#pragma once
// rtnetlink bytes <-> the values of kernel_types.hpp, with libmnl. Pure: no
// sockets.
//
// In:  a KernelRequest and its sequence number; netlink datagrams from the kernel.
// Out: one nlmsg per request (appended to a buffer, so a batch is many of them
//      back to back); decoded routes, nexthop objects, links, addresses, errors.
//
// Requests carry NLM_F_REQUEST only, no NLM_F_ACK: the kernel answers only the
// ones it refuses (netlink_rcv_skb), with an nlmsgerr whose nlmsg_seq is the
// request's, which is how a refusal finds its prefix.

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "hairpin/bgpd/fib/kernel_types.hpp"

namespace hairpin::bgpd {

// Upper bound of the bytes encode_request appends for `request`.
std::size_t max_request_bytes(const KernelRequest& request);
// Appends the nlmsg for `request` (NLM_F_REQUEST, `seq`) at `out`, which has at
// least max_request_bytes(request) bytes; returns the bytes written.
std::size_t encode_request(const KernelRequest& request, std::uint32_t seq, std::uint8_t* out);
std::vector<std::uint8_t> encode_request(const KernelRequest& request, std::uint32_t seq);

enum class DumpKind : std::uint8_t { Routes, Nexthops, Links, Addresses };
std::vector<std::uint8_t> encode_dump(DumpKind kind, std::uint32_t seq);

struct RouteMessage { KernelRoute route; bool deleted = false; };
struct NexthopMessage { KernelNexthopObject object; bool deleted = false; };
struct LinkMessage { KernelLink link; bool deleted = false; };
struct AddressMessage { KernelAddress address; bool deleted = false; };
struct ErrorMessage {
  std::uint32_t seq = 0;
  int error = 0;        // positive errno; 0 is an ACK
  std::string message;  // NLMSGERR_ATTR_MSG (extended ack), if any
};
struct DoneMessage {};
using NetlinkMessage =
    std::variant<RouteMessage, NexthopMessage, LinkMessage, AddressMessage, ErrorMessage, DoneMessage>;

struct DecodeFilter {
  // Route messages of these protocols are dropped after reading the rtmsg
  // header, before any attribute is parsed: the kernel echoes each of our own
  // BGP route writes to the route group, up to 1M of them in a burst.
  std::array<bool, 256> skip_route_protocol{};
};

// The request that encode_request wrote at the start of `message` (its first
// nlmsg), read back; nullopt for anything else (or an IPv4 route it cannot
// read). NetlinkFib keeps only the bytes of requests in flight, and reads a
// refused one back from them.
std::optional<KernelRequest> decode_request(std::span<const std::uint8_t> message);

// Walks the netlink messages of `datagram` and hands each one it understands
// (IPv4 routes, nexthop objects, links, IPv4 addresses, errors, done) to
// `on_message`; others are passed over. Returns false if a message is truncated.
bool decode_messages(std::span<const std::uint8_t> datagram, const DecodeFilter& filter,
                     const std::function<void(const NetlinkMessage&)>& on_message);

}  // namespace hairpin::bgpd
