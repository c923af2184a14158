// Lint rules over a parsed NVA config. Each rule is one function that appends
// findings; outbound policy is evaluated with the policy engine on sample routes.

#include "hairpin/bgpd/lint/config_lint.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

namespace hairpin::bgpd {

namespace {

using Findings = std::vector<Finding>;

const Ipv4Address kAnyNextHop{0xc0000201};  // 192.0.2.1: where a learned sample route came from

AsPath sequence(std::initializer_list<std::uint32_t> asns) {
  AsPath path;
  if (asns.size() > 0) path.segments.push_back(AsSegment{SegmentType::AsSequence, asns});
  return path;
}

PathAttributes learned(AsPath path) {
  PathAttributes attrs;
  attrs.origin = Origin::Igp;
  attrs.as_path = std::move(path);
  attrs.next_hop = kAnyNextHop;
  return attrs;
}

// Paths a route reaching the NVA can carry with 65515 in them: a VNet prefix from
// ARS, an on-premises one through the ExpressRoute gateway (MSEE 12076), prepends,
// and 65515 further down (a route from another NVA that learned it from ARS).
std::vector<AsPath> paths_with_ars_asn() {
  return {sequence({65515}),        sequence({65515, 65515}),        sequence({65515, 12076}),
          sequence({65515, 12076, 65100}), sequence({65100, 65515}), sequence({64512, 65515, 12076, 65100})};
}

// Paths without it, for comparing what the two ARS instances get.
std::vector<AsPath> paths_without_ars_asn() {
  return {sequence({65100}), sequence({64512, 65100}), sequence({12076, 65100})};
}

bool is_ars(const NeighborConfig& n) { return n.remote_as == kArsAsn; }
bool external(const BgpConfig& bgp, const NeighborConfig& n) { return n.remote_as != bgp.asn; }
bool sends(const NeighborConfig& n) { return n.activate && !n.shutdown; }

// The route as this NVA would send it to `n`, before its own AS is prepended and
// the next hop set, or nothing when it is not sent (as rib/export_policy.cpp).
std::optional<PathAttributes> outbound(const NvaConfig& cfg, const NeighborConfig& n, const Ipv4Prefix& prefix,
                                       const PathAttributes& attrs) {
  const BgpConfig& bgp = *cfg.bgp;
  if (!sends(n)) return std::nullopt;
  // RFC 8212 as FRR does it: no outbound policy on an eBGP session, nothing sent
  if (external(bgp, n) && bgp.ebgp_requires_policy && !n.route_map_out && !n.prefix_list_out) return std::nullopt;
  if (n.prefix_list_out) {
    auto pl = cfg.policy.prefix_lists.find(*n.prefix_list_out);
    if (pl == cfg.policy.prefix_lists.end() || pl->second.evaluate(prefix) == FilterAction::Deny) return std::nullopt;
  }
  if (!n.route_map_out) return attrs;
  // One context for every peer: outbound, `peer-address` is our end of the session.
  auto result = apply_route_map(cfg.policy, *n.route_map_out, prefix, attrs, PolicyContext{});
  if (result.action == FilterAction::Deny) return std::nullopt;
  return result.attributes;
}

// A `network` route as the RIB originates it (rib.cpp): IGP, empty path, MED 0,
// through the network's route-map.
std::optional<PathAttributes> originated(const NvaConfig& cfg, const NetworkStatement& net) {
  PathAttributes attrs;
  attrs.origin = Origin::Igp;
  attrs.as_path = AsPath{};
  attrs.next_hop = Ipv4Address{};
  attrs.med = 0;
  if (!net.route_map) return attrs;
  auto r = apply_route_map(cfg.policy, *net.route_map, net.prefix, attrs, PolicyContext{});
  if (r.action == FilterAction::Deny) return std::nullopt;
  return r.attributes;
}

// Prefixes worth trying a policy on: every prefix the config names (and the
// ends of each prefix-list range), and a few shapes ARS hands out.
std::vector<Ipv4Prefix> sample_prefixes(const NvaConfig& cfg) {
  std::set<Ipv4Prefix> out;
  for (const char* text : {"0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/16", "10.0.200.0/24", "172.16.0.0/12",
                           "192.168.0.0/16", "192.168.1.0/24", "10.2.3.4/32"})
    out.insert(*Ipv4Prefix::parse(text));
  for (const auto& [name, list] : cfg.policy.prefix_lists)
    for (const auto& e : list.entries) {
      out.insert(e.prefix);
      for (auto len : {e.ge, e.le})
        if (len) out.insert(Ipv4Prefix::covering(e.prefix.address, *len));
    }
  for (const auto& r : cfg.static_routes) out.insert(r.prefix);
  if (cfg.bgp)
    for (const auto& n : cfg.bgp->networks) out.insert(n.prefix);
  return {out.begin(), out.end()};
}

// Prefixes the NVA originates: for these its own route is the best path (FRR's
// local weight 32768 wins), so a learned path for the same prefix is never sent.
std::set<Ipv4Prefix> originated_prefixes(const NvaConfig& cfg) {
  std::set<Ipv4Prefix> out;
  for (const auto& net : cfg.bgp->networks)
    if (originated(cfg, net)) out.insert(net.prefix);
  return out;
}

std::string policy_name(const NeighborConfig& n) {
  std::string out;
  if (n.prefix_list_out) out = "prefix-list " + *n.prefix_list_out + " out";
  if (n.route_map_out) out += (out.empty() ? "" : " and ") + ("route-map " + *n.route_map_out + " out");
  return out.empty() ? "no outbound policy" : out;
}

Finding make(Severity s, int line, std::string rule, std::string what, std::string why, std::string fix) {
  return Finding{s, line, std::move(rule), std::move(what), std::move(why), std::move(fix)};
}

// ---- rule lo-prefix ------------------------------------------------------------

void lo_prefix(const NvaConfig& cfg, Findings& out) {
  for (const auto& a : cfg.interface_addresses) {
    if (a.interface != "lo" || a.length >= 32) continue;
    const Ipv4Prefix local = Ipv4Prefix::covering(a.address, a.length);
    std::string swallowed;
    for (const auto& r : cfg.static_routes)
      if (r.next_hop && local.contains(*r.next_hop))
        swallowed += "; the next hop " + r.next_hop->to_string() + " of line " + std::to_string(r.line) +
                     " is then the NVA itself, so " + r.prefix.to_string() + " is unreachable";
    // DESIGN.md Traps (measured)
    out.push_back(make(Severity::Error, a.line, "lo-prefix",
                       "address " + a.address.to_string() + "/" + std::to_string(a.length) + " on lo",
                       "Linux makes the whole prefix local ('local " + local.to_string() +
                           " dev lo table local'): every address in it without a more specific route, the subnet "
                           "gateway included, is the NVA itself, and once any ip rule un-merges the tables all of " +
                           local.to_string() + " is swallowed" + swallowed +
                           " (the built-in NVA does not apply this line; FRR does)",
                       "remove the address and originate the supernet with 'ip route " + local.to_string() +
                           " blackhole', which satisfies network import-check and drops what no more specific "
                           "route covers"));
  }
}

// ---- rule ebgp-no-policy -------------------------------------------------------

void ebgp_no_policy(const NvaConfig& cfg, Findings& out) {
  const BgpConfig& bgp = *cfg.bgp;
  for (const auto& n : bgp.neighbors) {
    if (!external(bgp, n) || !n.activate) continue;
    const bool in = n.route_map_in || n.prefix_list_in;
    const bool out_policy = n.route_map_out || n.prefix_list_out;
    const std::string peer = "eBGP neighbor " + n.address.to_string() + (is_ars(n) ? " (route server)" : "") +
                             (n.shutdown ? " (shut down)" : "");
    auto add = [&](const char* dir, const char* effect_on, const char* effect_off) {
      // A neighbor that is shut down carries nothing yet: the missing policy
      // matters the day someone enables it, so it is said, but not as an error.
      out.push_back(make(n.shutdown ? Severity::Warning : Severity::Error, n.line, "ebgp-no-policy",
                         peer + " has no " + dir + " policy",
                         std::string(n.shutdown ? "once enabled, " : "") + (bgp.ebgp_requires_policy
                             ? std::string("with ebgp-requires-policy (RFC 8212, FRR's default since 7.4) ") + effect_on
                             : (frr_defaults_since_7_4(cfg.frr_version)
                                    ? std::string("with 'no bgp ebgp-requires-policy' ")
                                    : "without ebgp-requires-policy (off by default before FRR 7.4; this config "
                                      "says frr version " + *cfg.frr_version + ") ") +
                                   effect_off),
                         std::string("add 'neighbor ") + n.address.to_string() + " route-map NAME " +
                             (dir[0] == 'i' ? "in" : "out") + "' under address-family ipv4 unicast and define NAME"));
    };
    // RFC 8212 3.1 / 3.2
    if (!in) add("inbound", "nothing from it is accepted: the NVA learns no VNet or on-premises routes",
                 "everything it sends is accepted unfiltered, bogons included");
    if (!out_policy)
      add("outbound", "nothing is advertised to it: the supernet never reaches the route servers",
          "everything is advertised to it, including routes that came from Azure (65515 in the path)");
  }
}

// ---- rule undefined-reference --------------------------------------------------

void undefined_reference(const ParsedConfig& parsed, Findings& out) {
  for (const auto& ref : parsed.references) {
    if (ref.defined(parsed.config.policy)) continue;
    const bool map = ref.kind == PolicyReference::Kind::RouteMap;
    out.push_back(make(Severity::Error, ref.line, "undefined-reference",
                       std::string(to_string(ref.kind)) + " " + ref.name + " is used but not defined",
                       map ? "FRR denies every route through an undefined route-map: the session carries nothing "
                             "in that direction"
                           : "a match on an undefined list never matches (on a neighbor, an undefined prefix-list "
                             "denies everything), so the policy does something other than it reads",
                       "define " + std::string(to_string(ref.kind)) + " " + ref.name + " or fix the name's spelling"));
  }
}

// ---- rule ars-65515-out --------------------------------------------------------

void ars_65515_out(const NvaConfig& cfg, const std::vector<Ipv4Prefix>& prefixes, Findings& out) {
  for (const auto& n : cfg.bgp->neighbors) {
    if (!is_ars(n) || !sends(n)) continue;
    std::optional<std::string> example;
    const auto own = originated_prefixes(cfg);
    for (const auto& path : paths_with_ars_asn()) {
      for (const auto& prefix : prefixes)
        if (!own.count(prefix) && outbound(cfg, n, prefix, learned(path))) {
          example = prefix.to_string() + " with AS path " + path.to_string();
          break;
        }
      if (example) break;
    }
    // Our own routes, after the network's and the neighbor's route-maps (a prepend of 65515).
    for (const auto& net : cfg.bgp->networks) {
      if (example) break;
      auto attrs = originated(cfg, net);
      auto sent = attrs ? outbound(cfg, n, net.prefix, *attrs) : std::nullopt;
      if (sent && sent->as_path && sent->as_path->contains(kArsAsn))
        example = "its own " + net.prefix.to_string() + " with AS path " + sent->as_path->to_string();
    }
    if (!example) continue;
    out.push_back(make(Severity::Error, n.line, "ars-65515-out",
                       "the outbound policy towards route server " + n.address.to_string() + " (" + policy_name(n) +
                           ") sends paths containing AS 65515, e.g. " + *example,
                       "ARS drops every route whose AS path contains its own AS 65515, and routes that came from "
                       "Azure must not be sent back to it",
                       "deny them first: 'bgp as-path access-list azure-asns permit _65515_' and, as the first entry "
                       "of the outbound route-map, 'route-map NAME deny 5' with 'match as-path azure-asns'"));
  }
}

// ---- rule ars-route-limit ------------------------------------------------------

void ars_route_limit(const NvaConfig& cfg, const LintOptions& options, Findings& out) {
  for (const auto& n : cfg.bgp->neighbors) {
    if (!is_ars(n) || !sends(n)) continue;
    std::set<Ipv4Prefix> sent;
    for (const auto& net : cfg.bgp->networks)
      if (auto attrs = originated(cfg, net); attrs && outbound(cfg, n, net.prefix, *attrs)) sent.insert(net.prefix);
    const auto count = static_cast<std::uint32_t>(sent.size());
    const std::uint32_t limit = options.ars_route_limit;
    const std::string counted = std::to_string(count) + " prefixes from network statements pass the outbound policy "
                                "towards route server " + n.address.to_string() + " (limit " + std::to_string(limit) + ")";
    const std::string learned_note =
        "; routes learned from other peers that the outbound policy passes come on top and cannot be known from the "
        "config";
    const std::string fix = "aggregate into fewer, shorter prefixes (one supernet is the design), or filter in the "
                            "outbound policy";
    if (count > limit) {
      out.push_back(make(Severity::Error, n.line, "ars-route-limit", counted,
                         "ARS tears the session down when one NVA peer sends more than its limit" + learned_note, fix));
    } else if (count > limit / 2) {
      // ARS counts the routes held plus those in each UPDATE: re-announcing unchanged routes counts them twice.
      out.push_back(make(Severity::Warning, n.line, "ars-route-limit", counted + ": more than half of it",
                         "ARS counts the routes it holds plus those in each UPDATE, so re-announcing unchanged routes "
                         "(a route refresh, a policy change) counts them twice and can tear the session down" +
                             learned_note,
                         fix));
    }
  }
}

// ---- rule ars-asymmetric -------------------------------------------------------

void ars_asymmetric(const NvaConfig& cfg, const std::vector<Ipv4Prefix>& prefixes, Findings& out) {
  std::vector<const NeighborConfig*> ars;
  for (const auto& n : cfg.bgp->neighbors)
    if (is_ars(n) && !n.shutdown) ars.push_back(&n);
  if (ars.size() < 2) return;
  // Sample routes: our own networks, and routes learned from a third peer.
  struct Sample {
    Ipv4Prefix prefix;
    PathAttributes attrs;
    std::string label;
  };
  std::vector<Sample> samples;
  for (const auto& net : cfg.bgp->networks)
    if (auto attrs = originated(cfg, net)) samples.push_back({net.prefix, *attrs, "its own " + net.prefix.to_string()});
  const auto own = originated_prefixes(cfg);
  for (const auto& paths : {paths_without_ars_asn(), paths_with_ars_asn()})
    for (const auto& path : paths)
      for (const auto& prefix : prefixes)
        if (!own.count(prefix))
          samples.push_back({prefix, learned(path), prefix.to_string() + " with AS path " + path.to_string()});

  const NeighborConfig& first = *ars.front();
  for (std::size_t i = 1; i < ars.size(); ++i) {
    const NeighborConfig& other = *ars[i];
    std::optional<std::string> difference;
    for (const auto& s : samples) {
      auto a = outbound(cfg, first, s.prefix, s.attrs);
      auto b = outbound(cfg, other, s.prefix, s.attrs);
      if (a == b) continue;
      difference = !a || !b ? s.label + " is sent to " + (a ? first : other).address.to_string() + " only"
                            : s.label + " is sent to both with different attributes";
      break;
    }
    const std::string both = first.address.to_string() + " and " + other.address.to_string();
    const std::string why = "ARS expects the same routes from an NVA on both instances; what one instance lacks "
                            "or sees differently it programs differently into the VNet";
    const std::string fix = "give both route servers the same outbound route-map and prefix-list (a peer-group "
                            "for the two keeps them equal), and activate both";
    if (difference) {
      out.push_back(make(Severity::Error, other.line, "ars-asymmetric",
                         "route servers " + both + " get different routes (" + policy_name(first) + " vs " +
                             policy_name(other) + "): " + *difference,
                         why, fix));
    } else if (first.route_map_out != other.route_map_out || first.prefix_list_out != other.prefix_list_out) {
      out.push_back(make(Severity::Warning, other.line, "ars-asymmetric",
                         "route servers " + both + " have different outbound policy (" + policy_name(first) + " vs " +
                             policy_name(other) + "), though it gives the same result on every sample route",
                         why + "; two policies drift apart with the next edit", fix));
    }
  }
}

// ---- rule blackhole-covers-ars -------------------------------------------------

struct Blackhole {
  Ipv4Prefix prefix;
  int line;
  std::string source;  // "ip route ... blackhole" or "network ..."
};

// Whether every address of `target` has a route more specific than `blackhole`
// that is not itself a blackhole; splits the target where routes cover it in parts.
bool covered(const Ipv4Prefix& target, const Ipv4Prefix& blackhole, const std::vector<Ipv4Prefix>& routes) {
  bool inside = false;
  for (const auto& r : routes) {
    if (r.length <= blackhole.length) continue;
    if (r.contains(target)) return true;
    if (target.contains(r)) inside = true;
  }
  if (!inside || target.length >= 32) return false;
  const auto len = static_cast<std::uint8_t>(target.length + 1);
  const Ipv4Prefix low{target.address, len};
  const Ipv4Prefix high{Ipv4Address{target.address.value | (1u << (32 - len))}, len};
  return covered(low, blackhole, routes) && covered(high, blackhole, routes);
}

void blackhole_covers_ars(const NvaConfig& cfg, const LintOptions& options, Findings& out) {
  // Routes that forward: static routes with a next hop or interface, and the
  // subnets of addresses on interfaces other than lo (their connected routes).
  std::vector<Ipv4Prefix> routes;
  for (const auto& r : cfg.static_routes)
    if (!r.blackhole) routes.push_back(r.prefix);
  for (const auto& a : cfg.interface_addresses)
    if (a.interface != "lo") routes.push_back(Ipv4Prefix::covering(a.address, a.length));

  std::vector<Blackhole> blackholes;
  for (const auto& r : cfg.static_routes)
    if (r.blackhole) blackholes.push_back({r.prefix, r.line, "ip route " + r.prefix.to_string() + " blackhole"});
  // The built-in NVA backs each `network` with a blackhole route of its own,
  // unless the config already routes the prefix.
  if (cfg.bgp)
    for (const auto& net : cfg.bgp->networks) {
      bool routed = std::any_of(cfg.static_routes.begin(), cfg.static_routes.end(),
                                [&](const StaticRoute& r) { return r.prefix == net.prefix; });
      if (!routed)
        blackholes.push_back({net.prefix, net.line, "network " + net.prefix.to_string() + " (backed by a blackhole)"});
    }

  struct Target {
    Ipv4Prefix prefix;
    std::string what, fix_route;
  };
  std::vector<Target> targets;
  if (cfg.bgp)
    for (const auto& n : cfg.bgp->neighbors)
      if (is_ars(n))
        targets.push_back({Ipv4Prefix{n.address, 32}, "route server " + n.address.to_string(),
                           "a route for the RouteServerSubnet, e.g. 'ip route " +
                               Ipv4Prefix::covering(n.address, 24).to_string() + " SUBNET-GATEWAY'"});
  if (options.gateway_subnet)
    targets.push_back({*options.gateway_subnet, "the GatewaySubnet " + options.gateway_subnet->to_string(),
                       "'ip route " + options.gateway_subnet->to_string() + " SUBNET-GATEWAY'"});

  for (const auto& b : blackholes)
    for (const auto& t : targets) {
      if (!b.prefix.contains(t.prefix) && !t.prefix.contains(b.prefix)) continue;
      const Ipv4Prefix overlap = b.prefix.contains(t.prefix) ? t.prefix : b.prefix;
      if (covered(overlap, b.prefix, routes)) continue;
      out.push_back(make(Severity::Error, b.line, "blackhole-covers-ars",
                         b.source + " also covers " + t.what + " and no more specific route leads there",
                         "the NVA must reach the route servers and the ExpressRoute gateway instances ARS hands "
                         "out as next hops (in the seed design 10.0.210.x and 10.0.200.x), both behind the "
                         "subnet gateway: inside the blackhole the sessions or the next hops fail",
                         "add " + t.fix_route + " (the NIC's subnet gateway: Azure's first host address of the "
                         "NVA's subnet, 10.0.0.1 in the seed)"));
    }
}

// ---- rule network-no-route ----------------------------------------------------

// FRR's `bgp network import-check` (on since 7.4): a `network` is advertised only
// while a route for exactly that prefix exists (static, connected).
void network_no_route(const NvaConfig& cfg, Findings& out) {
  const BgpConfig& bgp = *cfg.bgp;
  if (!bgp.network_import_check) return;
  for (const auto& net : bgp.networks) {
    bool routed = std::any_of(cfg.static_routes.begin(), cfg.static_routes.end(),
                              [&](const StaticRoute& r) { return r.prefix == net.prefix; }) ||
                  std::any_of(cfg.interface_addresses.begin(), cfg.interface_addresses.end(),
                              [&](const InterfaceAddress& a) { return Ipv4Prefix::covering(a.address, a.length) == net.prefix; });
    if (routed) continue;
    out.push_back(make(Severity::Warning, net.line, "network-no-route",
                       "network " + net.prefix.to_string() + " has no route for exactly that prefix in the config",
                       "with network import-check (FRR's default since 7.4) FRR does not advertise it until one exists, "
                       "so the route servers never get the supernet; the built-in NVA backs it with a blackhole route "
                       "itself",
                       "add 'ip route " + net.prefix.to_string() + " blackhole'"));
  }
}

// ---- rule reserved-asn ---------------------------------------------------------

void reserved_asn(const BgpConfig& bgp, Findings& out) {
  const std::uint32_t asn = bgp.asn;
  std::string reason;
  if (asn == 8074 || asn == 8075 || asn == 12076 || asn == 65515 || (asn >= 65517 && asn <= 65520))
    reason = "Azure reserves it (8074, 8075, 12076, 65515, 65517-65520): ARS refuses the peer or drops its routes";
  else if (asn == 23456 || (asn >= 64496 && asn <= 64511) || (asn >= 65535 && asn <= 65551))
    reason = "IANA reserves it (23456 AS_TRANS, 64496-64511 and 65536-65551 documentation, 65535)";
  else if (asn > 65535)
    reason = "it is a 4-octet ASN, and ARS takes 2-octet ASNs only";
  if (reason.empty()) return;
  out.push_back(make(Severity::Error, bgp.line, "reserved-asn", "local AS " + std::to_string(asn), reason,
                     "use a private 2-octet ASN that Azure does not reserve, e.g. 65001 (64512-65514)"));
}

// ---- rule ars-multihop ---------------------------------------------------------

void ars_multihop(const BgpConfig& bgp, Findings& out) {
  for (const auto& n : bgp.neighbors) {
    if (!is_ars(n) || n.ebgp_multihop) continue;
    out.push_back(make(Severity::Warning, n.line, "ars-multihop",
                       "route server " + n.address.to_string() + " (remote-as 65515) has no ebgp-multihop",
                       "ARS sits in its own subnet behind the subnet gateway, not on the NVA's link: with eBGP's "
                       "TTL of 1 the session does not come up in Azure",
                       "add 'neighbor " + n.address.to_string() + " ebgp-multihop 255'"));
  }
}

// ---- rule remote-as-external -----------------------------------------------------

void remote_as_external(const BgpConfig& bgp, Findings& out) {
  for (const auto& n : bgp.neighbors) {
    if (!n.remote_as_external) continue;
    out.push_back(make(Severity::Warning, n.line, "remote-as-external",
                       "neighbor " + n.address.to_string() + " has remote-as external",
                       "the session takes any AS but ours, so lint cannot tell whether this is a route server "
                       "(65515): the route-server rules (65515 towards ARS, its route limit, the two instances "
                       "alike, multihop) were not checked for it",
                       "write 'neighbor " + n.address.to_string() + " remote-as 65515' if it is a route server"));
  }
}

}  // namespace

const char* to_string(Severity severity) { return severity == Severity::Error ? "error" : "warning"; }

std::string Finding::message() const {
  std::string out = what;
  if (!why.empty()) out += ": " + why;
  if (!fix.empty()) out += ". Fix: " + fix;
  return out;
}

bool has_errors(const std::vector<Finding>& findings) {
  return std::any_of(findings.begin(), findings.end(), [](const Finding& f) { return f.severity == Severity::Error; });
}

std::vector<Finding> lint_config(const ParsedConfig& parsed, const LintOptions& options) {
  const NvaConfig& cfg = parsed.config;
  Findings out;
  // The parser's warnings, but for those a rule below says in full.
  for (const auto& w : parsed.warnings)
    if (w.kind == ConfigWarning::Kind::Other) out.push_back(make(Severity::Warning, w.line, "config", w.message, "", ""));
  lo_prefix(cfg, out);
  undefined_reference(parsed, out);
  blackhole_covers_ars(cfg, options, out);
  if (cfg.bgp) {
    const auto prefixes = sample_prefixes(cfg);
    reserved_asn(*cfg.bgp, out);
    ebgp_no_policy(cfg, out);
    ars_multihop(*cfg.bgp, out);
    remote_as_external(*cfg.bgp, out);
    network_no_route(cfg, out);
    ars_65515_out(cfg, prefixes, out);
    ars_route_limit(cfg, options, out);
    ars_asymmetric(cfg, prefixes, out);
  }
  std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) {
    if (a.line != b.line) return a.line < b.line;
    return a.severity == Severity::Error && b.severity != Severity::Error;
  });
  return out;
}

std::string lint_report_text(const std::string& file_name, const std::vector<Finding>& findings) {
  std::ostringstream out;
  std::size_t errors = 0, warnings = 0;
  for (const auto& f : findings) {
    (f.severity == Severity::Error ? errors : warnings) += 1;
    out << file_name << ':' << f.line << ": " << to_string(f.severity) << ": [" << f.rule << "] " << f.message()
        << '\n';
  }
  out << file_name << ": ";
  if (findings.empty()) {
    out << "no findings\n";
  } else {
    out << errors << (errors == 1 ? " error, " : " errors, ") << warnings << (warnings == 1 ? " warning" : " warnings")
        << '\n';
  }
  return out.str();
}

std::string lint_report_json(const std::string& file_name, const std::vector<Finding>& findings) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& f : findings)
    out.push_back({{"file", file_name},
                   {"line", f.line},
                   {"severity", to_string(f.severity)},
                   {"rule", f.rule},
                   {"message", f.message()},
                   {"what", f.what},
                   {"why", f.why},
                   {"fix", f.fix}});
  return out.dump(2) + "\n";
}

}  // namespace hairpin::bgpd
