#pragma once
#include <fstream>
#include <sstream>
#include <string>

inline std::string seed_path() { return std::string(HAIRPIN_SOURCE_DIR) + "/fixtures/topologies/seed.yaml"; }

inline std::string seed_text() {
  std::ifstream in(seed_path());
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// The seed with the first occurrence of `from` replaced by `to`.
inline std::string seed_with(const std::string& from, const std::string& to) {
  auto text = seed_text();
  auto at = text.find(from);
  if (at == std::string::npos) return "MISSING: " + from;
  return text.replace(at, from.size(), to);
}
