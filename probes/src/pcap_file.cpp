// pcap / pcapng reading and classic pcap writing (see pcap_file.hpp). Every length in
// the file is checked against what is left before it is used: a damaged file is
// read up to the damage and the rest is counted.

#include "hairpin/probes/pcap_file.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>

namespace hairpin::probes {

namespace {

using Bytes = std::span<const std::uint8_t>;

constexpr std::uint32_t kMagicMicro = 0xa1b2c3d4;
constexpr std::uint32_t kMagicNano = 0xa1b23c4d;
constexpr std::uint32_t kPcapngShb = 0x0a0d0d0a;
constexpr std::uint32_t kPcapngByteOrder = 0x1a2b3c4d;
constexpr std::uint32_t kPcapngIdb = 1, kPcapngObsoletePb = 2, kPcapngSpb = 3, kPcapngEpb = 6;
// libpcap's own sanity bound for one record (pcap-common.h MAXIMUM_SNAPLEN).
constexpr std::uint32_t kMaxRecord = 262144;

std::uint32_t rd32(Bytes b, std::size_t at, bool swap) {
  std::uint32_t v = std::uint32_t{b[at]} | (std::uint32_t{b[at + 1]} << 8) | (std::uint32_t{b[at + 2]} << 16) |
                    (std::uint32_t{b[at + 3]} << 24);
  if (swap) v = __builtin_bswap32(v);
  return v;
}
std::uint16_t rd16(Bytes b, std::size_t at, bool swap) {
  std::uint16_t v = static_cast<std::uint16_t>(b[at] | (b[at + 1] << 8));
  if (swap) v = __builtin_bswap16(v);
  return v;
}

void note(PcapReadIssues& issues, const std::string& name, std::size_t offset, const std::string& what) {
  if (issues.first_problem.empty()) issues.first_problem = name + ": byte " + std::to_string(offset) + ": " + what;
}

Result<PcapFile> parse_classic(Bytes b, const std::string& name) {
  PcapFile f;
  f.format = "pcap";
  if (b.size() < 24) return Error{"pcap file header cut short (" + std::to_string(b.size()) + " bytes)", name,
                                  "the capture was stopped before it wrote anything; capture again"};
  const std::uint32_t magic_le = rd32(b, 0, false);
  bool swap = false;
  if (magic_le == kMagicMicro || magic_le == kMagicNano) {
    f.nanosecond = magic_le == kMagicNano;
  } else if (__builtin_bswap32(magic_le) == kMagicMicro || __builtin_bswap32(magic_le) == kMagicNano) {
    swap = true;
    f.nanosecond = __builtin_bswap32(magic_le) == kMagicNano;
  }
  f.snaplen = rd32(b, 16, swap);
  const std::uint32_t link = rd32(b, 20, swap) & 0x0fffffffu;  // upper bits: FCS length flags
  const std::uint32_t limit = std::max(f.snaplen, kMaxRecord);
  std::size_t at = 24;
  while (at < b.size()) {
    if (b.size() - at < 16) {
      ++f.issues.truncated_records;
      note(f.issues, name, at, "the file ends inside a record header");
      break;
    }
    const std::uint32_t sec = rd32(b, at, swap), frac = rd32(b, at + 4, swap);
    const std::uint32_t caplen = rd32(b, at + 8, swap), orig = rd32(b, at + 12, swap);
    if (caplen > limit || (!f.nanosecond && frac >= 1'000'000) || (f.nanosecond && frac >= 1'000'000'000)) {
      ++f.issues.corrupt_records;
      note(f.issues, name, at, "record header is not valid (caplen " + std::to_string(caplen) + ")");
      break;  // no length to trust past here
    }
    if (b.size() - at - 16 < caplen) {
      ++f.issues.truncated_records;
      note(f.issues, name, at, "the file ends inside a record");
      break;
    }
    PcapFrame fr;
    fr.link_type = link;
    fr.ts_ns = std::int64_t{sec} * 1'000'000'000 + std::int64_t{frac} * (f.nanosecond ? 1 : 1000);
    fr.orig_len = orig;
    fr.bytes.assign(b.begin() + static_cast<std::ptrdiff_t>(at + 16),
                    b.begin() + static_cast<std::ptrdiff_t>(at + 16 + caplen));
    f.frames.push_back(std::move(fr));
    at += 16 + caplen;
  }
  return f;
}

struct Interface {
  std::uint32_t link = 0;
  std::uint32_t snaplen = 0;
  // Timestamp units per second, as if_tsresol says (default microseconds).
  std::uint64_t units_per_s = 1'000'000;
};

std::int64_t to_ns(std::uint64_t ts, std::uint64_t units_per_s) {
  if (units_per_s == 1'000'000'000) return static_cast<std::int64_t>(ts);
  const std::uint64_t s = ts / units_per_s, rem = ts % units_per_s;
  return static_cast<std::int64_t>(s * 1'000'000'000 + rem * 1'000'000'000 / units_per_s);
}

// IDB options: only if_tsresol (code 9) matters for us.
std::uint64_t tsresol(Bytes opts, bool swap) {
  std::size_t at = 0;
  while (opts.size() - at >= 4) {
    const std::uint16_t code = rd16(opts, at, swap), len = rd16(opts, at + 2, swap);
    if (code == 0) break;
    if (opts.size() - at - 4 < len) break;
    if (code == 9 && len >= 1) {
      const std::uint8_t v = opts[at + 4];
      const unsigned exp = v & 0x7f;
      if (exp > 18) return 1'000'000;  // beyond 64 bits: keep the default
      std::uint64_t u = 1;
      for (unsigned i = 0; i < exp; ++i) u *= (v & 0x80) ? 2 : 10;
      return u == 0 ? 1'000'000 : u;
    }
    at += 4 + ((len + 3u) & ~3u);
  }
  return 1'000'000;
}

Result<PcapFile> parse_pcapng(Bytes b, const std::string& name) {
  PcapFile f;
  f.format = "pcapng";
  f.nanosecond = false;
  std::vector<Interface> ifaces;
  bool swap = false;
  std::size_t at = 0;
  bool first = true;
  while (at < b.size()) {
    if (b.size() - at < 12) {
      ++f.issues.truncated_records;
      note(f.issues, name, at, "the file ends inside a block header");
      break;
    }
    std::uint32_t type = rd32(b, at, swap);
    if (type == kPcapngShb) {  // a new section: byte order may change
      if (b.size() - at < 28) {
        ++f.issues.truncated_records;
        note(f.issues, name, at, "the file ends inside a section header");
        break;
      }
      const std::uint32_t bom = rd32(b, at + 8, false);
      if (bom == kPcapngByteOrder) swap = false;
      else if (__builtin_bswap32(bom) == kPcapngByteOrder) swap = true;
      else {
        ++f.issues.corrupt_records;
        note(f.issues, name, at, "section header with an unknown byte-order magic");
        break;
      }
      ifaces.clear();
    } else if (first) {
      return Error{"not a pcap or pcapng file (no section header at the start)", name,
                   "give a file written by hairpin capture, tcpdump -w or tshark -w"};
    }
    first = false;
    const std::uint32_t len = rd32(b, at + 4, swap);
    if (len < 12 || len % 4 != 0 || len > (1u << 28)) {
      ++f.issues.corrupt_records;
      note(f.issues, name, at, "block length " + std::to_string(len) + " is not valid");
      break;
    }
    if (b.size() - at < len) {
      ++f.issues.truncated_records;
      note(f.issues, name, at, "the file ends inside a block");
      break;
    }
    const Bytes body = b.subspan(at + 8, len - 12);
    if (type == kPcapngIdb) {
      if (body.size() < 8) {
        ++f.issues.corrupt_records;
        note(f.issues, name, at, "interface block too short");
        break;
      }
      Interface i;
      i.link = rd16(body, 0, swap);
      i.snaplen = rd32(body, 4, swap);
      i.units_per_s = tsresol(body.subspan(8), swap);
      if (ifaces.empty() && f.snaplen == 0) f.snaplen = i.snaplen;
      if (i.units_per_s >= 1'000'000'000) f.nanosecond = true;
      ifaces.push_back(i);
    } else if (type == kPcapngEpb || type == kPcapngObsoletePb) {
      if (body.size() < 20) {
        ++f.issues.corrupt_records;
        note(f.issues, name, at, "packet block too short");
        break;
      }
      const std::uint32_t iface = type == kPcapngEpb ? rd32(body, 0, swap) : rd16(body, 0, swap);
      const std::uint64_t ts = (std::uint64_t{rd32(body, 4, swap)} << 32) | rd32(body, 8, swap);
      const std::uint32_t caplen = rd32(body, 12, swap), orig = rd32(body, 16, swap);
      if (caplen > body.size() - 20) {
        ++f.issues.corrupt_records;
        note(f.issues, name, at, "packet longer than its block");
        at += len;
        continue;  // the block length is still good: the next block can be read
      }
      if (iface >= ifaces.size()) {
        ++f.issues.unknown_interface;
        note(f.issues, name, at, "packet on an interface the file never describes");
        at += len;
        continue;
      }
      PcapFrame fr;
      fr.link_type = ifaces[iface].link;
      fr.ts_ns = to_ns(ts, ifaces[iface].units_per_s);
      fr.orig_len = orig;
      fr.bytes.assign(body.begin() + 20, body.begin() + 20 + caplen);
      f.frames.push_back(std::move(fr));
    } else if (type == kPcapngSpb) {
      if (body.size() < 4 || ifaces.empty()) {
        ++f.issues.corrupt_records;
        note(f.issues, name, at, "simple packet block without an interface");
        at += len;
        continue;
      }
      const std::uint32_t orig = rd32(body, 0, swap);
      std::uint32_t caplen = std::min<std::uint32_t>(orig, static_cast<std::uint32_t>(body.size() - 4));
      if (ifaces[0].snaplen) caplen = std::min(caplen, ifaces[0].snaplen);
      PcapFrame fr;
      fr.link_type = ifaces[0].link;
      fr.orig_len = orig;
      fr.bytes.assign(body.begin() + 4, body.begin() + 4 + caplen);
      f.frames.push_back(std::move(fr));
    } else if (type != kPcapngShb) {
      ++f.issues.skipped_blocks;
    }
    at += len;
  }
  return f;
}

}  // namespace

Result<PcapFile> parse_pcap(std::span<const std::uint8_t> content, const std::string& name) {
  if (content.size() >= 4) {
    const std::uint32_t m = rd32(content, 0, false);
    if (m == kMagicMicro || m == kMagicNano || __builtin_bswap32(m) == kMagicMicro ||
        __builtin_bswap32(m) == kMagicNano) {
      return parse_classic(content, name);
    }
    if (m == kPcapngShb) return parse_pcapng(content, name);
  }
  if (content.empty()) {
    return Error{"empty file", name, "the capture wrote nothing; capture again (hairpin capture -w FILE)"};
  }
  return Error{"not a pcap or pcapng file (unknown magic number)", name,
               "give a file written by hairpin capture, tcpdump -w or tshark -w"};
}

Result<PcapFile> read_pcap_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return Error{"is a directory", path, "give a pcap file"};
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{std::string("cannot open: ") + std::strerror(errno), path, "check the path and permissions"};
  std::vector<std::uint8_t> content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Error{std::string("cannot read: ") + std::strerror(errno), path, ""};
  return parse_pcap(content, path);
}

namespace {
void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {  // host order, as libpcap writes
  std::uint8_t b[4];
  std::memcpy(b, &v, 4);
  out.insert(out.end(), b, b + 4);
}
void put16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  std::uint8_t b[2];
  std::memcpy(b, &v, 2);
  out.insert(out.end(), b, b + 2);
}
}  // namespace

std::vector<std::uint8_t> pcap_file_header(std::uint32_t link_type, std::uint32_t snaplen, bool nanosecond) {
  std::vector<std::uint8_t> h;
  put32(h, nanosecond ? kMagicNano : kMagicMicro);
  put16(h, 2);  // version 2.4
  put16(h, 4);
  put32(h, 0);  // thiszone
  put32(h, 0);  // sigfigs
  put32(h, snaplen);
  put32(h, link_type);
  return h;
}

std::vector<std::uint8_t> pcap_record(std::int64_t ts_ns, std::uint32_t orig_len, std::span<const std::uint8_t> bytes,
                                      bool nanosecond) {
  std::vector<std::uint8_t> r;
  r.reserve(16 + bytes.size());
  put32(r, static_cast<std::uint32_t>(ts_ns / 1'000'000'000));
  const std::int64_t frac = ts_ns % 1'000'000'000;
  put32(r, static_cast<std::uint32_t>(nanosecond ? frac : frac / 1000));
  put32(r, static_cast<std::uint32_t>(bytes.size()));
  put32(r, orig_len);
  r.insert(r.end(), bytes.begin(), bytes.end());
  return r;
}

}  // namespace hairpin::probes
