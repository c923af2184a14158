// NVA daemon: Boost.Asio sockets and timers around NeighborSupervisor and Rib.
// Socket and timer outcomes go to the supervisor as events; its actions are
// carried out here (dial, accept, send, drop, arm a timer, log, tell the RIB),
// and the RIB's output goes back to it to send. The daemon decides nothing about
// sessions. Single-threaded: every handler runs on the caller's io_context.
// Kernel routes go through the Fib: queued as the RIB changes, flushed once at
// the end of each batch of input (Batch below), so a table arriving in one read is
// one flush, not one per UPDATE.

#include "hairpin/bgpd/daemon/nva_daemon.hpp"

#include "hairpin/bgpd/daemon/control_client.hpp"
#include "hairpin/bgpd/daemon/output_queue.hpp"
#include "hairpin/bgpd/daemon/stale_sweep.hpp"
#include "hairpin/bgpd/fib/netlink_fib.hpp"
#include "hairpin/bgpd/show/bgp_show.hpp"
#include "hairpin/bgpd/supervisor/neighbor_supervisor.hpp"
#include "hairpin/bgpd/supervisor/refusal_log.hpp"

#include <ifaddrs.h>
#include <malloc.h>
#include <csignal>
#include <netinet/in.h>

#include <sys/stat.h>
#include <cerrno>
#include <cstring>
#include <unistd.h>

#include <boost/asio.hpp>
#include <filesystem>
#include <deque>
#include <iostream>
#include <set>
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
// Our end of a connected socket (the RIB's and RFC 4271 6.3 a's "own address"),
// unknown when the socket is already gone.
std::optional<Ipv4Address> local_address(const tcp::socket& socket) {
  boost::system::error_code ec;
  auto ep = socket.local_endpoint(ec);
  if (ec) return std::nullopt;
  return from_asio(ep.address());
}

// One TCP connection's socket and write queue. Outlives its Connection while a
// final NOTIFICATION drains, then closes itself; a peer that never reads it gets
// kLinger to take it, then the socket is closed anyway. Writes are asynchronous:
// a peer with its window at zero holds up its own queue only (output_queue.hpp
// bounds that queue).
struct Wire : std::enable_shared_from_this<Wire> {
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds kLinger{5};
  explicit Wire(asio::io_context& io) : socket(io), linger(io) {}
  tcp::socket socket;
  asio::steady_timer linger;
  std::deque<Bytes> queue;
  std::uint64_t queued_bytes = 0;  // everything in `queue`, the message being written included
  Clock::time_point last_progress = Clock::now();  // a message written out, or the queue was empty
  bool writing = false;
  bool closing = false;
  std::array<std::uint8_t, 65536> read_buffer{};

  void send(Bytes bytes) {
    if (queue.empty()) last_progress = Clock::now();
    queued_bytes += bytes.size();
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
      self->queued_bytes -= self->queue.front().size();
      self->queue.pop_front();
      self->last_progress = Clock::now();
      if (ec) {
        self->queue.clear();
        self->queued_bytes = 0;
        self->writing = false;
        self->close_now();
        return;
      }
      self->write_next();
    });
  }
  // How long the queue has waited without a message written out (0: empty).
  std::chrono::milliseconds stalled_for() const {
    if (queue.empty()) return std::chrono::milliseconds{0};
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - last_progress);
  }
  // Everything not yet started goes (the message being written must finish, or the
  // stream would be cut inside it): what follows, a NOTIFICATION, is next.
  void drop_backlog() {
    while (queue.size() > (writing ? 1u : 0u)) {
      queued_bytes -= queue.back().size();
      queue.pop_back();
    }
  }
  void close_after_writes() {
    closing = true;
    if (!writing) return close_now();
    auto self = shared_from_this();
    linger.expires_after(kLinger);
    linger.async_wait([self](boost::system::error_code ec) {
      if (!ec) self->close_now();
    });
  }
  void close_now() {
    boost::system::error_code ignored;
    linger.cancel();
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }
};

}  // namespace

