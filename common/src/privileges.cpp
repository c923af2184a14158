// drop_to: libcap-ng for the sets and the bounding set, prctl for no_new_privs,
// /proc/self/status to check what the kernel now holds.

#include "hairpin/common/privileges.hpp"

#include <cap-ng.h>
#include <linux/capability.h>
#include <sys/prctl.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <vector>

namespace hairpin {

namespace {

unsigned int capability_number(Capability c) {
  switch (c) {
    case Capability::NetAdmin: return CAP_NET_ADMIN;
    case Capability::NetRaw: return CAP_NET_RAW;
    case Capability::NetBindService: return CAP_NET_BIND_SERVICE;
  }
  return CAP_NET_RAW;
}

std::string hex(std::uint64_t v) {
  std::ostringstream s;
  s << std::hex << std::setfill('0') << std::setw(16) << v;
  return s.str();
}

std::size_t thread_count() {
  std::error_code ec;
  std::size_t n = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/task", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    ++n;
  return n;
}

}  // namespace

std::string_view capability_name(Capability c) {
  switch (c) {
    case Capability::NetAdmin: return "CAP_NET_ADMIN";
    case Capability::NetRaw: return "CAP_NET_RAW";
    case Capability::NetBindService: return "CAP_NET_BIND_SERVICE";
  }
  return "?";
}

std::uint64_t capability_bit(Capability c) { return std::uint64_t{1} << capability_number(c); }

Result<ProcessPrivileges> parse_proc_status(std::string_view text) {
  ProcessPrivileges p;
  int seen = 0;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = line.substr(0, colon);
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    std::uint64_t* field = key == "CapInh" ? &p.inheritable
                           : key == "CapPrm" ? &p.permitted
                           : key == "CapEff" ? &p.effective
                           : key == "CapBnd" ? &p.bounding
                           : key == "CapAmb" ? &p.ambient
                                             : nullptr;
    if (field) {
      char* end = nullptr;
      *field = std::strtoull(value.c_str(), &end, 16);
      if (value.empty() || (end && *end != '\0'))
        return Error{"bad " + key + " line '" + line + "'", "/proc/PID/status", "expected a hex mask"};
      ++seen;
    } else if (key == "NoNewPrivs") {
      p.no_new_privs = value == "1";
      ++seen;
    }
  }
  // CapAmb since Linux 4.3, NoNewPrivs since 4.10: both are required here.
  if (seen != 6)
    return Error{"capability lines missing", "/proc/PID/status",
                 "needs Linux 4.10 or later (CapInh..CapAmb and NoNewPrivs)"};
  return p;
}

Result<ProcessPrivileges> current_privileges() {
  std::ifstream in("/proc/self/status");
  if (!in) return Error{"cannot read", "/proc/self/status", "mount /proc"};
  std::stringstream text;
  text << in.rdbuf();
  return parse_proc_status(text.str());
}

Status drop_to(std::initializer_list<Capability> keep) {
  // capset(2) changes the calling thread only; a second thread would keep it all.
  if (const auto threads = thread_count(); threads != 1)
    return Error{"cannot drop capabilities: the process has " + std::to_string(threads) + " threads",
                 "drop_to", "drop before starting any thread (a bug in hairpin: please report it)"};
  capng_get_caps_process();
  const bool can_cut_bounding = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP);
  // At most the list: what the process does not hold (a service started with fewer
  // capabilities) stays absent, since capabilities can only be dropped here.
  std::vector<Capability> kept;
  for (auto c : keep)
    if (capng_have_capability(CAPNG_PERMITTED, capability_number(c))) kept.push_back(c);
  std::uint64_t wanted = 0;
  for (auto c : kept) wanted |= capability_bit(c);

  capng_clear(CAPNG_SELECT_ALL);
  for (auto c : kept) {
    const capng_type_t sets = can_cut_bounding
                                  ? capng_type_t(CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_BOUNDING_SET)
                                  : capng_type_t(CAPNG_EFFECTIVE | CAPNG_PERMITTED);
    capng_update(CAPNG_ADD, sets, capability_number(c));
  }
  // CAPNG_SELECT_ALL: the bounding set (PR_CAPBSET_DROP, which needs CAP_SETPCAP,
  // so libcap-ng does it before capset), capset for the three sets, ambient cleared.
  const capng_select_t which =
      can_cut_bounding ? CAPNG_SELECT_ALL : capng_select_t(CAPNG_SELECT_CAPS | CAPNG_SELECT_AMBIENT);
  if (const int rc = capng_apply(which); rc != 0)
    return Error{"cannot drop capabilities: capng_apply returned " + std::to_string(rc) + " (" +
                     std::strerror(errno) + ")",
                 "drop_to", "run as root on Linux 4.3 or later"};
  // Nothing executed from here on gains privileges (setuid, file capabilities).
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    return Error{std::string("cannot set no_new_privs: ") + std::strerror(errno), "drop_to", "needs Linux 3.5 or later"};

  auto now = current_privileges();
  if (!now) return now.error();
  const auto& p = now.value();
  const bool bounding_ok = !can_cut_bounding || p.bounding == wanted;
  if (p.effective != wanted || p.permitted != wanted || p.inheritable != 0 || p.ambient != 0 || !bounding_ok ||
      !p.no_new_privs)
    return Error{"capabilities not dropped as asked: CapEff " + hex(p.effective) + ", CapPrm " + hex(p.permitted) +
                     ", CapBnd " + hex(p.bounding) + ", wanted " + hex(wanted),
                 "/proc/self/status", "a bug in hairpin: please report it"};
  return Ok{};
}

}  // namespace hairpin
