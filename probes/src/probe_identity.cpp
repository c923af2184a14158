// Probe identity: see probe_identity.hpp for the encoding and why.

#include "hairpin/probes/probe_identity.hpp"

#include <random>

namespace hairpin::probes {

ProbeStamp stamp_probe(const RunIdentity& run, const ProbeSpec& probe) {
  ProbeStamp stamp;
  stamp.tcp_seq = (std::uint32_t{run.nonce} << 16) | probe.index;
  stamp.ip_id = static_cast<std::uint16_t>((std::uint16_t{probe.ttl} << 8) | (probe.index & 0xffu));
  stamp.source_port = run.source_ports.at(probe.flow);
  return stamp;
}

std::optional<std::uint16_t> index_from_seq(const RunIdentity& run, std::uint32_t seq) {
  if ((seq >> 16) != run.nonce) return std::nullopt;
  return static_cast<std::uint16_t>(seq & 0xffffu);
}

std::optional<std::uint8_t> ttl_from_ip_id(std::uint16_t ip_id, std::uint16_t index) {
  if ((ip_id & 0xffu) != (index & 0xffu)) return std::nullopt;
  return static_cast<std::uint8_t>(ip_id >> 8);
}

std::optional<std::uint16_t> flow_of_port(const RunIdentity& run, std::uint16_t port) {
  for (std::size_t f = 0; f < run.source_ports.size(); ++f) {
    if (run.source_ports[f] == port) return static_cast<std::uint16_t>(f);
  }
  return std::nullopt;
}

std::uint16_t random_nonce() {
  std::random_device rd;  // /dev/urandom on Linux: two runs on one host differ
  std::uint16_t n = 0;
  while (n == 0) n = static_cast<std::uint16_t>(rd());
  return n;
}

}  // namespace hairpin::probes
