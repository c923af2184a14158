// NVA daemon: Boost.Asio sockets and timers around SessionFsm and Rib.
// Single-threaded: every handler runs on the caller's io_context.

#include "hairpin/bgpd/nva_daemon.hpp"

#include "hairpin/bgpd/bgp_show.hpp"

#include <ifaddrs.h>
#include <csignal>
#include <netinet/in.h>

#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <filesystem>
#include <tuple>
#include <deque>
#include <iostream>
#include <sstream>

namespace hairpin::bgpd {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Result<Ipv4Address> choose_router_id(const NvaConfig& config) {
  if (config.bgp && config.bgp->router_id) return *config.bgp->router_id;
  std::uint32_t best = 0;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) == 0) {
    for (auto* a = list; a; a = a->ifa_next) {
      if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET) continue;
      auto v = ntohl(reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr.s_addr);
      if ((v >> 24) == 127) continue;
      best = std::max(best, v);
    }
    freeifaddrs(list);
  }
  if (best == 0)
    return Error{"no router-id: no IPv4 address on this host", "", "add 'bgp router-id A.B.C.D' under 'router bgp'"};
  return Ipv4Address{best};
}

namespace {

asio::ip::address_v4 to_asio(Ipv4Address a) { return asio::ip::address_v4(a.value); }
Ipv4Address from_asio(const asio::ip::address& a) {
  return a.is_v4() ? Ipv4Address{a.to_v4().to_uint()} : Ipv4Address{};
}

// One TCP connection's socket and write queue. Outlives its Connection while a
// final NOTIFICATION drains, then closes itself.
struct Wire : std::enable_shared_from_this<Wire> {
  explicit Wire(asio::io_context& io) : socket(io) {}
  tcp::socket socket;
  std::deque<Bytes> queue;
  bool writing = false;
  bool closing = false;
  std::array<std::uint8_t, 65536> read_buffer{};

  void send(Bytes bytes) {
    queue.push_back(std::move(bytes));
    if (!writing) write_next();
  }
  void write_next() {
    if (queue.empty()) {
      writing = false;
      if (closing) close_now();
      return;
    }
    writing = true;
    auto self = shared_from_this();
    asio::async_write(socket, asio::buffer(queue.front()), [self](boost::system::error_code ec, std::size_t) {
      self->queue.pop_front();
      if (ec) {
        self->queue.clear();
        self->writing = false;
        self->close_now();
        return;
      }
      self->write_next();
    });
  }
  void close_after_writes() {
    closing = true;
    if (!writing) close_now();
  }
  void close_now() {
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }
};

}  // namespace

struct NvaDaemon::Impl {
  struct Neighbor;

  struct Connection : std::enable_shared_from_this<Connection> {
    Connection(Impl& d, Neighbor& n, SessionConfig config, bool outbound)
        : daemon(d), neighbor(n), fsm(std::move(config)), outbound(outbound) {}
    Impl& daemon;
    Neighbor& neighbor;
    SessionFsm fsm;
    bool outbound;
    std::shared_ptr<Wire> wire;
    std::map<Timer, std::unique_ptr<asio::steady_timer>> timers;
    std::map<Timer, std::uint64_t> timer_generation;
    bool discarded = false;
  };

  struct Neighbor {
    NeighborConfig config;
    std::shared_ptr<Connection> out;
    std::vector<std::shared_ptr<Connection>> in;
    Connection* established = nullptr;
    bool out_stopped = false;  // we stopped dialing for a peer-opened session
    // maximum-prefix: over the limit, the session stays down (no dialing, no
    // accepting) until `restart` minutes pass, or for good; warnings once a session.
    bool prefix_overflow = false;
    std::unique_ptr<asio::steady_timer> overflow_restart;
    bool threshold_warned = false;
    bool limit_warned = false;
  };

  Impl(asio::io_context& io, NvaConfig config, DaemonOptions options)
      : io(io), config(std::move(config)), options(options), acceptor(io), control(io), bulk_log_timer(io) {}

