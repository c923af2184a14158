// The rows of the RFC 7606 / RFC 4271 6.1-6.3 table (cases.hpp). Grouped by the
// RFC section they test; each row's bytes are built field by field.

#include "cases.hpp"

namespace hairpin::conformance {

using namespace build;

namespace {

constexpr std::uint8_t kHeaderError = 1, kOpenError = 2, kUpdateError = 3, kRouteRefreshError = 7;
// RFC 4271 4.5 / 6.x subcodes
constexpr std::uint8_t kNotSynchronized = 1, kBadLength = 2, kBadType = 3;
constexpr std::uint8_t kOpenUnspecific = 0, kBadVersion = 1, kBadPeerAs = 2, kBadIdentifier = 3,
                       kBadOptionalParameter = 4, kBadHoldTime = 6, kUnsupportedCapability = 7;
constexpr std::uint8_t kMalformedAttributeList = 1, kUnrecognizedWellKnown = 2, kAttributeFlags = 4,
                       kInvalidOrigin = 6, kOptionalAttributeError = 9, kInvalidNetworkField = 10;

// The valid attributes of each kind of peer, in type order; rows replace or add.
struct Attrs {
  Bytes origin, as_path, next_hop, local_pref;
  std::vector<Bytes> extra;
  Bytes bytes() const { return cat({origin, as_path, next_hop, local_pref, cat(extra)}); }
};
Attrs base(const Env& env, PeerKind k) {
  Attrs a;
  a.origin = build::origin(0);
  // eBGP: the path starts with the peer's AS (FRR's enforce-first-as); iBGP: empty
  if (k != PeerKind::Ibgp) a.as_path = build::as_path(segment(kAsSequence, {env.as_of(k)}, env.four_octet(k)));
  else a.as_path = build::as_path({});
  a.next_hop = build::next_hop(env.address_of(k));
  if (k == PeerKind::Ibgp) a.local_pref = build::local_pref(100);  // RFC 4271 5.1.5
  return a;
}
Bytes announce(const Env& env, const Bytes& attrs) { return update({}, attrs, prefix(env.marker)); }

Check expect_path(std::string want) {
  return [want](const Observed& o) { return o.path == want ? "" : "AS path '" + o.path + "', want '" + want + "'"; };
}
Check expect_med(std::uint32_t want) {
  return [want](const Observed& o) {
    return o.med == want ? "" : "MED " + (o.med ? std::to_string(*o.med) : "absent") + ", want " + std::to_string(want);
  };
}
Check expect_origin(std::string want) {
  return [want](const Observed& o) { return o.origin == want ? "" : "ORIGIN " + o.origin + ", want " + want; };
}
Check expect_next_hop(Ipv4Address want) {
  return [want](const Observed& o) {
    return o.next_hop == want.to_string() ? "" : "NEXT_HOP " + o.next_hop + ", want " + want.to_string();
  };
}
Check expect_no_local_pref() {
  return [](const Observed& o) {
    return o.local_pref ? "LOCAL_PREF " + std::to_string(*o.local_pref) + " kept, want it discarded" : "";
  };
}
Check expect_local_pref(std::uint32_t want) {
  return [want](const Observed& o) {
    return o.local_pref == want ? "" : "LOCAL_PREF " + (o.local_pref ? std::to_string(*o.local_pref) : "absent") +
                                           ", want " + std::to_string(want);
  };
}

}  // namespace

Bytes valid_announcement(const Env& env, PeerKind kind) { return announce(env, base(env, kind).bytes()); }

std::vector<Case> rfc7606_cases(const Env& env) {
  std::vector<Case> t;
  const PeerKind E = PeerKind::Ebgp, I = PeerKind::Ibgp, O = PeerKind::EbgpTwoOctet;
  const Bytes marker = prefix(env.marker);
  const Ipv4Address ebgp_nh = env.ebgp_address;
  auto reset = [&](std::string name, std::string rfc, std::string attribute, std::string what, PeerKind k,
                   Bytes message, std::uint8_t code, std::uint8_t subcode, When when = When::Established) {
    t.push_back(Case{std::move(name), std::move(rfc), std::move(attribute), std::move(what), k, when,
                     std::move(message), Handling::SessionReset, code, subcode, {}});
  };
  auto row = [&](std::string name, std::string rfc, std::string attribute, std::string what, PeerKind k,
                 Bytes message, Handling h, Check check = {}) {
    t.push_back(Case{std::move(name), std::move(rfc), std::move(attribute), std::move(what), k, When::Established,
                     std::move(message), h, 0, 0, std::move(check)});
  };
  auto with = [&](PeerKind k, auto&& edit) {
    Attrs a = base(env, k);
    edit(a);
    return announce(env, a.bytes());
  };
  const Handling TaW = Handling::TreatAsWithdraw, Discard = Handling::AttributeDiscard, Ok = Handling::Accepted;

  // ---- RFC 4271 6.1: message header ------------------------------------------------
  {
    Bytes bad_marker = keepalive();
    bad_marker[3] = 0xfe;
    reset("6.1/marker-not-all-ones", "RFC 4271 6.1", "header", "one marker octet 0xfe", E, bad_marker,
          kHeaderError, kNotSynchronized);
  }
  reset("6.1/length-18", "RFC 4271 6.1", "header", "Length 18 (< 19)", E, header(4, 0, 18), kHeaderError, kBadLength);
  reset("6.1/length-4097", "RFC 4271 6.1", "header", "Length 4097 (> 4096, no extended message)", E,
        cat({header(2, 0, 4097), Bytes(4078, 0)}), kHeaderError, kBadLength);
  reset("6.1/keepalive-length-20", "RFC 4271 6.1", "header", "KEEPALIVE of 20 octets", E,
        cat({header(4, 1), u8(0)}), kHeaderError, kBadLength);
  reset("6.1/update-length-22", "RFC 4271 6.1", "header", "UPDATE of 22 octets (< 23)", E,
        cat({header(2, 3), u16(0), u8(0)}), kHeaderError, kBadLength);
  reset("6.1/open-length-28", "RFC 4271 6.1", "header", "OPEN of 28 octets (< 29) in Established", E,
        cat({header(1, 9), Bytes(9, 0)}), kHeaderError, kBadLength);
  reset("6.1/notification-length-20", "RFC 4271 6.1", "header", "NOTIFICATION of 20 octets (< 21)", E,
        cat({header(3, 1), u8(6)}), kHeaderError, kBadLength);
  reset("6.1/type-0", "RFC 4271 6.1", "header", "message type 0", E, header(0, 0), kHeaderError, kBadType);
  reset("6.1/type-6", "RFC 4271 6.1", "header", "message type 6", E, header(6, 0), kHeaderError, kBadType);
  reset("7313-5/route-refresh-borr-length-5", "RFC 7313 5", "ROUTE-REFRESH", "BoRR with a 5-octet body", E,
        message(5, cat({u16(1), u8(1), u8(1), u8(0)})), kRouteRefreshError, 1);

  // ---- RFC 4271 6.2: OPEN (sent as the peer's OPEN) --------------------------------
  auto bad_open = [&](std::string name, std::string rfc, std::string what, PeerKind k, auto&& edit, std::uint8_t code,
                      std::uint8_t subcode) {
    OpenFields f = peer_open_fields(env, k);
    edit(f);
    reset(std::move(name), std::move(rfc), "OPEN", std::move(what), k, build::open(f), code, subcode, When::InsteadOfOpen);
  };
  bad_open("6.2/version-3", "RFC 4271 6.2", "version 3", E, [](OpenFields& f) { f.version = 3; }, kOpenError, kBadVersion);
  bad_open("6.2/peer-as-wrong", "RFC 4271 6.2", "My AS 65999, configured 65076", E,
           [](OpenFields& f) {
             f.my_as = 65999;
             f.parameters = {cap_multiprotocol(1, 1), cap_four_octet_as(65999)};
           },
           kOpenError, kBadPeerAs);
  bad_open("7607/open-my-as-0", "RFC 7607 2", "My AS 0", E,
           [](OpenFields& f) {
             f.my_as = 0;
             f.parameters = {cap_multiprotocol(1, 1)};
           },
           kOpenError, kBadPeerAs);
  bad_open("7607/open-four-octet-as-0", "RFC 7607 2", "4-octet AS capability holding AS 0", E,
           [](OpenFields& f) { f.parameters = {cap_multiprotocol(1, 1), cap_four_octet_as(0)}; }, kOpenError,
           kBadPeerAs);
  bad_open("6.2/hold-time-1", "RFC 4271 6.2", "hold time 1 s", E, [](OpenFields& f) { f.hold_time = 1; }, kOpenError,
           kBadHoldTime);
  bad_open("6.2/hold-time-2", "RFC 4271 6.2", "hold time 2 s", E, [](OpenFields& f) { f.hold_time = 2; }, kOpenError,
           kBadHoldTime);
  bad_open("6.2/bgp-identifier-0", "RFC 4271 6.2 / RFC 6286 2.2", "BGP Identifier 0.0.0.0", E,
           [](OpenFields& f) { f.bgp_identifier = 0; }, kOpenError, kBadIdentifier);
  bad_open("6.2/ibgp-identifier-ours", "RFC 6286 2.2", "iBGP peer with our BGP Identifier", I,
           [&](OpenFields& f) { f.bgp_identifier = env.nva_router_id.value; }, kOpenError, kBadIdentifier);
  bad_open("6.2/optional-parameter-type-1", "RFC 4271 6.2", "optional parameter type 1 (authentication)", E,
           [](OpenFields& f) { f.parameters.push_back(cat({u8(1), u8(1), u8(0)})); }, kOpenError,
           kBadOptionalParameter);
  bad_open("6.2/optional-parameters-overrun", "RFC 4271 6.2", "Opt Parm Len one more than the parameters", E,
           [](OpenFields& f) {
             std::size_t n = 0;
             for (const auto& p : f.parameters) n += p.size();
             f.opt_len = static_cast<std::uint8_t>(n + 1);
           },
           kOpenError, kOpenUnspecific);
  bad_open("6.2/no-ipv4-unicast", "RFC 5492 3 / RFC 4760 8", "multiprotocol capability for IPv6 unicast only", E,
           [](OpenFields& f) { f.parameters = {cap_multiprotocol(2, 1), cap_four_octet_as(65076)}; }, kOpenError,
           kUnsupportedCapability);
  {
    OpenFields f = peer_open_fields(env, E);
    Bytes msg = build::open(f);
    msg[16] = 0;
    msg[17] = 28;  // RFC 4271 6.1: OPEN shorter than its minimum 29
    msg.resize(28);
    reset("6.1/open-length-28-as-open", "RFC 4271 6.1", "OPEN", "OPEN of 28 octets", E, msg, kHeaderError, kBadLength,
          When::InsteadOfOpen);
  }

  // ---- RFC 4271 6.3 / RFC 7606 3 b, 5.3, 3 i: UPDATE framing -------------------------
  {
    Bytes body = update_body({}, base(env, E).bytes(), marker);
    Bytes w = body;
    w[0] = 0x0f;  // Withdrawn Routes Length past the end
    reset("7606-3b/withdrawn-length-overrun", "RFC 7606 3 b / RFC 4271 6.3", "UPDATE",
          "Withdrawn Routes Length + Total Attribute Length + 23 > message length", E, message(2, w),
          kUpdateError, kMalformedAttributeList);
    Bytes a = body;
    a[2] = 0x0f;  // Total Path Attribute Length past the end
    reset("7606-3b/attribute-length-overrun", "RFC 7606 3 b / RFC 4271 6.3", "UPDATE",
          "Total Attribute Length past the end of the message", E, message(2, a), kUpdateError,
          kMalformedAttributeList);
  }
  reset("7606-5.3/nlri-length-33", "RFC 7606 5.3", "NLRI", "NLRI prefix length 33", E,
        update({}, base(env, E).bytes(), cat({marker, u8(33), u32(0xac100000), u8(0)})), kUpdateError,
        kInvalidNetworkField);
  reset("7606-5.3/nlri-truncated", "RFC 7606 5.3", "NLRI", "last NLRI prefix overruns the message", E,
        update({}, base(env, E).bytes(), cat({marker, u8(24), u16(0xac10)})), kUpdateError, kInvalidNetworkField);
  reset("7606-3i/withdrawn-length-33", "RFC 7606 3 i / 5.3", "Withdrawn Routes", "withdrawn prefix length 33", E,
        update(cat({u8(33), u32(0xac100000), u8(0)}), {}, {}), kUpdateError, kInvalidNetworkField);
  reset("7606-3i/withdrawn-truncated", "RFC 7606 3 i / 5.3", "Withdrawn Routes", "last withdrawn prefix overruns the field", E,
        update(cat({marker, u8(24), u8(0xac)}), {}, {}), kUpdateError, kInvalidNetworkField);

  // ---- RFC 7606 4: attribute lengths against Total Attribute Length --------------------
  row("7606-4/last-attribute-overruns", "RFC 7606 4", "MULTI_EXIT_DISC",
      "last attribute's length (8) runs past Total Attribute Length", E,
      announce(env, cat({base(env, E).bytes(), attr(kOptional, 4, u32(1), 8)})), TaW);
  row("7606-4/two-octets-left", "RFC 7606 4", "attribute header", "2 octets left: no room for an attribute header", E,
      announce(env, cat({base(env, E).bytes(), Bytes{kOptional, 4}})), TaW);
  row("7606-4/extended-three-octets-left", "RFC 7606 4", "attribute header",
      "Extended Length set and 3 octets left", E,
      announce(env, cat({base(env, E).bytes(), Bytes{kOptional | kExtended, 4, 0}})), TaW);
  row("7606-4/zero-length-origin", "RFC 7606 4 / 7.1", "ORIGIN", "attribute length 0", E,
      with(E, [](Attrs& a) { a.origin = attr(kWellKnown, 1, {}); }), TaW);
  row("7606-4/zero-length-next-hop", "RFC 7606 4 / 7.3", "NEXT_HOP", "attribute length 0", E,
      with(E, [](Attrs& a) { a.next_hop = attr(kWellKnown, 3, {}); }), TaW);
  row("7606-4/zero-length-med", "RFC 7606 4 / 7.4", "MULTI_EXIT_DISC", "attribute length 0", E,
      with(E, [](Attrs& a) { a.extra = {attr(kOptional, 4, {})}; }), TaW);
  row("7606-4/zero-length-as-path-ibgp", "RFC 7606 4", "AS_PATH", "attribute length 0 (allowed)", I,
      with(I, [](Attrs&) {}), Ok, expect_path(""));
  row("7606-4/zero-length-atomic-aggregate", "RFC 7606 4 / 7.6", "ATOMIC_AGGREGATE", "attribute length 0 (the only valid one)", E,
      with(E, [](Attrs& a) { a.extra = {atomic_aggregate()}; }), Ok);

  // ---- RFC 7606 3 d: missing well-known mandatory attributes ---------------------------
  row("7606-3d/missing-origin", "RFC 7606 3 d", "ORIGIN", "absent, NLRI present", E,
      with(E, [](Attrs& a) { a.origin.clear(); }), TaW);
  row("7606-3d/missing-as-path", "RFC 7606 3 d", "AS_PATH", "absent, NLRI present", E,
      with(E, [](Attrs& a) { a.as_path.clear(); }), TaW);
  row("7606-3d/missing-next-hop", "RFC 7606 3 d", "NEXT_HOP", "absent, NLRI present", E,
      with(E, [](Attrs& a) { a.next_hop.clear(); }), TaW);
  row("7606-3d/missing-local-pref-ibgp", "RFC 7606 3 d / RFC 4271 5.1.5", "LOCAL_PREF", "absent from an iBGP UPDATE", I,
      with(I, [](Attrs& a) { a.local_pref.clear(); }), TaW);
  row("7606-3d/no-attributes-no-nlri-withdraw", "RFC 4271 5", "UPDATE", "withdrawal only: no attributes needed", E,
      update(marker, {}, {}), Handling::Withdrawn);
  row("7606-3d/origin-only-no-nlri", "RFC 4271 5 / RFC 7606 5.2", "UPDATE",
      "withdrawal with ORIGIN only: mandatory attributes are for NLRI", E,
      update(marker, build::origin(0), {}), Handling::Withdrawn);

  // ---- RFC 7606 5.2: attributes but no reachable NLRI ------------------------------------
  reset("7606-5.2/bad-origin-without-nlri", "RFC 7606 5.2", "ORIGIN",
        "ORIGIN value 3 in an UPDATE that only withdraws", E, update(marker, build::origin(3), {}), kUpdateError,
        kInvalidOrigin);
  reset("7606-5.2/bad-flags-without-nlri", "RFC 7606 5.2 / 3 c", "COMMUNITIES",
        "COMMUNITIES flagged well-known in an UPDATE that only withdraws", E,
        update(marker, communities({1}, kWellKnown), {}), kUpdateError, kAttributeFlags);
  row("7606-5.2/discard-without-nlri", "RFC 7606 5.2 / 7.6", "ATOMIC_AGGREGATE",
      "ATOMIC_AGGREGATE of 1 octet in an UPDATE that only withdraws: attribute discard is allowed", E,
      update(marker, attr(kWellKnown, 6, {0}), {}), Handling::Withdrawn);

  // ---- RFC 7606 3 c: Optional/Transitive bits in conflict, every known attribute ---------
  row("7606-3c/flags-origin-optional", "RFC 7606 3 c", "ORIGIN", "flags 0xc0 (optional)", E,
      with(E, [](Attrs& a) { a.origin = build::origin(0, kOptionalTransitive); }), TaW);
  row("7606-3c/flags-origin-not-transitive", "RFC 7606 3 c", "ORIGIN", "flags 0x00 (well-known, not transitive)", E,
      with(E, [](Attrs& a) { a.origin = build::origin(0, 0); }), TaW);
  row("7606-3c/flags-as-path", "RFC 7606 3 c", "AS_PATH", "flags 0x80", E,
      with(E, [&](Attrs& a) { a.as_path = build::as_path(segment(kAsSequence, {env.ebgp_as}, true), kOptional); }), TaW);
  row("7606-3c/flags-next-hop", "RFC 7606 3 c", "NEXT_HOP", "flags 0xc0", E,
      with(E, [&](Attrs& a) { a.next_hop = build::next_hop(ebgp_nh, kOptionalTransitive); }), TaW);
  row("7606-3c/flags-med", "RFC 7606 3 c", "MULTI_EXIT_DISC", "flags 0x40 (well-known)", E,
      with(E, [](Attrs& a) { a.extra = {med(1, kWellKnown)}; }), TaW);
  row("7606-3c/flags-med-transitive", "RFC 7606 3 c", "MULTI_EXIT_DISC", "flags 0xc0 (optional transitive)", E,
      with(E, [](Attrs& a) { a.extra = {med(1, kOptionalTransitive)}; }), TaW);
  row("7606-3c/flags-local-pref-ibgp", "RFC 7606 3 c", "LOCAL_PREF", "flags 0xc0 from iBGP", I,
      with(I, [](Attrs& a) { a.local_pref = local_pref(100, kOptionalTransitive); }), TaW);
  row("7606-3f/flags-atomic-aggregate", "RFC 7606 3 f", "ATOMIC_AGGREGATE", "flags 0xc0", E,
      with(E, [](Attrs& a) { a.extra = {atomic_aggregate(kOptionalTransitive)}; }), Discard);
  row("7606-3f/flags-aggregator", "RFC 7606 3 f", "AGGREGATOR", "flags 0x40 (well-known)", E,
      with(E, [&](Attrs& a) { a.extra = {aggregator(env.ebgp_as, ebgp_nh, true, kWellKnown)}; }), Discard);
  row("7606-3c/flags-communities", "RFC 7606 3 c", "COMMUNITIES", "flags 0x80 (non-transitive)", E,
      with(E, [](Attrs& a) { a.extra = {communities({1}, kOptional)}; }), TaW);
  row("7606-3c/flags-originator-id-ibgp", "RFC 7606 3 c", "ORIGINATOR_ID", "flags 0xc0 from iBGP", I,
      with(I, [&](Attrs& a) { a.extra = {originator_id(env.ibgp_address, kOptionalTransitive)}; }), TaW);
  row("7606-3c/flags-cluster-list-ibgp", "RFC 7606 3 c", "CLUSTER_LIST", "flags 0x40 from iBGP", I,
      with(I, [](Attrs& a) { a.extra = {cluster_list({1}, kWellKnown)}; }), TaW);
  reset("7606-5.3/flags-mp-reach", "RFC 7606 5.3 / 7.11", "MP_REACH_NLRI", "flags 0xc0", E,
        update({}, cat({mp_reach(mp_reach_value(ebgp_nh, marker), kOptionalTransitive), base(env, E).origin,
                        base(env, E).as_path}), {}),
        kUpdateError, kAttributeFlags);
  reset("7606-5.3/flags-mp-unreach", "RFC 7606 5.3 / 7.12", "MP_UNREACH_NLRI", "flags 0x40", E,
        update({}, mp_unreach(marker, kWellKnown), {}), kUpdateError, kAttributeFlags);
  row("6793-6/flags-as4-path", "RFC 6793 6 / RFC 7606 3 c", "AS4_PATH", "flags 0x40 from a 2-octet peer", O,
      with(O, [](Attrs& a) { a.extra = {as4_path(segment(kAsSequence, {4200000077u}, true), kWellKnown)}; }), Discard,
      expect_path("65077"));
  row("6793-6/flags-as4-aggregator", "RFC 6793 6 / RFC 7606 3 c", "AS4_AGGREGATOR", "flags 0x80 from a 2-octet peer", O,
      with(O, [&](Attrs& a) {
        a.extra = {aggregator(23456, env.ebgp2_address, false), as4_aggregator(4200000077u, env.ebgp2_address, kOptional)};
      }),
      Discard);
  row("8092-6/flags-large-community", "RFC 7606 3 c / RFC 8092", "LARGE_COMMUNITY", "flags 0x80", E,
      with(E, [](Attrs& a) { a.extra = {large_community(1, 2, 3, kOptional)}; }), TaW);

  // ---- RFC 7606 3 g: duplicates ---------------------------------------------------------
  row("7606-3g/duplicate-origin", "RFC 7606 3 g", "ORIGIN", "ORIGIN IGP then ORIGIN EGP: the second is discarded", E,
      with(E, [](Attrs& a) { a.origin = cat({build::origin(0), build::origin(1)}); }), Discard, expect_origin("IGP"));
  row("7606-3g/duplicate-as-path", "RFC 7606 3 g", "AS_PATH", "two AS_PATHs: the second is discarded", E,
      with(E, [&](Attrs& a) {
        a.as_path = cat({a.as_path, build::as_path(segment(kAsSequence, {env.ebgp_as, 65099}, true))});
      }),
      Discard, expect_path("65076"));
  row("7606-3g/duplicate-next-hop", "RFC 7606 3 g", "NEXT_HOP", "two NEXT_HOPs: the second is discarded", E,
      with(E, [&](Attrs& a) { a.next_hop = cat({a.next_hop, build::next_hop(Ipv4Address{0x0a634c63})}); }), Discard,
      expect_next_hop(ebgp_nh));
  row("7606-3g/duplicate-med", "RFC 7606 3 g", "MULTI_EXIT_DISC", "MED 1 then MED 2", E,
      with(E, [](Attrs& a) { a.extra = {med(1), med(2)}; }), Discard, expect_med(1));
  row("7606-3g/duplicate-local-pref-ibgp", "RFC 7606 3 g", "LOCAL_PREF", "LOCAL_PREF 100 then 200 from iBGP", I,
      with(I, [](Attrs& a) { a.local_pref = cat({local_pref(100), local_pref(200)}); }), Discard, expect_local_pref(100));
  row("7606-3g/duplicate-communities", "RFC 7606 3 g", "COMMUNITIES", "two COMMUNITIES", E,
      with(E, [](Attrs& a) { a.extra = {communities({1}), communities({2})}; }), Discard);
  row("7606-3g/duplicate-unknown-transitive", "RFC 7606 3 g", "type 0xf0", "an unrecognized optional transitive attribute twice", E,
      with(E, [](Attrs& a) { a.extra = {attr(kOptionalTransitive, 0xf0, {1}), attr(kOptionalTransitive, 0xf0, {2})}; }),
      Discard);
  row("7606-3g/duplicate-unknown-non-transitive", "RFC 7606 3 g", "type 0xf1",
      "an unrecognized optional non-transitive attribute twice", E,
      with(E, [](Attrs& a) { a.extra = {attr(kOptional, 0xf1, {1}), attr(kOptional, 0xf1, {2})}; }), Discard);
  reset("7606-3g/duplicate-mp-reach", "RFC 7606 3 g", "MP_REACH_NLRI", "MP_REACH_NLRI twice", E,
        update({}, cat({mp_reach(mp_reach_value(ebgp_nh, marker)), mp_reach(mp_reach_value(ebgp_nh, marker)),
                        base(env, E).origin, base(env, E).as_path}), {}),
        kUpdateError, kMalformedAttributeList);
  reset("7606-3g/duplicate-mp-unreach", "RFC 7606 3 g", "MP_UNREACH_NLRI", "MP_UNREACH_NLRI twice", E,
        update({}, cat({mp_unreach(marker), mp_unreach(marker)}), {}), kUpdateError, kMalformedAttributeList);

  // ---- unrecognized attributes (RFC 4271 5, 6.3) -------------------------------------------
  reset("4271-6.3/unrecognized-well-known", "RFC 4271 6.3", "type 99", "unrecognized attribute flagged well-known", E,
        with(E, [](Attrs& a) { a.extra = {attr(kWellKnown, 99, {0})}; }), kUpdateError, kUnrecognizedWellKnown);
  row("4271-5/unknown-optional-non-transitive", "RFC 4271 5", "type 0xf1", "quietly ignored", E,
      with(E, [](Attrs& a) { a.extra = {attr(kOptional, 0xf1, {1})}; }), Ok);
  row("4271-5/unknown-optional-transitive", "RFC 4271 5", "type 0xf0", "accepted, passed on Partial", E,
      with(E, [](Attrs& a) { a.extra = {attr(kOptionalTransitive, 0xf0, {1})}; }), Ok);

  // ---- RFC 7606 7.1 ORIGIN -------------------------------------------------------------------
  row("7606-7.1/origin-length-2", "RFC 7606 7.1", "ORIGIN", "length 2", E,
      with(E, [](Attrs& a) { a.origin = attr(kWellKnown, 1, {0, 0}); }), TaW);
  row("7606-7.1/origin-value-3", "RFC 7606 7.1", "ORIGIN", "undefined value 3", E,
      with(E, [](Attrs& a) { a.origin = build::origin(3); }), TaW);
  // FRR 8.4.4 misreads the NLRI here and resets with 3/10: the NLRI is where Total
  // Attribute Length says, and both routes are withdrawn.
  row("7606-7.1/origin-value-3-two-nlri", "RFC 7606 7.1 / 3 j", "ORIGIN", "undefined value 3, two NLRI prefixes", E,
      update({}, cat({build::origin(3), base(env, E).as_path, base(env, E).next_hop}), cat({marker, prefix(env.second)})), TaW);

  // ---- RFC 7606 7.2 AS_PATH, RFC 5065 5, RFC 7607 ------------------------------------------
  auto path_row = [&](std::string name, std::string rfc, std::string what, PeerKind k, Bytes segments) {
    row(std::move(name), std::move(rfc), "AS_PATH", std::move(what), k,
        with(k, [&](Attrs& a) { a.as_path = build::as_path(segments); }), TaW);
  };
  path_row("7606-7.2/segment-length-0", "RFC 7606 7.2", "segment length 0", E,
           cat({segment(kAsSequence, {env.ebgp_as}, true), segment(kAsSequence, {}, true)}));
  path_row("7606-7.2/segment-type-0", "RFC 7606 7.2", "segment type 0", E, segment(0, {env.ebgp_as}, true));
  path_row("7606-7.2/segment-type-5", "RFC 7606 7.2", "segment type 5", E, segment(5, {env.ebgp_as}, true));
  path_row("7606-7.2/segment-overrun", "RFC 7606 7.2", "segment length 2 with one AS", E,
           segment(kAsSequence, {env.ebgp_as}, true, 2));
  path_row("7606-7.2/segment-underrun", "RFC 7606 7.2", "one octet left after the last segment", E,
           cat({segment(kAsSequence, {env.ebgp_as}, true), u8(2)}));
  path_row("7606-7.2/two-octet-odd-length", "RFC 7606 7.2", "2-octet path, segment overruns by one octet", O,
           cat({segment(kAsSequence, {env.ebgp2_as}, false, 2), u8(0xfd)}));
  path_row("5065-5/confed-sequence-from-ebgp", "RFC 5065 5 / RFC 7606 7.2", "AS_CONFED_SEQUENCE from an eBGP peer", E,
           cat({segment(kAsConfedSequence, {65500}, true), segment(kAsSequence, {env.ebgp_as}, true)}));
  path_row("5065-5/confed-set-from-ebgp", "RFC 5065 5 / RFC 7606 7.2", "AS_CONFED_SET from an eBGP peer", E,
           cat({segment(kAsSequence, {env.ebgp_as}, true), segment(kAsConfedSet, {65500, 65501}, true)}));
  path_row("5065-5/confed-sequence-from-ibgp", "RFC 5065 5 / RFC 7606 7.2",
           "AS_CONFED_SEQUENCE from an iBGP peer (we are in no confederation)", I, segment(kAsConfedSequence, {65500}, true));
  path_row("7607/as-path-as-0", "RFC 7607 2 / RFC 7606 7.2", "AS 0 in AS_PATH", E,
           segment(kAsSequence, {env.ebgp_as, 0}, true));
  path_row("7607/as-path-as-0-two-octet", "RFC 7607 2 / RFC 7606 7.2", "AS 0 in a 2-octet AS_PATH", O,
           segment(kAsSequence, {env.ebgp2_as, 0}, false));
  path_row("7607/as-path-as-0-in-set", "RFC 7607 2 / RFC 7606 7.2", "AS 0 in an AS_SET", E,
           cat({segment(kAsSequence, {env.ebgp_as}, true), segment(kAsSet, {65100, 0}, true)}));
  row("7606-7.2/as-path-two-nlri", "RFC 7606 7.2 / 3 j", "AS_PATH", "segment length 0, two NLRI prefixes", E,
      update({}, cat({base(env, E).origin, build::as_path(segment(kAsSequence, {}, true)), base(env, E).next_hop}),
             cat({marker, prefix(env.second)})),
      TaW);
  row("7606-7.2/as-set-accepted", "RFC 4271 4.3", "AS_PATH", "a valid AS_SET (positive control for the rows above)", E,
      with(E, [&](Attrs& a) {
        a.as_path = build::as_path(cat({segment(kAsSequence, {env.ebgp_as}, true), segment(kAsSet, {65100, 65200}, true)}));
      }),
      Ok, expect_path("65076 {65100,65200}"));

  // ---- RFC 7606 7.3 NEXT_HOP, RFC 4271 6.3 --------------------------------------------------
  row("7606-7.3/next-hop-length-5", "RFC 7606 7.3", "NEXT_HOP", "length 5", E,
      with(E, [&](Attrs& a) { a.next_hop = attr(kWellKnown, 3, cat({u32(ebgp_nh.value), u8(0)})); }), TaW);
  row("7606-7.3/next-hop-length-3", "RFC 7606 7.3", "NEXT_HOP", "length 3", E,
      with(E, [](Attrs& a) { a.next_hop = attr(kWellKnown, 3, {10, 99, 76}); }), TaW);
  auto nh_row = [&](std::string name, std::string what, Ipv4Address nh) {
    row(std::move(name), "RFC 4271 6.3", "NEXT_HOP", std::move(what), E,
        with(E, [&](Attrs& a) { a.next_hop = build::next_hop(nh); }), TaW);
  };
  nh_row("4271-6.3/next-hop-0.0.0.0", "martian 0.0.0.0", Ipv4Address{0});
  nh_row("4271-6.3/next-hop-loopback", "martian 127.0.0.1", Ipv4Address{0x7f000001});
  nh_row("4271-6.3/next-hop-multicast", "martian 224.0.0.5", Ipv4Address{0xe0000005});
  nh_row("4271-6.3/next-hop-broadcast", "martian 255.255.255.255", Ipv4Address{0xffffffff});
  nh_row("4271-6.3/next-hop-own-address", "our own address (6.3 a): the route is ignored, no NOTIFICATION",
         env.nva_address);

  // ---- RFC 7606 7.4 MULTI_EXIT_DISC, 7.5 LOCAL_PREF ----------------------------------------
  row("7606-7.4/med-length-3", "RFC 7606 7.4", "MULTI_EXIT_DISC", "length 3", E,
      with(E, [](Attrs& a) { a.extra = {attr(kOptional, 4, {0, 0, 1})}; }), TaW);
  row("7606-7.4/med-length-5", "RFC 7606 7.4", "MULTI_EXIT_DISC", "length 5", E,
      with(E, [](Attrs& a) { a.extra = {attr(kOptional, 4, {0, 0, 0, 0, 1})}; }), TaW);
  row("7606-7.5/local-pref-from-ebgp", "RFC 7606 7.5", "LOCAL_PREF", "LOCAL_PREF 200 from an eBGP peer", E,
      with(E, [](Attrs& a) { a.local_pref = local_pref(200); }), Discard, expect_no_local_pref());
  row("7606-7.5/local-pref-length-3-from-ebgp", "RFC 7606 7.5", "LOCAL_PREF",
      "length 3 from an eBGP peer: discarded, not treat-as-withdraw", E,
      with(E, [](Attrs& a) { a.local_pref = attr(kWellKnown, 5, {0, 0, 1}); }), Discard, expect_no_local_pref());
  row("7606-7.5/local-pref-length-3-ibgp", "RFC 7606 7.5", "LOCAL_PREF", "length 3 from an iBGP peer", I,
      with(I, [](Attrs& a) { a.local_pref = attr(kWellKnown, 5, {0, 0, 1}); }), TaW);
  row("7606-7.5/local-pref-ibgp-kept", "RFC 4271 5.1.5", "LOCAL_PREF", "LOCAL_PREF 250 from iBGP is kept", I,
      with(I, [](Attrs& a) { a.local_pref = local_pref(250); }), Ok, expect_local_pref(250));

  // ---- RFC 7606 7.6 ATOMIC_AGGREGATE, 7.7 AGGREGATOR, RFC 7607 --------------------------------
  row("7606-7.6/atomic-aggregate-length-1", "RFC 7606 7.6", "ATOMIC_AGGREGATE", "length 1", E,
      with(E, [](Attrs& a) { a.extra = {attr(kWellKnown, 6, {0})}; }), Discard);
  row("7606-7.7/aggregator-length-7", "RFC 7606 7.7", "AGGREGATOR", "length 7 on a 4-octet session", E,
      with(E, [](Attrs& a) { a.extra = {attr(kOptionalTransitive, 7, {0, 0, 0xfe, 0x34, 10, 0, 0})}; }), Discard);
  row("7606-7.7/aggregator-length-6-four-octet", "RFC 7606 7.7", "AGGREGATOR", "length 6 on a 4-octet session", E,
      with(E, [&](Attrs& a) { a.extra = {aggregator(env.ebgp_as, ebgp_nh, false)}; }), Discard);
  row("7606-7.7/aggregator-length-8-two-octet", "RFC 7606 7.7", "AGGREGATOR", "length 8 on a 2-octet session", O,
      with(O, [&](Attrs& a) { a.extra = {aggregator(env.ebgp2_as, env.ebgp2_address, true)}; }), Discard);
  row("7606-7.7/aggregator-length-0", "RFC 7606 7.7 / 4", "AGGREGATOR", "length 0", E,
      with(E, [](Attrs& a) { a.extra = {attr(kOptionalTransitive, 7, {})}; }), Discard);
  row("7607/aggregator-as-0", "RFC 7607 2 / RFC 7606 7.7", "AGGREGATOR", "AS 0", E,
      with(E, [&](Attrs& a) { a.extra = {aggregator(0, ebgp_nh, true)}; }), Discard);

  // ---- RFC 7606 7.8 COMMUNITIES, RFC 8092 ----------------------------------------------------
  row("7606-7.8/communities-length-5", "RFC 7606 7.8", "COMMUNITIES", "length 5", E,
      with(E, [](Attrs& a) { a.extra = {attr(kOptionalTransitive, 8, {0, 0, 0, 1, 0})}; }), TaW);
  row("7606-7.8/communities-length-0", "RFC 7606 7.8", "COMMUNITIES", "length 0", E,
      with(E, [](Attrs& a) { a.extra = {attr(kOptionalTransitive, 8, {})}; }), TaW);
  row("8092-6/large-community-length-13", "RFC 8092 6", "LARGE_COMMUNITY", "length 13", E,
      with(E, [](Attrs& a) { a.extra = {attr(kOptionalTransitive, 32, Bytes(13, 1))}; }), TaW);

  // ---- RFC 7606 7.9 ORIGINATOR_ID, 7.10 CLUSTER_LIST (RFC 4456) -------------------------------
  row("7606-7.9/originator-id-from-ebgp", "RFC 7606 7.9", "ORIGINATOR_ID", "from an eBGP peer", E,
      with(E, [&](Attrs& a) { a.extra = {originator_id(ebgp_nh)}; }), Discard);
  row("7606-7.9/originator-id-length-5-from-ebgp", "RFC 7606 7.9", "ORIGINATOR_ID",
      "length 5 from an eBGP peer: discarded, not treat-as-withdraw", E,
      with(E, [](Attrs& a) { a.extra = {attr(kOptional, 9, Bytes(5, 1))}; }), Discard);
  row("7606-7.9/originator-id-length-5-ibgp", "RFC 7606 7.9", "ORIGINATOR_ID", "length 5 from iBGP", I,
      with(I, [](Attrs& a) { a.extra = {attr(kOptional, 9, Bytes(5, 1))}; }), TaW);
  row("7606-7.9/originator-id-length-0-ibgp", "RFC 7606 7.9 / 4", "ORIGINATOR_ID", "length 0 from iBGP", I,
      with(I, [](Attrs& a) { a.extra = {attr(kOptional, 9, {})}; }), TaW);
  row("7606-7.9/originator-id-ibgp-valid", "RFC 4456 8", "ORIGINATOR_ID", "length 4 from iBGP: accepted", I,
      with(I, [&](Attrs& a) { a.extra = {originator_id(env.ibgp_address)}; }), Ok);
  row("7606-7.10/cluster-list-from-ebgp", "RFC 7606 7.10", "CLUSTER_LIST", "from an eBGP peer", E,
      with(E, [](Attrs& a) { a.extra = {cluster_list({1})}; }), Discard);
  row("7606-7.10/cluster-list-length-6-ibgp", "RFC 7606 7.10", "CLUSTER_LIST", "length 6 from iBGP", I,
      with(I, [](Attrs& a) { a.extra = {attr(kOptional, 10, Bytes(6, 1))}; }), TaW);
  row("7606-7.10/cluster-list-length-0-ibgp", "RFC 7606 7.10", "CLUSTER_LIST", "length 0 from iBGP", I,
      with(I, [](Attrs& a) { a.extra = {attr(kOptional, 10, {})}; }), TaW);
  row("7606-7.10/cluster-list-ibgp-valid", "RFC 4456 8", "CLUSTER_LIST", "two cluster ids from iBGP: accepted", I,
      with(I, [](Attrs& a) { a.extra = {cluster_list({1, 2})}; }), Ok);

  // ---- RFC 7606 7.11 MP_REACH_NLRI, 7.12 MP_UNREACH_NLRI, 5.3 (RFC 4760) -------------------------
  const Bytes mp_base = cat({base(env, E).origin, base(env, E).as_path});
  row("4760-3/mp-reach-valid", "RFC 4760 3 / RFC 7606 5.1", "MP_REACH_NLRI", "IPv4 unicast routes in MP_REACH_NLRI, first", E,
      update({}, cat({mp_reach(mp_reach_value(ebgp_nh, marker)), mp_base}), {}), Ok, expect_next_hop(ebgp_nh));
  row("4760-3/mp-reach-last", "RFC 7606 5.1", "MP_REACH_NLRI", "MP_REACH_NLRI after the other attributes: still accepted", E,
      update({}, cat({mp_base, mp_reach(mp_reach_value(ebgp_nh, marker))}), {}), Ok);
  reset("7606-7.11/mp-reach-next-hop-length-16", "RFC 7606 7.11", "MP_REACH_NLRI", "IPv4 next hop length 16", E,
        update({}, cat({mp_reach(mp_reach_value(ebgp_nh, marker, 16)), mp_base}), {}), kUpdateError,
        kOptionalAttributeError);
  reset("7606-5.3/mp-reach-length-4", "RFC 7606 5.3", "MP_REACH_NLRI", "attribute length 4 (< 5)", E,
        update({}, cat({mp_reach(cat({u16(1), u8(1), u8(4)})), mp_base}), {}), kUpdateError, kOptionalAttributeError);
  reset("7606-5.3/mp-reach-nlri-length-33", "RFC 7606 5.3", "MP_REACH_NLRI", "NLRI prefix length 33", E,
        update({}, cat({mp_reach(mp_reach_value(ebgp_nh, cat({marker, u8(33), u32(1), u8(0)}))), mp_base}), {}),
        kUpdateError, kOptionalAttributeError);
  reset("7606-5.3/mp-reach-nlri-truncated", "RFC 7606 5.3", "MP_REACH_NLRI", "last NLRI overruns the attribute", E,
        update({}, cat({mp_reach(mp_reach_value(ebgp_nh, cat({marker, u8(24), u8(172)}))), mp_base}), {}),
        kUpdateError, kOptionalAttributeError);
  row("4271-6.3/mp-reach-next-hop-martian", "RFC 4271 6.3 (MP next hop)", "MP_REACH_NLRI", "next hop 127.0.0.1", E,
      update({}, cat({mp_reach(mp_reach_value(Ipv4Address{0x7f000001}, marker)), mp_base}), {}), TaW);
  row("4760-4/mp-unreach-valid", "RFC 4760 4", "MP_UNREACH_NLRI", "withdraws the marker", E,
      update({}, mp_unreach(marker), {}), Handling::Withdrawn);
  reset("7606-5.3/mp-unreach-length-2", "RFC 7606 5.3", "MP_UNREACH_NLRI", "attribute length 2 (< 3)", E,
        update({}, attr(kOptional, 15, {0, 1}), {}), kUpdateError, kOptionalAttributeError);
  reset("7606-5.3/mp-unreach-length-33", "RFC 7606 5.3", "MP_UNREACH_NLRI", "withdrawn prefix length 33", E,
        update({}, mp_unreach(cat({u8(33), u32(1), u8(0)})), {}), kUpdateError, kOptionalAttributeError);

  // ---- RFC 6793: AS4_PATH / AS4_AGGREGATOR -----------------------------------------------------
  const std::uint32_t big = 4200000077u;
  auto o_path = [&](std::vector<std::uint32_t> two) { return build::as_path(segment(kAsSequence, two, false)); };
  row("6793-4.2.3/as4-path-merged", "RFC 6793 4.2.3", "AS4_PATH", "AS_TRANS in AS_PATH, the real AS in AS4_PATH", O,
      with(O, [&](Attrs& a) {
        a.as_path = o_path({env.ebgp2_as, 23456});
        a.extra = {as4_path(segment(kAsSequence, {big}, true))};
      }),
      Ok, expect_path("65077 4200000077"));
  row("6793-4.2.3/as4-path-longer", "RFC 6793 4.2.3", "AS4_PATH", "AS4_PATH longer than AS_PATH: ignored", O,
      with(O, [&](Attrs& a) { a.extra = {as4_path(segment(kAsSequence, {big, big}, true))}; }), Discard,
      expect_path("65077"));
  row("6793-6/as4-path-length-5", "RFC 6793 6", "AS4_PATH", "length 5", O,
      with(O, [&](Attrs& a) {
        a.as_path = o_path({env.ebgp2_as, 23456});
        a.extra = {as4_path({2, 1, 0, 0, 1})};
      }),
      Discard, expect_path("65077 23456"));
  row("6793-6/as4-path-segment-length-0", "RFC 6793 6", "AS4_PATH", "segment length 0", O,
      with(O, [&](Attrs& a) {
        a.as_path = o_path({env.ebgp2_as, 23456});
        a.extra = {as4_path(cat({segment(kAsSequence, {big}, true), segment(kAsSequence, {}, true)}))};
      }),
      Discard, expect_path("65077 23456"));
  row("6793-6/as4-path-segment-type-7", "RFC 6793 6", "AS4_PATH", "segment type 7", O,
      with(O, [&](Attrs& a) {
        a.as_path = o_path({env.ebgp2_as, 23456});
        a.extra = {as4_path(segment(7, {big}, true))};
      }),
      Discard, expect_path("65077 23456"));
  row("6793-6/as4-path-confed-segment", "RFC 6793 6", "AS4_PATH",
      "AS_CONFED_SEQUENCE in AS4_PATH: that segment is discarded, the rest used", O,
      with(O, [&](Attrs& a) {
        a.as_path = o_path({env.ebgp2_as, 23456});
        a.extra = {as4_path(cat({segment(kAsConfedSequence, {65500}, true), segment(kAsSequence, {big}, true)}))};
      }),
      Discard, expect_path("65077 4200000077"));
  row("7607/as4-path-as-0", "RFC 7607 2 / RFC 6793 6", "AS4_PATH", "AS 0 in AS4_PATH: discarded", O,
      with(O, [&](Attrs& a) {
        a.as_path = o_path({env.ebgp2_as, 23456});
        a.extra = {as4_path(segment(kAsSequence, {0}, true))};
      }),
      Discard, expect_path("65077 23456"));
  row("6793-6/as4-aggregator-length-7", "RFC 6793 6", "AS4_AGGREGATOR", "length 7", O,
      with(O, [&](Attrs& a) {
        a.extra = {aggregator(23456, env.ebgp2_address, false), attr(kOptionalTransitive, 18, Bytes(7, 1))};
      }),
      Discard);
  row("7607/as4-aggregator-as-0", "RFC 7607 2 / RFC 6793 6", "AS4_AGGREGATOR", "AS 0", O,
      with(O, [&](Attrs& a) { a.extra = {aggregator(23456, env.ebgp2_address, false), as4_aggregator(0, env.ebgp2_address)}; }),
      Discard);
  row("6793-4.2.3/aggregator-real-as-ignores-as4", "RFC 6793 4.2.3", "AS4_PATH",
      "AGGREGATOR holds a real 2-octet AS: AS4_PATH and AS4_AGGREGATOR ignored", O,
      with(O, [&](Attrs& a) {
        a.as_path = o_path({env.ebgp2_as, 23456});
        a.extra = {aggregator(env.ebgp2_as, env.ebgp2_address, false), as4_path(segment(kAsSequence, {big}, true)),
                   as4_aggregator(big, env.ebgp2_address)};
      }),
      Discard, expect_path("65077 23456"));
  row("6793-4.1/as4-path-on-four-octet-session", "RFC 6793 4.1", "AS4_PATH", "AS4_PATH between NEW speakers: discarded", E,
      with(E, [&](Attrs& a) { a.extra = {as4_path(segment(kAsSequence, {big}, true))}; }), Discard, expect_path("65076"));
  row("6793-4.1/as4-aggregator-on-four-octet-session", "RFC 6793 4.1", "AS4_AGGREGATOR",
      "AS4_AGGREGATOR between NEW speakers: discarded", E,
      with(E, [&](Attrs& a) { a.extra = {as4_aggregator(big, ebgp_nh)}; }), Discard);

  // ---- RFC 7606 3 h: several errors, the strongest wins --------------------------------------
  row("7606-3h/discard-and-withdraw", "RFC 7606 3 h", "ATOMIC_AGGREGATE+MED",
      "ATOMIC_AGGREGATE of 1 octet and MED of 3: treat-as-withdraw wins", E,
      with(E, [](Attrs& a) { a.extra = {attr(kWellKnown, 6, {0}), attr(kOptional, 4, {0, 0, 1})}; }), TaW);
  reset("7606-3h/withdraw-and-reset", "RFC 7606 3 h", "ORIGIN+MP_REACH_NLRI",
        "ORIGIN value 3 and a malformed MP_REACH_NLRI: session reset wins", E,
        update({}, cat({mp_reach(mp_reach_value(ebgp_nh, marker, 16)), build::origin(3), base(env, E).as_path}), {}),
        kUpdateError, kOptionalAttributeError);
  return t;
}

std::string markdown_table() {
  std::string out =
      "| row | RFC | attribute | malformation | from | expected handling |\n"
      "|---|---|---|---|---|---|\n";
  auto escape = [](std::string text) {
    std::string r;
    for (char ch : text) r += ch == '|' ? std::string("\\|") : std::string(1, ch);
    return r;
  };
  for (const auto& c : rfc7606_cases(Env{})) {
    std::string handling = to_string(c.handling);
    if (c.handling == Handling::SessionReset)
      handling += ", NOTIFICATION " + std::to_string(c.code) + "/" + std::to_string(c.subcode);
    if (c.when == When::InsteadOfOpen) handling += " (as the OPEN)";
    out += "| `" + c.name + "` | " + c.rfc + " | " + escape(c.attribute) + " | " + escape(c.malformation) + " | " +
           to_string(c.peer) + " | " + handling + " |\n";
  }
  return out;
}

}  // namespace hairpin::conformance
