#include "hairpin/verifier/runner/subprocess.hpp"

#include "hairpin/common/exec_error.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace hairpin::verifier {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kStopPoll{50};  // how often a wait looks at the stop flag

Error exec_error(const std::vector<std::string>& argv, int err) {
  return hairpin::exec_error(argv, err, "scripts/setup installs what hairpin needs");
}

Error system_error(const std::string& what, const std::vector<std::string>& argv) {
  return Error{what + ": " + std::strerror(errno), argv.empty() ? "" : argv.front(), "check system limits"};
}

struct Spawned {
  pid_t pid = -1;
  int out_fd = -1;
  int err_fd = -1;
};

void close_all(std::initializer_list<int> fds) {
  for (int fd : fds)
    if (fd >= 0) close(fd);
}

// fork + exec with stdin on /dev/null, stdout and stderr on pipes, its own process
// group. Pipes are O_CLOEXEC so children started concurrently from other threads
// never inherit each other's ends (a leaked write end would hold off EOF).
Result<Spawned> spawn(const std::vector<std::string>& argv) {
  if (argv.empty()) return Error{"nothing to run", "", "give a program and its arguments"};
  int out_pipe[2], err_pipe[2], exec_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return system_error("cannot create a pipe", argv);
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close_all({out_pipe[0], out_pipe[1]});
    return system_error("cannot create a pipe", argv);
  }
  if (pipe2(exec_pipe, O_CLOEXEC) != 0) {
    close_all({out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]});
    return system_error("cannot create a pipe", argv);
  }
  std::vector<char*> args;  // built before fork: the child only calls async-signal-safe functions
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    close_all({out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1], exec_pipe[0], exec_pipe[1]});
    return system_error("cannot fork", argv);
  }
  if (pid == 0) {
    setpgid(0, 0);
    // SIGINT may be ignored or handled by the parent; the child starts with the default.
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    int null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    // Nothing else we hold crosses the exec: not another step's pipe, and not a
    // lock a caller took for us (a `flock LOCK hairpin verify` must end with us).
    close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    execvp(args[0], args.data());
    int err = errno;
    (void)!write(exec_pipe[1], &err, sizeof err);
    _exit(127);
  }
  setpgid(pid, pid);  // also in the parent: no race with an early kill(-pid)
  close_all({out_pipe[1], err_pipe[1], exec_pipe[1]});
  int err = 0;
  ssize_t n;
  do n = read(exec_pipe[0], &err, sizeof err);
  while (n < 0 && errno == EINTR);
  close(exec_pipe[0]);
  if (n == static_cast<ssize_t>(sizeof err)) {
    close_all({out_pipe[0], err_pipe[0]});
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return exec_error(argv, err);
  }
  return Spawned{pid, out_pipe[0], err_pipe[0]};
}

int exit_code_of(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

// Non-blocking reap, polled until `deadline`: true and the code once it has ended.
bool reap_until(pid_t pid, Clock::time_point deadline, int& code, const StopFlag* stop) {
  for (;;) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      code = exit_code_of(status);
      return true;
    }
    if (r < 0 && errno != EINTR) {  // not our child any more: nothing to wait for
      code = 128 + SIGKILL;
      return true;
    }
    if (Clock::now() >= deadline || (stop && stop->load())) return false;
    std::this_thread::sleep_for(milliseconds(2));
  }
}

int kill_and_reap(pid_t pid) {
  kill(-pid, SIGKILL);
  kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return exit_code_of(status);
}

// Reads whatever is ready on the open fds into the strings; closes (and sets to
// -1) an fd at EOF. Waits at most `wait`.
void pump(int& out_fd, int& err_fd, std::string& out, std::string& err, milliseconds wait) {
  pollfd p[2];
  int n = 0;
  if (out_fd >= 0) p[n++] = {out_fd, POLLIN, 0};
  if (err_fd >= 0) p[n++] = {err_fd, POLLIN, 0};
  if (n == 0) return;
  int ready = poll(p, static_cast<nfds_t>(n), static_cast<int>(std::max<long long>(0, wait.count())));
  if (ready <= 0) return;
  char buf[65536];
  for (int i = 0; i < n; ++i) {
    if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    int& fd = p[i].fd == out_fd ? out_fd : err_fd;
    std::string& into = p[i].fd == out_fd ? out : err;
    ssize_t got = read(fd, buf, sizeof buf);
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (got <= 0) {
      close(fd);
      fd = -1;
      continue;
    }
    into.append(buf, static_cast<std::size_t>(got));
  }
}

}  // namespace

std::string to_string(Ending ending) {
  switch (ending) {
    case Ending::Exited: return "exited";
    case Ending::TimedOut: return "timed out (killed)";
    case Ending::Interrupted: return "interrupted (killed)";
  }
  return "?";
}

std::string RunOutput::last_line() const {
  for (const std::string* text : {&err, &out}) {
    std::string_view s = *text;
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.remove_suffix(1);
    if (s.empty()) continue;
    auto nl = s.rfind('\n');
    return std::string(nl == std::string_view::npos ? s : s.substr(nl + 1));
  }
  return "";
}

