// NVA pcap analysis (see pcap_analysis.hpp): decode, learn who the NVA is, pair
// ingress and egress copies, summarise per direction and per trace probe.

#include "hairpin/probes/pcap_analysis.hpp"

#include <algorithm>
#include <cstdio>
#include <set>
#include <sstream>
#include <tuple>

#include "hairpin/common/packet_decode.hpp"
#include "hairpin/probes/trace_format.hpp"

namespace hairpin::probes {

namespace {

enum class Way { Ingress, Egress, Other, Unknown };

// A copy leaving more than this after one arrived is not the same packet: forwarding
// takes microseconds, and IP IDs and sequence numbers repeat over longer captures.
constexpr std::int64_t kMaxDwellNs = 1'000'000'000;

// What stays equal between the copy that entered and the copy that left, NAT or not.
struct CopyKey {
  std::uint8_t protocol = 0;
  std::uint16_t ip_id = 0;
  std::uint64_t l4 = 0;
  auto operator<=>(const CopyKey&) const = default;
};

CopyKey copy_key(const DecodedPacket& p) {
  CopyKey k{p.protocol, p.ip_id, 0};
  if (p.has_tcp) k.l4 = (std::uint64_t{1} << 32) | p.seq;
  else if (p.has_icmp)
    k.l4 = (std::uint64_t{2} << 40) | (std::uint64_t{p.icmp_type} << 32) | (std::uint32_t{p.icmp_id} << 16) | p.icmp_seq;
  return k;
}

using FlowKey = std::tuple<std::uint32_t, std::uint32_t, std::uint8_t, std::uint16_t, std::uint16_t>;
FlowKey flow_key(const DecodedPacket& p) { return {p.src.value, p.dst.value, p.protocol, p.sport, p.dport}; }

Way way_of(const DecodedPacket& p, const std::optional<Mac>& nva_mac) {
  if (p.cooked != CookedDirection::None) {
    if (p.cooked == CookedDirection::ToHost) return Way::Ingress;
    if (p.cooked == CookedDirection::Outgoing) return Way::Egress;
    return Way::Other;
  }
  if (!p.dst_mac) return Way::Unknown;  // raw IP: no link layer to tell
  if (!nva_mac) return Way::Unknown;
  if (*p.dst_mac == *nva_mac) return Way::Ingress;
  if (p.src_mac && *p.src_mac == *nva_mac) return Way::Egress;
  return Way::Other;
}

// Who forwards: for every pair of copies (same identity, the second one TTL one
// less and later), the MAC the first was sent to and the second came from.
std::map<Mac, std::uint64_t> forwarding_macs(const std::vector<DecodedPacket>& pkts) {
  std::map<CopyKey, std::vector<std::size_t>> by_key;
  for (std::size_t i = 0; i < pkts.size(); ++i) {
    if (pkts[i].kind == PacketKind::Ipv4 && pkts[i].dst_mac && pkts[i].src_mac) by_key[copy_key(pkts[i])].push_back(i);
  }
  std::map<Mac, std::uint64_t> seen;
  for (const auto& [key, idx] : by_key) {
    if (idx.size() < 2 || idx.size() > 64) continue;  // a key seen that often is not one packet's copies
    for (std::size_t a : idx) {
      for (std::size_t b : idx) {
        const auto& in = pkts[a];
        const auto& out = pkts[b];
        if (out.ts_ns >= in.ts_ns && in.ttl >= 1 && out.ttl + 1 == in.ttl && *in.dst_mac == *out.src_mac) {
          ++seen[*in.dst_mac];
          break;
        }
      }
    }
  }
  return seen;
}

std::string ip_or(const std::optional<Ipv4Address>& ip) { return ip ? ip->to_string() : std::string("unknown"); }

double median_of(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string fmt_us(double us) {
  char s[32];
  std::snprintf(s, sizeof s, "%.1f", us);
  return s;
}

}  // namespace

Result<TraceRunRef> parse_trace_json(const nlohmann::json& doc, const std::string& name) {
  const Error bad{"not a hairpin trace --json document (schema hairpin.trace/1)", name,
                  "write it with: hairpin trace --json DST > FILE.json"};
  try {
    if (!doc.is_object() || doc.value("schema", "") != "hairpin.trace/1") return bad;
    TraceRunRef t;
    const auto src = Ipv4Address::parse(doc.at("source_ip").get<std::string>());
    const auto dst = Ipv4Address::parse(doc.at("target_ip").get<std::string>());
    if (!src || !dst) return bad;
    t.run.source = *src;
    t.run.target = *dst;
    t.run.target_port = doc.at("port").get<std::uint16_t>();
    t.run.nonce = doc.at("nonce").get<std::uint16_t>();
    for (const auto& p : doc.at("source_ports")) t.run.source_ports.push_back(p.get<std::uint16_t>());
    for (const auto& hop : doc.at("hops")) {
      for (const auto& p : hop.at("probes")) {
        TraceProbeRef r;
        r.id = p.at("id").get<std::uint16_t>();
        r.flow = p.value("flow", std::uint16_t{0});
        r.ttl = hop.at("ttl").get<std::uint8_t>();
        if (p.contains("reply") && p["reply"].is_string()) r.reply = p["reply"].get<std::string>();
        t.probes.push_back(std::move(r));
      }
    }
    return t;
  } catch (const nlohmann::json::exception&) {
    return bad;
  }
}

Result<Analysis> analyze_capture(const PcapFile& file, const AnalysisOptions& options, const std::string& name) {
  Analysis a;
  a.file = name;
  a.format = file.format;
  a.read_issues = file.issues;
  if (file.issues.truncated_records || file.issues.corrupt_records) {
    a.notes.push_back(file.issues.first_problem + "; frames before it were analysed");
  }

  // 1. Decode every frame; count what cannot be analysed.
  std::vector<DecodedPacket> pkts;
  pkts.reserve(file.frames.size());
  for (const auto& fr : file.frames) {
    ++a.link_types[fr.link_type];
    DecodedPacket p = decode_frame(fr);
    ++a.frames.total;
    switch (p.kind) {
      case PacketKind::Ipv4: ++a.frames.ipv4; break;
      case PacketKind::Ipv6: ++a.frames.ipv6; break;
      case PacketKind::Arp: ++a.frames.arp; break;
      case PacketKind::OtherNetwork: ++a.frames.other_network; break;
      case PacketKind::UnknownLink: ++a.frames.unknown_link; break;
      case PacketKind::Truncated: ++a.frames.truncated; break;
      case PacketKind::Malformed: ++a.frames.malformed; break;
    }
    if (p.kind == PacketKind::Ipv4 && p.snaplen_cut) ++a.frames.snaplen_cut;
    if (p.kind == PacketKind::Ipv4 && p.fragment) ++a.frames.fragments;
    pkts.push_back(std::move(p));
  }
  if (a.frames.ipv6) a.notes.push_back(std::to_string(a.frames.ipv6) + " IPv6 frames counted, not analysed (the hairpin is IPv4)");
  if (a.frames.unknown_link) {
    std::string types;
    for (const auto& [lt, n] : a.link_types) {
      if (lt != kLinkEthernet && lt != kLinkLinuxSll && lt != kLinkLinuxSll2 && lt != kLinkRaw && lt != kLinkIpv4)
        types += (types.empty() ? "" : ", ") + std::to_string(lt);
    }
    a.notes.push_back(std::to_string(a.frames.unknown_link) + " frames of link type " + types +
                      " not decoded (supported: Ethernet, Linux cooked SLL/SLL2, raw IPv4)");
  }
  if (a.frames.truncated) a.notes.push_back(std::to_string(a.frames.truncated) + " frames cut before their IPv4 header; not analysed");
  if (a.frames.malformed) a.notes.push_back(std::to_string(a.frames.malformed) + " frames with malformed headers; not analysed");
  if (a.frames.snaplen_cut) a.notes.push_back(std::to_string(a.frames.snaplen_cut) + " IPv4 frames cut by the snaplen; analysed from the headers captured");

  // 2. Who is the NVA.
  const bool any_ethernet = std::any_of(pkts.begin(), pkts.end(), [](const auto& p) { return p.dst_mac.has_value(); });
  const bool any_cooked = std::any_of(pkts.begin(), pkts.end(), [](const auto& p) { return p.cooked != CookedDirection::None; });
  a.nva_ip = options.nva_ip;
  if (options.nva_ip) a.nva_ip_source = "given";
  if (options.nva_mac) {
    a.nva_mac = options.nva_mac;
    a.nva_mac_source = "given";
  } else if (any_ethernet) {
    std::optional<Mac> from_arp;
    if (options.nva_ip) {
      for (const auto& p : pkts) {
        if (p.kind == PacketKind::Arp && p.arp_sender_ip == *options.nva_ip) { from_arp = p.arp_sender_mac; break; }
      }
    }
    if (from_arp) {
      a.nva_mac = from_arp;
      a.nva_mac_source = "learned from ARP for " + options.nva_ip->to_string();
    } else {
      const auto fwd = forwarding_macs(pkts);
      if (fwd.size() == 1) {
        a.nva_mac = fwd.begin()->first;
        a.nva_mac_source = "learned: the only MAC that forwards (" + std::to_string(fwd.begin()->second) + " packets)";
      } else if (fwd.size() > 1) {
        std::string list;
        for (const auto& [mac, n] : fwd) list += (list.empty() ? "" : ", ") + to_string(mac) + " (" + std::to_string(n) + " packets)";
        return Error{"more than one MAC forwards packets in this capture: " + list, name,
                     "say which one is the NVA with --nva-mac MAC"};
      } else if (options.nva_ip) {
        for (const auto& p : pkts) {
          if (p.kind == PacketKind::Ipv4 && p.src == *options.nva_ip && p.src_mac) {
            a.nva_mac = p.src_mac;
            a.nva_mac_source = "learned from packets sent by " + options.nva_ip->to_string();
            break;
          }
        }
      }
      if (!a.nva_mac && a.frames.ipv4 > 0) {
        return Error{"cannot tell which MAC is the NVA's: no packet in the capture was forwarded (seen entering and "
                     "leaving with TTL one less)" + std::string(options.nva_ip ? " and the NVA's IP sent nothing" : ""),
                     name, "give --nva-mac MAC (the NVA NIC's MAC, e.g. 02:00:0a:00:00:04 in the seed lab)"};
      }
    }
  } else if (any_cooked) {
    a.nva_mac_source = "Linux cooked capture: direction from the packet type (to us / outgoing)";
  }
  if (!a.nva_ip) {
    // The NVA's own ARP (RFC 826: the sender fields are the sender's own addresses).
    for (const auto& p : pkts) {
      const bool from_nva = p.cooked == CookedDirection::Outgoing ||
                            (p.cooked == CookedDirection::None && a.nva_mac && p.arp_sender_mac == *a.nva_mac);
      if (p.kind == PacketKind::Arp && from_nva) {
        a.nva_ip = p.arp_sender_ip;
        a.nva_ip_source = "learned from ARP";
        break;
      }
    }
  }

  // 3. Classify each IPv4 frame as ingress or egress.
  std::vector<Way> way(pkts.size(), Way::Other);
  std::uint64_t unknown_way = 0;
  for (std::size_t i = 0; i < pkts.size(); ++i) {
    if (pkts[i].kind != PacketKind::Ipv4) continue;
    way[i] = way_of(pkts[i], a.nva_mac);
    if (way[i] == Way::Unknown) ++unknown_way;
    if (way[i] == Way::Other) ++a.frames.not_via_nva;
  }
  if (unknown_way) {
    a.notes.push_back(std::to_string(unknown_way) +
                      " IPv4 frames without a link layer (raw IP): cannot tell entering from leaving; not paired");
  }

  // 4. Pair: every egress copy, by identity, in time order.
  std::map<CopyKey, std::vector<std::size_t>> egress_by_key;
  std::vector<std::size_t> order(pkts.size());
  for (std::size_t i = 0; i < pkts.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return pkts[x].ts_ns < pkts[y].ts_ns; });
  for (std::size_t i : order) {
    if (way[i] == Way::Egress) egress_by_key[copy_key(pkts[i])].push_back(i);
  }
  std::vector<std::optional<std::size_t>> pair_of(pkts.size());  // ingress -> egress
  std::vector<bool> egress_used(pkts.size(), false);
  for (std::size_t i : order) {
    if (way[i] != Way::Ingress) continue;
    const auto& in = pkts[i];
    auto it = egress_by_key.find(copy_key(in));
    if (it == egress_by_key.end()) continue;
    std::optional<std::size_t> best, best_same_flow;
    // Only egress copies from the ingress time to kMaxDwellNs later: found by binary
    // search, so a key shared by many packets (IP ID 0, no sequence number) stays cheap.
    const auto& cands = it->second;
    auto from = std::lower_bound(cands.begin(), cands.end(), in.ts_ns,
                                 [&](std::size_t e, std::int64_t ts) { return pkts[e].ts_ns < ts; });
    for (auto c = from; c != cands.end(); ++c) {
      const std::size_t e = *c;
      const auto& out = pkts[e];
      if (out.ts_ns - in.ts_ns > kMaxDwellNs) break;
      if (egress_used[e] || out.ttl + 1 != in.ttl) continue;
      if (!best) best = e;
      if (flow_key(out) == flow_key(in)) { best_same_flow = e; break; }
    }
    const auto chosen = best_same_flow ? best_same_flow : best;
    if (chosen) {
      pair_of[i] = *chosen;
      egress_used[*chosen] = true;
    }
  }

