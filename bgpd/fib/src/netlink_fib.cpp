// Skeleton (replaced by the implementation in the next commits): lets the
// daemon link against NetlinkFib::open while the forwarding core is written.
#include "hairpin/bgpd/fib/netlink_fib.hpp"

namespace hairpin::bgpd {

struct FibPlanner::Group {};
struct FibPlanner::Leaf {};
struct FibPlanner::Route {};
FibPlanner::FibPlanner(FibKernelIds ids, bool nexthop_objects) : ids_(ids), nexthop_objects_(nexthop_objects) {}
FibPlanner::~FibPlanner() = default;
FibCounters FibPlanner::counters() const { return {}; }
std::vector<FibHeldRoute> FibPlanner::held_routes() const { return {}; }

struct NetlinkFib::Reader {};

Result<std::unique_ptr<Fib>> NetlinkFib::open(boost::asio::io_context&, FibEvents, NetlinkFibOptions) {
  return Error{"the netlink FIB is not built yet", "bgpd/fib", "use the branch's next commit"};
}
Result<std::unique_ptr<NetlinkFib>> NetlinkFib::open_on(std::unique_ptr<KernelPort>, FibEvents, NetlinkFibOptions) {
  return Error{"the netlink FIB is not built yet", "bgpd/fib", "use the branch's next commit"};
}
NetlinkFib::NetlinkFib(std::unique_ptr<KernelPort> port, FibEvents events, NetlinkFibOptions options)
    : port_(std::move(port)), events_(std::move(events)), options_(options), planner_(options.ids, options.nexthop_objects) {}
NetlinkFib::~NetlinkFib() = default;
void NetlinkFib::set(const FibRoute&) {}
void NetlinkFib::remove(const Ipv4Prefix&, FibSource) {}
void NetlinkFib::flush() {}
bool NetlinkFib::resolves(Ipv4Address) { return false; }
std::size_t NetlinkFib::sweep_stale() { return 0; }
void NetlinkFib::withdraw_all() {}
FibCounters NetlinkFib::counters() const { return {}; }
std::vector<FibHeldRoute> NetlinkFib::held_routes() const { return {}; }
void NetlinkFib::on_notifications(std::span<const std::uint8_t>) {}
void NetlinkFib::overrun() {}

}  // namespace hairpin::bgpd
