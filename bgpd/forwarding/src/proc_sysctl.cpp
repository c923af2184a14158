// /proc/sys reads and writes for the forwarding preflight (proc_sysctl.hpp says how).

#include "hairpin/bgpd/forwarding/proc_sysctl.hpp"

#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <ostream>
#include <set>

namespace hairpin::bgpd {

namespace {

constexpr const char* kPrefix = "hairpin nva: ";

}  // namespace

Result<int> read_sysctl(const std::string& key) {
  const auto path = proc_sys_path(key);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    return Error{"cannot read " + key + ": " + std::strerror(err), path,
                 err == ENOENT ? "no such key in this network namespace (is the interface there? ip -br link)"
                               : "check that /proc/sys is mounted and readable"};
  }
  char buffer[64];
  const ssize_t n = ::read(fd, buffer, sizeof buffer);
  const int err = errno;
  ::close(fd);
  if (n < 0) return Error{"cannot read " + key + ": " + std::strerror(err), path, "check that /proc/sys is readable"};
  std::string_view text(buffer, static_cast<std::size_t>(n));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size())
    return Error{"unexpected value '" + std::string(text) + "' in " + key, path, "expected an integer"};
  return value;
}

Error sysctl_write_error(const std::string& key, int value, int err) {
  const auto assignment = key + "=" + std::to_string(value);
  Error e{"cannot write " + assignment + ": " + std::strerror(err), proc_sys_path(key), ""};
  switch (err) {
    case EACCES:
    case EPERM:
      e.fix = "run hairpin nva as root (CAP_NET_ADMIN), or run 'sudo sysctl -w " + assignment +
              "' yourself and start without --apply-sysctls";
      break;
    case EROFS:
      e.fix = "/proc/sys is read-only here (a container?): set it from outside, e.g. 'docker run --sysctl " +
              assignment + "', and start without --apply-sysctls";
      break;
    case ENOENT:
      e.fix = "no such key in this network namespace (is the interface there? ip -br link)";
      break;
    default:
      e.fix = "set it yourself with 'sysctl -w " + assignment + "' and start without --apply-sysctls";
  }
  return e;
}

Status write_sysctl(const std::string& key, int value) {
  const auto path = proc_sys_path(key);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return sysctl_write_error(key, value, errno);
  const std::string text = std::to_string(value) + "\n";
  const ssize_t n = ::write(fd, text.data(), text.size());  // the whole value at once, as sysctl(8)
  const int err = errno;
  const int closed = ::close(fd);
  if (n < 0) return sysctl_write_error(key, value, err);
  if (static_cast<std::size_t>(n) != text.size()) return sysctl_write_error(key, value, EIO);
  if (closed != 0) return sysctl_write_error(key, value, errno);
  return Ok{};
}

std::vector<std::string> forwarding_interfaces() {
  std::vector<InterfaceEntry> addresses;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return {};
  for (auto* a = list; a; a = a->ifa_next) {
    if (!a->ifa_name) continue;
    addresses.push_back({a->ifa_name, (a->ifa_flags & IFF_UP) != 0, (a->ifa_flags & IFF_LOOPBACK) != 0,
                         a->ifa_addr && a->ifa_addr->sa_family == AF_INET});
  }
  freeifaddrs(list);
  return select_forwarding_interfaces(addresses);
}

Status run_forwarding_preflight(const PreflightOptions& options, std::ostream& log, const SysctlAccess& access) {
  const bool named = !options.interfaces.empty();
  const auto interfaces = named ? options.interfaces : forwarding_interfaces();
  if (interfaces.empty())
    log << kPrefix << "warning: no interface is up with an IPv4 address: send_redirects and rp_filter "
        << "checked for conf.all and conf.default only\n";
  std::set<std::string> named_keys;
  if (named)
    for (const auto& i : interfaces) named_keys.insert({conf_key(i, "send_redirects"), conf_key(i, "rp_filter")});

  auto read_all = [&](bool report) -> Result<SysctlValues> {
    SysctlValues values;
    for (const auto& key : preflight_keys(interfaces)) {
      auto v = access.read(key);
      if (v) {
        values[key] = v.value();
      } else if (named_keys.count(key)) {
        return v.error();  // an interface the caller named is not there: say so, don't guess
      } else if (report) {
        log << kPrefix << "warning: " << v.error().to_string() << "; not checked\n";
      }
    }
    return values;
  };

  auto values = read_all(true);
  if (!values) return values.error();
  const auto findings = check_forwarding(values.value(), interfaces);
  if (!options.apply) {
    for (const auto& f : findings) log << kPrefix << "warning: " << f.to_string() << '\n';
    return Ok{};
  }
  for (const auto& f : findings) {
    if (auto written = access.write(f.key, f.required); !written) return written.error();
    log << kPrefix << "set " << f.key << '=' << f.required << " (was " << f.current << ")\n";
  }
  if (findings.empty()) return Ok{};
  // Read back: a write the kernel accepted but did not keep is still wrong.
  auto again = read_all(false);
  if (!again) return again.error();
  if (auto left = check_forwarding(again.value(), interfaces); !left.empty()) {
    const auto& f = left.front();
    return Error{"still " + f.key + "=" + std::to_string(f.current) + " after writing " + std::to_string(f.required),
                 proc_sys_path(f.key), "run '" + f.fix() + "' by hand and look for what resets it"};
  }
  return Ok{};
}

}  // namespace hairpin::bgpd
