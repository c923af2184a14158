// NetlinkFib: moves FibPlanner's requests through a KernelPort, many per
// sendmsg, and the kernel's notifications back into the planner (see
// netlink_fib.hpp). The real port is at the bottom: two rtnetlink sockets.

#include "hairpin/bgpd/fib/netlink_fib.hpp"

#include <libmnl/libmnl.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstddef>
#include <cstring>
#include <deque>
#include <iterator>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/asio/posix/stream_descriptor.hpp>

#include "hairpin/bgpd/fib/netlink_codec.hpp"

namespace hairpin::bgpd {

namespace {

DecodeFilter skip_our_learned(const FibKernelIds& ids) {
  DecodeFilter filter;
  filter.skip_route_protocol[ids.bgp_protocol] = true;
  filter.skip_route_protocol[ids.network_protocol] = true;
  return filter;
}

// The rtnetlink sockets of the current network namespace: one for requests and
// dumps, one subscribed to the route, link and address groups.
class NetlinkSocketPort final : public KernelPort {
 public:
  ~NetlinkSocketPort() override {
    if (request_) mnl_socket_close(request_);
    if (notify_ >= 0) ::close(notify_);
  }

  static Result<std::unique_ptr<NetlinkSocketPort>> open(const NetlinkFibOptions& options) {
    auto port = std::unique_ptr<NetlinkSocketPort>(new NetlinkSocketPort());
    port->request_ = mnl_socket_open(NETLINK_ROUTE);
    if (!port->request_ || mnl_socket_bind(port->request_, 0, MNL_SOCKET_AUTOPID) < 0)
      return Error{std::string("cannot open an rtnetlink socket: ") + std::strerror(errno), "netlink",
                   "the kernel must have CONFIG_NETLINK (every Linux has)"};
    int one = 1;
    // Short error replies (the request is not echoed back) with the kernel's
    // text (extended ack), so 1M refusals cannot overrun the reply buffer.
    mnl_socket_setsockopt(port->request_, NETLINK_CAP_ACK, &one, sizeof one);
    mnl_socket_setsockopt(port->request_, NETLINK_EXT_ACK, &one, sizeof one);
    const int fd = mnl_socket_get_fd(port->request_);
    set_buffers(fd, options.socket_buffer_bytes);

    // The notification socket, with a classic BPF filter that drops the echo of
    // our own BGP and Network route writes in the kernel, before they are
    // queued (rtnetlink sends one notification per skb, so the header at
    // offset 0 is the only message).
    port->notify_ = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
    if (port->notify_ < 0)
      return Error{std::string("cannot open an rtnetlink socket: ") + std::strerror(errno), "netlink", ""};
    set_buffers(port->notify_, options.socket_buffer_bytes);
    const auto bgp = options.ids.bgp_protocol, network = options.ids.network_protocol;
    sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_H | BPF_ABS, offsetof(nlmsghdr, nlmsg_type)),
        // BPF loads are big-endian; nlmsg_type is in host order: htons matches it.
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htons(RTM_NEWROUTE), 1, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htons(RTM_DELROUTE), 0, 3),
        BPF_STMT(BPF_LD | BPF_B | BPF_ABS, NLMSG_HDRLEN + offsetof(rtmsg, rtm_protocol)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, bgp, 2, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, network, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
        BPF_STMT(BPF_RET | BPF_K, 0),
    };
    sock_fprog program{static_cast<unsigned short>(sizeof code / sizeof code[0]), code};
    if (::setsockopt(port->notify_, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program) < 0)
      return Error{std::string("cannot filter rtnetlink notifications: ") + std::strerror(errno), "netlink", ""};
    sockaddr_nl address{};
    address.nl_family = AF_NETLINK;
    if (::bind(port->notify_, reinterpret_cast<sockaddr*>(&address), sizeof address) < 0)
      return Error{std::string("cannot bind an rtnetlink socket: ") + std::strerror(errno), "netlink", ""};
    for (unsigned group : {RTNLGRP_IPV4_ROUTE, RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_NEXTHOP}) {
      if (::setsockopt(port->notify_, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof group) < 0 &&
          group != RTNLGRP_NEXTHOP)  // kernels before 5.3 have no nexthop group
        return Error{std::string("cannot join rtnetlink group: ") + std::strerror(errno), "netlink", ""};
    }
    return port;
  }

