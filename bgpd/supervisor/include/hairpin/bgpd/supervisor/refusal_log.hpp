#pragma once
// Which refused BGP connections get a log line: a stranger knocking at port 179
// every second must not fill the log, yet the first knock from each address is
// seen. Pure: the time is passed in.
//
// In:  each refusal the supervisor decided (RefuseConnection: from, reason) and
//      the time it happened.
// Out: the line to log, or nothing. Per window (60 s by default): the first
//      refusal of each (address, reason) is logged, at most `lines_per_window`
//      lines in all; the rest are counted, and the first line of a later window
//      says how many were not logged.
// Who: the daemon (nva_daemon.cpp carry_out(RefuseConnection)); tests feed times.

#include <chrono>
#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "hairpin/common/ipv4.hpp"

namespace hairpin::bgpd {

class RefusalLog {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RefusalLog(std::chrono::seconds window = std::chrono::seconds{60}, std::size_t lines_per_window = 8)
      : window_(window), lines_per_window_(lines_per_window) {}

  std::optional<std::string> refused(Ipv4Address from, const std::string& reason, Clock::time_point now);

 private:
  std::chrono::seconds window_;
  std::size_t lines_per_window_;
  std::optional<Clock::time_point> window_start_;
  std::set<std::pair<Ipv4Address, std::string>> logged_;  // in this window
  std::size_t lines_ = 0;                                  // in this window
  std::size_t unlogged_ = 0;                               // since the last line
};

}  // namespace hairpin::bgpd
