// rfc7606_peer: a raw BGP peer that drives the RFC 7606 / RFC 4271 6.1-6.3 case
// table (cases.hpp) against a running `hairpin nva`, one TCP session per row.
//
// In:  --nva ADDRESS (the NVA's end), --control-socket PATH (the NVA's, to read
//      `routes`, `summary` and `neighbors X received-routes`), optionally --only NAME;
//      or --markdown: print the table for docs/rfc7606.md and exit.
//      Runs where the peers' addresses (Env: 10.99.76.11/.12/.13) are local.
// Out: one line per row, "ok ..." or "FAIL ROW: why", and a summary; exit 0 when
//      every row behaved as the table says, 1 otherwise, 2 on a usage error.
//
// Per row: connect from the row's peer address, exchange OPEN/KEEPALIVE (or send
// the row's OPEN instead), announce the row's marker validly and wait until the NVA
// holds it (positive control), send the row's message, then:
//   session reset     -> the NOTIFICATION code/subcode arrives, the session goes down;
//   otherwise         -> announce a probe prefix and wait until the NVA holds it: the
//                        row's message, sent before it on the same stream, has been
//                        judged; no NOTIFICATION came back; then the marker is gone
//                        (treat-as-withdraw, withdrawn) or held with the attributes
//                        the row expects (attribute discard, accepted).
// Every wait is a bounded poll for a positive condition.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>

#include "cases.hpp"
#include "hairpin/bgpd/daemon/control_client.hpp"
#include "hairpin/bgpd/wire/message_codec.hpp"

using namespace hairpin;
using namespace hairpin::conformance;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

struct Options {
  Ipv4Address nva;
  std::string control_socket;
  std::string only;
};

struct RowFailure {
  std::string why;
};

// One TCP connection to the NVA, with its own framing buffer.
class Peer {
 public:
  Peer(Ipv4Address local, Ipv4Address nva) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw RowFailure{"socket: " + std::string(std::strerror(errno))};
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(local.value);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
      throw RowFailure{"bind " + local.to_string() + ": " + std::strerror(errno)};
    sockaddr_in r{};
    r.sin_family = AF_INET;
    r.sin_port = htons(179);
    r.sin_addr.s_addr = htonl(nva.value);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&r), sizeof r) != 0)
      throw RowFailure{"connect " + nva.to_string() + ":179: " + std::strerror(errno)};
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~Peer() {
    if (fd_ >= 0) ::close(fd_);
  }
  Peer(const Peer&) = delete;
  Peer& operator=(const Peer&) = delete;

  void send(const Bytes& bytes) {
    std::size_t off = 0;
    while (off < bytes.size()) {
      ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n <= 0) throw RowFailure{"send: " + std::string(n < 0 ? std::strerror(errno) : "closed")};
      off += static_cast<std::size_t>(n);
    }
  }

  // The next whole message, or nullopt at EOF / when `until` passes.
  std::optional<Bytes> next(Clock::time_point until) {
    for (;;) {
      if (buffer_.size() >= 19) {
        std::size_t len = load_be16(buffer_, 16);
        if (len < 19) throw RowFailure{"the NVA sent a message of length " + std::to_string(len)};
        if (buffer_.size() >= len) {
          Bytes m(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(len));
          buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(len));
          return m;
        }
      }
      if (eof_) return std::nullopt;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
      if (left <= 0) return std::nullopt;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
      std::uint8_t chunk[65536];
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) {
        eof_ = true;
        continue;
      }
      buffer_.insert(buffer_.end(), chunk, chunk + n);
    }
  }
  bool eof() const { return eof_; }

 private:
  int fd_ = -1;
  Bytes buffer_;
  bool eof_ = false;
};

std::uint8_t type_of(const Bytes& m) { return m[18]; }

std::string describe(const Bytes& m) {
  if (type_of(m) != 3 || m.size() < 21) return "message type " + std::to_string(type_of(m));
  return "NOTIFICATION " + std::to_string(m[19]) + "/" + std::to_string(m[20]);
}

// Waits for a NOTIFICATION, skipping KEEPALIVEs and UPDATEs; nullopt at EOF or timeout.
std::optional<std::pair<int, int>> await_notification(Peer& peer, std::chrono::milliseconds within) {
  auto until = Clock::now() + within;
  while (auto m = peer.next(until))
    if (type_of(*m) == 3 && m->size() >= 21) return std::pair<int, int>{(*m)[19], (*m)[20]};
  return std::nullopt;
}

