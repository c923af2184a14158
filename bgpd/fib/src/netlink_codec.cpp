// rtnetlink requests and replies with libmnl (see netlink_codec.hpp).

#include "hairpin/bgpd/fib/netlink_codec.hpp"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cstring>

namespace hairpin::bgpd {

namespace {

template <class... F> struct Overloaded : F... { using F::operator()...; };
template <class... F> Overloaded(F...) -> Overloaded<F...>;

std::uint32_t wire(Ipv4Address address) { return htonl(address.value); }
Ipv4Address host(std::uint32_t network_order) { return Ipv4Address{ntohl(network_order)}; }

nlmsghdr* put_header(std::uint8_t* out, std::uint16_t type, std::uint16_t flags, std::uint32_t seq) {
  nlmsghdr* nlh = mnl_nlmsg_put_header(out);
  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = static_cast<std::uint16_t>(NLM_F_REQUEST | flags);
  nlh->nlmsg_seq = seq;
  return nlh;
}

rtmsg* put_rtmsg(nlmsghdr* nlh, const Ipv4Prefix& prefix, std::uint8_t protocol, std::uint32_t table) {
  auto* rtm = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtmsg)));
  rtm->rtm_family = AF_INET;
  rtm->rtm_dst_len = prefix.length;
  rtm->rtm_protocol = protocol;
  // rtm_table is 8 bits; RTA_TABLE carries the full id (tables above 255).
  rtm->rtm_table = table < 256 ? static_cast<std::uint8_t>(table) : static_cast<std::uint8_t>(RT_TABLE_UNSPEC);
  mnl_attr_put_u32(nlh, RTA_TABLE, table);
  mnl_attr_put_u32(nlh, RTA_DST, wire(prefix.address));
  return rtm;
}

std::size_t encode_route_write(const RouteWrite& r, std::uint32_t seq, std::uint8_t* out) {
  // NLM_F_REPLACE: the kernel keys routes by (table, prefix, tos, priority), so a
  // rewrite of ours (or of a stale route of ours) replaces it in place.
  nlmsghdr* nlh = put_header(out, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, seq);
  rtmsg* rtm = put_rtmsg(nlh, r.prefix, r.protocol, r.table);
  mnl_attr_put_u32(nlh, RTA_PRIORITY, r.metric);
  if (r.kind == FibRouteKind::Blackhole) {
    rtm->rtm_type = RTN_BLACKHOLE;
    rtm->rtm_scope = RT_SCOPE_UNIVERSE;
    return nlh->nlmsg_len;
  }
  rtm->rtm_type = RTN_UNICAST;
  if (r.nexthop_id != 0) {
    rtm->rtm_scope = RT_SCOPE_UNIVERSE;
    mnl_attr_put_u32(nlh, RTA_NH_ID, r.nexthop_id);
    return nlh->nlmsg_len;
  }
  // A hop without a gateway is a route straight onto the link: scope link, as
  // `ip route add P dev X` writes it.
  const bool on_link = r.hops.size() == 1 && r.hops[0].gateway.value == 0;
  rtm->rtm_scope = on_link ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
  if (r.hops.size() == 1) {
    if (!on_link) mnl_attr_put_u32(nlh, RTA_GATEWAY, wire(r.hops[0].gateway));
    mnl_attr_put_u32(nlh, RTA_OIF, r.hops[0].ifindex);
    return nlh->nlmsg_len;
  }
  // ECMP: one route with RTA_MULTIPATH, an rtnexthop (and its RTA_GATEWAY) per hop.
  nlattr* nest = mnl_attr_nest_start(nlh, RTA_MULTIPATH);
  for (const KernelHop& hop : r.hops) {
    auto* rtnh = static_cast<rtnexthop*>(mnl_nlmsg_get_payload_tail(nlh));
    std::memset(rtnh, 0, sizeof(*rtnh));
    nlh->nlmsg_len += MNL_ALIGN(sizeof(rtnexthop));
    rtnh->rtnh_ifindex = static_cast<int>(hop.ifindex);
    rtnh->rtnh_hops = 0;  // weight 1
    if (hop.gateway.value != 0) mnl_attr_put_u32(nlh, RTA_GATEWAY, wire(hop.gateway));
    rtnh->rtnh_len = static_cast<unsigned short>(
        static_cast<std::uint8_t*>(mnl_nlmsg_get_payload_tail(nlh)) - reinterpret_cast<std::uint8_t*>(rtnh));
  }
  mnl_attr_nest_end(nlh, nest);
  return nlh->nlmsg_len;
}

