// Prints an NvaConfig the way FRR's `show running-config` does: fixed section
// order, defaults omitted, explicit seq numbers, "exit" closing each node.

#include <functional>
#include <sstream>

#include "hairpin/bgpd/config/config.hpp"

namespace hairpin::bgpd {

namespace {

std::string relative(std::uint32_t value, int sign) {
  return (sign > 0 ? "+" : sign < 0 ? "-" : "") + std::to_string(value);
}

void print_route_map_entry(std::ostream& out, const std::string& name, const RouteMapEntry& e) {
  out << "route-map " << name << ' ' << to_string(e.action) << ' ' << e.seq << '\n';
  for (const auto& m : e.matches) {
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, MatchAsPath>) out << " match as-path " << v.list << '\n';
          else if constexpr (std::is_same_v<T, MatchPrefixList>) out << " match ip address prefix-list " << v.list << '\n';
          else out << " match community " << v.list << (v.exact ? " exact-match" : "") << '\n';
        },
        m);
  }
  for (const auto& s : e.sets) {
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, SetAsPathPrepend>) {
            out << " set as-path prepend";
            for (auto asn : v.asns) out << ' ' << asn;
            out << '\n';
          } else if constexpr (std::is_same_v<T, SetLocalPreference>) {
            out << " set local-preference " << relative(v.value, v.sign) << '\n';
          } else if constexpr (std::is_same_v<T, SetMetric>) {
            out << " set metric " << relative(v.value, v.sign) << '\n';
          } else if constexpr (std::is_same_v<T, SetCommunity>) {
            if (v.none) out << " set community none\n";
            else out << " set community " << communities_to_string(v.communities) << (v.additive ? " additive" : "") << '\n';
          } else {
            out << " set ip next-hop " << (v.peer_address ? std::string("peer-address") : v.address->to_string()) << '\n';
          }
        },
        s);
  }
  if (e.call) out << " call " << *e.call << '\n';
  if (e.exit_policy == ExitPolicy::Next) out << " on-match next\n";
  if (e.exit_policy == ExitPolicy::Goto) out << " on-match goto " << e.goto_seq << '\n';
  out << "exit\n!\n";
}

// Which neighbor settings to print: those given on a peer-group or overridden by
// a member (`given`), or every one a plain neighbor has (`present`).
using Printed = std::function<bool(const std::string& setting)>;

Printed given(const NeighborConfig& n) {
  return [&n](const std::string& setting) { return n.own_settings.count(setting) > 0; };
}

Printed present(const NeighborConfig& n) {
  return [&n](const std::string& setting) {
    if (setting == "description") return n.description.has_value();
    if (setting == "shutdown") return n.shutdown;
    if (setting == "ebgp-multihop") return n.ebgp_multihop.has_value();
    if (setting == "update-source") return n.update_source.has_value();
    if (setting == "timers") return n.keepalive.has_value();
    if (setting == "timers connect") return n.connect_retry.has_value();
    if (setting == "next-hop-self") return n.next_hop_self;
    if (setting == "soft-reconfiguration") return n.soft_reconfiguration_inbound;
    if (setting == "prefix-list in") return n.prefix_list_in.has_value();
    if (setting == "prefix-list out") return n.prefix_list_out.has_value();
    if (setting == "route-map in") return n.route_map_in.has_value();
    if (setting == "route-map out") return n.route_map_out.has_value();
    if (setting == "maximum-prefix") return n.maximum_prefix.has_value();
    return false;
  };
}

void print_session(std::ostream& out, const std::string& p, const NeighborConfig& n, const Printed& printed) {
  if (printed("description") && n.description) out << p << "description " << *n.description << '\n';
  if (printed("shutdown") && n.shutdown) out << p << "shutdown\n";
  if (printed("ebgp-multihop") && n.ebgp_multihop) out << p << "ebgp-multihop " << int(*n.ebgp_multihop) << '\n';
  if (printed("update-source") && n.update_source) out << p << "update-source " << *n.update_source << '\n';
  if (printed("timers") && n.keepalive) out << p << "timers " << *n.keepalive << ' ' << *n.hold_time << '\n';
  if (printed("timers connect") && n.connect_retry) out << p << "timers connect " << *n.connect_retry << '\n';
}

void print_af(std::ostream& out, const std::string& p, const NeighborConfig& n, const Printed& printed) {
  if (printed("next-hop-self") && n.next_hop_self) out << p << "next-hop-self\n";
  if (printed("soft-reconfiguration") && n.soft_reconfiguration_inbound) out << p << "soft-reconfiguration inbound\n";
  if (printed("prefix-list in") && n.prefix_list_in) out << p << "prefix-list " << *n.prefix_list_in << " in\n";
  if (printed("prefix-list out") && n.prefix_list_out) out << p << "prefix-list " << *n.prefix_list_out << " out\n";
  if (printed("route-map in") && n.route_map_in) out << p << "route-map " << *n.route_map_in << " in\n";
  if (printed("route-map out") && n.route_map_out) out << p << "route-map " << *n.route_map_out << " out\n";
  if (printed("maximum-prefix") && n.maximum_prefix) {  // FRR: N, threshold unless 75, warning-only, restart
    out << p << "maximum-prefix " << *n.maximum_prefix;
    if (n.maximum_prefix_threshold != 75) out << ' ' << static_cast<int>(n.maximum_prefix_threshold);
    if (n.maximum_prefix_warning_only) out << " warning-only";
    if (n.maximum_prefix_restart) out << " restart " << *n.maximum_prefix_restart;
    out << '\n';
  }
}

}  // namespace

