#pragma once
// The BGP-4 session state machine (RFC 4271 8), pure: events in, actions out.
//
// In:  events from the daemon (start/stop, TCP up/down, timer expiry) and the raw
//      bytes of the TCP stream, in whatever pieces the socket delivered them.
// Out: actions for the daemon to carry out: connect, send these bytes, drop the
//      connection, (re)start or stop a timer, and what the RIB must hear
//      (session up with the negotiated capabilities, session down, an UPDATE,
//      a ROUTE-REFRESH request).
// The FSM owns framing and decoding (message_codec.hpp) so the daemon never
// interprets bytes; it owns no sockets and no clock, so tests drive it with a
// fake transport and fake timers. One SessionFsm per TCP connection attempt;
// connection collisions (RFC 4271 6.8) are decided by resolve_collision().

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "hairpin/bgpd/wire/message_codec.hpp"
#include "hairpin/bgpd/wire/negotiated.hpp"
#include "hairpin/bgpd/wire/wire_types.hpp"

namespace hairpin::bgpd {

// RFC 4271 8.2.2 state names.
enum class SessionState { Idle, Connect, Active, OpenSent, OpenConfirm, Established };
const char* to_string(SessionState state);

enum class Timer { ConnectRetry, Hold, Keepalive, IdleHold };
const char* to_string(Timer timer);

// RFC 6608 3: FSM error subcodes (NOTIFICATION code 5).
enum class FsmSubcode : std::uint8_t {
  UnexpectedMessageInOpenSent = 1,
  UnexpectedMessageInOpenConfirm = 2,
  UnexpectedMessageInEstablished = 3,
};

// RFC 4486 3: Cease subcodes we send.
enum class CeaseSubcode : std::uint8_t {
  MaximumNumberOfPrefixesReached = 1,
  AdministrativeShutdown = 2,
  ConnectionCollisionResolution = 7,
  OutOfResources = 8,
};

struct SessionConfig {
  std::uint32_t local_as = 0;
  Ipv4Address router_id;
  std::uint32_t peer_as = 0;
  bool peer_as_external = false;  // `remote-as external`: any AS but local_as (peer_as unused)
  std::uint16_t hold_time = 180;  // ARS: 180 s
  std::uint16_t keepalive = 60;   // ARS: 60 s
  std::chrono::seconds connect_retry{120};  // RFC 4271 10 suggests 120 s
  std::chrono::seconds idle_hold_base{1};   // first restart after an error
  std::chrono::seconds idle_hold_max{120};  // backoff cap (RFC 4271 8.1.1 damping)
  bool passive = false;                     // wait for the peer to connect
};

// ---- events -------------------------------------------------------------------

struct ManualStart {};
struct ManualStop {};
struct TimerExpired { Timer timer; };
// Both carry our end of the connection when the daemon knows it: a NEXT_HOP equal
// to it is ignored (RFC 4271 6.3 a).
struct TcpConnectionConfirmed {  // RFC 4271 event 17: we accepted the peer's connection
  std::optional<Ipv4Address> local_address;
};
struct TcpCrAcked {  // RFC 4271 event 16: our connection attempt succeeded
  std::optional<Ipv4Address> local_address;
};
struct TcpConnectionFails {};      // RFC 4271 event 18
struct BytesReceived { std::span<const std::uint8_t> bytes; };
struct OpenCollisionDump {};        // RFC 4271 event 23: this connection lost a collision
struct MaximumPrefixReached { std::uint32_t limit = 0; };  // the RIB counted too many routes
// The daemon's output queue to the peer is stuck or over its cap (a peer that
// stopped reading): Cease/Out of Resources, then the usual automatic restart.
struct OutputStalled { std::string reason; };
using SessionEvent =
    std::variant<ManualStart, ManualStop, TimerExpired, TcpConnectionConfirmed, TcpCrAcked, TcpConnectionFails,
                 BytesReceived, OpenCollisionDump, MaximumPrefixReached, OutputStalled>;

// ---- actions ------------------------------------------------------------------

struct ConnectTcp {};
struct DropTcp {};
struct SendBytes { Bytes bytes; MessageType type; };
struct StartTimer { Timer timer; std::chrono::seconds after; };
struct StopTimer { Timer timer; };
struct SessionUp { Negotiated negotiated; };                 // enter_established
struct SessionDown { std::string reason; };                  // leave_established
struct ReceivedUpdate { Update update; std::vector<WireError> notes; };
struct ReceivedRouteRefresh { RouteRefresh refresh; };
using SessionAction = std::variant<ConnectTcp, DropTcp, SendBytes, StartTimer, StopTimer, SessionUp, SessionDown,
                                   ReceivedUpdate, ReceivedRouteRefresh>;

class SessionFsm {
 public:
  explicit SessionFsm(SessionConfig config);

