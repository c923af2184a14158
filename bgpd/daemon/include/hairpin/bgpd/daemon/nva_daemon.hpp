#pragma once
// The NVA daemon: runs the pure layers against real sockets and timers.
//
// In:  an NvaConfig (config.hpp) and an Asio io_context the caller runs.
// Out: BGP sessions with every configured neighbor (active and passive open,
//      RFC 4271 6.8 collision resolution, TTL for ebgp-multihop, update-source,
//      only configured neighbors accepted), the RIB fed from them, and log lines.
// Data flow: socket bytes and dial/timer outcomes -> NeighborSupervisor (one
//      SessionFsm per connection) -> actions -> (socket, timers, Rib) ->
//      RibOutput -> NeighborSupervisor::send_update -> socket. Every decision
//      about sessions is the supervisor's; the daemon carries them out. Kernel routes (FIB) are the
//      forwarding core's job; FIB changes are logged here.

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

#include "hairpin/bgpd/config/config.hpp"
#include "hairpin/bgpd/rib/rib.hpp"
#include "hairpin/bgpd/show/bgp_show.hpp"
#include "hairpin/common/result.hpp"

namespace boost::asio {
class io_context;
}

namespace hairpin::bgpd {

struct DaemonOptions {
  std::uint16_t bgp_port = 179;
  std::optional<Ipv4Address> listen_address;  // default: all addresses
  std::ostream* log = nullptr;                // default: std::cerr
  // Unix socket for `hairpin bgp show` (mode 0600); empty: none.
  std::string control_socket = "/run/hairpin/nva.sock";
};

class NvaDaemon {
 public:
  NvaDaemon(boost::asio::io_context& io, NvaConfig config, DaemonOptions options = {});
  ~NvaDaemon();
  NvaDaemon(const NvaDaemon&) = delete;
  NvaDaemon& operator=(const NvaDaemon&) = delete;

  // Binds the BGP port and starts every neighbor. Fails with a fix when the port
  // cannot be bound (port 179 needs root or CAP_NET_BIND_SERVICE).
  Status start();
  // Cease (Administrative Shutdown) to every peer; the io_context then runs dry.
  void stop();
  // SIGHUP: a new config. Policy (lists, route-maps, neighbors' route-map /
  // prefix-list / maximum-prefix) and `network` statements take effect at once,
  // re-applied from the Adj-RIB-In without asking peers for a refresh. Changes
  // that need new sessions (AS, neighbors added or removed, timers, multihop,
  // update-source) are refused with a message saying so; nothing changes then.
  Status reload(NvaConfig config);

  Ipv4Address router_id() const;
  std::vector<NeighborStatus> neighbors() const;
  const Rib& rib() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Runs the daemon until SIGINT/SIGTERM (then Cease to every peer). Returns the
// exit code: 0 after a clean stop, 2 if it could not start (message logged).
// `reload`, if given, is called on SIGHUP to read the config again.
int run_nva(NvaConfig config, DaemonOptions options = {},
            std::function<Result<NvaConfig>()> reload = {});

// RFC 6286: the configured router-id, else the highest non-loopback IPv4 address
// of the host (what FRR's zebra picks when none is configured).
Result<Ipv4Address> choose_router_id(const NvaConfig& config);

}  // namespace hairpin::bgpd
