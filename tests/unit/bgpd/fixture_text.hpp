#pragma once
// Test helpers for config texts: a fixture file by its name under fixtures/, and
// the line number a needle stands on (what a finding or warning must point at).

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace hairpin::bgpd::test {

inline std::string read_fixture(const std::string& path) {
  std::ifstream in(std::string(HAIRPIN_FIXTURES_DIR) + "/" + path);
  EXPECT_TRUE(in.good()) << "missing fixtures/" << path;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// 1-based; a needle that stands on no line fails the test.
inline int line_of(const std::string& text, const std::string& needle) {
  std::istringstream in(text);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n)
    if (line.find(needle) != std::string::npos) return n;
  ADD_FAILURE() << "no line with '" << needle << "'";
  return -1;
}

}  // namespace hairpin::bgpd::test
