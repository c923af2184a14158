// The stalled-peer decision (output_queue.hpp says the rule).

#include "hairpin/bgpd/daemon/output_queue.hpp"

namespace hairpin::bgpd {

OutputQueueVerdict judge_output_queue(const OutputQueueState& s, const OutputQueueLimits& limits) {
  if (s.queued_bytes == 0) return {};
  if (s.queued_bytes > limits.max_bytes)
    return {true, std::to_string(s.queued_bytes) + " bytes queued, more than the limit of " +
                      std::to_string(limits.max_bytes)};
  const auto limit = s.hold_time ? std::chrono::seconds{s.hold_time} : limits.stall_without_hold;
  if (s.stalled_for <= limit) return {};
  return {true, std::to_string(s.queued_bytes) + " bytes queued and nothing written for " +
                    std::to_string(std::chrono::duration_cast<std::chrono::seconds>(s.stalled_for).count()) +
                    " s (" + (s.hold_time ? "hold time " : "no hold time; limit ") +
                    std::to_string(limit.count()) + " s)"};
}

}  // namespace hairpin::bgpd