struct NvaDaemon::Impl {
  // One connection's socket and timers; which connection does what is the
  // supervisor's to decide.
  struct Link {
    std::shared_ptr<Wire> wire;
    std::optional<Ipv4Address> established_peer;  // PeerUp seen on it: its queue is watched
    std::uint16_t hold_time = 0;                  // negotiated
    std::map<Timer, std::unique_ptr<asio::steady_timer>> timers;
    std::map<Timer, std::uint64_t> timer_generation;
  };

  Impl(asio::io_context& io, NvaConfig config, DaemonOptions options)
      : io(io), config(std::move(config)), options(std::move(options)), acceptor(io), control(io),
        bulk_log_timer(io), stale_timer(io), output_watch(io), trim_timer(io) {}

  asio::io_context& io;
  NvaConfig config;
  DaemonOptions options;
  tcp::acceptor acceptor;
  asio::local::stream_protocol::acceptor control;
  Ipv4Address router_id;
  // Declared before the Rib, whose resolver asks it.
  std::unique_ptr<Fib> fib;
  bool stopping = false;  // stop() ran: timers already due must not re-arm, the FIB is left alone
  std::unique_ptr<Rib> rib;
  std::unique_ptr<NeighborSupervisor> supervisor;
  std::map<ConnectionId, Link> links;
  std::map<Ipv4Address, std::unique_ptr<asio::steady_timer>> hold_down_timers;
  std::optional<tcp::socket> offered;  // while the supervisor decides on it
  RefusalLog refusals;                  // which refused connections get a log line
  // Loc-RIB changes during a table load: counted, logged once a second.
  struct BulkFibLog {
    std::size_t changed = 0, removed = 0;
    bool armed = false;
  } bulk_log;
  asio::steady_timer bulk_log_timer;

  // One batch of input (a socket read, a timer, a signal, a FIB event): every
  // RIB output inside it is queued on the FIB, flushed once when it ends.
  int batch_depth = 0;
  bool fib_dirty = false;
  struct Batch {
    explicit Batch(Impl& d) : d(d) { ++d.batch_depth; }
    ~Batch() {
      if (--d.batch_depth == 0) d.end_batch();
    }
    Impl& d;
  };

  // The routes the config wants besides the RIB's: `ip route` lines (Static) and
  // the blackholes behind `network` prefixes (Network), with the line they come from.
  struct ConfigRoute {
    FibRoute route;
    std::string text;  // "ip route 10.9.0.0/16 eth9", for messages
  };
  std::map<std::pair<Ipv4Prefix, FibSource>, ConfigRoute> config_routes;
  std::set<std::tuple<Ipv4Prefix, FibSource, std::string>> holds_logged;  // each once
  FibCounters last_counters;

  // Restart: End-of-RIB seen per peer in this run, the stale timer, the sweep.
  std::set<Ipv4Address> end_of_rib_from;
  asio::steady_timer stale_timer;
  bool stale_timer_expired = false;
  std::optional<std::size_t> swept;

  // Once a second: every Established connection's write queue judged
  // (output_queue.hpp); a stalled one is closed with Cease/Out of Resources.
  asio::steady_timer output_watch;
  // After a large batch of RIB changes (a table loaded or withdrawn), the freed
  // heap goes back to the system once the churn has stopped for a second; without
  // it glibc keeps the peak of every flap (1M routes: RSS 128 -> 214 MiB after two
  // flaps, tests/faults/flaps_test.sh).
  asio::steady_timer trim_timer;
  std::size_t changes_since_trim = 0;

  std::ostream& sink() { return options.log ? *options.log : std::cerr; }
  std::ostream& log() { return sink() << "hairpin nva: "; }

  // ---- the FIB -----------------------------------------------------------------------

  FibEvents fib_events() {
    FibEvents e;
    // Posted, not run inline: the FIB may call this from inside flush().
    e.next_hops_changed = [this](std::vector<Ipv4Address> changed) {
      asio::post(io, [this, changed = std::move(changed)] {
        if (stopping || !rib) return;
        for (auto nh : changed)
          log() << "next hop " << nh.to_string() << (fib->resolves(nh) ? " resolves" : " no longer resolves") << '\n';
        dispatch(rib->next_hops_changed(changed));
      });
    };
    e.log = [this](const std::string& line) {
      log() << line << '\n';
      if (!stopping) asio::post(io, [this] { report_config_holds(); });
    };
    return e;
  }