  Status send(std::span<const std::uint8_t> datagram) override {
    if (mnl_socket_sendto(request_, datagram.data(), datagram.size()) < 0)
      return Error{std::strerror(errno), "netlink", ""};
    return Ok{};
  }

  std::vector<std::uint8_t> take_replies() override {
    std::vector<std::uint8_t> out;
    std::vector<std::uint8_t> buffer(64 * 1024);
    for (;;) {
      const ssize_t n = ::recv(mnl_socket_get_fd(request_), buffer.data(), buffer.size(), MSG_DONTWAIT);
      if (n <= 0) break;
      out.insert(out.end(), buffer.begin(), buffer.begin() + n);
    }
    return out;
  }

  Result<DumpOutcome> dump(std::span<const std::uint8_t> request,
                           const std::function<void(std::span<const std::uint8_t>)>& on_datagram) override {
    take_replies();  // nothing stray in front of the dump
    if (auto sent = send(request); !sent) return sent.error();
    bool interrupted = false;
    const std::uint32_t seq = reinterpret_cast<const nlmsghdr*>(request.data())->nlmsg_seq;
    std::vector<std::uint8_t> buffer(1 << 20);
    for (;;) {
      const ssize_t n = mnl_socket_recvfrom(request_, buffer.data(), buffer.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return Error{std::strerror(errno), "netlink dump", ""};
      }
      bool done = false;
      int error = 0;
      int left = static_cast<int>(n);
      for (const auto* nlh = reinterpret_cast<const nlmsghdr*>(buffer.data()); mnl_nlmsg_ok(nlh, left);
           nlh = mnl_nlmsg_next(nlh, &left)) {
        if (nlh->nlmsg_seq != seq) continue;
        // The kernel flags the replies after a change it saw mid-dump (and the DONE).
        if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) interrupted = true;
        if (nlh->nlmsg_type == NLMSG_DONE) done = true;
        if (nlh->nlmsg_type == NLMSG_ERROR) {
          const auto* err = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
          error = -err->error;
          done = true;
        }
      }
      if (error != 0) return Error{std::strerror(error), "netlink dump", ""};
      on_datagram(std::span<const std::uint8_t>(buffer.data(), static_cast<std::size_t>(n)));
      if (done) return interrupted ? DumpOutcome::Interrupted : DumpOutcome::Whole;
    }
  }

  int notification_fd() const { return notify_; }
  // The reader owns it from now on.
  int release_notification_fd() { return std::exchange(notify_, -1); }

 private:
  NetlinkSocketPort() = default;
  static void set_buffers(int fd, int bytes) {
    // The FORCE variants pass over net.core.[rw]mem_max (CAP_NET_ADMIN).
    if (::setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &bytes, sizeof bytes) < 0)
      ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes);
    if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) < 0)
      ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
  }

  mnl_socket* request_ = nullptr;
  int notify_ = -1;
};

}  // namespace

// Reads the notification socket on the io_context.
struct NetlinkFib::Reader {
  Reader(boost::asio::io_context& io, int fd) : descriptor(io, fd), buffer(1 << 20) {}
  boost::asio::posix::stream_descriptor descriptor;
  std::vector<std::uint8_t> buffer;

  void arm(NetlinkFib* fib) {
    descriptor.async_wait(boost::asio::posix::stream_descriptor::wait_read, [this, fib](boost::system::error_code ec) {
      if (ec) return;  // closed (the FIB is going away)
      bool overrun = false;
      for (;;) {
        const ssize_t n = ::recv(descriptor.native_handle(), buffer.data(), buffer.size(), MSG_DONTWAIT);
        if (n > 0) { fib->on_notifications(std::span<const std::uint8_t>(buffer.data(), static_cast<std::size_t>(n))); continue; }
        if (n < 0 && errno == EINTR) continue;
        // ENOBUFS: the kernel dropped notifications; only a fresh dump tells what we missed.
        if (n < 0 && errno == ENOBUFS) { overrun = true; continue; }
        break;
      }
      if (overrun) fib->overrun();
      arm(fib);
    });
  }
};

NetlinkFib::NetlinkFib(std::unique_ptr<KernelPort> port, FibEvents events, NetlinkFibOptions options)
    : port_(std::move(port)), events_(std::move(events)), options_(options),
      planner_(options.ids, options.nexthop_objects) {}

