#pragma once
// Forwarding preflight: are the kernel's IPv4 settings right for an NVA that
// hairpins traffic out of the interface it came in on (DESIGN.md, Traps)?
//
// In:  the sysctl values read from /proc/sys for the current network namespace
//      (SysctlValues, by sysctl(8) name), and the interfaces the NVA forwards on
//      (its BGP addresses: by default every up, non-loopback interface with an
//      IPv4 address, select_forwarding_interfaces()).
// Out: one SysctlFinding per key whose value is wrong: the key, its value, the
//      value it needs, one line of why, and the `sysctl -w` that fixes it.
// Who: `hairpin nva` at start, before any session (cli/nva_command.cpp), through
//      proc_sysctl.hpp, which reads the values and, with --apply-sysctls, writes
//      the findings' required values.
//
// The rules, judged as the kernel judges (net/ipv4/devinet.c, fib_frontend.c):
//
//  - net.ipv4.ip_forward must be 1, or every hairpinned packet is dropped.
//    (Writing it also sets conf.*.forwarding on every interface.)
//
//  - send_redirects must be 0 on the NVA's interfaces. The kernel sends an ICMP
//    redirect on an interface when conf.all OR conf.IFACE is 1
//    (IN_DEV_TX_REDIRECTS = IN_DEV_ORCONF), so both must be 0: each key that is 1
//    is a finding of its own. A single-NIC NVA forwards a hairpinned packet back
//    out of the interface it arrived on, towards a next hop on the same subnet,
//    which is exactly when Linux sends a redirect: the ERGW would be told to
//    send straight to the other site, bypassing the NVA. conf.default is what
//    an interface added later (a second NIC, a tunnel) starts with, so it must
//    be 0 too.
//
//  - rp_filter must not be strict on the NVA's interfaces. The kernel uses
//    max(conf.all, conf.IFACE) (IN_DEV_MAXCONF), and only the value 1 is strict.
//    Strict drops a packet when the best route back to its source does not leave
//    by the interface it came in on. A single-NIC NVA passes that while the
//    route back is via the same NIC, but drops the hairpin as soon as it is not:
//    a second NIC (the usual trusted/untrusted pair), a site route learned or
//    installed towards another interface, or the window before the site's route
//    is in the kernel, when the only route back is a default via another NIC.
//    0 (off) and 2 (loose: the source must be reachable by some interface) are
//    both fine. The fix is always conf.IFACE=2: as the larger value it wins over
//    conf.all=1, so one interface is fixed without turning rp_filter off for the
//    whole host, and loose keeps dropping sources there is no route to at all.
//    Loose still wants a unicast route back to the source: a site covered only
//    by the NVA's supernet blackhole is dropped until its /16 is learned.
//
// Keys that could not be read are absent from SysctlValues and not judged; the
// reader reports them (proc_sysctl.hpp).

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace hairpin::bgpd {

// Sysctl values by sysctl(8) name ("net.ipv4.conf.eth0.send_redirects").
using SysctlValues = std::map<std::string, int>;

// "net.ipv4.conf.IFACE.LEAF" as sysctl(8) spells it: a '.' in the interface name
// (a VLAN, eth0.100) becomes '/', so "net.ipv4.conf.eth0/100.rp_filter".
std::string conf_key(std::string_view interface, std::string_view leaf);

// The /proc/sys file of a sysctl(8) name: '.' separates path parts and '/'
// stands for a '.' inside one (sysctl(8)), so
// "net.ipv4.conf.eth0/100.rp_filter" -> "/proc/sys/net/ipv4/conf/eth0.100/rp_filter".
std::string proc_sys_path(std::string_view key);

// Every key check_forwarding() judges for these interfaces, in the order its
// findings come out: ip_forward; send_redirects for all, default, each
// interface; rp_filter for all, each interface.
std::vector<std::string> preflight_keys(const std::vector<std::string>& interfaces);

struct SysctlFinding {
  std::string key;   // the key to change, sysctl(8) name
  int current = 0;   // its value now
  int required = 0;  // the value the fix writes
  std::string why;   // one line: what goes wrong for the hairpin

  // "sysctl -w KEY=REQUIRED"
  std::string fix() const;
  // "KEY=CURRENT (needs REQUIRED): WHY; fix: sysctl -w KEY=REQUIRED"
  std::string to_string() const;

  bool operator==(const SysctlFinding&) const = default;
};

// The wrong values among `values` for an NVA forwarding on `interfaces`; empty
// when all is well. Keys absent from `values` are not judged.
std::vector<SysctlFinding> check_forwarding(const SysctlValues& values, const std::vector<std::string>& interfaces);

// One getifaddrs() entry, as far as choosing interfaces needs it.
struct InterfaceEntry {
  std::string name;
  bool up = false;        // IFF_UP
  bool loopback = false;  // IFF_LOOPBACK
  bool ipv4 = false;      // the entry is an AF_INET address
};

// The interfaces that carry the NVA's BGP addresses: up, not loopback, with an
// IPv4 address; each once, sorted by name.
std::vector<std::string> select_forwarding_interfaces(const std::vector<InterfaceEntry>& addresses);

}  // namespace hairpin::bgpd
