#pragma once
// A fake kernel behind the KernelPort seam: it decodes NetlinkFib's requests
// with the codec and keeps routes and nexthop objects the way rtnetlink does
// (replace by (prefix, metric), NLM_F_EXCL, deleting an object deletes its
// routes, errors only for refused requests, with their seq), answers dumps, and
// can refuse what a test asks it to.

#include <libmnl/libmnl.h>
#include <net/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <condition_variable>
#include <map>
#include <mutex>
#include <memory>
#include <set>

#include "hairpin/bgpd/fib/kernel_port.hpp"
#include "hairpin/bgpd/fib/netlink_codec.hpp"

namespace hairpin::bgpd::fibtest {

struct FakeKernelState {
  std::map<std::pair<Ipv4Prefix, std::uint32_t>, KernelRoute> routes;  // (prefix, metric)
  std::map<std::uint32_t, KernelNexthopObject> nexthops;
  std::vector<KernelLink> links;
  // What to refuse.
  bool eperm = false;               // no CAP_NET_ADMIN: every write is EPERM
  bool no_nexthop_dump = false;     // a kernel before 5.3
  bool refuse_new_nexthop = false;  // lists objects, refuses to make them
  std::set<Ipv4Prefix> refuse;      // RTM_NEWROUTE of these: EINVAL
  std::size_t interrupted_route_dumps = 0;  // the next N route dumps: NLM_F_DUMP_INTR, last route missing
  // What was seen.
  std::size_t sends = 0;
  std::size_t route_writes = 0;
  std::size_t route_deletes = 0;
  std::size_t nexthop_writes = 0;
  std::size_t dumps = 0;
  std::size_t route_dumps = 0;
  // A kernel busy elsewhere: while closed, send() waits (on the writer thread)
  // until open_gate(); `waiting` says a send has arrived at it.
  std::mutex gate_mutex;
  std::condition_variable gate_changed;
  bool gate_closed = false;
  std::size_t waiting = 0;
  void close_gate() {
    std::lock_guard lock(gate_mutex);
    gate_closed = true;
  }
  void open_gate() {
    {
      std::lock_guard lock(gate_mutex);
      gate_closed = false;
    }
    gate_changed.notify_all();
  }
  bool wait_for_sender(std::chrono::seconds limit) {
    std::unique_lock lock(gate_mutex);
    return gate_changed.wait_for(lock, limit, [&] { return waiting > 0; });
  }

  std::size_t routes_of(std::uint8_t protocol) const {
    std::size_t n = 0;
    for (const auto& [k, r] : routes) n += r.protocol == protocol;
    return n;
  }
  const KernelRoute* route(const Ipv4Prefix& prefix, std::uint32_t metric) const {
    auto it = routes.find({prefix, metric});
    return it == routes.end() ? nullptr : &it->second;
  }
};

inline std::vector<std::uint8_t> encode_kernel_route(const KernelRoute& r, bool deleted = false) {
  RouteWrite w{r.prefix, r.protocol, r.metric, r.table,
               r.type == KernelRouteType::Blackhole ? FibRouteKind::Blackhole : FibRouteKind::Unicast, r.nexthop_id,
               r.hops};
  auto bytes = encode_request(w, 0);
  if (deleted) reinterpret_cast<nlmsghdr*>(bytes.data())->nlmsg_type = RTM_DELROUTE;
  return bytes;
}

inline std::vector<std::uint8_t> encode_kernel_link(const KernelLink& link, bool deleted = false) {
  std::vector<std::uint8_t> buf(256, 0);
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = deleted ? RTM_DELLINK : RTM_NEWLINK;
  auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
  ifi->ifi_index = static_cast<int>(link.ifindex);
  ifi->ifi_flags = link.up ? (IFF_UP | IFF_RUNNING) : IFF_UP;
  mnl_attr_put_strz(nlh, IFLA_IFNAME, link.name.c_str());
  buf.resize(nlh->nlmsg_len);
  return buf;
}

class FakeKernel final : public KernelPort {
 public:
  explicit FakeKernel(std::shared_ptr<FakeKernelState> state) : s_(std::move(state)) {}

  Status send(std::span<const std::uint8_t> datagram) override {
    {
      std::unique_lock lock(s_->gate_mutex);
      ++s_->waiting;
      s_->gate_changed.notify_all();
      s_->gate_changed.wait(lock, [&] { return !s_->gate_closed; });
      --s_->waiting;
    }
    ++s_->sends;
    int left = static_cast<int>(datagram.size());
    for (auto* nlh = reinterpret_cast<const nlmsghdr*>(datagram.data()); mnl_nlmsg_ok(nlh, left);
         nlh = mnl_nlmsg_next(nlh, &left)) {
      const int error = apply(nlh);
      if (error != 0) reply_error(nlh->nlmsg_seq, error);
    }
    return Ok{};
  }

  std::vector<std::uint8_t> take_replies() override { return std::exchange(replies_, {}); }