  std::vector<SessionAction> handle(const SessionEvent& event);
  // After an OPEN the FSM stops reading (the connection is now in OpenConfirm) so
  // the daemon can run collision detection (RFC 4271 6.8) before the messages
  // behind it, often a KEEPALIVE in the same TCP segment, move the session on.
  // True while whole messages wait; resume_input() then processes them.
  bool input_pending() const;
  std::vector<SessionAction> resume_input() { return handle(BytesReceived{}); }
  // Sends an UPDATE; only in Established (otherwise nothing happens and the
  // result is empty). Restarts the keepalive timer (RFC 4271 8.2.2). Fails if
  // the UPDATE does not fit in 4096 octets: the caller splits it.
  Result<std::vector<SessionAction>> send_update(const Update& update);
  // Asks the peer to re-send its routes (RFC 2918), if it supports it.
  std::vector<SessionAction> send_route_refresh();
  // BoRR / EoRR around a table we re-send (RFC 7313 4), if the peer supports them.
  std::vector<SessionAction> send_refresh_marker(RouteRefreshSubtype subtype);

  SessionState state() const { return state_; }
  const std::optional<Negotiated>& negotiated() const { return negotiated_; }
  std::uint32_t connect_retry_counter() const { return connect_retry_counter_; }
  // The last NOTIFICATION received or sent, for `show bgp neighbors`.
  const std::optional<Notification>& last_notification() const { return last_notification_; }
  // How many there were: a change of it says last_notification() is a new one.
  std::uint64_t notifications() const { return notifications_; }

 private:
  using Actions = std::vector<SessionAction>;
  void on_message(const Message& message, std::vector<WireError> notes, Actions& out);
  void on_open(const Open& open, Actions& out);
  void send(const Message& message, Actions& out);
  void send_notification(const Notification& n, Actions& out);
  // Tears the connection down and goes to Idle; restarts after the backoff.
  void fail(Actions& out, std::string reason);
  void enter_state(SessionState next, Actions& out, const std::string& reason = "");
  void start_connect(Actions& out);
  Open our_open() const;
  // What the codec needs from this session: the negotiated capabilities, the peer
  // type and our end of the connection.
  CodecContext codec_context() const;

  SessionConfig config_;
  SessionState state_ = SessionState::Idle;
  Bytes buffer_;
  std::optional<Negotiated> negotiated_;
  std::optional<Ipv4Address> local_address_;
  std::optional<Notification> last_notification_;
  std::uint64_t notifications_ = 0;
  std::uint32_t connect_retry_counter_ = 0;
  std::uint32_t consecutive_failures_ = 0;
  bool started_ = false;
};

// RFC 4271 6.8: two connections to the same peer, both reached OpenConfirm (or one
// in OpenConfirm and an OPEN arrives on the other). Keep the connection opened by
// the speaker with the higher BGP Identifier.
enum class CollisionWinner { ConnectionWeOpened, ConnectionPeerOpened };
CollisionWinner resolve_collision(Ipv4Address local_id, Ipv4Address peer_id);

// RFC 4271 6.8 for two connections to one peer, one we opened and one the peer
// opened: which to close now, if any. `peer_id` is the BGP Identifier from the
// OPEN received on either connection (none yet: nothing to decide). A connection
// in Established always stays; otherwise the decision is taken as soon as one
// connection has the peer's OPEN (OpenConfirm) and the other is in OpenSent or
// OpenConfirm. Deciding in OpenSent too (RFC 6.8 allows it once the identifier
// is known, and FRR does it) keeps both speakers choosing the same connection
// even when one of them sees the second OPEN only after the first KEEPALIVE.
enum class CollisionVerdict { NoCollision, CloseConnectionWeOpened, CloseConnectionPeerOpened };
CollisionVerdict detect_collision(Ipv4Address local_id, std::optional<Ipv4Address> peer_id, SessionState we_opened,
                                  SessionState peer_opened);

}  // namespace hairpin::bgpd
