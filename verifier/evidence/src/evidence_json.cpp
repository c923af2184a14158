#include "hairpin/verifier/evidence/evidence_json.hpp"

#include "hairpin/common/file_io.hpp"

namespace hairpin::verifier {

namespace {

using nlohmann::json;

json opt(const std::optional<Ipv4Address>& a) { return a ? json(a->to_string()) : json(nullptr); }
template <typename T>
json opt(const std::optional<T>& v) { return v ? json(*v) : json(nullptr); }

std::string_view to_string(NextHopResolution r) {
  switch (r) {
    case NextHopResolution::Resolved: return "resolved";
    case NextHopResolution::Unresolved: return "unresolved";
    case NextHopResolution::Unknown: return "unknown";
  }
  return "unknown";
}

json route_json(const BgpRoute& r) {
  return {{"prefix", r.prefix.to_string()}, {"as_path", r.as_path}, {"next_hop", opt(r.next_hop)}, {"origin", r.origin}};
}

template <typename T, typename F>
json gathered_json(const Gathered<T>& g, F&& value_json) {
  return {{"how", provenance_to_json(g.how)}, {"value", g.value ? value_json(*g.value) : json(nullptr)}};
}

json routes_json(const std::vector<BgpRoute>& routes) {
  json a = json::array();
  for (const auto& r : routes) a.push_back(route_json(r));
  return a;
}

json summary_json(const BgpSummary& s) {
  json peers = json::array();
  for (const auto& p : s.peers)
    peers.push_back({{"address", p.address.to_string()},
                     {"remote_as", p.remote_as},
                     {"state", p.state},
                     {"uptime_ms", opt(p.uptime_ms)},
                     {"prefixes_received", opt(p.prefixes_received)},
                     {"prefixes_sent", opt(p.prefixes_sent)},
                     {"last_error", opt(p.last_error)},
                     {"received", gathered_json(p.received, routes_json)},
                     {"advertised", gathered_json(p.advertised, routes_json)}});
  return {{"router_id", opt(s.router_id)}, {"local_as", s.local_as}, {"peers", peers}};
}

json table_json(const std::vector<LearnedRoute>& table) {
  json a = json::array();
  for (const auto& r : table)
    a.push_back({{"prefix", r.prefix.to_string()},
                 {"as_path", r.as_path},
                 {"next_hop", opt(r.next_hop)},
                 {"from_peer", opt(r.from_peer)},
                 {"best", r.best},
                 {"valid", r.valid},
                 {"resolution", to_string(r.resolution)},
                 {"why", r.why}});
  return a;
}

json fib_json(const std::vector<FibRoute>& fib) {
  json a = json::array();
  for (const auto& f : fib)
    a.push_back({{"prefix", f.prefix.to_string()},
                 {"type", f.type},
                 {"table", f.table},
                 {"device", f.device},
                 {"gateway", opt(f.gateway)},
                 {"protocol", f.protocol}});
  return a;
}

json trace_json(const Trace& t) {
  json hops = json::array();
  for (const auto& h : t.hops) {
    json others = json::array();
    for (const auto& o : h.other_responders) others.push_back(o.to_string());
    hops.push_back({{"ttl", h.ttl},
                    {"responder", opt(h.responder)},
                    {"other_responders", others},
                    {"rtt_ms", opt(h.rtt_ms)},
                    {"sent", h.sent},
                    {"received", h.received},
                    {"reply", h.reply},
                    {"unreachable", opt(h.unreachable)}});
  }
  return {{"source", t.source.to_string()}, {"target", t.target.to_string()}, {"port", t.port},
          {"nonce", t.nonce},               {"source_ports", t.source_ports},   {"reached", t.reached},
          {"final_ttl", opt(t.final_ttl)},  {"hops", hops},                     {"send_error", opt(t.send_error)}};
}

json capture_json(const CaptureDirection& c) {
  json probes = json::array();
  for (const auto& p : c.probes)
    probes.push_back({{"id", p.id},
                      {"ttl", p.ttl},
                      {"reply", p.reply},
                      {"entered", p.entered},
                      {"left", p.left},
                      {"ttl_in", opt(p.ttl_in)},
                      {"ttl_out", opt(p.ttl_out)},
                      {"reply_entered", p.reply_entered},
                      {"reply_left", p.reply_left}});
  return {{"source", c.source.to_string()},
          {"target", c.target.to_string()},
          {"nva_mac", c.nva_mac},
          {"probes_sent", c.probes_sent},
          {"probes_entered", c.probes_entered},
          {"probes_left", c.probes_left},
          {"reached", c.reached},
          {"reached_proven", c.reached_proven},
          {"replies_entered", c.replies_entered},
          {"replies_left", c.replies_left},
          {"packets_in", c.packets_in},
          {"packets_out", c.packets_out},
          {"unmatched", c.unmatched},
          {"ttl_expired", c.ttl_expired},
          {"probes", probes}};
}

// Reading: every access names its JSON path, so a bad fixture says where.
class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  struct Failure {
    Error error;
  };

