// The RFC 4271 FSM driven by a fake transport: the peer's bytes arrive in pieces
// of every size from 1 octet to whole batches, timers are entries in a map, and
// what the FSM sends is decoded back with the codec.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "hairpin/bgpd/session/session_fsm.hpp"
#include "hex.hpp"

namespace hairpin::bgpd {
namespace {

using namespace std::chrono_literals;
using test::ip;
using test::pfx;

SessionConfig nva_config() {
  SessionConfig c;
  c.local_as = 65001;
  c.router_id = ip("10.0.0.4");
  c.peer_as = 65515;
  c.idle_hold_base = 1s;
  c.idle_hold_max = 8s;
  return c;
}

Open ars_open(std::uint16_t hold = 180) {
  Open o;
  o.my_as = 65515;
  o.hold_time = hold;
  o.bgp_identifier = ip("10.0.210.4");
  o.capabilities.multiprotocol = {AfiSafi{}};
  o.capabilities.route_refresh = true;
  o.capabilities.four_octet_as = 65515;
  o.capabilities.enhanced_route_refresh = true;
  return o;
}

Bytes wire(const Message& m, CodecContext ctx = {}) { return encode_message(m, ctx).value(); }

// The fake transport and timer wheel around one FSM.
class Harness {
 public:
  explicit Harness(SessionConfig config = nva_config(), std::size_t chunk = 4096) : fsm(config), chunk_(chunk) {}

  // Like the daemon: after an OPEN the FSM yields (collision detection), then reads on.
  void event(const SessionEvent& e) {
    apply(fsm.handle(e));
    while (fsm.input_pending()) apply(fsm.resume_input());
  }
  // Delivers bytes in pieces of chunk_ octets, as a socket might.
  void receive(const Bytes& bytes) {
    for (std::size_t i = 0; i < bytes.size(); i += chunk_) {
      std::size_t n = std::min(chunk_, bytes.size() - i);
      event(BytesReceived{std::span<const std::uint8_t>(bytes).subspan(i, n)});
    }
  }
  void receive(const Message& m) { receive(wire(m, fsm.negotiated() ? fsm.negotiated()->codec() : CodecContext{})); }

  void establish(const Open& peer = ars_open()) {
    event(ManualStart{});
    event(TcpCrAcked{});
    receive(concat(wire(peer), wire(Keepalive{})));
  }

  static Bytes concat(Bytes a, const Bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  }

  template <typename T>
  std::vector<T> sent_of() const {
    std::vector<T> out;
    for (const auto& m : sent)
      if (auto* v = std::get_if<T>(&m)) out.push_back(*v);
    return out;
  }

  SessionFsm fsm;
  std::map<Timer, std::chrono::seconds> timers;
  std::vector<Message> sent;
  int connects = 0;
  int drops = 0;
  std::vector<SessionUp> ups;
  std::vector<SessionDown> downs;
  std::vector<ReceivedUpdate> updates;
  std::vector<ReceivedRouteRefresh> refreshes;

 private:
  void apply(const std::vector<SessionAction>& actions) {
    for (const auto& a : actions) {
      std::visit(
          [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, ConnectTcp>) ++connects;
            else if constexpr (std::is_same_v<T, DropTcp>) ++drops;
            else if constexpr (std::is_same_v<T, StartTimer>) timers[v.timer] = v.after;
            else if constexpr (std::is_same_v<T, StopTimer>) timers.erase(v.timer);
            else if constexpr (std::is_same_v<T, SessionUp>) ups.push_back(v);
            else if constexpr (std::is_same_v<T, SessionDown>) downs.push_back(v);
            else if constexpr (std::is_same_v<T, ReceivedUpdate>) updates.push_back(v);
            else if constexpr (std::is_same_v<T, ReceivedRouteRefresh>) refreshes.push_back(v);
            else {
              auto ctx = fsm.negotiated() ? fsm.negotiated()->codec() : CodecContext{};
              auto decoded = decode_message(v.bytes, ctx);
              ASSERT_TRUE(decoded.ok()) << "FSM sent undecodable bytes: " << decoded.error().to_string();
              EXPECT_EQ(static_cast<MessageType>(v.bytes[18]), v.type);
              sent.push_back(decoded.value());
            }
          },
          a);
    }
  }