  Result<DumpOutcome> dump(std::span<const std::uint8_t> request,
                           const std::function<void(std::span<const std::uint8_t>)>& on_datagram) override {
    ++s_->dumps;
    bool interrupted = false;
    std::vector<std::uint8_t> out;
    auto append = [&](const std::vector<std::uint8_t>& m) { out.insert(out.end(), m.begin(), m.end()); };
    switch (reinterpret_cast<const nlmsghdr*>(request.data())->nlmsg_type) {
      case RTM_GETROUTE: {
        // An interrupted dump, as the kernel's can be: it misses the last route.
        interrupted = s_->interrupted_route_dumps > 0;
        if (interrupted) --s_->interrupted_route_dumps;
        std::size_t left = s_->routes.size() - (interrupted && !s_->routes.empty() ? 1 : 0);
        for (const auto& [k, r] : s_->routes) {
          if (left-- == 0) break;
          append(encode_kernel_route(r));
        }
        ++s_->route_dumps;
        break;
      }
      case RTM_GETNEXTHOP:
        if (s_->no_nexthop_dump) return Error{"Operation not supported", "netlink dump", ""};
        for (const auto& [id, n] : s_->nexthops) append(encode_request(NexthopWrite{id, n.protocol, false, n.hop, n.group}, 0));
        break;
      case RTM_GETLINK:
        for (const KernelLink& l : s_->links) append(encode_kernel_link(l));
        break;
      default: break;
    }
    std::vector<std::uint8_t> done(NLMSG_HDRLEN + 4, 0);
    auto* nlh = reinterpret_cast<nlmsghdr*>(done.data());
    nlh->nlmsg_len = static_cast<std::uint32_t>(done.size());
    nlh->nlmsg_type = NLMSG_DONE;
    if (interrupted) nlh->nlmsg_flags |= NLM_F_DUMP_INTR;
    append(done);
    on_datagram(out);
    return interrupted ? DumpOutcome::Interrupted : DumpOutcome::Whole;
  }

 private:
  int apply(const nlmsghdr* nlh) {
    if (s_->eperm) return EPERM;
    int error = 0;
    decode_messages(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(nlh), nlh->nlmsg_len), {},
                    [&](const NetlinkMessage& m) {
                      if (auto* r = std::get_if<RouteMessage>(&m)) error = apply_route(r->route, r->deleted);
                      if (auto* n = std::get_if<NexthopMessage>(&m))
                        error = apply_nexthop(n->object, n->deleted, nlh->nlmsg_flags);
                    });
    return error;
  }

  int apply_route(const KernelRoute& r, bool deleted) {
    const std::pair<Ipv4Prefix, std::uint32_t> key{r.prefix, r.metric};
    if (deleted) {
      auto it = s_->routes.find(key);
      if (it == s_->routes.end() || (r.protocol != 0 && it->second.protocol != r.protocol)) return ESRCH;
      s_->routes.erase(it);
      ++s_->route_deletes;
      return 0;
    }
    if (s_->refuse.count(r.prefix)) return EINVAL;
    if (r.nexthop_id != 0 && !s_->nexthops.count(r.nexthop_id)) return EINVAL;
    ++s_->route_writes;
    s_->routes[key] = r;
    return 0;
  }

  int apply_nexthop(const KernelNexthopObject& n, bool deleted, std::uint16_t flags) {
    if (deleted) {
      if (!s_->nexthops.erase(n.id)) return ENOENT;
      // The kernel removes the routes that use the object, and the object from groups.
      std::erase_if(s_->routes, [&](const auto& kv) { return kv.second.nexthop_id == n.id; });
      for (auto& [id, other] : s_->nexthops) std::erase(other.group, n.id);
      return 0;
    }
    if (s_->refuse_new_nexthop) return EOPNOTSUPP;
    if (s_->nexthops.count(n.id) && (flags & NLM_F_EXCL)) return EEXIST;
    for (std::uint32_t member : n.group)
      if (!s_->nexthops.count(member)) return EINVAL;
    ++s_->nexthop_writes;
    s_->nexthops[n.id] = n;
    return 0;
  }

  void reply_error(std::uint32_t seq, int error) {
    std::vector<std::uint8_t> buf(NLMSG_HDRLEN + sizeof(nlmsgerr) + 64, 0);
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
    nlh->nlmsg_type = NLMSG_ERROR;
    nlh->nlmsg_flags = NLM_F_CAPPED;
    auto* err = static_cast<nlmsgerr*>(mnl_nlmsg_put_extra_header(nlh, sizeof(nlmsgerr)));
    err->error = -error;
    err->msg.nlmsg_seq = seq;
    buf.resize(nlh->nlmsg_len);
    replies_.insert(replies_.end(), buf.begin(), buf.end());
  }

  std::shared_ptr<FakeKernelState> s_;
  std::vector<std::uint8_t> replies_;
};

}  // namespace hairpin::bgpd::fibtest
