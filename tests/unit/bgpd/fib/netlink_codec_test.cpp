// The netlink codec: requests -> nlmsg bytes, read back with libmnl's own
// attribute parser; kernel messages (built here as the kernel lays them out)
// -> values.

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <map>

#include "hairpin/bgpd/fib/netlink_codec.hpp"
#include "test_values.hpp"

namespace hairpin::bgpd {
namespace {

using namespace fibtest;

struct Parsed {
  const nlmsghdr* nlh = nullptr;
  std::map<int, const nlattr*> attrs;
};

Parsed parse(const std::vector<std::uint8_t>& bytes, std::size_t family_header) {
  Parsed p;
  p.nlh = reinterpret_cast<const nlmsghdr*>(bytes.data());
  EXPECT_EQ(p.nlh->nlmsg_len, bytes.size());
  EXPECT_GE(mnl_attr_parse(p.nlh, static_cast<unsigned>(family_header),
                           [](const nlattr* attr, void* data) {
                             (*static_cast<std::map<int, const nlattr*>*>(data))[mnl_attr_get_type(attr)] = attr;
                             return MNL_CB_OK;
                           },
                           &p.attrs),
            0);
  return p;
}
std::uint32_t be(const char* address) { return htonl(ip(address).value); }

TEST(RouteEncode, GatewayRoute_HasPrefixProtocolMetricGatewayAndInterface_NoAck) {
  const RouteWrite w{pfx("10.1.0.0/16"), 220, 20, 254, FibRouteKind::Unicast, 0, {hop("10.100.0.1", 2)}};
  const auto bytes = encode_request(w, 77);
  const Parsed p = parse(bytes, sizeof(rtmsg));
  EXPECT_EQ(p.nlh->nlmsg_type, RTM_NEWROUTE);
  EXPECT_EQ(p.nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE);
  EXPECT_EQ(p.nlh->nlmsg_seq, 77u);
  const auto* rtm = static_cast<const rtmsg*>(mnl_nlmsg_get_payload(p.nlh));
  EXPECT_EQ(rtm->rtm_family, AF_INET);
  EXPECT_EQ(rtm->rtm_dst_len, 16);
  EXPECT_EQ(rtm->rtm_protocol, 220);
  EXPECT_EQ(rtm->rtm_type, RTN_UNICAST);
  EXPECT_EQ(rtm->rtm_scope, RT_SCOPE_UNIVERSE);
  EXPECT_EQ(rtm->rtm_table, RT_TABLE_MAIN);
  EXPECT_EQ(mnl_attr_get_u32(p.attrs.at(RTA_DST)), be("10.1.0.0"));
  EXPECT_EQ(mnl_attr_get_u32(p.attrs.at(RTA_GATEWAY)), be("10.100.0.1"));
  EXPECT_EQ(mnl_attr_get_u32(p.attrs.at(RTA_OIF)), 2u);
  EXPECT_EQ(mnl_attr_get_u32(p.attrs.at(RTA_PRIORITY)), 20u);
  EXPECT_EQ(mnl_attr_get_u32(p.attrs.at(RTA_TABLE)), 254u);
  EXPECT_FALSE(p.attrs.count(RTA_MULTIPATH));
}

TEST(RouteEncode, Ecmp_IsOneRouteWithAnRtnexthopPerHop) {
  const RouteWrite w{pfx("10.1.0.0/16"), 220, 20, 254, FibRouteKind::Unicast, 0,
                     {hop("10.100.0.1", 2), hop("10.101.0.1", 3)}};
  const auto bytes = encode_request(w, 1);
  const Parsed p = parse(bytes, sizeof(rtmsg));
  EXPECT_FALSE(p.attrs.count(RTA_GATEWAY));
  const nlattr* mp = p.attrs.at(RTA_MULTIPATH);
  const auto* base = static_cast<const std::uint8_t*>(mnl_attr_get_payload(mp));
  std::size_t left = mnl_attr_get_payload_len(mp);
  std::vector<std::pair<std::uint32_t, int>> hops;  // gateway, ifindex
  while (left >= sizeof(rtnexthop)) {
    const auto* rtnh = reinterpret_cast<const rtnexthop*>(base);
    const auto* gw = reinterpret_cast<const nlattr*>(base + RTNH_ALIGN(sizeof(rtnexthop)));
    EXPECT_EQ(mnl_attr_get_type(gw), RTA_GATEWAY);
    hops.emplace_back(mnl_attr_get_u32(gw), rtnh->rtnh_ifindex);
    left -= RTNH_ALIGN(rtnh->rtnh_len);
    base += RTNH_ALIGN(rtnh->rtnh_len);
  }
  EXPECT_EQ(hops, (std::vector<std::pair<std::uint32_t, int>>{{be("10.100.0.1"), 2}, {be("10.101.0.1"), 3}}));
}

TEST(RouteEncode, ObjectRoute_CarriesOnlyTheNexthopId_BlackholeItsType_DevRouteScopeLink) {
  const Parsed obj = parse(encode_request(RouteWrite{pfx("10.1.0.0/16"), 220, 20, 254, FibRouteKind::Unicast, 0x48500001, {}}, 1),
                           sizeof(rtmsg));
  EXPECT_EQ(mnl_attr_get_u32(obj.attrs.at(RTA_NH_ID)), 0x48500001u);
  EXPECT_FALSE(obj.attrs.count(RTA_GATEWAY) || obj.attrs.count(RTA_OIF));

  const auto bh_bytes = encode_request(RouteWrite{pfx("10.0.0.0/8"), 221, 15, 254, FibRouteKind::Blackhole, 0, {}}, 1);
  const Parsed bh = parse(bh_bytes, sizeof(rtmsg));
  EXPECT_EQ(static_cast<const rtmsg*>(mnl_nlmsg_get_payload(bh.nlh))->rtm_type, RTN_BLACKHOLE);
  EXPECT_FALSE(bh.attrs.count(RTA_GATEWAY) || bh.attrs.count(RTA_OIF));

  const auto dev_bytes = encode_request(RouteWrite{pfx("10.50.0.0/16"), 222, 10, 254, FibRouteKind::Unicast, 0, {KernelHop{{}, 3}}}, 1);
  const Parsed dev = parse(dev_bytes, sizeof(rtmsg));
  EXPECT_EQ(static_cast<const rtmsg*>(mnl_nlmsg_get_payload(dev.nlh))->rtm_scope, RT_SCOPE_LINK);
  EXPECT_FALSE(dev.attrs.count(RTA_GATEWAY));
  EXPECT_EQ(mnl_attr_get_u32(dev.attrs.at(RTA_OIF)), 3u);
}

TEST(RouteEncode, Delete_NamesPrefixProtocolAndMetric) {
  const auto bytes = encode_request(RouteDelete{pfx("10.1.0.0/16"), 220, 20, 254}, 9);
  const Parsed p = parse(bytes, sizeof(rtmsg));
  EXPECT_EQ(p.nlh->nlmsg_type, RTM_DELROUTE);
  EXPECT_EQ(p.nlh->nlmsg_flags, NLM_F_REQUEST);
  const auto* rtm = static_cast<const rtmsg*>(mnl_nlmsg_get_payload(p.nlh));
  EXPECT_EQ(rtm->rtm_protocol, 220);
  EXPECT_EQ(rtm->rtm_scope, RT_SCOPE_NOWHERE);
  EXPECT_EQ(mnl_attr_get_u32(p.attrs.at(RTA_PRIORITY)), 20u);
  EXPECT_EQ(mnl_attr_get_u32(p.attrs.at(RTA_DST)), be("10.1.0.0"));
}

TEST(NexthopEncode, HopObjectAndGroup_CreateExclusive_ReplaceInPlace) {
  const auto leaf_bytes = encode_request(NexthopWrite{5, 220, false, hop("10.100.0.1", 2), {}}, 3);
  const Parsed leaf = parse(leaf_bytes, sizeof(nhmsg));
  EXPECT_EQ(leaf.nlh->nlmsg_type, RTM_NEWNEXTHOP);
  EXPECT_EQ(leaf.nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL);
  const auto* nhm = static_cast<const nhmsg*>(mnl_nlmsg_get_payload(leaf.nlh));
  EXPECT_EQ(nhm->nh_family, AF_INET);
  EXPECT_EQ(nhm->nh_protocol, 220);
  EXPECT_EQ(mnl_attr_get_u32(leaf.attrs.at(NHA_ID)), 5u);
  EXPECT_EQ(mnl_attr_get_u32(leaf.attrs.at(NHA_GATEWAY)), be("10.100.0.1"));
  EXPECT_EQ(mnl_attr_get_u32(leaf.attrs.at(NHA_OIF)), 2u);

  const auto group_bytes = encode_request(NexthopWrite{9, 220, true, std::nullopt, {5, 6}}, 4);
  const Parsed group = parse(group_bytes, sizeof(nhmsg));
  EXPECT_EQ(group.nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE);
  EXPECT_EQ(static_cast<const nhmsg*>(mnl_nlmsg_get_payload(group.nlh))->nh_family, AF_UNSPEC);
  const nlattr* g = group.attrs.at(NHA_GROUP);
  ASSERT_EQ(mnl_attr_get_payload_len(g), 2 * sizeof(nexthop_grp));
  const auto* members = static_cast<const nexthop_grp*>(mnl_attr_get_payload(g));
  EXPECT_EQ(members[0].id, 5u);
  EXPECT_EQ(members[1].id, 6u);
  EXPECT_FALSE(group.attrs.count(NHA_GATEWAY));
}

// ---- decoding what the kernel sends ----------------------------------------

std::vector<std::uint8_t> kernel_route(std::uint8_t protocol, bool dead_second_hop) {
  std::vector<std::uint8_t> buf(512, 0);
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = RTM_NEWROUTE;
  auto* rtm = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtmsg)));
  rtm->rtm_family = AF_INET;
  rtm->rtm_dst_len = 24;
  rtm->rtm_protocol = protocol;
  rtm->rtm_type = RTN_UNICAST;
  rtm->rtm_table = RT_TABLE_MAIN;
  mnl_attr_put_u32(nlh, RTA_TABLE, 254);
  mnl_attr_put_u32(nlh, RTA_DST, be("10.0.200.0"));
  mnl_attr_put_u32(nlh, RTA_PRIORITY, 7);
  nlattr* nest = mnl_attr_nest_start(nlh, RTA_MULTIPATH);
  int index = 2;
  for (const char* gw : {"10.100.0.1", "10.100.0.2"}) {
    auto* rtnh = static_cast<rtnexthop*>(mnl_nlmsg_get_payload_tail(nlh));
    nlh->nlmsg_len += MNL_ALIGN(sizeof(rtnexthop));
    rtnh->rtnh_ifindex = index++;
    rtnh->rtnh_flags = (dead_second_hop && index == 4) ? RTNH_F_LINKDOWN : 0;
    mnl_attr_put_u32(nlh, RTA_GATEWAY, be(gw));
    rtnh->rtnh_len = static_cast<unsigned short>(static_cast<std::uint8_t*>(mnl_nlmsg_get_payload_tail(nlh)) -
                                                 reinterpret_cast<std::uint8_t*>(rtnh));
  }
  mnl_attr_nest_end(nlh, nest);
  buf.resize(nlh->nlmsg_len);
  return buf;
}