  std::size_t chunk_;
};

class SessionInPieces : public testing::TestWithParam<std::size_t> {};

TEST_P(SessionInPieces, ActiveOpen_ReachesEstablished) {
  Harness h(nva_config(), GetParam());
  h.event(ManualStart{});
  EXPECT_EQ(h.fsm.state(), SessionState::Connect);
  EXPECT_EQ(h.connects, 1);
  EXPECT_EQ(h.timers.at(Timer::ConnectRetry), 120s);

  h.event(TcpCrAcked{});
  EXPECT_EQ(h.fsm.state(), SessionState::OpenSent);
  ASSERT_EQ(h.sent_of<Open>().size(), 1u);
  const Open ours = h.sent_of<Open>()[0];
  EXPECT_EQ(ours.speaker_as(), 65001u);
  EXPECT_EQ(ours.hold_time, 180);
  EXPECT_TRUE(ours.capabilities.route_refresh);
  EXPECT_TRUE(ours.capabilities.enhanced_route_refresh);
  EXPECT_EQ(h.timers.at(Timer::Hold), 240s);  // RFC 4271 8.2.2: large hold time until OPEN
  EXPECT_EQ(h.timers.count(Timer::ConnectRetry), 0u);

  h.receive(ars_open());
  EXPECT_EQ(h.fsm.state(), SessionState::OpenConfirm);
  EXPECT_EQ(h.sent_of<Keepalive>().size(), 1u);
  h.receive(Keepalive{});
  EXPECT_EQ(h.fsm.state(), SessionState::Established);
  ASSERT_EQ(h.ups.size(), 1u);
  EXPECT_EQ(h.ups[0].negotiated.hold_time, 180);
  EXPECT_EQ(h.ups[0].negotiated.keepalive, 60);
  EXPECT_TRUE(h.ups[0].negotiated.four_octet_as);
  EXPECT_EQ(h.timers.at(Timer::Hold), 180s);
  EXPECT_EQ(h.timers.at(Timer::Keepalive), 60s);
}

TEST_P(SessionInPieces, UpdatesSplitAcrossReads_DeliveredWhole) {
  Harness h(nva_config(), GetParam());
  h.establish();
  Update u;
  u.attributes.origin = Origin::Igp;
  u.attributes.as_path = AsPath{{AsSegment{SegmentType::AsSequence, {65515, 12076, 65100}}}};
  u.attributes.next_hop = ip("10.0.200.12");
  u.nlri = {pfx("10.100.0.0/16")};
  Update eor;
  h.receive(Harness::concat(Harness::concat(wire(u), wire(Keepalive{})), wire(eor)));
  ASSERT_EQ(h.updates.size(), 2u);
  EXPECT_EQ(h.updates[0].update, u);
  EXPECT_TRUE(h.updates[1].update.is_end_of_rib());
  EXPECT_EQ(h.fsm.state(), SessionState::Established);
}

INSTANTIATE_TEST_SUITE_P(ChunkSizes, SessionInPieces, testing::Values(1, 2, 3, 7, 18, 19, 20, 64, 4096),
                         [](const auto& info) { return "Chunk" + std::to_string(info.param); });

TEST(SessionFsm, OpenAndKeepaliveInOneRead_Established) {
  Harness h;
  h.establish();
  EXPECT_EQ(h.fsm.state(), SessionState::Established);
}

TEST(SessionFsm, PeerHoldTimeSmaller_Wins) {
  Harness h;
  h.establish(ars_open(90));
  EXPECT_EQ(h.ups.at(0).negotiated.hold_time, 90);
  EXPECT_EQ(h.ups.at(0).negotiated.keepalive, 30);  // hold / 3 when below the configured 60
}

TEST(SessionFsm, HoldTimeZero_NoTimers) {
  Harness h;
  h.establish(ars_open(0));
  EXPECT_EQ(h.fsm.state(), SessionState::Established);
  EXPECT_EQ(h.timers.count(Timer::Hold), 0u);
  EXPECT_EQ(h.timers.count(Timer::Keepalive), 0u);
}

TEST(SessionFsm, WrongPeerAs_BadPeerAsThenIdleWithBackoff) {
  Harness h;
  Open wrong = ars_open();
  wrong.my_as = 65516;
  wrong.capabilities.four_octet_as = 65516;
  h.establish(wrong);
  EXPECT_EQ(h.fsm.state(), SessionState::Idle);
  auto notes = h.sent_of<Notification>();
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].code, ErrorCode::OpenMessageError);
  EXPECT_EQ(notes[0].subcode, static_cast<std::uint8_t>(OpenSubcode::BadPeerAs));
  EXPECT_EQ(h.drops, 1);
  EXPECT_EQ(h.timers.at(Timer::IdleHold), 1s);
  EXPECT_TRUE(h.ups.empty());
}

