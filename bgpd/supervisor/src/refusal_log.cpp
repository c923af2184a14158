#include "hairpin/bgpd/supervisor/refusal_log.hpp"

namespace hairpin::bgpd {

std::optional<std::string> RefusalLog::refused(Ipv4Address from, const std::string& reason, Clock::time_point now) {
  if (!window_start_ || now - *window_start_ >= window_) {
    window_start_ = now;
    logged_.clear();
    lines_ = 0;
  }
  if (lines_ >= lines_per_window_ || !logged_.insert({from, reason}).second) {
    ++unlogged_;
    return std::nullopt;
  }
  ++lines_;
  std::string line = "connection from " + from.to_string() + " refused: " + reason;
  if (unlogged_ > 0)
    line += " (" + std::to_string(unlogged_) + " more refusal" + (unlogged_ == 1 ? "" : "s") + " not logged before this)";
  unlogged_ = 0;
  return line;
}

}  // namespace hairpin::bgpd
