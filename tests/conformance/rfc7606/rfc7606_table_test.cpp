// The RFC 7606 / RFC 4271 6.1-6.3 table (cases.hpp), row by row, through the
// session FSM and the decoder: no sockets, no clock. Each Established row first
// announces its marker validly (the positive control), then sends the row's
// message and checks what the FSM did: the NOTIFICATION it sent, or the UPDATE it
// handed to the RIB and the RFC 7606 notes beside it.

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "cases.hpp"
#include "hairpin/bgpd/session/session_fsm.hpp"
#include "hairpin/bgpd/wire/message_codec.hpp"

namespace hairpin::conformance {
namespace {

using bgpd::ErrorAction;
using bgpd::SessionAction;
using bgpd::SessionState;

struct Param {
  std::size_t index;
  std::string name;
};
void PrintTo(const Param& p, std::ostream* os) { *os << p.name; }

std::vector<Param> params() {
  std::vector<Param> out;
  auto rows = rfc7606_cases(Env{});
  for (std::size_t i = 0; i < rows.size(); ++i) out.push_back({i, rows[i].name});
  return out;
}

std::string origin_name(std::optional<bgpd::Origin> o) {
  if (!o) return "incomplete";
  return *o == bgpd::Origin::Igp ? "IGP" : *o == bgpd::Origin::Egp ? "EGP" : "incomplete";
}

Observed observe(const bgpd::PathAttributes& a) {
  Observed o;
  o.origin = origin_name(a.origin);
  o.path = a.as_path.value_or(bgpd::AsPath{}).to_string();
  auto nh = a.next_hop ? a.next_hop : a.mp_reach ? std::optional(a.mp_reach->next_hop) : std::nullopt;
  o.next_hop = nh.value_or(Ipv4Address{}).to_string();
  o.med = a.med;
  o.local_pref = a.local_pref;
  return o;
}

bool announces(const bgpd::Update& u, const Ipv4Prefix& p) {
  auto in = [&](const std::vector<Ipv4Prefix>& v) { return std::find(v.begin(), v.end(), p) != v.end(); };
  return in(u.nlri) || (u.attributes.mp_reach && in(u.attributes.mp_reach->nlri));
}
bool withdraws(const bgpd::Update& u, const Ipv4Prefix& p) {
  auto in = [&](const std::vector<Ipv4Prefix>& v) { return std::find(v.begin(), v.end(), p) != v.end(); };
  return in(u.withdrawn) || (u.attributes.mp_unreach && in(u.attributes.mp_unreach->withdrawn));
}

std::optional<bgpd::Notification> notification_sent(const std::vector<SessionAction>& actions) {
  for (const auto& a : actions)
    if (const auto* s = std::get_if<bgpd::SendBytes>(&a); s && s->type == bgpd::MessageType::Notification) {
      auto n = bgpd::decode_message(s->bytes, bgpd::CodecContext{});
      if (n) return std::get<bgpd::Notification>(n.value());
    }
  return std::nullopt;
}

std::vector<const bgpd::ReceivedUpdate*> updates(const std::vector<SessionAction>& actions) {
  std::vector<const bgpd::ReceivedUpdate*> out;
  for (const auto& a : actions)
    if (const auto* u = std::get_if<bgpd::ReceivedUpdate>(&a)) out.push_back(u);
  return out;
}

class Rfc7606Table : public testing::TestWithParam<Param> {};

TEST_P(Rfc7606Table, HandledAsTheRfcSays) {
  const Env env = Env{}.for_row(GetParam().index);
  const Case c = rfc7606_cases(env)[GetParam().index];
  SCOPED_TRACE(c.name + " (" + c.rfc + ", " + c.attribute + ": " + c.malformation + ", from " + to_string(c.peer) +
               ", expect " + to_string(c.handling) + ")");

  bgpd::SessionConfig config;
  config.local_as = env.nva_as;
  config.router_id = env.nva_router_id;
  config.peer_as = env.as_of(c.peer);
  bgpd::SessionFsm fsm(config);
  fsm.handle(bgpd::ManualStart{});
  fsm.handle(bgpd::TcpCrAcked{env.nva_address});
  ASSERT_EQ(fsm.state(), SessionState::OpenSent);

  if (c.when == When::InsteadOfOpen) {
    auto actions = fsm.handle(bgpd::BytesReceived{c.message});
    auto n = notification_sent(actions);
    ASSERT_TRUE(n.has_value()) << "no NOTIFICATION sent";
    EXPECT_EQ(static_cast<int>(n->code), c.code) << n->to_string();
    EXPECT_EQ(static_cast<int>(n->subcode), c.subcode) << n->to_string();
    EXPECT_EQ(fsm.state(), SessionState::Idle);
    return;
  }

  Bytes hello = build::cat({build::open(peer_open_fields(env, c.peer)), build::keepalive()});
  fsm.handle(bgpd::BytesReceived{hello});
  if (fsm.input_pending()) fsm.resume_input();
  ASSERT_EQ(fsm.state(), SessionState::Established);

  // Positive control: the marker, announced validly, reaches the RIB with no note.
  const auto control_actions = fsm.handle(bgpd::BytesReceived{valid_announcement(env, c.peer)});
  auto control = updates(control_actions);
  ASSERT_EQ(control.size(), 1u);
  ASSERT_TRUE(announces(control[0]->update, env.marker));
  ASSERT_TRUE(control[0]->notes.empty()) << control[0]->notes[0].to_string();

  auto actions = fsm.handle(bgpd::BytesReceived{c.message});
  auto n = notification_sent(actions);
  if (c.handling == Handling::SessionReset) {
    ASSERT_TRUE(n.has_value()) << "no NOTIFICATION sent";
    EXPECT_EQ(static_cast<int>(n->code), c.code) << n->to_string();
    EXPECT_EQ(static_cast<int>(n->subcode), c.subcode) << n->to_string();
    EXPECT_EQ(fsm.state(), SessionState::Idle);
    return;
  }
  ASSERT_FALSE(n.has_value()) << "NOTIFICATION " << n->to_string() << " sent; the session must stay";
  EXPECT_EQ(fsm.state(), SessionState::Established);
  auto got = updates(actions);
  ASSERT_EQ(got.size(), 1u);
  const auto& u = got[0]->update;
  const auto& notes = got[0]->notes;
  auto has = [&](ErrorAction a) {
    return std::any_of(notes.begin(), notes.end(), [&](const bgpd::WireError& e) { return e.action == a; });
  };
  std::string note_text;
  for (const auto& e : notes) note_text += e.to_string() + "; ";
  switch (c.handling) {
    case Handling::TreatAsWithdraw:
      EXPECT_TRUE(has(ErrorAction::TreatAsWithdraw)) << note_text;
      EXPECT_TRUE(withdraws(u, env.marker));
      EXPECT_TRUE(u.nlri.empty());
      EXPECT_FALSE(u.attributes.mp_reach.has_value());
      break;
    case Handling::Withdrawn:
      EXPECT_FALSE(has(ErrorAction::TreatAsWithdraw)) << note_text;
      EXPECT_TRUE(withdraws(u, env.marker));
      EXPECT_FALSE(announces(u, env.marker));
      break;
    case Handling::AttributeDiscard:
    case Handling::Accepted:
      EXPECT_TRUE(announces(u, env.marker));
      EXPECT_FALSE(has(ErrorAction::TreatAsWithdraw)) << note_text;
      if (c.handling == Handling::AttributeDiscard) {
        EXPECT_TRUE(has(ErrorAction::AttributeDiscard)) << note_text;
      } else {
        EXPECT_TRUE(notes.empty()) << note_text;
      }
      if (c.check) {
        EXPECT_EQ(c.check(observe(u.attributes)), "");
      }
      break;
    case Handling::SessionReset: break;
  }
}

INSTANTIATE_TEST_SUITE_P(Table, Rfc7606Table, testing::ValuesIn(params()), [](const auto& info) {
  std::string n = info.param.name;
  for (auto& ch : n)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return n;
});

TEST(Rfc7606TableShape, RowNamesAreUniqueAndEveryHandlingIsCovered) {
  auto rows = rfc7606_cases(Env{});
  std::set<std::string> names;
  std::set<Handling> handlings;
  for (const auto& r : rows) {
    EXPECT_TRUE(names.insert(r.name).second) << "duplicate row " << r.name;
    handlings.insert(r.handling);
    if (r.handling == Handling::SessionReset) {
      EXPECT_NE(r.code, 0) << r.name;
    }
  }
  EXPECT_EQ(handlings.size(), 5u);
  EXPECT_GE(rows.size(), 100u);
}

TEST(Rfc7606TableShape, EachRowHasItsOwnMarker) {
  auto a = Env{}.for_row(1), b = Env{}.for_row(2);
  EXPECT_NE(a.marker, b.marker);
  EXPECT_NE(rfc7606_cases(a)[40].message, rfc7606_cases(b)[40].message);
}

TEST(Rfc7606TableShape, DocsHoldTheGeneratedTable) {
  // docs/rfc7606.md shows the table; this test is its source (regenerate with
  // `rfc7606_peer --markdown`).
  std::ifstream in(HAIRPIN_DOCS_DIR "/rfc7606.md");
  ASSERT_TRUE(in) << "docs/rfc7606.md not found";
  std::stringstream ss;
  ss << in.rdbuf();
  std::string doc = ss.str();
  const std::string begin = "<!-- table:begin -->\n", end = "<!-- table:end -->";
  auto b = doc.find(begin), e = doc.find(end);
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(e, std::string::npos);
  EXPECT_EQ(doc.substr(b + begin.size(), e - b - begin.size()), markdown_table())
      << "docs/rfc7606.md is stale: paste the output of `rfc7606_peer --markdown` between the markers";
}

}  // namespace
}  // namespace hairpin::conformance
