// hairpin: one program, many subcommands. This file only wires them together and
// turns errors into one line, "hairpin SUBCOMMAND: message", and an exit code;
// the work lives in the modules, and commands give only the message.

#include <iostream>

#include "commands.hpp"
#include "verify_command.hpp"
#include "verify_controls.hpp"

namespace {

// "hairpin lab up": the program and the subcommands given, for error lines.
std::string command_path(const CLI::App& app) {
  std::string path = "hairpin";
  for (const CLI::App* at = &app; !at->get_subcommands().empty();) {
    at = at->get_subcommands().front();
    path += " " + at->get_name();
  }
  return path;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"hairpin: verify the Azure ExpressRoute hairpin design (NVA + Route Server + supernet + UDR)"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "show help for every subcommand");

  int exit_code = hairpin::cli::kExitOk;
  hairpin::cli::register_lab_commands(app, exit_code);
  hairpin::cli::register_trace_commands(app, exit_code);
  hairpin::cli::register_nva_commands(app, exit_code);
  hairpin::cli::register_capture_commands(app, exit_code);
  hairpin::cli::register_lint_commands(app, exit_code);
  hairpin::cli::register_verify_commands(app, exit_code, hairpin::cli::run_negative_controls);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints help on --help (exit 0); a usage error is one line like any other.
    if (e.get_exit_code() == 0) return app.exit(e);
    std::cerr << command_path(app) << ": " << e.what() << " (see " << command_path(app) << " --help)\n";
    return hairpin::cli::kExitUsage;
  } catch (const hairpin::cli::UserError& e) {
    std::cerr << command_path(app) << ": " << e.line << "\n";
    return e.exit_code;
  } catch (const std::exception& e) {
    std::cerr << command_path(app) << ": " << e.what() << "\n";
    return hairpin::cli::kExitUsage;
  }
  return exit_code;
}
