// Live capture (see capture.hpp): libpcap in, pcap files out. The only part of the
// NVA analysis that needs root. Files go through pcap_file's writer functions and
// common's AtomicFile, so every byte written is checked (libpcap's pcap_dump is not).

#include "hairpin/probes/capture.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>

#include "hairpin/common/file_io.hpp"
#include "hairpin/probes/pcap_file.hpp"

namespace hairpin::probes {

std::string probes_filter() {
  // The SYN probes and the target's SYN-ACK/RST, and the ICMP errors routers send
  // about them (RFC 792: type 11 time exceeded, type 3 destination unreachable).
  return "(tcp[tcpflags] & (tcp-syn|tcp-rst) != 0) or icmp[icmptype] == icmp-timxceed or "
         "icmp[icmptype] == icmp-unreach";
}

std::string combine_filters(bool probes, const std::string& user_filter) {
  if (!probes) return user_filter;
  if (user_filter.empty()) return probes_filter();
  return "(" + probes_filter() + ") and (" + user_filter + ")";
}

CaptureSizing default_sizing(const std::string& iface) {
  if (iface == "any") return {65535, 32768};
  return {};
}

std::string ring_file_name(const std::string& path, unsigned k) {
  const std::size_t slash = path.rfind('/');
  const std::size_t base = slash == std::string::npos ? 0 : slash + 1;
  const std::size_t dot = path.rfind('.');
  if (dot == std::string::npos || dot <= base) return path + "." + std::to_string(k);
  return path.substr(0, dot) + "." + std::to_string(k) + path.substr(dot);
}

namespace {

namespace fs = std::filesystem;

std::string dir_of(const std::string& path) {
  const fs::path p(path);
  return p.has_parent_path() ? p.parent_path().string() : std::string(".");
}

Error write_error(const std::string& path, int err) {
  std::string fix = err == ENOSPC || err == EDQUOT ? "free space on that file system or write elsewhere with -w"
                                                   : "choose a writable path with -w";
  return Error{std::string("cannot write capture file: ") + std::strerror(err) + "; no file written", path, fix};
}

// One output file: common's AtomicFile (own temp name, fsync, rename on close) with
// a write buffer in front.
class OutFile {
 public:
  Status open(const std::string& final, std::uint32_t link, std::uint32_t snaplen, bool nano) {
    auto f = AtomicFile::create(final, "capture file");
    if (!f) return f.error();
    file_.emplace(std::move(f).value());
    bytes_ = 0;
    records_ = 0;
    return write(pcap_file_header(link, snaplen, nano));
  }

  // Buffered: one write(2) per kKeep bytes, not per packet (a syscall per packet
  // cost kernel drops under load, tests/perf/capture). Nothing is lost by
  // buffering: the file only gets its final name once flushed and closed.
  Status write(const std::vector<std::uint8_t>& b) {
    buffer_.insert(buffer_.end(), b.begin(), b.end());
    bytes_ += b.size();
    if (buffer_.size() >= kKeep) return flush();
    return Ok{};
  }

  Status flush() {
    if (!file_) return Error{"cannot write capture file: it is not open", "capture", "this is a bug in hairpin"};
    auto s = file_->write(buffer_);
    buffer_.clear();
    if (!s) file_.reset();  // AtomicFile already removed its temp file
    return s;
  }

  // Flush to disk, close, rename: only now does the final name exist.
  Status close() {
    if (!is_open()) return Ok{};
    if (auto s = flush(); !s) return s;
    auto s = file_->commit();
    file_.reset();
    return s;
  }

  void discard() {
    buffer_.clear();
    file_.reset();
  }

  bool is_open() const { return file_ && file_->is_open(); }
  std::uint64_t bytes() const { return bytes_; }
  std::uint64_t records() const { return records_; }
  void count_record() { ++records_; }

