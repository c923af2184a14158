#pragma once
// Each subcommand family lives in its own file and registers itself on the app.
// A registration returns the exit code holder its callbacks fill in.

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

namespace hairpin::cli {

// Exit codes shared by every command (DESIGN.md): 0 pass, 1 fail, 2 could not run.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFail = 1;
inline constexpr int kExitUsage = 2;

// Thrown by a command to stop with one user-facing line and an exit code. The
// line is the message body: main prefixes it once with "hairpin SUBCOMMAND: ".
struct UserError {
  std::string line;
  int exit_code = kExitUsage;
};

// A CLI11 range check (CLI::Range, CLI::NonNegativeNumber, ...) that fails with
// the command's own message, `message(value)`: the check is CLI11's, the words ours.
inline CLI::Validator checked_by(CLI::Validator check, std::function<std::string(const std::string&)> message) {
  return CLI::Validator(
      [check, message](std::string& value) { return check(value).empty() ? std::string() : message(value); },
      check.get_description());
}
inline CLI::Validator checked_by(CLI::Validator check, const std::string& message) {
  return checked_by(std::move(check), [message](const std::string&) { return message; });
}

void register_lab_commands(CLI::App& app, int& exit_code);
void register_trace_commands(CLI::App& app, int& exit_code);
void register_nva_commands(CLI::App& app, int& exit_code);
void register_capture_commands(CLI::App& app, int& exit_code);
void register_lint_commands(CLI::App& app, int& exit_code);

}  // namespace hairpin::cli
