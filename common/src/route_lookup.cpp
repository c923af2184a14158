#include "hairpin/common/route_lookup.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hairpin {

namespace {

struct Socket {
  int fd;
  ~Socket() { if (fd >= 0) ::close(fd); }
};

}  // namespace

Result<Ipv4Address> kernel_route_source(Ipv4Address destination, std::uint16_t port) {
  const Socket s{::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
  if (s.fd < 0) return Error{std::string("socket: ") + std::strerror(errno), "", ""};
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(destination.value);
  if (::connect(s.fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0)
    return Error{std::strerror(errno), "", ""};
  sockaddr_in local{};
  socklen_t len = sizeof local;
  if (::getsockname(s.fd, reinterpret_cast<sockaddr*>(&local), &len) != 0)
    return Error{std::string("getsockname: ") + std::strerror(errno), "", ""};
  return Ipv4Address{ntohl(local.sin_addr.s_addr)};
}

}  // namespace hairpin