  asio::io_context& io;
  NvaConfig config;
  DaemonOptions options;
  tcp::acceptor acceptor;
  asio::local::stream_protocol::acceptor control;
  Ipv4Address router_id;
  std::unique_ptr<Rib> rib;
  std::map<Ipv4Address, std::unique_ptr<Neighbor>> neighbors;
  bool stopping = false;
  // Loc-RIB changes during a table load: counted, logged once a second.
  struct BulkFibLog {
    std::size_t changed = 0, removed = 0;
    bool armed = false;
  } bulk_log;
  asio::steady_timer bulk_log_timer;

  std::ostream& sink() { return options.log ? *options.log : std::cerr; }
  std::ostream& log() { return sink() << "hairpin nva: "; }

  // Each Loc-RIB change is logged while batches are small (a session's churn); a
  // table arriving is summed up once a second instead of a line per prefix.
  void log_fib_changes(const std::vector<FibChange>& fib) {
    if (fib.empty()) return;
    if (fib.size() <= 16 && !bulk_log.armed) {
      for (const auto& f : fib) {
        std::ostringstream line;
        line << "hairpin nva: rib: " << f.prefix.to_string();
        if (f.next_hops.empty()) line << " removed";
        for (const auto& nh : f.next_hops) line << " via " << nh.to_string();
        sink() << line.str() << '\n';
      }
      return;
    }
    for (const auto& f : fib) ++(f.next_hops.empty() ? bulk_log.removed : bulk_log.changed);
    if (bulk_log.armed) return;
    bulk_log.armed = true;
    bulk_log_timer.expires_after(std::chrono::seconds{1});
    bulk_log_timer.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      log() << "rib: " << bulk_log.changed << " prefixes installed or changed, " << bulk_log.removed
            << " removed in the last second\n";
      bulk_log = {};
    });
  }

  SessionConfig session_config(const NeighborConfig& n, bool passive) const {
    SessionConfig s;
    s.local_as = config.bgp->asn;
    s.router_id = router_id;
    s.peer_as = n.remote_as;
    s.hold_time = n.hold_time.value_or(config.bgp->hold_time);
    s.keepalive = n.keepalive.value_or(config.bgp->keepalive);
    if (n.connect_retry) s.connect_retry = std::chrono::seconds{*n.connect_retry};
    s.passive = passive;
    return s;
  }

  std::vector<RibPeer> rib_peers() const {
    std::vector<RibPeer> peers;
    for (const auto& n : config.bgp->neighbors) {
      if (!n.activate) continue;
      RibPeer p;
      p.address = n.address;
      p.peer_as = n.remote_as;
      p.route_map_in = n.route_map_in;
      p.route_map_out = n.route_map_out;
      p.prefix_list_in = n.prefix_list_in;
      p.prefix_list_out = n.prefix_list_out;
      p.maximum_prefix = n.maximum_prefix;
      peers.push_back(p);
    }
    return peers;
  }

  // `network` statements that pass FRR's import-check against the config's own
  // static routes and interface addresses (the kernel table is the FIB's job).
  std::vector<LocalRoute> local_routes() {
    std::vector<LocalRoute> out;
    for (const auto& net : config.bgp->networks) {
      bool present = !config.bgp->network_import_check;
      for (const auto& r : config.static_routes) present |= r.prefix == net.prefix;
      for (const auto& a : config.interface_addresses)
        present |= Ipv4Prefix::covering(a.address, a.length) == net.prefix;
      if (present) out.push_back(LocalRoute{net.prefix, net.route_map});
      else
        log() << "network " << net.prefix.to_string()
              << " not advertised: no matching route (import-check); add 'ip route " << net.prefix.to_string()
              << " blackhole'\n";
    }
    return out;
  }

  std::uint8_t ttl_for(const NeighborConfig& n) const {
    if (n.remote_as == config.bgp->asn) return 255;  // iBGP: not limited
    return n.ebgp_multihop.value_or(1);              // eBGP: directly connected unless multihop
  }

  // ---- actions ------------------------------------------------------------------

  void act(Connection& c, const std::vector<SessionAction>& actions) {
    for (const auto& action : actions) {
      if (c.discarded) return;
      std::visit([&](const auto& a) { carry_out(c, a); }, action);
    }
  }

  void carry_out(Connection& c, const ConnectTcp&) {
    auto& n = c.neighbor;
    if (c.wire) c.wire->close_now();
    c.wire = std::make_shared<Wire>(io);
    boost::system::error_code ec;
    c.wire->socket.open(tcp::v4(), ec);
    if (!ec && n.config.update_source) {
      if (auto src = Ipv4Address::parse(*n.config.update_source))
        c.wire->socket.bind(tcp::endpoint(to_asio(*src), 0), ec);
    }
    if (!ec) c.wire->socket.set_option(asio::ip::unicast::hops(ttl_for(n.config)), ec);
    if (ec) {
      log() << "neighbor " << n.config.address.to_string() << ": cannot open a socket: " << ec.message() << '\n';
      return act(c, c.fsm.handle(TcpConnectionFails{}));
    }
    auto self = c.shared_from_this();
    auto wire = c.wire;
    wire->socket.async_connect(tcp::endpoint(to_asio(n.config.address), options.bgp_port),
                               [this, self, wire](boost::system::error_code ec) {
                                 if (self->discarded || self->wire != wire) return;
                                 if (ec) return after(*self, self->fsm.handle(TcpConnectionFails{}));
                                 start_reading(*self);
                                 after(*self, self->fsm.handle(TcpCrAcked{}));
                               });
  }

  void carry_out(Connection& c, const DropTcp&) {
    if (c.wire) c.wire->close_after_writes();
    c.wire.reset();
  }

  void carry_out(Connection& c, const SendBytes& s) {
    if (c.wire) c.wire->send(s.bytes);
  }

  void carry_out(Connection& c, const StartTimer& s) {
    auto& timer = c.timers[s.timer];
    if (!timer) timer = std::make_unique<asio::steady_timer>(io);
    timer->cancel();
    std::uint64_t generation = ++c.timer_generation[s.timer];
    timer->expires_after(s.after);
    auto self = c.shared_from_this();
    Timer which = s.timer;
    timer->async_wait([this, self, which, generation](boost::system::error_code ec) {
      if (ec || self->discarded || self->timer_generation[which] != generation) return;
      after(*self, self->fsm.handle(TimerExpired{which}));
    });
  }

  void carry_out(Connection& c, const StopTimer& s) {
    ++c.timer_generation[s.timer];
    if (auto it = c.timers.find(s.timer); it != c.timers.end()) it->second->cancel();
  }

  void carry_out(Connection& c, const SessionUp& up) {
    auto& n = c.neighbor;
    if (n.established && n.established != &c) {
      // RFC 4271 6.8: the Established connection stays; the newer one closes
      // (and feeds nothing to the RIB meanwhile).
      log() << "neighbor " << n.config.address.to_string()
            << ": connection collision, closing the newer connection (a session is Established)\n";
      asio::post(io, [this, self = c.shared_from_this()] {
        if (!self->discarded) after(*self, self->fsm.handle(OpenCollisionDump{}));
      });
      return;
    }
    n.established = &c;
    std::optional<Ipv4Address> local;
    if (c.wire) {
      boost::system::error_code ec;
      auto ep = c.wire->socket.local_endpoint(ec);
      if (!ec) local = from_asio(ep.address());
    }
    log() << "neighbor " << n.config.address.to_string() << ": Established (AS " << up.negotiated.peer_as
          << ", hold " << up.negotiated.hold_time << " s, " << (c.outbound ? "we connected" : "peer connected")
          << ")\n";
    hold_our_dialing(n);
    dispatch(rib->peer_up(n.config.address, up.negotiated, local));
  }

  void carry_out(Connection& c, const SessionDown& down) {
    auto& n = c.neighbor;
    if (n.established != &c) return;
    n.established = nullptr;
    n.threshold_warned = n.limit_warned = false;
    log() << "neighbor " << n.config.address.to_string() << ": left Established: " << down.reason << '\n';
    dispatch(rib->peer_down(n.config.address));
  }

  void carry_out(Connection& c, const ReceivedUpdate& u) {
    if (c.neighbor.established != &c) return;  // a collision's loser, closing
    // Each RFC 7606 action with the prefixes of the UPDATE it applied to (after a
    // treat-as-withdraw they sit in `withdrawn`), so a test can see what was done to which route.
    std::string prefixes;
    for (const auto* list : {&u.update.nlri, &u.update.withdrawn})
      for (const auto& p : *list) prefixes += " " + p.to_string();
    for (const auto& note : u.notes)
      log() << "neighbor " << c.neighbor.config.address.to_string() << ": " << note.to_string()
            << "; UPDATE for" << (prefixes.empty() ? " no prefix" : prefixes) << '\n';
    dispatch(rib->receive(c.neighbor.config.address, u.update));
    check_prefix_threshold(c.neighbor);
  }

  void carry_out(Connection& c, const ReceivedRouteRefresh& r) {
    if (c.neighbor.established != &c) return;
    const char* what = r.refresh.subtype == RouteRefreshSubtype::Normal ? "route refresh requested"
                       : r.refresh.subtype == RouteRefreshSubtype::BeginningOfRouteRefresh
                           ? "peer re-sending its routes (BoRR)"
                           : "peer finished re-sending its routes (EoRR)";
    log() << "neighbor " << c.neighbor.config.address.to_string() << ": " << what << '\n';
    dispatch(rib->route_refresh(c.neighbor.config.address, r.refresh));
  }

  void dispatch(const RibOutput& out) {
    for (const auto& o : out.send) {
      auto it = neighbors.find(o.peer);
      if (it == neighbors.end() || !it->second->established) continue;
      Connection& c = *it->second->established;
      if (const auto* u = std::get_if<Update>(&o.message)) {
        auto actions = c.fsm.send_update(*u);
        if (!actions) {
          log() << "neighbor " << o.peer.to_string() << ": " << actions.error().to_string() << '\n';
          continue;
        }
        act(c, actions.value());
      } else {
        act(c, c.fsm.send_refresh_marker(std::get<RouteRefresh>(o.message).subtype));
      }
    }
    log_fib_changes(out.fib);
    for (const auto& p : out.problems) {
      auto it = neighbors.find(p.peer);
      if (p.kind == RibProblemKind::MaximumPrefixExceeded && it != neighbors.end())
        over_maximum_prefix(*it->second, p);
      else
        log() << p.message << '\n';
    }
  }

  // The RIB counted more accepted prefixes than `maximum-prefix N` (FRR semantics).
  void over_maximum_prefix(Neighbor& n, const RibProblem& p) {
    const auto& cfg = n.config;
    std::string who = "neighbor " + cfg.address.to_string() + ": ";
    if (cfg.maximum_prefix_warning_only) {
      if (!n.limit_warned) log() << who << p.message << " (warning-only: the session stays up)\n";
      n.limit_warned = true;
      return;
    }
    if (!n.established || n.prefix_overflow) return;
    log() << who << p.message << "; sending Cease/Maximum Number of Prefixes Reached, session down "
          << (cfg.maximum_prefix_restart ? "for " + std::to_string(*cfg.maximum_prefix_restart) + " minute(s)"
                                         : std::string("until hairpin nva restarts"))
          << '\n';
    n.prefix_overflow = true;
    n.out_stopped = false;  // tidy() must not redial
    act(*n.established, n.established->fsm.handle(MaximumPrefixReached{cfg.maximum_prefix.value_or(0)}));
    if (n.out && n.out->fsm.state() != SessionState::Idle) act(*n.out, n.out->fsm.handle(ManualStop{}));
    if (!cfg.maximum_prefix_restart) return;
    n.overflow_restart = std::make_unique<asio::steady_timer>(io, std::chrono::minutes(*cfg.maximum_prefix_restart));
    n.overflow_restart->async_wait([this, addr = cfg.address](boost::system::error_code ec) {
      auto it = neighbors.find(addr);
      if (ec || stopping || it == neighbors.end()) return;
      Neighbor& nb = *it->second;
      nb.prefix_overflow = false;
      log() << "neighbor " << addr.to_string() << ": maximum-prefix restart timer expired, reconnecting\n";
      if (nb.out && !nb.config.shutdown) act(*nb.out, nb.out->fsm.handle(ManualStart{}));
    });
  }

  // FRR's threshold warning: once a session, when the count passes THRESHOLD % of N.
  void check_prefix_threshold(Neighbor& n) {
    const auto& cfg = n.config;
    if (!cfg.maximum_prefix || n.threshold_warned) return;
    // Counts what inbound policy accepted, as FRR's pcount (and the limit itself) does.
    const auto counts = rib->counts(cfg.address);
    std::uint64_t count = counts ? counts->accepted : 0;
    if (count * 100 <= std::uint64_t{*cfg.maximum_prefix} * cfg.maximum_prefix_threshold) return;
    n.threshold_warned = true;
    log() << "neighbor " << cfg.address.to_string() << ": " << count << " prefixes received, "
          << static_cast<int>(cfg.maximum_prefix_threshold) << "% of maximum-prefix " << *cfg.maximum_prefix
          << " reached\n";
  }

  // After each event: resolve collisions (RFC 4271 6.8) and forget dead incoming
  // connections, restarting our own dialing if nothing else carries the session.
  void after(Connection& c, const std::vector<SessionAction>& actions) {
    act(c, actions);
    Neighbor& n = c.neighbor;
    for (auto& in : n.in) {
      if (!n.out) break;
      std::optional<Ipv4Address> peer_id;
      for (const auto* x : {in.get(), n.out.get()})
        if (x->fsm.negotiated()) peer_id = x->fsm.negotiated()->peer_router_id;
      auto verdict = detect_collision(router_id, peer_id, n.out->fsm.state(), in->fsm.state());
      if (verdict == CollisionVerdict::NoCollision) continue;
      auto loser = verdict == CollisionVerdict::CloseConnectionWeOpened ? n.out : in;
      log() << "neighbor " << n.config.address.to_string() << ": connection collision, closing the connection "
            << (loser == in ? "the peer opened" : "we opened") << '\n';
      if (loser == n.out) n.out_stopped = true;
      act(*loser, loser->fsm.handle(OpenCollisionDump{}));
    }
    // The FSM paused after an OPEN for the check above; read on (RFC 4271 6.8).
    if (!c.discarded && c.fsm.input_pending()) return after(c, c.fsm.resume_input());
    asio::post(io, [this, addr = n.config.address] { tidy(addr); });
  }

  void tidy(Ipv4Address address) {
    auto it = neighbors.find(address);
    if (it == neighbors.end()) return;
    Neighbor& n = *it->second;
    std::erase_if(n.in, [&](const std::shared_ptr<Connection>& x) {
      if (x->fsm.state() != SessionState::Idle) return false;
      discard(*x);
      return true;
    });
    hold_our_dialing(n);
    bool carried = n.established || !n.in.empty();
    if (!stopping && !carried && n.out && n.out_stopped && n.out->fsm.state() == SessionState::Idle) {
      // Our dialing was stopped for a peer-opened session that is now gone.
      n.out_stopped = false;
      act(*n.out, n.out->fsm.handle(ManualStart{}));
    }
  }

  // A session carried by the peer's connection: ours stops dialing (or does not
  // redial, after the peer closed it in a collision, say) until that session is
  // gone; tidy() starts it again then.
  void hold_our_dialing(Neighbor& n) {
    if (stopping || !n.out || !n.established || n.established == n.out.get() || n.out_stopped) return;
    auto s = n.out->fsm.state();
    if (s == SessionState::Idle || s == SessionState::Connect || s == SessionState::Active) {
      n.out_stopped = true;
      act(*n.out, n.out->fsm.handle(ManualStop{}));
    }
  }

  void discard(Connection& c) {
    c.discarded = true;
    for (auto& [t, timer] : c.timers) timer->cancel();
    if (c.wire) c.wire->close_after_writes();
    c.wire.reset();
  }

  void start_reading(Connection& c) {
    auto self = c.shared_from_this();
    auto wire = c.wire;
    if (!wire) return;
    wire->socket.async_read_some(asio::buffer(wire->read_buffer), [this, self, wire](boost::system::error_code ec,
                                                                                     std::size_t n) {
      if (self->discarded || self->wire != wire) return;
      if (ec) return after(*self, self->fsm.handle(TcpConnectionFails{}));
      after(*self, self->fsm.handle(BytesReceived{std::span<const std::uint8_t>(wire->read_buffer.data(), n)}));
      if (!self->discarded && self->wire == wire) start_reading(*self);
    });
  }

  ShowContext show_context();
  std::vector<NeighborStatus> neighbor_statuses() const;

  Status open_control() {
    namespace fs = std::filesystem;
    const std::string& path = options.control_socket;
    std::error_code fec;
    fs::create_directories(fs::path(path).parent_path(), fec);
    if (fs::exists(path, fec)) {
      // A live daemon answers; a stale file from a crash does not.
      if (query_control_socket(path, "summary").ok())
        return Error{"another hairpin nva is running", path, "stop it first, or give this one another --control-socket"};
      fs::remove(path, fec);
    }
    mode_t old = ::umask(077);  // the socket is created 0600: state is for root only
    boost::system::error_code ec;
    control.open(asio::local::stream_protocol(), ec);
    if (!ec) control.bind(asio::local::stream_protocol::endpoint(path), ec);
    ::umask(old);
    if (!ec) ::chmod(path.c_str(), 0600);
    if (!ec) control.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return Error{"cannot create the control socket: " + ec.message(), path, "check that the directory is writable"};
    accept_control();
    return Ok{};
  }

  void accept_control() {
    control.async_accept([this](boost::system::error_code ec, asio::local::stream_protocol::socket socket) {
      if (ec) return;
      auto client = std::make_shared<asio::local::stream_protocol::socket>(std::move(socket));
      auto buffer = std::make_shared<asio::streambuf>(4096);
      asio::async_read_until(*client, *buffer, '\n', [this, client, buffer](boost::system::error_code ec, std::size_t) {
        if (ec) return;
        std::istream in(buffer.get());
        std::string request;
        std::getline(in, request);
        auto reply = std::make_shared<std::string>(answer_show_request(request, show_context()).dump());
        asio::async_write(*client, asio::buffer(*reply), [client, reply](boost::system::error_code, std::size_t) {
          boost::system::error_code ignored;
          client->close(ignored);
        });
      });
      accept_control();
    });
  }

  void close_control() {
    if (!control.is_open()) return;
    boost::system::error_code ec;
    control.close(ec);
    std::error_code fec;
    std::filesystem::remove(options.control_socket, fec);
  }

  void accept_next() {
    acceptor.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec) {
        if (ec != asio::error::operation_aborted) {
          log() << "accept failed: " << ec.message() << '\n';
          accept_next();
        }
        return;
      }
      boost::system::error_code e2;
      auto remote = socket.remote_endpoint(e2);
      Ipv4Address from = e2 ? Ipv4Address{} : from_asio(remote.address());
      auto it = neighbors.find(from);
      if (it == neighbors.end() || stopping) {
        log() << "connection from " << from.to_string() << " refused: not a configured neighbor\n";
        socket.close(e2);
        return accept_next();
      }
      Neighbor& n = *it->second;
      if (n.prefix_overflow) {  // like FRR: no session until the restart timer, if any
        log() << "connection from " << from.to_string() << " refused: maximum-prefix exceeded\n";
        socket.close(e2);
        return accept_next();
      }
      if (n.established) {  // RFC 4271 6.8: an Established session wins; close the newcomer
        socket.close(e2);
        return accept_next();
      }
      auto c = std::make_shared<Connection>(*this, n, session_config(n.config, true), false);
      c->wire = std::make_shared<Wire>(io);
      c->wire->socket = std::move(socket);
      c->wire->socket.set_option(asio::ip::unicast::hops(ttl_for(n.config)), e2);
      n.in.push_back(c);
      // The outbound attempt that has not reached the peer yet gives way.
      if (n.out && n.out->fsm.state() == SessionState::Connect) {
        if (n.out->wire) n.out->wire->close_now();
        n.out->wire.reset();
        act(*n.out, n.out->fsm.handle(TcpConnectionFails{}));
      }
      act(*c, c->fsm.handle(ManualStart{}));
      start_reading(*c);
      after(*c, c->fsm.handle(TcpConnectionConfirmed{}));
      accept_next();
    });
  }
};

