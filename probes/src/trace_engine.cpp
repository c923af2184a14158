// Trace engine: sockets, the capture and the send/receive loop (see trace_engine.hpp).
// Everything that decides (matching, waiting, summarising) lives in the pure
// modules; this file only moves packets and reads clocks.

#include "hairpin/probes/trace_engine.hpp"

#include "hairpin/common/route_lookup.hpp"

#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hairpin/probes/probe_packet.hpp"
#include "hairpin/probes/reply_match.hpp"
#include "hairpin/probes/trace_format.hpp"

namespace hairpin::probes {

namespace {

constexpr int kSnaplen = 512;  // IP + ICMP + 128-byte RFC 4884 quote + extensions
// A limit, not an allocation: room for a burst of --flows 64 x 30 TTLs of our own
// SYNs and their answers (a few KiB of skb each) before the next drain.
constexpr int kCaptureBufferBytes = 8 << 20;
constexpr unsigned kBatch = 64;  // packets read per recvmmsg

std::int64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);  // the clock the kernel stamps packets with (SO_TIMESTAMPNS)
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

struct Fd {
  int fd = -1;
  explicit Fd(int f = -1) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& o) noexcept : fd(o.fd) { o.fd = -1; }
  ~Fd() { if (fd >= 0) ::close(fd); }
};

sockaddr_in to_sockaddr(Ipv4Address a, std::uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(a.value);
  sa.sin_port = htons(port);
  return sa;
}

Error permission_error(const std::string& what) {
  return Error{what + ": raw sockets and packet capture need root or CAP_NET_RAW", "trace",
               "run it with sudo, or: sudo setcap cap_net_raw+ep $(command -v hairpin)"};
}

Result<Ipv4Address> resolve_target(const std::string& target) {
  in6_addr v6{};
  if (inet_pton(AF_INET6, target.c_str(), &v6) == 1) {
    return Error{"IPv6 target " + target + ": hairpin trace probes IPv4 only", "trace",
                 "give the target's IPv4 address or a name with an A record"};
  }
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const int rc = getaddrinfo(target.c_str(), nullptr, &hints, &res);
  if (rc != 0 || !res) {
    return Error{"unknown host '" + target + "' (" + gai_strerror(rc) + ")", "trace",
                 "check the name, or give an IPv4 address"};
  }
  const auto* sa = reinterpret_cast<const sockaddr_in*>(res->ai_addr);
  Ipv4Address a{ntohl(sa->sin_addr.s_addr)};
  freeaddrinfo(res);
  return a;
}

// The source address the kernel would use toward `target` (no packet is sent).
Result<Ipv4Address> route_source(Ipv4Address target, std::uint16_t port) {
  auto source = kernel_route_source(target, port);
  if (!source)
    return Error{"no route to " + target.to_string() + " (" + source.error().what + ")", "trace",
                 "check `ip route get " + target.to_string() + "`"};
  return source;
}