TEST(SessionFsm, RemoteAsExternal_AnyAsButOurs_TheOpensAsIsTheSessionsAs) {
  SessionConfig config = nva_config();
  config.peer_as = 0;
  config.peer_as_external = true;
  Harness ars(config);
  ars.establish(ars_open());
  ASSERT_EQ(ars.ups.size(), 1u);
  EXPECT_EQ(ars.ups[0].negotiated.peer_as, 65515u);
  EXPECT_TRUE(ars.ups[0].negotiated.external);
  // Our own AS is not external: Bad Peer AS, as for a wrong number.
  Harness same(config);
  Open ours = ars_open();
  ours.my_as = 65001;
  ours.capabilities.four_octet_as = 65001;
  same.establish(ours);
  EXPECT_TRUE(same.ups.empty());
  auto notes = same.sent_of<Notification>();
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].subcode, static_cast<std::uint8_t>(OpenSubcode::BadPeerAs));
}

TEST(SessionFsm, RepeatedFailures_BackoffDoublesUpToCap) {
  Harness h;
  Open wrong = ars_open();
  wrong.capabilities.four_octet_as = 65516;
  std::vector<std::chrono::seconds> waits;
  h.event(ManualStart{});
  for (int i = 0; i < 6; ++i) {
    h.event(TcpCrAcked{});
    h.receive(wrong);
    waits.push_back(h.timers.at(Timer::IdleHold));
    h.event(TimerExpired{Timer::IdleHold});
    EXPECT_EQ(h.fsm.state(), SessionState::Connect);
  }
  EXPECT_EQ(waits, (std::vector<std::chrono::seconds>{1s, 2s, 4s, 8s, 8s, 8s}));
  EXPECT_EQ(h.connects, 7);
}

TEST(SessionFsm, EstablishedResetsBackoff) {
  Harness h;
  Open wrong = ars_open();
  wrong.capabilities.four_octet_as = 65516;
  h.event(ManualStart{});
  h.event(TcpCrAcked{});
  h.receive(wrong);
  h.event(TimerExpired{Timer::IdleHold});
  h.event(TcpCrAcked{});
  h.receive(Harness::concat(wire(ars_open()), wire(Keepalive{})));
  ASSERT_EQ(h.fsm.state(), SessionState::Established);
  h.event(TimerExpired{Timer::Hold});
  EXPECT_EQ(h.timers.at(Timer::IdleHold), 1s);
}

