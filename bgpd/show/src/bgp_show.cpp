// JSON and text for `bgp show`, shaped after FRR's `show bgp ... json`:
//   summary  -> {"ipv4Unicast": {"routerId", "as", "peers": {ADDR: {"remoteAs",
//               "state", "pfxRcd", "pfxSnt", "announcementsSent", "lastNotification"}},
//               "fib": {"installed", "held", "heldUnresolved", "heldByFib", "refused",
//               "staleAtStart", "swept", "nexthopObjects", "batches", "requests"}}}
//   routes   -> {"routerId", "localAS", "routes": {PREFIX: [{"valid", "bestpath",
//               "multipath", "network", "nexthops": [{"ip", "accessible"}], "path",
//               "origin", "metric", "locPrf", "weight", "peerId", "bestReason",
//               "fibInstalled", "fibHeld": {"reason", "detail"}}]}}
//   A held route (wanted, not in the kernel) says why: a path whose next hop does
//   not resolve has "accessible": false and fibHeld {"reason": "unresolved",
//   "detail": "next hop 10.0.200.12 unresolved"}; a best path the FIB holds has
//   "fibInstalled": false and the FIB's reason.
//   neighbors X advertised-routes|received-routes -> {"advertisedRoutes"|"receivedRoutes":
//               {PREFIX: {"addrPrefix", "prefixLen", "nextHop", "metric", "locPrf",
//               "path", "origin", "communities"}}, "totalPrefixCounter"}

#include "hairpin/bgpd/show/bgp_show.hpp"

#include <cstdarg>
#include <cstdio>
#include <map>
#include <sstream>

