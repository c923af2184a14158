#pragma once
// Each subcommand family lives in its own file and registers itself on the app.
// A registration returns the exit code holder its callbacks fill in.

#include <CLI/CLI.hpp>

namespace hairpin::cli {

// Exit codes shared by every command (DESIGN.md): 0 pass, 1 fail, 2 could not run.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFail = 1;
inline constexpr int kExitUsage = 2;

// Thrown by a command to stop with one user-facing line and an exit code.
struct UserError {
  std::string line;
  int exit_code = kExitUsage;
};

void register_lab_commands(CLI::App& app, int& exit_code);
void register_trace_commands(CLI::App& app, int& exit_code);
void register_nva_commands(CLI::App& app, int& exit_code);
void register_capture_commands(CLI::App& app, int& exit_code);

}  // namespace hairpin::cli