  [[noreturn]] void fail(const std::string& path, const std::string& what) const {
    throw Failure{Error{what, source_ + ": " + path, "write it as evidence_to_json does (docs/verify.md, Evidence)"}};
  }

  const json& member(const json& o, const std::string& path, const char* key) const {
    if (!o.is_object()) fail(path, "not an object");
    if (!o.contains(key)) fail(path + "." + key, "missing");
    return o[key];
  }
  bool has(const json& o, const char* key) const { return o.is_object() && o.contains(key) && !o[key].is_null(); }

  std::string str(const json& o, const std::string& path, const char* key) const {
    const auto& v = member(o, path, key);
    if (!v.is_string()) fail(path + "." + key, "not a string");
    return v.get<std::string>();
  }
  std::optional<std::string> opt_str(const json& o, const std::string& path, const char* key) const {
    if (!has(o, key)) return std::nullopt;
    return str(o, path, key);
  }
  template <typename T>
  T num(const json& o, const std::string& path, const char* key) const {
    const auto& v = member(o, path, key);
    if (!v.is_number()) fail(path + "." + key, "not a number");
    return v.get<T>();
  }
  template <typename T>
  std::optional<T> opt_num(const json& o, const std::string& path, const char* key) const {
    if (!has(o, key)) return std::nullopt;
    return num<T>(o, path, key);
  }
  bool boolean(const json& o, const std::string& path, const char* key) const {
    const auto& v = member(o, path, key);
    if (!v.is_boolean()) fail(path + "." + key, "not true/false");
    return v.get<bool>();
  }
  Ipv4Address ip(const json& o, const std::string& path, const char* key) const {
    auto text = str(o, path, key);
    auto a = Ipv4Address::parse(text);
    if (!a) fail(path + "." + key, "'" + text + "' is not an IPv4 address");
    return *a;
  }
  std::optional<Ipv4Address> opt_ip(const json& o, const std::string& path, const char* key) const {
    if (!has(o, key)) return std::nullopt;
    return ip(o, path, key);
  }
  Ipv4Prefix prefix(const json& o, const std::string& path, const char* key) const {
    auto text = str(o, path, key);
    auto p = Ipv4Prefix::parse(text);
    if (!p) fail(path + "." + key, "'" + text + "' is not an IPv4 prefix");
    return *p;
  }
  const json& array(const json& o, const std::string& path, const char* key) const {
    const auto& v = member(o, path, key);
    if (!v.is_array()) fail(path + "." + key, "not a list");
    return v;
  }
  static std::string at(const std::string& path, const char* key, std::size_t i) {
    return path + "." + key + "[" + std::to_string(i) + "]";
  }