class Nva {
 public:
  explicit Nva(std::string socket) : socket_(std::move(socket)) {}
  nlohmann::json ask(const std::string& request) const {
    auto answer = bgpd::query_control_socket(socket_, request);
    if (!answer) throw RowFailure{"control socket: " + answer.error().to_string()};
    return answer.value();
  }
  std::string state_of(Ipv4Address peer) const {
    auto s = ask("summary");
    const auto& sum = s.contains("ipv4Unicast") ? s["ipv4Unicast"] : s;
    auto key = peer.to_string();
    if (!sum.contains("peers") || !sum["peers"].contains(key)) return "unknown";
    return sum["peers"][key]["state"].get<std::string>();
  }
  bool holds(const Ipv4Prefix& p) const {
    auto r = ask("routes");
    return r.contains("routes") && r["routes"].contains(p.to_string());
  }
  std::optional<Observed> received(Ipv4Address peer, const Ipv4Prefix& p) const {
    auto r = ask("neighbors " + peer.to_string() + " received-routes");
    if (!r.contains("receivedRoutes") || !r["receivedRoutes"].contains(p.to_string())) return std::nullopt;
    const auto& j = r["receivedRoutes"][p.to_string()];
    Observed o;
    o.origin = j.value("origin", "");
    o.path = j.value("path", "");
    o.next_hop = j.value("nextHop", "");
    if (j.contains("metric")) o.med = j["metric"].get<std::uint32_t>();
    if (j.contains("locPrf")) o.local_pref = j["locPrf"].get<std::uint32_t>();
    return o;
  }

 private:
  std::string socket_;
};

// Polls `ok` every 20 ms until it holds or `within` passes.
template <typename F>
bool poll_until(F ok, std::chrono::milliseconds within) {
  auto until = Clock::now() + within;
  for (;;) {
    if (ok()) return true;
    if (Clock::now() >= until) return false;
    std::this_thread::sleep_for(20ms);
  }
}

