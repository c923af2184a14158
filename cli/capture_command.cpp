// `hairpin capture` (libpcap on the NVA, pcap files out) and `hairpin analyze FILE`
// (offline: which flows and probes entered and left the NVA, per direction).
// Parses options, calls probes/capture and probes/pcap_analysis, prints text or
// JSON, sets the exit code: 0 done (analyze --trace: every probe that reached the
// target was seen entering and leaving the NVA), 1 analyze --trace: some were not,
// 2 could not run. Once the interface is open, capture keeps only CAP_NET_RAW
// (common/privileges.hpp).

#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "hairpin/common/privileges.hpp"
#include "hairpin/probes/capture.hpp"
#include "hairpin/probes/pcap_analysis.hpp"
#include "hairpin/probes/trace_format.hpp"

namespace hairpin::cli {

namespace {

volatile std::sig_atomic_t g_stop = 0;
extern "C" void on_stop_signal(int) { g_stop = 1; }

struct CaptureArgs {
  std::string iface;
  std::string filter;
  bool probes = false;
  int snaplen = 0;     // 0: default_sizing(iface)
  int buffer_kib = 0;
  bool no_promisc = false;
  double duration_s = 0;
  std::uint64_t count = 0;
  std::string write;
  double file_size_mb = 0;
  unsigned files = 0;
  bool json = false;
};

// After drop_to: access(2) for root checks the permitted set, which now lacks
// CAP_DAC_OVERRIDE, so it answers for the mode bits alone.
Status writable_without_dac_override(const std::string& path) {
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = ".";
  struct stat st {};
  if (::access(dir.c_str(), W_OK | X_OK) == 0) {
    // A sticky directory (/tmp): replacing another user's file there needs
    // CAP_FOWNER, so the rename at the end would fail (inode(7), S_ISVTX).
    struct stat target {};
    if (::stat(dir.c_str(), &st) == 0 && (st.st_mode & S_ISVTX) && st.st_uid != 0 &&
        ::stat(path.c_str(), &target) == 0 && target.st_uid != 0)
      return Error{"the file exists in a sticky directory and belongs to uid " + std::to_string(target.st_uid) +
                       ": root without CAP_FOWNER cannot replace it",
                   path, "remove it first, or write to another name"};
    return Ok{};
  }
  std::string mode = "?";
  if (::stat(dir.c_str(), &st) == 0) {
    char octal[8];
    std::snprintf(octal, sizeof octal, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    mode = "owner uid " + std::to_string(st.st_uid) + ", mode " + octal;
  }
  return Error{"hairpin capture keeps only CAP_NET_RAW once the interface is open, and root without "
               "CAP_DAC_OVERRIDE cannot write this directory (" + mode + ")",
               dir.string(), "write the capture under /tmp, /var/tmp or a directory root owns"};
}

int run_capture_command(const CaptureArgs& a) {
  if (a.iface.empty()) {
    throw UserError{"give --iface NAME; interfaces here: " + probes::capture_interfaces(), kExitUsage};
  }
  if (a.write.empty()) throw UserError{"give -w FILE (the pcap file to write)", kExitUsage};
  const auto sizing = probes::default_sizing(a.iface);
  const int snaplen = a.snaplen ? a.snaplen : sizing.snaplen;
  const int buffer_kib = a.buffer_kib ? a.buffer_kib : sizing.buffer_kib;
  if (a.files && a.file_size_mb == 0) throw UserError{"--files needs --file-size (the size of each file)", kExitUsage};
  probes::CaptureOptions o;
  o.iface = a.iface;
  o.filter = probes::combine_filters(a.probes, a.filter);
  o.snaplen = snaplen;
  o.buffer_kib = buffer_kib;
  o.promisc = !a.no_promisc;
  if (a.duration_s > 0) o.duration_s = a.duration_s;
  if (a.count > 0) o.count = a.count;
  o.path = a.write;
  o.file_size = static_cast<std::uint64_t>(a.file_size_mb * 1e6);
  o.files = a.files;

  // No SA_RESTART: the signal interrupts the capture's wait, which then stops cleanly.
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);

  // The interface is open: keep only CAP_NET_RAW for the rest of the run. Root
  // without CAP_DAC_OVERRIDE writes only where the mode bits let root (the owner
  // root, or others) write, so the output directory is checked again now, before
  // any file exists: a capture must not run for minutes and then fail to rename.
  o.after_open = [path = a.write]() -> Status {
    if (auto dropped = drop_to({Capability::NetRaw}); !dropped) return dropped.error();
    return writable_without_dac_override(path);
  };
  if (!a.json) {
    o.on_ready = [&o](const std::string& link) {  // tcpdump's line, once the capture is really on
      std::cerr << "hairpin capture: listening on " << o.iface << ", link-type " << link << ", snapshot length "
                << o.snaplen << " bytes" << (o.filter.empty() ? "" : ", filter '" + o.filter + "'") << "\n";
    };
  }
  auto r = probes::run_capture(o, g_stop);
  if (!r) throw UserError{r.error().to_string(), kExitUsage};
  const auto& s = *r;
  if (a.json) {
    nlohmann::json doc{{"schema", "hairpin.capture/1"},
                       {"iface", o.iface},
                       {"filter", o.filter},
                       {"snaplen", o.snaplen},
                       {"link_type", s.link_type},
                       {"link_name", s.link_name},
                       {"packets_captured", s.captured},
                       {"packets_received_by_filter", s.received_by_filter},
                       {"packets_dropped_by_kernel", s.dropped_by_kernel},
                       {"packets_dropped_by_interface", s.dropped_by_interface},
                       {"stopped_by", s.stopped_by},
                       {"files", s.files}};
    std::cout << doc.dump(2) << "\n";
  } else {
    // tcpdump's closing lines (print_stats in tcpdump.c).
    std::cerr << s.captured << " packets captured\n"
              << s.received_by_filter << " packets received by filter\n"
              << s.dropped_by_kernel << " packets dropped by kernel\n";
    if (s.dropped_by_interface) std::cerr << s.dropped_by_interface << " packets dropped by interface\n";
    if (s.dropped_by_kernel) {
      std::cerr << "hairpin capture: the kernel dropped packets; raise --buffer-size (now " << o.buffer_kib
                << " KiB) or lower --snaplen (now " << o.snaplen << "): each packet takes a snaplen-sized slot\n";
    }
    for (const auto& f : s.files) std::cerr << "wrote " << f << "\n";
  }
  return kExitOk;
}

struct AnalyzeArgs {
  std::string file;
  std::vector<std::string> traces;
  std::string nva_ip;
  std::string nva_mac;
  bool json = false;
};

int run_analyze_command(const AnalyzeArgs& a) {
  probes::AnalysisOptions o;
  if (!a.nva_ip.empty()) {
    o.nva_ip = Ipv4Address::parse(a.nva_ip);
    if (!o.nva_ip) throw UserError{"--nva-ip '" + a.nva_ip + "' is not an IPv4 address", kExitUsage};
  }
  if (!a.nva_mac.empty()) {
    o.nva_mac = probes::parse_mac(a.nva_mac);
    if (!o.nva_mac) throw UserError{"--nva-mac '" + a.nva_mac + "' is not a MAC like 02:00:0a:00:00:04", kExitUsage};
  }
  for (const auto& t : a.traces) {
    std::ifstream in(t);
    if (!in) throw UserError{"cannot open trace file " + t + "; write it with hairpin trace --json DST > " + t, kExitUsage};
    nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
    auto run = probes::parse_trace_json(doc, t);
    if (!run) throw UserError{run.error().to_string(), kExitUsage};
    o.traces.push_back(std::move(*run));
  }
  auto file = probes::read_pcap_file(a.file);
  if (!file) throw UserError{file.error().to_string(), kExitUsage};
  auto result = probes::analyze_capture(*file, o, a.file);
  if (!result) throw UserError{result.error().to_string(), kExitUsage};
  if (a.json) std::cout << probes::format_analysis_json(*result).dump(2) << "\n";
  else std::cout << probes::format_analysis_text(*result);
  for (const auto& t : result->traces) {
    if (t.reached_proven < t.reached) {
      std::cout.flush();
      throw UserError{std::to_string(t.reached - t.reached_proven) + " of " + std::to_string(t.reached) +
                          " probes that reached " + t.target.to_string() +
                          " were not seen entering and leaving the NVA; was the capture on the NVA's NIC, running "
                          "during the trace?",
                      kExitFail};
    }
  }
  return kExitOk;
}

}  // namespace

void register_capture_commands(CLI::App& app, int& exit_code) {
  auto c = std::make_shared<CaptureArgs>();
  CLI::App* cap = app.add_subcommand("capture", "capture packets (libpcap) to pcap files any pcap tool reads");
  cap->add_option("-i,--iface", c->iface, "interface to capture on (e.g. eth0 on the NVA, or any)");
  cap->add_option("-f,--filter", c->filter, "BPF filter (pcap-filter(7), as tcpdump takes it)");
  cap->add_flag("--probes", c->probes, "only hairpin trace probes, their answers and the ICMP errors they cause");
  cap->add_option("-s,--snaplen", c->snaplen, "bytes kept of each packet")
      ->check(checked_by(CLI::Range(0, 262144), "must be 1-262144"))
      ->default_str("262144; 65535 on any");
  cap->add_option("-B,--buffer-size", c->buffer_kib, "kernel capture buffer, KiB")
      ->check(checked_by(CLI::NonNegativeNumber, "must be positive (KiB)"))
      ->default_str("8192; 32768 on any");
  cap->add_flag("--no-promisc", c->no_promisc, "do not put the interface in promiscuous mode");
  cap->add_option("-d,--duration", c->duration_s, "stop after this many seconds")
      ->check(checked_by(CLI::NonNegativeNumber, "must be positive"));
  cap->add_option("-c,--count", c->count, "stop after this many packets");
  cap->add_option("-w,--write", c->write, "pcap file to write (written whole: temp name, renamed when closed)");
  cap->add_option("-C,--file-size", c->file_size_mb, "start a new file when this one would exceed MB (FILE.N.pcap)")
      ->check(checked_by(CLI::NonNegativeNumber, "must be positive (MB)"));
  cap->add_option("-W,--files", c->files, "with --file-size: keep a ring of this many files");
  cap->add_flag("--json", c->json, "JSON summary on stdout (schema hairpin.capture/1, docs/capture.md)");
  cap->callback([c, &exit_code] { exit_code = run_capture_command(*c); });

  auto a = std::make_shared<AnalyzeArgs>();
  CLI::App* an = app.add_subcommand("analyze", "which flows and probes entered and left the NVA, per direction");
  an->add_option("file", a->file, "pcap or pcapng file captured on the NVA")->required();
  an->add_option("--trace", a->traces, "hairpin trace --json output: mark the probes that passed through the NVA");
  an->add_option("--nva-ip", a->nva_ip, "the NVA's IPv4 address")->default_str("learned from ARP");
  an->add_option("--nva-mac", a->nva_mac, "the NVA NIC's MAC")->default_str("learned from the packets it forwards");
  an->add_flag("--json", a->json, "JSON (schema hairpin.analyze/1, docs/capture.md)");
  an->callback([a, &exit_code] { exit_code = run_analyze_command(*a); });
}

}  // namespace hairpin::cli
