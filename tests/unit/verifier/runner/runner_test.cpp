// Runners without root or a network: the local runner's exit codes, streams and
// time limits; background steps stopped by SIGINT (and escalation when ignored);
// what the netns and ssh runners would run (pure), and their one-line errors for
// a namespace that is not there and an ssh that cannot connect.

#include "hairpin/verifier/runner/runner.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "hairpin/common/shell_quote.hpp"

using namespace hairpin::verifier;
using namespace std::chrono_literals;

namespace {

RunnerTarget local_target() {
  RunnerTarget t;
  t.kind = RunnerKind::Local;
  t.name = "here";
  return t;
}

bool pid_alive(pid_t pid) { return kill(pid, 0) == 0; }

std::string read_file_text(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

}  // namespace

TEST(Subprocess, ExitCodesAndSignalsAreReportedAsShDoes) {
  auto ok = run_subprocess({"true"}, 5s);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->exit_code, 0);
  EXPECT_TRUE(ok->succeeded());
  auto seven = run_subprocess({"sh", "-c", "exit 7"}, 5s);
  ASSERT_TRUE(seven.ok());
  EXPECT_EQ(seven->exit_code, 7);
  EXPECT_FALSE(seven->succeeded());
  auto killed = run_subprocess({"sh", "-c", "kill -TERM $$"}, 5s);
  ASSERT_TRUE(killed.ok());
  EXPECT_EQ(killed->exit_code, 128 + SIGTERM);
  EXPECT_EQ(killed->ending, Ending::Exited);
}

TEST(Subprocess, StdoutAndStderrAreKeptApart_StdinIsEmpty) {
  auto r = run_subprocess({"sh", "-c", "echo out; echo err >&2; cat; echo more"}, 5s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "out\nmore\n");
  EXPECT_EQ(r->err, "err\n");
  EXPECT_EQ(r->last_line(), "err");
}

TEST(Subprocess, LargeOutputOnBothStreamsDoesNotDeadlock) {
  // 1 MiB on each stream at once: more than a pipe holds, read from both as it comes.
  auto r = run_subprocess({"sh", "-c", "head -c 1048576 /dev/zero; head -c 1048576 /dev/zero >&2"}, 20s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out.size(), 1048576u);
  EXPECT_EQ(r->err.size(), 1048576u);
}

TEST(Subprocess, MissingProgramIsAnErrorNotAnExitCode) {
  auto r = run_subprocess({"hairpin-no-such-program"}, 5s);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().what.find("not installed"), std::string::npos) << r.error().to_string();
}

TEST(Subprocess, Timeout_KillsItAndWhatItStarted) {
  const auto pidfile = std::filesystem::temp_directory_path() / ("hairpin-runner-child-" + std::to_string(getpid()));
  // sh starts a sleeping grandchild and waits on it; the limit must kill both.
  auto r = run_subprocess({"sh", "-c", "sleep 30 & echo $! > " + pidfile.string() + "; echo started; wait"}, 300ms);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->ending, Ending::TimedOut);
  EXPECT_EQ(r->exit_code, 128 + SIGKILL);
  EXPECT_EQ(r->out, "started\n");  // what it wrote before the limit is kept
  EXPECT_LT(r->duration, 15s);  // the 30 s sleep was cut short
  EXPECT_GE(r->duration, 300ms);
  std::ifstream in(pidfile);
  pid_t grandchild = 0;
  in >> grandchild;
  std::filesystem::remove(pidfile);
  ASSERT_GT(grandchild, 0);
  // Killed with its group; it is reaped by init, so poll (bounded) until it is gone.
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (pid_alive(grandchild) && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
  EXPECT_FALSE(pid_alive(grandchild)) << "the grandchild survived the timeout";
}

TEST(Subprocess, StopFlag_InterruptsAWaitWithinItsPollInterval) {
  StopFlag stop{false};
  std::thread setter([&] {
    std::this_thread::sleep_for(100ms);
    stop = true;
  });
  auto r = run_subprocess({"sleep", "30"}, 30s, &stop);
  setter.join();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->ending, Ending::Interrupted);
  EXPECT_LT(r->duration, 15s);  // well short of the 30 s sleep: it was interrupted, not waited out
}

