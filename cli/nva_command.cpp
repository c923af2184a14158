// `hairpin nva --config FILE [--check]`: reads an FRR-style config with the NVA's
// parser and prints each warning as "FILE:LINE: warning: ..." on stderr. With
// --check it prints the normalised config on stdout and exits: 0 valid, 1 invalid
// config, 2 unreadable file. Without it, runs the BGP speaker until SIGINT/SIGTERM.

#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "hairpin/bgpd/config.hpp"
#include "hairpin/bgpd/nva_daemon.hpp"

namespace hairpin::cli {

namespace {

struct NvaArgs {
  std::string config;
  bool check = false;
  int port = 179;
};

int run(const NvaArgs& a) {
  if (a.port < 1 || a.port > 65535) throw UserError{"--port must be 1-65535", kExitUsage};
  std::ifstream in(a.config);
  if (!in) throw UserError{"cannot read " + a.config + ": check the path and permissions", kExitUsage};
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = bgpd::parse_frr_config(text.str(), a.config);
  if (!parsed) throw UserError{parsed.error().to_string(), kExitFail};
  for (const auto& w : parsed->warnings)
    std::cerr << a.config << ':' << w.line << ": warning: " << w.message << '\n';
  if (a.check) {
    std::cout << bgpd::print_frr_config(parsed->config);
    return kExitOk;
  }
  bgpd::DaemonOptions options;
  options.bgp_port = static_cast<std::uint16_t>(a.port);
  return bgpd::run_nva(std::move(parsed->config), options);
}

}  // namespace

void register_nva_commands(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<NvaArgs>();
  auto* nva = app.add_subcommand("nva", "the built-in NVA: BGP speaker with an FRR-style config");
  nva->add_option("--config", args->config, "FRR-style config file (frr.conf subset)")->required();
  nva->add_flag("--check", args->check, "validate the config and print it normalised, then exit");
  nva->add_option("--port", args->port, "TCP port for BGP (default 179)");
  nva->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace hairpin::cli