NvaDaemon::NvaDaemon(asio::io_context& io, NvaConfig config, DaemonOptions options)
    : impl_(std::make_unique<Impl>(io, std::move(config), options)) {}

NvaDaemon::~NvaDaemon() = default;

Status NvaDaemon::start() {
  auto& d = *impl_;
  if (!d.config.bgp) return Error{"no 'router bgp' in the config", "", "add 'router bgp ASN' with its neighbors"};
  auto id = choose_router_id(d.config);
  if (!id) return id.error();
  d.router_id = id.value();

  RibOptions ro;
  ro.local_as = d.config.bgp->asn;
  ro.router_id = d.router_id;
  ro.ebgp_requires_policy = d.config.bgp->ebgp_requires_policy;
  ro.maximum_paths = d.config.bgp->maximum_paths;
  d.rib = std::make_unique<Rib>(ro, d.config.policy, d.rib_peers());

  boost::system::error_code ec;
  tcp::endpoint listen(d.options.listen_address ? asio::ip::address(to_asio(*d.options.listen_address))
                                                : asio::ip::address(asio::ip::address_v4::any()),
                       d.options.bgp_port);
  d.acceptor.open(listen.protocol(), ec);
  if (!ec) d.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) d.acceptor.bind(listen, ec);
  if (!ec) d.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    std::string fix = ec == asio::error::access_denied
                          ? "run as root or grant CAP_NET_BIND_SERVICE to bind port " + std::to_string(d.options.bgp_port)
                          : "stop whatever else listens on TCP port " + std::to_string(d.options.bgp_port) +
                                " (another bgpd?)";
    return Error{"cannot listen on TCP port " + std::to_string(d.options.bgp_port) + ": " + ec.message(), "", fix};
  }
  d.accept_next();
  if (!d.options.control_socket.empty())
    if (auto opened = d.open_control(); !opened) return opened.error();
  d.log() << "AS " << d.config.bgp->asn << ", router-id " << d.router_id.to_string() << ", listening on port "
          << d.options.bgp_port << '\n';
  d.dispatch(d.rib->set_local_routes(d.local_routes()));
  for (const auto& n : d.config.bgp->neighbors) {
    auto neighbor = std::make_unique<Impl::Neighbor>();
    neighbor->config = n;
    auto* raw = neighbor.get();
    d.neighbors[n.address] = std::move(neighbor);
    if (n.shutdown) continue;
    raw->out = std::make_shared<Impl::Connection>(d, *raw, d.session_config(n, false), true);
    d.act(*raw->out, raw->out->fsm.handle(ManualStart{}));
  }
  return Ok{};
}

