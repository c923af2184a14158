#pragma once
// Whole-file reads and all-or-nothing writes, for configs, topologies, state
// and pidfiles. A reader sees a file complete or not at all: writes go to a
// temp name beside it and are renamed into place when complete.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "hairpin/common/result.hpp"

namespace hairpin {

inline Result<std::string> read_whole_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error{"cannot read file", path, "check the path and permissions"};
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

inline Status write_file_atomically(const std::string& path, const std::string& content) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  const auto tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << content;
    if (!out.flush()) {
      std::remove(tmp.c_str());
      return Error{"cannot write file", path, "check free space and permissions"};
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return Error{"cannot rename into place", path, "check permissions"};
  }
  return Ok{};
}

}  // namespace hairpin
