// Trace results and waiting rules (see trace_result.hpp).

#include "hairpin/probes/trace_result.hpp"

#include <algorithm>
#include <limits>

namespace hairpin::probes {

namespace {
bool is_final(const Match& m) {
  return m.kind == ReplyKind::SynAck || m.kind == ReplyKind::Rst || m.kind == ReplyKind::DestUnreachable;
}
constexpr std::uint8_t kPortUnreachable = 3;
}  // namespace

std::optional<std::int64_t> ProbeRecord::rtt_ns() const {
  if (!reply || !reply_wire_ns) return std::nullopt;
  return *reply_wire_ns - sent_ns();
}

std::optional<int> final_ttl(const std::vector<ProbeRecord>& probes) {
  std::optional<int> ttl;
  for (const auto& p : probes) {
    if (p.reply && is_final(*p.reply) && (!ttl || p.spec.ttl < *ttl)) ttl = p.spec.ttl;
  }
  return ttl;
}

bool target_reached(const TraceResult& result) {
  const auto ft = final_ttl(result.probes);
  if (!ft) return false;
  for (const auto& p : result.probes) {
    if (p.spec.ttl != *ft || !p.reply) continue;
    const Match& m = *p.reply;
    if (m.kind == ReplyKind::SynAck || m.kind == ReplyKind::Rst) return true;
    if (m.kind == ReplyKind::DestUnreachable && m.responder == result.run.target) return true;
  }
  return false;
}

std::string unreachable_marker(std::uint8_t code) {
  // Annotations as BSD traceroute(8) prints them; codes from RFC 792 and RFC 1812 5.2.7.1.
  switch (code) {
    case 0: return "!N";    // net unreachable
    case 1: return "!H";    // host unreachable
    case 2: return "!P";    // protocol unreachable
    case kPortUnreachable: return "";  // the target (or its firewall) answered: a normal end
    case 4: return "!F";    // fragmentation needed and DF set
    case 5: return "!S";    // source route failed
    case 6: case 7: return "!U";  // destination network/host unknown
    case 8: return "!I";    // source host isolated
    case 9: return "!A";    // network administratively prohibited
    case 10: return "!C";   // host administratively prohibited
    case 11: case 12: return "!T";  // network/host unreachable for TOS
    case 13: return "!X";   // communication administratively prohibited (RFC 1812)
    case 14: return "!V";   // host precedence violation
    case 15: return "!C";   // precedence cutoff in effect
    default: return "!<" + std::to_string(code) + ">";
  }
}

std::vector<HopSummary> summarize_hops(const TraceResult& result) {
  int max_sent_ttl = 0, last_answer = 0;
  for (const auto& p : result.probes) {
    max_sent_ttl = std::max<int>(max_sent_ttl, p.spec.ttl);
    if (p.reply) last_answer = std::max<int>(last_answer, p.spec.ttl);
  }
  const auto ft = final_ttl(result.probes);
  int last = ft ? *ft : std::min(last_answer + result.params.gap_limit, max_sent_ttl);
  last = std::min(last, result.params.max_hops);

  std::vector<HopSummary> hops;
  for (int ttl = 1; ttl <= last; ++ttl) {
    HopSummary h;
    h.ttl = ttl;
    std::int64_t total = 0;
    for (const auto& p : result.probes) {  // probes are in send order (index order)
      if (p.spec.ttl != ttl) continue;
      ++h.sent;
      if (!p.reply) continue;
      const Match& m = *p.reply;
      if (!h.responder) {
        h.responder = m.responder;
      } else if (m.responder != *h.responder &&
                 std::find(h.others.begin(), h.others.end(), m.responder) == h.others.end()) {
        h.others.push_back(m.responder);
      }
      if (m.kind == ReplyKind::DestUnreachable && h.unreachable.empty()) {
        h.unreachable = unreachable_marker(m.icmp_code);
      }
      const auto rtt = p.rtt_ns();
      if (!rtt) continue;
      ++h.received;
      total += *rtt;
      h.last_ns = *rtt;
      h.best_ns = h.best_ns ? std::min(*h.best_ns, *rtt) : *rtt;
      h.worst_ns = h.worst_ns ? std::max(*h.worst_ns, *rtt) : *rtt;
    }
    if (h.received > 0) h.avg_ns = total / h.received;
    hops.push_back(std::move(h));
  }
  return hops;
}

std::optional<int> via_ttl(const TraceResult& result, Ipv4Address via) {
  if (!target_reached(result)) return std::nullopt;
  const int ft = *final_ttl(result.probes);
  std::optional<int> at;
  for (const auto& p : result.probes) {
    if (p.spec.ttl < ft && p.reply && p.reply->responder == via && (!at || p.spec.ttl < *at)) at = p.spec.ttl;
  }
  return at;
}

std::int64_t probe_deadline_ns(const ProbeRecord& probe, const std::vector<ProbeRecord>& all,
                               const WaitPolicy& policy) {
  std::int64_t wait = policy.max_wait_ns;
  for (const auto& other : all) {
    const auto rtt = other.rtt_ns();
    if (!rtt || *rtt <= 0) continue;
    if (other.spec.ttl == probe.spec.ttl) {
      wait = std::min(wait, static_cast<std::int64_t>(policy.here * static_cast<double>(*rtt)));
    } else if (other.spec.ttl > probe.spec.ttl) {
      wait = std::min(wait, static_cast<std::int64_t>(policy.near * static_cast<double>(*rtt)));
    }
  }
  return probe.sent_ns() + std::max(wait, policy.floor_ns);
}

bool round_complete(const std::vector<ProbeRecord>& probes, int round, std::int64_t now_ns,
                    const WaitPolicy& policy, int gap_limit) {
  auto expired = [&](const ProbeRecord& p) { return !p.reply && now_ns >= probe_deadline_ns(p, probes, policy); };

  int limit = std::numeric_limits<int>::max();
  if (const auto ft = final_ttl(probes)) {
    limit = *ft;
  } else if (gap_limit > 0) {
    int last_answer = 0, max_ttl = 0;
    for (const auto& p : probes) {
      if (p.round != round) continue;
      max_ttl = std::max<int>(max_ttl, p.spec.ttl);
      if (p.reply) last_answer = std::max<int>(last_answer, p.spec.ttl);
    }
    // Gap limit: gap_limit TTLs after the last answer, all sent and all given up on.
    const int gap_end = last_answer + gap_limit;
    if (gap_end <= max_ttl) {
      bool all_silent = true;
      for (const auto& p : probes) {
        if (p.round == round && p.spec.ttl > last_answer && p.spec.ttl <= gap_end && !expired(p)) {
          all_silent = false;
          break;
        }
      }
      if (all_silent) limit = gap_end;
    }
  }
  for (const auto& p : probes) {
    if (p.round != round || p.spec.ttl > limit || p.reply) continue;
    if (!expired(p)) return false;
  }
  return true;
}

std::optional<std::int64_t> next_deadline_ns(const std::vector<ProbeRecord>& probes, int round,
                                             std::int64_t now_ns, const WaitPolicy& policy) {
  std::optional<std::int64_t> next;
  for (const auto& p : probes) {
    if (p.round != round || p.reply) continue;
    const std::int64_t d = probe_deadline_ns(p, probes, policy);
    if (d > now_ns && (!next || d < *next)) next = d;
  }
  return next;
}

}  // namespace hairpin::probes
