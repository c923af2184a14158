#pragma once
// When a session's output queue means the peer stopped reading: the decision,
// pure (the daemon measures its write queue once a second and feeds this).
//
// In:  one connection's write queue: bytes waiting (not yet handed to the kernel
//      whole), and how long since the last message was written out while something
//      waited; the session's negotiated hold time; the limits.
// Out: keep going, or close the session with NOTIFICATION Cease/Out of Resources
//      (RFC 4486 3, subcode 8), with the reason for the one log line.
//
// Rule: a peer that keeps its TCP window at zero (it stopped reading but its
// KEEPALIVEs still arrive, so its hold timer never fires here) makes the queue
// grow without bound. Close when nothing could be written for longer than the hold
// time (the peer would have dropped us by now had we been silent that long:
// RFC 4271 4.4), or at once when more than `max_bytes` wait (memory for one
// session is bounded, whatever the hold time). Writes are asynchronous, so other
// sessions never wait on this one meanwhile; this bounds what it costs.

#include <chrono>
#include <cstdint>
#include <string>

namespace hairpin::bgpd {

struct OutputQueueLimits {
  std::uint64_t max_bytes = 256ull << 20;  // 256 MiB: several full tables in flight
  // With hold time 0 (no keepalives, RFC 4271 4.2) the stall limit is this.
  std::chrono::seconds stall_without_hold{180};
};

struct OutputQueueState {
  std::uint64_t queued_bytes = 0;
  std::chrono::milliseconds stalled_for{0};  // since the last write completed, while bytes waited
  std::uint16_t hold_time = 0;               // negotiated (0: none)
};

struct OutputQueueVerdict {
  bool close = false;
  std::string why;  // "1234567 bytes queued and nothing written for 4 s (hold time 3 s)"
};

OutputQueueVerdict judge_output_queue(const OutputQueueState& state, const OutputQueueLimits& limits = {});

}  // namespace hairpin::bgpd