  // RibOutput.fib -> the FIB's queue (best path's next hop first, then multipaths).
  void apply_fib(const std::vector<FibChange>& changes) {
    if (stopping || changes.empty()) return;  // on stop the FIB is withdrawn whole, or retained
    changes_since_trim += changes.size();
    FibRoute route;  // one, reused: a full table is a million of them
    for (const auto& c : changes) {
      if (c.next_hops.empty()) {
        fib->remove(c.prefix, FibSource::Bgp);
        continue;
      }
      route.prefix = c.prefix;
      route.next_hops.assign(c.next_hops.begin(), c.next_hops.end());
      fib->set(route);
    }
    fib_dirty = true;
  }

  void end_batch() {
    if (stopping || !fib) return;
    if (changes_since_trim >= kTrimAfterChanges) arm_trim();
    if (fib_dirty) {
      fib_dirty = false;
      fib->flush();
      report_config_holds();
    }
    maybe_sweep();
  }

  // The config's static routes and `network` blackholes, as the FIB should hold them.
  std::map<std::pair<Ipv4Prefix, FibSource>, ConfigRoute> wanted_config_routes() {
    std::map<std::pair<Ipv4Prefix, FibSource>, ConfigRoute> out;
    for (const auto& r : config.static_routes) {
      FibRoute f{r.prefix, FibSource::Static, r.blackhole ? FibRouteKind::Blackhole : FibRouteKind::Unicast,
                 {}, r.interface, r.line};
      if (r.next_hop) f.next_hops.push_back(*r.next_hop);
      std::string text = "ip route " + r.prefix.to_string() +
                         (r.blackhole ? " blackhole" : "") + (r.next_hop ? " " + r.next_hop->to_string() : "") +
                         (r.interface ? " " + *r.interface : "");
      auto [it, fresh] = out.try_emplace({r.prefix, FibSource::Static}, ConfigRoute{f, text});
      if (fresh) continue;
      // Two `ip route` lines for one prefix via next hops: one ECMP route, as FRR's staticd.
      auto& kept = it->second.route;
      if (kept.kind == FibRouteKind::Unicast && f.kind == FibRouteKind::Unicast && !kept.interface && !f.interface) {
        for (auto nh : f.next_hops)
          if (std::find(kept.next_hops.begin(), kept.next_hops.end(), nh) == kept.next_hops.end())
            kept.next_hops.push_back(nh);
      } else {
        log() << "config line " << r.line << ": '" << text << "' not installed: line " << kept.config_line
              << " already routes " << r.prefix.to_string() << " differently; keep one of them\n";
      }
    }
    // A `network` prefix is originated whether or not a route backs it (no
    // import-check): the blackhole is the backing, unless an `ip route` line for
    // the same prefix already is.
    for (const auto& n : config.bgp->networks) {
      if (out.count({n.prefix, FibSource::Static})) continue;
      FibRoute f{n.prefix, FibSource::Network, FibRouteKind::Blackhole, {}, std::nullopt, n.line};
      out.try_emplace({n.prefix, FibSource::Network}, ConfigRoute{f, "network " + n.prefix.to_string()});
    }
    return out;
  }

  void install_config_routes() {
    auto wanted = wanted_config_routes();
    for (const auto& [key, old] : config_routes)
      if (!wanted.count(key)) fib->remove(key.first, key.second), fib_dirty = true;
    for (const auto& [key, r] : wanted) {
      auto it = config_routes.find(key);
      if (it != config_routes.end() && it->second.route == r.route) continue;
      fib->set(r.route);
      fib_dirty = true;
    }
    config_routes = std::move(wanted);
  }

  // A config line the FIB cannot honour: its line and why, once per reason.
  void report_config_holds() {
    if (!fib) return;
    const auto c = fib->counters();
    if (c.held == last_counters.held && c.refused == last_counters.refused) return;
    last_counters = c;
    for (const auto& h : fib->held_routes()) {
      if (h.source == FibSource::Bgp) continue;
      auto it = config_routes.find({h.prefix, h.source});
      if (it == config_routes.end()) continue;
      if (!holds_logged.insert({h.prefix, h.source, h.detail}).second) continue;
      log() << "config line " << it->second.route.config_line << ": '" << it->second.text
            << "' not installed: " << h.detail << '\n';
    }
  }

