// Gathering on recorded outputs (fixtures/gather/seed-frr/, one real round on the
// seed lab) through fake runners: what a round runs and in which order (the
// capture on before the first trace and off after the last), the Evidence it
// makes, the not-gathered reasons, a host that cannot be reached, ^C, and the
// rounds until convergence. No root, no lab, no processes.

#include "hairpin/verifier/gather/gather.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>

#include <nlohmann/json.hpp>

#include "hairpin/common/file_io.hpp"
#include "hairpin/common/shell_quote.hpp"
#include "hairpin/verifier/gather/gather_plan.hpp"

using namespace hairpin;
using namespace hairpin::verifier;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const std::string kFixtures = std::string(HAIRPIN_SOURCE_DIR) + "/fixtures/gather/seed-frr/";

std::string fixture(const std::string& name) {
  auto text = read_whole_file(kFixtures + name);
  EXPECT_TRUE(text.ok()) << kFixtures + name;
  return text ? *text : "";
}

RunOutput ok_output(std::string out, std::string err = "") {
  RunOutput r;
  r.out = std::move(out);
  r.err = std::move(err);
  r.duration = 5ms;
  return r;
}

// What happened, in order, across every fake runner of a test.
struct Journal {
  std::mutex mutex;
  std::vector<std::string> events;
  void add(std::string e) {
    std::lock_guard lock(mutex);
    events.push_back(std::move(e));
  }
  int index_of(const std::string& prefix) {
    std::lock_guard lock(mutex);
    for (std::size_t i = 0; i < events.size(); ++i)
      if (events[i].rfind(prefix, 0) == 0) return static_cast<int>(i);
    return -1;
  }
  int last_index_of(const std::string& prefix) {
    std::lock_guard lock(mutex);
    for (std::size_t i = events.size(); i-- > 0;)
      if (events[i].rfind(prefix, 0) == 0) return static_cast<int>(i);
    return -1;
  }
};

using Handler = std::function<Result<RunOutput>(const std::vector<std::string>&)>;

class FakeStep final : public RunningStep {
 public:
  FakeStep(std::vector<std::string> argv, Journal& j) : argv_(std::move(argv)), journal_(j) {}
  const std::vector<std::string>& argv() const override { return argv_; }
  bool running() override { return !stopped_; }
  RunOutput stop(std::chrono::milliseconds) override {
    stopped_ = true;
    journal_.add("capture-stop");
    return ok_output("", fixture("capture.err"));
  }
  ~FakeStep() override {
    if (!stopped_) stop(0ms);
  }

 private:
  std::vector<std::string> argv_;
  Journal& journal_;
  bool stopped_ = false;
};

class FakeRunner final : public Runner {
 public:
  FakeRunner(std::string name, Journal& j, Handler h) : name_(std::move(name)), journal_(j), handler_(std::move(h)) {}
  std::string describe() const override { return name_; }
  const std::string& hairpin() const override { return hairpin_; }
  Status check(std::chrono::milliseconds) const override {
    if (unreachable_) return *unreachable_;
    return Ok{};
  }
  Result<RunOutput> run(const std::vector<std::string>& argv, std::chrono::milliseconds) const override {
    journal_.add(name_ + ": " + shell_words(argv));
    if (argv.front() == "mktemp") return ok_output("/tmp/hairpin-verify.fake\n");
    return handler_(argv);
  }
  Result<RunOutput> run_cleanup(const std::vector<std::string>& argv, std::chrono::milliseconds) const override {
    journal_.add(name_ + " cleanup: " + shell_words(argv));
    return ok_output("");
  }
  Result<std::unique_ptr<RunningStep>> start(const std::vector<std::string>& argv, const std::string& ready,
                                             std::chrono::milliseconds) const override {
    EXPECT_EQ(ready, kCaptureReady);
    journal_.add("capture-start: " + shell_words(argv));
    return std::unique_ptr<RunningStep>(std::make_unique<FakeStep>(argv, journal_));
  }
  Result<std::size_t> fetch(const std::string& remote, const std::string& local,
                            std::chrono::milliseconds) const override {
    journal_.add("fetch " + remote);
    auto bytes = fixture("capture.pcap");
    if (auto s = write_file_atomically(local, bytes); !s) return s.error();
    return bytes.size();
  }
  std::optional<Error> unreachable_;

