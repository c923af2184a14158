// Trace results: where a trace ends, per-hop summaries, --expect-via, and the
// waiting rules, over hand-made probe records (times are plain numbers).

#include "hairpin/probes/trace_result.hpp"

#include <gtest/gtest.h>

namespace hairpin::probes {
namespace {

constexpr Ipv4Address kSource{0x0a640004};  // 10.100.0.4
constexpr Ipv4Address kTarget{0x0ac80004};  // 10.200.0.4
constexpr Ipv4Address kErgw{0x0a00c80c};    // 10.0.200.12
constexpr Ipv4Address kNva{0x0a000004};     // 10.0.0.4
constexpr std::int64_t kMs = 1'000'000;

ProbeRecord probe(int ttl, std::uint16_t index, std::int64_t sent_ns, int round = 0) {
  ProbeRecord p;
  p.spec = ProbeSpec{static_cast<std::uint8_t>(ttl), index, 0};
  p.round = round;
  p.sent_host_ns = sent_ns;
  p.sent_wire_ns = sent_ns;
  return p;
}

ProbeRecord answered(int ttl, std::uint16_t index, ReplyKind kind, Ipv4Address from, std::int64_t rtt_ns,
                     std::uint8_t code = 0, int round = 0) {
  ProbeRecord p = probe(ttl, index, 0, round);
  Match m;
  m.kind = kind;
  m.probe_index = index;
  m.responder = from;
  m.icmp_code = code;
  m.icmp_type = kind == ReplyKind::TimeExceeded ? 11 : kind == ReplyKind::DestUnreachable ? 3 : 0;
  p.reply = m;
  p.reply_wire_ns = rtt_ns;
  return p;
}

// The seed's pattern: ERGW, NVA, a silent hop, the target; probes up to TTL 6.
TraceResult seed_trace() {
  TraceResult r;
  r.run = RunIdentity{kSource, kTarget, 22, {40000}, 0xbeef};
  r.params.max_hops = 30;
  r.probes = {
      answered(1, 0, ReplyKind::TimeExceeded, kErgw, 92'622'000),
      answered(2, 1, ReplyKind::TimeExceeded, kNva, 97'924'000),
      probe(3, 2, 0),
      answered(4, 3, ReplyKind::SynAck, kTarget, 184'002'000),
      answered(5, 4, ReplyKind::SynAck, kTarget, 184'100'000),
      answered(6, 5, ReplyKind::Rst, kTarget, 184'200'000),
  };
  return r;
}

TEST(FinalTtl, SeedPattern_EndsAtTheFirstTargetAnswer) {
  const auto r = seed_trace();
  EXPECT_EQ(final_ttl(r.probes), 4);
  EXPECT_TRUE(target_reached(r));
}

TEST(FinalTtl, NoFinalAnswer_GivesNothing) {
  std::vector<ProbeRecord> p = {answered(1, 0, ReplyKind::TimeExceeded, kErgw, kMs), probe(2, 1, 0)};
  EXPECT_FALSE(final_ttl(p).has_value());
}

struct ReachedRow {
  ReplyKind kind;
  Ipv4Address from;
  std::uint8_t code;
  bool reached;
};

TEST(TargetReached, FinalAnswerKinds_TableOfVerdicts) {
  const ReachedRow rows[] = {
      {ReplyKind::SynAck, kTarget, 0, true},
      {ReplyKind::Rst, kTarget, 0, true},
      {ReplyKind::DestUnreachable, kTarget, 3, true},   // the target's firewall rejects
      {ReplyKind::DestUnreachable, kNva, 1, false},     // a router: host unreachable
      {ReplyKind::DestUnreachable, kNva, 13, false},
  };
  for (const auto& row : rows) {
    TraceResult r;
    r.run = RunIdentity{kSource, kTarget, 22, {40000}, 1};
    r.probes = {answered(1, 0, ReplyKind::TimeExceeded, kErgw, kMs), answered(2, 1, row.kind, row.from, 2 * kMs, row.code)};
    EXPECT_EQ(target_reached(r), row.reached) << to_string(row.kind) << " code " << int(row.code);
  }
}

TEST(SummarizeHops, SeedPattern_FourHopsWithASilentThird) {
  const auto hops = summarize_hops(seed_trace());
  ASSERT_EQ(hops.size(), 4u);
  EXPECT_EQ(hops[0].responder, kErgw);
  EXPECT_EQ(hops[0].last_ns, 92'622'000);
  EXPECT_EQ(hops[1].responder, kNva);
  EXPECT_FALSE(hops[2].responder.has_value());
  EXPECT_EQ(hops[2].sent, 1);
  EXPECT_EQ(hops[2].received, 0);
  EXPECT_EQ(hops[3].responder, kTarget);
  EXPECT_EQ(hops[3].last_ns, 184'002'000);
}

TEST(SummarizeHops, ThreeProbesOneLost_StatisticsOverTheTwoAnswers) {
  TraceResult r;
  r.run = RunIdentity{kSource, kTarget, 22, {40000}, 1};
  r.probes = {answered(1, 0, ReplyKind::SynAck, kTarget, 10 * kMs), probe(1, 1, 0),
              answered(1, 2, ReplyKind::SynAck, kTarget, 30 * kMs)};
  const auto hops = summarize_hops(r);
  ASSERT_EQ(hops.size(), 1u);
  EXPECT_EQ(hops[0].sent, 3);
  EXPECT_EQ(hops[0].received, 2);
  EXPECT_EQ(hops[0].last_ns, 30 * kMs);
  EXPECT_EQ(hops[0].avg_ns, 20 * kMs);
  EXPECT_EQ(hops[0].best_ns, 10 * kMs);
  EXPECT_EQ(hops[0].worst_ns, 30 * kMs);
}

TEST(SummarizeHops, TwoResponders_SecondListedAsOther) {
  TraceResult r;
  r.run = RunIdentity{kSource, kTarget, 22, {40000, 40001}, 1};
  r.probes = {answered(1, 0, ReplyKind::TimeExceeded, kErgw, kMs), answered(1, 1, ReplyKind::TimeExceeded, kNva, kMs),
              answered(2, 2, ReplyKind::Rst, kTarget, kMs)};
  const auto hops = summarize_hops(r);
  EXPECT_EQ(hops[0].responder, kErgw);
  ASSERT_EQ(hops[0].others.size(), 1u);
  EXPECT_EQ(hops[0].others[0], kNva);
}

TEST(SummarizeHops, UnansweredTrace_EndsGapLimitHopsAfterTheLastAnswer) {
  TraceResult r;
  r.run = RunIdentity{kSource, kTarget, 22, {40000}, 1};
  r.params.gap_limit = 3;
  r.probes.push_back(answered(1, 0, ReplyKind::TimeExceeded, kErgw, kMs));
  for (int ttl = 2; ttl <= 30; ++ttl) r.probes.push_back(probe(ttl, static_cast<std::uint16_t>(ttl - 1), 0));
  EXPECT_EQ(summarize_hops(r).size(), 4u);  // 1 answer + 3 silent
  r.params.gap_limit = 100;
  EXPECT_EQ(summarize_hops(r).size(), 30u);  // never beyond what was probed
}

TEST(SummarizeHops, RouterUnreachable_MarksTheHop) {
  TraceResult r;
  r.run = RunIdentity{kSource, kTarget, 22, {40000}, 1};
  r.probes = {answered(1, 0, ReplyKind::TimeExceeded, kErgw, kMs),
              answered(2, 1, ReplyKind::DestUnreachable, kErgw, kMs, 0), probe(3, 2, 0)};
  const auto hops = summarize_hops(r);
  ASSERT_EQ(hops.size(), 2u);
  EXPECT_EQ(hops[1].unreachable, "!N");
}

TEST(UnreachableMarker, Codes_TableOfAnnotations) {
  const std::pair<int, const char*> rows[] = {{0, "!N"}, {1, "!H"}, {2, "!P"}, {3, ""},   {4, "!F"},
                                              {9, "!A"}, {10, "!C"}, {13, "!X"}, {200, "!<200>"}};
  for (auto [code, marker] : rows) EXPECT_EQ(unreachable_marker(static_cast<std::uint8_t>(code)), marker) << code;
}

TEST(ViaTtl, SeedPattern_NvaAtHop2ErgwAtHop1) {
  const auto r = seed_trace();
  EXPECT_EQ(via_ttl(r, kNva), 2);
  EXPECT_EQ(via_ttl(r, kErgw), 1);
  EXPECT_FALSE(via_ttl(r, kTarget).has_value());  // the target is not "before the target"
  EXPECT_FALSE(via_ttl(r, Ipv4Address{0x0a000005}).has_value());
}

TEST(ViaTtl, TargetNotReached_NeverPasses) {
  auto r = seed_trace();
  r.probes.resize(3);  // only ERGW, NVA, silence
  EXPECT_FALSE(via_ttl(r, kNva).has_value());
}

TEST(ProbeDeadline, NoAnswersYet_WaitsTheMaximum) {
  WaitPolicy w;
  const auto p = probe(3, 0, 1000);
  EXPECT_EQ(probe_deadline_ns(p, {p}, w), 1000 + w.max_wait_ns);
}

TEST(ProbeDeadline, SameHopAnswered_WaitsHereTimesItsRtt) {
  WaitPolicy w;
  const auto p = probe(3, 0, 1000);
  const std::vector<ProbeRecord> all = {p, answered(3, 1, ReplyKind::TimeExceeded, kNva, 40 * kMs)};
  EXPECT_EQ(probe_deadline_ns(p, all, w), 1000 + 120 * kMs);
}

TEST(ProbeDeadline, FartherHopAnswered_WaitsNearTimesItsRtt) {
  WaitPolicy w;
  const auto p = probe(3, 0, 1000);
  const std::vector<ProbeRecord> all = {p, answered(4, 1, ReplyKind::SynAck, kTarget, 184 * kMs),
                                        answered(2, 2, ReplyKind::TimeExceeded, kNva, 1 * kMs)};  // nearer: ignored
  EXPECT_EQ(probe_deadline_ns(p, all, w), 1000 + 368 * kMs);
}

TEST(ProbeDeadline, TinyRtts_NeverBelowTheFloor) {
  WaitPolicy w;
  const auto p = probe(3, 0, 0);
  const std::vector<ProbeRecord> all = {p, answered(4, 1, ReplyKind::SynAck, kTarget, 50'000)};
  EXPECT_EQ(probe_deadline_ns(p, all, w), w.floor_ns);
}

TEST(RoundComplete, SilentHopBeforeAnsweringTarget_CompleteOnlyAfterNearWait) {
  WaitPolicy w;
  auto r = seed_trace();  // hop 3 silent, target at 184 ms: hop 3 waits 2 x 184 ms
  EXPECT_FALSE(round_complete(r.probes, 0, 300 * kMs, w, 5));
  EXPECT_TRUE(round_complete(r.probes, 0, 369 * kMs, w, 5));
}

TEST(RoundComplete, ProbesPastTheTarget_DoNotHoldTheRound) {
  WaitPolicy w;
  auto r = seed_trace();
  r.probes.push_back(probe(7, 6, 0));  // TTL 7 never answered: irrelevant, 4 is final
  EXPECT_TRUE(round_complete(r.probes, 0, 369 * kMs, w, 5));
}

TEST(RoundComplete, NothingAnswers_GapLimitEndsAfterTheMaximumWait) {
  WaitPolicy w;
  std::vector<ProbeRecord> p;
  for (int ttl = 1; ttl <= 30; ++ttl) p.push_back(probe(ttl, static_cast<std::uint16_t>(ttl - 1), 0));
  EXPECT_FALSE(round_complete(p, 0, w.max_wait_ns - 1, w, 5));
  EXPECT_TRUE(round_complete(p, 0, w.max_wait_ns + w.floor_ns, w, 5));
}

TEST(RoundComplete, OtherRoundsProbes_AreNotWaitedFor) {
  WaitPolicy w;
  std::vector<ProbeRecord> p = {answered(1, 0, ReplyKind::SynAck, kTarget, kMs, 0, 0), probe(1, 1, 0, 1)};
  EXPECT_TRUE(round_complete(p, 0, 2 * kMs, w, 5));
  EXPECT_FALSE(round_complete(p, 1, 2 * kMs, w, 5));
}

TEST(NextDeadline, SilentHop_WakesAtItsNearDeadlineThenNever) {
  WaitPolicy w;
  auto r = seed_trace();  // hop 3 silent: deadline 2 x 184.002 ms after it was sent (0)
  EXPECT_EQ(next_deadline_ns(r.probes, 0, 0, w), 368'004'000);
  EXPECT_FALSE(next_deadline_ns(r.probes, 0, 368'004'000, w).has_value());
  EXPECT_FALSE(next_deadline_ns(r.probes, 1, 0, w).has_value());  // nothing in round 1
}

}  // namespace
}  // namespace hairpin::probes
