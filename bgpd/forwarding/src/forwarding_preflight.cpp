// Forwarding preflight rules (forwarding_preflight.hpp says which and why).

#include "hairpin/bgpd/forwarding/forwarding_preflight.hpp"

#include <algorithm>
#include <optional>

namespace hairpin::bgpd {

namespace {

constexpr int kStrictRpFilter = 1;
constexpr int kLooseRpFilter = 2;

const std::string kIpForward = "net.ipv4.ip_forward";

std::optional<int> value_of(const SysctlValues& values, const std::string& key) {
  auto it = values.find(key);
  if (it == values.end()) return std::nullopt;
  return it->second;
}

}  // namespace

std::string conf_key(std::string_view interface, std::string_view leaf) {
  std::string name(interface);
  std::replace(name.begin(), name.end(), '.', '/');
  return "net.ipv4.conf." + name + "." + std::string(leaf);
}

std::string proc_sys_path(std::string_view key) {
  std::string path = "/proc/sys/";
  for (char c : key) path += c == '.' ? '/' : c == '/' ? '.' : c;
  return path;
}

std::vector<std::string> preflight_keys(const std::vector<std::string>& interfaces) {
  std::vector<std::string> keys{kIpForward, conf_key("all", "send_redirects"), conf_key("default", "send_redirects")};
  for (const auto& i : interfaces) keys.push_back(conf_key(i, "send_redirects"));
  keys.push_back(conf_key("all", "rp_filter"));
  for (const auto& i : interfaces) keys.push_back(conf_key(i, "rp_filter"));
  return keys;
}

std::string SysctlFinding::fix() const { return "sysctl -w " + key + "=" + std::to_string(required); }

std::string SysctlFinding::to_string() const {
  return key + "=" + std::to_string(current) + " (needs " + std::to_string(required) + "): " + why + "; fix: " + fix();
}

std::vector<SysctlFinding> check_forwarding(const SysctlValues& values, const std::vector<std::string>& interfaces) {
  std::vector<SysctlFinding> findings;
  auto wrong = [&](const std::string& key, int current, int required, std::string why) {
    findings.push_back({key, current, required, std::move(why)});
  };
  constexpr const char* kBypass =
      "the NVA would tell the ERGW to send the hairpinned traffic straight to the other site, bypassing the NVA";

  // Forwarding off: nothing is hairpinned at all.
  if (auto v = value_of(values, kIpForward); v && *v != 1)
    wrong(kIpForward, *v, 1, "IP forwarding is off: the NVA drops every packet it should hairpin");

  // IN_DEV_TX_REDIRECTS is conf.all OR conf.IFACE: every key at 1 must go to 0.
  const auto all_redirects_key = conf_key("all", "send_redirects");
  if (auto v = value_of(values, all_redirects_key); v && *v != 0)
    wrong(all_redirects_key, *v, 0,
          "send_redirects=" + std::to_string(*v) +
              " for all interfaces (the kernel sends redirects if conf.all or the interface says so): " + kBypass);
  const auto default_redirects_key = conf_key("default", "send_redirects");
  if (auto v = value_of(values, default_redirects_key); v && *v != 0)
    wrong(default_redirects_key, *v, 0,
          "send_redirects=" + std::to_string(*v) +
              " for interfaces added later (a second NIC, a tunnel): on those " + kBypass);
  for (const auto& i : interfaces) {
    const auto key = conf_key(i, "send_redirects");
    if (auto v = value_of(values, key); v && *v != 0)
      wrong(key, *v, 0, "send_redirects=" + std::to_string(*v) + " on " + i + ": " + kBypass);
  }

  // IN_DEV_RPFILTER is max(conf.all, conf.IFACE); only 1 is strict. The fix is
  // conf.IFACE=2, which outranks conf.all=1 (see the header).
  const auto all_rp = value_of(values, conf_key("all", "rp_filter"));
  for (const auto& i : interfaces) {
    const auto key = conf_key(i, "rp_filter");
    const auto own = value_of(values, key);
    if (!own) continue;
    const int effective = std::max(*own, all_rp.value_or(0));
    if (effective != kStrictRpFilter) continue;
    std::string source = *own == kStrictRpFilter ? "rp_filter=1 on " + i
                                                  : "rp_filter on " + i + " is strict through conf.all.rp_filter=1 (the kernel uses the larger of conf.all and " + i + ")";
    wrong(key, *own, kLooseRpFilter,
          source + ": strict reverse-path filtering drops hairpinned packets whenever the route back to their "
                   "source leaves by another interface; loose (2) keeps the hairpin");
  }
  return findings;
}

std::vector<std::string> select_forwarding_interfaces(const std::vector<InterfaceEntry>& addresses) {
  std::vector<std::string> names;
  for (const auto& a : addresses)
    if (a.up && !a.loopback && a.ipv4) names.push_back(a.name);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

}  // namespace hairpin::bgpd
