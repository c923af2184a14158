#pragma once
// Trace engine: sends the SYN probes and collects the replies.
//
// In:  TraceOptions (target, port, hops, probes, mode, waits).
// Out: a TraceResult (trace_result.hpp) or an Error a user can act on.
// Flow: resolve the target and the source address the kernel would use; hold one
// source port per flow with a bound (never connected, never listening) TCP socket,
// so the kernel answers a SYN-ACK with RST and nothing else takes the port; open
// one packet socket on every interface (as libpcap's "any", without its ring) with
// a BPF filter, compiled by libpcap, that passes only this run's SYNs going out and
// the ICMP/TCP coming back; send every TTL of a round at once on a
// raw IP_HDRINCL socket; read the capture until the round is complete
// (trace_result.hpp's waiting rules). RTT = capture time of the reply minus
// capture time of our own SYN, both stamped by the kernel on the same socket.
// Called by `hairpin trace` and by the verifier.

#include <cstdint>
#include <functional>
#include <string>

#include "hairpin/common/result.hpp"
#include "hairpin/probes/trace_result.hpp"

namespace hairpin::probes {

struct TraceOptions {
  std::string target;          // name or dotted IPv4
  std::uint16_t port = 80;
  int max_hops = 30;
  int probes = 1;              // tr: probes per hop; mtr: rounds
  int flows = 1;               // source ports; each hop gets probes x flows SYNs
  int gap_limit = 5;
  TraceMode mode = TraceMode::Tr;
  std::int64_t interval_ns = 1'000'000'000;  // mtr: round start to round start
  WaitPolicy wait;
  std::uint8_t tos = 0;
  bool resolve = false;        // reverse DNS for responders (Ethr's [name])
  // Called once every socket of the run is open, before the first probe: the CLI
  // drops privileges here (common/privileges.hpp); an error ends the run.
  std::function<Status()> after_sockets_open;
};

// The BPF filter of a run's capture (pcap-filter(7) syntax): this run's SYNs going
// out, the target's TCP answers to this run's ports, ICMP errors addressed to us.
std::string capture_filter(const RunIdentity& run);

// Checks that need no privileges (ranges, counts); run_trace calls it too.
Status validate(const TraceOptions& options);

Result<TraceResult> run_trace(const TraceOptions& options);

}  // namespace hairpin::probes