std::vector<NetlinkMessage> decode(const std::vector<std::uint8_t>& bytes, const DecodeFilter& filter = {}) {
  std::vector<NetlinkMessage> out;
  EXPECT_TRUE(decode_messages(bytes, filter, [&](const NetlinkMessage& m) { out.push_back(m); }));
  return out;
}

TEST(KernelDecode, MultipathRoute_KeepsLiveHopsOnly) {
  auto messages = decode(kernel_route(4, false));
  ASSERT_EQ(messages.size(), 1u);
  const KernelRoute& all = std::get<RouteMessage>(messages[0]).route;
  EXPECT_EQ(all.prefix, pfx("10.0.200.0/24"));
  EXPECT_EQ(all.protocol, 4);
  EXPECT_EQ(all.metric, 7u);
  EXPECT_EQ(all.hops, (std::vector<KernelHop>{hop("10.100.0.1", 2), hop("10.100.0.2", 3)}));
  messages = decode(kernel_route(4, true));
  EXPECT_EQ(std::get<RouteMessage>(messages[0]).route.hops, (std::vector<KernelHop>{hop("10.100.0.1", 2)}));
}

TEST(KernelDecode, OurOwnRouteEchoes_AreSkippedByTheFilter) {
  DecodeFilter filter;
  filter.skip_route_protocol[220] = true;
  std::vector<std::uint8_t> both = kernel_route(220, false);
  const auto other = kernel_route(4, false);
  both.insert(both.end(), other.begin(), other.end());
  const auto messages = decode(both, filter);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(std::get<RouteMessage>(messages[0]).route.protocol, 4);
}

