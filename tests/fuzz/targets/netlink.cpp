// fuzz_netlink: the rtnetlink reply decoder (bgpd/fib netlink_codec.hpp
// decode_messages) on datagrams as the kernel would send them.
//
// Input: octet 0 the decode filter (bit 7 set: route messages of protocol
// octet & 0x7f + 180 are to be skipped; 220..222 are ours); the rest is the datagram.
// The datagram is copied to the end of a page followed by an inaccessible one, so a
// read past its end inside libmnl (not instrumented by ASan) faults too.
// Invariants:
//  - decode_messages never reads past the datagram and never throws;
//  - no route of a skipped protocol is handed on;
//  - every decoded prefix is a canonical IPv4 prefix (length <= 32, no host bits),
//    every interface address has a length <= 32;
//  - a decoded route or nexthop object that our encoder can express encodes
//    (encode_request) to a message that decodes to the same value.

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

#include "fuzz_target.hpp"
#include "hairpin/bgpd/fib/netlink_codec.hpp"

namespace hairpin::fuzz {
namespace {

using namespace hairpin::bgpd;

// `bytes` placed so that they end where an inaccessible page begins (4-byte
// aligned start, as the kernel's datagrams are: up to 3 bytes of slack).
class GuardedCopy {
 public:
  explicit GuardedCopy(std::span<const std::uint8_t> bytes) {
    const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    const std::size_t padded = (bytes.size() + 3) & ~std::size_t{3};
    pages_ = (padded + page - 1) / page + 1;
    void* m = ::mmap(nullptr, pages_ * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) std::abort();
    base_ = static_cast<std::uint8_t*>(m);
    ::mprotect(base_ + (pages_ - 1) * page, page, PROT_NONE);
    data_ = base_ + (pages_ - 1) * page - padded;
    if (!bytes.empty()) std::memcpy(data_, bytes.data(), bytes.size());
    size_ = bytes.size();
    page_ = page;
  }
  ~GuardedCopy() { ::munmap(base_, pages_ * page_); }
  std::span<const std::uint8_t> span() const { return {data_, size_}; }

