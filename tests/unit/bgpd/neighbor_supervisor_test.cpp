// NeighborSupervisor as tables: a config, the events that bring the neighbour to
// a state, one event, and the actions expected from it. No sockets, no clock:
// a timer expiring and a dial succeeding are events like any other.
//
// Actions are rendered one line each ("dial #1 to 10.0.0.1 ttl 1", "send
// NOTIFICATION 6/7 on #2", "log: ..."). `expect` lines must appear in that order
// (others may come between; a "log: " line matches by substring, the rest
// exactly); no line may start with an `absent` entry. Every row that forbids an
// action also expects one, so it proves the event was handled.

#include <gtest/gtest.h>

#include <functional>

#include "hairpin/bgpd/config/config.hpp"
#include "hairpin/bgpd/supervisor/neighbor_supervisor.hpp"
#include "hairpin/bgpd/wire/message_codec.hpp"

namespace hairpin::bgpd {
namespace {

constexpr const char* kPeer = "10.0.0.1";
constexpr const char* kPeerLower = "10.0.0.50";   // the NVA is 10.0.0.100
constexpr const char* kPeerHigher = "10.0.0.150";

std::string id(ConnectionId c) { return "#" + std::to_string(c); }

std::string render(const SupervisorAction& action) {
  return std::visit(
      [](const auto& a) -> std::string {
        using A = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<A, Dial>) {
          return "dial " + id(a.connection) + " to " + a.peer.to_string() +
                 (a.source ? " from " + a.source->to_string() : "") + " ttl " + std::to_string(a.ttl);
        } else if constexpr (std::is_same_v<A, AcceptConnection>) {
          return "accept " + id(a.connection) + " from " + a.peer.to_string() + " ttl " + std::to_string(a.ttl);
        } else if constexpr (std::is_same_v<A, RefuseConnection>) {
          return "refuse " + a.from.to_string() + ": " + a.reason;
        } else if constexpr (std::is_same_v<A, Transmit>) {
          auto decoded = decode_message(a.bytes, CodecContext{true, true});
          std::string what = "?";
          if (decoded) {
            const Message& m = decoded.value();
            if (std::holds_alternative<Open>(m)) what = "OPEN";
            else if (std::holds_alternative<Keepalive>(m)) what = "KEEPALIVE";
            else if (std::holds_alternative<Update>(m)) what = "UPDATE";
            else if (const auto* n = std::get_if<Notification>(&m))
              what = "NOTIFICATION " + std::to_string(static_cast<int>(n->code)) + "/" + std::to_string(n->subcode);
          }
          return "send " + what + " on " + id(a.connection);
        } else if constexpr (std::is_same_v<A, DropConnection>) {
          return "drop " + id(a.connection);
        } else if constexpr (std::is_same_v<A, ForgetConnection>) {
          return "forget " + id(a.connection);
        } else if constexpr (std::is_same_v<A, StartConnectionTimer>) {
          return "start " + id(a.connection) + " " + to_string(a.timer) + " " + std::to_string(a.after.count()) + "s";
        } else if constexpr (std::is_same_v<A, StopConnectionTimer>) {
          return "stop " + id(a.connection) + " " + to_string(a.timer);
        } else if constexpr (std::is_same_v<A, StartHoldDownTimer>) {
          return "hold down " + a.peer.to_string() + " for " + std::to_string(a.after.count()) + " min";
        } else if constexpr (std::is_same_v<A, StopHoldDownTimer>) {
          return "end hold-down timer " + a.peer.to_string();
        } else if constexpr (std::is_same_v<A, LogLine>) {
          return "log: " + a.text;
        } else if constexpr (std::is_same_v<A, PeerUp>) {
          return "peer up " + a.peer.to_string() + " on " + id(a.connection);
        } else if constexpr (std::is_same_v<A, PeerDown>) {
          return "peer down " + a.peer.to_string();
        } else if constexpr (std::is_same_v<A, DeliverUpdate>) {
          return "update from " + a.peer.to_string() + " on " + id(a.connection);
        } else {
          return "route refresh from " + a.peer.to_string() + " on " + id(a.connection);
        }
      },
      action);
}

NvaConfig parse(const std::string& text) {
  auto parsed = parse_frr_config(text, "test.frr");
  if (!parsed) throw std::runtime_error(parsed.error().to_string());
  return parsed->config;
}

// One eBGP neighbour; `extra` lines go under `router bgp`, `af` under its
// address family.
std::string config(const std::string& extra = "", const std::string& af = "") {
  return std::string("router bgp 65001\n bgp router-id 10.0.0.100\n neighbor ") + kPeer + " remote-as 65515\n" + extra +
         (af.empty() ? "" : " address-family ipv4 unicast\n" + af + " exit-address-family\n") + "exit\n";
}

struct Rig {
  explicit Rig(const std::string& text) : nva(parse(text)), supervisor(*nva.bgp, *nva.bgp->router_id) {}
  NvaConfig nva;
  NeighborSupervisor supervisor;
  std::vector<std::string> seen;  // the last event's actions, rendered
  void operator()(const SupervisorEvent& event) {
    seen.clear();
    for (const auto& a : supervisor.handle(event)) seen.push_back(render(a));
  }
};

using Step = std::function<void(Rig&)>;

Bytes peer_open(const char* identifier) {
  Open o;
  o.my_as = 65515;
  o.hold_time = 180;
  o.bgp_identifier = *Ipv4Address::parse(identifier);
  o.capabilities.multiprotocol = {AfiSafi{}};
  o.capabilities.four_octet_as = 65515;
  return encode_message(o, CodecContext{}).value();
}
Bytes keepalive() { return encode_message(Keepalive{}, CodecContext{}).value(); }
Bytes concat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

Ipv4Address ip(const char* text) { return *Ipv4Address::parse(text); }

Step start = [](Rig& r) { r(StartNeighbors{}); };
Step stop = [](Rig& r) { r(StopNeighbors{}); };
Step dial_ok(ConnectionId c) { return [c](Rig& r) { r(DialSucceeded{c}); }; }
Step dial_fails(ConnectionId c) { return [c](Rig& r) { r(DialFailed{c}); }; }
Step closed(ConnectionId c) { return [c](Rig& r) { r(ConnectionClosed{c}); }; }
Step expire(ConnectionId c, Timer t) { return [c, t](Rig& r) { r(ConnectionTimerExpired{c, t}); }; }
Step offer(const char* from) { return [from](Rig& r) { r(ConnectionOffered{ip(from)}); }; }
Step bytes_on(ConnectionId c, Bytes b) {
  return [c, b](Rig& r) { r(BytesArrived{c, std::span<const std::uint8_t>(b)}); };
}
Step open_on(ConnectionId c, const char* identifier) { return bytes_on(c, peer_open(identifier)); }
Step keepalive_on(ConnectionId c) { return bytes_on(c, keepalive()); }
// The peer's OPEN and KEEPALIVE in one segment, as FRR and GoBGP often send them.
Step open_and_keepalive_on(ConnectionId c, const char* identifier) {
  return bytes_on(c, concat(peer_open(identifier), keepalive()));
}
Step over_limit = [](Rig& r) { r(MaximumPrefixExceeded{ip(kPeer), "5 prefixes received, over maximum-prefix 4"}); };
Step accepted(std::uint64_t n) { return [n](Rig& r) { r(PrefixesAccepted{ip(kPeer), n}); }; }
Step hold_down_over = [](Rig& r) { r(HoldDownTimerExpired{ip(kPeer)}); };

// States, as the events that reach them (connection #1 is the one we dial, #2 the peer's).
const std::vector<Step> kConfigured = {};
const std::vector<Step> kDialing = {start};
const std::vector<Step> kActive = {start, dial_fails(1)};
const std::vector<Step> kOpenSent = {start, dial_ok(1)};
const std::vector<Step> kBothOpenSent = {start, dial_ok(1), offer(kPeer)};
const std::vector<Step> kEstablishedOnOurs = {start, dial_ok(1), open_and_keepalive_on(1, kPeerLower)};
const std::vector<Step> kEstablishedOnTheirs = {start, dial_fails(1), offer(kPeer),
                                                open_and_keepalive_on(2, kPeerLower)};
const std::vector<Step> kHeldDown = {start, dial_ok(1), open_and_keepalive_on(1, kPeerLower), over_limit};

struct Row {
  const char* name;
  std::string config;
  std::vector<Step> state;
  Step event;
  std::vector<std::string> expect;
  std::vector<std::string> absent;
};
void PrintTo(const Row& row, std::ostream* os) { *os << row.name; }

const std::string kMaxPrefixRestart = config("", "  neighbor 10.0.0.1 maximum-prefix 4 50 restart 1\n");
const std::string kMaxPrefixForGood = config("", "  neighbor 10.0.0.1 maximum-prefix 4\n");
const std::string kMaxPrefixWarningOnly = config("", "  neighbor 10.0.0.1 maximum-prefix 4 warning-only\n");

const Row kRows[] = {
    // ---- dialing and connect-retry
    {"Start_DialsEachNeighborNotShutDown_AfterArmingConnectRetry",
     config(" neighbor 10.0.0.2 remote-as 65515\n neighbor 10.0.0.2 shutdown\n"), kConfigured, start,
     {"stop #1 IdleHoldTimer", "start #1 ConnectRetryTimer 120s", "dial #1 to 10.0.0.1 ttl 1"},
     {"dial #2"}},
    {"Start_MultihopAndUpdateSource_DialFromTheSourceWithThatTtl",
     config(" neighbor 10.0.0.1 ebgp-multihop 3\n neighbor 10.0.0.1 update-source 10.0.0.100\n"), kConfigured, start,
     {"dial #1 to 10.0.0.1 from 10.0.0.100 ttl 3"}, {}},
    {"Start_IbgpNeighbor_DialsWithTtl255", "router bgp 65001\n bgp router-id 10.0.0.100\n neighbor 10.0.0.1 remote-as 65001\n",
     kConfigured, start, {"dial #1 to 10.0.0.1 ttl 255"}, {}},
    {"Start_TimersConnect_IsTheConnectRetryTime", config(" neighbor 10.0.0.1 timers connect 5\n"), kConfigured, start,
     {"start #1 ConnectRetryTimer 5s", "dial #1 to 10.0.0.1 ttl 1"}, {}},
    {"DialFails_WaitsForConnectRetry_WithoutRedialing", config(), kDialing, dial_fails(1),
     {"start #1 ConnectRetryTimer 120s"}, {"dial"}},
    {"ConnectRetryExpiresAfterAFailedDial_Redials", config(), kActive, expire(1, Timer::ConnectRetry),
     {"start #1 ConnectRetryTimer 120s", "dial #1 to 10.0.0.1 ttl 1"}, {}},
    {"ConnectRetryExpiresWhileDialing_DropsTheAttemptAndRedials", config(), kDialing, expire(1, Timer::ConnectRetry),
     {"drop #1", "start #1 ConnectRetryTimer 120s", "dial #1 to 10.0.0.1 ttl 1"}, {}},
    {"DialSucceeds_SendsOpenUnderTheLargeHoldTimer", config(), kDialing, dial_ok(1),
     {"stop #1 ConnectRetryTimer", "send OPEN on #1", "start #1 HoldTimer 240s"}, {"dial"}},
    {"OpenAndKeepaliveOnOurs_SessionUpOnTheConnectionWeOpened", config(), kOpenSent,
     open_and_keepalive_on(1, kPeerLower),
     {"send KEEPALIVE on #1", "log: neighbor 10.0.0.1: Established (AS 65515, hold 180 s, we connected)",
      "peer up 10.0.0.1 on #1"},
     {}},

    // ---- which connections are accepted
    {"StrangerConnects_Refused", config(), kDialing, offer("10.9.9.9"),
     {"refuse 10.9.9.9: not a configured neighbor"}, {"accept"}},
    {"NeighborConnectsWhileWeDial_AcceptedAndOurAttemptGivesWay", config(), kDialing, offer(kPeer),
     {"accept #2 from 10.0.0.1 ttl 1", "drop #1", "start #1 ConnectRetryTimer 120s", "send OPEN on #2",
      "start #2 HoldTimer 240s"},
     {"dial"}},
    {"NeighborConnectsWhileOurOpenIsSent_BothConnectionsKept", config(), kOpenSent, offer(kPeer),
     {"accept #2 from 10.0.0.1 ttl 1", "send OPEN on #2"}, {"drop #1", "forget", "send NOTIFICATION"}},
    {"NeighborConnectsWhileEstablished_Refused", config(), kEstablishedOnOurs, offer(kPeer),
     {"refuse 10.0.0.1: a session is Established"}, {"accept"}},
    {"NeighborConnectsAfterStop_Refused", config(), {start, stop}, offer(kPeer),
     {"refuse 10.0.0.1: not a configured neighbor"}, {"accept"}},

    // ---- collisions (RFC 4271 6.8): decided as soon as an OPEN carries the peer's identifier
    {"OursHasTheOpen_PeerConnects_WeAreHigher_TheirsCloses", config(), {start, dial_ok(1), open_on(1, kPeerLower)},
     offer(kPeer),
     {"accept #2 from 10.0.0.1 ttl 1", "send OPEN on #2",
      "log: connection collision, closing the connection the peer opened", "send NOTIFICATION 6/7 on #2", "drop #2",
      "forget #2"},
     {"send NOTIFICATION 6/7 on #1", "drop #1"}},
    {"OursHasTheOpen_PeerConnects_PeerIsHigher_OursClosesAndHolds", config(),
     {start, dial_ok(1), open_on(1, kPeerHigher)}, offer(kPeer),
     {"accept #2 from 10.0.0.1 ttl 1", "send OPEN on #2", "log: connection collision, closing the connection we opened",
      "send NOTIFICATION 6/7 on #1", "drop #1"},
     {"drop #2", "forget #2", "dial", "start #1 IdleHoldTimer"}},
    {"BothOpenSent_OpenOnTheirsFirst_WeAreHigher_TheirsCloses", config(), kBothOpenSent, open_on(2, kPeerLower),
     {"send KEEPALIVE on #2", "log: closing the connection the peer opened", "send NOTIFICATION 6/7 on #2",
      "forget #2"},
     {"send NOTIFICATION 6/7 on #1", "drop #1"}},
    {"BothOpenSent_OpenOnTheirsFirst_PeerIsHigher_OursCloses", config(), kBothOpenSent, open_on(2, kPeerHigher),
     {"send KEEPALIVE on #2", "log: closing the connection we opened", "send NOTIFICATION 6/7 on #1", "drop #1"},
     {"send NOTIFICATION 6/7 on #2", "forget #2", "dial"}},
    {"BothOpenSent_OpenOnOursFirst_WeAreHigher_TheirsCloses", config(), kBothOpenSent, open_on(1, kPeerLower),
     {"send KEEPALIVE on #1", "log: closing the connection the peer opened", "send NOTIFICATION 6/7 on #2",
      "forget #2"},
     {"send NOTIFICATION 6/7 on #1", "drop #1"}},
    {"BothOpenSent_OpenOnOursFirst_PeerIsHigher_OursCloses", config(), kBothOpenSent, open_on(1, kPeerHigher),
     {"send KEEPALIVE on #1", "log: closing the connection we opened", "send NOTIFICATION 6/7 on #1", "drop #1"},
     {"send NOTIFICATION 6/7 on #2", "forget #2", "dial"}},
    {"OpenAndKeepaliveInOneSegmentOnTheLoser_DecidedBeforeTheKeepalive_NoSessionUp", config(), kBothOpenSent,
     open_and_keepalive_on(2, kPeerLower),
     {"log: closing the connection the peer opened", "send NOTIFICATION 6/7 on #2", "forget #2"},
     {"peer up", "log: neighbor 10.0.0.1: Established"}},
    {"CollisionWinnerTheirs_KeepaliveArrives_SessionUpAndOursStaysDown", config(),
     {start, dial_ok(1), offer(kPeer), open_on(2, kPeerHigher)}, keepalive_on(2),
     {"log: Established (AS 65515, hold 180 s, peer connected)", "peer up 10.0.0.1 on #2"}, {"dial"}},

    // ---- our dialing holds while the peer's connection carries the session (hold_our_dialing)
    {"SessionUpOnTheirsWhileOursWaitsToRedial_OurDialingStops", config(), {start, dial_fails(1), offer(kPeer)},
     open_and_keepalive_on(2, kPeerLower),
     {"log: Established (AS 65515, hold 180 s, peer connected)", "stop #1 ConnectRetryTimer",
      "peer up 10.0.0.1 on #2"},
     {"dial"}},
    {"SessionOnTheirsGoesDown_OurDialingResumes", config(), kEstablishedOnTheirs, closed(2),
     {"log: left Established: TCP connection closed", "peer down 10.0.0.1", "forget #2", "dial #1 to 10.0.0.1 ttl 1"},
     {}},

    // ---- maximum-prefix, as FRR: threshold warning, restart M, for good, warning-only
    {"UnderTheThreshold_NoWarning", kMaxPrefixRestart, kEstablishedOnOurs, accepted(2), {}, {"log"}},
    {"OverTheThreshold_WarnsWithTheCount", kMaxPrefixRestart, kEstablishedOnOurs, accepted(3),
     {"log: neighbor 10.0.0.1: 3 prefixes received, 50% of maximum-prefix 4 reached"}, {}},
    {"ThresholdAlreadyWarnedThisSession_Quiet", kMaxPrefixRestart,
     {start, dial_ok(1), open_and_keepalive_on(1, kPeerLower), accepted(3)}, accepted(4), {}, {"log"}},
    {"OverTheLimitWithRestart_CeaseAndHeldDownForTheMinutes", kMaxPrefixRestart, kEstablishedOnOurs, over_limit,
     {"log: 5 prefixes received, over maximum-prefix 4; sending Cease/Maximum Number of Prefixes Reached, session down "
      "for 1 minute(s)",
      "send NOTIFICATION 6/1 on #1", "drop #1", "log: left Established: maximum-prefix 4 exceeded",
      "peer down 10.0.0.1", "hold down 10.0.0.1 for 1 min"},
     {"dial", "start #1 IdleHoldTimer"}},
    {"HeldDown_NeighborConnects_Refused", kMaxPrefixRestart, kHeldDown, offer(kPeer),
     {"refuse 10.0.0.1: maximum-prefix exceeded"}, {"accept"}},
    {"HeldDown_RestartTimerExpires_Redials", kMaxPrefixRestart, kHeldDown, hold_down_over,
     {"log: maximum-prefix restart timer expired, reconnecting", "dial #1 to 10.0.0.1 ttl 1"}, {}},
    {"HeldDown_Stop_EndsTheHoldDownTimer", kMaxPrefixRestart, kHeldDown, stop, {"end hold-down timer 10.0.0.1"}, {}},
    {"OverTheLimitWithoutRestart_HeldDownUntilTheDaemonRestarts", kMaxPrefixForGood, kEstablishedOnOurs, over_limit,
     {"log: session down until hairpin nva restarts", "send NOTIFICATION 6/1 on #1", "peer down 10.0.0.1"},
     {"hold down", "dial"}},
    {"OverTheLimitWarningOnly_LogsAndTheSessionStays", kMaxPrefixWarningOnly, kEstablishedOnOurs, over_limit,
     {"log: 5 prefixes received, over maximum-prefix 4 (warning-only: the session stays up)"},
     {"send NOTIFICATION", "peer down", "drop"}},
    {"OverTheLimitWarningOnlyAgain_Quiet", kMaxPrefixWarningOnly,
     {start, dial_ok(1), open_and_keepalive_on(1, kPeerLower), over_limit}, over_limit, {}, {"log", "send"}},

    // ---- stop
    {"StopWhileDialing_OurConnectionIsForgotten", config(), kDialing, stop, {"drop #1", "forget #1"},
     {"dial", "send NOTIFICATION"}},
    {"StopWhileDialing_TheLateDialOutcomeIsIgnored", config(), {start, stop}, dial_ok(1), {}, {"send", "dial"}},
    {"StopWhenEstablished_CeaseThenPeerDown", config(), kEstablishedOnOurs, stop,
     {"send NOTIFICATION 6/2 on #1", "peer down 10.0.0.1", "forget #1"}, {"dial"}},
};

class SupervisorTable : public testing::TestWithParam<Row> {};

TEST_P(SupervisorTable, EventInState_GivesTheseActions) {
  const Row& row = GetParam();
  Rig rig(row.config);
  for (const auto& step : row.state) step(rig);
  row.event(rig);
  std::string all;
  for (const auto& line : rig.seen) all += "\n  " + line;
  std::size_t at = 0;
  for (const auto& want : row.expect) {
    bool is_log = want.rfind("log: ", 0) == 0;
    auto matches = [&](const std::string& line) {
      return is_log ? line.rfind("log: ", 0) == 0 && line.find(want.substr(5)) != std::string::npos : line == want;
    };
    while (at < rig.seen.size() && !matches(rig.seen[at])) ++at;
    ASSERT_LT(at, rig.seen.size()) << "expected, in order: " << want << "\nactions:" << all;
    ++at;
  }
  for (const auto& line : rig.seen)
    for (const auto& no : row.absent) EXPECT_NE(line.rfind(no, 0), 0u) << "unexpected: " << line << "\nactions:" << all;
  // A row that expects nothing is a negative check: its positive control is the
  // row beside it, the same state with an event that does act.
  if (row.expect.empty()) {
    EXPECT_TRUE(rig.seen.empty()) << "actions:" << all;
  }
}

INSTANTIATE_TEST_SUITE_P(Rows, SupervisorTable, testing::ValuesIn(kRows),
                         [](const auto& info) { return std::string(info.param.name); });

// ---- reload and the daemon's views ------------------------------------------------------

TEST(SupervisorReload, MaximumPrefixBecomesWarningOnly_TheNextExcessOnlyLogs) {
  Rig rig(kMaxPrefixRestart);
  for (const auto& step : kEstablishedOnOurs) step(rig);
  ASSERT_TRUE(rig.supervisor.reload(*parse(kMaxPrefixWarningOnly).bgp).ok());
  over_limit(rig);
  ASSERT_EQ(rig.seen.size(), 1u);
  EXPECT_NE(rig.seen[0].find("warning-only: the session stays up"), std::string::npos) << rig.seen[0];
}

TEST(SupervisorReload, SessionSettingsChanged_RefusedAndTheOldSettingsStay) {
  for (const auto& next : {config(" neighbor 10.0.0.1 timers connect 5\n", "  neighbor 10.0.0.1 maximum-prefix 4 warning-only\n"),
                           config(" neighbor 10.0.0.3 remote-as 65003\n", "  neighbor 10.0.0.1 maximum-prefix 4 warning-only\n"),
                           config(" timers bgp 10 30\n", "  neighbor 10.0.0.1 maximum-prefix 4 warning-only\n")}) {
    Rig rig(kMaxPrefixRestart);
    for (const auto& step : kEstablishedOnOurs) step(rig);
    auto refused = rig.supervisor.reload(*parse(next).bgp);
    ASSERT_FALSE(refused.ok()) << next;
    EXPECT_NE(refused.error().to_string().find("neighbors or session settings changed"), std::string::npos);
    over_limit(rig);  // still `restart 1`, not the refused warning-only
    EXPECT_NE(std::find(rig.seen.begin(), rig.seen.end(), "hold down 10.0.0.1 for 1 min"), rig.seen.end());
  }
}

TEST(SupervisorReload, LocalAsChanged_Refused) {
  Rig rig(config());
  std::string other = config();
  other.replace(other.find("65001"), 5, "65002");
  auto refused = rig.supervisor.reload(*parse(other).bgp);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().to_string().find("the local AS changed (65001 -> 65002)"), std::string::npos);
  EXPECT_TRUE(rig.supervisor.reload(*parse(config()).bgp).ok());  // the same config is accepted
}