  Provenance provenance(const json& o, const std::string& path) const {
    Provenance p;
    p.command = str(o, path, "command");
    p.runner = str(o, path, "runner");
    auto status = str(o, path, "status");
    if (status == "ok") p.status = Provenance::Status::Ok;
    else if (status == "not-gathered") p.status = Provenance::Status::NotGathered;
    else fail(path + ".status", "'" + status + "' is not ok / not-gathered");
    p.reason = str(o, path, "reason");
    p.started_unix_ns = num<std::int64_t>(o, path, "started_unix_ns");
    p.finished_unix_ns = num<std::int64_t>(o, path, "finished_unix_ns");
    p.raw_file = opt_str(o, path, "raw_file").value_or("");
    return p;
  }

  template <typename T, typename F>
  Gathered<T> gathered(const json& o, const std::string& path, F&& read_value) const {
    Gathered<T> g;
    g.how = provenance(member(o, path, "how"), path + ".how");
    if (has(o, "value")) g.value = read_value(o["value"], path + ".value");
    return g;
  }

  std::vector<std::uint32_t> as_path(const json& o, const std::string& path) const {
    std::vector<std::uint32_t> out;
    for (const auto& a : array(o, path, "as_path")) {
      if (!a.is_number_unsigned()) fail(path + ".as_path", "not a list of AS numbers");
      out.push_back(a.get<std::uint32_t>());
    }
    return out;
  }

  std::vector<BgpRoute> routes(const json& a, const std::string& path) const {
    if (!a.is_array()) fail(path, "not a list");
    std::vector<BgpRoute> out;
    for (std::size_t i = 0; i < a.size(); ++i) {
      const auto p = path + "[" + std::to_string(i) + "]";
      out.push_back({prefix(a[i], p, "prefix"), as_path(a[i], p), opt_ip(a[i], p, "next_hop"), str(a[i], p, "origin")});
    }
    return out;
  }

  BgpSummary summary(const json& o, const std::string& path) const {
    BgpSummary s;
    s.router_id = opt_ip(o, path, "router_id");
    s.local_as = num<std::uint32_t>(o, path, "local_as");
    const auto& peers = array(o, path, "peers");
    for (std::size_t i = 0; i < peers.size(); ++i) {
      const auto p = at(path, "peers", i);
      const auto& j = peers[i];
      PeerState peer;
      peer.address = ip(j, p, "address");
      peer.remote_as = num<std::uint32_t>(j, p, "remote_as");
      peer.state = str(j, p, "state");
      peer.uptime_ms = opt_num<std::int64_t>(j, p, "uptime_ms");
      peer.prefixes_received = opt_num<std::uint64_t>(j, p, "prefixes_received");
      peer.prefixes_sent = opt_num<std::uint64_t>(j, p, "prefixes_sent");
      peer.last_error = opt_str(j, p, "last_error");
      auto read_routes = [this](const json& v, const std::string& vp) { return routes(v, vp); };
      peer.received = gathered<std::vector<BgpRoute>>(member(j, p, "received"), p + ".received", read_routes);
      peer.advertised = gathered<std::vector<BgpRoute>>(member(j, p, "advertised"), p + ".advertised", read_routes);
      s.peers.push_back(std::move(peer));
    }
    return s;
  }

  std::vector<LearnedRoute> table(const json& a, const std::string& path) const {
    if (!a.is_array()) fail(path, "not a list");
    std::vector<LearnedRoute> out;
    for (std::size_t i = 0; i < a.size(); ++i) {
      const auto p = path + "[" + std::to_string(i) + "]";
      LearnedRoute r;
      r.prefix = prefix(a[i], p, "prefix");
      r.as_path = as_path(a[i], p);
      r.next_hop = opt_ip(a[i], p, "next_hop");
      r.from_peer = opt_ip(a[i], p, "from_peer");
      r.best = boolean(a[i], p, "best");
      r.valid = boolean(a[i], p, "valid");
      auto res = str(a[i], p, "resolution");
      r.resolution = res == "resolved" ? NextHopResolution::Resolved
                     : res == "unresolved" ? NextHopResolution::Unresolved
                                           : NextHopResolution::Unknown;
      r.why = str(a[i], p, "why");
      out.push_back(std::move(r));
    }
    return out;
  }

