// `hairpin lint FILE [--ars-limit N] [--gateway-subnet P] [--json]`: the known traps
// of an FRR-style NVA config (bgpd/lint/config_lint.hpp, docs/bgpd.md "Lint").
// Text: "FILE:LINE: error|warning: [rule] message" per finding, sorted by line, then
// a summary line; --json: an array of findings. Exit 1 on any error, 0 with
// warnings only or none, 2 when the file cannot be read or the parser refuses it.

#include <iostream>

#include "commands.hpp"
#include "hairpin/bgpd/config/config.hpp"
#include "hairpin/bgpd/lint/config_lint.hpp"
#include "hairpin/common/file_io.hpp"

namespace hairpin::cli {

namespace {

struct LintArgs {
  std::string file;
  std::uint32_t ars_limit = 1000;
  std::string gateway_subnet;
  bool json = false;
};

int run(const LintArgs& a) {
  bgpd::LintOptions options;
  options.ars_route_limit = a.ars_limit;
  if (!a.gateway_subnet.empty()) {
    options.gateway_subnet = Ipv4Prefix::parse(a.gateway_subnet);
    if (!options.gateway_subnet)
      throw UserError{"--gateway-subnet '" + a.gateway_subnet + "' is not a prefix: write it like 10.0.200.0/24",
                      kExitUsage};
  }
  auto text = read_whole_file(a.file);
  if (!text) throw UserError{"cannot read " + a.file + ": check the path and permissions", kExitUsage};
  auto parsed = bgpd::parse_frr_config(text.value(), a.file);
  if (!parsed)
    throw UserError{"not a config the NVA's parser accepts: " + parsed.error().to_string(), kExitUsage};
  const auto findings = bgpd::lint_config(parsed.value(), options);
  std::cout << (a.json ? bgpd::lint_report_json(a.file, findings) : bgpd::lint_report_text(a.file, findings));
  return bgpd::has_errors(findings) ? kExitFail : kExitOk;
}

}  // namespace

void register_lint_commands(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<LintArgs>();
  auto* lint = app.add_subcommand("lint", "known traps in an FRR-style NVA config: line, why, fix");
  lint->add_option("FILE", args->file, "FRR-style config file (frr.conf subset)")->required();
  lint->add_option("--ars-limit", args->ars_limit, "routes ARS accepts from one NVA peer (1000, raisable to 4000)")
      ->check(checked_by(CLI::Range(1, 100000), "must be 1-100000"))
      ->capture_default_str();
  lint->add_option("--gateway-subnet", args->gateway_subnet,
                   "the GatewaySubnet (ExpressRoute gateway instances, ARS's next hops), e.g. 10.0.200.0/24");
  lint->add_flag("--json", args->json, "print the findings as a JSON array (docs/bgpd.md, Lint)");
  lint->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace hairpin::cli
