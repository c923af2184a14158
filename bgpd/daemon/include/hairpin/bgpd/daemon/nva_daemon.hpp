#pragma once
// The NVA daemon: runs the pure layers against real sockets and timers.
//
// In:  an NvaConfig (config.hpp) and an Asio io_context the caller runs.
// Out: BGP sessions with every configured neighbor (active and passive open,
//      RFC 4271 6.8 collision resolution, TTL for ebgp-multihop, update-source,
//      only configured neighbors accepted), the RIB fed from them, kernel routes
//      through a Fib (fib.hpp), and log lines.
// Data flow: socket bytes and dial/timer outcomes -> NeighborSupervisor (one
//      SessionFsm per connection) -> actions -> (socket, timers, Rib) ->
//      RibOutput -> NeighborSupervisor::send_update -> socket, and RibOutput.fib
//      -> Fib::set/remove, one Fib::flush() per batch of input (a socket read, a
//      timer, a signal). The RIB asks the Fib whether a next hop resolves; the
//      Fib tells the daemon when that changes (FibEvents), and the RIB re-runs
//      best path for those next hops. Every decision about sessions is the
//      supervisor's; the daemon carries them out.
// Kernel routes the daemon wants besides the RIB's: a blackhole (FibSource::
//      Network) behind every `network` prefix, so the prefix is originated with
//      no import-check and whatever of it no more specific route covers is dropped
//      here, not looped; and each `ip route` line (FibSource::Static). Interface
//      addresses of the config are never applied (a warning per line says why).
// Output: one asynchronous write queue per connection, so a peer that stops
//      reading stalls nobody else; a queue stuck for longer than the hold time
//      (or over `output_limits.max_bytes`) closes that session with Cease/Out of
//      Resources (output_queue.hpp). After a large batch of RIB changes the freed
//      heap is handed back to the system (malloc_trim) once the churn stops.
// Restart: routes an earlier run left stay until the sessions converge
//      (stale_sweep.hpp) or `stale_timeout` passes, then Fib::sweep_stale(). On
//      stop: Fib::withdraw_all(), unless `retain`.

#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

#include "hairpin/bgpd/config/config.hpp"
#include "hairpin/bgpd/daemon/output_queue.hpp"
#include "hairpin/bgpd/fib/fib.hpp"
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
  // Opens the FIB the daemon drives; called once by start(), which fails with the
  // factory's error (e.g. no CAP_NET_ADMIN). run_nva's default: NetlinkFib::open.
  // Tests pass a FakeFib.
  using FibFactory = std::function<Result<std::unique_ptr<Fib>>(boost::asio::io_context&, FibEvents)>;
  FibFactory fib;
  // On stop, leave our routes in the kernel (zebra -r, BIRD `persist`): the next
  // run finds them and sweeps what it no longer wants after convergence.
  bool retain = false;
  // At start, the longest the old routes wait for End-of-RIB from the peers.
  std::chrono::seconds stale_timeout{120};
  // run_nva calls it once start() has bound the BGP port, opened the FIB and
  // created the control socket, before any session runs: the CLI drops
  // capabilities here (common/privileges.hpp). An error stops the daemon (exit 2).
  std::function<Status()> after_start;
  // A peer that stops reading: when its session is closed (output_queue.hpp).
  OutputQueueLimits output_limits;
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
  // Cease (Administrative Shutdown) to every peer, then our routes out of the
  // kernel unless `retain`; the io_context then runs dry.
  void stop();
  // SIGHUP: a new config. Policy (lists, route-maps, neighbors' route-map /
  // prefix-list / maximum-prefix) and `network` statements take effect at once,
  // re-applied from the Adj-RIB-In without asking peers for a refresh. Changes
  // that need new sessions (AS, neighbors added or removed, timers, multihop,
  // update-source) are refused with a message saying so; nothing changes then.
  Status reload(NvaConfig config);
  // Lets the FIB write on a thread of its own (Fib::start_writer_thread);
  // run_nva calls it once DaemonOptions::after_start has dropped privileges.
  void start_fib_writer();

  Ipv4Address router_id() const;
  std::vector<NeighborStatus> neighbors() const;
  const Rib& rib() const;
  // `bgp show summary` as JSON (the control socket's answer), for tests.
  nlohmann::json show(const std::string& request);
  // Whether the stale routes of an earlier run were swept (and how many).
  std::optional<std::size_t> swept() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Runs the daemon until SIGINT/SIGTERM (then Cease to every peer). Returns the
// exit code: 0 after a clean stop, 2 if it could not start (message logged, one
// line: no CAP_NET_ADMIN for the FIB, port 179 taken...). Without options.fib it
// opens a NetlinkFib.
// `reload`, if given, is called on SIGHUP to read the config again.
int run_nva(NvaConfig config, DaemonOptions options = {},
            std::function<Result<NvaConfig>()> reload = {});

// RFC 6286: the configured router-id, else the highest non-loopback IPv4 address
// of the host (what FRR's zebra picks when none is configured).
Result<Ipv4Address> choose_router_id(const NvaConfig& config);

}  // namespace hairpin::bgpd