void NvaDaemon::stop() {
  auto& d = *impl_;
  d.stopping = true;
  d.bulk_log_timer.cancel();
  boost::system::error_code ec;
  d.acceptor.close(ec);
  d.close_control();
  for (auto& [address, n] : d.neighbors) {
    if (n->overflow_restart) n->overflow_restart->cancel();
    for (auto& in : n->in) {
      d.act(*in, in->fsm.handle(ManualStop{}));
      d.discard(*in);
    }
    if (n->out) {
      d.act(*n->out, n->out->fsm.handle(ManualStop{}));
      d.discard(*n->out);
    }
  }
}

Status NvaDaemon::reload(NvaConfig next) {
  auto& d = *impl_;
  if (!next.bgp) return Error{"the new config has no 'router bgp'", "", "keep 'router bgp " + std::to_string(d.config.bgp->asn) + "'"};
  if (next.bgp->asn != d.config.bgp->asn)
    return Error{"the local AS changed (" + std::to_string(d.config.bgp->asn) + " -> " + std::to_string(next.bgp->asn) + ")",
                 "", "restart hairpin nva to change the AS"};
  auto session_key = [](const NeighborConfig& n) {
    return std::make_tuple(n.address.value, n.remote_as, n.ebgp_multihop, n.update_source, n.keepalive, n.hold_time,
                           n.shutdown, n.connect_retry);
  };
  std::vector<decltype(session_key(NeighborConfig{}))> before, after;
  for (const auto& n : d.config.bgp->neighbors) before.push_back(session_key(n));
  for (const auto& n : next.bgp->neighbors) after.push_back(session_key(n));
  std::sort(before.begin(), before.end());
  std::sort(after.begin(), after.end());
  if (before != after || next.bgp->keepalive != d.config.bgp->keepalive || next.bgp->hold_time != d.config.bgp->hold_time)
    return Error{"neighbors or session settings changed", "",
                 "restart hairpin nva for new/removed neighbors, timers, multihop or update-source; reload covers policy and networks"};
  d.config = std::move(next);
  for (auto& [address, n] : d.neighbors)
    for (const auto& cfg : d.config.bgp->neighbors)
      if (cfg.address == address) n->config = cfg;
  d.dispatch(d.rib->replace_policy(d.config.policy, d.rib_peers()));
  d.dispatch(d.rib->set_local_routes(d.local_routes()));
  d.log() << "config reloaded\n";
  return Ok{};
}

