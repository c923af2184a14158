// `hairpin nva --config FILE [--check]`: reads an FRR-style config with the NVA's
// parser and prints each warning as "FILE:LINE: warning: ..." on stderr. With
// --check it prints the normalised config on stdout and exits: 0 valid, 1 invalid
// config, 2 unreadable file. Without it, checks the forwarding sysctls
// (proc_sysctl.hpp: one warning each, or written with --apply-sysctls; a failed
// write exits 2), then runs the BGP speaker until SIGINT/SIGTERM, driving the
// kernel's routing table over rtnetlink (no CAP_NET_ADMIN: one line, exit 2). On
// SIGTERM/SIGINT its routes are removed, unless --retain keeps them for the next
// run (zebra -r, BIRD `persist`); at start, routes an earlier run left stay until
// End-of-RIB from the peers or --stale-timeout, then what is not wanted is swept.
//
// `hairpin bgp show summary|routes|neighbors ADDR advertised-routes|received-routes
// [--json] [--control-socket PATH]` asks the running NVA over its control socket; --json
// prints the daemon's JSON unchanged (FRR's field names), otherwise vtysh-like text.

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "hairpin/bgpd/config/config.hpp"
#include "hairpin/bgpd/daemon/nva_daemon.hpp"
#include "hairpin/bgpd/daemon/control_client.hpp"
#include "hairpin/bgpd/forwarding/proc_sysctl.hpp"
#include "hairpin/bgpd/show/bgp_show.hpp"
#include "hairpin/common/file_io.hpp"
#include "hairpin/common/privileges.hpp"