  // Interface addresses are the system's to configure, never the NVA's: one line
  // per `ip address` of the config, saying so; on lo, why it would hurt.
  void warn_interface_addresses() {
    for (const auto& a : config.interface_addresses) {
      const auto covered = Ipv4Prefix::covering(a.address, a.length);
      const std::string addr = a.address.to_string() + "/" + std::to_string(a.length);
      auto& line = log() << "config line " << a.line << ": 'interface " << a.interface << "' address " << addr
                         << " not applied: ";
      if (a.interface == "lo" && a.length < 32) {
        // DESIGN.md Traps: a prefix shorter than /32 on lo adds `local P dev lo table
        // local`, which swallows every address of P without a more specific route,
        // the subnet gateway included.
        bool originated = false;
        for (const auto& n : config.bgp->networks) originated |= n.prefix == covered;
        line << "on Linux it would make all of " << covered.to_string()
             << " local to this host, the subnet gateway included, so routes and sessions through the gateway "
                "fail (DESIGN.md, Traps); ";
        if (originated)
          line << "instead 'network " << covered.to_string()
               << "' is originated and backed by a blackhole route: more specific learned routes forward, the "
                  "rest of the prefix is dropped here";
        else
          line << "to originate " << covered.to_string() << ", add 'network " << covered.to_string()
               << "' (hairpin nva backs it with a blackhole route)";
        line << '\n';
      } else {
        line << "hairpin nva does not change interface addresses; give " << a.interface
             << " its address with the system's network configuration\n";
      }
    }
  }

  static constexpr std::size_t kTrimAfterChanges = 10000;
  void arm_trim() {
    trim_timer.expires_after(std::chrono::seconds{1});  // re-armed while the churn goes on
    trim_timer.async_wait([this](boost::system::error_code ec) {
      if (ec || stopping) return;
      changes_since_trim = 0;
#ifdef __GLIBC__
      ::malloc_trim(0);
#endif
    });
  }

  void watch_output() {
    output_watch.expires_after(std::chrono::seconds{1});
    output_watch.async_wait([this](boost::system::error_code ec) {
      if (ec || stopping) return;
      std::vector<std::pair<ConnectionId, std::string>> stalled;
      for (const auto& [id, l] : links) {
        if (!l.wire || !l.established_peer) continue;
        const auto verdict =
            judge_output_queue({l.wire->queued_bytes, l.wire->stalled_for(), l.hold_time}, options.output_limits);
        if (!verdict.close) continue;
        log() << "neighbor " << l.established_peer->to_string() << ": the peer stopped reading: " << verdict.why
              << "; closing the session with Cease/Out of Resources (RFC 4486)\n";
        stalled.emplace_back(id, "output stalled: " + verdict.why);
      }
      for (const auto& [id, why] : stalled) {
        if (auto* l = link(id); l && l->wire) l->wire->drop_backlog();
        feed(ConnectionOutputStalled{id, why});
      }
      watch_output();
    });
  }

  // ---- restart: the stale sweep ------------------------------------------------------

