#pragma once
// NetlinkFib: the Fib contract (fib.hpp) over rtnetlink, in the daemon's
// network namespace.
//
// In:  the daemon's set/remove/flush/sweep_stale/withdraw_all calls; the
//      kernel's route, link and address notifications, read on the daemon's
//      io_context.
// Out: RTM_NEWROUTE/RTM_DELROUTE (and RTM_NEWNEXTHOP/RTM_DELNEXTHOP where the
//      kernel has nexthop objects) under our own protocol ids, many per
//      sendmsg, on a writer thread of its own; FibEvents::next_hops_changed when the kernel's table changes
//      whether (or through which gateway) a BGP next hop resolves.
//
// Threads: everything here runs on the caller's thread (the daemon's
// io_context) except the sendmsg calls of planned batches, which a writer
// thread makes in order, so the kernel's work on them (the larger half of a
// full table's cost: fib_table_insert, trie resizes) overlaps the decoding of
// the next UPDATEs. The writer hands back only the kernel's error replies; the
// planner hears of them on the caller's thread (at the next flush, settle, or
// through the io_context when one is given). Dumps wait for the writer to be
// idle, so a snapshot never races our own writes.
//
// The decisions (what to write, what resolves, what is held, what is stale)
// are FibPlanner's (fib_planner.hpp), a pure class; the bytes are
// netlink_codec.hpp's; this class only moves them through a KernelPort
// (kernel_port.hpp): the real netlink sockets, or a fake kernel in unit tests.
// docs/fib.md tells the whole story.

#include <atomic>
#include <cstdint>
#include <memory>

#include <boost/asio/io_context.hpp>

#include "hairpin/bgpd/fib/fib.hpp"
#include "hairpin/bgpd/fib/fib_planner.hpp"
#include "hairpin/bgpd/fib/kernel_port.hpp"
#include "hairpin/common/result.hpp"

namespace hairpin::bgpd {

struct NetlinkFibOptions {
  // Kernel protocol ids (rtm_protocol) and metrics (RTA_PRIORITY) per source;
  // see kernel_types.hpp for why these numbers.
  FibKernelIds ids;
  // Use nexthop objects (RTM_NEWNEXTHOP, Linux >= 5.3) when the kernel takes
  // them; false forces plain RTA_GATEWAY / RTA_MULTIPATH routes.
  bool nexthop_objects = true;
  // Requests per sendmsg (mnl_nlmsg_batch); the kernel handles them in order.
  std::size_t requests_per_batch = 2048;
  // SO_SNDBUF/SO_RCVBUF (the FORCE variants when permitted): a 1M-route burst
  // of notifications from other daemons must not overflow the reader.
  int socket_buffer_bytes = 32 * 1024 * 1024;
  // sendmsg on a writer thread (see above) once start_writer_thread() is
  // called; false (or before that call) writes inline in flush().
  bool writer_thread = true;
  // Batches written ahead of the kernel at most; flush() waits beyond that,
  // so a full table in flight costs a few MiB, not a copy of the table.
  std::size_t batches_in_flight = 16;
};

class NetlinkFib final : public Fib {
 public:
  // Opens the netlink sockets in the current network namespace, probes for
  // nexthop objects, dumps links, addresses, nexthop objects and routes (ours
  // become the stale set, kept forwarding until sweep_stale()), and starts
  // reading notifications on `io`. No CAP_NET_ADMIN -> an Error naming it.
  static Result<std::unique_ptr<Fib>> open(boost::asio::io_context& io, FibEvents events,
                                           NetlinkFibOptions options = {});
  // The same over any KernelPort (a fake kernel in unit tests); notifications
  // are then fed by the caller through on_notifications().
  static Result<std::unique_ptr<NetlinkFib>> open_on(std::unique_ptr<KernelPort> port,
                                                     FibEvents events,
                                                     NetlinkFibOptions options = {});
  ~NetlinkFib() override;

  void set(const FibRoute& route) override;
  void remove(const Ipv4Prefix& prefix, FibSource source) override;
  void flush() override;
  void settle() override;
  void start_writer_thread() override;
  bool resolves(Ipv4Address next_hop) override;
  std::size_t sweep_stale() override;
  void withdraw_all() override;
  FibCounters counters() const override;
  std::vector<FibHeldRoute> held_routes() const override;

  // Bytes read from the notification socket (one or more netlink messages);
  // applies them to the mirror, flushes what their resolution changes
  // requires. An overrun (ENOBUFS) is reported with overrun().
  void on_notifications(std::span<const std::uint8_t> bytes);
  void overrun();

  const FibPlanner& planner() const { return planner_; }

 private:
  NetlinkFib(std::unique_ptr<KernelPort> port, FibEvents events, NetlinkFibOptions options);
  Status start();
  Result<KernelSnapshot> snapshot(bool ours_too, bool* nexthops_ok);
  std::vector<Ipv4Address> reload_from_kernel();
  struct Batch;
  struct Writer;
  void write(const std::vector<KernelRequest>& requests);
  void send_batch(Batch& batch);
  void answer(Batch& batch);
  void apply_answers();
  void wait_idle();
  void on_answers();
  void drain_log();
  void report(const std::vector<Ipv4Address>& changed);

  std::unique_ptr<KernelPort> port_;
  FibEvents events_;
  NetlinkFibOptions options_;
  FibPlanner planner_;
  std::uint32_t next_seq_ = 1;
  std::atomic<std::size_t> batches_ = 0;
  std::atomic<std::size_t> requests_ = 0;
  std::size_t overruns_ = 0;
  struct Reader;
  std::unique_ptr<Reader> reader_;
  boost::asio::io_context* io_ = nullptr;  // where the writer's answers wake us, if any
  std::unique_ptr<Writer> writer_;  // last: stopped (after writing what is queued) first
};

}  // namespace hairpin::bgpd
