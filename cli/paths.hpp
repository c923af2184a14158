#pragma once
// Finding hairpin's own data (the default topology and NVA configs under
// fixtures/) from wherever the binary runs.
//
// In:  a relative name ("fixtures/configs/nva-fixed.frr"), where the executable
//      is, the HAIRPIN_DATA_DIR override, and where this build came from.
// Out: the file's path, or one line naming every place looked in and the fix.
// Who: `hairpin lab up` (its defaults); a user's own --topology / --nva-config
//      paths are taken as given, relative to the current directory.
//
// Order: HAIRPIN_DATA_DIR when set (and then only there); else the installed
// data beside the executable (BINDIR/../share/hairpin, as `cmake --install`
// lays it out); else, for a binary inside its build tree, the source tree.

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "hairpin/common/result.hpp"

namespace hairpin::cli {

// The running executable's path.
inline std::string self_executable() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("hairpin") : p.string();
}

struct DataLookup {
  std::optional<std::string> env_dir;  // HAIRPIN_DATA_DIR
  std::string executable;              // /proc/self/exe
  std::string install_relative;        // from the executable's dir to the data: "../share/hairpin"
  std::string build_dir;               // this build's binary dir
  std::string source_dir;              // this build's source tree
};

// The directories to look in, in order.
inline std::vector<std::string> data_dir_candidates(const DataLookup& l) {
  namespace fs = std::filesystem;
  if (l.env_dir) return {*l.env_dir};
  const fs::path exe_dir = fs::path(l.executable).parent_path();
  std::vector<std::string> out{(exe_dir / l.install_relative).lexically_normal().string()};
  const auto build = fs::path(l.build_dir).lexically_normal().string();
  const auto exe = fs::path(l.executable).lexically_normal().string();
  if (!build.empty() && exe.rfind(build + "/", 0) == 0) out.push_back(l.source_dir);
  return out;
}

inline Result<std::string> find_data_file(const std::string& relative, const DataLookup& l) {
  namespace fs = std::filesystem;
  const auto dirs = data_dir_candidates(l);
  std::string looked;
  for (const auto& dir : dirs) {
    const auto path = (fs::path(dir) / relative).string();
    if (fs::exists(path)) return path;
    looked += (looked.empty() ? "" : ", ") + path;
  }
  return Error{"hairpin's data file is missing (looked in " + looked + ")", relative,
               l.env_dir ? "HAIRPIN_DATA_DIR must name a directory holding fixtures/ (unset it to use the installed data)"
                         : "reinstall hairpin (cmake --install), or set HAIRPIN_DATA_DIR to a directory holding "
                           "fixtures/ (e.g. the source tree)"};
}

#ifdef HAIRPIN_INSTALL_DATA_RELATIVE
// This binary's lookup: its own location, the environment, and how it was built.
inline DataLookup this_binary_lookup() {
  DataLookup l;
  if (const char* env = std::getenv("HAIRPIN_DATA_DIR"); env && *env) l.env_dir = env;
  l.executable = self_executable();
  l.install_relative = HAIRPIN_INSTALL_DATA_RELATIVE;
  l.build_dir = HAIRPIN_BUILD_DIR;
  l.source_dir = HAIRPIN_SOURCE_DIR;
  return l;
}
#endif

}  // namespace hairpin::cli