  std::vector<FibRoute> fib(const json& a, const std::string& path) const {
    if (!a.is_array()) fail(path, "not a list");
    std::vector<FibRoute> out;
    for (std::size_t i = 0; i < a.size(); ++i) {
      const auto p = path + "[" + std::to_string(i) + "]";
      out.push_back({prefix(a[i], p, "prefix"), str(a[i], p, "type"), str(a[i], p, "table"), str(a[i], p, "device"),
                     opt_ip(a[i], p, "gateway"), str(a[i], p, "protocol")});
    }
    return out;
  }

  Trace trace(const json& o, const std::string& path) const {
    Trace t;
    t.source = ip(o, path, "source");
    t.target = ip(o, path, "target");
    t.port = num<std::uint16_t>(o, path, "port");
    t.nonce = num<std::uint16_t>(o, path, "nonce");
    for (const auto& p : array(o, path, "source_ports")) t.source_ports.push_back(p.get<std::uint16_t>());
    t.reached = boolean(o, path, "reached");
    t.final_ttl = opt_num<int>(o, path, "final_ttl");
    t.send_error = opt_str(o, path, "send_error");
    const auto& hops = array(o, path, "hops");
    for (std::size_t i = 0; i < hops.size(); ++i) {
      const auto p = at(path, "hops", i);
      TraceHop h;
      h.ttl = num<int>(hops[i], p, "ttl");
      h.responder = opt_ip(hops[i], p, "responder");
      for (const auto& a : array(hops[i], p, "other_responders")) {
        auto parsed = a.is_string() ? Ipv4Address::parse(a.get<std::string>()) : std::nullopt;
        if (!parsed) fail(p + ".other_responders", "not a list of IPv4 addresses");
        h.other_responders.push_back(*parsed);
      }
      h.rtt_ms = opt_num<double>(hops[i], p, "rtt_ms");
      h.sent = num<int>(hops[i], p, "sent");
      h.received = num<int>(hops[i], p, "received");
      h.reply = str(hops[i], p, "reply");
      h.unreachable = opt_str(hops[i], p, "unreachable");
      t.hops.push_back(std::move(h));
    }
    return t;
  }

  CaptureDirection capture(const json& o, const std::string& path) const {
    CaptureDirection c;
    c.source = ip(o, path, "source");
    c.target = ip(o, path, "target");
    c.nva_mac = str(o, path, "nva_mac");
    c.probes_sent = num<std::uint64_t>(o, path, "probes_sent");
    c.probes_entered = num<std::uint64_t>(o, path, "probes_entered");
    c.probes_left = num<std::uint64_t>(o, path, "probes_left");
    c.reached = num<std::uint64_t>(o, path, "reached");
    c.reached_proven = num<std::uint64_t>(o, path, "reached_proven");
    c.replies_entered = num<std::uint64_t>(o, path, "replies_entered");
    c.replies_left = num<std::uint64_t>(o, path, "replies_left");
    c.packets_in = num<std::uint64_t>(o, path, "packets_in");
    c.packets_out = num<std::uint64_t>(o, path, "packets_out");
    c.unmatched = num<std::uint64_t>(o, path, "unmatched");
    c.ttl_expired = num<std::uint64_t>(o, path, "ttl_expired");
    const auto& probes = array(o, path, "probes");
    for (std::size_t i = 0; i < probes.size(); ++i) {
      const auto p = at(path, "probes", i);
      const auto& j = probes[i];
      c.probes.push_back({num<int>(j, p, "id"), num<int>(j, p, "ttl"), str(j, p, "reply"), boolean(j, p, "entered"),
                          boolean(j, p, "left"), opt_num<int>(j, p, "ttl_in"), opt_num<int>(j, p, "ttl_out"),
                          boolean(j, p, "reply_entered"), boolean(j, p, "reply_left")});
    }
    return c;
  }

