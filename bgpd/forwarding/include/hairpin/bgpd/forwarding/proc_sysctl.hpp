#pragma once
// The forwarding preflight against the kernel: reads the keys of
// forwarding_preflight.hpp from /proc/sys for the current network namespace
// (ip_forward and conf.* are per namespace), and with `apply` writes the values
// the findings require.
//
// In:  the interfaces to check (empty: forwarding_interfaces(), from getifaddrs),
//      whether to apply, a log stream; a SysctlAccess (the real /proc/sys by
//      default, a fake in tests).
// Out: log lines, each starting "hairpin nva: ":
//        warning: KEY=V (needs R): why; fix: sysctl -w KEY=R     (one per finding)
//        set KEY=R (was V)                                       (--apply-sysctls)
//        warning: cannot read KEY: ...; not checked              (key unreadable)
//      and a Status: an error, for the caller to print as one line and exit
//      non-zero, when a write fails (EACCES/EPERM: not root; EROFS: /proc/sys
//      read-only, as in a container) or a value is still wrong after writing,
//      or an interface the caller named does not exist.
// Who: `hairpin nva` at start (cli/nva_command.cpp), before the daemon runs.

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "hairpin/bgpd/forwarding/forwarding_preflight.hpp"
#include "hairpin/common/result.hpp"

namespace hairpin::bgpd {

// One sysctl by its sysctl(8) name, from /proc/sys (proc_sys_path()).
Result<int> read_sysctl(const std::string& key);
// Writes the whole value in one write(2), as sysctl -w does.
Status write_sysctl(const std::string& key, int value);

// The error for a write that failed with `err` (an errno): what, where, fix.
Error sysctl_write_error(const std::string& key, int value, int err);

// Up, non-loopback interfaces with an IPv4 address in this namespace (getifaddrs).
std::vector<std::string> forwarding_interfaces();

struct SysctlAccess {
  std::function<Result<int>(const std::string& key)> read = read_sysctl;
  std::function<Status(const std::string& key, int value)> write = write_sysctl;
};

struct PreflightOptions {
  std::vector<std::string> interfaces;  // empty: forwarding_interfaces()
  bool apply = false;                   // --apply-sysctls
};

// Checks (and with `apply`, fixes) the forwarding sysctls; see the header block.
// With `apply`, the values are read back and judged again: anything still wrong
// is an error.
Status run_forwarding_preflight(const PreflightOptions& options, std::ostream& log, const SysctlAccess& access = {});

}  // namespace hairpin::bgpd
