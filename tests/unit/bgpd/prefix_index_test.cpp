// The RIB's prefix index: what it finds after any mix of inserts and erases is
// what a std::map would hold, including after removals in the middle of probe runs.

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "../../../bgpd/rib/src/prefix_index.hpp"

namespace hairpin::bgpd {
namespace {

TEST(PrefixIndex, SameAddressDifferentLengths_AreDifferentPrefixes) {
  PrefixIndex index;
  EXPECT_EQ(index.insert(0x0a000000, 8, 1), std::make_pair(1u, true));
  EXPECT_EQ(index.insert(0x0a000000, 16, 2), std::make_pair(2u, true));
  EXPECT_EQ(index.insert(0, 0, 3), std::make_pair(3u, true));  // 0.0.0.0/0 is a prefix too
  EXPECT_EQ(index.find(0x0a000000, 8), 1u);
  EXPECT_EQ(index.find(0x0a000000, 16), 2u);
  EXPECT_EQ(index.find(0, 0), 3u);
  EXPECT_EQ(index.find(0x0a000000, 24), PrefixIndex::kNotFound);
}

TEST(PrefixIndex, InsertingAgain_ReturnsTheIdHeld) {
  PrefixIndex index;
  index.insert(0xc0000200, 24, 7);
  EXPECT_EQ(index.insert(0xc0000200, 24, 9), std::make_pair(7u, false));
  EXPECT_EQ(index.size(), 1u);
}

TEST(PrefixIndex, RandomInsertsAndErases_AgreeWithAMap) {
  std::mt19937 rng(4271);
  PrefixIndex index;
  std::map<std::pair<std::uint32_t, std::uint8_t>, std::uint32_t> reference;
  // A small key space, so probe runs are long and erases hit their middles.
  auto random_prefix = [&] {
    return std::make_pair(static_cast<std::uint32_t>(rng() % 5000) << 8, static_cast<std::uint8_t>(24 - rng() % 2));
  };
  std::uint32_t next_id = 0;
  for (int step = 0; step < 200000; ++step) {
    auto [address, length] = random_prefix();
    if (rng() % 3 == 0) {
      index.erase(address, length);
      reference.erase({address, length});
    } else {
      auto [id, added] = index.insert(address, length, next_id);
      auto [it, ref_added] = reference.try_emplace({address, length}, next_id);
      ASSERT_EQ(added, ref_added) << "step " << step;
      ASSERT_EQ(id, it->second) << "step " << step;
      ++next_id;
    }
    if (step % 1000 == 0) {
      ASSERT_EQ(index.size(), reference.size());
      for (const auto& [p, id] : reference) ASSERT_EQ(index.find(p.first, p.second), id) << "step " << step;
    }
  }
  for (std::uint32_t a = 0; a < 5000; ++a)
    for (std::uint8_t len : {23, 24}) {
      auto it = reference.find({a << 8, len});
      EXPECT_EQ(index.find(a << 8, len), it == reference.end() ? PrefixIndex::kNotFound : it->second);
    }
}

}  // namespace
}  // namespace hairpin::bgpd