 private:
  static constexpr std::size_t kKeep = 1 << 20;
  std::optional<AtomicFile> file_;
  std::vector<std::uint8_t> buffer_;
  std::uint64_t bytes_ = 0, records_ = 0;
};

struct PcapCloser {
  void operator()(pcap_t* p) const { if (p) pcap_close(p); }
};

// DLT (what libpcap hands out) to LINKTYPE (what files carry); only DLT_RAW differs on Linux.
std::uint32_t linktype_of(int dlt) {
  if (dlt == DLT_RAW || dlt == 14) return kLinkRaw;
  return static_cast<std::uint32_t>(dlt);
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct Loop {
  const CaptureOptions* o = nullptr;
  OutFile out;
  std::uint32_t link = 0;
  bool nano = true;
  unsigned next_ring = 0;
  CaptureStats stats;
  std::optional<Error> error;
  pcap_t* pcap = nullptr;

  std::string current_name() const { return o->file_size ? ring_file_name(o->path, next_ring) : o->path; }

  Status rotate() {
    const std::string done = current_name();
    if (auto s = out.close(); !s) return s;
    // A ring keeps its newest `files` members: renaming over the oldest replaces it.
    std::erase(stats.files, done);
    stats.files.push_back(done);
    next_ring = o->files ? (next_ring + 1) % o->files : next_ring + 1;
    return out.open(current_name(), link, static_cast<std::uint32_t>(o->snaplen), nano);
  }
};

void on_packet(u_char* user, const pcap_pkthdr* h, const u_char* bytes) {
  auto& l = *reinterpret_cast<Loop*>(user);
  if (l.error) return;
  const std::int64_t ts = std::int64_t{h->ts.tv_sec} * 1'000'000'000 + std::int64_t{h->ts.tv_usec} * (l.nano ? 1 : 1000);
  auto rec = pcap_record(ts, h->len, std::span<const std::uint8_t>(bytes, h->caplen), l.nano);
  if (l.o->file_size && l.out.records() > 0 && l.out.bytes() + rec.size() > l.o->file_size) {
    if (auto s = l.rotate(); !s) {
      l.error = s.error();
      pcap_breakloop(l.pcap);
      return;
    }
  }
  if (auto s = l.out.write(rec); !s) {
    l.error = s.error();
    pcap_breakloop(l.pcap);
    return;
  }
  l.out.count_record();
  ++l.stats.captured;
}

}  // namespace

std::string capture_interfaces() {
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_if_t* all = nullptr;
  if (pcap_findalldevs(&all, err) != 0 || !all) return "(none found)";
  std::string names;
  for (pcap_if_t* d = all; d; d = d->next) names += (names.empty() ? "" : ", ") + std::string(d->name);
  pcap_freealldevs(all);
  return names;
}

Status check_writable(const std::string& path) {
  if (path.empty()) return Error{"no output file", "capture", "give -w FILE"};
  std::error_code ec;
  if (fs::is_directory(path, ec)) return Error{"is a directory", path, "give a file name with -w"};
  const std::string dir = dir_of(path);
  if (!fs::is_directory(dir, ec)) return Error{"directory does not exist", dir, "create it or choose another -w path"};
  if (::access(dir.c_str(), W_OK) != 0) return write_error(path, errno);
  return Ok{};
}

Result<CaptureStats> run_capture(const CaptureOptions& o, const volatile std::sig_atomic_t& stop) {
  if (auto s = check_writable(o.path); !s) return s.error();
  char err[PCAP_ERRBUF_SIZE] = {};
  std::unique_ptr<pcap_t, PcapCloser> p(pcap_create(o.iface.c_str(), err));
  if (!p) return Error{std::string("cannot open interface: ") + err, o.iface, ""};
  pcap_set_snaplen(p.get(), o.snaplen);
  pcap_set_promisc(p.get(), o.promisc ? 1 : 0);
  pcap_set_immediate_mode(p.get(), 1);  // every packet handed over at once: nothing waits in a buffer at a signal
  pcap_set_buffer_size(p.get(), o.buffer_kib * 1024);
  pcap_set_tstamp_precision(p.get(), PCAP_TSTAMP_PRECISION_NANO);
  const int rc = pcap_activate(p.get());
  if (rc == PCAP_ERROR_NO_SUCH_DEVICE || (rc < 0 && std::string(pcap_geterr(p.get())).find("No such device") != std::string::npos)) {
    return Error{"no such interface", o.iface, "interfaces here: " + capture_interfaces()};
  }
  if (rc == PCAP_ERROR_PERM_DENIED) {
    return Error{"capturing needs root (or CAP_NET_RAW and CAP_NET_ADMIN)", o.iface, "run it with sudo"};
  }
  if (rc == PCAP_ERROR_IFACE_NOT_UP) return Error{"interface is down", o.iface, "bring it up (ip link set dev " + o.iface + " up)"};
  if (rc < 0) return Error{std::string("cannot capture: ") + pcap_geterr(p.get()), o.iface, ""};
  if (!o.filter.empty()) {
    bpf_program prog{};
    if (pcap_compile(p.get(), &prog, o.filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
      return Error{std::string("bad filter: ") + pcap_geterr(p.get()), "filter '" + o.filter + "'",
                   "fix the expression (pcap-filter(7) syntax, as tcpdump takes it)"};
    }
    const int set = pcap_setfilter(p.get(), &prog);
    pcap_freecode(&prog);
    if (set != 0) return Error{std::string("cannot set filter: ") + pcap_geterr(p.get()), "filter '" + o.filter + "'", ""};
  }
  if (pcap_setnonblock(p.get(), 1, err) != 0) return Error{std::string("pcap nonblock: ") + err, o.iface, ""};
  if (o.after_open)
    if (auto after = o.after_open(); !after) return after.error();

  Loop l;
  l.o = &o;
  l.pcap = p.get();
  l.link = linktype_of(pcap_datalink(p.get()));
  l.nano = pcap_get_tstamp_precision(p.get()) == PCAP_TSTAMP_PRECISION_NANO;
  l.stats.link_type = static_cast<int>(l.link);
  if (const char* n = pcap_datalink_val_to_name(pcap_datalink(p.get()))) l.stats.link_name = n;
  if (auto s = l.out.open(l.current_name(), l.link, static_cast<std::uint32_t>(o.snaplen), l.nano); !s) return s.error();

  if (o.on_ready) o.on_ready(l.stats.link_name);
  const int fd = pcap_get_selectable_fd(p.get());
  const std::int64_t until = o.duration_s ? now_ns() + static_cast<std::int64_t>(*o.duration_s * 1e9) : 0;
  for (;;) {
    int cnt = -1;
    if (o.count) cnt = static_cast<int>(std::min<std::uint64_t>(*o.count - l.stats.captured, 1u << 20));
    const int n = pcap_dispatch(p.get(), cnt, on_packet, reinterpret_cast<u_char*>(&l));
    if (l.error) return *l.error;  // the OutFile already removed its temporary file
    if (n == PCAP_ERROR) {
      const std::string why = pcap_geterr(p.get());
      l.out.discard();
      return Error{"capture failed: " + why, o.iface, ""};
    }
    if (o.count && l.stats.captured >= *o.count) { l.stats.stopped_by = "count"; break; }
    if (stop) { l.stats.stopped_by = "signal"; break; }
    const std::int64_t now = now_ns();
    if (o.duration_s && now >= until) { l.stats.stopped_by = "duration"; break; }
    if (n > 0) continue;
    std::int64_t wait = 100'000'000;  // bounds a missed wakeup and a signal between checks
    if (o.duration_s) wait = std::min(wait, until - now);
    timespec ts{static_cast<time_t>(wait / 1'000'000'000), static_cast<long>(wait % 1'000'000'000)};
    pollfd pfd{fd, POLLIN, 0};
    ::ppoll(&pfd, 1, &ts, nullptr);
  }
  // Whatever is still queued in the kernel belongs to the capture too (a count of
  // 0 would mean "all" to pcap_dispatch, hence the check).
  if (!o.count || l.stats.captured < *o.count) {
    pcap_dispatch(p.get(), o.count ? static_cast<int>(*o.count - l.stats.captured) : -1, on_packet,
                  reinterpret_cast<u_char*>(&l));
  }
  if (l.error) return *l.error;
  pcap_stat ps{};
  if (pcap_stats(p.get(), &ps) == 0) {
    l.stats.received_by_filter = ps.ps_recv;
    l.stats.dropped_by_kernel = ps.ps_drop;
    l.stats.dropped_by_interface = ps.ps_ifdrop;
  }
  const std::string last = l.current_name();
  if (auto s = l.out.close(); !s) return s.error();
  std::erase(l.stats.files, last);
  l.stats.files.push_back(last);
  return l.stats;
}

}  // namespace hairpin::probes
