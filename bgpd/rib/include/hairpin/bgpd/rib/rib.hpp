#pragma once
// The RIB: Adj-RIB-In per peer (kept whole, as with soft-reconfiguration inbound),
// Loc-RIB with best path and ECMP, Adj-RIB-Out per peer with duplicate suppression.
//
// In:  session events from the FSM (peer up/down, UPDATE, ROUTE-REFRESH), the
//      locally originated prefixes, a new policy on reload, and next hops whose
//      reachability changed (the resolver is the daemon's, see NextHopResolver).
// Out: UPDATEs to send per peer (packed, each under 4096 octets), Loc-RIB
//      changes for the FIB (prefix -> next hops), and problems the daemon must
//      act on (max-prefix exceeded, outbound count near the ARS limit).
// Pure: no sockets, no clock. Callers: the daemon; tests drive it directly.
//
// ARS counts every announcement against its 1,000-route limit, cumulatively, so an
// unchanged route is never re-announced, except on ROUTE-REFRESH (RFC 2918 asks
// for the full table then).
//
// Sized for full tables: a prefix costs one hash slot, one 24-byte destination
// and a 20-byte path per peer that sent it (plus 12 bytes per peer it is
// advertised to); attributes are interned and reference-counted, and policy is
// evaluated once per attribute set unless it matches on prefix-lists.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "hairpin/bgpd/rib/best_path.hpp"
#include "hairpin/bgpd/policy/policy.hpp"
#include "hairpin/bgpd/wire/negotiated.hpp"
#include "hairpin/bgpd/wire/wire_types.hpp"

namespace hairpin::bgpd {

struct RibPeer {
  Ipv4Address address;
  std::uint32_t peer_as = 0;
  Ipv4Address local_address;  // our end of the session: NEXT_HOP towards eBGP peers
  bool next_hop_self = false;  // iBGP: eBGP-learned routes go out with local_address
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

enum class RibProblemKind { MaximumPrefixExceeded, OutboundNearLimit, RibFull };
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

// Attributes are shared, not copied: the RIB interns every attribute set, so all
// the prefixes of one UPDATE (and every route a route-map leaves alike) point at
// one immutable PathAttributes.
using AttrRef = std::shared_ptr<const PathAttributes>;

// A Loc-RIB entry as `bgp show` sees it (the RIB stores it far more compactly).
struct LocRibEntry {
  AttrRef attributes;  // of the best path
  bool local = false;
  bool external = true;
  std::uint32_t weight = 0;
  Ipv4Address from;  // peer, or 0.0.0.0 for local
  BestPathStep decided_by = BestPathStep::OnlyCandidate;
  std::vector<Ipv4Address> next_hops;  // best first, then multipaths
};

// One candidate path of a prefix (post-policy), as `bgp show routes` lists it:
// FRR lists every path and marks the best one, so can the verifier and people.
struct RibPath {
  AttrRef attributes;   // after inbound policy (or the `network` route-map)
  bool local = false;   // a `network` route
  Ipv4Address from;     // peer, or 0.0.0.0 for local
  bool valid = false;   // eligible: next hop resolvable (FRR's "valid")
  bool best = false;    // the Loc-RIB's choice
  bool multipath = false;  // one of the next hops installed (maximum-paths > 1), best included
};

struct RibPeerCounts {
  std::size_t received = 0;    // Adj-RIB-In, before policy
  std::size_t accepted = 0;    // after inbound policy (FRR's pfxRcd)
  std::size_t advertised = 0;  // Adj-RIB-Out (FRR's pfxSnt)
  std::uint64_t announcements = 0;  // every prefix announced this session, repeats included
};

// Whether a NEXT_HOP is reachable (RFC 4271 9.1.2.1: a route whose NEXT_HOP is
// not resolvable is not selected). Asked during best path; when its answers change
// the owner calls Rib::next_hops_changed with the next hops whose answer changed.
using NextHopResolver = std::function<bool(Ipv4Address)>;
using RouteVisitor = std::function<void(const Ipv4Prefix&, const AttrRef&)>;
using LocRibVisitor = std::function<void(const Ipv4Prefix&, const LocRibEntry&)>;
// `best` is null when no path is eligible (every next hop unresolvable).
using PathsVisitor =
    std::function<void(const Ipv4Prefix&, const std::vector<RibPath>&, const LocRibEntry* best)>;

class Rib {
 public:
  // The default resolver (every next hop reachable) is for tests; the daemon
  // passes the FIB's (Fib::resolves: recursive, over the kernel's table, never over our own routes).
  Rib(RibOptions options, PolicySet policy, std::vector<RibPeer> peers,
      NextHopResolver resolver = [](Ipv4Address) { return true; });
  ~Rib();
  Rib(Rib&&) noexcept;
  Rib& operator=(Rib&&) noexcept;

  // `local_address`: our end of the TCP session, the NEXT_HOP we advertise.
  RibOutput peer_up(Ipv4Address peer, const Negotiated& negotiated,
                    std::optional<Ipv4Address> local_address = std::nullopt);
  RibOutput peer_down(Ipv4Address peer);
  RibOutput receive(Ipv4Address peer, const Update& update);
  // Normal: the peer asks for our table. BoRR/EoRR: the peer is re-sending its
  // table; routes it did not repeat by EoRR are withdrawn (RFC 7313 4.2).
  RibOutput route_refresh(Ipv4Address peer, const RouteRefresh& request);
  RibOutput set_local_routes(std::vector<LocalRoute> routes);
  // The resolver now answers differently for `next_hops`: best path is re-run for
  // the prefixes with a path via one of them, and only those (a walk of every
  // prefix, rare next to UPDATEs); the UPDATEs and FIB changes that follow.
  RibOutput next_hops_changed(std::span<const Ipv4Address> next_hops);
  // Reload: inbound policy re-run over every Adj-RIB-In, outbound over the Loc-RIB.
  RibOutput replace_policy(PolicySet policy, std::vector<RibPeer> peers);

  // Loc-RIB: the best path of one prefix, or every one in prefix order.
  std::optional<LocRibEntry> best(const Ipv4Prefix& prefix) const;
  std::size_t loc_rib_size() const;
  void for_each_best(const LocRibVisitor& visit) const;
  // Every prefix with at least one candidate path, in prefix order: all its
  // paths, best first, then in arrival order.
  void for_each_prefix_paths(const PathsVisitor& visit) const;
  // Per peer; nullopt / false / null when `peer` is not configured or has no such route.
  std::optional<RibPeerCounts> counts(Ipv4Address peer) const;
  // Adj-RIB-In, pre-policy, as received (`show bgp neighbors X received-routes`).
  AttrRef received(Ipv4Address peer, const Ipv4Prefix& prefix) const;
  bool for_each_received(Ipv4Address peer, const RouteVisitor& visit) const;
  // Adj-RIB-Out: what the peer holds from us (`advertised-routes`).
  AttrRef advertised(Ipv4Address peer, const Ipv4Prefix& prefix) const;
  bool for_each_advertised(Ipv4Address peer, const RouteVisitor& visit) const;

 private:
  class State;  // rib.cpp: interned attributes, compact per-prefix tables
  std::unique_ptr<State> state_;
};

}  // namespace hairpin::bgpd
