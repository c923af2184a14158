#include "hairpin/verifier/evidence/evidence_json.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

#include "hairpin/common/file_io.hpp"
#include "verify/recorded_evidence.hpp"

using namespace hairpin;
using namespace hairpin::verifier;
using namespace hairpin::verifier::testing;

namespace {
const char* kCases[] = {"seed", "no-udr", "asymmetric-udr", "no-supernet", "nva-noforward", "ars0-down", "nva-down", "seed-verbatim"};
}

// fixtures/evidence/CASE.json is each recording as Evidence JSON (the --evidence
// format). HAIRPIN_UPDATE_GOLDEN=1 rewrites them from the raw recordings.
TEST(EvidenceJson, EveryRecording_MatchesItsFixtureAndRoundTrips) {
  const auto scenario = seed_scenario();
  for (const char* name : kCases) {
    const auto evidence = recorded_evidence(name, scenario);
    const auto json = evidence_to_json(evidence);
    const auto path = source_path(std::string("fixtures/evidence/") + name + ".json");
    if (std::getenv("HAIRPIN_UPDATE_GOLDEN")) {
      ASSERT_TRUE(write_file_atomically(path, json.dump(2) + "\n").ok());
    }
    auto fixture = load_evidence(path);
    ASSERT_TRUE(fixture.ok()) << fixture.error().to_string();
    EXPECT_EQ(evidence_to_json(*fixture), json) << name << ": fixtures/evidence differ from the raw recording";
    auto again = evidence_from_json(json, name);
    ASSERT_TRUE(again.ok()) << again.error().to_string();
    EXPECT_EQ(evidence_to_json(*again).dump(), json.dump()) << name;
  }
}

TEST(EvidenceJson, NotGatheredItem_KeepsItsReasonAndHasNoValue) {
  auto e = load_evidence(source_path("fixtures/evidence/nva-down.json"));
  ASSERT_TRUE(e.ok()) << e.error().to_string();
  EXPECT_FALSE(e->nva.summary.ok());
  EXPECT_EQ(e->nva.summary.how.reason, "Exiting: failed to connect to any daemons.");
  EXPECT_EQ(e->nva.summary.how.runner, "netns hp-vm-hub00");
  EXPECT_NE(e->nva.summary.how.command.find("show bgp ipv4 unicast summary json"), std::string::npos);
  ASSERT_EQ(e->directions.size(), 2u);
  ASSERT_TRUE(e->directions[0].trace.ok());  // positive control: the traces are there, as send errors
  EXPECT_TRUE(e->directions[0].trace.value->send_error.has_value());
}

TEST(EvidenceJson, BadDocument_NamesTheJsonPath) {
  auto e = parse_evidence(R"({"schema":"hairpin.evidence/1","scenario":"x","started_unix_ns":0,"finished_unix_ns":0,
      "attempt":1,"nva":{"summary":{"how":{"command":"","runner":"","status":"maybe","reason":"",
      "started_unix_ns":0,"finished_unix_ns":0},"value":null}}})", "bad.json");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().where, "bad.json: $.nva.summary.how.status");
  EXPECT_NE(e.error().what.find("'maybe'"), std::string::npos);
  auto wrong = parse_evidence(R"({"schema":"hairpin.trace/1"})", "t.json");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().where, "t.json: $.schema");
  EXPECT_FALSE(parse_evidence("not json", "n.json").ok());
}

TEST(Gathered, ParseFailure_BecomesNotGatheredWithTheParsersLine) {
  Provenance how;
  how.command = "vtysh -c 'show bgp ipv4 unicast summary json'";
  auto bad = gathered(how, parse_bgp_summary_json("% Unknown command"));
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.how.reason.find("bgp summary json: output is not JSON"), std::string::npos) << bad.how.reason;
  auto good = gathered(how, parse_bgp_summary_json(Recording("seed").out("bgp-summary")));
  EXPECT_TRUE(good.ok());
  EXPECT_EQ(good.value->peers.size(), 2u);
}
