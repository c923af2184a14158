#include "hairpin/verifier/lab/process.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

using namespace hairpin::verifier;
using namespace std::chrono_literals;

TEST(RunProcess, MissingBinary_IsAnErrorNamingIt) {
  auto r = run_process({"hairpin-no-such-program", "--flag"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().what.find("cannot run hairpin-no-such-program"), std::string::npos) << r.error().to_string();
  EXPECT_NE(r.error().what.find("not installed"), std::string::npos) << r.error().to_string();
  EXPECT_NE(r.error().fix.find("install hairpin-no-such-program"), std::string::npos) << r.error().to_string();
  // Positive control: a program that exists runs and succeeds.
  auto ok = run_process({"true"});
  ASSERT_TRUE(ok.ok()) << ok.error().to_string();
  EXPECT_EQ(ok->exit_code, 0);
}

TEST(RunProcess, NotExecutable_IsAnErrorWithTheReason) {
  char path[] = "/tmp/hairpin-noexec-XXXXXX";
  const int fd = mkstemp(path);  // mode 0600: no execute bit, even for root
  ASSERT_GE(fd, 0);
  close(fd);
  auto r = run_process({path});
  std::remove(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().what.find(std::string("cannot run ") + path + ": Permission denied"), std::string::npos)
      << r.error().to_string();
}

TEST(RunProcess, ExitCodeIsPropagated) {
  auto r = run_process({"sh", "-c", "exit 7"});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->exit_code, 7);
  auto killed = run_process({"sh", "-c", "kill -TERM $$"});
  ASSERT_TRUE(killed.ok()) << killed.error().to_string();
  EXPECT_EQ(killed->exit_code, 128 + 15);
}

TEST(RunProcess, StdoutAndStderrAreCaptured_StdinIsEmpty) {
  auto r = run_process({"sh", "-c", "echo out; echo err >&2; cat"});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->output, "out\nerr\n");
}

TEST(RunProcess, ArgvIsNotAShellString) {
  auto r = run_process({"echo", "a; echo b", "$HOME"});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->output, "a; echo b $HOME\n");
}

TEST(RunProcess, Timeout_KillsItAndWhatItStarted) {
  const auto start = std::chrono::steady_clock::now();
  // The child of sh holds the output pipe too: the timeout must kill the group.
  auto r = run_process({"sh", "-c", "echo started; sleep 30 & sleep 30"}, 300ms);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().what.find("did not finish within 300 ms and was killed"), std::string::npos)
      << r.error().to_string();
  EXPECT_NE(r.error().fix.find("started"), std::string::npos) << r.error().to_string();
  EXPECT_LT(took, 5s);
  // Positive control: the same limit lets a quick command finish.
  auto quick = run_process({"sh", "-c", "echo done"}, 300ms);
  ASSERT_TRUE(quick.ok()) << quick.error().to_string();
  EXPECT_EQ(quick->output, "done\n");
}

TEST(SpawnDetached, MissingBinary_IsAnError_PresentOneStarts) {
  auto missing = spawn_detached({"hairpin-no-such-daemon"});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().what.find("cannot run hairpin-no-such-daemon"), std::string::npos)
      << missing.error().to_string();
  char dir[] = "/tmp/hairpin-spawn-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string flag = std::string(dir) + "/ran";
  auto started = spawn_detached({"sh", "-c", "touch " + flag});
  ASSERT_TRUE(started.ok()) << started.error().to_string();
  bool seen = false;  // bounded poll for the positive condition
  for (int i = 0; i < 100 && !seen; ++i) {
    seen = access(flag.c_str(), F_OK) == 0;
    if (!seen) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(seen);
  std::remove(flag.c_str());
  rmdir(dir);
}

namespace {
std::string slurp(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (!f) return "";
  std::string out;
  char buf[256];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
  std::fclose(f);
  return out;
}
}  // namespace

TEST(SpawnDetached, LogAndPidfile_TheLogGetsStdoutAndStderrAppended_ThePidfileTheProgramsOwnPid) {
  char dir[] = "/tmp/hairpin-spawn-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string log = std::string(dir) + "/d.log", pidfile = std::string(dir) + "/d.pid",
                    done = std::string(dir) + "/done";
  {
    FILE* f = std::fopen(log.c_str(), "w");
    std::fputs("earlier run\n", f);
    std::fclose(f);
  }
  // $$ is the shell's own pid: the pidfile must name the program, not a parent.
  auto started = spawn_detached({"sh", "-c", "echo out $$; echo err >&2; touch " + done}, {log, pidfile});
  ASSERT_TRUE(started.ok()) << started.error().to_string();
  bool seen = false;
  for (int i = 0; i < 200 && !seen; ++i) {
    seen = access(done.c_str(), F_OK) == 0;
    if (!seen) std::this_thread::sleep_for(10ms);
  }
  ASSERT_TRUE(seen);
  const auto pid = slurp(pidfile);
  ASSERT_FALSE(pid.empty());
  EXPECT_EQ(slurp(log), "earlier run\nout " + pid.substr(0, pid.size() - 1) + "\nerr\n");
  EXPECT_EQ(access((pidfile + ".tmp").c_str(), F_OK), -1);
  for (const auto& p : {log, pidfile, done}) std::remove(p.c_str());
  rmdir(dir);
}

TEST(SpawnDetached, UnwritableLog_IsAnErrorNamingIt_NothingRuns) {
  auto r = spawn_detached({"true"}, {"/nonexistent-dir/x.log", ""});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().what.find("cannot open the log /nonexistent-dir/x.log"), std::string::npos)
      << r.error().to_string();
  auto p = spawn_detached({"true"}, {"", "/nonexistent-dir/x.pid"});
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().what.find("pidfile /nonexistent-dir/x.pid"), std::string::npos);
}

TEST(RunProcess, TheChildInheritsNoDescriptorAboveStderr_SoADaemonNeverHoldsTheCallersLock) {
  char path[] = "/tmp/hairpin-fd-XXXXXX";
  int tmp = mkstemp(path);
  ASSERT_GE(tmp, 0);
  int fd = fcntl(tmp, F_DUPFD, 100);  // not close-on-exec: as flock(1) hands its lock to the command
  close(tmp);
  ASSERT_GE(fd, 100);
  auto r = run_process({"sh", "-c", "ls /proc/self/fd"});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  // Positive control: the listing ran and shows stdin/stdout/stderr.
  EXPECT_NE(r->output.find("0\n1\n2\n"), std::string::npos) << r->output;
  EXPECT_EQ(r->output.find("\n" + std::to_string(fd) + "\n"), std::string::npos) << r->output;
  close(fd);
  std::remove(path);
}