TEST(SessionFsm, IdentifierEqualsOursOnIbgp_BadBgpIdentifier) {
  SessionConfig c = nva_config();
  c.peer_as = 65001;
  Harness h(c);
  Open same = ars_open();
  same.my_as = 65001;
  same.capabilities.four_octet_as = 65001;
  same.bgp_identifier = ip("10.0.0.4");
  h.establish(same);
  ASSERT_EQ(h.sent_of<Notification>().size(), 1u);
  EXPECT_EQ(h.sent_of<Notification>()[0].subcode, static_cast<std::uint8_t>(OpenSubcode::BadBgpIdentifier));
}

TEST(SessionFsm, PeerWithoutIpv4Unicast_UnsupportedCapability) {
  Harness h;
  Open v6 = ars_open();
  v6.capabilities.multiprotocol = {AfiSafi{Afi::Ipv6, Safi::Unicast}};
  h.establish(v6);
  ASSERT_EQ(h.sent_of<Notification>().size(), 1u);
  EXPECT_EQ(h.sent_of<Notification>()[0].subcode, static_cast<std::uint8_t>(OpenSubcode::UnsupportedCapability));
}

TEST(SessionFsm, TwoOctetPeer_UpdatesDecodedWithAs4Path) {
  Harness h;
  Open old = ars_open();
  old.capabilities.four_octet_as.reset();
  h.establish(old);
  ASSERT_EQ(h.fsm.state(), SessionState::Established);
  EXPECT_FALSE(h.fsm.negotiated()->four_octet_as);
  Update u;
  u.attributes.origin = Origin::Igp;
  u.attributes.as_path = AsPath{{AsSegment{SegmentType::AsSequence, {65515, 131072}}}};
  u.attributes.next_hop = ip("10.0.200.12");
  u.nlri = {pfx("10.100.0.0/16")};
  h.receive(wire(u, CodecContext{false, true}));  // AS_TRANS + AS4_PATH on the wire
  ASSERT_EQ(h.updates.size(), 1u);
  EXPECT_EQ(h.updates[0].update.attributes.as_path->to_string(), "65515 131072");
}

TEST(SessionFsm, MalformedAsPath_TreatAsWithdrawKeepsSession) {
  Harness h;
  h.establish();
  // ORIGIN, AS_PATH with a zero-length segment, NEXT_HOP; NLRI 10.100.0.0/16
  Bytes body = test::hex("0000 0010 40010100 4002020200 4003040a00c80c 100a64");
  h.receive(test::message(MessageType::Update, body));
  EXPECT_EQ(h.fsm.state(), SessionState::Established);
  ASSERT_EQ(h.updates.size(), 1u);
  EXPECT_EQ(h.updates[0].update.withdrawn, std::vector<Ipv4Prefix>{pfx("10.100.0.0/16")});
  ASSERT_EQ(h.updates[0].notes.size(), 1u);
  EXPECT_EQ(h.updates[0].notes[0].action, ErrorAction::TreatAsWithdraw);
}

TEST(SessionFsm, UnparseableNlri_NotificationAndSessionDown) {
  Harness h;
  h.establish();
  h.receive(test::message(MessageType::Update, test::hex("0000 0000 21 0a000000 00")));
  EXPECT_EQ(h.fsm.state(), SessionState::Idle);
  ASSERT_EQ(h.sent_of<Notification>().size(), 1u);
  EXPECT_EQ(h.sent_of<Notification>()[0].code, ErrorCode::UpdateMessageError);
  EXPECT_EQ(h.sent_of<Notification>()[0].subcode, static_cast<std::uint8_t>(UpdateSubcode::InvalidNetworkField));
  ASSERT_EQ(h.downs.size(), 1u);
}

TEST(SessionFsm, BadMarker_ConnectionNotSynchronized) {
  Harness h;
  h.establish();
  Bytes bad = wire(Keepalive{});
  bad[3] = 0;
  h.receive(bad);
  EXPECT_EQ(h.fsm.state(), SessionState::Idle);
  EXPECT_EQ(h.sent_of<Notification>().at(0).subcode, static_cast<std::uint8_t>(HeaderSubcode::ConnectionNotSynchronized));
}