std::size_t encode_route_delete(const RouteDelete& r, std::uint32_t seq, std::uint8_t* out) {
  nlmsghdr* nlh = put_header(out, RTM_DELROUTE, 0, seq);
  rtmsg* rtm = put_rtmsg(nlh, r.prefix, r.protocol, r.table);
  // As `ip route del`: any type, scope nowhere; protocol and priority must match.
  rtm->rtm_scope = RT_SCOPE_NOWHERE;
  rtm->rtm_type = RTN_UNSPEC;
  mnl_attr_put_u32(nlh, RTA_PRIORITY, r.metric);
  return nlh->nlmsg_len;
}

std::size_t encode_nexthop_write(const NexthopWrite& n, std::uint32_t seq, std::uint8_t* out) {
  // Create: NLM_F_EXCL, so an id another daemon took is refused, never taken over.
  nlmsghdr* nlh = put_header(out, RTM_NEWNEXTHOP,
                             n.replace ? NLM_F_CREATE | NLM_F_REPLACE : NLM_F_CREATE | NLM_F_EXCL, seq);
  auto* nhm = static_cast<nhmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(nhmsg)));
  nhm->nh_protocol = n.protocol;
  mnl_attr_put_u32(nlh, NHA_ID, n.id);
  if (!n.group.empty()) {
    nhm->nh_family = AF_UNSPEC;  // a group has no family of its own
    std::vector<nexthop_grp> members(n.group.size());
    for (std::size_t i = 0; i < n.group.size(); ++i) {
      members[i] = nexthop_grp{};
      members[i].id = n.group[i];
      members[i].weight = 0;  // weight 1 (the field holds weight - 1)
    }
    mnl_attr_put(nlh, NHA_GROUP, members.size() * sizeof(nexthop_grp), members.data());
    return nlh->nlmsg_len;
  }
  nhm->nh_family = AF_INET;
  if (n.hop) {
    mnl_attr_put_u32(nlh, NHA_OIF, n.hop->ifindex);
    if (n.hop->gateway.value != 0) mnl_attr_put_u32(nlh, NHA_GATEWAY, wire(n.hop->gateway));
  } else {
    mnl_attr_put(nlh, NHA_BLACKHOLE, 0, nullptr);
  }
  return nlh->nlmsg_len;
}

std::size_t encode_nexthop_delete(const NexthopDelete& n, std::uint32_t seq, std::uint8_t* out) {
  nlmsghdr* nlh = put_header(out, RTM_DELNEXTHOP, 0, seq);
  auto* nhm = static_cast<nhmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(nhmsg)));
  nhm->nh_family = AF_UNSPEC;
  mnl_attr_put_u32(nlh, NHA_ID, n.id);
  return nlh->nlmsg_len;
}

KernelRouteType route_type(std::uint8_t type) {
  switch (type) {
    case RTN_UNICAST: return KernelRouteType::Unicast;
    case RTN_BLACKHOLE: return KernelRouteType::Blackhole;
    case RTN_UNREACHABLE: return KernelRouteType::Unreachable;
    case RTN_PROHIBIT: return KernelRouteType::Prohibit;
    default: return KernelRouteType::Other;
  }
}

