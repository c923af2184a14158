#pragma once
// KernelPort: where NetlinkFib's bytes go. The real one is a pair of rtnetlink
// sockets (netlink_socket.hpp); unit tests use a fake kernel that decodes the
// requests with the codec and answers like the kernel does.
//
// In:  datagrams of whole netlink messages (requests, or one dump request).
// Out: the error replies the kernel queued for them; dump replies.

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "hairpin/common/result.hpp"

namespace hairpin::bgpd {

class KernelPort {
 public:
  virtual ~KernelPort() = default;
  // One sendmsg. rtnetlink handles the requests inside the sendmsg call
  // (netlink_unicast_kernel -> rtnetlink_rcv, synchronously), so when it returns
  // every reply is already queued; requests carry no NLM_F_ACK, so only errors
  // come back (netlink_rcv_skb acks only on NLM_F_ACK or an error).
  virtual Status send(std::span<const std::uint8_t> datagram) = 0;
  // The replies queued for what was sent (netlink messages), without waiting.
  virtual std::vector<std::uint8_t> take_replies() = 0;
  // Sends a dump request (NLM_F_DUMP) and hands each reply datagram to
  // `on_datagram` until NLMSG_DONE; a dump the kernel refuses is an Error whose
  // `what` is the errno text. Interrupted: the kernel flagged a reply
  // NLM_F_DUMP_INTR (the table changed while it was read, so what was handed
  // over may miss or repeat entries; the caller reads again).
  enum class DumpOutcome { Whole, Interrupted };
  virtual Result<DumpOutcome> dump(std::span<const std::uint8_t> request,
                                   const std::function<void(std::span<const std::uint8_t>)>& on_datagram) = 0;
};

}  // namespace hairpin::bgpd