TEST(SessionFsm, HoldTimerExpires_NotificationAndSessionDown) {
  Harness h;
  h.establish();
  h.event(TimerExpired{Timer::Hold});
  EXPECT_EQ(h.fsm.state(), SessionState::Idle);
  EXPECT_EQ(h.sent_of<Notification>().at(0).code, ErrorCode::HoldTimerExpired);
  ASSERT_EQ(h.downs.size(), 1u);
  EXPECT_EQ(h.downs[0].reason, "hold timer expired");
}

TEST(SessionFsm, KeepaliveTimer_SendsKeepaliveAndRestarts) {
  Harness h;
  h.establish();
  auto before = h.sent_of<Keepalive>().size();
  h.timers.erase(Timer::Keepalive);
  h.event(TimerExpired{Timer::Keepalive});
  EXPECT_EQ(h.sent_of<Keepalive>().size(), before + 1);
  EXPECT_EQ(h.timers.at(Timer::Keepalive), 60s);
}

TEST(SessionFsm, KeepaliveRestartsHoldTimer) {
  Harness h;
  h.establish();
  h.timers.erase(Timer::Hold);
  h.receive(Keepalive{});
  EXPECT_EQ(h.timers.at(Timer::Hold), 180s);
}

TEST(SessionFsm, PeerNotification_IdleWithoutReply) {
  Harness h;
  h.establish();
  h.receive(Notification{ErrorCode::Cease, 2, {}});
  EXPECT_EQ(h.fsm.state(), SessionState::Idle);
  EXPECT_TRUE(h.sent_of<Notification>().empty());
  EXPECT_EQ(h.fsm.last_notification()->to_string(), "Cease/Administrative Shutdown");
  EXPECT_EQ(h.downs.size(), 1u);
}

TEST(SessionFsm, KeepaliveBeforeOpen_FsmError) {
  Harness h;
  h.event(ManualStart{});
  h.event(TcpCrAcked{});
  h.receive(Keepalive{});
  EXPECT_EQ(h.fsm.state(), SessionState::Idle);
  auto n = h.sent_of<Notification>().at(0);
  EXPECT_EQ(n.code, ErrorCode::FiniteStateMachineError);
  EXPECT_EQ(n.subcode, static_cast<std::uint8_t>(FsmSubcode::UnexpectedMessageInOpenSent));
}

TEST(SessionFsm, UpdateInOpenConfirm_FsmError) {
  Harness h;
  h.event(ManualStart{});
  h.event(TcpCrAcked{});
  h.receive(ars_open());
  h.receive(Update{});
  EXPECT_EQ(h.sent_of<Notification>().at(0).subcode,
            static_cast<std::uint8_t>(FsmSubcode::UnexpectedMessageInOpenConfirm));
}

TEST(SessionFsm, OpenInEstablished_FsmError) {
  Harness h;
  h.establish();
  h.receive(ars_open());
  EXPECT_EQ(h.sent_of<Notification>().at(0).subcode,
            static_cast<std::uint8_t>(FsmSubcode::UnexpectedMessageInEstablished));
}

TEST(SessionFsm, RouteRefresh_DeliveredWhenForIpv4Unicast) {
  Harness h;
  h.establish();
  h.receive(RouteRefresh{AfiSafi{}, RouteRefreshSubtype::Normal});
  h.receive(RouteRefresh{AfiSafi{Afi::Ipv6, Safi::Unicast}, RouteRefreshSubtype::Normal});  // RFC 2918: ignore
  h.receive(RouteRefresh{AfiSafi{}, static_cast<RouteRefreshSubtype>(9)});                 // RFC 7313: ignore
  h.receive(RouteRefresh{AfiSafi{}, RouteRefreshSubtype::BeginningOfRouteRefresh});
  ASSERT_EQ(h.refreshes.size(), 2u);
  EXPECT_EQ(h.refreshes[1].refresh.subtype, RouteRefreshSubtype::BeginningOfRouteRefresh);
  EXPECT_EQ(h.fsm.state(), SessionState::Established);
}

