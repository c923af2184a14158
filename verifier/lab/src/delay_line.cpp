#include "hairpin/verifier/lab/delay_line.hpp"

#include "hairpin/common/file_io.hpp"

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
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

// The kernel stamps each frame on arrival (SO_TIMESTAMPNS, CLOCK_REALTIME): the
// delay counts from then, so frames that wait for us while we send are not late.
using Clock = std::chrono::system_clock;

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
  setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
  return fd;
}

// Reads one frame and when the kernel received it; n <= 0 when none is waiting.
ssize_t receive(int fd, std::vector<unsigned char>& buf, Clock::time_point& arrived) {
  iovec iov{buf.data(), buf.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n = recvmsg(fd, &msg, 0);
  arrived = Clock::now();
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); n > 0 && c; c = CMSG_NXTHDR(&msg, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
      timespec ts;
      std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
      arrived = Clock::time_point(std::chrono::duration_cast<Clock::duration>(
          std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec)));
    }
  return n;
}

// Sleeps until `due` with the precision the RTT checks need: the kernel timer for
// the bulk, then a short spin, so each crossing adds microseconds, not a tick.
void sleep_until_precisely(Clock::time_point due) {
  constexpr auto kSpin = std::chrono::microseconds(200);
  auto now = Clock::now();
  if (due - now > kSpin) {
    auto wait = std::chrono::duration_cast<std::chrono::nanoseconds>(due - now - kSpin);
    timespec ts{static_cast<time_t>(wait.count() / 1000000000), static_cast<long>(wait.count() % 1000000000)};
    nanosleep(&ts, nullptr);
  }
  while (Clock::now() < due) {
  }
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
  if (!o.pidfile.empty())
    if (auto s = write_file_atomically(o.pidfile, std::to_string(getpid()) + "\n"); !s) return s.error();

  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  // A wire is not late because the machine is busy: without this, a build on the
  // same cores delays frames by milliseconds (seen: +2.8 ms per crossing). The
  // line sleeps between frames and spins at most 200 us before one is due, and the
  // kernel's RT throttling bounds it anyway. Without the privilege it says so.
  sched_param rt{};
  rt.sched_priority = 10;
  if (sched_setscheduler(0, SCHED_FIFO, &rt) != 0)
    log << "delay line: no real-time priority (" << std::strerror(errno)
        << "); RTTs may run late while the machine is busy" << std::endl;
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
    // Wait for frames until shortly before the next one is due, then sleep precisely.
    constexpr auto kMargin = std::chrono::microseconds(300);
    auto wait = std::max(std::chrono::nanoseconds(0),
                         std::chrono::duration_cast<std::chrono::nanoseconds>(next - Clock::now() - kMargin));
    timespec ts{static_cast<time_t>(wait.count() / 1000000000), static_cast<long>(wait.count() % 1000000000)};
    pollfd pfds[2] = {{fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}};
    int ready = ppoll(pfds, 2, &ts, nullptr);
    if (ready < 0 && errno != EINTR) break;
    if (ready == 0 && next - Clock::now() < kMargin) {
      sleep_until_precisely(next);
      continue;
    }
    for (int i = 0; i < 2; ++i) {
      if (!(pfds[i].revents & POLLIN)) continue;
      Clock::time_point arrived;
      for (ssize_t n; (n = receive(fds[i], buf, arrived)) > 0;)
        queues[i].push_back({arrived + std::chrono::duration_cast<Clock::duration>(o.delay), {buf.begin(), buf.begin() + n}});
    }
  }
  log << "delay line stopped: " << forwarded << " frames forwarded, " << dropped << " dropped" << std::endl;
  close(fds[0]);
  close(fds[1]);
  if (!o.pidfile.empty()) unlink(o.pidfile.c_str());
  return Ok{};
}

}  // namespace hairpin::verifier