namespace hairpin::cli {

namespace {

constexpr const char* kDefaultControlSocket = "/run/hairpin/nva.sock";

struct NvaArgs {
  std::string config;
  bool check = false;
  int port = 179;
  std::string control_socket = kDefaultControlSocket;
  bool apply_sysctls = false;
  std::vector<std::string> forwarding_interfaces;
  bool retain = false;
  int stale_timeout = 120;
};

struct ShowArgs {
  std::string socket = kDefaultControlSocket;
  bool json = false;
  std::string neighbor;
  std::string which;
};

int show(const ShowArgs& a, const std::string& request) {
  auto answer = bgpd::query_control_socket(a.socket, request);
  if (!answer) throw UserError{answer.error().to_string(), kExitUsage};
  if (a.json) std::cout << answer.value().dump(2) << '\n';
  else std::cout << bgpd::show_text(request, answer.value());
  return answer.value().contains("error") ? kExitUsage : kExitOk;
}

int run(const NvaArgs& a) {
  auto text = read_whole_file(a.config);
  if (!text) throw UserError{"cannot read " + a.config + ": check the path and permissions", kExitUsage};
  auto parsed = bgpd::parse_frr_config(text.value(), a.config);
  if (!parsed) throw UserError{parsed.error().to_string(), kExitFail};
  for (const auto& w : parsed->warnings) {
    // Running, the daemon says in full what it does instead of the lo address
    // (nva_daemon.hpp); --check shows the parser's word for it.
    if (!a.check && w.kind == bgpd::ConfigWarning::Kind::LoopbackPrefix) continue;
    std::cerr << a.config << ':' << w.line << ": warning: " << w.message << '\n';
  }
  if (a.check) {
    std::cout << bgpd::print_frr_config(parsed->config);
    return kExitOk;
  }
  // Before any session: a NVA that cannot forward the hairpin should say so first.
  bgpd::PreflightOptions preflight{a.forwarding_interfaces, a.apply_sysctls};
  if (auto checked = bgpd::run_forwarding_preflight(preflight, std::cerr); !checked)
    throw UserError{checked.error().to_string(), kExitUsage};
  bgpd::DaemonOptions options;
  options.bgp_port = static_cast<std::uint16_t>(a.port);
  options.control_socket = a.control_socket;
  options.retain = a.retain;
  options.stale_timeout = std::chrono::seconds{a.stale_timeout};
  // Started (port bound, netlink open, control socket made, sysctls applied):
  // what is left is routes over the open netlink socket (CAP_NET_ADMIN, also for
  // its SO_RCVBUFFORCE when it re-reads after an overrun), TTLs and binds on BGP
  // sockets, and the control socket's unlink at exit in its root-owned directory
  // (no capability as uid 0). docs/security.md; lab.privileges checks it.
  options.after_start = [] {
    return drop_to({Capability::NetAdmin, Capability::NetRaw, Capability::NetBindService});
  };
  // SIGHUP reads the file again; warnings go to stderr like at start.
  auto reload = [path = a.config]() -> Result<bgpd::NvaConfig> {
    auto again = read_whole_file(path);
    // Running without CAP_DAC_OVERRIDE (docs/security.md): root reads the file by its mode bits only.
    if (!again)
      return Error{"cannot read " + path, path,
                   "hairpin nva runs as root without CAP_DAC_OVERRIDE once started: the file must be readable by "
                   "root by its mode bits (owned by root, or world-readable in a reachable directory)"};
    auto p = bgpd::parse_frr_config(again.value(), path);
    if (!p) return p.error();
    for (const auto& w : p->warnings)
      if (w.kind != bgpd::ConfigWarning::Kind::LoopbackPrefix)
        std::cerr << path << ':' << w.line << ": warning: " << w.message << '\n';
    return std::move(p->config);
  };
  return bgpd::run_nva(std::move(parsed->config), options, reload);
}

}  // namespace

void register_nva_commands(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<NvaArgs>();
  auto* nva = app.add_subcommand("nva", "the built-in NVA: BGP speaker with an FRR-style config");
  nva->add_option("--config", args->config, "FRR-style config file (frr.conf subset)")->required();
  auto* check = nva->add_flag("--check", args->check, "validate the config and print it normalised, then exit (no sysctls checked)");
  nva->add_option("--port", args->port, "TCP port for BGP")
      ->check(checked_by(CLI::Range(1, 65535), "must be 1-65535"))
      ->capture_default_str();
  // One name for the control socket in `nva` and `bgp show`; --socket is its alias.
  nva->add_option("--control-socket,--socket", args->control_socket, "unix socket for 'hairpin bgp show', mode 0600")
      ->capture_default_str();
  nva->add_flag("--apply-sysctls", args->apply_sysctls,
                "set ip_forward=1, send_redirects=0 and a loose rp_filter where they are wrong (needs root)")
      ->excludes(check);
  nva->add_option("--forwarding-interface", args->forwarding_interfaces,
                  "an interface whose sysctls the preflight checks (repeat; default: every up interface with IPv4)");
  nva->add_flag("--retain", args->retain,
                "on SIGTERM/SIGINT leave the NVA's routes in the kernel (as zebra -r); the next run sweeps what it "
                "no longer wants once its sessions converge")
      ->excludes(check);
  nva->add_option("--stale-timeout", args->stale_timeout,
                  "seconds routes left by an earlier run wait for End-of-RIB from the peers before the sweep")
      ->check(checked_by(CLI::Range(1, 3600), "must be 1-3600 seconds"))
      ->capture_default_str();
  nva->callback([args, &exit_code] { exit_code = run(*args); });

  auto show_args = std::make_shared<ShowArgs>();
  auto* bgp = app.add_subcommand("bgp", "the running NVA's BGP state (over its control socket)");
  bgp->require_subcommand(1);
  auto* show_cmd = bgp->add_subcommand("show", "show peers and routes, like vtysh; --json for FRR-style JSON");
  show_cmd->require_subcommand(1);
  auto common = [show_args](CLI::App* c) {
    c->add_flag("--json", show_args->json, "print JSON (FRR's field names)");
    c->add_option("--control-socket,--socket", show_args->socket, "the NVA's control socket (hairpin nva --control-socket)")
        ->capture_default_str();
  };
  auto* summary = show_cmd->add_subcommand("summary", "peers, their state and prefix counts");
  common(summary);
  summary->callback([show_args, &exit_code] { exit_code = show(*show_args, "summary"); });
  auto* routes = show_cmd->add_subcommand("routes", "the Loc-RIB: best path per prefix");
  common(routes);
  routes->callback([show_args, &exit_code] { exit_code = show(*show_args, "routes"); });
  auto* neighbors = show_cmd->add_subcommand("neighbors", "what one peer sent us or got from us");
  common(neighbors);
  neighbors->add_option("address", show_args->neighbor, "neighbor address")->required();
  neighbors->add_option("which", show_args->which, "advertised-routes | received-routes")
      ->required()
      ->check(CLI::IsMember({"advertised-routes", "received-routes"}));
  neighbors->callback([show_args, &exit_code] {
    exit_code = show(*show_args, "neighbors " + show_args->neighbor + " " + show_args->which);
  });
}

}  // namespace hairpin::cli
