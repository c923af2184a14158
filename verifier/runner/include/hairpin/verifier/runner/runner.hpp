#pragma once
// Runner: where a step of `hairpin verify` runs: here, in a named network
// namespace, or on another host over ssh.
//
// In:  a RunnerTarget (what the scenario says about a host: kind, namespace or
//      ssh destination, the hairpin binary there), then argv vectors.
// Out: for each argv: its exit code, stdout, stderr and duration (RunOutput), or
//      an Error that names the host and why it cannot be reached (namespace
//      missing, ssh refused, host key unknown, hairpin not installed there).
//      Long-running steps (a capture) run as a RunningStep that stops on request.
//      Files come back whole (fetch).
// Who: verifier/gather (BGP state, capture, traces, kernel routes), the CLI, the
//      lab tests. Every step has a time limit; nothing here builds a shell string
//      except remote_command_line (common/shell_quote.hpp), for ssh.
//
// Kinds:
//   local  argv as is.
//   netns  `ip netns exec NAME argv...` (iproute2 enters the namespace and execs:
//          same pid, so signals reach the program itself). Any namespace listed in
//          /run/netns, not only the lab's.
//   ssh    `ssh -T -o BatchMode=yes -o ConnectTimeout=N [options] -- HOST LINE`,
//          LINE = remote_command_line(argv). BatchMode: a password or passphrase
//          prompt fails at once instead of hanging; host keys are checked as the
//          user's ssh config says (nothing here relaxes StrictHostKeyChecking).
//          ssh exits 255 on its own errors: that is "unreachable", not the step's
//          exit code.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hairpin/common/result.hpp"
#include "hairpin/verifier/runner/subprocess.hpp"

namespace hairpin::verifier {

enum class RunnerKind { Local, Netns, Ssh };
std::string to_string(RunnerKind kind);
Result<RunnerKind> parse_runner_kind(const std::string& name);

struct RunnerTarget {
  RunnerKind kind = RunnerKind::Local;
  std::string name;                      // the host's name in messages ("nva", "site vm-hub100")
  std::string netns;                     // netns: the namespace (as in `ip netns list`)
  std::string ssh_destination;           // ssh: [user@]host, or a Host alias of ~/.ssh/config
  std::optional<int> ssh_port;           // ssh: -p
  std::string ssh_identity;              // ssh: -i FILE
  std::string ssh_config;                // ssh: -F FILE
  std::vector<std::string> ssh_options;  // ssh: more -o KEY=VALUE (e.g. UserKnownHostsFile=...)
  std::chrono::seconds connect_timeout{5};  // ssh: ConnectTimeout
  std::string hairpin;                   // the hairpin binary there; empty: this binary (local,
                                         // netns), "hairpin" on the remote PATH (ssh)
};

// The local argv that runs `argv` on the target (pure: the tests read it).
// Error when argv cannot be carried (empty, a NUL byte for ssh).
Result<std::vector<std::string>> wrap_argv(const RunnerTarget& target, const std::vector<std::string>& argv);

// A step running in the background on a runner (a capture during the traces).
class RunningStep {
 public:
  virtual ~RunningStep() = default;
  virtual const std::vector<std::string>& argv() const = 0;
  virtual bool running() = 0;
  // SIGINT, then SIGTERM, then SIGKILL, `grace` apart; everything it wrote.
  virtual RunOutput stop(std::chrono::milliseconds grace) = 0;
};

// Where steps run. ProcessRunner is the real one (local, netns, ssh); the
// gathering tests replay recorded outputs through one of their own.
class Runner {
 public:
  virtual ~Runner() = default;

  // "nva (netns hp-vm-hub00)", "site-a (ssh admin@10.1.2.3)", "here (local)"
  virtual std::string describe() const = 0;
  // argv[0] for hairpin on that side.
  virtual const std::string& hairpin() const = 0;

  // Can steps run there at all? Runs `hairpin --help` there: a missing namespace,
  // an ssh failure or a missing hairpin becomes one Error naming the host, why,
  // and the fix.
  virtual Status check(std::chrono::milliseconds timeout) const = 0;

  // Runs argv there to completion or the limit (then killed: ending TimedOut; or
  // Interrupted when the stop flag was set). Error: the target is unreachable or
  // the program could not be started; the step's own failure is its exit code.
  virtual Result<RunOutput> run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) const = 0;
  // As run(), but it runs even after the stop flag is set (still bounded): for
  // stopping and removing what a step left behind after ^C.
  virtual Result<RunOutput> run_cleanup(const std::vector<std::string>& argv,
                                        std::chrono::milliseconds timeout) const = 0;

  // Starts argv there in the background. `ready` (if not empty) must appear on
  // its stderr within `ready_timeout`, else it is stopped and this is an Error
  // carrying what it wrote. The step must not outlive its runner.
  virtual Result<std::unique_ptr<RunningStep>> start(const std::vector<std::string>& argv, const std::string& ready,
                                                     std::chrono::milliseconds ready_timeout) const = 0;

  // Copies a file there to `local_path` here, written whole (temp + rename).
  // Returns the byte count.
  virtual Result<std::size_t> fetch(const std::string& remote_path, const std::string& local_path,
                                    std::chrono::milliseconds timeout) const = 0;
};

// The runner of a RunnerTarget, by running local processes (subprocess.hpp).
class ProcessRunner final : public Runner {
 public:
  // `self_hairpin`: this binary, used for hairpin on local and netns targets
  // unless the target names one. `stop`: the SIGINT flag every wait looks at.
  explicit ProcessRunner(RunnerTarget target, std::string self_hairpin = "hairpin", const StopFlag* stop = nullptr);

  const RunnerTarget& target() const { return target_; }
  std::string describe() const override;
  const std::string& hairpin() const override { return hairpin_; }
  Status check(std::chrono::milliseconds timeout) const override;
  Result<RunOutput> run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) const override;
  Result<RunOutput> run_cleanup(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) const override;
  Result<std::unique_ptr<RunningStep>> start(const std::vector<std::string>& argv, const std::string& ready,
                                             std::chrono::milliseconds ready_timeout) const override;
  // Runs `cat -- PATH` there (binary-safe through the pipe).
  Result<std::size_t> fetch(const std::string& remote_path, const std::string& local_path,
                            std::chrono::milliseconds timeout) const override;

  // The transport's own failures (ssh 255, iproute2 cannot enter the namespace),
  // as an Error naming the host; nullopt when `output` is the step's own result.
  std::optional<Error> transport_error(const RunOutput& output) const;

 private:
  Result<RunOutput> run_with(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                             const StopFlag* stop) const;

  RunnerTarget target_;
  std::string hairpin_;
  const StopFlag* stop_;
};

}  // namespace hairpin::verifier
