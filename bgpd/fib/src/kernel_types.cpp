// The NVA's kernel ids per source, and requests as text for logs and tests.

#include "hairpin/bgpd/fib/kernel_types.hpp"

namespace hairpin::bgpd {

namespace {
template <class... F> struct Overloaded : F... { using F::operator()...; };
template <class... F> Overloaded(F...) -> Overloaded<F...>;

std::string hops_text(const std::vector<KernelHop>& hops) {
  std::string text;
  for (const KernelHop& hop : hops)
    text += " via " + hop.gateway.to_string() + " dev#" + std::to_string(hop.ifindex);
  return text;
}
}  // namespace

std::uint8_t FibKernelIds::protocol(FibSource source) const {
  switch (source) {
    case FibSource::Bgp: return bgp_protocol;
    case FibSource::Network: return network_protocol;
    case FibSource::Static: return static_protocol;
  }
  return bgp_protocol;
}

std::uint32_t FibKernelIds::metric(FibSource source) const {
  switch (source) {
    case FibSource::Bgp: return bgp_metric;
    case FibSource::Network: return network_metric;
    case FibSource::Static: return static_metric;
  }
  return bgp_metric;
}

std::optional<FibSource> FibKernelIds::source_of(std::uint8_t protocol) const {
  if (protocol == bgp_protocol) return FibSource::Bgp;
  if (protocol == network_protocol) return FibSource::Network;
  if (protocol == static_protocol) return FibSource::Static;
  return std::nullopt;
}

std::string to_string(const KernelRequest& request) {
  return std::visit(
      Overloaded{
          [](const RouteWrite& w) {
            std::string text = "route replace " + w.prefix.to_string() + " proto " + std::to_string(w.protocol) +
                               " metric " + std::to_string(w.metric);
            if (w.kind == FibRouteKind::Blackhole) return text + " blackhole";
            if (w.nexthop_id != 0) return text + " nhid " + std::to_string(w.nexthop_id);
            return text + hops_text(w.hops);
          },
          [](const RouteDelete& d) {
            return "route del " + d.prefix.to_string() + " proto " + std::to_string(d.protocol) + " metric " +
                   std::to_string(d.metric);
          },
          [](const NexthopWrite& n) {
            std::string text = std::string(n.replace ? "nexthop replace " : "nexthop add ") + "id " + std::to_string(n.id);
            if (!n.group.empty()) {
              text += " group ";
              for (std::size_t i = 0; i < n.group.size(); ++i) text += (i ? "/" : "") + std::to_string(n.group[i]);
              return text;
            }
            return n.hop ? text + hops_text({*n.hop}) : text + " blackhole";
          },
          [](const NexthopDelete& d) { return "nexthop del id " + std::to_string(d.id); },
      },
      request);
}

}  // namespace hairpin::bgpd
