#pragma once
// Delay line: a userspace stand-in for netem on kernels without sch_netem.
//
// In:  two interfaces (the ends of one ExpressRoute circuit) and a one-way delay.
// Out: every frame seen on one interface is sent out of the other after the
//      delay, both ways, in order. Runs until SIGTERM/SIGINT.
// Who: `hairpin lab delay-line`, started by the lab inside a circuit namespace.

#include <chrono>
#include <string>

#include "hairpin/common/result.hpp"

namespace hairpin::verifier {

struct DelayLineOptions {
  std::string a;
  std::string b;
  std::chrono::nanoseconds delay{0};
  std::string pidfile;  // written once both ends are open
  std::string log;      // one line at start and at stop
};

Status run_delay_line(const DelayLineOptions& options);

}  // namespace hairpin::verifier
