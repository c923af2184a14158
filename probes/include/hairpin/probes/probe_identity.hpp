#pragma once
// Probe identity: which run and which probe a packet on the wire belongs to.
//
// In:  a RunIdentity (addresses, the source ports held for the run, destination
//      port, a random per-run nonce) and a probe's (ttl, index, flow).
// Out: the values stamped into the probe (IP ID, TCP sequence number, source port),
//      and the reverse: given a sequence number and IP ID seen in a reply or a
//      quote, the probe index, or nothing when it is not ours.
// Used by probe_packet (to stamp), reply_match (to recognise) and, later, the pcap
// flow analysis (same identity, same rules).
//
// Paris-style: every probe of a run toward one flow has the same 5-tuple, so ECMP
// hashes every TTL onto one path. The identity therefore cannot live in the ports;
// it lives in fields routers quote back but do not hash on:
//   TCP seq = nonce(16) << 16 | index(16)   (RFC 792: the quote holds the first 8
//                                            bytes of the TCP header, so seq is
//                                            always there; a SYN-ACK or RST acks
//                                            seq + 1, RFC 9293 3.10.7.2/3.10.7.3)
//   IP ID   = ttl(8) << 8 | index low 8    (quoted IP header: tells the TTL the
//                                            probe left with, and cross-checks seq)

#include <cstdint>
#include <optional>
#include <vector>

#include "hairpin/common/ipv4.hpp"

namespace hairpin::probes {

// The constant part of a run. `source_ports[f]` is flow f's source port, held open
// by a bound socket for the whole run.
struct RunIdentity {
  Ipv4Address source;
  Ipv4Address target;
  std::uint16_t target_port = 0;
  std::vector<std::uint16_t> source_ports;  // one per flow; never empty in a run
  std::uint16_t nonce = 0;
};

// One probe, as the engine schedules it.
struct ProbeSpec {
  std::uint8_t ttl = 1;
  std::uint16_t index = 0;  // unique within a run (wraps after 65536 probes)
  std::uint16_t flow = 0;   // index into RunIdentity::source_ports
};

struct ProbeStamp {
  std::uint16_t ip_id = 0;
  std::uint32_t tcp_seq = 0;
  std::uint16_t source_port = 0;
};

ProbeStamp stamp_probe(const RunIdentity& run, const ProbeSpec& probe);

// The probe index a sequence number stands for, if it carries this run's nonce.
std::optional<std::uint16_t> index_from_seq(const RunIdentity& run, std::uint32_t seq);

// The TTL a probe left with, from a (quoted) IP ID, if the ID agrees with `index`.
std::optional<std::uint8_t> ttl_from_ip_id(std::uint16_t ip_id, std::uint16_t index);

// Which flow a source port belongs to, if it is one of this run's.
std::optional<std::uint16_t> flow_of_port(const RunIdentity& run, std::uint16_t port);

// A fresh nonce from the OS random source; never 0 (0 is what a zeroed field reads).
std::uint16_t random_nonce();

}  // namespace hairpin::probes
