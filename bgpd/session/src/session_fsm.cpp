// RFC 4271 8.2.2 session FSM. Each handler names the RFC event it implements;
// events a state does not expect take the RFC's "any other event" path: a
// NOTIFICATION if a BGP connection exists (FSM Error, RFC 6608 subcodes), then Idle.

#include "hairpin/bgpd/session/session_fsm.hpp"

#include <algorithm>

namespace hairpin::bgpd {

using namespace std::chrono_literals;

namespace {
constexpr std::chrono::seconds kLargeHoldTime{240};  // RFC 4271 8.2.2: "4 minutes is suggested"
}

const char* to_string(SessionState state) {
  switch (state) {
    case SessionState::Idle: return "Idle";
    case SessionState::Connect: return "Connect";
    case SessionState::Active: return "Active";
    case SessionState::OpenSent: return "OpenSent";
    case SessionState::OpenConfirm: return "OpenConfirm";
    case SessionState::Established: return "Established";
  }
  return "?";
}

const char* to_string(Timer timer) {
  switch (timer) {
    case Timer::ConnectRetry: return "ConnectRetryTimer";
    case Timer::Hold: return "HoldTimer";
    case Timer::Keepalive: return "KeepaliveTimer";
    case Timer::IdleHold: return "IdleHoldTimer";
  }
  return "?";
}

CollisionWinner resolve_collision(Ipv4Address local_id, Ipv4Address peer_id) {
  // RFC 4271 6.8: compare the identifiers as host-order integers; the higher one
  // keeps the connection it initiated.
  return local_id.value > peer_id.value ? CollisionWinner::ConnectionWeOpened
                                        : CollisionWinner::ConnectionPeerOpened;
}

CollisionVerdict detect_collision(Ipv4Address local_id, std::optional<Ipv4Address> peer_id, SessionState we_opened,
                                  SessionState peer_opened) {
  auto bgp_connection = [](SessionState s) {
    return s == SessionState::OpenSent || s == SessionState::OpenConfirm || s == SessionState::Established;
  };
  if (!bgp_connection(we_opened) || !bgp_connection(peer_opened)) return CollisionVerdict::NoCollision;
  // RFC 4271 6.8: an Established connection wins over the newer one
  if (we_opened == SessionState::Established) return CollisionVerdict::CloseConnectionPeerOpened;
  if (peer_opened == SessionState::Established) return CollisionVerdict::CloseConnectionWeOpened;
  if (we_opened != SessionState::OpenConfirm && peer_opened != SessionState::OpenConfirm) return CollisionVerdict::NoCollision;
  if (!peer_id) return CollisionVerdict::NoCollision;
  return resolve_collision(local_id, *peer_id) == CollisionWinner::ConnectionWeOpened
             ? CollisionVerdict::CloseConnectionPeerOpened
             : CollisionVerdict::CloseConnectionWeOpened;
}

bool SessionFsm::input_pending() const {
  if (state_ == SessionState::Idle) return false;
  auto length = message_length(buffer_);
  return !length || (length.value() && buffer_.size() >= *length.value());
}

SessionFsm::SessionFsm(SessionConfig config) : config_(std::move(config)) {}

Open SessionFsm::our_open() const {
  Open open;
  // RFC 6793 4.1: a 4-octet AS goes in the capability; My AS carries AS_TRANS
  open.my_as = config_.local_as > 0xffff ? static_cast<std::uint16_t>(kAsTrans)
                                         : static_cast<std::uint16_t>(config_.local_as);
  open.hold_time = config_.hold_time;
  open.bgp_identifier = config_.router_id;
  open.capabilities.multiprotocol = {AfiSafi{}};
  open.capabilities.route_refresh = true;  // ARS resets peers without it (DESIGN.md)
  open.capabilities.four_octet_as = config_.local_as;
  open.capabilities.enhanced_route_refresh = true;
  return open;
}

CodecContext SessionFsm::codec_context() const {
  CodecContext ctx = negotiated_ ? negotiated_->codec() : CodecContext{};
  ctx.local_address = local_address_;
  return ctx;
}

void SessionFsm::send(const Message& message, Actions& out) {
  CodecContext ctx = codec_context();
  auto bytes = encode_message(message, ctx);
  // Only UPDATEs can outgrow 4096 octets, and send_update() checks those first.
  if (!bytes) return;
  auto type = static_cast<MessageType>(bytes.value()[18]);
  out.push_back(SendBytes{std::move(bytes).value(), type});
}

void SessionFsm::send_notification(const Notification& n, Actions& out) {
  last_notification_ = n;
  ++notifications_;
  send(n, out);
}

void SessionFsm::enter_state(SessionState next, Actions& out, const std::string& reason) {
  if (state_ == SessionState::Established && next != SessionState::Established)
    out.push_back(SessionDown{reason});  // leave_established
  state_ = next;
}

void SessionFsm::fail(Actions& out, std::string reason) {
  out.push_back(DropTcp{});
  out.push_back(StopTimer{Timer::ConnectRetry});
  out.push_back(StopTimer{Timer::Hold});
  out.push_back(StopTimer{Timer::Keepalive});
  ++connect_retry_counter_;
  ++consecutive_failures_;
  buffer_.clear();
  enter_state(SessionState::Idle, out, reason);
  negotiated_.reset();
  if (started_) {
    // Backoff before the automatic restart: base, 2x, 4x... up to the cap.
    auto wait = config_.idle_hold_base;
    for (std::uint32_t i = 1; i < consecutive_failures_ && wait < config_.idle_hold_max; ++i) wait *= 2;
    out.push_back(StartTimer{Timer::IdleHold, std::min(wait, config_.idle_hold_max)});
  }
}

void SessionFsm::start_connect(Actions& out) {
  out.push_back(StartTimer{Timer::ConnectRetry, config_.connect_retry});
  if (config_.passive) {
    state_ = SessionState::Active;  // RFC 4271 8.2.2 event 4/5: passive start -> Active
    return;
  }
  out.push_back(ConnectTcp{});
  state_ = SessionState::Connect;
}

void SessionFsm::on_open(const Open& open, Actions& out) {
  auto reject = [&](OpenSubcode subcode, Bytes data, std::string why) {
    send_notification(Notification{ErrorCode::OpenMessageError, static_cast<std::uint8_t>(subcode), std::move(data)}, out);
    fail(out, why);
  };
  std::uint32_t peer_as = open.speaker_as();
  // RFC 4271 6.2: Bad Peer AS; `remote-as external` takes any AS but ours.
  if (config_.peer_as_external ? peer_as == config_.local_as : peer_as != config_.peer_as) {
    Bytes data{static_cast<std::uint8_t>(open.my_as >> 8), static_cast<std::uint8_t>(open.my_as)};
    return reject(OpenSubcode::BadPeerAs, data,
                  "peer AS " + std::to_string(peer_as) + ", configured " +
                      (config_.peer_as_external ? "external (any AS but ours, " + std::to_string(config_.local_as) + ")"
                                                : std::to_string(config_.peer_as)));
  }
  // RFC 6286 2.2: within one AS the identifiers must differ
  if (peer_as == config_.local_as && open.bgp_identifier == config_.router_id)
    return reject(OpenSubcode::BadBgpIdentifier, {}, "peer uses our BGP identifier " + config_.router_id.to_string());
  const auto& mp = open.capabilities.multiprotocol;
  if (!mp.empty() && std::find(mp.begin(), mp.end(), AfiSafi{}) == mp.end())
    // RFC 5492 3 / RFC 4760 8: no address family in common
    return reject(OpenSubcode::UnsupportedCapability, {1, 4, 0, 1, 0, 1}, "peer does not offer IPv4 unicast");

  Negotiated n;
  n.peer_as = peer_as;
  n.peer_router_id = open.bgp_identifier;
  // RFC 4271 4.2: the smaller of the two hold times; 0 means no keepalives at all
  n.hold_time = std::min(config_.hold_time, open.hold_time);
  n.keepalive = n.hold_time == 0 ? 0 : std::max<std::uint16_t>(1, std::min<std::uint16_t>(config_.keepalive, n.hold_time / 3));
  n.four_octet_as = open.capabilities.four_octet_as.has_value();          // RFC 6793 3
  n.external = peer_as != config_.local_as;  // RFC 4271 5.1.5 / RFC 7606 7.5: eBGP or iBGP
  n.route_refresh = open.capabilities.route_refresh;                      // RFC 2918 2
  n.enhanced_route_refresh = open.capabilities.enhanced_route_refresh;    // RFC 7313 3
  n.peer_capabilities = open.capabilities;
  negotiated_ = n;

  out.push_back(StopTimer{Timer::ConnectRetry});
  send(Keepalive{}, out);
  if (n.hold_time == 0) {
    out.push_back(StopTimer{Timer::Hold});
  } else {
    out.push_back(StartTimer{Timer::Hold, std::chrono::seconds{n.hold_time}});
    out.push_back(StartTimer{Timer::Keepalive, std::chrono::seconds{n.keepalive}});
  }
  state_ = SessionState::OpenConfirm;
}

void SessionFsm::on_message(const Message& message, std::vector<WireError> notes, Actions& out) {
  auto unexpected = [&](FsmSubcode subcode) {
    send_notification(Notification{ErrorCode::FiniteStateMachineError, static_cast<std::uint8_t>(subcode), {}}, out);
    fail(out, std::string("unexpected message in ") + to_string(state_));
  };
  if (const auto* n = std::get_if<Notification>(&message)) {
    last_notification_ = *n;  // RFC 4271 8.2.2 event 25: close, no NOTIFICATION back
    ++notifications_;
    return fail(out, "received NOTIFICATION " + n->to_string());
  }
  switch (state_) {
    case SessionState::OpenSent:
      if (const auto* open = std::get_if<Open>(&message)) return on_open(*open, out);
      return unexpected(FsmSubcode::UnexpectedMessageInOpenSent);
    case SessionState::OpenConfirm:
      if (std::holds_alternative<Keepalive>(message)) {  // RFC 4271 8.2.2 event 26
        out.push_back(StartTimer{Timer::Hold, std::chrono::seconds{negotiated_->hold_time}});
        if (negotiated_->hold_time == 0) out.back() = StopTimer{Timer::Hold};
        state_ = SessionState::Established;
        consecutive_failures_ = 0;
        out.push_back(SessionUp{*negotiated_});  // enter_established
        return;
      }
      return unexpected(FsmSubcode::UnexpectedMessageInOpenConfirm);
    case SessionState::Established: {
      if (std::holds_alternative<Open>(message)) return unexpected(FsmSubcode::UnexpectedMessageInEstablished);
      // RFC 4271 8.2.2 events 26/27: KEEPALIVE and UPDATE restart the HoldTimer
      if (negotiated_->hold_time != 0)
        out.push_back(StartTimer{Timer::Hold, std::chrono::seconds{negotiated_->hold_time}});
      if (const auto* u = std::get_if<Update>(&message)) {
        out.push_back(ReceivedUpdate{*u, std::move(notes)});
      } else if (const auto* rr = std::get_if<RouteRefresh>(&message)) {
        // RFC 2918 4: ignore a refresh for an AFI/SAFI we did not advertise;
        // RFC 7313 5: ignore unknown subtypes, and BoRR/EoRR unless negotiated.
        bool ours = rr->afi_safi == AfiSafi{};
        bool known = rr->subtype == RouteRefreshSubtype::Normal ||
                     (negotiated_->enhanced_route_refresh &&
                      (rr->subtype == RouteRefreshSubtype::BeginningOfRouteRefresh ||
                       rr->subtype == RouteRefreshSubtype::EndOfRouteRefresh));
        if (ours && known) out.push_back(ReceivedRouteRefresh{*rr});
      }
      return;
    }
    default:
      // No BGP connection exists in Idle/Connect/Active: bytes here are a daemon bug.
      return fail(out, std::string("message received in ") + to_string(state_));
  }
}

std::vector<SessionAction> SessionFsm::handle(const SessionEvent& event) {
  Actions out;
  std::visit(
      [&](const auto& e) {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, ManualStart>) {
          // RFC 4271 8.2.2 Idle, event 1 (or 4 when passive); ignored elsewhere
          started_ = true;
          if (state_ != SessionState::Idle) return;
          connect_retry_counter_ = 0;
          out.push_back(StopTimer{Timer::IdleHold});
          start_connect(out);
        } else if constexpr (std::is_same_v<E, ManualStop>) {
          // RFC 4271 8.2.2 event 2: Cease if a BGP connection exists, then Idle, no restart
          started_ = false;
          if (state_ == SessionState::OpenSent || state_ == SessionState::OpenConfirm ||
              state_ == SessionState::Established)
            send_notification(Notification{ErrorCode::Cease,
                                           static_cast<std::uint8_t>(CeaseSubcode::AdministrativeShutdown), {}},
                              out);
          out.push_back(StopTimer{Timer::IdleHold});
          if (state_ != SessionState::Idle) fail(out, "administratively stopped");
          connect_retry_counter_ = 0;
          consecutive_failures_ = 0;
        } else if constexpr (std::is_same_v<E, TimerExpired>) {
          switch (e.timer) {
            case Timer::IdleHold:  // automatic restart after backoff (RFC 4271 event 3)
              if (state_ == SessionState::Idle && started_) start_connect(out);
              return;
            case Timer::ConnectRetry:  // RFC 4271 event 9
              if (state_ == SessionState::Connect) {
                out.push_back(DropTcp{});
                out.push_back(StartTimer{Timer::ConnectRetry, config_.connect_retry});
                out.push_back(ConnectTcp{});
              } else if (state_ == SessionState::Active) {
                out.push_back(StartTimer{Timer::ConnectRetry, config_.connect_retry});
                if (!config_.passive) {
                  out.push_back(ConnectTcp{});
                  state_ = SessionState::Connect;
                }
              }
              return;
            case Timer::Hold:  // RFC 4271 event 10
              if (state_ == SessionState::OpenSent || state_ == SessionState::OpenConfirm ||
                  state_ == SessionState::Established) {
                send_notification(Notification{ErrorCode::HoldTimerExpired, 0, {}}, out);
                fail(out, "hold timer expired");
              }
              return;
            case Timer::Keepalive:  // RFC 4271 event 11
              if (state_ == SessionState::OpenConfirm || state_ == SessionState::Established) {
                send(Keepalive{}, out);
                out.push_back(StartTimer{Timer::Keepalive, std::chrono::seconds{negotiated_->keepalive}});
              }
              return;
          }
        } else if constexpr (std::is_same_v<E, TcpConnectionConfirmed> || std::is_same_v<E, TcpCrAcked>) {
          // RFC 4271 events 16/17 in Connect or Active: send OPEN, wait with a large hold time
          if (state_ != SessionState::Connect && state_ != SessionState::Active) return;
          local_address_ = e.local_address;
          out.push_back(StopTimer{Timer::ConnectRetry});
          buffer_.clear();
          send(our_open(), out);
          out.push_back(StartTimer{Timer::Hold, kLargeHoldTime});
          state_ = SessionState::OpenSent;
        } else if constexpr (std::is_same_v<E, TcpConnectionFails>) {
          // RFC 4271 event 18
          if (state_ == SessionState::Connect) {
            out.push_back(StartTimer{Timer::ConnectRetry, config_.connect_retry});
            state_ = SessionState::Active;
          } else if (state_ == SessionState::OpenSent) {
            out.push_back(DropTcp{});
            out.push_back(StartTimer{Timer::ConnectRetry, config_.connect_retry});
            buffer_.clear();
            state_ = SessionState::Active;
          } else if (state_ != SessionState::Idle) {
            fail(out, "TCP connection closed");
          }
        } else if constexpr (std::is_same_v<E, OpenCollisionDump>) {
          // RFC 4271 6.8 / event 23: Cease (Connection Collision Resolution), then
          // Idle for good: the other connection carries the session.
          if (state_ == SessionState::Idle) return;
          started_ = false;
          if (state_ == SessionState::OpenSent || state_ == SessionState::OpenConfirm ||
              state_ == SessionState::Established)
            send_notification(Notification{ErrorCode::Cease,
                                           static_cast<std::uint8_t>(CeaseSubcode::ConnectionCollisionResolution), {}},
                              out);
          fail(out, "connection collision");
        } else if constexpr (std::is_same_v<E, MaximumPrefixReached>) {
          // RFC 4486 4: Cease/Maximum Number of Prefixes Reached, data AFI, SAFI and
          // the limit; the session stays down until restarted (FRR without restart).
          if (state_ != SessionState::Established) return;
          started_ = false;
          Bytes data{0, 1, 1};
          for (int shift = 24; shift >= 0; shift -= 8) data.push_back(static_cast<std::uint8_t>(e.limit >> shift));
          send_notification(Notification{ErrorCode::Cease,
                                         static_cast<std::uint8_t>(CeaseSubcode::MaximumNumberOfPrefixesReached), data},
                            out);
          fail(out, "maximum-prefix " + std::to_string(e.limit) + " exceeded");
        } else if constexpr (std::is_same_v<E, OutputStalled>) {
          // RFC 4486 3: Cease subcode 8, Out of Resources. Unlike maximum-prefix the
          // session restarts (backoff): the peer may read again next time.
          if (state_ == SessionState::Idle || state_ == SessionState::Connect || state_ == SessionState::Active)
            return;
          send_notification(
              Notification{ErrorCode::Cease, static_cast<std::uint8_t>(CeaseSubcode::OutOfResources), {}}, out);
          fail(out, e.reason);
        } else if constexpr (std::is_same_v<E, BytesReceived>) {
          buffer_.insert(buffer_.end(), e.bytes.begin(), e.bytes.end());
          // Messages are decoded in place and the consumed bytes dropped once, at the
          // end: a 64 KiB read holds a dozen full UPDATEs. (fail() empties the buffer.)
          std::size_t consumed = 0;
          struct DropConsumed {
            Bytes& buffer;
            std::size_t& consumed;
            ~DropConsumed() {
              buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(std::min(consumed, buffer.size())));
            }
          } drop{buffer_, consumed};
          while (state_ != SessionState::Idle && consumed <= buffer_.size()) {
            auto pending = std::span<const std::uint8_t>(buffer_).subspan(consumed);
            auto length = message_length(pending);
            if (!length) {  // RFC 4271 6.1: header error
              send_notification(to_notification(length.error()), out);
              return fail(out, length.error().what);
            }
            if (!length.value() || pending.size() < *length.value()) return;  // wait for more
            std::size_t n = *length.value();
            CodecContext ctx = codec_context();
            auto decoded = decode_message(pending.first(n), ctx);
            if (!decoded) {  // RFC 4271 6 / RFC 7606: session reset
              send_notification(to_notification(decoded.error()), out);
              return fail(out, decoded.error().to_string());
            }
            std::vector<WireError> notes = decoded.notes();
            Message message = std::move(decoded).value();
            consumed += n;
            bool open = std::holds_alternative<Open>(message);
            on_message(message, std::move(notes), out);
            if (open && state_ == SessionState::OpenConfirm) return;  // see input_pending()
          }
        }
      },
      event);
  return out;
}

Result<std::vector<SessionAction>> SessionFsm::send_update(const Update& update) {
  Actions out;
  if (state_ != SessionState::Established) return out;
  if (auto bytes = encode_message(update, negotiated_->codec()); !bytes) return bytes.error();
  send(update, out);
  // RFC 4271 8.2.2: sending an UPDATE restarts the KeepaliveTimer
  if (negotiated_->keepalive != 0)
    out.push_back(StartTimer{Timer::Keepalive, std::chrono::seconds{negotiated_->keepalive}});
  return out;
}

std::vector<SessionAction> SessionFsm::send_route_refresh() {
  Actions out;
  if (state_ != SessionState::Established || !negotiated_->route_refresh) return out;
  send(RouteRefresh{AfiSafi{}, RouteRefreshSubtype::Normal}, out);
  return out;
}

std::vector<SessionAction> SessionFsm::send_refresh_marker(RouteRefreshSubtype subtype) {
  Actions out;
  if (state_ != SessionState::Established || !negotiated_->enhanced_route_refresh) return out;
  send(RouteRefresh{AfiSafi{}, subtype}, out);
  return out;
}

}  // namespace hairpin::bgpd
