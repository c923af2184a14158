#pragma once
// Subprocess: runs a local argv with a time limit, its stdout and stderr kept apart.
//
// In:  an argv vector (never a shell string), a time limit, an optional stop flag
//      (set from a SIGINT handler: every wait here wakes at least every 50 ms to look).
// Out: what it did (exit code, stdout, stderr, duration, how it ended), or an Error
//      when it could not be started at all (the program is missing or not executable).
// Who: every Runner (local, netns, ssh): each turns its argv into a local argv
//      (`ip netns exec NS ...`, `ssh ... HOST LINE`) and hands it here.
//
// Every child gets stdin on /dev/null and its own process group, so a timeout or an
// interrupt kills what it started too, and a terminal's ^C reaches only us: we decide
// how our children stop.

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "hairpin/common/result.hpp"

namespace hairpin::verifier {

enum class Ending {
  Exited,       // it ended by itself (exit_code is its status, 128+N for signal N)
  TimedOut,     // it ran past its time limit and was killed
  Interrupted,  // the stop flag was set (SIGINT) and it was killed
};
std::string to_string(Ending ending);

struct RunOutput {
  int exit_code = 0;  // exit status, or 128 + N when signal N ended it (as sh reports it)
  std::string out;    // stdout
  std::string err;    // stderr
  std::chrono::milliseconds duration{0};
  Ending ending = Ending::Exited;

  bool succeeded() const { return ending == Ending::Exited && exit_code == 0; }
  // The last non-empty line of stderr (else stdout): the reason, for one-line errors.
  std::string last_line() const;
};

using StopFlag = std::atomic<bool>;

// Runs argv to completion (or the limit). Error only when it could not start.
Result<RunOutput> run_subprocess(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                                 const StopFlag* stop = nullptr);

// A process started in the background, its output collected as it comes.
// Stopping is a bounded escalation: SIGINT (a capture closes its file cleanly),
// then SIGTERM, then SIGKILL, each after `grace`. Destroying it stops it.
class BackgroundProcess {
 public:
  enum class Stream { Out, Err };
  // How to send a signal to what runs: by default kill(2) on the local child; the
  // ssh runner sends it to the remote process instead (`kill -INT PID` over ssh).
  using Signaller = std::function<void(int signal)>;

  static Result<std::unique_ptr<BackgroundProcess>> start(const std::vector<std::string>& argv);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  pid_t pid() const { return pid_; }
  void set_signaller(Signaller signaller) { signaller_ = std::move(signaller); }

  // True once `needle` has appeared on the stream; false when the limit passed, the
  // process ended without writing it, or the stop flag was set. A bounded poll.
  bool wait_for_output(std::string_view needle, Stream stream, std::chrono::milliseconds limit,
                       const StopFlag* stop = nullptr);
  // The first line of a stream once it is complete (the ssh runner's remote pid).
  std::optional<std::string> wait_for_first_line(Stream stream, std::chrono::milliseconds limit,
                                                 const StopFlag* stop = nullptr);
  bool running();
  // Stops it (if still running) and returns everything it wrote. `ending` is
  // Exited when it ended by itself or on SIGINT/SIGTERM, TimedOut when only
  // SIGKILL ended it.
  RunOutput stop(std::chrono::milliseconds grace);
  // Waits for it to end by itself (bounded), then as stop().
  RunOutput wait(std::chrono::milliseconds limit, std::chrono::milliseconds grace);

 private:
  BackgroundProcess() = default;
  void read_loop();
  bool reap(std::chrono::milliseconds limit);
  RunOutput finish(Ending ending);

  pid_t pid_ = -1;
  int out_fd_ = -1, err_fd_ = -1;
  std::chrono::steady_clock::time_point started_;
  std::thread reader_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::string out_, err_;
  bool eof_ = false;
  bool reaped_ = false;
  int exit_code_ = 0;
  bool finished_ = false;
  std::atomic<bool> quit_{false};
  Signaller signaller_;
};

}  // namespace hairpin::verifier