NetlinkFib::~NetlinkFib() = default;

Result<std::unique_ptr<Fib>> NetlinkFib::open(boost::asio::io_context& io, FibEvents events,
                                              NetlinkFibOptions options) {
  auto port = NetlinkSocketPort::open(options);
  if (!port) return port.error();
  NetlinkSocketPort* raw = port->get();
  auto fib = std::unique_ptr<NetlinkFib>(new NetlinkFib(std::move(port.value()), std::move(events), options));
  if (auto started = fib->start(); !started) return started.error();
  fib->reader_ = std::make_unique<Reader>(io, raw->release_notification_fd());
  fib->reader_->arm(fib.get());
  fib->io_ = &io;
  return std::unique_ptr<Fib>(std::move(fib));
}

Result<std::unique_ptr<NetlinkFib>> NetlinkFib::open_on(std::unique_ptr<KernelPort> port, FibEvents events,
                                                       NetlinkFibOptions options) {
  auto fib = std::unique_ptr<NetlinkFib>(new NetlinkFib(std::move(port), std::move(events), options));
  if (auto started = fib->start(); !started) return started.error();
  return fib;
}

Result<KernelSnapshot> NetlinkFib::snapshot(bool ours_too, bool* nexthops_ok) {
  // What is in flight is not in the kernel yet, and the request socket is the
  // writer's meanwhile.
  wait_idle();
  apply_answers();
  KernelSnapshot snapshot;
  DecodeFilter filter = ours_too ? DecodeFilter{} : skip_our_learned(options_.ids);
  auto collect = [&](const NetlinkMessage& message) {
    if (auto* r = std::get_if<RouteMessage>(&message)) snapshot.routes.push_back(r->route);
    else if (auto* n = std::get_if<NexthopMessage>(&message)) snapshot.nexthops.push_back(n->object);
    else if (auto* l = std::get_if<LinkMessage>(&message)) snapshot.links.push_back(l->link);
    else if (auto* a = std::get_if<AddressMessage>(&message)) snapshot.addresses.push_back(a->address);
  };
  auto on_datagram = [&](std::span<const std::uint8_t> bytes) { decode_messages(bytes, filter, collect); };
  auto forget = [&](DumpKind kind) {
    switch (kind) {
      case DumpKind::Routes: snapshot.routes.clear(); break;
      case DumpKind::Nexthops: snapshot.nexthops.clear(); break;
      case DumpKind::Links: snapshot.links.clear(); break;
      case DumpKind::Addresses: snapshot.addresses.clear(); break;
    }
  };
  constexpr int kDumpTries = 5;
  for (DumpKind kind : {DumpKind::Links, DumpKind::Addresses, DumpKind::Nexthops, DumpKind::Routes}) {
    for (int attempt = 1;; ++attempt) {
      auto dumped = port_->dump(encode_dump(kind, next_seq_++), on_datagram);
      if (!dumped) {
        if (kind == DumpKind::Nexthops) {  // a kernel before 5.3: no nexthop objects
          if (nexthops_ok) *nexthops_ok = false;
          break;
        }
        return Error{"cannot read the kernel's routing table: " + dumped.error().what, "netlink", ""};
      }
      if (*dumped == KernelPort::DumpOutcome::Whole) break;
      // Changed while read: entries may be missing or twice. Read it again; after
      // kDumpTries, keep the last (the notifications of the change follow anyway).
      if (attempt == kDumpTries) {
        if (events_.log)
          events_.log("fib: the kernel's table kept changing during " + std::to_string(kDumpTries) +
                      " dumps in a row; using the last one");
        break;
      }
      forget(kind);
    }
  }
  return snapshot;
}

