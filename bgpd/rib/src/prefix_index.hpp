#pragma once
// The RIB's prefix -> id index, built for a million prefixes arriving in random
// order (a full table is sent in the sender's hash order, not address order).
//
// Each entry is one 64-bit word: the prefix (32-bit address, 6-bit length) above
// a 26-bit id. Entries sit in open-addressed tables with linear probing, so a
// lookup reads one cache line, not a control array and then a slot array as a
// general-purpose hash map does (tests/perf/bgp/prefix_index_bench compares the
// two; figures in docs/bgpd.md). There are 256 tables, picked by hash: each grows on its own and
// is small enough to rehash inside the CPU cache. Removal shifts the following
// entries back (no tombstones), so lookups never slow down with churn.

#include <absl/hash/hash.h>

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

namespace hairpin::bgpd {

class PrefixIndex {
 public:
  static constexpr std::uint32_t kMaxIds = 1u << 26;  // 67 million prefixes
  static constexpr std::uint32_t kNotFound = UINT32_MAX;

  // `address` and `length` (0..32) name the prefix.
  std::uint32_t find(std::uint32_t address, std::uint8_t length) const {
    const Key k = key(address, length);
    const Table& t = table(k);
    if (t.slots.empty()) return kNotFound;
    for (std::size_t i = k.hash & t.mask();; i = (i + 1) & t.mask()) {
      if (t.slots[i] == kEmpty) return kNotFound;
      if (prefix_of(t.slots[i]) == k.prefix) return id_of(t.slots[i]);
    }
  }

  // The id held for the prefix and false, or `id` (< kMaxIds) stored now and true.
  std::pair<std::uint32_t, bool> insert(std::uint32_t address, std::uint8_t length, std::uint32_t id) {
    const Key k = key(address, length);
    Table& t = table(k);
    if ((t.size + 1) * 4 > t.slots.size() * 3) grow(t);  // load stays under 3/4
    std::size_t i = k.hash & t.mask();
    for (; t.slots[i] != kEmpty; i = (i + 1) & t.mask())
      if (prefix_of(t.slots[i]) == k.prefix) return {id_of(t.slots[i]), false};
    t.slots[i] = (k.prefix << 26) | id;
    ++t.size;
    ++size_;
    return {id, true};
  }

  void erase(std::uint32_t address, std::uint8_t length) {
    const Key k = key(address, length);
    Table& t = table(k);
    if (t.slots.empty()) return;
    std::size_t i = k.hash & t.mask();
    for (;; i = (i + 1) & t.mask()) {
      if (t.slots[i] == kEmpty) return;
      if (prefix_of(t.slots[i]) == k.prefix) break;
    }
    // Backward shift: move up each later entry of the run that may live at i.
    for (std::size_t j = (i + 1) & t.mask(); t.slots[j] != kEmpty; j = (j + 1) & t.mask()) {
      const std::size_t home = hash(prefix_of(t.slots[j])) & t.mask();
      // The entry at j may move to i unless its home lies in (i, j] (cyclically).
      const bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (stays) continue;
      t.slots[i] = t.slots[j];
      i = j;
    }
    t.slots[i] = kEmpty;
    --t.size;
    --size_;
  }

  // Starts loading the cache line a later find/insert of the prefix reads.
  void prefetch(std::uint32_t address, std::uint8_t length) const {
    const Key k = key(address, length);
    const Table& t = table(k);
    if (!t.slots.empty()) __builtin_prefetch(&t.slots[k.hash & t.mask()]);
  }

  std::size_t size() const { return size_; }

 private:
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};  // no prefix has length 63

  struct Key {
    std::uint64_t prefix;  // address << 6 | length
    std::size_t hash;
  };
  struct Table {
    std::vector<std::uint64_t> slots;  // power-of-two size, kEmpty where free
    std::size_t size = 0;
    std::size_t mask() const { return slots.size() - 1; }
  };

  static std::size_t hash(std::uint64_t prefix) { return absl::Hash<std::uint64_t>{}(prefix); }
  static Key key(std::uint32_t address, std::uint8_t length) {
    const std::uint64_t prefix = (std::uint64_t{address} << 6) | (length & 0x3f);
    return {prefix, hash(prefix)};
  }
  static std::uint64_t prefix_of(std::uint64_t slot) { return slot >> 26; }
  static std::uint32_t id_of(std::uint64_t slot) { return static_cast<std::uint32_t>(slot & (kMaxIds - 1)); }
  Table& table(const Key& k) { return tables_[k.hash >> 56]; }
  const Table& table(const Key& k) const { return tables_[k.hash >> 56]; }

  static void grow(Table& t) {
    std::vector<std::uint64_t> old = std::move(t.slots);
    t.slots.assign(old.empty() ? 8 : old.size() * 2, kEmpty);
    for (std::uint64_t slot : old) {
      if (slot == kEmpty) continue;
      std::size_t i = hash(prefix_of(slot)) & t.mask();
      while (t.slots[i] != kEmpty) i = (i + 1) & t.mask();
      t.slots[i] = slot;
    }
  }

  std::array<Table, 256> tables_;
  std::size_t size_ = 0;
};

}  // namespace hairpin::bgpd