TEST(SessionFsm, BorrWithoutEnhancedRefresh_Ignored) {
  Harness h;
  Open plain = ars_open();
  plain.capabilities.enhanced_route_refresh = false;
  h.establish(plain);
  h.receive(RouteRefresh{AfiSafi{}, RouteRefreshSubtype::BeginningOfRouteRefresh});
  EXPECT_TRUE(h.refreshes.empty());
}

TEST(SessionFsm, SendRouteRefresh_OnlyWhenPeerSupportsIt) {
  Harness h;
  h.establish();
  EXPECT_EQ(h.fsm.send_route_refresh().size(), 1u);
  Harness old;
  Open plain = ars_open();
  plain.capabilities.route_refresh = false;
  old.establish(plain);
  EXPECT_TRUE(old.fsm.send_route_refresh().empty());
}

TEST(SessionFsm, SendUpdate_OnlyInEstablishedAndRestartsKeepalive) {
  Harness h;
  Update u;
  u.withdrawn = {pfx("10.0.0.0/8")};
  EXPECT_TRUE(h.fsm.send_update(u).value().empty());
  h.establish();
  auto actions = h.fsm.send_update(u).value();
  ASSERT_EQ(actions.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<SendBytes>(actions[0]));
  EXPECT_TRUE(std::holds_alternative<StartTimer>(actions[1]));
  Update huge;
  for (std::uint32_t i = 0; i < 1100; ++i) huge.withdrawn.push_back(Ipv4Prefix{Ipv4Address{0x0a000000u | (i << 8)}, 24});
  EXPECT_FALSE(h.fsm.send_update(huge).ok());
}

TEST(SessionFsm, ManualStop_CeaseAdministrativeShutdownNoRestart) {
  Harness h;
  h.establish();
  h.event(ManualStop{});
  EXPECT_EQ(h.fsm.state(), SessionState::Idle);
  auto n = h.sent_of<Notification>().at(0);
  EXPECT_EQ(n.code, ErrorCode::Cease);
  EXPECT_EQ(n.subcode, static_cast<std::uint8_t>(CeaseSubcode::AdministrativeShutdown));
  EXPECT_EQ(h.timers.count(Timer::IdleHold), 0u);
  EXPECT_EQ(h.downs.size(), 1u);
}

TEST(SessionFsm, ConnectFails_ActiveThenRetryConnects) {
  Harness h;
  h.event(ManualStart{});
  h.event(TcpConnectionFails{});
  EXPECT_EQ(h.fsm.state(), SessionState::Active);
  h.event(TimerExpired{Timer::ConnectRetry});
  EXPECT_EQ(h.fsm.state(), SessionState::Connect);
  EXPECT_EQ(h.connects, 2);
}

TEST(SessionFsm, Passive_WaitsInActiveAndAcceptsPeer) {
  SessionConfig c = nva_config();
  c.passive = true;
  Harness h(c);
  h.event(ManualStart{});
  EXPECT_EQ(h.fsm.state(), SessionState::Active);
  EXPECT_EQ(h.connects, 0);
  h.event(TimerExpired{Timer::ConnectRetry});
  EXPECT_EQ(h.connects, 0);  // passive never dials
  h.event(TcpConnectionConfirmed{});
  h.receive(Harness::concat(wire(ars_open()), wire(Keepalive{})));
  EXPECT_EQ(h.fsm.state(), SessionState::Established);
}

TEST(SessionFsm, TcpDropsInEstablished_SessionDownAndRestart) {
  Harness h;
  h.establish();
  h.event(TcpConnectionFails{});
  EXPECT_EQ(h.fsm.state(), SessionState::Idle);
  EXPECT_EQ(h.downs.size(), 1u);
  EXPECT_EQ(h.timers.count(Timer::IdleHold), 1u);
}

