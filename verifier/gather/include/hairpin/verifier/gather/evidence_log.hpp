#pragma once
// Evidence log: every command verify ran, kept as files in --evidence DIR.
//
// In:  each command's label, runner, argv and what it did (RunOutput), or the
//      Error that kept it from running; other files (pcaps, evidence.json).
// Out: DIR/round-NNN/LABEL.out (its stdout, raw bytes) and LABEL.json (runner,
//      argv, exit code, how it ended, duration, start time, stderr); each file
//      written whole (temp + rename), so a reader or an interrupted run never
//      sees half a file. Thread-safe: the steps of a round record concurrently.
// Who: gather.cpp; the CLI adds its report.

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "hairpin/common/result.hpp"
#include "hairpin/verifier/runner/subprocess.hpp"

namespace hairpin::verifier {

std::int64_t unix_now_ns();

class EvidenceLog {
 public:
  explicit EvidenceLog(std::string dir) : dir_(std::move(dir)) {}
  const std::string& dir() const { return dir_; }
  // "round-001"
  static std::string round_dir(int round);

  // Keeps one command and returns the path of its stdout file.
  Result<std::string> record(int round, const std::string& label, const std::string& runner,
                             const std::vector<std::string>& argv, const Result<RunOutput>& result,
                             std::int64_t started_unix_ns);
  // Any other file, relative to DIR.
  Result<std::string> write(const std::string& relative, const std::string& content);

 private:
  std::string dir_;
  std::mutex mutex_;
};

}  // namespace hairpin::verifier
