// The NVA daemon driving a Fib (a FakeFib, fake_fib.hpp): what it installs for
// the config (network blackholes, ip route lines; never interface addresses),
// what it installs from BGP (one flush per batch, next hops only when they
// resolve, re-run when the FIB says a next hop changed), why a route is held in
// `bgp show`, and the restart: stale routes stay until End-of-RIB from the peers
// or the stale timer, withdraw_all on stop unless retain. The peer is scripted
// on loopback (127.0.0.1 the peer, 127.0.0.2 the NVA); no root.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <chrono>
#include <future>
#include <sstream>
#include <thread>

#include "fake_fib.hpp"
#include "scripted_peer.hpp"
#include "hairpin/bgpd/config/config.hpp"
#include "hairpin/bgpd/daemon/nva_daemon.hpp"
#include "hairpin/bgpd/wire/message_codec.hpp"
#include "hex.hpp"

namespace hairpin::bgpd {
namespace {

using test::FakeFib;
using test::ip;
using test::pfx;
using namespace std::chrono_literals;

using test::address;
using test::Fd;
using test::read_message;
using test::send_all;

Bytes encoded(const Message& m) { return encode_message(m, CodecContext{true, true}).value(); }

Update site_routes(const char* next_hop, std::vector<const char*> prefixes) {
  Update u;
  u.attributes.origin = Origin::Igp;
  u.attributes.as_path = AsPath{{AsSegment{SegmentType::AsSequence, {65515, 12076}}}};
  u.attributes.next_hop = ip(next_hop);
  for (auto* p : prefixes) u.nlri.push_back(pfx(p));
  return u;
}

constexpr const char* kConfigHead =
    "frr defaults traditional\n"
    "ip route 10.0.210.0/24 10.0.0.1\n"   // line 2
    "ip route 10.9.0.0/16 eth9\n"         // line 3
    "interface lo\n"                      // line 4
    " ip address 10.0.0.1/8\n"            // line 5
    "exit\n"
    "interface eth0\n"
    " ip address 10.0.0.4/24\n"           // line 8
    "exit\n"
    "router bgp 65001\n"
    " bgp router-id 10.0.0.4\n"
    " no bgp ebgp-requires-policy\n";
constexpr const char* kNeighbor =
    " neighbor 127.0.0.1 remote-as 65515\n"
    " neighbor 127.0.0.1 update-source 127.0.0.2\n";
constexpr const char* kConfigTail =
    " address-family ipv4 unicast\n"
    "  network 10.0.0.0/8\n"
    " exit-address-family\n"
    "exit\n";

// A daemon on its own io thread with a FakeFib; everything it owns is read on
// that thread (on_io).
struct Harness {
  explicit Harness(bool with_neighbor, std::uint16_t port, DaemonOptions extra = {}) {
    std::string text = std::string(kConfigHead) + (with_neighbor ? kNeighbor : "") + kConfigTail;
    auto parsed = parse_frr_config(text, "test.frr");
    EXPECT_TRUE(parsed.ok()) << parsed.error().to_string();
    options = std::move(extra);
    options.bgp_port = port;
    options.listen_address = ip("127.0.0.2");
    options.control_socket = "";
    options.log = &log;
    options.fib = [this](boost::asio::io_context&, FibEvents events) -> Result<std::unique_ptr<Fib>> {
      auto f = std::make_unique<FakeFib>(std::move(events));
      fib = f.get();
      fib->on_close = [this](const FakeFib& closed) {
        kernel_after_close = closed.installed_count();
        calls_at_close = closed.calls;
        fib = nullptr;
      };
      fib->resolve_everything(false);
      fib->set_resolves(ip("10.0.200.12"), true);
      fib->set_resolves(ip("10.0.0.1"), true);
      fib->refuse(pfx("10.9.0.0/16"), "No such device");
      fib->leave_stale(FibRoute{pfx("10.55.0.0/16"), FibSource::Bgp, FibRouteKind::Unicast, {ip("10.0.200.12")}, {}});
      fib->leave_stale(FibRoute{pfx("10.100.0.0/16"), FibSource::Bgp, FibRouteKind::Unicast, {ip("10.0.200.12")}, {}});
      return std::unique_ptr<Fib>(std::move(f));
    };
    daemon = std::make_unique<NvaDaemon>(io, parsed->config, options);
  }
  ~Harness() {
    if (runner.joinable()) {
      boost::asio::post(io, [this] { io.stop(); });
      runner.join();
    }
  }
  void run() {
    runner = std::thread([this] {
      auto guard = boost::asio::make_work_guard(io);
      io.run();
    });
  }
  template <typename F>
  auto on_io(F f) {
    std::promise<decltype(f())> p;
    boost::asio::post(io, [&] { p.set_value(f()); });
    return p.get_future().get();
  }
  // Bounded poll for a positive condition, evaluated on the io thread.
  template <typename F>
  bool eventually(F condition, std::chrono::milliseconds limit = 5000ms) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      if (on_io(condition)) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }
  std::string log_text() {
    return on_io([this] { return log.str(); });
  }

