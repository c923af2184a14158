// Trace output (see trace_format.hpp). The format strings are Ethr's; keep them
// byte-identical, the seed's users read and diff this text.

#include "hairpin/probes/trace_format.hpp"

#include <cstdio>
#include <sstream>

namespace hairpin::probes {

namespace {

template <typename... Args>
std::string sprintf_string(const char* fmt, Args... args) {
  const int n = std::snprintf(nullptr, 0, fmt, args...);
  std::string s(static_cast<std::size_t>(n), '\0');
  std::snprintf(s.data(), s.size() + 1, fmt, args...);
  return s;
}

std::string name_of(const TraceResult& r, Ipv4Address a) {
  auto it = r.names.find(a.value);
  return it == r.names.end() ? std::string{} : it->second;
}

double ms(std::int64_t ns) { return static_cast<double>(ns) / 1e6; }

// RTT of the last probe (in send order) at `ttl` that `from` answered.
std::optional<std::int64_t> last_rtt_from(const TraceResult& r, int ttl, Ipv4Address from) {
  std::optional<std::int64_t> last;
  for (const auto& p : r.probes) {
    if (p.spec.ttl == ttl && p.reply && p.reply->responder == from && p.rtt_ns()) last = p.rtt_ns();
  }
  return last;
}

}  // namespace

std::string ethr_duration(std::int64_t ns) {
  constexpr std::int64_t kUs = 1000, kMs = 1000 * kUs, kS = 1000 * kMs, kMinute = 60 * kS;
  if (ns < 0) return "-" + ethr_duration(-ns);  // clock steps only; Ethr has d.String()
  if (ns >= kMinute) {
    // Go's Duration.String() above a minute: "1h2m3.5s", seconds without trailing zeros.
    const std::int64_t h = ns / (60 * kMinute), m = (ns / kMinute) % 60, rest = ns % kMinute;
    std::string sec = sprintf_string("%lld.%09lld", static_cast<long long>(rest / kS), static_cast<long long>(rest % kS));
    while (sec.back() == '0') sec.pop_back();
    if (sec.back() == '.') sec.pop_back();
    return (h ? std::to_string(h) + "h" : std::string{}) + std::to_string(m) + "m" + sec + "s";
  }
  // Go: strconv.FormatFloat(val, 'f', 3, 64) == printf("%.3f"), both correctly rounded.
  if (ns < kUs) return sprintf_string("%.3fns", static_cast<double>(ns));
  if (ns < kMs) return sprintf_string("%.3fus", static_cast<double>(ns) / 1e3);
  if (ns < kS) return sprintf_string("%.3fms", static_cast<double>(ns) / 1e6);
  return sprintf_string("%.3fs", static_cast<double>(ns) / 1e9);
}

std::string ethr_hop_line(int ttl, const std::optional<std::string>& address, const std::string& name,
                          std::optional<std::int64_t> rtt_ns, const std::string& marker) {
  if (!address) return sprintf_string("%2d.|--%s", ttl, "???");
  const std::string label = *address + " [" + name + "]";
  // An address answered but no RTT (reply seen, send time lost): Ethr never has
  // this case; print the label alone rather than a made-up time.
  std::string line = rtt_ns ? sprintf_string("%2d.|--%-70s %s", ttl, label.c_str(), ethr_duration(*rtt_ns).c_str())
                            : sprintf_string("%2d.|--%s", ttl, label.c_str());
  if (!marker.empty()) line += " " + marker;
  return line;
}

std::string ethr_header(const TraceResult& r) {
  const std::string ip = r.run.target.to_string();
  return sprintf_string("Using destination: %s, ip: %s, port: %u\n", r.params.target_name.c_str(), ip.c_str(),
                        unsigned{r.run.target_port}) +
         sprintf_string("Tracing route to %s over %d hops:\n", ip.c_str(), r.params.max_hops);
}

std::string format_text(const TraceResult& r) {
  std::string out = ethr_header(r);
  const auto hops = summarize_hops(r);
  for (const auto& h : hops) {
    std::optional<std::string> addr;
    std::string name;
    if (h.responder) {
      addr = h.responder->to_string();
      name = name_of(r, *h.responder);
    }
    if (r.params.mode == TraceMode::Mtr) {
      out += (addr ? sprintf_string("%2d.|--%s", h.ttl, (*addr + " [" + name + "]").c_str())
                   : sprintf_string("%2d.|--%s", h.ttl, "???")) + "\n";
    } else {
      // The RTT shown is the shown address's own last one (Ethr's `last`).
      out += ethr_hop_line(h.ttl, addr, name, h.responder ? last_rtt_from(r, h.ttl, *h.responder) : std::nullopt,
                           h.unreachable) + "\n";
      // Other addresses at this TTL (ECMP seen with --flows): Ethr has no such line;
      // one each, under the first, without the "N." so Ethr-style parsers skip it.
      for (const Ipv4Address other : h.others) {
        const auto last = last_rtt_from(r, h.ttl, other);
        const std::string label = other.to_string() + " [" + name_of(r, other) + "]";
        out += last ? sprintf_string("   |--%-70s %s\n", label.c_str(), ethr_duration(*last).c_str())
                    : sprintf_string("   |--%s\n", label.c_str());
      }
    }
  }
  if (!target_reached(r)) {
    // Ethr v1.0.0 tcpRunTraceRouteInternal, when discovery ends without the target.
    out += sprintf_string("Destination %s is not responding to TCP connection.\n", r.run.target.to_string().c_str());
    out += "Terminating tracing...\n";
    return out;
  }
  if (r.params.mode == TraceMode::Mtr && !hops.empty()) {
    out += "- - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - \n";
    out += sprintf_string("Host: %-40s    Sent    Recv        Last         Avg        Best        Wrst\n",
                          r.run.target.to_string().c_str());
    for (const auto& h : hops) {
      if (h.responder) {
        const auto d = [](std::optional<std::int64_t> v) { return ethr_duration(v.value_or(0)); };
        out += sprintf_string("%2d.|--%-40s   %5d   %5d   %9s   %9s   %9s   %9s\n", h.ttl,
                              h.responder->to_string().c_str(), h.sent, h.received, d(h.last_ns).c_str(),
                              d(h.avg_ns).c_str(), d(h.best_ns).c_str(), d(h.worst_ns).c_str());
      } else {
        out += sprintf_string("%2d.|--%-40s   %5s   %5s   %9s   %9s   %9s   %9s\n", h.ttl, "???", "-", "-", "-", "-",
                              "-", "-");
      }
    }
  }
  return out;
}

nlohmann::json format_json(const TraceResult& r) {
  using nlohmann::json;
  const auto hops = summarize_hops(r);
  const auto ft = final_ttl(r.probes);
  json ports = json::array();
  for (auto p : r.run.source_ports) ports.push_back(p);

  json doc = {
      {"schema", "hairpin.trace/1"},
      {"target", r.params.target_name},
      {"target_ip", r.run.target.to_string()},
      {"port", r.run.target_port},
      {"source_ip", r.run.source.to_string()},
      {"source_ports", ports},
      {"nonce", r.run.nonce},
      {"mode", r.params.mode == TraceMode::Mtr ? "mtr" : "tr"},
      {"max_hops", r.params.max_hops},
      {"probes_per_hop", r.params.probes_per_hop},
      {"gap_limit", r.params.gap_limit},
      {"tos", r.params.tos},
      {"reached", target_reached(r)},
      {"final_ttl", ft ? json(*ft) : json(nullptr)},
      {"started_unix_ns", r.started_ns},
      {"duration_ms", ms(r.finished_ns - r.started_ns)},
  };

  json jhops = json::array();
  for (const auto& h : hops) {
    json others = json::array();
    for (auto o : h.others) others.push_back(o.to_string());
    auto opt_ms = [](std::optional<std::int64_t> v) { return v ? json(ms(*v)) : json(nullptr); };
    json jh = {
        {"ttl", h.ttl},
        {"responder", h.responder ? json(h.responder->to_string()) : json(nullptr)},
        {"name", h.responder ? json(name_of(r, *h.responder)) : json(nullptr)},
        {"other_responders", others},
        {"sent", h.sent},
        {"received", h.received},
        {"loss_pct", h.sent ? 100.0 * (h.sent - h.received) / h.sent : 0.0},
        {"rtt_ms", {{"last", opt_ms(h.last_ns)}, {"avg", opt_ms(h.avg_ns)}, {"best", opt_ms(h.best_ns)},
                    {"worst", opt_ms(h.worst_ns)}}},
        {"unreachable", h.unreachable.empty() ? json(nullptr) : json(h.unreachable)},
    };
    json probes = json::array();
    for (const auto& p : r.probes) {
      if (p.spec.ttl != h.ttl) continue;
      json jp = {
          {"id", p.spec.index},
          {"round", p.round},
          {"flow", p.spec.flow},
          {"source_port", r.run.source_ports.at(p.spec.flow)},
          {"tcp_seq", stamp_probe(r.run, p.spec).tcp_seq},
          {"ip_id", stamp_probe(r.run, p.spec).ip_id},
          {"sent_unix_ns", p.sent_ns()},
          {"send_time_source", p.sent_wire_ns ? "wire" : "host"},
          {"reply", p.reply ? json(std::string(to_string(p.reply->kind))) : json(nullptr)},
          {"rtt_ms", opt_ms(p.rtt_ns())},
      };
      if (p.reply) {
        const Match& m = *p.reply;
        jp["responder"] = m.responder.to_string();
        jp["reply_ttl"] = m.reply_ttl;
        if (m.kind == ReplyKind::TimeExceeded || m.kind == ReplyKind::DestUnreachable) {
          jp["icmp"] = {{"type", m.icmp_type}, {"code", m.icmp_code}};
          jp["quoted_ttl"] = m.quoted_ttl ? json(*m.quoted_ttl) : json(nullptr);
          jp["quoted_tos"] = m.quoted_tos ? json(*m.quoted_tos) : json(nullptr);
          jp["quote_length"] = m.quote_length;
          if (m.has_extensions) {
            json mpls = json::array();
            for (const auto& e : m.mpls) {
              mpls.push_back({{"label", e.label}, {"exp", e.exp}, {"s", e.bottom_of_stack}, {"ttl", e.ttl}});
            }
            jp["mpls"] = mpls;
          }
        }
      }
      probes.push_back(std::move(jp));
    }
    jh["probes"] = std::move(probes);
    jhops.push_back(std::move(jh));
  }
  doc["hops"] = std::move(jhops);
  return doc;
}

}  // namespace hairpin::probes
