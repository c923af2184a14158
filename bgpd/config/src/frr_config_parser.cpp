// FRR-config subset parser. FRR reads its config as commands, not as an indented
// tree: a line that the current node does not know is retried in the parent node
// (lib/command.c, config_from_file). This parser does the same with a node stack,
// so indentation and "!" are cosmetic, as in FRR.

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <sstream>

#include "hairpin/bgpd/config/config.hpp"

namespace hairpin::bgpd {

const char* to_string(PolicyReference::Kind kind) {
  switch (kind) {
    case PolicyReference::Kind::RouteMap: return "route-map";
    case PolicyReference::Kind::PrefixList: return "prefix-list";
    case PolicyReference::Kind::AsPathList: return "as-path access-list";
    case PolicyReference::Kind::CommunityList: return "community-list";
  }
  return "?";
}

bool PolicyReference::defined(const PolicySet& policy) const {
  switch (kind) {
    case Kind::RouteMap: return policy.route_maps.count(name) > 0;
    case Kind::PrefixList: return policy.prefix_lists.count(name) > 0;
    case Kind::AsPathList: return policy.as_path_lists.count(name) > 0;
    case Kind::CommunityList: return policy.community_lists.count(name) > 0;
  }
  return false;
}

const NeighborConfig* BgpConfig::neighbor(Ipv4Address address) const {
  for (const auto& n : neighbors)
    if (n.address == address) return &n;
  return nullptr;
}

namespace {

enum class Node { Config, Interface, RouterBgp, AddressFamily, OtherAddressFamily, RouteMap, Line };

using Words = std::vector<std::string>;

Words split(std::string_view line) {
  Words out;
  std::istringstream in{std::string(line)};
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

std::string join(const Words& w, std::size_t from) {
  std::string out;
  for (std::size_t i = from; i < w.size(); ++i) {
    if (i > from) out += ' ';
    out += w[i];
  }
  return out;
}

template <typename T>
std::optional<T> number(const std::string& text, T max = std::numeric_limits<T>::max()) {
  std::uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || ptr != text.data() + text.size() || text.empty() || v > max) return std::nullopt;
  return static_cast<T>(v);
}

class Parser {
 public:
  Parser(std::string file) : file_(std::move(file)) {}

  Result<ParsedConfig> run(std::string_view text);

 private:
  // Each handler returns true if the line belongs to its node; on error it sets error_.
  bool config_line(const Words& w);
  bool interface_line(const Words& w);
  bool bgp_line(const Words& w);
  bool af_line(const Words& w);
  bool neighbor_line(const Words& w, bool in_af);
  bool route_map_line(const Words& w);
  bool line_vty_line(const Words& w);

  void fail(std::string what, std::string fix) {
    if (!error_) error_ = Error{std::move(what), file_ + ":" + std::to_string(line_), std::move(fix)};
  }
  void warn(std::string message, ConfigWarning::Kind kind = ConfigWarning::Kind::Other) {
    out_.warnings.push_back({line_, std::move(message), kind});
  }
  std::optional<Ipv4Prefix> prefix_arg(const std::string& text, const char* what);
  std::optional<FilterAction> action_arg(const std::string& text);
  std::optional<std::uint32_t> asn_arg(const std::string& text);
  NeighborConfig* neighbor(const std::string& address_text, bool create_ok = false);
  PeerGroupConfig* peer_group(const std::string& name);
  // The settings a `neighbor X ...` line changes: a neighbor's or a peer-group's.
  NeighborConfig* target(const std::string& key);
  bool join_peer_group(const std::string& address_text, const std::string& name);
  void apply_peer_groups();
  RouteMapEntry& current_entry();
  void validate();

