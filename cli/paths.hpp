#pragma once
// Finding the project's own files (fixtures) from wherever hairpin runs.

#include <filesystem>
#include <string>

namespace hairpin::cli {

// The running executable's path.
inline std::string self_executable() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("hairpin") : p.string();
}

// A file shipped under the repository (e.g. "fixtures/topologies/seed.yaml"):
// looked up from the current directory, then beside the executable's build tree.
inline std::string find_project_file(const std::string& relative) {
  namespace fs = std::filesystem;
  if (fs::exists(relative)) return relative;
  fs::path dir = fs::path(self_executable()).parent_path();
  for (int up = 0; up < 4 && !dir.empty(); ++up, dir = dir.parent_path())
    if (fs::exists(dir / relative)) return (dir / relative).string();
  return relative;  // let the caller report it missing, by this name
}

}  // namespace hairpin::cli