Status NetlinkFib::start() {
  // Any rtnetlink request that is not a GET needs CAP_NET_ADMIN in the
  // namespace (rtnetlink_rcv_msg), so deleting a route that cannot exist
  // answers ESRCH with it and EPERM without, and changes nothing.
  const KernelRequest probe = RouteDelete{Ipv4Prefix{Ipv4Address{0}, 32}, options_.ids.bgp_protocol,
                                          0xfffffffeu, options_.ids.table};
  std::vector<std::uint8_t> bytes = encode_request(probe, next_seq_++);
  if (auto sent = port_->send(bytes); !sent)
    return Error{"cannot write to the kernel's routing table: " + sent.error().what, "netlink", ""};
  int probe_error = 0;
  decode_messages(port_->take_replies(), {}, [&](const NetlinkMessage& m) {
    if (auto* e = std::get_if<ErrorMessage>(&m)) probe_error = e->error;
  });
  if (probe_error == EPERM)
    return Error{"no CAP_NET_ADMIN: the kernel refuses route changes (Operation not permitted)",
                 "netlink route socket", "run hairpin nva as root (or give it CAP_NET_ADMIN)"};

  bool nexthops_ok = true;
  auto found = snapshot(true, &nexthops_ok);
  if (!found) return found.error();
  if (options_.nexthop_objects && nexthops_ok) {
    // The kernel may list objects and still refuse to make one: create and
    // delete a blackhole object with a free id.
    std::uint32_t id = options_.ids.nexthop_id_base - 1;
    while (std::any_of(found->nexthops.begin(), found->nexthops.end(),
                       [&](const KernelNexthopObject& o) { return o.id == id; }))
      --id;
    std::vector<std::uint8_t> create =
        encode_request(NexthopWrite{id, options_.ids.bgp_protocol, false, std::nullopt, {}}, next_seq_++);
    const std::vector<std::uint8_t> remove = encode_request(NexthopDelete{id}, next_seq_++);
    create.insert(create.end(), remove.begin(), remove.end());
    int error = 0;
    if (port_->send(create)) {
      decode_messages(port_->take_replies(), {}, [&](const NetlinkMessage& m) {
        if (auto* e = std::get_if<ErrorMessage>(&m); e && error == 0) error = e->error;
      });
    } else {
      error = EIO;
    }
    if (error != 0) {
      nexthops_ok = false;
      if (events_.log)
        events_.log(std::string("fib: the kernel refuses nexthop objects (") + std::strerror(error) +
                    "); routes carry their gateways");
    }
  }
  if (!options_.nexthop_objects || !nexthops_ok) planner_.disable_nexthop_objects();
  planner_.start(*found);
  return Ok{};
}

// One sendmsg's worth of planned requests, as bytes only: a refused request
// is read back from them (decode_request), so a full table in flight costs
// its netlink bytes and nothing more.
struct NetlinkFib::Batch {
  std::vector<std::uint8_t> bytes;
  std::uint32_t first_seq = 0;
  std::uint32_t count = 0;
  Status sent = Ok{};
  std::vector<std::uint8_t> replies;  // the kernel's error replies (no ACKs are asked for)
};

// The writer thread: takes batches in order from `todo`, makes the sendmsg,
// and puts those the kernel answered (refused something, or the send failed)
// in `answered` for the caller's thread; the rest are done with here.
struct NetlinkFib::Writer {
  Writer(NetlinkFib& fib, boost::asio::io_context* io) : fib(fib) {
    if (io) {
      // Wakes the io_context when answers wait (eventfd: a counter, one read empties it).
      const int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
      if (fd >= 0) wakeup.emplace(*io, fd);
    }
    thread = std::thread([this] {
      pthread_setname_np(pthread_self(), "hairpin-fib");  // top -H, perf: the kernel's share shows here
      run();
    });
  }
  ~Writer() {
    {
      std::lock_guard lock(mutex);
      stopping = true;  // after what is queued: the kernel gets the last word we planned
    }
    changed.notify_all();
    thread.join();
  }

  void run() {
    std::unique_lock lock(mutex);
    for (;;) {
      changed.wait(lock, [&] { return stopping || !todo.empty(); });
      if (todo.empty()) return;  // stopping, and nothing left
      Batch batch = std::move(todo.front());
      todo.pop_front();
      busy = true;
      lock.unlock();
      changed.notify_all();  // room in todo
      fib.send_batch(batch);
      const bool answered = !batch.sent || !batch.replies.empty();
      if (!answered) batch = Batch{};  // freed here, off the caller's thread
      lock.lock();
      busy = false;
      if (answered) answers.push_back(std::move(batch));
      changed.notify_all();  // idle, or answers
      if (answered && wakeup) {
        const std::uint64_t one = 1;
        [[maybe_unused]] auto n = ::write(wakeup->native_handle(), &one, sizeof one);
      }
    }
  }