// The attributes of a message after its `offset` bytes of family header.
template <class F>
void for_each_attr(const nlmsghdr* nlh, std::size_t offset, F&& f) {
  // Past the payload there are no attributes: an NLMSG_ERROR whose quoted request
  // claims more bytes than the message holds put `attr` gigabytes away, and the
  // distance cast to int turned positive (found by tests/fuzz netlink).
  if (offset > mnl_nlmsg_get_payload_len(nlh)) return;
  const auto* attr = static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(nlh, offset));
  const auto* tail = static_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh));
  while (mnl_attr_ok(attr, static_cast<int>(tail - reinterpret_cast<const char*>(attr)))) {
    f(attr);
    attr = mnl_attr_next(attr);
  }
}

constexpr unsigned kDeadHop = RTNH_F_DEAD | RTNH_F_LINKDOWN;

// RTA_MULTIPATH: rtnexthop records, each followed by its own attributes.
void decode_multipath(const nlattr* attr, std::vector<KernelHop>& hops) {
  const auto* p = static_cast<const std::uint8_t*>(mnl_attr_get_payload(attr));
  std::size_t left = mnl_attr_get_payload_len(attr);
  while (left >= sizeof(rtnexthop)) {
    const auto* rtnh = reinterpret_cast<const rtnexthop*>(p);
    if (rtnh->rtnh_len < sizeof(rtnexthop) || rtnh->rtnh_len > left) return;
    KernelHop hop{{}, static_cast<std::uint32_t>(rtnh->rtnh_ifindex)};
    int attrs_len = rtnh->rtnh_len - static_cast<int>(RTNH_ALIGN(sizeof(rtnexthop)));
    const auto* a = reinterpret_cast<const nlattr*>(p + RTNH_ALIGN(sizeof(rtnexthop)));
    while (mnl_attr_ok(a, attrs_len)) {
      if (mnl_attr_get_type(a) == RTA_GATEWAY && mnl_attr_get_payload_len(a) == 4)
        hop.gateway = host(mnl_attr_get_u32(a));
      const int step = static_cast<int>(MNL_ALIGN(a->nla_len));
      attrs_len -= step;
      a = reinterpret_cast<const nlattr*>(reinterpret_cast<const std::uint8_t*>(a) + step);
    }
    if (!(rtnh->rtnh_flags & kDeadHop)) hops.push_back(hop);
    const std::size_t step = RTNH_ALIGN(rtnh->rtnh_len);
    if (step >= left) return;
    left -= step;
    p += step;
  }
}

bool decode_route(const nlmsghdr* nlh, const DecodeFilter& filter, const auto& emit) {
  if (mnl_nlmsg_get_payload_len(nlh) < sizeof(rtmsg)) return false;
  const auto* rtm = static_cast<const rtmsg*>(mnl_nlmsg_get_payload(nlh));
  if (rtm->rtm_family != AF_INET) return true;
  // An IPv4 prefix length above 32 is no IPv4 route: passed over, as other families
  // are (it became a "/40" prefix; found by tests/fuzz netlink).
  if (rtm->rtm_dst_len > 32) return true;
  if (filter.skip_route_protocol[rtm->rtm_protocol]) return true;  // ours: no attribute parsing
  RouteMessage m;
  m.deleted = nlh->nlmsg_type == RTM_DELROUTE;
  KernelRoute& r = m.route;
  r.protocol = rtm->rtm_protocol;
  r.type = route_type(rtm->rtm_type);
  r.table = rtm->rtm_table;
  std::uint32_t dst = 0, gateway = 0, oif = 0;
  bool dead = (rtm->rtm_flags & kDeadHop) != 0;
  for_each_attr(nlh, sizeof(rtmsg), [&](const nlattr* attr) {
    const auto type = mnl_attr_get_type(attr);
    const bool u32 = mnl_attr_get_payload_len(attr) >= 4;
    switch (type) {
      case RTA_DST: if (u32) dst = mnl_attr_get_u32(attr); break;
      case RTA_GATEWAY: if (u32) gateway = mnl_attr_get_u32(attr); break;
      case RTA_OIF: if (u32) oif = mnl_attr_get_u32(attr); break;
      case RTA_PRIORITY: if (u32) r.metric = mnl_attr_get_u32(attr); break;
      case RTA_TABLE: if (u32) r.table = mnl_attr_get_u32(attr); break;
      case RTA_NH_ID: if (u32) r.nexthop_id = mnl_attr_get_u32(attr); break;
      case RTA_MULTIPATH: decode_multipath(attr, r.hops); break;
      default: break;
    }
  });
  r.prefix = Ipv4Prefix::covering(host(dst), rtm->rtm_dst_len);
  if (r.hops.empty() && r.nexthop_id == 0 && r.type == KernelRouteType::Unicast && (oif != 0 || gateway != 0) && !dead)
    r.hops.push_back(KernelHop{host(gateway), oif});
  emit(NetlinkMessage{std::move(m)});
  return true;
}