ShowContext NvaDaemon::Impl::show_context() {
  ShowContext ctx;
  ctx.router_id = router_id;
  ctx.local_as = config.bgp->asn;
  ctx.rib = rib.get();
  ctx.neighbors = neighbor_statuses();
  return ctx;
}

Ipv4Address NvaDaemon::router_id() const { return impl_->router_id; }

const Rib& NvaDaemon::rib() const { return *impl_->rib; }

std::vector<NeighborStatus> NvaDaemon::Impl::neighbor_statuses() const {
  std::vector<NeighborStatus> out;
  for (const auto& [address, n] : neighbors) {
    NeighborStatus s;
    s.address = address;
    s.remote_as = n->config.remote_as;
    const Connection* c = n->established ? n->established : n->out.get();
    if (!n->established)
      for (const auto& in : n->in)
        if (!c || in->fsm.state() > c->fsm.state()) c = in.get();
    if (c) {
      s.state = c->fsm.state();
      if (c->fsm.last_notification()) s.last_notification = c->fsm.last_notification()->to_string();
    }
    if (auto counts = rib->counts(address)) {
      s.prefixes_received = counts->accepted;  // FRR's pfxRcd counts what passed inbound policy
      s.prefixes_sent = counts->advertised;
      s.announcements_sent = counts->announcements;
    }
    out.push_back(s);
  }
  return out;
}

