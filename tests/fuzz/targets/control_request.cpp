// fuzz_control_request: the NVA's control-socket request parser (bgpd/show
// bgp_show.hpp answer_control_request, what the daemon writes back for one line).
//
// Input: bytes read from the socket; the request is the first line, as the daemon
// cuts it (std::getline up to '\n'). The context is a small RIB like
// bgp_show_test's: one ARS peer, a received route, a looped one, a local network,
// FIB counters and a held route.
// Invariants:
//  - the reply is made without throwing and is one JSON object (an answer, or
//    {"error": ...} for anything unknown), whatever bytes the request holds;
//  - the CLI's text rendering of that reply (show_text) does not throw;
//  - the four known requests answer without "error".

#include <memory>

#include <nlohmann/json.hpp>

#include "fuzz_target.hpp"
#include "hairpin/bgpd/show/bgp_show.hpp"

namespace hairpin::fuzz {
namespace {

using namespace hairpin::bgpd;

struct Context {
  Context() {
    const auto ip = [](const char* s) { return *Ipv4Address::parse(s); };
    const auto pfx = [](const char* s) { return *Ipv4Prefix::parse(s); };
    PolicySet policy;
    policy.route_maps["all"] = RouteMap{"all", {RouteMapEntry{}}};
    RibPeer ars;
    ars.address = ip("10.0.210.4");
    ars.peer_as = 65515;
    ars.local_address = ip("10.0.0.4");
    ars.route_map_in = "all";
    ars.route_map_out = "all";
    RibOptions o;
    o.local_as = 65001;
    o.router_id = ip("10.0.0.4");
    rib = std::make_unique<Rib>(o, policy, std::vector<RibPeer>{ars},
                                [](Ipv4Address nh) { return nh != Ipv4Address{0x0a00c80d}; });
    rib->set_local_routes({LocalRoute{pfx("10.0.0.0/8"), std::nullopt}});
    Negotiated n;
    n.peer_router_id = ip("10.0.210.4");
    n.four_octet_as = true;
    rib->peer_up(ars.address, n);
    Update u;
    u.attributes.origin = Origin::Igp;
    u.attributes.as_path = AsPath{{AsSegment{SegmentType::AsSequence, {65515, 12076, 65100}}}};
    u.attributes.next_hop = ip("10.0.200.12");
    u.attributes.communities = {(65515u << 16) | 100};
    u.attributes.large_communities = {LargeCommunity{65515, 1, 2}};
    u.nlri = {pfx("10.100.0.0/16")};
    rib->receive(ars.address, u);
    Update looped = u;
    looped.attributes.as_path = AsPath{{AsSegment{SegmentType::AsSequence, {65515, 65001}}}};
    looped.nlri = {pfx("10.98.0.0/16")};
    rib->receive(ars.address, looped);
    Update unresolved = u;
    unresolved.attributes.next_hop = Ipv4Address{0x0a00c80d};
    unresolved.nlri = {pfx("10.200.0.0/16")};
    rib->receive(ars.address, unresolved);
    ctx.router_id = ip("10.0.0.4");
    ctx.local_as = 65001;
    ctx.rib = rib.get();
    ctx.neighbors = {NeighborStatus{ars.address, 65515, SessionState::Established, "Cease/Administrative Reset"},
                     NeighborStatus{ip("10.0.210.5"), 65515, SessionState::Active, std::nullopt}};
    ctx.fib = FibCounters{3, 1, 0, 0, 0, 2, 5, true};
    ctx.fib_held = {FibHeldRoute{pfx("10.100.0.0/16"), FibSource::Bgp, FibHoldReason::KernelRefused,
                                 "kernel: Network is unreachable"}};
  }
  std::unique_ptr<Rib> rib;
  ShowContext ctx;
};

const ShowContext& context() {
  static const Context c;
  return c.ctx;
}

}  // namespace

Finding fuzz_control_request(std::span<const std::uint8_t> input) {
  std::string request(input.begin(), input.end());
  if (auto nl = request.find('\n'); nl != std::string::npos) request.resize(nl);
  const std::string reply = answer_control_request(request, context());
  const auto answer = nlohmann::json::parse(reply, nullptr, /*allow_exceptions=*/false);
  HAIRPIN_FUZZ_CHECK(answer.is_object(), "the reply is not one JSON object: " + reply);
  (void)show_text(request, answer);
  const bool known = request == "summary" || request == "routes" || request == "neighbors 10.0.210.4 advertised-routes" ||
                     request == "neighbors 10.0.210.4 received-routes";
  HAIRPIN_FUZZ_CHECK(!known || !answer.contains("error"), "a known request answered with an error: " + reply);
  return {};
}

std::vector<Seed> seeds_control_request(const std::string&) {
  std::vector<Seed> out;
  for (const char* r : {"summary", "routes", "neighbors 10.0.210.4 advertised-routes",
                        "neighbors 10.0.210.4 received-routes", "neighbors 10.0.210.5 received-routes",
                        "neighbors 10.0.210.9 advertised-routes", "  summary  \n", "help"}) {
    std::string name = r;
    for (auto& c : name)
      if (c == ' ' || c == '\n') c = '_';
    out.push_back({name, text_bytes(r)});
  }
  return out;
}

}  // namespace hairpin::fuzz
