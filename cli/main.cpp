// hairpin: one program, many subcommands. This file only wires them together and
// turns errors into one line and an exit code; the work lives in the modules.

#include <iostream>

#include "commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"hairpin: verify the Azure ExpressRoute hairpin design (NVA + Route Server + supernet + UDR)"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "show help for every subcommand");

  int exit_code = hairpin::cli::kExitOk;
  hairpin::cli::register_lab_commands(app, exit_code);
  hairpin::cli::register_trace_commands(app, exit_code);
  hairpin::cli::register_nva_commands(app, exit_code);
  hairpin::cli::register_capture_commands(app, exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints help on --help (exit 0) and one error line otherwise.
    int rc = app.exit(e);
    return rc == 0 ? 0 : hairpin::cli::kExitUsage;
  } catch (const hairpin::cli::UserError& e) {
    std::cerr << "hairpin: " << e.line << "\n";
    return e.exit_code;
  } catch (const std::exception& e) {
    std::cerr << "hairpin: " << e.what() << "\n";
    return hairpin::cli::kExitUsage;
  }
  return exit_code;
}