  boost::asio::io_context io;
  std::ostringstream log;
  DaemonOptions options;
  FakeFib* fib = nullptr;  // null once the daemon closed it (stop)
  std::optional<std::size_t> kernel_after_close;  // routes the "kernel" kept
  std::vector<std::string> calls_at_close;
  std::unique_ptr<NvaDaemon> daemon;
  std::thread runner;
};

// A listening peer on 127.0.0.1 with a free port: the BGP port for both sides.
struct PeerListener {
  PeerListener() : fd(::socket(AF_INET, SOCK_STREAM, 0), 3) {
    int one = 1;
    setsockopt(fd.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    auto a = address("127.0.0.1", 0);
    EXPECT_EQ(::bind(fd.fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(fd.fd, 4), 0);
    socklen_t len = sizeof a;
    getsockname(fd.fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  // The daemon's dial, answered with OPEN + KEEPALIVE: Established on both sides.
  std::unique_ptr<Fd> accept_session() {
    pollfd pfd{fd.fd, POLLIN, 0};
    if (::poll(&pfd, 1, 5000) != 1) return nullptr;
    auto s = std::make_unique<Fd>(::accept(fd.fd, nullptr, nullptr), 3);
    auto open = read_message(s->fd);
    if (!open || !std::holds_alternative<Open>(*open)) return nullptr;
    Open o;
    o.my_as = 65515;
    o.hold_time = 180;
    o.bgp_identifier = ip("10.0.210.4");
    o.capabilities.multiprotocol = {AfiSafi{}};
    o.capabilities.four_octet_as = 65515;
    send_all(s->fd, encoded(o));
    send_all(s->fd, encoded(Keepalive{}));
    return s;
  }
  Fd fd;
  std::uint16_t port = 0;
};

// A port nobody listens on (bound then closed): the daemon's dials fail.
std::uint16_t closed_port() {
  PeerListener l;
  return l.port;
}

TEST(NvaFib, Start_InstallsTheNetworkBlackholeAndIpRoutes_NeverInterfaceAddresses) {
  Harness h(false, closed_port());
  ASSERT_TRUE(h.daemon->start().ok()) << h.log.str();
  auto* network = h.fib->installed_route(pfx("10.0.0.0/8"), FibSource::Network);
  ASSERT_NE(network, nullptr) << "the supernet's blackhole";
  EXPECT_EQ(network->kind, FibRouteKind::Blackhole);
  EXPECT_EQ(network->config_line, 14);
  auto* via = h.fib->installed_route(pfx("10.0.210.0/24"), FibSource::Static);
  ASSERT_NE(via, nullptr);
  EXPECT_EQ(via->next_hops, std::vector<Ipv4Address>{ip("10.0.0.1")});
  EXPECT_EQ(h.fib->count("flush"), 1u) << "start's routes are one batch";
  // Originated with no import-check route: the blackhole backs it.
  auto best = h.daemon->rib().best(pfx("10.0.0.0/8"));
  ASSERT_TRUE(best);
  EXPECT_TRUE(best->local);
  const std::string log = h.log.str();
  EXPECT_NE(log.find("config line 5: 'interface lo' address 10.0.0.1/8 not applied: on Linux it would make all of "
                     "10.0.0.0/8 local"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("DESIGN.md, Traps"), std::string::npos) << log;
  EXPECT_NE(log.find("instead 'network 10.0.0.0/8' is originated and backed by a blackhole route"), std::string::npos)
      << log;
  EXPECT_NE(log.find("config line 8: 'interface eth0' address 10.0.0.4/24 not applied"), std::string::npos) << log;
  // The FIB could not honour line 3: its line and why, once.
  const std::string refused = "config line 3: 'ip route 10.9.0.0/16 eth9' not installed: kernel: No such device";
  ASSERT_NE(log.find(refused), std::string::npos) << log;
  EXPECT_EQ(log.find(refused), log.rfind(refused)) << "said once";
  for (const auto& call : h.fib->calls) EXPECT_EQ(call.find("10.0.0.1/8"), std::string::npos) << call;
  h.daemon->stop();
}

TEST(NvaFib, StaleRoutes_StayUntilTheTimer_ThenOnlyThoseNobodyWantsAreSwept) {
  DaemonOptions o;
  o.stale_timeout = 1s;
  Harness h(true, closed_port(), o);  // the neighbor never answers: no End-of-RIB
  ASSERT_TRUE(h.daemon->start().ok()) << h.log.str();
  h.run();
  // Positive control first: the stale routes are there and nothing swept them.
  EXPECT_TRUE(h.on_io([&] { return h.fib->installed(pfx("10.55.0.0/16"), FibSource::Bgp); }));
  EXPECT_FALSE(h.on_io([&] { return h.daemon->swept().has_value(); }));
  ASSERT_TRUE(h.eventually([&] { return h.daemon->swept().has_value(); }, 4000ms)) << h.log_text();
  EXPECT_EQ(h.on_io([&] { return *h.daemon->swept(); }), 2u);
  EXPECT_FALSE(h.on_io([&] { return h.fib->installed(pfx("10.55.0.0/16"), FibSource::Bgp); }));
  EXPECT_TRUE(h.on_io([&] { return h.fib->installed(pfx("10.0.0.0/8"), FibSource::Network); }))
      << "the supernet was set in this run: not stale";
  EXPECT_NE(h.log_text().find("fib: swept 2 stale routes of 2 left by an earlier run, after stale timer (1 s)"),
            std::string::npos)
      << h.log_text();
}

TEST(NvaFib, Session_RoutesInstalledWhenTheirNextHopResolves_HeldWithAReasonOtherwise_SweptAfterEndOfRib) {
  PeerListener peer;
  DaemonOptions o;
  o.stale_timeout = 60s;
  Harness h(true, peer.port, o);
  ASSERT_TRUE(h.daemon->start().ok()) << h.log.str();
  h.run();
  auto s = peer.accept_session();
  ASSERT_TRUE(s) << h.log_text();

  // The NVA's table, then its End-of-RIB (RFC 4724 2), after our KEEPALIVE.
  bool supernet = false, end_of_rib = false;
  while (auto m = read_message(s->fd)) {
    if (auto* u = std::get_if<Update>(&*m)) {
      if (u->is_end_of_rib()) {
        end_of_rib = true;
        break;
      }
      // Its NEXT_HOP is 127.0.0.2, which our decoder treats as withdraw (RFC 7606
      // 7.3, a loopback next hop): the prefix shows up among the withdrawn.
      for (const auto& p : u->nlri) supernet |= p == pfx("10.0.0.0/8");
      for (const auto& p : u->withdrawn) supernet |= p == pfx("10.0.0.0/8");
    }
  }
  EXPECT_TRUE(supernet);
  EXPECT_TRUE(end_of_rib) << "the NVA sends End-of-RIB after its initial table";

  // One read with two UPDATEs: one flush for both.
  const auto flushes_before = h.on_io([&] { return h.fib->count("flush"); });
  Bytes both = encoded(site_routes("10.0.200.12", {"10.100.0.0/16", "10.101.0.0/16"}));
  Bytes held = encoded(site_routes("10.0.200.99", {"10.102.0.0/16"}));
  both.insert(both.end(), held.begin(), held.end());
  send_all(s->fd, both);
  ASSERT_TRUE(h.eventually([&] { return h.fib->installed(pfx("10.101.0.0/16"), FibSource::Bgp); })) << h.log_text();
  EXPECT_EQ(h.on_io([&] { return h.fib->count("flush"); }), flushes_before + 1);
  auto* route = h.on_io([&] { return h.fib->installed_route(pfx("10.100.0.0/16"), FibSource::Bgp); });
  ASSERT_NE(route, nullptr);
  EXPECT_EQ(route->next_hops, std::vector<Ipv4Address>{ip("10.0.200.12")});
  EXPECT_EQ(h.on_io([&] { return h.fib->count("set 10.102.0.0/16 bgp"); }), 0u) << "its next hop does not resolve";

  // Held, and `bgp show` says why.
  auto routes = h.on_io([&] { return h.daemon->show("routes"); });
  const auto& path = routes["routes"]["10.102.0.0/16"][0];
  EXPECT_EQ(path["nexthops"][0]["accessible"], false);
  EXPECT_EQ(path["fibHeld"]["detail"], "next hop 10.0.200.99 unresolved") << routes.dump();
  EXPECT_NE(show_text("routes", routes).find("not installed: next hop 10.0.200.99 unresolved"), std::string::npos);
  auto summary = h.on_io([&] { return h.daemon->show("summary"); });
  const auto& fib = summary["ipv4Unicast"]["fib"];
  EXPECT_EQ(fib["held"], 2) << summary.dump();  // 10.102.0.0/16 (unresolved) and 10.9.0.0/16 (refused)
  EXPECT_EQ(fib["heldUnresolved"], 1);
  EXPECT_EQ(fib["refused"], 1);
  EXPECT_EQ(fib["staleAtStart"], 2);
  EXPECT_NE(show_text("summary", summary).find("FIB: "), std::string::npos);

  // Not swept before the peer's End-of-RIB (the stale 10.55/16 still forwards) ...
  EXPECT_FALSE(h.on_io([&] { return h.daemon->swept().has_value(); }));
  EXPECT_TRUE(h.on_io([&] { return h.fib->installed(pfx("10.55.0.0/16"), FibSource::Bgp); }));
  // ... and swept once it comes: only what the new RIB does not hold.
  send_all(s->fd, encoded(Update{}));
  ASSERT_TRUE(h.eventually([&] { return h.daemon->swept().has_value(); })) << h.log_text();
  EXPECT_EQ(h.on_io([&] { return *h.daemon->swept(); }), 1u);
  EXPECT_FALSE(h.on_io([&] { return h.fib->installed(pfx("10.55.0.0/16"), FibSource::Bgp); }));
  EXPECT_TRUE(h.on_io([&] { return h.fib->installed(pfx("10.100.0.0/16"), FibSource::Bgp); }));
  EXPECT_NE(h.log_text().find("after End-of-RIB from 127.0.0.1"), std::string::npos) << h.log_text();

  // The FIB reports the next hop reachable: the RIB re-runs, the route goes in.
  h.on_io([&] {
    h.fib->set_resolves(ip("10.0.200.99"), true);
    return 0;
  });
  ASSERT_TRUE(h.eventually([&] { return h.fib->installed(pfx("10.102.0.0/16"), FibSource::Bgp); })) << h.log_text();
  EXPECT_NE(h.log_text().find("next hop 10.0.200.99 resolves"), std::string::npos);
  // And unreachable again: out of the kernel.
  h.on_io([&] {
    h.fib->set_resolves(ip("10.0.200.99"), false);
    return 0;
  });
  ASSERT_TRUE(h.eventually([&] { return !h.fib->installed(pfx("10.102.0.0/16"), FibSource::Bgp); }));
  EXPECT_EQ(h.on_io([&] { return h.fib->count("remove 10.102.0.0/16 bgp"); }), 1u);
}

// Stop: Cease, then our routes out of the kernel; with retain they stay.
void stop_test(bool retain) {
  PeerListener peer;
  DaemonOptions o;
  o.retain = retain;
  Harness h(true, peer.port, o);
  ASSERT_TRUE(h.daemon->start().ok()) << h.log.str();
  h.run();
  auto s = peer.accept_session();
  ASSERT_TRUE(s);
  send_all(s->fd, encoded(site_routes("10.0.200.12", {"10.100.0.0/16"})));
  ASSERT_TRUE(h.eventually([&] { return h.fib->installed(pfx("10.100.0.0/16"), FibSource::Bgp); }));
  const auto before = h.on_io([&] { return h.fib->installed_count(); });
  ASSERT_GE(before, 3u);  // positive control: the supernet, a static, a BGP route
  h.on_io([&] {
    h.daemon->stop();
    return 0;
  });
  ASSERT_TRUE(h.on_io([&] { return h.kernel_after_close.has_value(); })) << "the FIB is closed on stop";
  const auto& calls = h.calls_at_close;
  EXPECT_EQ(std::count(calls.begin(), calls.end(), "withdraw_all"), retain ? 0 : 1);
  EXPECT_EQ(*h.kernel_after_close, retain ? before : 0u);
  EXPECT_EQ(std::count(calls.begin(), calls.end(), "remove 10.100.0.0/16 bgp"), 0)
      << "the session's end does not take routes out one by one";
  // The peer got the Cease either way.
  std::optional<Notification> cease;
  while (auto m = read_message(s->fd))
    if (auto* n = std::get_if<Notification>(&*m)) cease = *n;
  ASSERT_TRUE(cease);
  EXPECT_EQ(cease->code, ErrorCode::Cease);
}

TEST(NvaFib, Stop_WithdrawsEveryRoute) { stop_test(false); }
TEST(NvaFib, StopWithRetain_LeavesTheRoutesInTheKernel) { stop_test(true); }

}  // namespace
}  // namespace hairpin::bgpd
