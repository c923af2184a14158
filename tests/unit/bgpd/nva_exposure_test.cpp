// What the NVA exposes, checked against the daemon on loopback (no root): a
// connection from an address that is not a configured neighbour is closed at
// accept with zero bytes sent (no OPEN: it would tell a stranger our AS and
// router-id), logged once however often it knocks; a configured neighbour
// connecting from its address gets our OPEN (the positive control). The control
// socket is a 0600 socket of ours; a stale one is replaced, anything else in its
// way is refused and left alone; a live daemon's is never taken over.
// 127.0.0.2 is the NVA, 127.0.0.1 the configured neighbour, 127.0.0.3 a stranger.

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include "fake_fib.hpp"
#include "hairpin/bgpd/config/config.hpp"
#include "hairpin/bgpd/daemon/control_client.hpp"
#include "hairpin/bgpd/daemon/nva_daemon.hpp"
#include "hairpin/bgpd/supervisor/refusal_log.hpp"
#include "hairpin/bgpd/wire/message_codec.hpp"
#include "scripted_peer.hpp"

namespace hairpin::bgpd {
namespace {

namespace fs = std::filesystem;
using test::address;
using test::Fd;
using test::read_message;

constexpr const char* kNva = "127.0.0.2";

// A free TCP port on the NVA's address (bound, read, released).
std::uint16_t free_port() {
  Fd s(::socket(AF_INET, SOCK_STREAM, 0));
  auto a = address(kNva, 0);
  EXPECT_EQ(::bind(s.fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  getsockname(s.fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

// The daemon on its own thread; log() reads its log there.
struct RunningNva {
  explicit RunningNva(const std::string& control_socket = "") {
    auto parsed = parse_frr_config(
        "router bgp 65001\n bgp router-id 10.0.0.9\n no bgp ebgp-requires-policy\n"
        " neighbor 127.0.0.1 remote-as 65515\n neighbor 127.0.0.1 update-source 127.0.0.2\n"
        " neighbor 127.0.0.1 timers connect 3600\nexit\n",
        "test.frr");
    EXPECT_TRUE(parsed.ok());
    port = free_port();
    DaemonOptions options;
    options.bgp_port = port;
    options.listen_address = *Ipv4Address::parse(kNva);
    options.control_socket = control_socket;
    options.log = &log_text;
    options.fib = [](boost::asio::io_context&, FibEvents events) -> Result<std::unique_ptr<Fib>> {
      return std::unique_ptr<Fib>(std::make_unique<test::FakeFib>(std::move(events)));
    };
    daemon = std::make_unique<NvaDaemon>(io, parsed->config, options);
    started = daemon->start();
    if (started.ok()) runner = std::thread([this] { io.run(); });
  }
  ~RunningNva() {
    if (!runner.joinable()) return;
    boost::asio::post(io, [this] {
      daemon->stop();
      io.stop();
    });
    runner.join();
  }
  std::string log() {
    std::promise<std::string> seen;
    boost::asio::post(io, [&] { seen.set_value(log_text.str()); });
    return seen.get_future().get();
  }

  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard = boost::asio::make_work_guard(io);
  std::ostringstream log_text;
  std::uint16_t port = 0;
  std::unique_ptr<NvaDaemon> daemon;
  Status started = Ok{};
  std::thread runner;
};

// Connects from `from` to the NVA; every byte read until EOF or the timeout.
struct Received {
  std::string bytes;
  bool eof = false;
};
Received connect_and_read(const char* from, std::uint16_t port) {
  Fd s(::socket(AF_INET, SOCK_STREAM, 0));
  auto src = address(from, 0);
  auto dst = address(kNva, port);
  Received r;
  if (::bind(s.fd, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0) return r;
  if (::connect(s.fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst) != 0) return r;
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(s.fd, buf, sizeof buf, 0);
    if (n == 0) r.eof = true;
    if (n <= 0) break;
    r.bytes.append(buf, static_cast<std::size_t>(n));
    if (r.bytes.size() >= 19) break;  // a whole header: enough to know what it is
  }
  return r;
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST(NvaExposure, StrangerIsClosedAtAcceptWithZeroBytes_NeighbourGetsAnOpen) {
  RunningNva nva;
  ASSERT_TRUE(nva.started.ok()) << nva.started.error().to_string();

  // Positive control: the configured neighbour, from its own address, is sent our OPEN.
  Received neighbour = connect_and_read("127.0.0.1", nva.port);
  ASSERT_GE(neighbour.bytes.size(), 19u) << nva.log();
  EXPECT_EQ(static_cast<std::uint8_t>(neighbour.bytes[18]), 1) << "message type 1 is OPEN";

  for (int knock = 0; knock < 5; ++knock) {
    Received stranger = connect_and_read("127.0.0.3", nva.port);
    EXPECT_TRUE(stranger.eof) << "knock " << knock << ": not closed";
    EXPECT_EQ(stranger.bytes.size(), 0u) << "knock " << knock << ": the stranger was sent bytes";
  }
  const std::string log = nva.log();
  EXPECT_EQ(count(log, "connection from 127.0.0.3 refused: not a configured neighbor"), 1u) << log;
  // The stranger touched no session: the neighbour's is the only connection there was.
  EXPECT_EQ(count(log, "127.0.0.3"), 1u) << log;
}

TEST(NvaExposure, ControlSocketIsA0600SocketOwnedByUs) {
  const fs::path dir = fs::temp_directory_path() / ("hairpin-exposure-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const std::string sock = (dir / "nva.sock").string();
  {
    RunningNva nva(sock);
    ASSERT_TRUE(nva.started.ok()) << nva.started.error().to_string();
    struct stat st {};
    ASSERT_EQ(::lstat(sock.c_str(), &st), 0);
    EXPECT_TRUE(S_ISSOCK(st.st_mode));
    EXPECT_EQ(st.st_mode & 07777, 0600u);
    EXPECT_EQ(st.st_uid, ::geteuid());
    EXPECT_TRUE(query_control_socket(sock, "summary").ok()) << "the positive control: it answers";

    // A second daemon never takes over a live one's socket.
    RunningNva second(sock);
    ASSERT_FALSE(second.started.ok());
    EXPECT_NE(second.started.error().what.find("another hairpin nva is running"), std::string::npos);
    EXPECT_TRUE(query_control_socket(sock, "summary").ok()) << "the first one still answers";
  }
  EXPECT_FALSE(fs::exists(sock)) << "removed at stop";
  fs::remove_all(dir);
}

TEST(NvaExposure, StaleControlSocketIsReplaced) {
  const fs::path dir = fs::temp_directory_path() / ("hairpin-exposure-stale-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string sock = (dir / "nva.sock").string();
  {  // A socket nobody listens on any more: what a kill -9 leaves.
    Fd s(::socket(AF_UNIX, SOCK_STREAM, 0));
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", sock.c_str());
    ASSERT_EQ(::bind(s.fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  }
  ASSERT_TRUE(fs::is_socket(sock));
  {
    RunningNva nva(sock);
    ASSERT_TRUE(nva.started.ok()) << nva.started.error().to_string();
    EXPECT_TRUE(query_control_socket(sock, "summary").ok());
    EXPECT_NE(nva.log().find("removed a stale control socket"), std::string::npos) << nva.log();
  }
  fs::remove_all(dir);
}

TEST(NvaExposure, RegularFileInTheWayIsRefusedAndLeftAlone) {
  const fs::path dir = fs::temp_directory_path() / ("hairpin-exposure-file-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / "nva.sock").string();
  std::ofstream(path) << "precious\n";
  {
    RunningNva nva(path);
    ASSERT_FALSE(nva.started.ok());
    EXPECT_NE(nva.started.error().what.find("not a socket"), std::string::npos) << nva.started.error().to_string();
  }
  std::ifstream in(path);
  std::string content;
  std::getline(in, content);
  EXPECT_EQ(content, "precious");
  fs::remove_all(dir);
}

// ---- which refusals are logged -------------------------------------------------------

TEST(RefusalLog, FirstKnockOfEachAddressLogged_RepeatsCountedInTheNextLine) {
  using namespace std::chrono_literals;
  RefusalLog limiter(60s, 8);
  const auto t0 = RefusalLog::Clock::time_point{} + 1000s;
  const auto a = *Ipv4Address::parse("192.0.2.1");
  const auto b = *Ipv4Address::parse("192.0.2.2");
  EXPECT_EQ(limiter.refused(a, "not a configured neighbor", t0), "connection from 192.0.2.1 refused: not a configured neighbor");
  EXPECT_EQ(limiter.refused(a, "not a configured neighbor", t0 + 1s), std::nullopt);
  EXPECT_EQ(limiter.refused(a, "not a configured neighbor", t0 + 59s), std::nullopt);
  EXPECT_EQ(limiter.refused(b, "not a configured neighbor", t0 + 59s),
            "connection from 192.0.2.2 refused: not a configured neighbor (2 more refusals not logged before this)");
  EXPECT_EQ(limiter.refused(a, "not a configured neighbor", t0 + 60s), "connection from 192.0.2.1 refused: not a configured neighbor");
}

TEST(RefusalLog, ManyAddressesInOneWindow_AtMostTheBudgetOfLines) {
  using namespace std::chrono_literals;
  RefusalLog limiter(60s, 3);
  const auto t0 = RefusalLog::Clock::time_point{} + 1000s;
  int lines = 0;
  for (std::uint32_t i = 1; i <= 100; ++i) lines += limiter.refused(Ipv4Address{0xC0000200 + i}, "x", t0).has_value();
  EXPECT_EQ(lines, 3);
  auto next = limiter.refused(Ipv4Address{0xC0000201}, "x", t0 + 61s);
  ASSERT_TRUE(next);
  EXPECT_NE(next->find("97 more refusals not logged"), std::string::npos) << *next;
}

}  // namespace
}  // namespace hairpin::bgpd
