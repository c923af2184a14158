// Drives NetlinkFib in the network namespace it runs in, for fib_netns_test.sh
// (never run it in the root namespace: it writes routes). Each command opens
// the FIB afresh, as a restarted daemon would, and prints what it did:
//
//   install     the scenario routes (gateway, ECMP, blackhole, a connected
//               prefix, an unresolvable next hop, a static route); keeps them
//   restart     opens over the routes `install` left (stale), sets two of them
//               again, sweeps the rest
//   follow [K]  installs 10.1.0.0/16 via 10.0.200.12, prints "ready", then runs
//               the io_context until the kernel's notifications changed how
//               10.0.200.12 resolves K times (the script moves, deletes, adds
//               its route), printing the state after each; 20 s bound per change
//   withdraw    opens and withdraws everything of ours
//   bulk N      installs N /24s via 10.0.200.12 and prints the time, waits for
//               a line on stdin (the script counts them), removes them one by
//               one (as on a session loss) and prints that time
// Flags: --plain (no nexthop objects), --batch K (requests per sendmsg).

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include "hairpin/bgpd/fib/netlink_fib.hpp"

using namespace hairpin;
using namespace hairpin::bgpd;

namespace {

Ipv4Address ip(const char* text) { return *Ipv4Address::parse(text); }
Ipv4Prefix pfx(const char* text) { return *Ipv4Prefix::parse(text); }
FibRoute route(const char* prefix, FibSource source, std::vector<const char*> next_hops,
               FibRouteKind kind = FibRouteKind::Unicast) {
  FibRoute r;
  r.prefix = pfx(prefix);
  r.source = source;
  r.kind = kind;
  for (const char* nh : next_hops) r.next_hops.push_back(ip(nh));
  return r;
}

void print_state(const Fib& fib) {
  const FibCounters c = fib.counters();
  std::printf("counters installed=%zu held=%zu refused=%zu stale_at_start=%zu swept=%zu batches=%zu requests=%zu "
              "nexthop_objects=%d\n",
              c.installed, c.held, c.refused, c.stale_at_start, c.swept, c.batches, c.requests,
              c.nexthop_objects ? 1 : 0);
  const char* reasons[] = {"Unresolved", "OtherProtocol", "KernelRefused"};
  for (const FibHeldRoute& h : fib.held_routes())
    std::printf("held %s %s %s: %s\n", h.prefix.to_string().c_str(), to_string(h.source).c_str(),
                reasons[static_cast<int>(h.reason)], h.detail.c_str());
}

// VmRSS of this process, for the bulk report.
std::string rss() {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return "?";
  char line[256];
  std::string out = "?";
  while (std::fgets(line, sizeof line, f))
    if (std::strncmp(line, "VmRSS:", 6) == 0) {
      out = line + 6;
      out.erase(0, out.find_first_not_of(" \t"));
      out.erase(out.find_last_not_of(" \n") + 1);
    }
  std::fclose(f);
  return out;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: fib_netns_tool install|restart|follow|withdraw|bulk N [--plain] [--batch K]\n");
    return 2;
  }
  const std::string command = argv[1];
  NetlinkFibOptions options;
  std::size_t bulk = 0;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--plain") options.nexthop_objects = false;
    else if (arg == "--batch" && i + 1 < argc) options.requests_per_batch = std::stoul(argv[++i]);
    else bulk = std::stoul(arg);
  }
  boost::asio::io_context io;
  std::vector<Ipv4Address> changed;
  FibEvents events;
  events.log = [](const std::string& line) { std::printf("log %s\n", line.c_str()); };
  events.next_hops_changed = [&](std::vector<Ipv4Address> next_hops) {
    for (Ipv4Address nh : next_hops) std::printf("changed %s\n", nh.to_string().c_str());
    changed.insert(changed.end(), next_hops.begin(), next_hops.end());
  };
  const auto start = std::chrono::steady_clock::now();
  auto opened = NetlinkFib::open(io, events, options);
  if (!opened) {
    std::fprintf(stderr, "%s\n", opened.error().to_string().c_str());
    return 1;
  }
  Fib& fib = **opened;
  std::printf("opened in %.3f s\n", seconds_since(start));
  // As the daemon runs it: writes on the FIB's own thread; every step below
  // waits for the kernel's answers (settle) before it prints what it did.
  fib.start_writer_thread();
  auto write_now = [&] {
    fib.flush();
    fib.settle();
  };

  if (command == "install") {
    fib.set(route("10.1.0.0/16", FibSource::Bgp, {"10.0.200.12"}));
    fib.set(route("10.2.0.0/16", FibSource::Bgp, {"10.77.1.2", "10.77.1.3"}));
    fib.set(route("10.0.0.0/8", FibSource::Network, {}, FibRouteKind::Blackhole));
    fib.set(route("10.77.1.0/24", FibSource::Bgp, {"10.0.200.12"}));
    fib.set(route("10.3.0.0/16", FibSource::Bgp, {"192.0.2.1"}));
    fib.set(route("10.4.0.0/16", FibSource::Static, {"10.77.1.2"}));
    write_now();
    std::printf("resolves 10.0.200.12=%d 192.0.2.1=%d\n", fib.resolves(ip("10.0.200.12")) ? 1 : 0,
                fib.resolves(ip("192.0.2.1")) ? 1 : 0);
  } else if (command == "restart") {
    print_state(fib);
    fib.set(route("10.1.0.0/16", FibSource::Bgp, {"10.0.200.12"}));
    fib.set(route("10.0.0.0/8", FibSource::Network, {}, FibRouteKind::Blackhole));
    write_now();
    std::printf("swept %zu\n", fib.sweep_stale());
  } else if (command == "follow") {
    // Runs until `bulk` (default 1) resolution changes were reported, printing
    // the state after each, or 20 s without one.
    const std::size_t wanted = bulk == 0 ? 1 : bulk;
    fib.set(route("10.1.0.0/16", FibSource::Bgp, {"10.0.200.12"}));
    write_now();
    std::printf("ready\n");
    std::fflush(stdout);
    for (std::size_t seen = 0; seen < wanted; ++seen) {
      const std::size_t before = changed.size();
      boost::asio::steady_timer limit(io, std::chrono::seconds(20));
      limit.async_wait([&](boost::system::error_code ec) { if (!ec) io.stop(); });
      while (changed.size() == before && !io.stopped()) io.run_one();
      if (changed.size() == before) {
        std::printf("no change seen in 20 s\n");
        return 1;
      }
      limit.cancel();
      io.restart();
      while (io.poll_one()) {}  // the timer's cancellation
      std::printf("change %zu\n", seen + 1);
      print_state(fib);
      std::fflush(stdout);
    }
  } else if (command == "withdraw") {
    fib.withdraw_all();
  } else if (command == "bulk") {
    auto t0 = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < bulk; ++i) {
      FibRoute r;
      r.prefix = Ipv4Prefix{Ipv4Address{0x20000000u + static_cast<std::uint32_t>(i << 8)}, 24};
      r.next_hops = {ip("10.0.200.12")};
      fib.set(r);
    }
    write_now();
    std::printf("installed %zu in %.3f s (rss %s)\n", bulk, seconds_since(t0), rss().c_str());
    // What the kernel queued on the notification socket meanwhile: with the
    // BPF filter, none of the N echoes of our own writes (no overrun line).
    io.poll();
    print_state(fib);
    std::fflush(stdout);
    std::string line;
    std::getline(std::cin, line);  // the script counts them meanwhile
    t0 = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < bulk; ++i)
      fib.remove(Ipv4Prefix{Ipv4Address{0x20000000u + static_cast<std::uint32_t>(i << 8)}, 24}, FibSource::Bgp);
    write_now();
    std::printf("removed %zu in %.3f s\n", bulk, seconds_since(t0));
  } else {
    std::fprintf(stderr, "unknown command %s\n", command.c_str());
    return 2;
  }
  print_state(fib);
  std::fflush(stdout);
  return 0;
}
