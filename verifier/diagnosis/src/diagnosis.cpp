#include "hairpin/verifier/diagnosis/diagnosis.hpp"

#include "hairpin/common/shell_quote.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

namespace hairpin::verifier {

std::string_view to_string(Cause cause) {
  switch (cause) {
    case Cause::NvaDown: return "nva-down";
    case Cause::LoTrap: return "lo-trap";
    case Cause::RouteServerSessionDown: return "route-server-session-down";
    case Cause::AllRouteServerSessionsDown: return "all-route-server-sessions-down";
    case Cause::SupernetNotOriginated: return "supernet-not-originated";
    case Cause::SupernetFilteredByPolicy: return "supernet-filtered-by-policy";
    case Cause::As65515Leak: return "65515-leak";
    case Cause::RouteLimitExceeded: return "route-limit-exceeded";
    case Cause::AdvertisementsDiffer: return "advertisements-differ";
    case Cause::SitePrefixNotLearned: return "site-prefix-not-learned";
    case Cause::NextHopUnresolved: return "next-hop-unresolved";
    case Cause::UdrMissing: return "udr-missing";
    case Cause::UdrOneSiteOnly: return "udr-one-site-only";
    case Cause::NvaNotForwarding: return "nva-not-forwarding";
    case Cause::ReturnPathBypassesNva: return "return-path-bypasses-nva";
    case Cause::TargetNotAnswering: return "target-not-answering";
    case Cause::Bypass: return "bypass";
    case Cause::NvaStateUnreadable: return "nva-state-unreadable";
    case Cause::Unknown: return "unknown";
  }
  return "unknown";
}

const Diagnosis* diagnosis_for(const std::vector<Diagnosis>& diagnoses, const CheckResult& check) {
  for (const auto& d : diagnoses)
    if (std::find(d.explains.begin(), d.explains.end(), check.key()) != d.explains.end()) return &d;
  return nullptr;
}

namespace {

// A command as a person runs it where the scenario's runner runs it, built from
// an argv and quoted word by word (common/shell_quote.hpp), so it can be pasted.
using Argv = std::vector<std::string>;

std::string on(const RunnerSpec& r, Argv command) {
  switch (r.kind) {
    case RunnerSpec::Kind::Local: return shell_words(command);
    case RunnerSpec::Kind::Netns: {
      Argv line{"ip", "netns", "exec", r.netns};
      line.insert(line.end(), command.begin(), command.end());
      return shell_words(line);
    }
    case RunnerSpec::Kind::Ssh: {
      Argv line{"ssh"};
      if (r.port) line.insert(line.end(), {"-p", std::to_string(*r.port)});
      line.push_back(r.user ? *r.user + "@" + r.host : r.host);
      line.push_back(shell_words(command));  // ssh hands its command to the remote shell
      return shell_words(line);
    }
  }
  return shell_words(command);
}

// `show ...` on the NVA, through vtysh or the built-in NVA's control socket.
std::string nva_show(const Scenario& s, const std::string& vtysh_show, const std::string& hairpin_show) {
  if (s.nva.software == NvaSoftware::Builtin) {
    Argv show{"hairpin", "bgp", "show"};
    std::istringstream words(hairpin_show);  // our own words ("neighbors 10.0.210.4 advertised-routes")
    for (std::string w; words >> w;) show.push_back(w);
    show.insert(show.end(), {"--control-socket", s.nva.state.control_socket});
    return on(s.nva.runner, show);
  }
  Argv vtysh{"vtysh"};
  if (!s.nva.state.vty_socket_dir.empty()) vtysh.insert(vtysh.end(), {"--vty_socket", s.nva.state.vty_socket_dir});
  vtysh.insert(vtysh.end(), {"-c", vtysh_show});
  return on(s.nva.runner, vtysh);
}

std::string trace_command(const Scenario& s, const PathExpectation& p) {
  const auto* from = s.find_site(p.from);
  const auto* to = s.find_site(p.to);
  if (!from || !to) return "";
  return on(from->runner, {"hairpin", "trace", "-p", std::to_string(s.port), to->probe_host.to_string()});
}

// The pattern the checks make, read once.
class Pattern {
 public:
  Pattern(const std::vector<CheckResult>& checks, const Evidence& e, const Scenario& s) : checks_(checks), e_(e), s_(s) {}