  void maybe_sweep() {
    if (swept || stopping || !supervisor) return;
    std::vector<PeerConvergence> peers;
    for (const auto& view : supervisor->neighbor_views())
      peers.push_back({view.address, view.session ? view.session->state() : SessionState::Idle,
                       end_of_rib_from.count(view.address) > 0});
    const auto decision =
        decide_stale_sweep(peers, stale_timer_expired, static_cast<int>(options.stale_timeout.count()));
    if (!decision.sweep) return;
    stale_timer.cancel();
    swept = fib->sweep_stale();
    const auto c = fib->counters();
    log() << "fib: swept " << *swept << " stale route" << (*swept == 1 ? "" : "s") << " of " << c.stale_at_start
          << " left by an earlier run, after " << decision.why << '\n';
  }

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
      p.next_hop_self = n.next_hop_self;
      peers.push_back(p);
    }
    return peers;
  }

  // Every `network` statement: no import-check is needed, the NVA installs the
  // route that backs it (install_config_routes).
  std::vector<LocalRoute> local_routes() {
    std::vector<LocalRoute> out;
    for (const auto& net : config.bgp->networks) out.push_back(LocalRoute{net.prefix, net.route_map});
    return out;
  }

  // ---- the supervisor's actions, carried out ---------------------------------------

  void feed(const SupervisorEvent& event) {
    Batch batch(*this);
    carry_out(supervisor->handle(event));
  }

  void carry_out(const SupervisorActions& actions) {
    for (const auto& action : actions) std::visit([&](const auto& a) { carry_out(a); }, action);
  }

  Link* link(ConnectionId id) {
    auto it = links.find(id);
    return it == links.end() ? nullptr : &it->second;
  }

  void carry_out(const Dial& d) {
    auto& l = links[d.connection];
    if (l.wire) l.wire->close_now();
    auto wire = l.wire = std::make_shared<Wire>(io);
    boost::system::error_code ec;
    wire->socket.open(tcp::v4(), ec);
    if (!ec && d.source) wire->socket.bind(tcp::endpoint(to_asio(*d.source), 0), ec);
    if (!ec) wire->socket.set_option(asio::ip::unicast::hops(d.ttl), ec);
    auto id = d.connection;
    if (ec) {
      log() << "neighbor " << d.peer.to_string() << ": cannot open a socket: " << ec.message() << '\n';
      asio::post(io, [this, id, wire] {
        if (auto* l = link(id); l && l->wire == wire) feed(DialFailed{id});
      });
      return;
    }
    wire->socket.async_connect(tcp::endpoint(to_asio(d.peer), options.bgp_port),
                               [this, id, wire](boost::system::error_code ec) {
                                 auto* l = link(id);
                                 if (!l || l->wire != wire) return;
                                 if (ec) return feed(DialFailed{id});
                                 start_reading(id);
                                 feed(DialSucceeded{id, local_address(l->wire->socket)});
                               });
  }

  void carry_out(const AcceptConnection& a) {
    auto& l = links[a.connection];
    l.wire = std::make_shared<Wire>(io);
    l.wire->socket = std::move(*offered);
    offered.reset();
    boost::system::error_code ec;
    l.wire->socket.set_option(asio::ip::unicast::hops(a.ttl), ec);
    start_reading(a.connection);
  }

  // Closed before anything is written: a stranger reads EOF and zero bytes, never
  // our OPEN (which would tell it our AS and router-id). Logged rate-limited.
  void carry_out(const RefuseConnection& r) {
    boost::system::error_code ec;
    if (offered) offered->close(ec);
    offered.reset();
    if (auto line = refusals.refused(r.from, r.reason, RefusalLog::Clock::now())) log() << *line << '\n';
  }

  void carry_out(const Transmit& t) {
    if (auto* l = link(t.connection); l && l->wire) l->wire->send(t.bytes);
  }

  void carry_out(const DropConnection& d) {
    auto* l = link(d.connection);
    if (!l) return;
    l->established_peer.reset();
    if (l->wire) l->wire->close_after_writes();
    l->wire.reset();
  }

  void carry_out(const ForgetConnection& f) {
    auto* l = link(f.connection);
    if (!l) return;
    for (auto& [t, timer] : l->timers) timer->cancel();
    if (l->wire) l->wire->close_after_writes();
    links.erase(f.connection);
  }

  void carry_out(const StartConnectionTimer& s) {
    auto* l = link(s.connection);
    if (!l) return;
    auto& timer = l->timers[s.timer];
    if (!timer) timer = std::make_unique<asio::steady_timer>(io);
    timer->cancel();
    std::uint64_t generation = ++l->timer_generation[s.timer];
    timer->expires_after(s.after);
    timer->async_wait([this, id = s.connection, which = s.timer, generation](boost::system::error_code ec) {
      auto* l = link(id);
      if (ec || !l || l->timer_generation[which] != generation) return;
      feed(ConnectionTimerExpired{id, which});
    });
  }

  void carry_out(const StopConnectionTimer& s) {
    auto* l = link(s.connection);
    if (!l) return;
    ++l->timer_generation[s.timer];
    if (auto it = l->timers.find(s.timer); it != l->timers.end()) it->second->cancel();
  }

  void carry_out(const StartHoldDownTimer& h) {
    auto& timer = hold_down_timers[h.peer];
    timer = std::make_unique<asio::steady_timer>(io, h.after);
    timer->async_wait([this, peer = h.peer](boost::system::error_code ec) {
      if (!ec) feed(HoldDownTimerExpired{peer});
    });
  }

  void carry_out(const StopHoldDownTimer& h) {
    if (auto it = hold_down_timers.find(h.peer); it != hold_down_timers.end()) it->second->cancel();
  }

  void carry_out(const LogLine& l) { log() << l.text << '\n'; }

  void carry_out(const PeerUp& up) {
    std::optional<Ipv4Address> local;
    if (auto* l = link(up.connection); l && l->wire) {
      l->established_peer = up.peer;
      l->hold_time = up.negotiated.hold_time;
      local = local_address(l->wire->socket);
    }
    dispatch(rib->peer_up(up.peer, up.negotiated, local));
  }

  void carry_out(const PeerDown& down) {
    end_of_rib_from.erase(down.peer);
    dispatch(rib->peer_down(down.peer));
  }

  void carry_out(const DeliverUpdate& u) {
    if (!supervisor->carries_session(u.connection)) return;  // taken down earlier in this batch
    // RFC 4724 2: no NLRI and no withdrawn routes is the IPv4 unicast End-of-RIB.
    const auto& m = u.update;
    if (m.nlri.empty() && m.withdrawn.empty() && !m.attributes.mp_reach && !m.attributes.mp_unreach)
      end_of_rib_from.insert(u.peer);
    dispatch(rib->receive(u.peer, u.update));
    // Counts what inbound policy accepted, as FRR's pcount (and the limit itself) does.
    const auto counts = rib->counts(u.peer);
    feed(PrefixesAccepted{u.peer, counts ? counts->accepted : 0});
  }

  void carry_out(const DeliverRouteRefresh& r) {
    if (!supervisor->carries_session(r.connection)) return;
    dispatch(rib->route_refresh(r.peer, r.refresh));
  }

  void dispatch(const RibOutput& out) {
    Batch batch(*this);
    for (const auto& o : out.send) {
      if (const auto* u = std::get_if<Update>(&o.message)) carry_out(supervisor->send_update(o.peer, *u));
      else carry_out(supervisor->send_refresh_marker(o.peer, std::get<RouteRefresh>(o.message).subtype));
    }
    log_fib_changes(out.fib);
    apply_fib(out.fib);
    for (const auto& p : out.problems) {
      if (p.kind == RibProblemKind::MaximumPrefixExceeded) feed(MaximumPrefixExceeded{p.peer, p.message});
      else log() << p.message << '\n';
    }
  }

  void start_reading(ConnectionId id) {
    auto* l = link(id);
    if (!l || !l->wire) return;
    auto wire = l->wire;
    wire->socket.async_read_some(asio::buffer(wire->read_buffer), [this, id, wire](boost::system::error_code ec,
                                                                                   std::size_t n) {
      auto* l = link(id);
      if (!l || l->wire != wire) return;
      if (ec) return feed(ConnectionClosed{id});
      feed(BytesArrived{id, std::span<const std::uint8_t>(wire->read_buffer.data(), n)});
      if (auto* still = link(id); still && still->wire == wire) start_reading(id);
    });
  }

  ShowContext show_context();
  std::vector<NeighborStatus> neighbor_statuses() const;

  // The control socket answers anyone who can connect, so its file is root's
  // alone: created 0600 (umask 0177 around bind), checked after. Whatever is in the
  // way is removed only when it is a socket nobody answers on (a crash's leftover);
  // anything else (a file, a symlink, a directory) is left alone and refused.
  Status open_control() {
    namespace fs = std::filesystem;
    const std::string& path = options.control_socket;
    std::error_code fec;
    fs::create_directories(fs::path(path).parent_path(), fec);
    struct stat in_the_way {};
    if (::lstat(path.c_str(), &in_the_way) == 0) {
      if (!S_ISSOCK(in_the_way.st_mode))
        return Error{"the control socket's path is taken by something that is not a socket", path,
                     "remove it if it is yours, or give another --control-socket"};
      // A live daemon answers; a stale socket from a crash does not.
      if (query_control_socket(path, "summary").ok())
        return Error{"another hairpin nva is running", path, "stop it first, or give this one another --control-socket"};
      if (::unlink(path.c_str()) != 0)
        return Error{std::string("cannot remove the stale control socket: ") + std::strerror(errno), path,
                     "remove it by hand"};
      log() << "removed a stale control socket (no daemon answered on it): " << path << '\n';
    }
    // bind(2) creates the socket 0777 & ~umask: 0177 makes it 0600 at once, with
    // no chmod by path afterwards (which would follow a symlink put there).
    mode_t old = ::umask(0177);
    boost::system::error_code ec;
    control.open(asio::local::stream_protocol(), ec);
    if (!ec) control.bind(asio::local::stream_protocol::endpoint(path), ec);
    ::umask(old);
    if (!ec) control.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return Error{"cannot create the control socket: " + ec.message(), path, "check that the directory is writable"};
    struct stat made {};
    if (::lstat(path.c_str(), &made) != 0 || !S_ISSOCK(made.st_mode) || (made.st_mode & 0777) != 0600 ||
        made.st_uid != ::geteuid()) {
      control.close(ec);  // not ours to unlink: whatever is there was not made by this bind
      return Error{"the control socket is not a 0600 socket owned by us after bind", path,
                   "check what else writes to its directory"};
    }
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
        auto reply = std::make_shared<std::string>(answer_control_request(request, show_context()));
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
      auto local = local_address(socket);  // our end: RFC 4271 6.3 a next-hop check
      offered.emplace(std::move(socket));
      feed(ConnectionOffered{from, local});
      offered.reset();  // refused or accepted, it is no longer ours to hold
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
  // The FIB first: without it (no CAP_NET_ADMIN, no netlink) nothing should peer.
  if (!d.options.fib) return Error{"no FIB to drive", "", "give DaemonOptions::fib (run_nva opens a NetlinkFib)"};
  auto fib = d.options.fib(d.io, d.fib_events());
  if (!fib) return fib.error();
  d.fib = std::move(fib).value();

  RibOptions ro;
  ro.local_as = d.config.bgp->asn;
  ro.router_id = d.router_id;
  ro.ebgp_requires_policy = d.config.bgp->ebgp_requires_policy;
  ro.maximum_paths = d.config.bgp->maximum_paths;
  // RFC 4271 9.1.2.1: a path whose NEXT_HOP does not resolve is not selected; the
  // FIB resolves recursively against the kernel, ignoring our own routes.
  d.rib = std::make_unique<Rib>(ro, d.config.policy, d.rib_peers(),
                                [&d](Ipv4Address next_hop) { return d.fib && d.fib->resolves(next_hop); });
  d.supervisor = std::make_unique<NeighborSupervisor>(*d.config.bgp, d.router_id);

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
  d.warn_interface_addresses();
  {
    Impl::Batch batch(d);
    d.install_config_routes();
    d.dispatch(d.rib->set_local_routes(d.local_routes()));
  }
  const auto stale = d.fib->counters().stale_at_start;
  if (stale > 0)
    d.log() << "fib: " << stale << " route" << (stale == 1 ? "" : "s")
            << " of ours left in the kernel by an earlier run; they forward until the sessions converge "
               "(End-of-RIB) or for at most "
            << d.options.stale_timeout.count() << " s\n";
  d.stale_timer.expires_after(d.options.stale_timeout);
  d.stale_timer.async_wait([&d](boost::system::error_code ec) {
    if (ec || d.stopping) return;
    Impl::Batch batch(d);
    d.stale_timer_expired = true;
  });
  d.feed(StartNeighbors{});
  d.watch_output();
  return Ok{};
}

