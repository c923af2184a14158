// Per-neighbour supervision: which connection carries each neighbour's session,
// when we dial, and what maximum-prefix does. Every decision the daemon used to
// take beside its sockets is here, over values.

#include "hairpin/bgpd/supervisor/neighbor_supervisor.hpp"

#include <algorithm>
#include <tuple>
#include <utility>

namespace hairpin::bgpd {

NeighborSupervisor::NeighborSupervisor(const BgpConfig& bgp, Ipv4Address router_id)
    : bgp_(bgp), router_id_(router_id) {
  for (const auto& n : bgp_.neighbors) neighbors_[n.address].config = n;
}

SupervisorActions NeighborSupervisor::handle(const SupervisorEvent& event) {
  out_.clear();
  std::visit([&](const auto& e) { on(e); }, event);
  // A connection that reached Established beside an Established one loses
  // (RFC 4271 6.8), once the actions of the event that brought it there are out.
  while (!deferred_dumps_.empty()) {
    ConnectionId id = deferred_dumps_.front();
    deferred_dumps_.erase(deferred_dumps_.begin());
    if (connections_.count(id)) after(id, OpenCollisionDump{});
  }
  for (auto address : std::exchange(touched_, {}))
    if (auto it = neighbors_.find(address); it != neighbors_.end()) tidy(it->second);
  return std::exchange(out_, {});
}

// ---- the neighbour's life -----------------------------------------------------------

void NeighborSupervisor::on(const StartNeighbors&) {
  for (const auto& cfg : bgp_.neighbors) {  // in config order, as they are dialed
    Neighbor& n = neighbors_[cfg.address];
    if (n.config.shutdown || n.out) continue;
    n.out = open_connection(n, false);
    act(*n.out, connections_.at(*n.out).fsm.handle(ManualStart{}));
  }
}

void NeighborSupervisor::on(const StopNeighbors&) {
  stopping_ = true;
  for (auto& [address, n] : neighbors_) {
    if (n.hold_down_timer) out_.push_back(StopHoldDownTimer{address});
    n.hold_down_timer = false;
    auto ids = n.in;
    if (n.out) ids.push_back(*n.out);
    for (auto id : ids) {
      act(id, connections_.at(id).fsm.handle(ManualStop{}));
      forget(id);
    }
    n.in.clear();
    n.out.reset();
  }
}

void NeighborSupervisor::on(const ConnectionOffered& e) {
  auto it = neighbors_.find(e.from);
  if (it == neighbors_.end() || stopping_) {
    out_.push_back(RefuseConnection{e.from, "not a configured neighbor"});
    return;
  }
  Neighbor& n = it->second;
  if (n.held_down) {  // like FRR: no session until the restart timer, if any
    out_.push_back(RefuseConnection{e.from, "maximum-prefix exceeded"});
    return;
  }
  if (n.established) {  // RFC 4271 6.8: an Established session wins; close the newcomer
    out_.push_back(RefuseConnection{e.from, "a session is Established"});
    return;
  }
  ConnectionId id = open_connection(n, true);
  n.in.push_back(id);
  out_.push_back(AcceptConnection{id, n.config.address, ttl_for(n.config)});
  // The outbound attempt that has not reached the peer yet gives way.
  if (n.out && connections_.at(*n.out).fsm.state() == SessionState::Connect) {
    out_.push_back(DropConnection{*n.out});
    act(*n.out, connections_.at(*n.out).fsm.handle(TcpConnectionFails{}));
  }
  act(id, connections_.at(id).fsm.handle(ManualStart{}));
  after(id, TcpConnectionConfirmed{e.local});
}

void NeighborSupervisor::on(const HoldDownTimerExpired& e) {
  auto it = neighbors_.find(e.peer);
  if (stopping_ || it == neighbors_.end()) return;
  Neighbor& n = it->second;
  n.hold_down_timer = false;
  n.held_down = false;
  log(n, "maximum-prefix restart timer expired, reconnecting");
  if (n.out && !n.config.shutdown) act(*n.out, connections_.at(*n.out).fsm.handle(ManualStart{}));
}

// FRR's threshold warning: once a session, when the count passes THRESHOLD % of N.
void NeighborSupervisor::on(const PrefixesAccepted& e) {
  auto it = neighbors_.find(e.peer);
  if (it == neighbors_.end()) return;
  Neighbor& n = it->second;
  const auto& cfg = n.config;
  if (!cfg.maximum_prefix || n.threshold_warned) return;
  if (e.count * 100 <= std::uint64_t{*cfg.maximum_prefix} * cfg.maximum_prefix_threshold) return;
  n.threshold_warned = true;
  log(n, std::to_string(e.count) + " prefixes received, " + std::to_string(cfg.maximum_prefix_threshold) +
             "% of maximum-prefix " + std::to_string(*cfg.maximum_prefix) + " reached");
}

// Over `maximum-prefix N` (FRR semantics): warning-only logs once a session;
// otherwise Cease (RFC 4486), and the neighbour stays down: no dialing, no
// accepting, until `restart M` minutes pass or for good.
void NeighborSupervisor::on(const MaximumPrefixExceeded& e) {
  auto it = neighbors_.find(e.peer);
  if (it == neighbors_.end()) {
    out_.push_back(LogLine{e.message});
    return;
  }
  Neighbor& n = it->second;
  const auto& cfg = n.config;
  if (cfg.maximum_prefix_warning_only) {
    if (!n.limit_warned) log(n, e.message + " (warning-only: the session stays up)");
    n.limit_warned = true;
    return;
  }
  if (!n.established || n.held_down) return;
  log(n, e.message + "; sending Cease/Maximum Number of Prefixes Reached, session down " +
             (cfg.maximum_prefix_restart ? "for " + std::to_string(*cfg.maximum_prefix_restart) + " minute(s)"
                                         : std::string("until hairpin nva restarts")));
  n.held_down = true;
  n.out_stopped = false;  // tidy() must not redial
  ConnectionId carrier = *n.established;
  act(carrier, connections_.at(carrier).fsm.handle(MaximumPrefixReached{cfg.maximum_prefix.value_or(0)}));
  if (n.out && connections_.at(*n.out).fsm.state() != SessionState::Idle)
    act(*n.out, connections_.at(*n.out).fsm.handle(ManualStop{}));
  touched_.insert(cfg.address);
  if (!cfg.maximum_prefix_restart) return;
  n.hold_down_timer = true;
  out_.push_back(StartHoldDownTimer{cfg.address, std::chrono::minutes{*cfg.maximum_prefix_restart}});
}

// ---- connections ------------------------------------------------------------------

ConnectionId NeighborSupervisor::open_connection(Neighbor& n, bool passive) {
  ConnectionId id = next_id_++;
  connections_.emplace(id, Connection{n.config.address, SessionFsm(session_config(n.config, passive))});
  return id;
}

SessionConfig NeighborSupervisor::session_config(const NeighborConfig& n, bool passive) const {
  SessionConfig s;
  s.local_as = bgp_.asn;
  s.router_id = router_id_;
  s.peer_as = n.remote_as;
  s.peer_as_external = n.remote_as_external;
  s.hold_time = n.hold_time.value_or(bgp_.hold_time);
  s.keepalive = n.keepalive.value_or(bgp_.keepalive);
  if (n.connect_retry) s.connect_retry = std::chrono::seconds{*n.connect_retry};
  s.passive = passive;
  return s;
}

std::uint8_t NeighborSupervisor::ttl_for(const NeighborConfig& n) const {
  if (n.remote_as == bgp_.asn) return 255;  // iBGP: not limited
  return n.ebgp_multihop.value_or(1);       // eBGP: directly connected unless multihop
}

NeighborSupervisor::Neighbor* NeighborSupervisor::neighbor_of(ConnectionId id) {
  auto c = connections_.find(id);
  if (c == connections_.end()) return nullptr;
  auto n = neighbors_.find(c->second.peer);
  return n == neighbors_.end() ? nullptr : &n->second;
}

void NeighborSupervisor::log(const Neighbor& n, const std::string& text) {
  out_.push_back(LogLine{"neighbor " + n.config.address.to_string() + ": " + text});
}

void NeighborSupervisor::act(ConnectionId id, std::vector<SessionAction> actions) {
  // Every event of a connection passes here: a NOTIFICATION it sent or received
  // becomes the neighbour's, before the connection may be forgotten below.
  if (auto c = connections_.find(id); c != connections_.end() && c->second.fsm.notifications() != c->second.notifications_seen) {
    c->second.notifications_seen = c->second.fsm.notifications();
    if (Neighbor* n = neighbor_of(id)) n->last_notification = c->second.fsm.last_notification();
  }
  for (auto& action : actions) {
    Neighbor* np = neighbor_of(id);
    if (!np) return;  // forgotten: the rest is moot
    Neighbor& n = *np;
    std::visit(
        [&](auto& a) {
          using A = std::decay_t<decltype(a)>;
          if constexpr (std::is_same_v<A, ConnectTcp>) {
            auto source = n.config.update_source ? Ipv4Address::parse(*n.config.update_source) : std::nullopt;
            out_.push_back(Dial{id, n.config.address, source, ttl_for(n.config)});
          } else if constexpr (std::is_same_v<A, DropTcp>) {
            out_.push_back(DropConnection{id});
          } else if constexpr (std::is_same_v<A, SendBytes>) {
            out_.push_back(Transmit{id, std::move(a.bytes), a.type});
          } else if constexpr (std::is_same_v<A, StartTimer>) {
            out_.push_back(StartConnectionTimer{id, a.timer, a.after});
          } else if constexpr (std::is_same_v<A, StopTimer>) {
            out_.push_back(StopConnectionTimer{id, a.timer});
          } else if constexpr (std::is_same_v<A, SessionUp>) {
            if (n.established && *n.established != id) {
              // RFC 4271 6.8: the Established connection stays; the newer one closes
              // (and feeds nothing to the RIB meanwhile).
              log(n, "connection collision, closing the newer connection (a session is Established)");
              deferred_dumps_.push_back(id);
              return;
            }
            n.established = id;
            bool outbound = n.out && *n.out == id;
            log(n, "Established (AS " + std::to_string(a.negotiated.peer_as) + ", hold " +
                       std::to_string(a.negotiated.hold_time) + " s, " +
                       (outbound ? "we connected" : "peer connected") + ")");
            hold_our_dialing(n);
            out_.push_back(PeerUp{n.config.address, id, a.negotiated});
          } else if constexpr (std::is_same_v<A, SessionDown>) {
            if (n.established != id) return;
            n.established.reset();
            n.threshold_warned = n.limit_warned = false;
            log(n, "left Established: " + a.reason);
            out_.push_back(PeerDown{n.config.address});
          } else if constexpr (std::is_same_v<A, ReceivedUpdate>) {
            if (n.established != id) return;  // a collision's loser, closing
            // Each RFC 7606 action with the prefixes of the UPDATE it applied to (after a
            // treat-as-withdraw they sit in `withdrawn`): the NVA's own record of what it
            // did to which route, which the live RFC 7606 checks rely on.
            if (!a.notes.empty()) {
              std::string prefixes;
              for (const auto* list : {&a.update.nlri, &a.update.withdrawn})
                for (const auto& p : *list) prefixes += " " + p.to_string();
              for (const auto& note : a.notes)
                log(n, note.to_string() + "; UPDATE for" + (prefixes.empty() ? " no prefix" : prefixes));
            }
            out_.push_back(DeliverUpdate{n.config.address, id, std::move(a.update)});
          } else if constexpr (std::is_same_v<A, ReceivedRouteRefresh>) {
            if (n.established != id) return;
            const char* what = a.refresh.subtype == RouteRefreshSubtype::Normal ? "route refresh requested"
                               : a.refresh.subtype == RouteRefreshSubtype::BeginningOfRouteRefresh
                                   ? "peer re-sending its routes (BoRR)"
                                   : "peer finished re-sending its routes (EoRR)";
            log(n, what);
            out_.push_back(DeliverRouteRefresh{n.config.address, id, a.refresh});
          }
        },
        action);
  }
}

void NeighborSupervisor::after(ConnectionId id, const SessionEvent& event) {
  auto c = connections_.find(id);
  if (c == connections_.end()) return;  // forgotten (stopped, or tidied away): stale
  Neighbor* n = neighbor_of(id);
  touched_.insert(n->config.address);
  act(id, c->second.fsm.handle(event));
  detect_collisions(*n);
  // The FSM paused after an OPEN for the check above; read on (RFC 4271 6.8).
  if (connections_.count(id) && c->second.fsm.input_pending()) after(id, BytesReceived{});
}

// RFC 4271 6.8: our connection against each one the peer opened, decided as soon
// as either carries the peer's OPEN (detect_collision in session_fsm.hpp).
void NeighborSupervisor::detect_collisions(Neighbor& n) {
  for (auto in : std::vector<ConnectionId>(n.in)) {
    if (!n.out) break;
    auto& ours = connections_.at(*n.out).fsm;
    auto& theirs = connections_.at(in).fsm;
    std::optional<Ipv4Address> peer_id;
    for (const auto* x : {&theirs, &ours})
      if (x->negotiated()) peer_id = x->negotiated()->peer_router_id;
    auto verdict = detect_collision(router_id_, peer_id, ours.state(), theirs.state());
    if (verdict == CollisionVerdict::NoCollision) continue;
    bool ours_loses = verdict == CollisionVerdict::CloseConnectionWeOpened;
    log(n, std::string("connection collision, closing the connection ") + (ours_loses ? "we opened" : "the peer opened"));
    if (ours_loses) n.out_stopped = true;
    ConnectionId loser = ours_loses ? *n.out : in;
    act(loser, connections_.at(loser).fsm.handle(OpenCollisionDump{}));
  }
}

// A session carried by the peer's connection: ours stops dialing (or does not
// redial, after the peer closed it in a collision, say) until that session is
// gone; tidy() starts it again then.
void NeighborSupervisor::hold_our_dialing(Neighbor& n) {
  if (stopping_ || !n.out || !n.established || n.established == n.out || n.out_stopped) return;
  auto& ours = connections_.at(*n.out).fsm;
  auto s = ours.state();
  if (s == SessionState::Idle || s == SessionState::Connect || s == SessionState::Active) {
    n.out_stopped = true;
    act(*n.out, ours.handle(ManualStop{}));
  }
}

void NeighborSupervisor::tidy(Neighbor& n) {
  if (stopping_) return;
  std::erase_if(n.in, [&](ConnectionId id) {
    if (connections_.at(id).fsm.state() != SessionState::Idle) return false;
    forget(id);
    return true;
  });
  hold_our_dialing(n);
  bool carried = n.established || !n.in.empty();
  if (!carried && n.out && n.out_stopped && connections_.at(*n.out).fsm.state() == SessionState::Idle) {
    // Our dialing was stopped for a peer-opened session that is now gone.
    n.out_stopped = false;
    act(*n.out, connections_.at(*n.out).fsm.handle(ManualStart{}));
  }
}

void NeighborSupervisor::forget(ConnectionId id) {
  out_.push_back(ForgetConnection{id});
  connections_.erase(id);
}

// ---- the RIB's messages, reloads, views -------------------------------------------------

SupervisorActions NeighborSupervisor::send_update(Ipv4Address peer, const Update& update) {
  out_.clear();
  auto it = neighbors_.find(peer);
  if (it == neighbors_.end() || !it->second.established) return {};
  ConnectionId id = *it->second.established;
  auto actions = connections_.at(id).fsm.send_update(update);
  if (!actions) log(it->second, actions.error().to_string());
  else act(id, std::move(actions).value());
  return std::exchange(out_, {});
}

SupervisorActions NeighborSupervisor::send_refresh_marker(Ipv4Address peer, RouteRefreshSubtype subtype) {
  out_.clear();
  auto it = neighbors_.find(peer);
  if (it == neighbors_.end() || !it->second.established) return {};
  ConnectionId id = *it->second.established;
  act(id, connections_.at(id).fsm.send_refresh_marker(subtype));
  return std::exchange(out_, {});
}

Status NeighborSupervisor::reload(const BgpConfig& next) {
  if (next.asn != bgp_.asn)
    return Error{"the local AS changed (" + std::to_string(bgp_.asn) + " -> " + std::to_string(next.asn) + ")", "",
                 "restart hairpin nva to change the AS"};
  auto session_key = [](const NeighborConfig& n) {
    return std::make_tuple(n.address.value, n.remote_as, n.remote_as_external, n.ebgp_multihop, n.update_source, n.keepalive, n.hold_time,
                           n.shutdown, n.connect_retry);
  };
  std::vector<decltype(session_key(NeighborConfig{}))> before, after;
  for (const auto& n : bgp_.neighbors) before.push_back(session_key(n));
  for (const auto& n : next.neighbors) after.push_back(session_key(n));
  std::sort(before.begin(), before.end());
  std::sort(after.begin(), after.end());
  if (before != after || next.keepalive != bgp_.keepalive || next.hold_time != bgp_.hold_time)
    return Error{"neighbors or session settings changed", "",
                 "restart hairpin nva for new/removed neighbors, timers, multihop or update-source; reload covers "
                 "policy and networks"};
  bgp_ = next;
  for (const auto& cfg : bgp_.neighbors) neighbors_.at(cfg.address).config = cfg;
  return Ok{};
}

bool NeighborSupervisor::carries_session(ConnectionId connection) const {
  auto c = connections_.find(connection);
  if (c == connections_.end()) return false;
  auto n = neighbors_.find(c->second.peer);
  return n != neighbors_.end() && n->second.established == connection;
}

std::vector<NeighborSupervisor::NeighborView> NeighborSupervisor::neighbor_views() const {
  std::vector<NeighborView> views;
  for (const auto& [address, n] : neighbors_) {
    auto fsm = [&](ConnectionId id) { return &connections_.at(id).fsm; };
    const SessionFsm* shown = n.established ? fsm(*n.established) : n.out ? fsm(*n.out) : nullptr;
    if (!n.established)
      for (auto in : n.in)
        if (!shown || fsm(in)->state() > shown->state()) shown = fsm(in);
    views.push_back(NeighborView{address, n.config.remote_as, shown, n.last_notification});
  }
  return views;
}

}  // namespace hairpin::bgpd
