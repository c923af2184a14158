#include "hairpin/verifier/evidence/evidence_parsers.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <map>

namespace hairpin::verifier {

namespace {

using nlohmann::json;

// A parse failure: which tool's output, what was wrong, and what to look at.
Error bad(std::string_view tool, std::string what, std::string fix) {
  return Error{std::string(tool) + ": " + std::move(what), "", std::move(fix)};
}

Result<json> parse_json(std::string_view text, std::string_view tool) {
  auto doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    std::string head(text.substr(0, 80));
    std::replace(head.begin(), head.end(), '\n', ' ');
    return bad(tool, "output is not JSON (starts '" + head + "')",
               "run the command by hand; an error message instead of JSON means the daemon or tool failed");
  }
  return doc;
}

std::optional<Ipv4Address> address_field(const json& o, const char* key) {
  if (!o.is_object() || !o.contains(key) || !o[key].is_string()) return std::nullopt;
  return Ipv4Address::parse(o[key].get<std::string>());
}

template <typename T>
std::optional<T> number_field(const json& o, const char* key) {
  if (!o.is_object() || !o.contains(key) || !o[key].is_number()) return std::nullopt;
  return o[key].get<T>();
}

std::string string_field(const json& o, const char* key) {
  if (!o.is_object() || !o.contains(key) || !o[key].is_string()) return "";
  return o[key].get<std::string>();
}

bool bool_field(const json& o, const char* key) {
  return o.is_object() && o.contains(key) && o[key].is_boolean() && o[key].get<bool>();
}

// "65515 12076 65100", "{65001,65002} 65100" (AS_SET flattened), "" (local).
std::vector<std::uint32_t> parse_as_path(const std::string& text) {
  std::vector<std::uint32_t> out;
  std::uint64_t n = 0;
  bool in_number = false;
  for (char c : text + " ") {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      n = n * 10 + static_cast<unsigned>(c - '0');
      in_number = true;
    } else {
      if (in_number && n <= 0xffffffffULL) out.push_back(static_cast<std::uint32_t>(n));
      n = 0;
      in_number = false;
    }
  }
  return out;
}

Result<Ipv4Prefix> prefix_key(const std::string& key, std::string_view tool) {
  auto p = Ipv4Prefix::parse(key);
  if (!p) return bad(tool, "route key '" + key + "' is not an IPv4 prefix", "is this the ipv4 unicast table?");
  return *p;
}

}  // namespace

Result<BgpSummary> parse_bgp_summary_json(std::string_view text) {
  constexpr std::string_view tool = "bgp summary json";
  auto doc = parse_json(text, tool);
  if (!doc) return doc.error();
  const json& root = *doc;
  if (root.is_object() && root.contains("error") && root["error"].is_string())
    return bad(tool, root["error"].get<std::string>(), "check the NVA's BGP configuration");
  // `show bgp summary json` wraps the address family; `show bgp ipv4 unicast summary json` does not.
  const json* s = &root;
  if (root.is_object() && root.contains("ipv4Unicast")) s = &root["ipv4Unicast"];
  if (!s->is_object() || !s->contains("peers"))
    return bad(tool, "no 'peers' (and no 'ipv4Unicast') object",
               "is bgpd running with an ipv4 unicast neighbor configured?");
  BgpSummary out;
  out.router_id = address_field(*s, "routerId");
  out.local_as = number_field<std::uint32_t>(*s, "as").value_or(0);
  for (const auto& [addr, p] : (*s)["peers"].items()) {
    auto a = Ipv4Address::parse(addr);
    if (!a) continue;  // IPv6 or interface neighbors: not this design's
    PeerState peer;
    peer.address = *a;
    peer.remote_as = number_field<std::uint32_t>(p, "remoteAs").value_or(0);
    peer.state = string_field(p, "state");
    if (peer.state.empty()) return bad(tool, "peer " + addr + " has no 'state'", "compare with FRR 8.4's summary json");
    peer.uptime_ms = number_field<std::int64_t>(p, "peerUptimeMsec");
    peer.prefixes_received = number_field<std::uint64_t>(p, "pfxRcd");
    peer.prefixes_sent = number_field<std::uint64_t>(p, "pfxSnt");
    if (auto n = string_field(p, "lastNotification"); !n.empty()) peer.last_error = n;
    else if (auto r = string_field(p, "lastResetDueTo"); !r.empty()) peer.last_error = r;
    out.peers.push_back(std::move(peer));
  }
  return out;
}

