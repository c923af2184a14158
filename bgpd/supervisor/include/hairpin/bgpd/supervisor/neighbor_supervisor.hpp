#pragma once
// Per-neighbour supervision, pure: events in, actions out.
//
// In:  the BGP instance's config and router-id; then events from the daemon:
//      start, stop, a TCP connection offered from address X, our dial succeeded
//      or failed, bytes or a close on connection N, a timer of connection N or a
//      neighbour's hold-down timer expired, the RIB's accepted-prefix count and
//      its maximum-prefix verdict for a peer; the RIB's messages to send; reloads.
// Out: actions for the daemon to carry out, in order: dial, accept or refuse a
//      connection (with the reason), send bytes on / drop / forget connection N,
//      start or stop a timer of connection N or a neighbour's hold-down timer,
//      log a line, and what the RIB must hear (peer up on connection N, peer
//      down, an UPDATE, a ROUTE-REFRESH).
// Owns one SessionFsm (session_fsm.hpp) per TCP connection to a configured
// neighbour: the one we dial, kept across redials, and each one the peer opens.
// Decides which connections to accept, connection collisions (RFC 4271 6.8, as
// soon as an OPEN carries the peer's identifier), when our dialing holds for a
// session carried by the peer's connection and when it resumes, and
// maximum-prefix as FRR does it (threshold warning, warning-only, held down for
// `restart M` minutes or until restart). No sockets, no clock: a timer is an
// action, its expiry an event. Called by the daemon (nva_daemon.cpp), one
// instance for all neighbours; tests drive it with tables of events.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "hairpin/bgpd/config/config.hpp"
#include "hairpin/bgpd/session/session_fsm.hpp"
#include "hairpin/common/result.hpp"

namespace hairpin::bgpd {

// One TCP connection to a neighbour, numbered from 1 and never reused.
using ConnectionId = std::uint64_t;

// ---- events -------------------------------------------------------------------

struct StartNeighbors {};                        // dial every neighbour not shut down
struct StopNeighbors {};                         // Cease to every peer; nothing redials
// `local`: our end of the connection, when known (RFC 4271 6.3 a next-hop check).
struct ConnectionOffered { Ipv4Address from; std::optional<Ipv4Address> local = {}; };  // a peer connected to our port
struct DialSucceeded { ConnectionId connection; std::optional<Ipv4Address> local = {}; };
struct DialFailed { ConnectionId connection; };
struct BytesArrived { ConnectionId connection; std::span<const std::uint8_t> bytes; };
struct ConnectionClosed { ConnectionId connection; };  // read error or EOF
struct ConnectionTimerExpired { ConnectionId connection; Timer timer; };
struct HoldDownTimerExpired { Ipv4Address peer; };
// The RIB's count of the peer's prefixes that passed inbound policy (FRR's pcount),
// after each UPDATE it received.
struct PrefixesAccepted { Ipv4Address peer; std::uint64_t count = 0; };
// The RIB counted more than `maximum-prefix N` (its message says how many).
struct MaximumPrefixExceeded { Ipv4Address peer; std::string message; };
// The daemon's write queue on connection N is stuck or over its cap
// (output_queue.hpp): Cease/Out of Resources on it.
struct ConnectionOutputStalled { ConnectionId connection; std::string reason; };
using SupervisorEvent =
    std::variant<StartNeighbors, StopNeighbors, ConnectionOffered, DialSucceeded, DialFailed, BytesArrived,
                 ConnectionClosed, ConnectionTimerExpired, HoldDownTimerExpired, PrefixesAccepted,
                 MaximumPrefixExceeded, ConnectionOutputStalled>;

// ---- actions ------------------------------------------------------------------

// Open a socket (bound to `source` if given, IP TTL `ttl`) and connect to the
// peer's BGP port; the outcome comes back as DialSucceeded / DialFailed. A socket
// the connection still has is closed first.
struct Dial {
  ConnectionId connection;
  Ipv4Address peer;
  std::optional<Ipv4Address> source;
  std::uint8_t ttl = 1;
};
// Keep the offered socket as this connection (IP TTL `ttl`) and read from it.
struct AcceptConnection { ConnectionId connection; Ipv4Address peer; std::uint8_t ttl = 1; };
// Close the offered socket; log "connection from FROM refused: REASON".
struct RefuseConnection { Ipv4Address from; std::string reason; };
struct Transmit { ConnectionId connection; Bytes bytes; MessageType type; };
// Close the socket once what is queued is written; the connection may dial again.
struct DropConnection { ConnectionId connection; };
// The connection is gone for good: cancel its timers, close its socket once written.
struct ForgetConnection { ConnectionId connection; };
struct StartConnectionTimer { ConnectionId connection; Timer timer; std::chrono::seconds after; };
struct StopConnectionTimer { ConnectionId connection; Timer timer; };
// maximum-prefix ... restart M: the neighbour is held down for M minutes.
struct StartHoldDownTimer { Ipv4Address peer; std::chrono::minutes after; };
struct StopHoldDownTimer { Ipv4Address peer; };
struct LogLine { std::string text; };
// The RIB's side: a session is up (on this connection: its local address is the
// next hop we advertise), down, or brought an UPDATE or a ROUTE-REFRESH. An
// UPDATE or ROUTE-REFRESH is stale once carries_session(connection) is false:
// an earlier action in the same batch took the session down.
struct PeerUp { Ipv4Address peer; ConnectionId connection; Negotiated negotiated; };
struct PeerDown { Ipv4Address peer; };
struct DeliverUpdate { Ipv4Address peer; ConnectionId connection; Update update; };
struct DeliverRouteRefresh { Ipv4Address peer; ConnectionId connection; RouteRefresh refresh; };
using SupervisorAction =
    std::variant<Dial, AcceptConnection, RefuseConnection, Transmit, DropConnection, ForgetConnection,
                 StartConnectionTimer, StopConnectionTimer, StartHoldDownTimer, StopHoldDownTimer, LogLine, PeerUp,
                 PeerDown, DeliverUpdate, DeliverRouteRefresh>;
using SupervisorActions = std::vector<SupervisorAction>;

class NeighborSupervisor {
 public:
  // Every neighbour of `bgp`, none started yet. `router_id` is ours (RFC 6286).
  NeighborSupervisor(const BgpConfig& bgp, Ipv4Address router_id);