 private:
  std::string name_;
  std::string hairpin_ = "hairpin";
  Journal& journal_;
  Handler handler_;
};

// The recorded seed lab: every command answers with what it printed there.
Result<RunOutput> seed_nva(const std::vector<std::string>& argv) {
  if (argv[0] == "vtysh") {
    const std::string c = argv.back();
    if (c == "show bgp ipv4 unicast summary json") return ok_output(fixture("bgp-summary.out"));
    if (c == "show bgp ipv4 unicast json") return ok_output(fixture("bgp-table.out"));
    for (const char* peer : {"10.0.210.4", "10.0.210.5"}) {
      const std::string p = peer;
      if (c == "show bgp ipv4 unicast neighbors " + p + " advertised-routes json")
        return ok_output(fixture("advertised-" + p + ".out"));
      if (c == "show bgp ipv4 unicast neighbors " + p + " received-routes json")
        return ok_output(fixture("received-" + p + ".out"));
    }
  }
  if (argv[0] == "ip") return ok_output(fixture("ip-route.out"));
  return Error{"unexpected command on the NVA: " + shell_words(argv), "fake", ""};
}

Result<RunOutput> seed_site(const std::vector<std::string>& argv) {
  if (argv[1] == "trace" && argv[2] == "10.200.0.4") return ok_output(fixture("trace-vm-hub100-vm-hub200.out"));
  if (argv[1] == "trace" && argv[2] == "10.100.0.4") return ok_output(fixture("trace-vm-hub200-vm-hub100.out"));
  return Error{"unexpected command on a site: " + shell_words(argv), "fake", ""};
}

Result<RunOutput> seed_local(const std::vector<std::string>& argv) {
  if (argv[1] == "analyze") return ok_output(fixture("analyze.out"));
  return Error{"unexpected local command: " + shell_words(argv), "fake", ""};
}

class GatherRound : public ::testing::Test {
 protected:
  void SetUp() override {
    auto topology = load_topology(std::string(HAIRPIN_SOURCE_DIR) + "/fixtures/topologies/seed.yaml");
    ASSERT_TRUE(topology.ok()) << topology.error().to_string();
    scenario_ = scenario_from_topology(*topology, {});
    dir_ = fs::temp_directory_path() / ("hairpin-gather-test-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    use(seed_nva, seed_site, seed_local);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void use(Handler nva, Handler site, Handler local) {
    runners_.nva = std::make_unique<FakeRunner>("nva", journal_, std::move(nva));
    runners_.sites.clear();
    for (const auto& s : scenario_.sites)
      runners_.sites[s.name] = std::make_unique<FakeRunner>("site " + s.name, journal_, site);
    runners_.local = std::make_unique<FakeRunner>("local", journal_, std::move(local));
  }
  FakeRunner& site(const std::string& name) { return static_cast<FakeRunner&>(*runners_.sites.at(name)); }

  Scenario scenario_;
  ScenarioRunners runners_;
  Journal journal_;
  fs::path dir_;
};

}  // namespace

TEST_F(GatherRound, SeedRecording_EveryCheckPasses) {
  Gatherer g(scenario_, runners_, {dir_.string(), nullptr});
  ASSERT_TRUE(g.prepare().ok());
  auto ev = g.round(1);
  ASSERT_TRUE(ev.ok()) << ev.error().to_string();
  ASSERT_TRUE(ev->nva.summary.ok()) << ev->nva.summary.reason();
  EXPECT_EQ(ev->nva.summary.value->peers.size(), 2u);
  for (const auto& peer : ev->nva.summary.value->peers) {
    EXPECT_TRUE(peer.advertised.ok()) << peer.address.to_string() << ": " << peer.advertised.reason();
    EXPECT_TRUE(peer.received.ok()) << peer.address.to_string() << ": " << peer.received.reason();
  }
  ASSERT_EQ(ev->directions.size(), 2u);
  for (const auto& d : ev->directions) {
    EXPECT_TRUE(d.trace.ok()) << d.from << " -> " << d.to << ": " << d.trace.reason();
    EXPECT_TRUE(d.capture.ok()) << d.from << " -> " << d.to << ": " << d.capture.reason();
  }
  auto checks = run_checks(*ev, scenario_);
  ASSERT_FALSE(checks.empty());
  for (const auto& c : checks) EXPECT_TRUE(c.passed()) << c.key() << ": " << c.detail;
}