  std::string file_;
  int line_ = 0;
  std::optional<Error> error_;
  ParsedConfig out_;
  std::vector<Node> nodes_{Node::Config};
  std::string interface_;
  std::string route_map_;
  std::uint32_t route_map_seq_ = 0;
};

std::optional<Ipv4Prefix> Parser::prefix_arg(const std::string& text, const char* what) {
  if (auto p = Ipv4Prefix::parse(text)) return p;
  auto slash = text.find('/');
  if (slash != std::string::npos) {
    auto addr = Ipv4Address::parse(text.substr(0, slash));
    auto len = number<std::uint8_t>(text.substr(slash + 1), 32);
    if (addr && len) {
      // FRR masks host bits silently; say so, since it is usually a typo.
      const auto fixed = Ipv4Prefix::covering(*addr, *len);
      warn(std::string(what) + " " + text + " has host bits set; using " + fixed.to_string() + " as FRR does");
      return fixed;
    }
  }
  fail(std::string("invalid ") + what + " '" + text + "'", "write an IPv4 prefix like 10.0.0.0/8");
  return std::nullopt;
}

std::optional<FilterAction> Parser::action_arg(const std::string& text) {
  if (text == "permit") return FilterAction::Permit;
  if (text == "deny") return FilterAction::Deny;
  fail("expected 'permit' or 'deny', got '" + text + "'", "write permit or deny");
  return std::nullopt;
}

std::optional<std::uint32_t> Parser::asn_arg(const std::string& text) {
  std::optional<std::uint32_t> asn;
  if (auto dot = text.find('.'); dot == std::string::npos) {
    asn = number<std::uint32_t>(text);
  } else {  // RFC 5396 asdot: HIGH.LOW = HIGH * 65536 + LOW, each 0-65535 (FRR reads it since 9.1)
    auto high = number<std::uint16_t>(text.substr(0, dot));
    auto low = number<std::uint16_t>(text.substr(dot + 1));
    if (high && low) asn = (std::uint32_t{*high} << 16) | *low;
  }
  if (!asn || *asn == 0) {  // RFC 7607: AS 0 is reserved
    fail("invalid AS number '" + text + "'", "use 1-4294967295 (asplain) or 0-65535.0-65535 (asdot)");
    return std::nullopt;
  }
  return asn;
}

PeerGroupConfig* Parser::peer_group(const std::string& name) {
  for (auto& g : out_.config.bgp->peer_groups)
    if (g.name == name) return &g;
  return nullptr;
}

NeighborConfig* Parser::target(const std::string& key) {
  if (!Ipv4Address::parse(key)) {
    if (auto* g = peer_group(key)) return &g->settings;
    fail("neighbor '" + key + "' is neither an IPv4 address nor a peer-group",
         "declare the group first ('neighbor " + key + " peer-group'); interface neighbors are outside the subset");
    return nullptr;
  }
  return neighbor(key);
}

NeighborConfig* Parser::neighbor(const std::string& address_text, bool create_ok) {
  auto addr = Ipv4Address::parse(address_text);
  if (!addr) {
    fail("neighbor '" + address_text + "' is not an IPv4 address",
         "interface neighbors are outside the supported subset; name each neighbor by address");
    return nullptr;
  }
  auto& bgp = *out_.config.bgp;
  for (auto& n : bgp.neighbors)
    if (n.address == *addr) return &n;
  if (!create_ok) {
    fail("neighbor " + address_text + " is used before its remote-as",
         "add 'neighbor " + address_text + " remote-as ASN' under 'router bgp' first (FRR requires it too)");
    return nullptr;
  }
  bgp.neighbors.push_back(NeighborConfig{});
  bgp.neighbors.back().address = *addr;
  bgp.neighbors.back().activate = bgp.default_ipv4_unicast;
  bgp.neighbors.back().line = line_;
  return &bgp.neighbors.back();
}

RouteMapEntry& Parser::current_entry() {
  auto& entries = out_.config.policy.route_maps[route_map_].entries;
  for (auto& e : entries)
    if (e.seq == route_map_seq_) return e;
  return entries.back();  // unreachable: the entry is created on "route-map"
}

bool Parser::config_line(const Words& w) {
  const std::string& c = w[0];
  auto& cfg = out_.config;
  if (c == "frr" && w.size() >= 3 && w[1] == "version") {
    cfg.frr_version = w[2];
    return true;
  }
  if (c == "frr" && w.size() == 3 && w[1] == "defaults") {
    if (w[2] != "traditional" && w[2] != "datacenter")
      fail("unknown defaults profile '" + w[2] + "'", "use 'frr defaults traditional' or 'datacenter'");
    cfg.frr_defaults = w[2];
    return true;
  }
  if (c == "hostname" && w.size() == 2) {
    cfg.hostname = w[1];
    return true;
  }
  // Known no-ops for this NVA: logging goes to the daemon's own log, vtysh and
  // IPv6 are not used. Accepted without a warning so the seed reads cleanly.
  if (c == "log" || c == "service" || c == "end" ||
      (w.size() == 3 && c == "no" && w[1] == "ipv6" && w[2] == "forwarding") ||
      (w.size() == 2 && c == "ip" && w[1] == "forwarding"))
    return true;
  if (c == "ip" && w.size() >= 4 && w[1] == "route") {
    StaticRoute r;
    r.line = line_;
    auto p = prefix_arg(w[2], "static route");
    if (!p) return true;
    r.prefix = *p;
    const std::string& via = w[3];
    if (via == "blackhole" || via == "Null0" || via == "reject") {
      r.blackhole = true;
    } else if (auto nh = Ipv4Address::parse(via)) {
      r.next_hop = nh;
      if (w.size() >= 5 && !number<std::uint8_t>(w[4])) r.interface = w[4];
    } else {
      r.interface = via;
    }
    if (w.size() > 5 || (w.size() == 5 && !r.interface && !number<std::uint8_t>(w[4])))
      warn("ip route options after '" + w[3] + "' are not supported and were ignored: " + join(w, 4));
    cfg.static_routes.push_back(r);
    return true;
  }
  // vtysh's terminal settings: nothing for the NVA, and in every 'show running-config'.
  if (c == "line" && w.size() == 2 && w[1] == "vty") {
    nodes_.push_back(Node::Line);
    return true;
  }
  if (c == "interface" && w.size() >= 2) {
    interface_ = w[1];
    nodes_.push_back(Node::Interface);
    return true;
  }
  if (c == "router" && w.size() >= 3 && w[1] == "bgp") {
    // FRR 9.1: 'router bgp ASN as-notation dot|dot+|plain' only changes how ASNs are printed.
    const bool notation = w.size() == 5 && w[3] == "as-notation" && (w[4] == "dot" || w[4] == "dot+" || w[4] == "plain");
    if (w.size() > 3 && !notation) {
      fail("'router bgp " + join(w, 2) + "': VRFs and views are not supported", "use a single 'router bgp ASN'");
      return true;
    }
    auto asn = asn_arg(w[2]);
    if (!asn) return true;
    if (cfg.bgp && cfg.bgp->asn != *asn) {
      fail("second 'router bgp' with a different AS (" + w[2] + " after " + std::to_string(cfg.bgp->asn) + ")",
           "keep one BGP instance");
      return true;
    }
    if (!cfg.bgp) {
      cfg.bgp = BgpConfig{};
      cfg.bgp->asn = *asn;
      cfg.bgp->line = line_;
      bool modern = frr_defaults_since_7_4(cfg.frr_version);
      cfg.bgp->ebgp_requires_policy = modern;
      cfg.bgp->network_import_check = modern;
    }
    nodes_.push_back(Node::RouterBgp);
    return true;
  }
  if (c == "bgp" && w.size() >= 4 && w[1] == "as-path" && w[2] == "access-list") {
    const std::string& name = w[3];
    std::size_t i = 4;
    std::optional<std::uint32_t> seq;
    if (w.size() > i + 1 && w[i] == "seq") {
      seq = number<std::uint32_t>(w[i + 1]);
      if (!seq) return fail("invalid seq '" + w[i + 1] + "'", "use a number 1-4294967295"), true;
      i += 2;
    }
    if (w.size() < i + 2) return fail("as-path access-list " + name + " needs an action and a regex",
                                      "bgp as-path access-list NAME [seq N] permit|deny REGEX"), true;
    auto action = action_arg(w[i]);
    if (!action) return true;
    auto regex = BgpRegex::compile(join(w, i + 1));  // FRR takes the rest of the line
    if (!regex) return fail(regex.error().what, regex.error().fix), true;
    auto& list = cfg.policy.as_path_lists[name];
    list.name = name;
    std::uint32_t s = seq.value_or(list.entries.empty() ? 5 : list.entries.back().seq + 5);
    for (const auto& e : list.entries)
      if (e.seq == s) return fail("as-path access-list " + name + " seq " + std::to_string(s) + " is defined twice",
                                  "give each entry its own seq"), true;
    list.entries.push_back({s, *action, regex.value()});
    std::sort(list.entries.begin(), list.entries.end(), [](auto& a, auto& b) { return a.seq < b.seq; });
    return true;
  }
  if (c == "ip" && w.size() >= 3 && w[1] == "prefix-list") {
    const std::string& name = w[2];
    if (w.size() >= 4 && w[3] == "description") return true;
    std::size_t i = 3;
    std::optional<std::uint32_t> seq;
    if (w.size() > i + 1 && w[i] == "seq") {
      seq = number<std::uint32_t>(w[i + 1]);
      if (!seq) return fail("invalid seq '" + w[i + 1] + "'", "use a number 1-4294967295"), true;
      i += 2;
    }
    if (w.size() < i + 2) return fail("prefix-list " + name + " needs an action and a prefix",
                                      "ip prefix-list NAME [seq N] permit|deny PREFIX [ge N] [le N]"), true;
    auto action = action_arg(w[i]);
    if (!action) return true;
    PrefixListEntry entry;
    entry.action = *action;
    if (w[i + 1] == "any") {  // FRR: any = 0.0.0.0/0 le 32
      entry.prefix = Ipv4Prefix{};
      entry.le = 32;
      i += 2;
    } else {
      auto p = prefix_arg(w[i + 1], "prefix-list prefix");
      if (!p) return true;
      entry.prefix = *p;
      i += 2;
      while (i + 1 < w.size() && (w[i] == "ge" || w[i] == "le")) {
        auto v = number<std::uint8_t>(w[i + 1], 32);
        if (!v) return fail(w[i] + " '" + w[i + 1] + "' is not a length 0-32", "use ge/le between the prefix length and 32"), true;
        (w[i] == "ge" ? entry.ge : entry.le) = *v;
        i += 2;
      }
      // FRR plist.c: len < ge <= le <= 32, len <= le
      bool bad = (entry.ge && *entry.ge <= entry.prefix.length) || (entry.le && *entry.le < entry.prefix.length) ||
                 (entry.ge && entry.le && *entry.le < *entry.ge);
      if (bad)
        return fail("invalid prefix range for " + entry.prefix.to_string(),
                    "make sure: length < ge <= le <= 32"), true;
    }
    if (i != w.size()) return fail("unexpected '" + join(w, i) + "' in prefix-list", "ip prefix-list NAME [seq N] permit|deny PREFIX [ge N] [le N]"), true;
    auto& list = cfg.policy.prefix_lists[name];
    list.name = name;
    std::uint32_t max_seq = 0;
    for (const auto& e : list.entries) max_seq = std::max(max_seq, e.seq);
    entry.seq = seq.value_or(max_seq + 5);
    for (const auto& e : list.entries)
      if (e.seq == entry.seq) return fail("prefix-list " + name + " seq " + std::to_string(entry.seq) + " is defined twice",
                                          "give each entry its own seq"), true;
    list.entries.push_back(entry);
    std::sort(list.entries.begin(), list.entries.end(), [](auto& a, auto& b) { return a.seq < b.seq; });
    return true;
  }
  // FRR also numbers community-lists: 1-99 standard, 100-500 expanded, without the keyword.
  const auto numbered = w.size() >= 4 && c == "bgp" && w[1] == "community-list" ? number<std::uint16_t>(w[2], 500)
                                                                                  : std::nullopt;
  if (c == "bgp" && w.size() >= 4 && w[1] == "community-list" &&
      ((numbered && *numbered >= 1) || (w.size() >= 5 && (w[2] == "standard" || w[2] == "expanded")))) {
    const std::string& name = numbered ? w[2] : w[3];
    bool expanded = numbered ? *numbered >= 100 : w[2] == "expanded";
    std::size_t i = numbered ? 3 : 4;
    if (w.size() > i + 1 && w[i] == "seq") i += 2;  // FRR keeps config order; seq only orders insertion
    if (w.size() < i + 2) return fail("community-list " + name + " needs an action and communities",
                                      "bgp community-list standard NAME permit|deny COMMUNITY..."), true;
    auto action = action_arg(w[i]);
    if (!action) return true;
    auto& list = cfg.policy.community_lists[name];
    if (!list.entries.empty() && list.expanded != expanded)
      return fail("community-list " + name + " is both standard and expanded", "use one kind per list name"), true;
    list.name = name;
    list.expanded = expanded;
    CommunityListEntry entry;
    entry.action = *action;
    if (expanded) {
      auto regex = BgpRegex::compile(join(w, i + 1));
      if (!regex) return fail(regex.error().what, regex.error().fix), true;
      entry.regex = regex.value();
    } else {
      for (std::size_t j = i + 1; j < w.size(); ++j) {
        auto comm = parse_community(w[j]);
        if (!comm) return fail("invalid community '" + w[j] + "'", "write AA:NN (each 0-65535) or no-export, no-advertise, local-AS, no-peer, blackhole, graceful-shutdown"), true;
        entry.communities.push_back(*comm);
      }
    }
    list.entries.push_back(entry);
    return true;
  }
  if (c == "route-map" && w.size() >= 2) {
    if (w.size() != 4) return fail("route-map needs a name, an action and a sequence number",
                                   "route-map NAME permit|deny SEQ"), true;
    auto action = action_arg(w[2]);
    if (!action) return true;
    auto seq = number<std::uint32_t>(w[3], 65535);
    if (!seq || *seq == 0) return fail("route-map sequence '" + w[3] + "' is not 1-65535", "route-map NAME permit|deny 1-65535"), true;
    auto& map = cfg.policy.route_maps[w[1]];
    map.name = w[1];
    route_map_ = w[1];
    route_map_seq_ = *seq;
    auto it = std::find_if(map.entries.begin(), map.entries.end(), [&](auto& e) { return e.seq == *seq; });
    if (it == map.entries.end()) {
      RouteMapEntry e;
      e.seq = *seq;
      e.action = *action;
      map.entries.push_back(e);
      std::sort(map.entries.begin(), map.entries.end(), [](auto& a, auto& b) { return a.seq < b.seq; });
    } else {
      it->action = *action;  // FRR re-enters the entry, changing its type
    }
    nodes_.push_back(Node::RouteMap);
    return true;
  }
  return false;
}

bool Parser::line_vty_line(const Words& w) {
  const std::string& c = w[0];
  if (c == "exit") return nodes_.pop_back(), true;
  const std::string& what = c == "no" && w.size() > 1 ? w[1] : c;
  return what == "exec-timeout" || what == "access-class" || what == "login" ||
         (what == "ipv6" && w.size() > 2 && w[w.size() - 2] == "access-class");
}

bool Parser::interface_line(const Words& w) {
  if (w[0] == "exit") return nodes_.pop_back(), true;
  if (w[0] == "ip" && w.size() == 3 && w[1] == "address") {
    auto slash = w[2].find('/');
    auto addr = slash == std::string::npos ? std::nullopt : Ipv4Address::parse(w[2].substr(0, slash));
    auto len = slash == std::string::npos ? std::nullopt : number<std::uint8_t>(w[2].substr(slash + 1), 32);
    if (!addr || !len) return fail("invalid interface address '" + w[2] + "'", "write ADDRESS/LENGTH, e.g. 10.0.0.4/24"), true;
    out_.config.interface_addresses.push_back({interface_, *addr, *len, line_});
    // DESIGN.md Traps: a prefix shorter than /32 on lo makes the whole prefix local.
    if (interface_ == "lo" && *len < 32)
      warn("address " + w[2] + " on lo makes all of " + Ipv4Prefix{Ipv4Address{addr->value & (*len ? ~0u << (32 - *len) : 0)}, *len}.to_string() +
           " local on Linux, including the subnet gateway; originate the prefix with 'ip route " +
           Ipv4Prefix{Ipv4Address{addr->value & (*len ? ~0u << (32 - *len) : 0)}, *len}.to_string() + " blackhole' instead",
           ConfigWarning::Kind::LoopbackPrefix);
    return true;
  }
  if (w[0] == "description") return true;
  return false;
}

bool Parser::join_peer_group(const std::string& address_text, const std::string& name) {
  auto* g = peer_group(name);
  if (!g) return fail("peer-group " + name + " is not defined", "declare it first: 'neighbor " + name + " peer-group'"), true;
  if (!Ipv4Address::parse(address_text))
    return fail("'" + address_text + "' cannot join a peer-group: only neighbors by address can",
                "write 'neighbor A.B.C.D peer-group " + name + "'"),
           true;
  auto& bgp = *out_.config.bgp;
  bool exists = std::any_of(bgp.neighbors.begin(), bgp.neighbors.end(),
                            [&](const NeighborConfig& n) { return n.address == *Ipv4Address::parse(address_text); });
  if (!exists && !g->settings.has_remote_as())  // FRR: "Specify remote-as or peer-group commands first"
    return fail("neighbor " + address_text + " joins peer-group " + name + ", but neither has a remote-as",
                "add 'neighbor " + name + " remote-as ASN' (or 'neighbor " + address_text + " remote-as ASN') before this line"),
           true;
  auto* n = neighbor(address_text, true);
  if (!n) return true;
  if (n->peer_group && *n->peer_group != name)
    return fail("neighbor " + address_text + " is already in peer-group " + *n->peer_group,
                "a neighbor belongs to one peer-group; remove one of the two lines"),
           true;
  if (n->own_settings.count("remote-as") && g->settings.has_remote_as() && !g->settings.same_remote_as(*n))
    return fail("neighbor " + address_text + " has remote-as " + n->remote_as_text() + ", peer-group " + name +
                    " has " + g->settings.remote_as_text(),
                "a member cannot override its peer-group's remote-as (FRR refuses it too); remove one"),
           true;
  n->peer_group = name;
  return true;
}

bool Parser::neighbor_line(const Words& w, bool in_af) {
  if (w[0] != "neighbor" || w.size() < 3) return false;
  const std::string& attr = w[2];
  if (!in_af && attr == "peer-group" && w.size() == 3) {  // neighbor NAME peer-group
    if (Ipv4Address::parse(w[1]))
      return fail("a peer-group needs a name, not an address", "write 'neighbor NAME peer-group', e.g. 'neighbor ARS peer-group'"), true;
    if (peer_group(w[1])) return true;  // FRR: declaring it again changes nothing
    PeerGroupConfig g;
    g.name = w[1];
    g.settings.activate = out_.config.bgp->default_ipv4_unicast;
    g.line = line_;
    out_.config.bgp->peer_groups.push_back(std::move(g));
    return true;
  }
  if (!in_af && attr == "peer-group" && w.size() == 4) return join_peer_group(w[1], w[3]);
  if (!in_af && attr == "remote-as" && w.size() == 4) {
    auto* g = Ipv4Address::parse(w[1]) ? nullptr : peer_group(w[1]);
    auto* n = g ? &g->settings : Ipv4Address::parse(w[1]) ? neighbor(w[1], true) : target(w[1]);
    if (!n) return true;
    NeighborConfig given;
    if (w[3] == "internal") given.remote_as = out_.config.bgp->asn;
    else if (w[3] == "external") given.remote_as_external = true;  // the AS comes from the OPEN
    else if (auto a = asn_arg(w[3])) given.remote_as = *a;
    else return true;
    if (n->peer_group) {
      const auto* pg = peer_group(*n->peer_group);
      if (pg->settings.has_remote_as() && !pg->settings.same_remote_as(given))
        return fail("neighbor " + w[1] + " is in peer-group " + pg->name + " with remote-as " +
                        pg->settings.remote_as_text(),
                    "a member cannot override its peer-group's remote-as (FRR refuses it too); remove this line"),
               true;
    }
    n->remote_as = given.remote_as;
    n->remote_as_external = given.remote_as_external;
    n->own_settings.insert("remote-as");
    return true;
  }
  static const char* kSessionAttrs[] = {"ebgp-multihop", "update-source", "timers", "description", "shutdown", "password",
                                        "remote-as", "peer-group"};
  bool session_attr = std::find(std::begin(kSessionAttrs), std::end(kSessionAttrs), attr) != std::end(kSessionAttrs);
  if (in_af && session_attr) return false;  // FRR: those belong to the router node
  NeighborConfig* n = target(w[1]);
  if (!n) return true;
  // The setting this line gives, for peer-group inheritance and printing.
  std::string setting = attr;
  if ((attr == "route-map" || attr == "prefix-list") && w.size() == 5) setting += " " + w[4];
  bool recorded = true;
  if (attr == "ebgp-multihop") {
    auto ttl = w.size() == 4 ? number<std::uint8_t>(w[3], 255) : std::optional<std::uint8_t>{255};
    if (!ttl || *ttl == 0) return fail("ebgp-multihop TTL '" + w[3] + "' is not 1-255", "neighbor X ebgp-multihop [1-255]"), true;
    n->ebgp_multihop = *ttl;
  } else if (attr == "update-source" && w.size() == 4) {
    n->update_source = w[3];
  } else if (attr == "timers" && w.size() == 5 && w[3] == "connect") {
    auto seconds = number<std::uint16_t>(w[4]);
    if (!seconds || *seconds == 0)
      return fail("invalid connect timer '" + w[4] + "'", "neighbor X timers connect 1-65535 (seconds)"), true;
    n->connect_retry = *seconds;
    setting = "timers connect";
  } else if (attr == "timers" && w.size() == 5) {
    auto ka = number<std::uint16_t>(w[3]);
    auto hold = number<std::uint16_t>(w[4]);
    if (!ka || !hold || (*hold != 0 && *hold < 3))  // RFC 4271 4.2: hold 0 or >= 3
      return fail("invalid timers '" + join(w, 3) + "'", "neighbor X timers KEEPALIVE HOLD, hold 0 or 3-65535"), true;
    n->keepalive = *ka;
    n->hold_time = *hold;
  } else if (attr == "description") {
    n->description = join(w, 3);
  } else if (attr == "shutdown" && w.size() == 3) {
    n->shutdown = true;
  } else if (attr == "password") {
    recorded = false;
    warn("neighbor " + w[1] + " password: TCP MD5 is not supported (Azure Route Server does not use it); ignored");
  } else if (attr == "activate" && w.size() == 3) {
    n->activate = true;
  } else if (attr == "soft-reconfiguration" && w.size() == 4 && w[3] == "inbound") {
    n->soft_reconfiguration_inbound = true;
  } else if (attr == "next-hop-self" && w.size() == 3) {
    n->next_hop_self = true;  // applied by the export path (export_policy.hpp)
  } else if (attr == "next-hop-self") {
    return fail("'" + join(w, 2) + "': only plain next-hop-self is supported",
                "write 'neighbor " + w[1] + " next-hop-self' (FRR's 'force' only adds reflected iBGP routes, "
                "which this speaker never sends)"),
           true;
  } else if ((attr == "route-map" || attr == "prefix-list") && w.size() == 5 && (w[4] == "in" || w[4] == "out")) {
    bool in = w[4] == "in";
    if (attr == "route-map") (in ? n->route_map_in : n->route_map_out) = w[3];
    else (in ? n->prefix_list_in : n->prefix_list_out) = w[3];
    out_.references.push_back({attr == "route-map" ? PolicyReference::Kind::RouteMap : PolicyReference::Kind::PrefixList, w[3], line_});
  } else if (attr == "maximum-prefix" && w.size() >= 4) {
    const char* usage = "neighbor X maximum-prefix N [THRESHOLD] [restart MINUTES | warning-only]";
    auto max = number<std::uint32_t>(w[3]);
    if (!max || *max == 0) return fail("maximum-prefix '" + w[3] + "' is not 1-4294967295", usage), true;
    std::size_t i = 4;
    std::uint8_t threshold = 75;
    std::optional<std::uint16_t> restart;
    bool warning_only = false;
    if (i < w.size() && std::isdigit(static_cast<unsigned char>(w[i][0]))) {
      auto t = number<std::uint8_t>(w[i], 100);
      if (!t || *t == 0) return fail("maximum-prefix threshold '" + w[i] + "' is not 1-100 (percent)", usage), true;
      threshold = *t;
      ++i;
    }
    if (i < w.size() && w[i] == "warning-only") {
      warning_only = true;
      ++i;
    } else if (i < w.size() && w[i] == "restart") {
      auto m = i + 1 < w.size() ? number<std::uint16_t>(w[i + 1]) : std::nullopt;
      if (!m || *m == 0) return fail("maximum-prefix restart needs minutes, 1-65535", usage), true;
      restart = *m;
      i += 2;
    } else if (i < w.size() && w[i] == "force") {
      return fail("maximum-prefix force (counting routes the inbound policy filters) is outside the supported subset",
                  "drop 'force': the limit counts accepted prefixes, as FRR does without it"),
             true;
    }
    if (i != w.size()) return fail("unexpected '" + join(w, i) + "' in maximum-prefix", usage), true;
    n->maximum_prefix = *max;
    n->maximum_prefix_threshold = threshold;
    n->maximum_prefix_restart = restart;
    n->maximum_prefix_warning_only = warning_only;
  } else if (attr == "filter-list" || attr == "distribute-list" || attr == "unsuppress-map" || attr == "attribute-unchanged") {
    // These change which routes pass: ignoring them would change the result.
    recorded = false;
    fail("neighbor " + attr + " is outside the supported subset",
         "express the filter as a route-map (match as-path / ip address prefix-list)");
  } else {
    recorded = false;
    warn("'" + join(w, 0) + "' is outside the supported subset and was ignored");
  }
  if (recorded && !error_) n->own_settings.insert(setting);
  return true;
}

namespace {
// Copies one setting (as named in NeighborConfig::own_settings) from a peer-group.
void copy_setting(NeighborConfig& to, const NeighborConfig& from, const std::string& setting) {
  if (setting == "remote-as") to.remote_as = from.remote_as, to.remote_as_external = from.remote_as_external;
  else if (setting == "description") to.description = from.description;
  else if (setting == "shutdown") to.shutdown = from.shutdown;
  else if (setting == "ebgp-multihop") to.ebgp_multihop = from.ebgp_multihop;
  else if (setting == "update-source") to.update_source = from.update_source;
  else if (setting == "timers") to.keepalive = from.keepalive, to.hold_time = from.hold_time;
  else if (setting == "timers connect") to.connect_retry = from.connect_retry;
  else if (setting == "activate") to.activate = from.activate;
  else if (setting == "soft-reconfiguration") to.soft_reconfiguration_inbound = from.soft_reconfiguration_inbound;
  else if (setting == "next-hop-self") to.next_hop_self = from.next_hop_self;
  else if (setting == "route-map in") to.route_map_in = from.route_map_in;
  else if (setting == "route-map out") to.route_map_out = from.route_map_out;
  else if (setting == "prefix-list in") to.prefix_list_in = from.prefix_list_in;
  else if (setting == "prefix-list out") to.prefix_list_out = from.prefix_list_out;
  else if (setting == "maximum-prefix") {
    to.maximum_prefix = from.maximum_prefix;
    to.maximum_prefix_threshold = from.maximum_prefix_threshold;
    to.maximum_prefix_restart = from.maximum_prefix_restart;
    to.maximum_prefix_warning_only = from.maximum_prefix_warning_only;
  }
}
}  // namespace

// Members take every setting given on their group that they do not give
// themselves (FRR: peer_group2peer_config_copy, member overrides win), whatever
// the order of the lines.
void Parser::apply_peer_groups() {
  for (auto& n : out_.config.bgp->neighbors) {
    if (!n.peer_group) continue;
    const auto& g = *peer_group(*n.peer_group);
    for (const auto& setting : g.settings.own_settings)
      if (!n.own_settings.count(setting)) copy_setting(n, g.settings, setting);
  }
}

bool Parser::bgp_line(const Words& w) {
  auto& bgp = *out_.config.bgp;
  const std::string& c = w[0];
  if (c == "exit") return nodes_.pop_back(), true;
  if (c == "exit-address-family") return true;  // its block was left early by a router-level line
  if (c == "bgp" && w.size() == 3 && w[1] == "router-id") {
    auto id = Ipv4Address::parse(w[2]);
    if (!id || id->value == 0) return fail("invalid router-id '" + w[2] + "'", "use a non-zero IPv4 address, e.g. the NVA's NIC address"), true;
    bgp.router_id = id;
    return true;
  }
  if (c == "bgp" && w.size() == 2 && w[1] == "ebgp-requires-policy") return bgp.ebgp_requires_policy = true, true;
  if (c == "no" && w.size() == 3 && w[1] == "bgp" && w[2] == "ebgp-requires-policy") return bgp.ebgp_requires_policy = false, true;
  if (c == "bgp" && w.size() == 3 && w[1] == "network" && w[2] == "import-check") return bgp.network_import_check = true, true;
  if (c == "no" && w.size() == 4 && w[1] == "bgp" && w[2] == "network" && w[3] == "import-check") return bgp.network_import_check = false, true;
  if (c == "no" && w.size() == 4 && w[1] == "bgp" && w[2] == "default" && w[3] == "ipv4-unicast") return bgp.default_ipv4_unicast = false, true;
  if (c == "bgp" && w.size() >= 2 && w[1] == "log-neighbor-changes") return true;
  if (c == "timers" && w.size() == 4 && w[1] == "bgp") {
    auto ka = number<std::uint16_t>(w[2]);
    auto hold = number<std::uint16_t>(w[3]);
    if (!ka || !hold || (*hold != 0 && *hold < 3))
      return fail("invalid timers '" + join(w, 2) + "'", "timers bgp KEEPALIVE HOLD, hold 0 or 3-65535"), true;
    bgp.keepalive = *ka;
    bgp.hold_time = *hold;
    bgp.timers_set = true;
    return true;
  }
  if (c == "address-family" && w.size() >= 2) {
    // FRR: address-family ipv4 [unicast|...]: the SAFI defaults to unicast.
    if (w[1] == "ipv4" && (w.size() == 2 || (w.size() == 3 && w[2] == "unicast"))) {
      nodes_.push_back(Node::AddressFamily);
    } else {
      warn("'" + join(w, 0) + "': only ipv4 unicast is supported; this address-family block is ignored");
      nodes_.push_back(Node::OtherAddressFamily);
    }
    return true;
  }
  // FRR still accepts the pre-address-family forms at the router level.
  if (c == "network" || c == "maximum-paths") return af_line(w);
  return neighbor_line(w, false);
}

bool Parser::af_line(const Words& w) {
  auto& bgp = *out_.config.bgp;
  const std::string& c = w[0];
  if (c == "exit-address-family" || (c == "exit" && nodes_.back() == Node::AddressFamily)) return nodes_.pop_back(), true;
  if (c == "network" && (w.size() == 2 || (w.size() == 4 && w[2] == "route-map"))) {
    auto p = prefix_arg(w[1], "network");
    if (!p) return true;
    NetworkStatement n{*p, std::nullopt, line_};
    if (w.size() == 4) {
      n.route_map = w[3];
      out_.references.push_back({PolicyReference::Kind::RouteMap, w[3], line_});
    }
    bgp.networks.push_back(n);
    return true;
  }
  if (c == "network" && w.size() >= 3 && w[2] == "mask") {
    return fail("'network A.B.C.D mask M' is the Cisco form", "write 'network " + w[1] + "/LENGTH'"), true;
  }
  if (c == "maximum-paths" && w.size() == 2) {
    auto n = number<std::uint32_t>(w[1], 256);
    if (!n || *n == 0) return fail("maximum-paths '" + w[1] + "' is not 1-256", "maximum-paths 1-256"), true;
    bgp.maximum_paths = *n;
    return true;
  }
  if (c == "no" && w.size() == 4 && w[1] == "neighbor" && w[3] == "activate") {
    if (auto* n = target(w[2])) {
      n->activate = false;
      n->own_settings.insert("activate");
    }
    return true;
  }
  if (c == "neighbor") return neighbor_line(w, true);
  if (c == "redistribute" || c == "aggregate-address" || c == "table-map" || c == "distance")
    return warn("'" + join(w, 0) + "' is outside the supported subset and was ignored; originate prefixes with 'network'"), true;
  return false;
}

bool Parser::route_map_line(const Words& w) {
  const std::string& c = w[0];
  if (c == "exit") return nodes_.pop_back(), true;
  if (c == "description") return true;
  auto& entry = current_entry();
  const std::string where = "route-map " + route_map_ + " " + to_string(entry.action) + " " + std::to_string(entry.seq);
  if (c == "match") {
    if (w.size() == 3 && w[1] == "as-path") {
      entry.matches.push_back(MatchAsPath{w[2]});
      out_.references.push_back({PolicyReference::Kind::AsPathList, w[2], line_});
    } else if (w.size() == 5 && w[1] == "ip" && w[2] == "address" && w[3] == "prefix-list") {
      entry.matches.push_back(MatchPrefixList{w[4]});
      out_.references.push_back({PolicyReference::Kind::PrefixList, w[4], line_});
    } else if ((w.size() == 3 || (w.size() == 4 && w[3] == "exact-match")) && w[1] == "community") {
      entry.matches.push_back(MatchCommunity{w[2], w.size() == 4});
      out_.references.push_back({PolicyReference::Kind::CommunityList, w[2], line_});
    } else {
      fail("'" + join(w, 0) + "' in " + where + " is not supported",
           "supported: match as-path NAME, match ip address prefix-list NAME, match community NAME [exact-match]");
    }
    return true;
  }
  if (c == "set") {
    auto relative = [&](const std::string& text, std::uint32_t& value, int& sign) {
      std::string digits = text;
      sign = 0;
      if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
        sign = text[0] == '+' ? 1 : -1;
        digits = text.substr(1);
      }
      auto v = number<std::uint32_t>(digits);
      if (v) value = *v;
      return v.has_value();
    };
    if (w.size() >= 4 && w[1] == "as-path" && w[2] == "prepend") {
      SetAsPathPrepend s;
      for (std::size_t i = 3; i < w.size(); ++i) {
        auto asn = asn_arg(w[i]);
        if (!asn) return true;
        s.asns.push_back(*asn);
      }
      entry.sets.push_back(s);
    } else if (w.size() == 3 && w[1] == "local-preference") {
      SetLocalPreference s;
      if (!relative(w[2], s.value, s.sign)) return fail("invalid local-preference '" + w[2] + "'", "set local-preference [+|-]0-4294967295"), true;
      entry.sets.push_back(s);
    } else if (w.size() == 3 && w[1] == "metric") {
      SetMetric s;
      if (!relative(w[2], s.value, s.sign)) return fail("invalid metric '" + w[2] + "'", "set metric [+|-]0-4294967295"), true;
      entry.sets.push_back(s);
    } else if (w.size() >= 3 && w[1] == "community") {
      SetCommunity s;
      if (w.size() == 3 && w[2] == "none") {
        s.none = true;
      } else {
        std::size_t end = w.size();
        if (w.back() == "additive") {
          s.additive = true;
          --end;
        }
        for (std::size_t i = 2; i < end; ++i) {
          auto comm = parse_community(w[i]);
          if (!comm) return fail("invalid community '" + w[i] + "'", "write AA:NN or a well-known name such as no-export"), true;
          s.communities.push_back(*comm);
        }
        if (s.communities.empty()) return fail("set community needs at least one community", "set community AA:NN... [additive] | none"), true;
      }
      entry.sets.push_back(s);
    } else if (w.size() == 4 && w[1] == "ip" && w[2] == "next-hop") {
      SetIpNextHop s;
      if (w[3] == "peer-address") s.peer_address = true;
      else if (auto a = Ipv4Address::parse(w[3])) s.address = a;
      else return fail("invalid next-hop '" + w[3] + "'", "set ip next-hop A.B.C.D | peer-address"), true;
      entry.sets.push_back(s);
    } else {
      fail("'" + join(w, 0) + "' in " + where + " is not supported",
           "supported: set as-path prepend, local-preference, metric, community, ip next-hop");
    }
    return true;
  }
  if (c == "on-match" && w.size() == 2 && w[1] == "next") return entry.exit_policy = ExitPolicy::Next, true;
  if (c == "on-match" && w.size() == 3 && w[1] == "goto") {
    auto to = number<std::uint32_t>(w[2], 65535);
    if (!to || *to <= entry.seq)  // FRR: cannot go to a sequence at or before the current one
      return fail("on-match goto " + w[2] + " in " + where + " does not go forward",
                  "goto a sequence number greater than " + std::to_string(entry.seq)), true;
    entry.exit_policy = ExitPolicy::Goto;
    entry.goto_seq = *to;
    return true;
  }
  if (c == "call" && w.size() == 2) {
    entry.call = w[1];
    return true;
  }
  return false;
}

void Parser::validate() {
  const auto& cfg = out_.config;
  line_ = 0;
  for (const auto& ref : out_.references) {
    if (!ref.defined(cfg.policy)) {
      std::string effect = ref.kind == PolicyReference::Kind::RouteMap
                               ? "FRR denies every route through an undefined route-map"
                               : "a match on an undefined list never matches";
      out_.warnings.push_back({ref.line, std::string(to_string(ref.kind)) + " " + ref.name + " is not defined: " + effect,
                               ConfigWarning::Kind::UndefinedReference});
    }
  }
  if (!cfg.bgp) return;
  for (const auto& n : cfg.bgp->neighbors) {
    bool external = n.remote_as != cfg.bgp->asn;
    bool policy_in = n.route_map_in || n.prefix_list_in;
    bool policy_out = n.route_map_out || n.prefix_list_out;
    if (external && cfg.bgp->ebgp_requires_policy && n.activate && (!policy_in || !policy_out))
      out_.warnings.push_back({n.line, "eBGP neighbor " + n.address.to_string() + " has no " +
                                           (!policy_in ? "inbound" : "outbound") +
                                           " policy: with ebgp-requires-policy (RFC 8212) nothing is " +
                                           (!policy_in ? "accepted" : "advertised") +
                                           "; add a route-map or 'no bgp ebgp-requires-policy'",
                               ConfigWarning::Kind::EbgpWithoutPolicy});
  }
}

Result<ParsedConfig> Parser::run(std::string_view text) {
  std::size_t start = 0;
  while (start <= text.size() && !error_) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view raw = text.substr(start, end - start);
    start = end + 1;
    ++line_;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    Words w = split(raw);
    if (w.empty() || w[0][0] == '!' || w[0][0] == '#') {
      if (end == text.size()) break;
      continue;
    }
    // Try the current node, then its parents, as FRR does; a line that no node
    // knows leaves the node as it was (lib/command.c, command_config_read_one_line:
    // "If climbing the tree did not work then ignore the command and stay at the
    // same node"), so the lines after it still land in their block.
    bool handled = false;
    const std::vector<Node> saved_nodes = nodes_;
    while (!handled && !error_) {
      switch (nodes_.back()) {
        case Node::Config: handled = config_line(w); break;
        case Node::Interface: handled = interface_line(w); break;
        case Node::RouterBgp: handled = bgp_line(w); break;
        case Node::AddressFamily: handled = af_line(w); break;
        case Node::OtherAddressFamily:
          if (w[0] == "exit-address-family" || w[0] == "exit") nodes_.pop_back();
          else warn("'" + join(w, 0) + "' inside an unsupported address-family was ignored");
          handled = true;
          break;
        case Node::RouteMap: handled = route_map_line(w); break;
        case Node::Line: handled = line_vty_line(w); break;
      }
      if (handled || nodes_.size() == 1) break;
      nodes_.pop_back();
    }
    if (!handled && !error_) {
      nodes_ = saved_nodes;
      warn("'" + join(w, 0) + "' is outside the supported subset and was ignored");
    }
    if (end == text.size()) break;
  }
  if (error_) return *error_;
  if (out_.config.bgp) apply_peer_groups();
  validate();
  std::stable_sort(out_.warnings.begin(), out_.warnings.end(),
                   [](const ConfigWarning& a, const ConfigWarning& b) { return a.line < b.line; });
  return std::move(out_);
}

}  // namespace

bool frr_defaults_since_7_4(const std::optional<std::string>& frr_version) {
  if (!frr_version) return true;
  int major = 0, minor = 0;
  char dot = 0;
  std::istringstream in(*frr_version);
  in >> major >> dot >> minor;
  return major > 7 || (major == 7 && minor >= 4);
}

Result<ParsedConfig> parse_frr_config(std::string_view text, const std::string& file_name) {
  return Parser(file_name).run(text);
}

}  // namespace hairpin::bgpd