bool decode_nexthop(const nlmsghdr* nlh, const auto& emit) {
  if (mnl_nlmsg_get_payload_len(nlh) < sizeof(nhmsg)) return false;
  const auto* nhm = static_cast<const nhmsg*>(mnl_nlmsg_get_payload(nlh));
  NexthopMessage m;
  m.deleted = nlh->nlmsg_type == RTM_DELNEXTHOP;
  m.object.protocol = nhm->nh_protocol;
  std::uint32_t oif = 0, gateway = 0;
  bool has_gateway = false;
  for_each_attr(nlh, sizeof(nhmsg), [&](const nlattr* attr) {
    // u32 attributes shorter than 4 bytes are skipped: mnl_attr_get_u32 read past
    // the datagram's end (found by tests/fuzz netlink's guard page).
    const bool u32 = mnl_attr_get_payload_len(attr) >= 4;
    switch (mnl_attr_get_type(attr)) {
      case NHA_ID: if (u32) m.object.id = mnl_attr_get_u32(attr); break;
      case NHA_OIF: if (u32) oif = mnl_attr_get_u32(attr); break;
      case NHA_GATEWAY:
        if (mnl_attr_get_payload_len(attr) == 4) { gateway = mnl_attr_get_u32(attr); has_gateway = true; }
        break;
      case NHA_BLACKHOLE: m.object.blackhole = true; break;
      case NHA_GROUP: {
        const auto* g = static_cast<const nexthop_grp*>(mnl_attr_get_payload(attr));
        for (std::size_t i = 0; i < mnl_attr_get_payload_len(attr) / sizeof(nexthop_grp); ++i)
          m.object.group.push_back(g[i].id);
        break;
      }
      default: break;
    }
  });
  if (!m.object.blackhole && m.object.group.empty() && (oif != 0 || has_gateway))
    m.object.hop = KernelHop{host(gateway), oif};
  emit(NetlinkMessage{std::move(m)});
  return true;
}

bool decode_link(const nlmsghdr* nlh, const auto& emit) {
  if (mnl_nlmsg_get_payload_len(nlh) < sizeof(ifinfomsg)) return false;
  const auto* ifi = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(nlh));
  LinkMessage m;
  m.deleted = nlh->nlmsg_type == RTM_DELLINK;
  m.link.ifindex = static_cast<std::uint32_t>(ifi->ifi_index);
  m.link.up = (ifi->ifi_flags & IFF_UP) && (ifi->ifi_flags & IFF_RUNNING);
  for_each_attr(nlh, sizeof(ifinfomsg), [&](const nlattr* attr) {
    if (mnl_attr_get_type(attr) == IFLA_IFNAME && mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
      m.link.name = mnl_attr_get_str(attr);
  });
  emit(NetlinkMessage{std::move(m)});
  return true;
}