TEST(KernelDecode, RequestsReadBack_AsTheRoutesAndObjectsTheyDescribe) {
  const RouteWrite w{pfx("10.1.0.0/16"), 220, 20, 254, FibRouteKind::Unicast, 0, {hop("10.100.0.1", 2)}};
  auto messages = decode(encode_request(w, 1));
  const KernelRoute& r = std::get<RouteMessage>(messages.at(0)).route;
  EXPECT_EQ(r, (KernelRoute{pfx("10.1.0.0/16"), 254, 220, KernelRouteType::Unicast, 20, {hop("10.100.0.1", 2)}, 0}));
  messages = decode(encode_request(NexthopWrite{9, 220, false, std::nullopt, {5, 6}}, 1));
  EXPECT_EQ(std::get<NexthopMessage>(messages.at(0)).object, (KernelNexthopObject{9, 220, std::nullopt, {5, 6}, false}));
}

TEST(RequestDecode, EveryKindOfRequest_ReadBackFromItsBytes_IsTheRequestItWas) {
  const std::vector<KernelRequest> requests = {
      RouteWrite{pfx("10.1.0.0/16"), 220, 20, 254, FibRouteKind::Unicast, 0, {hop("10.100.0.1", 2)}},
      RouteWrite{pfx("10.2.0.0/16"), 220, 20, 254, FibRouteKind::Unicast, 0,
                 {hop("10.100.0.1", 2), hop("10.101.0.1", 3)}},
      RouteWrite{pfx("10.3.0.0/16"), 220, 20, 254, FibRouteKind::Unicast, 4242, {}},
      RouteWrite{pfx("10.0.0.0/8"), 221, 15, 254, FibRouteKind::Blackhole, 0, {}},
      RouteWrite{pfx("10.4.0.0/16"), 222, 10, 100, FibRouteKind::Unicast, 0, {hop("0.0.0.0", 3)}},
      RouteDelete{pfx("20.0.7.0/24"), 220, 20, 254},
      NexthopWrite{9, 220, false, hop("10.100.0.1", 2), {}},
      NexthopWrite{10, 220, true, std::nullopt, {9, 11}},
      NexthopWrite{12, 220, false, std::nullopt, {}},  // a blackhole object (the probe at start)
      NexthopDelete{10},
  };
  std::vector<std::uint8_t> batch;
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const auto bytes = encode_request(requests[i], static_cast<std::uint32_t>(100 + i));
    offsets.push_back(batch.size());
    batch.insert(batch.end(), bytes.begin(), bytes.end());
  }
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const auto back = decode_request(std::span<const std::uint8_t>(batch).subspan(offsets[i]));
    ASSERT_TRUE(back.has_value()) << to_string(requests[i]);
    EXPECT_EQ(*back, requests[i]) << to_string(requests[i]) << " came back as " << to_string(*back);
  }
  // Not a request: a link message, or bytes shorter than their header says.
  EXPECT_FALSE(decode_request(encode_dump(DumpKind::Links, 1)).has_value());
  auto cut = encode_request(requests[0], 1);
  cut.resize(cut.size() - 4);
  EXPECT_FALSE(decode_request(cut).has_value());
}