Result<std::vector<BgpRoute>> parse_bgp_peer_routes_json(std::string_view text) {
  constexpr std::string_view tool = "bgp neighbor routes json";
  // FRR prints nothing at all for a neighbor with no routes in some states.
  if (std::all_of(text.begin(), text.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); }))
    return std::vector<BgpRoute>{};
  auto doc = parse_json(text, tool);
  if (!doc) return doc.error();
  const json& root = *doc;
  if (!root.is_object()) return bad(tool, "not a JSON object", "compare with FRR 8.4's advertised-routes json");
  if (root.contains("error") && root["error"].is_string())
    return bad(tool, root["error"].get<std::string>(), "is the neighbor configured on the NVA?");
  const json* routes = nullptr;
  for (const char* key : {"advertisedRoutes", "receivedRoutes", "routes"})
    if (root.contains(key) && root[key].is_object()) routes = &root[key];
  std::vector<BgpRoute> out;
  // FRR answers a neighbor that is not up (or has nothing) with {} or {"warning": ...}.
  if (!routes) return out;
  for (const auto& [key, r] : routes->items()) {
    auto p = prefix_key(key, tool);
    if (!p) return p.error();
    BgpRoute route;
    route.prefix = *p;
    route.as_path = parse_as_path(string_field(r, "path"));
    route.next_hop = address_field(r, "nextHop");
    route.origin = string_field(r, "origin");
    // FRR 8.4's adj-RIB views give only the one-letter code.
    if (route.origin.empty()) {
      const auto code = string_field(r, "bgpOriginCode");
      route.origin = code == "i" ? "IGP" : code == "e" ? "EGP" : code == "?" ? "incomplete" : "";
    }
    out.push_back(std::move(route));
  }
  return out;
}

Result<std::vector<LearnedRoute>> parse_bgp_table_json(std::string_view text) {
  constexpr std::string_view tool = "bgp table json";
  auto doc = parse_json(text, tool);
  if (!doc) return doc.error();
  const json& root = *doc;
  if (root.is_object() && root.contains("error") && root["error"].is_string())
    return bad(tool, root["error"].get<std::string>(), "check the NVA's BGP configuration");
  if (!root.is_object() || !root.contains("routes") || !root["routes"].is_object())
    return bad(tool, "no 'routes' object", "compare with FRR 8.4's 'show bgp ipv4 unicast json'");
  std::vector<LearnedRoute> out;
  for (const auto& [key, paths] : root["routes"].items()) {
    auto p = prefix_key(key, tool);
    if (!p) return p.error();
    if (!paths.is_array()) return bad(tool, "route " + key + " is not a list of paths", "compare with FRR 8.4");
    for (const auto& path : paths) {
      LearnedRoute r;
      r.prefix = *p;
      r.as_path = parse_as_path(string_field(path, "path"));
      r.best = bool_field(path, "bestpath");
      r.valid = bool_field(path, "valid");
      const std::string peer = string_field(path, "peerId");
      // FRR: "(unspec)" for a path the NVA originates (network, redistribute).
      if (auto a = Ipv4Address::parse(peer); a && peer != "0.0.0.0") r.from_peer = *a;
      bool accessible_known = false, accessible = true;
      if (path.contains("nexthops") && path["nexthops"].is_array() && !path["nexthops"].empty()) {
        const auto& nh = path["nexthops"][0];
        r.next_hop = address_field(nh, "ip");
        if (nh.contains("accessible") && nh["accessible"].is_boolean()) {
          accessible_known = true;
          accessible = nh["accessible"].get<bool>();
        }
      }
      // RFC 4271 9.1.2.1: a route whose NEXT_HOP cannot be resolved is not
      // eligible; FRR leaves such paths without "valid" (and, in detail views,
      // marks the next hop "accessible": false).
      if (r.local()) {
        r.resolution = NextHopResolution::Resolved;
      } else if (accessible_known) {
        r.resolution = accessible ? NextHopResolution::Resolved : NextHopResolution::Unresolved;
        if (!accessible) r.why = "next hop " + (r.next_hop ? r.next_hop->to_string() : "?") + " not accessible";
      } else {
        r.resolution = r.valid ? NextHopResolution::Resolved : NextHopResolution::Unresolved;
        if (!r.valid) r.why = "path not valid: next hop " + (r.next_hop ? r.next_hop->to_string() : "?") + " not resolved";
      }
      out.push_back(std::move(r));
    }
  }
  return out;
}

