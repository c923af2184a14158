#include "hairpin/verifier/runner/runner.hpp"

#include <signal.h>

#include <filesystem>

#include "hairpin/common/file_io.hpp"
#include "hairpin/common/shell_quote.hpp"

namespace hairpin::verifier {

namespace {

using std::chrono::milliseconds;

// The remote half of a background step over ssh: the shell prints its own pid and
// then execs the program, so that pid is the program's and `kill -INT PID` over a
// second connection reaches it (an ssh client ending does not signal the remote
// side when there is no terminal).
const std::string kPidThenExec = "echo $$; exec \"$@\"";

std::string seconds_for_timeout(milliseconds limit) {
  // coreutils timeout(1) takes fractional seconds.
  return std::to_string(limit.count() / 1000) + "." + std::to_string((limit.count() % 1000) / 100) + "s";
}

bool namespace_exists(const std::string& ns) {
  std::error_code ec;
  return std::filesystem::exists("/run/netns/" + ns, ec);
}

std::string listed_namespaces() {
  std::error_code ec;
  std::string out;
  for (const auto& e : std::filesystem::directory_iterator("/run/netns", ec))
    out += (out.empty() ? "" : ", ") + e.path().filename().string();
  return out.empty() ? "none" : out;
}

// A background step of a ProcessRunner: a local process, or the local ssh client
// of a remote one (then signals go to the remote pid over a second connection).
class ProcessStep final : public RunningStep {
 public:
  ProcessStep(const ProcessRunner& runner, std::unique_ptr<BackgroundProcess> process, std::vector<std::string> argv,
              std::optional<long> remote_pid)
      : runner_(runner), process_(std::move(process)), argv_(std::move(argv)), remote_pid_(remote_pid) {
    if (remote_pid_) {
      process_->set_signaller([this](int sig) {
        const char* name = sig == SIGINT ? "INT" : sig == SIGTERM ? "TERM" : "KILL";
        (void)runner_.run_cleanup({"kill", "-s", name, std::to_string(*remote_pid_)}, std::chrono::seconds(10));
      });
    }
  }
  ~ProcessStep() override {
    if (process_->running()) stop(milliseconds(500));
  }

  const std::vector<std::string>& argv() const override { return argv_; }
  bool running() override { return process_->running(); }

  bool ready(const std::string& needle, milliseconds limit, const StopFlag* stop) {
    return process_->wait_for_output(needle, BackgroundProcess::Stream::Err, limit, stop);
  }

  RunOutput stop(milliseconds grace) override {
    auto out = process_->stop(grace);
    if (remote_pid_) {
      // The first line was the remote shell's pid, not the program's output.
      auto nl = out.out.find('\n');
      out.out = nl == std::string::npos ? "" : out.out.substr(nl + 1);
      if (out.ending == Ending::TimedOut)  // the local client was killed; make sure the far side goes too
        (void)runner_.run_cleanup({"kill", "-s", "KILL", std::to_string(*remote_pid_)}, std::chrono::seconds(10));
    }
    return out;
  }

