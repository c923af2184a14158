// The ssh runner end to end with the system's OpenSSH, and no network: ssh's
// ProxyCommand starts `sshd -i` (inetd mode, speaking SSH over the pipe), as
// OpenSSH's own regression tests do. Host keys are checked for real: the
// host key is in a known_hosts file of the test's own, and a run without it
// must fail.

#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "hairpin/verifier/runner/runner.hpp"

using namespace hairpin::verifier;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const char* kSshd = "/usr/sbin/sshd";

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

class SshRunnerThroughSshd : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kSshd)) GTEST_SKIP() << kSshd << " missing: install openssh-server (scripts/setup)";
    // sshd run by root wants its privilege-separation directory (the package's tmpfiles.d makes it at boot).
    if (geteuid() == 0) fs::create_directories("/run/sshd");
    dir_ = fs::temp_directory_path() / ("hptest-verifyrun-ssh-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    for (const char* key : {"host_key", "user_key"}) {
      auto r = run_subprocess({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", (dir_ / key).string()}, 20s);
      ASSERT_TRUE(r.ok() && r->succeeded()) << (r.ok() ? r->err : r.error().to_string());
    }
    fs::copy_file(dir_ / "user_key.pub", dir_ / "authorized_keys");
    std::ofstream(dir_ / "sshd_config") << "HostKey " << (dir_ / "host_key").string() << "\n"
                                         << "AuthorizedKeysFile " << (dir_ / "authorized_keys").string() << "\n"
                                         << "StrictModes no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
                                         << "UsePAM no\nPidFile none\nPermitRootLogin prohibit-password\nLogLevel ERROR\n";
    std::string host_key = slurp(dir_ / "host_key.pub");
    host_key = host_key.substr(0, host_key.rfind(' '));  // "ssh-ed25519 AAAA..." without the comment
    std::ofstream(dir_ / "known_hosts") << "hairpin-test-host " << host_key << "\n";
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  RunnerTarget target(const std::string& known_hosts) const {
    RunnerTarget t;
    t.kind = RunnerKind::Ssh;
    t.name = "probe-host";
    t.ssh_destination = "hairpin-test-host";
    t.ssh_identity = (dir_ / "user_key").string();
    t.ssh_options = {"ProxyCommand=" + std::string(kSshd) + " -i -f " + (dir_ / "sshd_config").string(),
                     "UserKnownHostsFile=" + known_hosts, "GlobalKnownHostsFile=/dev/null"};
    return t;
  }
  RunnerTarget target() const { return target((dir_ / "known_hosts").string()); }

  fs::path dir_;
};

}  // namespace

TEST_F(SshRunnerThroughSshd, HostileArgvArrivesIntactOnTheFarSide) {
  ProcessRunner runner(target());
  const std::vector<std::string> words{"", "a b", "it's", "$(id)", "`id`", "$HOME", "*", "line1\nline2",
                                       "-rf", "NAME=v", "héllo", ";", "\\"};
  std::vector<std::string> argv{"printf", "%s\\0"};
  argv.insert(argv.end(), words.begin(), words.end());
  auto r = runner.run(argv, 20s);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->exit_code, 0) << r->err;
  std::vector<std::string> got;
  std::string cur;
  for (char c : r->out) {
    if (c == '\0') got.push_back(std::exchange(cur, {}));
    else cur += c;
  }
  EXPECT_EQ(got, words);
}

TEST_F(SshRunnerThroughSshd, ExitCodesAndStderrComeBack_CheckPasses) {
  ProcessRunner runner(target(), "hairpin", nullptr);
  auto r = runner.run({"sh", "-c", "echo why >&2; exit 3"}, 20s);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->err, "why\n");
  // check() runs `hairpin --help` there; `ls --help` stands in for an installed hairpin.
  RunnerTarget with_ls = target();
  with_ls.hairpin = "ls";
  EXPECT_TRUE(ProcessRunner(with_ls).check(20s).ok());
  RunnerTarget without = target();
  without.hairpin = "hairpin-not-installed-here";
  auto missing = ProcessRunner(without).check(20s);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().to_string().find("not installed there"), std::string::npos) << missing.error().to_string();
}

TEST_F(SshRunnerThroughSshd, UnknownHostKeyIsUnreachable_NotAccepted) {
  ProcessRunner runner(target("/dev/null"));  // BatchMode + default StrictHostKeyChecking: refuse, never ask
  auto r = runner.run({"true"}, 20s);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().to_string().find("Host key verification failed"), std::string::npos) << r.error().to_string();
  EXPECT_NE(r.error().to_string().find("probe-host (ssh hairpin-test-host)"), std::string::npos);
  // Positive control: the same runner with the key known runs.
  auto ok = ProcessRunner(target()).run({"true"}, 20s);
  ASSERT_TRUE(ok.ok()) << ok.error().to_string();
  EXPECT_EQ(ok->exit_code, 0);
}

TEST_F(SshRunnerThroughSshd, TimeoutEndsTheRemoteProgramToo) {
  ProcessRunner runner(target());
  const auto pidfile = dir_ / "remote.pid";
  auto r = runner.run({"sh", "-c", "echo $$ > " + pidfile.string() + "; exec sleep 30"}, 2s);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_NE(r->ending, Ending::Exited);
  EXPECT_LT(r->duration, 10s);
  pid_t remote = 0;
  std::ifstream(pidfile) >> remote;
  ASSERT_GT(remote, 0);
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (kill(remote, 0) == 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(20ms);
  EXPECT_NE(kill(remote, 0), 0) << "the far side's program outlived its time limit";
}

TEST_F(SshRunnerThroughSshd, BackgroundStepIsStoppedBySigintOverASecondConnection) {
  ProcessRunner runner(target());
  auto step = runner.start(
      {"sh", "-c", "trap 'echo got-int; exit 0' INT; echo listening >&2; while :; do sleep 0.05; done"}, "listening",
      20s);
  ASSERT_TRUE(step.ok()) << step.error().to_string();
  auto out = (*step)->stop(5s);
  EXPECT_EQ(out.ending, Ending::Exited);
  EXPECT_EQ(out.out, "got-int\n");  // the remote pid line is not part of the output
  EXPECT_EQ(out.exit_code, 0);
}

TEST_F(SshRunnerThroughSshd, FetchBringsTheFileBackWhole) {
  std::string bytes("\xd4\xc3\xb2\xa1\0\0binary\n", 14);
  std::ofstream(dir_ / "remote.pcap", std::ios::binary) << bytes;
  ProcessRunner runner(target());
  auto n = runner.fetch((dir_ / "remote.pcap").string(), (dir_ / "local" / "got.pcap").string(), 20s);
  ASSERT_TRUE(n.ok()) << n.error().to_string();
  EXPECT_EQ(slurp(dir_ / "local" / "got.pcap"), bytes);
}