TEST(Collision, HigherIdentifierKeepsItsOwnConnection) {
  EXPECT_EQ(resolve_collision(ip("10.0.0.4"), ip("10.0.210.4")), CollisionWinner::ConnectionPeerOpened);
  EXPECT_EQ(resolve_collision(ip("10.0.210.4"), ip("10.0.0.4")), CollisionWinner::ConnectionWeOpened);
  // compared as integers, not text: 10.0.0.10 > 10.0.0.9
  EXPECT_EQ(resolve_collision(ip("10.0.0.10"), ip("10.0.0.9")), CollisionWinner::ConnectionWeOpened);
}

}  // namespace
}  // namespace hairpin::bgpd

namespace hairpin::bgpd {
namespace {

// The peer's OPEN and KEEPALIVE often share one TCP segment. The FSM stops after
// the OPEN so the daemon can close this connection in a collision before the
// KEEPALIVE makes it Established (seen with FRR: both connections Established).
TEST(SessionFsm, OpenAndKeepaliveInOneRead_StopsInOpenConfirmUntilResumed) {
  SessionFsm fsm(nva_config());
  fsm.handle(ManualStart{});
  fsm.handle(TcpCrAcked{});
  Bytes both = wire(ars_open());
  Bytes keepalive = wire(Keepalive{});
  both.insert(both.end(), keepalive.begin(), keepalive.end());
  auto actions = fsm.handle(BytesReceived{both});
  EXPECT_EQ(fsm.state(), SessionState::OpenConfirm);
  EXPECT_TRUE(fsm.input_pending());
  for (const auto& a : actions) EXPECT_FALSE(std::holds_alternative<SessionUp>(a));
  actions = fsm.resume_input();
  EXPECT_EQ(fsm.state(), SessionState::Established);
  EXPECT_FALSE(fsm.input_pending());
  EXPECT_TRUE(std::any_of(actions.begin(), actions.end(),
                          [](const SessionAction& a) { return std::holds_alternative<SessionUp>(a); }));
}

TEST(SessionFsm, PartialMessageBuffered_IsNotPendingInput) {
  SessionFsm fsm(nva_config());
  fsm.handle(ManualStart{});
  fsm.handle(TcpCrAcked{});
  Bytes open = wire(ars_open());
  fsm.handle(BytesReceived{std::span<const std::uint8_t>(open).first(10)});
  EXPECT_FALSE(fsm.input_pending());
  EXPECT_EQ(fsm.state(), SessionState::OpenSent);
}

// RFC 4271 6.8 as the daemon applies it, for both identifier orderings.
struct CollisionCase {
  const char* local_id;
  const char* peer_id;  // "" : no OPEN received yet
  SessionState we_opened;
  SessionState peer_opened;
  CollisionVerdict expected;
};

TEST(Collision, DetectCollision_Table) {
  using S = SessionState;
  using V = CollisionVerdict;
  const CollisionCase cases[] = {
      // we have the higher identifier: our connection wins
      {"10.0.210.4", "10.0.0.4", S::OpenConfirm, S::OpenConfirm, V::CloseConnectionPeerOpened},
      {"10.0.210.4", "10.0.0.4", S::OpenSent, S::OpenConfirm, V::CloseConnectionPeerOpened},
      {"10.0.210.4", "10.0.0.4", S::OpenConfirm, S::OpenSent, V::CloseConnectionPeerOpened},
      // the peer has the higher identifier: its connection wins
      {"10.0.0.4", "10.0.210.4", S::OpenConfirm, S::OpenConfirm, V::CloseConnectionWeOpened},
      {"10.0.0.4", "10.0.210.4", S::OpenSent, S::OpenConfirm, V::CloseConnectionWeOpened},
      {"10.0.0.4", "10.0.210.4", S::OpenConfirm, S::OpenSent, V::CloseConnectionWeOpened},
      // Established stays, whatever the identifiers say
      {"10.0.0.4", "10.0.210.4", S::Established, S::OpenConfirm, V::CloseConnectionPeerOpened},
      {"10.0.210.4", "10.0.0.4", S::OpenSent, S::Established, V::CloseConnectionWeOpened},
      // nothing to decide yet
      {"10.0.0.4", "", S::OpenSent, S::OpenSent, V::NoCollision},
      {"10.0.0.4", "10.0.210.4", S::OpenSent, S::OpenSent, V::NoCollision},
      {"10.0.0.4", "10.0.210.4", S::Connect, S::OpenConfirm, V::NoCollision},
      {"10.0.0.4", "10.0.210.4", S::Idle, S::Established, V::NoCollision},
      {"10.0.210.4", "10.0.0.4", S::OpenConfirm, S::Active, V::NoCollision},
  };
  for (const auto& c : cases) {
    std::optional<Ipv4Address> peer;
    if (*c.peer_id) peer = ip(c.peer_id);
    EXPECT_EQ(detect_collision(ip(c.local_id), peer, c.we_opened, c.peer_opened), c.expected)
        << c.local_id << " vs " << c.peer_id << ", ours " << to_string(c.we_opened) << ", theirs "
        << to_string(c.peer_opened);
  }
}

TEST(SessionFsm, CollisionDump_CeaseCollisionResolutionNoRestart) {
  Harness h;
  h.event(ManualStart{});
  h.event(TcpConnectionConfirmed{});
  h.receive(ars_open());
  ASSERT_EQ(h.fsm.state(), SessionState::OpenConfirm);
  h.event(OpenCollisionDump{});
  EXPECT_EQ(h.fsm.state(), SessionState::Idle);
  auto n = h.sent_of<Notification>().at(0);
  EXPECT_EQ(n.code, ErrorCode::Cease);
  EXPECT_EQ(n.subcode, static_cast<std::uint8_t>(CeaseSubcode::ConnectionCollisionResolution));
  EXPECT_EQ(h.timers.count(Timer::IdleHold), 0u);
}

}  // namespace
}  // namespace hairpin::bgpd