TEST_F(GatherRound, CaptureIsOnBeforeTheFirstTraceAndOffAfterTheLast) {
  Gatherer g(scenario_, runners_, {dir_.string(), nullptr});
  ASSERT_TRUE(g.prepare().ok());
  ASSERT_TRUE(g.round(1).ok());
  const int on = journal_.index_of("capture-start");
  const int off = journal_.index_of("capture-stop");
  const int first_trace = journal_.index_of("site vm-hub");
  const int last_trace = journal_.last_index_of("site vm-hub");
  const int analyze = journal_.index_of("local: hairpin analyze");
  ASSERT_GE(on, 0);
  ASSERT_GE(first_trace, 0);
  EXPECT_LT(on, first_trace);
  EXPECT_GT(off, last_trace);
  EXPECT_GT(analyze, off);
  EXPECT_NE(journal_.events[static_cast<std::size_t>(on)].find("--probes -w /tmp/hairpin-verify.fake/round-001.pcap"),
            std::string::npos)
      << journal_.events[static_cast<std::size_t>(on)];
  // The analysis reads the fetched pcap and both traces as kept in the evidence dir.
  const std::string a = journal_.events[static_cast<std::size_t>(analyze)];
  EXPECT_NE(a.find(dir_.string() + "/round-001/capture.pcap"), std::string::npos) << a;
  EXPECT_NE(a.find("--trace " + dir_.string() + "/round-001/trace-vm-hub100-vm-hub200.out"), std::string::npos) << a;
  EXPECT_NE(a.find("--nva-ip 10.0.0.4"), std::string::npos) << a;
}

TEST_F(GatherRound, EvidenceDirKeepsEachCommandWhole) {
  Gatherer g(scenario_, runners_, {dir_.string(), nullptr});
  ASSERT_TRUE(g.prepare().ok());
  ASSERT_TRUE(g.round(1).ok());
  auto record = read_whole_file((dir_ / "round-001" / "bgp-summary.json").string());
  ASSERT_TRUE(record.ok());
  auto j = nlohmann::json::parse(*record);
  EXPECT_EQ(j["argv"], (std::vector<std::string>{"vtysh", "--vty_socket", "/run/hairpin/lab/vm-hub00/frr", "-c",
                                                  "show bgp ipv4 unicast summary json"}));
  EXPECT_EQ(j["exit_code"], 0);
  EXPECT_EQ(j["runner"], "netns hp-vm-hub00");
  EXPECT_EQ(*read_whole_file((dir_ / "round-001" / "bgp-summary.out").string()), fixture("bgp-summary.out"));
  EXPECT_TRUE(fs::exists(dir_ / "round-001" / "capture.pcap"));
  EXPECT_TRUE(fs::exists(dir_ / "round-001" / "capture.json"));
  EXPECT_TRUE(fs::exists(dir_ / "round-001" / "evidence.json"));
  // No temp file left half-written beside them.
  for (const auto& e : fs::directory_iterator(dir_ / "round-001"))
    EXPECT_EQ(e.path().filename().string().find(".hairpin-tmp"), std::string::npos) << e.path();
}