Result<std::vector<FibRoute>> parse_ip_route_json(std::string_view text) {
  constexpr std::string_view tool = "ip -j route";
  auto doc = parse_json(text, tool);
  if (!doc) return doc.error();
  if (!doc->is_array()) return bad(tool, "not a JSON array", "run 'ip -4 -j route show table all'");
  std::vector<FibRoute> out;
  for (const auto& r : *doc) {
    std::string dst = string_field(r, "dst");
    if (dst == "default") dst = "0.0.0.0/0";
    if (dst.find('/') == std::string::npos) dst += "/32";  // iproute2 prints host routes bare
    auto p = Ipv4Prefix::parse(dst);
    if (!p) continue;  // IPv6, multicast tables' odd entries: not ours
    FibRoute f;
    f.prefix = *p;
    f.type = string_field(r, "type");
    if (f.type.empty()) f.type = "unicast";  // iproute2 omits the default type
    if (r.contains("table")) f.table = r["table"].is_string() ? r["table"].get<std::string>() : r["table"].dump();
    if (f.table.empty()) f.table = "main";
    f.device = string_field(r, "dev");
    f.gateway = address_field(r, "gateway");
    f.protocol = string_field(r, "protocol");
    out.push_back(std::move(f));
  }
  return out;
}

Result<Trace> parse_trace_json(std::string_view text) {
  constexpr std::string_view tool = "hairpin trace --json";
  auto doc = parse_json(text, tool);
  if (!doc) return doc.error();
  const json& j = *doc;
  if (!j.is_object() || string_field(j, "schema") != "hairpin.trace/1")
    return bad(tool, "not a hairpin.trace/1 document", "use the output of 'hairpin trace --json'");
  Trace t;
  auto src = address_field(j, "source_ip");
  auto dst = address_field(j, "target_ip");
  if (!src || !dst) return bad(tool, "no source_ip / target_ip", "use the output of 'hairpin trace --json'");
  t.source = *src;
  t.target = *dst;
  t.port = number_field<std::uint16_t>(j, "port").value_or(0);
  t.nonce = number_field<std::uint16_t>(j, "nonce").value_or(0);
  if (j.contains("source_ports") && j["source_ports"].is_array())
    for (const auto& p : j["source_ports"]) t.source_ports.push_back(p.get<std::uint16_t>());
  t.reached = bool_field(j, "reached");
  t.final_ttl = number_field<int>(j, "final_ttl");
  if (!j.contains("hops") || !j["hops"].is_array()) return bad(tool, "no 'hops' list", "use the output of 'hairpin trace --json'");
  for (const auto& h : j["hops"]) {
    TraceHop hop;
    hop.ttl = number_field<int>(h, "ttl").value_or(0);
    hop.responder = address_field(h, "responder");
    if (h.contains("other_responders") && h["other_responders"].is_array())
      for (const auto& o : h["other_responders"])
        if (auto a = o.is_string() ? Ipv4Address::parse(o.get<std::string>()) : std::nullopt) hop.other_responders.push_back(*a);
    if (h.contains("rtt_ms") && h["rtt_ms"].is_object()) hop.rtt_ms = number_field<double>(h["rtt_ms"], "best");
    hop.sent = number_field<int>(h, "sent").value_or(0);
    hop.received = number_field<int>(h, "received").value_or(0);
    if (auto u = string_field(h, "unreachable"); !u.empty()) hop.unreachable = u;
    if (h.contains("probes") && h["probes"].is_array())
      for (const auto& p : h["probes"])
        if (auto reply = string_field(p, "reply"); !reply.empty()) {
          hop.reply = reply;
          break;
        }
    t.hops.push_back(std::move(hop));
  }
  return t;
}