  void arm() {
    if (!wakeup) return;
    wakeup->async_wait(boost::asio::posix::stream_descriptor::wait_read, [this](boost::system::error_code ec) {
      if (ec) return;  // closed (the FIB is going away)
      std::uint64_t count = 0;
      [[maybe_unused]] auto n = ::read(wakeup->native_handle(), &count, sizeof count);
      fib.on_answers();
      arm();
    });
  }

  NetlinkFib& fib;
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<Batch> todo;
  std::deque<Batch> answers;
  bool busy = false;
  bool stopping = false;
  std::optional<boost::asio::posix::stream_descriptor> wakeup;
  std::thread thread;
};

void NetlinkFib::write(const std::vector<KernelRequest>& requests) {
  if (requests.empty()) return;
  const std::size_t per_batch = std::max<std::size_t>(1, options_.requests_per_batch);
  for (std::size_t first = 0; first < requests.size(); first += per_batch) {
    const std::size_t count = std::min(per_batch, requests.size() - first);
    Batch batch;
    batch.first_seq = next_seq_;
    std::size_t bytes = 0;
    for (std::size_t i = first; i < first + count; ++i) bytes += max_request_bytes(requests[i]);
    batch.bytes.resize(bytes);
    std::size_t used = 0;
    for (std::size_t i = first; i < first + count; ++i)
      used += encode_request(requests[i], next_seq_++, batch.bytes.data() + used);
    batch.bytes.resize(used);
    batch.count = static_cast<std::uint32_t>(count);
    if (!writer_) {
      send_batch(batch);
      answer(batch);
      continue;
    }
    std::unique_lock lock(writer_->mutex);
    writer_->changed.wait(lock, [&] { return writer_->todo.size() < std::max<std::size_t>(1, options_.batches_in_flight); });
    writer_->todo.push_back(std::move(batch));
    lock.unlock();
    writer_->changed.notify_all();
  }
  drain_log();
}

// On the writer thread (or inline without one): nothing else uses the request
// socket meanwhile (dumps wait for the writer to be idle).
void NetlinkFib::send_batch(Batch& batch) {
  batch.sent = port_->send(batch.bytes);
  ++batches_;
  requests_ += batch.count;
  // rtnetlink handles the requests inside sendmsg, so every refusal is queued by now.
  if (batch.sent) batch.replies = port_->take_replies();
}

// On the caller's thread: each refusal names its request by sequence number.
void NetlinkFib::answer(Batch& batch) {
  if (batch.sent && batch.replies.empty()) return;  // the kernel took every request
  std::vector<std::span<const std::uint8_t>> messages;  // of the batch, in seq order
  int left = static_cast<int>(batch.bytes.size());
  for (const auto* nlh = reinterpret_cast<const nlmsghdr*>(batch.bytes.data()); mnl_nlmsg_ok(nlh, left);
       nlh = mnl_nlmsg_next(nlh, &left))
    messages.emplace_back(reinterpret_cast<const std::uint8_t*>(nlh), nlh->nlmsg_len);
  auto refuse = [&](std::size_t index, int error, const std::string& why) {
    if (index >= messages.size()) return;
    if (auto request = decode_request(messages[index])) planner_.refused(*request, error, why);
  };
  if (!batch.sent) {
    for (std::size_t i = 0; i < messages.size(); ++i) refuse(i, EIO, batch.sent.error().what);
    return;
  }
  decode_messages(batch.replies, {}, [&](const NetlinkMessage& m) {
    const auto* e = std::get_if<ErrorMessage>(&m);
    if (!e || e->error == 0) return;
    refuse(e->seq - batch.first_seq, e->error, e->message);
  });
}

void NetlinkFib::apply_answers() {
  if (!writer_) return;
  std::deque<Batch> answered;
  {
    std::lock_guard lock(writer_->mutex);
    answered.swap(writer_->answers);
  }
  for (Batch& batch : answered) answer(batch);
  if (!answered.empty()) drain_log();
}

void NetlinkFib::wait_idle() {
  if (!writer_) return;
  std::unique_lock lock(writer_->mutex);
  writer_->changed.wait(lock, [&] { return writer_->todo.empty() && !writer_->busy; });
}

// The writer has answers: refusals go to the planner, and what they call for
// (a nexthop object refused for its id gets a new one) is written at once.
void NetlinkFib::on_answers() {
  apply_answers();
  if (planner_.pending()) write(planner_.plan());
}