Result<RunOutput> run_subprocess(const std::vector<std::string>& argv, milliseconds timeout, const StopFlag* stop) {
  const auto started = Clock::now();
  const auto deadline = started + timeout;
  auto spawned = spawn(argv);
  if (!spawned) return spawned.error();
  auto [pid, out_fd, err_fd] = *spawned;
  RunOutput r;
  Ending ending = Ending::Exited;
  while (out_fd >= 0 || err_fd >= 0) {
    const auto now = Clock::now();
    if (now >= deadline) {
      ending = Ending::TimedOut;
      break;
    }
    if (stop && stop->load()) {
      ending = Ending::Interrupted;
      break;
    }
    auto left = std::chrono::duration_cast<milliseconds>(deadline - now) + milliseconds(1);
    pump(out_fd, err_fd, r.out, r.err, stop ? std::min(left, kStopPoll) : left);
  }
  // Both streams closed: it has ended, or closed them and runs on (bounded by the same limit).
  if (ending == Ending::Exited && !reap_until(pid, deadline, r.exit_code, stop))
    ending = (stop && stop->load()) ? Ending::Interrupted : Ending::TimedOut;
  if (ending != Ending::Exited) r.exit_code = kill_and_reap(pid);
  close_all({out_fd, err_fd});
  r.ending = ending;
  r.duration = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
  return r;
}

// ---------------------------------------------------------------- background

Result<std::unique_ptr<BackgroundProcess>> BackgroundProcess::start(const std::vector<std::string>& argv) {
  std::unique_ptr<BackgroundProcess> p(new BackgroundProcess());
  p->started_ = Clock::now();
  auto spawned = spawn(argv);
  if (!spawned) return spawned.error();
  p->pid_ = spawned->pid;
  p->out_fd_ = spawned->out_fd;
  p->err_fd_ = spawned->err_fd;
  p->reader_ = std::thread([raw = p.get()] { raw->read_loop(); });
  return p;
}

BackgroundProcess::~BackgroundProcess() {
  if (!finished_) stop(milliseconds(500));
}

void BackgroundProcess::read_loop() {
  std::string out, err;
  while ((out_fd_ >= 0 || err_fd_ >= 0) && !quit_.load()) {
    out.clear(), err.clear();
    pump(out_fd_, err_fd_, out, err, kStopPoll);
    if (out.empty() && err.empty() && (out_fd_ >= 0 || err_fd_ >= 0)) continue;
    std::lock_guard lock(mutex_);
    out_ += out;
    err_ += err;
    changed_.notify_all();
  }
  close_all({out_fd_, err_fd_});
  out_fd_ = err_fd_ = -1;
  std::lock_guard lock(mutex_);
  eof_ = true;
  changed_.notify_all();
}

bool BackgroundProcess::wait_for_output(std::string_view needle, Stream stream, milliseconds limit,
                                        const StopFlag* stop) {
  const auto deadline = Clock::now() + limit;
  std::unique_lock lock(mutex_);
  for (;;) {
    const std::string& text = stream == Stream::Out ? out_ : err_;
    if (text.find(needle) != std::string::npos) return true;
    if (eof_ || Clock::now() >= deadline || (stop && stop->load())) return false;
    changed_.wait_for(lock, std::min<milliseconds>(kStopPoll, limit));
  }
}

std::optional<std::string> BackgroundProcess::wait_for_first_line(Stream stream, milliseconds limit,
                                                                  const StopFlag* stop) {
  if (!wait_for_output("\n", stream, limit, stop)) return std::nullopt;
  std::lock_guard lock(mutex_);
  const std::string& text = stream == Stream::Out ? out_ : err_;
  return text.substr(0, text.find('\n'));
}

bool BackgroundProcess::reap(milliseconds limit) {
  if (reaped_) return true;
  reaped_ = reap_until(pid_, Clock::now() + limit, exit_code_, nullptr);
  return reaped_;
}

bool BackgroundProcess::running() { return !reap(milliseconds(0)); }

RunOutput BackgroundProcess::finish(Ending ending) {
  // The process is gone; its pipes close unless something it started holds them.
  {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, milliseconds(500), [this] { return eof_; });
  }
  quit_ = true;
  if (reader_.joinable()) reader_.join();
  finished_ = true;
  RunOutput r;
  r.exit_code = exit_code_;
  r.ending = ending;
  {
    std::lock_guard lock(mutex_);
    r.out = out_;
    r.err = err_;
  }
  r.duration = std::chrono::duration_cast<milliseconds>(Clock::now() - started_);
  return r;
}

RunOutput BackgroundProcess::stop(milliseconds grace) {
  if (finished_) return finish(Ending::Exited);
  if (reap(milliseconds(0))) return finish(Ending::Exited);
  for (int sig : {SIGINT, SIGTERM}) {
    if (signaller_)
      signaller_(sig);
    else
      kill(pid_, sig);
    if (reap(grace)) return finish(Ending::Exited);
  }
  exit_code_ = kill_and_reap(pid_);
  reaped_ = true;
  return finish(Ending::TimedOut);
}

RunOutput BackgroundProcess::wait(milliseconds limit, milliseconds grace) {
  if (reap(limit)) return finish(Ending::Exited);
  return stop(grace);
}

}  // namespace hairpin::verifier