TEST_F(GatherRound, NvaStateUnreadable_ItemsNotGatheredWithTheReason_ChecksNotRun) {
  use(
      [](const std::vector<std::string>& argv) -> Result<RunOutput> {
        if (argv[0] == "vtysh") {
          RunOutput r = ok_output("", "failed to connect to any daemons.\n");
          r.exit_code = 1;
          return r;
        }
        return seed_nva(argv);
      },
      seed_site, seed_local);
  Gatherer g(scenario_, runners_, {dir_.string(), nullptr});
  ASSERT_TRUE(g.prepare().ok());
  auto ev = g.round(1);
  ASSERT_TRUE(ev.ok()) << ev.error().to_string();
  EXPECT_FALSE(ev->nva.summary.ok());
  EXPECT_NE(ev->nva.summary.reason().find("failed to connect to any daemons"), std::string::npos)
      << ev->nva.summary.reason();
  EXPECT_TRUE(ev->nva.fib.ok());  // the kernel routes still came
  for (const auto& c : check_sessions_established(*ev, scenario_)) {
    EXPECT_EQ(c.verdict, Verdict::NotRun) << c.key() << ": " << c.detail;
    EXPECT_FALSE(c.passed());
  }
}

TEST_F(GatherRound, UnreachableSite_IsAnErrorNamingTheHost_CaptureStopped) {
  use(seed_nva,
      [](const std::vector<std::string>& argv) -> Result<RunOutput> {
        if (argv[2] == "10.100.0.4")
          return Error{"cannot reach it over ssh: Connection refused", "site vm-hub200 (ssh probe-b)", "check ssh"};
        return seed_site(argv);
      },
      seed_local);
  Gatherer g(scenario_, runners_, {dir_.string(), nullptr});
  ASSERT_TRUE(g.prepare().ok());
  auto ev = g.round(1);
  ASSERT_FALSE(ev.ok());
  EXPECT_NE(ev.error().to_string().find("site vm-hub200 (ssh probe-b)"), std::string::npos) << ev.error().to_string();
  EXPECT_GE(journal_.index_of("capture-stop"), 0) << "the capture was left running";
}

TEST_F(GatherRound, PrepareNamesTheFirstUnreachableHost) {
  site("vm-hub200").unreachable_ = Error{"network namespace 'hp-vm-hub200' does not exist", "site vm-hub200", "fix"};
  Gatherer g(scenario_, runners_, {dir_.string(), nullptr});
  auto s = g.prepare();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().to_string().find("hp-vm-hub200"), std::string::npos);
  EXPECT_EQ(journal_.index_of("capture-start"), -1);  // nothing was started: no half verdict
}

TEST_F(GatherRound, Interrupted_CaptureStopped_EvidenceSoFarKept) {
  StopFlag stop{false};
  use(seed_nva,
      [&stop](const std::vector<std::string>&) -> Result<RunOutput> {
        stop = true;  // ^C while the traces run
        RunOutput r = ok_output("");
        r.ending = Ending::Interrupted;
        r.exit_code = 128 + 9;
        return r;
      },
      seed_local);
  Gatherer g(scenario_, runners_, {dir_.string(), &stop});
  ASSERT_TRUE(g.prepare().ok());
  auto ev = g.round(1);
  ASSERT_FALSE(ev.ok());
  EXPECT_EQ(ev.error().what, "interrupted");
  EXPECT_GE(journal_.index_of("capture-stop"), 0);
  EXPECT_TRUE(fs::exists(dir_ / "round-001" / "bgp-summary.json"));  // what finished is kept
  EXPECT_TRUE(fs::exists(dir_ / "round-001" / "capture.json"));
  g.finish();
  EXPECT_GE(journal_.index_of("nva cleanup: rm -rf -- /tmp/hairpin-verify.fake"), 0);
}

TEST_F(GatherRound, Rounds_UntilConverged_RecordingWhenEachCheckFirstPassed) {
  // The sessions are Active in the first round, Established from the second.
  std::atomic<int> summaries{0};
  const std::string established = fixture("bgp-summary.out");
  std::string active = established;
  for (std::size_t at; (at = active.find("\"Established\"")) != std::string::npos;)
    active.replace(at, 13, "\"Active\"");
  use(
      [&](const std::vector<std::string>& argv) -> Result<RunOutput> {
        if (argv[0] == "vtysh" && argv.back() == "show bgp ipv4 unicast summary json")
          return ok_output(summaries++ == 0 ? active : established);
        return seed_nva(argv);
      },
      seed_site, seed_local);
  Gatherer g(scenario_, runners_, {dir_.string(), nullptr});
  ASSERT_TRUE(g.prepare().ok());
  auto c = gather_until_converged(g, scenario_, 10s, nullptr, 10ms);
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_TRUE(c->converged);
  EXPECT_EQ(c->rounds, 2);
  for (const auto& check : c->checks) {
    EXPECT_TRUE(check.passed()) << check.key();
    EXPECT_TRUE(check.passed_after_ms.has_value()) << check.key();
  }
  EXPECT_TRUE(fs::exists(dir_ / "round-002" / "evidence.json"));
  EXPECT_TRUE(fs::exists(dir_ / "evidence.json"));
}