void NvaDaemon::stop() {
  auto& d = *impl_;
  if (d.stopping) return;
  d.stopping = true;
  d.bulk_log_timer.cancel();
  d.stale_timer.cancel();
  d.output_watch.cancel();
  d.trim_timer.cancel();
  boost::system::error_code ec;
  d.acceptor.close(ec);
  d.close_control();
  // Cease first, so the peers withdraw what points at us before our routes go.
  if (d.supervisor) d.feed(StopNeighbors{});
  if (!d.fib) return;
  if (d.options.retain) {
    d.log() << "fib: " << d.fib->counters().installed
            << " routes left in the kernel (--retain); the next run keeps them until its sessions converge\n";
  } else {
    d.fib->withdraw_all();
    d.log() << "fib: our routes removed from the kernel\n";
  }
  // Closed, so its kernel watch no longer keeps the io_context running.
  d.fib.reset();
}

Status NvaDaemon::reload(NvaConfig next) {
  auto& d = *impl_;
  if (!next.bgp) return Error{"the new config has no 'router bgp'", "", "keep 'router bgp " + std::to_string(d.config.bgp->asn) + "'"};
  if (auto accepted = d.supervisor->reload(*next.bgp); !accepted) return accepted.error();
  d.config = std::move(next);
  {
    Impl::Batch batch(d);
    d.install_config_routes();
    d.dispatch(d.rib->replace_policy(d.config.policy, d.rib_peers()));
    d.dispatch(d.rib->set_local_routes(d.local_routes()));
  }
  d.warn_interface_addresses();
  d.log() << "config reloaded\n";
  return Ok{};
}