  SupervisorActions handle(const SupervisorEvent& event);

  // The RIB's messages for a peer, sent on its Established connection; none when
  // the peer has no session. An UPDATE over 4096 octets is logged, not sent.
  SupervisorActions send_update(Ipv4Address peer, const Update& update);
  SupervisorActions send_refresh_marker(Ipv4Address peer, RouteRefreshSubtype subtype);

  // A reload: the neighbours' new settings (maximum-prefix among them) apply from
  // the next event. A change that needs new sessions (the AS, neighbours added or
  // removed, remote-as, timers, multihop, update-source, shutdown) is refused
  // with a message saying so, and nothing changes.
  Status reload(const BgpConfig& next);

  // Whether connection N carries its peer's Established session.
  bool carries_session(ConnectionId connection) const;

  // For `show`: each neighbour (by address) and the session it reports: the
  // Established one, else the most advanced connection (none when shut down).
  struct NeighborView {
    Ipv4Address address;
    std::uint32_t remote_as = 0;
    const SessionFsm* session = nullptr;
    // The neighbour's last NOTIFICATION, sent or received, on whichever of its
    // connections: kept when that connection is gone and the next one dials (as
    // FRR's "Last reset"), which session->last_notification() is not.
    std::optional<Notification> last_notification;
  };
  std::vector<NeighborView> neighbor_views() const;

 private:
  struct Connection {
    Ipv4Address peer;
    SessionFsm fsm;
    std::uint64_t notifications_seen = 0;  // fsm.notifications() when last looked
  };
  struct Neighbor {
    NeighborConfig config;
    std::optional<ConnectionId> out;  // the connection we dial; none when shut down
    std::vector<ConnectionId> in;     // connections the peer opened
    std::optional<ConnectionId> established;
    bool out_stopped = false;  // our dialing holds for a peer-opened session
    // maximum-prefix: over the limit the session stays down (no dialing, no
    // accepting) until the hold-down timer, or for good; warnings once a session.
    bool held_down = false;
    bool hold_down_timer = false;
    bool threshold_warned = false;
    bool limit_warned = false;
    std::optional<Notification> last_notification;  // NeighborView::last_notification
  };

  void on(const StartNeighbors&);
  void on(const StopNeighbors&);
  void on(const ConnectionOffered& e);
  void on(const DialSucceeded& e) { after(e.connection, TcpCrAcked{e.local}); }
  void on(const DialFailed& e) { after(e.connection, TcpConnectionFails{}); }
  void on(const BytesArrived& e) { after(e.connection, BytesReceived{e.bytes}); }
  void on(const ConnectionClosed& e) { after(e.connection, TcpConnectionFails{}); }
  void on(const ConnectionTimerExpired& e) { after(e.connection, TimerExpired{e.timer}); }
  void on(const ConnectionOutputStalled& e) { after(e.connection, OutputStalled{e.reason}); }
  void on(const HoldDownTimerExpired& e);
  void on(const PrefixesAccepted& e);
  void on(const MaximumPrefixExceeded& e);

  ConnectionId open_connection(Neighbor& n, bool passive);
  SessionConfig session_config(const NeighborConfig& n, bool passive) const;
  std::uint8_t ttl_for(const NeighborConfig& n) const;
  // The FSM's actions for connection `id`, as the daemon's actions.
  void act(ConnectionId id, std::vector<SessionAction> actions);
  // An FSM event on connection `id`, then collision detection and the input the
  // FSM held back for it.
  void after(ConnectionId id, const SessionEvent& event);
  void detect_collisions(Neighbor& n);
  void hold_our_dialing(Neighbor& n);
  // After each event: forget dead peer-opened connections; our dialing resumes
  // when nothing else carries the session.
  void tidy(Neighbor& n);
  void forget(ConnectionId id);
  void log(const Neighbor& n, const std::string& text);
  Neighbor* neighbor_of(ConnectionId id);

  BgpConfig bgp_;
  Ipv4Address router_id_;
  std::map<Ipv4Address, Neighbor> neighbors_;
  std::map<ConnectionId, Connection> connections_;
  ConnectionId next_id_ = 1;
  bool stopping_ = false;
  // Per handle(): the actions so far, connections that lost to an Established one
  // (dumped once the FSM's actions are out), neighbours to tidy.
  SupervisorActions out_;
  std::vector<ConnectionId> deferred_dumps_;
  std::set<Ipv4Address> touched_;
};

}  // namespace hairpin::bgpd