Trace trace_send_failure(Ipv4Address source, Ipv4Address target, std::uint16_t port, std::string error_line) {
  Trace t;
  t.source = source;
  t.target = target;
  t.port = port;
  t.send_error = std::move(error_line);
  return t;
}

std::optional<std::string> trace_no_route_error(std::string_view stderr_text) {
  // hairpin trace: "trace: no route to 10.200.0.4 (Network is unreachable); check `ip route get 10.200.0.4`"
  std::size_t start = 0;
  while (start < stderr_text.size()) {
    auto end = stderr_text.find('\n', start);
    if (end == std::string_view::npos) end = stderr_text.size();
    auto line = stderr_text.substr(start, end - start);
    if (line.find("no route to") != std::string_view::npos || line.find("Network is unreachable") != std::string_view::npos)
      return std::string(line);
    start = end + 1;
  }
  return std::nullopt;
}

Result<std::vector<CaptureDirection>> parse_analyze_json(std::string_view text) {
  constexpr std::string_view tool = "hairpin analyze --json";
  auto doc = parse_json(text, tool);
  if (!doc) return doc.error();
  const json& j = *doc;
  if (!j.is_object() || string_field(j, "schema") != "hairpin.analyze/1")
    return bad(tool, "not a hairpin.analyze/1 document", "use the output of 'hairpin analyze --json --trace ...'");
  std::string mac = j.contains("nva") ? string_field(j["nva"], "mac") : "";
  std::vector<CaptureDirection> out;
  if (!j.contains("traces") || !j["traces"].is_array()) return out;
  for (const auto& t : j["traces"]) {
    CaptureDirection d;
    auto src = address_field(t, "source");
    auto dst = address_field(t, "target");
    if (!src || !dst) return bad(tool, "a trace without source / target", "use hairpin analyze's own output");
    d.source = *src;
    d.target = *dst;
    d.nva_mac = mac;
    d.reached = number_field<std::uint64_t>(t, "reached").value_or(0);
    d.reached_proven = number_field<std::uint64_t>(t, "reached_proven").value_or(0);
    if (t.contains("probes") && t["probes"].is_array())
      for (const auto& p : t["probes"]) {
        ProbeCrossing c;
        c.id = number_field<int>(p, "id").value_or(0);
        c.ttl = number_field<int>(p, "ttl").value_or(0);
        c.reply = string_field(p, "reply");
        c.entered = bool_field(p, "entered");
        c.left = bool_field(p, "left");
        c.ttl_in = number_field<int>(p, "ttl_in");
        c.ttl_out = number_field<int>(p, "ttl_out");
        c.reply_entered = bool_field(p, "reply_entered");
        c.reply_left = bool_field(p, "reply_left");
        ++d.probes_sent;
        d.probes_entered += c.entered;
        // The analysis pairs an egress copy only when its TTL is exactly one less (RFC 791).
        d.probes_left += c.entered && c.left && c.ttl_in && c.ttl_out && *c.ttl_out + 1 == *c.ttl_in;
        d.replies_entered += c.reply_entered;
        d.replies_left += c.reply_left;
        d.probes.push_back(c);
      }
    if (j.contains("directions") && j["directions"].is_array())
      for (const auto& dir : j["directions"])
        if (address_field(dir, "src") == d.source && address_field(dir, "dst") == d.target) {
          d.packets_in = number_field<std::uint64_t>(dir, "packets_in").value_or(0);
          d.packets_out = number_field<std::uint64_t>(dir, "packets_out").value_or(0);
          d.unmatched = number_field<std::uint64_t>(dir, "unmatched").value_or(0);
          d.ttl_expired = number_field<std::uint64_t>(dir, "ttl_expired").value_or(0);
        }
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace hairpin::verifier