  Evidence evidence(const json& doc) const {
    const std::string root = "$";
    if (!doc.is_object()) fail(root, "not an object");
    if (auto schema = str(doc, root, "schema"); schema != kEvidenceSchema)
      fail(root + ".schema", "'" + schema + "' is not " + std::string(kEvidenceSchema));
    Evidence e;
    e.scenario = str(doc, root, "scenario");
    e.started_unix_ns = num<std::int64_t>(doc, root, "started_unix_ns");
    e.finished_unix_ns = num<std::int64_t>(doc, root, "finished_unix_ns");
    e.attempt = num<int>(doc, root, "attempt");
    const auto& nva = member(doc, root, "nva");
    const std::string np = root + ".nva";
    e.nva.summary = gathered<BgpSummary>(member(nva, np, "summary"), np + ".summary",
                                         [this](const json& v, const std::string& p) { return summary(v, p); });
    e.nva.table = gathered<std::vector<LearnedRoute>>(member(nva, np, "table"), np + ".table",
                                                      [this](const json& v, const std::string& p) { return table(v, p); });
    e.nva.fib = gathered<std::vector<FibRoute>>(member(nva, np, "fib"), np + ".fib",
                                                [this](const json& v, const std::string& p) { return fib(v, p); });
    const auto& dirs = array(doc, root, "directions");
    for (std::size_t i = 0; i < dirs.size(); ++i) {
      const auto p = at(root, "directions", i);
      DirectionEvidence d;
      d.from = str(dirs[i], p, "from");
      d.to = str(dirs[i], p, "to");
      d.trace = gathered<Trace>(member(dirs[i], p, "trace"), p + ".trace",
                                [this](const json& v, const std::string& vp) { return trace(v, vp); });
      d.capture = gathered<CaptureDirection>(member(dirs[i], p, "capture"), p + ".capture",
                                             [this](const json& v, const std::string& vp) { return capture(v, vp); });
      e.directions.push_back(std::move(d));
    }
    return e;
  }

 private:
  std::string source_;
};

}  // namespace

json provenance_to_json(const Provenance& how) {
  json j = {{"command", how.command},
            {"runner", how.runner},
            {"status", how.ok() ? "ok" : "not-gathered"},
            {"reason", how.reason},
            {"started_unix_ns", how.started_unix_ns},
            {"finished_unix_ns", how.finished_unix_ns}};
  if (!how.raw_file.empty()) j["raw_file"] = how.raw_file;
  return j;
}

json evidence_to_json(const Evidence& e) {
  json dirs = json::array();
  for (const auto& d : e.directions)
    dirs.push_back({{"from", d.from},
                    {"to", d.to},
                    {"trace", gathered_json(d.trace, trace_json)},
                    {"capture", gathered_json(d.capture, capture_json)}});
  return {{"schema", kEvidenceSchema},
          {"scenario", e.scenario},
          {"started_unix_ns", e.started_unix_ns},
          {"finished_unix_ns", e.finished_unix_ns},
          {"attempt", e.attempt},
          {"nva",
           {{"summary", gathered_json(e.nva.summary, summary_json)},
            {"table", gathered_json(e.nva.table, table_json)},
            {"fib", gathered_json(e.nva.fib, fib_json)}}},
          {"directions", dirs}};
}

Result<Evidence> evidence_from_json(const json& document, const std::string& source) {
  try {
    return Reader(source).evidence(document);
  } catch (const Reader::Failure& f) {
    return f.error;
  } catch (const json::exception& e) {
    return Error{std::string("malformed evidence: ") + e.what(), source, "write it as evidence_to_json does"};
  }
}

Result<Evidence> parse_evidence(std::string_view text, const std::string& source) {
  auto doc = json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded()) return Error{"not JSON", source, "an evidence file is one JSON document (hairpin.evidence/1)"};
  return evidence_from_json(doc, source);
}

Result<Evidence> load_evidence(const std::string& path) {
  auto text = read_whole_file(path);
  if (!text) return Error{"cannot read evidence file", path, "check the path"};
  return parse_evidence(text.value(), path);
}

}  // namespace hairpin::verifier