TEST(SupervisorViews, CarriesSession_OnlyTheEstablishedConnectionUntilItGoesDown) {
  Rig rig(kMaxPrefixRestart);
  for (const auto& step : kBothOpenSent) step(rig);
  EXPECT_FALSE(rig.supervisor.carries_session(1));
  open_and_keepalive_on(1, kPeerHigher)(rig);  // ours loses the collision at the OPEN
  EXPECT_FALSE(rig.supervisor.carries_session(1));
  open_and_keepalive_on(2, kPeerHigher)(rig);
  EXPECT_TRUE(rig.supervisor.carries_session(2));
  EXPECT_FALSE(rig.supervisor.carries_session(1));
  auto views = rig.supervisor.neighbor_views();
  ASSERT_EQ(views.size(), 1u);
  ASSERT_NE(views[0].session, nullptr);
  EXPECT_EQ(views[0].session->state(), SessionState::Established);
  over_limit(rig);
  EXPECT_FALSE(rig.supervisor.carries_session(2));
}

TEST(SupervisorViews, LastNotification_OutlivesItsConnection_AndTheNextOneReplacesIt) {
  Rig rig(config());
  for (const auto& step : kEstablishedOnTheirs) step(rig);
  ASSERT_FALSE(rig.supervisor.neighbor_views()[0].last_notification.has_value());
  // The peer's connection ends with its NOTIFICATION (Cease/Administrative Reset)
  // and is forgotten; the view then shows our own connection, which never had one.
  const Notification reset{ErrorCode::Cease, 4, {}};
  bytes_on(2, encode_message(reset, CodecContext{}).value())(rig);
  EXPECT_NE(std::find(rig.seen.begin(), rig.seen.end(), "forget #2"), rig.seen.end());
  auto views = rig.supervisor.neighbor_views();
  ASSERT_EQ(views.size(), 1u);
  ASSERT_NE(views[0].session, nullptr);
  EXPECT_FALSE(views[0].session->last_notification().has_value());  // what bgp show used to read
  ASSERT_TRUE(views[0].last_notification.has_value());
  EXPECT_EQ(views[0].last_notification->to_string(), reset.to_string());
  // Our redial is answered by an OPEN with another AS: the NOTIFICATION we send
  // (OPEN Message Error/Bad Peer AS) is the neighbour's last one now.
  expire(1, Timer::ConnectRetry)(rig);
  dial_ok(1)(rig);
  Open wrong_as;
  wrong_as.my_as = 64999;
  wrong_as.hold_time = 180;
  wrong_as.bgp_identifier = ip(kPeerLower);
  bytes_on(1, encode_message(wrong_as, CodecContext{}).value())(rig);
  views = rig.supervisor.neighbor_views();
  ASSERT_TRUE(views[0].last_notification.has_value());
  EXPECT_EQ(views[0].last_notification->code, ErrorCode::OpenMessageError);
}