  // 4b. Still no NVA address: a router sends ICMP errors (RFC 792 time exceeded,
  // unreachable) from its own address, so unpaired ones leaving the NVA name it.
  if (!a.nva_ip) {
    std::set<std::uint32_t> sources;
    for (std::size_t i = 0; i < pkts.size(); ++i) {
      const auto& p = pkts[i];
      if (way[i] == Way::Egress && !egress_used[i] && p.has_icmp && (p.icmp_type == 3 || p.icmp_type == 11)) {
        sources.insert(p.src.value);
      }
    }
    if (sources.size() == 1) {
      a.nva_ip = Ipv4Address{*sources.begin()};
      a.nva_ip_source = "learned from the ICMP errors it sent";
    }
  }

  // 5. Per direction.
  struct DirAcc {
    DirectionReport r;
    std::map<FlowKey, FlowReport> flows;
    std::vector<double> dwell;
    std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t> rewrites;
  };
  std::map<std::pair<std::uint32_t, std::uint32_t>, DirAcc> dirs;
  auto dir_of = [&](const DecodedPacket& p) -> DirAcc& {
    DirAcc& d = dirs[{p.src.value, p.dst.value}];
    d.r.src = p.src;
    d.r.dst = p.dst;
    return d;
  };
  for (std::size_t i : order) {
    const auto& p = pkts[i];
    if (way[i] == Way::Ingress) {
      if (a.nva_ip && p.dst == *a.nva_ip && !pair_of[i]) { ++a.frames.to_nva; continue; }
      DirAcc& d = dir_of(p);
      ++d.r.packets_in;
      ++d.r.ttl_in[p.ttl];
      FlowReport& f = d.flows[flow_key(p)];
      f.protocol = p.protocol;
      f.sport = p.sport;
      f.dport = p.dport;
      ++f.packets_in;
      if (!pair_of[i]) {
        if (p.ttl <= 1) ++d.r.ttl_expired;  // RFC 791: TTL 0 after the decrement: discarded, not forwarded
        else ++d.r.unmatched;
        continue;
      }
      const auto& out = pkts[*pair_of[i]];
      ++d.r.packets_out;
      ++f.packets_out;
      d.dwell.push_back(static_cast<double>(out.ts_ns - p.ts_ns) / 1000.0);
      auto rw = [&](const char* field, const std::string& from, const std::string& to) {
        if (from != to) ++d.rewrites[{field, from, to}];
      };
      rw("src", p.src.to_string(), out.src.to_string());
      rw("dst", p.dst.to_string(), out.dst.to_string());
      if (p.has_ports && out.has_ports) {
        rw("sport", std::to_string(p.sport), std::to_string(out.sport));
        rw("dport", std::to_string(p.dport), std::to_string(out.dport));
      }
      rw("dscp", std::to_string(p.tos >> 2), std::to_string(out.tos >> 2));
      rw("ecn", std::to_string(p.tos & 3), std::to_string(out.tos & 3));
      if (p.mss || out.mss) {
        rw("mss", p.mss ? std::to_string(*p.mss) : "none", out.mss ? std::to_string(*out.mss) : "none");
      }
    } else if (way[i] == Way::Egress && !egress_used[i]) {
      if (a.nva_ip && p.src == *a.nva_ip) { ++a.frames.from_nva; continue; }
      ++dir_of(p).r.unmatched_out;
    }
  }
  for (auto& [key, d] : dirs) {
    for (auto& [fk, f] : d.flows) {
      if (f.packets_in == 0) continue;
      ++d.r.flows_in;
      if (f.packets_out) ++d.r.flows_out;
      d.r.flows.push_back(f);
    }
    if (!d.dwell.empty()) {
      d.r.dwell.count = d.dwell.size();
      d.r.dwell.min_us = *std::min_element(d.dwell.begin(), d.dwell.end());
      d.r.dwell.max_us = *std::max_element(d.dwell.begin(), d.dwell.end());
      double sum = 0;
      for (double v : d.dwell) sum += v;
      d.r.dwell.mean_us = sum / static_cast<double>(d.dwell.size());
      d.r.dwell.median_us = median_of(d.dwell);
    }
    for (const auto& [k, n] : d.rewrites) d.r.rewrites.push_back({std::get<0>(k), std::get<1>(k), std::get<2>(k), n});
    a.directions.push_back(std::move(d.r));
  }