namespace hairpin::bgpd {
namespace {

TEST(SessionFsm, MaximumPrefix_CeaseSubcode1WithAfiSafiAndLimit) {
  Harness h;
  h.establish();
  h.event(MaximumPrefixReached{1000});
  EXPECT_EQ(h.fsm.state(), SessionState::Idle);
  auto n = h.sent_of<Notification>().at(0);
  EXPECT_EQ(n.code, ErrorCode::Cease);
  EXPECT_EQ(n.subcode, 1);
  EXPECT_EQ(n.data, test::hex("0001 01 000003e8"));
  EXPECT_EQ(h.timers.count(Timer::IdleHold), 0u);
}

}  // namespace
}  // namespace hairpin::bgpd

namespace hairpin::bgpd {
namespace {

// The daemon found the peer stopped reading (output_queue.hpp): RFC 4486 Cease
// subcode 8, and unlike maximum-prefix the session restarts after the backoff.
TEST(SessionFsm, OutputStalled_CeaseOutOfResources_ThenRestarts) {
  Harness h;
  h.establish();
  h.event(OutputStalled{"output stalled"});
  EXPECT_EQ(h.fsm.state(), SessionState::Idle);
  auto n = h.sent_of<Notification>().at(0);
  EXPECT_EQ(n.code, ErrorCode::Cease);
  EXPECT_EQ(n.subcode, 8);
  EXPECT_EQ(n.to_string(), "Cease/Out of Resources");
  EXPECT_EQ(h.timers.count(Timer::IdleHold), 1u);
}

TEST(SessionFsm, OutputStalled_WithoutAConnection_DoesNothing) {
  Harness h;
  h.event(ManualStart{});
  const auto sent = h.sent_of<Notification>().size();
  h.event(OutputStalled{"output stalled"});
  EXPECT_EQ(h.sent_of<Notification>().size(), sent);
  EXPECT_NE(h.fsm.state(), SessionState::Idle);
}

}  // namespace
}  // namespace hairpin::bgpd