namespace hairpin::bgpd {

using nlohmann::json;

namespace {

std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

const char* hold_reason_name(FibHoldReason r) {
  switch (r) {
    case FibHoldReason::Unresolved: return "unresolved";
    case FibHoldReason::OtherProtocol: return "other-protocol";
    case FibHoldReason::KernelRefused: return "kernel-refused";
  }
  return "unknown";
}

const char* origin_name(std::optional<Origin> o) {
  switch (o.value_or(Origin::Incomplete)) {
    case Origin::Igp: return "IGP";
    case Origin::Egp: return "EGP";
    case Origin::Incomplete: return "incomplete";
  }
  return "incomplete";
}

char origin_code(const std::string& name) { return name == "IGP" ? 'i' : name == "EGP" ? 'e' : '?'; }

json attributes_json(const Ipv4Prefix& prefix, const PathAttributes& a) {
  json j;
  j["addrPrefix"] = prefix.address.to_string();
  j["prefixLen"] = prefix.length;
  j["nextHop"] = a.next_hop.value_or(Ipv4Address{}).to_string();
  if (a.med) j["metric"] = *a.med;
  if (a.local_pref) j["locPrf"] = *a.local_pref;
  j["path"] = a.as_path.value_or(AsPath{}).to_string();
  j["origin"] = origin_name(a.origin);
  if (!a.communities.empty()) j["communities"] = communities_to_string(a.communities);
  if (!a.large_communities.empty()) {
    std::string lc;
    for (const auto& c : a.large_communities) lc += (lc.empty() ? "" : " ") + c.to_string();
    j["largeCommunities"] = lc;
  }
  return j;
}

// One path of `show bgp ipv4 unicast json`. As FRR does, the flags "valid",
// "bestpath" and "multipath" appear only when true; the best path also says why
// it won ("bestReason").
json path_json(const Ipv4Prefix& prefix, const RibPath& p, const LocRibEntry* best, const FibHeldRoute* held) {
  const json r = attributes_json(prefix, *p.attributes);
  json path;
  if (p.valid) path["valid"] = true;
  if (p.best) path["bestpath"] = true;
  if (p.multipath) path["multipath"] = true;
  path["network"] = prefix.to_string();
  const auto nh = p.local ? Ipv4Address{} : p.attributes->next_hop.value_or(Ipv4Address{});
  json hop{{"ip", nh.to_string()}};
  // RFC 4271 9.1.2.1: a path whose NEXT_HOP does not resolve is not eligible;
  // FRR says "inaccessible" (JSON "accessible": false).
  if (!p.local) hop["accessible"] = p.valid;
  path["nexthops"] = json::array({hop});
  path["path"] = r["path"];
  path["origin"] = r["origin"];
  for (const char* key : {"metric", "locPrf", "communities", "largeCommunities"})
    if (r.contains(key)) path[key] = r[key];
  path["weight"] = p.local ? best->weight : 0;
  path["peerId"] = p.local ? "(unspec)" : p.from.to_string();
  if (p.best) path["bestReason"] = to_string(best->decided_by);
  if (!p.local && !p.valid && best == nullptr)  // no path to install: the route is held
    path["fibHeld"] = {{"reason", "unresolved"}, {"detail", "next hop " + nh.to_string() + " unresolved"}};
  if (held && (p.best || (p.local && held->source != FibSource::Bgp))) {
    path["fibInstalled"] = false;
    path["fibHeld"] = {{"reason", hold_reason_name(held->reason)}, {"detail", held->detail}};
  }
  return path;
}

std::string line(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string line(const char* fmt, ...) {
  char buf[512];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, args);
  va_end(args);
  return std::string(buf) + "\n";
}

std::string num_or_blank(const json& j, const char* key) {
  return j.contains(key) ? std::to_string(j[key].get<std::uint64_t>()) : "";
}

}  // namespace

json answer_show_request(const std::string& request, const ShowContext& ctx) {
  auto w = words(request);
  if (w.size() == 1 && w[0] == "summary") {
    json peers = json::object();
    for (const auto& n : ctx.neighbors) {
      json p;
      p["remoteAs"] = n.remote_as;
      p["state"] = to_string(n.state);
      // Counts come from the RIB itself, the one place that holds the routes.
      const auto counts = ctx.rib->counts(n.address).value_or(RibPeerCounts{});
      p["pfxRcd"] = counts.accepted;  // FRR's pfxRcd counts what passed inbound policy
      p["pfxSnt"] = counts.advertised;
      p["announcementsSent"] = counts.announcements;
      if (n.last_notification) p["lastNotification"] = *n.last_notification;
      peers[n.address.to_string()] = p;
    }
    json summary{{"routerId", ctx.router_id.to_string()}, {"as", ctx.local_as}, {"peers", peers}};
    if (ctx.fib) {
      // Held: prefixes with paths but none whose next hop resolves (kept in the
      // RIB, installed when the FIB reports the next hop), plus the FIB's own holds.
      std::size_t unresolved = 0;
      ctx.rib->for_each_prefix_paths([&](const Ipv4Prefix&, const std::vector<RibPath>&, const LocRibEntry* best) {
        unresolved += best == nullptr;
      });
      const auto& f = *ctx.fib;
      summary["fib"] = {{"installed", f.installed},         {"held", f.held + unresolved},
                        {"heldUnresolved", unresolved},      {"heldByFib", f.held},
                        {"refused", f.refused},              {"staleAtStart", f.stale_at_start},
                        {"swept", f.swept},                  {"nexthopObjects", f.nexthop_objects},
                        {"batches", f.batches},              {"requests", f.requests}};
    }
    return json{{"ipv4Unicast", summary}};
  }
  if (w.size() == 1 && w[0] == "routes") {
    json routes = json::object();
    std::map<Ipv4Prefix, std::vector<const FibHeldRoute*>> held;
    for (const auto& h : ctx.fib_held) held[h.prefix].push_back(&h);
    ctx.rib->for_each_prefix_paths([&](const Ipv4Prefix& prefix, const std::vector<RibPath>& paths,
                                       const LocRibEntry* best) {
      json list = json::array();
      const FibHeldRoute* bgp_held = nullptr;
      const FibHeldRoute* local_held = nullptr;
      if (auto it = held.find(prefix); it != held.end())
        for (const auto* h : it->second) (h->source == FibSource::Bgp ? bgp_held : local_held) = h;
      for (const auto& p : paths) list.push_back(path_json(prefix, p, best, p.local ? local_held : bgp_held));
      routes[prefix.to_string()] = std::move(list);
    });
    return json{{"routerId", ctx.router_id.to_string()}, {"localAS", ctx.local_as}, {"routes", routes}};
  }
  if (w.size() == 3 && w[0] == "neighbors" && (w[2] == "advertised-routes" || w[2] == "received-routes")) {
    auto addr = Ipv4Address::parse(w[1]);
    bool advertised = w[2] == "advertised-routes";
    json routes = json::object();
    std::size_t total = 0;
    auto add = [&](const Ipv4Prefix& prefix, const AttrRef& attrs) {
      routes[prefix.to_string()] = attributes_json(prefix, *attrs);
      ++total;
    };
    bool known = addr && (advertised ? ctx.rib->for_each_advertised(*addr, add) : ctx.rib->for_each_received(*addr, add));
    if (!known) return json{{"error", "no neighbor " + w[1] + " in the config"}};
    return json{{advertised ? "advertisedRoutes" : "receivedRoutes", routes},
                {"totalPrefixCounter", total},
                {"routerId", ctx.router_id.to_string()},
                {"localAS", ctx.local_as}};
  }
  return json{{"error", "unknown request '" + request +
                            "'; use: summary | routes | neighbors A.B.C.D advertised-routes|received-routes"}};
}

std::string answer_control_request(const std::string& request, const ShowContext& ctx) {
  // An unknown request is echoed in the error; dump() threw on bytes that are not
  // UTF-8 (json type_error 316), which ended the daemon from its control socket
  // handler (found by tests/fuzz control_request). Invalid bytes become U+FFFD.
  return answer_show_request(request, ctx).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string show_text(const std::string& request, const json& a) {
  if (a.contains("error")) return a["error"].get<std::string>() + "\n";
  auto w = words(request);
  std::string out;
  if (w.size() == 1 && w[0] == "summary") {
    const auto& s = a["ipv4Unicast"];
    out += "IPv4 Unicast Summary:\n";
    out += "BGP router identifier " + s["routerId"].get<std::string>() + ", local AS number " +
           std::to_string(s["as"].get<std::uint32_t>()) + "\n\n";
    out += line("%-16s %1s %10s %-14s %8s %10s", "Neighbor", "V", "AS", "State/PfxRcd", "PfxSnt", "Announced");
    for (const auto& [addr, p] : s["peers"].items()) {
      std::string state = p["state"].get<std::string>();
      if (state == "Established") state = std::to_string(p["pfxRcd"].get<std::uint64_t>());
      out += line("%-16s %1s %10u %-14s %8llu %10llu", addr.c_str(), "4", p["remoteAs"].get<std::uint32_t>(),
                  state.c_str(), static_cast<unsigned long long>(p["pfxSnt"].get<std::uint64_t>()),
                  static_cast<unsigned long long>(p["announcementsSent"].get<std::uint64_t>()));
    }
    out += "\nTotal number of neighbors " + std::to_string(s["peers"].size()) + "\n";
    if (s.contains("fib")) {
      const auto& f = s["fib"];
      auto n = [&](const char* k) { return std::to_string(f[k].get<std::uint64_t>()); };
      out += "FIB: " + n("installed") + " installed, " + n("held") + " held (" + n("heldUnresolved") +
             " next hop unresolved, " + n("heldByFib") + " by the FIB), " + n("refused") + " refused, " +
             n("staleAtStart") + " stale at start, " + n("swept") + " swept, nexthop objects " +
             (f["nexthopObjects"].get<bool>() ? "yes" : "no") + "\n";
    }
    return out;
  }
  auto header = [&](const json& j) {
    std::string h = "BGP table, local router ID is " + j["routerId"].get<std::string>() + "\n";
    h += "Default local pref 100, local AS " + std::to_string(j["localAS"].get<std::uint32_t>()) + "\n";
    h += "Status codes:  * valid, > best, = multipath\n";
    h += "Origin codes:  i - IGP, e - EGP, ? - incomplete\n\n";
    h += line("   %-16s %-19s %6s %6s %6s %s", "Network", "Next Hop", "Metric", "LocPrf", "Weight", "Path");
    return h;
  };
  auto row = [&](const char* status, const std::string& network, const std::string& next_hop, const json& r,
                 std::uint32_t weight) {
    std::string path = r["path"].get<std::string>();
    std::string tail = path.empty() ? std::string(1, origin_code(r["origin"].get<std::string>()))
                                    : path + " " + origin_code(r["origin"].get<std::string>());
    return line("%-3s%-16s %-19s %6s %6s %6u %s", status, network.c_str(), next_hop.c_str(),
                num_or_blank(r, "metric").c_str(), num_or_blank(r, "locPrf").c_str(), weight, tail.c_str());
  };
  if (w.size() == 1 && w[0] == "routes") {
    out += header(a);
    std::size_t total_paths = 0;
    for (const auto& [prefix, paths] : a["routes"].items()) {
      for (std::size_t i = 0; i < paths.size(); ++i) {
        const auto& p = paths[i];
        // FRR's status column: '*' valid, '>' best, '=' multipath.
        std::string status = p.value("valid", false) ? "*" : " ";
        status += p.value("bestpath", false) ? ">" : p.value("multipath", false) ? "=" : " ";
        out += row(status.c_str(), i == 0 ? prefix : "", p["nexthops"][0]["ip"].get<std::string>(), p,
                   p["weight"].get<std::uint32_t>());
      }
      // Why the route is not in the kernel, under its rows (FRR: "inaccessible").
      for (const auto& p : paths)
        if (p.contains("fibHeld"))
          out += "      not installed: " + p["fibHeld"]["detail"].get<std::string>() + "\n";
      total_paths += paths.size();
    }
    out += "\nDisplayed " + std::to_string(a["routes"].size()) + " routes and " + std::to_string(total_paths) +
           " total paths\n";
    return out;
  }
  const char* key = a.contains("advertisedRoutes") ? "advertisedRoutes" : "receivedRoutes";
  out += header(a);
  for (const auto& [prefix, r] : a[key].items()) out += row("*>", prefix, r["nextHop"].get<std::string>(), r, 0);
  out += "\nTotal number of prefixes " + std::to_string(a["totalPrefixCounter"].get<std::uint64_t>()) + "\n";
  return out;
}

}  // namespace hairpin::bgpd
