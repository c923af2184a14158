// `hairpin lab up | down | status | exec | restart`: the emulated Azure design in
// namespaces. The NVA is the built-in one (`hairpin nva`, this same binary, found
// through /proc/self/exe) unless `--nva frr`.

#include <unistd.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "hairpin/bgpd/config/config.hpp"
#include "hairpin/common/file_io.hpp"
#include "hairpin/verifier/lab/delay_line.hpp"
#include "hairpin/verifier/lab/lab_runner.hpp"
#include "hairpin/verifier/lab/nva_config_fit.hpp"
#include "hairpin/verifier/lab/process.hpp"
#include "paths.hpp"

namespace hairpin::cli {

namespace v = hairpin::verifier;

namespace {

const std::string kStateDir = "/run/hairpin/lab";

[[noreturn]] void fail(const Error& e, int code = kExitUsage) { throw UserError{e.to_string(), code}; }

void require(const Status& s) {
  if (!s) fail(s.error());
}

// A default shipped with hairpin (fixtures/...), wherever hairpin runs from.
std::string data_file(const std::string& relative) {
  auto path = find_data_file(relative, this_binary_lookup());
  if (!path) fail(path.error());
  return std::move(path.value());
}

std::string read_config(const std::string& path) {
  auto text = read_whole_file(path);
  if (!text) fail(Error{"cannot read NVA config", path, "check the path (see fixtures/configs/)"});
  return std::move(text.value());
}

// What the lab needs to know of an NVA config, read with the NVA's own parser.
v::NvaConfigFacts nva_config_facts(const std::string& text, const std::string& source) {
  v::NvaConfigFacts facts;
  auto parsed = bgpd::parse_frr_config(text, source);
  if (!parsed) {
    facts.parse_error = parsed.error().to_string();
    return facts;
  }
  if (const auto& bgp = parsed->config.bgp) {
    facts.asn = bgp->asn;
    for (const auto& n : bgp->neighbors) facts.neighbors.push_back({n.address, n.remote_as, n.shutdown, n.remote_as_external});
    for (const auto& n : bgp->networks) facts.networks.push_back(n.prefix);
  }
  return facts;
}

struct UpArgs {
  std::string topology;
  std::string nva = "builtin";
  std::string nva_config;
  std::vector<std::string> faults;
  double delay_ms = -1;
  bool force = false;
  int timeout_s = 60;
};

void lab_up(const UpArgs& args) {
  v::UpRequest request;
  request.topology_path = args.topology.empty() ? data_file("fixtures/topologies/seed.yaml") : args.topology;
  request.force = args.force;
  request.timeout = std::chrono::seconds(args.timeout_s);
  auto& o = request.options;
  o.state_dir = kStateDir;
  o.hairpin_binary = self_executable();
  auto kind = v::parse_nva_kind(args.nva);
  if (!kind) fail(kind.error());
  o.nva = *kind;
  for (const auto& name : args.faults) {
    auto fault = v::parse_fault(name);
    if (!fault) fail(fault.error());
    o.faults.insert(*fault);
  }
  if (args.delay_ms >= 0) o.delay_ms = args.delay_ms;
  if (o.faults.contains(v::Fault::SeedVerbatim)) {
    if (!args.nva_config.empty())
      fail(Error{"--fault seed-verbatim runs the seed's own config", "--nva-config", "drop one of the two"});
    request.nva_config_path = data_file("fixtures/configs/nva-seed.frr");
  } else {
    request.nva_config_path =
        args.nva_config.empty() ? data_file("fixtures/configs/nva-fixed.frr") : args.nva_config;
  }
  o.nva_config_source = request.nva_config_path;
  o.nva_config_text = read_config(request.nva_config_path);
  // The shipped configs are the seed's: on another topology, without --nva-config,
  // the lab writes the same design for that topology (nva_config_fit.hpp).
  if (auto topology = v::load_topology(request.topology_path)) {
    auto choice = v::choose_nva_config(*topology, o.nva_config_text, request.nva_config_path, !args.nva_config.empty(),
                                       o.faults.contains(v::Fault::SeedVerbatim),
                                       nva_config_facts(o.nva_config_text, request.nva_config_path));
    for (const auto& note : choice.notes) std::cout << note << "\n";
    o.nva_config_text = std::move(choice.text);
    o.nva_config_source = request.nva_config_path = choice.source;
  }  // a topology that does not load is said by lab_up, with its file:line
  // The built-in NVA would refuse a config it cannot parse at start: say so before
  // building anything (its warnings, e.g. the lo trap, go to its log in the lab).
  if (o.nva == v::NvaKind::Builtin && !o.faults.contains(v::Fault::NvaDown)) {
    auto parsed = bgpd::parse_frr_config(o.nva_config_text, request.nva_config_path);
    if (!parsed) fail(parsed.error());
  }

  auto status = v::lab_up(request, std::cout);
  if (!status) fail(status.error());
  std::cout << v::format_status_text(*status);
  if (!status->converged()) {
    std::cout.flush();
    throw UserError{"the lab did not converge within " + std::to_string(args.timeout_s) +
                        " s; it is left up for inspection (hairpin lab status), hairpin lab down removes it",
                    kExitFail};
  }
}

}  // namespace

void register_lab_commands(CLI::App& app, int& exit_code) {
  auto* lab = app.add_subcommand("lab", "the emulated Azure hairpin design, in network namespaces");
  lab->require_subcommand(1);

  auto up_args = std::make_shared<UpArgs>();
  auto* up = lab->add_subcommand("up", "build the lab, start BIRD (Azure side) and the NVA, wait for BGP");
  up->add_option("--topology", up_args->topology, "topology YAML")->default_str("fixtures/topologies/seed.yaml");
  up->add_option("--nva", up_args->nva, "NVA implementation: builtin (hairpin nva) or frr")->capture_default_str();
  up->add_option("--nva-config", up_args->nva_config, "NVA config")->default_str("fixtures/configs/nva-fixed.frr");
  std::string fault_help = "inject a fault (repeatable):";
  for (auto f : v::all_faults()) fault_help += "\n  " + v::to_string(f) + ": " + v::describe(f);
  up->add_option("--fault", up_args->faults, fault_help);
  up->add_option("--delay", up_args->delay_ms, "one-way delay per circuit in ms (seed: 45)")
      ->check(CLI::Range(0.0, 10000.0))
      ->default_str("the topology's delay_ms");
  up->add_flag("--force", up_args->force, "rebuild the lab if it is already up");
  up->add_option("--timeout", up_args->timeout_s, "seconds to wait for BGP to converge")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  up->callback([up_args] { lab_up(*up_args); });

  auto restart_node = std::make_shared<std::string>();
  auto restart_timeout = std::make_shared<int>(60);
  auto* restart = lab->add_subcommand(
      "restart",
      "start a node's daemon again in its existing namespace (stopping it first if it runs), then wait for BGP");
  restart->add_option("node", *restart_node, "node name (e.g. vm-hub00, ars0)")->required();
  restart->add_option("--timeout", *restart_timeout, "seconds to wait for BGP to converge again")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  restart->callback([restart_node, restart_timeout] {
    v::RestartRequest request{kStateDir, *restart_node, self_executable(), std::chrono::seconds(*restart_timeout)};
    auto status = v::lab_restart(request, std::cout);
    if (!status) fail(status.error());
    std::cout << v::format_status_text(*status);
    if (!status->converged()) {
      std::cout.flush();
      throw UserError{*restart_node + " restarted, but the lab did not converge within " +
                          std::to_string(*restart_timeout) + " s (hairpin lab status lists what is missing)",
                      kExitFail};
    }
  });

  auto* down = lab->add_subcommand("down", "remove every namespace, process and file of the lab (idempotent)");
  down->callback([] { require(v::lab_down(kStateDir, std::cout)); });

  auto json_out = std::make_shared<bool>(false);
  auto* status = lab->add_subcommand("status", "nodes, BGP sessions and key routes");
  status->add_flag("--json", *json_out, "machine-readable output");
  status->callback([json_out, &exit_code] {
    require(v::check_lab_privileges());
    auto s = v::lab_status(kStateDir);
    if (!s) fail(s.error());
    std::cout << (*json_out ? v::format_status_json(*s) : v::format_status_text(*s));
    exit_code = s->converged() ? kExitOk : kExitFail;
  });

  auto node = std::make_shared<std::string>();
  auto command = std::make_shared<std::vector<std::string>>();
  auto* exec = lab->add_subcommand("exec", "run a command in a node's namespace: hairpin lab exec NODE -- CMD...");
  exec->add_option("node", *node, "node name (e.g. vm-hub100, vm-hub00, ergw, ars0)")->required();
  exec->add_option("command", *command, "the command and its arguments")->required();
  exec->callback([node, command] {
    require(v::check_lab_privileges());
    auto ns = v::lab_namespace_of(kStateDir, *node);
    if (!ns) fail(ns.error());
    std::vector<std::string> argv{"ip", "netns", "exec", *ns};
    argv.insert(argv.end(), command->begin(), command->end());
    std::cout.flush();
    fail(v::replace_process(argv));
  });

  // Internal: the userspace delay line the lab starts when the kernel has no netem.
  auto dl = std::make_shared<v::DelayLineOptions>();
  auto delay_ms = std::make_shared<double>(0);
  auto* line = lab->add_subcommand("delay-line", "")->group("");  // hidden
  line->add_option("--a", dl->a)->required();
  line->add_option("--b", dl->b)->required();
  line->add_option("--delay-ms", *delay_ms)->required();
  line->add_option("--pidfile", dl->pidfile);
  line->add_option("--log", dl->log);
  line->callback([dl, delay_ms] {
    dl->delay = std::chrono::nanoseconds(static_cast<long long>(*delay_ms * 1e6));
    require(v::run_delay_line(*dl));
  });
}

}  // namespace hairpin::cli
