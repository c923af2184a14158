#pragma once
// Process: the one place the lab starts other programs.
//
// In:  an argv vector (never a shell string: a caller that wants a shell runs
//      {"sh", "-c", ...} itself), a time limit.
// Out: "could not run" as an Error that names the program and how to get it
//      (a missing binary never looks like success), or what it did: its exit
//      code and its output.
// Who: the lab runner (network steps, daemons, observation) and `hairpin lab exec`.

#include <chrono>
#include <string>
#include <vector>

#include "hairpin/common/result.hpp"

namespace hairpin::verifier {

struct ProcessOutput {
  int exit_code = 0;   // its exit status, or 128 + N when signal N ended it (as sh says)
  std::string output;  // stdout and stderr together, in the order written
};

// Runs argv to completion with stdin on /dev/null. Error when it could not be
// started (the program is missing or not executable) or ran longer than
// `timeout` (it and the processes it started in its group are killed first).
Result<ProcessOutput> run_process(const std::vector<std::string>& argv,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(60));

struct DetachedOptions {
  std::string log;      // stdout and stderr appended here ("" = /dev/null)
  std::string pidfile;  // written (whole) with its pid before it execs ("" = none:
                        // the program writes its own)
};

// Starts argv detached (own session, stdin on /dev/null, adopted by init). Error
// when it could not be started (missing program, unwritable log or pidfile).
Status spawn_detached(const std::vector<std::string>& argv, const DetachedOptions& options = {});

// Replaces this process with argv (stdio inherited). Returns only on failure.
Error replace_process(const std::vector<std::string>& argv);

}  // namespace hairpin::verifier
