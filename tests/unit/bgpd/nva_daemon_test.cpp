// The NVA daemon against a scripted peer on loopback (127.0.0.1 is the peer,
// 127.0.0.2 the NVA; no root, no namespaces): connection collisions (RFC 4271
// 6.8) decided the same way the peer decides, for both BGP Identifier orderings.
// The peer holds two connections, the one the daemon dialed and one it opened
// itself, and sends its OPEN and KEEPALIVE in one write on each: the case where
// both connections used to reach Established.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <future>
#include <sstream>
#include <thread>

#include "hairpin/bgpd/config/config.hpp"
#include "hairpin/bgpd/wire/message_codec.hpp"
#include "hairpin/bgpd/daemon/nva_daemon.hpp"
#include "fake_fib.hpp"
#include "scripted_peer.hpp"

namespace hairpin::bgpd {
namespace {

constexpr const char* kPeer = "127.0.0.1";
constexpr const char* kNva = "127.0.0.2";

using test::address;
using test::Fd;
using test::read_message;
using test::send_all;

// The peer's OPEN immediately followed by its KEEPALIVE, in one write.
Bytes open_and_keepalive(const char* peer_id) {
  Open o;
  o.my_as = 65515;
  o.hold_time = 180;
  o.bgp_identifier = *Ipv4Address::parse(peer_id);
  o.capabilities.multiprotocol = {AfiSafi{}};
  o.capabilities.four_octet_as = 65515;
  Bytes out = encode_message(o, CodecContext{}).value();
  Bytes ka = encode_message(Keepalive{}, CodecContext{}).value();
  out.insert(out.end(), ka.begin(), ka.end());
  return out;
}

struct Outcome {
  bool closed = false;  // EOF seen
  std::optional<Notification> notification;
};

// Reads until EOF or until nothing arrives for the socket timeout.
Outcome drain(int fd) {
  Outcome o;
  while (auto m = read_message(fd)) {
    if (auto* n = std::get_if<Notification>(&*m)) o.notification = *n;
  }
  std::uint8_t byte;
  o.closed = ::recv(fd, &byte, 1, MSG_DONTWAIT) == 0;
  return o;
}

struct CollisionCase {
  const char* nva_id;
  const char* peer_id;
  bool nva_connection_wins;
};
void PrintTo(const CollisionCase& c, std::ostream* os) { *os << "nva " << c.nva_id << " peer " << c.peer_id; }

class DaemonCollision : public testing::TestWithParam<CollisionCase> {};

TEST_P(DaemonCollision, OpenAndKeepaliveOnBothConnections_TheHigherIdentifiersConnectionAloneSurvives) {
  const auto& param = GetParam();
  // The peer listens first; its port is the BGP port for both sides.
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  Fd listen_fd(listener);
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  auto any_port = address(kPeer, 0);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&any_port), sizeof any_port), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  socklen_t len = sizeof any_port;
  getsockname(listener, reinterpret_cast<sockaddr*>(&any_port), &len);
  std::uint16_t port = ntohs(any_port.sin_port);

  std::string text = std::string("router bgp 65001\n bgp router-id ") + param.nva_id +
                     "\n no bgp ebgp-requires-policy\n neighbor 127.0.0.1 remote-as 65515\n"
                     " neighbor 127.0.0.1 update-source 127.0.0.2\nexit\n";
  auto parsed = parse_frr_config(text, "test.frr");
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  boost::asio::io_context io;
  std::ostringstream log;
  DaemonOptions options;
  options.bgp_port = port;
  options.listen_address = *Ipv4Address::parse(kNva);
  options.control_socket = "";
  options.log = &log;
  options.fib = [](boost::asio::io_context&, FibEvents events) -> Result<std::unique_ptr<Fib>> {
    return std::unique_ptr<Fib>(std::make_unique<test::FakeFib>(std::move(events)));
  };
  NvaDaemon daemon(io, parsed->config, options);
  ASSERT_TRUE(daemon.start().ok());
  auto guard = boost::asio::make_work_guard(io);
  std::thread runner([&] { io.run(); });
  struct Join {
    boost::asio::io_context& io;
    std::thread& t;
    NvaDaemon& d;
    ~Join() {
      boost::asio::post(io, [this] {
        d.stop();
        io.stop();
      });
      t.join();
    }
  } join{io, runner, daemon};

  // Connection A: the daemon dialed us. Its OPEN comes first.
  pollfd pfd{listener, POLLIN, 0};
  ASSERT_EQ(::poll(&pfd, 1, 5000), 1) << "the daemon did not dial";
  Fd a(::accept(listener, nullptr, nullptr));
  ASSERT_GE(a.fd, 0);
  auto open_a = read_message(a.fd);
  ASSERT_TRUE(open_a && std::holds_alternative<Open>(*open_a));

  // Connection B: we dial the daemon, which answers with its OPEN too.
  Fd b(::socket(AF_INET, SOCK_STREAM, 0));
  auto from = address(kPeer, 0);
  auto to = address(kNva, port);
  ASSERT_EQ(::bind(b.fd, reinterpret_cast<sockaddr*>(&from), sizeof from), 0);
  ASSERT_EQ(::connect(b.fd, reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
  auto open_b = read_message(b.fd);
  ASSERT_TRUE(open_b && std::holds_alternative<Open>(*open_b));

  // Our OPEN and KEEPALIVE, in one write, first on B, then on A.
  send_all(b.fd, open_and_keepalive(param.peer_id));
  send_all(a.fd, open_and_keepalive(param.peer_id));

  Outcome on_a = drain(a.fd);
  Outcome on_b = drain(b.fd);
  const Outcome& loser = param.nva_connection_wins ? on_b : on_a;
  const Outcome& winner = param.nva_connection_wins ? on_a : on_b;
  ASSERT_TRUE(loser.notification) << log.str();
  EXPECT_EQ(loser.notification->code, ErrorCode::Cease);
  EXPECT_EQ(loser.notification->subcode, 7) << "Connection Collision Resolution";
  EXPECT_TRUE(loser.closed);
  EXPECT_FALSE(winner.notification) << log.str();
  EXPECT_FALSE(winner.closed) << log.str();

  // The daemon's view, read on its own thread.
  std::promise<std::pair<std::vector<NeighborStatus>, std::string>> seen;
  boost::asio::post(io, [&] { seen.set_value({daemon.neighbors(), log.str()}); });
  auto [neighbors, text_log] = seen.get_future().get();
  ASSERT_EQ(neighbors.size(), 1u);
  EXPECT_EQ(neighbors[0].state, SessionState::Established);
  std::size_t established = 0;
  for (auto at = text_log.find(": Established"); at != std::string::npos; at = text_log.find(": Established", at + 1))
    ++established;
  EXPECT_EQ(established, 1u) << text_log;
  EXPECT_EQ(text_log.find("left Established"), std::string::npos) << text_log;
  EXPECT_NE(text_log.find(param.nva_connection_wins ? "we connected" : "peer connected"), std::string::npos) << text_log;
}

INSTANTIATE_TEST_SUITE_P(BothOrderings, DaemonCollision,
                         testing::Values(CollisionCase{"10.0.0.200", "10.0.0.1", true},
                                         CollisionCase{"10.0.0.1", "10.0.0.200", false}),
                         [](const auto& info) {
                           return std::string(info.param.nva_connection_wins ? "NvaHigher" : "PeerHigher");
                         });

}  // namespace
}  // namespace hairpin::bgpd
