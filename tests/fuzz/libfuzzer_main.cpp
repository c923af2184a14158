// One libFuzzer binary per target: HAIRPIN_FUZZ_ENTRY names the entry point
// (tests/fuzz/CMakeLists.txt). A broken invariant aborts, so libFuzzer keeps the
// input as a crash reproducer.

#include <cstdio>
#include <cstdlib>

#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (auto finding = hairpin::fuzz::HAIRPIN_FUZZ_ENTRY(std::span<const std::uint8_t>(data, size))) {
    std::fprintf(stderr, "hairpin fuzz: invariant broken: %s\n", finding->c_str());
    std::abort();
  }
  return 0;
}
