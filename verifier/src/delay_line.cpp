#include "hairpin/verifier/delay_line.hpp"

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <vector>

namespace hairpin::verifier {

namespace {

volatile sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

using Clock = std::chrono::steady_clock;

struct Frame {
  Clock::time_point due;
  std::vector<unsigned char> bytes;
};

Result<int> open_end(const std::string& ifname) {
  unsigned index = if_nametoindex(ifname.c_str());
  if (index == 0) return Error{"no interface " + ifname, "delay line", "it must exist in this namespace"};
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
  if (fd < 0) return Error{std::string("packet socket: ") + std::strerror(errno), ifname, "needs CAP_NET_RAW"};
  sockaddr_ll sll{};
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(ETH_P_ALL);
  sll.sll_ifindex = static_cast<int>(index);
  int one = 1;
  int rcvbuf = 8 << 20;
  packet_mreq promisc{};
  promisc.mr_ifindex = static_cast<int>(index);
  promisc.mr_type = PACKET_MR_PROMISC;
  if (bind(fd, reinterpret_cast<sockaddr*>(&sll), sizeof sll) != 0 ||
      // Only what arrives from the wire: our own sends must not loop back in.
      setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one) != 0 ||
      setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &promisc, sizeof promisc) != 0) {
    int err = errno;
    close(fd);
    return Error{std::string("cannot open ") + ifname + ": " + std::strerror(err), "delay line", ""};
  }
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  return fd;
}

}  // namespace

Status run_delay_line(const DelayLineOptions& o) {
  auto a = open_end(o.a);
  if (!a) return a.error();
  auto b = open_end(o.b);
  if (!b) return b.error();
  struct sigaction sa{};
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);

  std::ofstream log(o.log, std::ios::app);
  log << "delay line " << o.a << " <-> " << o.b << ": "
      << std::chrono::duration<double, std::milli>(o.delay).count() << " ms each way" << std::endl;
  if (!o.pidfile.empty()) {
    auto tmp = o.pidfile + ".tmp";
    std::ofstream(tmp) << getpid() << "\n";
    std::rename(tmp.c_str(), o.pidfile.c_str());
  }

  int fds[2] = {*a, *b};
  std::deque<Frame> queues[2];  // queues[i]: frames read on fds[i], to send on the other
  std::vector<unsigned char> buf(65536);
  std::uint64_t forwarded = 0, dropped = 0;
  while (!g_stop) {
    auto now = Clock::now();
    for (int i = 0; i < 2; ++i)
      while (!queues[i].empty() && queues[i].front().due <= now) {
        const auto& f = queues[i].front();
        if (send(fds[1 - i], f.bytes.data(), f.bytes.size(), 0) < 0)
          ++dropped;
        else
          ++forwarded;
        queues[i].pop_front();
      }
    // Sleep until the next frame is due or one arrives, with nanosecond timeouts.
    Clock::time_point next = now + std::chrono::seconds(1);
    for (auto& q : queues)
      if (!q.empty() && q.front().due < next) next = q.front().due;
    auto wait = std::max(std::chrono::nanoseconds(0), std::chrono::duration_cast<std::chrono::nanoseconds>(next - Clock::now()));
    timespec ts{static_cast<time_t>(wait.count() / 1000000000), static_cast<long>(wait.count() % 1000000000)};
    pollfd pfds[2] = {{fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}};
    if (ppoll(pfds, 2, &ts, nullptr) < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (!(pfds[i].revents & POLLIN)) continue;
      for (;;) {
        ssize_t n = recv(fds[i], buf.data(), buf.size(), 0);
        if (n <= 0) break;
        queues[i].push_back({Clock::now() + o.delay, {buf.begin(), buf.begin() + n}});
      }
    }
  }
  log << "delay line stopped: " << forwarded << " frames forwarded, " << dropped << " dropped" << std::endl;
  close(fds[0]);
  close(fds[1]);
  if (!o.pidfile.empty()) unlink(o.pidfile.c_str());
  return Ok{};
}

}  // namespace hairpin::verifier