void NetlinkFib::start_writer_thread() {
  if (writer_ || !options_.writer_thread) return;
  writer_ = std::make_unique<Writer>(*this, io_);
  writer_->arm();
}

void NetlinkFib::settle() {
  // A refusal can ask for a rewrite (a new object id), whose answer can ask
  // for another: bounded, as flush() was when it wrote inline.
  for (int round = 0; round < 4; ++round) {
    wait_idle();
    apply_answers();
    if (!planner_.pending()) return;
    write(planner_.plan());
  }
  wait_idle();
  apply_answers();
}

void NetlinkFib::drain_log() {
  for (std::string& line : planner_.take_log())
    if (events_.log) events_.log(line);
}

void NetlinkFib::report(const std::vector<Ipv4Address>& changed) {
  if (!changed.empty() && events_.next_hops_changed) events_.next_hops_changed(changed);
}

void NetlinkFib::set(const FibRoute& route) { planner_.set(route); }
void NetlinkFib::remove(const Ipv4Prefix& prefix, FibSource source) { planner_.remove(prefix, source); }
void NetlinkFib::flush() {
  apply_answers();
  write(planner_.plan());
  // A refused nexthop object (an id another daemon took since start: EEXIST)
  // gets a new id and is written again at once, with the routes that use it
  // (with a writer thread: when its answer is back, on_answers()).
  if (!writer_ && planner_.pending()) write(planner_.plan());
}
bool NetlinkFib::resolves(Ipv4Address next_hop) { return planner_.resolves(next_hop); }

std::size_t NetlinkFib::sweep_stale() {
  flush();  // what was set() but not flushed is not stale
  settle();  // nor what the kernel is still to answer
  std::size_t swept = 0;
  write(planner_.plan_sweep(swept));
  return swept;
}

void NetlinkFib::withdraw_all() {
  settle();
  write(planner_.plan_withdraw_all());
  settle();  // a clean stop: gone from the kernel when this returns
}

FibCounters NetlinkFib::counters() const {
  FibCounters c = planner_.counters();
  c.batches = batches_;
  c.requests = requests_;
  return c;
}

std::vector<FibHeldRoute> NetlinkFib::held_routes() const { return planner_.held_routes(); }

void NetlinkFib::on_notifications(std::span<const std::uint8_t> bytes) {
  std::vector<Ipv4Address> changed;
  bool reload_needed = false;
  auto append = [&](std::vector<Ipv4Address> more) { changed.insert(changed.end(), more.begin(), more.end()); };
  decode_messages(bytes, skip_our_learned(options_.ids), [&](const NetlinkMessage& message) {
    if (auto* r = std::get_if<RouteMessage>(&message)) {
      append(r->deleted ? planner_.route_deleted(r->route) : planner_.route_added(r->route));
    } else if (auto* n = std::get_if<NexthopMessage>(&message)) {
      append(planner_.nexthop_changed(n->object, n->deleted));
    } else if (auto* l = std::get_if<LinkMessage>(&message)) {
      // A link going down (or away) takes routes and nexthop objects with it
      // without a notification for each (fib_sync_down_dev, nexthop_flush_dev):
      // look again.
      const KernelLink* before = planner_.mirror().link(l->link.ifindex);
      if (l->deleted || !before || before->up != l->link.up) reload_needed = true;
      planner_.link_changed(l->link, l->deleted);
    } else if (auto* a = std::get_if<AddressMessage>(&message)) {
      // Removing an address flushes the routes through it silently (fib_sync_down_addr).
      if (a->deleted) reload_needed = true;
    }
  });
  if (reload_needed) append(reload_from_kernel());
  std::sort(changed.begin(), changed.end());
  changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
  if (planner_.pending()) flush();
  report(changed);
}

void NetlinkFib::overrun() {
  ++overruns_;
  if (events_.log) events_.log("fib: kernel notifications overran the socket buffer; re-reading the routing table");
  std::vector<Ipv4Address> changed = reload_from_kernel();
  if (planner_.pending()) flush();
  report(changed);
}

std::vector<Ipv4Address> NetlinkFib::reload_from_kernel() {
  auto found = snapshot(false, nullptr);
  if (!found) {
    if (events_.log) events_.log("fib: " + found.error().to_string());
    return {};
  }
  return planner_.reload(*found);
}

}  // namespace hairpin::bgpd