bool decode_address(const nlmsghdr* nlh, const auto& emit) {
  if (mnl_nlmsg_get_payload_len(nlh) < sizeof(ifaddrmsg)) return false;
  const auto* ifa = static_cast<const ifaddrmsg*>(mnl_nlmsg_get_payload(nlh));
  if (ifa->ifa_family != AF_INET) return true;
  if (ifa->ifa_prefixlen > 32) return true;  // no IPv4 address (found by tests/fuzz netlink)
  AddressMessage m;
  m.deleted = nlh->nlmsg_type == RTM_DELADDR;
  m.address.ifindex = ifa->ifa_index;
  m.address.address.length = ifa->ifa_prefixlen;
  for_each_attr(nlh, sizeof(ifaddrmsg), [&](const nlattr* attr) {
    const auto type = mnl_attr_get_type(attr);
    // IFA_LOCAL is the interface's own address; IFA_ADDRESS the peer's on a
    // point-to-point link, so IFA_LOCAL wins when both are there.
    if ((type == IFA_LOCAL || (type == IFA_ADDRESS && m.address.address.address.value == 0)) &&
        mnl_attr_get_payload_len(attr) == 4)
      m.address.address.address = host(mnl_attr_get_u32(attr));
  });
  emit(NetlinkMessage{std::move(m)});
  return true;
}

bool decode_error(const nlmsghdr* nlh, const auto& emit) {
  if (mnl_nlmsg_get_payload_len(nlh) < sizeof(nlmsgerr)) return false;
  const auto* err = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
  ErrorMessage m;
  m.seq = err->msg.nlmsg_seq;
  // Negated in 64 bits: -INT_MIN overflowed an int (UB; found by tests/fuzz netlink).
  m.error = static_cast<int>(-static_cast<std::int64_t>(err->error));
  // NETLINK_EXT_ACK: TLVs after the (capped, NLM_F_CAPPED) original header.
  if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
    std::size_t offset = sizeof(nlmsgerr);
    if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) offset += err->msg.nlmsg_len - sizeof(nlmsghdr);
    for_each_attr(nlh, offset, [&](const nlattr* attr) {
      if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG && mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
        m.message = mnl_attr_get_str(attr);
    });
  }
  emit(NetlinkMessage{std::move(m)});
  return true;
}

}  // namespace

std::size_t max_request_bytes(const KernelRequest& request) {
  constexpr std::size_t kFixed = 128;  // nlmsghdr + rtmsg/nhmsg + the fixed attributes
  return std::visit(Overloaded{
                        [](const RouteWrite& r) { return kFixed + r.hops.size() * 16; },
                        [](const RouteDelete&) { return kFixed; },
                        [](const NexthopWrite& n) { return kFixed + n.group.size() * sizeof(nexthop_grp); },
                        [](const NexthopDelete&) { return kFixed; },
                    },
                    request);
}

std::size_t encode_request(const KernelRequest& request, std::uint32_t seq, std::uint8_t* out) {
  std::memset(out, 0, max_request_bytes(request));
  return std::visit(Overloaded{
                        [&](const RouteWrite& r) { return encode_route_write(r, seq, out); },
                        [&](const RouteDelete& r) { return encode_route_delete(r, seq, out); },
                        [&](const NexthopWrite& n) { return encode_nexthop_write(n, seq, out); },
                        [&](const NexthopDelete& n) { return encode_nexthop_delete(n, seq, out); },
                    },
                    request);
}

std::vector<std::uint8_t> encode_request(const KernelRequest& request, std::uint32_t seq) {
  std::vector<std::uint8_t> bytes(max_request_bytes(request));
  bytes.resize(encode_request(request, seq, bytes.data()));
  return bytes;
}