 private:
  const ProcessRunner& runner_;
  std::unique_ptr<BackgroundProcess> process_;
  std::vector<std::string> argv_;
  std::optional<long> remote_pid_;
};

}  // namespace

std::string to_string(RunnerKind kind) {
  switch (kind) {
    case RunnerKind::Local: return "local";
    case RunnerKind::Netns: return "netns";
    case RunnerKind::Ssh: return "ssh";
  }
  return "?";
}

Result<RunnerKind> parse_runner_kind(const std::string& name) {
  if (name == "local") return RunnerKind::Local;
  if (name == "netns") return RunnerKind::Netns;
  if (name == "ssh") return RunnerKind::Ssh;
  return Error{"unknown runner '" + name + "'", "runner", "use local, netns or ssh"};
}

Result<std::vector<std::string>> wrap_argv(const RunnerTarget& t, const std::vector<std::string>& argv) {
  if (argv.empty()) return Error{"nothing to run", t.name, "give a program and its arguments"};
  switch (t.kind) {
    case RunnerKind::Local: return argv;
    case RunnerKind::Netns: {
      if (t.netns.empty() || t.netns.find('/') != std::string::npos || t.netns == "." || t.netns == "..")
        return Error{"'" + t.netns + "' is not a namespace name", t.name, "name one listed by ip netns list"};
      std::vector<std::string> out{"ip", "netns", "exec", t.netns};
      out.insert(out.end(), argv.begin(), argv.end());
      return out;
    }
    case RunnerKind::Ssh: {
      if (t.ssh_destination.empty() || t.ssh_destination.front() == '-')
        return Error{"'" + t.ssh_destination + "' is not an ssh destination", t.name,
                     "give [user@]host or a Host alias from ~/.ssh/config"};
      auto line = remote_command_line(argv);
      if (!line) return Error{line.error().what, t.name + " (ssh " + t.ssh_destination + ")", line.error().fix};
      // ssh_config(5): the first value obtained wins. BatchMode first, so nothing
      // turns the prompt back on; the user's options before our ConnectTimeout, so
      // theirs wins.
      std::vector<std::string> out{"ssh", "-T", "-o", "BatchMode=yes"};
      if (t.ssh_port) out.insert(out.end(), {"-p", std::to_string(*t.ssh_port)});
      if (!t.ssh_identity.empty()) out.insert(out.end(), {"-i", t.ssh_identity});
      if (!t.ssh_config.empty()) out.insert(out.end(), {"-F", t.ssh_config});
      for (const auto& o : t.ssh_options) out.insert(out.end(), {"-o", o});
      out.insert(out.end(),
                 {"-o", "ConnectTimeout=" + std::to_string(std::max<long long>(1, t.connect_timeout.count()))});
      out.insert(out.end(), {"--", t.ssh_destination, *line});
      return out;
    }
  }
  return Error{"unknown runner kind", t.name, ""};
}

ProcessRunner::ProcessRunner(RunnerTarget target, std::string self_hairpin, const StopFlag* stop)
    : target_(std::move(target)), stop_(stop) {
  if (!target_.hairpin.empty())
    hairpin_ = target_.hairpin;
  else
    hairpin_ = target_.kind == RunnerKind::Ssh ? "hairpin" : std::move(self_hairpin);
}

std::string ProcessRunner::describe() const {
  const std::string name = target_.name.empty() ? "host" : target_.name;
  switch (target_.kind) {
    case RunnerKind::Local: return name + " (local)";
    case RunnerKind::Netns: return name + " (netns " + target_.netns + ")";
    case RunnerKind::Ssh: return name + " (ssh " + target_.ssh_destination + ")";
  }
  return name;
}

std::optional<Error> ProcessRunner::transport_error(const RunOutput& o) const {
  if (o.ending != Ending::Exited) return std::nullopt;
  if (target_.kind == RunnerKind::Ssh && o.exit_code == 255)  // ssh(1): 255 is ssh's own error
    return Error{"cannot reach it over ssh: " + o.last_line(), describe(),
                 "check that `ssh " + target_.ssh_destination +
                     "` works without a prompt (BatchMode: keys or an agent, and its host key in known_hosts)"};
  if (target_.kind == RunnerKind::Netns && o.exit_code != 0) {
    // iproute2's own messages when it cannot enter the namespace (netns_switch).
    const std::string line = o.last_line();
    if (o.err.rfind("Cannot open network namespace", 0) == 0 || o.err.find("setting the network namespace") != std::string::npos)
      return Error{"cannot enter the namespace: " + line, describe(),
                   "run as root (ip netns exec needs CAP_SYS_ADMIN), and name a namespace listed by ip netns list"};
  }
  return std::nullopt;
}

Result<RunOutput> ProcessRunner::run(const std::vector<std::string>& argv, milliseconds timeout) const {
  return run_with(argv, timeout, stop_);
}

Result<RunOutput> ProcessRunner::run_cleanup(const std::vector<std::string>& argv, milliseconds timeout) const {
  return run_with(argv, timeout, nullptr);
}

Result<RunOutput> ProcessRunner::run_with(const std::vector<std::string>& argv, milliseconds timeout,
                                          const StopFlag* stop) const {
  if (target_.kind == RunnerKind::Netns && !namespace_exists(target_.netns))
    return Error{"network namespace '" + target_.netns + "' does not exist (there are: " + listed_namespaces() + ")",
                 describe(), "create it, or name an existing one in the scenario (hairpin lab up for the lab's)"};
  std::vector<std::string> remote = argv;
  if (target_.kind == RunnerKind::Ssh && !argv.empty()) {
    // Bounded on the far side too: a dropped connection does not stop a remote
    // program that has no terminal, coreutils timeout(1) does.
    remote = {"timeout", "-k", "1", seconds_for_timeout(timeout)};
    remote.insert(remote.end(), argv.begin(), argv.end());
  }
  auto wrapped = wrap_argv(target_, remote);
  if (!wrapped) return wrapped.error();
  auto r = run_subprocess(*wrapped, timeout, stop);
  if (!r) return Error{r.error().what, describe(), r.error().fix};
  if (auto e = transport_error(*r)) return *e;
  return r;
}

Status ProcessRunner::check(milliseconds timeout) const {
  auto r = run({hairpin_, "--help"}, timeout);
  if (!r) return r.error();
  if (r->ending == Ending::TimedOut)
    return Error{"no answer within " + std::to_string(timeout.count()) + " ms", describe(),
                 "check that the host is up and reachable"};
  if (r->ending == Ending::Interrupted) return Error{"interrupted", describe(), ""};
  if (r->exit_code == 127)  // sh: command not found
    return Error{"hairpin is not installed there (" + hairpin_ + ": " + r->last_line() + ")", describe(),
                 "install hairpin on it, or give its path as the runner's hairpin: in the scenario"};
  if (r->exit_code != 0)
    return Error{"hairpin does not run there (" + hairpin_ + " --help exit " + std::to_string(r->exit_code) +
                     ": " + r->last_line() + ")",
                 describe(), "install a working hairpin there"};
  return Ok{};
}

Result<std::unique_ptr<RunningStep>> ProcessRunner::start(const std::vector<std::string>& argv, const std::string& ready,
                                                   milliseconds ready_timeout) const {
  if (target_.kind == RunnerKind::Netns && !namespace_exists(target_.netns))
    return Error{"network namespace '" + target_.netns + "' does not exist (there are: " + listed_namespaces() + ")",
                 describe(), "create it, or name an existing one in the scenario"};
  std::vector<std::string> remote = argv;
  if (target_.kind == RunnerKind::Ssh) {
    remote = {"sh", "-c", kPidThenExec, "sh"};
    remote.insert(remote.end(), argv.begin(), argv.end());
  }
  auto wrapped = wrap_argv(target_, remote);
  if (!wrapped) return wrapped.error();
  auto process = BackgroundProcess::start(*wrapped);
  if (!process) return Error{process.error().what, describe(), process.error().fix};
  auto& p = *process.value();
  std::optional<long> remote_pid;
  if (target_.kind == RunnerKind::Ssh) {
    auto line = p.wait_for_first_line(BackgroundProcess::Stream::Out, ready_timeout, stop_);
    if (!line) {
      auto out = p.stop(milliseconds(200));
      if (auto e = transport_error(out)) return *e;
      return Error{"could not start " + argv.front() + " in the background: " + out.last_line(), describe(),
                   "run it there by hand to see why"};
    }
    try {
      remote_pid = std::stol(*line);
    } catch (const std::exception&) {
      p.stop(milliseconds(200));
      return Error{"the remote shell did not print its pid (got '" + *line + "')", describe(),
                   "the remote login shell must be a POSIX shell"};
    }
  }
  auto step = std::make_unique<ProcessStep>(*this, std::move(process.value()), argv, remote_pid);
  if (!ready.empty() && !step->ready(ready, ready_timeout, stop_)) {
    auto out = step->stop(milliseconds(500));
    if (auto e = transport_error(out)) return *e;
    const std::string why = out.last_line().empty() ? "no output" : out.last_line();
    return Error{argv.front() + " did not get ready within " + std::to_string(ready_timeout.count()) + " ms (" +
                     why + ")",
                 describe(), "run it there by hand to see why"};
  }
  return std::unique_ptr<RunningStep>(std::move(step));
}

Result<std::size_t> ProcessRunner::fetch(const std::string& remote_path, const std::string& local_path,
                                  milliseconds timeout) const {
  if (target_.kind != RunnerKind::Ssh) {
    // Same files here: `ip netns exec` changes the network namespace and remounts
    // /sys, nothing else a path can see.
    auto bytes = read_whole_file(remote_path);
    if (!bytes) return Error{"cannot fetch " + remote_path + ": cannot read it", describe(), "check that the file exists"};
    if (auto s = write_file_atomically(local_path, *bytes); !s) return s.error();
    return bytes->size();
  }
  auto r = run({"cat", "--", remote_path}, timeout);
  if (!r) return r.error();
  if (!r->succeeded())
    return Error{"cannot fetch " + remote_path + ": " +
                     (r->ending == Ending::Exited ? r->last_line() : to_string(r->ending)),
                 describe(), "check that the file exists there"};
  if (auto s = write_file_atomically(local_path, r->out); !s) return s.error();
  return r->out.size();
}

}  // namespace hairpin::verifier
