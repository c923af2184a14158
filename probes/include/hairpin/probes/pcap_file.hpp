#pragma once
// pcap files: bytes in, frames out (reading); frames in, bytes out (writing).
//
// In (read):  the whole content of a capture file, classic pcap (either byte order,
//             micro- or nanosecond timestamps) or pcapng (SHB/IDB/EPB/SPB blocks;
//             other blocks skipped), as any tool writes it.
// Out (read): every frame that could be read (link type, timestamp in ns, captured
//             and original length, bytes), plus counters for what could not: a
//             truncated last record, a record header that is nonsense (caplen
//             beyond the snaplen or the file), unknown pcapng blocks. A file that is
//             not a capture at all is an Error; a damaged one is read up to the
//             damage and the rest is reported, never guessed at.
// In/out (write): a classic pcap header and records, checked for every write, so a
//             full disk is reported rather than leaving a file that looks complete.
// Called by pcap_analysis (offline) and capture (live writing). Pure except for
// the writer's file descriptor.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "hairpin/common/packet_decode.hpp"
#include "hairpin/common/result.hpp"

namespace hairpin::probes {

// Link types this project understands (pcap LINKTYPE_* values, defined once with
// the decoder in common/packet_decode.hpp).
using hairpin::kLinkEthernet;
using hairpin::kLinkIpv4;
using hairpin::kLinkLinuxSll;
using hairpin::kLinkLinuxSll2;
using hairpin::kLinkRaw;

struct PcapFrame {
  std::uint32_t link_type = kLinkEthernet;
  std::int64_t ts_ns = 0;        // since the Unix epoch
  std::uint32_t orig_len = 0;    // length on the wire
  std::vector<std::uint8_t> bytes;  // what was captured (caplen = bytes.size())
};

struct PcapReadIssues {
  std::uint64_t truncated_records = 0;  // the file ends inside a record (capture killed mid-write)
  std::uint64_t corrupt_records = 0;    // a record header that cannot be right; reading stopped there
  std::uint64_t skipped_blocks = 0;     // pcapng blocks that carry no packet (statistics, names...)
  std::uint64_t unknown_interface = 0;  // pcapng packets naming an interface never described
  std::string first_problem;            // one line: what and at which byte offset
};

struct PcapFile {
  std::string format;  // "pcap" or "pcapng"
  bool nanosecond = false;
  std::uint32_t snaplen = 0;  // classic pcap header (pcapng: the first interface's)
  std::vector<PcapFrame> frames;
  PcapReadIssues issues;
};

// `name` is only used in messages.
Result<PcapFile> parse_pcap(std::span<const std::uint8_t> content, const std::string& name);
Result<PcapFile> read_pcap_file(const std::string& path);

// The 24-byte classic pcap file header (nanosecond magic when `nanosecond`).
std::vector<std::uint8_t> pcap_file_header(std::uint32_t link_type, std::uint32_t snaplen, bool nanosecond);
// One record: 16-byte header and the captured bytes.
std::vector<std::uint8_t> pcap_record(std::int64_t ts_ns, std::uint32_t orig_len, std::span<const std::uint8_t> bytes,
                                      bool nanosecond);

}  // namespace hairpin::probes