TEST(SupervisorSend, UpdateGoesOnTheEstablishedConnection_NothingWithoutASession) {
  Rig rig(config());
  Update u;
  u.withdrawn.push_back(*Ipv4Prefix::parse("192.0.2.0/24"));
  EXPECT_TRUE(rig.supervisor.send_update(ip(kPeer), u).empty());
  for (const auto& step : kEstablishedOnTheirs) step(rig);
  std::vector<std::string> sent;
  for (const auto& a : rig.supervisor.send_update(ip(kPeer), u)) sent.push_back(render(a));
  EXPECT_NE(std::find(sent.begin(), sent.end(), "send UPDATE on #2"), sent.end());
}

}  // namespace
}  // namespace hairpin::bgpd

namespace hairpin::bgpd {
namespace {

// A stranger's connection is refused and nothing else happens: no connection is
// made for it (the neighbour's next connection is still #2, where three strangers
// would have taken #2-#4), no session sees it, our dialing goes on as it was.
TEST(SupervisorAccept, StrangersTouchNoSessionState_TheNeighbourStillGetsTheNextConnection) {
  Rig rig(config());
  for (const auto& step : kDialing) step(rig);
  const auto before = rig.supervisor.neighbor_views();
  ASSERT_EQ(before.size(), 1u);
  ASSERT_NE(before[0].session, nullptr);
  const auto state_before = before[0].session->state();
  for (int knock = 0; knock < 3; ++knock) {
    offer("10.9.9.9")(rig);
    EXPECT_EQ(rig.seen, std::vector<std::string>{"refuse 10.9.9.9: not a configured neighbor"}) << "knock " << knock;
  }
  const auto after = rig.supervisor.neighbor_views();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].session, before[0].session);
  EXPECT_EQ(after[0].session->state(), state_before);
  EXPECT_FALSE(rig.supervisor.carries_session(2));
  offer(kPeer)(rig);  // positive control: the neighbour is accepted, on connection #2
  ASSERT_FALSE(rig.seen.empty());
  EXPECT_EQ(rig.seen[0], "accept #2 from 10.0.0.1 ttl 1");
}

}  // namespace
}  // namespace hairpin::bgpd