std::vector<std::uint8_t> encode_dump(DumpKind kind, std::uint32_t seq) {
  std::vector<std::uint8_t> bytes(128, 0);
  nlmsghdr* nlh = nullptr;
  switch (kind) {
    case DumpKind::Routes: {
      nlh = put_header(bytes.data(), RTM_GETROUTE, NLM_F_DUMP, seq);
      auto* rtm = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtmsg)));
      rtm->rtm_family = AF_INET;
      break;
    }
    case DumpKind::Nexthops: {
      nlh = put_header(bytes.data(), RTM_GETNEXTHOP, NLM_F_DUMP, seq);
      auto* nhm = static_cast<nhmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(nhmsg)));
      nhm->nh_family = AF_UNSPEC;
      break;
    }
    case DumpKind::Links: {
      nlh = put_header(bytes.data(), RTM_GETLINK, NLM_F_DUMP, seq);
      auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
      ifi->ifi_family = AF_UNSPEC;
      break;
    }
    case DumpKind::Addresses: {
      nlh = put_header(bytes.data(), RTM_GETADDR, NLM_F_DUMP, seq);
      auto* ifa = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifaddrmsg)));
      ifa->ifa_family = AF_INET;
      break;
    }
  }
  bytes.resize(nlh->nlmsg_len);
  return bytes;
}

std::optional<KernelRequest> decode_request(std::span<const std::uint8_t> message) {
  if (message.size() < NLMSG_HDRLEN) return std::nullopt;
  const auto* nlh = reinterpret_cast<const nlmsghdr*>(message.data());
  if (nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > message.size()) return std::nullopt;
  std::optional<KernelRequest> out;
  const bool replace = (nlh->nlmsg_flags & NLM_F_REPLACE) != 0;
  auto as_request = Overloaded{
      [&](const RouteMessage& m) {
        const KernelRoute& r = m.route;
        if (m.deleted) {
          out = RouteDelete{r.prefix, r.protocol, r.metric, r.table};
          return;
        }
        out = RouteWrite{r.prefix, r.protocol, r.metric, r.table,
                         r.type == KernelRouteType::Blackhole ? FibRouteKind::Blackhole : FibRouteKind::Unicast,
                         r.nexthop_id, r.hops};
      },
      [&](const NexthopMessage& m) {
        if (m.deleted) out = NexthopDelete{m.object.id};
        else out = NexthopWrite{m.object.id, m.object.protocol, replace, m.object.hop, m.object.group};
      },
      [](const auto&) {},
  };
  auto emit = [&](const NetlinkMessage& m) { std::visit(as_request, m); };
  switch (nlh->nlmsg_type) {
    case RTM_NEWROUTE: case RTM_DELROUTE: decode_route(nlh, DecodeFilter{}, emit); break;
    case RTM_NEWNEXTHOP: case RTM_DELNEXTHOP: decode_nexthop(nlh, emit); break;
    default: break;
  }
  return out;
}

bool decode_messages(std::span<const std::uint8_t> datagram, const DecodeFilter& filter,
                     const std::function<void(const NetlinkMessage&)>& on_message) {
  int left = static_cast<int>(datagram.size());
  const auto* nlh = reinterpret_cast<const nlmsghdr*>(datagram.data());
  while (mnl_nlmsg_ok(nlh, left)) {
    // mnl_nlmsg_ok compares (int)nlmsg_len <= len: a length of 2^31 or more passes
    // as negative and mnl_nlmsg_next then jumps off the datagram (found by tests/fuzz
    // netlink). The kernel never sends one; a datagram that does is cut short.
    if (nlh->nlmsg_len > static_cast<unsigned>(left)) return false;
    bool ok = true;
    switch (nlh->nlmsg_type) {
      case RTM_NEWROUTE: case RTM_DELROUTE: ok = decode_route(nlh, filter, on_message); break;
      case RTM_NEWNEXTHOP: case RTM_DELNEXTHOP: ok = decode_nexthop(nlh, on_message); break;
      case RTM_NEWLINK: case RTM_DELLINK: ok = decode_link(nlh, on_message); break;
      case RTM_NEWADDR: case RTM_DELADDR: ok = decode_address(nlh, on_message); break;
      case NLMSG_ERROR: ok = decode_error(nlh, on_message); break;
      case NLMSG_DONE: on_message(NetlinkMessage{DoneMessage{}}); break;
      default: break;
    }
    if (!ok) return false;
    nlh = mnl_nlmsg_next(nlh, &left);
  }
  return left == 0;
}

}  // namespace hairpin::bgpd
