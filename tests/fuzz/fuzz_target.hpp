#pragma once
// The fuzz targets: one entry point per decoder, shared by the libFuzzer binaries
// (HAIRPIN_FUZZ=ON, clang) and the regression test that the normal build runs.
//
// In:  one input, as libFuzzer or a regression/seed file gives it (bytes).
// Out: nothing when every invariant held, else one line naming the broken one.
//      An exception escaping an entry is a finding too: the decoders promise
//      results, not throws (libFuzzer sees std::terminate, the test a failure).
// Seeds: each target makes its own seed inputs from fixtures/ (and from encoder
//      output), so the corpus follows the fixtures instead of being checked in.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace hairpin::fuzz {

using Bytes = std::vector<std::uint8_t>;
using Finding = std::optional<std::string>;
using Entry = Finding (*)(std::span<const std::uint8_t> input);

struct Seed {
  std::string name;  // file name in the seed directory
  Bytes bytes;
};
using SeedMaker = std::vector<Seed> (*)(const std::string& fixtures_dir);

struct Target {
  const char* name;  // fuzz_<name> binary, tests/fuzz/regressions/<name>/
  Entry entry;
  SeedMaker seeds;
};

// Every target, in the order scripts/fuzz runs them.
const std::vector<Target>& targets();

// Returns "what broke [condition]" from the entry when `cond` is false.
#define HAIRPIN_FUZZ_CHECK(cond, what)                             \
  do {                                                             \
    if (!(cond)) return ::hairpin::fuzz::Finding{std::string(what) + " [" #cond "]"}; \
  } while (0)

// Seed helpers (seeds.cpp).
Bytes read_bytes(const std::string& path);  // empty when missing
std::vector<std::string> files_in(const std::string& dir);  // sorted, regular files only
Bytes from_hex(std::string_view hex);
Bytes concat(std::initializer_list<std::span<const std::uint8_t>> parts);
Bytes text_bytes(std::string_view text);

#define HAIRPIN_FUZZ_DECLARE(name)                              \
  Finding fuzz_##name(std::span<const std::uint8_t> input);    \
  std::vector<Seed> seeds_##name(const std::string& fixtures_dir);
HAIRPIN_FUZZ_DECLARE(bgp_message)
HAIRPIN_FUZZ_DECLARE(frr_config)
HAIRPIN_FUZZ_DECLARE(topology)
HAIRPIN_FUZZ_DECLARE(scenario)
HAIRPIN_FUZZ_DECLARE(pcap)
HAIRPIN_FUZZ_DECLARE(reply_match)
HAIRPIN_FUZZ_DECLARE(netlink)
HAIRPIN_FUZZ_DECLARE(control_request)
#undef HAIRPIN_FUZZ_DECLARE

}  // namespace hairpin::fuzz
