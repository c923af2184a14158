#pragma once
// Live capture (libpcap) to pcap files that any pcap tool reads.
//
// In:  CaptureOptions (interface, BPF filter, snaplen, stop conditions, output file
//      or ring of files) and a stop flag a signal handler sets.
// Out: the files written (each written under a temporary name and renamed only once
//      it is complete and closed, so a file with the final name is always a whole,
//      valid pcap) and libpcap's counters (captured, received by the filter,
//      dropped by the kernel and by the interface), or an Error that says what,
//      where and how to fix it (missing interface: the interfaces that exist; bad
//      filter: libpcap's message and the filter; unwritable path or full disk: the
//      path and errno, and no file left behind).
// Called by `hairpin capture` (cli/capture_command.cpp) and the verifier. Needs
// root or CAP_NET_RAW; the pure parts (filters, ring names) are tested alone.

#include <csignal>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "hairpin/common/result.hpp"

namespace hairpin::probes {

// BPF for `hairpin trace` probes and everything they cause: the SYNs, the target's
// SYN-ACK/RST, and ICMP time-exceeded / destination-unreachable errors.
std::string probes_filter();
// `--probes` and `--filter` together: both must match.
std::string combine_filters(bool probes, const std::string& user_filter);

// Ring member k of `path`: ".k" before the extension ("cap.pcap" -> "cap.3.pcap").
std::string ring_file_name(const std::string& path, unsigned k);

// Defaults for snaplen and kernel buffer when the user gives none. Immediate mode
// makes libpcap use TPACKET_V2, whose ring slots are snaplen-sized unless the
// interface's MTU caps them; "any" has no MTU, so 262144-byte slots left an 8 MiB ring
// 32 slots and one trace burst overflowed it (measured on the lab's NVA: 12 to 76 of
// 112 probe packets dropped by the kernel, tcpdump's buffered mode 0). On "any":
// 65535 bytes (the largest IPv4 packet) and 32 MiB, 512 slots.
struct CaptureSizing {
  int snaplen = 262144;
  int buffer_kib = 8192;
};
CaptureSizing default_sizing(const std::string& iface);

struct CaptureOptions {
  std::string iface;
  std::string filter;        // final BPF text; empty = everything
  int snaplen = 262144;
  int buffer_kib = 8192;     // kernel buffer (tcpdump -B)
  bool promisc = true;
  std::optional<double> duration_s;
  std::optional<std::uint64_t> count;
  std::string path;          // -w
  std::uint64_t file_size = 0;  // bytes; 0 = one file
  unsigned files = 0;        // ring size with file_size; 0 = keep every file
  // Called once the interface is open and filtered, before the output file is
  // created: the CLI drops privileges here (common/privileges.hpp); an error ends
  // the run with no file written.
  std::function<Status()> after_open;
  // Called once the capture is active (link name, e.g. "EN10MB"), before the first packet.
  std::function<void(const std::string& link_name)> on_ready;
};

struct CaptureStats {
  std::uint64_t captured = 0;           // written to files
  std::uint64_t received_by_filter = 0; // pcap_stats ps_recv
  std::uint64_t dropped_by_kernel = 0;  // ps_drop
  std::uint64_t dropped_by_interface = 0;  // ps_ifdrop
  std::vector<std::string> files;       // complete files, oldest first
  std::string stopped_by;               // "duration", "count", "signal"
  int link_type = 0;
  std::string link_name;
};

// Checks that `path`'s directory can hold a new file (before capturing starts).
Status check_writable(const std::string& path);

Result<CaptureStats> run_capture(const CaptureOptions& options, const volatile std::sig_atomic_t& stop);

// The interfaces libpcap can open, comma separated ("any, eth0, lo").
std::string capture_interfaces();

}  // namespace hairpin::probes