// A bound TCP socket holding a source port for the run. Not listening, not
// connected: a SYN-ACK to it finds no socket, so the kernel sends RST (RFC 9293
// 3.10.7.1) and no handshake ever completes.
Result<std::uint16_t> hold_port(Ipv4Address source, std::vector<Fd>& held) {
  Fd s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (s.fd < 0) return Error{std::string("socket: ") + std::strerror(errno), "trace", ""};
  sockaddr_in sa = to_sockaddr(source, 0);
  if (::bind(s.fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    return Error{std::string("bind source port: ") + std::strerror(errno), "trace",
                 "free ephemeral ports (net.ipv4.ip_local_port_range)"};
  }
  sockaddr_in local{};
  socklen_t len = sizeof local;
  ::getsockname(s.fd, reinterpret_cast<sockaddr*>(&local), &len);
  held.push_back(std::move(s));
  return static_cast<std::uint16_t>(ntohs(local.sin_port));
}

// The capture: one AF_PACKET socket on every interface, as libpcap's "any" device
// (SOCK_DGRAM, so each packet starts at its IP header, whatever the link layer;
// outgoing packets included, so our own SYNs get wire send times), the run's BPF
// filter compiled by libpcap for raw IP, and kernel receive timestamps
// (SO_TIMESTAMPNS) on every packet. No TPACKET ring, as libpcap would set up: setting
// a ring costs an RCU grace period (packet_set_ring -> synchronize_net) and freeing
// it at close another, 10-15 ms each on a 2-core VM, for a run that reads a few
// hundred packets, which recvmmsg does as cheaply.
Result<Fd> open_capture(const RunIdentity& run) {
  std::unique_ptr<pcap_t, void (*)(pcap_t*)> dead(pcap_open_dead(DLT_RAW, kSnaplen), pcap_close);
  if (!dead) return Error{"pcap_open_dead failed", "trace", ""};
  bpf_program prog{};
  const std::string filter = capture_filter(run);
  if (pcap_compile(dead.get(), &prog, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    return Error{std::string("BPF compile: ") + pcap_geterr(dead.get()), "trace", ""};
  }
  std::unique_ptr<bpf_program, void (*)(bpf_program*)> code(&prog, pcap_freecode);
  // Protocol 0: the socket receives nothing until bind() below, so no packet gets in
  // before the filter is attached.
  Fd s(::socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (s.fd < 0) {
    if (errno == EPERM || errno == EACCES) return permission_error("cannot capture");
    return Error{std::string("packet socket: ") + std::strerror(errno), "trace", ""};
  }
  sock_fprog fprog{static_cast<unsigned short>(prog.bf_len), reinterpret_cast<sock_filter*>(prog.bf_insns)};
  if (::setsockopt(s.fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof fprog) != 0) {
    return Error{std::string("BPF attach: ") + std::strerror(errno), "trace", ""};
  }
  const int on = 1;
  if (::setsockopt(s.fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) != 0) {
    return Error{std::string("SO_TIMESTAMPNS: ") + std::strerror(errno), "trace", ""};
  }
  // FORCE passes net.core.rmem_max with CAP_NET_ADMIN; with CAP_NET_RAW alone the
  // plain option gets what rmem_max allows.
  const int bytes = kCaptureBufferBytes;
  if (::setsockopt(s.fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) != 0) {
    ::setsockopt(s.fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
  }
  sockaddr_ll all{};
  all.sll_family = AF_PACKET;
  all.sll_protocol = htons(ETH_P_ALL);  // every interface (ifindex 0), both directions
  if (::bind(s.fd, reinterpret_cast<sockaddr*>(&all), sizeof all) != 0) {
    return Error{std::string("packet socket bind: ") + std::strerror(errno), "trace", ""};
  }
  return s;
}

// One recvmmsg slot: a packet's first kSnaplen bytes and its timestamp.
struct Slot {
  std::array<std::uint8_t, kSnaplen> data;
  alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(timespec))> control;
  iovec iov;
};

struct Session {
  TraceResult result;
  int capture = -1;
  std::vector<Slot> slots = std::vector<Slot>(kBatch);
  std::vector<mmsghdr> msgs = std::vector<mmsghdr>(kBatch);
};

void on_packet(Session& s, std::span<const std::uint8_t> ip, std::int64_t ts) {
  auto& probes = s.result.probes;
  if (const auto sent = match_sent(ip, s.result.run)) {
    if (sent->probe_index < probes.size() && probes[sent->probe_index].spec.ttl == sent->ttl &&
        probes[sent->probe_index].spec.flow == sent->flow && !probes[sent->probe_index].sent_wire_ns) {
      probes[sent->probe_index].sent_wire_ns = ts;
    }
    return;
  }
  auto reply = match_reply(ip, s.result.run);
  if (!reply || reply->probe_index >= probes.size()) return;
  ProbeRecord& p = probes[reply->probe_index];
  if (p.spec.flow != reply->flow || (reply->sent_ttl && *reply->sent_ttl != p.spec.ttl)) return;
  if (p.reply) return;  // duplicates (e.g. a retransmitted SYN-ACK) keep the first
  p.reply = std::move(*reply);
  p.reply_wire_ns = ts;
}

// Reads every packet the capture holds, without blocking.
void drain(Session& s) {
  auto& slots = s.slots;
  auto& msgs = s.msgs;
  for (;;) {
    for (unsigned i = 0; i < kBatch; ++i) {
      slots[i].iov = iovec{slots[i].data.data(), slots[i].data.size()};
      msgs[i] = mmsghdr{};
      msgs[i].msg_hdr.msg_iov = &slots[i].iov;
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_control = slots[i].control.data();
      msgs[i].msg_hdr.msg_controllen = slots[i].control.size();
    }
    const int n = ::recvmmsg(s.capture, msgs.data(), kBatch, MSG_DONTWAIT, nullptr);
    if (n <= 0) return;
    for (int i = 0; i < n; ++i) {
      msghdr& m = msgs[i].msg_hdr;
      std::int64_t ts = 0;
      for (cmsghdr* c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
          timespec t{};
          std::memcpy(&t, CMSG_DATA(c), sizeof t);
          ts = std::int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec;
        }
      }
      if (ts == 0) ts = now_ns();  // never seen; a late stamp beats none
      const std::size_t len = std::min<std::size_t>(msgs[i].msg_len, kSnaplen);
      on_packet(s, std::span<const std::uint8_t>(slots[i].data.data(), len), ts);
    }
    if (static_cast<unsigned>(n) < kBatch) return;
  }
}

// Reads the capture until `until_ns`, or until `done(now)` says so; sleeps until
// a packet arrives or `wake(now)` (the next probe deadline), whichever is first.
template <typename Done, typename Wake>
void pump(Session& s, std::int64_t until_ns, Done done, Wake wake) {
  for (;;) {
    drain(s);
    const std::int64_t now = now_ns();
    if (done(now) || now >= until_ns) return;
    const std::int64_t at = std::min(until_ns, wake(now).value_or(until_ns));
    // A plain socket's poll wakes on the first packet (no ring block timeout to
    // wait out), so sleep exactly until the next deadline.
    const std::int64_t sleep = std::max<std::int64_t>(at - now, 0);
    timespec ts{static_cast<time_t>(sleep / 1'000'000'000), static_cast<long>(sleep % 1'000'000'000)};
    pollfd pfd{s.capture, POLLIN, 0};
    ::ppoll(&pfd, 1, &ts, nullptr);
  }
}

}  // namespace

std::string capture_filter(const RunIdentity& run) {
  const std::string src = run.source.to_string(), dst = run.target.to_string();
  const std::string dport = std::to_string(run.target_port);
  std::string sports, dports;
  for (auto p : run.source_ports) {
    sports += (sports.empty() ? "" : " or ") + std::string("src port ") + std::to_string(p);
    dports += (dports.empty() ? "" : " or ") + std::string("dst port ") + std::to_string(p);
  }
  // Our own SYNs going out (for wire send times), the target's answers, and ICMP
  // errors addressed to us; reply_match decides which of those are really ours.
  return "(tcp and src host " + src + " and dst host " + dst + " and dst port " + dport +
         " and (tcp[13] & 2) != 0 and (" + sports + ")) or (tcp and src host " + dst + " and dst host " + src +
         " and src port " + dport + " and (" + dports + ")) or (icmp and dst host " + src +
         " and (icmp[0] == 11 or icmp[0] == 3))";
}

Status validate(const TraceOptions& o) {
  auto bad = [](const std::string& what, const std::string& fix) { return Error{what, "trace", fix}; };
  if (o.port == 0) return bad("bad port 0", "give a TCP port 1-65535 with -p");
  if (o.probes < 1) return bad("-q must be at least 1", "use -q 1 (tr) or -q 3 (mtr)");
  if (o.max_hops < 1 || o.max_hops > 255) return bad("--max-hops must be 1-255", "the IPv4 TTL is 8 bits");
  if (o.flows < 1 || o.flows > 64) return bad("--flows must be 1-64", "each flow holds one source port");
  if (o.gap_limit < 1) return bad("--gap-limit must be at least 1", "use --gap-limit 5 (default) or more");
  const long total = long{o.max_hops} * o.probes * o.flows;
  if (total > 65535) return bad("too many probes (" + std::to_string(total) + ")", "lower -q, --flows or --max-hops");
  return Ok{};
}

Result<TraceResult> run_trace(const TraceOptions& o) {
  if (auto v = validate(o); !v) return v.error();
  auto target = resolve_target(o.target);
  if (!target) return target.error();
  auto source = route_source(*target, o.port);
  if (!source) return source.error();

  // Privileges first, so a user without them gets that line and nothing else.
  Fd raw(::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW));  // IPPROTO_RAW implies IP_HDRINCL
  if (raw.fd < 0) {
    if (errno == EPERM || errno == EACCES) return permission_error("cannot open a raw socket");
    return Error{std::string("raw socket: ") + std::strerror(errno), "trace", ""};
  }

  Session s;
  RunIdentity& run = s.result.run;
  run.source = *source;
  run.target = *target;
  run.target_port = o.port;
  run.nonce = random_nonce();
  std::vector<Fd> held;
  for (int f = 0; f < o.flows; ++f) {
    auto port = hold_port(*source, held);
    if (!port) return port.error();
    run.source_ports.push_back(*port);
  }
  s.result.params = TraceParams{o.target, o.max_hops, o.probes, o.gap_limit, o.mode, o.tos};

  auto cap = open_capture(run);
  if (!cap) return cap.error();
  Fd capture = std::move(*cap);
  s.capture = capture.fd;
  if (o.after_sockets_open)
    if (auto after = o.after_sockets_open(); !after) return after.error();

  const int rounds = o.mode == TraceMode::Mtr ? o.probes : 1;
  const int per_round = o.mode == TraceMode::Mtr ? 1 : o.probes;
  auto& probes = s.result.probes;
  s.result.started_ns = now_ns();
  const sockaddr_in dst = to_sockaddr(*target, 0);

  for (int round = 0; round < rounds; ++round) {
    const std::int64_t round_start = now_ns();
    const int top = round == 0 ? o.max_hops : final_ttl(probes).value_or(o.max_hops);
    if (long(probes.size()) + long{top} * per_round * o.flows > 65536) break;  // index space is 16 bits
    // Every TTL at once: the whole path is measured in about one RTT.
    for (int attempt = 0; attempt < per_round; ++attempt) {
      for (int flow = 0; flow < o.flows; ++flow) {
        for (int ttl = 1; ttl <= top; ++ttl) {
          ProbeRecord rec;
          rec.spec = ProbeSpec{static_cast<std::uint8_t>(ttl), static_cast<std::uint16_t>(probes.size()),
                               static_cast<std::uint16_t>(flow)};
          rec.round = round;
          const auto bytes = build_probe(run, rec.spec, o.tos);
          rec.sent_host_ns = now_ns();
          probes.push_back(rec);
          if (::sendto(raw.fd, bytes.data(), bytes.size(), 0, reinterpret_cast<const sockaddr*>(&dst), sizeof dst) < 0) {
            return Error{"sending a probe to " + target->to_string() + " failed: " + std::strerror(errno),
                         "trace", "check `ip route get " + target->to_string() + "` and local firewall rules"};
          }
        }
      }
      drain(s);
    }
    pump(
        s, round_start + o.wait.max_wait_ns + o.wait.floor_ns,
        [&](std::int64_t now) { return round_complete(probes, round, now, o.wait, o.gap_limit); },
        [&](std::int64_t now) { return next_deadline_ns(probes, round, now, o.wait); });
    if (round + 1 < rounds) {
      // mtr: keep collecting late answers until the next round is due.
      pump(
          s, round_start + o.interval_ns, [](std::int64_t) { return false; },
          [](std::int64_t) { return std::optional<std::int64_t>{}; });
    }
  }
  s.result.finished_ns = now_ns();

  if (o.resolve) {
    for (const auto& h : summarize_hops(s.result)) {
      if (!h.responder || s.result.names.count(h.responder->value)) continue;
      sockaddr_in sa = to_sockaddr(*h.responder, 0);
      char host[NI_MAXHOST] = {};
      if (getnameinfo(reinterpret_cast<sockaddr*>(&sa), sizeof sa, host, sizeof host, nullptr, 0, NI_NAMEREQD) == 0) {
        std::string name = host;
        if (!name.empty() && name.back() == '.') name.pop_back();  // as Ethr's lookupHopName
        s.result.names[h.responder->value] = name;
      }
    }
  }
  return std::move(s.result);
}

}  // namespace hairpin::probes