ShowContext NvaDaemon::Impl::show_context() {
  ShowContext ctx;
  ctx.router_id = router_id;
  ctx.local_as = config.bgp->asn;
  ctx.rib = rib.get();
  ctx.neighbors = neighbor_statuses();
  if (fib) {
    ctx.fib = fib->counters();
    ctx.fib_held = fib->held_routes();
  }
  return ctx;
}

nlohmann::json NvaDaemon::show(const std::string& request) { return answer_show_request(request, impl_->show_context()); }

std::optional<std::size_t> NvaDaemon::swept() const { return impl_->swept; }

Ipv4Address NvaDaemon::router_id() const { return impl_->router_id; }

const Rib& NvaDaemon::rib() const { return *impl_->rib; }

std::vector<NeighborStatus> NvaDaemon::Impl::neighbor_statuses() const {
  std::vector<NeighborStatus> out;
  if (!supervisor) return out;
  for (const auto& view : supervisor->neighbor_views()) {
    NeighborStatus s;
    s.address = view.address;
    s.remote_as = view.remote_as;
    if (view.session) s.state = view.session->state();
    // `remote-as external`: the AS the peer's OPEN gave, once there is a session.
    if (s.remote_as == 0 && view.session && view.session->negotiated()) s.remote_as = view.session->negotiated()->peer_as;
    if (view.last_notification) s.last_notification = view.last_notification->to_string();
    out.push_back(s);
  }
  return out;
}

std::vector<NeighborStatus> NvaDaemon::neighbors() const { return impl_->neighbor_statuses(); }

void NvaDaemon::start_fib_writer() {
  if (impl_->fib) impl_->fib->start_writer_thread();
}

int run_nva(NvaConfig config, DaemonOptions options, std::function<Result<NvaConfig>()> reload) {
  asio::io_context io;
  if (!options.fib)
    options.fib = [](asio::io_context& io, FibEvents events) { return NetlinkFib::open(io, std::move(events)); };
  NvaDaemon daemon(io, std::move(config), options);
  std::ostream& log = options.log ? *options.log : std::cerr;
  if (auto started = daemon.start(); !started) {
    log << "hairpin nva: " << started.error().to_string() << '\n';
    return 2;
  }
  if (options.after_start)
    if (auto after = options.after_start(); !after) {
      log << "hairpin nva: " << after.error().to_string() << '\n';
      daemon.stop();
      io.run();  // the Cease to peers, if any got that far, goes out
      return 2;
    }
  daemon.start_fib_writer();  // after the privileges are dropped: they are per thread
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
