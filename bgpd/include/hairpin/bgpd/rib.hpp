#pragma once
// The RIB: Adj-RIB-In per peer (kept whole, as with soft-reconfiguration inbound),
// Loc-RIB with best path and ECMP, Adj-RIB-Out per peer with duplicate suppression.
//
// In:  session events from the FSM (peer up/down, UPDATE, ROUTE-REFRESH), the
//      locally originated prefixes, and a new policy on reload.
// Out: UPDATEs to send per peer (packed, each under 4096 octets), Loc-RIB
//      changes for the FIB (prefix -> next hops), and problems the daemon must
//      act on (max-prefix exceeded, outbound count near the ARS limit).
// Pure: no sockets, no clock. Callers: the daemon; tests drive it directly.
//
// ARS counts every announcement against its 1,000-route limit, cumulatively, so an
// unchanged route is never re-announced, except on ROUTE-REFRESH (RFC 2918 asks
// for the full table then).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "hairpin/bgpd/best_path.hpp"
#include "hairpin/bgpd/policy.hpp"
#include "hairpin/bgpd/session_fsm.hpp"
#include "hairpin/bgpd/wire_types.hpp"

namespace hairpin::bgpd {

struct RibPeer {
  Ipv4Address address;
  std::uint32_t peer_as = 0;
  Ipv4Address local_address;  // our end of the session: NEXT_HOP towards eBGP peers
  std::optional<std::string> route_map_in, route_map_out;
  std::optional<std::string> prefix_list_in, prefix_list_out;
  std::optional<std::uint32_t> maximum_prefix;
};

struct RibOptions {
  std::uint32_t local_as = 0;
  Ipv4Address router_id;
  bool ebgp_requires_policy = true;  // RFC 8212, FRR's default since 7.4
  bool enforce_first_as = true;      // FRR default: eBGP path must start with the peer's AS
  std::uint32_t maximum_paths = 1;
  BestPathOptions best_path;
  std::size_t outbound_warning = 900;  // warn as a peer's Adj-RIB-Out nears ARS's 1,000
};

struct LocalRoute {  // a `network` statement that passed import-check
  Ipv4Prefix prefix;
  std::optional<std::string> route_map;
};

struct FibChange {
  Ipv4Prefix prefix;
  std::vector<Ipv4Address> next_hops;  // empty: remove
  friend bool operator==(const FibChange&, const FibChange&) = default;
};

// An UPDATE, or a BoRR/EoRR marker (RFC 7313 4) around a re-sent table.
struct Outgoing {
  Ipv4Address peer;
  std::variant<Update, RouteRefresh> message;
};

enum class RibProblemKind { MaximumPrefixExceeded, OutboundNearLimit };
struct RibProblem {
  RibProblemKind kind;
  Ipv4Address peer;
  std::string message;
};

struct RibOutput {
  std::vector<Outgoing> send;  // in sending order
  std::vector<FibChange> fib;
  std::vector<RibProblem> problems;
  std::vector<Update> updates_for(Ipv4Address peer) const;
};

// Attributes are shared, not copied: every prefix of one UPDATE (and every route
// a route-map leaves alike) points at one immutable PathAttributes.
using AttrRef = std::shared_ptr<const PathAttributes>;

struct LocRibEntry {
  AttrRef attributes;  // of the best path
  bool local = false;
  bool external = true;
  std::uint32_t weight = 0;
  Ipv4Address from;  // peer, or 0.0.0.0 for local
  BestPathStep decided_by = BestPathStep::OnlyCandidate;
  std::vector<Ipv4Address> next_hops;  // best first, then multipaths
};

using NextHopResolver = std::function<bool(Ipv4Address)>;

class Rib {
 public:
  Rib(RibOptions options, PolicySet policy, std::vector<RibPeer> peers,
      NextHopResolver resolver = [](Ipv4Address) { return true; });

  // `local_address`: our end of the TCP session, the NEXT_HOP we advertise.
  RibOutput peer_up(Ipv4Address peer, const Negotiated& negotiated,
                    std::optional<Ipv4Address> local_address = std::nullopt);
  RibOutput peer_down(Ipv4Address peer);
  RibOutput receive(Ipv4Address peer, const Update& update);
  // Normal: the peer asks for our table. BoRR/EoRR: the peer is re-sending its
  // table; routes it did not repeat by EoRR are withdrawn (RFC 7313 4.2).
  RibOutput route_refresh(Ipv4Address peer, const RouteRefresh& request);
  RibOutput set_local_routes(std::vector<LocalRoute> routes);
  // Reload: inbound policy re-run over every Adj-RIB-In, outbound over the Loc-RIB.
  RibOutput replace_policy(PolicySet policy, std::vector<RibPeer> peers);

  const std::map<Ipv4Prefix, LocRibEntry>& loc_rib() const { return loc_rib_; }
  // Pre-policy, as received (`show bgp neighbors X received-routes`).
  const std::map<Ipv4Prefix, AttrRef>* adj_rib_in(Ipv4Address peer) const;
  // What the peer holds from us (`advertised-routes`).
  const std::map<Ipv4Prefix, AttrRef>* adj_rib_out(Ipv4Address peer) const;
  // Every prefix announced to the peer this session, repeats included.
  std::uint64_t announcements_sent(Ipv4Address peer) const;

 private:
  struct PeerState {
    RibPeer config;
    std::optional<Negotiated> session;
    std::map<Ipv4Prefix, AttrRef> in;        // pre-policy
    std::map<Ipv4Prefix, AttrRef> accepted;  // post-policy
    std::map<Ipv4Prefix, AttrRef> out;
    std::uint64_t announced = 0;
    std::map<Ipv4Prefix, std::uint64_t> received_order;
    bool warned_near_limit = false;
    std::set<Ipv4Prefix> stale;  // between the peer's BoRR and EoRR (RFC 7313 4.2)
    bool refreshing = false;
  };
  bool external(const PeerState& p) const { return p.config.peer_as != options_.local_as; }
  AttrRef inbound(const PeerState& p, const Ipv4Prefix& prefix, const AttrRef& attrs);
  AttrRef outbound(const PeerState& to, const Ipv4Prefix& prefix);
  // Returns a shared copy of `attrs`, reusing the last one made if equal.
  AttrRef share(PathAttributes attrs, AttrRef& last);
  void recompute(const Ipv4Prefix& prefix, RibOutput& out, std::map<Ipv4Address, std::vector<Ipv4Prefix>>& dirty);
  void install(const Ipv4Prefix& prefix, std::optional<LocRibEntry> entry, RibOutput& out,
               std::map<Ipv4Address, std::vector<Ipv4Prefix>>& dirty);
  void accept(PeerState& p, const Ipv4Prefix& prefix, RibOutput& out, std::map<Ipv4Address, std::vector<Ipv4Prefix>>& dirty);
  void flush(std::map<Ipv4Address, std::vector<Ipv4Prefix>>& dirty, RibOutput& out, bool force = false);
  void pack(PeerState& p, const std::vector<std::pair<Ipv4Prefix, AttrRef>>& changes, RibOutput& out);

  RibOptions options_;
  PolicySet policy_;
  NextHopResolver resolver_;
  std::map<Ipv4Address, PeerState> peers_;
  std::map<Ipv4Prefix, std::optional<std::string>> local_;  // prefix -> network route-map
  std::map<Ipv4Prefix, LocRibEntry> loc_rib_;
  std::uint64_t received_counter_ = 0;  // arrival order across all peers (FRR's oldest-path step)
  AttrRef last_inbound_, last_outbound_, last_local_;
};

}  // namespace hairpin::bgpd