std::string print_frr_config(const NvaConfig& cfg) {
  std::ostringstream out;
  out << "!\n";
  if (cfg.frr_version) out << "frr version " << *cfg.frr_version << '\n';
  out << "frr defaults " << cfg.frr_defaults << '\n';
  if (cfg.hostname) out << "hostname " << *cfg.hostname << '\n';
  out << "!\n";
  for (const auto& r : cfg.static_routes) {
    out << "ip route " << r.prefix.to_string() << ' ';
    if (r.blackhole) out << "blackhole";
    else if (r.next_hop) out << r.next_hop->to_string() << (r.interface ? " " + *r.interface : "");
    else out << *r.interface;
    out << '\n';
  }
  if (!cfg.static_routes.empty()) out << "!\n";
  std::string current_interface;
  for (std::size_t i = 0; i < cfg.interface_addresses.size(); ++i) {
    const auto& a = cfg.interface_addresses[i];
    if (a.interface != current_interface) {
      if (!current_interface.empty()) out << "exit\n!\n";
      out << "interface " << a.interface << '\n';
      current_interface = a.interface;
    }
    out << " ip address " << a.address.to_string() << '/' << int(a.length) << '\n';
  }
  if (!current_interface.empty()) out << "exit\n!\n";

  if (cfg.bgp) {
    const auto& b = *cfg.bgp;
    bool modern = frr_defaults_since_7_4(cfg.frr_version);
    out << "router bgp " << b.asn << '\n';
    if (b.router_id) out << " bgp router-id " << b.router_id->to_string() << '\n';
    if (b.ebgp_requires_policy != modern) out << (b.ebgp_requires_policy ? " " : " no ") << "bgp ebgp-requires-policy\n";
    if (!b.default_ipv4_unicast) out << " no bgp default ipv4-unicast\n";
    if (b.network_import_check != modern) out << (b.network_import_check ? " " : " no ") << "bgp network import-check\n";
    if (b.timers_set) out << " timers bgp " << b.keepalive << ' ' << b.hold_time << '\n';
    // FRR's order: peer-groups first, then neighbors; a group prints what was set
    // on it, a member what it overrides, a plain neighbor everything it has.
    auto group_of = [&](const NeighborConfig& n) -> const PeerGroupConfig* {
      for (const auto& g : b.peer_groups)
        if (n.peer_group && g.name == *n.peer_group) return &g;
      return nullptr;
    };
    for (const auto& g : b.peer_groups) {
      out << " neighbor " << g.name << " peer-group\n";
      if (g.settings.own_settings.count("remote-as")) out << " neighbor " << g.name << " remote-as " << g.settings.remote_as_text() << '\n';
      print_session(out, " neighbor " + g.name + ' ', g.settings, given(g.settings));
    }
    for (const auto& n : b.neighbors) {
      std::string p = " neighbor " + n.address.to_string() + ' ';
      const auto* g = group_of(n);
      if (!g || !g->settings.own_settings.count("remote-as")) out << p << "remote-as " << n.remote_as_text() << '\n';
      if (g) out << p << "peer-group " << g->name << '\n';
      print_session(out, p, n, g ? given(n) : present(n));
    }
    out << " !\n address-family ipv4 unicast\n";
    for (const auto& n : b.networks)
      out << "  network " << n.prefix.to_string() << (n.route_map ? " route-map " + *n.route_map : "") << '\n';
    if (b.maximum_paths != 1) out << "  maximum-paths " << b.maximum_paths << '\n';
    for (const auto& g : b.peer_groups) {
      if (g.settings.activate != b.default_ipv4_unicast)
        out << (g.settings.activate ? "  neighbor " + g.name + " activate\n" : "  no neighbor " + g.name + " activate\n");
      print_af(out, "  neighbor " + g.name + ' ', g.settings, given(g.settings));
    }
    for (const auto& n : b.neighbors) {
      std::string p = "  neighbor " + n.address.to_string() + ' ';
      const auto* g = group_of(n);
      bool inherited = g ? g->settings.activate : b.default_ipv4_unicast;
      if (n.activate != inherited) out << (n.activate ? p + "activate\n" : "  no neighbor " + n.address.to_string() + " activate\n");
      print_af(out, p, n, g ? given(n) : present(n));
    }
    out << " exit-address-family\nexit\n!\n";
  }

  for (const auto& [name, list] : cfg.policy.as_path_lists)
    for (const auto& e : list.entries)
      out << "bgp as-path access-list " << name << " seq " << e.seq << ' ' << to_string(e.action) << ' '
          << e.regex.pattern() << '\n';
  if (!cfg.policy.as_path_lists.empty()) out << "!\n";
  for (const auto& [name, list] : cfg.policy.prefix_lists) {
    for (const auto& e : list.entries) {
      out << "ip prefix-list " << name << " seq " << e.seq << ' ' << to_string(e.action) << ' ';
      if (e.prefix.length == 0 && !e.ge && e.le == 32) {
        out << "any\n";
        continue;
      }
      out << e.prefix.to_string();
      if (e.ge) out << " ge " << int(*e.ge);
      if (e.le) out << " le " << int(*e.le);
      out << '\n';
    }
  }
  if (!cfg.policy.prefix_lists.empty()) out << "!\n";
  for (const auto& [name, list] : cfg.policy.community_lists) {
    std::uint32_t seq = 5;
    for (const auto& e : list.entries) {
      out << "bgp community-list " << (list.expanded ? "expanded " : "standard ") << name << " seq " << seq << ' '
          << to_string(e.action) << ' ' << (e.regex ? e.regex->pattern() : communities_to_string(e.communities)) << '\n';
      seq += 5;
    }
  }
  if (!cfg.policy.community_lists.empty()) out << "!\n";
  for (const auto& [name, map] : cfg.policy.route_maps)
    for (const auto& e : map.entries) print_route_map_entry(out, name, e);
  out << "end\n";
  return out.str();
}

}  // namespace hairpin::bgpd