  // 6. Trace probes: identity decoded exactly as the trace stamped it.
  for (const auto& t : options.traces) {
    TraceReport tr;
    tr.source = t.run.source;
    tr.target = t.run.target;
    tr.port = t.run.target_port;
    tr.nonce = t.run.nonce;
    std::map<std::pair<std::uint16_t, std::uint16_t>, std::size_t> by_id;  // (flow, id) -> report
    for (const auto& p : t.probes) {
      ProbeReport r;
      r.id = p.id;
      r.flow = p.flow;
      r.ttl = p.ttl;
      r.reply = p.reply;
      by_id[{p.flow, p.id}] = tr.probes.size();
      tr.probes.push_back(std::move(r));
    }
    for (std::size_t i : order) {
      const auto& p = pkts[i];
      if (way[i] != Way::Ingress && way[i] != Way::Egress) continue;
      if (!p.has_tcp) continue;
      // The probe itself, going to the target.
      if (p.dst == t.run.target && p.dport == t.run.target_port) {
        const auto flow = flow_of_port(t.run, p.sport);
        const auto index = index_from_seq(t.run, p.seq);
        if (!flow || !index || !ttl_from_ip_id(p.ip_id, *index)) continue;
        auto it = by_id.find({*flow, *index});
        if (it == by_id.end()) continue;
        ProbeReport& r = tr.probes[it->second];
        if (way[i] == Way::Ingress && !r.entered) {
          r.entered = true;
          r.ttl_in = p.ttl;
          if (pair_of[i]) {
            const auto& out = pkts[*pair_of[i]];
            r.left = true;
            r.ttl_out = out.ttl;
            r.dwell_us = static_cast<double>(out.ts_ns - p.ts_ns) / 1000.0;
          }
        }
        continue;
      }
      // The target's answer (RFC 9293 3.10.7.2: SYN-ACK/RST acknowledge seq + 1), coming back.
      if (p.src == t.run.target && p.sport == t.run.target_port && (p.tcp_flags & kTcpAck) &&
          (p.tcp_flags & (kTcpSyn | kTcpRst))) {
        const auto flow = flow_of_port(t.run, p.dport);
        const auto index = index_from_seq(t.run, p.ack - 1);
        if (!flow || !index) continue;
        auto it = by_id.find({*flow, *index});
        if (it == by_id.end()) continue;
        ProbeReport& r = tr.probes[it->second];
        if (way[i] == Way::Ingress) r.reply_entered = true;
        else r.reply_left = true;
      }
    }
    for (const auto& r : tr.probes) {
      const bool reached = r.reply && (*r.reply == "syn-ack" || *r.reply == "rst");
      if (reached) {
        ++tr.reached;
        if (r.entered && r.left) ++tr.reached_proven;
      }
    }
    a.traces.push_back(std::move(tr));
  }
  return a;
}

namespace {

std::string proto_name(std::uint8_t p) {
  switch (p) {
    case 1: return "icmp";
    case 6: return "tcp";
    case 17: return "udp";
    default: return std::to_string(p);
  }
}

std::string yes_no(bool b) { return b ? "yes" : "no"; }

}  // namespace

std::string format_analysis_text(const Analysis& a) {
  std::ostringstream o;
  o << a.file << ": " << a.format << ", " << a.frames.total << " frames (" << a.frames.ipv4 << " IPv4";
  if (a.frames.arp) o << ", " << a.frames.arp << " ARP";
  if (a.frames.ipv6) o << ", " << a.frames.ipv6 << " IPv6";
  const std::uint64_t other = a.frames.other_network + a.frames.unknown_link + a.frames.truncated + a.frames.malformed;
  if (other) o << ", " << other << " not analysed";
  o << ")\n";
  o << "NVA: MAC " << (a.nva_mac ? to_string(*a.nva_mac) : std::string("-"));
  if (!a.nva_mac_source.empty()) o << " (" << a.nva_mac_source << ")";
  o << ", IP " << ip_or(a.nva_ip);
  if (!a.nva_ip_source.empty()) o << " (" << a.nva_ip_source << ")";
  o << "\n";
  if (a.frames.to_nva || a.frames.from_nva || a.frames.not_via_nva) {
    o << "not forwarded traffic: " << a.frames.to_nva << " to the NVA, " << a.frames.from_nva << " from the NVA, "
      << a.frames.not_via_nva << " neither to nor from its MAC\n";
  }
  if (a.directions.empty()) o << "no packet entered the NVA\n";
  for (const auto& d : a.directions) {
    o << "\n" << d.src.to_string() << " -> " << d.dst.to_string() << ":\n";
    o << "  flows in " << d.flows_in << ", out " << d.flows_out << "\n";
    o << "  packets in " << d.packets_in << ", out " << d.packets_out << ", unmatched " << d.unmatched
      << ", ttl expired " << d.ttl_expired;
    if (d.unmatched_out) o << ", left without entering " << d.unmatched_out;
    o << "\n  ttl in:";
    for (const auto& [ttl, n] : d.ttl_in) o << " " << ttl << " (x" << n << ")";
    o << "\n";
    if (d.dwell.count) {
      o << "  dwell us: min " << fmt_us(d.dwell.min_us) << ", median " << fmt_us(d.dwell.median_us) << ", max "
        << fmt_us(d.dwell.max_us) << " (" << d.dwell.count << " packets)\n";
    }
    if (d.rewrites.empty()) o << "  rewrites: none\n";
    for (const auto& r : d.rewrites) o << "  rewrite " << r.field << " " << r.from << " -> " << r.to << " (" << r.packets << " packets)\n";
  }
  for (const auto& t : a.traces) {
    o << "\ntrace " << t.source.to_string() << " -> " << t.target.to_string() << ":" << t.port << " (nonce " << t.nonce
      << "): " << t.probes.size() << " probes, " << t.reached << " reached the target, " << t.reached_proven
      << " of them seen entering and leaving the NVA\n";
    for (const auto& p : t.probes) {
      o << "  probe " << p.id << " ttl " << int{p.ttl} << " reply " << p.reply.value_or("none") << ": entered "
        << yes_no(p.entered);
      if (p.ttl_in) o << " (ttl " << *p.ttl_in << ")";
      o << ", left " << yes_no(p.left);
      if (p.ttl_out) o << " (ttl " << *p.ttl_out << ", " << fmt_us(*p.dwell_us) << " us)";
      if (p.reply_entered || p.reply_left) {
        o << "; answer entered " << yes_no(p.reply_entered) << ", left " << yes_no(p.reply_left);
      }
      o << "\n";
    }
  }
  for (const auto& n : a.notes) o << "note: " << n << "\n";
  return o.str();
}

nlohmann::json format_analysis_json(const Analysis& a) {
  using nlohmann::json;
  json doc;
  doc["schema"] = "hairpin.analyze/1";
  doc["file"] = a.file;
  doc["format"] = a.format;
  json lt = json::object();
  for (const auto& [t, n] : a.link_types) lt[std::to_string(t)] = n;
  doc["link_types"] = lt;
  doc["nva"] = {{"mac", a.nva_mac ? json(to_string(*a.nva_mac)) : json(nullptr)},
                {"mac_source", a.nva_mac_source},
                {"ip", a.nva_ip ? json(a.nva_ip->to_string()) : json(nullptr)},
                {"ip_source", a.nva_ip_source}};
  const auto& f = a.frames;
  doc["frames"] = {{"total", f.total},         {"ipv4", f.ipv4},       {"ipv6", f.ipv6},
                   {"arp", f.arp},             {"other_network", f.other_network},
                   {"unknown_link", f.unknown_link}, {"truncated", f.truncated}, {"malformed", f.malformed},
                   {"snaplen_cut", f.snaplen_cut}, {"fragments", f.fragments}, {"not_via_nva", f.not_via_nva},
                   {"to_nva", f.to_nva},       {"from_nva", f.from_nva}};
  doc["read_issues"] = {{"truncated_records", a.read_issues.truncated_records},
                        {"corrupt_records", a.read_issues.corrupt_records},
                        {"skipped_blocks", a.read_issues.skipped_blocks},
                        {"unknown_interface", a.read_issues.unknown_interface},
                        {"first_problem", a.read_issues.first_problem}};
  json dirs = json::array();
  for (const auto& d : a.directions) {
    json j;
    j["src"] = d.src.to_string();
    j["dst"] = d.dst.to_string();
    j["flows_in"] = d.flows_in;
    j["flows_out"] = d.flows_out;
    j["packets_in"] = d.packets_in;
    j["packets_out"] = d.packets_out;
    j["unmatched"] = d.unmatched;
    j["ttl_expired"] = d.ttl_expired;
    j["unmatched_out"] = d.unmatched_out;
    json ttl = json::object();
    for (const auto& [t, n] : d.ttl_in) ttl[std::to_string(t)] = n;
    j["ttl_in"] = ttl;
    j["dwell_us"] = d.dwell.count ? json{{"count", d.dwell.count},
                                         {"min", d.dwell.min_us},
                                         {"median", d.dwell.median_us},
                                         {"mean", d.dwell.mean_us},
                                         {"max", d.dwell.max_us}}
                                  : json(nullptr);
    json rw = json::array();
    for (const auto& r : d.rewrites) rw.push_back({{"field", r.field}, {"from", r.from}, {"to", r.to}, {"packets", r.packets}});
    j["rewrites"] = rw;
    json fl = json::array();
    for (const auto& x : d.flows) {
      fl.push_back({{"protocol", proto_name(x.protocol)}, {"sport", x.sport}, {"dport", x.dport},
                    {"packets_in", x.packets_in}, {"packets_out", x.packets_out}});
    }
    j["flows"] = fl;
    dirs.push_back(j);
  }
  doc["directions"] = dirs;
  json traces = json::array();
  for (const auto& t : a.traces) {
    json probes = json::array();
    for (const auto& p : t.probes) {
      probes.push_back({{"id", p.id},
                        {"flow", p.flow},
                        {"ttl", p.ttl},
                        {"reply", p.reply ? json(*p.reply) : json(nullptr)},
                        {"entered", p.entered},
                        {"left", p.left},
                        {"ttl_in", p.ttl_in ? json(*p.ttl_in) : json(nullptr)},
                        {"ttl_out", p.ttl_out ? json(*p.ttl_out) : json(nullptr)},
                        {"dwell_us", p.dwell_us ? json(*p.dwell_us) : json(nullptr)},
                        {"reply_entered", p.reply_entered},
                        {"reply_left", p.reply_left}});
    }
    traces.push_back({{"source", t.source.to_string()},
                      {"target", t.target.to_string()},
                      {"port", t.port},
                      {"nonce", t.nonce},
                      {"reached", t.reached},
                      {"reached_proven", t.reached_proven},
                      {"probes", probes}});
  }
  doc["traces"] = traces;
  doc["notes"] = a.notes;
  return doc;
}

}  // namespace hairpin::probes
