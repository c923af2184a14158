#pragma once
// Least privilege for the commands that start as root: once their sockets are
// open, keep only the capabilities the rest of the run needs.
//
// In:  the capabilities to keep (drop_to); /proc/PID/status text (parse_proc_status).
// Out: the calling process reduced to those capabilities (at most) in its
//      effective and permitted sets, none inheritable or ambient, the bounding
//      set cut to the same list, and no_new_privs set (so no later execve can
//      gain anything: setuid bits and file capabilities are ignored); or an Error
//      saying what could not be dropped. The uid stays 0: files under /run/hairpin
//      are root's and stay reachable by their mode bits, but without
//      CAP_DAC_OVERRIDE root no longer writes where the mode bits do not let it.
// Who calls it: cli/trace_command.cpp, cli/capture_command.cpp, cli/nva_command.cpp
//      (docs/security.md: which command keeps what, and the tests that check it).
// Linux keeps capabilities per thread: drop_to refuses to run once the process
// has a second thread, since the others would keep theirs.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "hairpin/common/result.hpp"

namespace hairpin {

enum class Capability { NetAdmin, NetRaw, NetBindService };

// CAP_NET_ADMIN, ...: the kernel's name.
std::string_view capability_name(Capability c);
// The capability's bit in /proc/PID/status masks (capability(7) numbers).
std::uint64_t capability_bit(Capability c);

// The process's capability sets as /proc/PID/status shows them (CapInh, CapPrm,
// CapEff, CapBnd, CapAmb: hex masks) and its NoNewPrivs flag.
struct ProcessPrivileges {
  std::uint64_t inheritable = 0, permitted = 0, effective = 0, bounding = 0, ambient = 0;
  bool no_new_privs = false;
};
Result<ProcessPrivileges> parse_proc_status(std::string_view status_text);
// /proc/self/status, parsed.
Result<ProcessPrivileges> current_privileges();

// Keeps `keep`, or those of it the process holds (it never gains one: a service
// started with fewer capabilities keeps fewer), and nothing else; then reads
// /proc/self/status back and fails if the kernel shows anything else. Without
// CAP_SETPCAP (a non-root user given file capabilities) the bounding set cannot
// be cut; no_new_privs still stops any execve from gaining.
Status drop_to(std::initializer_list<Capability> keep);

}  // namespace hairpin
