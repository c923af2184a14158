#include "hairpin/verifier/lab/process.hpp"

#include "hairpin/common/exec_error.hpp"
#include "hairpin/common/shell_quote.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sys/syscall.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace hairpin::verifier {

namespace {

using Clock = std::chrono::steady_clock;

Error exec_error(const std::vector<std::string>& argv, int err) {
  return hairpin::exec_error(argv, err, "scripts/setup installs the lab's tools");
}

// argv as execvp wants it; built before fork so the child only calls exec.
std::vector<char*> c_argv(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const auto& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

// The child's half of the exec-error pipe: on a failed exec it writes errno
// there, so the parent tells "could not run" from "ran". Async-signal-safe only.
// Every descriptor above stderr is closed on exec first: a daemon the lab starts
// must not hold what its caller had open, e.g. the lab lock of
// `flock /tmp/hairpin-lab.lock ctest …` (flock(1) passes its fd to the command),
// which a BIRD or FRR left running would otherwise hold for ever.
[[noreturn]] void exec_or_report(char* const* args, int error_fd) {
  if (syscall(SYS_close_range, 3u, ~0u, CLOSE_RANGE_CLOEXEC) != 0) {
    const long max = sysconf(_SC_OPEN_MAX);  // kernels before 5.11
    for (int fd = 3; fd < (max > 0 ? max : 1024); ++fd) fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
  execvp(args[0], args);
  int err = errno;
  (void)!write(error_fd, &err, sizeof err);
  _exit(127);
}

// The parent's half: 0 once the child has exec'd (the pipe closed on exec), else its errno.
int read_exec_errno(int error_fd) {
  int err = 0;
  ssize_t n;
  do n = read(error_fd, &err, sizeof err);
  while (n < 0 && errno == EINTR);
  close(error_fd);
  return n == static_cast<ssize_t>(sizeof err) ? err : 0;
}

int wait_exit_code(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

Result<ProcessOutput> run_process(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  if (argv.empty()) return Error{"nothing to run", "", "give a program and its arguments"};
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return Error{"cannot create a pipe: " + std::string(std::strerror(errno)), argv[0], "check system limits"};
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]), close(out_pipe[1]);
    return Error{"cannot create a pipe: " + std::string(std::strerror(errno)), argv[0], "check system limits"};
  }
  auto args = c_argv(argv);
  const pid_t pid = fork();
  if (pid < 0) {
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) close(fd);
    return Error{"cannot fork: " + std::string(std::strerror(errno)), argv[0], "check system limits"};
  }
  if (pid == 0) {
    setpgid(0, 0);  // its own group, so a timeout kills what it started too
    int null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    dup2(out_pipe[1], 1);
    dup2(out_pipe[1], 2);
    exec_or_report(args.data(), err_pipe[1]);
  }
  setpgid(pid, pid);  // also here: no race with the kill below
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (int err = read_exec_errno(err_pipe[0]); err != 0) {
    close(out_pipe[0]);
    wait_exit_code(pid);
    return exec_error(argv, err);
  }

  ProcessOutput out;
  const auto deadline = Clock::now() + timeout;
  bool timed_out = false;
  char buf[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{out_pipe[0], POLLIN, 0};
    int ready = poll(&p, 1, static_cast<int>(std::min<long long>(left, 1000)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    ssize_t n = read(out_pipe[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: every writer is gone
    out.output.append(buf, static_cast<std::size_t>(n));
  }
  close(out_pipe[0]);
  if (timed_out) {
    kill(-pid, SIGKILL);
    wait_exit_code(pid);
    return Error{argv[0] + " did not finish within " + std::to_string(timeout.count()) + " ms and was killed",
                 shell_words(argv), "see why it hangs; the output so far: " + out.output.substr(0, 200)};
  }
  out.exit_code = wait_exit_code(pid);
  return out;
}

Status spawn_detached(const std::vector<std::string>& argv, const DetachedOptions& options) {
  if (argv.empty()) return Error{"nothing to run", "", "give a program and its arguments"};
  // Opened here, so an unwritable log or pidfile is the caller's error, not the program's.
  int log_fd = open(options.log.empty() ? "/dev/null" : options.log.c_str(),
                    O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0)
    return Error{"cannot open the log " + options.log + ": " + std::strerror(errno), shell_words(argv),
                 "check that its directory exists and is writable"};
  // The pidfile is written whole: the pid to a temporary file, renamed over it.
  const std::string pid_tmp = options.pidfile.empty() ? "" : options.pidfile + ".tmp";
  int pid_fd = -1;
  if (!options.pidfile.empty()) {
    pid_fd = open(pid_tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (pid_fd < 0) {
      close(log_fd);
      return Error{"cannot write the pidfile " + options.pidfile + ": " + std::strerror(errno), shell_words(argv),
                   "check that its directory exists and is writable"};
    }
  }
  int err_pipe[2];
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(log_fd);
    if (pid_fd >= 0) close(pid_fd);
    return Error{"cannot create a pipe: " + std::string(std::strerror(errno)), argv[0], "check system limits"};
  }
  auto args = c_argv(argv);
  const pid_t pid = fork();
  if (pid < 0) {
    close(err_pipe[0]), close(err_pipe[1]), close(log_fd);
    if (pid_fd >= 0) close(pid_fd);
    return Error{"cannot fork: " + std::string(std::strerror(errno)), argv[0], "check system limits"};
  }
  if (pid == 0) {
    if (fork() != 0) _exit(0);  // the grandchild is adopted by init: we never wait on it
    setsid();
    if (pid_fd >= 0) {  // async-signal-safe only: digits by hand
      char digits[16];
      int n = 0;
      char out[18];
      for (unsigned long v = static_cast<unsigned long>(getpid()); v || n == 0; v /= 10) digits[n++] = char('0' + v % 10);
      int len = 0;
      while (n) out[len++] = digits[--n];
      out[len++] = '\n';
      (void)!write(pid_fd, out, static_cast<std::size_t>(len));
      close(pid_fd);
      rename(pid_tmp.c_str(), options.pidfile.c_str());
    }
    int null = open("/dev/null", O_RDWR);
    dup2(null, 0), dup2(log_fd, 1), dup2(log_fd, 2);
    exec_or_report(args.data(), err_pipe[1]);
  }
  close(err_pipe[1]);
  close(log_fd);
  if (pid_fd >= 0) close(pid_fd);
  wait_exit_code(pid);
  // The grandchild holds the write end until it execs (closed on exec) or fails.
  if (int err = read_exec_errno(err_pipe[0]); err != 0) {
    if (!options.pidfile.empty()) unlink(options.pidfile.c_str());
    return exec_error(argv, err);
  }
  return Ok{};
}

Error replace_process(const std::vector<std::string>& argv) {
  if (argv.empty()) return Error{"nothing to run", "", "give a program and its arguments"};
  auto args = c_argv(argv);
  execvp(args[0], args.data());
  return exec_error(argv, errno);
}

}  // namespace hairpin::verifier
