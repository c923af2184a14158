#include "hairpin/verifier/checks/checks.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

namespace hairpin::verifier {

std::string_view to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::Pass: return "pass";
    case Verdict::Fail: return "fail";
    case Verdict::NotRun: return "not-run";
  }
  return "?";
}

namespace {

// Azure Route Server drops any route whose AS path holds its own ASN (DESIGN.md, ARS facts).
constexpr std::uint32_t kAzureAsn = 65515;

std::string from(const Provenance& how) {
  if (how.command.empty()) return "";
  return " (" + how.command + (how.runner.empty() ? "" : " on " + how.runner) + ")";
}

CheckResult make(std::string_view id, std::string subject, std::string title) {
  CheckResult r;
  r.id = std::string(id);
  r.subject = std::move(subject);
  r.title = std::move(title);
  return r;
}

CheckResult& verdict(CheckResult& r, Verdict v, std::string detail) {
  r.verdict = v;
  r.detail = std::move(detail);
  return r;
}

// The NVA's summary, or the reason it is missing (for NotRun).
const BgpSummary* summary_or(const Evidence& e, CheckResult& r) {
  if (e.nva.summary.ok()) return &*e.nva.summary.value;
  verdict(r, Verdict::NotRun, "the NVA's BGP state could not be read: " + e.nva.summary.reason());
  r.evidence.push_back("BGP summary not gathered" + from(e.nva.summary.how));
  return nullptr;
}

std::string state_line(const PeerState& p, const Provenance& how) {
  std::string s = "peer " + p.address.to_string() + " AS " + std::to_string(p.remote_as) + " state " + p.state;
  if (p.uptime_ms) s += ", for " + std::to_string(*p.uptime_ms / 1000) + " s";
  if (p.prefixes_received) s += ", " + std::to_string(*p.prefixes_received) + " prefixes received";
  if (p.last_error) s += ", last error: " + *p.last_error;
  return s + from(how);
}

std::string direction_name(const PathExpectation& p) { return p.from + " -> " + p.to; }

std::string hops_text(const Trace& t) {
  if (t.send_error) return "could not send: " + *t.send_error;
  std::string out;
  for (const auto& h : t.hops)
    out += (out.empty() ? "" : ", ") + std::to_string(h.ttl) + " " + (h.responder ? h.responder->to_string() : "*");
  return out.empty() ? "no hops" : out;
}

// The trace for a direction, or why the check cannot run.
const Trace* trace_or(const Evidence& e, const PathExpectation& p, CheckResult& r) {
  const auto* d = e.find_direction(p.from, p.to);
  if (!d) {
    verdict(r, Verdict::NotRun, "no trace was gathered for " + direction_name(p));
    return nullptr;
  }
  if (!d->trace.ok()) {
    verdict(r, Verdict::NotRun, "the trace " + direction_name(p) + " could not be run: " + d->trace.reason());
    r.evidence.push_back("trace not gathered" + from(d->trace.how));
    return nullptr;
  }
  return &*d->trace.value;
}

std::set<std::pair<Ipv4Prefix, std::vector<std::uint32_t>>> route_set(const std::vector<BgpRoute>& routes) {
  std::set<std::pair<Ipv4Prefix, std::vector<std::uint32_t>>> out;
  for (const auto& r : routes) out.insert({r.prefix, r.as_path});
  return out;
}

std::string route_text(const BgpRoute& r) {
  return r.prefix.to_string() + " path [" + r.as_path_text() + "]";
}

}  // namespace