  const CheckResult* find(std::string_view id, std::string_view subject = "") const {
    for (const auto& c : checks_)
      if (c.id == id && c.subject == subject) return &c;
    return nullptr;
  }
  std::vector<const CheckResult*> all(std::string_view id) const {
    std::vector<const CheckResult*> out;
    for (const auto& c : checks_)
      if (c.id == id) out.push_back(&c);
    return out;
  }
  bool failed(std::string_view id, std::string_view subject = "") const {
    const auto* c = find(id, subject);
    return c && c->failed();
  }
  bool any_failed(std::string_view id) const {
    for (const auto* c : all(id))
      if (c->failed()) return true;
    return false;
  }
  bool all_failed_or_not_run(std::string_view id) const {
    auto v = all(id);
    return !v.empty() && std::all_of(v.begin(), v.end(), [](const CheckResult* c) { return !c->passed(); });
  }
  std::vector<std::string> keys_not_passed(std::initializer_list<std::string_view> ids) const {
    std::vector<std::string> out;
    for (const auto& c : checks_)
      if (!c.passed() && std::find(ids.begin(), ids.end(), c.id) != ids.end()) out.push_back(c.key());
    return out;
  }
  std::vector<std::string> forwarding_not_passed() const {
    return keys_not_passed({check_id::ReachesViaNva, check_id::CaptureCrossesNva, check_id::OnlyTargetAnswers});
  }
  bool forwarding_passes() const {
    for (const auto& c : checks_)
      if ((c.id == check_id::ReachesViaNva || c.id == check_id::CaptureCrossesNva || c.id == check_id::OnlyTargetAnswers) &&
          c.failed())
        return false;
    const auto reaches = all(check_id::ReachesViaNva);
    return !reaches.empty() && std::all_of(reaches.begin(), reaches.end(), [](const CheckResult* c) { return c->passed(); });
  }

  const Evidence& e() const { return e_; }
  const Scenario& s() const { return s_; }

  // What one direction shows, from its trace and capture.
  struct Direction {
    const PathExpectation* path = nullptr;
    const Trace* trace = nullptr;
    const CaptureDirection* capture = nullptr;
    bool reached = false;
    bool send_failed = false;
    bool nva_answered = false;       // the NVA is a hop in the trace
    std::optional<Ipv4Address> last_responder;
    int last_answered_ttl = 0;
    bool entered = false, left = false;  // capture: probes entered / left the NVA
    std::string hops;                    // "1 10.0.200.12, 2 *, ..."
  };
  std::vector<Direction> directions() const {
    std::vector<Direction> out;
    for (const auto& p : s_.paths) {
      Direction d;
      d.path = &p;
      const auto* de = e_.find_direction(p.from, p.to);
      if (de && de->trace.ok()) d.trace = &*de->trace.value;
      if (de && de->capture.ok()) d.capture = &*de->capture.value;
      if (d.trace) {
        d.reached = d.trace->reached;
        d.send_failed = d.trace->send_error.has_value();
        d.nva_answered = d.trace->ttl_of(s_.nva.address).has_value();
        for (const auto& h : d.trace->hops) {
          d.hops += (d.hops.empty() ? "" : ", ") + std::to_string(h.ttl) + " " + (h.responder ? h.responder->to_string() : "*");
          if (h.responder) {
            d.last_responder = h.responder;
            d.last_answered_ttl = h.ttl;
          }
        }
        if (d.send_failed) d.hops = "could not send: " + *d.trace->send_error;
      }
      if (d.capture) {
        d.entered = d.capture->probes_entered > 0;
        d.left = d.capture->probes_left > 0;
      }
      out.push_back(d);
    }
    return out;
  }

