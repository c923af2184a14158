#pragma once
// A BGP peer scripted by a test over plain blocking sockets on loopback: the
// daemon tests talk to `NvaDaemon` through these (no root, no namespaces).
//
// In:  addresses and ports; bytes to send.
// Out: connected sockets with a receive timeout; whole BGP messages read back
//      (nothing at EOF or after the timeout).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>

#include "hairpin/bgpd/wire/message_codec.hpp"

namespace hairpin::bgpd::test {

inline sockaddr_in address(const char* ip, std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  inet_pton(AF_INET, ip, &a.sin_addr);
  return a;
}

// A blocking socket with a receive timeout, closed on scope exit.
struct Fd {
  int fd = -1;
  explicit Fd(int f, int receive_timeout_s = 2) : fd(f) {
    timeval tv{receive_timeout_s, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

inline bool read_exact(int fd, std::uint8_t* p, std::size_t n) {
  while (n > 0) {
    ssize_t got = ::recv(fd, p, n, 0);
    if (got <= 0) return false;
    p += got;
    n -= static_cast<std::size_t>(got);
  }
  return true;
}

// The next message, or nothing at EOF or after the timeout.
inline std::optional<Message> read_message(int fd) {
  Bytes bytes(19);
  if (!read_exact(fd, bytes.data(), 19)) return std::nullopt;
  std::size_t length = (std::size_t{bytes[16]} << 8) | bytes[17];
  bytes.resize(length);
  if (length > 19 && !read_exact(fd, bytes.data() + 19, length - 19)) return std::nullopt;
  auto decoded = decode_message(bytes, CodecContext{true, true});
  if (!decoded) return std::nullopt;
  return decoded.value();
}

inline void send_all(int fd, const Bytes& bytes) {
  ASSERT_EQ(::send(fd, bytes.data(), bytes.size(), 0), ssize_t(bytes.size()));
}

}  // namespace hairpin::bgpd::test
