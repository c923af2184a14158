#include "hairpin/verifier/gather/evidence_log.hpp"

#include <chrono>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "hairpin/common/file_io.hpp"

namespace hairpin::verifier {

std::int64_t unix_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string EvidenceLog::round_dir(int round) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "round-%03d", round);
  return buf;
}

Result<std::string> EvidenceLog::write(const std::string& relative, const std::string& content) {
  const std::string path = dir_ + "/" + relative;
  std::lock_guard lock(mutex_);  // one writer per directory at a time keeps the fsyncs apart
  if (auto s = write_file_atomically(path, content); !s) {
    // The cause's own fix when it has one worth more than ours (disk full: free space).
    const bool full = s.error().fix.rfind("disk full", 0) == 0;
    return Error{"cannot keep evidence: " + s.error().what, path,
                 full ? s.error().fix + " (--evidence DIR)" : "give --evidence a directory you can write"};
  }
  return path;
}

Result<std::string> EvidenceLog::record(int round, const std::string& label, const std::string& runner,
                                        const std::vector<std::string>& argv, const Result<RunOutput>& result,
                                        std::int64_t started_unix_ns) {
  const std::string base = round_dir(round) + "/" + label;
  nlohmann::json doc{{"label", label}, {"runner", runner}, {"argv", argv}, {"started_unix_ns", started_unix_ns}};
  std::string out;
  if (result) {
    const auto& r = *result;
    doc["exit_code"] = r.exit_code;
    doc["ending"] = to_string(r.ending);
    doc["duration_ms"] = r.duration.count();
    // Tools' stderr is text; bytes that are not UTF-8 are replaced so the record stays JSON.
    doc["stderr"] = r.err;
    doc["stdout_file"] = label + ".out";
    doc["stdout_bytes"] = r.out.size();
    out = r.out;
  } else {
    doc["error"] = result.error().to_string();
  }
  auto wrote_out = write(base + ".out", out);
  if (!wrote_out) return wrote_out.error();
  auto wrote = write(base + ".json", doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  if (!wrote) return wrote.error();
  return *wrote_out;
}

}  // namespace hairpin::verifier
