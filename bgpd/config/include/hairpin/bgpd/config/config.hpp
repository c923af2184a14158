#pragma once
// The NVA's configuration: a subset of FRR's integrated config (frr.conf), parsed
// into values, validated, and printed back in FRR's own order and spelling.
//
// In:  config text and its file name (for "file:line" in messages).
// Out: an NvaConfig (BGP instance, neighbors, static routes, interface addresses,
//      a PolicySet) plus warnings, or the first error as file:line: what; fix.
// Callers: `hairpin nva --config FILE [--check]`, the daemon on start and SIGHUP,
//      tests. Nothing here touches the system.
//
// Subset rules: every line is either understood, a known no-op for this NVA
// (log, service, frr version...), or warned about with its line number, never
// silently dropped. Unknown `match`/`set` clauses in a route-map are errors, not
// warnings: ignoring one would change what the route-map permits.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "hairpin/bgpd/policy/policy.hpp"
#include "hairpin/bgpd/wire/wire_types.hpp"
#include "hairpin/common/result.hpp"

namespace hairpin::bgpd {

struct StaticRoute {
  Ipv4Prefix prefix;
  std::optional<Ipv4Address> next_hop;  // none: blackhole
  std::optional<std::string> interface;
  bool blackhole = false;
  int line = 0;
};

struct InterfaceAddress {
  std::string interface;
  Ipv4Address address;
  std::uint8_t length = 32;
  int line = 0;
};

struct NeighborConfig {
  Ipv4Address address;
  std::uint32_t remote_as = 0;
  // `remote-as external` (FRR): any AS but ours, taken from the peer's OPEN;
  // remote_as stays 0. (`remote-as internal` is stored as our own ASN.)
  bool remote_as_external = false;
  bool has_remote_as() const { return remote_as != 0 || remote_as_external; }
  bool same_remote_as(const NeighborConfig& o) const {
    return remote_as == o.remote_as && remote_as_external == o.remote_as_external;
  }
  std::string remote_as_text() const { return remote_as_external ? "external" : std::to_string(remote_as); }
  std::optional<std::string> description;
  std::optional<std::uint8_t> ebgp_multihop;   // TTL
  std::optional<std::string> update_source;    // address or interface name
  std::optional<std::uint16_t> keepalive;      // neighbor timers
  std::optional<std::uint16_t> hold_time;
  std::optional<std::uint16_t> connect_retry;  // neighbor X timers connect N (s)
  bool shutdown = false;
  // address-family ipv4 unicast
  bool activate = true;
  bool soft_reconfiguration_inbound = false;
  bool next_hop_self = false;
  std::optional<std::string> route_map_in;
  std::optional<std::string> route_map_out;
  std::optional<std::string> prefix_list_in;
  std::optional<std::string> prefix_list_out;
  // neighbor X maximum-prefix N [THRESHOLD] [restart M | warning-only], as FRR:
  // over N accepted prefixes -> Cease/Maximum Number of Prefixes Reached, the
  // session stays down (restart: for M minutes); warning-only just logs; a
  // warning is logged once the count passes THRESHOLD percent of N.
  std::optional<std::uint32_t> maximum_prefix;
  std::uint8_t maximum_prefix_threshold = 75;             // FRR's default, percent
  std::optional<std::uint16_t> maximum_prefix_restart;  // minutes
  bool maximum_prefix_warning_only = false;
  int line = 0;  // where remote-as was given
  // peer-groups: the group this neighbor belongs to, and the settings given on
  // the neighbor itself (option names as in `neighbor X OPTION`, `route-map` and
  // `prefix-list` with their direction: "route-map in"). The fields above are the
  // effective values: the group's, overridden by the neighbor's own.
  std::optional<std::string> peer_group;
  std::set<std::string> own_settings;
};

// `neighbor NAME peer-group`: settings shared by its members. `settings` holds
// the values given on the group (address unused, remote_as 0 when not given);
// settings.own_settings names the ones given.
struct PeerGroupConfig {
  std::string name;
  NeighborConfig settings;
  int line = 0;
};

struct NetworkStatement {
  Ipv4Prefix prefix;
  std::optional<std::string> route_map;
  int line = 0;
};

struct BgpConfig {
  std::uint32_t asn = 0;
  std::optional<Ipv4Address> router_id;
  // FRR >= 7.4 defaults for both profiles (lib/defaults, bgpd/bgp_vty.c)
  bool ebgp_requires_policy = true;   // RFC 8212
  bool network_import_check = true;
  bool default_ipv4_unicast = true;
  std::uint16_t keepalive = 60;
  std::uint16_t hold_time = 180;
  bool timers_set = false;
  std::uint32_t maximum_paths = 1;
  std::vector<NeighborConfig> neighbors;   // effective, peer-groups applied
  std::vector<PeerGroupConfig> peer_groups;
  std::vector<NetworkStatement> networks;
  int line = 0;
  const NeighborConfig* neighbor(Ipv4Address address) const;
};

struct NvaConfig {
  std::optional<std::string> frr_version;
  std::string frr_defaults = "traditional";
  std::optional<std::string> hostname;
  std::vector<StaticRoute> static_routes;
  std::vector<InterfaceAddress> interface_addresses;
  std::optional<BgpConfig> bgp;
  PolicySet policy;
};

struct ConfigWarning {
  // Which check raised it, so a caller with a fuller check of its own (`hairpin
  // lint`) can replace the parser's warning instead of repeating it.
  enum class Kind { Other, LoopbackPrefix, UndefinedReference, EbgpWithoutPolicy };
  int line = 0;
  std::string message;  // what and, where useful, the fix
  Kind kind = Kind::Other;
};

// A name the config uses: `neighbor X route-map NAME in`, `match as-path NAME`...
struct PolicyReference {
  enum class Kind { RouteMap, PrefixList, AsPathList, CommunityList };
  Kind kind = Kind::RouteMap;
  std::string name;
  int line = 0;
  bool defined(const PolicySet& policy) const;
};
// "route-map", "prefix-list", "as-path access-list", "community-list"
const char* to_string(PolicyReference::Kind kind);

struct ParsedConfig {
  NvaConfig config;
  std::vector<ConfigWarning> warnings;
  std::vector<PolicyReference> references;  // in line order
};

// FRR picks defaults by the version that wrote the file ("frr version X"):
// ebgp-requires-policy and network import-check are on from 7.4 (and when absent).
bool frr_defaults_since_7_4(const std::optional<std::string>& frr_version);

Result<ParsedConfig> parse_frr_config(std::string_view text, const std::string& file_name);

// The normalised config, in FRR's `show running-config` order and spelling; it
// parses back to the same NvaConfig without warnings about unknown lines.
std::string print_frr_config(const NvaConfig& config);

}  // namespace hairpin::bgpd