std::vector<NeighborStatus> NvaDaemon::neighbors() const { return impl_->neighbor_statuses(); }

int run_nva(NvaConfig config, DaemonOptions options, std::function<Result<NvaConfig>()> reload) {
  asio::io_context io;
  NvaDaemon daemon(io, std::move(config), options);
  std::ostream& log = options.log ? *options.log : std::cerr;
  if (auto started = daemon.start(); !started) {
    log << "hairpin nva: " << started.error().to_string() << '\n';
    return 2;
  }
  asio::signal_set stop_signals(io, SIGINT, SIGTERM);
  asio::signal_set hangup(io, SIGHUP);
  std::function<void()> wait_hangup = [&] {
    hangup.async_wait([&](boost::system::error_code ec, int) {
      if (ec) return;
      if (!reload) {
        log << "hairpin nva: SIGHUP ignored: no config file to reload\n";
      } else if (auto next = reload(); !next) {
        log << "hairpin nva: reload failed, keeping the running config: " << next.error().to_string() << '\n';
      } else if (auto applied = daemon.reload(std::move(next).value()); !applied) {
        log << "hairpin nva: reload refused: " << applied.error().to_string() << '\n';
      }
      wait_hangup();
    });
  };
  wait_hangup();
  stop_signals.async_wait([&](boost::system::error_code ec, int) {
    if (ec) return;
    log << "hairpin nva: stopping\n";
    hangup.cancel();
    daemon.stop();
  });
  io.run();
  return 0;
}

}  // namespace hairpin::bgpd