TEST(KernelDecode, ErrorReply_CarriesTheRequestSeqErrnoAndExtendedAckText) {
  std::vector<std::uint8_t> buf(256, 0);
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = NLMSG_ERROR;
  nlh->nlmsg_flags = NLM_F_CAPPED | NLM_F_ACK_TLVS;
  auto* err = static_cast<nlmsgerr*>(mnl_nlmsg_put_extra_header(nlh, sizeof(nlmsgerr)));
  err->error = -EINVAL;
  err->msg.nlmsg_seq = 4242;
  err->msg.nlmsg_len = 60;
  mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "Nexthop id does not exist");
  buf.resize(nlh->nlmsg_len);
  const auto messages = decode(buf);
  const auto& e = std::get<ErrorMessage>(messages.at(0));
  EXPECT_EQ(e.seq, 4242u);
  EXPECT_EQ(e.error, EINVAL);
  EXPECT_EQ(e.message, "Nexthop id does not exist");
}

TEST(KernelDecode, TruncatedMessage_IsReported) {
  auto bytes = kernel_route(4, false);
  bytes.resize(bytes.size() - 6);
  EXPECT_FALSE(decode_messages(bytes, {}, [](const NetlinkMessage&) {}));
}

}  // namespace
}  // namespace hairpin::bgpd