std::string run_row(const Options& o, const Nva& nva, const Env& env, const Case& c) {
  const Ipv4Address from = env.address_of(c.peer);
  // The NVA refuses a second connection while one is Established (RFC 4271 6.8):
  // the previous row's session must be gone first.
  if (!poll_until([&] { return nva.state_of(from) != "Established"; }, 10s))
    return "the previous session from " + from.to_string() + " is still Established";
  std::optional<Peer> peer;
  std::string last_error;
  if (!poll_until(
          [&] {
            try {
              peer.emplace(from, o.nva);
              return true;
            } catch (const RowFailure& f) {
              last_error = f.why;
              return false;
            }
          },
          10s))
    return last_error;

  auto deadline = [] { return Clock::now() + 5s; };
  auto nva_open = peer->next(deadline());
  if (!nva_open || type_of(*nva_open) != 1) return "the NVA sent no OPEN";

  if (c.when == When::InsteadOfOpen) {
    peer->send(c.message);
    auto n = await_notification(*peer, 5s);
    if (!n) return "no NOTIFICATION after the OPEN (want " + std::to_string(c.code) + "/" + std::to_string(c.subcode) + ")";
    if (n->first != c.code || n->second != c.subcode)
      return "NOTIFICATION " + std::to_string(n->first) + "/" + std::to_string(n->second) + ", want " +
             std::to_string(c.code) + "/" + std::to_string(c.subcode);
    if (!poll_until([&] { return nva.state_of(from) != "Established"; }, 5s)) return "session Established after a bad OPEN";
    return "";
  }

  peer->send(build::cat({build::open(peer_open_fields(env, c.peer)), build::keepalive()}));
  for (;;) {  // the NVA's KEEPALIVE confirms our OPEN (RFC 4271 8.2.2 OpenConfirm)
    auto m = peer->next(deadline());
    if (!m) return "the NVA did not confirm our OPEN";
    if (type_of(*m) == 3) return "the NVA refused our OPEN: " + describe(*m);
    if (type_of(*m) == 4) break;
  }
  if (!poll_until([&] { return nva.state_of(from) == "Established"; }, 5s)) return "session never Established";

  // Positive control: the marker, announced validly, is held.
  peer->send(valid_announcement(env, c.peer));
  if (!poll_until([&] { return nva.holds(env.marker); }, 5s))
    return "positive control: the valid announcement of " + env.marker.to_string() + " never reached the RIB";

  peer->send(c.message);
  if (c.handling == Handling::SessionReset) {
    auto n = await_notification(*peer, 5s);
    if (!n) return "no NOTIFICATION (want " + std::to_string(c.code) + "/" + std::to_string(c.subcode) + ")";
    if (n->first != c.code || n->second != c.subcode)
      return "NOTIFICATION " + std::to_string(n->first) + "/" + std::to_string(n->second) + ", want " +
             std::to_string(c.code) + "/" + std::to_string(c.subcode);
    if (!poll_until([&] { return nva.state_of(from) != "Established"; }, 5s)) return "still Established after the NOTIFICATION";
    if (!poll_until([&] { return !nva.holds(env.marker); }, 5s)) return "the marker outlived the session";
    return "";
  }

  // The probe: sent after the row's message on the same stream, so once it is held
  // the row's message has been judged.
  Env probe = env;
  probe.marker = Ipv4Prefix{Ipv4Address{0xac120000u | (env.marker.address.value & 0xff00u)}, 24};  // 172.18.N.0/24
  peer->send(valid_announcement(probe, c.peer));
  if (!poll_until([&] { return nva.holds(probe.marker); }, 5s)) {
    auto n = await_notification(*peer, 200ms);
    if (n) return "NOTIFICATION " + std::to_string(n->first) + "/" + std::to_string(n->second) + ": the session must stay";
    return "the probe " + probe.marker.to_string() + " sent after the row's message never reached the RIB";
  }
  if (auto n = await_notification(*peer, 50ms))
    return "NOTIFICATION " + std::to_string(n->first) + "/" + std::to_string(n->second) + ": the session must stay";
  if (nva.state_of(from) != "Established") return "the session went down";

  const bool held = nva.holds(env.marker);
  switch (c.handling) {
    case Handling::TreatAsWithdraw:
    case Handling::Withdrawn:
      if (held) return env.marker.to_string() + " still held; want it withdrawn";
      break;
    case Handling::AttributeDiscard:
    case Handling::Accepted: {
      if (!held) return env.marker.to_string() + " gone; want it kept";
      if (c.check) {
        auto seen = nva.received(from, env.marker);
        if (!seen) return env.marker.to_string() + " not in the Adj-RIB-In of " + from.to_string();
        if (auto differs = c.check(*seen); !differs.empty()) return differs;
      }
      break;
    }
    case Handling::SessionReset: break;
  }
  // End the row: Cease / Administrative Shutdown (RFC 4486), then close.
  peer->send(build::message(3, {6, 2}));
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "rfc7606_peer: " << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--nva") {
      auto v = Ipv4Address::parse(value());
      if (!v) {
        std::cerr << "rfc7606_peer: --nva wants an IPv4 address\n";
        return 2;
      }
      o.nva = *v;
    } else if (a == "--control-socket") {
      o.control_socket = value();
    } else if (a == "--markdown") {  // the table for docs/rfc7606.md, no network
      std::cout << markdown_table();
      return 0;
    } else if (a == "--only") {
      o.only = value();
    } else {
      std::cerr << "rfc7606_peer: unknown argument '" << a
                << "'; usage: rfc7606_peer --nva ADDRESS --control-socket PATH [--only ROW]\n";
      return 2;
    }
  }
  if (o.control_socket.empty() || o.nva.value == 0) {
    std::cerr << "rfc7606_peer: usage: rfc7606_peer --nva ADDRESS --control-socket PATH [--only ROW]\n";
    return 2;
  }
  Nva nva(o.control_socket);
  const auto rows = rfc7606_cases(Env{});
  std::size_t passed = 0, failed = 0, run = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (!o.only.empty() && rows[i].name != o.only) continue;
    const Env env = Env{}.for_row(i);
    const Case c = rfc7606_cases(env)[i];
    ++run;
    auto start = Clock::now();
    std::string why;
    try {
      why = run_row(o, nva, env, c);
    } catch (const RowFailure& f) {
      why = f.why;
    }
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
    std::string expect = to_string(c.handling);
    if (c.handling == Handling::SessionReset) expect += " " + std::to_string(c.code) + "/" + std::to_string(c.subcode);
    if (why.empty()) {
      ++passed;
      std::cout << "ok   " << c.name << " [" << c.rfc << "; " << to_string(c.peer) << "; " << expect << "] " << ms
                << " ms\n";
    } else {
      ++failed;
      std::cout << "FAIL " << c.name << " [" << c.rfc << "; " << to_string(c.peer) << "; " << c.attribute << ": "
                << c.malformation << "; want " << expect << "]: " << why << "\n";
    }
    std::cout.flush();
  }
  std::cout << "rfc7606: " << run << " rows, " << passed << " passed, " << failed << " failed\n";
  if (run == 0) {
    std::cerr << "rfc7606_peer: no row named '" << o.only << "'\n";
    return 2;
  }
  return failed == 0 ? 0 : 1;
}