TEST(LocalRunner, RunsTheArgvAsIs) {
  ProcessRunner runner(local_target());
  auto r = runner.run({"printf", "%s|", "a b", "$HOME", "*"}, 5s);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->out, "a b|$HOME|*|");
  EXPECT_EQ(runner.describe(), "here (local)");
  auto fail = runner.run({"sh", "-c", "echo why >&2; exit 3"}, 5s);
  ASSERT_TRUE(fail.ok());
  EXPECT_EQ(fail->exit_code, 3);  // the step's own failure is an exit code, not an Error
  EXPECT_EQ(fail->last_line(), "why");
}

TEST(LocalRunner, CheckNamesAMissingHairpin) {
  ProcessRunner missing(local_target(), "/nonexistent/hairpin");
  auto s = missing.check(5s);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().to_string().find("here (local)"), std::string::npos) << s.error().to_string();
  // Positive control: a program that answers --help passes the check.
  ProcessRunner present(local_target(), "ls");
  EXPECT_TRUE(present.check(5s).ok());
}

TEST(LocalRunner, BackgroundStep_StopsOnSigintAndKeepsItsOutput) {
  ProcessRunner runner(local_target());
  // Says it is ready on stderr (as hairpin capture does), then waits for SIGINT.
  auto step = runner.start({"sh", "-c", "trap 'echo got-int; exit 0' INT; echo listening >&2; while :; do sleep 0.05; done"},
                           "listening", 5s);
  ASSERT_TRUE(step.ok()) << step.error().to_string();
  EXPECT_TRUE((*step)->running());
  auto out = (*step)->stop(2s);
  EXPECT_EQ(out.ending, Ending::Exited);
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_EQ(out.out, "got-int\n");
  EXPECT_EQ(out.err, "listening\n");
}

TEST(LocalRunner, BackgroundStep_IgnoringSignalsIsKilledAfterTheGrace) {
  ProcessRunner runner(local_target());
  auto step = runner.start({"sh", "-c", "trap '' INT TERM; echo listening >&2; while :; do sleep 0.05; done"},
                           "listening", 5s);
  ASSERT_TRUE(step.ok()) << step.error().to_string();
  auto started = std::chrono::steady_clock::now();
  auto out = (*step)->stop(200ms);
  EXPECT_EQ(out.ending, Ending::TimedOut);
  EXPECT_EQ(out.exit_code, 128 + SIGKILL);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 15s);  // the loop never ends by itself
}

TEST(LocalRunner, BackgroundStep_NeverReadyIsAnErrorWithItsLastWords) {
  ProcessRunner runner(local_target());
  auto step = runner.start({"sh", "-c", "echo 'no such interface' >&2; exit 2"}, "listening", 2s);
  ASSERT_FALSE(step.ok());
  EXPECT_NE(step.error().what.find("no such interface"), std::string::npos) << step.error().to_string();
}