 private:
  const std::vector<CheckResult>& checks_;
  const Evidence& e_;
  const Scenario& s_;
};

std::string direction_line(const Pattern::Direction& d) {
  std::string out = "trace " + d.path->from + " -> " + d.path->to + ": " + (d.hops.empty() ? "no hops" : d.hops);
  if (d.capture)
    out += "; capture: " + std::to_string(d.capture->probes_entered) + " probes entered the NVA, " +
           std::to_string(d.capture->probes_left) + " left";
  return out;
}

// Every key in `keys` not yet claimed goes to `d`.
void claim(Diagnosis& d, std::set<std::string>& claimed, const std::vector<std::string>& keys) {
  for (const auto& k : keys)
    if (claimed.insert(k).second) d.explains.push_back(k);
}

bool daemon_absent(const std::string& reason) {
  for (const char* sign : {"failed to connect", "No such file", "Connection refused", "connection refused", "not running",
                           "does not answer", "ENOENT", "ECONNREFUSED"})
    if (reason.find(sign) != std::string::npos) return true;
  return false;
}

}  // namespace

std::vector<Diagnosis> diagnose(const std::vector<CheckResult>& checks, const Evidence& e, const Scenario& s) {
  Pattern p(checks, e, s);
  std::vector<Diagnosis> out;
  std::set<std::string> claimed;
  const auto dirs = p.directions();
  const auto bgp_ids = {check_id::SessionEstablished, check_id::SupernetAdvertised, check_id::SameRoutesToAll,
                        check_id::SitePrefixLearned,  check_id::No65515Advertised,  check_id::RouteCountUnderLimit,
                        check_id::NextHopResolved};
  const std::string supernet = s.supernet.to_string();
  const std::string nva = s.nva.address.to_string();

  // 1. The NVA's state cannot be read.
  if (!e.nva.summary.ok()) {
    const auto reason = e.nva.summary.reason();
    const bool traffic = p.forwarding_passes();
    Diagnosis d;
    d.evidence.push_back("the NVA's BGP state could not be read: " + reason +
                         (e.nva.summary.how.command.empty() ? "" : " (" + e.nva.summary.how.command + " on " + e.nva.summary.how.runner + ")"));
    for (const auto& dir : dirs)
      if (dir.trace) d.evidence.push_back(direction_line(dir));
    // Probes that crossed the NVA (it answered as a hop and the target behind it
    // answered, or the capture saw them leave) prove the NVA up and forwarding:
    // whatever else fails is diagnosed below, not as "down".
    const bool forwards = std::any_of(dirs.begin(), dirs.end(), [](const auto& x) {
      return x.trace && ((x.reached && x.nva_answered) || x.left);
    });
    if (!traffic && !forwards &&
        (daemon_absent(reason) || std::all_of(dirs.begin(), dirs.end(), [](const auto& x) { return !x.reached; }))) {
      d.cause = Cause::NvaDown;
      d.subject = s.nva.name;
      d.summary = "the NVA " + s.nva.name + " (" + nva + ") is down: its BGP daemon does not answer and no site reaches the other";
      d.next_command = s.nva.software == NvaSoftware::Frr ? on(s.nva.runner, {"pgrep", "-a", "bgpd|zebra"})
                                                          : on(s.nva.runner, {"pgrep", "-a", "hairpin"});
      claim(d, claimed, p.keys_not_passed(bgp_ids));
      claim(d, claimed, p.forwarding_not_passed());
    } else {
      d.cause = Cause::NvaStateUnreadable;
      d.subject = s.nva.name;
      d.summary = "the NVA's BGP state could not be read (" + reason + "); the BGP checks did not run" +
                  (traffic ? ", though traffic hairpins"
                   : forwards ? ", though the NVA forwards (is its BGP daemon the scenario's kind " +
                                    std::string(to_string(s.nva.software)) + "?)"
                              : "");
      d.next_command = nva_show(s, "show bgp ipv4 unicast summary", "summary");
      d.traffic_passes = traffic;
      claim(d, claimed, p.keys_not_passed(bgp_ids));
    }
    out.push_back(std::move(d));
  }

  // 2. The lo trap: a `local` route covering (part of) the supernet on the NVA,
  //    or the NVA answering as the far site.
  {
    std::vector<std::string> facts;
    if (e.nva.fib.ok())
      for (const auto& f : *e.nva.fib.value)
        if (f.type == "local" && f.prefix.length < 32 && (s.supernet.contains(f.prefix) || f.prefix.contains(s.supernet)))
          facts.push_back("kernel route 'local " + f.prefix.to_string() + " dev " + f.device + " table " + f.table +
                          "': every address in it without a more specific route is the NVA itself");
    // The NVA answering as the far site: the final answer from its address, its
    // answers at more than one TTL, or (capture) an answer leaving it that never entered.
    for (const auto& d : dirs) {
      if (!d.trace) continue;
      const auto name = d.path->from + " -> " + d.path->to;
      const auto* last = d.trace->final_hop();
      if (last && last->responder == s.nva.address)
        facts.push_back(name + ": the NVA " + nva + " gave the final answer (" + last->reply + ") for " + d.trace->target.to_string());
      int answers = 0;
      for (const auto& h : d.trace->hops) answers += h.responder == s.nva.address;
      if (answers > 1) facts.push_back(name + ": the NVA answered at " + std::to_string(answers) + " TTLs");
      if (d.capture)
        for (const auto& pr : d.capture->probes)
          if ((pr.reply == "syn-ack" || pr.reply == "rst") && pr.reply_left && !pr.reply_entered && !pr.left) {
            facts.push_back(name + ": probe " + std::to_string(pr.id) + " was answered by the NVA itself");
            break;
          }
    }
    if (!facts.empty()) {
      Diagnosis d;
      d.cause = Cause::LoTrap;
      d.subject = s.nva.name;
      d.summary = "the NVA answers for addresses itself (the lo trap): a local route covers the supernet " + supernet +
                  "; originate it with a blackhole route instead of an address on lo";
      d.evidence = facts;
      for (const auto* c : p.all(check_id::SessionEstablished))
        if (c->failed()) d.evidence.push_back("session " + c->subject + ": " + c->detail);
      for (const auto& dir : dirs)
        if (dir.trace) d.evidence.push_back(direction_line(dir));
      d.next_command = on(s.nva.runner, {"ip", "route", "show", "table", "local", supernet});
      claim(d, claimed, p.keys_not_passed(bgp_ids));
      claim(d, claimed, p.forwarding_not_passed());
      out.push_back(std::move(d));
    }
  }

  // 3. Route-server sessions.
  if (e.nva.summary.ok()) {
    std::vector<const CheckResult*> down;
    for (const auto* c : p.all(check_id::SessionEstablished))
      if (c->failed()) down.push_back(c);
    const auto total = p.all(check_id::SessionEstablished).size();
    if (!down.empty() && down.size() == total) {
      Diagnosis d;
      d.cause = Cause::AllRouteServerSessionsDown;
      d.summary = "no route-server session is Established, so the sites never learn the supernet";
      for (const auto* c : down) d.evidence.insert(d.evidence.end(), c->evidence.begin(), c->evidence.end());
      for (const auto& dir : dirs)
        if (dir.trace) d.evidence.push_back(direction_line(dir));
      d.next_command = nva_show(s, "show bgp ipv4 unicast neighbors " + s.route_servers.front().address.to_string(), "summary");
      claim(d, claimed, p.keys_not_passed(bgp_ids));
      claim(d, claimed, p.forwarding_not_passed());
      out.push_back(std::move(d));
    } else {
      for (const auto* c : down) {
        Diagnosis d;
        d.cause = Cause::RouteServerSessionDown;
        d.subject = c->subject;
        d.traffic_passes = p.forwarding_passes();
        d.summary = "route server " + c->subject + " session down (" + c->detail + ")" +
                    (d.traffic_passes ? "; traffic still hairpins through the other instance" : "");
        d.evidence = c->evidence;
        d.next_command = nva_show(s, "show bgp ipv4 unicast neighbors " + c->subject, "summary");
        claim(d, claimed, {c->key()});
        for (const auto* x : p.all(check_id::SupernetAdvertised))
          if (x->subject == c->subject && !x->passed()) claim(d, claimed, {x->key()});
        for (const auto* x : p.all(check_id::RouteCountUnderLimit))
          if (x->subject == c->subject && !x->passed()) claim(d, claimed, {x->key()});
        if (const auto* same = p.find(check_id::SameRoutesToAll); same && !same->passed() &&
            same->detail.find(c->subject + " lacks") != std::string::npos)
          claim(d, claimed, {same->key()});
        out.push_back(std::move(d));
      }
    }
  }

  // 4. The supernet, with sessions up.
  {
    std::vector<std::string> not_advertised;
    bool any_up_checked = false;
    for (const auto* c : p.all(check_id::SupernetAdvertised)) {
      if (claimed.contains(c->key())) continue;
      any_up_checked = true;
      if (c->failed()) not_advertised.push_back(c->key());
    }
    if (any_up_checked && !not_advertised.empty()) {
      Diagnosis d;
      const LearnedRoute* own = nullptr;
      if (e.nva.table.ok())
        for (const auto& l : *e.nva.table.value)
          if (l.prefix == s.supernet && l.local()) own = &l;
      if (own) {
        d.cause = Cause::SupernetFilteredByPolicy;
        d.summary = "the supernet " + supernet + " is in the NVA's BGP table but not advertised: outbound policy filters it";
        d.evidence.push_back(supernet + " in the NVA's BGP table, originated by the NVA" + std::string(own->best ? ", best" : "") +
                             (own->valid ? ", valid" : ", not valid"));
        d.next_command = nva_show(s, "show running-config", "routes");
      } else {
        d.cause = Cause::SupernetNotOriginated;
        d.summary = "the NVA does not originate the supernet " + supernet +
                    (e.nva.table.ok() ? " (it is not in its BGP table: no 'network " + supernet +
                                            "', or no matching route for FRR's import-check)"
                                      : " (its BGP table was not read, so a filtering policy cannot be ruled out)");
        if (e.nva.table.ok()) d.evidence.push_back(supernet + " is not in the NVA's BGP table (" +
                                                   std::to_string(e.nva.table.value->size()) + " paths)");
        d.next_command = nva_show(s, "show bgp ipv4 unicast " + supernet, "routes");
      }
      for (const auto& k : not_advertised)
        for (const auto* c : p.all(check_id::SupernetAdvertised))
          if (c->key() == k) d.evidence.push_back(c->subject + ": " + c->detail);
      for (const auto& dir : dirs)
        if (dir.trace) d.evidence.push_back(direction_line(dir));
      claim(d, claimed, not_advertised);
      // Without the supernet the sites have no route to each other: every forwarding failure follows.
      if (not_advertised.size() == p.all(check_id::SupernetAdvertised).size()) claim(d, claimed, p.forwarding_not_passed());
      out.push_back(std::move(d));
    }
  }

  // 5. Policy and limits.
  if (const auto* c = p.find(check_id::No65515Advertised); c && c->failed() && !claimed.contains(c->key())) {
    Diagnosis d;
    d.cause = Cause::As65515Leak;
    d.summary = "routes with 65515 in their AS path are advertised to the route servers (ARS drops them): an outbound "
                "route-map must deny _65515_";
    d.evidence = c->evidence;
    d.next_command = nva_show(s, "show bgp ipv4 unicast neighbors " + s.route_servers.front().address.to_string() +
                                     " advertised-routes", "neighbors " + s.route_servers.front().address.to_string() +
                                     " advertised-routes");
    claim(d, claimed, {c->key()});
    out.push_back(std::move(d));
  }
  for (const auto* c : p.all(check_id::RouteCountUnderLimit)) {
    if (!c->failed() || claimed.contains(c->key())) continue;
    Diagnosis d;
    d.cause = Cause::RouteLimitExceeded;
    d.subject = c->subject;
    d.summary = "too many routes towards route server " + c->subject + ": " + c->detail;
    d.evidence = c->evidence;
    d.next_command = nva_show(s, "show bgp ipv4 unicast neighbors " + c->subject + " advertised-routes",
                              "neighbors " + c->subject + " advertised-routes");
    claim(d, claimed, {c->key()});
    out.push_back(std::move(d));
  }
  if (const auto* c = p.find(check_id::SameRoutesToAll); c && c->failed() && !claimed.contains(c->key())) {
    Diagnosis d;
    d.cause = Cause::AdvertisementsDiffer;
    d.summary = "the route-server instances are sent different routes (ARS expects the same from the NVA on both): " + c->detail;
    d.evidence = c->evidence;
    d.next_command = nva_show(s, "show running-config", "summary");
    claim(d, claimed, {c->key()});
    out.push_back(std::move(d));
  }
  for (const auto* c : p.all(check_id::SitePrefixLearned)) {
    if (!c->failed() || claimed.contains(c->key())) continue;
    Diagnosis d;
    d.cause = Cause::SitePrefixNotLearned;
    d.subject = c->subject;
    const auto* site = s.find_site(c->subject);
    d.summary = "the NVA has not learned site " + c->subject + "'s prefix" + (site ? " " + site->prefix.to_string() : "") +
                " from the route servers (inbound policy, or ARS does not have it: branch-to-branch off?)";
    d.evidence = c->evidence;
    d.next_command = nva_show(s, "show bgp ipv4 unicast neighbors " + s.route_servers.front().address.to_string() +
                                     " received-routes", "neighbors " + s.route_servers.front().address.to_string() +
                                     " received-routes");
    claim(d, claimed, {c->key()});
    for (const auto* n : p.all(check_id::NextHopResolved))
      if (n->subject == c->subject && !n->passed()) claim(d, claimed, {n->key()});
    out.push_back(std::move(d));
  }
  for (const auto* c : p.all(check_id::NextHopResolved)) {
    if (!c->failed() || claimed.contains(c->key())) continue;
    Diagnosis d;
    d.cause = Cause::NextHopUnresolved;
    d.subject = c->subject;
    d.summary = "the NVA cannot resolve the next hop of site " + c->subject + "'s prefix (" + c->detail +
                "): add a static route for the gateway subnet via the subnet gateway";
    d.evidence = c->evidence;
    d.next_command = on(s.nva.runner, {"ip", "route", "get", [&] {
      for (const auto& l : e.nva.table.ok() ? *e.nva.table.value : std::vector<LearnedRoute>{})
        if (s.find_site(c->subject) && l.prefix == s.find_site(c->subject)->prefix && l.next_hop) return l.next_hop->to_string();
      return std::string("NEXT_HOP");
    }()});
    claim(d, claimed, {c->key()});
    out.push_back(std::move(d));
  }

  // 6. Forwarding, from the traces and the capture.
  auto unclaimed_forwarding = [&] {
    std::vector<std::string> v;
    for (const auto& k : p.forwarding_not_passed())
      if (!claimed.contains(k)) v.push_back(k);
    return v;
  }();
  if (!unclaimed_forwarding.empty()) {
    std::vector<const Pattern::Direction*> no_nva, stops_at_nva, crosses_no_answer, bypass;
    for (const auto& d : dirs) {
      if (!d.trace || d.send_failed) continue;
      if (!d.reached && !d.nva_answered && !d.entered) no_nva.push_back(&d);
      else if (!d.reached && d.nva_answered && (d.capture ? !d.left : d.last_responder == s.nva.address)) stops_at_nva.push_back(&d);
      else if (!d.reached && (d.left || d.nva_answered)) crosses_no_answer.push_back(&d);
      else if (d.reached && !d.nva_answered) bypass.push_back(&d);
    }
    auto add = [&](Cause cause, std::string subject, std::string summary, const std::vector<const Pattern::Direction*>& ev,
                   std::string next) {
      Diagnosis d;
      d.cause = cause;
      d.subject = std::move(subject);
      d.summary = std::move(summary);
      for (const auto& x : dirs)
        if (x.trace) d.evidence.push_back(direction_line(x));
      (void)ev;
      d.next_command = std::move(next);
      claim(d, claimed, unclaimed_forwarding);
      out.push_back(std::move(d));
    };
    const std::size_t n = dirs.size();
    // Probes for B cross the NVA unanswered, while B -> A reached A through the
    // NVA: that proves both paths this direction needs (A -> B is the way B -> A's
    // answers came back, B -> A is the way B's answers would go), so the one thing
    // left is B's probe host itself.
    const Pattern::Direction* silent = nullptr;
    for (const auto* d : crosses_no_answer)
      for (const auto& r : dirs)
        if (!silent && r.path->from == d->path->to && r.path->to == d->path->from && r.trace && r.reached &&
            r.nva_answered)
          silent = d;
    // Probes enter the NVA and neither leave nor draw its time-exceeded: its own
    // answers go nowhere, as when a local route covers the subnet gateway (the lo
    // trap, DESIGN.md Traps) and the kernel FIB was not read to show it.
    std::vector<const Pattern::Direction*> swallowed;
    for (const auto& d : dirs)
      if (d.trace && !d.send_failed && !d.reached && d.entered && !d.left && !d.nva_answered) swallowed.push_back(&d);
    if (n >= 1 && swallowed.size() == n) {
      add(Cause::LoTrap, s.nva.name,
          "the NVA takes the probes in and answers nothing, not even time-exceeded: it treats the addresses as its own "
          "(the lo trap: a local route covering the supernet" +
              std::string(e.nva.fib.ok() ? ")" : "; its kernel routes were not read to confirm)"),
          swallowed, on(s.nva.runner, {"ip", "route", "show", "table", "local", supernet}));
    } else if (!stops_at_nva.empty() && no_nva.empty()) {
      add(Cause::NvaNotForwarding, s.nva.name,
          "the NVA " + nva + " is not forwarding: probes reach it and go no further (IP forwarding off, or a firewall "
          "drops forwarded traffic)",
          stops_at_nva, on(s.nva.runner, {"sysctl", "net.ipv4.ip_forward"}));
    } else if (n >= 2 && no_nva.size() == n) {
      std::string prefixes;
      for (const auto& site : s.sites) prefixes += (prefixes.empty() ? "" : " and ") + site.prefix.to_string();
      add(Cause::UdrMissing, "",
          "no UDR sends circuit traffic to the NVA: neither direction reaches " + nva +
              " (the GatewaySubnet's route table needs " + prefixes + " next hop " + nva + ")",
          no_nva, "az network route-table route list --route-table-name <GatewaySubnet's route table> -g <group> -o table");
    } else if (!no_nva.empty() && no_nva.size() < n) {
      // The direction that never reaches the NVA is missing the UDR for its target's prefix.
      std::string missing;
      for (const auto* d : no_nva)
        if (const auto* site = s.find_site(d->path->to)) missing += (missing.empty() ? "" : ", ") + site->prefix.to_string();
      add(Cause::UdrOneSiteOnly, missing,
          "the UDR covers one site only: traffic for " + missing + " is not sent to the NVA " + nva +
              " (asymmetric: one direction reaches the NVA, the other never does, and the replies die at the gateway)",
          no_nva, "az network route-table route list --route-table-name <GatewaySubnet's route table> -g <group> -o table");
    } else if (silent) {
      const ScenarioSite* far = s.find_site(silent->path->to);
      const std::string host = far ? far->probe_host.to_string() : silent->path->to;
      add(Cause::TargetNotAnswering, silent->path->to,
          "probes from " + silent->path->from + " cross the NVA towards " + silent->path->to + ", and " +
              silent->path->to + " -> " + silent->path->from +
              " works through the NVA, so the path is fine both ways: " + host + " itself does not answer TCP port " +
              std::to_string(s.port) + " (host down, a wrong probe_host in the scenario, or a firewall dropping the SYN)",
          crosses_no_answer,
          far ? on(far->runner, {"ip", "-brief", "address"}) : trace_command(s, *silent->path));
    } else if (!crosses_no_answer.empty()) {
      add(Cause::ReturnPathBypassesNva, "",
          "probes cross the NVA but the far site's answers never come back through it (the return path skips the NVA)",
          crosses_no_answer, trace_command(s, *crosses_no_answer.front()->path));
    } else if (!bypass.empty()) {
      add(Cause::Bypass, "",
          "the far site answers without the NVA on the path: traffic transits elsewhere (Global Reach, a second route), "
          "so the hairpin is not what carries it",
          bypass, trace_command(s, *bypass.front()->path));
    }
  }

  // 7. Whatever no entry explains.
  std::vector<std::string> rest;
  for (const auto& c : checks)
    if (c.failed() && !claimed.contains(c.key())) rest.push_back(c.key());
  if (!rest.empty()) {
    Diagnosis d;
    d.cause = Cause::Unknown;
    d.summary = "these failures match no known pattern; read each check's evidence";
    for (const auto& c : checks)
      if (c.failed() && !claimed.contains(c.key())) d.evidence.push_back(c.key() + ": " + c.detail);
    d.next_command = nva_show(s, "show bgp ipv4 unicast summary", "summary");
    claim(d, claimed, rest);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace hairpin::verifier
