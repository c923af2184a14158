// `hairpin nva --config FILE --check`: reads an FRR-style config with the NVA's
// parser, prints each warning as "FILE:LINE: warning: ..." on stderr and the
// normalised config on stdout. Exit 0 valid, 1 invalid config, 2 unreadable file.
// The daemon mode (without --check) arrives with the session layer; until then
// --check is required rather than pretending to run.

#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "hairpin/bgpd/config.hpp"

namespace hairpin::cli {

namespace {

struct NvaArgs {
  std::string config;
  bool check = false;
};

int run_check(const NvaArgs& a) {
  std::ifstream in(a.config);
  if (!in) throw UserError{"cannot read " + a.config + ": check the path and permissions", kExitUsage};
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = bgpd::parse_frr_config(text.str(), a.config);
  if (!parsed) throw UserError{parsed.error().to_string(), kExitFail};
  for (const auto& w : parsed->warnings)
    std::cerr << a.config << ':' << w.line << ": warning: " << w.message << '\n';
  std::cout << bgpd::print_frr_config(parsed->config);
  return kExitOk;
}

}  // namespace

void register_nva_commands(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<NvaArgs>();
  auto* nva = app.add_subcommand("nva", "the built-in NVA: BGP speaker with an FRR-style config");
  nva->add_option("--config", args->config, "FRR-style config file (frr.conf subset)")->required();
  nva->add_flag("--check", args->check, "validate the config and print it normalised, then exit")->required();
  nva->callback([args, &exit_code] { exit_code = run_check(*args); });
}

}  // namespace hairpin::cli
