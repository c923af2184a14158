// Probe packets: IPv4 + TCP SYN built with libtins (see probe_packet.hpp).

#include "hairpin/probes/probe_packet.hpp"

#include <tins/ip.h>
#include <tins/ip_address.h>
#include <tins/tcp.h>

namespace hairpin::probes {

namespace {
Tins::IPv4Address to_tins(Ipv4Address a) {
  // libtins stores addresses in network order; build from the dotted quad.
  return Tins::IPv4Address(std::to_string(a.value >> 24) + "." + std::to_string((a.value >> 16) & 0xff) +
                           "." + std::to_string((a.value >> 8) & 0xff) + "." + std::to_string(a.value & 0xff));
}
}  // namespace

std::vector<std::uint8_t> build_probe(const RunIdentity& run, const ProbeSpec& probe, std::uint8_t tos) {
  const ProbeStamp stamp = stamp_probe(run, probe);

  Tins::TCP tcp(run.target_port, stamp.source_port);
  tcp.seq(stamp.tcp_seq);
  tcp.ack_seq(0);
  tcp.flags(Tins::TCP::SYN);
  tcp.window(kProbeWindow);
  tcp.mss(kProbeMss);
  tcp.sack_permitted();
  tcp.winscale(kProbeWscale);

  Tins::IP ip(to_tins(run.target), to_tins(run.source));
  ip.ttl(probe.ttl);
  ip.id(stamp.ip_id);
  ip.tos(tos);
  // RFC 1191: DF set, like a kernel SYN; a probe is never fragmented.
  ip.flags(Tins::IP::DONT_FRAGMENT);
  ip /= tcp;
  return ip.serialize();  // fills lengths and both checksums
}

}  // namespace hairpin::probes
