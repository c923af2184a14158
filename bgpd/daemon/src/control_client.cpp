#include "hairpin/bgpd/daemon/control_client.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace hairpin::bgpd {

using nlohmann::json;

Result<json> query_control_socket(const std::string& path, const std::string& request) {
  const std::string fix = "is 'hairpin nva' running? give its control socket with --socket PATH";
  sockaddr_un addr{};
  if (path.size() >= sizeof addr.sun_path) return Error{"control socket path too long", path, "use a shorter path"};
  addr.sun_family = AF_UNIX;
  std::copy(path.begin(), path.end(), addr.sun_path);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error{"cannot create a unix socket", path, "check resource limits"};
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    int err = errno;
    ::close(fd);
    if (err == EACCES) return Error{"permission denied on the NVA control socket", path, "run as the NVA's user (root): the socket is mode 0600"};
    return Error{std::string("cannot reach the NVA: ") + std::strerror(err), path, fix};
  }
  std::string line = request + "\n";
  for (std::size_t sent = 0; sent < line.size();) {
    ssize_t n = ::write(fd, line.data() + sent, line.size() - sent);
    if (n <= 0) {
      ::close(fd);
      return Error{"the NVA closed the control socket", path, fix};
    }
    sent += static_cast<std::size_t>(n);
  }
  std::string reply;
  char buf[65536];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) reply.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  auto parsed = json::parse(reply, nullptr, false);
  if (parsed.is_discarded()) return Error{"the NVA's answer is not JSON", path, fix};
  return parsed;
}

}  // namespace hairpin::bgpd
