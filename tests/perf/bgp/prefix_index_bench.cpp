// Benchmark (not a test): the RIB's prefix index against absl::flat_hash_map, the
// general-purpose table it replaced, on what a full table does to it: N distinct
// prefixes arriving in random order (new-prefix inserts), then lookups of prefixes
// held (an UPDATE re-announcing routes). Prints ns per operation for each, medians
// over rounds, and the ratio index / absl.
//
//   build/tests/perf/bgp/prefix_index_bench [N=1000000] [ROUNDS=5]

#include <absl/container/flat_hash_map.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "../../../bgpd/rib/src/prefix_index.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Prefix {
  std::uint32_t address;
  std::uint8_t length;
};

// N distinct prefixes, /8 to /24 shaped like a routing table, shuffled.
std::vector<Prefix> random_prefixes(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  absl::flat_hash_map<std::uint64_t, bool> seen;
  std::vector<Prefix> out;
  out.reserve(n);
  while (out.size() < n) {
    const std::uint8_t length = static_cast<std::uint8_t>(std::uniform_int_distribution<int>(8, 24)(rng));
    const std::uint32_t address = static_cast<std::uint32_t>(rng()) & ~((1u << (32 - length)) - 1u);
    if (seen.emplace(std::uint64_t{address} << 8 | length, true).second) out.push_back({address, length});
  }
  return out;
}

double ns_per_op(Clock::time_point start, std::size_t ops) {
  return std::chrono::duration<double, std::nano>(Clock::now() - start).count() / static_cast<double>(ops);
}

struct Round {
  double insert_ns, find_ns;
};

template <class Insert, class Find>
Round run(const std::vector<Prefix>& prefixes, const std::vector<Prefix>& lookups, Insert insert, Find find) {
  auto t0 = Clock::now();
  for (std::uint32_t i = 0; i < prefixes.size(); ++i) insert(prefixes[i], i);
  const double insert_ns = ns_per_op(t0, prefixes.size());
  std::uint64_t sum = 0;  // keeps the lookups from being optimised away
  t0 = Clock::now();
  for (const auto& p : lookups) sum += find(p);
  const double find_ns = ns_per_op(t0, lookups.size());
  if (sum == 0) std::puts("");
  return {insert_ns, find_ns};
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 5;
  if (n == 0 || rounds <= 0) {
    std::fprintf(stderr, "usage: prefix_index_bench [N>0] [ROUNDS>0]\n");
    return 2;
  }
  const auto prefixes = random_prefixes(n, 1);
  auto lookups = prefixes;
  std::shuffle(lookups.begin(), lookups.end(), std::mt19937_64(2));

  std::vector<double> ours_insert, ours_find, absl_insert, absl_find;
  for (int r = 0; r < rounds; ++r) {
    {
      hairpin::bgpd::PrefixIndex index;
      auto res = run(prefixes, lookups,
                     [&](const Prefix& p, std::uint32_t id) { index.insert(p.address, p.length, id); },
                     [&](const Prefix& p) { return index.find(p.address, p.length); });
      ours_insert.push_back(res.insert_ns);
      ours_find.push_back(res.find_ns);
    }
    {
      absl::flat_hash_map<std::uint64_t, std::uint32_t> map;
      auto res = run(prefixes, lookups,
                     [&](const Prefix& p, std::uint32_t id) { map.emplace(std::uint64_t{p.address} << 8 | p.length, id); },
                     [&](const Prefix& p) { return map.find(std::uint64_t{p.address} << 8 | p.length)->second; });
      absl_insert.push_back(res.insert_ns);
      absl_find.push_back(res.find_ns);
    }
  }
  const double oi = median(ours_insert), of = median(ours_find);
  const double ai = median(absl_insert), af = median(absl_find);
  std::printf("prefixes %zu, rounds %d (medians)\n", n, rounds);
  std::printf("%-28s %12s %12s\n", "", "insert ns", "find ns");
  std::printf("%-28s %12.1f %12.1f\n", "PrefixIndex", oi, of);
  std::printf("%-28s %12.1f %12.1f\n", "absl::flat_hash_map", ai, af);
  std::printf("%-28s %12.2f %12.2f\n", "ratio PrefixIndex / absl", oi / ai, of / af);
  return 0;
}
