// Every fuzz target's seeds and every input that once broke it
// (tests/fuzz/regressions/<target>/), through the same entry point the libFuzzer
// binary calls, in the normal build: a fixed decoder stays fixed without clang.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "fuzz_target.hpp"

namespace hairpin::fuzz {
void PrintTo(const Target& t, std::ostream* os) { *os << t.name; }

namespace {

class FuzzTarget : public testing::TestWithParam<Target> {};

TEST_P(FuzzTarget, EverySeed_HoldsItsInvariants) {
  const auto seeds = GetParam().seeds(HAIRPIN_FIXTURES_DIR);
  ASSERT_FALSE(seeds.empty()) << "no seeds from " << HAIRPIN_FIXTURES_DIR;  // positive control: inputs were run
  for (const auto& s : seeds) {
    const Finding f = GetParam().entry(s.bytes);
    EXPECT_FALSE(f.has_value()) << GetParam().name << " seed " << s.name << ": " << f.value_or("");
  }
}

std::string regressions_dir(const Target& t) { return std::string(HAIRPIN_FUZZ_REGRESSIONS_DIR) + "/" + t.name; }

// Only the targets that ever broke have regressions; the others are not listed
// (rather than skipped), and a target listed here holds at least one file.
std::vector<Target> targets_with_regressions() {
  std::vector<Target> out;
  for (const auto& t : targets())
    if (!files_in(regressions_dir(t)).empty()) out.push_back(t);
  return out;
}

class FuzzRegressions : public testing::TestWithParam<Target> {};

TEST_P(FuzzRegressions, EveryRegression_HoldsItsInvariants) {
  const auto files = files_in(regressions_dir(GetParam()));
  ASSERT_FALSE(files.empty()) << "no regressions in " << regressions_dir(GetParam());
  for (const auto& path : files) {
    const Bytes input = read_bytes(path);
    const Finding f = GetParam().entry(input);
    EXPECT_FALSE(f.has_value()) << path << ": " << f.value_or("");
  }
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzTarget, testing::ValuesIn(targets()),
                         [](const testing::TestParamInfo<Target>& info) { return std::string(info.param.name); });
INSTANTIATE_TEST_SUITE_P(Targets, FuzzRegressions, testing::ValuesIn(targets_with_regressions()),
                         [](const testing::TestParamInfo<Target>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace hairpin::fuzz