TEST(LocalRunner, FetchCopiesTheFileWhole) {
  const auto dir = std::filesystem::temp_directory_path() / ("hairpin-fetch-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::string bytes("pcap\0\x01\xff\n", 8);
  {
    std::ofstream f(dir / "in.bin", std::ios::binary);
    f << bytes;
  }
  ProcessRunner runner(local_target());
  auto n = runner.fetch((dir / "in.bin").string(), (dir / "sub" / "out.bin").string(), 5s);
  ASSERT_TRUE(n.ok()) << n.error().to_string();
  EXPECT_EQ(*n, bytes.size());
  std::ifstream g(dir / "sub" / "out.bin", std::ios::binary);
  std::string got((std::istreambuf_iterator<char>(g)), {});
  EXPECT_EQ(got, bytes);
  auto missing = runner.fetch((dir / "nope").string(), (dir / "never").string(), 5s);
  EXPECT_FALSE(missing.ok());
  EXPECT_FALSE(std::filesystem::exists(dir / "never"));
  std::filesystem::remove_all(dir);
}

TEST(NetnsRunner, WrapsWithIpNetnsExec) {
  RunnerTarget t;
  t.kind = RunnerKind::Netns;
  t.name = "nva";
  t.netns = "customer-nva";
  auto argv = wrap_argv(t, {"hairpin", "bgp", "show", "summary", "--json"});
  ASSERT_TRUE(argv.ok());
  EXPECT_EQ(*argv, (std::vector<std::string>{"ip", "netns", "exec", "customer-nva", "hairpin", "bgp", "show",
                                             "summary", "--json"}));
  t.netns = "../etc";
  EXPECT_FALSE(wrap_argv(t, {"true"}).ok());
}

TEST(NetnsRunner, MissingNamespaceIsOneLineNamingIt) {
  RunnerTarget t;
  t.kind = RunnerKind::Netns;
  t.name = "nva";
  t.netns = "hptest-verifyrun-absent-" + std::to_string(getpid());
  ProcessRunner runner(t);
  auto r = runner.run({"true"}, 5s);
  ASSERT_FALSE(r.ok());
  const std::string line = r.error().to_string();
  EXPECT_NE(line.find("nva (netns " + t.netns + ")"), std::string::npos) << line;
  EXPECT_NE(line.find("does not exist"), std::string::npos) << line;
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  EXPECT_FALSE(runner.check(5s).ok());
  EXPECT_FALSE(runner.start({"true"}, "", 1s).ok());
}

TEST(SshRunner, OneQuotedCommandLineAfterTheOptions) {
  RunnerTarget t;
  t.kind = RunnerKind::Ssh;
  t.name = "nva";
  t.ssh_destination = "admin@nva.example";
  t.ssh_port = 2222;
  t.connect_timeout = std::chrono::seconds(3);
  auto argv = wrap_argv(t, {"hairpin", "trace", "10.200.0.4", "-p", "22", "--json"});
  ASSERT_TRUE(argv.ok());
  EXPECT_EQ(*argv, (std::vector<std::string>{"ssh", "-T", "-o", "BatchMode=yes", "-p", "2222", "-o",
                                             "ConnectTimeout=3", "--", "admin@nva.example",
                                             "hairpin trace 10.200.0.4 -p 22 --json"}));
  for (const auto& word : *argv) EXPECT_EQ(word.find("StrictHostKeyChecking"), std::string::npos);
  // The command is one word for ssh, quoted by remote_command_line.
  auto hostile = wrap_argv(t, {"echo", "$(reboot)", "a b"});
  ASSERT_TRUE(hostile.ok());
  EXPECT_EQ(hostile->back(), *hairpin::remote_command_line({"echo", "$(reboot)", "a b"}));
  t.ssh_destination = "-oProxyCommand=evil";
  EXPECT_FALSE(wrap_argv(t, {"true"}).ok());
}

TEST(SshRunner, SshFailureIsUnreachableNamingTheHost) {
  // ProxyCommand=false: ssh fails before any network I/O, exit 255, as for a host that is down.
  RunnerTarget t;
  t.kind = RunnerKind::Ssh;
  t.name = "site-a";
  t.ssh_destination = "probe-a.invalid";
  t.ssh_options = {"ProxyCommand=false"};
  ProcessRunner runner(t);
  auto r = runner.run({"true"}, 10s);
  ASSERT_FALSE(r.ok());
  const std::string line = r.error().to_string();
  EXPECT_NE(line.find("site-a (ssh probe-a.invalid)"), std::string::npos) << line;
  EXPECT_NE(line.find("cannot reach it over ssh"), std::string::npos) << line;
  EXPECT_FALSE(runner.check(10s).ok());
}

TEST(Subprocess, ChildrenInheritNoDescriptorButStdio) {
  // An fd of ours without CLOEXEC (as flock(1) passes its lock down) must not reach the child.
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);  // no O_CLOEXEC
  ASSERT_EQ(dup2(fds[0], 100), 100);
  auto listing = [](const std::string& text) {
    std::vector<int> out;
    std::istringstream in(text);
    for (int fd; in >> fd;) out.push_back(fd);
    return out;
  };
  auto r = run_subprocess({"sh", "-c", "ls /proc/self/fd"}, 5s);
  ASSERT_TRUE(r.ok());
  auto listed = listing(r->out);
  EXPECT_EQ(std::count(listed.begin(), listed.end(), 100), 0) << r->out;
  // Positive control: a child started by system(3) does inherit it.
  const std::string file = "/tmp/hairpin-fd-control-" + std::to_string(getpid());
  ASSERT_EQ(std::system(("ls /proc/self/fd > " + file).c_str()), 0);
  auto control = read_file_text(file);
  std::remove(file.c_str());
  auto control_listed = listing(control);
  EXPECT_EQ(std::count(control_listed.begin(), control_listed.end(), 100), 1) << control;
  close(100);
  close(fds[0]);
  close(fds[1]);
}
