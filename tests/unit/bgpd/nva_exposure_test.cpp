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
  explicit RunningNva(const std::string& control_socket = "", const std::string& address_family = "") {
    auto parsed = parse_frr_config(
        "router bgp 65001\n bgp router-id 10.0.0.9\n no bgp ebgp-requires-policy\n"
        " neighbor 127.0.0.1 remote-as 65515\n neighbor 127.0.0.1 update-source 127.0.0.2\n"
        " neighbor 127.0.0.1 timers connect 3600\n" +
            (address_family.empty() ? "" : " address-family ipv4 unicast\n" + address_family + " exit-address-family\n") +
            "exit\n",
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

// ---- inbound maximum-prefix, end to end ---------------------------------------------

// The neighbour's OPEN and KEEPALIVE, then 5 prefixes against `maximum-prefix 4`:
// RFC 4486 Cease subcode 1 with the data AFI 1, SAFI 1, limit 4 (4 octets), the
// connection closed, and the neighbour's next connection refused with zero bytes
// while it is held down (no `restart`: until the NVA restarts).
TEST(NvaExposure, InboundMaximumPrefix_CeaseSubcode1WithAfiSafiLimit_ThenHeldDown) {
  RunningNva nva("", "  neighbor 127.0.0.1 maximum-prefix 4\n");
  ASSERT_TRUE(nva.started.ok()) << nva.started.error().to_string();
  Fd peer(::socket(AF_INET, SOCK_STREAM, 0));
  auto from = address("127.0.0.1", 0);
  auto to = address(kNva, nva.port);
  ASSERT_EQ(::bind(peer.fd, reinterpret_cast<sockaddr*>(&from), sizeof from), 0);
  ASSERT_EQ(::connect(peer.fd, reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
  auto their_open = read_message(peer.fd);
  ASSERT_TRUE(their_open && std::holds_alternative<Open>(*their_open)) << nva.log();

  Open o;
  o.my_as = 65515;
  o.hold_time = 180;
  o.bgp_identifier = *Ipv4Address::parse("10.0.0.1");
  o.capabilities.multiprotocol = {AfiSafi{}};
  o.capabilities.four_octet_as = 65515;
  Bytes hello = encode_message(o, CodecContext{}).value();
  Bytes ka = encode_message(Keepalive{}, CodecContext{}).value();
  hello.insert(hello.end(), ka.begin(), ka.end());
  test::send_all(peer.fd, hello);

  auto update_of = [](std::uint32_t first, std::uint32_t count) {
    Update u;
    u.attributes.origin = Origin::Igp;
    u.attributes.as_path = AsPath{{AsSegment{SegmentType::AsSequence, {65515}}}};
    u.attributes.next_hop = *Ipv4Address::parse("192.0.2.1");  // loopback would be a martian (RFC 7606)
    for (std::uint32_t i = first; i < first + count; ++i) u.nlri.push_back(Ipv4Prefix{Ipv4Address{0x0A3C0000 + (i << 8)}, 24});
    return encode_message(u, CodecContext{}).value();
  };
  while (auto m = read_message(peer.fd))  // the NVA's KEEPALIVE: our OPEN was accepted
    if (std::holds_alternative<Keepalive>(*m)) break;

  // Positive control: at the limit (4 of 4) the session is Established and stays.
  test::send_all(peer.fd, update_of(1, 4));
  auto at_the_limit = [&] {
    std::promise<bool> seen;
    boost::asio::post(nva.io, [&] {
      auto c = nva.daemon->rib().counts(*Ipv4Address::parse("127.0.0.1"));
      auto n = nva.daemon->neighbors();
      seen.set_value(c && c->accepted == 4 && n.size() == 1 && n[0].state == SessionState::Established);
    });
    return seen.get_future().get();
  };
  bool stayed_up_at_the_limit = false;
  for (int i = 0; i < 200 && !(stayed_up_at_the_limit = at_the_limit()); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));

  test::send_all(peer.fd, update_of(5, 1));  // the fifth
  std::optional<Notification> notification;
  while (auto m = read_message(peer.fd)) {
    if (auto* n = std::get_if<Notification>(&*m)) {
      notification = *n;
      break;
    }
  }
  EXPECT_TRUE(stayed_up_at_the_limit) << nva.log();
  ASSERT_TRUE(notification) << nva.log();
  EXPECT_EQ(notification->code, ErrorCode::Cease);
  EXPECT_EQ(notification->subcode, 1) << "RFC 4486: Maximum Number of Prefixes Reached";
  EXPECT_EQ(notification->data, (Bytes{0, 1, 1, 0, 0, 0, 4})) << "AFI 1, SAFI 1, limit 4";
  std::uint8_t byte;
  EXPECT_EQ(::recv(peer.fd, &byte, 1, 0), 0) << "closed after the NOTIFICATION";

  Received again = connect_and_read("127.0.0.1", nva.port);
  EXPECT_TRUE(again.eof);
  EXPECT_EQ(again.bytes.size(), 0u) << "held down: the neighbour's next connection is refused";
  EXPECT_NE(nva.log().find("refused: maximum-prefix exceeded"), std::string::npos) << nva.log();
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
