#pragma once
// Probe packets: the bytes of one TCP SYN probe, IPv4 header included.
//
// In:  RunIdentity + ProbeSpec (probe_identity.hpp).
// Out: an IPv4 datagram ready for a raw IP_HDRINCL socket: TTL set, IP ID and TCP
//      sequence number stamped, checksums filled. Built with libtins.
// Called by the trace engine once per probe; pure (no sockets, no clock).

#include <cstdint>
#include <vector>

#include "hairpin/probes/probe_identity.hpp"

namespace hairpin::probes {

// Window and options of a SYN that looks like a Linux connect(): MSS, SACK
// permitted, window scale. Middleboxes drop bare SYNs more often than these.
inline constexpr std::uint16_t kProbeWindow = 64240;
inline constexpr std::uint16_t kProbeMss = 1460;
inline constexpr std::uint8_t kProbeWscale = 7;

std::vector<std::uint8_t> build_probe(const RunIdentity& run, const ProbeSpec& probe,
                                      std::uint8_t tos = 0);

}  // namespace hairpin::probes