std::vector<CheckResult> check_sessions_established(const Evidence& e, const Scenario& s) {
  std::vector<CheckResult> out;
  for (const auto& rs : s.route_servers) {
    auto r = make(check_id::SessionEstablished, rs.address.to_string(),
                  "the NVA's BGP session with route server " + rs.address.to_string() + " is Established");
    if (const auto* sum = summary_or(e, r)) {
      const auto* p = sum->find_peer(rs.address);
      if (!p) {
        verdict(r, Verdict::Fail, "route server " + rs.address.to_string() + " is not a neighbor on the NVA");
        r.evidence.push_back("neighbors on the NVA: " + std::to_string(sum->peers.size()) + from(e.nva.summary.how));
      } else {
        r.evidence.push_back(state_line(*p, e.nva.summary.how));
        if (p->established() && p->remote_as != rs.asn)
          verdict(r, Verdict::Fail, "Established, but with AS " + std::to_string(p->remote_as) + ", not " + std::to_string(rs.asn));
        else if (p->established())
          verdict(r, Verdict::Pass, "Established");
        else
          verdict(r, Verdict::Fail, "state " + p->state + ", not Established");
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<CheckResult> check_supernet_advertised(const Evidence& e, const Scenario& s) {
  std::vector<CheckResult> out;
  const auto supernet = s.supernet.to_string();
  for (const auto& rs : s.route_servers) {
    auto r = make(check_id::SupernetAdvertised, rs.address.to_string(),
                  "the NVA advertises the supernet " + supernet + " to route server " + rs.address.to_string());
    if (const auto* sum = summary_or(e, r)) {
      const auto* p = sum->find_peer(rs.address);
      if (!p) {
        verdict(r, Verdict::Fail, "route server " + rs.address.to_string() + " is not a neighbor on the NVA");
      } else if (!p->advertised.ok()) {
        verdict(r, Verdict::NotRun, "the routes advertised to " + rs.address.to_string() + " could not be read: " + p->advertised.reason());
        r.evidence.push_back("advertised routes not gathered" + from(p->advertised.how));
      } else {
        const auto& adv = *p->advertised.value;
        auto it = std::find_if(adv.begin(), adv.end(), [&](const BgpRoute& x) { return x.prefix == s.supernet; });
        r.evidence.push_back(std::to_string(adv.size()) + " routes advertised to " + rs.address.to_string() +
                             (p->established() ? "" : " (session " + p->state + ")") + from(p->advertised.how));
        if (it != adv.end()) {
          r.evidence.push_back("advertised: " + route_text(*it));
          verdict(r, Verdict::Pass, supernet + " advertised");
        } else {
          verdict(r, Verdict::Fail, supernet + " is not among the routes advertised to " + rs.address.to_string() +
                                        (p->established() ? "" : " (session " + p->state + ")"));
        }
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

CheckResult check_same_routes_to_all(const Evidence& e, const Scenario& s) {
  auto r = make(check_id::SameRoutesToAll, "",
                "the NVA advertises the same routes to every route-server instance");
  const auto* sum = summary_or(e, r);
  if (!sum) return r;
  std::vector<std::pair<Ipv4Address, const std::vector<BgpRoute>*>> sets;
  for (const auto& rs : s.route_servers) {
    const auto* p = sum->find_peer(rs.address);
    if (!p) {
      verdict(r, Verdict::Fail, "route server " + rs.address.to_string() + " is not a neighbor on the NVA, so it gets nothing");
      return r;
    }
    if (!p->advertised.ok()) {
      verdict(r, Verdict::NotRun, "the routes advertised to " + rs.address.to_string() + " could not be read: " + p->advertised.reason());
      return r;
    }
    sets.push_back({rs.address, &*p->advertised.value});
    r.evidence.push_back(std::to_string(p->advertised.value->size()) + " routes advertised to " + rs.address.to_string() +
                         from(p->advertised.how));
  }
  if (sets.size() < 2) return verdict(r, Verdict::Pass, "one route server: nothing to compare"), r;
  const auto first = route_set(*sets.front().second);
  std::string differences;
  for (std::size_t i = 1; i < sets.size(); ++i) {
    const auto other = route_set(*sets[i].second);
    auto describe = [&](const auto& a, const auto& b, Ipv4Address lacks, Ipv4Address has) {
      for (const auto& x : a)
        if (!b.contains(x))
          differences += (differences.empty() ? "" : "; ") + lacks.to_string() + " lacks " + x.first.to_string() +
                         " that " + has.to_string() + " gets";
    };
    describe(first, other, sets[i].first, sets.front().first);
    describe(other, first, sets.front().first, sets[i].first);
  }
  if (differences.empty()) return verdict(r, Verdict::Pass, "the same " + std::to_string(first.size()) + " routes to each"), r;
  r.evidence.push_back(differences);
  return verdict(r, Verdict::Fail, differences), r;
}

std::vector<CheckResult> check_site_prefixes_learned(const Evidence& e, const Scenario& s) {
  std::vector<CheckResult> out;
  for (const auto& site : s.sites) {
    auto r = make(check_id::SitePrefixLearned, site.name,
                  "the NVA learned site " + site.name + "'s prefix " + site.prefix.to_string() + " from a route server");
    if (e.nva.table.ok()) {
      std::vector<std::string> from_peers;
      for (const auto& l : *e.nva.table.value)
        if (l.prefix == site.prefix && l.from_peer)
          from_peers.push_back(l.from_peer->to_string() + " path [" + BgpRoute{l.prefix, l.as_path, {}, {}}.as_path_text() +
                               "] next hop " + (l.next_hop ? l.next_hop->to_string() : "?"));
      for (const auto& f : from_peers) r.evidence.push_back("in the BGP table from " + f + from(e.nva.table.how));
      if (!from_peers.empty()) verdict(r, Verdict::Pass, std::to_string(from_peers.size()) + " path(s) in the NVA's BGP table");
      else {
        r.evidence.push_back(std::to_string(e.nva.table.value->size()) + " paths in the BGP table, none for " +
                             site.prefix.to_string() + from(e.nva.table.how));
        verdict(r, Verdict::Fail, site.prefix.to_string() + " is not in the NVA's BGP table");
      }
    } else if (const auto* sum = summary_or(e, r)) {
      // No BGP table: the routes each peer sent (pre-policy) are the next best evidence.
      bool any_read = false, found = false;
      for (const auto& p : sum->peers) {
        if (!p.received.ok()) continue;
        any_read = true;
        for (const auto& x : *p.received.value)
          if (x.prefix == site.prefix) {
            found = true;
            r.evidence.push_back("received from " + p.address.to_string() + ": " + route_text(x) + from(p.received.how));
          }
      }
      if (!any_read)
        verdict(r, Verdict::NotRun, "neither the NVA's BGP table nor its received routes could be read: " + e.nva.table.reason());
      else if (found)
        verdict(r, Verdict::Pass, "received from a route server (the BGP table was not read: " + e.nva.table.reason() + ")");
      else
        verdict(r, Verdict::Fail, site.prefix.to_string() + " was received from no neighbor");
    }
    out.push_back(std::move(r));
  }
  return out;
}

CheckResult check_no_65515_advertised(const Evidence& e, const Scenario& s) {
  auto r = make(check_id::No65515Advertised, "",
                "nothing with 65515 in its AS path is advertised to the route servers (ARS would drop it)");
  const auto* sum = summary_or(e, r);
  if (!sum) return r;
  std::vector<std::string> leaks, inspected;
  std::size_t read = 0;
  for (const auto& rs : s.route_servers) {
    const auto* p = sum->find_peer(rs.address);
    if (!p) continue;
    if (!p->advertised.ok()) {
      verdict(r, Verdict::NotRun, "the routes advertised to " + rs.address.to_string() + " could not be read: " + p->advertised.reason());
      return r;
    }
    ++read;
    inspected.push_back(std::to_string(p->advertised.value->size()) + " routes advertised to " + rs.address.to_string() +
                        " inspected" + from(p->advertised.how));
    for (const auto& x : *p->advertised.value)
      if (x.has_as(kAzureAsn)) leaks.push_back("to " + rs.address.to_string() + ": " + route_text(x));
  }
  if (read == 0) return verdict(r, Verdict::NotRun, "no route server is a neighbor on the NVA: nothing to inspect"), r;
  r.evidence.insert(r.evidence.end(), leaks.begin(), leaks.end());
  r.evidence.insert(r.evidence.end(), inspected.begin(), inspected.end());
  if (leaks.empty()) return verdict(r, Verdict::Pass, "no advertised AS path holds 65515"), r;
  return verdict(r, Verdict::Fail, std::to_string(leaks.size()) + " advertised route(s) with 65515 in the AS path"), r;
}

std::vector<CheckResult> check_route_count_under_limit(const Evidence& e, const Scenario& s) {
  std::vector<CheckResult> out;
  const auto threshold = s.route_limit_threshold();
  for (const auto& rs : s.route_servers) {
    auto r = make(check_id::RouteCountUnderLimit, rs.address.to_string(),
                  "routes towards route server " + rs.address.to_string() + " stay at or under " +
                      std::to_string(s.route_server_margin_pct) + "% of its limit " + std::to_string(s.route_server_limit));
    if (const auto* sum = summary_or(e, r)) {
      const auto* p = sum->find_peer(rs.address);
      std::optional<std::size_t> count;
      std::string source;
      if (p && p->advertised.ok()) {
        count = p->advertised.value->size();
        source = from(p->advertised.how);
      } else if (p && p->prefixes_sent) {
        count = *p->prefixes_sent;
        source = " (pfxSnt" + from(e.nva.summary.how) + ")";
      }
      if (!p) {
        verdict(r, Verdict::Fail, "route server " + rs.address.to_string() + " is not a neighbor on the NVA");
      } else if (!count) {
        verdict(r, Verdict::NotRun, "the routes advertised to " + rs.address.to_string() + " could not be counted: " + p->advertised.reason());
      } else {
        r.evidence.push_back(std::to_string(*count) + " routes advertised to " + rs.address.to_string() + source);
        if (*count > s.route_server_limit)
          verdict(r, Verdict::Fail, std::to_string(*count) + " routes, over the route server's limit of " +
                                        std::to_string(s.route_server_limit) + ": it tears the session down");
        else if (*count > threshold)
          verdict(r, Verdict::Fail, std::to_string(*count) + " routes, over " + std::to_string(s.route_server_margin_pct) +
                                        "% of the limit " + std::to_string(s.route_server_limit) +
                                        " (ARS counts held plus incoming routes, so a re-announcement can cross it)");
        else
          verdict(r, Verdict::Pass, std::to_string(*count) + " of " + std::to_string(s.route_server_limit));
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<CheckResult> check_next_hops_resolved(const Evidence& e, const Scenario& s) {
  std::vector<CheckResult> out;
  for (const auto& site : s.sites) {
    auto r = make(check_id::NextHopResolved, site.name,
                  "the NVA resolves the BGP next hop of site " + site.name + "'s prefix " + site.prefix.to_string());
    if (!e.nva.table.ok()) {
      if (summary_or(e, r))
        verdict(r, Verdict::NotRun, "the NVA's BGP table could not be read: " + e.nva.table.reason());
      r.evidence.push_back("BGP table not gathered" + from(e.nva.table.how));
      out.push_back(std::move(r));
      continue;
    }
    std::vector<const LearnedRoute*> paths;
    for (const auto& l : *e.nva.table.value)
      if (l.prefix == site.prefix && l.from_peer) paths.push_back(&l);
    if (paths.empty()) {
      verdict(r, Verdict::NotRun, site.prefix.to_string() + " is not learned, so there is no next hop to resolve (see " +
                                      std::string(check_id::SitePrefixLearned) + ")");
      out.push_back(std::move(r));
      continue;
    }
    bool resolved = false, unknown = false;
    std::string why;
    for (const auto* l : paths) {
      const auto nh = l->next_hop ? l->next_hop->to_string() : "?";
      switch (l->resolution) {
        case NextHopResolution::Resolved:
          resolved = true;
          r.evidence.push_back(site.prefix.to_string() + " via " + nh + " from " + l->from_peer->to_string() + ": resolved" +
                               (l->best ? ", best" : "") + from(e.nva.table.how));
          break;
        case NextHopResolution::Unresolved:
          why = l->why.empty() ? "next hop " + nh + " not resolved" : l->why;
          r.evidence.push_back(site.prefix.to_string() + " via " + nh + " from " + l->from_peer->to_string() + ": " + why +
                               from(e.nva.table.how));
          break;
        case NextHopResolution::Unknown:
          unknown = true;
          break;
      }
    }
    if (resolved) verdict(r, Verdict::Pass, "next hop resolved");
    else if (!why.empty()) verdict(r, Verdict::Fail, why);
    else if (unknown) verdict(r, Verdict::NotRun, "the BGP table does not say whether the next hop resolves");
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<CheckResult> check_reaches_via_nva(const Evidence& e, const Scenario& s) {
  std::vector<CheckResult> out;
  for (const auto& path : s.paths) {
    const auto* to = s.find_site(path.to);
    const auto target = to ? to->probe_host.to_string() : path.to;
    std::string hops_wanted;
    for (const auto& h : path.hops_before_target) hops_wanted += (hops_wanted.empty() ? "" : ", ") + h.to_string();
    auto r = make(check_id::ReachesViaNva, direction_name(path),
                  path.from + " reaches " + target + " with " + hops_wanted + " answering before it, in that order");
    const auto* d = e.find_direction(path.from, path.to);
    const auto* t = trace_or(e, path, r);
    if (!t) {
      out.push_back(std::move(r));
      continue;
    }
    r.evidence.push_back("trace " + t->source.to_string() + " -> " + t->target.to_string() + ":" + std::to_string(t->port) +
                         ": " + hops_text(*t) + (t->reached ? ", reached at TTL " + std::to_string(t->final_ttl.value_or(0)) : ", not reached") +
                         from(d->trace.how));
    if (t->send_error) {
      verdict(r, Verdict::Fail, path.from + " could not send to " + target + ": " + *t->send_error);
      out.push_back(std::move(r));
      continue;
    }
    // Each expected hop must answer, in order, at a TTL below the target's.
    int last_ttl = 0;
    std::string missing;
    for (const auto& h : path.hops_before_target) {
      auto ttl = t->ttl_of(h);
      if (!ttl || *ttl <= last_ttl || (t->final_ttl && *ttl >= *t->final_ttl)) {
        missing += (missing.empty() ? "" : ", ") + h.to_string();
        continue;
      }
      last_ttl = *ttl;
    }
    if (!t->reached)
      verdict(r, Verdict::Fail, "did not reach " + target + (missing.empty() ? "" : "; missing hops: " + missing));
    else if (!missing.empty())
      verdict(r, Verdict::Fail, "reached " + target + " without " + missing + " answering before it");
    else
      verdict(r, Verdict::Pass, "reached " + target + " at TTL " + std::to_string(*t->final_ttl) + " via " + hops_wanted);
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<CheckResult> check_capture_crosses_nva(const Evidence& e, const Scenario& s) {
  std::vector<CheckResult> out;
  for (const auto& path : s.paths) {
    auto r = make(check_id::CaptureCrossesNva, direction_name(path),
                  "the capture on the NVA shows " + direction_name(path) +
                      "'s probes entering and leaving it with TTL one less");
    const auto* d = e.find_direction(path.from, path.to);
    const auto* t = trace_or(e, path, r);
    if (!t) {
      out.push_back(std::move(r));
      continue;
    }
    if (t->send_error) {
      verdict(r, Verdict::NotRun, "the trace sent no probes: " + *t->send_error);
      out.push_back(std::move(r));
      continue;
    }
    if (!d->capture.ok()) {
      verdict(r, Verdict::NotRun, "the capture on the NVA could not be analysed: " + d->capture.reason());
      r.evidence.push_back("capture not gathered" + from(d->capture.how));
      out.push_back(std::move(r));
      continue;
    }
    const auto& c = *d->capture.value;
    r.evidence.push_back(std::to_string(c.probes_sent) + " probes sent, " + std::to_string(c.probes_entered) +
                         " entered the NVA, " + std::to_string(c.probes_left) + " left it with TTL one less; " +
                         std::to_string(c.reached_proven) + " of " + std::to_string(c.reached) +
                         " answered probes proven through" + from(d->capture.how));
    if (c.unmatched)
      r.evidence.push_back(std::to_string(c.unmatched) + " packet(s) " + c.source.to_string() + " -> " + c.target.to_string() +
                           " entered with TTL > 1 and never left");
    for (const auto& p : c.probes)
      if (p.entered && p.left && p.ttl_in && p.ttl_out && *p.ttl_out + 1 != *p.ttl_in)
        r.evidence.push_back("probe " + std::to_string(p.id) + " left with TTL " + std::to_string(*p.ttl_out) +
                             " after entering with " + std::to_string(*p.ttl_in));
    if (c.probes_left == 0)
      verdict(r, Verdict::Fail, c.probes_entered == 0 ? "no probe entered the NVA"
                                                      : std::to_string(c.probes_entered) + " probes entered the NVA and none left it");
    else if (c.reached_proven < c.reached)
      verdict(r, Verdict::Fail, std::to_string(c.reached - c.reached_proven) + " of the " + std::to_string(c.reached) +
                                    " probes the target answered were not seen crossing the NVA");
    else
      verdict(r, Verdict::Pass, std::to_string(c.probes_left) + " probes entered and left with TTL one less" +
                                    (c.reached ? ", every answered one among them" : ""));
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<CheckResult> check_only_target_answers(const Evidence& e, const Scenario& s) {
  std::vector<CheckResult> out;
  for (const auto& path : s.paths) {
    const auto* to = s.find_site(path.to);
    const auto target = to ? to->probe_host : Ipv4Address{};
    auto r = make(check_id::OnlyTargetAnswers, direction_name(path),
                  "nothing but " + target.to_string() + " answers for the far site, and nothing bypasses the NVA");
    const auto* d = e.find_direction(path.from, path.to);
    const auto* t = trace_or(e, path, r);
    if (!t) {
      out.push_back(std::move(r));
      continue;
    }
    if (t->send_error) {
      verdict(r, Verdict::NotRun, "the trace sent no probes: " + *t->send_error);
      out.push_back(std::move(r));
      continue;
    }
    std::vector<std::string> wrong;
    const auto* last = t->final_hop();
    if (last && last->responder && *last->responder != target)
      wrong.push_back(last->responder->to_string() + " gave the final answer (" + (last->reply.empty() ? "?" : last->reply) +
                      ") at TTL " + std::to_string(last->ttl) + " instead of " + target.to_string());
    // The NVA may answer once, as a hop (its time-exceeded); answering at more
    // TTLs, or past where it forwards, means it answers for the far addresses.
    int nva_answers = 0;
    for (const auto& h : t->hops)
      if (h.responder == s.nva.address) ++nva_answers;
    if (nva_answers > 1)
      wrong.push_back("the NVA " + s.nva.address.to_string() + " answered at " + std::to_string(nva_answers) + " TTLs");
    if (t->reached && !t->ttl_of(s.nva.address))
      wrong.push_back(target.to_string() + " answered without the NVA on the path: traffic bypasses it");
    if (d->capture.ok()) {
      for (const auto& p : d->capture.value->probes)
        if ((p.reply == "syn-ack" || p.reply == "rst") && p.reply_left && !p.reply_entered && !p.left)
          wrong.push_back("probe " + std::to_string(p.id) + " was answered by the NVA itself (its answer left the NVA without entering it)");
    }
    r.evidence.push_back("trace: " + hops_text(*t) + from(d->trace.how));
    r.evidence.insert(r.evidence.end(), wrong.begin(), wrong.end());
    if (!wrong.empty()) verdict(r, Verdict::Fail, wrong.front());
    else if (t->reached) verdict(r, Verdict::Pass, "only " + target.to_string() + " answered as itself");
    else verdict(r, Verdict::Pass, "no other address answered for " + target.to_string() + " (it was not reached)");
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<CheckResult> run_checks(const Evidence& e, const Scenario& s) {
  std::vector<CheckResult> out;
  auto add = [&](std::vector<CheckResult> v) { std::move(v.begin(), v.end(), std::back_inserter(out)); };
  add(check_sessions_established(e, s));
  add(check_supernet_advertised(e, s));
  out.push_back(check_same_routes_to_all(e, s));
  add(check_site_prefixes_learned(e, s));
  out.push_back(check_no_65515_advertised(e, s));
  add(check_route_count_under_limit(e, s));
  add(check_next_hops_resolved(e, s));
  add(check_reaches_via_nva(e, s));
  add(check_capture_crosses_nva(e, s));
  add(check_only_target_answers(e, s));
  return out;
}

std::vector<CheckResult> carry_convergence(const std::vector<CheckResult>& previous, std::vector<CheckResult> current,
                                           double elapsed_ms) {
  std::map<std::string, std::optional<double>> first;
  for (const auto& p : previous) first[p.key()] = p.passed_after_ms;
  for (auto& c : current) {
    if (!c.passed()) {
      c.passed_after_ms.reset();
      continue;
    }
    auto it = first.find(c.key());
    c.passed_after_ms = it != first.end() && it->second ? it->second : std::optional<double>(elapsed_ms);
  }
  return current;
}

bool all_passed(const std::vector<CheckResult>& results) {
  return !results.empty() && std::all_of(results.begin(), results.end(), [](const CheckResult& r) { return r.passed(); });
}

}  // namespace hairpin::verifier