 private:
  std::uint8_t* base_ = nullptr;
  std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0, pages_ = 0, page_ = 0;
};

bool canonical(const Ipv4Prefix& p) { return p.length <= 32 && Ipv4Prefix::covering(p.address, p.length) == p; }

std::vector<NetlinkMessage> decode_all(std::span<const std::uint8_t> bytes, const DecodeFilter& filter, bool* ok) {
  std::vector<NetlinkMessage> out;
  *ok = decode_messages(bytes, filter, [&](const NetlinkMessage& m) { out.push_back(m); });
  return out;
}

// The write that would put `r` into the kernel as the decoder reported it, when
// our encoder can say it (RouteWrite has no dev-less hop, no typed hop list on a
// blackhole, no hops next to a nexthop id).
std::optional<RouteWrite> as_write(const KernelRoute& r) {
  RouteWrite w{r.prefix, r.protocol, r.metric, r.table, FibRouteKind::Unicast, r.nexthop_id, r.hops};
  if (r.type == KernelRouteType::Blackhole) {
    if (!r.hops.empty() || r.nexthop_id != 0) return std::nullopt;
    w.kind = FibRouteKind::Blackhole;
    return w;
  }
  if (r.type != KernelRouteType::Unicast) return std::nullopt;
  if (r.nexthop_id != 0) return r.hops.empty() ? std::optional(w) : std::nullopt;
  if (r.hops.empty()) return std::nullopt;
  for (const auto& h : r.hops)
    if (h.gateway.value == 0 && (r.hops.size() > 1 || h.ifindex == 0)) return std::nullopt;
  return w;
}

}  // namespace

Finding fuzz_netlink(std::span<const std::uint8_t> input) {
  if (input.empty()) return {};
  DecodeFilter filter;
  std::optional<std::uint8_t> skipped;
  if (input[0] & 0x80) {
    skipped = static_cast<std::uint8_t>((input[0] & 0x7f) + 180);
    filter.skip_route_protocol[*skipped] = true;
  }
  const GuardedCopy datagram(input.subspan(1));
  bool ok = false;
  const auto messages = decode_all(datagram.span(), filter, &ok);
  for (const auto& m : messages) {
    if (const auto* r = std::get_if<RouteMessage>(&m)) {
      HAIRPIN_FUZZ_CHECK(!skipped || r->route.protocol != *skipped, "a route of a skipped protocol was handed on");
      HAIRPIN_FUZZ_CHECK(canonical(r->route.prefix), "a route prefix with host bits or length > 32");
      if (auto w = as_write(r->route)) {
        const auto bytes = encode_request(KernelRequest{*w}, 1);
        bool again_ok = false;
        const auto again = decode_all(bytes, DecodeFilter{}, &again_ok);
        HAIRPIN_FUZZ_CHECK(again_ok && again.size() == 1 && std::holds_alternative<RouteMessage>(again[0]),
                           "an encoded route does not decode");
        HAIRPIN_FUZZ_CHECK(std::get<RouteMessage>(again[0]).route == r->route,
                           "decode(encode(route)) differs from the route");
      }
    } else if (const auto* n = std::get_if<NexthopMessage>(&m)) {
      const auto& o = n->object;
      // What NexthopWrite can say: a group, one hop (not a zero one), or a blackhole.
      const bool group = !o.group.empty() && !o.hop && !o.blackhole;
      const bool hop = o.group.empty() && o.hop && !o.blackhole && (o.hop->gateway.value != 0 || o.hop->ifindex != 0);
      const bool blackhole = o.group.empty() && !o.hop && o.blackhole;
      if (group || hop || blackhole) {
        const auto bytes = encode_request(KernelRequest{NexthopWrite{o.id, o.protocol, false, o.hop, o.group}}, 1);
        bool again_ok = false;
        const auto again = decode_all(bytes, DecodeFilter{}, &again_ok);
        HAIRPIN_FUZZ_CHECK(again_ok && again.size() == 1 && std::holds_alternative<NexthopMessage>(again[0]),
                           "an encoded nexthop object does not decode");
        HAIRPIN_FUZZ_CHECK(std::get<NexthopMessage>(again[0]).object == o,
                           "decode(encode(nexthop object)) differs from the object");
      }
    } else if (const auto* a = std::get_if<AddressMessage>(&m)) {
      HAIRPIN_FUZZ_CHECK(a->address.address.length <= 32, "an interface address with a prefix length > 32");
      (void)a->address.address.to_string();
    }
  }
  return {};
}

std::vector<Seed> seeds_netlink(const std::string&) {
  // The kernel's replies have the shape of our requests (RTM_NEWROUTE, RTM_NEWNEXTHOP),
  // so the encoder's output is the seed: every kind of write, one batch, and errors.
  const auto ip = [](const char* s) { return *Ipv4Address::parse(s); };
  const auto pfx = [](const char* s) { return *Ipv4Prefix::parse(s); };
  std::vector<std::pair<std::string, KernelRequest>> requests = {
      {"route-gateway", RouteWrite{pfx("10.100.0.0/16"), 220, 20, 254, FibRouteKind::Unicast, 0, {{ip("10.0.0.1"), 2}}}},
      {"route-dev", RouteWrite{pfx("10.0.210.0/24"), 222, 10, 254, FibRouteKind::Unicast, 0, {{Ipv4Address{}, 3}}}},
      {"route-ecmp", RouteWrite{pfx("10.200.0.0/16"), 220, 20, 1000, FibRouteKind::Unicast, 0,
                                {{ip("10.0.0.1"), 2}, {ip("10.0.0.2"), 3}}}},
      {"route-nhid", RouteWrite{pfx("10.201.0.0/16"), 220, 20, 254, FibRouteKind::Unicast, 0x48500001, {}}},
      {"route-blackhole", RouteWrite{pfx("10.0.0.0/8"), 221, 15, 254, FibRouteKind::Blackhole, 0, {}}},
      {"route-delete", RouteDelete{pfx("10.100.0.0/16"), 220, 20, 254}},
      {"nexthop-hop", NexthopWrite{0x48500001, 220, false, KernelHop{ip("10.0.0.1"), 2}, {}}},
      {"nexthop-group", NexthopWrite{0x48500003, 220, true, std::nullopt, {0x48500001, 0x48500002}}},
      {"nexthop-blackhole", NexthopWrite{0x48500004, 220, false, std::nullopt, {}}},
  };
  std::vector<Seed> out;
  Bytes batch{0};
  for (const auto& [name, r] : requests) {
    const auto bytes = encode_request(r, 7);
    out.push_back({name, concat({Bytes{0}, bytes})});
    batch.insert(batch.end(), bytes.begin(), bytes.end());
  }
  out.push_back({"batch", batch});
  Bytes skip = batch;
  skip[0] = 0x80 | (220 - 180);
  out.push_back({"batch-skip-220", skip});
  for (auto kind : {DumpKind::Routes, DumpKind::Nexthops, DumpKind::Links, DumpKind::Addresses})
    out.push_back({"dump-" + std::to_string(static_cast<int>(kind)), concat({Bytes{0}, encode_dump(kind, 9)})});
  // NLMSG_ERROR (EEXIST) quoting a request, with an extended-ack message; NLMSG_DONE.
  const auto quoted = encode_request(requests[0].second, 7);
  Bytes err(16 + 4, 0);
  err.insert(err.end(), quoted.begin(), quoted.begin() + 16);
  const std::string msg = "Nexthop id already exists";
  Bytes attr = {0, 0, 1, 0};  // nla_len (below), NLMSGERR_ATTR_MSG
  for (char c : msg) attr.push_back(static_cast<std::uint8_t>(c));
  attr.push_back(0);
  attr[0] = static_cast<std::uint8_t>(attr.size());
  while (attr.size() % 4) attr.push_back(0);
  err.insert(err.end(), attr.begin(), attr.end());
  err[0] = static_cast<std::uint8_t>(err.size());
  err[4] = 2;       // NLMSG_ERROR
  err[7] = 0x03;    // flags, little-endian: NLM_F_CAPPED | NLM_F_ACK_TLVS (0x100 | 0x200)
  err[16] = 0xef;   // -17
  err[17] = err[18] = err[19] = 0xff;
  Bytes done = {20, 0, 0, 0, 3, 0, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  out.push_back({"error-extack", concat({Bytes{0}, err})});
  out.push_back({"error-and-done", concat({Bytes{0}, err, done})});
  return out;
}

}  // namespace hairpin::fuzz