TEST_F(GatherRound, Rounds_NeverConverging_StopAtTheTimeout) {
  use(
      [](const std::vector<std::string>& argv) -> Result<RunOutput> {
        if (argv[0] == "vtysh") {
          RunOutput r = ok_output("", "failed to connect to any daemons.\n");
          r.exit_code = 1;
          return r;
        }
        return seed_nva(argv);
      },
      seed_site, seed_local);
  Gatherer g(scenario_, runners_, {dir_.string(), nullptr});
  ASSERT_TRUE(g.prepare().ok());
  // No wall-clock bound here (a loaded machine makes any bound a coin toss): the
  // call returning unconverged after retrying is the behaviour; ctest's timeout
  // catches a loop that never stops.
  auto c = gather_until_converged(g, scenario_, 1500ms, nullptr, 50ms);
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_FALSE(c->converged);
  EXPECT_GE(c->rounds, 2);  // it did retry
}

TEST(GatherPlan, BuiltinNvaIsReadThroughItsControlSocket) {
  Scenario s;
  s.nva.state = {StateAccess::Kind::ControlSocket, "/run/nva.sock", ""};
  s.route_servers = {{*Ipv4Address::parse("10.0.210.4"), 65515, 0}};
  auto steps = nva_state_steps(s, "/usr/bin/hairpin");
  ASSERT_EQ(steps.size(), 5u);
  EXPECT_EQ(steps[0].argv, (std::vector<std::string>{"/usr/bin/hairpin", "bgp", "show", "summary", "--json",
                                                      "--control-socket", "/run/nva.sock"}));
  EXPECT_EQ(steps[2].argv, (std::vector<std::string>{"ip", "-4", "-j", "route", "show", "table", "all"}));
  EXPECT_EQ(steps[3].argv, (std::vector<std::string>{"/usr/bin/hairpin", "bgp", "show", "neighbors", "10.0.210.4",
                                                      "advertised-routes", "--json", "--control-socket",
                                                      "/run/nva.sock"}));
}

TEST(GatherPlan, FrrWithoutASocketDirUsesVtyshDefault) {
  Scenario s;
  s.nva.state = {StateAccess::Kind::Vtysh, "", ""};
  auto steps = nva_state_steps(s, "hairpin");
  EXPECT_EQ(steps[0].argv, (std::vector<std::string>{"vtysh", "-c", "show bgp ipv4 unicast summary json"}));
}

TEST(GatherPlan, SshSpecBecomesAnSshTarget) {
  RunnerSpec spec;
  spec.kind = RunnerSpec::Kind::Ssh;
  spec.host = "10.1.2.3";
  spec.user = "azureuser";
  spec.port = 2222;
  spec.options = {"IdentityFile=~/.ssh/nva"};
  auto t = runner_target(spec, "nva nva1", 5s);
  EXPECT_EQ(t.kind, RunnerKind::Ssh);
  EXPECT_EQ(t.ssh_destination, "azureuser@10.1.2.3");
  EXPECT_EQ(t.ssh_port, 2222);
  EXPECT_EQ(t.ssh_options, spec.options);
  EXPECT_EQ(t.hairpin, "");  // "hairpin" on the remote PATH
  spec.hairpin = "/opt/hairpin/bin/hairpin";
  EXPECT_EQ(runner_target(spec, "nva nva1", 5s).hairpin, "/opt/hairpin/bin/hairpin");
}
